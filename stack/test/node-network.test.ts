/**
 * Our node as other Ocean software meets it: @oceanprotocol/lib's getNodeStatus through
 * POST /directCommand, the commands real clients send, node-to-node DDO decryption
 * (POST /api/services/decrypt, as another node's indexer calls it), every route a real node lists
 * in GET /, the real node's rate limit and body-size limits. Expected statuses are the ones
 * recorded from Ocean Node 3.0.6 (../shared/conformance/ocean-node-3.0.6.json).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import {
  Wallet,
  getBytes,
  hexlify,
  keccak256,
  toUtf8Bytes,
  type JsonRpcProvider
} from 'ethers';

import { ACCOUNTS, startTestChain, type TestChain } from './helpers.ts';
import { startOceanNode, type OceanNode } from '../src/node/index.ts';
import { ERC721_ABI, makeProvider } from '../src/node/chain.ts';
import {
  CHAIN_ID,
  publish,
  startOrigin,
  waitForDdo,
  startTestNode,
  wallet,
  type Published
} from './node-support.ts';

const randomWallet = (): Wallet => new Wallet(hexlify(randomBytes(32)));

let chain: TestChain;
let provider: JsonRpcProvider;
let node: OceanNode;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let asset: Published;
let metadataTx: string;
const content = randomBytes(2_000);

/** An indexing node's key: any account may ask, as on a real node without AUTHORIZED_DECRYPTERS. */
const indexer = randomWallet();

