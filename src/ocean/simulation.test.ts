import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AbiCoder, toBeHex, zeroPadValue } from 'ethers';
import {
  NATIVE_TRANSFER_ADDRESS,
  revertReason,
  simulateTransaction,
  simulateV1Result,
  TRANSFER_TOPIC
} from './simulation';

const ME = '0xe2DD09d719Da89e5a3D0F2549c7E24566e947260';
const SHOP = '0x1111111111111111111111111111111111111111';
const OCEAN = '0x2222222222222222222222222222222222222222';
const DT = '0x3333333333333333333333333333333333333333';
const topic = (address: string) => zeroPadValue(address, 32);

describe('reading a simulation', () => {
  it('reads eth_simulateV1 transfer logs into the account’s changes', () => {
    const simulation = simulateV1Result(
      { from: ME, to: SHOP, data: '0x', value: 0n },
      {
        status: '0x1',
        logs: [
          {
            address: OCEAN,
            topics: [TRANSFER_TOPIC, topic(ME), topic(SHOP)],
            data: toBeHex(2002n * 10n ** 15n, 32)
          },
          {
            address: DT,
            topics: [TRANSFER_TOPIC, topic(SHOP), topic(ME)],
            data: toBeHex(10n ** 18n, 32)
          },
          {
            address: NATIVE_TRANSFER_ADDRESS,
            topics: [TRANSFER_TOPIC, topic(ME), topic(SHOP)],
            data: toBeHex(5n, 32)
          }
        ]
      }
    );
    assert.equal(simulation.outcome, 'success');
    assert.deepEqual(
      simulation.changes?.map(c => [c.token, c.standard, c.delta]),
      [
        [OCEAN, 'erc20', -2002n * 10n ** 15n],
        [DT, 'erc20', 10n ** 18n],
        [null, 'native', -5n]
      ]
    );
    assert.deepEqual(simulation.touched, [SHOP, OCEAN, DT]);
  });

  it('a failed call is a revert with its reason', () => {
    const data =
      '0x08c379a0' +
      AbiCoder.defaultAbiCoder().encode(['string'], ['sold out']).slice(2);
    const simulation = simulateV1Result(
      { from: ME, to: SHOP, data: '0x', value: 0n },
      { status: '0x0', returnData: data, error: { data } }
    );
    assert.equal(simulation.outcome, 'revert');
    assert.equal(simulation.revertReason, 'sold out');
  });

  it('names panics and custom errors', () => {
    const panic =
      '0x4e487b71' +
      AbiCoder.defaultAbiCoder().encode(['uint256'], [0x11]).slice(2);
    assert.match(revertReason(panic), /overflow/);
    assert.match(
      revertReason('0xdeadbeef'),
      /error 0xdeadbeef \(a custom error/
    );
    assert.match(revertReason('0x'), /without giving a reason/);
  });

  it('a network that refuses every method says so and blocks nothing', async () => {
    const asked: string[] = [];
    const rpc = {
      async send(method: string): Promise<unknown> {
        asked.push(method);
        throw Object.assign(new Error(`the method ${method} does not exist`), {
          code: -32601
        });
      }
    };
    const call = { from: ME, to: SHOP, data: '0x', value: 0n };
    const first = await simulateTransaction(rpc, call);
    assert.equal(first.outcome, 'unavailable');
    assert.match(first.note ?? '', /simulates no transactions/);
    assert.deepEqual(asked, ['eth_simulateV1', 'eth_call']);
    // Learnt once per RPC: the next dialog does not ask again.
    await simulateTransaction(rpc, call);
    assert.equal(asked.length, 2);
  });
});
