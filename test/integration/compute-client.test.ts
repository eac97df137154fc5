/**
 * test/integration/ is the one place allowed to use both src/ and stack/: the extension's
 * client against the local network. Here, the notebook-side publish and compute client
 * (src/ocean/publish.ts, src/ocean/compute.ts) against the local node: a publisher stores a
 * CSV on the node and publishes it for compute only, plus a free Deno algorithm it trusts; a
 * consumer buys, orders, runs the job and reads the result. The signer is a plain ethers
 * Wallet here; in JupyterLab it is the wallet's.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { publishAsset, trustedAlgorithm } from '../../src/ocean/publish';
import {
  jobResult,
  startComputeJob,
  waitForJob
} from '../../src/ocean/compute';
import { NodeAuth } from '../../src/ocean/compute-auth';
import { ACCOUNTS, type TestChain } from '../../stack/test/helpers.ts';
import type { OceanNode } from '../../stack/src/node/index.ts';
import { wallet } from '../../stack/test/node-support.ts';
import { startLocalStack, type ILocalStack } from './support';

type Step = { step: string };

let stack: ILocalStack;
let chain: TestChain;
let node: OceanNode;

before(async () => {
  stack = await startLocalStack();
  chain = stack.chain;
  node = stack.node!;
});

after(async () => {
  await stack?.stop();
});

const ALGORITHM = `const [inputs, outputs] = Deno.args;
let rows = 0;
for (const d of Deno.readDirSync(inputs)) rows += Deno.readTextFileSync(inputs + '/' + d.name + '/0').trim().split('\\n').length - 1;
Deno.writeTextFileSync(outputs + '/rows.json', JSON.stringify({ rows }));
console.log('rows', rows);`;

describe('notebook publish and compute client', () => {
  const network = () => stack.networks().active;

  it('publishes an algorithm and a compute-only CSV kept on the node; a consumer runs a paid job', async () => {
    const publisher = wallet(ACCOUNTS.publisher.privateKey, chain.rpcUrl);
    const steps: Step[] = [];
    const algorithm = await publishAsset(
      network(),
      publisher,
      {
        name: 'Row counter',
        description: 'Counts CSV rows',
        author: 'tests',
        license: 'CC0-1.0',
        type: 'algorithm',
        file: {
          bytes: new TextEncoder().encode(ALGORITHM),
          fileName: 'rows.js',
          contentType: 'text/javascript'
        },
        pricing: { type: 'free' }
      },
      (step: Step) => steps.push(step),
      stack.contracts()
    );
    assert.deepEqual(
      [...new Set(steps.map((step: Step) => step.step))],
      ['check', 'upload', 'create', 'encrypt', 'metadata', 'index', 'done']
    );
    const csv = 'a,b\n1,2\n3,4\n5,6\n';
    // The second publish finds the contracts itself, from the first asset's datatoken.
    const dataset = await publishAsset(network(), publisher, {
      name: 'Private table',
      description: 'Three rows, compute only',
      author: 'tests',
      license: 'CC-BY-4.0',
      tags: ['test'],
      file: {
        bytes: new TextEncoder().encode(csv),
        fileName: 'table.csv',
        contentType: 'text/csv'
      },
      pricing: { type: 'fixed', priceInOcean: '1.5' },
      access: 'compute',
      trustedAlgorithms: [await trustedAlgorithm(algorithm.did, ALGORITHM)]
    });
    const ddo = (await (
      await fetch(`${node.url}/api/aquarius/assets/ddo/${dataset.did}`)
    ).json()) as any;
    assert.equal(ddo.services[0].type, 'compute');
    assert.equal(ddo.metadata.license, 'CC-BY-4.0');

    const consumer = wallet(ACCOUNTS.consumer.privateKey, chain.rpcUrl);
    const progress: Step[] = [];
    const job = await startComputeJob(
      network(),
      consumer,
      { dataset: dataset.did, algorithm: algorithm.did },
      (step: Step) => progress.push(step)
    );
    const kinds = progress.map(step => step.step);
    for (const kind of ['dispense', 'approve', 'buy', 'order', 'start'])
      assert.ok(kinds.includes(kind as never), `${kind} in ${kinds}`);
    const final = await waitForJob(network(), consumer, job.jobId, undefined, {
      intervalMs: 100
    });
    assert.equal(final.status, 70, final.statusText);
    const output = final.results.find(
      (r: { filename: string }) => r.filename === 'rows.json'
    )!;
    // Results are read with one node auth token (one signature), then without any.
    let signatures = 0;
    const counting = Object.assign(Object.create(consumer), {
      signMessage: (message: Uint8Array) => {
        signatures++;
        return consumer.signMessage(message);
      }
    });
    const auth = new NodeAuth(network(), counting, { label: 'stack test' });
    const bytes = await jobResult(auth, job.jobId, output.index);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(bytes)), { rows: 3 });
    const log = final.results.find(
      (r: { filename: string }) => r.filename === 'algorithmLog.txt'
    );
    if (log) await jobResult(auth, job.jobId, log.index);
    assert.equal(signatures, 1);

    // A second job reuses this session's orders: nothing is bought again.
    progress.length = 0;
    const again = await startComputeJob(
      network(),
      consumer,
      { dataset: dataset.did, algorithm: algorithm.did },
      (step: Step) => progress.push(step)
    );
    assert.ok(!progress.some(step => ['buy', 'order'].includes(step.step)));
    assert.equal(
      (await waitForJob(network(), consumer, again.jobId)).status,
      70
    );
  });
});
