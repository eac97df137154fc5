/**
 * Contract tests: every call src/ocean makes to an Ocean Node, against the
 * answers a real Ocean Node v3.0.6 gave (fixtures/ocean-node-3.0.6.json),
 * replayed by a real HTTP server on 127.0.0.1: the recorded status, content
 * type and body. Where the record cuts a body short, the body is built in
 * the recorded shape around the excerpt, and the test checks that it
 * starts with the excerpt or has the recorded top-level keys.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  createServer,
  type IncomingMessage,
  type ServerResponse
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Wallet } from 'ethers';
import { NodeAuth } from './compute-auth';
import { jobLogs, jobResult } from './compute';
import { OceanClient } from './client';
import { loadOceanLib } from './lib';
import { queryDdos } from './manage';
import { NetworkRegistry } from './networks';
import { probeNetwork } from './network-status';
import { NodeApi } from './node-api';
import { encryptedBy } from './publish';
import { readRange } from './ranged-read';

interface IEntry {
  route: string;
  request: string;
  status: number;
  content_type: string;
  body_kind: string;
  body_keys: string[] | null;
  excerpt: string;
}

const RECORD = JSON.parse(
  readFileSync(
    new URL('./fixtures/ocean-node-3.0.6.json', import.meta.url),
    'utf8'
  )
) as { observations: IEntry[] };

function entry(route: string, request: string): IEntry {
  const found = RECORD.observations.find(
    item => item.route === route && item.request === request
  );
  assert.ok(found, `no recorded answer for ${route} (${request})`);
  return found;
}

/** An answer to send: the recorded status and type, and a body. */
interface IReply {
  status: number;
  type: string;
  body: string | Buffer;
}

