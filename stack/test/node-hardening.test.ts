/**
 * Issue 20: the attacks found against our Ocean Node, each replayed against a real node on a dev
 * chain, with real origins on 127.0.0.1:
 *
 * - file URLs that lead to the node's own machine (127.0.0.1, 2130706433, [::ffff:127.0.0.1],
 *   localhost, a redirect from an allowed origin) are refused with 403 before any connection,
 *   in fileInfo and in the download of a bought asset; an allowed origin still works;
 * - a checksum of an endless or dripping source ends within the node's bounds, and the node
 *   stops reading when it gives up or when the client leaves (the origin sees its connection
 *   closed and no more bytes taken);
 * - every auth token expires; an expired one is refused; validUntil is bounded;
 * - one nonce, 25 concurrent requests: exactly one passes;
 * - a deeply nested query and a broken "%" in a file URL are 400s, not 500s.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Wallet, getBytes, keccak256, toUtf8Bytes } from 'ethers';

import { ACCOUNTS, startTestChain, type TestChain } from './helpers.ts';
import type { OceanNode } from '../src/node/index.ts';
import {
  CHAIN_ID,
  downloadUrl,
  publish,
  startTestNode,
  wallet,
  type Published
} from './node-support.ts';

/** What one request to a test origin did: bytes the origin handed to the socket, and when it closed. */
interface Served {
  path: string;
  bytes: number;
  closedAt?: number;
}

