/**
 * Kernel commands that use the wallet's money and identity: `balance`,
 * `send`, `token` (an Ocean Node auth token) and `wallet` (the live wallet
 * widget). Like every command they run in the browser on behalf of one
 * kernel session: signatures and transactions go through
 * `context.request`, so the share-once permission, the throttle and the
 * wallet's confirmation dialog apply exactly as for the kernel's provider.
 *
 * ethers is imported lazily: these commands are rare compared with the
 * page loads that would otherwise pay for it.
 */
import type { IDisposable } from '@lumino/disposable';
import { errorWords, OceanError } from '../errors';
import { paymentRequest, readProvider, waitForReceipt } from '../ocean/chain';
import { ERC20_ABI } from '../ocean/erc20';
import type { IKernelCommandContext, IOceanNetwork } from '../tokens';
import type { KernelBridge } from '../kernel-bridge/bridge';
import { WALLET_WIDGET } from '../kernel-bridge/protocol';
import { mimeResult } from '../kernel-bridge/results';

type Ethers = typeof import('ethers');
type Provider = import('ethers').JsonRpcProvider;

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    char =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[
        char
      ]!
  );
}

/** An 0x address (any case); ethers' isAddress would narrow to never. */
function isHexAddress(text: string): boolean {
  return /^0x[0-9a-fA-F]{40}$/.test(text);
}

/** The shared account, asking once per kernel session. */
export async function sharedAccount(
  context: IKernelCommandContext
): Promise<string> {
  const accounts = (await context.request('eth_requestAccounts')) as string[];
  if (!accounts?.length) {
    throw new OceanError(4100, errorWords.__('The wallet shared no account.'));
  }
  return accounts[0];
}

interface IToken {
  /** null: the network's native coin. */
  address: string | null;
  symbol: string;
  decimals: number;
}

/**
 * What `[token]` names: nothing or the native symbol → the native coin;
 * an 0x address → that ERC-20; OCEAN → the network's OCEAN token (from the
 * settings, else found among the account's tokens); another symbol → a
 * token the account holds (datatokens, test tokens).
 */
async function resolveToken(
  ethers: Ethers,
  provider: Provider,
  network: IOceanNetwork,
  account: string,
  wanted: string | undefined
): Promise<IToken> {
  const native: IToken = {
    address: null,
    symbol: network.nativeSymbol,
    decimals: 18
  };
  if (
    !wanted ||
    wanted.toLowerCase() === network.nativeSymbol.toLowerCase() ||
    wanted.toLowerCase() === 'native'
  ) {
    return native;
  }
  let address: string | null = null;
  if (isHexAddress(wanted)) {
    address = ethers.getAddress(wanted);
  } else if (wanted.toUpperCase() === 'OCEAN' && network.oceanTokenAddress) {
    address = ethers.getAddress(network.oceanTokenAddress);
  } else {
    const { readBalances } = await import('../ocean/balances');
    const balances = await readBalances(provider, network, account);
    const held = [
      ...(balances.ocean ? [balances.ocean] : []),
      ...balances.tokens
    ].filter(t => t.kind !== 'nft');
    const match =
      wanted.toUpperCase() === 'OCEAN' && balances.ocean
        ? balances.ocean
        : held.find(t => t.symbol.toLowerCase() === wanted.toLowerCase());
    if (!match) {
      throw new OceanError(
        'OCEAN_UNKNOWN_TOKEN',
        errorWords.__(
          'Your account holds no token called "%1" on %2: give the token\'s 0x address, or run `%ocean balance` to see what you hold.',
          wanted.slice(0, 40),
          network.name
        )
      );
    }
    address = match.address;
  }
  const token = new ethers.Contract(address, ERC20_ABI, provider);
  try {
    const [decimals, symbol] = await Promise.all([
      token.decimals() as Promise<bigint>,
      (token.symbol() as Promise<string>).catch(() => 'tokens')
    ]);
    return {
      address,
      decimals: Number(decimals),
      // Set by whoever deployed the token: keep it short.
      symbol: String(symbol).slice(0, 24)
    };
  } catch {
    throw new OceanError(
      'OCEAN_UNKNOWN_TOKEN',
      errorWords.__(
        '%1 is not an ERC-20 token on %2 (it has no decimals()).',
        address,
        network.name
      )
    );
  }
}

