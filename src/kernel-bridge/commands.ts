/**
 * The commands the bridge offers itself: the wallet session as a notebook
 * sees it. Other rooms (discovery, load, publish, GAN) register theirs
 * through IKernelBridge.registerCommand exactly the same way.
 */
import type { IDisposable } from '@lumino/disposable';
import { errorWords, OceanError } from '../errors';
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
    throw new OceanError(4100, errorWords.__('The wallet shared no account.'));
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
        errorWords.__('No network registry is available in this JupyterLab.')
      );
    }
    return networks.active;
  };

  const chain = async () => {
    const network = activeNetwork();
    const info = describeNetwork(network);
    return mimeResult(
      {
        'text/plain': errorWords.__(
          '%1 (chain %2)\nRPC: %3\nOcean Node: %4',
          network.name,
          network.chainId,
          network.rpcUrl,
          network.nodeUrl
        )
      },
      { value: info }
    );
  };

  return [
    bridge.registerCommand(
      'account',
      async (_args, context) => account(context),
      {
        description: errorWords.__(
          "Your wallet's selected address (asks once per kernel session to share it)."
        ),
        usage: ''
      }
    ),
    bridge.registerCommand('chain', chain, {
      description: errorWords.__(
        'The active network: name, chain id, RPC and Ocean Node URLs.'
      ),
      usage: ''
    }),
    bridge.registerCommand('network', chain, {
      description: errorWords.__('Same as chain.'),
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
            'text/html': `<table class="jp-OceanKernelTable"><thead><tr><th></th><th>${errorWords.__('key')}</th><th>${errorWords.__('network')}</th><th>${errorWords.__('chain id')}</th></tr></thead><tbody>${rows}</tbody></table>`
          },
          { value: list.map(describeNetwork) }
        );
      },
      {
        description: errorWords.__(
          'The configured networks; * marks the active one.'
        )
      }
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
            near
              ? errorWords.__(
                  'No configured network is called "%1" (did you mean %2?): run `%ocean networks` to see their keys.',
                  wanted.slice(0, 60),
                  near
                )
              : errorWords.__(
                  'No configured network is called "%1": run `%ocean networks` to see their keys.',
                  wanted.slice(0, 60)
                )
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
        description: errorWords.__(
          'Switch the active network (the wallet asks you to confirm).'
        ),
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
            errorWords.__('Say what to sign: `%ocean sign <message>`.')
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
        description: errorWords.__(
          'Sign a text message with your account (personal_sign, approved in the wallet dialog).'
        ),
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
            'text/plain': errorWords.__(
              'Allowed without asking until %1: Ocean requests from this notebook spending at most %2 %3. Revoke it in the Ocean panel.',
              String(grant.expires),
              String(grant.cap),
              String(grant.token)
            )
          },
          { value: grant }
        );
      },
      {
        description: errorWords.__(
          "Ask to have this notebook's Ocean requests signed without a dialog for a while (the wallet dialog decides; revoke in the Ocean panel)."
        ),
        usage: '[--minutes 15] [--cap 10]'
      }
    ),
    bridge.registerCommand(
      'grants',
      async (_args, context) => {
        const grants = (await context.request('ocean_grants')) as Array<
          Record<string, unknown>
        >;
        const lines = grants.map(g =>
          errorWords.__(
            '%1: spent %2 of %3 %4 in %5 request(s), %6 min left',
            String(g.id),
            String(g.spent),
            String(g.cap),
            String(g.token),
            String(g.uses),
            String(g.minutesLeft)
          )
        );
        return mimeResult(
          {
            'text/plain': lines.length
              ? lines.join('\n')
              : errorWords.__(
                  'This notebook has no live grant: every request asks in the wallet dialog.'
                )
          },
          { value: grants }
        );
      },
      {
        description: errorWords.__(
          "This notebook's live grants and what they have spent."
        ),
        usage: ''
      }
    ),
    bridge.registerCommand(
      'help',
      async () => {
        const commands = bridge.commands;
        const text = [
          errorWords.__(
            'Ocean commands: %ocean <command> [args] in Python, ocean.<command>(...) in Deno.'
          ),
          '',
          ...commands.map(
            c =>
              `  ${`${c.name} ${c.usage ?? ''}`.trim().padEnd(34)} ${c.description ?? ''}`
          ),
          '',
          errorWords.__(
            'EIP-1193 provider: jupyterlab_ocean.provider (Python), ocean.provider (Deno).'
          )
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
            'text/html': `<div class="jp-OceanKernelHelp"><p>${errorWords.__(
              'Ocean commands: %1 in Python, %2 in Deno.',
              '<code>%ocean &lt;command&gt; [args]</code>',
              '<code>ocean.&lt;command&gt;(…)</code>'
            )}</p><table class="jp-OceanKernelTable"><tbody>${rows}</tbody></table><p>${errorWords.__(
              'EIP-1193 provider: %1 (Python), %2 (Deno).',
              '<code>jupyterlab_ocean.provider</code>',
              '<code>ocean.provider</code>'
            )}</p></div>`
          },
          { value: commands.map(c => c.name) }
        );
      },
      { description: errorWords.__('This list.') }
    )
  ];
}
