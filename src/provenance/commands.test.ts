import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Contents } from '@jupyterlab/services';
import type { INetworkRegistry, IOceanNetwork } from '../tokens';
import { browserReaders, type IJobAsker } from './commands';
import type { IProvenanceEntry } from './record';

const NETWORK = {
  key: 'local',
  name: 'Local',
  chainId: 8996,
  rpcUrl: 'http://127.0.0.1:8545',
  nodeUrl: 'http://127.0.0.1:8001',
  nativeSymbol: 'ETH'
} as IOceanNetwork;
const networks = {
  networks: [NETWORK],
  active: NETWORK
} as unknown as INetworkRegistry;
const OWNER = '0x00000000000000000000000000000000000000A1';

const computed = (
  change: Partial<IProvenanceEntry> = {}
): IProvenanceEntry => ({
  id: 'e3',
  action: 'compute',
  at: 'now',
  // The record's URLs are not the ones asked: the configured network's are.
  network: {
    key: 'local',
    chainId: 8996,
    rpcUrl: 'http://elsewhere',
    nodeUrl: 'http://elsewhere'
  },
  did: 'did:op:1',
  jobId: 'job-1',
  jobOwner: OWNER,
  ...change
});

/** An asker that remembers what it was asked. */
function asker(account: string | null, answer: unknown = { jobId: 'job-1' }) {
  const asked: Array<[string, string]> = [];
  const jobs: IJobAsker = {
    account: () => account,
    status: async (network, jobId) => {
      asked.push([network.nodeUrl, jobId]);
      return answer as never;
    }
  };
  return { jobs, asked };
}

const job = (jobs: IJobAsker | null, entry = computed()) => {
  const readers = browserReaders(
    networks,
    {} as Contents.IManager,
    'n.ipynb',
    jobs
  );
  return readers.job ? readers.job(entry) : undefined;
};

describe("the browser's job reader", () => {
  it("asks the configured network's node as the job's consumer", async () => {
    const { jobs, asked } = asker(OWNER.toLowerCase());
    assert.deepEqual(await job(jobs), { job: { jobId: 'job-1' } });
    assert.deepEqual(asked, [['http://127.0.0.1:8001', 'job-1']]);
  });

  it("skips, saying why, when the wallet's account is not the consumer, or is locked", async () => {
    const other = asker('0x00000000000000000000000000000000000000b2');
    assert.deepEqual(await job(other.jobs), {
      skipped: `the node shows a job only to its consumer ${OWNER}, and the wallet's account is 0x00000000000000000000000000000000000000b2`
    });
    const locked = asker(null);
    assert.deepEqual(await job(locked.jobs), {
      skipped: `needs the consumer's wallet (${OWNER}), and the wallet is locked`
    });
    assert.equal(other.asked.length + locked.asked.length, 0);
  });

  it('fails a job its consumer does not have, and skips one whose consumer is not recorded', async () => {
    const { jobs } = asker(OWNER, null);
    assert.deepEqual(await job(jobs), { job: null });
    assert.deepEqual(await job(jobs, computed({ jobOwner: undefined })), {
      skipped: `the record does not name the job's consumer, and the node shows ${OWNER} no job job-1`
    });
  });

  it('has no job reader without a wallet', async () => {
    assert.equal(await job(null), undefined);
  });
});