/** express's error page, as real nodes send for 413, bad JSON and unknown routes. */
function expressPage(excerpt: string): string {
  const text = excerpt.replace(/^ Error /, '').trim();
  const [first, ...frames] = text.split(/ &nbsp; &nbsp;/);
  const trace = frames.map(frame => `<br> &nbsp; &nbsp;${frame}`).join('');
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>${first}${trace}</pre>\n</body>\n</html>\n`;
}

/** The recorded answer; `built` stands in for a body the record cut short. */
function reply(item: IEntry, built?: unknown): IReply {
  const type = item.content_type;
  if (built !== undefined) {
    const body = typeof built === 'string' ? built : JSON.stringify(built);
    if (item.body_keys && item.body_keys.length > 0) {
      const value = JSON.parse(body);
      const keys = Object.keys(
        Array.isArray(value) ? (value[1] ?? value[0]) : value
      );
      assert.deepEqual(keys.sort(), [...item.body_keys].sort(), item.request);
    }
    if (!item.excerpt.includes('…') && item.body_kind !== 'object') {
      // Excerpts show line breaks as spaces.
      assert.ok(
        body.replace(/\s+/g, ' ').startsWith(item.excerpt.replace(/\s+/g, ' ')),
        `${item.request}: ${body.slice(0, 80)}`
      );
    }
    return { status: item.status, type, body };
  }
  if (item.body_kind === 'html') {
    return { status: item.status, type, body: expressPage(item.excerpt) };
  }
  if (item.body_kind === 'object' || item.body_kind === 'array') {
    JSON.parse(item.excerpt); // a complete excerpt, else the test builds one
  }
  return { status: item.status, type, body: item.excerpt };
}

/** express's 404 page for a route the node lacks, as recorded for GET /logs. */
function unknownRoute(request: { method: string; path: string }): IReply {
  const item = entry('GET /logs', 'GET as API.md documents it');
  return {
    status: item.status,
    type: item.content_type,
    body: expressPage(
      item.excerpt.replace('GET /logs', `${request.method} ${request.path}`)
    )
  };
}

type Handler = (
  request: {
    method: string;
    path: string;
    query: URLSearchParams;
    body: string;
  },
  raw: IncomingMessage
) => IReply | Promise<IReply>;

/** A real HTTP server on 127.0.0.1 answering as the recorded node did. */
async function replayNode(routes: Record<string, Handler>) {
  const seen: { method: string; path: string; body: string }[] = [];
  const server = createServer(
    async (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const request = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        body: Buffer.concat(chunks).toString('utf8')
      };
      seen.push(request);
      const route =
        routes[`${request.method} ${request.path}`] ??
        Object.entries(routes).find(([key]) => {
          const [method, pattern] = key.split(' ');
          return (
            method === request.method &&
            pattern.endsWith('*') &&
            request.path.startsWith(pattern.slice(0, -1))
          );
        })?.[1];
      let answer: IReply;
      try {
        answer = route ? await route(request, req) : unknownRoute(request);
      } catch (error) {
        // A broken test body shows as itself, not as a node that does not answer.
        answer = { status: 599, type: 'text/plain', body: String(error) };
      }
      const headers: Record<string, string> = {};
      if (answer.type) headers['Content-Type'] = answer.type;
      res.writeHead(answer.status, headers);
      res.end(answer.body);
    }
  );
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
}

const DID =
  'did:op:de323b6639393930881725c427452b89eb7d27168520b6ca362b2adc3294e710';
const NFT = '0x' + '1a'.repeat(20);
const DATATOKEN = '0x' + '2b'.repeat(20);
const OWNER = '0xBE5449a6A97aD46c8558A3356267Ee5D2731ab5e';
const JWT =
  'eyJhbGciOiJIUzI1NiJ9.eyJhZGRyZXNzIjoiMHg0MiJ9.c2lnbmVkLWJ5LXRoZS1ub2Rl';
const CSV = 'id,name,value\n1,alpha,0.5\n2,beta,1.5\n3,gamma,2.5\n';

/** A DDO as a real node returns it (the keys the record lists). */
function realDdo(
  id: string,
  name: string,
  type = 'dataset',
  tags = ['weather']
) {
  return {
    '@context': ['https://w3id.org/did/v1'],
    id,
    version: '4.1.0',
    chainId: 8996,
    nftAddress: NFT,
    metadata: {
      created: '2026-12-01T10:00:00Z',
      updated: '2026-12-01T10:00:00Z',
      type,
      name,
      description: `${name}, measured hourly`,
      author: 'Ocean tester',
      license: 'CC0-1.0',
      tags
    },
    services: [
      {
        id: 'svc-access',
        type: 'access',
        files: '0x04abcdef',
        datatokenAddress: DATATOKEN,
        serviceEndpoint: 'http://127.0.0.1:8001',
        timeout: 0
      }
    ],
    datatokens: [
      {
        address: DATATOKEN,
        name: 'DT1',
        symbol: 'DT1',
        serviceId: 'svc-access'
      }
    ],
    indexedMetadata: {
      event: { txid: '0x' + '99'.repeat(32), block: 12, from: OWNER },
      nft: { address: NFT, name: 'Data NFT', owner: OWNER, state: 0 },
      stats: [
        {
          datatokenAddress: DATATOKEN,
          orders: 1,
          prices: [
            { type: 'dispenser', price: '0', contract: '0x' + '3c'.repeat(20) }
          ]
        }
      ]
    }
  };
}

const ASSETS = [
  realDdo(DID, 'Rain in Lisbon'),
  realDdo(`did:op:${'ab'.repeat(32)}`, 'Wind in Porto'),
  realDdo(`did:op:${'cd'.repeat(32)}`, 'Rain model', 'algorithm', ['model'])
];

/** One raw Typesense result per DDO collection, in the key order the node sends. */
function typesenseAnswer(documents: unknown[]) {
  const result = (hits: unknown[]) => ({
    found: hits.length,
    out_of: hits.length,
    page: 1,
    request_params: { per_page: 250, q: '*' },
    search_time_ms: 0,
    hits: hits.map(document => ({ document }))
  });
  return [result([]), result(documents), result([])];
}

/**
 * What a real v3 node accepts on metadata/query (its Typesense translation):
 * Elasticsearch bool.filter / must_not with term or terms, or filter_by.
 */
function realNodeAccepts(body: string): boolean {
  let query: any;
  try {
    query = JSON.parse(body);
  } catch {
    return false;
  }
  if (typeof query?.filter_by === 'string') return true;
  const bool = query?.query?.bool;
  if (!bool || (!bool.filter && !bool.must_not)) return false;
  return [...(bool.filter ?? []), ...(bool.must_not ?? [])].every(
    (clause: any) =>
      Object.keys(clause).length === 1 &&
      ('term' in clause || 'terms' in clause)
  );
}

const NODE_STATUS = {
  nodeId: '16Uiu2HAkw5Zxz2JdhUhrUsQ1vvLc3QhKrvXVmjqxJCEHEq9HSmCc',
  chainIds: ['8996'],
  providerAddress: '0xA78deb2Fa79463945C247991075E2a0e98Ba7A09',
  serviceEndpoints: {
    nonce: ['GET', '/api/services/nonce'],
    encrypt: ['POST', '/api/services/encrypt'],
    fileInfo: ['POST', '/api/services/fileInfo'],
    initialize: ['GET', '/api/services/initialize'],
    download: ['GET', '/api/services/download'],
    generateAuthToken: ['POST', '/api/services/auth/token'],
    computeEnvironments: ['GET', '/api/services/computeEnvironments'],
    computeResult: ['GET', '/api/services/computeResult'],
    computeStreamableLogs: ['GET', '/api/services/computeStreamableLogs'],
    ddoMetadataQuery: ['POST', '/api/aquarius/assets/metadata/query'],
    validateDdo: ['POST', '/api/aquarius/assets/ddo/validate']
  },
  nodePublicKey: '021890f529b0dd5e26f64e4d1a8b475',
  software: 'Ocean-Node',
  version: '3.0.6'
};

/** The node's answers every scenario shares: status, search, DDOs, nonce. */
function commonRoutes(): Record<string, Handler> {
  return {
    'GET /': () => reply(entry('GET /', 'node status'), NODE_STATUS),
    'POST /api/aquarius/assets/metadata/query': ({ body }) => {
      if (body.length > 100 * 1024)
        return reply(
          entry(
            'POST /api/aquarius/assets/metadata/query',
            '2 MB JSON body (oversized)'
          )
        );
      if (body.trim() === '{}')
        return reply(
          entry('POST /api/aquarius/assets/metadata/query', 'empty JSON object')
        );
      if (!realNodeAccepts(body))
        return reply(
          entry(
            'POST /api/aquarius/assets/metadata/query',
            'match_all (ES style, lib/market)'
          )
        );
      return reply(
        entry(
          'POST /api/aquarius/assets/metadata/query',
          'ES bool.filter term on chainId (all assets)'
        ),
        typesenseAnswer(ASSETS)
      );
    },
    'GET /api/aquarius/assets/ddo/*': ({ path }) => {
      const did = decodeURIComponent(path.split('/').pop() ?? '');
      const found = ASSETS.find(asset => asset.id === did);
      return found
        ? reply(
            entry('GET /api/aquarius/assets/metadata/:did', 'indexed DID'),
            found
          )
        : reply(entry('GET /api/aquarius/assets/ddo/:did', 'unknown DID'));
    },
    'GET /api/services/nonce': ({ query }) =>
      query.get('userAddress') === OWNER
        ? reply(entry('GET /api/services/nonce', 'valid userAddress'))
        : reply(entry('GET /api/services/nonce', 'fresh address (never seen)'))
  };
}

function clientFor(url: string): OceanClient {
  const networks = new NetworkRegistry();
  networks.update(
    [
      {
        key: 'replay',
        name: 'Replayed node',
        chainId: 8996,
        rpcUrl: 'http://127.0.0.1:9',
        nodeUrl: url
      }
    ],
    'replay'
  );
  return new OceanClient({ networks, wallet: null });
}

const rejectsWith = async (
  promise: Promise<unknown>,
  code: string,
  text?: RegExp
): Promise<Error> => {
  let caught: any;
  await assert.rejects(promise, (error: any) => {
    caught = error;
    return true;
  });
  assert.equal(
    caught.code,
    code,
    `${caught.message} ${JSON.stringify(caught.details ?? {})}`
  );
  if (text) assert.match(caught.message, text);
  return caught;
};

describe('against a real node’s recorded answers', () => {
  let node: Awaited<ReturnType<typeof replayNode>>;
  before(async () => {
    node = await replayNode({
      ...commonRoutes(),
      'POST /api/services/fileInfo': ({ body }) => {
        const { did } = JSON.parse(body || '{}');
        if (!did)
          return reply(entry('POST /api/services/fileInfo', 'empty object'));
        if (did !== DID)
          return reply(entry('POST /api/services/fileInfo', 'unknown did'));
        return reply(
          entry(
            'POST /api/services/fileInfo',
            'did + serviceId (lib checkDidFiles)'
          ),
          [
            {
              valid: true,
              contentLength: '49',
              contentType: 'text/csv',
              checksum: '114ab15a0ff0945bec82dab99475c84d63eef',
              name: '',
              type: 'url'
            }
          ]
        );
      }
    });
  });
  after(() => node.close());

  test('search: only a query the real node accepts is sent, and its Typesense answer is read', async () => {
    const client = clientFor(node.url);
    const all = await client.search({});
    assert.deepEqual(
      all.assets.map(asset => asset.name),
      ['Rain in Lisbon', 'Wind in Porto', 'Rain model']
    );
    const rain = await client.search({ text: 'rain', type: 'dataset' });
    assert.deepEqual(
      rain.assets.map(asset => asset.did),
      [DID]
    );
    const paged = await client.search({ pageSize: 2, page: 0 });
    assert.equal(paged.assets.length, 2);
    assert.equal(paged.hasMore, true);
    const queries = node.seen.filter(request =>
      request.path.endsWith('/metadata/query')
    );
    assert.ok(queries.length >= 3);
    for (const request of queries)
      assert.ok(realNodeAccepts(request.body), request.body);
  });

  test('search: the publish/manage helpers use the same accepted query', async () => {
    const network = { ...clientNetwork(node.url) };
    const algorithms = await queryDdos(network, { type: 'algorithm' });
    assert.deepEqual(
      algorithms.map(ddo => ddo.id),
      [ASSETS[2].id]
    );
  });

  test('DDO fetch: the whole DDO is summarised; an unknown DID reads as not indexed', async () => {
    const client = clientFor(node.url);
    const asset = await client.getAsset(DID);
    assert.equal(asset.name, 'Rain in Lisbon');
    assert.equal(asset.price.type, 'dispenser');
    await rejectsWith(
      client.getAsset(`did:op:${'ef'.repeat(32)}`),
      'OCEAN_NOT_INDEXED',
      /does not know this asset/
    );
  });

  test('file info: contentLength as a string is a number; a 500 sentence is a refusal', async () => {
    const client = clientFor(node.url);
    const [file] = await client.files(DID);
    assert.equal(file.contentLength, 49);
    assert.equal(file.contentType, 'text/csv');
    assert.equal(file.available, true);
    const api = new NodeApi(node.url);
    await rejectsWith(
      api.fileInfo(`did:op:${'ab'.repeat(32)}`, 'svc-access'),
      'OCEAN_NODE_REFUSED',
      /refused the request: Unable to decrypt files, files not served by the current node! \(500\)/
    );
  });

  test('nonce: the real node’s string nonce is read as a number', async () => {
    const api = new NodeApi(node.url);
    assert.equal(await api.nonce(OWNER), 56n);
    assert.equal(await api.nonce('0x' + '77'.repeat(20)), 0n);
  });

  test('node status: GET / with nodeId, nodePublicKey, software and version', async () => {
    const info = await new NodeApi(node.url).info();
    assert.equal(info.version, '3.0.6');
    assert.equal(info.software, 'Ocean-Node');
    const status = await probeNetwork(clientNetwork(node.url), {
      timeoutMs: 1500
    });
    assert.equal(status.node.reachable, true);
    if (status.node.reachable) {
      assert.deepEqual(status.node.chainIds, [8996]);
      assert.equal(status.node.version, '3.0.6');
    }
  });

  test('an oversized query gets the real 413 page, read as a sentence', async () => {
    await rejectsWith(
      new NodeApi(node.url).query({
        query: { bool: { filter: [] } },
        pad: 'x'.repeat(200_000)
      }),
      'OCEAN_NODE_REFUSED',
      /larger than the Ocean Node accepts/
    );
  });

  test('a query the real node rejects (match_all) is a refusal, not an outage', async () => {
    await rejectsWith(
      new NodeApi(node.url).query({ query: { match_all: {} } }),
      'OCEAN_NODE_REFUSED',
      /gave no reason \(500\)/
    );
  });

  test('an unknown route’s express page says there is no such route', async () => {
    await rejectsWith(
      new NodeApi(node.url).json('/logs'),
      'OCEAN_NODE_REFUSED',
      /no such route \(Cannot GET \/logs\)/
    );
  });
});

function clientNetwork(url: string) {
  const networks = new NetworkRegistry();
  networks.update(
    [
      {
        key: 'replay',
        name: 'Replayed node',
        chainId: 8996,
        rpcUrl: 'http://127.0.0.1:9',
        nodeUrl: url
      }
    ],
    'replay'
  );
  return networks.active;
}

describe('downloads against a real node’s recorded answers', () => {
  const cases: [string, string, RegExp, string?][] = [
    [
      'Authorization: expired token',
      'OCEAN_DOWNLOAD_REFUSED',
      /Invalid token/,
      'INVALID_TOKEN'
    ],
    [
      'stale nonce (correctly signed)',
      'OCEAN_DOWNLOAD_REFUSED',
      /nonce: 58 is not a valid nonce/,
      'INVALID_NONCE'
    ],
    [
      'metadata tx as transferTxId (not an order)',
      'OCEAN_NODE_REFUSED',
      /gave no reason \(500\)/
    ],
    [
      'unknown DID',
      'OCEAN_NOT_INDEXED',
      /does not know this asset/,
      'DDO_NOT_FOUND'
    ],
    [
      'fileIndex out of range (5)',
      'OCEAN_NODE_REFUSED',
      /Unknown error: Empty file object\. \(501\)/
    ],
    [
      'missing transferTxId',
      'OCEAN_DOWNLOAD_REFUSED',
      /Missing one \( "transferTxId" \)/
    ]
  ];
  let node: Awaited<ReturnType<typeof replayNode>>;
  before(async () => {
    node = await replayNode({
      'GET /api/services/download': ({ query }) => {
        const request =
          query.get('case') ?? 'Authorization: valid token, no signature';
        const item = entry('GET /api/services/download', request);
        // The recorded file, whole: real nodes ignore Range.
        return item.status === 200 ? reply(item, CSV) : reply(item);
      }
    });
  });
  after(() => node.close());

  test('a ranged read of the file gets the whole file (Range ignored) and keeps what was asked', async () => {
    const url = `${node.url}/api/services/download?fileIndex=0`;
    const whole = await readRange(
      url,
      { Authorization: 'JWT' },
      0,
      1024 * 1024,
      undefined
    );
    assert.equal(new TextDecoder().decode(whole.bytes), CSV);
    const head = await readRange(
      url,
      { Authorization: 'JWT' },
      0,
      14,
      undefined
    );
    assert.equal(new TextDecoder().decode(head.bytes), 'id,name,value\n');
    assert.equal(head.rangeIgnored, true);
  });

  for (const [request, code, text, nodeCode] of cases) {
    test(`refusal “${request}” reads as a sentence`, async () => {
      const url = `${node.url}/api/services/download?case=${encodeURIComponent(request)}`;
      const error: any = await rejectsWith(
        readRange(url, {}, 0, 100, undefined),
        code,
        text
      );
      if (nodeCode) assert.equal(error.details.nodeCode, nodeCode);
      assert.doesNotMatch(error.message, /unreachable|does not answer/i);
    });
  }
});

describe('auth tokens and compute routes against a real node’s recorded answers', () => {
  let node: Awaited<ReturnType<typeof replayNode>>;
  let tokenCase = 'valid (as the lib)';
  const wallet = new Wallet('0x' + '42'.repeat(32));
  before(async () => {
    node = await replayNode({
      ...commonRoutes(),
      'POST /api/services/auth/token': () => {
        const item = entry('POST /api/services/auth/token', tokenCase);
        // The record hides the token ("JWT…"); a JWT-shaped one stands in.
        return item.status === 200 ? reply(item, { token: JWT }) : reply(item);
      },
      'GET /api/services/computeResult': () =>
        reply(entry('GET /api/services/computeResult', 'unknown job, signed')),
      'GET /api/services/computeStreamableLogs': () =>
        reply(entry('GET /api/services/computeStreamableLogs', 'unsigned')),
      'GET /api/services/computeEnvironments': () =>
        reply(entry('GET /api/services/computeEnvironments', 'list'))
    });
  });
  after(() => node.close());

  const asker = (label: string) => ({ label, kernelId: undefined });

  test('a token is issued after the string nonce; refusals are sentences', async () => {
    const network = clientNetwork(node.url);
    tokenCase = 'valid (as the lib)';
    const token = await new NodeAuth(network, wallet, asker('ok')).token();
    assert.equal(token, JWT);
    const sent = node.seen.filter(
      request => request.path === '/api/services/auth/token'
    );
    // The node held nonce 0 for this fresh account: the request signs a later one.
    assert.ok(Number(JSON.parse(sent[0].body).nonce) >= 1);
    // Tokens are kept per node and account: drop this one so the next asks anew.
    await new NodeAuth(network, wallet, asker('ok')).forget(token);

    tokenCase = 'bad signature';
    await rejectsWith(
      new NodeAuth(network, wallet, asker('bad')).token(),
      'OCEAN_DOWNLOAD_REFUSED',
      /\(401\): consumer address and nonce signature mismatch\./
    );
    tokenCase = 'malformed JSON';
    await rejectsWith(
      new NodeAuth(network, wallet, asker('html')).token(),
      'OCEAN_NODE_REFUSED',
      /could not read the request \(SyntaxError: Unexpected end of JSON input\)/
    );
  });

  test('compute: a result refused with 500 text names the node’s reason; refused logs end quietly', async () => {
    tokenCase = 'valid (as the lib)';
    const auth = new NodeAuth(
      clientNetwork(node.url),
      wallet,
      asker('compute')
    );
    await rejectsWith(
      jobResult(auth, 'job-1', 0),
      'OCEAN_COMPUTE_FAILED',
      /\(500\): Invalid C2D Environment/
    );
    const lines: string[] = [];
    for await (const line of jobLogs(auth, 'job-1')) lines.push(line);
    assert.deepEqual(lines, []);
  });

  test('compute environments: the real node’s empty list', async () => {
    const environments = await new NodeApi(node.url).json<unknown[]>(
      '/api/services/computeEnvironments'
    );
    assert.deepEqual(environments, []);
  });
});

describe('through @oceanprotocol/lib, against a real node’s recorded answers', () => {
  let node: Awaited<ReturnType<typeof replayNode>>;
  let initializeCase = 'valid (as the lib)';
  before(async () => {
    node = await replayNode({
      ...commonRoutes(),
      'GET /api/services/initialize': () => {
        const item = entry('GET /api/services/initialize', initializeCase);
        if (item.status !== 200) return reply(item);
        return reply(item, {
          providerFee: {
            providerFeeAddress: '0xA78deb2Fa79463945C247991075E2a0e98Ba7A09',
            providerFeeToken: '0x2473f4F7bf40ed9310B8bDbf3ab1d21F8F6E2E7c',
            providerFeeAmount: '0',
            providerData: '0x',
            v: 27,
            r: '0x' + '11'.repeat(32),
            s: '0x' + '22'.repeat(32),
            validUntil: 0
          },
          datatoken: DATATOKEN,
          nonce: '57',
          computeAddress: '0xA78deb2Fa79463945C247991075E2a0e98Ba7A09'
        });
      }
    });
  });
  after(() => node.close());

  test('initialize: computeAddress and a string nonce beside the provider fee', async () => {
    const lib = await loadOceanLib();
    initializeCase = 'valid (as the lib)';
    const answer: any = await lib.ProviderInstance.initialize(
      DID,
      'svc-access',
      0,
      OWNER,
      node.url
    );
    assert.equal(
      answer.providerFee.providerFeeAddress,
      NODE_STATUS.providerAddress
    );
    assert.equal(answer.computeAddress, NODE_STATUS.providerAddress);
  });
});

describe('publish’s encrypt and validate, through the lib, against a real node’s recorded answers', () => {
  let node: Awaited<ReturnType<typeof replayNode>>;
  let encryptCase = 'valid signed, octet-stream body (as the lib)';
  let validateCase = 'valid DDO, unsigned';
  const wallet = new Wallet('0x' + '43'.repeat(32));
  const CIPHERTEXT = '0x' + '5e'.repeat(114);
  before(async () => {
    node = await replayNode({
      ...commonRoutes(),
      'POST /api/services/encrypt': () => {
        const item = entry('POST /api/services/encrypt', encryptCase);
        // The record gives the length only: "0x…(228 hex)".
        return item.status === 200 ? reply(item, CIPHERTEXT) : reply(item);
      },
      'POST /api/aquarius/assets/ddo/validate': () => {
        const item = entry(
          'POST /api/aquarius/assets/ddo/validate',
          validateCase
        );
        if (item.status !== 200) return reply(item);
        // Real nodes send r and s as strings (ours as one-item arrays).
        return reply(item, {
          hash: '0xdf4783bdf19ed17411cd78d58dc9ba0f785c126843d1b448fbd87d7ff94a0390',
          publicKey: NODE_STATUS.providerAddress,
          r: '0x' + '12'.repeat(32),
          s: '0x' + '34'.repeat(32),
          v: 27
        });
      }
    });
  });
  after(() => node.close());

  const encrypt = async () => {
    const lib = await loadOceanLib();
    return encryptedBy(
      await lib.ProviderInstance.encrypt(
        { files: [] },
        8996,
        node.url,
        wallet as never
      ),
      'the file location'
    );
  };

  test('encrypt: the hex answer is kept; text and HTML refusals stop publishing with their reason', async () => {
    encryptCase = 'valid signed, octet-stream body (as the lib)';
    assert.equal(await encrypt(), CIPHERTEXT);
    encryptCase = 'no signature params';
    await rejectsWith(
      encrypt(),
      'OCEAN_PUBLISH_FAILED',
      /did not encrypt the file location: Invalid authentication, you need to provide/
    );
    encryptCase = '26 MB body, signed (oversized)';
    await rejectsWith(
      encrypt(),
      'OCEAN_PUBLISH_FAILED',
      /did not encrypt the file location: PayloadTooLargeError: request entity too large\./
    );
  });

  test('validate: the hash publish writes on chain is read from the real answer', async () => {
    const lib = await loadOceanLib();
    validateCase = 'valid DDO, unsigned';
    const validation: any = await new lib.Aquarius(node.url).validate(
      ASSETS[0] as never,
      wallet as never,
      node.url
    );
    assert.equal(validation.valid, true);
    assert.equal(
      validation.hash,
      '0xdf4783bdf19ed17411cd78d58dc9ba0f785c126843d1b448fbd87d7ff94a0390'
    );
    // The lib answers a text refusal with null (or throws): publish stops
    // with OCEAN_PUBLISH_FAILED either way, before anything is encrypted.
    validateCase = 'bad signature';
    const refused: any = await new lib.Aquarius(node.url)
      .validate(ASSETS[0] as never, wallet as never, node.url)
      .catch(() => null);
    assert.notEqual(refused?.valid, true);
  });
});

describe('rate limits', () => {
  test('a 429 from a real node fails at once with the time to retry when waiting is off', async () => {
    const node = await replayNode({
      'GET /': () => ({
        status: 429,
        type: 'text/html',
        body: 'Rate limit exceeded. Try again in 60 seconds.'
      })
    });
    try {
      const error = await rejectsWith(
        new NodeApi(node.url, { maxRateLimitWaitMs: 0 }).info(),
        'OCEAN_RATE_LIMITED',
        /30 requests a minute\)\. Try again at .+ \(in (59|60) s\)/
      );
      assert.equal(node.seen.length, 1, error.message);
    } finally {
      await node.close();
    }
  });

  test('a 429 is waited out once, saying when the retry comes, then the call succeeds', async () => {
    let calls = 0;
    const node = await replayNode({
      'GET /': () =>
        ++calls === 1
          ? {
              status: 429,
              type: 'text/html',
              body: 'Rate limit exceeded. Try again in 1 seconds.'
            }
          : reply(entry('GET /', 'node status'), NODE_STATUS)
    });
    try {
      const told: string[] = [];
      const started = Date.now();
      const info = await new NodeApi(node.url, {
        onRateLimited: ({ message }) => told.push(message)
      }).info();
      assert.equal(info.version, '3.0.6');
      assert.ok(Date.now() - started >= 900);
      assert.equal(told.length, 1);
      assert.match(told[0], /Retrying at .+ \(in 1 s\)/);
    } finally {
      await node.close();
    }
  });
});
