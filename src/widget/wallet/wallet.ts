/**
 * The wallet behind IWallet: answers EIP-1193 requests and sends every
 * signature and transaction through the one confirmation dialog. It holds
 * no key: the keys (IKeyVault) sign only after that dialog, and in the
 * browser they live in the vault worker. The key vault and the dialog sit
 * in private fields, so code that reaches this object (through the plugin
 * registry, say) can neither sign past the dialog nor swap the dialog out.
 * It knows nothing of the DOM: the dialog, the unlock prompt and the keys
 * are handed in, so the plugin wires the UI and tests wire something else.
 */
import {
  getAddress,
  getBytes,
  hexlify,
  isHexString,
  JsonRpcProvider,
  Network,
  toBeHex,
  toUtf8Bytes,
  TypedDataEncoder
} from 'ethers';
import { Signal, type ISignal } from '@lumino/signaling';
import {
  nullTranslator,
  type TranslationBundle
} from '@jupyterlab/translation';
import { OceanError } from '../../errors';
import { providerFor, waitForReceipt } from '../../ocean/chain';
import { isLocalNetwork } from '../../ocean/networks';
import { NodeApi } from '../../ocean/node-api';
import type { INodeRequestHint } from '../../ocean/wallet-decode';
import type {
  INetworkRegistry,
  IOceanNetwork,
  IWallet,
  IWalletRequestArguments,
  IWalletRequester,
  IWalletState,
  ISettledTransaction,
  WalletSource
} from '../../tokens';
import { ActivityLog, explorerTxUrl } from './activity';
import {
  confirmAnswer,
  type Confirmer,
  type IConfirmAnswer
} from './confirmation';
import {
  describeMessage,
  describeSimulation,
  describeTransaction,
  describeTypedData,
  shortAddress,
  type INameBook
} from './describe';
import {
  GrantDesk,
  type IApproval,
  type WalletConfirmation
} from './grant-desk';
import type {
  GrantBook,
  GrantRequest,
  IGrantContracts,
  INotebookGrant
} from './grants';
import {
  ApprovedSignIns,
  parseNodeSignIn,
  SIGN_IN_COMMAND
} from './flow-sign-in';
import type { IKeyVault, IVaultSnapshot, KeyImport } from './key-vault';
import type { IStoredAccount } from './keystore';
import { feeWords, preflight, wouldFail } from './preflight';
import { BatchDesk, type IBatchHands } from './send-calls';
import { WalletSigner } from './signer';
import {
  locked,
  networkReason,
  paramsArray,
  quantity,
  rejected,
  unsupported
} from './wallet-requests';

/** An EIP-1193 provider announced by a browser wallet (EIP-6963). */
export interface IEip1193Provider {
  request(args: { method: string; params?: unknown }): Promise<unknown>;
  on?(event: string, listener: (...args: any[]) => void): void;
  removeListener?(event: string, listener: (...args: any[]) => void): void;
}

export interface IInjectedWallet {
  uuid: string;
  name: string;
  /** data: URI of the wallet's icon (untrusted: render as <img src> only). */
  icon: string;
  rdns: string;
  provider: IEip1193Provider;
}

/** Methods that read the chain and pass straight to the RPC. */
const READ_METHOD = /^(eth_|net_|web3_)/;
const REFUSED_READS = new Set([
  'eth_sign',
  'eth_signTransaction',
  'eth_signTypedData',
  'eth_signTypedData_v3',
  'eth_sendRawTransaction'
]);

export interface IWalletOptions {
  networks: INetworkRegistry;
  /** Where the keys are: the vault worker in the browser. */
  keys: IKeyVault;
  activity: ActivityLog;
  /** Shows the one confirmation dialog. */
  confirm: Confirmer;
  /** Asks the person to unlock (or create) the wallet; resolves when done or rejects. */
  promptUnlock: (requester: IWalletRequester) => Promise<void>;
  /**
   * Ocean's contracts on a network, for notebook grants (grants.ts); without
   * it the dialog offers no grant.
   */
  oceanContracts?: (
    network: IOceanNetwork,
    provider: JsonRpcProvider
  ) => Promise<IGrantContracts>;
  /**
   * Asks the person for a test wallet's new password in a dialog only a real
   * click approves (test-wallet.ts); kept private, as the confirmer is.
   */
  askTestWalletPassword?: () => Promise<string | null>;
  /** The dialogs' words and the errors' sentences; English without it. */
  trans?: TranslationBundle;
  /** Tells people about confirmed/failed transactions. */
  notify?: (
    kind: 'success' | 'error' | 'info',
    message: string,
    link?: string
  ) => void;
}

