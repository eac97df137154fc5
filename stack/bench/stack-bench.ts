/**
 * `npm run bench:stack`: cold start of the whole local Ocean network (a new
 * process running `stack/src/main.ts --fresh` on free ports, until it prints
 * "Ocean stack ready"), then one full buy → download of the priced CSV sample
 * through `@oceanprotocol/lib`. The last line is a JSON object.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ACCOUNTS } from '../src/accounts.ts';
import { buyAndDownload } from '../src/consume.ts';
import type { StackInfo } from '../src/stack.ts';

const main = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'src',
  'main.ts'
);
const stateDir = await mkdtemp(path.join(tmpdir(), 'ocean-stack-bench-'));
const started = performance.now();
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    main,
    '--fresh',
    '--state-dir',
    stateDir,
    '--chain-port',
    '0',
    '--node-port',
    '0',
    '--faucet-port',
    '0',
    '--files-port',
    '0'
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] }
);
let output = '';
try {
  const coldStart = await new Promise<number>((resolve, reject) => {
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
  process.stdout.write(output);
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
  console.log(`stack phases (s): ${JSON.stringify(info.timings)}`);
  console.log(`cold start to ready: ${coldStart.toFixed(2)} s (goal ≤ 15 s)`);
  console.log(
    `buy → download of ${info.samples.csv}: ${buyDownload.toFixed(2)} s, ${download.bytes.length} bytes`
  );
  console.log(
    JSON.stringify({
      cold_start_s: Number(coldStart.toFixed(2)),
      buy_download_s: Number(buyDownload.toFixed(2))
    })
  );
} catch (error) {
  // Short message: a lib error's stack would print its whole minified bundle.
  console.error(
    `bench failed: ${error instanceof Error ? error.message : String(error)}`
  );
  process.exitCode = 1;
} finally {
  child.kill('SIGTERM');
  await new Promise(resolve =>
    child.exitCode !== null ? resolve(null) : child.once('exit', resolve)
  );
  await rm(stateDir, { recursive: true, force: true });
}
