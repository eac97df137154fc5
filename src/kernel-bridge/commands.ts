/**
 * The commands the bridge offers itself: the wallet session as a notebook
 * sees it. Other rooms (discovery, load, publish, GAN) register theirs
 * through IKernelBridge.registerCommand exactly the same way.
 */
import type { IDisposable } from '@lumino/disposable';
import { OceanError } from '../errors';
import type { IKernelCommandContext, IOceanNetwork } from '../tokens';
import type { KernelBridge } from './bridge';
import { closestName } from './args';
import { mimeResult } from './results';

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    char =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[
        char
      ]!
  );
}

async function account(context: IKernelCommandContext): Promise<string> {
  const accounts = (await context.request('eth_requestAccounts')) as string[];
  if (!accounts?.length) {
    throw new OceanError(4100, 'The wallet shared no account.');
  }
  return accounts[0];
}

function describeNetwork(network: IOceanNetwork): Record<string, unknown> {
  return {
    key: network.key,
    name: network.name,
    chainId: network.chainId,
    rpcUrl: network.rpcUrl,
    nodeUrl: network.nodeUrl,
    explorerUrl: network.explorerUrl ?? null,
    nativeSymbol: network.nativeSymbol,
    oceanTokenAddress: network.oceanTokenAddress ?? null
  };
}