export class OceanWallet implements IWallet {
  #keys: IKeyVault;
  #confirmer: Confirmer;
  #askTestWalletPassword: (() => Promise<string | null>) | undefined;
  // Private like the keys: only this wallet's own dialog makes a grant.
  #grants: GrantDesk;
  // The node sign-ins a purchase's own dialog named (flow-sign-in.ts):
  // private for the same reason, only that dialog adds one.
  #signIns = new ApprovedSignIns();
  private _batches: BatchDesk;
  #vault: IVaultSnapshot = { exists: false, accounts: [], unlocked: [] };
  private _account: string | null = null;
  private _source: WalletSource = 'builtin';
  private _injected: IInjectedWallet | null = null;
  private _injectedAccounts: string[] = [];
  private _stateChanged = new Signal<IWallet, IWalletState>(this);
  private _transactionSettled = new Signal<IWallet, ISettledTransaction>(this);
  private _node: NodeApi | null = null;
  private _autoLockMs = 15 * 60_000;
  private _lockTimer: number | undefined;
  // One confirmation (and the send after it) at a time: dialogs never stack
  // and nonces are taken in order.
  private _queue: Promise<unknown> = Promise.resolve();
  private _state: IWalletState;
  private readonly _options: Omit<
    IWalletOptions,
    'keys' | 'confirm' | 'askTestWalletPassword' | 'trans'
  >;
  private readonly _trans: TranslationBundle;

