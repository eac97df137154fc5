/**
 * Checks a lineage record against what anyone can read: the chain (the
 * order's receipt and its OrderStarted event) and the Ocean Node (the DDO),
 * and the files where they are at hand. The same checks, in the same words,
 * are in jupyterlab_ocean/provenance.py for a reviewer without a wallet.
 *
 * The checks are pure functions of what was read, so unit tests hand them
 * receipts and DDOs; `verifyRecord` does the reading through readers the
 * caller gives (the browser: chain.ts and node-api.ts).
 */
import type {
  IProvenanceEntry,
  IProvenanceFile,
  IProvenanceRecord
} from './record';

/** keccak256("OrderStarted(address,address,uint256,uint256,uint256,address,uint256)"). */
export const ORDER_STARTED_TOPIC =
  '0xe1c4fa794edfa8f619b8257a077398950357b9c6398528f94480307352f9afcc';

/** A transaction receipt as JSON-RPC and ethers give it, only what is checked. */
export interface IReceiptLike {
  status: number | null;
  blockNumber: number;
  logs: ReadonlyArray<{
    address: string;
    topics: ReadonlyArray<string>;
    data: string;
  }>;
}

/** An OrderStarted event, decoded. */
export interface IOrderStarted {
  datatoken: string;
  consumer: string;
  payer: string;
  amount: bigint;
  serviceIndex: number;
}

/** Every OrderStarted event of a receipt (the ABI's words, read by hand). */
export function orderEvents(receipt: IReceiptLike): IOrderStarted[] {
  const word = (data: string, index: number) =>
    data.replace(/^0x/, '').slice(index * 64, (index + 1) * 64);
  const address = (hex: string) => `0x${hex.slice(-40)}`.toLowerCase();
  return receipt.logs
    .filter(
      log =>
        log.topics[0]?.toLowerCase() === ORDER_STARTED_TOPIC &&
        log.topics.length >= 2
    )
    .map(log => ({
      datatoken: log.address.toLowerCase(),
      consumer: address(log.topics[1]),
      // Not indexed: payer, amount, serviceIndex, timestamp, blockNumber.
      payer: address(word(log.data, 0)),
      amount: BigInt(`0x${word(log.data, 1) || '0'}`),
      serviceIndex: Number(BigInt(`0x${word(log.data, 2) || '0'}`))
    }));
}

/** What a verifier says of one entry. */
export interface IEntryVerdict {
  entry: string;
  ok: boolean;
  /** Sentences saying what does not hold (empty when ok). */
  problems: string[];
  /** What was checked, for the ✔ line. */
  checked: string[];
}

const short = (hex: string) =>
  hex.length > 14 ? `${hex.slice(0, 8)}…${hex.slice(-4)}` : hex;

/**
 * The order of `entry` against its receipt: mined and successful, an
 * OrderStarted on the entry's datatoken for its consumer and service, and
 * paid (one datatoken or more spent). Sentences for what does not hold.
 */
export function checkOrder(
  entry: IProvenanceEntry,
  receipt: IReceiptLike | null
): string[] {
  const tx = entry.order?.tx;
  if (!tx) {
    return [`${entry.id}: no order transaction is recorded.`];
  }
  if (!receipt) {
    return [
      `${entry.id}: the order transaction ${tx} is not on chain ${entry.network.chainId}.`
    ];
  }
  if (receipt.status !== 1) {
    return [`${entry.id}: the order transaction ${tx} failed on chain.`];
  }
  const problems: string[] = [];
  if (
    entry.order?.block !== null &&
    entry.order?.block !== undefined &&
    entry.order.block !== receipt.blockNumber
  ) {
    problems.push(
      `${entry.id}: the order ${short(tx)} is in block ${receipt.blockNumber}, not ${entry.order.block} as recorded.`
    );
  }
  const events = orderEvents(receipt);
  if (!events.length) {
    return [
      ...problems,
      `${entry.id}: the transaction ${short(tx)} started no Ocean order.`
    ];
  }
  const datatoken = entry.datatoken?.toLowerCase();
  const onToken = events.filter(e => !datatoken || e.datatoken === datatoken);
  if (!onToken.length) {
    problems.push(
      `${entry.id}: the order ${short(tx)} is for datatoken ${events[0].datatoken}, not ${entry.datatoken} (the datatoken of ${entry.did}).`
    );
    return problems;
  }
  const consumer = entry.consumer?.toLowerCase();
  const forConsumer = onToken.filter(e => !consumer || e.consumer === consumer);
  if (!forConsumer.length) {
    problems.push(
      `${entry.id}: the order ${short(tx)} was for consumer ${onToken[0].consumer}, not ${entry.consumer}.`
    );
    return problems;
  }
  const forService = forConsumer.filter(
    e =>
      entry.serviceIndex === undefined || e.serviceIndex === entry.serviceIndex
  );
  if (!forService.length) {
    problems.push(
      `${entry.id}: the order ${short(tx)} was for service ${forConsumer[0].serviceIndex}, not service ${entry.serviceIndex}.`
    );
    return problems;
  }
  if (!forService.some(e => e.amount > 0n)) {
    problems.push(
      `${entry.id}: the order ${short(tx)} spent no datatoken, so it was not paid.`
    );
  }
  return problems;
}

