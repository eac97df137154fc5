import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ethers from 'ethers';
import { OceanError } from '../errors';
import type { IOceanNetwork } from '../tokens';
import {
  paymentRequest,
  providerFor,
  readProvider,
  sendAndWait,
  waitForReceipt,
  type ITxWords
} from './chain';
import { ERC20_ABI } from './erc20';

const network = {
  key: 'local',
  name: 'Local',
  chainId: 8996,
  rpcUrl: 'http://127.0.0.1:1/rpc',
  nodeUrl: 'http://127.0.0.1:1',
  nativeSymbol: 'ETH'
} as IOceanNetwork;

const words: ITxWords = {
  unsent: () => new OceanError('OCEAN_TX_REVERTED', 'not prepared'),
  reverted: hash =>
    new OceanError('OCEAN_TX_REVERTED', `reverted ${hash}`, { txHash: hash })
};

const response = (status: number | null, hash = '0xabc') => ({
  hash,
  wait: async (confirms?: number) => {
    assert.equal(confirms, 1);
    return status === null ? null : { hash, status };
  }
});

describe('the chain door', () => {
  it('makes one read-only provider per chain and RPC URL', async () => {
    const first = providerFor(ethers, network);
    assert.equal(providerFor(ethers, network), first);
    assert.equal(await readProvider(network), first);
    assert.notEqual(
      providerFor(ethers, { ...network, rpcUrl: 'http://127.0.0.1:2/rpc' }),
      first
    );
    // Reads right after a send must not come from ethers' 250 ms cache.
    assert.equal((first as any)._getOption('cacheTimeout'), -1);
    assert.equal((first as any)._getOption('batchMaxCount'), 1);
  });

  it('waits for one confirmation and words what went wrong', async () => {
    assert.equal((await waitForReceipt(response(1), words)).status, 1);
    await assert.rejects(waitForReceipt(null, words), /not prepared/);
    await assert.rejects(waitForReceipt(response(0), words), {
      message: 'reverted 0xabc',
      details: { txHash: '0xabc' }
    });
    await assert.rejects(waitForReceipt(response(null), words), /reverted/);
    // A lib call that answered with a gas estimate instead of a transaction.
    await assert.rejects(waitForReceipt(21000n, words), /reverted/);
    // Without `reverted`, the receipt is the caller's to judge.
    const lenient = { ...words, reverted: undefined };
    assert.equal((await waitForReceipt(response(0), lenient)).status, 0);
  });

  it('maps failures while waiting when asked to, else lets them through', async () => {
    const failing = {
      hash: '0xdef',
      wait: async () => {
        throw new Error('CALL_EXCEPTION');
      }
    };
    await assert.rejects(waitForReceipt(failing, words), /CALL_EXCEPTION/);
    await assert.rejects(
      waitForReceipt(failing, {
        ...words,
        waitFailed: (error, hash) =>
          new OceanError('OCEAN_TX_REVERTED', `mined ${hash}: ${error}`)
      }),
      /mined 0xdef: Error: CALL_EXCEPTION/
    );
  });

  it('polls a bare hash until the chain includes it, or times out', async () => {
    let asked = 0;
    const provider = {
      getTransactionReceipt: async () =>
        ++asked < 3 ? null : { hash: '0x1', status: 1 }
    } as any;
    const receipt = await waitForReceipt({ hash: '0x1', provider }, words);
    assert.equal(receipt.status, 1);
    assert.equal(asked, 3);
    const never = { getTransactionReceipt: async () => null } as any;
    await assert.rejects(
      waitForReceipt(
        { hash: '0x2', provider: never },
        {
          ...words,
          timeoutMs: 50,
          timedOut: hash => new OceanError('OCEAN_TX_PENDING', `${hash} later`)
        }
      ),
      { code: 'OCEAN_TX_PENDING', message: '0x2 later' }
    );
  });

  it('sends without the lib’s sender and nonce, then says the hash', async () => {
    const sent: unknown[] = [];
    const hashes: string[] = [];
    const signer = {
      sendTransaction: async (tx: unknown) => {
        sent.push(tx);
        return response(1, '0x99');
      }
    };
    const receipt = await sendAndWait(
      signer,
      { from: '0x1', nonce: 7, to: '0x2', data: '0x' },
      { ...words, onSent: hash => hashes.push(hash) }
    );
    assert.equal(receipt.hash, '0x99');
    assert.deepEqual(sent, [{ to: '0x2', data: '0x' }]);
    assert.deepEqual(hashes, ['0x99']);
    await assert.rejects(sendAndWait(signer, null, words), /not prepared/);
    const refusing = {
      sendTransaction: async () => {
        throw new Error('user rejected');
      }
    };
    await assert.rejects(
      sendAndWait(
        refusing,
        { to: '0x2' },
        {
          ...words,
          sendFailed: () => new OceanError(4001, 'declined')
        }
      ),
      { code: 4001 }
    );
  });

  it('encodes a payment in the native coin or as an ERC-20 transfer', async () => {
    const from = '0x0000000000000000000000000000000000000001';
    const to = '0x00000000000000000000000000000000000000aa';
    const token = '0x00000000000000000000000000000000000000Bb';
    assert.deepEqual(await paymentRequest(from, to, 10n ** 18n, null), {
      from,
      to: ethers.getAddress(to),
      value: '0x0de0b6b3a7640000'
    });
    const transfer = await paymentRequest(from, to, 5n, token);
    assert.equal(transfer.to, token);
    assert.equal(transfer.value, '0x0');
    const decoded = new ethers.Interface(ERC20_ABI).parseTransaction({
      data: transfer.data
    });
    assert.equal(decoded?.name, 'transfer');
    assert.deepEqual([...decoded!.args], [ethers.getAddress(to), 5n]);
  });
});
