/**
 * The wallet's side of notebook grants and EIP-5792 that needs no chain:
 * which dialogs may offer a grant, who may ask for one, and what the
 * batch methods answer. (What a grant covers is in grants.test.ts; the
 * whole flow on a chain in ui-tests/notebook-grants.spec.ts.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hexlify, toUtf8Bytes } from 'ethers';
import { OceanError } from '../../errors';
import type { IWalletRequester } from '../../tokens';
import type { IConfirmation } from './confirmation';
import { pinnedMatch } from './grant-desk';
import { openTestWallet } from './wallet.test-support';

const PHRASE =
  'taxi music thumb unique chat sand crew more leg another off lamp';
const ACCOUNT = '0xe2DD09d719Da89e5a3D0F2549c7E24566e947260';

const kernel = (): IWalletRequester => ({
  kind: 'kernel',
  label: 'analysis.ipynb (Python 3)',
  session: { id: 'session-1', ended: new AbortController().signal }
});

/** Ocean's published contracts on the local chain (8996): a grant may name these. */
const LOCAL_OCEAN = {
  nftFactory: '0x645439117eB378a6d35148452E287a038666Ed67',
  fixedRateExchange: '0xEBe77E16736359Bf0F9013F6017242a5971cAE76',
  dispenser: '0x85cCa2B01adddCA8Df221e6027EE0D7716224202',
  ocean: '0x2473f4F7bf40ed9310838edFCA6262C17A59DF64'
};

/** Contracts a node's DDO could lead to: not Ocean's. */
const NODE_NAMED = {
  nftFactory: '0x1000000000000000000000000000000000000001',
  fixedRateExchange: '0x1000000000000000000000000000000000000002',
  dispenser: '0x1000000000000000000000000000000000000003',
  ocean: '0x1000000000000000000000000000000000000004'
};

async function makeWallet(contracts = LOCAL_OCEAN) {
  const shown: IConfirmation[] = [];
  const wallet = await openTestWallet({
    confirm: async confirmation => {
      shown.push(confirmation);
      // Ticks every grant it is offered: the wallet must never offer one
      // where it does not belong.
      return { approved: true, grant: { minutes: 15, cap: '10' } };
    },
    // Would make offers possible; a raw message must still get none.
    oceanContracts: async () => contracts
  });
  await wallet.create(PHRASE, 'a long password');
  return { wallet, shown };
}

const code = (value: unknown) => (error: unknown) =>
  error instanceof OceanError && error.code === value;

describe('notebook grants in the wallet', () => {
  it('never offers a grant for a raw message, and makes none from it', async () => {
    const { wallet, shown } = await makeWallet();
    const message = hexlify(toUtf8Bytes('Hello Ocean'));
    for (let i = 0; i < 2; i++) {
      await wallet.request(
        { method: 'personal_sign', params: [message, ACCOUNT] },
        kernel()
      );
    }
    // Both asked: the first answer's ticked grant was not taken.
    assert.equal(shown.length, 2);
    assert.equal(shown[0].grantOffer, undefined);
    assert.deepEqual(wallet.grants, []);
  });

  it('lets only a kernel ask for a grant', async () => {
    const { wallet } = await makeWallet();
    await assert.rejects(
      wallet.request(
        { method: 'ocean_requestGrant', params: [{ minutes: 5 }] },
        { kind: 'panel', label: 'Ocean panel' }
      ),
      code(4200)
    );
    await assert.rejects(
      wallet.request(
        { method: 'ocean_requestGrant', params: [{ minutes: 5 }] },
        { kind: 'renderer', label: 'an output' }
      ),
      code(4200)
    );
    assert.deepEqual(
      await wallet.request({ method: 'ocean_grants' }, kernel()),
      []
    );
  });
});

describe('the contracts a grant names', () => {
  it("makes no grant for contracts an Ocean Node's DDOs name on a chain where Ocean's own are known", async () => {
    // Contracts a node's first DDO led to (its datatoken's router), not
    // Ocean's deployments on the local chain.
    const { wallet, shown } = await makeWallet(NODE_NAMED);
    await assert.rejects(
      wallet.request(
        { method: 'ocean_requestGrant', params: [{ minutes: 5, cap: '1' }] },
        kernel()
      ),
      code('OCEAN_NODE_UNREACHABLE')
    );
    assert.equal(shown.length, 0);
    assert.deepEqual(wallet.grants, []);
  });

  it("matches Ocean's published deployments, and leaves unlisted chains to the node", () => {
    const local = LOCAL_OCEAN;
    assert.equal(pinnedMatch(8996, local), true);
    assert.equal(
      pinnedMatch(8996, {
        ...local,
        dispenser: '0x1000000000000000000000000000000000000003'
      }),
      false
    );
    assert.equal(
      pinnedMatch(1, local),
      false,
      'Ethereum has its own deployments'
    );
    assert.equal(pinnedMatch(424242, local), true);
  });
});

describe('EIP-5792 in the wallet', () => {
  it('offers sequential batches on its networks and refuses atomic ones', async () => {
    const { wallet, shown } = await makeWallet();
    const caps = (await wallet.request(
      { method: 'wallet_getCapabilities', params: [ACCOUNT, ['0x2324']] },
      kernel()
    )) as Record<string, unknown>;
    assert.deepEqual(caps, { '0x2324': { atomic: { status: 'unsupported' } } });
    await assert.rejects(
      wallet.request(
        {
          method: 'wallet_sendCalls',
          params: [
            {
              version: '2.0.0',
              chainId: '0x2324',
              atomicRequired: true,
              calls: [{ to: ACCOUNT, value: '0x1' }]
            }
          ]
        },
        kernel()
      ),
      code(5760)
    );
    await assert.rejects(
      wallet.request(
        { method: 'wallet_getCallsStatus', params: ['no-such-batch'] },
        kernel()
      ),
      code(5730)
    );
    assert.equal(shown.length, 0);
  });
});