const post = (path: string, body: unknown, headers = {}) =>
  fetch(`${node.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body:
      typeof body === 'string' || body instanceof Buffer
        ? body
        : JSON.stringify(body)
  });

const command = (body: Record<string, unknown>) => post('/directCommand', body);

async function nextNonce(address: string): Promise<number> {
  const answer = (await (
    await fetch(`${node.url}/api/services/nonce?userAddress=${address}`)
  ).json()) as { nonce: number | string };
  return Number(answer.nonce) + 1;
}

/** personal_sign over keccak256(utf8(message)), as Ocean's clients and indexer sign. */
const sign = (signer: Wallet, message: string) =>
  signer.signMessage(getBytes(keccak256(toUtf8Bytes(message))));

/** The body another node's indexer posts: it signs txId + its address + chainId + nonce. */
async function decryptRequest(
  overrides: Record<string, unknown> = {},
  signer: Wallet = indexer
) {
  const nonce = String(await nextNonce(indexer.address));
  return {
    transactionId: metadataTx,
    chainId: CHAIN_ID,
    decrypterAddress: indexer.address,
    dataNftAddress: asset.nftAddress,
    nonce,
    signature: await sign(
      signer,
      `${metadataTx}${indexer.address}${CHAIN_ID}${nonce}`
    ),
    ...overrides
  };
}

before(async () => {
  chain = await startTestChain();
  process.env.ADDRESS_FILE = chain.addressFile;
  origin = await startOrigin(content);
  provider = makeProvider(chain.rpcUrl, CHAIN_ID);
  node = await startTestNode(chain, {
    // The test origin is on loopback, which the node refuses unless told otherwise.
    allowedFileOrigins: [new URL(origin.url).origin]
  });
  asset = await publish({
    publisher: wallet(ACCOUNTS.publisher.privateKey, chain.rpcUrl),
    addresses: chain.addresses,
    nodeUrl: node.url,
    files: [{ type: 'url', url: origin.url, method: 'GET' }],
    pricing: 'free',
    name: 'network'
  });
  await waitForDdo(node.url, asset.did);
  const state = (await (
    await fetch(`${node.url}/api/aquarius/state/ddo?did=${asset.did}`)
  ).json()) as { txId: string };
  metadataTx = state.txId;
});

after(async () => {
  provider?.destroy();
  await node?.stop();
  origin?.server.close();
  await chain?.stop();
});

describe('our node, as Ocean software meets it', () => {
  it('@oceanprotocol/lib getNodeStatus returns the status object (POST /directCommand status)', async () => {
    const { ProviderInstance } = await import('@oceanprotocol/lib');
    const status = (await ProviderInstance.getNodeStatus(
      node.url
    )) as unknown as Record<string, any>;
    assert.ok(status, 'getNodeStatus gave null');
    const root = (await (await fetch(node.url)).json()) as Record<string, any>;
    assert.match(status.id, /^16Uiu2HA[1-9A-HJ-NP-Za-km-z]{45}$/);
    assert.equal(status.id, root.nodeId);
    assert.equal(status.publicKey, root.nodePublicKey);
    assert.equal(status.address, ACCOUNTS.provider.address);
    assert.equal(status.http, true);
    assert.equal(status.p2p, false);
    assert.deepEqual(status.provider, [
      { chainId: '8996', network: 'development' }
    ]);
    assert.ok(Number(status.indexer[0].block) > 0);
    assert.equal(root.software, 'Ocean-Node');
    // Field types and shapes as real nodes give them.
    const nonce = (await (
      await fetch(
        `${node.url}/api/services/nonce?userAddress=${indexer.address}`
      )
    ).json()) as { nonce: unknown };
    assert.equal(typeof nonce.nonce, 'string');
    const whole = (await (
      await fetch(`${node.url}/api/aquarius/assets/metadata/${asset.did}`)
    ).json()) as Record<string, unknown>;
    assert.equal(whole.id, asset.did);
    assert.ok(whole.metadata && whole.services && whole.indexedMetadata);
    assert.equal(typeof root.version, 'string');
  });

  it('GET / lists every route a real node lists, and each one is served', async () => {
    const root = (await (await fetch(node.url)).json()) as {
      serviceEndpoints: Record<string, [string, string]>;
    };
    for (const name of [
      'directCommand',
      'decrypt',
      'computeDelete',
      'logs',
      'log',
      'indexQueue',
      'jobs',
      'pushConfig',
      'fetchConfig',
      'initializePSVerification',
      'PolicyServerPassthrough',
      'getP2PPeers',
      'getP2PPeer',
      'getP2pNetworkStats',
      'getProvidersForString',
      'getOceanPeers'
    ])
      assert.ok(root.serviceEndpoints[name], `GET / does not list ${name}`);
    for (const [name, [method, path]] of Object.entries(
      root.serviceEndpoints
    )) {
      const concrete = path
        .replace(/\/:[a-zA-Z]+\?/g, '')
        .replace(/:[a-zA-Z]+/g, 'x');
      const response = await fetch(`${node.url}${concrete}`, {
        method,
        headers: { 'Content-Type': 'application/json' },
        body: ['GET', 'HEAD'].includes(method) ? undefined : '{}'
      });
      const body = await response.text();
      assert.doesNotMatch(
        body,
        /"code":"(NOT_FOUND|METHOD_NOT_ALLOWED)"/,
        `${name}: ${method} ${path} → ${body}`
      );
      // A real node answers 500 on some (P2P off); none may be our own crash.
      assert.doesNotMatch(body, /"code":"INTERNAL"/, `${name}: ${body}`);
    }
  });

  it('the other routes answer as a real node with P2P off, no admins and no policy server does', async () => {
    const cases: [string, string, number, RegExp][] = [
      ['DELETE', '/api/services/compute', 404, /not implemented/i],
      ['GET', '/api/services/indexQueue', 200, /^\{"queue":\[\]\}$/],
      ['POST', '/logs', 400, /nonce/],
      ['POST', '/log/1', 400, /nonce/],
      ['POST', '/api/admin/config/update', 400, /nonce/],
      ['POST', '/api/services/initializePSVerification', 400, /policy server/],
      ['GET', '/getP2PPeers', 500, /P2P/],
      ['GET', '/getP2PPeer', 400, /peerId/],
      ['GET', '/getP2pNetworkStats', 400, /P2P/],
      ['GET', '/getProvidersForString?input=x', 400, /P2P/]
    ];
    for (const [method, path, status, text] of cases) {
      const response = await fetch(`${node.url}${path}`, {
        method,
        headers: { 'Content-Type': 'application/json' },
        body: method === 'POST' ? '{}' : undefined
      });
      assert.equal(response.status, status, `${method} ${path}`);
      assert.match(await response.text(), text, `${method} ${path}`);
    }
    // Signed but not by an admin (we have none): refused, never served.
    const signed = await post('/logs', {
      address: indexer.address,
      nonce: '1',
      signature: '0x' + '11'.repeat(65)
    });
    assert.equal(signed.status, 403);
  });

  it('directCommand runs the commands real clients send, with the HTTP routes\u2019 answers', async () => {
    let response = await command({});
    assert.equal(response.status, 400);
    assert.match(
      ((await response.json()) as { error: string }).error,
      /"command" is mandatory/
    );
    response = await command({ command: 'noSuchCommand' });
    assert.equal(response.status, 400);
    assert.match(
      ((await response.json()) as { error: string }).error,
      /unrecognized command: "noSuchCommand"/
    );

    const detailed = (await (
      await command({ command: 'detailedStatus' })
    ).json()) as Record<string, unknown>;
    for (const key of [
      'address',
      'allowedAdmins',
      'c2dClusters',
      'codeHash',
      'escrowAddress',
      'friendlyName',
      'http',
      'id',
      'indexer',
      'p2p',
      'persistentStorage',
      'platform',
      'provider',
      'publicKey',
      'supportedSchemas',
      'supportedStorage',
      'uptime',
      'version'
    ])
      assert.ok(key in detailed, `detailedStatus has no ${key}`);
    assert.ok(Array.isArray((detailed.c2dClusters as any[])[0].environments));
    assert.deepEqual(detailed.escrowAddress, {
      [String(CHAIN_ID)]: chain.addresses.Escrow
    });

    const ddo = (await (
      await command({ command: 'getDDO', id: asset.did })
    ).json()) as { id: string };
    assert.equal(ddo.id, asset.did);
    response = await command({
      command: 'getDDO',
      id: `did:op:${'0'.repeat(64)}`
    });
    assert.equal(response.status, 404);

    const query = {
      query: { bool: { filter: [{ term: { nftAddress: asset.nftAddress } }] } }
    };
    const viaCommand = await (
      await command({ command: 'query', query })
    ).json();
    const viaRoute = await (
      await post('/api/aquarius/assets/metadata/query', query)
    ).json();
    assert.deepEqual(viaCommand, viaRoute);
    assert.match(JSON.stringify(viaCommand), new RegExp(asset.did));

    const nonce = (await (
      await command({ command: 'nonce', address: indexer.address })
    ).json()) as { nonce: unknown };
    assert.equal(Number(nonce.nonce), (await nextNonce(indexer.address)) - 1);

    const infos = (await (
      await command({
        command: 'fileInfo',
        did: asset.did,
        serviceId: asset.serviceId
      })
    ).json()) as { valid: boolean; contentLength: string }[];
    assert.equal(infos[0].valid, true);
    assert.equal(Number(infos[0].contentLength), content.length);

    const fees = (await (
      await command({
        command: 'getFees',
        ddoId: asset.did,
        serviceId: asset.serviceId,
        consumerAddress: ACCOUNTS.consumer.address
      })
    ).json()) as { providerFee: { providerFeeAddress: string } };
    assert.equal(
      fees.providerFee.providerFeeAddress,
      ACCOUNTS.provider.address
    );

    const publisher = new Wallet(ACCOUNTS.publisher.privateKey);
    const encryptNonce = String(await nextNonce(publisher.address));
    response = await command({
      command: 'encrypt',
      blob: 'secret text',
      encoding: 'string',
      encryptionType: 'ECIES',
      chainId: CHAIN_ID,
      consumerAddress: publisher.address,
      nonce: encryptNonce,
      signature: await sign(
        publisher,
        `${publisher.address}${encryptNonce}encrypt`
      )
    });
    assert.equal(response.status, 200);
    assert.match(await response.text(), /^0x[0-9a-f]{100,}$/);
    response = await command({
      command: 'encrypt',
      blob: 'x',
      chainId: CHAIN_ID
    });
    assert.equal(response.status, 401);

    const found = (await (
      await command({ command: 'findDDO', id: asset.did })
    ).json()) as Record<string, unknown>[];
    assert.deepEqual(found, [
      {
        id: asset.did,
        lastUpdateTx: metadataTx,
        lastUpdateTime: '2026-01-01T00:00:00Z',
        provider: detailed.id
      }
    ]);
    assert.deepEqual(
      await (
        await command({ command: 'findDDO', id: `did:op:${'1'.repeat(64)}` })
      ).json(),
      []
    );
    assert.deepEqual(await (await command({ command: 'jobs' })).json(), []);
    response = await command({
      command: 'reindexTx',
      chainId: CHAIN_ID,
      txId: metadataTx
    });
    assert.equal(response.status, 400);
    response = await command({ command: 'getP2PPeers' });
    assert.equal(response.status, 500);
  });

  it('decrypt by transactionId gives another node the DDO exactly as hashed on chain', async () => {
    const response = await post(
      '/api/services/decrypt',
      await decryptRequest()
    );
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await response.text();
    const receipt = await provider.getTransactionReceipt(metadataTx);
    const log = receipt!.logs.find(
      entry => entry.address.toLowerCase() === asset.nftAddress.toLowerCase()
    )!;
    const event = ERC721_ABI.parseLog({
      topics: [...log.topics],
      data: log.data
    })!;
    assert.equal(
      `0x${createHash('sha256').update(text).digest('hex')}`,
      String(event.args.metaDataHash)
    );
    assert.equal(JSON.parse(text).id, asset.did);
  });

  it('decrypt by encryptedDocument + flags + documentHash (no transaction)', async () => {
    const receipt = await provider.getTransactionReceipt(metadataTx);
    const log = receipt!.logs.find(
      entry => entry.address.toLowerCase() === asset.nftAddress.toLowerCase()
    )!;
    const event = ERC721_ABI.parseLog({
      topics: [...log.topics],
      data: log.data
    })!;
    const nonce = String(await nextNonce(indexer.address));
    const body = {
      chainId: CHAIN_ID,
      decrypterAddress: indexer.address,
      dataNftAddress: asset.nftAddress,
      encryptedDocument: String(event.args.data),
      flags: 2,
      documentHash: String(event.args.metaDataHash),
      nonce,
      signature: await sign(
        indexer,
        `${asset.nftAddress}${indexer.address}${CHAIN_ID}${nonce}`
      )
    };
    let response = await post('/api/services/decrypt', body);
    assert.equal(response.status, 200);
    assert.equal(JSON.parse(await response.text()).id, asset.did);

    // Same request again: the nonce is spent.
    response = await post('/api/services/decrypt', body);
    assert.equal(response.status, 400);
    assert.match(await response.text(), /INVALID_NONCE/);

    const next = String(await nextNonce(indexer.address));
    response = await post('/api/services/decrypt', {
      ...body,
      nonce: next,
      documentHash: `0x${'ab'.repeat(32)}`,
      signature: await sign(
        indexer,
        `${asset.nftAddress}${indexer.address}${CHAIN_ID}${next}`
      )
    });
    assert.equal(response.status, 400);
    assert.match(await response.text(), /HASH_MISMATCH/);
  });

  it('decrypt refuses what the real node refuses', async () => {
    let response = await post('/api/services/decrypt', {});
    assert.equal(response.status, 400);
    assert.match(await response.text(), /decrypterAddress/);

    // Signed by someone else on the indexer's behalf.
    response = await post(
      '/api/services/decrypt',
      await decryptRequest({}, randomWallet())
    );
    assert.equal(response.status, 400);
    assert.match(await response.text(), /INVALID_SIGNATURE/);

    response = await post(
      '/api/services/decrypt',
      await decryptRequest({ chainId: 1 })
    );
    assert.equal(response.status, 400);
    assert.match(await response.text(), /UNSUPPORTED_CHAIN/);

    response = await post(
      '/api/services/decrypt',
      await decryptRequest({ dataNftAddress: randomWallet().address })
    );
    assert.equal(response.status, 400);
    assert.match(await response.text(), /NOT_OCEAN_NFT/);

    // A transaction that set no metadata on this NFT (the NFT's creation, a block earlier),
    // and one that does not exist.
    const metadataBlock = (await provider.getTransactionReceipt(metadataTx))!
      .blockNumber;
    const creation = (await provider.getBlock(metadataBlock - 1))!
      .transactions[0];
    for (const transactionId of [creation, hexlify(randomBytes(32))]) {
      response = await post(
        '/api/services/decrypt',
        await decryptRequest({ transactionId })
      );
      assert.equal(response.status, 400, transactionId);
      assert.match(await response.text(), /INVALID_TRANSACTION/);
    }
  });

  it('a new bucket answers accessList as real nodes name it', async () => {
    const publisher = new Wallet(ACCOUNTS.publisher.privateKey);
    const nonce = String(await nextNonce(publisher.address));
    const response = await post('/api/services/persistentStorage/buckets', {
      consumerAddress: publisher.address,
      nonce,
      signature: await sign(
        publisher,
        `${publisher.address}${nonce}persistentStorageCreateBucket`
      ),
      accessList: [],
      label: 'conformance'
    });
    assert.equal(response.status, 200);
    const bucket = (await response.json()) as Record<string, unknown>;
    assert.equal(bucket.owner, publisher.address);
    assert.deepEqual(bucket.accessList, []);
    assert.match(String(bucket.bucketId), /^[0-9a-f-]{36}$/);
  });

  it('JSON bodies over 100 kB get 413, as on a real node; raw bodies up to 25 MB are read', async () => {
    let response = await post('/api/aquarius/assets/metadata/query', {
      query: {
        bool: {
          filter: [{ term: { 'metadata.name': 'x'.repeat(101 * 1024) } }]
        }
      }
    });
    assert.equal(response.status, 413);
    response = await post('/api/aquarius/assets/metadata/query', {
      query: {
        bool: { filter: [{ term: { 'metadata.name': 'x'.repeat(90 * 1024) } }] }
      }
    });
    assert.equal(response.status, 200);

    const publisher = new Wallet(ACCOUNTS.publisher.privateKey);
    const encrypt = async (size: number) => {
      const nonce = String(await nextNonce(publisher.address));
      const signature = await sign(
        publisher,
        `${publisher.address}${nonce}encrypt`
      );
      return fetch(
        `${node.url}/api/services/encrypt?chainId=${CHAIN_ID}&consumerAddress=${publisher.address}&nonce=${nonce}&signature=${signature}`,
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/octet-stream' },
          body: Buffer.alloc(size, 7)
        }
      );
    };
    response = await encrypt(5 * 1024 * 1024);
    assert.equal(response.status, 200);
    await response.arrayBuffer();
    response = await encrypt(26 * 1024 * 1024);
    assert.equal(response.status, 413);
  });
});

describe('the rate limit, with the real node\u2019s default', () => {
  it('refuses the 31st request in a minute with 429 text/html, and does not count preflights', async () => {
    const limited = await startOceanNode({
      rpcUrl: chain.rpcUrl,
      chainId: CHAIN_ID,
      addressFile: chain.addressFile,
      dataDir: join(chain.dir, 'limited'),
      privateKey: ACCOUNTS.consumer2.privateKey,
      port: 0,
      log: () => {}
    });
    try {
      for (let index = 0; index < 5; index++) {
        const preflight = await fetch(`${limited.url}/api/services/nonce`, {
          method: 'OPTIONS'
        });
        assert.equal(preflight.status, 204);
      }
      for (let index = 1; index <= 30; index++) {
        const response = await fetch(
          `${limited.url}/api/services/nonce?userAddress=${indexer.address}`
        );
        assert.equal(response.status, 200, `request ${index}`);
        await response.arrayBuffer();
      }
      const refused = await fetch(
        `${limited.url}/api/services/nonce?userAddress=${indexer.address}`
      );
      assert.equal(refused.status, 429);
      assert.match(refused.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal(
        await refused.text(),
        'Rate limit exceeded. Try again in 60 seconds.'
      );
      const retryAfter = Number(refused.headers.get('retry-after'));
      assert.ok(
        retryAfter >= 1 && retryAfter <= 60,
        `Retry-After ${retryAfter}`
      );
    } finally {
      await limited.stop();
    }
  });
});
