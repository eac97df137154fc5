/**
 * `npm run bench:stack`: cold start of the whole local Ocean network (a new
 * process running `stack/src/main.ts --fresh` on free ports, until it prints
 * "Ocean stack ready"), one full buy → download of the priced CSV sample
 * through `@oceanprotocol/lib`, then a stop and a warm start on the same
 * state directory (the chain replayed from its journal, nothing deployed or
 * published). The last line is a JSON object.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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
const stateDir = await mkdtemp(path.join(tmpdir(), 'ocean-stack-bench-'));
// The node's and the file server's URLs are inside the published DDOs, so
// the warm start keeps them.
const args = [
  '--state-dir',
  stateDir,
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
}

/** Starts main.ts and resolves with the seconds until it printed "Ocean stack ready". */
async function start(extra: string[]): Promise<Started> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', main, ...args, ...extra],
    { stdio: ['ignore', 'pipe', 'inherit'] }
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
  return { child, seconds, output };
}

async function stop(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise(resolve => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

let running: ChildProcessWithoutNullStreams | null = null;
try {
  const cold = await start(['--fresh']);
  process.stdout.write(cold.output);
  const info = JSON.parse(
    await readFile(path.join(stateDir, 'stack.json'), 'utf8')
  ) as StackInfo;
  if (!info.nodeUrl || !info.samples.csv)
    throw new Error('The stack has no node or no CSV sample; nothing to buy.');
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

  const warm = await start([]);
  const reused = /^reused state from .*$/m.exec(warm.output)?.[0];
  if (!reused)
    throw new Error(`The warm start did not reuse the state:\n${warm.output}`);
  const warmInfo = JSON.parse(
    await readFile(path.join(stateDir, 'stack.json'), 'utf8')
  ) as StackInfo;
  await stop(warm.child);

  console.log(`stack phases, cold (s): ${JSON.stringify(info.timings)}`);
  console.log(`stack phases, warm (s): ${JSON.stringify(warmInfo.timings)}`);
  console.log(
    `cold start to ready: ${cold.seconds.toFixed(2)} s (goal ≤ 15 s)`
  );
  console.log(
    `buy → download of ${info.samples.csv}: ${buyDownload.toFixed(2)} s, ${download.bytes.length} bytes`
  );
  console.log(`warm start to ready: ${warm.seconds.toFixed(2)} s (${reused})`);
  console.log(
    JSON.stringify({
      cold_start_s: Number(cold.seconds.toFixed(2)),
      buy_download_s: Number(buyDownload.toFixed(2)),
      warm_start_s: Number(warm.seconds.toFixed(2))
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
  await rm(stateDir, { recursive: true, force: true });
}
