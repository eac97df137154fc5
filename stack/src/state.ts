/**
 * The state directory between starts: what the last start set up (contracts,
 * sample assets, their file secret and ports), whether it may be reused, and
 * what happens to it when it may not.
 *
 * Layout of the state directory:
 *   state.json      this file's record (written when a fresh start begins, completed when it is ready)
 *   chain.jsonl     the chain journal (journal.ts)
 *   address.json    contract addresses (lib ADDRESS_FILE)
 *   node/           the Ocean Node's SQLite database and stored files
 *   node2/          the second node's (`--nodes 2`), kept when a later start runs one node
 *   samples/        sample files (regenerated on every start; deterministic)
 *   stack.json      the running stack's URLs (removed on stop)
 *   stack.pid       the process using the directory (removed on stop)
 *   discarded/      earlier states that could not be reused, moved aside
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  writeFile
} from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { SampleFile } from './sample-data.ts';

/** Bump when the meaning of the state directory changes. */
export const STATE_FORMAT = 1;

export const STATE_FILE = 'state.json';
export const JOURNAL_FILE = 'chain.jsonl';
export const DISCARDED_DIR = 'discarded';
const LOCK_FILE = 'stack.pid';
/** How many discarded states are kept; older ones are removed (and said so). */
const DISCARDED_KEPT = 3;

