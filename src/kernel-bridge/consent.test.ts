/**
 * Consent to share an account with a kernel is per account, as MetaMask's
 * is per account and site: a kernel given account A sees no account after
 * the wallet switches to B, and its next request asks again, naming B. The
 * bridge is the real KernelBridge; the wallet is a small IWallet whose
 * account the test switches (the real wallet's dialog and keys are covered by
 * the UI test in ui-tests/kernel-bridge.spec.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Signal } from '@lumino/signaling';
import type { IWallet, IWalletRequester, IWalletState } from '../tokens';
import { KernelBridge, type IAccountToShare } from './bridge';

const A = '0xAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAa';
const B = '0xBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBb';

/** A wallet on `account` that answers eth_requestAccounts and signs with a fixed value. */
function walletOn(account: string) {
  const state: IWalletState = {
    status: 'unlocked',
    source: 'builtin',
    accounts: [
      { address: A, name: 'Account 1' },
      { address: B, name: 'Research' }
    ],
    account,
    chainId: 8996
  };
  const signed: string[] = [];
  const wallet = {
    state,
    stateChanged: new Signal<IWallet, IWalletState>({} as IWallet),
    transactionSettled: new Signal({} as IWallet),
    async request({ method }: { method: string }) {
      if (method === 'eth_requestAccounts') return [state.account];
      signed.push(`${method} as ${state.account}`);
      return '0xsigned';
    },
    getSigner: async () => null,
    ensureUnlocked: async () => state.account!
  } as unknown as IWallet;
  return { wallet, state, signed };
}

function bridgeWith(wallet: IWallet, answers: boolean[] = []) {
  const asked: IAccountToShare[] = [];
  const bridge = new KernelBridge({
    wallet,
    networks: null,
    requester: (kernelId): IWalletRequester => ({
      kind: 'kernel',
      label: 'analysis.ipynb',
      kernelId
    }),
    askToShareAccount: async (_requester, account) => {
      asked.push(account);
      return answers.shift() ?? true;
    }
  });
  return { bridge, asked };
}

const quiet = () => undefined;

describe('sharing an account with a kernel is per account', () => {
  it('asks once for an account, then again after a switch to one the kernel was never shown', async () => {
    const { wallet, state } = walletOn(A);
    const { bridge, asked } = bridgeWith(wallet);
    const session = bridge.session('k1');
    assert.deepEqual(bridge.kernelState(session).accounts, []);

    assert.deepEqual(
      await bridge.rpc(session, 'eth_requestAccounts', [], quiet),
      [A]
    );
    assert.deepEqual(await bridge.rpc(session, 'eth_accounts', [], quiet), [A]);
    await bridge.rpc(session, 'eth_requestAccounts', [], quiet);
    assert.equal(asked.length, 1);
    assert.deepEqual(asked[0], {
      address: A,
      name: 'Account 1',
      sharedBefore: []
    });

    // The person switches to B in the panel: the kernel no longer sees an account…
    state.account = B;
    assert.deepEqual(bridge.kernelState(session).accounts, []);
    assert.deepEqual(await bridge.rpc(session, 'eth_accounts', [], quiet), []);
    // …and its next request asks again, naming B and what it was given before.
    assert.deepEqual(
      await bridge.rpc(session, 'eth_requestAccounts', [], quiet),
      [B]
    );
    assert.equal(asked.length, 2);
    assert.equal(asked[1].address, B);
    assert.equal(asked[1].name, 'Research');
    assert.deepEqual(asked[1].sharedBefore, [A.toLowerCase()]);

    // Back to A: it was shared, so no new question.
    state.account = A;
    assert.deepEqual(bridge.kernelState(session).accounts, [A]);
    await bridge.rpc(session, 'eth_requestAccounts', [], quiet);
    assert.equal(asked.length, 2);
  });

  it('a signature after a switch asks to share the new account first, and refusing sends nothing', async () => {
    const { wallet, state, signed } = walletOn(A);
    const { bridge, asked } = bridgeWith(wallet, [true, false, true]);
    const session = bridge.session('k1');
    await bridge.rpc(session, 'eth_requestAccounts', [], quiet);
    await bridge.rpc(session, 'personal_sign', ['0x00', A], quiet);
    assert.deepEqual(signed, [`personal_sign as ${A}`]);

    state.account = B;
    await assert.rejects(
      bridge.rpc(session, 'personal_sign', ['0x00', B], quiet),
      (error: { code?: number; message: string }) =>
        error.code === 4001 && error.message.includes(B)
    );
    assert.equal(asked.length, 2);
    assert.equal(signed.length, 1);
    assert.deepEqual(bridge.kernelState(session).accounts, []);

    await bridge.rpc(session, 'personal_sign', ['0x00', B], quiet);
    assert.equal(asked.length, 3);
    assert.deepEqual(signed, [
      `personal_sign as ${A}`,
      `personal_sign as ${B}`
    ]);
  });

  it('each kernel session is asked for itself', async () => {
    const { wallet } = walletOn(A);
    const { bridge, asked } = bridgeWith(wallet);
    await bridge.rpc(bridge.session('k1'), 'eth_requestAccounts', [], quiet);
    await bridge.rpc(bridge.session('k2'), 'eth_requestAccounts', [], quiet);
    assert.equal(asked.length, 2);
    assert.deepEqual(bridge.kernelState(bridge.session('k1')).accounts, [A]);
  });

  it('a kernel never given an account is refused a signature (4100), without a question', async () => {
    const { wallet, signed } = walletOn(A);
    const { bridge, asked } = bridgeWith(wallet);
    await assert.rejects(
      bridge.rpc(bridge.session('k1'), 'personal_sign', ['0x00', A], quiet),
      (error: { code?: number }) => error.code === 4100
    );
    assert.equal(asked.length, 0);
    assert.equal(signed.length, 0);
  });
});
