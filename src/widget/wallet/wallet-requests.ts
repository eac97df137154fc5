/**
 * What the wallet refuses, in its own sentences (EIP-1193 codes), and how it
 * reads a request's parameters: shared by the wallet and its desks.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { OceanError } from '../../errors';
import type { IWalletRequestArguments } from '../../tokens';

export function rejected(trans: TranslationBundle): OceanError {
  return new OceanError(
    4001,
    trans.__(
      'You rejected the request in the wallet. Nothing was signed or sent.'
    )
  );
}

export function locked(trans: TranslationBundle): OceanError {
  return new OceanError(
    4100,
    trans.__(
      'The wallet is locked: unlock it in the Ocean panel, then try again.'
    )
  );
}

export function unsupported(
  trans: TranslationBundle,
  method: string,
  why = ''
): OceanError {
  const what = trans.__(
    'The wallet does not support "%1".',
    String(method).slice(0, 60)
  );
  return new OceanError(4200, why ? `${what} ${why}` : what);
}

export function paramsArray(
  args: IWalletRequestArguments,
  trans: TranslationBundle
): unknown[] {
  if (args.params === undefined) {
    return [];
  }
  if (!Array.isArray(args.params)) {
    throw new OceanError(
      'OCEAN_BAD_REQUEST',
      trans.__('"%1" expects its params as a list.', args.method)
    );
  }
  return [...args.params];
}

export function quantity(
  value: unknown,
  what: string,
  trans: TranslationBundle
): bigint | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  try {
    return BigInt(value as string);
  } catch {
    throw new OceanError(
      'OCEAN_BAD_REQUEST',
      trans.__(
        'The transaction\'s %1 "%2" is not a number.',
        what,
        String(value).slice(0, 40)
      )
    );
  }
}

/** The network's own reason for a refusal (ethers' short message), cut to `max`. */
export function networkReason(error: unknown, max: number): string {
  return String(
    (error as { shortMessage?: string }).shortMessage ??
      (error as Error).message
  ).slice(0, max);
}
