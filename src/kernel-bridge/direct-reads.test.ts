/**
 * Which JSON-RPC URL the page shares with kernels for their direct reads
 * (protocol.ts DIRECT_READ_METHODS): only where the page itself reads from
 * it (no wallet, or the built-in wallet on the active network) and only a
 * loopback URL without credentials; the kernel state carries it and drops
 * it when that stops being true. Signing never goes there: the bridge still
 * sends every signing method to the wallet (checked here on the real
 * KernelBridge) and the kernel clients send only the listed reads
 * (jupyterlab_ocean/tests/test_direct_reads.py; end to end in
 * ui-tests/kernel-bridge-reads.spec.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Signal } from '@lumino/signaling';
import type {
  INetworkRegistry,
  IOceanNetwork,
  IWallet,
  IWalletState
} from '../tokens';
import { KernelBridge } from './bridge';
import { DIRECT_READ_METHODS } from './protocol';
import { isLoopbackRpcUrl } from './rpc-reader';

const A = '0xAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAa';

const LOCAL: IOceanNetwork = {
  key: 'local',
  name: 'Local Ocean stack',
  chainId: 8996,
  rpcUrl: 'http://127.0.0.1:8545',
  nodeUrl: 'http://127.0.0.1:8001',
  nativeSymbol: 'ETH'
};
const HOSTED: IOceanNetwork = {
  key: 'sepolia',
  name: 'Sepolia',
  chainId: 11155111,
  rpcUrl: 'https://sepolia.infura.io/v3/secret-key',
  nodeUrl: 'https://node.example',
  nativeSymbol: 'ETH'
};

function networksOn(active: IOceanNetwork): INetworkRegistry {
  return {
    networks: [active],
    active,
    changed: new Signal({}),
    activate: async () => undefined,
    addGuard: () => () => undefined
  } as unknown as INetworkRegistry;
}

/** A wallet whose source and chain the test sets; it records what it is asked. */
function wallet(source: 'builtin' | 'eip6963', chainId: number) {
  const state = {
    status: 'unlocked',
    source,
    accounts: [{ address: A, name: 'Account 1' }],
    account: A,
    chainId
  } as unknown as IWalletState;
  const asked: string[] = [];
  const instance = {
    state,
    stateChanged: new Signal({}),
    transactionSettled: new Signal({}),
    async request({ method }: { method: string }) {
      asked.push(method);
      return method === 'eth_requestAccounts' ? [A] : '0xsigned';
    },
    getSigner: async () => null,
    ensureUnlocked: async () => A
  } as unknown as IWallet;
  return { instance, state, asked };
}

function bridge(w: IWallet | null, active: IOceanNetwork) {
  return new KernelBridge({
    wallet: w,
    networks: networksOn(active),
    requester: kernelId => ({
      kind: 'kernel',
      label: 'analysis.ipynb',
      kernelId
    }),
    askToShareAccount: async () => true
  });
}

const quiet = () => undefined;

describe('the RPC URL kernels may read from directly', () => {
  it('is shared for a loopback chain under the built-in wallet on it, and in the kernel state', () => {
    const { instance } = wallet('builtin', 8996);
    const b = bridge(instance, LOCAL);
    assert.equal(b.sharedRpcUrl(), LOCAL.rpcUrl);
    assert.equal(b.kernelState(b.session('k1')).rpcUrl, LOCAL.rpcUrl);
  });

  it('is shared where there is no wallet: the page reads that URL itself', () => {
    assert.equal(bridge(null, LOCAL).sharedRpcUrl(), LOCAL.rpcUrl);
  });

  it('is not shared with an injected wallet, which may be on another chain', () => {
    const { instance } = wallet('eip6963', 8996);
    const b = bridge(instance, LOCAL);
    assert.equal(b.sharedRpcUrl(), null);
    assert.equal('rpcUrl' in b.kernelState(b.session('k1')), false);
  });

  it('is dropped while the wallet is on another chain than the active network', () => {
    const { instance, state } = wallet('builtin', 1);
    const b = bridge(instance, LOCAL);
    assert.equal(b.sharedRpcUrl(), null);
    (state as { chainId: number }).chainId = 8996;
    assert.equal(b.sharedRpcUrl(), LOCAL.rpcUrl);
  });

  it('is never a hosted RPC, whose URL may carry an API key', () => {
    const { instance } = wallet('builtin', HOSTED.chainId);
    assert.equal(bridge(instance, HOSTED).sharedRpcUrl(), null);
    assert.equal(isLoopbackRpcUrl('http://user:pw@127.0.0.1:8545'), false);
    assert.equal(isLoopbackRpcUrl('http://localhost:8545/'), true);
    assert.equal(isLoopbackRpcUrl('http://[::1]:8545'), true);
    assert.equal(isLoopbackRpcUrl('http://127.0.0.1.example.com/'), false);
    assert.equal(isLoopbackRpcUrl('ws://127.0.0.1:8545'), false);
  });

  it('lists only reads: every signing or account method still reaches the wallet', async () => {
    const signing = [
      'eth_sendTransaction',
      'personal_sign',
      'eth_signTypedData_v4',
      'eth_sign',
      'eth_signTransaction',
      'eth_sendRawTransaction',
      'eth_accounts',
      'eth_requestAccounts',
      'wallet_switchEthereumChain',
      'wallet_sendCalls'
    ];
    for (const method of signing) {
      assert.ok(
        !(DIRECT_READ_METHODS as readonly string[]).includes(method),
        method
      );
    }
    const { instance, asked } = wallet('builtin', 8996);
    const b = bridge(instance, LOCAL);
    const session = b.session('k1');
    await b.rpc(session, 'eth_requestAccounts', [], quiet);
    await b.rpc(
      session,
      'eth_sendTransaction',
      [{ from: A, to: A, value: '0x1' }],
      quiet
    );
    await b.rpc(session, 'personal_sign', ['0x68', A], quiet);
    assert.deepEqual(asked, [
      'eth_requestAccounts',
      'eth_sendTransaction',
      'personal_sign'
    ]);
  });
});
