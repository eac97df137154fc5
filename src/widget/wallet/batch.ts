/**
 * EIP-5792 batched calls for the built-in keys (issue 17 item 3):
 * `wallet_getCapabilities`, `wallet_sendCalls`, `wallet_getCallsStatus`.
 *
 * Our keys are plain accounts (no EIP-7702 delegation, no smart account),
 * so a batch cannot run atomically: the capability says
 * `atomic: { status: 'unsupported' }` and a request with
 * `atomicRequired: true` is refused (5760). What a batch gives instead is
 * one approval for all its calls (approve + buy + order), then the calls
 * sent one after the other, each waiting for the one before to be mined
 * (the buy needs the approval on chain), stopping at the first failure
 * with an error that names what was already done.
 *
 * This file holds the request's shape, the batch records and the runner;
 * the wallet (wallet.ts) supplies the dialog and the signing.
 */
import { getAddress, toBeHex } from 'ethers';
import {
  nullTranslator,
  type TranslationBundle
} from '@jupyterlab/translation';
import { OceanError } from '../../errors';

/** EIP-5792's version string this wallet answers with. */
export const CALLS_VERSION = '2.0.0';

/** EIP-5792 status codes of a batch. */
export const CALLS_STATUS = {
  pending: 100,
  confirmed: 200,
  offchainFailure: 400,
  reverted: 500,
  partiallyReverted: 600
} as const;

export interface IBatchCall {
  to: string | null;
  data: string;
  value: bigint;
}

export interface IBatchRequest {
  id: string;
  chainId: number;
  calls: IBatchCall[];
}

export interface IBatchReceipt {
  transactionHash: string;
  blockHash: string;
  blockNumber: string;
  gasUsed: string;
  status: '0x1' | '0x0';
  logs: Array<{ address: string; data: string; topics: string[] }>;
}

interface IBatchRecord {
  id: string;
  chainId: number;
  status: number;
  receipts: IBatchReceipt[];
}

/** The most calls one batch may carry (one dialog should stay readable). */
export const MAX_BATCH_CALLS = 10;

/** What the wallet offers per chain: sequential, never atomic. */
export function capabilities(
  chainIds: ReadonlyArray<number>
): Record<string, { atomic: { status: 'unsupported' } }> {
  return Object.fromEntries(
    chainIds.map(id => [toBeHex(id), { atomic: { status: 'unsupported' } }])
  );
}

function bad(message: string): OceanError {
  return new OceanError('OCEAN_BAD_REQUEST', message);
}

/**
 * Reads `wallet_sendCalls` params: one object with `calls`, `chainId`
 * (hex, the active chain), an optional `from` (the selected account) and
 * `atomicRequired`, which this wallet cannot honour.
 */
export function parseSendCalls(
  params: unknown[],
  account: string,
  chainId: number
): IBatchRequest {
  const request = params[0] as
    | {
        version?: unknown;
        id?: unknown;
        from?: unknown;
        chainId?: unknown;
        atomicRequired?: unknown;
        calls?: unknown;
      }
    | undefined;
  if (!request || typeof request !== 'object') {
    throw bad(
      'wallet_sendCalls needs [{ chainId, calls: [{ to, data, value }] }].'
    );
  }
  if (request.atomicRequired === true) {
    throw new OceanError(
      5760,
      'This wallet’s accounts cannot run calls atomically (no EIP-7702 or smart account): ask with atomicRequired: false and they run one after the other after one approval.'
    );
  }
  if (
    request.from !== undefined &&
    String(request.from).toLowerCase() !== account.toLowerCase()
  ) {
    throw new OceanError(
      4100,
      `The calls are for ${String(request.from).slice(0, 42)}, but the selected account is ${account}. Select that account first.`
    );
  }
  let wanted: number;
  try {
    wanted = Number(BigInt(String(request.chainId ?? toBeHex(chainId))));
  } catch {
    throw bad(
      `The chainId ${String(request.chainId).slice(0, 40)} is not a number.`
    );
  }
  if (wanted !== chainId) {
    throw new OceanError(
      5710,
      `The calls are for chain ${wanted}, but the wallet is on chain ${chainId}. Switch network first.`
    );
  }
  if (!Array.isArray(request.calls) || request.calls.length === 0) {
    throw bad('wallet_sendCalls needs at least one call.');
  }
  if (request.calls.length > MAX_BATCH_CALLS) {
    throw new OceanError(
      5740,
      `A batch may carry at most ${MAX_BATCH_CALLS} calls; this one has ${request.calls.length}.`
    );
  }
  const calls = request.calls.map((raw, index): IBatchCall => {
    const call = (raw ?? {}) as {
      to?: unknown;
      data?: unknown;
      value?: unknown;
    };
    let value = 0n;
    try {
      value =
        call.value === undefined || call.value === null
          ? 0n
          : BigInt(String(call.value));
    } catch {
      throw bad(`Call ${index + 1}'s value is not a number.`);
    }
    const data = call.data === undefined ? '0x' : String(call.data);
    if (!/^0x([0-9a-fA-F]{2})*$/.test(data)) {
      throw bad(`Call ${index + 1}'s data is not hex.`);
    }
    let to: string | null = null;
    if (call.to !== undefined && call.to !== null && call.to !== '') {
      try {
        to = getAddress(String(call.to));
      } catch {
        throw bad(`Call ${index + 1}'s "to" is not an address.`);
      }
    }
    return { to, data, value };
  });
  const id =
    typeof request.id === 'string' && /^[\w-]{1,128}$/.test(request.id)
      ? request.id
      : globalThis.crypto.randomUUID();
  return { id, chainId, calls };
}