interface TestOrigin {
  url: string;
  port: number;
  server: Server;
  served: Served[];
}

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse, record: Served) => void
): Promise<TestOrigin> {
  const served: Served[] = [];
  const server = createServer((req, res) => {
    const record: Served = { path: req.url ?? '/', bytes: 0 };
    served.push(record);
    res.on('close', () => (record.closedAt = Date.now()));
    handler(req, res, record);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, port, server, served };
}

const content = randomBytes(40_000);
const CHUNK = Buffer.alloc(64 * 1024, 7);
const CHECKSUM_LIMIT = 4 * 1024 * 1024;
const CHECKSUM_SECONDS = 3;

let chain: TestChain;
let node: OceanNode;
/** The node is told this origin is allowed: its files, redirects and endless sources. */
let allowed: TestOrigin;
/** A loopback service the node must never reach. */
let internal: TestOrigin;

before(async () => {
  chain = await startTestChain();
  process.env.ADDRESS_FILE = chain.addressFile;
  internal = await listen((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('internal secret');
  });
  allowed = await listen((req, res, record) => {
    const path = req.url ?? '/';
    if (path === '/data.bin') {
      res
        .writeHead(200, {
          'Content-Type': 'application/octet-stream',
          'Content-Length': content.length
        })
        .end(content);
      return;
    }
    const redirects: Record<string, string> = {
      '/to-internal': `http://127.0.0.1:${internal.port}/secret`,
      '/to-decimal': `http://2130706433:${internal.port}/secret`,
      '/to-data': '/data.bin',
      '/loop': '/loop'
    };
    if (redirects[path]) {
      res.writeHead(302, { Location: redirects[path] }).end();
      return;
    }
    if (path === '/endless') {
      // As fast as the reader takes it, for ever.
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      const pump = () => {
        while (!res.destroyed) {
          record.bytes += CHUNK.length;
          if (!res.write(CHUNK)) return;
        }
      };
      res.on('drain', pump);
      pump();
      return;
    }
    if (path === '/drip') {
      // A little at a time, for ever: never fast enough to hit a byte limit.
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      const timer = setInterval(() => {
        record.bytes += 1024;
        res.write(CHUNK.subarray(0, 1024));
      }, 20);
      res.on('close', () => clearInterval(timer));
      return;
    }
    res.writeHead(404).end();
  });
  node = await startTestNode(chain, {
    allowedFileOrigins: [allowed.url],
    fileFetch: {
      checksumMaxBytes: CHECKSUM_LIMIT,
      checksumTimeoutMs: CHECKSUM_SECONDS * 1000
    }
  });
});

after(async () => {
  await node?.stop();
  allowed?.server.close();
  internal?.server.close();
  await chain?.stop();
});

async function post(
  path: string,
  body: unknown,
  init: RequestInit = {}
): Promise<{ status: number; body: any; ms: number }> {
  const started = Date.now();
  const response = await fetch(`${node.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body: parsed, ms: Date.now() - started };
}

const fileInfo = (url: string, checksum = false) =>
  post('/api/services/fileInfo', { type: 'url', url, method: 'GET', checksum });

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** Waits until the origin's connection for `path` (the latest such request) has closed. */
async function closedRequest(path: string, within = 5000): Promise<Served> {
  const deadline = Date.now() + within;
  for (;;) {
    const record = allowed.served.filter(entry => entry.path === path).pop();
    if (record?.closedAt) return record;
    if (Date.now() > deadline)
      throw new Error(`the origin's ${path} connection is still open`);
    await sleep(20);
  }
}

/** Bytes the origin served for `record` do not grow any more. */
async function assertStopped(record: Served): Promise<void> {
  const bytes = record.bytes;
  await sleep(400);
  assert.equal(record.bytes, bytes, 'the origin kept sending after close');
}

/** An account no other test has used: its nonce starts at 0. */
const freshWallet = () => new Wallet(`0x${randomBytes(32).toString('hex')}`);

/** personal_sign over keccak256(utf8(address + nonce + command)), as clients sign requests. */
function sign(signer: Wallet, nonce: string, command: string): Promise<string> {
  return signer.signMessage(
    getBytes(keccak256(toUtf8Bytes(`${signer.address}${nonce}${command}`)))
  );
}

async function createToken(
  signer: Wallet,
  nonce: string,
  validUntil?: number
): Promise<{ status: number; body: any }> {
  return post('/api/services/auth/token', {
    address: signer.address,
    nonce,
    signature: await sign(signer, nonce, 'createAuthToken'),
    ...(validUntil === undefined ? {} : { validUntil })
  });
}

const bucketsWith = (token: string) =>
  fetch(`${node.url}/api/services/persistentStorage/buckets`, {
    headers: { Authorization: token }
  });

describe('file URLs that lead into the node’s own machine', () => {
  const refused = (answer: { status: number; body: any }) => {
    assert.equal(answer.status, 403, JSON.stringify(answer.body));
    assert.equal(answer.body.code, 'FILE_URL_NOT_ALLOWED');
    assert.match(answer.body.error, /public internet addresses/);
  };

  it('fileInfo refuses a loopback service in every notation, before connecting to it', async () => {
    const port = internal.port;
    for (const url of [
      `http://127.0.0.1:${port}/secret`,
      `http://2130706433:${port}/secret`,
      `http://0x7f.0.0.1:${port}/secret`,
      `http://0177.0.0.1:${port}/secret`,
      `http://127.1:${port}/secret`,
      `http://[::ffff:127.0.0.1]:${port}/secret`,
      `http://[::1]:${port}/secret`,
      `http://0.0.0.0:${port}/secret`,
      // A name, resolved by the node: judged by the addresses it resolves to.
      `http://localhost:${port}/secret`
    ]) {
      for (const checksum of [false, true]) {
        const answer = await fileInfo(url, checksum);
        refused(answer);
        assert.match(
          answer.body.error,
          /loopback|unspecified/,
          `${url}: ${answer.body.error}`
        );
        // The refusal names no host: a DDO's file URL is a secret of its publisher.
        assert.doesNotMatch(answer.body.error, /127\.0\.0\.1|localhost/);
      }
    }
    for (const url of [
      'http://10.0.0.1/x',
      'http://192.168.1.1/x',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00::1]/x',
      'http://[fe80::1]/x',
      'http://224.0.0.1/x'
    ])
      refused(await fileInfo(url));
    assert.equal(internal.served.length, 0, 'the node reached the service');
  });

  it('refuses a redirect from an allowed origin to a loopback service, hop by hop', async () => {
    for (const path of ['/to-internal', '/to-decimal']) {
      const answer = await fileInfo(`${allowed.url}${path}`, true);
      refused(answer);
      assert.match(answer.body.error, /redirected/);
    }
    assert.equal(internal.served.length, 0, 'the node followed the redirect');
    const loop = await fileInfo(`${allowed.url}/loop`);
    assert.equal(loop.status, 502);
    assert.equal(loop.body.code, 'ORIGIN_REDIRECTS');
  });

  it('still serves an allowed origin, redirects inside it included', async () => {
    const sha = createHash('sha256').update(content).digest('hex');
    for (const path of ['/data.bin', '/to-data']) {
      const answer = await fileInfo(`${allowed.url}${path}`, true);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.body[0].valid, true);
      assert.equal(answer.body[0].checksum, sha);
      assert.equal(answer.body[0].contentLength, String(content.length));
    }
  });

  describe('an asset whose file is internal, bought by its publisher', () => {
    let asset: Published;
    let orderTx: string;

    before(async () => {
      const { Aquarius, ConfigHelper, Datatoken, orderAsset } =
        await import('@oceanprotocol/lib');
      const publisher = wallet(ACCOUNTS.publisher.privateKey, chain.rpcUrl);
      asset = await publish({
        publisher,
        addresses: chain.addresses,
        nodeUrl: node.url,
        files: [
          {
            type: 'url',
            url: `http://127.0.0.1:${internal.port}/secret`,
            method: 'GET'
          },
          { type: 'url', url: `${allowed.url}/endless`, method: 'GET' }
        ],
        pricing: 'free',
        name: 'Internal file'
      });
      const ddo = await new Aquarius(node.url).waitForIndexer(
        asset.did,
        undefined,
        undefined,
        200
      );
      const tx = await orderAsset(
        ddo as never,
        publisher,
        new ConfigHelper().getConfig(CHAIN_ID),
        new Datatoken(publisher, CHAIN_ID),
        node.url
      );
      orderTx = (await tx.wait())!.hash;
    });

    it('refuses the download with 403 and never reaches the service', async () => {
      const publisher = wallet(ACCOUNTS.publisher.privateKey, chain.rpcUrl);
      const response = await fetch(
        await downloadUrl(publisher, node.url, asset, orderTx)
      );
      const body = (await response.json()) as { code: string; error: string };
      assert.equal(response.status, 403, JSON.stringify(body));
      assert.equal(body.code, 'FILE_URL_NOT_ALLOWED');
      assert.equal(internal.served.length, 0);
    });

    it('fileInfo by DID tells the refused file as not valid, the other as valid', async () => {
      const answer = await post('/api/services/fileInfo', {
        did: asset.did,
        serviceId: asset.serviceId
      });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.deepEqual(
        answer.body.map((info: any) => [info.index, info.valid]),
        [
          [0, false],
          [1, true]
        ]
      );
      assert.equal(internal.served.length, 0);
      // Without a checksum the node only wanted the headers: it let the endless body go.
      await assertStopped(await closedRequest('/endless'));
    });

    it('lets go of the origin when the client leaves a download', async () => {
      const { ProviderInstance } = await import('@oceanprotocol/lib');
      const publisher = wallet(ACCOUNTS.publisher.privateKey, chain.rpcUrl);
      const url = await ProviderInstance.getDownloadUrl(
        asset.did,
        asset.serviceId,
        1,
        orderTx,
        node.url,
        publisher
      );
      const before = allowed.served.length;
      const controller = new AbortController();
      const response = await fetch(url as string, {
        signal: controller.signal
      });
      assert.equal(response.status, 200);
      const reader = response.body!.getReader();
      let received = 0;
      while (received < 1024 * 1024)
        received += (await reader.read()).value!.length;
      const leftAt = Date.now();
      controller.abort();
      const record = await closedRequest('/endless');
      assert.ok(allowed.served.length > before);
      assert.ok(
        record.closedAt! - leftAt < 2000,
        `the origin was let go ${record.closedAt! - leftAt} ms after the client left`
      );
      await assertStopped(record);
    });
  });
});

