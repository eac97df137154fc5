/**
 * Compute-to-data on the local node, end to end through the real @oceanprotocol/lib: a
 * compute-only dataset trusting a list of Deno algorithms; download refused; a paid job with a
 * trusted algorithm returns its result (status progression, logs, result files); an untrusted
 * algorithm and raw code are refused; algorithms that read outside their inputs, write
 * elsewhere, open a socket, allocate too much or run forever are stopped and reported while the
 * host stays untouched; a stop request; job records survive a node restart.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { ACCOUNTS, startTestChain, type TestChain } from './helpers.ts';
import { startOceanNode, type OceanNode } from '../src/node/index.ts';
import {
  publishComputeAsset,
  trustEntry,
  type PublishedComputeAsset
} from '../src/compute-publish.ts';
import { CHAIN_ID, waitForDdo, wallet } from './node-support.ts';

const CSV = [
  'station,temperature',
  ...Array.from(
    { length: 40 },
    (_, i) => `s${i % 4},${(10 + i * 0.5).toFixed(1)}`
  )
].join('\n');

/** The algorithm a data owner trusts: per-station mean temperature. */
const SUMMARY = `
const [inputs, outputs] = Deno.args;
const [did] = [...Deno.readDirSync(inputs)].map(entry => entry.name);
const rows = Deno.readTextFileSync(inputs + '/' + did + '/0').trim().split('\\n').slice(1);
const sums = {};
for (const row of rows) {
  const [station, t] = row.split(',');
  (sums[station] ??= []).push(Number(t));
}
const means = Object.fromEntries(Object.entries(sums).map(([s, v]) => [s, v.reduce((a, b) => a + b, 0) / v.length]));
console.log('summarised', rows.length, 'rows');
Deno.writeTextFileSync(outputs + '/summary.json', JSON.stringify({ rows: rows.length, means }));
`;

let chain: TestChain;
let node: OceanNode;
let origin: Server;
let originUrl: string;
const served = new Map<string, string>();
const dataDir = () => join(chain.dir, 'node');

function startNode(): Promise<OceanNode> {
  return startOceanNode({
    rpcUrl: chain.rpcUrl,
    chainId: CHAIN_ID,
    addressFile: chain.addressFile,
    dataDir: dataDir(),
    privateKey: ACCOUNTS.provider.privateKey,
    port: 0,
    // Our tests make far more than a real node's 30 requests a minute.
    rateLimitPerMinute: 100_000,
    indexerPollMs: 100,
    // The test origin is on loopback, which the node refuses unless told otherwise.
    allowedFileOrigins: [originUrl],
    compute: {
      maxJobDuration: 20,
      freeMaxJobDuration: 3,
      memoryBytes: 160 * 1024 ** 2
    },
    log: () => {}
  });
}

before(async () => {
  chain = await startTestChain();
  process.env.ADDRESS_FILE = chain.addressFile;
  origin = createServer((req, res) => {
    const body = served.get(req.url ?? '');
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end(body);
  });
  await new Promise<void>(resolve => origin.listen(0, '127.0.0.1', resolve));
  originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
  node = await startNode();
});

after(async () => {
  await node?.stop();
  origin?.close();
  await chain?.stop();
});

