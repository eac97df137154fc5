/**
 * `npm run bench:stack`: how long the whole local Ocean network takes to be
 * ready (a new process running `stack/src/main.ts` on free ports, until it
 * prints "Ocean stack ready"), three ways:
 *
 *   first-ever cold start  no prepared state yet (an empty --prepared-dir):
 *                          deploys, publishes, indexes, and keeps the result
 *   prepared cold start    `--fresh` on the same state directory: starts from
 *                          the prepared state the first start kept (prepared.ts)
 *   warm start             the same state directory again: reuses its own state
 *
 * plus one full buy → download of the priced CSV sample through
 * `@oceanprotocol/lib`. Each figure comes with the load averages
 * (os.loadavg(), 1/5/15 min) when it was taken: the machine is shared. The
 * last line is a JSON object.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ACCOUNTS } from '../src/accounts.ts';
import { buyAndDownload } from '../src/consume.ts';
import type { StackInfo } from '../src/stack.ts';
import { freePort } from '../test/helpers.ts';

const main = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'src',
  'main.ts'
);
const base = await mkdtemp(path.join(tmpdir(), 'ocean-stack-bench-'));
const stateDir = path.join(base, 'state');
// Empty at first: the first start is a first-ever one, and keeps its result here.
const preparedDir = path.join(base, 'prepared');
// The node's and the file server's URLs are inside the published DDOs, so
// the warm start keeps them.
const args = [
  '--state-dir',
  stateDir,
  '--prepared-dir',
  preparedDir,
  '--chain-port',
  '0',
  '--node-port',
  String(await freePort()),
  '--faucet-port',
  '0',
  '--files-port',
  String(await freePort())
];

interface Started {
  child: ChildProcessWithoutNullStreams;
  seconds: number;
  output: string;
  /** os.loadavg() as the start began. */
  load: number[];
}

const round = (value: number) => Number(value.toFixed(2));
const loadText = (load: number[]) =>
  `load ${load.map(value => value.toFixed(2)).join(' ')}`;

/** Starts main.ts and resolves with the seconds until it printed "Ocean stack ready". */
async function start(extra: string[]): Promise<Started> {
  const load = loadavg();
  const started = performance.now();
  // Its own process group: whatever it leaves behind can be found and ended (stop()).
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', main, ...args, ...extra],
    { stdio: ['ignore', 'pipe', 'inherit'], detached: true }
  ) as unknown as ChildProcessWithoutNullStreams;
  running = child;
  let output = '';
  const seconds = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ocean stack ready'))
        resolve((performance.now() - started) / 1000);
    });
    child.once('exit', code =>
      reject(
        new Error(
          `the stack exited (code ${code}) before it was ready:\n${output}`
        )
      )
    );
  });
  return { child, seconds, output, load };
}

/** The running processes of process group `group` (zombies do not count), from /proc. */
function groupMembers(group: number): string[] {
  const found: string[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, , processGroup] = stat
        .slice(stat.lastIndexOf(')') + 2)
        .split(' ');
      if (Number(processGroup) === group && state !== 'Z')
        found.push(
          `${name} ${readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()}`
        );
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/**
 * SIGTERMs the stack as a person's Ctrl-C would and waits until it exited. A
 * process it leaves running (a bug of the stack's stop) is named, counted as
 * a failure and killed: it would hold our pipe open and this bench would
 * never end.
 */
async function stop(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise(resolve => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  child.stdout.destroy();
  const group = child.pid!;
  let left = groupMembers(group);
  for (let waited = 0; left.length && waited < 2000; waited += 100) {
    await new Promise(resolve => setTimeout(resolve, 100));
    left = groupMembers(group);
  }
  if (left.length) {
    console.error(
      `bench: the stack exited but left these running; killing them:\n  ${left.join('\n  ')}`
    );
    process.exitCode = 1;
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

let running: ChildProcessWithoutNullStreams | null = null;

// The stack runs in its own process group, out of reach of a Ctrl-C at the terminal: pass it on.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    void (async () => {
      if (running) await stop(running);
      await rm(base, { recursive: true, force: true });
      process.exit(130);
    })();
  });

