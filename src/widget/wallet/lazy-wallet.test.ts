import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Signal } from '@lumino/signaling';
import { NetworkRegistry } from '../../ocean/networks';
import type {
  ISettledTransaction,
  IWallet,
  IWalletRequestArguments,
  IWalletState
} from '../../tokens';
import { KeyKeeper } from './key-vault';
import { MemoryVaultStorage } from './keystore';
import { LazyWallet } from './lazy-wallet';
import { lockedSnapshot } from './vault-peek';
import type { OceanWallet } from './wallet';

const PHRASE =
  'taxi music thumb unique chat sand crew more leg another off lamp';
const ACCOUNT = '0xe2DD09d719Da89e5a3D0F2549c7E24566e947260';
const OPTIONS = { scryptN: 1 << 10 };

/** A store as a previous page left it: a wallet made, then the page closed. */
async function storeWithWallet(): Promise<MemoryVaultStorage> {
  const storage = new MemoryVaultStorage();
  await new KeyKeeper(storage, OPTIONS).create(PHRASE, 'a good password');
  return storage;
}

/**
 * Stands in for wallet.ts's OceanWallet (which needs a DOM to import):
 * what LazyWallet uses of it, with a state that unlocks on request.
 */
class LoadedWallet {
  state: IWalletState;
  stateChanged = new Signal<IWallet, IWalletState>(this as unknown as IWallet);
  transactionSettled = new Signal<IWallet, ISettledTransaction>(
    this as unknown as IWallet
  );
  autoLockMinutes = 15;
  requests: IWalletRequestArguments[] = [];

  constructor(state: IWalletState) {
    this.state = state;
  }

  async request(args: IWalletRequestArguments): Promise<unknown> {
    this.requests.push(args);
    this.state = { ...this.state, status: 'unlocked', account: ACCOUNT };
    this.stateChanged.emit(this.state);
    return [ACCOUNT];
  }

  passwords: string[] = [];
  selected: string | null = null;

  async unlock(password: string): Promise<void> {
    this.passwords.push(password);
  }

  selectAccount(address: string): void {
    this.selected = address;
  }

  async ensureUnlocked(): Promise<string> {
    return ACCOUNT;
  }

  async getSigner(): Promise<unknown> {
    return { address: ACCOUNT };
  }
}

function lazyWallet(storage: MemoryVaultStorage) {
  const networks = new NetworkRegistry();
  const created: LoadedWallet[] = [];
  const states: IWalletState[] = [];
  const wallet = new LazyWallet({
    networks,
    peek: async () => lockedSnapshot(await storage.read()),
    create: async () => {
      const loaded = new LoadedWallet({
        status: 'locked',
        source: 'builtin',
        accounts: [{ address: ACCOUNT, name: 'Account 1' }],
        account: null,
        chainId: networks.active.chainId,
        testWallet: null
      });
      created.push(loaded);
      return loaded as unknown as OceanWallet;
    }
  });
  wallet.stateChanged.connect((_, state) => states.push(state));
  return { wallet, networks, created, states };
}

const settle = () => new Promise(resolve => setTimeout(resolve, 0));

describe('the vault peek', () => {
  it('answers what KeyKeeper.load() answers, without the key store', async () => {
    const empty = new MemoryVaultStorage();
    assert.deepEqual(
      lockedSnapshot(await empty.read()),
      await new KeyKeeper(empty, OPTIONS).load()
    );
    const made = await storeWithWallet();
    assert.deepEqual(
      lockedSnapshot(await made.read()),
      await new KeyKeeper(made, OPTIONS).load()
    );
  });
});

describe('the lazy wallet behind IWallet', () => {
  it('says "no wallet" or "locked" from the vault, loading nothing', async () => {
    const none = lazyWallet(new MemoryVaultStorage());
    const some = lazyWallet(await storeWithWallet());
    await settle();
    assert.equal(none.wallet.state.status, 'none');
    assert.deepEqual(none.wallet.state.accounts, []);
    assert.equal(some.wallet.state.status, 'locked');
    assert.deepEqual(some.wallet.state.accounts, [
      { address: ACCOUNT, name: 'Account 1' }
    ]);
    assert.equal(some.wallet.state.account, null);
    assert.equal(some.wallet.state.source, 'builtin');
    assert.equal(some.wallet.state.testWallet, null);
    assert.equal(none.created.length + some.created.length, 0);
  });

  it('loads the wallet on the first request and answers through it', async () => {
    const { wallet, created, states } = lazyWallet(await storeWithWallet());
    await settle();
    wallet.autoLockMinutes = 5;
    const accounts = await wallet.request(
      { method: 'eth_requestAccounts' },
      { kind: 'panel', label: 'test' }
    );
    assert.deepEqual(accounts, [ACCOUNT]);
    assert.equal(created.length, 1);
    assert.equal(created[0].autoLockMinutes, 5, 'the setting reaches it');
    assert.equal(wallet.state.status, 'unlocked');
    assert.equal(states.at(-1)?.account, ACCOUNT);
    // Later calls reuse the same wallet.
    assert.equal(
      await wallet.ensureUnlocked({ kind: 'panel', label: 'test' }),
      ACCOUNT
    );
    assert.equal(await wallet.load(), created[0]);
    assert.equal(wallet.loaded, created[0]);
    assert.equal(created.length, 1);
  });

  it("offers the wallet's own API, loading it first", async () => {
    const { wallet, created } = lazyWallet(await storeWithWallet());
    await settle();
    assert.throws(() => wallet.selectAccount(ACCOUNT), /unlock it/);
    await wallet.unlock('a good password');
    assert.equal(created.length, 1, 'unlock loaded the wallet');
    assert.deepEqual(created[0].passwords, ['a good password']);
    wallet.selectAccount(ACCOUNT);
    assert.equal(created[0].selected, ACCOUNT);
  });

  it('follows the active network before it loads', async () => {
    const { wallet, networks, created } = lazyWallet(new MemoryVaultStorage());
    await settle();
    const other = networks.networks.find(n => n.key !== networks.active.key);
    if (other) {
      await networks.activate(other.key);
      assert.equal(wallet.state.chainId, other.chainId);
    }
    assert.equal(created.length, 0);
  });
});
