/**
 * A network of two of our nodes on one chain, as `npm run stack -- --nodes 2` runs them (main.ts
 * in its own process, free ports, its own state dir). An asset is published through node A: A
 * validates and encrypts its DDO, so A's URL goes on chain as the decryptor. Node B has never
 * seen that DDO; its indexer must ask A's POST /api/services/decrypt for it, signed with B's own
 * key, as Ocean's nodes do among themselves. Then a consumer meets the asset only through B:
 * query, file preview, initialize + order on chain, download. The asset's access service names B
 * (files sealed with B's key): only the node that sealed the files can serve them, in Ocean as
 * here. Its file is a paid one on the stack's own file server, behind the bearer secret that only
 * a node decrypting the files object learns. Last, a restart of the same state brings both nodes
 * back on their ports, B from its own database.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  ConfigHelper,
  FixedRateExchange,
  ProviderInstance,
  approve
} from '@oceanprotocol/lib';
import type { Wallet } from 'ethers';

import { ACCOUNTS } from '../src/accounts.ts';
import type { DevelopmentAddresses } from '../src/deploy.ts';
import type { StackInfo } from '../src/stack.ts';
import { readState } from '../src/state.ts';
import {
  CHAIN_ID,
  downloadUrl,
  publish,
  startOrder,
  waitForDdo,
  wallet,
  type Published
} from './node-support.ts';
import { ANY_FREE_PORTS } from './helpers.ts';

/** A paid sample file the stack writes and serves even when it publishes no samples. */
const PAID_FILE = 'weather-stations-2025.csv';

const main = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'src',
  'main.ts'
);

interface RunningStack {
  child: ChildProcess;
  info: StackInfo;
  output(): string;
}

/** Every process group runStack started, so that nothing outlives the file whatever fails. */
const groups: number[] = [];

/** main.ts in its own process group (its nodes with it), once it says it is ready. */
async function runStack(
  stateDir: string,
  args: string[]
): Promise<RunningStack> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', main, '--state-dir', stateDir, ...args],
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
  return { child, info, output: () => output };
}

/** Ctrl-C, as a person stops it: main.ts stops both nodes and exits cleanly. */
async function interrupt(running: RunningStack): Promise<void> {
  const { child, info } = running;
  assert.equal(
    child.exitCode ?? child.signalCode,
    null,
    `main.ts stopped before Ctrl-C:\n${running.output()}`
  );
  const exited = new Promise(resolve => child.once('exit', resolve));
  child.kill('SIGINT');
  assert.equal(
    await exited,
    0,
    `main.ts did not stop cleanly:\n${running.output()}`
  );
  for (const node of info.nodes)
    await assert.rejects(fetch(node.url), `${node.url} still answers`);
}

/** The last nonce `address` used on the node at `nodeUrl` (0: it never asked that node). */
async function nonceOn(nodeUrl: string, address: string): Promise<number> {
  const response = await fetch(
    `${nodeUrl}/api/services/nonce?userAddress=${address}`
  );
  assert.equal(response.status, 200);
  return Number(((await response.json()) as { nonce: string }).nonce);
}

