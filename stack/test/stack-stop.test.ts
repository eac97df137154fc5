/**
 * `npm run stack` stops everything it started when it is told to: after a
 * SIGTERM (or SIGINT) no process the stack started, its Ocean Nodes above
 * all, is still running once main.ts has exited, whether the signal came
 * after "Ocean stack ready" or while the stack was still starting. A node
 * left behind holds its port, its database and the pipe of whoever reads
 * the stack's output (`npm run bench:stack` hung on one).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ANY_FREE_PORTS } from './helpers.ts';

const main = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'src',
  'main.ts'
);

/** Every pid main.ts or its children started, for the clean-up of a failed test. */
const seen = new Set<number>();
const dirs: string[] = [];
/** This file's own prepared states: the first start makes them, the others begin from them. */
let preparedDir: string | undefined;

/** The parent pid of every process on the machine, from /proc. */
function parents(): Map<number, number> {
  const result = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      result.set(Number(name), Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  return result;
}

/** The processes below `root` (children, their children, …). */
function descendants(root: number): number[] {
  const byParent = parents();
  const found: number[] = [];
  const queue = [root];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const [pid, ppid] of byParent)
      if (ppid === parent && !found.includes(pid)) {
        found.push(pid);
        queue.push(pid);
      }
  }
  return found;
}

/** True while `pid` runs (a zombie, dead but not yet reaped, does not count). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^ Z /.test(stat.slice(stat.lastIndexOf(')') + 1));
  } catch {
    return false;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '(gone)';
  }
}

async function readPid(file: string): Promise<number | null> {
  try {
    const pid = Number((await readFile(file, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

interface Started {
  child: ChildProcess;
  stateDir: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** main.ts on free ports and a new state directory (from the prepared state when there is one). */
async function startMain(extra: string[] = []): Promise<Started> {
  preparedDir ??= await mkdtemp(
    path.join(tmpdir(), 'ocean-stack-stop-prepared-')
  );
  if (!dirs.includes(preparedDir)) dirs.push(preparedDir);
  const stateDir = await mkdtemp(path.join(tmpdir(), 'ocean-stack-stop-'));
  dirs.push(stateDir);
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      main,
      '--fresh',
      '--state-dir',
      stateDir,
      '--prepared-dir',
      preparedDir,
      ...ANY_FREE_PORTS,
      ...extra
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] }
  );
  if (child.pid) seen.add(child.pid);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>(resolve =>
    child.once('exit', code => resolve(code))
  );
  return { child, stateDir, output: () => output, exited };
}