describe('checksums of endless sources', () => {
  it('stops at the byte bound: 422 quickly, and the origin is let go', async () => {
    const answer = await fileInfo(`${allowed.url}/endless`, true);
    assert.equal(answer.status, 422, JSON.stringify(answer.body));
    assert.equal(answer.body.code, 'FILE_TOO_LARGE_TO_HASH');
    assert.ok(answer.ms < CHECKSUM_SECONDS * 1000, `${answer.ms} ms`);
    const record = await closedRequest('/endless');
    // Bounded: what the origin handed out is the limit plus what sat in socket buffers.
    assert.ok(
      record.bytes < CHECKSUM_LIMIT + 16 * 1024 * 1024,
      `${record.bytes}`
    );
    await assertStopped(record);
  });

  it('stops at the time bound: 504 after about the configured seconds', async () => {
    const answer = await fileInfo(`${allowed.url}/drip`, true);
    assert.equal(answer.status, 504, JSON.stringify(answer.body));
    assert.equal(answer.body.code, 'ORIGIN_TIMEOUT');
    assert.ok(
      answer.ms >= CHECKSUM_SECONDS * 1000 - 200 &&
        answer.ms < CHECKSUM_SECONDS * 1000 + 2000,
      `${answer.ms} ms`
    );
    await assertStopped(await closedRequest('/drip'));
  });

  it('stops when the client leaves, long before the bound', async () => {
    const controller = new AbortController();
    const asking = fetch(`${node.url}/api/services/fileInfo`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        type: 'url',
        url: `${allowed.url}/drip`,
        checksum: true
      }),
      signal: controller.signal
    }).catch(() => undefined);
    const count = allowed.served.filter(entry => entry.path === '/drip').length;
    while (
      allowed.served.filter(entry => entry.path === '/drip').length === count
    )
      await sleep(20);
    await sleep(300);
    const leftAt = Date.now();
    controller.abort();
    await asking;
    const record = await closedRequest('/drip');
    assert.ok(
      record.closedAt! - leftAt < 1500,
      `the origin was let go ${record.closedAt! - leftAt} ms after the client left`
    );
    await assertStopped(record);
  });
});