/** The batches this page sent, for wallet_getCallsStatus. */
export class BatchBook {
  start(request: IBatchRequest): void {
    if (this._records.has(request.id)) {
      throw new OceanError(
        5720,
        `A batch with id ${request.id} was already sent.`
      );
    }
    this._records.set(request.id, {
      id: request.id,
      chainId: request.chainId,
      status: CALLS_STATUS.pending,
      receipts: []
    });
    // Keep the memory small: the oldest batches go first.
    while (this._records.size > 200) {
      this._records.delete(this._records.keys().next().value as string);
    }
  }

  receipt(id: string, receipt: IBatchReceipt): void {
    this._records.get(id)?.receipts.push(receipt);
  }

  finish(id: string, status: number): void {
    const record = this._records.get(id);
    if (record) {
      record.status = status;
    }
  }

  /** EIP-5792's answer to wallet_getCallsStatus. */
  status(id: unknown): Record<string, unknown> {
    const record = typeof id === 'string' ? this._records.get(id) : undefined;
    if (!record) {
      throw new OceanError(
        5730,
        `This wallet sent no batch with id ${String(id).slice(0, 80)} since the page loaded.`
      );
    }
    return {
      version: CALLS_VERSION,
      id: record.id,
      chainId: toBeHex(record.chainId),
      status: record.status,
      atomic: false,
      receipts: record.receipts
    };
  }

  private _records = new Map<string, IBatchRecord>();
}

/** One call sent and mined, or why not. */
export interface IStepOutcome {
  hash: string;
  receipt: IBatchReceipt;
}

/**
 * Runs the calls one after the other through `send` (which signs,
 * broadcasts and waits for the receipt); stops at the first failure with
 * an OceanError naming what was done, and records every receipt.
 */
export async function runSequentially(
  book: BatchBook,
  request: IBatchRequest,
  summaries: ReadonlyArray<string>,
  send: (call: IBatchCall, index: number) => Promise<IStepOutcome>,
  trans: TranslationBundle = nullTranslator.load('jupyterlab_ocean')
): Promise<string[]> {
  const done: string[] = [];
  const total = request.calls.length;
  for (const [index, call] of request.calls.entries()) {
    let outcome: IStepOutcome;
    try {
      outcome = await send(call, index);
    } catch (error) {
      book.finish(
        request.id,
        done.length
          ? CALLS_STATUS.partiallyReverted
          : CALLS_STATUS.offchainFailure
      );
      throw stepFailed(
        { index, total, summary: summaries[index], done, id: request.id },
        error,
        trans
      );
    }
    book.receipt(request.id, outcome.receipt);
    if (outcome.receipt.status !== '0x1') {
      book.finish(
        request.id,
        done.length ? CALLS_STATUS.partiallyReverted : CALLS_STATUS.reverted
      );
      throw stepFailed(
        { index, total, summary: summaries[index], done, id: request.id },
        new OceanError(
          'OCEAN_TX_REVERTED',
          trans.__(
            'it was mined as reverted (%1; only its gas was spent)',
            outcome.hash
          )
        ),
        trans
      );
    }
    done.push(outcome.hash);
  }
  book.finish(request.id, CALLS_STATUS.confirmed);
  return done;
}

/** The batch stopped at a step: what happened to it, what was done, what was not sent. */
function stepFailed(
  step: {
    index: number;
    total: number;
    summary: string | undefined;
    done: string[];
    id: string;
  },
  error: unknown,
  trans: TranslationBundle
): OceanError {
  const { index, total, done } = step;
  const code = (error as { code?: unknown })?.code;
  const reason = String(
    (error as { message?: string })?.message ?? error
  ).slice(0, 300);
  // Whole sentences for translators: a batch is short, the sentence is read.
  const before =
    done.length === 0
      ? trans.__('Nothing was sent.')
      : done.length === 1
        ? trans.__('Step 1 was done and stays done (%1).', done[0])
        : trans.__(
            'Steps 1 to %1 were done and stay done (%2).',
            done.length,
            done.join(', ')
          );
  const after =
    index + 2 === total
      ? trans.__('Step %1 was not sent.', total)
      : index + 2 < total
        ? trans.__('Steps %1 to %2 were not sent.', index + 2, total)
        : '';
  const summary = step.summary?.replace(/\.\s*$/, '');
  const what = summary
    ? trans.__('step %1 of %2 (%3)', index + 1, total, summary)
    : trans.__('step %1 of %2', index + 1, total);
  const details = {
    batchId: step.id,
    done,
    failedStep: index + 1,
    txHash: done[done.length - 1]
  };
  const sentence = (first: string) =>
    [first, before, after].filter(Boolean).join(' ');
  if (code === 4001) {
    return new OceanError(
      4001,
      sentence(trans.__('You declined %1.', what)),
      details
    );
  }
  // A revert (before sending or once mined) keeps the chain's code, so the
  // callers' "the chain rejected it" handling applies to batches as well.
  if (code === 'OCEAN_TX_REVERTED') {
    return new OceanError(
      'OCEAN_TX_REVERTED',
      sentence(
        trans.__('The chain rejected the transaction of %1: %2.', what, reason)
      ),
      details
    );
  }
  return new OceanError(
    'OCEAN_BATCH_STOPPED',
    sentence(
      summary
        ? trans.__(
            'Step %1 of %2 (%3) failed: %4.',
            index + 1,
            total,
            summary,
            reason
          )
        : trans.__('Step %1 of %2 failed: %3.', index + 1, total, reason)
    ),
    details
  );
}
