import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OceanError } from '../errors';
import { LOCAL_NETWORK } from './networks';
import { networkChanged, RunningFlows, switchedMidFlow } from './running-flows';

const SEPOLIA = {
  ...LOCAL_NETWORK,
  key: 'sepolia',
  name: 'Sepolia',
  chainId: 11155111
};
const APPROVE = `0x${'a'.repeat(64)}`;
const BUY = `0x${'b'.repeat(64)}`;

test('a running purchase is listed while it runs, with every hash it sent', async () => {
  const flows = new RunningFlows();
  const seen: string[] = [];
  let during: ReadonlyArray<unknown> = [];
  await flows.run(
    LOCAL_NETWORK,
    'buying access',
    p => seen.push(p.message),
    async (run, progress) => {
      progress({ step: 'approve', message: 'approve sent', txHash: APPROVE });
      progress({ step: 'approve', message: 'approve mined', txHash: APPROVE });
      progress({ step: 'buy', message: 'buy sent', txHash: BUY });
      during = flows.running.map(r => ({ ...r, sent: [...r.sent] }));
      assert.equal(run.network, LOCAL_NETWORK);
    }
  );
  assert.deepEqual(seen, ['approve sent', 'approve mined', 'buy sent']);
  assert.deepEqual(during, [
    {
      network: LOCAL_NETWORK,
      what: 'buying access',
      sent: [
        { step: 'approve', hash: APPROVE },
        { step: 'buy', hash: BUY }
      ]
    }
  ]);
  assert.deepEqual(flows.running, []);
  // A failing flow leaves the list too.
  await assert.rejects(
    flows.run(
      LOCAL_NETWORK,
      'x',
      () => undefined,
      async () => {
        throw new Error('no');
      }
    )
  );
  assert.deepEqual(flows.running, []);
});

test('a switch under a purchase says what was done on which network, with hashes, and that a rerun resumes', () => {
  const run = {
    network: LOCAL_NETWORK,
    what: 'buying access to "Weather"',
    sent: [
      { step: 'approve', hash: APPROVE },
      { step: 'buy', hash: BUY }
    ]
  };
  assert.equal(networkChanged(run, LOCAL_NETWORK), false);
  assert.equal(networkChanged(run, SEPOLIA), true);
  const error = switchedMidFlow(
    run,
    SEPOLIA,
    ['mined', 'not mined yet'],
    new Error('provider destroyed; cancelled request')
  );
  assert.ok(error instanceof OceanError);
  assert.equal(error.code, 'OCEAN_WRONG_NETWORK');
  assert.equal(
    error.message,
    `The network was switched to Sepolia while buying access to "Weather" on Local Ocean stack, so it stopped. Sent on Local Ocean stack before it stopped: approve ${APPROVE} (mined); buy ${BUY} (not mined yet). Switch back to Local Ocean stack and run it again: it resumes where it stopped (a datatoken already bought is used, an order already paid is reused, nothing is paid twice).`
  );
  assert.doesNotMatch(error.message, /provider destroyed|reverted/);
  assert.deepEqual((error.details as any).txHashes, [APPROVE, BUY]);
  const nothing = switchedMidFlow({ ...run, sent: [] }, SEPOLIA, [], 'x');
  assert.match(nothing.message, /Nothing was sent on Local Ocean stack\./);
});
