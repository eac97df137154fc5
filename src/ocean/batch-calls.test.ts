import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ethers from 'ethers';
import { OceanError } from '../errors';
import { batchDone, buyCall, dispenseCall, type ICall } from './batch-calls';

const EXCHANGE = '0x2000000000000000000000000000000000000002';
const OCEAN = '0x3000000000000000000000000000000000000003';
const DATATOKEN = '0x4000000000000000000000000000000000000004';
const ACCOUNT = '0xe2DD09d719Da89e5a3D0F2549c7E24566e947260';
const APPROVE_HASH = `0x${'a'.repeat(64)}`;
const BUY_HASH = `0x${'b'.repeat(64)}`;

test('a stopped batch names what it had done by step, in call order', () => {
  const approve: ICall = {
    to: OCEAN,
    data: new ethers.Interface([
      'function approve(address spender, uint256 value)'
    ]).encodeFunctionData('approve', [EXCHANGE, 2n])
  };
  const calls = [
    approve,
    buyCall(ethers, EXCHANGE, `0x${'1'.repeat(64)}`, 1n, 2n),
    { to: DATATOKEN, data: '0xdeadbeef' }
  ];
  const stopped = (done: string[]) =>
    new OceanError('OCEAN_BATCH_STOPPED', 'Step 2 of 3 failed.', {
      done,
      failedStep: done.length + 1
    });
  assert.deepEqual(batchDone(ethers, calls, stopped([APPROVE_HASH])), [
    { step: 'approve', hash: APPROVE_HASH }
  ]);
  // A call that is none of a purchase's is told by its place.
  assert.deepEqual(
    batchDone(ethers, [calls[2], calls[1]], stopped([APPROVE_HASH, BUY_HASH])),
    [
      { step: 'step 1', hash: APPROVE_HASH },
      { step: 'buy', hash: BUY_HASH }
    ]
  );
  assert.deepEqual(
    batchDone(
      ethers,
      [dispenseCall(ethers, EXCHANGE, DATATOKEN, 1n, ACCOUNT)],
      stopped([BUY_HASH])
    ),
    [{ step: 'dispense', hash: BUY_HASH }]
  );
  // Any other failure carries no list: nothing to add.
  assert.deepEqual(batchDone(ethers, calls, new Error('no')), []);
});