function parseAmount(ethers: Ethers, text: string, token: IToken): bigint {
  let raw: bigint;
  try {
    raw = ethers.parseUnits(text.trim(), token.decimals);
  } catch {
    throw new OceanError(
      'OCEAN_BAD_REQUEST',
      errorWords.__(
        '"%1" is not an amount of %2: write it as a decimal number such as 0.5 (at most %3 decimals), in quotes from Deno when it is very small or very large.',
        text.slice(0, 40),
        token.symbol,
        token.decimals
      )
    );
  }
  if (raw <= 0n) {
    throw new OceanError(
      'OCEAN_BAD_REQUEST',
      errorWords.__('The amount to send must be more than zero.')
    );
  }
  return raw;
}

/** Waits until the chain includes `hash`; reads only, no prompt. */
function included(
  provider: Provider,
  hash: string,
  context: IKernelCommandContext
): Promise<import('ethers').TransactionReceipt> {
  context.progress(
    errorWords.__('Sent. Waiting for the network to include it…')
  );
  return waitForReceipt(
    { hash, provider },
    {
      unsent: () =>
        new OceanError(
          'OCEAN_TX_PENDING',
          errorWords.__('The wallet returned no hash.')
        ),
      timedOut: (hash, timeoutMs) =>
        new OceanError(
          'OCEAN_TX_PENDING',
          errorWords.__(
            "The transaction %1 was sent but is not included after %2 minutes. It may still go through: check it later with provider.request('eth_getTransactionReceipt', ['%1']).",
            hash,
            Math.round(timeoutMs / 60_000)
          ),
          { txHash: hash }
        )
    }
  );
}

/** A node auth token handed to a kernel session. */
interface ITokenGrant {
  token: string;
  nodeUrl: string;
  address: string;
  validUntil: number;
}

