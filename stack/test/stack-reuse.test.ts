/**
 * A second start reuses the state directory: the chain journal (replayed
 * block for block), the contracts and samples, the node's database. Then
 * the same after a `kill -9`, a corrupted journal (fresh start, old state
 * moved aside) and `--fresh` (clean start).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import {
  appendFile,
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

import { Aquarius, ProviderInstance } from '@oceanprotocol/lib';
import { Contract, Wallet } from 'ethers';

import { ACCOUNTS } from '../src/accounts.ts';
import { startChain } from '../src/chain.ts';
import { buyAndDownload } from '../src/consume.ts';
import { loadArtifact, localProvider } from '../src/deploy.ts';
import { ChainJournal } from '../src/journal.ts';
import { readState, stateFingerprint, stateProblem } from '../src/state.ts';
import { publishAsset, waitUntilIndexed } from '../src/publish.ts';
import type { StackInfo } from '../src/stack.ts';
import { freePort, rpc } from './helpers.ts';

const main = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'src',
  'main.ts'
);

// ---------------------------------------------------------------------------------------------
// The journal on its own: a bare chain, no stack.

describe('chain journal', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ocean-journal-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A chain with a few blocks of each kind; returns its head and the journal file. */
  async function recordedChain(name: string) {
    const file = path.join(dir, name);
    const chain = await startChain({
      port: 0,
      journal: ChainJournal.create(file)
    });
    const { deployer, consumer, consumer2 } = ACCOUNTS;
    for (const value of ['0x1', '0x2'])
      await rpc(chain.rpcUrl, 'eth_sendTransaction', [
        { from: deployer.address, to: consumer.address, value }
      ]);
    // Signed elsewhere, sent raw, as a browser wallet does.
    const signer = new Wallet(
      consumer2.privateKey,
      localProvider(chain.rpcUrl)
    );
    await (
      await signer.sendTransaction({ to: deployer.address, value: 5n })
    ).wait();
    signer.provider!.destroy();
    // A reverted transaction is still mined (and answered with an error).
    await assert.rejects(
      rpc(chain.rpcUrl, 'eth_sendTransaction', [
        { from: deployer.address, data: '0x60006000fd' }
      ])
    );
    await rpc(chain.rpcUrl, 'evm_increaseTime', [7200]);
    await rpc(chain.rpcUrl, 'evm_mine');
    await rpc(chain.rpcUrl, 'hardhat_setBalance', [
      consumer2.address,
      '0x1234'
    ]);
    const head = (await rpc(chain.rpcUrl, 'eth_getBlockByNumber', [
      'latest',
      false
    ])) as { number: string; hash: string; timestamp: string };
    await chain.stop();
    return { file, head };
  }

  it('replays to the same blocks, balances and clock', async () => {
    const { file, head } = await recordedChain('replay.jsonl');
    const chain = await startChain({
      port: 0,
      journal: ChainJournal.open(file)
    });
    try {
      assert.equal(chain.replayed?.blocks, Number(head.number));
      const replayedHead = (await rpc(chain.rpcUrl, 'eth_getBlockByNumber', [
        head.number,
        false
      ])) as { hash: string };
      assert.equal(replayedHead.hash, head.hash);
      assert.equal(
        await rpc(chain.rpcUrl, 'eth_getBalance', [
          ACCOUNTS.consumer2.address,
          'latest'
        ]),
        '0x1234'
      );
      // The two hours added with evm_increaseTime stay added; the clock runs on from now.
      await rpc(chain.rpcUrl, 'evm_mine');
      const next = (await rpc(chain.rpcUrl, 'eth_getBlockByNumber', [
        'latest',
        false
      ])) as { timestamp: string };
      const ahead = Number(next.timestamp) - Date.now() / 1000;
      assert.ok(ahead > 7100 && ahead < 7300, `clock ahead by ${ahead} s`);
      // New calls are journaled after the replayed ones.
      const lines = (await readFile(file, 'utf8')).trim().split('\n');
      assert.equal(JSON.parse(lines.at(-1)!).m, 'evm_mine');
    } finally {
      await chain.stop();
    }
  });

  it('drops a torn last line and appends after it', async () => {
    const { file, head } = await recordedChain('torn.jsonl');
    await appendFile(file, '{"m":"evm_mine","p":["torn-by-a-kill');
    const chain = await startChain({
      port: 0,
      journal: ChainJournal.open(file)
    });
    try {
      assert.equal(chain.replayed?.blocks, Number(head.number));
      await rpc(chain.rpcUrl, 'evm_mine');
    } finally {
      await chain.stop();
    }
    const text = await readFile(file, 'utf8');
    assert.ok(text.endsWith('\n'));
    assert.ok(!text.includes('torn-by-a-kill'));
    assert.equal(JSON.parse(text.trim().split('\n').at(-1)!).m, 'evm_mine');
  });

  it('refuses a journal whose blocks do not replay, or that is not JSON', async () => {
    const { file } = await recordedChain('bad.jsonl');
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    const changed = [...lines];
    const entry = JSON.parse(changed[2]);
    entry.p[0].value = '0x3'; // another amount than the one mined
    changed[2] = JSON.stringify(entry);
    await writeFile(file, changed.join('\n') + '\n');
    await assert.rejects(
      startChain({ port: 0, journal: ChainJournal.open(file) }),
      { code: 'JOURNAL_MISMATCH' }
    );
    const garbled = [...lines];
    garbled[3] = garbled[3].slice(0, 20);
    await writeFile(file, garbled.join('\n') + '\n');
    assert.throws(() => ChainJournal.open(file), {
      code: 'JOURNAL_UNREADABLE'
    });
  });

  it('refuses interval mining, whose blocks no call would account for', async () => {
    const chain = await startChain({
      port: 0,
      journal: ChainJournal.create(path.join(dir, 'interval.jsonl'))
    });
    try {
      await assert.rejects(
        rpc(chain.rpcUrl, 'evm_setIntervalMining', [1000]),
        /persisted dev chain/
      );
    } finally {
      await chain.stop();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The whole stack, as `npm run stack` runs it: start, use, stop, start again.

interface RunningMain {
  child: ChildProcess;
  info: StackInfo;
  output: () => string;
}

/** Starts main.ts in its own process group; resolves when it is ready. */
async function startMain(
  stateDir: string,
  args: string[]
): Promise<RunningMain> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', main, '--state-dir', stateDir, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true }
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ocean stack ready')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', code =>
      reject(new Error(`main.ts exited (${code}) before ready:\n${output}`))
    );
  });
  const info = JSON.parse(
    await readFile(path.join(stateDir, 'stack.json'), 'utf8')
  ) as StackInfo;
  return { child, info, output: () => output };
}

