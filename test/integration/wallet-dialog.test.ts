/**
 * The wallet (src/widget/wallet/wallet.ts, with its real key vault) against the local chain:
 * what it hands its confirmation dialog for a transaction. The dialog itself is drawn in
 * ui-tests/dialogs.spec.ts; here the confirmer records what it is asked to show. A
 * transaction that would revert is shown blocked with the token's reason, whatever the
 * confirmer answers nothing is sent, and the caller gets OCEAN_TX_REVERTED; a send shows its
 * simulated change; a flow's names reach the words but cannot rename the account.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  getBytes,
  Interface,
  type JsonRpcProvider,
  parseUnits,
  verifyMessage
} from 'ethers';

import { OceanError } from '../../src/errors';
import { nodeRequestHash } from '../../src/ocean/wallet-decode';
import type { IWalletRequester } from '../../src/tokens';
import type { OceanWallet } from '../../src/widget/wallet/wallet';
import { ACCOUNTS, type TestChain } from '../../stack/test/helpers.ts';
import {
  CHAIN_ID,
  wallet as devWallet
} from '../../stack/test/node-support.ts';
import { startLocalStack, walletWith, type ILocalStack } from './support';

/** Ocean's public development mnemonic: the stack's accounts. DEV ONLY. */
const PHRASE =
  'taxi music thumb unique chat sand crew more leg another off lamp';
const ERC20 = new Interface([
  'function transfer(address to, uint256 value)',
  'function approve(address spender, uint256 value)'
]);
const ASKER: IWalletRequester = { kind: 'extension', label: 'tests' };

let stack: ILocalStack;
let chain: TestChain;
let account: string;
let provider: JsonRpcProvider;

before(async () => {
  // No node: the networks point at a loopback port nothing answers on.
  stack = await startLocalStack({ node: false });
  ({ chain, provider } = stack);
});

after(async () => {
  await stack?.stop();
});

async function makeWallet(answer: boolean) {
  const { wallet, shown } = await walletWith(stack, { phrase: PHRASE }, answer);
  account = wallet.state.account!;
  return { wallet, shown };
}

/** A wallet_sendCalls batch from the wallet's account on the local chain (0x2324: 8996). */
function sendCallsFrom(
  wallet: OceanWallet,
  requester: IWalletRequester,
  calls: unknown[],
  capabilities?: Record<string, unknown>
) {
  return wallet.request(
    {
      method: 'wallet_sendCalls',
      params: [
        {
          version: '2.0.0',
          chainId: '0x2324',
          from: account,
          atomicRequired: false,
          calls,
          ...(capabilities ? { capabilities } : {})
        }
      ]
    },
    requester
  );
}

