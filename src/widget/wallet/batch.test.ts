import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OceanError } from '../../errors';
import { frenchCatalogue } from '../../gettext.test-support';
import {
  BatchBook,
  CALLS_STATUS,
  capabilities,
  parseSendCalls,
  runSequentially,
  type IBatchReceipt
} from './batch';

const ACCOUNT = '0xe2DD09d719Da89e5a3D0F2549c7E24566e947260';
const TOKEN = '0x1000000000000000000000000000000000000004';

const receipt = (hash: string, ok = true): IBatchReceipt => ({
  transactionHash: hash,
  blockHash: '0x' + '00'.repeat(32),
  blockNumber: '0x1',
  gasUsed: '0x5208',
  status: ok ? '0x1' : '0x0',
  logs: []
});

const code = (value: unknown) => (error: unknown) =>
  error instanceof OceanError && error.code === value;

describe('EIP-5792 batches', () => {
  it('says the accounts run batches, never atomically', () => {
    assert.deepEqual(capabilities([8996, 11155111]), {
      '0x2324': { atomic: { status: 'unsupported' } },
      '0xaa36a7': { atomic: { status: 'unsupported' } }
    });
  });

  it('reads wallet_sendCalls and refuses what it cannot do', () => {
    const request = parseSendCalls(
      [
        {
          version: '2.0.0',
          from: ACCOUNT,
          chainId: '0x2324',
          atomicRequired: false,
          calls: [
            { to: TOKEN, data: '0x095ea7b3', value: '0x0' },
            { to: TOKEN }
          ]
        }
      ],
      ACCOUNT,
      8996
    );
    assert.equal(request.calls.length, 2);
    assert.equal(request.calls[1].data, '0x');
    assert.equal(request.calls[0].value, 0n);
    const call = { to: TOKEN, data: '0x' };
    assert.throws(
      () =>
        parseSendCalls(
          [{ chainId: '0x2324', atomicRequired: true, calls: [call] }],
          ACCOUNT,
          8996
        ),
      code(5760)
    );
    assert.throws(
      () => parseSendCalls([{ chainId: '0x1', calls: [call] }], ACCOUNT, 8996),
      code(5710)
    );
    assert.throws(
      () => parseSendCalls([{ calls: Array(11).fill(call) }], ACCOUNT, 8996),
      code(5740)
    );
    assert.throws(
      () => parseSendCalls([{ from: TOKEN, calls: [call] }], ACCOUNT, 8996),
      code(4100)
    );
    assert.throws(
      () => parseSendCalls([{ calls: [] }], ACCOUNT, 8996),
      code('OCEAN_BAD_REQUEST')
    );
  });

  it('runs the calls in order and stops at the first failure, naming what was done', async () => {
    const book = new BatchBook();
    const request = parseSendCalls(
      [{ id: 'buy-1', calls: [{ to: TOKEN }, { to: TOKEN }, { to: TOKEN }] }],
      ACCOUNT,
      8996
    );
    book.start(request);
    const sent: number[] = [];
    await assert.rejects(
      runSequentially(
        book,
        request,
        ['approve', 'buy', 'order'],
        async (_call, index) => {
          sent.push(index);
          return index === 1
            ? { hash: '0xbb', receipt: receipt('0xbb', false) }
            : { hash: '0xaa', receipt: receipt('0xaa') };
        }
      ),
      (error: unknown) =>
        error instanceof OceanError &&
        error.code === 'OCEAN_TX_REVERTED' &&
        /The chain rejected the transaction of step 2 of 3 \(buy\): it was mined as reverted \(0xbb/.test(
          error.message
        ) &&
        /Step 1 was done and stays done \(0xaa\)/.test(error.message) &&
        /Step 3 was not sent/.test(error.message) &&
        error.details?.failedStep === 2
    );
    assert.deepEqual(sent, [0, 1]);
    const status = book.status('buy-1');
    assert.equal(status.status, CALLS_STATUS.partiallyReverted);
    assert.equal(status.atomic, false);
    assert.equal((status.receipts as unknown[]).length, 2);
    assert.throws(() => book.start(request), code(5720));
    assert.throws(() => book.status('nope'), code(5730));

    const whole = parseSendCalls(
      [{ calls: [{ to: TOKEN }, { to: TOKEN }] }],
      ACCOUNT,
      8996
    );
    book.start(whole);
    const hashes = await runSequentially(
      book,
      whole,
      ['a', 'b'],
      async index => ({
        hash: `0x0${String(index)}`,
        receipt: receipt('0x01')
      })
    );
    assert.equal(hashes.length, 2);
    assert.equal(book.status(whole.id).status, CALLS_STATUS.confirmed);
  });
});

describe('a stopped batch in the lab’s language', () => {
  it('words what stopped, what was done and what was not sent through the translator', async () => {
    const trans = frenchCatalogue({
      'You declined %1.': 'Vous avez refusé %1.',
      'step %1 of %2 (%3)': 'l’étape %1 sur %2 (%3)',
      'Step 1 was done and stays done (%1).':
        'L’étape 1 est faite et le reste (%1).',
      'Steps %1 to %2 were not sent.':
        'Les étapes %1 à %2 n’ont pas été envoyées.'
    });
    const book = new BatchBook();
    const request = parseSendCalls(
      [{ calls: [{ to: TOKEN }, { to: TOKEN }, { to: TOKEN }, { to: TOKEN }] }],
      ACCOUNT,
      8996
    );
    book.start(request);
    await assert.rejects(
      runSequentially(
        book,
        request,
        ['approve', 'buy.', 'order', 'download'],
        async (_call, index) => {
          if (index === 1) {
            throw new OceanError(4001, 'declined');
          }
          return { hash: '0xaa', receipt: receipt('0xaa') };
        },
        trans
      ),
      (error: unknown) =>
        error instanceof OceanError &&
        error.code === 4001 &&
        error.message ===
          'Vous avez refusé l’étape 2 sur 4 (buy). L’étape 1 est faite et le reste (0xaa). Les étapes 3 à 4 n’ont pas été envoyées.'
    );
  });
});
