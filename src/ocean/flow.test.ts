import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Wallet } from 'ethers';
import { FlowSteps, withFlow } from './flow';
import type { IWalletRequester } from '../tokens';

const EXCHANGE = '0xEBe77E16736359Bf0F9013F6017242a5971cAE76';

describe('a flow told to the wallet dialog', () => {
  it('numbers its steps, carries its total and names, keeps who asked', () => {
    const stop = () => undefined;
    const asker: IWalletRequester = {
      kind: 'kernel',
      label: 'analysis.ipynb',
      kernelId: 'k1',
      stop
    };
    const flow = new FlowSteps(
      'Get access to Weather 2024',
      3,
      '2.002 OCEAN and network fees'
    ).name(EXCHANGE, 'the fixed-rate exchange selling Weather 2024');
    const first = flow.requester(asker);
    assert.equal(first.kernelId, 'k1');
    assert.equal(first.stop, stop);
    assert.deepEqual(first.flow, {
      title: 'Get access to Weather 2024',
      step: 1,
      steps: 3,
      total: '2.002 OCEAN and network fees',
      names: {
        [EXCHANGE.toLowerCase()]: 'the fixed-rate exchange selling Weather 2024'
      }
    });
    assert.equal(asker.flow, undefined);
    assert.equal(flow.next().step, 2);
    assert.equal(flow.next().step, 3);
    // Asking more than planned counts on instead of saying "4 of 3".
    assert.deepEqual([flow.next().step, flow.next().steps], [4, 5]);
  });

  it('ignores what is not an address and leaves other signers alone', () => {
    const flow = new FlowSteps('Publish', 1).name('not an address', 'x');
    assert.deepEqual(flow.names, {});
    const plain = Wallet.createRandom();
    assert.equal(withFlow(plain, flow), plain);
  });

  it('tags hidden characters in its title and names (DDO names, shown in the dialog)', () => {
    // A compute job's names come from raw DDOs: U+202E would reorder the
    // dialog's "Step 1 of 4: Run … on …" line.
    const flow = new FlowSteps('Run \u202eGAN on Weather', 4).name(
      EXCHANGE,
      'the fixed-rate exchange selling Weather\u2028sold for 0'
    );
    const step = flow.next();
    assert.equal(step.title, 'Run ⟨U+202E⟩GAN on Weather');
    assert.equal(
      step.names?.[EXCHANGE.toLowerCase()],
      'the fixed-rate exchange selling Weather⟨U+2028⟩sold for 0'
    );
  });
});
