/**
 * The Ocean Node against the real @oceanprotocol/lib, on one dev chain for the whole file:
 * publish → price → buy → initialize → order → download (exact bytes, Range), the dispenser
 * path with orderAsset, order reuse, refusals (someone else's order, replayed nonce, bad
 * signature, expired provider fee), auth tokens, node storage, and malformed requests.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Readable } from 'node:stream';

import { ACCOUNTS, rpc, startTestChain, type TestChain } from './helpers.ts';
import type { OceanNode } from '../src/node/index.ts';
import {
  CHAIN_ID,
  downloadUrl,
  publish,
  startOrder,
  startOrigin,
  waitForDdo,
  startTestNode,
  wallet,
  type Published
} from './node-support.ts';

let chain: TestChain;
let node: OceanNode;
let origin: Awaited<ReturnType<typeof startOrigin>>;
const content = randomBytes(50_000);

before(async () => {
  chain = await startTestChain();
  process.env.ADDRESS_FILE = chain.addressFile;
  origin = await startOrigin(content);
  node = await startTestNode(chain, {
    // The test origin is on loopback, which the node refuses unless told otherwise.
    allowedFileOrigins: [new URL(origin.url).origin]
  });
});

after(async () => {
  await node?.stop();
  origin?.server.close();
  await chain?.stop();
});

describe('Ocean Node with @oceanprotocol/lib', () => {
  let fixed: Published;
  let orderTx: string;

  it('GET / describes the node like Ocean Node does', async () => {
    const { ProviderInstance } = await import('@oceanprotocol/lib');
    const endpoints = (await (await fetch(node.url)).json()) as Record<
      string,
      any
    >;
    assert.equal(endpoints.providerAddress, ACCOUNTS.provider.address);
    assert.deepEqual(endpoints.chainIds, ['8996']);
    assert.deepEqual(endpoints.serviceEndpoints.download, [
      'GET',
      '/api/services/download'
    ]);
    assert.equal(await ProviderInstance.isValidProvider(node.url), true);
  });

  it('publishes with a fixed price, indexes it, and sells it: download returns the exact bytes', async () => {
    const { Aquarius, FixedRateExchange, approve, ConfigHelper } =
      await import('@oceanprotocol/lib');
    const publisher = wallet(ACCOUNTS.publisher.privateKey, chain.rpcUrl);
    const consumer = wallet(ACCOUNTS.consumer.privateKey, chain.rpcUrl);
    fixed = await publish({
      publisher,
      addresses: chain.addresses,
      nodeUrl: node.url,
      files: [{ type: 'url', url: origin.url, method: 'GET' }],
      pricing: 'fixed',
      name: 'Fixed asset'
    });
    const aquarius = new Aquarius(node.url);
    const ddo = (await aquarius.waitForIndexer(
      fixed.did,
      undefined,
      undefined,
      200
    )) as unknown as Record<string, any>;
    assert.equal(ddo.id, fixed.did);
    assert.equal(ddo.indexedMetadata.nft.state, 0);
    assert.equal(ddo.indexedMetadata.stats[0].prices[0].type, 'fixedrate');
    assert.equal(ddo.indexedMetadata.stats[0].prices[0].price, '2.0');

    const config = new ConfigHelper().getConfig(CHAIN_ID);
    const exchange = new FixedRateExchange(
      chain.addresses.FixedPrice,
      consumer,
      CHAIN_ID
    );
    await approve(
      consumer,
      config,
      ACCOUNTS.consumer.address,
      chain.addresses.Ocean,
      chain.addresses.FixedPrice,
      '10'
    );
    const bought = await exchange.buyDatatokens(fixed.exchangeId!, '1', '10');
    assert.ok(bought, 'buyDatatokens returned nothing');
    await (bought as unknown as { wait(): Promise<unknown> }).wait();

    orderTx = await startOrder(consumer, node.url, fixed);
    const response = await fetch(
      await downloadUrl(consumer, node.url, fixed, orderTx)
    );
    assert.equal(response.status, 200);
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), content);

    const ranged = await fetch(
      await downloadUrl(consumer, node.url, fixed, orderTx),
      { headers: { Range: 'bytes=100-199' } }
    );
    assert.equal(ranged.status, 206);
    assert.deepEqual(
      Buffer.from(await ranged.arrayBuffer()),
      content.subarray(100, 200)
    );

    await node.waitForIndexer();
    const indexed = (await aquarius.resolve(fixed.did)) as unknown as Record<
      string,
      any
    >;
    assert.equal(indexed.indexedMetadata.stats[0].orders, 1);
  });

  it('lets a consumer reuse their own valid order', async () => {
    const consumer = wallet(ACCOUNTS.consumer.privateKey, chain.rpcUrl);
    const response = await fetch(
      await downloadUrl(consumer, node.url, fixed, orderTx)
    );
    assert.equal(response.status, 200);
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), content);
  });

  it("refuses a second account using the first account's order", async () => {
    const other = wallet(ACCOUNTS.consumer2.privateKey, chain.rpcUrl);
    const response = await fetch(
      await downloadUrl(other, node.url, fixed, orderTx)
    );
    assert.equal(response.status, 500); // the status Ocean Node gives for an invalid order
    assert.equal(
      ((await response.json()) as { code: string }).code,
      'ORDER_NOT_YOURS'
    );
  });

  it('refuses a replayed nonce and a bad signature', async () => {
    const consumer = wallet(ACCOUNTS.consumer.privateKey, chain.rpcUrl);
    const url = await downloadUrl(consumer, node.url, fixed, orderTx);
    assert.equal((await fetch(url)).status, 200);
    const replay = await fetch(url);
    assert.equal(replay.status, 401);
    assert.equal(
      ((await replay.json()) as { code: string }).code,
      'INVALID_NONCE'
    );

    const fresh = new URL(
      await downloadUrl(consumer, node.url, fixed, orderTx)
    );
    const signature = fresh.searchParams.get('signature')!;
    fresh.searchParams.set(
      'signature',
      signature.slice(0, 10) +
        (signature[10] === 'a' ? 'b' : 'a') +
        signature.slice(11)
    );
    const forged = await fetch(fresh);
    assert.equal(forged.status, 401);
    // the same request signed by someone else
    const other = wallet(ACCOUNTS.consumer2.privateKey, chain.rpcUrl);
    const stolen = new URL(await downloadUrl(other, node.url, fixed, orderTx));
    stolen.searchParams.set('consumerAddress', ACCOUNTS.consumer.address);
    assert.equal((await fetch(stolen)).status, 401);
  });

  it('serves the dispenser path through orderAsset, and auth tokens work until invalidated', async () => {
    const { Aquarius, ConfigHelper, Datatoken, ProviderInstance, orderAsset } =
      await import('@oceanprotocol/lib');
    const publisher = wallet(ACCOUNTS.publisher.privateKey, chain.rpcUrl);
    const consumer = wallet(ACCOUNTS.consumer2.privateKey, chain.rpcUrl);
    const free = await publish({
      publisher,
      addresses: chain.addresses,
      nodeUrl: node.url,
      files: [{ type: 'url', url: origin.url, method: 'GET' }],
      pricing: 'free',
      name: 'Free asset'
    });
    const ddo = await new Aquarius(node.url).waitForIndexer(
      free.did,
      undefined,
      undefined,
      200
    );
    assert.equal(
      (ddo as any).indexedMetadata.stats[0].prices[0].type,
      'dispenser'
    );
    const config = new ConfigHelper().getConfig(CHAIN_ID);
    const tx = await orderAsset(
      ddo as never,
      consumer,
      config,
      new Datatoken(consumer, CHAIN_ID),
      node.url
    );
    assert.ok(tx, 'orderAsset returned nothing');
    const receipt = await tx.wait();
    const response = await fetch(
      await downloadUrl(consumer, node.url, free, receipt!.hash)
    );
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), content);

    const token = await ProviderInstance.generateAuthToken(consumer, node.url);
    const byToken = await fetch(
      await downloadUrl(token, node.url, free, receipt!.hash),
      {
        headers: { Authorization: token }
      }
    );
    assert.equal(byToken.status, 200);
    assert.deepEqual(Buffer.from(await byToken.arrayBuffer()), content);
    await ProviderInstance.invalidateAuthToken(consumer, token, node.url);
    const refused = await fetch(
      await downloadUrl(token, node.url, free, receipt!.hash),
      {
        headers: { Authorization: token }
      }
    );
    assert.equal(refused.status, 401);
  });

  it('refuses an order whose provider fee has expired', async () => {
    const consumer = wallet(ACCOUNTS.consumer.privateKey, chain.rpcUrl);
    const { FixedRateExchange } = await import('@oceanprotocol/lib');
    const bought = await new FixedRateExchange(
      chain.addresses.FixedPrice,
      consumer,
      CHAIN_ID
    ).buyDatatokens(fixed.exchangeId!, '1', '10');
    await (bought as unknown as { wait(): Promise<unknown> }).wait();
    const head = (await rpc(chain.rpcUrl, 'eth_getBlockByNumber', [
      'latest',
      false
    ])) as { timestamp: string };
    const tx = await startOrder(
      consumer,
      node.url,
      fixed,
      Number(head.timestamp) + 60
    );
    const inTime = await fetch(
      await downloadUrl(consumer, node.url, fixed, tx)
    );
    assert.equal(inTime.status, 200);
    await inTime.arrayBuffer();
    await rpc(chain.rpcUrl, 'evm_increaseTime', [3600]);
    await rpc(chain.rpcUrl, 'evm_mine');
    const late = await fetch(await downloadUrl(consumer, node.url, fixed, tx));
    assert.equal(late.status, 500);
    assert.equal(
      ((await late.json()) as { code: string }).code,
      'PROVIDER_FEE_EXPIRED'
    );
  });

  it('stores a local file on the node and publishes it with the node as storage', async () => {
    const { ProviderInstance, Aquarius, ConfigHelper, Datatoken, orderAsset } =
      await import('@oceanprotocol/lib');
    const publisher = wallet(ACCOUNTS.publisher.privateKey, chain.rpcUrl);
    const consumer = wallet(ACCOUNTS.consumer.privateKey, chain.rpcUrl);
    const local = randomBytes(20_000);
    const bucket = await ProviderInstance.createPersistentStorageBucket(
      node.url,
      publisher,
      {
        accessLists: [],
        label: 'datasets'
      } as never
    );
    await ProviderInstance.uploadPersistentStorageFile(
      node.url,
      publisher,
      bucket.bucketId,
      'local.bin',
      Readable.from([local]) as never
    );
    const fileObject = await ProviderInstance.getPersistentStorageFileObject(
      node.url,
      publisher,
      bucket.bucketId,
      'local.bin'
    );
    assert.deepEqual(fileObject, {
      type: 'nodePersistentStorage',
      bucketId: bucket.bucketId,
      fileName: 'local.bin'
    });
    const listed = await ProviderInstance.listPersistentStorageFiles(
      node.url,
      publisher,
      bucket.bucketId
    );
    assert.equal((listed as any[])[0].size, local.length);

    const stored = await publish({
      publisher,
      addresses: chain.addresses,
      nodeUrl: node.url,
      files: [fileObject as never],
      pricing: 'free',
      name: 'Stored asset'
    });
    const ddo = await new Aquarius(node.url).waitForIndexer(
      stored.did,
      undefined,
      undefined,
      200
    );
    const info = await ProviderInstance.checkDidFiles(
      stored.did,
      stored.serviceId,
      node.url,
      true
    );
    assert.equal(info[0].contentLength, String(local.length));
    const tx = await orderAsset(
      ddo as never,
      consumer,
      new ConfigHelper().getConfig(CHAIN_ID),
      new Datatoken(consumer, CHAIN_ID),
      node.url
    );
    const receipt = await tx.wait();
    const whole = await fetch(
      await downloadUrl(consumer, node.url, stored, receipt!.hash)
    );
    assert.deepEqual(Buffer.from(await whole.arrayBuffer()), local);
    const tail = await fetch(
      await downloadUrl(consumer, node.url, stored, receipt!.hash),
      { headers: { Range: 'bytes=-10' } }
    );
    assert.equal(tail.status, 206);
    assert.equal(
      tail.headers.get('content-range'),
      `bytes ${local.length - 10}-${local.length - 1}/${local.length}`
    );
    assert.deepEqual(
      Buffer.from(await tail.arrayBuffer()),
      local.subarray(local.length - 10)
    );
  });

  it('answers malformed requests with clean 4xx JSON errors and stays up', async () => {
    const expect4xx = async (
      path: string,
      init?: RequestInit,
      status?: number
    ): Promise<void> => {
      const response = await fetch(`${node.url}${path}`, init);
      assert.ok(
        response.status >= 400 && response.status < 500,
        `${path} answered ${response.status}`
      );
      if (status) assert.equal(response.status, status, path);
      const body = (await response.json()) as { error: string };
      assert.equal(typeof body.error, 'string');
    };
    await expect4xx('/api/aquarius/assets/ddo/not-a-did', undefined, 400);
    await expect4xx(
      `/api/aquarius/assets/ddo/did:op:${'0'.repeat(64)}`,
      undefined,
      404
    );
    await expect4xx('/api/services/nonce?userAddress=0x123', undefined, 400);
    await expect4xx('/api/services/nonce', undefined, 400);
    await expect4xx(
      '/api/services/initialize?documentId=did:op:zz&serviceId=1&consumerAddress=0x0',
      undefined,
      400
    );
    await expect4xx(
      `/api/services/download?fileIndex=abc&documentId=${fixed.did}&serviceId=x&transferTxId=0x1`,
      undefined,
      400
    );
    await expect4xx(
      `/api/services/download?fileIndex=0&documentId=${fixed.did}&serviceId=${fixed.serviceId}&transferTxId=${orderTx}`,
      undefined,
      401
    );
    await expect4xx(
      '/api/services/fileInfo',
      {
        method: 'POST',
        body: '{not json',
        headers: { 'Content-Type': 'application/json' }
      },
      400
    );
    await expect4xx(
      '/api/services/fileInfo',
      { method: 'POST', body: '[1,2]' },
      400
    );
    await expect4xx(
      '/api/services/fileInfo',
      { method: 'POST', body: JSON.stringify({ type: 'ftp', url: 1 }) },
      400
    );
    await expect4xx(
      '/api/aquarius/assets/metadata/query',
      { method: 'POST', body: JSON.stringify({ query: { nonsense: {} } }) },
      400
    );
    await expect4xx(
      '/api/aquarius/assets/ddo/validate',
      { method: 'POST', body: JSON.stringify({ id: 5 }) },
      400
    );
    await expect4xx(
      '/api/services/fileInfo',
      { method: 'POST', body: Buffer.alloc(2 * 1024 * 1024, 120) },
      413
    );
    await expect4xx(
      '/api/services/auth/token',
      { method: 'POST', body: JSON.stringify({ address: 7, signature: [] }) },
      400
    );
    await expect4xx('/no/such/route', undefined, 404);
    await expect4xx('/%E0%A4%A', undefined, 400);
    const root = await fetch(node.url);
    assert.equal(root.status, 200);
    assert.equal(root.headers.get('access-control-allow-origin'), '*');
  });

  it('answers queries the way the Aquarius class reads them', async () => {
    const { Aquarius } = await import('@oceanprotocol/lib');
    const results = (await new Aquarius(node.url).querySearch({
      query: { bool: { filter: [{ term: { nftAddress: fixed.nftAddress } }] } }
    })) as unknown as Record<string, unknown>[];
    assert.equal(results.length, 1);
    assert.equal(results[0].id, fixed.did);
    // Real nodes answer the whole DDO on metadata/:did, and so does ours.
    const whole = (await new Aquarius(node.url).getAssetMetadata(
      fixed.did
    )) as unknown as { id: string; metadata: { name: string } };
    assert.equal(whole.id, fixed.did);
    assert.equal(whole.metadata.name, 'Fixed asset');
  });
});
