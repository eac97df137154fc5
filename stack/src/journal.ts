/**
 * The dev chain's memory across restarts.
 *
 * Hardhat's EDR keeps its state in memory only, so the chain is rebuilt on
 * each start from a journal of every call that changed it: transactions
 * (raw or from the dev accounts), mining and clock calls, `hardhat_*`
 * setters. Each line also records the head block after the call (number and
 * hash), the timestamp of the first block the call mined and the chain
 * clock's offset from the wall clock. Replaying the lines on a chain that
 * starts at the same genesis date, with each block's timestamp pinned, gives
 * back the same blocks, hashes, addresses and balances; the recorded head
 * hash is checked after every line, so any divergence is caught at once.
 *
 * A line is appended and fsync'ed before the caller gets its answer, and
 * reads wait for a write in progress, so nobody (the node's indexer, a
 * wallet) ever sees a block the journal does not hold: a `kill -9` loses at
 * most the call in flight. A torn last line is dropped.
 */
import {
  closeSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  writeSync
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The slice of EIP-1193 we use from Hardhat's in-process provider. */
export interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

export const JOURNAL_FORMAT = 1;

/** Calls outside the `evm_`/`hardhat_` namespaces that change chain state. */
const STATE_CHANGING_ETH = new Set([
  'eth_sendTransaction',
  'eth_sendRawTransaction'
]);

/** `evm_`/`hardhat_` calls that only read or only touch this process. */
const READ_ONLY_DEV_CALLS = new Set([
  'hardhat_metadata',
  'hardhat_getAutomine',
  'hardhat_getStackTraceFailuresCount',
  'hardhat_addCompilationResult',
  'hardhat_setLoggingEnabled'
]);

export function changesChainState(method: string): boolean {
  if (STATE_CHANGING_ETH.has(method)) return true;
  if (!method.startsWith('evm_') && !method.startsWith('hardhat_'))
    return false;
  return !READ_ONLY_DEV_CALLS.has(method);
}

interface JournalHeader {
  journal: typeof JOURNAL_FORMAT;
  /** Genesis date (ISO), the chain's `initialDate` on every start. */
  genesis: string;
  /** Hash of block 0; a replay on another genesis fails here, not later. */
  genesisHash: string;
}

export interface JournalEntry {
  /** Method and params, as the chain accepted them. */
  m: string;
  p?: unknown[];
  /** Head block after the call: number and hash. */
  n: number;
  h: string;
  /** Timestamp of the first block the call mined (absent when it mined none). */
  t?: number;
  /** The chain clock's offset from the wall clock after the call, in seconds. */
  o: number;
  /** 1 when the call answered with an error yet changed state (a reverted tx is still mined). */
  e?: 1;
}

export interface ReplaySummary {
  calls: number;
  blocks: number;
  seconds: number;
}

export class JournalError extends Error {
  constructor(
    readonly code: 'JOURNAL_UNREADABLE' | 'JOURNAL_MISMATCH',
    message: string
  ) {
    super(message);
    this.name = 'JournalError';
  }
}

interface BlockHead {
  number: number;
  hash: string;
  timestamp: number;
}

async function latestBlock(provider: Eip1193Provider): Promise<BlockHead> {
  const block = (await provider.request({
    method: 'eth_getBlockByNumber',
    params: ['latest', false]
  })) as { number: string; hash: string; timestamp: string };
  return {
    number: Number(block.number),
    hash: block.hash,
    timestamp: Number(block.timestamp)
  };
}

async function blockTimestamp(
  provider: Eip1193Provider,
  number: number
): Promise<number> {
  const block = (await provider.request({
    method: 'eth_getBlockByNumber',
    params: ['0x' + number.toString(16), false]
  })) as { timestamp: string };
  return Number(block.timestamp);
}

/** Hardhat answers `evm_increaseTime` with the clock's total offset; adding 0 just reads it. */
async function clockOffset(provider: Eip1193Provider): Promise<number> {
  return Number(
    await provider.request({ method: 'evm_increaseTime', params: [0] })
  );
}

function isEntry(value: unknown): value is JournalEntry {
  const entry = value as JournalEntry;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof entry.m === 'string' &&
    (entry.p === undefined || Array.isArray(entry.p)) &&
    Number.isInteger(entry.n) &&
    typeof entry.h === 'string' &&
    (entry.t === undefined || Number.isInteger(entry.t)) &&
    Number.isFinite(entry.o)
  );
}

