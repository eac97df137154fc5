import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assetName,
  buildSearchQuery,
  checkDid,
  matchesQuery,
  searchDocuments,
  searchPage,
  summariseDdo
} from './asset';
import { OrderMemory, orderExpiry, pickValidOrder } from './orders';

const DID = `did:op:${'ab'.repeat(32)}`;

const ddo = (overrides: Record<string, unknown> = {}) => ({
  id: DID,
  chainId: 8996,
  nftAddress: '0x' + '11'.repeat(20),
  metadata: {
    name: '<img src=x onerror=alert(1)>Weather',
    type: 'dataset',
    description: '<script>alert(1)</script>',
    author: 'someone',
    license: 'CC0-1.0',
    tags: ['a', 5, 'b'],
    links: ['javascript:alert(1)', 'http://127.0.0.1/sample.csv']
  },
  services: [
    {
      id: 's1',
      type: 'access',
      datatokenAddress: '0x' + '22'.repeat(20),
      timeout: 3600
    }
  ],
  indexedMetadata: {
    nft: { owner: '0x' + '33'.repeat(20) },
    stats: [
      {
        datatokenAddress: '0x' + '22'.repeat(20),
        orders: 4,
        prices: [
          {
            type: 'fixedrate',
            price: '2.0',
            token: '0x' + '44'.repeat(20),
            contract: '0x' + '55'.repeat(20),
            exchangeId: '0x01'
          }
        ]
      }
    ]
  },
  ...overrides
});

test('summariseDdo keeps text as text and drops non-http links', () => {
  const summary = summariseDdo(ddo());
  assert.equal(summary.name, '<img src=x onerror=alert(1)>Weather');
  assert.deepEqual(summary.tags, ['a', 'b']);
  assert.equal(summary.sampleUrl, 'http://127.0.0.1/sample.csv');
  assert.deepEqual(summary.price, {
    type: 'fixedrate',
    amount: '2.0',
    token: '0x' + '44'.repeat(20),
    symbol: 'OCEAN'
  });
  assert.equal(summary.access, 'download');
  assert.equal(summary.services[0].timeout, 3600);
  assert.equal(summary.orders, 4);
  assert.equal(summary.publisher, '0x' + '33'.repeat(20));
});

test('summariseDdo refuses documents without a did', () => {
  assert.throws(() => summariseDdo({ id: 'nope' }), /not an Ocean asset/);
  assert.throws(() => checkDid('did:op:123'), /not an Ocean asset id/);
});

test('buildSearchQuery sends only a chainId term, which every node accepts', () => {
  const body = buildSearchQuery(8996);
  assert.deepEqual(body.query, {
    bool: { filter: [{ term: { chainId: 8996 } }] }
  });
  assert.equal(body.from, 0);
  assert.equal(body.size, 250);
  // Clauses a real node drops or fails on are never sent.
  assert.doesNotMatch(JSON.stringify(body), /should|match|query_by|"q"/);
});

test('searchDocuments reads our list, Typesense results and Elasticsearch lists', () => {
  const one = ddo();
  const two = ddo({ id: `did:op:${'cd'.repeat(32)}` });
  const typesense = [
    {
      found: 1,
      out_of: 1,
      page: 1,
      request_params: { per_page: 250, q: '*' },
      search_time_ms: 0,
      hits: [{ document: one }]
    },
    { found: 0, out_of: 0, page: 1, hits: [] },
    { found: 2, hits: [{ document: two }, { document: one }] }
  ];
  const ids = (answer: unknown) =>
    searchDocuments(answer).map(document => document.id);
  assert.deepEqual(ids(typesense), [one.id, two.id]);
  assert.deepEqual(ids([one, two]), [one.id, two.id]);
  assert.deepEqual(ids([[one], [two]]), [one.id, two.id]);
  assert.deepEqual(ids({ hits: { hits: [{ _source: two }] } }), [two.id]);
  assert.deepEqual(ids([{ found: 0, hits: [] }]), []);
  assert.deepEqual(ids('Internal Server Error'), []);
});

test('matchesQuery does the filters and text search the node cannot', () => {
  const sold = ddo();
  assert.equal(matchesQuery(sold, {}, 8996), true);
  assert.equal(matchesQuery(sold, {}, 1), false);
  // The sample is sold at a fixed rate.
  assert.equal(matchesQuery(sold, { price: 'paid' }, 8996), true);
  assert.equal(matchesQuery(sold, { price: 'free' }, 8996), false);
  assert.equal(matchesQuery(sold, { type: 'algorithm' }, 8996), false);
  assert.equal(matchesQuery(sold, { access: 'download' }, 8996), true);
  assert.equal(matchesQuery(sold, { access: 'compute' }, 8996), false);
  assert.equal(matchesQuery(sold, { tag: 'A' }, 8996), true);
  assert.equal(matchesQuery(sold, { tag: 'c' }, 8996), false);
  assert.equal(
    matchesQuery(sold, { publisher: '0x' + '33'.repeat(20) }, 8996),
    true
  );
  assert.equal(
    matchesQuery(sold, { publisher: '0x' + '44'.repeat(20) }, 8996),
    false
  );
  assert.equal(matchesQuery(sold, { text: 'weather SOMEONE' }, 8996), true);
  assert.equal(matchesQuery(sold, { text: 'weather rain' }, 8996), false);
});

