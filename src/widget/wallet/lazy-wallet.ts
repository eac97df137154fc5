/**
 * IWallet from the start, without the wallet's code: the status item and
 * every plugin get this object at start-up, and the real wallet (wallet.ts,
 * with ethers, the describers and the dialogs) loads on its first use: a
 * request or signer, an unlock, the Ocean panel opened.
 *
 * Until then the state is read from the key vault's public facts (whether
 * a wallet exists, its accounts' names), which the vault worker answers
 * without loading its own crypto code. A freshly loaded page is always
 * locked: decrypted keys never outlive the page's vault worker.
 *
 * Neither the key vault nor the wallet is reachable from this object's
 * public surface beyond what IWallet and `load()` give; `load()` gives the
 * same wallet the IWallet token used to be.
 */
import { Signal, type ISignal } from '@lumino/signaling';
import { OceanError } from '../../errors';
import type {
  INetworkRegistry,
  ISettledTransaction,
  IWallet,
  IWalletRequestArguments,
  IWalletRequester,
  IWalletState
} from '../../tokens';
import type { IVaultSnapshot } from './key-vault';
import type { OceanWallet } from './wallet';

export interface ILazyWalletOptions {
  networks: INetworkRegistry;
  /** The vault's public facts, read without the wallet's code. */
  peek: () => Promise<IVaultSnapshot>;
  /** Makes the real wallet (restored: its state read from the vault). */
  create: () => Promise<OceanWallet>;
}

/** The state a wallet shows before anything is unlocked. */
export function lockedState(
  snapshot: Pick<IVaultSnapshot, 'exists' | 'accounts' | 'testWallet'>,
  chainId: number
): IWalletState {
  return {
    status: snapshot.exists ? 'locked' : 'none',
    source: 'builtin',
    accounts: snapshot.accounts.map(a => ({
      address: a.address,
      name: a.name
    })),
    account: null,
    chainId,
    // A test wallet's facts: the network guard and the panel read them.
    testWallet: snapshot.testWallet ?? null
  };
}

export class LazyWallet implements IWallet {
  #options: ILazyWalletOptions;
  #wallet: OceanWallet | null = null;
  #loading: Promise<OceanWallet> | null = null;
  #snapshot: Pick<IVaultSnapshot, 'exists' | 'accounts' | 'testWallet'> = {
    exists: false,
    accounts: []
  };

  constructor(options: ILazyWalletOptions) {
    this.#options = options;
    this._state = lockedState(this.#snapshot, options.networks.active.chainId);
    options.networks.changed.connect(() => {
      if (!this.#wallet) {
        this._publish(
          lockedState(this.#snapshot, options.networks.active.chainId)
        );
      }
    });
    void options
      .peek()
      .then(snapshot => {
        if (!this.#wallet) {
          this.#snapshot = snapshot;
          this._publish(lockedState(snapshot, options.networks.active.chainId));
        }
      })
      .catch(error =>
        console.error(
          'jupyterlab-ocean: could not read the wallet store:',
          error
        )
      );
  }

  get state(): IWalletState {
    return this.#wallet?.state ?? this._state;
  }

  get stateChanged(): ISignal<IWallet, IWalletState> {
    return this._stateChanged;
  }

  get transactionSettled(): ISignal<IWallet, ISettledTransaction> {
    return this._transactionSettled;
  }

  /** Minutes of inactivity before the wallet locks itself (a setting). */
  set autoLockMinutes(minutes: number) {
    this._autoLockMinutes = minutes;
    if (this.#wallet) {
      this.#wallet.autoLockMinutes = minutes;
    }
  }

  async request(
    args: IWalletRequestArguments,
    requester: IWalletRequester
  ): Promise<unknown> {
    return (await this.load()).request(args, requester);
  }

  async getSigner(requester: IWalletRequester): Promise<unknown> {
    return (await this.load()).getSigner(requester);
  }

  async ensureUnlocked(requester: IWalletRequester): Promise<string> {
    return (await this.load()).ensureUnlocked(requester);
  }

  // ----- the wallet's own API --------------------------------------------
  // Before it was lazy, the IWallet token's value was the wallet itself,
  // and scripts (the UI tests' helpers among them) call these on it: each
  // loads the wallet first, or needs it loaded (an unlocked wallet is).

  async unlock(password: string): Promise<void> {
    return (await this.load()).unlock(password);
  }

  async importKey(
    ...args: Parameters<OceanWallet['importKey']>
  ): ReturnType<OceanWallet['importKey']> {
    return (await this.load()).importKey(...args);
  }

  async exportKeystore(
    ...args: Parameters<OceanWallet['exportKeystore']>
  ): ReturnType<OceanWallet['exportKeystore']> {
    return (await this.load()).exportKeystore(...args);
  }

  lock(): void {
    this.#wallet?.lock();
  }

  selectAccount(address: string): void {
    if (!this.#wallet) {
      throw new OceanError(
        4100,
        'The wallet is locked: unlock it before choosing an account.'
      );
    }
    this.#wallet.selectAccount(address);
  }

  /** The wallet itself, loading it on the first call. */
  load(): Promise<OceanWallet> {
    if (!this.#loading) {
      this.#loading = this.#options.create().then(wallet => {
        this.#wallet = wallet;
        if (this._autoLockMinutes !== null) {
          wallet.autoLockMinutes = this._autoLockMinutes;
        }
        wallet.stateChanged.connect((_, state) => this._publish(state));
        wallet.transactionSettled.connect((_, settled) =>
          this._transactionSettled.emit(settled)
        );
        this._publish(wallet.state);
        return wallet;
      });
      this.#loading.catch(error => {
        console.error('jupyterlab-ocean: the wallet did not load', error);
        this.#loading = null;
      });
    }
    return this.#loading;
  }

  /** The wallet when it is loaded, else null. */
  get loaded(): OceanWallet | null {
    return this.#wallet;
  }

  private _publish(state: IWalletState): void {
    this._state = state;
    this._stateChanged.emit(state);
  }

  private _state: IWalletState;
  private _autoLockMinutes: number | null = null;
  private _stateChanged = new Signal<IWallet, IWalletState>(this);
  private _transactionSettled = new Signal<IWallet, ISettledTransaction>(this);
}
