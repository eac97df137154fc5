/**
 * The whole local Ocean network, in order: chain → contracts → sample files
 * server → Ocean Node (child process) → sample assets (published through the
 * lib and indexed by the node) → faucet → `stack.json`.
 *
 * With `nodes: 2` a second node joins the same chain with its own key, port
 * and data directory. It indexes what the first one publishes the way Ocean's
 * nodes do among themselves: it asks the publishing node's
 * /api/services/decrypt for each DDO (node/remote-decrypt.ts).
 *
 * A second start on the same state directory reuses what the first one set
 * up when it is still valid (state.ts): the chain is rebuilt from its journal
 * (journal.ts), the contracts and samples are not deployed or published
 * again, and the node continues from its own database.
 *
 * A start without a state to reuse (a new state directory, `fresh`) begins
 * from the prepared state (prepared.ts) when one was made from the same
 * inputs: the contracts and samples a cold start made before, copied in and
 * replayed instead of deployed and published. A cold start keeps what it
 * made as the prepared state for the next.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, rename, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import Database from 'better-sqlite3';
import { Wallet } from 'ethers';

import { ACCOUNTS, type DevAccount } from './accounts.ts';
import {
  CHAIN_ID,
  ChainError,
  startChain,
  type RunningChain
} from './chain.ts';
import {
  deployContracts,
  DEVELOPMENT_NETWORK,
  contractAddresses,
  localProvider,
  readDevelopmentAddresses,
  type DevelopmentAddresses
} from './deploy.ts';
import { startFaucet, type Faucet } from './faucet.ts';
import {
  newFileSecret,
  startFileServer,
  type FileServer
} from './file-server.ts';
import {
  writeSampleFiles,
  type SampleFile,
  type SampleFiles
} from './sample-data.ts';
import type { GanSampleFiles } from './gan-sample.ts';
import type { SampleRole } from './samples.ts';
import { ChainJournal, JournalError } from './journal.ts';
import {
  applyPrepared,
  defaultPreparedDir,
  discardPrepared,
  findPrepared,
  preparedInputs,
  preparedKey,
  savePrepared,
  type PreparedEntry,
  type PreparedKind
} from './prepared.ts';
import {
  clearState,
  hasState,
  JOURNAL_FILE,
  lockStateDir,
  moveStateAside,
  readState,
  STATE_FORMAT,
  stateProblem,
  stateFingerprint,
  writeState,
  type PersistedState
} from './state.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '..', '..');
export const NODE_ENTRY = path.join(here, 'node', 'main.ts');
export const DEFAULT_STATE_DIR = path.join(REPO_ROOT, '.ocean-stack');

export const DEFAULT_PORTS = {
  chain: 8545,
  node: 8001,
  faucet: 8002,
  files: 8003,
  /** The second node's, with `nodes: 2`; a free one when `node` is 0 and this is not given. */
  node2: 8004
} as const;

/** How many of our nodes one stack may run on its chain. */
export const MAX_NODES = 2;

export interface StackOptions {
  stateDir?: string;
  /** Port per service; 0 = a free port. */
  ports?: Partial<Record<keyof typeof DEFAULT_PORTS, number>>;
  /** Progress lines (default: console.log). */
  log?: (line: string) => void;
  /** Skip the sample assets (tests of other parts). */
  samples?: boolean;
  /** Discard the state directory's earlier state instead of reusing it. */
  fresh?: boolean;
  /**
   * Begin a start without a state to reuse from the prepared state, and keep what a cold start
   * makes as the prepared state (default true). false: deploy and publish anew, and keep nothing.
   */
  prepared?: boolean;
  /** Where prepared states are kept (default: defaultPreparedDir()). */
  preparedDir?: string;
  /**
   * The node's requests a minute per client IP (Ocean Node's default is 30). The local stack
   * serves one person's lab and the UI tests, which poll far more, so it defaults much higher;
   * 30 shows how the extension fares against a real node's limit.
   */
  nodeRateLimit?: number;
  /**
   * How many of our Ocean Nodes to run on the chain: 1 (default) or 2. The second has its own
   * key, port and data directory, and reads the first one's DDOs through its /decrypt route.
   */
  nodes?: number;
  /**
   * Loopback or private origins (http://127.0.0.1:PORT) the nodes may fetch asset files from,
   * besides the stack's own file server; all others must be public (node/file-fetch.ts). For a
   * benchmark or test that serves its own files.
   */
  allowedFileOrigins?: string[];
  /**
   * Stops the start (main.ts aborts it on SIGINT/SIGTERM before the stack is ready): the nodes
   * it spawned are stopped at once, the rest at the next step, and startStack rejects with
   * STACK_START_STOPPED once everything it started is stopped again.
   */
  signal?: AbortSignal;
}

