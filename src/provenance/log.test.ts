import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  IKernelCommandContext,
  INetworkRegistry,
  IOceanAccessGrant,
  IOceanAssetSummary,
  IOceanNetwork
} from '../tokens';
import {
  ProvenanceLog,
  type IMetadataHolder,
  type NotebookLookup
} from './log';
import { lineageDigest, PROVENANCE_METADATA_KEY, readRecord } from './record';

const NETWORK = {
  key: 'local',
  name: 'Local',
  chainId: 8996,
  rpcUrl: 'http://127.0.0.1:8545',
  nodeUrl: 'http://127.0.0.1:8001',
  nativeSymbol: 'ETH'
};

function notebook(): IMetadataHolder & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    getMetadata: key => data.get(key),
    // Metadata is stored as JSON: keep what a save would keep.
    setMetadata: (key, value) =>
      data.set(key, JSON.parse(JSON.stringify(value)))
  };
}

const context = (kernelId: string, cellId?: string): IKernelCommandContext => ({
  requester: { kind: 'kernel', label: 'n.ipynb', kernelId, path: 'n.ipynb' },
  cellId,
  progress: () => undefined,
  request: async () => null
});

const asset = {
  did: 'did:op:1',
  name: 'Weather',
  license: 'CC-BY-ND-4.0'
} as IOceanAssetSummary;

const grant: IOceanAccessGrant = {
  did: 'did:op:1',
  chainId: 8996,
  serviceId: 'svc-1',
  serviceIndex: 0,
  datatoken: '0xd1',
  consumer: '0xc1',
  orderTxId: '0xaaaa',
  reused: true,
  validUntil: null
};

/** The log writing to `notebooks`, on the local network and `more`. */
const logOn = (
  notebooks: NotebookLookup,
  blockOf: (network: IOceanNetwork, tx: string) => Promise<number | null>,
  more: IOceanNetwork[] = []
) =>
  new ProvenanceLog({
    notebooks,
    networks: {
      active: NETWORK,
      networks: [NETWORK, ...more]
    } as unknown as INetworkRegistry,
    blockOf
  });

