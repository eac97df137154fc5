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
  Contract,
  getAddress,
  getBytes,
  hexlify,
  isHexString,
  JsonRpcProvider,
  Network,
  parseUnits,
  toBeHex,
  toUtf8Bytes,
  TypedDataEncoder,
  type TransactionRequest
} from 'ethers';
import { Signal, type ISignal } from '@lumino/signaling';
import {
  nullTranslator,
  type TranslationBundle
} from '@jupyterlab/translation';
import { OceanError } from '../../errors';
import { providerFor, waitForReceipt } from '../../ocean/chain';
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
  type IConfirmAnswer,
  type IConfirmation,
  type IGrantOffer
} from './confirmation';
import {
  describeMessage,
  describeSimulation,
  describeTransaction,
  describeTypedData,
  shortAddress,
  tokenInfo,
  type INameBook
} from './describe';
import {
  BatchBook,
  capabilities,
  parseSendCalls,
  runSequentially,
  type IBatchCall,
  type IBatchReceipt,
  type IStepOutcome
} from './batch';
import {
  GrantBook,
  grantScopeWords,
  type GrantRequest,
  type IGrantChain,
  type IGrantContracts,
  type IGrantUse,
  type INotebookGrant
} from './grants';
import type { IKeyVault, IVaultSnapshot, KeyImport } from './key-vault';
import type { IStoredAccount } from './keystore';
import { WalletSigner } from './signer';
import { simulateCalls, simulateTransaction } from '../../ocean/simulation';
import { isLocalNetwork } from '../../ocean/networks';

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

function rejected(trans: TranslationBundle): OceanError {
  return new OceanError(
    4001,
    trans.__(
      'You rejected the request in the wallet. Nothing was signed or sent.'
    )
  );
}

function locked(trans: TranslationBundle): OceanError {
  return new OceanError(
    4100,
    trans.__(
      'The wallet is locked: unlock it in the Ocean panel, then try again.'
    )
  );
}

function unsupported(
  trans: TranslationBundle,
  method: string,
  why = ''
): OceanError {
  const what = trans.__(
    'The wallet does not support "%1".',
    String(method).slice(0, 60)
  );
  return new OceanError(4200, why ? `${what} ${why}` : what);
}

function paramsArray(
  args: IWalletRequestArguments,
  trans: TranslationBundle
): unknown[] {
  if (args.params === undefined) {
    return [];
  }
  if (!Array.isArray(args.params)) {
    throw new OceanError(
      'OCEAN_BAD_REQUEST',
      trans.__('"%1" expects its params as a list.', args.method)
    );
  }
  return [...args.params];
}

function quantity(
  value: unknown,
  what: string,
  trans: TranslationBundle
): bigint | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  try {
    return BigInt(value as string);
  } catch {
    throw new OceanError(
      'OCEAN_BAD_REQUEST',
      trans.__(
        'The transaction\'s %1 "%2" is not a number.',
        what,
        String(value).slice(0, 40)
      )
    );
  }
}