/**
 * The entry's asset against the DDO the node serves: it exists, and the
 * recorded service has the recorded datatoken. `ddo` null: not found.
 */
export function checkDdo(
  entry: IProvenanceEntry,
  ddo: unknown,
  nodeUrl = entry.network.nodeUrl
): string[] {
  if (!ddo || typeof ddo !== 'object') {
    return [
      `${entry.id}: the Ocean Node at ${nodeUrl} does not know ${entry.did}.`
    ];
  }
  const record = ddo as {
    id?: unknown;
    services?: Array<{ id?: unknown; datatokenAddress?: unknown }>;
  };
  if (typeof record.id === 'string' && record.id !== entry.did) {
    return [
      `${entry.id}: the node answered for ${record.id}, not ${entry.did}.`
    ];
  }
  if (entry.action === 'publish' && entry.lineageDigest) {
    // What the published asset says it came from must be this notebook's.
    const named = (
      record as {
        metadata?: { additionalInformation?: { lineageDigest?: unknown } };
      }
    ).metadata?.additionalInformation?.lineageDigest;
    if (named !== entry.lineageDigest) {
      return [
        `${entry.id}: ${entry.did} names lineage digest ${String(named ?? 'none')}, not ${entry.lineageDigest} as recorded.`
      ];
    }
  }
  if (!entry.datatoken) {
    return [];
  }
  const services = Array.isArray(record.services) ? record.services : [];
  const service = services.find(s => s.id === entry.serviceId) ?? null;
  if (!service) {
    return [
      `${entry.id}: ${entry.did} has no service ${entry.serviceId ?? '(none recorded)'}.`
    ];
  }
  if (
    String(service.datatokenAddress ?? '').toLowerCase() !==
    entry.datatoken.toLowerCase()
  ) {
    return [
      `${entry.id}: the datatoken of ${entry.did} is ${String(service.datatokenAddress)}, not ${entry.datatoken} as recorded.`
    ];
  }
  return [];
}

/** A recorded file against its bytes (null: not at hand, nothing to compare). */
export function checkFile(
  entry: IProvenanceEntry,
  file: IProvenanceFile,
  actualSha256: string | null
): string[] {
  if (actualSha256 === null || actualSha256 === file.sha256) {
    return [];
  }
  return [
    `${entry.id}: ${file.path} has SHA-256 ${short(actualSha256)}, not ${short(file.sha256)} as recorded: the file changed since it was loaded, or the record was edited.`
  ];
}

/** A compute job as the node's status answer gives it, only what is checked. */
export interface IJobStatusLike {
  jobId?: string;
  owner?: string;
  status: number;
  statusText?: string;
  /** The dataset(s) it ran on (Ocean Node: `inputDID`, older: `did`). */
  inputDID?: ReadonlyArray<string> | null;
  did?: string | null;
  results?: ReadonlyArray<{ filename: string; filesize: number }> | null;
}

/** Ocean Node's status number for a job that finished and kept its results. */
export const JOB_FINISHED = 70;

/** What the job reader says: the node's answer (null: no such job), or why it did not ask. */
export type JobReading = { job: IJobStatusLike | null } | { skipped: string };

/** Said where the job could not be asked for: its status is shown to its consumer only. */
export const JOB_NEEDS_WALLET = "job not checked: needs the consumer's wallet";

/**
 * A compute entry's job against the node's status answer: the job exists
 * for its consumer, ran on the recorded dataset, finished, and has each
 * recorded result file with the recorded size (the bytes themselves are
 * compared beside the notebook, by SHA-256).
 */