export const LOCAL_NODE_RATE_LIMIT = 100_000;

/** One running node of the stack. */
export interface StackNode {
  url: string;
  /** The node's key: it signs provider fees and its indexer's /decrypt requests. */
  providerAddress: string;
  dataDir: string;
}

export interface StackInfo {
  rpcUrl: string;
  chainId: typeof CHAIN_ID;
  /** The first node's URL (the one the samples name); null when no node runs. */
  nodeUrl: string | null;
  /** Every node the stack runs, the first one first. */
  nodes: StackNode[];
  faucetUrl: string;
  filesUrl: string;
  addressFile: string;
  stateDir: string;
  /** Sample DIDs by role; null where not published (gan: filled by the GAN feature). */
  samples: Record<SampleRole, string | null>;
  /** Extra facts per sample (datatoken, exchange) for tools and tests. */
  sampleDetails: Record<string, unknown>;
  accounts: {
    deployer: string;
    publisher: string;
    consumer: string;
    consumer2: string;
    provider: string;
  };
  startedAt: string;
  /** True when this start reused the state directory's chain, contracts and samples. */
  reused: boolean;
  /**
   * What a start without a state to reuse took from the prepared state: 'samples' (contracts and
   * samples), 'contracts' (then it published the samples), or null (it deployed).
   */
  prepared: PreparedKind | null;
  timings: Record<string, number>;
}

export interface RunningStack {
  info: StackInfo;
  stop(): Promise<void>;
}

export class StackError extends Error {
  constructor(
    readonly code: string,
    message: string
  ) {
    super(message);
    this.name = 'StackError';
  }
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function writeJsonAtomically(
  file: string,
  content: unknown
): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(content, null, 2) + '\n');
  await rename(temporary, file);
}

function startStopped(): StackError {
  return new StackError(
    'STACK_START_STOPPED',
    'The start was stopped before the stack was ready; what it had started is stopped again.'
  );
}

/** Polls the node's root endpoint until it reports our chain. */
async function waitForNode(
  nodeUrl: string,
  child: ChildProcess,
  timeoutMs: number,
  name: string,
  signal?: AbortSignal
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (signal?.aborted) throw startStopped();
    if (child.exitCode !== null) {
      throw new StackError(
        'STACK_NODE_EXITED',
        `The ${name} exited during start-up (code ${child.exitCode}); its output is above.`
      );
    }
    try {
      const response = await fetch(nodeUrl + '/');
      if (response.ok) {
        const body = (await response.json()) as { chainIds?: unknown[] };
        if (!body.chainIds || body.chainIds.map(Number).includes(CHAIN_ID))
          return;
      }
    } catch {
      // not listening yet
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  throw new StackError(
    'STACK_NODE_TIMEOUT',
    `The ${name} did not answer at ${nodeUrl} within ${timeoutMs / 1000} s.`
  );
}

/**
 * The node processes of this process's stacks that have not exited yet. Should
 * this process end before a stack's stop has run (an uncaught error, a
 * process.exit elsewhere), the 'exit' hook below kills them: a node outliving
 * its stack holds its port, its database and the output pipe of whoever
 * started the stack, whose reader then never sees the end of it.
 */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function trackChild(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const running of liveChildren) running.kill('SIGKILL');
    });
  }
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  // A child that could not be spawned never emits 'exit'.
  child.once('error', () => {
    if (child.pid === undefined) liveChildren.delete(child);
  });
}