export class OceanWallet implements IWallet {
  #keys: IKeyVault;
  #confirmer: Confirmer;
  #askTestWalletPassword: (() => Promise<string | null>) | undefined;
  // Private like the keys: only this wallet's own dialog makes a grant.
  #grants = new GrantBook(() => this._grantChain());
  private _contracts = new Map<string, Promise<IGrantContracts>>();
  private _batches = new BatchBook();
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
        return this._capabilities(params);
      case 'wallet_sendCalls':
        return this._sendCalls(params, requester);
      case 'wallet_getCallsStatus':
        return this._batches.status(params[0]);
      case 'ocean_grants':
        return this.#grants.listFor(requester).map(grantJson);
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
    confirmation: Omit<
      IConfirmation,
      'networkName' | 'chainId' | 'account' | 'accountName'
    >,
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
   * `request` (every call of it, for a batch); a kernel's dialog also
   * offers a grant. Resolves with the grant use to record once signed, and
   * whether a dialog was shown.
   */
  async #approve(
    confirmation: Omit<
      IConfirmation,
      'networkName' | 'chainId' | 'account' | 'accountName'
    >,
    account: string,
    request: GrantRequest | GrantRequest[]
  ): Promise<{ use: IGrantUse | null; asked: boolean }> {
    const requests = Array.isArray(request) ? request : [request];
    const requester = confirmation.requester;
    const context = { requester, chainId: this.network.chainId, account };
    let outside: string[] = [];
    if (this._source === 'builtin') {
      const check = await this.#grants.checkAll(context, requests);
      if (check.covered) {
        return { use: check.use, asked: false };
      }
      outside = outsideGrant(
        this.#grants.listFor(requester),
        check.reason,
        this._trans
      );
    }
    // A lone request the wallet cannot tell apart is never offered a grant.
    const offer =
      !Array.isArray(request) && request.kind === 'other'
        ? undefined
        : await this._grantOffer(requester);
    const answer = await this.#confirm(
      {
        ...confirmation,
        warnings: [...outside, ...confirmation.warnings],
        grantOffer: offer?.offer
      },
      account
    );
    if (answer.grant && offer) {
      this._makeGrant(context, answer.grant, offer.facts);
      const again = await this.#grants.checkAll(context, requests);
      return { use: again.covered ? again.use : null, asked: true };
    }
    return { use: null, asked: true };
  }

  private _makeGrant(
    context: { requester: IWalletRequester; chainId: number; account: string },
    terms: { minutes: number; cap: string },
    facts: IGrantFacts
  ): INotebookGrant {
    let cap: bigint;
    try {
      cap = parseUnits(terms.cap, facts.tokenDecimals);
    } catch {
      throw new OceanError(
        'OCEAN_BAD_REQUEST',
        this._trans.__(
          'The grant\'s cap "%1" is not an amount of %2.',
          terms.cap.slice(0, 40),
          facts.tokenSymbol
        )
      );
    }
    return this.#grants.create(context, { minutes: terms.minutes, cap }, facts);
  }

  /** What the dialog may offer a kernel: nothing for a browser wallet or without Ocean's contracts. */
  private async _grantOffer(
    requester: IWalletRequester
  ): Promise<{ offer: IGrantOffer; facts: IGrantFacts } | undefined> {
    const find = this._options.oceanContracts;
    if (
      this._source !== 'builtin' ||
      !find ||
      !this.#grants.canOffer(requester)
    ) {
      return undefined;
    }
    const network = this.network;
    try {
      let contracts = this._contracts.get(network.key);
      if (!contracts) {
        contracts = find(network, this.provider);
        this._contracts.set(network.key, contracts);
        contracts.catch(() => this._contracts.delete(network.key));
      }
      const found = await contracts;
      const info = await tokenInfo(this.provider, found.ocean);
      const facts: IGrantFacts = {
        networkName: network.name,
        contracts: found,
        nodes: [network.nodeUrl],
        tokenSymbol: info?.symbol ?? 'OCEAN',
        tokenDecimals: info?.decimals ?? 18
      };
      return {
        offer: {
          minutes: 15,
          cap: '10',
          tokenSymbol: facts.tokenSymbol,
          scope: grantScopeWords({ label: requester.label, ...facts })
        },
        facts
      };
    } catch {
      // No contracts found (a node with no assets yet): no offer, the dialog stays as it was.
      return undefined;
    }
  }

  /** Records a request signed under a grant, and tells the person when no dialog showed. */
  private _usedGrant(
    approval: { use: IGrantUse | null; asked: boolean },
    summary: string
  ): string | undefined {
    if (!approval.use) {
      return undefined;
    }
    const grant = this.#grants.record(approval.use) ?? approval.use.grant;
    const words = grantWords(grant, this._trans);
    if (!approval.asked) {
      this._options.notify?.(
        'info',
        this._trans.__('Signed without asking (%1): %2', words, summary)
      );
    }
    return words;
  }

  /** %ocean grant: the dialog is the grant itself; the kernel gets its terms back. */
  private async _requestGrant(
    params: unknown[],
    requester: IWalletRequester
  ): Promise<Record<string, unknown>> {
    const trans = this._trans;
    if (!this.#grants.canOffer(requester)) {
      throw unsupported(
        trans,
        'ocean_requestGrant',
        trans.__('Only a notebook kernel can ask for a grant.')
      );
    }
    if (this._source !== 'builtin') {
      throw unsupported(
        trans,
        'ocean_requestGrant',
        trans.__(
          'A browser wallet asks in its own dialogs; grants are for the built-in wallet.'
        )
      );
    }
    const account = await this.ensureUnlocked(requester);
    const asked = (params[0] ?? {}) as { minutes?: unknown; cap?: unknown };
    const minutes = Number(asked.minutes ?? 15);
    if (!Number.isFinite(minutes) || minutes < 1 || minutes > 24 * 60) {
      throw new OceanError(
        'OCEAN_BAD_REQUEST',
        trans.__('A grant lasts between 1 minute and 24 hours (minutes=…).')
      );
    }
    const cap = String(asked.cap ?? '10');
    if (!/^\d+(\.\d+)?$/.test(cap)) {
      throw new OceanError(
        'OCEAN_BAD_REQUEST',
        trans.__(
          'The cap "%1" is not an amount (for example 20 or 2.5).',
          cap.slice(0, 40)
        )
      );
    }
    return this._serial(async () => {
      const offer = await this._grantOffer(requester);
      if (!offer) {
        throw new OceanError(
          'OCEAN_NODE_UNREACHABLE',
          trans.__(
            "Ocean's contracts on this network could not be found (the Ocean Node lists no asset yet), so there is nothing a grant could cover."
          )
        );
      }
      const answer = await this.#confirm(
        {
          kind: 'grant',
          title: trans.__('Allow this notebook without asking?'),
          requester,
          summary: trans.__(
            '%1 asks to have its Ocean requests signed without a dialog for a while. Read what that covers; you can change the time and the cap.',
            requester.label
          ),
          rows: [],
          warnings: [],
          checks: [],
          grantOffer: {
            ...offer.offer,
            minutes: Math.round(minutes),
            cap,
            explicit: true
          }
        },
        account
      );
      if (!answer.grant) {
        throw new OceanError(
          'OCEAN_BAD_REQUEST',
          trans.__('The cap you typed is not an amount, so no grant was made.')
        );
      }
      const grant = this._makeGrant(
        { requester, chainId: this.network.chainId, account },
        answer.grant,
        offer.facts
      );
      return grantJson(grant);
    });
  }

  private _grantChain(): IGrantChain {
    const provider = this.provider;
    const factory = (address: string) =>
      new Contract(address, GRANT_FACTORY_ABI, provider);
    return {
      isDatatoken: async (at, address) =>
        Boolean(await factory(at).erc20List(address)),
      isDataNft: async (at, address) =>
        String(await factory(at).erc721List(address)).toLowerCase() ===
        address.toLowerCase(),
      exchangeBaseToken: async (exchange, id) => {
        const fre = new Contract(exchange, GRANT_EXCHANGE_ABI, provider);
        const found = await fre.getExchange(id);
        return String(found.baseToken ?? found[3]);
      }
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
      // Only a hash the wallet checked is exactly a node command can fall
      // under a grant; any other message always asks.
      const approval = await this.#approve(
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
      const bytes = isHexString(message)
        ? getBytes(message)
        : toUtf8Bytes(message);
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
      const tx: TransactionRequest = {
        from: account,
        to,
        data,
        value,
        chainId: network.chainId
      };
      // Simulated beside the gas estimate, before any dialog: the dialog
      // shows what the account gains and loses, and a transaction that
      // would fail is shown as such, with its reason and nothing to approve.
      const simulating = simulateTransaction(
        provider,
        { from: account, to, data, value },
        { local: network.key === 'local' }
      );
      let gasLimit = quantity(input.gas ?? input.gasLimit, 'gas', trans);
      let estimateFailure: string | null = null;
      if (gasLimit === undefined) {
        try {
          gasLimit = await provider.estimateGas(tx);
        } catch (error) {
          estimateFailure = String(
            (error as { shortMessage?: string }).shortMessage ??
              (error as Error).message
          ).slice(0, 200);
        }
      }
      const simulation = await simulating;
      const refusal =
        simulation.outcome === 'revert'
          ? (simulation.revertReason ?? trans.__('no reason given'))
          : estimateFailure;
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
      if (refusal !== null || gasLimit === undefined) {
        const why = refusal ?? trans.__('the network gave no gas estimate');
        // Shown even inside a grant: nobody pays gas for a certain failure.
        await this.#confirmer({
          kind: 'transaction',
          title: trans.__('This transaction would fail'),
          requester,
          summary: description.summary,
          rows: description.rows,
          warnings: description.warnings,
          checks: [],
          raw: description.raw,
          blocked: why,
          networkName: network.name,
          chainId: network.chainId,
          account,
          accountName: this._accountName(account)
        });
        throw new OceanError(
          'OCEAN_TX_REVERTED',
          trans.__(
            'The network says this transaction would fail (%1). Nothing was sent.',
            why
          ),
          { reason: why }
        );
      }
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
      const feeText = trans.__(
        'at most %1 %2 (gas %3 × %4 gwei)',
        formatNative(gasLimit * perGas),
        network.nativeSymbol,
        gasLimit.toLocaleString('en'),
        formatGwei(perGas)
      );
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
              String(
                (error as { shortMessage?: string }).shortMessage ??
                  (error as Error).message
              ).slice(0, 300)
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

  /**
   * EIP-5792 for the built-in keys: calls run one after the other, never
   * atomically. A browser wallet is asked one transaction at a time, so the
   * capability is refused there (4200) and callers fall back.
   */
  private _capabilities(params: unknown[]): Record<string, unknown> {
    if (this._source !== 'builtin') {
      throw unsupported(
        this._trans,
        'wallet_getCapabilities',
        this._trans.__(
          'The browser wallet in use is asked one transaction at a time.'
        )
      );
    }
    const [address, chains] = params as [unknown, unknown];
    if (
      address !== undefined &&
      !this._state.accounts.some(
        a => a.address.toLowerCase() === String(address).toLowerCase()
      )
    ) {
      throw new OceanError(
        4100,
        this._trans.__(
          '%1 is not an account of this wallet.',
          String(address).slice(0, 42)
        )
      );
    }
    const known = this._options.networks.networks.map(n => n.chainId);
    const wanted = Array.isArray(chains)
      ? chains.map(c => Number(BigInt(String(c))))
      : known;
    return capabilities(wanted.filter(id => known.includes(id)));
  }

  /**
   * wallet_sendCalls: every call described in one dialog (or covered as a
   * whole by the notebook's grant), then sent one after the other, each
   * mined before the next; resolves with the batch id once all are mined,
   * or stops at the first failure naming what was done (batch.ts).
   */
  private async _sendCalls(
    params: unknown[],
    requester: IWalletRequester
  ): Promise<{ id: string }> {
    const trans = this._trans;
    if (this._source !== 'builtin') {
      throw unsupported(
        trans,
        'wallet_sendCalls',
        trans.__(
          'The browser wallet in use is asked one transaction at a time.'
        )
      );
    }
    const account = await this.ensureUnlocked(requester);
    const request = parseSendCalls(params, account, this.network.chainId);
    return this._serial(async () => {
      const network = this.network;
      const provider = this.provider;
      const descriptions = await Promise.all(
        request.calls.map(call =>
          describeTransaction({
            provider,
            network,
            account,
            to: call.to,
            value: call.value,
            data: call.data,
            book: this.nameBook(requester),
            trans
          })
        )
      );
      const total = request.calls.length;
      // The whole batch simulated before its one dialog (simulation.ts):
      // chained where the network has eth_simulateV1, call by call elsewhere.
      const simulation = await simulateCalls(
        provider,
        request.calls.map(call => ({ from: account, ...call })),
        { local: network.key === 'local' }
      );
      if (simulation.failedCall !== undefined) {
        const step = simulation.failedCall;
        const why = trans.__(
          'step %1 of %2 would fail: %3',
          step + 1,
          total,
          simulation.revertReason ?? trans.__('no reason given')
        );
        // Shown even inside a grant: nobody pays gas for a certain failure.
        await this.#confirmer({
          kind: 'transaction',
          title: trans.__('This transaction would fail'),
          requester,
          summary: descriptions[step].summary,
          rows: descriptions[step].rows,
          warnings: [],
          checks: [],
          raw: request.calls[step].data,
          blocked: why,
          networkName: network.name,
          chainId: network.chainId,
          account,
          accountName: this._accountName(account)
        });
        throw new OceanError(
          'OCEAN_TX_REVERTED',
          trans.__('The network says %1. Nothing was sent.', why),
          { reason: simulation.revertReason, step: step + 1 }
        );
      }
      const simulated = await describeSimulation(
        provider,
        simulation,
        network,
        this.nameBook(requester),
        trans
      );
      const rows = descriptions.flatMap((description, index) => [
        {
          label: trans.__('Step %1 of %2', index + 1, total),
          value: description.summary
        },
        ...description.rows.map(row => ({
          ...row,
          depth: (row.depth ?? 0) + 1
        }))
      ]);
      const warnings = descriptions.flatMap((description, index) =>
        description.warnings.map(w => trans.__('Step %1: %2', index + 1, w))
      );
      const summaries = descriptions.map(d => d.summary);
      const approval = await this.#approve(
        {
          kind: 'transaction',
          title: trans._n(
            'Confirm a transaction',
            'Confirm %1 transactions',
            total
          ),
          requester,
          summary:
            total === 1
              ? summaries[0]
              : trans.__(
                  '%1 transactions, sent one after the other after this one approval: %2',
                  total,
                  summaries.map((s, i) => `${i + 1}. ${s}`).join(' ')
                ),
          rows,
          warnings: [
            ...(total > 1
              ? [
                  trans.__(
                    'They are not atomic: each is sent once the one before is mined. If one fails, the later ones are not sent and the earlier ones stay done.'
                  )
                ]
              : []),
            ...warnings
          ],
          checks: [],
          fee: trans.__(
            'each step pays its own network fee, estimated when it is sent'
          ),
          raw: request.calls.map(c => c.data).join('\n'),
          simulation: simulated
        },
        account,
        request.calls.map(call => ({ kind: 'transaction' as const, ...call }))
      );
      this._batches.start(request);
      const grantUsed = this._usedGrant(
        approval,
        total === 1
          ? summaries[0]
          : trans.__('%1 transactions: %2', total, summaries.join(' '))
      );
      await runSequentially(this._batches, request, summaries, (call, index) =>
        this.#sendStep(call, account, network, provider, {
          summary:
            total === 1
              ? summaries[0]
              : trans.__('Step %1/%2: %3', index + 1, total, summaries[index]),
          requester,
          grant: approval.asked ? undefined : grantUsed
        })
      );
      return { id: request.id };
    });
  }

  /** Signs, sends and waits for one call of a batch (built-in keys only). */
  async #sendStep(
    call: IBatchCall,
    account: string,
    network: IOceanNetwork,
    provider: JsonRpcProvider,
    words: { summary: string; requester: IWalletRequester; grant?: string }
  ): Promise<IStepOutcome> {
    const trans = this._trans;
    if (this.network.chainId !== network.chainId) {
      throw new OceanError(
        4901,
        trans.__('The network changed while the calls were being sent.')
      );
    }
    const tx: TransactionRequest = {
      from: account,
      to: call.to,
      data: call.data,
      value: call.value,
      chainId: network.chainId
    };
    let gasLimit: bigint;
    try {
      gasLimit = await provider.estimateGas(tx);
    } catch (error) {
      throw new OceanError(
        'OCEAN_TX_REVERTED',
        trans.__(
          'the network says it would fail (%1)',
          String(
            (error as { shortMessage?: string }).shortMessage ??
              (error as Error).message
          ).slice(0, 200)
        )
      );
    }
    const fees = await provider.getFeeData();
    const eip1559 = fees.maxFeePerGas !== null;
    const nonce = await provider.getTransactionCount(account, 'pending');
    const raw = await this.#keys.signTransaction(
      this.#signingAccount(account),
      {
        type: eip1559 ? 2 : 0,
        to: call.to,
        data: call.data,
        value: call.value,
        chainId: BigInt(network.chainId),
        gasLimit,
        nonce,
        ...(eip1559
          ? {
              maxFeePerGas: fees.maxFeePerGas ?? 0n,
              maxPriorityFeePerGas: fees.maxPriorityFeePerGas ?? 0n
            }
          : { gasPrice: fees.gasPrice ?? 0n })
      }
    );
    let hash: string;
    try {
      hash = (await provider.broadcastTransaction(raw)).hash;
    } catch (error) {
      throw new OceanError(
        'OCEAN_TX_REVERTED',
        trans.__(
          'the network refused it: %1',
          String(
            (error as { shortMessage?: string }).shortMessage ??
              (error as Error).message
          ).slice(0, 300)
        )
      );
    }
    this._track(hash, account, network, words.summary, words.requester, {
      grant: words.grant
    });
    const receipt = await waitForReceipt(
      { hash, provider },
      { unsent: () => rejected(this._trans), timeoutMs: 10 * 60_000 }
    );
    const out: IBatchReceipt = {
      transactionHash: hash,
      blockHash: receipt.blockHash,
      blockNumber: toBeHex(receipt.blockNumber),
      gasUsed: toBeHex(receipt.gasUsed),
      status: receipt.status === 1 ? '0x1' : '0x0',
      logs: receipt.logs.map(log => ({
        address: log.address,
        data: log.data,
        topics: [...log.topics]
      }))
    };
    return { hash, receipt: out };
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

