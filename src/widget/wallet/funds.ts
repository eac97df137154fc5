/**
 * Moving funds for the wallet section: paying someone (the native coin or an
 * ERC-20, through the wallet's own request, so the dialog shows it) and
 * asking the local network's faucet for test coins. The view only gathers
 * what was typed and shows the outcome.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { isAddress, parseUnits } from 'ethers';
import { OceanError } from '../../errors';
import { paymentRequest } from '../../ocean/chain';
import type { IOceanNetwork, IWallet, IWalletRequester } from '../../tokens';

export interface IPayment {
  to: string;
  amount: string;
  /**
   * The token's contract and decimals; null for the native coin, undefined
   * when the token picked is not among the balances.
   */
  token: { address: string; decimals: number } | null | undefined;
  /**
   * What the account holds of it (checked before the dialog): `raw` in the
   * token's units when known exactly, else the panel's `amount`, which is
   * rounded down to 6 decimals.
   */
  available?: { amount: string; symbol: string; raw?: string };
}

/** Checks and sends a payment; resolves to the transaction hash. */
export async function pay(
  wallet: IWallet,
  requester: IWalletRequester,
  payment: IPayment,
  trans: TranslationBundle
): Promise<string> {
  const account = await wallet.ensureUnlocked(requester);
  const to = payment.to.trim();
  if (!isAddress(to)) {
    throw new OceanError(
      'OCEAN_BAD_REQUEST',
      trans.__(
        'The recipient is not an Ethereum address (0x followed by 40 hex characters).'
      )
    );
  }
  const token = payment.token;
  if (token === undefined) {
    throw new OceanError(
      'OCEAN_BAD_REQUEST',
      trans.__('Pick a token to send.')
    );
  }
  const amount = parseAmount(
    payment.amount.trim(),
    token?.decimals ?? 18,
    trans
  );
  // More than the balance would only fail on chain, as a raw revert (or
  // the node's "insufficient funds"): say it in words, before any dialog.
  const available = payment.available;
  if (available) {
    const decimals = token?.decimals ?? 18;
    let held: bigint | null = null;
    try {
      // The shown amount is cut to 6 decimals: allow what the cut hides.
      held =
        available.raw !== undefined
          ? BigInt(available.raw)
          : parseUnits(available.amount, decimals) +
            (decimals > 6 ? 10n ** BigInt(decimals - 6) - 1n : 0n);
    } catch {
      held = null; // "unlimited" or unreadable: the chain decides.
    }
    if (held !== null && amount > held) {
      throw new OceanError(
        'OCEAN_INSUFFICIENT_FUNDS',
        trans.__(
          'You hold %1 %2, less than the %3 %2 you asked to send. Nothing was sent.',
          available.amount,
          available.symbol,
          payment.amount.trim()
        )
      );
    }
  }
  const tx = await paymentRequest(account, to, amount, token?.address ?? null);
  return (await wallet.request(
    { method: 'eth_sendTransaction', params: [tx] },
    requester
  )) as string;
}

function parseAmount(
  amount: string,
  decimals: number,
  trans: TranslationBundle
): bigint {
  try {
    const value = parseUnits(amount, decimals);
    if (value <= 0n) {
      throw new Error('not positive');
    }
    return value;
  } catch {
    throw new OceanError(
      'OCEAN_BAD_REQUEST',
      trans.__(
        '"%1" is not an amount: use digits and a dot, e.g. 1.5',
        amount.slice(0, 40)
      )
    );
  }
}

/** What the faucet sent, as it says it. */
export interface IFaucetGift {
  native: string;
  ocean: string;
}

/** Asks `network`'s faucet to fund `account`; null where it has none. */
export async function askFaucet(
  network: IOceanNetwork,
  account: string,
  trans: TranslationBundle
): Promise<IFaucetGift | null> {
  if (!network.faucetUrl) {
    return null;
  }
  let response: Response;
  try {
    response = await fetch(faucetEndpoint(network.faucetUrl), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ address: account })
    });
  } catch {
    throw new OceanError(
      'OCEAN_FAUCET_FAILED',
      trans.__(
        'The faucet at %1 does not answer: is the local stack running (npm start)?',
        network.faucetUrl
      )
    );
  }
  const body = (await response.json().catch(() => ({}))) as {
    eth?: { amount?: string };
    ocean?: { amount?: string };
    error?: { message?: string } | string;
    message?: string;
  };
  if (!response.ok) {
    const reason =
      typeof body.error === 'string'
        ? body.error
        : (body.error?.message ?? body.message ?? `HTTP ${response.status}`);
    throw new OceanError(
      'OCEAN_FAUCET_FAILED',
      trans.__('The faucet refused: %1', String(reason).slice(0, 200))
    );
  }
  return {
    native: String(body.eth?.amount ?? '?'),
    ocean: String(body.ocean?.amount ?? '?')
  };
}

/** Settings give either the faucet's base URL or its /faucet endpoint. */
function faucetEndpoint(url: string): string {
  const base = url.replace(/\/+$/, '');
  return /\/faucet$/.test(base) ? base : `${base}/faucet`;
}