/** Resolves once `check` is true; fails when main.ts exits first or after `ms`. */
async function until(
  started: Started,
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = 180_000
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (started.child.exitCode !== null || started.child.signalCode !== null)
      throw new Error(
        `main.ts exited before ${what}:\n${started.output().slice(-3000)}`
      );
    if (Date.now() > deadline)
      throw new Error(
        `no ${what} within ${ms / 1000} s:\n${started.output().slice(-3000)}`
      );
    for (const pid of descendants(started.child.pid!)) seen.add(pid);
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

/** SIGTERMs main.ts and asserts that it exits and leaves none of its processes running. */
async function stopAndCheck(started: Started, known: number[]) {
  const before = [...new Set([...known, ...descendants(started.child.pid!)])];
  for (const pid of before) seen.add(pid);
  started.child.kill('SIGTERM');
  const code = await Promise.race([
    started.exited,
    new Promise<'hung'>(resolve => setTimeout(() => resolve('hung'), 30_000))
  ]);
  assert.notEqual(code, 'hung', 'main.ts exits within 30 s of SIGTERM');
  const left = before.filter(isRunning);
  assert.deepEqual(
    left.map(pid => `${pid} ${commandLine(pid)}`),
    [],
    `processes the stack started still run after it exited:\n${started.output().slice(-3000)}`
  );
  return { code, before };
}

describe('stopping the stack (main.ts) stops every process it started', () => {
  after(async () => {
    for (const pid of seen)
      if (isRunning(pid))
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('SIGTERM after "Ocean stack ready" (two nodes): both nodes are gone when main.ts exits', async () => {
    const started = await startMain(['--nodes', '2']);
    await until(
      started,
      () => started.output().includes('Ocean stack ready'),
      '"Ocean stack ready"'
    );
    const nodes = [
      await readPid(path.join(started.stateDir, 'node.pid')),
      await readPid(path.join(started.stateDir, 'node2.pid'))
    ];
    assert.ok(
      nodes.every(pid => pid !== null && isRunning(pid)),
      `both nodes run and have pid files: ${JSON.stringify(nodes)}`
    );
    const { code } = await stopAndCheck(started, nodes as number[]);
    assert.equal(code, 0, 'a SIGTERM stop exits cleanly');
    assert.ok(!existsSync(path.join(started.stateDir, 'node.pid')));
    assert.ok(!existsSync(path.join(started.stateDir, 'node2.pid')));
  });

  it('SIGTERM the moment "Ocean stack ready" is read (as bench:stack does): the node is gone when main.ts exits', async () => {
    const started = await startMain();
    let node: number | null = null;
    let signalled = false;
    // No await between reading the line and the signal: main.ts may still be printing the rest.
    started.child.stdout!.on('data', () => {
      if (signalled || !started.output().includes('Ocean stack ready')) return;
      signalled = true;
      for (const pid of descendants(started.child.pid!)) seen.add(pid);
      started.child.kill('SIGTERM');
    });
    await until(started, () => signalled, '"Ocean stack ready"').catch(
      error => {
        if (!signalled) throw error;
      }
    );
    node = await readPid(path.join(started.stateDir, 'node.pid'));
    const code = await Promise.race([
      started.exited,
      new Promise<'hung'>(resolve => setTimeout(() => resolve('hung'), 30_000))
    ]);
    assert.notEqual(code, 'hung', 'main.ts exits within 30 s of SIGTERM');
    const left = [...seen].filter(
      pid => pid !== started.child.pid && isRunning(pid)
    );
    assert.deepEqual(
      left.map(pid => `${pid} ${commandLine(pid)}`),
      [],
      `processes the stack started still run after it exited (node pid file: ${node}):\n${started.output().slice(-2000)}`
    );
  });

  it('SIGTERM while the node is still starting: the node is gone when main.ts exits', async () => {
    const started = await startMain();
    const pidFile = path.join(started.stateDir, 'node.pid');
    // The pid file is written as soon as the node is spawned, before it answers.
    await until(
      started,
      async () => (await readPid(pidFile)) !== null,
      'the node was spawned',
      120_000
    );
    const node = (await readPid(pidFile))!;
    assert.ok(
      !started.output().includes('Ocean stack ready'),
      'the signal comes during start-up'
    );
    await stopAndCheck(started, [node]);
    assert.ok(!isRunning(node), `the node (pid ${node}) is gone`);
  });

  it('SIGTERM while the samples are being published: the start stops, the node is gone when main.ts exits', async () => {
    // Nothing prepared: this start deploys and publishes, the longest step with a node running.
    const started = await startMain(['--no-prepared']);
    await until(
      started,
      () => /^node {6}http:\/\//m.test(started.output()),
      'the node answered'
    );
    const node = await readPid(path.join(started.stateDir, 'node.pid'));
    assert.ok(node !== null && isRunning(node), 'the node runs');
    assert.ok(!started.output().includes('samples   published'));
    const { code } = await stopAndCheck(started, [node]);
    assert.equal(code, 0, 'a stop asked for is a clean exit');
    assert.match(started.output(), /Stopped before the local Ocean network/);
    assert.ok(!existsSync(path.join(started.stateDir, 'node.pid')));
  });

  it('SIGTERM before any node was spawned: main.ts exits and starts none afterwards', async () => {
    const started = await startMain();
    await until(
      started,
      () => started.output().includes('chain     http://'),
      'the chain was up'
    );
    const { before } = await stopAndCheck(started, []);
    // Nothing may be spawned after the signal either (main.ts has exited, so a late child would be an orphan).
    await new Promise(resolve => setTimeout(resolve, 500));
    const pid = await readPid(path.join(started.stateDir, 'node.pid'));
    assert.ok(
      pid === null || !isRunning(pid),
      `no node runs after the stop (pid file: ${pid}; seen before: ${before.join(',')})`
    );
  });
});