export interface PersistedState {
  format: typeof STATE_FORMAT;
  /** Hash of everything that decides the contracts and samples (stateFingerprint()). */
  fingerprint: string;
  createdAt: string;
  /** Bearer secret of the private sample files; it is inside the published DDOs. */
  fileSecret: string;
  /** The sample files served, so a reusing start need not regenerate them. */
  files?: SampleFile[];
  /**
   * Ports baked into the published DDOs (node service endpoint and decryptor, sample file
   * URLs). node2: the second node's, once a start ran one (absent in states from before).
   */
  ports: { node: number | null; files: number; node2?: number | null };
  /** Whether this state was asked to carry sample assets. */
  samples: boolean;
  /** False until the start that created the state was ready (deploy and samples done). */
  complete: boolean;
  sampleDids?: Record<string, string | null>;
  sampleDetails?: Record<string, unknown>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** gan-sample.ts' GAN_MODEL_DIR; not imported from there, as that module loads @oceanprotocol/lib. */
const GAN_MODEL_DIR = path.resolve(here, '..', '..', 'gan', 'model');
const require = createRequire(import.meta.url);

/** Sources whose code decides what the deploy and the samples put on chain. */
const DEPLOY_INPUTS = [
  'accounts.ts',
  'chain.ts',
  'deploy.ts',
  'publish.ts',
  'samples.ts',
  'sample-data.ts',
  'gan-sample.ts',
  'compute-samples.ts',
  'compute-publish.ts',
  'file-server.ts'
];

/**
 * The deploy inputs, each as a label and its content: the stack's version, the contract
 * artifacts' and Hardhat's versions, the sources that deploy and publish (read from
 * `sourceDir`, the stack's src/ unless a test names a copy), and the GAN model files. Ports are
 * not among them: they can change between starts.
 */
export function deployInputs(
  sourceDir = here
): Array<[string, string | Buffer]> {
  const inputs: Array<[string, string | Buffer]> = [];
  const add = (label: string, content: string | Buffer) =>
    inputs.push([label, content]);
  add('format', String(STATE_FORMAT));
  const version = (name: string) =>
    (require(`${name}/package.json`) as { version: string }).version;
  add(
    'stack',
    (
      JSON.parse(
        readFileSync(path.join(here, '..', 'package.json'), 'utf8')
      ) as { version: string }
    ).version
  );
  add('contracts', version('@oceanprotocol/contracts'));
  add('hardhat', version('hardhat'));
  for (const file of DEPLOY_INPUTS)
    add(file, readFileSync(path.join(sourceDir, file)));
  if (existsSync(GAN_MODEL_DIR))
    for (const name of ['generator.onnx', 'samples.png', 'training.json']) {
      const file = path.join(GAN_MODEL_DIR, name);
      if (existsSync(file)) add(`gan/${name}`, readFileSync(file));
    }
  return inputs;
}

/** A hash of the deploy inputs (deployInputs()). */
export function stateFingerprint(): string {
  const hash = createHash('sha256');
  for (const [label, content] of deployInputs())
    hash.update(`${label}\0${content.length}\0`).update(content);
  return hash.digest('hex');
}

/**
 * Why a recorded state may not be reused before its chain is even started
 * (null when nothing speaks against it): the rest is checked by replaying.
 */
export function stateProblem(
  state: PersistedState | null,
  fingerprint: string,
  wantSamples: boolean
): string | null {
  if (!state)
    return 'it has no readable state.json: a start cut short, or made by an older version';
  if (state.format !== STATE_FORMAT)
    return `it is in format ${state.format}, not ${STATE_FORMAT}`;
  if (!state.complete) return 'the start that created it never became ready';
  if (state.fingerprint !== fingerprint)
    return 'the contracts, sample assets or stack version changed since it was made';
  if (wantSamples && !state.samples)
    return 'it was made without the sample assets';
  return null;
}

export async function readState(
  stateDir: string
): Promise<PersistedState | null> {
  try {
    const state = JSON.parse(
      await readFile(path.join(stateDir, STATE_FILE), 'utf8')
    ) as PersistedState;
    return typeof state === 'object' && state !== null ? state : null;
  } catch {
    return null;
  }
}

export async function writeState(
  stateDir: string,
  state: PersistedState
): Promise<void> {
  const file = path.join(stateDir, STATE_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(state, null, 2) + '\n');
  await rename(temporary, file);
}

/** Everything in the state directory but the discarded states. */
async function stateEntries(stateDir: string): Promise<string[]> {
  try {
    return (await readdir(stateDir)).filter(
      name => name !== DISCARDED_DIR && name !== LOCK_FILE
    );
  } catch {
    return [];
  }
}

/** True when the directory holds anything from an earlier start. */
export async function hasState(stateDir: string): Promise<boolean> {
  return (await stateEntries(stateDir)).length > 0;
}

/** `--fresh`: removes the state (the discarded ones stay). */
export async function clearState(stateDir: string): Promise<void> {
  for (const name of await stateEntries(stateDir))
    await rm(path.join(stateDir, name), { recursive: true, force: true });
}

/**
 * Moves the current state into `discarded/<time>/` and returns that path.
 * Only the newest few are kept; the names of removed ones go to `log`.
 */
export async function moveStateAside(
  stateDir: string,
  log: (line: string) => void
): Promise<string> {
  const discarded = path.join(stateDir, DISCARDED_DIR);
  const target = path.join(
    discarded,
    new Date().toISOString().replace(/[:.]/g, '-')
  );
  await mkdir(target, { recursive: true });
  for (const name of await stateEntries(stateDir))
    await rename(path.join(stateDir, name), path.join(target, name));
  const kept = (await readdir(discarded)).sort();
  for (const old of kept.slice(0, Math.max(0, kept.length - DISCARDED_KEPT))) {
    await rm(path.join(discarded, old), { recursive: true, force: true });
    log(
      `state     removed the oldest discarded state ${path.join(discarded, old)} (keeping ${DISCARDED_KEPT})`
    );
  }
  return target;
}

export class StateInUseError extends Error {
  readonly code = 'STACK_STATE_IN_USE';
  constructor(stateDir: string, pid: number) {
    super(
      `Another stack (process ${pid}) is using ${stateDir}. Stop it first, or give this one its own --state-dir.`
    );
    this.name = 'StateInUseError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims the state directory for this process: two stacks appending to one
 * journal would corrupt it. A lock left by a killed process is taken over.
 * Returns the release function.
 */
export async function lockStateDir(
  stateDir: string
): Promise<() => Promise<void>> {
  await mkdir(stateDir, { recursive: true });
  const file = path.join(stateDir, LOCK_FILE);
  for (;;) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (
        Number.isInteger(pid) &&
        pid > 0 &&
        pid !== process.pid &&
        isAlive(pid)
      )
        throw new StateInUseError(stateDir, pid);
      await rm(file, { force: true });
    }
  }
  return async () => {
    await rm(file, { force: true });
  };
}
