/**
 * One error type for everything the Ocean side raises.
 *
 * Codes follow EIP-1193 where one exists (4001 rejected, 4100 unauthorized,
 * 4200 unsupported, 4900/4901 disconnected) so the kernel bridge can pass
 * them through unchanged; ours are strings in the OCEAN_* namespace.
 */
// A type only: the key vault's worker loads this file, and a worker has no
// JupyterLab shared modules to take @jupyterlab/translation from.
import type { TranslationBundle } from '@jupyterlab/translation';

export type OceanErrorCode =
  | 4001
  | 4100
  | 4200
  | 4900
  | 4901
  // EIP-5792 batches: a capability this asker may not use, unsupported
  // chain, duplicate id, unknown id, too large, atomicity not supported.
  | 5700
  | 5710
  | 5720
  | 5730
  | 5740
  | 5760
  | 'OCEAN_UNKNOWN_NETWORK'
  | 'OCEAN_NETWORK_UNREACHABLE'
  | 'OCEAN_NODE_UNREACHABLE'
  // The node answers 429: it says when it takes requests again.
  | 'OCEAN_RATE_LIMITED'
  | 'OCEAN_CHAIN_MISMATCH'
  | 'OCEAN_BAD_SETTINGS'
  // Ocean client (discovery, access, download):
  | 'OCEAN_NOT_INDEXED'
  | 'OCEAN_WRONG_NETWORK'
  | 'OCEAN_INSUFFICIENT_FUNDS'
  | 'OCEAN_NOT_FOR_SALE'
  | 'OCEAN_TX_REVERTED'
  | 'OCEAN_ORDER_EXPIRED'
  | 'OCEAN_NO_ACCESS'
  | 'OCEAN_DOWNLOAD_REFUSED'
  | 'OCEAN_LIB_UNAVAILABLE'
  | 'OCEAN_BAD_ASSET'
  | 'OCEAN_NOT_A_TABLE'
  // Wallet (key store, signing, faucet):
  | 'OCEAN_WRONG_PASSWORD'
  | 'OCEAN_BAD_IMPORT'
  | 'OCEAN_WALLET_EXISTS'
  | 'OCEAN_FAUCET_FAILED'
  | 'OCEAN_BAD_REQUEST'
  // A batch (wallet_sendCalls) stopped at a step; the steps before it stay done.
  | 'OCEAN_BATCH_STOPPED'
  // Publish and compute-to-data:
  | 'OCEAN_PUBLISH_FAILED'
  | 'OCEAN_COMPUTE_REFUSED'
  | 'OCEAN_COMPUTE_FAILED'
  // Kernel commands (send, token):
  | 'OCEAN_UNKNOWN_TOKEN'
  | 'OCEAN_TX_PENDING'
  | 'OCEAN_NODE_REFUSED'
  // Raised by the kernel clients themselves (a library the kernel lacks,
  // e.g. Hugging Face datasets for --dataset):
  | 'OCEAN_NEEDS_LIBRARY';

export class OceanError extends Error {
  readonly code: OceanErrorCode;
  /** Extra facts for logs and the kernel; never shown raw to people. */
  readonly details?: Record<string, unknown>;
  /** The sentence's msgid and arguments, when it was made by wordsLater.__. */
  readonly words?: IWordsLater;

  constructor(
    code: OceanErrorCode,
    message: string | IWordsLater,
    details?: Record<string, unknown>
  ) {
    super(
      typeof message === 'string'
        ? message
        : errorWords.__(message.msgid, ...message.args)
    );
    this.name = 'OceanError';
    this.code = code;
    this.details = details;
    if (typeof message !== 'string') {
      this.words = message;
    }
  }
}

/** A sentence kept as gettext's msgid and its arguments (%1, %2…). */
export interface IWordsLater {
  msgid: string;
  args: string[];
}

/**
 * Sentences to be worded where they are shown rather than where they are
 * made. The key vault's worker has no translator (no JupyterLab module
 * loads in a worker), so its OceanErrors carry the msgid and arguments
 * across and the page words them in the lab's language (vault-client.ts).
 * Written wordsLater.__('… %1 …', value), so that gettext's extraction
 * finds the msgid as it finds trans.__'s.
 */
export const wordsLater = {
  __: (msgid: string, ...args: unknown[]): IWordsLater => ({
    msgid,
    args: args.map(String)
  })
};

type ErrorWords = Pick<TranslationBundle, '__' | '_n'>;

/** English, worded as JupyterLab's null translator does: %1, %2… are the arguments. */
const english: ErrorWords = {
  __: (msgid, ...args) =>
    msgid.replace(/%(\d+)/g, (_, n) => String(args[Number(n) - 1])),
  _n: (msgid, plural, n, ...args) =>
    english.__(n === 1 ? msgid : plural, n, ...args)
};

let errorBundle: ErrorWords = english;

/**
 * The words of the sentences that rooms without a view (src/ocean) put in
 * their OceanErrors, in the lab's language once the Ocean client's plugin
 * hands over the lab's translator (useErrorTranslator), English before and
 * where there is no lab (scripts, tests). A sentence is worded when the
 * error is made, so the panel, toasts and the kernels (which get code,
 * sentence and details) all show the same one. Write sentences as
 * errorWords.__('… %1 …', value), as views write trans.__.
 */
export const errorWords: ErrorWords = {
  __: (msgid, ...args) => errorBundle.__(msgid, ...args),
  _n: (msgid, plural, n, ...args) => errorBundle._n(msgid, plural, n, ...args)
};

/** The lab's translator for error sentences (the Ocean client's plugin calls this). */
export function useErrorTranslator(trans: TranslationBundle): void {
  errorBundle = trans;
}