describe('what the wallet asks its dialog to show', () => {
  it('a transaction that would revert: blocked with its reason, never sent', async () => {
    const { wallet, shown } = await makeWallet(true);
    const nonce = await provider.getTransactionCount(account);
    await assert.rejects(
      wallet.request(
        {
          method: 'eth_sendTransaction',
          params: [
            {
              from: account,
              to: chain.addresses.Ocean,
              data: ERC20.encodeFunctionData('transfer', [
                ACCOUNTS.consumer.address,
                parseUnits('1000000000', 18)
              ])
            }
          ]
        },
        ASKER
      ),
      (error: unknown) =>
        error instanceof OceanError &&
        error.code === 'OCEAN_TX_REVERTED' &&
        /ERC20: transfer amount exceeds balance/.test(error.message)
    );
    assert.equal(shown.length, 1);
    assert.equal(shown[0].title, 'This transaction would fail');
    assert.equal(shown[0].blocked, 'ERC20: transfer amount exceeds balance');
    // Even a confirmer that says yes sent nothing.
    assert.equal(await provider.getTransactionCount(account), nonce);
  });

  it('a send shows its simulated change; a flow names the spender, not the account', async () => {
    const { wallet, shown } = await makeWallet(false);
    // The dev mnemonic's first account holds OCEAN on the local chain.
    const deployer = devWallet(ACCOUNTS.deployer.privateKey, chain.rpcUrl);
    assert.equal(deployer.address, account);
    await assert.rejects(
      wallet.request(
        {
          method: 'eth_sendTransaction',
          params: [
            {
              from: account,
              to: chain.addresses.Ocean,
              data: ERC20.encodeFunctionData('transfer', [
                ACCOUNTS.consumer.address,
                parseUnits('1.5', 18)
              ])
            }
          ]
        },
        ASKER
      ),
      (error: unknown) => error instanceof OceanError && error.code === 4001
    );
    assert.deepEqual(shown[0].simulation?.changes, [
      '−1.5 OCEAN (Ocean Token)'
    ]);
    assert.equal(shown[0].simulation?.method, 'debug_traceCall');
    await assert.rejects(
      wallet.request(
        {
          method: 'eth_sendTransaction',
          params: [
            {
              from: account,
              to: chain.addresses.Ocean,
              data: ERC20.encodeFunctionData('approve', [
                chain.addresses.FixedPrice,
                parseUnits('2.002', 18)
              ])
            }
          ]
        },
        {
          ...ASKER,
          flow: {
            title: 'Get access to Weather 2024',
            step: 1,
            steps: 3,
            total: '2.002 OCEAN and network fees',
            names: {
              [chain.addresses.FixedPrice.toLowerCase()]:
                'the fixed-rate exchange selling Weather 2024',
              [account.toLowerCase()]: 'the treasury'
            }
          }
        }
      )
    );
    assert.equal(
      shown[1].summary,
      'Allow the fixed-rate exchange selling Weather 2024 to spend 2.002 OCEAN.'
    );
    assert.equal(shown[1].requester.flow?.step, 1);
    // The flow names the account too; the wallet's own name wins.
    await assert.rejects(
      wallet.request(
        {
          method: 'eth_sendTransaction',
          params: [
            {
              from: account,
              to: chain.addresses.Ocean,
              data: ERC20.encodeFunctionData('approve', [account, 1n])
            }
          ]
        },
        shown[1].requester
      )
    );
    assert.match(
      shown[2].summary,
      /^Allow your .+ to spend 0\.000000000000000001 OCEAN\.$/
    );
    assert.doesNotMatch(shown[2].summary, /the treasury/);
    // What the dialog shows of the request: the flow's words never rename
    // the person's own account.
    const words = JSON.stringify([
      shown[1].summary,
      shown[1].rows,
      shown[1].simulation
    ]);
    assert.ok(!words.includes('the treasury'), words);
  });

  it('a batch is simulated as a whole before its one dialog; a failing first call blocks it', async () => {
    const { wallet, shown } = await makeWallet(false);
    const transfer = (amount: string) => ({
      to: chain.addresses.Ocean,
      data: ERC20.encodeFunctionData('transfer', [
        ACCOUNTS.consumer.address,
        parseUnits(amount, 18)
      ])
    });
    const sendCalls = (calls: unknown[]) => sendCallsFrom(wallet, ASKER, calls);
    await assert.rejects(
      sendCalls([transfer('1'), transfer('2')]),
      (error: unknown) => error instanceof OceanError && error.code === 4001
    );
    assert.deepEqual(shown[0].simulation?.changes, ['−3 OCEAN (Ocean Token)']);
    const nonce = await provider.getTransactionCount(account);
    await assert.rejects(
      sendCalls([transfer('1000000000'), transfer('1')]),
      (error: unknown) =>
        error instanceof OceanError &&
        error.code === 'OCEAN_TX_REVERTED' &&
        /step 1 of 2 would fail: ERC20: transfer amount exceeds balance/.test(
          error.message
        )
    );
    assert.equal(shown[1].title, 'This transaction would fail');
    assert.equal(await provider.getTransactionCount(account), nonce);
  });

  it('a purchase batch that names the node sign-in: its one dialog says so, then exactly that signature is not asked again', async () => {
    const { wallet, shown } = await makeWallet(true);
    const notebook: IWalletRequester = {
      kind: 'kernel',
      label: 'first-data.ipynb (Python 3)',
      session: { id: 'session-1', ended: new AbortController().signal }
    };
    const flow = {
      title: 'Get access to Weather 2024',
      step: 1,
      steps: 1,
      names: {}
    };
    const batch = (requester: IWalletRequester) =>
      sendCallsFrom(
        wallet,
        requester,
        [
          {
            to: chain.addresses.Ocean,
            data: ERC20.encodeFunctionData('transfer', [
              ACCOUNTS.consumer.address,
              parseUnits('1', 18)
            ])
          }
        ],
        { oceanNodeSignIn: { nonce: '7' } }
      );
    // A kernel's own batch may not name it (only the extension's flows).
    await assert.rejects(
      batch(notebook),
      (error: unknown) => error instanceof OceanError && error.code === 5700
    );
    assert.equal(shown.length, 0);
    await batch({ ...notebook, flow });
    assert.equal(shown.length, 1);
    assert.equal(
      shown[0].title,
      'Confirm a transaction and sign in to the Ocean Node'
    );
    assert.match(
      shown[0].summary,
      /^.+\. Then, with this same approval, sign in to the Ocean Node at http:\/\/127\.0\.0\.1:9 to download\.$/
    );
    assert.deepEqual(shown[0].rows.at(-1), {
      label: 'Then',
      value:
        'Sign in to the Ocean Node at http://127.0.0.1:9 to download (createAuthToken, nonce 7): one signature, no transaction and no cost. The node accepts the token it gives for requests in your account’s name until it expires.'
    });

    const signIn = (requester: IWalletRequester, nonce = '7') =>
      wallet.request(
        {
          method: 'personal_sign',
          params: [
            nodeRequestHash(account, nonce, 'createAuthToken'),
            account,
            { command: 'createAuthToken', nonce, description: 'a token' }
          ]
        },
        requester
      ) as Promise<string>;
    // Another notebook, or another nonce: asked as always.
    await signIn({
      ...notebook,
      session: { id: 'session-2', ended: new AbortController().signal }
    });
    assert.equal(shown.length, 2);
    await signIn(notebook, '8');
    assert.equal(shown.length, 3);
    // The flow's own notebook, the named nonce: signed with no new dialog.
    const hash = nodeRequestHash(account, '7', 'createAuthToken');
    const signature = await signIn(notebook);
    assert.equal(shown.length, 3);
    assert.equal(verifyMessage(getBytes(hash), signature), account);
    // The activity list says why no dialog showed.
    await new Promise(resolve => setTimeout(resolve, 50));
    const entry = (await wallet.activity.list(CHAIN_ID, account)).find(
      e => e.hash === hash
    );
    assert.match(entry?.summary ?? '', /approved in the purchase’s dialog\)$/);
    // Once: the same request again (outside any flow) asks.
    await signIn(notebook);
    assert.equal(shown.length, 4);
    assert.equal(shown[3].title, 'Sign a message');
  });
});