describe('compute-to-data on the local node', () => {
  const publisher = () => wallet(ACCOUNTS.publisher.privateKey, chain.rpcUrl);
  const consumer = () => wallet(ACCOUNTS.consumer.privateKey, chain.rpcUrl);
  const algorithms: Record<string, PublishedComputeAsset> = {};
  const orders: Record<string, string> = {};
  let dataset: PublishedComputeAsset;
  let environment: {
    id: string;
    consumerAddress: string;
    sandbox: { isolation: string };
  };
  const secretFile = () => join(chain.dir, 'host-secret.json');
  const forbiddenWrite = () => join(chain.dir, 'written-by-algorithm.txt');

  const code = (): Record<string, string> => ({
    summary: SUMMARY,
    readOutside: `console.log(Deno.readTextFileSync(${JSON.stringify(secretFile())}));`,
    importOutside: `const m = await import(${JSON.stringify(secretFile())}, { with: { type: 'json' } }); console.log(JSON.stringify(m.default));`,
    writeElsewhere: `Deno.writeTextFileSync(${JSON.stringify(forbiddenWrite())}, 'pwned'); console.log('wrote');`,
    socket: `const c = await Deno.connect({ hostname: '127.0.0.1', port: ${Number(new URL(chain.rpcUrl).port)} }); console.log('connected', c.remoteAddr);`,
    forever: `console.log('spinning'); for (;;) {}`,
    memory: `const keep = []; for (;;) keep.push(new Uint8Array(16 * 1024 * 1024).fill(7));`,
    untrusted: `console.log('not on the list');`
  });

  async function publishAlgorithm(name: string, source: string) {
    served.set(`/${name}.js`, source);
    return publishComputeAsset({
      signer: publisher(),
      addresses: chain.addresses,
      nodeUrl: node.url,
      name: `algo ${name}`,
      symbol: name.slice(0, 6).toUpperCase(),
      description: `test algorithm ${name}`,
      author: 'jupyterlab-ocean tests',
      license: 'CC0-1.0',
      tags: ['test'],
      files: [{ type: 'url', url: `${originUrl}/${name}.js`, method: 'GET' }],
      pricing: { type: 'mint' },
      kind: { type: 'algorithm', language: 'javascript' }
    });
  }

  /** Mints 1 datatoken to the consumer, initializes and orders for the environment. */
  async function order(
    asset: PublishedComputeAsset,
    providerFee: unknown
  ): Promise<string> {
    const { Datatoken } = await import('@oceanprotocol/lib');
    const consumerAddress = await consumer().getAddress();
    await (
      (await new Datatoken(publisher(), CHAIN_ID).mint(
        asset.datatokenAddress,
        await publisher().getAddress(),
        '1',
        consumerAddress
      )) as { wait(): Promise<unknown> }
    ).wait();
    const tx = await new Datatoken(consumer(), CHAIN_ID).startOrder(
      asset.datatokenAddress,
      environment.consumerAddress,
      0,
      providerFee as never
    );
    const receipt = await (tx as { wait(): Promise<{ hash: string }> }).wait();
    return receipt.hash;
  }

  async function initialize(algorithm: PublishedComputeAsset) {
    const { ProviderInstance } = await import('@oceanprotocol/lib');
    return ProviderInstance.initializeCompute(
      [{ documentId: dataset.did, serviceId: dataset.serviceId }],
      { documentId: algorithm.did, serviceId: algorithm.serviceId },
      environment.id,
      chain.addresses.Ocean,
      600,
      node.url,
      await consumer().getAddress(),
      [{ id: 'cpu', amount: 1 }],
      CHAIN_ID
    );
  }

  /** Orders (once per asset) and starts a job; free jobs run in the free environment. */
  async function start(name: string, free = false, maxJobDuration = 20) {
    const { ProviderInstance } = await import('@oceanprotocol/lib');
    const algorithm = algorithms[name];
    const init = await initialize(algorithm);
    orders[dataset.did] ??= await order(dataset, init.datasets![0].providerFee);
    orders[algorithm.did] ??= await order(
      algorithm,
      init.algorithm!.providerFee
    );
    const assets = [
      {
        documentId: dataset.did,
        serviceId: dataset.serviceId,
        transferTxId: orders[dataset.did]
      }
    ];
    const algo = {
      documentId: algorithm.did,
      serviceId: algorithm.serviceId,
      transferTxId: orders[algorithm.did]
    };
    const jobs = free
      ? await ProviderInstance.freeComputeStart(
          node.url,
          consumer(),
          environment.id,
          assets,
          algo
        )
      : await ProviderInstance.computeStart(
          node.url,
          consumer(),
          environment.id,
          assets,
          algo,
          maxJobDuration,
          chain.addresses.Ocean,
          [{ id: 'cpu', amount: 1 }],
          CHAIN_ID
        );
    return (Array.isArray(jobs) ? jobs[0] : jobs) as {
      jobId: string;
      status: number;
    };
  }

  async function waitForEnd(jobId: string, seen: number[] = []) {
    const { ProviderInstance } = await import('@oceanprotocol/lib');
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const answer = await ProviderInstance.computeStatus(
        node.url,
        consumer(),
        jobId
      );
      const job = (Array.isArray(answer) ? answer[0] : answer) as Record<
        string,
        any
      >;
      if (seen.at(-1) !== job.status) seen.push(job.status);
      if ([31, 32, 41, 70].includes(job.status)) return job;
      await new Promise(resolve => setTimeout(resolve, 50));
    }
    throw new Error(`job ${jobId} did not end`);
  }

  async function resultText(jobId: string, index: number): Promise<string> {
    const { ProviderInstance } = await import('@oceanprotocol/lib');
    const chunks: Uint8Array[] = [];
    for await (const chunk of await ProviderInstance.getComputeResult(
      node.url,
      consumer(),
      jobId,
      index
    ))
      chunks.push(chunk);
    return Buffer.concat(chunks).toString('utf8');
  }

  async function log(job: Record<string, any>): Promise<string> {
    const entry = job.results.find(
      (r: { type: string }) => r.type === 'algorithmLog'
    );
    return resultText(job.jobId, entry.index);
  }

  it('lists its Deno environment through the lib, isolated by Linux namespaces', async () => {
    const { ProviderInstance } = await import('@oceanprotocol/lib');
    const root = (await (await fetch(node.url)).json()) as {
      serviceEndpoints: Record<string, string[]>;
    };
    assert.deepEqual(root.serviceEndpoints.computeStart, [
      'POST',
      '/api/services/compute'
    ]);
    assert.deepEqual(root.serviceEndpoints.computeStop, [
      'PUT',
      '/api/services/compute'
    ]);
    const envs = await ProviderInstance.getComputeEnvironments(node.url);
    assert.equal(envs.length, 1);
    environment = envs[0] as never;
    assert.equal(environment.consumerAddress, ACCOUNTS.provider.address);
    assert.ok(envs[0].free, 'a free environment is offered');
    assert.equal(environment.sandbox.isolation, 'namespaces');
  });

  it('publishes trusted algorithms and a compute-only dataset that trusts them', async () => {
    writeFileSync(secretFile(), JSON.stringify({ secret: 'host-only-4711' }));
    const sources = code();
    for (const [name, source] of Object.entries(sources))
      algorithms[name] = await publishAlgorithm(name, source);
    served.set('/weather.csv', CSV);
    dataset = await publishComputeAsset({
      signer: publisher(),
      addresses: chain.addresses,
      nodeUrl: node.url,
      name: 'compute-only weather',
      symbol: 'CWX',
      description: 'raw data never leaves the node',
      author: 'jupyterlab-ocean tests',
      license: 'CC0-1.0',
      tags: ['test'],
      files: [{ type: 'url', url: `${originUrl}/weather.csv`, method: 'GET' }],
      pricing: { type: 'mint' },
      kind: {
        type: 'dataset',
        trustedAlgorithms: Object.entries(sources)
          .filter(([name]) => name !== 'untrusted')
          .map(([name, source]) => trustEntry(algorithms[name].did, source))
      }
    });
    for (const asset of [dataset, ...Object.values(algorithms)])
      await waitForDdo(node.url, asset.did);
  });

  it('refuses to download or access-initialize the compute-only dataset', async () => {
    const { ProviderInstance } = await import('@oceanprotocol/lib');
    const init = await initialize(algorithms.summary);
    orders[dataset.did] ??= await order(dataset, init.datasets![0].providerFee);
    const url = await ProviderInstance.getDownloadUrl(
      dataset.did,
      dataset.serviceId,
      0,
      orders[dataset.did],
      node.url,
      consumer()
    );
    const response = await fetch(url as string);
    assert.equal(response.status, 403);
    assert.match(await response.text(), /type compute/);
    const access = await fetch(
      `${node.url}/api/services/initialize?documentId=${dataset.did}&serviceId=${dataset.serviceId}&consumerAddress=${ACCOUNTS.consumer.address}&fileIndex=0`
    );
    assert.equal(access.status, 400);
  });

  it('runs a paid job with a trusted algorithm: statuses, live logs, result files', async () => {
    const { ProviderInstance } = await import('@oceanprotocol/lib');
    const job = await start('summary');
    assert.equal(job.status, 0);
    const logStream = await ProviderInstance.computeStreamableLogs(
      node.url,
      consumer(),
      job.jobId
    );
    const seen: number[] = [];
    const final = await waitForEnd(job.jobId, seen);
    assert.equal(final.status, 70, final.statusText);
    assert.equal(final.statusText, 'Job finished');
    assert.ok(
      seen.every((status, i) => i === 0 || status > seen[i - 1]),
      `statuses rise: ${seen}`
    );
    const output = final.results.find(
      (r: { filename: string }) => r.filename === 'summary.json'
    );
    const summary = JSON.parse(await resultText(job.jobId, output.index));
    assert.equal(summary.rows, 40);
    const s0 = CSV.split('\n')
      .slice(1)
      .filter(row => row.startsWith('s0,'))
      .map(row => Number(row.split(',')[1]));
    assert.equal(summary.means.s0, s0.reduce((a, b) => a + b, 0) / s0.length);
    assert.match(await log(final), /summarised 40 rows/);
    let streamed = '';
    for await (const chunk of logStream as AsyncIterable<Uint8Array>)
      streamed += Buffer.from(chunk).toString();
    assert.match(streamed, /summarised 40 rows/);
    // The raw data is not among the results: only logs and what the algorithm wrote.
    assert.deepEqual(
      final.results.map((r: { type: string }) => r.type).sort(),
      ['algorithmLog', 'configurationLog', 'output']
    );
  });

  it('refuses an algorithm the dataset does not trust, and raw code', async () => {
    const { ProviderInstance } = await import('@oceanprotocol/lib');
    await assert.rejects(
      initialize(algorithms.untrusted),
      /not allowed to run on the dataset/
    );
    const paid = fetch(`${node.url}/api/services/initializeCompute`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        datasets: [{ documentId: dataset.did, serviceId: dataset.serviceId }],
        algorithm: {
          meta: { rawcode: 'console.log(1)', language: 'javascript' }
        },
        environment: environment.id,
        consumerAddress: ACCOUNTS.consumer.address
      })
    });
    assert.equal((await paid).status, 400);
    await assert.rejects(
      ProviderInstance.freeComputeStart(
        node.url,
        consumer(),
        environment.id,
        [
          {
            documentId: dataset.did,
            serviceId: dataset.serviceId,
            transferTxId: orders[dataset.did]
          }
        ],
        {
          documentId: algorithms.untrusted.did,
          serviceId: algorithms.untrusted.serviceId
        }
      ),
      /not allowed to run on the dataset/
    );
  });

  for (const [name, reason, pattern] of [
    ['readOutside', 'failed', /NotCapable|read access/],
    ['importOutside', 'failed', /NotCapable|read access|not found|Module/i],
    ['writeElsewhere', 'failed', /NotCapable|write access/],
    ['socket', 'failed', /NotCapable|net access/],
    ['memory', 'memory', /memory limit/],
    ['forever', 'timeout', /longer than the 3 s limit/]
  ] as const) {
    it(`stops and reports an algorithm that tries ${name}; the host is untouched`, async () => {
      const job = await start(name, true);
      const final = await waitForEnd(job.jobId);
      assert.equal(final.status, 41, final.statusText);
      assert.equal(final.terminationDetails.reason, reason);
      const text = await log(final);
      assert.match(text + final.statusText, pattern);
      assert.doesNotMatch(text, /host-only-4711/);
      assert.equal(existsSync(forbiddenWrite()), false);
      assert.equal(
        final.results.filter((r: { type: string }) => r.type === 'output')
          .length,
        0
      );
    });
  }

  it('stops a running job on the owner’s request', async () => {
    const { ProviderInstance } = await import('@oceanprotocol/lib');
    const job = await start('forever', false, 20);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const [now] = (await ProviderInstance.computeStatus(
        node.url,
        consumer(),
        job.jobId
      )) as { status: number }[];
      if (now.status === 40 || Date.now() > deadline) break;
      await new Promise(resolve => setTimeout(resolve, 50));
    }
    const stranger = wallet(ACCOUNTS.consumer2.privateKey, chain.rpcUrl);
    await assert.rejects(
      ProviderInstance.computeStop(job.jobId, node.url, stranger)
    );
    const started = Date.now();
    await ProviderInstance.computeStop(job.jobId, node.url, consumer());
    const final = await waitForEnd(job.jobId);
    assert.equal(final.status, 70);
    assert.equal(final.terminationDetails.reason, 'stopped');
    assert.ok(Date.now() - started < 5000);
  });

  it('keeps job records and results across a node restart', async () => {
    const { ProviderInstance } = await import('@oceanprotocol/lib');
    const before = (await ProviderInstance.computeStatus(
      node.url,
      consumer()
    )) as { jobId: string; status: number }[];
    await node.stop();
    node = await startNode();
    const afterRestart = (await ProviderInstance.computeStatus(
      node.url,
      consumer()
    )) as {
      jobId: string;
      status: number;
      results: { filename: string; index: number }[];
    }[];
    assert.deepEqual(
      afterRestart.map(job => [job.jobId, job.status]),
      before.map(job => [job.jobId, job.status])
    );
    const finished = afterRestart.find(job =>
      job.results.some(r => r.filename === 'summary.json')
    )!;
    const index = finished.results.find(
      r => r.filename === 'summary.json'
    )!.index;
    assert.equal(JSON.parse(await resultText(finished.jobId, index)).rows, 40);
    // Someone else cannot fetch the owner's results.
    await assert.rejects(
      ProviderInstance.getComputeResult(
        node.url,
        wallet(ACCOUNTS.consumer2.privateKey, chain.rpcUrl),
        finished.jobId,
        index
      ),
      /404/
    );
    assert.equal(
      readFileSync(secretFile(), 'utf8').includes('host-only-4711'),
      true
    );
  });
});