describe('auth tokens', () => {
  const payload = (token: string) =>
    JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));

  it('a token created without validUntil expires (30 minutes), and says when', async () => {
    const signer = freshWallet();
    const before = Date.now();
    const answer = await createToken(signer, '1');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const { exp } = payload(answer.body.token);
    assert.equal(typeof exp, 'number');
    const lifetime = exp * 1000 - before;
    assert.ok(
      lifetime > 29 * 60_000 && lifetime <= 30 * 60_000 + 1000,
      `${lifetime} ms`
    );
    assert.equal((await bucketsWith(answer.body.token)).status, 200);
  });

  it('a token past its validUntil is refused with TOKEN_EXPIRED', async () => {
    const signer = freshWallet();
    const validUntil = Date.now() + 1500;
    const answer = await createToken(signer, '1', validUntil);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal((await bucketsWith(answer.body.token)).status, 200);
    await sleep(validUntil - Date.now() + 100);
    const expired = await bucketsWith(answer.body.token);
    assert.equal(expired.status, 401);
    assert.equal(
      ((await expired.json()) as { code: string }).code,
      'TOKEN_EXPIRED'
    );
  });

  it('refuses a validUntil already past or more than a day ahead', async () => {
    const signer = freshWallet();
    const past = await createToken(signer, '1', Date.now() - 1000);
    assert.equal(past.status, 400);
    assert.equal(past.body.code, 'INVALID_VALID_UNTIL');
    // Seconds instead of milliseconds lands in 1970: the same clear refusal.
    const seconds = await createToken(
      signer,
      '2',
      Math.floor(Date.now() / 1000) + 600
    );
    assert.equal(seconds.body.code, 'INVALID_VALID_UNTIL');
    const far = await createToken(signer, '3', Date.now() + 48 * 3_600_000);
    assert.equal(far.status, 400);
    assert.equal(far.body.code, 'TOKEN_LIFETIME_TOO_LONG');
    const day = await createToken(signer, '4', Date.now() + 24 * 3_600_000);
    assert.equal(day.status, 200, JSON.stringify(day.body));
  });
});