/** SIGTERM, SIGKILL after 5 s; resolves once the child has exited (at once if it never ran). */
function stopChild(child: ChildProcess): Promise<void> {
  if (
    child.pid === undefined ||
    child.exitCode !== null ||
    child.signalCode !== null
  )
    return Promise.resolve();
  return new Promise(resolve => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A path relative to the working directory when it lies below it, else absolute. */
function displayPath(target: string): string {
  const relative = path.relative(process.cwd(), target);
  return relative && !relative.startsWith('..') ? relative : target;
}

/**
 * Where each of the stack's nodes lives in the state directory, and the key it signs with. The
 * pid file lets a start after a `kill -9` of the stack stop the node it left running.
 */
interface NodeSlot {
  /** In log lines and errors. */
  name: string;
  /** The summary's column ("node", "node 2"). */
  label: string;
  dir: string;
  pidFile: string;
  account: DevAccount;
  port: 'node' | 'node2';
}

const NODE_SLOTS: readonly NodeSlot[] = [
  {
    name: 'Ocean Node',
    label: 'node',
    dir: 'node',
    pidFile: 'node.pid',
    account: ACCOUNTS.provider,
    port: 'node'
  },
  {
    name: 'second Ocean Node',
    label: 'node 2',
    dir: 'node2',
    pidFile: 'node2.pid',
    account: ACCOUNTS.provider2,
    port: 'node2'
  }
];

/**
 * A `kill -9` of the stack leaves its node child running, still holding its
 * port and database. The state lock says no live stack owns this directory,
 * so a node recorded here that still runs on this data directory is an
 * orphan: stop it before starting another.
 */
async function stopOrphanNode(
  stateDir: string,
  slot: NodeSlot,
  log: (line: string) => void
): Promise<void> {
  const file = path.join(stateDir, slot.pidFile);
  const nodeDataDir = path.join(stateDir, slot.dir);
  let pid: number;
  let commandLine: string;
  try {
    pid = Number((await readFile(file, 'utf8')).trim());
    commandLine = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replace(
      /\0/g,
      ' '
    );
  } catch {
    await rm(file, { force: true });
    return;
  }
  // The data directory and what follows it: node/ is a prefix of node2/.
  if (
    commandLine.includes(NODE_ENTRY) &&
    commandLine.includes(`--data-dir ${nodeDataDir} `)
  ) {
    log(
      `state     stopping the ${slot.name} (pid ${pid}) a killed stack left running`
    );
    const gone = async () => {
      try {
        process.kill(pid, 0);
      } catch {
        return true;
      }
      // A zombie (killed, not yet reaped) holds no port or file any more.
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
      return / Z /.test(stat.slice(stat.lastIndexOf(')')));
    };
    process.kill(pid, 'SIGTERM');
    for (let waited = 0; waited < 5000 && !(await gone()); waited += 100)
      await new Promise(resolve => setTimeout(resolve, 100));
    if (!(await gone())) process.kill(pid, 'SIGKILL');
  }
  await rm(file, { force: true });
}

/** True when nothing listens on 127.0.0.1:port right now. */
async function portIsFree(port: number): Promise<boolean> {
  return await new Promise(resolve => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The port for a service whose URL is inside published DDOs: the one asked
 * for, or, when any port will do (0), the one the state was made with if it
 * is still free.
 */
async function portFor(
  asked: number,
  recorded: number | null | undefined,
  name: string,
  log: (line: string) => void
): Promise<number> {
  if (!recorded) return asked;
  if (asked === 0) {
    if (await portIsFree(recorded)) return recorded;
    log(
      `state     note: port ${recorded}, which the reused assets name for the ${name}, is taken; using a free one, so their downloads will not reach it`
    );
    return 0;
  }
  if (asked !== recorded)
    log(
      `state     note: the reused assets name the ${name} on port ${recorded}; this start uses ${asked}, so their downloads will not reach it`
    );
  return asked;
}

/** The last block the node's indexer recorded, from its database (the node is not running yet). */
function nodeLastIndexedBlock(nodeDataDir: string): number | undefined {
  const file = path.join(nodeDataDir, 'node.db');
  if (!existsSync(file)) return undefined;
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { fileMustExist: true });
    const row = db
      .prepare("SELECT value FROM meta WHERE key = 'lastIndexedBlock'")
      .get() as { value: string } | undefined;
    return row === undefined ? undefined : Number(row.value);
  } catch {
    // Unreadable here means unreadable for the node too; it reports that itself.
    return undefined;
  } finally {
    db?.close();
  }
}

/** Like deploy.ts' isDeployedOn, through the in-process provider (no HTTP client to set up). */
async function hasCodeEverywhere(
  chain: RunningChain,
  addresses: DevelopmentAddresses
): Promise<boolean> {
  const codes = await Promise.all(
    contractAddresses(addresses).map(address =>
      chain.provider.request({
        method: 'eth_getCode',
        params: [address, 'latest']
      })
    )
  );
  return codes.every(code => typeof code === 'string' && code !== '0x');
}

/** The sample files a state recorded, when each is still there with its size; else null. */
async function recordedFilesPresent(
  samplesDir: string,
  recorded: SampleFile[] | undefined
): Promise<SampleFile[] | null> {
  if (!recorded?.length) return null;
  for (const file of recorded) {
    const size = await stat(path.join(samplesDir, file.name)).then(
      found => found.size,
      () => -1
    );
    if (size !== file.bytes) return null;
  }
  return recorded;
}

interface ReusedState {
  chain: RunningChain;
  state: PersistedState;
  addresses: DevelopmentAddresses;
}

/**
 * Brings back the state directory's network when it is still valid: same
 * deploy inputs, a finished start, a journal that replays block for block,
 * contracts on the replayed chain, a node index not ahead of it. Returns the
 * running chain, or the reason it cannot be reused.
 */
async function reuseState(
  stateDir: string,
  fingerprint: string,
  wantSamples: boolean,
  chainPort: number
): Promise<ReusedState | { reason: string }> {
  const state = await readState(stateDir);
  const problem = stateProblem(state, fingerprint, wantSamples);
  if (problem || !state) return { reason: problem ?? '' };
  const addresses = await readDevelopmentAddresses(
    path.join(stateDir, 'address.json')
  );
  if (!addresses)
    return { reason: 'its address.json is missing or unreadable' };
  let chain: RunningChain;
  try {
    chain = await startChain({
      port: chainPort,
      journal: ChainJournal.open(path.join(stateDir, JOURNAL_FILE))
    });
  } catch (error) {
    if (error instanceof JournalError) return { reason: error.message };
    throw error;
  }
  const head = chain.replayed?.blocks ?? 0;
  let reason: string | null = null;
  // Every node's database, also one this start will not run: a later start may.
  for (const slot of NODE_SLOTS) {
    const indexed = nodeLastIndexedBlock(path.join(stateDir, slot.dir));
    if (indexed !== undefined && indexed > head) {
      reason = `the ${slot.label} had indexed block ${indexed}, the journal ends at block ${head}`;
      break;
    }
  }
  if (!reason && !(await hasCodeEverywhere(chain, addresses)))
    reason = 'the replayed chain lacks contracts that address.json names';
  if (reason) {
    await chain.stop();
    return { reason };
  }
  return { chain, state, addresses };
}

interface PreparedStart {
  kind: PreparedKind;
  name: string;
  /** samples: the copied state directory, brought back as reuseState does (its chain running). */
  reused?: ReusedState;
  /** contracts: the replayed chain and its contracts; the samples are still to publish. */
  chain?: RunningChain;
  addresses?: DevelopmentAddresses;
  /** Frees the entry; a samples entry stays locked while this stack holds its ports. */
  release: () => Promise<void>;
}

/**
 * Begins a start without a state to reuse from the prepared state: the
 * contracts and samples when an entry with ports this start can have
 * exists (the state directory is then reused as a warm start reuses it),
 * else the contracts alone. An entry that does not copy or replay as
 * recorded is removed and the next one tried; null: nothing prepared fits.
 */
async function startFromPrepared(options: {
  stateDir: string;
  preparedDir: string;
  inputs: Record<string, string>;
  fingerprint: string;
  wantSamples: boolean;
  ports: { chain: number; node: number; files: number };
  log: (line: string) => void;
}): Promise<PreparedStart | null> {
  const { stateDir, inputs, ports, log } = options;
  const key = preparedKey(inputs);
  const find = (kind: PreparedKind) =>
    findPrepared({
      dir: options.preparedDir,
      kind,
      key,
      inputs,
      ports: { node: ports.node, files: ports.files },
      log
    });
  const giveUp = async (entry: PreparedEntry, error: unknown) => {
    await clearState(stateDir);
    // A port in use is this start's problem, not the entry's.
    if (error instanceof ChainError) {
      await entry.release();
      throw error;
    }
    await discardPrepared(entry);
    log(
      `prepared  cannot use ${entry.name} (${error instanceof Error ? error.message : String(error)}); removed it`
    );
  };
  if (options.wantSamples) {
    const entry = await find('samples');
    if (entry) {
      try {
        await applyPrepared(entry, stateDir);
        const attempt = await reuseState(
          stateDir,
          options.fingerprint,
          true,
          ports.chain
        );
        if ('reason' in attempt) throw new Error(attempt.reason);
        return {
          kind: 'samples',
          name: entry.name,
          reused: attempt,
          release: entry.release
        };
      } catch (error) {
        await giveUp(entry, error);
      }
    }
  }
  const entry = await find('contracts');
  if (!entry) return null;
  let chain: RunningChain | undefined;
  try {
    await applyPrepared(entry, stateDir);
    const addresses = await readDevelopmentAddresses(
      path.join(stateDir, 'address.json')
    );
    if (!addresses) throw new Error('its address.json is unreadable');
    chain = await startChain({
      port: ports.chain,
      journal: ChainJournal.open(path.join(stateDir, JOURNAL_FILE))
    });
    if (!(await hasCodeEverywhere(chain, addresses)))
      throw new Error(
        'the replayed chain lacks contracts that address.json names'
      );
    await entry.release();
    return {
      kind: 'contracts',
      name: entry.name,
      chain,
      addresses,
      release: async () => {}
    };
  } catch (error) {
    await chain?.stop();
    await giveUp(entry, error);
    return null;
  }
}

/**
 * Passes a child's output on line by line with a prefix, so that the two
 * nodes' logs (both "[ocean-node] …") can be told apart.
 */
function forwardLines(
  from: NodeJS.ReadableStream,
  to: NodeJS.WritableStream,
  prefix: string
): void {
  createInterface({ input: from, crlfDelay: Infinity }).on('line', line =>
    to.write(`${prefix}${line}\n`)
  );
}

interface NodeLaunch {
  slot: NodeSlot;
  port: number;
  stateDir: string;
  rpcUrl: string;
  addressFile: string;
  rateLimit: number;
  /** The stack's file server: the loopback origin its nodes may fetch file URLs from. */
  filesUrl: string;
  /** More such origins (StackOptions.allowedFileOrigins). */
  allowedFileOrigins: string[];
  /** Prefix for the node's output lines; without one it writes to ours directly. */
  outputPrefix?: string;
  /** The start's signal: waiting for the node ends when it is aborted. */
  signal?: AbortSignal;
  /**
   * Called as soon as the node process exists, before it answers, with what stops it (the
   * process, then its pid file): a start stopped or failing while the node is still starting
   * must stop it too.
   */
  spawned: (child: ChildProcess, stop: () => Promise<void>) => void;
}

/**
 * Starts one of the stack's nodes (node/main.ts in its own process) and
 * returns its URL once it answers. Each node gets its own key and data
 * directory; all share the chain and the address file.
 */
async function launchNode(launch: NodeLaunch): Promise<string> {
  const { slot, port, stateDir, rpcUrl, addressFile } = launch;
  const dataDir = path.join(stateDir, slot.dir);
  await mkdir(dataDir, { recursive: true });
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      NODE_ENTRY,
      '--port',
      String(port),
      '--rpc',
      rpcUrl,
      '--chain-id',
      String(CHAIN_ID),
      '--address-file',
      addressFile,
      '--data-dir',
      dataDir,
      '--private-key',
      slot.account.privateKey,
      '--rate-limit',
      String(launch.rateLimit)
    ],
    {
      cwd: REPO_ROOT,
      stdio: launch.outputPrefix
        ? ['ignore', 'pipe', 'pipe']
        : ['ignore', 'inherit', 'inherit'],
      env: {
        ...process.env,
        ADDRESS_FILE: addressFile,
        HTTP_API_PORT: String(port),
        RPCS: JSON.stringify({
          [CHAIN_ID]: {
            rpc: rpcUrl,
            chainId: CHAIN_ID,
            network: 'development'
          }
        }),
        PRIVATE_KEY: slot.account.privateKey,
        // Sample files come from our loopback file server; other loopback or private file URLs
        // stay refused (node/file-fetch.ts).
        OCEAN_NODE_ALLOWED_FILE_ORIGINS: [
          launch.filesUrl,
          ...launch.allowedFileOrigins
        ].join(',')
      }
    }
  );
  if (launch.outputPrefix) {
    forwardLines(child.stdout!, process.stdout, launch.outputPrefix);
    forwardLines(child.stderr!, process.stderr, launch.outputPrefix);
  }
  trackChild(child);
  const pidFile = path.join(stateDir, slot.pidFile);
  // The pid file goes only once the node is gone: a stack killed halfway through its stop still
  // leaves what lets the next start find the node (stopOrphanNode).
  launch.spawned(child, async () => {
    await stopChild(child);
    await rm(pidFile, { force: true });
  });
  await writeFile(pidFile, String(child.pid));
  await waitForNode(url, child, 30_000, slot.name, launch.signal);
  return url;
}

