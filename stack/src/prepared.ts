/**
 * The prepared state: what a cold start made, kept so that the next cold
 * start (a new state directory, or `--fresh`) copies it instead of deploying
 * and publishing again.
 *
 * Hardhat 2's EDR has no state dump or load (no `hardhat_dumpState`), and
 * restoring code and storage with `hardhat_setCode`/`hardhat_setStorageAt`
 * would leave a chain without the blocks and logs the node's indexer and the
 * wallets read. So a prepared state is a state directory's own files, taken
 * at the moment a cold start became ready: the chain journal (journal.ts;
 * replayed block for block, ~50 blocks in a tenth of a second, so every
 * event is back with the same hashes), the address file, and, with the
 * samples, the node's database and stored files, the sample files and
 * state.json. Two kinds, in the cache directory (DEFAULT_PREPARED_DIR):
 *
 *   contracts-<key>               right after the deploy; any start can use it
 *   samples-<key>-<node>-<files>  after the samples were published and indexed;
 *                                 their DDOs name the node's and the file server's
 *                                 ports, so only a start that can have those ports
 *
 * `key` hashes the inputs (preparedInputs()): the deploy inputs of
 * state.ts (contracts, Hardhat and stack versions, the deploy and sample
 * sources, the GAN model), the lib's version, the node's and the stack's
 * own code and the formats. Each entry's prepared.json records them, with a
 * hash of every file; an entry made from other inputs is removed (the log
 * names what changed) and one whose files do not match is refused, so
 * nothing opaque is ever used: the first cold start after a change makes the
 * entry anew. A samples entry in use by a running stack is locked (its ports
 * are that stack's).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import {
  copyFile,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  utimes,
  writeFile
} from 'node:fs/promises';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import Database from 'better-sqlite3';

import { JOURNAL_FORMAT } from './journal.ts';
import {
  deployInputs,
  JOURNAL_FILE,
  STATE_FILE,
  STATE_FORMAT,
  type PersistedState
} from './state.ts';

/** Bump when the layout or meaning of a prepared entry changes. */
export const PREPARED_FORMAT = 1;
export const PREPARED_MANIFEST = 'prepared.json';
const LOCK_FILE = 'in-use.pid';
/** Samples entries kept per key (one per port pair); the least recently used go first. */
const SAMPLES_KEPT = 3;
/** Stands for the node's data directory in the stored-file paths of a prepared node.db. */
const NODE_DIR_TOKEN = '@PREPARED_NODE_DIR@';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** The cache of prepared states: $OCEAN_STACK_PREPARED_DIR, else under the stack's node_modules. */
export function defaultPreparedDir(): string {
  return (
    process.env.OCEAN_STACK_PREPARED_DIR ??
    path.resolve(here, '..', 'node_modules', '.cache', 'ocean-stack-prepared')
  );
}

export type PreparedKind = 'contracts' | 'samples';

export interface PreparedPorts {
  node: number;
  files: number;
}

export interface PreparedManifest {
  format: typeof PREPARED_FORMAT;
  kind: PreparedKind;
  /** preparedKey(inputs). */
  key: string;
  /** Input name → sha256 of its content. */
  inputs: Record<string, string>;
  /** Ports baked into the samples' DDOs; null for contracts. */
  ports: PreparedPorts | null;
  createdAt: string;
  /** The journal's head block. */
  blocks: number;
  /** Path relative to the entry (and to the state directory) → sha256 and size. */
  files: Record<string, { sha256: string; bytes: number }>;
}

export class PreparedError extends Error {
  constructor(
    readonly code: 'PREPARED_DAMAGED',
    message: string
  ) {
    super(message);
    this.name = 'PreparedError';
  }
}

