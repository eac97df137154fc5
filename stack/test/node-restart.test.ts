/**
 * The node as a separate process, killed with SIGKILL mid-way and restarted on the same data
 * directory: the indexed DDO, used nonces and issued auth tokens must all survive, and the
 * flow must complete on the restarted node.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  ACCOUNTS,
  freePort,
  startTestChain,
  type TestChain
} from './helpers.ts';
import {
  CHAIN_ID,
  downloadUrl,
  publish,
  startOrigin,
  waitForDdo,
  wallet
} from './node-support.ts';

const MAIN = fileURLToPath(new URL('../src/node/main.ts', import.meta.url));
let chain: TestChain;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let child: ChildProcess | undefined;
const content = randomBytes(30_000);

async function startNodeProcess(
  port: number,
  dataDir: string
): Promise<string> {
  const started = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      MAIN,
      '--port',
      String(port),
      '--rpc',
      chain.rpcUrl,
      '--chain-id',
      String(CHAIN_ID),
      '--address-file',
      chain.addressFile,
      '--data-dir',
      dataDir,
      '--rate-limit',
      '100000',
      // The test origin is on loopback, which the node refuses unless told otherwise.
      '--allowed-file-origin',
      new URL(origin.url).origin
    ],
    {
      env: {
        ...process.env,
        OCEAN_NODE_PRIVATE_KEY: ACCOUNTS.provider.privateKey
      },
      stdio: ['ignore', 'pipe', 'inherit']
    }
  );
  child = started;
  return await new Promise((resolve, reject) => {
    let output = '';
    started.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Ocean Node listening on (\S+)/.exec(output);
      if (match) resolve(match[1]);
    });
    started.once('exit', code =>
      reject(new Error(`the node exited early (code ${code}): ${output}`))
    );
  });
}

before(async () => {
  chain = await startTestChain();
  process.env.ADDRESS_FILE = chain.addressFile;
  origin = await startOrigin(content);
});

after(async () => {
  child?.kill('SIGKILL');
  origin?.server.close();
  await chain?.stop();
});

it('survives kill -9 mid-way and completes the flow after a restart', async () => {
  const { Aquarius, ConfigHelper, Datatoken, ProviderInstance, orderAsset } =
    await import('@oceanprotocol/lib');
  const port = await freePort();
  const dataDir = join(chain.dir, 'node-data');
  let url = await startNodeProcess(port, dataDir);
  const publisher = wallet(ACCOUNTS.publisher.privateKey, chain.rpcUrl);
  const consumer = wallet(ACCOUNTS.consumer.privateKey, chain.rpcUrl);
  const asset = await publish({
    publisher,
    addresses: chain.addresses,
    nodeUrl: url,
    files: [{ type: 'url', url: origin.url, method: 'GET' }],
    pricing: 'free',
    name: 'Restart asset'
  });
  const before = await waitForDdo(url, asset.did);
  const ddo = await new Aquarius(url).waitForIndexer(
    asset.did,
    undefined,
    undefined,
    200
  );
  const tx = await orderAsset(
    ddo as never,
    consumer,
    new ConfigHelper().getConfig(CHAIN_ID),
    new Datatoken(consumer, CHAIN_ID),
    url
  );
  const receipt = await tx.wait();
  const token = await ProviderInstance.generateAuthToken(consumer, url);
  const usedUrl = await downloadUrl(consumer, url, asset, receipt!.hash);
  const first = await fetch(usedUrl);
  assert.deepEqual(Buffer.from(await first.arrayBuffer()), content);
  const nonceBefore = await ProviderInstance.getNonce(
    url,
    ACCOUNTS.consumer.address
  );

  // Mid-way: the process dies without any chance to clean up.
  const killed = child!;
  killed.kill('SIGKILL');
  await new Promise(resolve => killed.once('exit', resolve));

  url = await startNodeProcess(port, dataDir);
  const after = (await (
    await fetch(`${url}/api/aquarius/assets/ddo/${asset.did}`)
  ).json()) as Record<string, any>;
  const { indexedMetadata: beforeIndexed, ...beforeDdo } = before as Record<
    string,
    any
  >;
  const { indexedMetadata: afterIndexed, ...afterDdo } = after;
  assert.deepEqual(
    afterDdo,
    beforeDdo,
    'the DDO is served right after restart, unchanged'
  );
  assert.deepEqual(afterIndexed.event, beforeIndexed.event);
  assert.deepEqual(afterIndexed.nft, beforeIndexed.nft);
  assert.equal(
    await ProviderInstance.getNonce(url, ACCOUNTS.consumer.address),
    nonceBefore
  );
  assert.equal(
    (await fetch(usedUrl)).status,
    401,
    'a nonce used before the crash stays used'
  );

  const byToken = await fetch(
    await downloadUrl(token, url, asset, receipt!.hash),
    { headers: { Authorization: token } }
  );
  assert.equal(
    byToken.status,
    200,
    'an auth token issued before the crash still works'
  );
  assert.deepEqual(Buffer.from(await byToken.arrayBuffer()), content);

  // The restarted indexer keeps following the chain: a new asset gets indexed.
  const second = await publish({
    publisher,
    addresses: chain.addresses,
    nodeUrl: url,
    files: [{ type: 'url', url: origin.url, method: 'GET' }],
    pricing: 'free',
    name: 'After restart'
  });
  await waitForDdo(url, second.did);
  const stopping = child!;
  stopping.kill('SIGTERM');
  const code = await new Promise(resolve => stopping.once('exit', resolve));
  assert.equal(code, 0, 'SIGTERM exits cleanly');
  child = undefined;
});