describe('npm run stack -- --nodes 2: a network of two nodes on one chain', () => {
  let content: Buffer;
  const name = `Pair asset ${randomBytes(4).toString('hex')}`;
  let stateDir: string;
  let running: RunningStack | null = null;
  let info: StackInfo;
  let nodeA: string;
  let nodeB: string;
  let publisher: Wallet;
  let consumer: Wallet;
  let addresses: DevelopmentAddresses;
  let asset: Published;
  let decryptNonceAfterIndexing: number;
  const args = ['--nodes', '2', '--no-samples', ...ANY_FREE_PORTS];

  before(async () => {
    stateDir = await mkdtemp(path.join(tmpdir(), 'ocean-node-pair-'));
    running = await runStack(stateDir, args);
    info = running.info;
    [nodeA, nodeB] = info.nodes.map(node => node.url);
    process.env.ADDRESS_FILE = info.addressFile;
    addresses = JSON.parse(await readFile(info.addressFile, 'utf8'))
      .development as DevelopmentAddresses;
    publisher = wallet(ACCOUNTS.publisher.privateKey, info.rpcUrl);
    consumer = wallet(ACCOUNTS.consumer.privateKey, info.rpcUrl);
  });

  after(async () => {
    publisher?.provider?.destroy();
    consumer?.provider?.destroy();
    // Each whole group: a node left behind by a failed stop too, which would hold the output
    // pipe (and this test) open.
    for (const group of groups) {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // already stopped
      }
    }
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('refuses a node count other than 1 or 2 with STACK_BAD_NODES', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        main,
        '--nodes',
        '3',
        '--state-dir',
        path.join(stateDir, 'never-made')
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] }
    );
    let output = '';
    child.stdout.on('data', chunk => (output += chunk));
    child.stderr.on('data', chunk => (output += chunk));
    const code = await new Promise(resolve => child.once('exit', resolve));
    assert.equal(code, 2);
    assert.match(
      output,
      /^STACK_BAD_NODES: --nodes is how many Ocean Nodes run on the local chain, 1 or 2, not "3"\.$/m
    );
    assert.equal(existsSync(path.join(stateDir, 'never-made')), false);
  });

  it('runs two nodes on the chain, each with its own key, port and data directory', async () => {
    assert.equal(info.nodes.length, 2);
    assert.equal(info.nodeUrl, nodeA);
    for (const url of [nodeA, nodeB])
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(nodeA, nodeB);
    assert.notEqual(ACCOUNTS.provider2.address, ACCOUNTS.provider.address);
    const roots = await Promise.all(
      [nodeA, nodeB].map(
        async url =>
          (await (await fetch(url)).json()) as {
            providerAddress: string;
            chainIds: string[];
          }
      )
    );
    assert.deepEqual(
      roots.map(root => root.providerAddress),
      [ACCOUNTS.provider.address, ACCOUNTS.provider2.address]
    );
    assert.deepEqual(
      info.nodes.map(node => node.providerAddress),
      [ACCOUNTS.provider.address, ACCOUNTS.provider2.address]
    );
    for (const root of roots) assert.deepEqual(root.chainIds, ['8996']);
    assert.deepEqual(
      info.nodes.map(node => node.dataDir),
      [path.join(stateDir, 'node'), path.join(stateDir, 'node2')]
    );
    for (const dir of ['node', 'node2'])
      assert.ok(existsSync(path.join(stateDir, dir, 'node.db')), dir);
    // The summary names both; the second node's own lines carry its prefix.
    assert.match(running!.output(), new RegExp(`^ {2}node {4}${nodeA}$`, 'm'));
    assert.match(
      running!.output(),
      new RegExp(`^ {2}node 2 {2}${nodeB} `, 'm')
    );
    assert.match(running!.output(), /^\[node 2\] /m);
  });

  it("B indexes an asset published through A by asking A's /decrypt for its DDO", async () => {
    // B's key has never asked A for anything.
    assert.equal(await nonceOn(nodeA, ACCOUNTS.provider2.address), 0);
    content = await readFile(path.join(stateDir, 'samples', PAID_FILE));
    const state = await readState(stateDir);
    assert.ok(state, 'the stack wrote no state.json');
    asset = await publish({
      publisher,
      addresses,
      nodeUrl: nodeA,
      serviceNodeUrl: nodeB,
      files: [
        {
          type: 'url',
          url: `${info.filesUrl}/private/${PAID_FILE}`,
          method: 'GET',
          headers: { Authorization: `Bearer ${state.fileSecret}` }
        }
      ],
      pricing: 'fixed',
      name
    });
    const onA = await waitForDdo(nodeA, asset.did);
    const onB = await waitForDdo(nodeB, asset.did);
    // The same document and on-chain facts, from two indexers.
    assert.deepEqual(onB, onA);
    assert.equal(
      (onB.services as { serviceEndpoint: string }[])[0].serviceEndpoint,
      nodeB
    );
    // A recorded B's signed request; B says whom it asked.
    decryptNonceAfterIndexing = await nonceOn(
      nodeA,
      ACCOUNTS.provider2.address
    );
    assert.ok(
      decryptNonceAfterIndexing > 0,
      'A never saw a decrypt request from B'
    );
    assert.ok(
      running!
        .output()
        .includes(
          `[node 2] [ocean-node] indexer: ${asset.did} decrypted by ${nodeA}`
        ),
      `B's log does not say it decrypted ${asset.did} through A:\n${running!.output()}`
    );
    // A read its own DDO with its own key: it asked nobody.
    assert.equal(await nonceOn(nodeB, ACCOUNTS.provider.address), 0);
  });

  it('B finds it with a query on the chainId, as real nodes accept it', async () => {
    const query = (chainId: number) =>
      fetch(`${nodeB}/api/aquarius/assets/metadata/query`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          query: {
            bool: {
              filter: [
                { term: { chainId } },
                { term: { 'metadata.name': name } }
              ]
            }
          }
        })
      });
    const response = await query(CHAIN_ID);
    assert.equal(response.status, 200);
    const hits = (await response.json()) as { id: string }[];
    assert.deepEqual(
      hits.map(hit => hit.id),
      [asset.did]
    );
    // The chainId term filters: another chain has nothing.
    assert.deepEqual(await (await query(1)).json(), []);
  });

  it('B previews the file before any order (fileInfo through B)', async () => {
    const infos = await ProviderInstance.checkDidFiles(
      asset.did,
      asset.serviceId,
      nodeB
    );
    assert.equal(infos.length, 1);
    assert.equal(infos[0].valid, true);
    assert.equal(Number(infos[0].contentLength), content.length);
  });

  it('buys it on chain and downloads the exact bytes through B', async () => {
    const config = new ConfigHelper().getConfig(CHAIN_ID);
    await approve(
      consumer,
      config,
      ACCOUNTS.consumer.address,
      addresses.Ocean,
      addresses.FixedPrice,
      '10'
    );
    const exchange = new FixedRateExchange(
      addresses.FixedPrice,
      consumer,
      CHAIN_ID
    );
    const bought = await exchange.buyDatatokens(asset.exchangeId!, '1', '10');
    assert.ok(bought, 'buyDatatokens returned nothing');
    await (bought as unknown as { wait(): Promise<unknown> }).wait();

    // initialize through B: B signs the provider fee, the order names B's key.
    const orderTx = await startOrder(consumer, nodeB, asset);
    const response = await fetch(
      await downloadUrl(consumer, nodeB, asset, orderTx)
    );
    assert.equal(response.status, 200);
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), content);

    const ranged = await fetch(
      await downloadUrl(consumer, nodeB, asset, orderTx),
      { headers: { Range: 'bytes=1000-1999' } }
    );
    assert.equal(ranged.status, 206);
    assert.deepEqual(
      Buffer.from(await ranged.arrayBuffer()),
      content.subarray(1000, 2000)
    );

    // The order is on chain, and both indexers count it.
    for (const url of [nodeB, nodeA]) {
      const deadline = Date.now() + 30_000;
      let orders = 0;
      while (Date.now() < deadline) {
        const ddo = (await waitForDdo(url, asset.did)) as {
          indexedMetadata?: { stats?: { orders?: number }[] };
        };
        orders = ddo.indexedMetadata?.stats?.[0]?.orders ?? 0;
        if (orders > 0) break;
        await new Promise(resolve => setTimeout(resolve, 200));
      }
      assert.equal(orders, 1, `${url} counts ${orders} orders`);
    }
  });

  it('a restart brings both nodes back on their ports; B knows the asset from its own database', async () => {
    await interrupt(running!);
    running = null;

    running = await runStack(stateDir, args);
    const again = running.info;
    assert.equal(again.reused, true);
    assert.match(running.output(), /^reused state from /m);
    // The ports the DDO names (B serves it, A decrypts it) are the ones taken again.
    assert.deepEqual(
      again.nodes.map(node => node.url),
      [nodeA, nodeB]
    );
    const response = await fetch(
      `${nodeB}/api/aquarius/assets/ddo/${asset.did}`
    );
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { id: string }).id, asset.did);
    // B went on from its database: it did not ask A for the DDO again.
    assert.equal(
      await nonceOn(nodeA, ACCOUNTS.provider2.address),
      decryptNonceAfterIndexing
    );
    await interrupt(running);
    running = null;
  });
});
