import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OceanError } from '../../errors';
import { nodeRequestHash } from '../../ocean/wallet-decode';
import type { IWalletRequester } from '../../tokens';
import { ApprovedSignIns, parseNodeSignIn } from './flow-sign-in';

const ACCOUNT = '0xe2DD09d719Da89e5a3D0F2549c7E24566e947260';
const OTHER = '0x1111111111111111111111111111111111111111';
const NODE = 'http://127.0.0.1:8001';

function kernel(id = 'session-1', ended = new AbortController().signal) {
  return {
    kind: 'kernel',
    label: 'first-data.ipynb (Python 3)',
    session: { id, ended }
  } satisfies IWalletRequester;
}

const FLOW = { title: 'Get access to Weather', step: 1, steps: 1, names: {} };

describe('the node sign-in a purchase names', () => {
  it('is read only from the extension’s own flows, with a decimal nonce', () => {
    const asked = {
      calls: [],
      capabilities: { oceanNodeSignIn: { nonce: '7' } }
    };
    assert.deepEqual(parseNodeSignIn(asked, { ...kernel(), flow: FLOW }), {
      nonce: '7'
    });
    assert.equal(parseNodeSignIn({ calls: [] }, kernel()), undefined);
    // A kernel's own batch cannot carry it: it asks for a token on its own.
    assert.throws(
      () => parseNodeSignIn(asked, kernel()),
      (error: unknown) => error instanceof OceanError && error.code === 5700
    );
    assert.throws(
      () =>
        parseNodeSignIn(
          { capabilities: { oceanNodeSignIn: { nonce: '0x7' } } },
          { ...kernel(), flow: FLOW }
        ),
      (error: unknown) =>
        error instanceof OceanError && error.code === 'OCEAN_BAD_REQUEST'
    );
  });

  it('covers exactly its own createAuthToken hash, once, for the same asker, account, chain and node', () => {
    const signIns = new ApprovedSignIns();
    const asker = kernel();
    const context = { account: ACCOUNT, chainId: 8996, node: NODE };
    signIns.approve({ nonce: '7' }, { ...context, requester: asker });
    const hash = nodeRequestHash(ACCOUNT, '7', 'createAuthToken');
    const take = (
      message: string,
      changes: Partial<typeof context> & { requester?: IWalletRequester } = {}
    ) => signIns.take(message, { ...context, requester: asker, ...changes });
    // Another nonce, command, account, chain, node or asker: not covered.
    assert.equal(take(nodeRequestHash(ACCOUNT, '8', 'createAuthToken')), false);
    assert.equal(take(nodeRequestHash(ACCOUNT, '7', 'downloadUrl')), false);
    assert.equal(take(hash, { account: OTHER }), false);
    assert.equal(take(hash, { chainId: 1 }), false);
    assert.equal(take(hash, { node: 'http://127.0.0.1:9001' }), false);
    assert.equal(take(hash, { requester: kernel('session-2') }), false);
    // The same session id after a restart is another session.
    assert.equal(take(hash, { requester: kernel('session-1') }), false);
    // The flow's copy of the requester is the same asker; upper-case hex too.
    assert.equal(
      take(hash.toUpperCase().replace('0X', '0x'), {
        requester: { ...asker, flow: FLOW },
        node: `${NODE}/`
      }),
      true
    );
    // Used up: a second signature asks.
    assert.equal(take(hash), false);
    assert.equal(signIns.size, 0);
  });

  it('ends after a few minutes, when the kernel session ends, and on clear', () => {
    let now = 1_000_000;
    const signIns = new ApprovedSignIns(() => now);
    const ended = new AbortController();
    const asker = kernel('session-1', ended.signal);
    const context = {
      account: ACCOUNT,
      chainId: 8996,
      node: NODE,
      requester: asker
    };
    const hash = nodeRequestHash(ACCOUNT, '7', 'createAuthToken');
    signIns.approve({ nonce: '7' }, context);
    now += 5 * 60_000;
    assert.equal(signIns.take(hash, context), false);
    signIns.approve({ nonce: '7' }, context);
    ended.abort();
    assert.equal(signIns.take(hash, context), false);
    const page: IWalletRequester = { kind: 'extension', label: 'tests' };
    signIns.approve({ nonce: '7' }, { ...context, requester: page });
    signIns.clear();
    assert.equal(signIns.take(hash, { ...context, requester: page }), false);
  });
});