describe('provenance log', () => {
  it("writes loads and publishes into the asking kernel's notebook, with the cell, block and SHA-256", async () => {
    const model = notebook();
    const log = logOn(
      requester => (requester.kernelId === 'k1' ? model : null),
      async (_network, tx) => (tx === '0xaaaa' ? 41 : null)
    );
    const load = await log.recordLoad(context('k1', 'cell-3'), asset, grant, [
      {
        name: 'w.csv',
        path: 'ocean-data/w.csv',
        bytes: new TextEncoder().encode('abc')
      }
    ]);
    assert.equal(load?.id, 'e1');
    const stored = readRecord(model.data.get(PROVENANCE_METADATA_KEY));
    assert.deepEqual(stored.entries[0].order, {
      tx: '0xaaaa',
      block: 41,
      reused: true
    });
    assert.equal(stored.entries[0].cellId, 'cell-3');
    assert.equal(stored.entries[0].license, 'CC-BY-ND-4.0');
    assert.equal(stored.entries[0].network.rpcUrl, 'http://127.0.0.1:8545');
    assert.equal(
      stored.entries[0].files![0].sha256,
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    );

    const lineage = await log.lineage(context('k1').requester);
    assert.deepEqual(
      lineage?.sources.map(s => s.id),
      ['e1']
    );
    assert.equal(lineage?.digest, await lineageDigest(stored));
    const publish = await log.recordPublish(
      context('k1', 'cell-4'),
      { did: 'did:op:2', tx: '0xbbbb', name: 'Derived', license: 'CC0-1.0' },
      lineage
    );
    assert.deepEqual(publish?.sources, ['e1']);
    assert.equal(publish?.lineageDigest, lineage?.digest);
    assert.equal(
      readRecord(model.data.get(PROVENANCE_METADATA_KEY)).entries.length,
      2
    );
  });

  it("records an asset card's order in the notebook it is rendered in, without files", async () => {
    const model = notebook();
    const OTHER = { ...NETWORK, key: 'other', chainId: 11155111 };
    // The card's origin names no kernel: the notebook is found by path.
    const log = logOn(
      requester =>
        requester.path === 'cards.ipynb' && !requester.kernelId ? model : null,
      async (network, tx) =>
        network.chainId === 11155111 && tx === '0xcccc' ? 7 : null,
      [OTHER]
    );
    const entry = await log.recordOrder(
      {
        requester: {
          kind: 'renderer',
          label: 'Ocean asset card in cards.ipynb',
          path: 'cards.ipynb'
        },
        cellId: 'cell-7'
      },
      asset,
      { ...grant, chainId: 11155111, orderTxId: '0xcccc', reused: false }
    );
    const stored = readRecord(model.data.get(PROVENANCE_METADATA_KEY));
    assert.deepEqual(stored.entries, [entry]);
    const { at, ...rest } = stored.entries[0];
    assert.match(at, /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(rest, {
      id: 'e1',
      action: 'order',
      cellId: 'cell-7',
      // The grant's chain, not the active one.
      network: {
        key: 'other',
        chainId: 11155111,
        rpcUrl: NETWORK.rpcUrl,
        nodeUrl: NETWORK.nodeUrl
      },
      did: 'did:op:1',
      name: 'Weather',
      license: 'CC-BY-ND-4.0',
      serviceId: 'svc-1',
      serviceIndex: 0,
      datatoken: '0xd1',
      consumer: '0xc1',
      order: { tx: '0xcccc', block: 7, reused: false }
    });
    // An order brought no bytes: a publish does not name it as a source.
    const lineage = await log.lineage({
      kind: 'renderer',
      label: 'x',
      path: 'cards.ipynb'
    });
    assert.deepEqual(lineage?.sources, []);
  });

  it('records who started a compute job (the only account the node shows it to)', async () => {
    const model = notebook();
    const log = logOn(
      () => model,
      async () => 3
    );
    const entry = await log.recordCompute(
      context('k1'),
      { did: 'did:op:1', jobId: 'job-1', owner: '0xa1', grant },
      []
    );
    assert.equal(entry?.jobOwner, '0xa1');
    assert.equal(entry?.consumer, '0xc1');
  });

  it("records an order once: a GAN cell's kernel asking again, a card clicked again", async () => {
    const model = notebook();
    const log = logOn(
      () => model,
      async () => 5
    );
    const origin = { requester: context('k1').requester, cellId: 'gan-1' };
    const first = await log.recordOrder(origin, asset, grant);
    const again = await log.recordOrder(
      { ...origin, cellId: 'gan-2' },
      asset,
      grant
    );
    assert.deepEqual(again, first);
    // Another order of the same asset is a new entry.
    const other = await log.recordOrder(origin, asset, {
      ...grant,
      orderTxId: '0xbbbb'
    });
    assert.equal(other?.id, 'e2');
    assert.deepEqual(
      readRecord(model.data.get(PROVENANCE_METADATA_KEY)).entries.map(
        e => e.order?.tx
      ),
      ['0xaaaa', '0xbbbb']
    );
  });

  it("records a GAN cell's use of its model once per cell and model, with the order the access check found", async () => {
    const model = notebook();
    const log = logOn(
      requester => (requester.path === 'gan.ipynb' ? model : null),
      async () => 9
    );
    const gan = { did: 'did:op:gan', name: 'Tiny GAN', license: 'MIT' };
    const bought = { ...grant, did: gan.did, reused: false };
    const cell = (cellId: string) => ({
      requester: {
        kind: 'renderer' as const,
        label: 'GAN output cell in gan.ipynb',
        path: 'gan.ipynb'
      },
      cellId
    });
    // Bought in one cell (an order entry), then generated in another, with
    // no purchase there: a use entry of that cell naming the order entry.
    await log.recordOrder(cell('buy'), gan as IOceanAssetSummary, bought);
    const [used, twice] = await Promise.all([
      log.recordModelUse(cell('later'), gan as IOceanAssetSummary, {
        ...bought,
        reused: true
      }),
      log.recordModelUse(cell('later'), gan as IOceanAssetSummary, {
        ...bought,
        reused: true
      })
    ]);
    const { at, ...rest } = used!;
    assert.match(at, /^\d{4}-\d\d-\d\dT/);
    // Exactly these fields: what anyone can read on chain and node, nothing
    // secret (no auth token, signature or download URL).
    assert.deepEqual(rest, {
      id: 'e2',
      action: 'use',
      cellId: 'later',
      network: {
        key: 'local',
        chainId: 8996,
        rpcUrl: NETWORK.rpcUrl,
        nodeUrl: NETWORK.nodeUrl
      },
      did: 'did:op:gan',
      name: 'Tiny GAN',
      license: 'MIT',
      serviceId: 'svc-1',
      serviceIndex: 0,
      datatoken: '0xd1',
      consumer: '0xc1',
      order: { tx: '0xaaaa', block: 9, reused: true },
      sources: ['e1']
    });
    // Two generations at once, and every one after: still that one entry.
    assert.deepEqual(twice, used);
    assert.deepEqual(
      await log.recordModelUse(
        cell('later'),
        gan as IOceanAssetSummary,
        bought
      ),
      used
    );
    // The buying cell generates too: its own use; another model its own.
    const here = await log.recordModelUse(
      cell('buy'),
      gan as IOceanAssetSummary,
      bought
    );
    assert.equal(here?.id, 'e3');
    const other = await log.recordModelUse(
      cell('later'),
      { ...gan, did: 'did:op:gan2' } as IOceanAssetSummary,
      { ...bought, did: 'did:op:gan2', orderTxId: '0xbbbb' }
    );
    assert.equal(other?.id, 'e4');
    assert.equal(other?.sources, undefined);
    const stored = readRecord(model.data.get(PROVENANCE_METADATA_KEY));
    assert.deepEqual(
      stored.entries.map(e => `${e.id} ${e.action} ${e.cellId}`),
      ['e1 order buy', 'e2 use later', 'e3 use buy', 'e4 use later']
    );
    // A model's use brought no bytes into the kernel: no publish source.
    const lineage = await log.lineage(cell('x').requester);
    assert.deepEqual(lineage?.sources, []);
    // Outside a notebook: nothing.
    assert.equal(
      await log.recordModelUse(
        { requester: { kind: 'renderer', label: 'x' } },
        gan as IOceanAssetSummary,
        bought
      ),
      null
    );
  });

  it('records results fetched again as the one compute entry, and other bytes as a new one', async () => {
    const model = notebook();
    const log = logOn(
      () => model,
      async () => 3
    );
    const file = (text: string) => ({
      name: 'summary.csv',
      path: 'ocean-results/job-1/summary.csv',
      bytes: new TextEncoder().encode(text)
    });
    const job = { did: 'did:op:1', jobId: 'job-1', owner: '0xa1', grant };
    const first = await log.recordCompute(context('k1', 'c1'), job, [
      file('a,b\n1,2\n')
    ]);
    const again = await log.recordCompute(context('k1', 'c2'), job, [
      file('a,b\n1,2\n')
    ]);
    assert.deepEqual(again, first);
    const changed = await log.recordCompute(context('k1', 'c3'), job, [
      file('a,b\n1,3\n')
    ]);
    assert.equal(changed?.id, 'e2');
    // Without the job's order (fetched later, none found): still the job and its files.
    const orderless = await log.recordCompute(
      context('k1', 'c4'),
      { did: 'did:op:1', jobId: 'job-2', owner: '0xa1' },
      [file('x\n')]
    );
    assert.equal(orderless?.order, undefined);
    assert.equal(orderless?.jobId, 'job-2');
    assert.equal(orderless?.files?.length, 1);
  });

  it('writes nothing where no notebook is known (a console)', async () => {
    const log = logOn(
      () => null,
      async () => 1
    );
    assert.equal(await log.recordLoad(context('k9'), asset, grant, []), null);
    assert.equal(await log.read(context('k9').requester), null);
  });
});