function isHeader(value: unknown): value is JournalHeader {
  const header = value as JournalHeader;
  return (
    typeof header === 'object' &&
    header !== null &&
    header.journal === JOURNAL_FORMAT &&
    typeof header.genesis === 'string' &&
    !Number.isNaN(Date.parse(header.genesis)) &&
    typeof header.genesisHash === 'string'
  );
}

export class ChainJournal {
  readonly file: string;
  readonly genesis: Date;
  readonly #entries: JournalEntry[];
  #genesisHash: string | null;
  #fd: number | null = null;
  /** The write in progress: state-changing calls run one at a time, reads wait for it. */
  #pending: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(
    file: string,
    genesis: Date,
    genesisHash: string | null,
    entries: JournalEntry[]
  ) {
    this.file = file;
    this.genesis = genesis;
    this.#genesisHash = genesisHash;
    this.#entries = entries;
  }

  /** A new, empty journal for a chain starting now (any old file is replaced once attached). */
  static create(file: string, genesis = new Date()): ChainJournal {
    // Whole seconds: block timestamps are seconds, and the date must round-trip through ISO.
    const seconds = new Date(Math.floor(genesis.getTime() / 1000) * 1000);
    return new ChainJournal(file, seconds, null, []);
  }

  /**
   * Reads an existing journal. A torn last line (a write cut short by a
   * kill) is dropped and cut from the file; anything else unreadable throws
   * JOURNAL_UNREADABLE.
   */
  static open(file: string): ChainJournal {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new JournalError(
        'JOURNAL_UNREADABLE',
        `the chain journal ${file} cannot be read (${(error as Error).message})`
      );
    }
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    if (complete.length < text.length) {
      const fd = openSync(file, 'r+');
      try {
        ftruncateSync(fd, Buffer.byteLength(complete));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    const lines = complete.split('\n').slice(0, -1);
    const parse = (line: string, index: number): unknown => {
      try {
        return JSON.parse(line);
      } catch {
        throw new JournalError(
          'JOURNAL_UNREADABLE',
          `line ${index + 1} of the chain journal is not JSON`
        );
      }
    };
    const header = lines.length ? parse(lines[0], 0) : undefined;
    if (!isHeader(header))
      throw new JournalError(
        'JOURNAL_UNREADABLE',
        'the chain journal has no valid header (an older or foreign format)'
      );
    const entries = lines.slice(1).map((line, index) => {
      const entry = parse(line, index + 1);
      if (!isEntry(entry))
        throw new JournalError(
          'JOURNAL_UNREADABLE',
          `line ${index + 2} of the chain journal is not a journal entry`
        );
      return entry;
    });
    return new ChainJournal(
      file,
      new Date(header.genesis),
      header.genesisHash,
      entries
    );
  }

  get entries(): readonly JournalEntry[] {
    return this.#entries;
  }

  /**
   * Brings a chain started at `this.genesis` up to date: a new journal writes
   * its header; an existing one is replayed and checked line by line. Throws
   * JOURNAL_MISMATCH on the first disagreement.
   */
  async attach(provider: Eip1193Provider): Promise<ReplaySummary> {
    const started = performance.now();
    const genesis = (await provider.request({
      method: 'eth_getBlockByNumber',
      params: ['0x0', false]
    })) as { hash: string };
    if (this.#genesisHash === null) {
      this.#genesisHash = genesis.hash;
      const header: JournalHeader = {
        journal: JOURNAL_FORMAT,
        genesis: this.genesis.toISOString(),
        genesisHash: genesis.hash
      };
      this.#fd = openSync(this.file, 'w');
      this.#append(header);
      this.#fsyncDirectory();
      return { calls: 0, blocks: 0, seconds: 0 };
    }
    if (genesis.hash !== this.#genesisHash)
      throw new JournalError(
        'JOURNAL_MISMATCH',
        `the replayed chain has another genesis block (${genesis.hash.slice(0, 10)}… instead of ${this.#genesisHash.slice(0, 10)}…)`
      );
    for (const [index, entry] of this.#entries.entries()) {
      if (entry.t !== undefined)
        await provider.request({
          method: 'evm_setNextBlockTimestamp',
          params: [entry.t]
        });
      let failed = false;
      try {
        await provider.request({ method: entry.m, params: entry.p });
      } catch {
        failed = true;
      }
      const head = await latestBlock(provider);
      if (
        failed !== (entry.e === 1) ||
        head.number !== entry.n ||
        head.hash !== entry.h
      )
        throw new JournalError(
          'JOURNAL_MISMATCH',
          `replaying call ${index + 1} (${entry.m}) gave ${failed ? 'an error' : 'success'} and block ${head.number} ${head.hash.slice(0, 10)}…, the journal says ${entry.e ? 'an error' : 'success'} and block ${entry.n} ${entry.h.slice(0, 10)}…`
        );
    }
    // Pinned timestamps left the clock where the last block was; give back
    // the offset it had, so it runs on in real time from here.
    const wanted = this.#entries.at(-1)?.o ?? 0;
    const offset = await clockOffset(provider);
    if (wanted > offset)
      await provider.request({
        method: 'evm_increaseTime',
        params: [wanted - offset]
      });
    this.#fd = openSync(this.file, 'a');
    const head = await latestBlock(provider);
    return {
      calls: this.#entries.length,
      blocks: head.number,
      seconds: Math.round(performance.now() - started) / 1000
    };
  }

  /** The provider to serve: same as `inner`, with state-changing calls journaled. */
  record<T extends Eip1193Provider>(inner: T): T {
    const request = (args: {
      method: string;
      params?: unknown[];
    }): Promise<unknown> => {
      if (!changesChainState(args.method)) {
        // Wait for a write in progress, so its block is journaled before anyone can see it.
        return this.#pending.then(() => inner.request(args));
      }
      const run = this.#pending.then(() => this.#recordCall(inner, args));
      this.#pending = run.then(
        () => undefined,
        () => undefined
      );
      return run;
    };
    return new Proxy(inner, {
      get(target, property) {
        if (property === 'request') return request;
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      }
    });
  }

  async #recordCall(
    inner: Eip1193Provider,
    args: { method: string; params?: unknown[] }
  ): Promise<unknown> {
    if (this.#closed)
      throw new JournalError(
        'JOURNAL_MISMATCH',
        'the dev chain is stopping; no more transactions are accepted'
      );
    if (
      args.method === 'evm_setIntervalMining' &&
      args.params?.[0] !== 0 &&
      args.params?.[0] !== false
    ) {
      // Blocks mined on a timer belong to no call, so no journal could replay them.
      throw unsupported(
        'Interval mining is not available on the persisted dev chain: its blocks could not be replayed after a restart. Use evm_mine.'
      );
    }
    // Hardhat fills defaults (gas) into the params object it is given; keep what the caller sent.
    const params =
      args.params === undefined ? undefined : structuredClone(args.params);
    const before = await latestBlock(inner);
    let result: unknown;
    let error: unknown;
    let failed = false;
    try {
      result = await inner.request(args);
    } catch (caught) {
      error = caught;
      failed = true;
    }
    const head = await latestBlock(inner);
    const mined = head.number - before.number;
    if (failed && head.hash === before.hash) throw error;
    const entry: JournalEntry = {
      m: args.method,
      ...(params === undefined ? {} : { p: params }),
      n: head.number,
      h: head.hash,
      ...(mined > 0
        ? {
            t:
              mined === 1
                ? head.timestamp
                : await blockTimestamp(inner, before.number + 1)
          }
        : {}),
      o: await clockOffset(inner),
      ...(failed ? { e: 1 as const } : {})
    };
    this.#append(entry);
    this.#entries.push(entry);
    if (failed) throw error;
    return result;
  }

  #append(line: unknown): void {
    if (this.#fd === null) throw new Error('the chain journal is not open');
    writeSync(this.#fd, JSON.stringify(line) + '\n');
    fsyncSync(this.#fd);
  }

  /** A new file's name must survive a crash too. */
  #fsyncDirectory(): void {
    try {
      const fd = openSync(path.dirname(this.file), 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch {
      // Not every platform can fsync a directory; the data itself is synced.
    }
  }

  /** Waits for the write in progress, then closes the file; later writes are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#pending;
    if (this.#fd !== null) {
      closeSync(this.#fd);
      this.#fd = null;
    }
  }
}

const require = createRequire(import.meta.url);

/** A JSON-RPC error Hardhat's server passes on with its code, not as an internal error. */
function unsupported(message: string): Error {
  const {
    InvalidInputError
  } = require('hardhat/internal/core/providers/errors');
  return new InvalidInputError(message) as Error;
}
