import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hexlify, toUtf8Bytes, verifyMessage, verifyTypedData } from 'ethers';
import { OceanError } from '../../errors';
import type { IWalletRequester } from '../../tokens';
import type { IConfirmation } from './confirmation';
import { openTestWallet } from './wallet.test-support';

const PHRASE =
  'taxi music thumb unique chat sand crew more leg another off lamp';
const ACCOUNT = '0xe2DD09d719Da89e5a3D0F2549c7E24566e947260';
const KERNEL: IWalletRequester = {
  kind: 'kernel',
  label: 'analysis.ipynb (Python 3 kernel)'
};

async function makeWallet(answer: boolean) {
  const shown: IConfirmation[] = [];
  const prompts: IWalletRequester[] = [];
  const wallet = await openTestWallet({
    confirm: async confirmation => {
      shown.push(confirmation);
      return answer;
    },
    promptUnlock: async requester => {
      prompts.push(requester);
    }
  });
  return { wallet, shown, prompts };
}

const code = (value: unknown) => (error: unknown) =>
  error instanceof OceanError && error.code === value;

describe('the wallet behind IWallet', () => {
  it('answers 4100 while there is no wallet, after asking to unlock', async () => {
    const { wallet, prompts } = await makeWallet(true);
    assert.equal(wallet.state.status, 'none');
    await assert.rejects(
      wallet.request({ method: 'eth_requestAccounts' }, KERNEL),
      code(4100)
    );
    assert.deepEqual(prompts, [KERNEL]);
    assert.deepEqual(
      await wallet.request({ method: 'eth_accounts' }, KERNEL),
      []
    );
    assert.equal(
      await wallet.request({ method: 'eth_chainId' }, KERNEL),
      '0x2324'
    );
  });

  it('signs a message only after the dialog, naming the requester', async () => {
    const { wallet, shown } = await makeWallet(true);
    await wallet.create(PHRASE, 'a long password');
    const states: string[] = [];
    wallet.stateChanged.connect((_, state) => states.push(state.status));
    const message = hexlify(toUtf8Bytes('Hello Ocean'));
    const signature = (await wallet.request(
      { method: 'personal_sign', params: [message, ACCOUNT] },
      KERNEL
    )) as string;
    assert.equal(verifyMessage('Hello Ocean', signature), ACCOUNT);
    assert.equal(shown.length, 1);
    assert.equal(shown[0].requester.label, KERNEL.label);
    assert.equal(shown[0].account, ACCOUNT);
    assert.equal(shown[0].chainId, 8996);
    assert.deepEqual(shown[0].rows, [
      { label: 'Message', value: 'Hello Ocean' }
    ]);
    wallet.lock();
    assert.deepEqual(states, ['locked']);
    assert.equal(wallet.state.account, null);
  });

  it('rejects with 4001 when the person says no, and refuses eth_sign with 4200', async () => {
    const { wallet } = await makeWallet(false);
    await wallet.create(PHRASE, 'a long password');
    await assert.rejects(
      wallet.request(
        { method: 'personal_sign', params: ['0x68690a', ACCOUNT] },
        KERNEL
      ),
      code(4001)
    );
    await assert.rejects(
      wallet.request(
        { method: 'eth_sign', params: [ACCOUNT, '0x' + '00'.repeat(32)] },
        KERNEL
      ),
      code(4200)
    );
    await assert.rejects(
      wallet.request({ method: 'wallet_addEthereumChain' }, KERNEL),
      code(4200)
    );
  });

  it('refuses to sign for another account than the selected one', async () => {
    const { wallet, shown } = await makeWallet(true);
    await wallet.create(PHRASE, 'a long password');
    await assert.rejects(
      wallet.request(
        {
          method: 'personal_sign',
          params: ['0x6869', '0x0000000000000000000000000000000000000001']
        },
        KERNEL
      ),
      code(4100)
    );
    assert.equal(shown.length, 0);
  });

  it('signs EIP-712 typed data shown as fields', async () => {
    const { wallet, shown } = await makeWallet(true);
    await wallet.create(PHRASE, 'a long password');
    const typed = {
      types: {
        EIP712Domain: [
          { name: 'name', type: 'string' },
          { name: 'chainId', type: 'uint256' }
        ],
        Order: [
          { name: 'asset', type: 'string' },
          { name: 'amount', type: 'uint256' }
        ]
      },
      primaryType: 'Order',
      domain: { name: 'Ocean test', chainId: 8996 },
      message: { asset: 'Weather 2024', amount: '2' }
    };
    const signature = (await wallet.request(
      {
        method: 'eth_signTypedData_v4',
        params: [ACCOUNT, JSON.stringify(typed)]
      },
      KERNEL
    )) as string;
    assert.equal(
      verifyTypedData(
        typed.domain,
        { Order: typed.types.Order },
        typed.message,
        signature
      ),
      ACCOUNT
    );
    assert.ok(
      shown[0].rows.some(
        row => row.label === 'message.asset' && row.value === 'Weather 2024'
      )
    );
    assert.deepEqual(shown[0].warnings, []);
  });

  it('locks itself after the idle time', async () => {
    const { wallet } = await makeWallet(true);
    await wallet.create(PHRASE, 'a long password');
    wallet.autoLockMinutes = 0.001; // 60 ms
    assert.equal(wallet.state.status, 'unlocked');
    await new Promise(resolve => setTimeout(resolve, 150));
    assert.equal(wallet.state.status, 'locked');
    await wallet.unlock('a long password');
    assert.equal(wallet.state.account, ACCOUNT);
    wallet.autoLockMinutes = 0;
  });
});