/**
 * Starts everything. With a reusable state directory (and no `fresh`), the
 * chain is replayed from its journal and the deploy and sample publishing
 * are skipped; otherwise the old state is moved aside (or, with `fresh`,
 * removed) and everything starts anew.
 */
export async function startStack(
  options: StackOptions = {}
): Promise<RunningStack> {
  const log = options.log ?? ((line: string) => console.log(line));
  const stateDir = path.resolve(options.stateDir ?? DEFAULT_STATE_DIR);
  const ports = { ...DEFAULT_PORTS, ...options.ports };
  // "Any port" for the first node means the same for the second unless it is named.
  if (options.ports?.node2 === undefined && ports.node === 0) ports.node2 = 0;
  const nodeCount = options.nodes ?? 1;
  if (!Number.isInteger(nodeCount) || nodeCount < 1 || nodeCount > MAX_NODES)
    throw new StackError(
      'STACK_BAD_NODES',
      `The stack runs 1 or ${MAX_NODES} Ocean Nodes on its chain, not ${String(nodeCount)}.`
    );
  const slots = NODE_SLOTS.slice(0, nodeCount);
  const wantSamples = options.samples !== false;
  const timings: Record<string, number> = {};
  const started = performance.now();
  const mark = (name: string, since: number) =>
    (timings[name] = Math.round(performance.now() - since) / 1000);
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse().splice(0)) {
      await stop().catch(error =>
        log(`stop: ${error instanceof Error ? error.message : String(error)}`)
      );
    }
  };
  const shown = displayPath(stateDir);
  const { signal } = options;
  /** Between steps: a stopped start goes no further (the catch below stops what it started). */
  const checkpoint = () => {
    if (signal?.aborted) throw startStopped();
  };
  // A step can take long (a deploy, the samples); the nodes need not wait for it to stop.
  const nodeStops: Array<() => Promise<void>> = [];
  const stopNodesNow = () => {
    for (const stop of nodeStops) void stop().catch(() => {});
  };
  signal?.addEventListener('abort', stopNodesNow, { once: true });

  stops.push(await lockStateDir(stateDir));
  try {
    checkpoint();
    // Also a second node this start will not run: a killed two-node stack leaves both behind.
    for (const slot of NODE_SLOTS) await stopOrphanNode(stateDir, slot, log);
    checkpoint();
    const samplesDir = path.join(stateDir, 'samples');
    const addressFile = path.join(stateDir, 'address.json');

    let since = performance.now();
    const fingerprint = stateFingerprint();
    let reused: ReusedState | null = null;
    if (options.fresh) {
      if (await hasState(stateDir)) {
        await clearState(stateDir);
        log(`state     --fresh: removed the previous state in ${shown}`);
      }
    } else if (await hasState(stateDir)) {
      const attempt = await reuseState(
        stateDir,
        fingerprint,
        wantSamples,
        ports.chain
      );
      if ('reason' in attempt) {
        const aside = await moveStateAside(stateDir, log);
        log(
          `state     ${shown} cannot be reused (${attempt.reason}); moved it to ${displayPath(aside)}`
        );
      } else reused = attempt;
    }
    // Without a state to reuse: what a cold start made before, when it was made from these inputs.
    const preparedDir = path.resolve(
      options.preparedDir ?? defaultPreparedDir()
    );
    const inputs = options.prepared === false ? null : preparedInputs();
    let prepared: PreparedStart | null = null;
    if (!reused && inputs) {
      prepared = await startFromPrepared({
        stateDir,
        preparedDir,
        inputs,
        fingerprint,
        wantSamples,
        ports,
        log
      });
      if (prepared) {
        stops.push(prepared.release);
        reused = prepared.reused ?? null;
      }
    }
    /** Saves what this cold start made as the prepared state; never fails the start. */
    const keepPrepared = async (
      kind: PreparedKind,
      extra: Pick<Parameters<typeof savePrepared>[0], 'ports' | 'state'> = {}
    ) => {
      if (!inputs) return;
      const since = performance.now();
      try {
        const name = await savePrepared({
          dir: preparedDir,
          kind,
          inputs,
          stateDir,
          log,
          ...extra
        });
        mark(`keep_${kind}_s`, since);
        log(
          `prepared  kept the ${kind === 'samples' ? 'contracts and samples' : 'contracts'} for later fresh starts in ${timings[`keep_${kind}_s`]} s → ${displayPath(path.join(preparedDir, name ?? ''))}`
        );
      } catch (error) {
        log(
          `prepared  could not keep the ${kind} for later starts (${error instanceof Error ? error.message : String(error)})`
        );
      }
    };
    const fileSecret = reused?.state.fileSecret ?? newFileSecret();
    await rm(path.join(stateDir, 'stack.json'), { force: true });

    const chain: RunningChain =
      reused?.chain ??
      prepared?.chain ??
      (await startChain({
        port: ports.chain,
        journal: ChainJournal.create(path.join(stateDir, JOURNAL_FILE))
      }));
    stops.push(() => chain.stop());
    checkpoint();
    mark('chain_s', since);
    if (prepared) {
      timings.replay_s = chain.replayed?.seconds ?? 0;
      log(
        `fresh state in ${shown} from the prepared ${prepared.kind === 'samples' ? 'contracts and samples' : 'contracts'} (${chain.replayed?.blocks} blocks replayed in ${timings.replay_s} s)`
      );
    } else if (reused) {
      timings.replay_s = chain.replayed?.seconds ?? 0;
      log(
        `reused state from ${shown} (${chain.replayed?.blocks} blocks replayed in ${timings.replay_s} s)`
      );
    } else log(`fresh state in ${shown}`);
    log(
      `chain     ${chain.rpcUrl} (chainId ${CHAIN_ID}) in ${timings.chain_s} s`
    );

    let addresses: DevelopmentAddresses;
    if (reused) addresses = reused.addresses;
    else if (prepared?.addresses) {
      addresses = prepared.addresses;
      log(`contracts from the prepared state → ${displayPath(addressFile)}`);
    } else {
      since = performance.now();
      const content = await deployContracts(chain.rpcUrl, addressFile);
      addresses = content[DEVELOPMENT_NETWORK] as DevelopmentAddresses;
      mark('deploy_s', since);
      log(
        `contracts deployed in ${timings.deploy_s} s → ${displayPath(addressFile)}`
      );
      checkpoint();
      await keepPrepared('contracts');
    }

    let allFiles = reused
      ? await recordedFilesPresent(samplesDir, reused.state.files)
      : null;
    let files: SampleFiles | null = null;
    let ganFiles: GanSampleFiles | null = null;
    if (!allFiles) {
      // Deterministic (fixed seeds), so rewriting them gives the bytes the DDOs' checksums name.
      files = await writeSampleFiles(samplesDir);
      // Imported here: publishing code loads @oceanprotocol/lib, which a reusing start never needs.
      const { writeGanFiles } = await import('./gan-sample.ts');
      ganFiles = await writeGanFiles(samplesDir);
      allFiles = [
        files.weather.full,
        files.weather.preview,
        files.flowers.full,
        files.flowers.preview,
        ...files.images.files,
        files.images.preview,
        ...(ganFiles ? [ganFiles.model, ganFiles.preview] : [])
      ];
    }
    const fileServer: FileServer = await startFileServer({
      dir: samplesDir,
      files: allFiles,
      port: await portFor(
        ports.files,
        reused?.state.ports.files,
        'sample files',
        log
      ),
      secret: fileSecret
    });
    stops.push(() => fileServer.stop());
    checkpoint();
    log(`files     ${fileServer.url}`);

    const faucet: Faucet = await startFaucet({
      rpcUrl: chain.rpcUrl,
      oceanAddress: addresses.Ocean,
      port: ports.faucet
    });
    stops.push(() => faucet.stop());
    checkpoint();
    log(`faucet    ${faucet.url}`);

    let nodeUrl: string | null = null;
    const samples: Record<SampleRole, string | null> = {
      csv: null,
      free: null,
      images: null,
      gan: null,
      compute: null,
      algorithm: null
    };
    const sampleDetails: Record<string, unknown> = {};
    if (reused) {
      Object.assign(samples, reused.state.sampleDids ?? {});
      Object.assign(sampleDetails, reused.state.sampleDetails ?? {});
    }
    const nodes: StackNode[] = [];
    if (existsSync(NODE_ENTRY)) {
      for (const slot of slots) {
        since = performance.now();
        const recorded = reused?.state.ports[slot.port];
        const asked = await portFor(ports[slot.port], recorded, slot.name, log);
        const port = asked === 0 ? await freePort() : asked;
        if (nodes.some(node => Number(new URL(node.url).port) === port))
          throw new StackError(
            'STACK_PORT_CLASH',
            `The ${slot.name} cannot listen on port ${port}: another node of this stack does. Give it its own port (--node2-port N, or 0 for a free one).`
          );
        const url = await launchNode({
          slot,
          port,
          stateDir,
          rpcUrl: chain.rpcUrl,
          addressFile,
          rateLimit: options.nodeRateLimit ?? LOCAL_NODE_RATE_LIMIT,
          filesUrl: fileServer.url,
          allowedFileOrigins: options.allowedFileOrigins ?? [],
          outputPrefix: slot === NODE_SLOTS[0] ? undefined : `[${slot.label}] `,
          signal,
          spawned: (child, stop) => {
            stops.push(stop);
            nodeStops.push(() => stopChild(child));
            // Spawned after the signal: stopped at once like the others.
            if (signal?.aborted) void stopChild(child);
          }
        });
        checkpoint();
        nodes.push({
          url,
          providerAddress: slot.account.address,
          dataDir: path.join(stateDir, slot.dir)
        });
        const timing = `${slot.dir}_s`;
        mark(timing, since);
        log(`${slot.label.padEnd(10)}${url} in ${timings[timing]} s`);
        // A state made before this node ran: record its port, which the DDOs published
        // through it will name, so later starts keep it as they keep the first node's.
        if (reused && slot.port === 'node2' && !recorded) {
          reused.state.ports.node2 = port;
          await writeState(stateDir, reused.state);
        }
      }
      nodeUrl = nodes[0].url;

      if (wantSamples && !reused && files) {
        since = performance.now();
        const { publishSamples } = await import('./samples.ts');
        const { publishComputeSamples } = await import('./compute-samples.ts');
        const { waitUntilIndexed } = await import('./publish.ts');
        process.env.ADDRESS_FILE = addressFile;
        const provider = localProvider(chain.rpcUrl);
        stops.push(async () => provider.destroy());
        const published = await publishSamples({
          signer: new Wallet(ACCOUNTS.publisher.privateKey, provider),
          addresses,
          nodeUrl,
          providerAddress: ACCOUNTS.provider.address,
          fileServer,
          files,
          gan: ganFiles
        });
        const computeSamples = await publishComputeSamples({
          signer: new Wallet(ACCOUNTS.publisher.privateKey, provider),
          addresses,
          nodeUrl
        });
        for (const asset of Object.values(computeSamples))
          await waitUntilIndexed(nodeUrl, asset.did);
        for (const [role, asset] of Object.entries({
          ...published,
          ...computeSamples
        })) {
          samples[role as SampleRole] = asset.did;
          sampleDetails[role] = asset;
        }
        checkpoint();
        mark('samples_s', since);
        log(
          `samples   published and indexed in ${timings.samples_s} s: ${Object.entries(
            published
          )
            .map(([role, asset]) => `${role}=${asset.did.slice(0, 16)}…`)
            .join(' ')}`
        );
      }
    } else {
      log(
        `node      not started: ${path.relative(REPO_ROOT, NODE_ENTRY)} does not exist yet; samples skipped.`
      );
    }

    checkpoint();
    if (!reused) {
      const state: PersistedState = {
        format: STATE_FORMAT,
        fingerprint,
        createdAt: new Date().toISOString(),
        fileSecret,
        files: allFiles,
        ports: {
          node: nodeUrl ? Number(new URL(nodeUrl).port) : null,
          files: Number(new URL(fileServer.url).port),
          node2: nodes[1] ? Number(new URL(nodes[1].url).port) : null
        },
        samples: wantSamples,
        complete: true,
        sampleDids: samples,
        sampleDetails
      };
      if (wantSamples && nodeUrl && samples.csv)
        await keepPrepared('samples', {
          state,
          ports: { node: state.ports.node!, files: state.ports.files }
        });
      // Written last: a state without it (a start cut short) is never reused.
      await writeState(stateDir, state);
    }

    mark('total_s', started);
    const info: StackInfo = {
      rpcUrl: chain.rpcUrl,
      chainId: CHAIN_ID,
      nodeUrl,
      nodes,
      faucetUrl: faucet.url,
      filesUrl: fileServer.url,
      addressFile,
      stateDir,
      samples,
      sampleDetails,
      accounts: {
        deployer: ACCOUNTS.deployer.address,
        publisher: ACCOUNTS.publisher.address,
        consumer: ACCOUNTS.consumer.address,
        consumer2: ACCOUNTS.consumer2.address,
        provider: ACCOUNTS.provider.address
      },
      startedAt: new Date().toISOString(),
      reused: reused !== null && prepared === null,
      prepared: prepared?.kind ?? null,
      timings
    };
    const stackFile = path.join(stateDir, 'stack.json');
    await writeJsonAtomically(stackFile, info);
    stops.push(() => rm(stackFile, { force: true }));
    checkpoint();
    signal?.removeEventListener('abort', stopNodesNow);
    // Once only, however many times it is asked (a second signal, a test's clean-up).
    let stopping: Promise<void> | undefined;
    return { info, stop: () => (stopping ??= stopAll()) };
  } catch (error) {
    signal?.removeEventListener('abort', stopNodesNow);
    await stopAll();
    throw signal?.aborted ? startStopped() : error;
  }
}

/** Reads `.ocean-stack/stack.json` of a running stack, or null. */
export async function readStackInfo(
  stateDir = DEFAULT_STATE_DIR
): Promise<StackInfo | null> {
  try {
    return JSON.parse(
      await readFile(path.join(stateDir, 'stack.json'), 'utf8')
    ) as StackInfo;
  } catch {
    return null;
  }
}