function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** An installed package's version (also of one whose exports map hides its package.json). */
function packageVersion(name: string): string {
  let dir = path.dirname(require.resolve(name));
  for (;;) {
    try {
      const found = JSON.parse(
        readFileSync(path.join(dir, 'package.json'), 'utf8')
      ) as { name?: string; version?: string };
      if (found.name === name && found.version) return found.version;
    } catch {
      // no package.json at this level
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the version of ${name}`);
    dir = parent;
  }
}

/** The stack's own sources that shape a prepared state beyond the deploy inputs. */
const STACK_SOURCES = ['journal.ts', 'state.ts', 'stack.ts', 'prepared.ts'];

/**
 * What a prepared state is made from, by name, each as a sha256: the deploy
 * inputs (state.ts), the lib that publishes, the node that indexes and
 * stores (its database is part of a samples entry), the stack's own start
 * code and the formats. `sourceDir` is the stack's src/ unless a test names
 * a copy.
 */
export function preparedInputs(sourceDir = here): Record<string, string> {
  const inputs: Record<string, string> = {
    formats: sha256(
      `prepared ${PREPARED_FORMAT} state ${STATE_FORMAT} journal ${JOURNAL_FORMAT}`
    )
  };
  for (const [label, content] of deployInputs(sourceDir))
    inputs[label] = sha256(content);
  for (const name of ['@oceanprotocol/lib', 'better-sqlite3'])
    inputs[name] = sha256(packageVersion(name));
  for (const name of STACK_SOURCES)
    inputs[name] = sha256(readFileSync(path.join(sourceDir, name)));
  const nodeDir = path.join(sourceDir, 'node');
  for (const name of readdirSync(nodeDir).sort())
    if (name.endsWith('.ts'))
      inputs[`node/${name}`] = sha256(readFileSync(path.join(nodeDir, name)));
  return inputs;
}

export function preparedKey(inputs: Record<string, string>): string {
  return sha256(
    Object.keys(inputs)
      .sort()
      .map(name => `${name}\0${inputs[name]}\n`)
      .join('')
  );
}

/** The names whose hashes differ between two input records (added and removed ones too). */
export function changedInputs(
  recorded: Record<string, string>,
  current: Record<string, string>
): string[] {
  const names = new Set([...Object.keys(recorded), ...Object.keys(current)]);
  return [...names].filter(name => recorded[name] !== current[name]).sort();
}

function entryName(
  kind: PreparedKind,
  key: string,
  ports: PreparedPorts | null
): string {
  return kind === 'samples' && ports
    ? `samples-${key.slice(0, 16)}-${ports.node}-${ports.files}`
    : `contracts-${key.slice(0, 16)}`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live process holding `entry`, or null. */
function lockHolder(entry: string): number | null {
  try {
    const pid = Number(readFileSync(path.join(entry, LOCK_FILE), 'utf8'));
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

/** Locks `entry` for this process; null when a live process holds it. A dead one's lock is taken over. */
async function tryLock(entry: string): Promise<(() => Promise<void>) | null> {
  const file = path.join(entry, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return async () => {
        await rm(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return null;
      if (lockHolder(entry) !== null) return null;
      await rm(file, { force: true });
    }
  }
  return null;
}

async function readManifest(entry: string): Promise<PreparedManifest | null> {
  try {
    const manifest = JSON.parse(
      await readFile(path.join(entry, PREPARED_MANIFEST), 'utf8')
    ) as PreparedManifest;
    return manifest?.format === PREPARED_FORMAT &&
      typeof manifest.key === 'string' &&
      manifest.files &&
      manifest.inputs
      ? manifest
      : null;
  } catch {
    return null;
  }
}

/** Removes `entry` unless a live stack uses it; true when removed. */
async function removeEntry(entry: string): Promise<boolean> {
  if (lockHolder(entry) !== null) return false;
  await rm(entry, { recursive: true, force: true });
  return true;
}

async function portIsFree(port: number): Promise<boolean> {
  return await new Promise(resolve => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A recorded port will do when it is the one asked for, or any port will do and it is free. */
async function portFits(asked: number, recorded: number): Promise<boolean> {
  if (asked === recorded) return true;
  return asked === 0 && (await portIsFree(recorded));
}

function listNames(names: string[], most = 4): string {
  return names.length <= most
    ? names.join(', ')
    : `${names.slice(0, most).join(', ')} and ${names.length - most} more`;
}

export interface PreparedEntry {
  dir: string;
  name: string;
  manifest: PreparedManifest;
  /** Frees the entry's lock (a samples entry stays locked while its stack runs). */
  release(): Promise<void>;
}

/**
 * An entry of `kind` made from the current inputs, locked for this process;
 * for samples, only one whose ports this start can have. Entries made from
 * other inputs are removed on the way (said in the log, with what changed).
 */
export async function findPrepared(options: {
  dir: string;
  kind: PreparedKind;
  key: string;
  inputs: Record<string, string>;
  /** The ports asked for (0: any); samples only. */
  ports?: PreparedPorts;
  log: (line: string) => void;
}): Promise<PreparedEntry | null> {
  const { dir, kind, key, inputs, log } = options;
  let names: string[];
  try {
    names = (await readdir(dir)).filter(name => !name.startsWith('.'));
  } catch {
    return null;
  }
  const candidates: Array<{
    name: string;
    manifest: PreparedManifest;
    used: number;
  }> = [];
  for (const name of names.sort()) {
    const entry = path.join(dir, name);
    const manifest = await readManifest(entry);
    if (!manifest) {
      // A half-removed or foreign entry: nothing to use.
      await removeEntry(entry);
      continue;
    }
    if (manifest.key !== key) {
      if (manifest.kind === kind && (await removeEntry(entry)))
        log(
          `prepared  removed the prepared ${kind} state ${name}: made from other inputs (${listNames(changedInputs(manifest.inputs, inputs))} changed)`
        );
      continue;
    }
    if (manifest.kind === kind) {
      const used = await stat(path.join(entry, PREPARED_MANIFEST)).then(
        found => found.mtimeMs,
        () => 0
      );
      candidates.push({ name, manifest, used });
    }
  }
  // The most recently used first.
  candidates.sort((a, b) => b.used - a.used);
  for (const { name, manifest } of candidates) {
    const entry = path.join(dir, name);
    const release = await tryLock(entry);
    if (!release) continue;
    if (kind === 'samples') {
      const asked = options.ports;
      if (
        !asked ||
        !manifest.ports ||
        !(await portFits(asked.node, manifest.ports.node)) ||
        !(await portFits(asked.files, manifest.ports.files))
      ) {
        await release();
        continue;
      }
    }
    const now = new Date();
    await utimes(path.join(entry, PREPARED_MANIFEST), now, now).catch(() => {});
    return { dir: entry, name, manifest, release };
  }
  return null;
}

/**
 * Copies a prepared entry into an empty state directory, checking every
 * file against its recorded hash (PREPARED_DAMAGED when one differs). The
 * node's stored files are pointed at their new place.
 */
export async function applyPrepared(
  entry: PreparedEntry,
  stateDir: string
): Promise<void> {
  for (const [relative, recorded] of Object.entries(entry.manifest.files)) {
    const content = await readFile(path.join(entry.dir, relative)).catch(
      () => null
    );
    if (!content || sha256(content) !== recorded.sha256)
      throw new PreparedError(
        'PREPARED_DAMAGED',
        `${entry.name}/${relative} is ${content ? 'not the file it recorded' : 'missing'}`
      );
    const target = path.join(stateDir, relative);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  const nodeDb = path.join(stateDir, 'node', 'node.db');
  if (entry.manifest.files['node/node.db'])
    rewriteStoredPaths(
      nodeDb,
      NODE_DIR_TOKEN,
      path.join(stateDir, 'node') + path.sep
    );
}

/** Rewrites the start of the node's stored-file paths (absolute in its database). */
function rewriteStoredPaths(dbFile: string, from: string, to: string): void {
  const db = new Database(dbFile, { fileMustExist: true });
  try {
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'stored_files'"
      )
      .all();
    if (tables.length)
      db.prepare(
        'UPDATE stored_files SET path = @to || substr(path, length(@from) + 1) WHERE substr(path, 1, length(@from)) = @from'
      ).run({ from, to });
  } finally {
    db.close();
  }
}

async function filesBelow(dir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = (await readdir(dir, { recursive: true })).map(String);
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const entry of entries.sort())
    if ((await stat(path.join(dir, entry))).isFile()) files.push(entry);
  return files;
}

/**
 * Keeps what a cold start made as a prepared entry (written aside, then
 * renamed into place: a concurrent start making the same entry wins, ours
 * is dropped) and prunes the cache. `contracts`: the journal and the
 * address file, right after the deploy. `samples`: also the node's database
 * (copied from the running node with VACUUM INTO, before the journal, so it
 * never holds a block the copied journal lacks), its stored files, the
 * sample files and `state` as state.json. Returns the entry's name.
 */
export async function savePrepared(options: {
  dir: string;
  kind: PreparedKind;
  inputs: Record<string, string>;
  stateDir: string;
  /** samples: the ports baked into the DDOs, and the state.json to keep. */
  ports?: PreparedPorts;
  state?: PersistedState;
  log: (line: string) => void;
}): Promise<string | null> {
  const { dir, kind, inputs, stateDir } = options;
  const key = preparedKey(inputs);
  const ports = kind === 'samples' ? (options.ports ?? null) : null;
  const name = entryName(kind, key, ports);
  await mkdir(dir, { recursive: true });
  const temporary = path.join(
    dir,
    `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
  );
  const copied: string[] = [];
  const copy = async (relative: string) => {
    await mkdir(path.dirname(path.join(temporary, relative)), {
      recursive: true
    });
    await copyFile(
      path.join(stateDir, relative),
      path.join(temporary, relative)
    );
    copied.push(relative);
  };
  try {
    await mkdir(temporary, { recursive: true });
    if (kind === 'samples') {
      const state = options.state;
      if (!state || !ports)
        throw new Error('a samples entry needs its state and ports');
      await mkdir(path.join(temporary, 'node'), { recursive: true });
      const nodeDir = path.join(stateDir, 'node');
      const snapshot = path.join(temporary, 'node', 'node.db');
      const live = new Database(path.join(nodeDir, 'node.db'), {
        fileMustExist: true
      });
      try {
        live.pragma('busy_timeout = 5000');
        live.prepare('VACUUM INTO ?').run(snapshot);
      } finally {
        live.close();
      }
      rewriteStoredPaths(snapshot, nodeDir + path.sep, NODE_DIR_TOKEN);
      copied.push('node/node.db');
      for (const file of await filesBelow(path.join(nodeDir, 'files')))
        await copy(path.join('node', 'files', file));
      for (const file of state.files ?? [])
        await copy(path.join('samples', file.name));
      const kept: PersistedState = {
        ...state,
        // A second node's data is not kept; a start that runs one lets it index anew.
        ports: { ...state.ports, node2: null }
      };
      await writeFile(
        path.join(temporary, STATE_FILE),
        JSON.stringify(kept, null, 2) + '\n'
      );
      copied.push(STATE_FILE);
    }
    await copy('address.json');
    // Whole lines only: a call being journaled right now is not part of this state.
    const journal = await readFile(path.join(stateDir, JOURNAL_FILE), 'utf8');
    const lines = journal.slice(0, journal.lastIndexOf('\n') + 1);
    await writeFile(path.join(temporary, JOURNAL_FILE), lines);
    copied.push(JOURNAL_FILE);
    const last = lines.trimEnd().split('\n').at(-1) ?? '{}';
    const blocks = Number((JSON.parse(last) as { n?: number }).n ?? 0);

    const files: PreparedManifest['files'] = {};
    for (const relative of copied.sort()) {
      const content = await readFile(path.join(temporary, relative));
      files[relative] = { sha256: sha256(content), bytes: content.length };
    }
    const manifest: PreparedManifest = {
      format: PREPARED_FORMAT,
      kind,
      key,
      inputs,
      ports,
      createdAt: new Date().toISOString(),
      blocks,
      files
    };
    await writeFile(
      path.join(temporary, PREPARED_MANIFEST),
      JSON.stringify(manifest, null, 2) + '\n'
    );
    const target = path.join(dir, name);
    // One made meanwhile, or an old one nobody uses, gives way to this one.
    if (!(await readManifest(target)) || (await removeEntry(target)))
      await rename(temporary, target).catch(async error => {
        if (!['EEXIST', 'ENOTEMPTY'].includes(error.code)) throw error;
      });
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
  await prunePrepared(dir, key, options.log);
  return name;
}

/**
 * Removes entries of other inputs and all but the most recently used
 * samples entries of these (never one a running stack holds).
 */
async function prunePrepared(
  dir: string,
  key: string,
  log: (line: string) => void
): Promise<void> {
  const samples: Array<{ name: string; used: number }> = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (name.startsWith('.tmp-')) {
      // Left by a start that was killed while writing it.
      const pid = Number(name.split('-')[1]);
      if (!isAlive(pid))
        await rm(path.join(dir, name), { recursive: true, force: true });
      continue;
    }
    const entry = path.join(dir, name);
    const manifest = await readManifest(entry);
    if (!manifest || manifest.key !== key) {
      if (await removeEntry(entry))
        log(`prepared  removed ${name}, made from other inputs`);
      continue;
    }
    if (manifest.kind === 'samples')
      samples.push({
        name,
        used: (await stat(path.join(entry, PREPARED_MANIFEST))).mtimeMs
      });
  }
  samples.sort((a, b) => b.used - a.used);
  for (const { name } of samples.slice(SAMPLES_KEPT))
    await removeEntry(path.join(dir, name));
}

/** Removes one entry (damaged, or one a start could not use); a running stack's is kept. */
export async function discardPrepared(entry: PreparedEntry): Promise<void> {
  await entry.release();
  await removeEntry(entry.dir);
}