  constructor(options: IWalletOptions) {
    const { keys, confirm, askTestWalletPassword, trans, ...rest } = options;
    this._trans = trans ?? nullTranslator.load('jupyterlab_ocean');
    this.#keys = keys;
    this.#confirmer = confirm;
    this.#askTestWalletPassword = askTestWalletPassword;
    this._options = rest;
    const live = {
      trans: this._trans,
      network: () => this.network,
      provider: () => this.provider,
      builtin: () => this._source === 'builtin'
    };
    this.#grants = new GrantDesk({
      ...live,
      oceanContracts: rest.oceanContracts,
      notify: (kind, message) => rest.notify?.(kind, message)
    });
    this._batches = new BatchDesk({
      ...live,
      accounts: () => this._state.accounts,
      chainIds: () => rest.networks.networks.map(n => n.chainId)
    });
    this._state = this._computeState();
    rest.networks.changed.connect(this._onNetworkChanged, this);
  }

  // ----- IWallet ---------------------------------------------------------

  get state(): IWalletState {
    return this._state;
  }

  get transactionSettled(): ISignal<IWallet, ISettledTransaction> {
    return this._transactionSettled;
  }

  get stateChanged(): ISignal<IWallet, IWalletState> {
    return this._stateChanged;
  }

  get network(): IOceanNetwork {
    return this._options.networks.active;
  }

  get activity(): ActivityLog {
    return this._options.activity;
  }

  get injected(): IInjectedWallet | null {
    return this._injected;
  }

  /** The active network's provider (reads only; never holds a key). */
  get provider(): JsonRpcProvider {
    return providerFor({ JsonRpcProvider, Network }, this.network);
  }

  async request(
    args: IWalletRequestArguments,
    requester: IWalletRequester
  ): Promise<unknown> {
    const trans = this._trans;
    if (!args || typeof args.method !== 'string') {
      throw new OceanError(
        'OCEAN_BAD_REQUEST',
        trans.__('A wallet request needs a method name.')
      );
    }
    const params = paramsArray(args, trans);
    this._touch();
    switch (args.method) {
      case 'eth_accounts':
        return this._state.account ? [this._state.account] : [];
      case 'eth_requestAccounts':
        return [await this.ensureUnlocked(requester)];
      case 'eth_chainId':
        return toBeHex(this.network.chainId);
      case 'net_version':
        return String(this.network.chainId);
      case 'wallet_switchEthereumChain':
        return this._switchChain(params, requester);
      case 'personal_sign':
        return this._personalSign(params, requester);
      case 'eth_signTypedData_v4':
        return this._signTypedData(params, requester);
      case 'eth_sendTransaction':
        return this._sendTransaction(params, requester);
      case 'ocean_requestGrant':
        return this._requestGrant(params, requester);
      case 'wallet_getCapabilities':
        return this._batches.capabilities(params);
      case 'wallet_sendCalls':
        return this._sendCalls(params, requester);
      case 'wallet_getCallsStatus':
        return this._batches.status(params[0]);
      case 'ocean_grants':
        return this.#grants.listFor(requester);
      case 'eth_sign':
        throw unsupported(
          trans,
          'eth_sign',
          trans.__(
            'It signs raw hashes that can be transactions in disguise; use personal_sign or eth_signTypedData_v4.'
          )
        );
    }
    if (READ_METHOD.test(args.method) && !REFUSED_READS.has(args.method)) {
      try {
        return await this.provider.send(args.method, params);
      } catch (error) {
        throw new OceanError(
          'OCEAN_NETWORK_UNREACHABLE',
          trans
            .__(
              'The network "%1" did not answer %2: %3',
              this.network.name,
              args.method,
              String((error as Error).message ?? error)
            )
            .slice(0, 400)
        );
      }
    }
    throw unsupported(trans, args.method);
  }

  async getSigner(requester: IWalletRequester): Promise<WalletSigner> {
    const account = await this.ensureUnlocked(requester);
    return new WalletSigner(this, requester, account, this.provider);
  }

  async ensureUnlocked(requester: IWalletRequester): Promise<string> {
    if (!this._state.account) {
      await this._options.promptUnlock(requester);
    }
    if (!this._state.account) {
      throw locked(this._trans);
    }
    return this._state.account;
  }

  // ----- key store ---------------------------------------------------------

  /** Reads the vault and publishes the initial state. */
  async restore(): Promise<void> {
    this.#vault = await this.#keys.load();
    this._emit();
  }

  async create(phrase: string, password: string, name?: string): Promise<void> {
    this._setUnlocked(await this.#keys.create(phrase, password, name));
  }

  async importKey(
    input: KeyImport,
    password: string,
    name: string
  ): Promise<string> {
    const { address, snapshot } = await this.#keys.importKey(
      input,
      password,
      name
    );
    this._setUnlocked(snapshot);
    this._account = address;
    this._emit();
    return address;
  }

  async unlock(password: string): Promise<void> {
    this._setUnlocked(await this.#keys.unlock(password));
  }

  // ----- the test wallet (test-wallet.ts) ----------------------------------

  /** One click on the local network: a fresh key made in the vault. */
  async createTestWallet(name?: string): Promise<void> {
    if (!isLocalNetwork(this.network)) {
      throw new OceanError(
        'OCEAN_BAD_REQUEST',
        this._trans.__(
          "A test wallet is for the local network's test coins; %1 is not it. Create a wallet with a recovery phrase instead.",
          this.network.name
        )
      );
    }
    this._setUnlocked(await this.#keys.createTestWallet(name));
  }

  /**
   * The backup's first step: the person's password, asked in a dialog only
   * a real click approves; answers with the phrase to write down, or null
   * when cancelled.
   */
  async setTestWalletPassword(): Promise<string | null> {
    this._requireKeys();
    const ask = this.#askTestWalletPassword;
    if (!ask) {
      throw unsupported(this._trans, 'setTestWalletPassword');
    }
    const password = await ask();
    if (password === null) {
      return null;
    }
    const { phrase, snapshot } =
      await this.#keys.setTestWalletPassword(password);
    this.#vault = snapshot;
    this._touch();
    this._emit();
    return phrase;
  }

  /** The backup's second step: the words asked for, checked in the vault. */
  async confirmTestWalletBackup(
    words: ReadonlyArray<{ index: number; word: string }>
  ): Promise<void> {
    this.#vault = await this.#keys.confirmTestWalletBackup(words);
    this._emit();
  }

  lock(): void {
    this.#grants.clear();
    this.#signIns.clear();
    this.#vault = { ...this.#vault, unlocked: [] };
    void this.#keys.lock().catch(() => undefined);
    if (this._source === 'builtin') {
      this._account = null;
    }
    window.clearTimeout(this._lockTimer);
    this._emit();
  }

  async addAccount(name?: string): Promise<IStoredAccount> {
    this._requireKeys();
    const { account, snapshot } = await this.#keys.addAccount(name);
    this.#vault = snapshot;
    this._account = account.address;
    this._emit();
    return account;
  }

  async rename(address: string, name: string): Promise<void> {
    this.#vault = await this.#keys.rename(address, name);
    this._emit();
  }

  selectAccount(address: string): void {
    const wanted = getAddress(address);
    const known = this._state.accounts.some(a => a.address === wanted);
    if (!known) {
      throw new OceanError(
        4100,
        this._trans.__('The account %1 is not in this wallet.', wanted)
      );
    }
    if (this._account !== wanted) {
      this.#grants.clear();
      this.#signIns.clear();
    }
    this._account = wanted;
    this._emit();
  }

  /**
   * A keystore backup of `address` under `exportPassword`. The worker
   * checks `storePassword` (the wallet's own) first, so a script that
   * reaches this object cannot export a key under a password it chose.
   */
  async exportKeystore(
    address: string,
    storePassword: string,
    exportPassword: string
  ): Promise<string> {
    this._requireKeys();
    return this.#keys.exportKeystore(address, storePassword, exportPassword);
  }

  async reset(): Promise<void> {
    this.lock();
    this.#vault = await this.#keys.reset();
    this._emit();
  }

  /** Minutes of inactivity before locking; 0 never locks. */
  set autoLockMinutes(minutes: number) {
    this._autoLockMs = Math.max(0, minutes) * 60_000;
    this._touch();
  }

  /** Resets the auto-lock clock: call on any wallet activity. */
  touch(): void {
    this._touch();
  }

  // ----- injected wallets (EIP-6963) ---------------------------------------

  /** Uses a browser wallet instead of the built-in keys. */
  async useInjected(wallet: IInjectedWallet): Promise<void> {
    const accounts = (await wallet.provider.request({
      method: 'eth_requestAccounts'
    })) as string[];
    if (!Array.isArray(accounts) || accounts.length === 0) {
      throw new OceanError(
        4100,
        this._trans.__('%1 shared no account.', wallet.name)
      );
    }
    this._detachInjected();
    this.#grants.clear();
    this.#signIns.clear();
    this._injected = wallet;
    this._injectedAccounts = accounts.map(a => getAddress(a));
    this._source = 'injected';
    this._account = this._injectedAccounts[0];
    wallet.provider.on?.('accountsChanged', this._onInjectedAccounts);
    await this._syncInjectedChain().catch(() => undefined);
    this._emit();
  }

  /** Back to the built-in keys. */
  useBuiltin(): void {
    this._detachInjected();
    this._source = 'builtin';
    this._account = this.#isUnlocked()
      ? (this.#vault.accounts[0]?.address ?? null)
      : null;
    this._emit();
  }

  // ----- notebook grants (grants.ts) ---------------------------------------

  /** Live notebook grants with what they spent (for the panel). */
  get grants(): INotebookGrant[] {
    return this.#grants.list();
  }

  get grantsChanged(): ISignal<GrantBook, void> {
    return this.#grants.changed;
  }

  /** Ends a grant now (the panel's Revoke). */
  revokeGrant(id: string): void {
    this.#grants.revoke(id);
  }

  // ----- internals ---------------------------------------------------------

  /** Names the dialog can put on addresses. */
  nameBook(requester?: IWalletRequester): INameBook {
    // The asking flow's words first (the exchange "selling Weather 2024"),
    // the wallet's own after: a flow cannot rename your account or OCEAN.
    const names: Record<string, string> = {};
    for (const [address, words] of Object.entries(
      requester?.flow?.names ?? {}
    )) {
      names[address.toLowerCase()] = String(words).slice(0, 120);
    }
    for (const account of this._state.accounts) {
      names[account.address.toLowerCase()] = this._trans.__(
        'your %1',
        account.name
      );
    }
    const ocean = this.network.oceanTokenAddress;
    if (ocean) {
      names[ocean.toLowerCase()] = this._trans.__('OCEAN token');
    }
    return { names };
  }

  private _onInjectedAccounts = (accounts: string[]): void => {
    this._injectedAccounts = (accounts ?? []).map(a => getAddress(a));
    this._account = this._injectedAccounts[0] ?? null;
    this._emit();
  };

  private _detachInjected(): void {
    this._injected?.provider.removeListener?.(
      'accountsChanged',
      this._onInjectedAccounts
    );
    this._injected = null;
    this._injectedAccounts = [];
  }

  private async _syncInjectedChain(): Promise<void> {
    if (!this._injected) {
      return;
    }
    await this._injected.provider.request({
      method: 'wallet_switchEthereumChain',
      params: [{ chainId: toBeHex(this.network.chainId) }]
    });
  }

  private _setUnlocked(snapshot: IVaultSnapshot): void {
    this.#vault = snapshot;
    if (this._source === 'builtin') {
      const first = snapshot.accounts[0]?.address ?? null;
      const remembered = readSelectedAccount();
      this._account =
        this._account && this.#has(this._account)
          ? this._account
          : remembered && this.#has(remembered)
            ? getAddress(remembered)
            : first;
    }
    this._touch();
    this._emit();
  }

  #isUnlocked(): boolean {
    return this.#vault.unlocked.length > 0;
  }

  #has(address: string): boolean {
    const wanted = address.toLowerCase();
    return this.#vault.unlocked.some(a => a.toLowerCase() === wanted);
  }

  private _requireKeys(): void {
    if (!this.#isUnlocked()) {
      throw locked(this._trans);
    }
  }

  private _touch(): void {
    window.clearTimeout(this._lockTimer);
    this._lockTimer = undefined;
    // A test wallet with no password of the person's would be lost for
    // good by a lock (its password lives only in the vault's memory).
    const unsaved =
      !!this.#vault.testWallet && !this.#vault.testWallet.passwordSet;
    if (this.#isUnlocked() && this._autoLockMs > 0 && !unsaved) {
      this._lockTimer = window.setTimeout(() => this.lock(), this._autoLockMs);
    }
  }

  private _computeState(): IWalletState {
    const network = this._options.networks.active;
    if (this._source === 'injected') {
      return {
        status: this._account ? 'unlocked' : 'locked',
        source: 'injected',
        accounts: this._injectedAccounts.map((address, i) => ({
          address,
          name: this._trans.__(
            '%1 %2',
            this._injected?.name ?? this._trans.__('Browser wallet'),
            i + 1
          )
        })),
        account: this._account,
        chainId: network.chainId
      };
    }
    const vault = this.#vault;
    const unlocked = this.#isUnlocked();
    return {
      status: !vault.exists ? 'none' : unlocked ? 'unlocked' : 'locked',
      source: 'builtin',
      accounts: vault.accounts.map(a => ({ address: a.address, name: a.name })),
      account: unlocked ? this._account : null,
      chainId: network.chainId,
      testWallet: vault.testWallet ?? null
    };
  }

  private _emit(): void {
    if (this._source === 'builtin' && this._account) {
      rememberSelectedAccount(this._account);
    }
    this._state = this._computeState();
    this._stateChanged.emit(this._state);
  }

  private _onNetworkChanged(): void {
    this.#grants.clear();
    this.#signIns.clear();
    if (this._source === 'injected') {
      void this._syncInjectedChain().catch(() => undefined);
    }
    this._emit();
  }

  private _accountName(address: string): string {
    return (
      this._state.accounts.find(
        a => a.address.toLowerCase() === address.toLowerCase()
      )?.name ?? shortAddress(address)
    );
  }

  /** Runs `work` after every earlier confirmation has finished. */
  private _serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this._queue.then(work, work);
    this._queue = next.catch(() => undefined);
    return next;
  }

  async #confirm(
    confirmation: WalletConfirmation,
    account: string
  ): Promise<IConfirmAnswer> {
    const network = this.network;
    const answer = confirmAnswer(
      await this.#confirmer({
        ...confirmation,
        networkName: network.name,
        chainId: network.chainId,
        account,
        accountName: this._accountName(account)
      })
    );
    this._touch();
    if (!answer.approved) {
      throw rejected(this._trans);
    }
    return answer;
  }

  /**
   * The dialog, unless a live grant of the asking notebook covers
   * `request` (every call of it, for a batch): grant-desk.ts.
   */
  #approve(
    confirmation: WalletConfirmation,
    account: string,
    request: GrantRequest | GrantRequest[]
  ): Promise<IApproval> {
    return this.#grants.approve(
      next => this.#confirm(next, account),
      confirmation,
      account,
      request
    );
  }

  /** Records a request signed under a grant; its words for the activity list. */
  private _usedGrant(approval: IApproval, summary: string): string | undefined {
    return this.#grants.used(approval, summary);
  }

  /** %ocean grant: the dialog is the grant itself; the kernel gets its terms back. */
  private async _requestGrant(
    params: unknown[],
    requester: IWalletRequester
  ): Promise<Record<string, unknown>> {
    this.#grants.checkAsker(requester);
    const account = await this.ensureUnlocked(requester);
    const terms = this.#grants.terms(params);
    return this._serial(() =>
      this.#grants.grant(
        next => this.#confirm(next, account),
        terms,
        requester,
        account
      )
    );
  }

  /**
   * wallet_sendCalls: every call described in one dialog (or covered as a
   * whole by the notebook's grant), then sent one after the other, each
   * mined before the next (send-calls.ts).
   */
  private async _sendCalls(
    params: unknown[],
    requester: IWalletRequester
  ): Promise<{ id: string }> {
    this._batches.checkBuiltin();
    const account = await this.ensureUnlocked(requester);
    const request = this._batches.parse(params, account);
    // The purchase's node sign-in, named in this dialog (flow-sign-in.ts).
    const signIn = parseNodeSignIn(params[0], requester);
    return this._serial(() =>
      this._batches.send(
        request,
        account,
        requester,
        this.#batchHands(account, requester),
        signIn
      )
    );
  }

  /** What one batch borrows from the wallet's private parts, for this account only. */
  #batchHands(account: string, requester: IWalletRequester): IBatchHands {
    return {
      book: this.nameBook(requester),
      accountName: this._accountName(account),
      show: confirmation => this.#confirmer(confirmation),
      approve: (confirmation, requests) =>
        this.#approve(confirmation, account, requests),
      used: (approval, summary) => this._usedGrant(approval, summary),
      sign: tx => this.#keys.signTransaction(this.#signingAccount(account), tx),
      track: (hash, network, summary, extra) =>
        this._track(hash, account, network, summary, requester, extra),
      unsent: () => rejected(this._trans),
      approveSignIn: (signIn, network) =>
        this.#signIns.approve(signIn, {
          account,
          chainId: network.chainId,
          node: network.nodeUrl,
          requester
        })
    };
  }

  private _checkFrom(address: unknown, account: string): void {
    if (
      address !== undefined &&
      address !== null &&
      String(address).toLowerCase() !== account.toLowerCase()
    ) {
      throw new OceanError(
        4100,
        this._trans.__(
          'The request is for %1, but the selected account is %2. Select that account first.',
          String(address).slice(0, 42),
          account
        )
      );
    }
  }

  /** The account whose key signs; locked (4100) when it is not decrypted. */
  #signingAccount(account: string): string {
    if (!this.#has(account)) {
      throw locked(this._trans);
    }
    return account;
  }

  private async _switchChain(
    params: unknown[],
    requester: IWalletRequester
  ): Promise<null> {
    const trans = this._trans;
    const raw = (params[0] as { chainId?: unknown } | undefined)?.chainId;
    let wanted: number;
    try {
      wanted = Number(BigInt(String(raw)));
    } catch {
      throw new OceanError(
        'OCEAN_BAD_REQUEST',
        trans.__('wallet_switchEthereumChain needs [{ chainId: "0x…" }].')
      );
    }
    const network = this._options.networks.networks.find(
      n => n.chainId === wanted
    );
    if (!network) {
      throw new OceanError(
        4901,
        trans.__(
          'No configured network has chain id %1. Add it in the Ocean network settings first.',
          wanted
        )
      );
    }
    if (network.key === this.network.key) {
      return null;
    }
    const account = this._state.account ?? '';
    await this._serial(() =>
      this.#confirm(
        {
          kind: 'switchNetwork',
          title: trans.__('Switch network'),
          requester,
          summary: trans.__(
            'Switch from %1 to %2 (chain %3). Everything in JupyterLab will use the new network.',
            this.network.name,
            network.name,
            network.chainId
          ),
          rows: [
            { label: trans.__('RPC'), value: network.rpcUrl, mono: true },
            {
              label: trans.__('Ocean Node'),
              value: network.nodeUrl,
              mono: true
            }
          ],
          warnings: [],
          checks: []
        },
        account
      )
    );
    await this._options.networks.activate(network.key);
    return null;
  }

  private async _personalSign(
    params: unknown[],
    requester: IWalletRequester
  ): Promise<string> {
    const account = await this.ensureUnlocked(requester);
    let [message, address] = params as [unknown, unknown];
    // Some callers send [address, message]; accept both orders.
    if (
      typeof message === 'string' &&
      /^0x[0-9a-fA-F]{40}$/.test(message) &&
      typeof address === 'string' &&
      !/^0x[0-9a-fA-F]{40}$/.test(address)
    ) {
      [message, address] = [address, message];
    }
    if (typeof message !== 'string') {
      throw new OceanError(
        'OCEAN_BAD_REQUEST',
        this._trans.__('personal_sign needs the message as a string.')
      );
    }
    this._checkFrom(address, account);
    const hint = params[2] as INodeRequestHint | undefined;
    return this._serial(async () => {
      const network = this.network;
      const description = await describeMessage({
        message,
        account,
        network,
        hint:
          hint && typeof hint === 'object' && typeof hint.command === 'string'
            ? hint
            : undefined,
        fetchNodeNonce: () => this._nodeNonce(network, account),
        trans: this._trans
      });
      const bytes = isHexString(message)
        ? getBytes(message)
        : toUtf8Bytes(message);
      // The node sign-in a purchase's approved dialog named: exactly that
      // hash, this asker, once (flow-sign-in.ts). Anything else asks.
      const namedInFlow =
        bytes.length === 32 &&
        description.nodeRequest?.command === SIGN_IN_COMMAND &&
        this.#signIns.take(hexlify(bytes), {
          account,
          chainId: network.chainId,
          node: network.nodeUrl,
          requester
        });
      // Only a hash the wallet checked is exactly a node command can fall
      // under a grant; any other message always asks.
      const approval = namedInFlow
        ? { use: null, asked: false }
        : await this.#approve(
            {
              kind: 'message',
              title: this._trans.__('Sign a message'),
              requester,
              summary: description.summary,
              rows: description.rows,
              warnings: description.warnings,
              checks: description.checks
            },
            account,
            description.nodeRequest
              ? {
                  kind: 'nodeRequest',
                  command: description.nodeRequest.command,
                  node: network.nodeUrl
                }
              : {
                  kind: 'other',
                  what: this._trans.__('Signing a message of any other kind')
                }
          );
      if (namedInFlow) {
        void this.activity.add({
          hash: hexlify(bytes),
          chainId: network.chainId,
          account,
          summary: this._trans.__(
            '%1 (approved in the purchase’s dialog)',
            description.summary
          ),
          status: 'confirmed',
          time: Date.now(),
          requester: requester.label,
          signature: true
        });
      }
      const grantUsed = this._usedGrant(approval, description.summary);
      if (grantUsed && !approval.asked) {
        void this.activity.add({
          hash:
            bytes.length === 32 ? hexlify(bytes) : String(message).slice(0, 66),
          chainId: network.chainId,
          account,
          summary: description.summary,
          status: 'confirmed',
          time: Date.now(),
          requester: requester.label,
          grant: grantUsed,
          signature: true
        });
      }
      if (this._source === 'injected' && this._injected) {
        return (await this._injected.provider.request({
          method: 'personal_sign',
          params: [hexlify(bytes), account]
        })) as string;
      }
      return this.#keys.signMessage(this.#signingAccount(account), bytes);
    });
  }

  /** The node's last nonce for `account`, to recognise a node request. */
  private async _nodeNonce(
    network: IOceanNetwork,
    account: string
  ): Promise<number | null> {
    if (this._node?.url !== network.nodeUrl.replace(/\/+$/, '')) {
      // Quick and never waiting out a rate limit: a dialog waits on it.
      this._node = new NodeApi(network.nodeUrl, {
        timeoutMs: 4000,
        maxRateLimitWaitMs: 0
      });
    }
    return Number(await this._node.nonce(account));
  }

  private async _signTypedData(
    params: unknown[],
    requester: IWalletRequester
  ): Promise<string> {
    const account = await this.ensureUnlocked(requester);
    const [address, raw] = params;
    this._checkFrom(address, account);
    let typed: {
      domain?: Record<string, unknown>;
      types?: Record<string, Array<{ name: string; type: string }>>;
      primaryType?: string;
      message?: Record<string, unknown>;
    };
    try {
      typed = typeof raw === 'string' ? JSON.parse(raw) : (raw as typeof typed);
    } catch {
      throw new OceanError(
        'OCEAN_BAD_REQUEST',
        this._trans.__('eth_signTypedData_v4 needs the typed data as JSON.')
      );
    }
    if (!typed?.types || !typed.primaryType || !typed.message) {
      throw new OceanError(
        'OCEAN_BAD_REQUEST',
        this._trans.__('The typed data lacks types, primaryType or message.')
      );
    }
    // ethers derives the domain type itself and refuses it among `types`.
    const types = Object.fromEntries(
      Object.entries(typed.types).filter(([name]) => name !== 'EIP712Domain')
    );
    return this._serial(async () => {
      const description = describeTypedData(
        typed,
        this.network.chainId,
        this._trans
      );
      await this.#confirm(
        {
          kind: 'typedData',
          title: this._trans.__('Sign structured data'),
          requester,
          summary: description.summary,
          rows: description.rows,
          warnings: description.warnings,
          checks: description.checks
        },
        account
      );
      if (this._source === 'injected' && this._injected) {
        return (await this._injected.provider.request({
          method: 'eth_signTypedData_v4',
          params: [account, JSON.stringify(typed)]
        })) as string;
      }
      // Check the data encodes before signing, so errors are ours, not ethers'.
      TypedDataEncoder.from(types);
      return this.#keys.signTypedData(
        this.#signingAccount(account),
        (typed.domain ?? {}) as never,
        types,
        typed.message!
      );
    });
  }

  private async _sendTransaction(
    params: unknown[],
    requester: IWalletRequester
  ): Promise<string> {
    const trans = this._trans;
    const account = await this.ensureUnlocked(requester);
    const input = (params[0] ?? {}) as Record<string, unknown>;
    this._checkFrom(input.from, account);
    const to =
      input.to === undefined || input.to === null || input.to === ''
        ? null
        : getAddress(String(input.to));
    const data =
      typeof input.data === 'string'
        ? input.data
        : typeof input.input === 'string'
          ? input.input
          : '0x';
    const value = quantity(input.value, 'value', trans) ?? 0n;
    const requestedChainId =
      input.chainId !== undefined
        ? Number(quantity(input.chainId, 'chainId', trans))
        : undefined;
    return this._serial(async () => {
      const network = this.network;
      const provider = this.provider;
      const checked = await preflight(
        provider,
        network,
        { from: account, to, data, value },
        quantity(input.gas ?? input.gasLimit, 'gas', trans),
        trans
      );
      const description = await describeTransaction({
        provider,
        network,
        account,
        to,
        value,
        data,
        requestedChainId,
        book: this.nameBook(requester),
        trans
      });
      if (checked.blocked !== null) {
        const why = checked.blocked;
        await this.#confirmer(
          wouldFail(trans, {
            requester,
            network,
            account,
            accountName: this._accountName(account),
            description,
            blocked: why
          })
        );
        throw new OceanError(
          'OCEAN_TX_REVERTED',
          trans.__(
            'The network says this transaction would fail (%1). Nothing was sent.',
            why
          ),
          { reason: why }
        );
      }
      const { simulation, gasLimit } = checked;
      const fees = await provider.getFeeData();
      const maxFee =
        quantity(input.maxFeePerGas, 'maxFeePerGas', trans) ??
        fees.maxFeePerGas ??
        undefined;
      const priority =
        quantity(input.maxPriorityFeePerGas, 'maxPriorityFeePerGas', trans) ??
        fees.maxPriorityFeePerGas ??
        undefined;
      const gasPrice =
        quantity(input.gasPrice, 'gasPrice', trans) ??
        fees.gasPrice ??
        undefined;
      const perGas = maxFee ?? gasPrice ?? 0n;
      const feeText = feeWords(trans, gasLimit, perGas, network.nativeSymbol);
      const approval = await this.#approve(
        {
          kind: 'transaction',
          title: trans.__('Confirm a transaction'),
          requester,
          summary: description.summary,
          rows: description.rows,
          warnings: description.warnings,
          checks: [],
          fee: feeText,
          raw: description.raw,
          simulation: await describeSimulation(
            provider,
            simulation,
            network,
            this.nameBook(requester),
            trans
          )
        },
        account,
        { kind: 'transaction', to, value, data }
      );
      let hash: string;
      if (this._source === 'injected' && this._injected) {
        hash = (await this._injected.provider.request({
          method: 'eth_sendTransaction',
          params: [
            {
              from: account,
              to: to ?? undefined,
              data,
              value: toBeHex(value),
              gas: toBeHex(gasLimit)
            }
          ]
        })) as string;
      } else {
        const signing = this.#signingAccount(account);
        const nonce = await provider.getTransactionCount(account, 'pending');
        // Complete here (the worker has no provider): the worker signs
        // exactly these fields and the page broadcasts the result.
        const eip1559 = maxFee !== undefined && fees.maxFeePerGas !== null;
        const raw = await this.#keys.signTransaction(signing, {
          type: eip1559 ? 2 : 0,
          to,
          data,
          value,
          chainId: BigInt(network.chainId),
          gasLimit,
          nonce,
          ...(eip1559
            ? { maxFeePerGas: maxFee, maxPriorityFeePerGas: priority ?? 0n }
            : { gasPrice: gasPrice ?? 0n })
        });
        try {
          const response = await provider.broadcastTransaction(raw);
          hash = response.hash;
        } catch (error) {
          throw new OceanError(
            'OCEAN_TX_REVERTED',
            trans.__(
              'The network refused the transaction: %1',
              networkReason(error, 300)
            )
          );
        }
      }
      const grantUsed = this._usedGrant(approval, description.summary);
      this._track(hash, account, network, description.summary, requester, {
        grant: approval.asked ? undefined : grantUsed
      });
      return hash;
    });
  }

  /** Records the transaction and follows it until it is mined. */
  private _track(
    hash: string,
    account: string,
    network: IOceanNetwork,
    summary: string,
    requester: IWalletRequester,
    extra: { grant?: string } = {}
  ): void {
    const explorerUrl = explorerTxUrl(network.explorerUrl, hash);
    void this.activity.add({
      hash,
      chainId: network.chainId,
      account,
      summary,
      status: 'pending',
      time: Date.now(),
      requester: requester.label,
      explorerUrl,
      ...(extra.grant ? { grant: extra.grant } : {})
    });
    void waitForReceipt(
      { hash, provider: this.provider },
      { unsent: () => rejected(this._trans), timeoutMs: 10 * 60_000 }
    )
      .then(receipt => {
        const ok = receipt?.status === 1;
        this._transactionSettled.emit({
          hash,
          chainId: network.chainId,
          account,
          ok
        });
        void this.activity.setStatus(
          network.chainId,
          account,
          hash,
          ok ? 'confirmed' : 'failed'
        );
        this._options.notify?.(
          ok ? 'success' : 'error',
          ok
            ? this._trans.__('Confirmed: %1', summary)
            : this._trans.__('Failed on chain: %1', summary),
          explorerUrl
        );
      })
      .catch(() => {
        void this.activity.setStatus(network.chainId, account, hash, 'failed');
      });
  }
}

// The selected address (public, not a secret) survives reloads, so unlocking
// comes back to the account the person was using.
const SELECTED_KEY = 'jupyterlab-ocean:wallet-account';

function readSelectedAccount(): string | null {
  try {
    return window.localStorage.getItem(SELECTED_KEY);
  } catch {
    return null;
  }
}

function rememberSelectedAccount(address: string): void {
  try {
    window.localStorage.setItem(SELECTED_KEY, address);
  } catch {
    // Storage may be disabled; the first account is a fine default then.
  }
}
