/**
 * The prepared state (prepared.ts): a cold start keeps what it made, a later
 * start in a new state directory begins from it with the same contracts, the
 * same samples findable on the node and a working buy → download, and an
 * entry made from other inputs, or whose files changed, is not used.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cp,
  mkdtemp,
  readdir,
  readFile,
  rm,
  writeFile
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { Aquarius } from '@oceanprotocol/lib';
import { Wallet } from 'ethers';

import { ACCOUNTS } from '../src/accounts.ts';
import { buyAndDownload } from '../src/consume.ts';
import { localProvider, type DevelopmentAddresses } from '../src/deploy.ts';
import {
  changedInputs,
  PREPARED_MANIFEST,
  preparedInputs,
  preparedKey,
  type PreparedManifest
} from '../src/prepared.ts';
import { publishAsset, waitUntilIndexed } from '../src/publish.ts';
import type { StackInfo } from '../src/stack.ts';
import { ANY_FREE_PORTS, rpc } from './helpers.ts';

const src = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'src'
);
const main = path.join(src, 'main.ts');

interface RunningMain {
  child: ChildProcess;
  info: StackInfo;
  output: string;
}

const groups: number[] = [];

/** main.ts in its own process group, on free ports; resolves when it is ready. */
async function startMain(
  stateDir: string,
  preparedDir: string,
  extra: string[] = []
): Promise<RunningMain> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      main,
      '--state-dir',
      stateDir,
      '--prepared-dir',
      preparedDir,
      ...ANY_FREE_PORTS,
      ...extra
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true }
  );
  if (child.pid) groups.push(child.pid);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ocean stack ready')) resolve();
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    child.once('exit', code =>
      reject(new Error(`main.ts exited (${code}) before ready:\n${output}`))
    );
  });
  const info = JSON.parse(
    await readFile(path.join(stateDir, 'stack.json'), 'utf8')
  ) as StackInfo;
  return { child, info, output };
}