/** Registers account, chain/network, networks, use, sign, grant, grants and help. */
export function registerBuiltinCommands(bridge: KernelBridge): IDisposable[] {
  const activeNetwork = (): IOceanNetwork => {
    const networks = bridge.networks;
    if (!networks) {
      throw new OceanError(
        'OCEAN_UNKNOWN_NETWORK',
        'No network registry is available in this JupyterLab.'
      );
    }
    return networks.active;
  };

  const chain = async () => {
    const network = activeNetwork();
    const info = describeNetwork(network);
    return mimeResult(
      {
        'text/plain': `${network.name} (chain ${network.chainId})\nRPC: ${network.rpcUrl}\nOcean Node: ${network.nodeUrl}`
      },
      { value: info }
    );
  };

  return [
    bridge.registerCommand(
      'account',
      async (_args, context) => account(context),
      {
        description:
          "Your wallet's selected address (asks once per kernel session to share it).",
        usage: ''
      }
    ),
    bridge.registerCommand('chain', chain, {
      description:
        'The active network: name, chain id, RPC and Ocean Node URLs.',
      usage: ''
    }),
    bridge.registerCommand('network', chain, {
      description: 'Same as chain.',
      usage: ''
    }),
    bridge.registerCommand(
      'networks',
      async () => {
        const registry = bridge.networks;
        const list = registry?.networks ?? [];
        const active = registry?.active.key;
        const lines = list.map(
          n =>
            `${n.key === active ? '*' : ' '} ${n.key.padEnd(12)} ${n.name} (chain ${n.chainId})`
        );
        const rows = list
          .map(
            n =>
              `<tr><td>${n.key === active ? '●' : ''}</td><td><code>${escapeHtml(n.key)}</code></td><td>${escapeHtml(n.name)}</td><td>${n.chainId}</td></tr>`
          )
          .join('');
        return mimeResult(
          {
            'text/plain': lines.join('\n'),
            'text/html': `<table class="jp-OceanKernelTable"><thead><tr><th></th><th>key</th><th>network</th><th>chain id</th></tr></thead><tbody>${rows}</tbody></table>`
          },
          { value: list.map(describeNetwork) }
        );
      },
      { description: 'The configured networks; * marks the active one.' }
    ),
    bridge.registerCommand(
      'use',
      async (args, context) => {
        const wanted = String((args._ as string[])[0] ?? '').trim();
        const network = bridge.networks?.networks.find(
          n => n.key === wanted || String(n.chainId) === wanted
        );
        if (!network) {
          const near = closestName(
            wanted,
            bridge.networks?.networks.map(n => n.key) ?? []
          );
          throw new OceanError(
            'OCEAN_UNKNOWN_NETWORK',
            `No configured network is called "${wanted.slice(0, 60)}"${
              near ? ` (did you mean ${near}?)` : ''
            }: run \`%ocean networks\` to see their keys.`
          );
        }
        // As the other verbs do: ask to share the account first (once per
        // kernel session) rather than refuse because it was not shared yet.
        await account(context);
        await context.request('wallet_switchEthereumChain', [
          { chainId: '0x' + network.chainId.toString(16) }
        ]);
        return describeNetwork(network);
      },
      {
        description:
          'Switch the active network (the wallet asks you to confirm).',
        usage: '<network key or chain id>'
      }
    ),
    bridge.registerCommand(
      'sign',
      async (args, context) => {
        const words = (args._ as string[]).map(String);
        const message =
          typeof args.message === 'string' ? args.message : words.join(' ');
        if (!message) {
          throw new OceanError(
            'OCEAN_BAD_REQUEST',
            'Say what to sign: `%ocean sign <message>`.'
          );
        }
        const address = await account(context);
        const hex =
          '0x' +
          Array.from(new TextEncoder().encode(message), b =>
            b.toString(16).padStart(2, '0')
          ).join('');
        return context.request('personal_sign', [hex, address]);
      },
      {
        description:
          'Sign a text message with your account (personal_sign, approved in the wallet dialog).',
        usage: '<message>'
      }
    ),
    bridge.registerCommand(
      'grant',
      async (args, context) => {
        const [minutes, cap] = args._ as unknown[];
        await account(context);
        // The wallet's dialog decides: it shows the scope in words and the
        // person may change the time and the cap, or refuse (4001).
        const grant = (await context.request('ocean_requestGrant', [
          {
            minutes: args.minutes ?? minutes ?? 15,
            cap: String(args.cap ?? cap ?? '10')
          }
        ])) as Record<string, unknown>;
        return mimeResult(
          {
            'text/plain': `Allowed without asking until ${String(grant.expires)}: Ocean requests from this notebook spending at most ${String(grant.cap)} ${String(grant.token)}. Revoke it in the Ocean panel.`
          },
          { value: grant }
        );
      },
      {
        description:
          "Ask to have this notebook's Ocean requests signed without a dialog for a while (the wallet dialog decides; revoke in the Ocean panel).",
        usage: '[--minutes 15] [--cap 10]'
      }
    ),
    bridge.registerCommand(
      'grants',
      async (_args, context) => {
        const grants = (await context.request('ocean_grants')) as Array<
          Record<string, unknown>
        >;
        const lines = grants.map(
          g =>
            `${String(g.id)}: spent ${String(g.spent)} of ${String(g.cap)} ${String(g.token)} in ${String(g.uses)} request(s), ${String(g.minutesLeft)} min left`
        );
        return mimeResult(
          {
            'text/plain': lines.length
              ? lines.join('\n')
              : 'This notebook has no live grant: every request asks in the wallet dialog.'
          },
          { value: grants }
        );
      },
      {
        description: "This notebook's live grants and what they have spent.",
        usage: ''
      }
    ),
    bridge.registerCommand(
      'help',
      async () => {
        const commands = bridge.commands;
        const text = [
          'Ocean commands: %ocean <command> [args] in Python, ocean.<command>(...) in Deno.',
          '',
          ...commands.map(
            c =>
              `  ${`${c.name} ${c.usage ?? ''}`.trim().padEnd(34)} ${c.description ?? ''}`
          ),
          '',
          'EIP-1193 provider: jupyterlab_ocean.provider (Python), ocean.provider (Deno).'
        ].join('\n');
        const rows = commands
          .map(
            c =>
              `<tr><td><code>${escapeHtml(`${c.name} ${c.usage ?? ''}`.trim())}</code></td><td>${escapeHtml(c.description ?? '')}</td></tr>`
          )
          .join('');
        return mimeResult(
          {
            'text/plain': text,
            'text/html': `<div class="jp-OceanKernelHelp"><p>Ocean commands: <code>%ocean &lt;command&gt; [args]</code> in Python, <code>ocean.&lt;command&gt;(…)</code> in Deno.</p><table class="jp-OceanKernelTable"><tbody>${rows}</tbody></table><p>EIP-1193 provider: <code>jupyterlab_ocean.provider</code> (Python), <code>ocean.provider</code> (Deno).</p></div>`
          },
          { value: commands.map(c => c.name) }
        );
      },
      { description: 'This list.' }
    )
  ];
}