function formatNative(wei: bigint): string {
  const text = (Number(wei) / 1e18).toPrecision(4);
  return String(Number(text));
}

function formatGwei(wei: bigint): string {
  return String(Number((Number(wei) / 1e9).toPrecision(4)));
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

/** What a grant needs to know besides its terms. */
interface IGrantFacts {
  networkName: string;
  contracts: IGrantContracts;
  nodes: string[];
  tokenSymbol: string;
  tokenDecimals: number;
}

const GRANT_FACTORY_ABI = [
  'function erc20List(address) view returns (bool)',
  'function erc721List(address) view returns (address)'
];

const GRANT_EXCHANGE_ABI = [
  'function getExchange(bytes32 exchangeId) view returns (address exchangeOwner, address datatoken, uint256 dtDecimals, address baseToken, uint256 btDecimals, uint256 fixedRate, bool active, uint256 dtSupply, uint256 btSupply, uint256 dtBalance, uint256 btBalance, bool withMint)'
];

/**
 * Why a notebook with a live grant is asked anyway, in one sentence (none
 * when it has no grant).
 */
function outsideGrant(
  live: INotebookGrant[],
  reason: string,
  trans: TranslationBundle
): string[] {
  return live.length
    ? [
        trans.__(
          "This notebook's grant does not cover this, so you are asked: %1",
          reason
        )
      ]
    : [];
}

/** A grant in a few words, for toasts and the activity list. */
export function grantWords(
  grant: INotebookGrant,
  trans: TranslationBundle
): string {
  const until = new Date(grant.expiresAt).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit'
  });
  return trans.__('grant for %1, until %2', grant.label, until);
}

/** A grant as a kernel may see it: its terms and spending, nothing more. */
function grantJson(grant: INotebookGrant): Record<string, unknown> {
  return {
    id: grant.id,
    notebook: grant.label,
    network: grant.networkName,
    account: grant.account,
    token: grant.tokenSymbol,
    cap: formatUnitsText(grant.cap, grant.tokenDecimals),
    spent: formatUnitsText(grant.spent, grant.tokenDecimals),
    uses: grant.uses,
    expires: new Date(grant.expiresAt).toISOString(),
    minutesLeft: Math.max(
      0,
      Math.round((grant.expiresAt - Date.now()) / 60_000)
    )
  };
}

function formatUnitsText(raw: bigint, decimals: number): string {
  const base = 10n ** BigInt(decimals);
  const fraction = (raw % base)
    .toString()
    .padStart(decimals, '0')
    .replace(/0+$/, '');
  return fraction ? `${raw / base}.${fraction}` : `${raw / base}`;
}