async function stopMain(
  running: RunningMain,
  signal: NodeJS.Signals
): Promise<void> {
  const { child } = running;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise(resolve => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

/** True while `pid` runs (a zombie, killed but not yet reaped, does not count). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return !/ Z /.test(stat.slice(stat.lastIndexOf(')')));
}

async function blockNumber(info: StackInfo): Promise<number> {
  return Number(await rpc(info.rpcUrl, 'eth_blockNumber'));
}

async function balances(info: StackInfo, address: string) {
  const ocean = JSON.parse(await readFile(info.addressFile, 'utf8')).development
    .Ocean as string;
  const provider = localProvider(info.rpcUrl);
  try {
    const token = new Contract(ocean, loadArtifact('OceanToken').abi, provider);
    return {
      eth: (await provider.getBalance(address)).toString(),
      ocean: ((await token.balanceOf(address)) as bigint).toString()
    };
  } finally {
    provider.destroy();
  }
}

async function faucet(info: StackInfo, address: string): Promise<void> {
  const response = await fetch(info.faucetUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ address })
  });
  assert.equal(response.status, 200, await response.text());
}

async function resolves(info: StackInfo, did: string): Promise<boolean> {
  const response = await fetch(
    `${info.nodeUrl}/api/aquarius/assets/ddo/${did}`
  );
  return response.ok;
}

describe('npm run stack reuses its state', () => {
  let stateDir: string;
  let args: string[];
  let running: RunningMain | null = null;

  // What the first start left behind, checked by the later ones.
  let first: StackInfo;
  let addressFileText: string;
  let csvBytes: Uint8Array;
  let orderTxHash: string;
  let publishedDid: string;
  const funded = Wallet.createRandom().address;
  const fundedAfterReuse = Wallet.createRandom().address;
  let fundedBalances: { eth: string; ocean: string };
  let consumerBalances: { eth: string; ocean: string };
  let blocksAtStop: number;

  before(async () => {
    stateDir = await mkdtemp(path.join(tmpdir(), 'ocean-stack-reuse-'));
    // The node's and the file server's URLs are inside the published DDOs,
    // so they keep their ports; the chain and the faucet may move.
    args = [
      '--chain-port',
      '0',
      '--faucet-port',
      '0',
      '--node-port',
      String(await freePort()),
      '--files-port',
      String(await freePort())
    ];
  });

  after(async () => {
    // The whole process group: the node child too, should a test have left it behind.
    if (running) {
      try {
        process.kill(-running.child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('first start: fresh state; then a buy, a publish and a faucet transfer', async () => {
    running = await startMain(stateDir, args);
    first = running.info;
    assert.match(running.output(), /^fresh state in /m);
    assert.equal(first.reused, false);
    addressFileText = await readFile(first.addressFile, 'utf8');

    const download = await buyAndDownload({
      rpcUrl: first.rpcUrl,
      nodeUrl: first.nodeUrl!,
      addressFile: first.addressFile,
      did: first.samples.csv!,
      consumerPrivateKey: ACCOUNTS.consumer.privateKey
    });
    csvBytes = download.bytes;
    orderTxHash = download.orderTxHash;

    const provider = localProvider(first.rpcUrl);
    try {
      const published = await publishAsset({
        signer: new Wallet(ACCOUNTS.consumer2.privateKey, provider),
        addresses: JSON.parse(addressFileText).development,
        nodeUrl: first.nodeUrl!,
        providerAddress: ACCOUNTS.provider.address,
        nftName: 'Reuse test',
        nftSymbol: 'RT1',
        pricing: { type: 'free' },
        timeout: 3600,
        files: [
          { url: `${first.filesUrl}/public/weather-stations-2025-preview.csv` }
        ],
        metadata: {
          name: 'Published before a restart',
          description: 'Checks that a restarted stack still knows it.',
          author: 'stack-reuse test',
          license: 'CC0-1.0',
          tags: ['test']
        }
      });
      publishedDid = published.did;
      await waitUntilIndexed(first.nodeUrl!, publishedDid);
    } finally {
      provider.destroy();
    }

    await faucet(first, funded);
    fundedBalances = await balances(first, funded);
    consumerBalances = await balances(first, ACCOUNTS.consumer.address);
    assert.notEqual(fundedBalances.ocean, '0');
    blocksAtStop = await blockNumber(first);
    await stopMain(running, 'SIGINT');
    running = null;
  });

  it('second start reuses it: same contracts, samples, assets, balances; the old order still downloads', async () => {
    running = await startMain(stateDir, args);
    const { info } = running;
    assert.match(
      running.output(),
      new RegExp(
        `^reused state from .* \\(${blocksAtStop} blocks replayed in [\\d.]+ s\\)$`,
        'm'
      )
    );
    assert.doesNotMatch(
      running.output(),
      /contracts deployed|samples {3}published/
    );
    assert.equal(info.reused, true);
    assert.equal(await readFile(info.addressFile, 'utf8'), addressFileText);
    assert.deepEqual(info.samples, first.samples);
    assert.ok((await blockNumber(info)) >= blocksAtStop);
    assert.deepEqual(await balances(info, funded), fundedBalances);
    assert.deepEqual(
      await balances(info, ACCOUNTS.consumer.address),
      consumerBalances
    );
    const ddo = await new Aquarius(info.nodeUrl!).resolve(publishedDid);
    assert.equal(ddo.id, publishedDid);

    // The order bought before the restart: a new signed download request, no new payment.
    const provider = localProvider(info.rpcUrl);
    try {
      const consumer = new Wallet(ACCOUNTS.consumer.privateKey, provider);
      const csv = await new Aquarius(info.nodeUrl!).resolve(info.samples.csv!);
      const url = await ProviderInstance.getDownloadUrl(
        csv.id,
        csv.services[0].id,
        0,
        orderTxHash,
        info.nodeUrl!,
        consumer
      );
      assert.equal(typeof url, 'string');
      const response = await fetch(url as string);
      assert.equal(response.status, 200);
      const bytes = new Uint8Array(await response.arrayBuffer());
      assert.equal(
        createHash('sha256').update(bytes).digest('hex'),
        createHash('sha256').update(csvBytes).digest('hex')
      );
    } finally {
      provider.destroy();
    }
    assert.deepEqual(
      await balances(info, ACCOUNTS.consumer.address),
      consumerBalances
    );
  });

  it('refuses a second stack on a state directory in use', async () => {
    const second = spawn(
      process.execPath,
      ['--import', 'tsx', main, '--state-dir', stateDir, '--chain-port', '0'],
      { stdio: ['ignore', 'pipe', 'pipe'] }
    );
    let output = '';
    second.stdout.on('data', chunk => (output += chunk));
    second.stderr.on('data', chunk => (output += chunk));
    const code = await new Promise(resolve => second.once('exit', resolve));
    assert.equal(code, 1);
    assert.match(
      output,
      new RegExp(
        `STACK_STATE_IN_USE: Another stack \\(process ${running!.child.pid}\\) is using`
      )
    );
    // The running one is untouched.
    assert.ok(await resolves(running!.info, publishedDid));
  });

  it('recovers after kill -9 of the stack, stopping the node it left running', async () => {
    const before = running!.info;
    await faucet(before, fundedAfterReuse);
    const funds = await balances(before, fundedAfterReuse);
    const blocks = await blockNumber(before);
    const orphan = Number(
      await readFile(path.join(stateDir, 'node.pid'), 'utf8')
    );
    // Only the stack's own process, as `kill -9 <pid>` does: its node child lives on.
    await stopMain(running!, 'SIGKILL');
    running = null;
    assert.ok(isRunning(orphan));

    running = await startMain(stateDir, args);
    const { info } = running;
    assert.match(
      running.output(),
      new RegExp(
        `stopping the Ocean Node \\(pid ${orphan}\\) a killed stack left running`
      )
    );
    assert.equal(isRunning(orphan), false);
    assert.match(running.output(), /^reused state from /m);
    assert.ok((await blockNumber(info)) >= blocks);
    assert.deepEqual(await balances(info, fundedAfterReuse), funds);
    assert.deepEqual(await balances(info, funded), fundedBalances);
    assert.ok(await resolves(info, publishedDid));
    await stopMain(running, 'SIGINT');
    running = null;
  });

  it('starts fresh from a corrupted journal and moves the old state aside', async () => {
    const journal = path.join(stateDir, 'chain.jsonl');
    const lines = (await readFile(journal, 'utf8')).trim().split('\n');
    const entry = JSON.parse(lines[10]);
    entry.h = '0x' + '00'.repeat(32);
    lines[10] = JSON.stringify(entry);
    const corrupted = lines.join('\n') + '\n';
    await writeFile(journal, corrupted);

    running = await startMain(stateDir, [...args, '--no-samples']);
    const { info } = running;
    assert.match(
      running.output(),
      /cannot be reused \(replaying call 10 .*\); moved it to .*discarded/
    );
    assert.match(running.output(), /^fresh state in /m);
    assert.equal(info.reused, false);
    const discarded = await readdir(path.join(stateDir, 'discarded'));
    assert.equal(discarded.length, 1);
    const aside = path.join(stateDir, 'discarded', discarded[0]);
    assert.equal(
      await readFile(path.join(aside, 'chain.jsonl'), 'utf8'),
      corrupted
    );
    assert.ok(existsSync(path.join(aside, 'node', 'node.db')));
    // A new chain: the old assets and transfers are gone.
    assert.ok((await blockNumber(info)) < blocksAtStop);
    assert.deepEqual(await balances(info, funded), { eth: '0', ocean: '0' });
    assert.equal(await resolves(info, publishedDid), false);
    // Something for the next test's --fresh to throw away.
    await faucet(info, funded);
    await stopMain(running, 'SIGINT');
    running = null;
  });

  it('--fresh starts clean even when the state is valid', async () => {
    running = await startMain(stateDir, [...args, '--no-samples', '--fresh']);
    const { info } = running;
    assert.match(running.output(), /--fresh: removed the previous state/);
    assert.match(running.output(), /^fresh state in /m);
    assert.deepEqual(await balances(info, funded), { eth: '0', ocean: '0' });
    // Only the deploy's blocks: back near genesis.
    assert.ok((await blockNumber(info)) < 50);
    // --fresh removes the state, not what was moved aside earlier.
    assert.equal((await readdir(path.join(stateDir, 'discarded'))).length, 1);
    await stopMain(running, 'SIGINT');
    running = null;
  });

  it('does not reuse a state whose deploy inputs changed, or that lacks what is asked', async () => {
    // The fallback itself (move aside, start fresh) is the corrupted journal's above.
    const state = await readState(stateDir);
    const fingerprint = stateFingerprint();
    assert.ok(state);
    assert.equal(state.fingerprint, fingerprint);
    assert.equal(stateProblem(state, fingerprint, false), null);
    // As after an edit of deploy.ts, a new contracts release or a retrained GAN.
    assert.match(
      stateProblem(state, '0'.repeat(64), false) ?? '',
      /the contracts, sample assets or stack version changed/
    );
    // This state was made with --no-samples.
    assert.match(
      stateProblem(state, fingerprint, true) ?? '',
      /without the sample assets/
    );
    assert.match(
      stateProblem(null, fingerprint, true) ?? '',
      /no readable state\.json/
    );
  });
});