async function stackInfo(): Promise<StackInfo> {
  return JSON.parse(
    await readFile(path.join(stateDir, 'stack.json'), 'utf8')
  ) as StackInfo;
}

/** The stack's own lines (the node's are many and say nothing here). */
function stackLines(output: string): string {
  return output
    .split('\n')
    .filter(line => !line.startsWith('[ocean-node]'))
    .join('\n');
}

try {
  const cold = await start(['--fresh']);
  process.stdout.write(stackLines(cold.output));
  const info = await stackInfo();
  if (info.prepared !== null)
    throw new Error(
      'The first start did not deploy: its prepared dir was not empty.'
    );
  if (!info.nodeUrl || !info.samples.csv)
    throw new Error('The stack has no node or no CSV sample; nothing to buy.');
  const buyLoad = loadavg();
  const buyStarted = performance.now();
  const download = await buyAndDownload({
    rpcUrl: info.rpcUrl,
    nodeUrl: info.nodeUrl,
    addressFile: info.addressFile,
    did: info.samples.csv,
    consumerPrivateKey: ACCOUNTS.consumer.privateKey
  });
  const buyDownload = (performance.now() - buyStarted) / 1000;
  await stop(cold.child);

  // `npm start -- --fresh` from now on: the prepared state the first start kept.
  const prepared = await start(['--fresh']);
  const preparedInfo = await stackInfo();
  if (preparedInfo.prepared !== 'samples')
    throw new Error(
      `The --fresh start did not begin from the prepared state:\n${stackLines(prepared.output)}`
    );
  const preparedLine = /^fresh state in .* from the prepared .*$/m.exec(
    prepared.output
  )?.[0];
  await stop(prepared.child);

  const warm = await start([]);
  const reused = /^reused state from .*$/m.exec(warm.output)?.[0];
  if (!reused)
    throw new Error(`The warm start did not reuse the state:\n${warm.output}`);
  const warmInfo = await stackInfo();
  await stop(warm.child);

  console.log(
    `stack phases, first-ever cold (s): ${JSON.stringify(info.timings)}`
  );
  console.log(
    `stack phases, prepared cold (s): ${JSON.stringify(preparedInfo.timings)}`
  );
  console.log(`stack phases, warm (s): ${JSON.stringify(warmInfo.timings)}`);
  console.log(
    `first-ever cold start to ready (no prepared state): ${cold.seconds.toFixed(2)} s (${loadText(cold.load)})`
  );
  console.log(
    `prepared cold start to ready (--fresh): ${prepared.seconds.toFixed(2)} s (goal ≤ 6 s; ${loadText(prepared.load)}; ${preparedLine})`
  );
  console.log(
    `warm start to ready: ${warm.seconds.toFixed(2)} s (${loadText(warm.load)}; ${reused})`
  );
  console.log(
    `buy → download of ${info.samples.csv}: ${buyDownload.toFixed(2)} s, ${download.bytes.length} bytes (${loadText(buyLoad)})`
  );
  console.log(
    JSON.stringify({
      first_ever_cold_start_s: round(cold.seconds),
      prepared_cold_start_s: round(prepared.seconds),
      warm_start_s: round(warm.seconds),
      buy_download_s: round(buyDownload),
      load: {
        first_ever_cold_start: cold.load.map(round),
        prepared_cold_start: prepared.load.map(round),
        warm_start: warm.load.map(round),
        buy_download: buyLoad.map(round)
      },
      cores: availableParallelism()
    })
  );
} catch (error) {
  // Short message: a lib error's stack would print its whole minified bundle.
  console.error(
    `bench failed: ${error instanceof Error ? error.message : String(error)}`
  );
  process.exitCode = 1;
} finally {
  if (running) await stop(running);
  await rm(base, { recursive: true, force: true });
}