/** Registers balance, send, token and wallet on `bridge`. */
export function registerWalletCommands(bridge: KernelBridge): IDisposable[] {
  const activeNetwork = (): IOceanNetwork => {
    if (!bridge.networks) {
      throw new OceanError(
        'OCEAN_UNKNOWN_NETWORK',
        errorWords.__('No network registry is available in this JupyterLab.')
      );
    }
    return bridge.networks.active;
  };

  return [
    bridge.registerCommand(
      'balance',
      async (args, context) => {
        const ethers = await import('ethers');
        const network = activeNetwork();
        const given = (args._ as unknown[])[0];
        const address =
          given === undefined
            ? await sharedAccount(context)
            : ethers.isAddress(String(given))
              ? ethers.getAddress(String(given))
              : null;
        if (!address) {
          throw new OceanError(
            'OCEAN_BAD_REQUEST',
            errorWords.__('"%1" is not an address.', String(given).slice(0, 60))
          );
        }
        const provider = await readProvider(network);
        const { readBalances } = await import('../ocean/balances');
        const balances = await readBalances(provider, network, address);
        const tokens = [
          ...(balances.ocean ? [balances.ocean] : []),
          ...balances.tokens
        ];
        const lines = [
          `${balances.native} ${network.nativeSymbol}`,
          ...tokens.map(
            t =>
              `${t.balance} ${t.symbol}${t.asset ? ` (${t.asset.name})` : ''}`
          )
        ];
        const rows = [
          `<tr><td>${escapeHtml(balances.native)}</td><td>${escapeHtml(network.nativeSymbol)}</td><td></td></tr>`,
          ...tokens.map(
            t =>
              `<tr><td>${escapeHtml(t.balance)}</td><td>${escapeHtml(t.symbol)}</td><td>${escapeHtml(t.asset?.name ?? (t.kind === 'nft' ? errorWords.__('data NFT') : ''))}</td></tr>`
          )
        ].join('');
        return mimeResult(
          {
            'text/plain': errorWords.__(
              '%1 on %2 (block %3)\n%4',
              address,
              network.name,
              balances.blockNumber,
              lines.join('\n')
            ),
            'text/html': `<div class="jp-OceanKernelBalance"><p>${errorWords.__(
              '%1 on %2 (block %3)',
              `<code>${escapeHtml(address)}</code>`,
              escapeHtml(network.name),
              balances.blockNumber
            )}</p><table class="jp-OceanKernelTable"><tbody>${rows}</tbody></table></div>`
          },
          {
            value: {
              address,
              chainId: network.chainId,
              blockNumber: balances.blockNumber,
              native: balances.native,
              nativeSymbol: network.nativeSymbol,
              ocean: balances.ocean?.balance ?? null,
              tokens: tokens.map(t => ({
                address: t.address,
                symbol: t.symbol,
                kind: t.kind,
                balance: t.balance,
                asset: t.asset ?? null
              }))
            }
          }
        );
      },
      {
        description: errorWords.__(
          'Your balances: the native coin, OCEAN, datatokens and data NFTs (or those of the address given).'
        ),
        usage: '[address]'
      }
    ),

    bridge.registerCommand(
      'send',
      async (args, context) => {
        const words = (args._ as unknown[]).map(w => String(w));
        const [toText, amountText, tokenText] = [
          words[0],
          words[1],
          typeof args.token === 'string' ? args.token : words[2]
        ];
        if (!toText || !amountText) {
          throw new OceanError(
            'OCEAN_BAD_REQUEST',
            errorWords.__(
              'Say whom to pay and how much: `%ocean send <address> <amount> [token]` (Python) or `await ocean.send(address, "0.5", "OCEAN")` (Deno).'
            )
          );
        }
        const ethers = await import('ethers');
        if (!isHexAddress(toText)) {
          throw new OceanError(
            'OCEAN_BAD_REQUEST',
            errorWords.__(
              '"%1" is not an address: give a 0x address of 40 hex digits.',
              toText.slice(0, 60)
            )
          );
        }
        const to = ethers.getAddress(toText);
        if (to === ZERO_ADDRESS) {
          throw new OceanError(
            'OCEAN_BAD_REQUEST',
            errorWords.__(
              'Sending to the zero address would burn the coins: give a real recipient.'
            )
          );
        }
        const network = activeNetwork();
        const account = await sharedAccount(context);
        const provider = await readProvider(network);
        const token = await resolveToken(
          ethers,
          provider,
          network,
          account,
          tokenText
        );
        const raw = parseAmount(ethers, amountText, token);
        const held = token.address
          ? ((await new ethers.Contract(
              token.address,
              ERC20_ABI,
              provider
            ).balanceOf(account)) as bigint)
          : await provider.getBalance(account);
        if (held < raw) {
          throw new OceanError(
            'OCEAN_INSUFFICIENT_FUNDS',
            errorWords.__(
              'You hold %1 %2 on %3, less than the %4 %2 to send. Nothing was sent.',
              ethers.formatUnits(held, token.decimals),
              token.symbol,
              network.name,
              amountText
            )
          );
        }
        const tx = await paymentRequest(account, to, raw, token.address);
        const hash = (await context.request('eth_sendTransaction', [
          tx
        ])) as string;
        const receipt = await included(provider, hash, context);
        const amount = ethers.formatUnits(raw, token.decimals);
        const status = receipt.status ?? 0;
        return mimeResult(
          {
            'text/plain':
              status === 1
                ? errorWords.__(
                    'Sent %1 %2 to %3\ntransaction %4\nstatus %5 (confirmed in block %6)',
                    amount,
                    token.symbol,
                    to,
                    hash,
                    status,
                    receipt.blockNumber
                  )
                : errorWords.__(
                    'Sent %1 %2 to %3\ntransaction %4\nstatus %5 (reverted in block %6)',
                    amount,
                    token.symbol,
                    to,
                    hash,
                    status,
                    receipt.blockNumber
                  ),
            'text/html': `<div class="jp-OceanKernelSend"><p>${errorWords.__(
              'Sent %1 to %2',
              `<b>${escapeHtml(amount)} ${escapeHtml(token.symbol)}</b>`,
              `<code>${to}</code>`
            )}</p><p>${
              status === 1
                ? errorWords.__(
                    'Transaction %1: status %2 (confirmed in block %3)',
                    `<code>${hash}</code>`,
                    status,
                    receipt.blockNumber
                  )
                : errorWords.__(
                    'Transaction %1: status %2 (reverted in block %3)',
                    `<code>${hash}</code>`,
                    status,
                    receipt.blockNumber
                  )
            }</p></div>`
          },
          {
            value: {
              hash,
              status,
              blockNumber: receipt.blockNumber,
              from: account,
              to,
              amount,
              token: token.symbol,
              tokenAddress: token.address
            }
          }
        );
      },
      {
        description: errorWords.__(
          'Send the native coin, OCEAN or another ERC-20 (approved in the wallet dialog); returns the hash and receipt status.'
        ),
        usage: '<address> <amount> [token]'
      }
    ),

    bridge.registerCommand(
      'token',
      async (args, context) => {
        const network = activeNetwork();
        const minutes = Math.min(
          24 * 60,
          Math.max(1, Number(args.minutes ?? 30) || 30)
        );
        const account = await sharedAccount(context);
        const nodeUrl = network.nodeUrl.replace(/\/+$/, '');
        const grant = await createNodeToken(
          nodeUrl,
          account,
          minutes,
          context,
          !!args.new
        );
        const until = new Date(grant.validUntil);
        const shown = `${grant.token.slice(0, 12)}…`;
        return mimeResult(
          {
            'text/plain': errorWords.__(
              'Ocean Node auth token for %1 at %2, valid until %3 (%4; the value is in .value["token"])',
              grant.address,
              grant.nodeUrl,
              until.toISOString(),
              shown
            )
          },
          {
            value: {
              token: grant.token,
              nodeUrl: grant.nodeUrl,
              address: grant.address,
              validUntil: grant.validUntil,
              headers: { Authorization: grant.token }
            }
          }
        );
      },
      {
        description: errorWords.__(
          'A short-lived Ocean Node auth token (one signature) for calling the node from the kernel: send it as the Authorization header.'
        ),
        usage: '[--minutes N] [--new]'
      }
    ),

    bridge.registerCommand(
      'wallet',
      async (_args, context) => {
        // The widget shows the account, so the kernel must have been given
        // it; after that it follows the wallet live (lock, switches).
        const account = await sharedAccount(context);
        const kernelId = context.requester.kernelId ?? '';
        const session = bridge.session(kernelId);
        const network = activeNetwork();
        const status = bridge.wallet?.state.status ?? 'none';
        const key = bridge.widgetKey(kernelId);
        return {
          key,
          target: 'jupyter.widget',
          protocol: '2.1.0',
          state: {
            _model_name: WALLET_WIDGET.model,
            _model_module: WALLET_WIDGET.module,
            _model_module_version: WALLET_WIDGET.range,
            _view_name: WALLET_WIDGET.view,
            _view_module: WALLET_WIDGET.module,
            _view_module_version: WALLET_WIDGET.range,
            _view_count: null,
            _dom_classes: [],
            tabbable: null,
            tooltip: null,
            key,
            kernel: session.kernelKind ?? 'python',
            account,
            status,
            chain_id: network.chainId,
            network: network.name,
            native_symbol: network.nativeSymbol
          },
          text: errorWords.__(
            'Ocean wallet: %1 on %2 (chain %3), %4. The live view needs JupyterLab with jupyterlab-ocean.',
            account,
            network.name,
            network.chainId,
            status
          )
        };
      },
      {
        description: errorWords.__(
          'A live wallet widget in the cell: account, network, balances and lock state, kept current.'
        ),
        usage: ''
      }
    )
  ];
}

/**
 * A node auth token for the kernel of `context`: the one it was already given
 * for this node and account while it has a minute or more left, or a new one
 * (`renew`: always new). It goes through the page's one token cache
 * (authTokens) with the kernel as holder: the token leaves the page, so a
 * kernel gets one the person approved for it, never the page's own. The
 * personal_sign goes through `context.request` with the hint, which the wallet
 * dialog recomputes and describes.
 */
export async function createNodeToken(
  nodeUrl: string,
  account: string,
  minutes: number,
  context: IKernelCommandContext,
  renew = false
): Promise<ITokenGrant> {
  const [{ authTokens }, { NodeApi }] = await Promise.all([
    import('../ocean/auth-token'),
    import('../ocean/node-api')
  ]);
  const node = new NodeApi(nodeUrl);
  const { token, validUntil } = await authTokens.token(node, {
    account,
    holder: `kernel:${context.requester.kernelId ?? context.requester.label}`,
    minutes,
    renew,
    describe: () =>
      `a ${minutes}-minute Ocean Node token for ${context.requester.label}`,
    sign: async (hash, hint) =>
      (await context.request('personal_sign', [hash, account, hint])) as string
  });
  return { token, nodeUrl: node.url, address: account, validUntil };
}