export function checkJob(
  entry: IProvenanceEntry,
  job: IJobStatusLike | null,
  nodeUrl = entry.network.nodeUrl
): string[] {
  const jobId = entry.jobId ?? '';
  if (!job) {
    return [
      `${entry.id}: the Ocean Node at ${nodeUrl} knows no compute job ${jobId}${entry.jobOwner ? ` for ${entry.jobOwner}` : ''}.`
    ];
  }
  const inputs = [...(job.inputDID ?? []), ...(job.did ? [job.did] : [])];
  if (inputs.length && !inputs.includes(entry.did)) {
    return [
      `${entry.id}: job ${short(jobId)} ran on ${inputs[0]}, not ${entry.did}.`
    ];
  }
  if (job.status !== JOB_FINISHED) {
    return [
      `${entry.id}: job ${short(jobId)} is "${job.statusText ?? job.status}" on the node, not finished with results.`
    ];
  }
  const problems: string[] = [];
  const results = job.results ?? [];
  for (const file of entry.files ?? []) {
    const result = results.find(r => r.filename === file.name);
    if (!result) {
      problems.push(
        `${entry.id}: job ${short(jobId)} has no result ${file.name}.`
      );
    } else if (Number(result.filesize) !== file.size) {
      problems.push(
        `${entry.id}: the result ${file.name} of job ${short(jobId)} is ${result.filesize} bytes on the node, not ${file.size} as recorded.`
      );
    }
  }
  return problems;
}

/** What the verifier reads; each answers null for "not there". */
export interface IVerifyReaders {
  receipt(entry: IProvenanceEntry, tx: string): Promise<IReceiptLike | null>;
  ddo(entry: IProvenanceEntry): Promise<unknown>;
  /** The node `ddo` asks, when not the one the entry recorded. */
  nodeUrl?(entry: IProvenanceEntry): string;
  /** SHA-256 of a recorded file where it is at hand, else null. */
  fileSha256(
    entry: IProvenanceEntry,
    file: IProvenanceFile
  ): Promise<string | null>;
  /**
   * A compute entry's job as the node reports it to its consumer. Absent
   * (no wallet at hand): the job is not checked, and the verdict says so.
   */
  job?(entry: IProvenanceEntry): Promise<JobReading>;
}

/** Every entry of `record`, checked. Readers' errors become sentences. */
export async function verifyRecord(
  record: IProvenanceRecord,
  readers: IVerifyReaders
): Promise<IEntryVerdict[]> {
  const verdicts: IEntryVerdict[] = [];
  for (const entry of record.entries) {
    const problems: string[] = [];
    const checked: string[] = [];
    const attempt = async (what: string, check: () => Promise<string[]>) => {
      try {
        const found = await check();
        problems.push(...found);
        if (!found.length) {
          checked.push(what);
        }
      } catch (error) {
        problems.push(
          `${entry.id}: could not check the ${what}: ${(error as Error).message ?? String(error)}`.slice(
            0,
            400
          )
        );
      }
    };
    await attempt('asset on the node', async () =>
      checkDdo(
        entry,
        await readers.ddo(entry),
        readers.nodeUrl?.(entry) ?? entry.network.nodeUrl
      )
    );
    // A model's use stands on its order: one without an order does not hold.
    if (entry.order || entry.action === 'use') {
      await attempt('order on chain', async () =>
        entry.order?.tx
          ? checkOrder(entry, await readers.receipt(entry, entry.order.tx))
          : checkOrder(entry, null)
      );
    }
    for (const file of entry.files ?? []) {
      let atHand = true;
      await attempt(`SHA-256 of ${file.path}`, async () => {
        const actual = await readers.fileSha256(entry, file);
        atHand = actual !== null;
        return checkFile(entry, file, actual);
      });
      if (!atHand) {
        // Nothing compared: say so rather than claim the file was checked.
        checked.pop();
        checked.push(`${file.path} not at hand`);
      }
    }
    if (entry.jobId) {
      await checkJobOf(entry, readers, problems, checked);
    }
    verdicts.push({ entry: entry.id, ok: !problems.length, problems, checked });
  }
  return verdicts;
}

/** The job of a compute entry, or a plain note of why it was not checked. */
async function checkJobOf(
  entry: IProvenanceEntry,
  readers: IVerifyReaders,
  problems: string[],
  checked: string[]
): Promise<void> {
  if (!readers.job) {
    checked.push(JOB_NEEDS_WALLET);
    return;
  }
  try {
    const reading = await readers.job(entry);
    if ('skipped' in reading) {
      checked.push(`job not checked: ${reading.skipped}`);
      return;
    }
    const found = checkJob(
      entry,
      reading.job,
      readers.nodeUrl?.(entry) ?? entry.network.nodeUrl
    );
    problems.push(...found);
    if (!found.length) {
      const results = entry.files?.length ?? 0;
      checked.push(
        `job ${short(entry.jobId!)} and its ${results} result${results === 1 ? '' : 's'} on the node`
      );
    }
  } catch (error) {
    problems.push(
      `${entry.id}: could not check the job: ${(error as Error).message ?? String(error)}`.slice(
        0,
        400
      )
    );
  }
}