test("searchPage pages what matched, out of a real node's whole answer", () => {
  const documents = Array.from({ length: 25 }, (_, index) =>
    ddo({ id: `did:op:${index.toString(16).padStart(2, '0').repeat(32)}` })
  );
  const answer = [
    { found: 25, hits: documents.map(document => ({ document })) }
  ];
  const first = searchPage(answer, { pageSize: 10 }, 8996);
  assert.equal(first.documents.length, 10);
  assert.equal(first.hasMore, true);
  const last = searchPage(answer, { pageSize: 10, page: 2 }, 8996);
  assert.deepEqual(
    last.documents.map(document => document.id),
    documents.slice(20).map(document => document.id)
  );
  assert.equal(last.hasMore, false);
});

test('order validity follows the service timeout and the provider fee', () => {
  const order = {
    txHash: '0x1',
    serviceIndex: 0,
    timestamp: 1000,
    feeValidUntil: 0
  };
  assert.equal(orderExpiry(order, 0), null);
  assert.equal(orderExpiry(order, 100), 1_100_000);
  assert.equal(orderExpiry({ ...order, feeValidUntil: 1050 }, 100), 1_050_000);
  assert.equal(pickValidOrder([order], 0, 0, 10_000_000)?.txHash, '0x1');
  assert.equal(pickValidOrder([order], 1, 0, 2000), null);
  assert.equal(pickValidOrder([order], 0, 3600, 1000 + 3600), null);
});

test('OrderMemory remembers per chain, asset, service and account', () => {
  const data = new Map<string, string>();
  const memory = new OrderMemory({
    getItem: key => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value)
  });
  const grant = {
    did: DID,
    chainId: 8996,
    serviceId: 's1',
    serviceIndex: 0,
    datatoken: '0x' + '22'.repeat(20),
    consumer: '0xAbC0000000000000000000000000000000000001',
    orderTxId: '0xaa',
    reused: false,
    validUntil: null
  };
  memory.remember(grant);
  memory.remember({ ...grant, orderTxId: '0xexpired', validUntil: 1 });
  assert.equal(
    memory.find(8996, DID, 's1', grant.consumer.toLowerCase()).length,
    1
  );
  assert.equal(memory.find(1, DID, 's1', grant.consumer).length, 0);
  memory.forget('0xaa');
  assert.equal(memory.find(8996, DID, 's1', grant.consumer).length, 0);
});

test('names, authors, licences and tags show hidden and bidi characters as tags', () => {
  const base = ddo();
  const summary = summariseDdo({
    ...base,
    metadata: {
      ...base.metadata,
      name: 'Invoice \u202Efdp.exe',
      author: 'Ocean\u200B Labs',
      license: 'MIT\u2066',
      tags: ['ok', 'x\u200Fy']
    }
  });
  assert.equal(summary.name, 'Invoice ⟨U+202E⟩fdp.exe');
  assert.equal(summary.author, 'Ocean⟨U+200B⟩ Labs');
  assert.equal(summary.license, 'MIT⟨U+2066⟩');
  assert.deepEqual(summary.tags, ['ok', 'x⟨U+200F⟩y']);
});

test('an asset names the sources it was derived from: well-formed DIDs only', () => {
  const source = `did:op:${'cd'.repeat(32)}`;
  const base = ddo();
  const summary = summariseDdo({
    ...base,
    metadata: {
      ...base.metadata,
      additionalInformation: {
        derivedFrom: [
          { did: source.toUpperCase().replace('DID:OP:', 'did:op:') },
          { did: 'javascript:alert(1)' },
          { did: source },
          'nonsense'
        ]
      }
    }
  });
  assert.deepEqual(summary.derivedFrom, [source]);
  assert.equal(summariseDdo(ddo()).derivedFrom, undefined);
});

test('summariseDdo shows only an address as the publisher', () => {
  // The node's indexedMetadata is its word: text there must not read as a
  // verified publisher in the card.
  const ddo = (owner: unknown, from?: unknown) => ({
    id: 'did:op:' + 'ab'.repeat(32),
    metadata: { name: 'x' },
    indexedMetadata: { nft: { owner }, event: { from } }
  });
  assert.equal(
    summariseDdo(ddo('Ocean Protocol Foundation (verified)')).publisher,
    ''
  );
  assert.equal(
    summariseDdo(
      ddo('0x' + '33'.repeat(20) + ' (verified)', '0x' + '55'.repeat(20))
    ).publisher,
    '0x' + '55'.repeat(20)
  );
  assert.equal(
    summariseDdo(ddo('0x' + '33'.repeat(20))).publisher,
    '0x' + '33'.repeat(20)
  );
});

test('assetName makes hidden characters visible and falls back to the DID', () => {
  const did = 'did:op:' + 'a'.repeat(64);
  assert.equal(
    assetName({ metadata: { name: 'Weather \u202Ecsv.exe' } }, did),
    'Weather ⟨U+202E⟩csv.exe'
  );
  assert.equal(
    assetName({ metadata: { name: 'x'.repeat(900) } }, did).length,
    500
  );
  assert.equal(assetName({ metadata: { name: '  ' } }, did), did);
  assert.equal(assetName({ metadata: { name: 42 } }, did), did);
  assert.equal(assetName(null, did), did);
});