describe('nonces under concurrency', () => {
  it('25 concurrent token requests on one nonce: exactly one succeeds', async () => {
    const signer = freshWallet();
    const signature = await sign(signer, '7', 'createAuthToken');
    const answers = await Promise.all(
      Array.from({ length: 25 }, () =>
        post('/api/services/auth/token', {
          address: signer.address,
          nonce: '7',
          signature
        })
      )
    );
    assert.equal(answers.filter(answer => answer.status === 200).length, 1);
    const others = answers.filter(answer => answer.status !== 200);
    assert.equal(others.length, 24);
    for (const other of others) {
      assert.equal(other.status, 401);
      assert.equal(other.body.code, 'INVALID_NONCE');
    }
  });

  it('the same holds for another signed route (encrypt)', async () => {
    const signer = freshWallet();
    const signature = await sign(signer, '3', 'encrypt');
    const query = new URLSearchParams({
      consumerAddress: signer.address,
      nonce: '3',
      signature
    });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        fetch(`${node.url}/api/services/encrypt?${query}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/octet-stream' },
          body: 'hello'
        }).then(response => response.status)
      )
    );
    assert.equal(answers.filter(status => status === 200).length, 1);
    assert.equal(answers.filter(status => status === 401).length, 9);
  });
});

describe('bad input is a 400, not a 500', () => {
  it('a deeply nested metadata query', async () => {
    const depth = 4000;
    const query =
      '{"query":' +
      '{"bool":{"must":['.repeat(depth) +
      '{"match_all":{}}' +
      ']}}'.repeat(depth) +
      '}';
    const answer = await post('/api/aquarius/assets/metadata/query', query);
    assert.equal(answer.status, 400, JSON.stringify(answer.body));
    assert.equal(answer.body.code, 'JSON_TOO_DEEP');
    const arrays = await post(
      '/api/services/fileInfo',
      `{"file":${'['.repeat(30_000)}${']'.repeat(30_000)}}`
    );
    assert.equal(arrays.status, 400);
    assert.equal(arrays.body.code, 'JSON_TOO_DEEP');
    // An ordinary query still works.
    const plain = await post('/api/aquarius/assets/metadata/query', {
      query: { bool: { must: [{ match_all: {} }] } }
    });
    assert.equal(plain.status, 200);
  });

  it('a "%" that starts no escape in a file URL, and a header that cannot be sent', async () => {
    for (const url of [
      `${allowed.url}/%zz`,
      `${allowed.url}/100%`,
      `${allowed.url}/data.bin?q=%E0%A4%A`
    ]) {
      const answer = await fileInfo(url);
      assert.equal(
        answer.status,
        400,
        `${url}: ${JSON.stringify(answer.body)}`
      );
      assert.equal(answer.body.code, 'INVALID_FILE');
    }
    // Escapes that decode to no UTF-8 text are still a URL: no 500 when naming the file.
    const binary = await fileInfo(`${allowed.url}/%FF`);
    assert.equal(binary.status, 200, JSON.stringify(binary.body));
    assert.equal(binary.body[0].valid, false);
    const header = await post('/api/services/fileInfo', {
      type: 'url',
      url: `${allowed.url}/data.bin`,
      headers: { 'X-Key': 'a\r\nInjected: yes' }
    });
    assert.equal(header.status, 400);
    assert.equal(header.body.code, 'INVALID_FILE');
  });
});
