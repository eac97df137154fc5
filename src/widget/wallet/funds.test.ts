import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nullTranslator } from '@jupyterlab/translation';
import { OceanError } from '../../errors';
import type { IWallet, IWalletRequester } from '../../tokens';
import { pay } from './funds';

const ME = '0xe2DD09d719Da89e5a3D0F2549c7E24566e947260';
const YOU = '0x1111111111111111111111111111111111111111';
const OCEAN = '0x2222222222222222222222222222222222222222';
const trans = nullTranslator.load('jupyterlab_ocean');
const asker: IWalletRequester = { kind: 'panel', label: 'The Ocean panel' };

/** A wallet that records what reached its dialog. */
function wallet() {
  const requests: unknown[] = [];
  const fake = {
    ensureUnlocked: async () => ME,
    request: async (args: unknown) => {
      requests.push(args);
      return '0xhash';
    }
  } as unknown as IWallet;
  return { fake, requests };
}

describe('paying from the panel', () => {
  it('refuses more than the balance in words, before any dialog', async () => {
    const { fake, requests } = wallet();
    await assert.rejects(
      pay(
        fake,
        asker,
        {
          to: YOU,
          amount: '150',
          token: { address: OCEAN, decimals: 18 },
          available: {
            amount: '100',
            symbol: 'OCEAN',
            raw: (100n * 10n ** 18n).toString()
          }
        },
        trans
      ),
      (error: OceanError) =>
        error.code === 'OCEAN_INSUFFICIENT_FUNDS' &&
        /You hold 100 OCEAN, less than the 150 OCEAN/.test(error.message)
    );
    assert.equal(requests.length, 0);
  });

  it('sends the whole balance, even past the 6 decimals the panel shows', async () => {
    const { fake, requests } = wallet();
    // 1.0000004 ETH shown as "1": sending 1.0000004 must still be allowed.
    assert.equal(
      await pay(
        fake,
        asker,
        {
          to: YOU,
          amount: '1.0000004',
          token: null,
          available: { amount: '1', symbol: 'ETH' }
        },
        trans
      ),
      '0xhash'
    );
    assert.equal(requests.length, 1);
  });
});