async function stopMain(running: RunningMain): Promise<void> {
  const { child } = running;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise(resolve => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
}

/** The stack's own lines, without the node's. */
function stackLines(output: string): string {
  return output
    .split('\n')
    .filter(line => !line.startsWith('[ocean-node]'))
    .join('\n');
}

async function entries(preparedDir: string): Promise<string[]> {
  return (await readdir(preparedDir)).filter(name => !name.startsWith('.'));
}

async function editManifest(
  entry: string,
  edit: (manifest: PreparedManifest) => void
): Promise<void> {
  const file = path.join(entry, PREPARED_MANIFEST);
  const manifest = JSON.parse(await readFile(file, 'utf8')) as PreparedManifest;
  edit(manifest);
  await writeFile(file, JSON.stringify(manifest, null, 2) + '\n');
}

describe('the prepared state', () => {
  let base: string;
  let preparedDir: string;
  let running: RunningMain | null = null;
  let cold: StackInfo;
  let coldAddresses: string;

  before(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'ocean-stack-prepared-'));
    preparedDir = path.join(base, 'prepared');
  });

  after(async () => {
    for (const group of groups) {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // already stopped
      }
    }
    if (base) await rm(base, { recursive: true, force: true });
  });

  it('a cold start deploys, publishes and keeps both as the prepared state', async () => {
    running = await startMain(path.join(base, 'cold'), preparedDir);
    cold = running.info;
    const output = stackLines(running.output);
    assert.match(output, /^fresh state in \S+$/m);
    assert.match(output, /^contracts deployed in /m);
    assert.match(output, /^samples {3}published and indexed/m);
    assert.match(output, /^prepared {2}kept the contracts for later/m);
    assert.match(
      output,
      /^prepared {2}kept the contracts and samples for later/m
    );
    assert.equal(cold.prepared, null);
    assert.equal(cold.reused, false);
    coldAddresses = await readFile(cold.addressFile, 'utf8');
    const kept = await entries(preparedDir);
    const nodePort = new URL(cold.nodeUrl!).port;
    const filesPort = new URL(cold.filesUrl).port;
    assert.deepEqual(
      kept.map(name => name.replace(/-[0-9a-f]{16}/, '')).sort(),
      ['contracts', `samples-${nodePort}-${filesPort}`]
    );
    await stopMain(running);
    running = null;
  });

  it('a start in a new state directory begins from it: same contracts and samples, the node finds them, buy → download works', async () => {
    const stateDir = path.join(base, 'prepared-start');
    running = await startMain(stateDir, preparedDir);
    const { info } = running;
    const output = stackLines(running.output);
    assert.match(
      output,
      /^fresh state in \S+ from the prepared contracts and samples \(\d+ blocks replayed in [\d.]+ s\)$/m
    );
    assert.doesNotMatch(output, /contracts deployed|samples {3}published/);
    assert.equal(info.prepared, 'samples');
    assert.equal(info.reused, false);
    assert.equal(info.stateDir, stateDir);
    // The same contract addresses and sample DIDs as the cold start made.
    assert.equal(await readFile(info.addressFile, 'utf8'), coldAddresses);
    assert.deepEqual(info.samples, cold.samples);
    assert.deepEqual(info.sampleDetails, cold.sampleDetails);
    assert.equal(info.nodeUrl, cold.nodeUrl);
    assert.equal(info.filesUrl, cold.filesUrl);

    // Every sample is findable on the node, which indexed it from the chain's own events.
    const aquarius = new Aquarius(info.nodeUrl!);
    for (const did of Object.values(info.samples))
      if (did) assert.equal((await aquarius.resolve(did)).id, did);
    const addresses = JSON.parse(coldAddresses)
      .development as DevelopmentAddresses;
    const logs = (await rpc(info.rpcUrl, 'eth_getLogs', [
      { fromBlock: '0x0', toBlock: 'latest', address: addresses.ERC721Factory }
    ])) as unknown[];
    assert.ok(logs.length >= 6, `${logs.length} factory logs on the chain`);

    // A paid download of the CSV, its bytes the sample file's.
    const download = await buyAndDownload({
      rpcUrl: info.rpcUrl,
      nodeUrl: info.nodeUrl!,
      addressFile: info.addressFile,
      did: info.samples.csv!,
      consumerPrivateKey: ACCOUNTS.consumer.privateKey
    });
    const expected = await readFile(
      path.join(stateDir, 'samples', 'weather-stations-2025.csv')
    );
    assert.equal(
      createHash('sha256').update(download.bytes).digest('hex'),
      createHash('sha256').update(expected).digest('hex')
    );

    // The node's index goes on from the copied database: a new asset is found.
    const provider = localProvider(info.rpcUrl);
    try {
      const published = await publishAsset({
        signer: new Wallet(ACCOUNTS.consumer2.privateKey, provider),
        addresses,
        nodeUrl: info.nodeUrl!,
        providerAddress: ACCOUNTS.provider.address,
        nftName: 'After a prepared start',
        nftSymbol: 'PREP1',
        pricing: { type: 'free' },
        files: [
          { url: `${info.filesUrl}/public/weather-stations-2025-preview.csv` }
        ],
        metadata: {
          name: 'Published after a prepared start',
          description: 'The node indexes on from the copied database.',
          author: 'stack-prepared test',
          license: 'CC0-1.0',
          tags: ['test']
        }
      });
      await waitUntilIndexed(info.nodeUrl!, published.did);
    } finally {
      provider.destroy();
    }
    // The prepared entry itself is untouched by what this stack did.
    const [samplesEntry] = (await entries(preparedDir)).filter(name =>
      name.startsWith('samples-')
    );
    const manifest = JSON.parse(
      await readFile(
        path.join(preparedDir, samplesEntry, PREPARED_MANIFEST),
        'utf8'
      )
    ) as PreparedManifest;
    const journal = await readFile(
      path.join(preparedDir, samplesEntry, 'chain.jsonl')
    );
    assert.equal(
      createHash('sha256').update(journal).digest('hex'),
      manifest.files['chain.jsonl'].sha256
    );
    await stopMain(running);
    running = null;
  });

  it('an entry made from other inputs is removed, naming what changed, and made anew', async () => {
    const [samplesEntry] = (await entries(preparedDir)).filter(name =>
      name.startsWith('samples-')
    );
    // As if samples.ts had been another file when the entry was made.
    await editManifest(path.join(preparedDir, samplesEntry), manifest => {
      manifest.inputs['samples.ts'] = '0'.repeat(64);
      manifest.key = preparedKey(manifest.inputs);
    });
    running = await startMain(path.join(base, 'changed'), preparedDir);
    const output = stackLines(running.output);
    assert.match(
      output,
      new RegExp(
        `^prepared {2}removed the prepared samples state ${samplesEntry}: made from other inputs \\(samples\\.ts changed\\)$`,
        'm'
      )
    );
    // The contracts entry still fits; the samples are published anew and kept again.
    assert.match(output, /^fresh state in \S+ from the prepared contracts \(/m);
    assert.match(output, /^samples {3}published and indexed/m);
    assert.equal(running.info.prepared, 'contracts');
    assert.deepEqual(running.info.samples, cold.samples);
    const kept = await entries(preparedDir);
    assert.equal(kept.filter(name => name.startsWith('samples-')).length, 1);
    const [renewed] = kept.filter(name => name.startsWith('samples-'));
    const manifest = JSON.parse(
      await readFile(path.join(preparedDir, renewed, PREPARED_MANIFEST), 'utf8')
    ) as PreparedManifest;
    assert.equal(manifest.key, preparedKey(preparedInputs()));
    await stopMain(running);
    running = null;
  });

  it('an entry whose files changed is refused and removed; the start deploys', async () => {
    const [contractsEntry] = (await entries(preparedDir)).filter(name =>
      name.startsWith('contracts-')
    );
    const journal = path.join(preparedDir, contractsEntry, 'chain.jsonl');
    await writeFile(journal, (await readFile(journal, 'utf8')) + '\n');
    running = await startMain(path.join(base, 'damaged'), preparedDir, [
      '--no-samples'
    ]);
    const output = stackLines(running.output);
    assert.match(
      output,
      new RegExp(
        `^prepared {2}cannot use ${contractsEntry} \\(${contractsEntry}/chain\\.jsonl is not the file it recorded\\); removed it$`,
        'm'
      )
    );
    assert.match(output, /^contracts deployed in /m);
    assert.equal(running.info.prepared, null);
    assert.equal(
      await readFile(running.info.addressFile, 'utf8').then(
        text => JSON.parse(text).development.Ocean
      ),
      JSON.parse(coldAddresses).development.Ocean
    );
    await stopMain(running);
    running = null;
  });

  it('the key follows the inputs: an edited sample generator changes it', async () => {
    const copy = path.join(base, 'src-copy');
    await cp(src, copy, { recursive: true });
    const before = preparedInputs(copy);
    assert.deepEqual(before, preparedInputs());
    const file = path.join(copy, 'sample-data.ts');
    await writeFile(file, (await readFile(file, 'utf8')) + '\n// edited\n');
    const after = preparedInputs(copy);
    assert.deepEqual(changedInputs(before, after), ['sample-data.ts']);
    assert.notEqual(preparedKey(after), preparedKey(before));
  });
});
