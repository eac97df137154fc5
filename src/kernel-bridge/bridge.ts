/**
 * The bridge's brain: turns kernel requests into IWallet calls and
 * registered commands, and keeps one KernelSession per kernel.
 *
 * It holds no keys and no Ocean logic. Every signature goes to
 * IWallet.request, whose confirmation dialog names the notebook; the bridge
 * adds what is specific to kernels: an account is shared with a kernel only
 * after the person agrees (once per account and kernel session, as MetaMask
 * asks per account and site), a throttle on dialogs,
 * and EIP-1193 errors a notebook can act on.
 */
import {
  nullTranslator,
  type TranslationBundle
} from '@jupyterlab/translation';
import type { IDisposable } from '@lumino/disposable';
import { errorWords, OceanError } from '../errors';
import type {
  IKernelBridge,
  IKernelCommandContext,
  IKernelCommandOptions,
  INetworkRegistry,
  IWallet,
  IWalletRequester,
  KernelCommandHandler
} from '../tokens';
import { ArgsError, closestName, parseArgs } from './args';
import {
  BRIDGE_ERRORS,
  BRIDGE_PROTOCOL_VERSION,
  decodeValue,
  EIP1193,
  type BridgeReply,
  type IKernelWalletState,
  type KernelRequest,
  type RpcParams
} from './protocol';
import { encodeResult } from './results';
import { isLoopbackRpcUrl, RpcReader, type IRpcResponse } from './rpc-reader';
import { KernelSession, toBridgeError, type RequestOrigin } from './session';

/** Methods that make the wallet open its confirmation dialog. */
const PROMPTING_METHODS = new Set([
  'eth_sendTransaction',
  'personal_sign',
  'eth_signTypedData_v4',
  'eth_signTypedData',
  'eth_signTypedData_v3',
  'eth_sign',
  'eth_signTransaction',
  'wallet_switchEthereumChain',
  'wallet_addEthereumChain',
  'wallet_sendCalls',
  'ocean_requestGrant',
  'wallet_watchAsset'
]);

/** Chain reads the wallet forwards to the active network without a prompt. */
const READ_METHOD = /^(eth_|net_|web3_)/;
/** eth_* methods that are not reads: the wallet refuses them (4200). */
const REFUSED_READS = new Set([
  'eth_sendRawTransaction',
  'eth_sign',
  'eth_signTransaction'
]);

export interface IRegisteredCommand extends IKernelCommandOptions {
  name: string;
  handler: KernelCommandHandler;
}

/** Says which notebook a kernel belongs to, for the wallet's dialog. */
export type RequesterLookup = (kernelId: string) => IWalletRequester;

export interface IKernelBridgeOptions {
  wallet: IWallet | null;
  networks: INetworkRegistry | null;
  requester: RequesterLookup;
  /** Asks the person whether a kernel may see `account` (tests replace it). */
  askToShareAccount?: (
    requester: IWalletRequester,
    account: IAccountToShare
  ) => Promise<boolean>;
  /** The jupyterlab_ocean bundle for the dialog's words; English without one. */
  trans?: TranslationBundle;
}

/** The account a share dialog names, and what the kernel was given before. */
export interface IAccountToShare {
  address: string;
  /** The account's name in the wallet, if it has one. */
  name?: string;
  /** Accounts shared with this kernel session earlier (it asks again after a switch). */
  sharedBefore: string[];
}

export class KernelBridge implements IKernelBridge {
  constructor(options: IKernelBridgeOptions) {
    this._options = options;
  }

  get wallet(): IWallet | null {
    return this._options.wallet;
  }

  get networks(): INetworkRegistry | null {
    return this._options.networks;
  }

  /** Registered commands, sorted by name (for help). */
  get commands(): IRegisteredCommand[] {
    return [...this._commands.values()].sort((a, b) =>
      a.name.localeCompare(b.name)
    );
  }

  registerCommand(
    name: string,
    handler: KernelCommandHandler,
    options: IKernelCommandOptions = {}
  ): IDisposable {
    if (!/^[A-Za-z][\w.-]*$/.test(name)) {
      throw new OceanError(
        'OCEAN_BAD_REQUEST',
        errorWords.__(
          '"%1" cannot be a kernel command name: use letters, digits, ".", "-" and "_".',
          name
        )
      );
    }
    if (this._commands.has(name)) {
      throw new OceanError(
        'OCEAN_BAD_REQUEST',
        errorWords.__('The kernel command "%1" is already registered.', name)
      );
    }
    const entry: IRegisteredCommand = { ...options, name, handler };
    this._commands.set(name, entry);
    let disposed = false;
    return {
      get isDisposed() {
        return disposed;
      },
      dispose: () => {
        if (!disposed && this._commands.get(name) === entry) {
          this._commands.delete(name);
        }
        disposed = true;
      }
    };
  }

  /** The session of `kernelId`, created on first use. */
  session(kernelId: string): KernelSession {
    let session = this._sessions.get(kernelId);
    if (!session || session.isDisposed) {
      session = new KernelSession({
        kernelId,
        run: (request, s, progress, signal, origin) =>
          this._run(request, s, progress, signal, origin),
        state: s => this.kernelState(s)
      });
      this._sessions.set(kernelId, session);
    }
    return session;
  }

  /** Every live session (for events). */
  get sessions(): KernelSession[] {
    return [...this._sessions.values()].filter(s => !s.isDisposed);
  }

  /** Ends a kernel's session: pending requests are cancelled, permission forgotten. */
  endSession(kernelId: string, reason: string): void {
    this._sessions.get(kernelId)?.dispose(reason);
    this._sessions.delete(kernelId);
    for (const [key, owner] of this._widgetKeys) {
      if (owner === kernelId) {
        this._widgetKeys.delete(key);
      }
    }
  }

  /**
   * A key for a wallet widget made by `kernelId`'s session: the widget model
   * in the browser finds the session through it, to know whether the
   * account may be shown to (and synced back into) that kernel.
   */
  widgetKey(kernelId: string): string {
    const key = `${kernelId}/${crypto.randomUUID()}`;
    this._widgetKeys.set(key, kernelId);
    return key;
  }

  /** The live session that made the widget with `key`, if any. */
  widgetSession(key: string): KernelSession | null {
    const kernelId = this._widgetKeys.get(key);
    const session = kernelId ? this._sessions.get(kernelId) : undefined;
    return session && !session.isDisposed ? session : null;
  }

  /** The wallet as `session` may see it (no account before it was shared). */
  kernelState(session: KernelSession): IKernelWalletState {
    const wallet = this._options.wallet;
    const chainId = wallet
      ? wallet.state.chainId
      : (this._options.networks?.active.chainId ?? 0);
    const account = wallet?.state.account ?? null;
    const state: IKernelWalletState = {
      // Only an account the person shared with this kernel: after a switch
      // to another one the kernel sees none until it asks and is given it.
      accounts: session.hasShared(account) ? [account!] : [],
      chainId: '0x' + chainId.toString(16),
      status: wallet?.state.status ?? 'none'
    };
    const rpcUrl = this.sharedRpcUrl();
    if (rpcUrl) {
      state.rpcUrl = rpcUrl;
    }
    return state;
  }

  /**
   * The JSON-RPC URL kernels may send DIRECT_READ_METHODS to themselves,
   * or null. Only where the page reads from that URL too (no wallet, or the
   * built-in one on the active network: an injected wallet may be on
   * another chain, so its reads stay with it) and only a loopback URL: a
   * remote provider's URL often carries an API key, which must not land in
   * a notebook's kernel. The kernel checks once that the URL serves the
   * chain this state names, so a kernel on another machine, whose loopback
   * is not the browser's, keeps asking the page.
   */
  sharedRpcUrl(): string | null {
    const wallet = this._options.wallet;
    const active = this._options.networks?.active;
    if (
      !active ||
      (wallet &&
        (wallet.state.source !== 'builtin' ||
          wallet.state.chainId !== active.chainId))
    ) {
      return null;
    }
    return isLoopbackRpcUrl(active.rpcUrl) ? active.rpcUrl : null;
  }

  /**
   * An EIP-1193 request on behalf of a kernel session. Commands use it too
   * (through their context), so the same permission and throttle apply.
   */
  async rpc(
    session: KernelSession,
    method: string,
    params: RpcParams | undefined,
    progress: (message: string, fraction?: number) => void,
    signal?: AbortSignal
  ): Promise<unknown> {
    // Looked up only for requests that reach the wallet: reads, the bulk of
    // the traffic, need no notebook name.
    const requester = (): IWalletRequester =>
      this._requesterFor(session, signal);
    switch (method) {
      case 'eth_chainId':
        return this.kernelState(session).chainId;
      case 'eth_accounts':
        return this.kernelState(session).accounts;
      case 'eth_requestAccounts':
        return this._requestAccounts(session, requester(), progress);
    }
    if (PROMPTING_METHODS.has(method)) {
      const wallet = this._requireWallet();
      if (session.connected && !session.hasShared(wallet.state.account)) {
        // Shared before, but the wallet has switched to an account this kernel
        // was never given: ask for that one first, as eth_requestAccounts does.
        await this._requestAccounts(session, requester(), progress);
      }
      if (!session.connected) {
        throw new OceanError(
          4100,
          errorWords.__(
            'This kernel has not been given your account yet: run `%ocean account` (Python) or `await ocean.account()` (Deno), or call eth_requestAccounts, and accept.'
          )
        );
      }
      this._checkChain(method, params);
      if (session.stopped) {
        throw stoppedError();
      }
      if (!session.allowPrompt()) {
        throw this._throttled();
      }
      const asker = requester();
      await this._waitForUnlock(wallet, asker, progress);
      progress(`Waiting for your approval in the wallet dialog (${method})…`);
      try {
        const result = await wallet.request({ method, params }, asker);
        // Approved: the person is in the loop, so it is not a runaway. Only
        // rejected or unanswered prompts count against the throttle (a
        // publish from a cell legitimately asks for seven in a row).
        session.forgetPrompt();
        return result;
      } catch (error) {
        // Refused as unsupported (eth_sign in the built-in wallet): no
        // dialog opened, so it must not use up the throttle's allowance.
        if ((error as { code?: unknown }).code === EIP1193.unsupportedMethod) {
          session.forgetPrompt();
        }
        throw error;
      }
    }
    if (READ_METHOD.test(method) && !REFUSED_READS.has(method)) {
      const wallet = this._options.wallet;
      const active = this._options.networks?.active;
      // The built-in wallet reads from the active network's RPC anyway;
      // going there directly saves its provider layer on every read (reads
      // are most of a notebook's traffic). An injected wallet may be on
      // another chain, so its reads go through it.
      if (
        !wallet ||
        (wallet.state.source === 'builtin' &&
          active &&
          wallet.state.chainId === active.chainId)
      ) {
        return this._read(method, params);
      }
      return wallet.request({ method, params }, requester());
    }
    if (this._options.wallet) {
      // wallet_* and others: the wallet knows what it supports (4200 otherwise).
      return this._options.wallet.request({ method, params }, requester());
    }
    throw new OceanError(
      EIP1193.unsupportedMethod,
      errorWords.__('The bridge does not support "%1".', method.slice(0, 80))
    );
  }

  private async _run(
    request: KernelRequest,
    session: KernelSession,
    progress: (message: string, fraction?: number) => void,
    signal: AbortSignal,
    origin: RequestOrigin | null = null
  ): Promise<BridgeReply> {
    const done = (result: unknown): BridgeReply => ({
      v: BRIDGE_PROTOCOL_VERSION,
      id: request.id,
      status: 'done',
      result: encodeResult(result)
    });
    switch (request.op) {
      case 'hello':
        session.kernelKind = request.kernel;
        return done({
          protocol: BRIDGE_PROTOCOL_VERSION,
          commands: this.commands.map(c => c.name)
        });
      case 'rpc':
        return done(
          await this.rpc(
            session,
            request.method,
            request.params,
            progress,
            signal
          )
        );
      case 'command':
        return done(
          await this._runCommand(request, session, progress, signal, origin)
        );
      default:
        throw new BridgeError(
          BRIDGE_ERRORS.badMessage,
          `Unexpected bridge operation ${request.op}.`
        );
    }
  }

  private async _runCommand(
    request: Extract<KernelRequest, { op: 'command' }>,
    session: KernelSession,
    progress: (message: string, fraction?: number) => void,
    signal: AbortSignal,
    origin: RequestOrigin | null
  ): Promise<unknown> {
    const command = this._commands.get(request.name);
    if (!command) {
      const names = this.commands.map(c => c.name);
      const near = closestName(request.name, names);
      throw new BridgeError(
        BRIDGE_ERRORS.unknownCommand,
        `There is no Ocean command "${request.name.slice(0, 80)}".${
          near ? ` Did you mean \`%ocean ${near}\`?` : ''
        } Known commands: ${names.join(', ')}. Run \`%ocean help\` for details.`
      );
    }
    let args: Record<string, unknown>;
    try {
      args = {
        _: [],
        ...(decodeValue(request.args ?? {}) as Record<string, unknown>),
        ...(request.line !== undefined ? parseArgs(request.line) : {})
      };
    } catch (error) {
      if (error instanceof ArgsError) {
        throw new BridgeError(BRIDGE_ERRORS.badArguments, error.message);
      }
      throw error;
    }
    if (request.body !== undefined) {
      args.body = request.body;
    }
    const context: IKernelCommandContext = {
      requester: this._requesterFor(session, signal),
      cellId: origin?.cellId,
      progress,
      request: (method, params) =>
        this.rpc(session, method, params, progress, signal)
    };
    return command.handler(args, context);
  }

  private async _requestAccounts(
    session: KernelSession,
    requester: IWalletRequester,
    progress: (message: string, fraction?: number) => void
  ): Promise<string[]> {
    const wallet = this._requireWallet();
    if (session.hasShared(wallet.state.account)) {
      return [wallet.state.account!];
    }
    if (session.stopped) {
      throw stoppedError();
    }
    if (!session.allowPrompt()) {
      throw this._throttled();
    }
    await this._waitForUnlock(wallet, requester, progress);
    // The account the dialog names is the one shared: if the wallet switches
    // while the person reads it, they are asked about the new one too.
    for (let asked = 0; !session.hasShared(wallet.state.account); asked++) {
      const address = wallet.state.account;
      if (!address || asked > 2) {
        throw new OceanError(
          4100,
          errorWords.__(
            'The wallet changed accounts while you were asked to share one: run the cell again.'
          )
        );
      }
      progress(
        session.connected
          ? 'The wallet now uses another account: waiting for you to share it with this notebook…'
          : 'Waiting for you to share your account with this notebook…'
      );
      const ask =
        this._options.askToShareAccount ??
        (async (asking: IWalletRequester, account: IAccountToShare) => {
          // The dialog's DOM code loads when first asked (and keeps the
          // bridge's consent logic loadable in node's unit tests).
          const { askToShareAccount } = await import('./share-dialog');
          return askToShareAccount(
            asking,
            account,
            this._options.trans ?? nullTranslator.load('jupyterlab_ocean')
          );
        });
      if (requester.signal?.aborted) {
        throw new BridgeError(
          BRIDGE_ERRORS.cancelled,
          'The request was cancelled before you answered.'
        );
      }
      const name = wallet.state.accounts.find(
        a => a.address.toLowerCase() === address.toLowerCase()
      )?.name;
      const shared = await ask(requester, {
        address,
        name,
        sharedBefore: session.sharedAccounts
      });
      if (!shared) {
        throw new OceanError(
          4001,
          errorWords.__(
            'You did not share your account %1 with this notebook. Nothing was signed or sent.',
            address
          )
        );
      }
      if (wallet.state.account?.toLowerCase() === address.toLowerCase()) {
        session.share(address);
      }
    }
    // Shared (or already shared): agreed to, so not counted (as in rpc()).
    session.forgetPrompt();
    const accounts = (await wallet.request(
      { method: 'eth_requestAccounts' },
      requester
    )) as string[];
    return accounts;
  }

  /**
   * A locked wallet asks for its password (the cell says why it waits); a
   * person who declines leaves it locked, which EIP-1193 calls 4100.
   */
  private async _waitForUnlock(
    wallet: IWallet,
    requester: IWalletRequester,
    progress: (message: string, fraction?: number) => void
  ): Promise<void> {
    if (wallet.state.status === 'unlocked' && wallet.state.account) {
      return;
    }
    if (wallet.state.status === 'none') {
      throw new OceanError(
        4100,
        errorWords.__(
          'There is no wallet yet: create or import one in the Ocean panel (right sidebar), then run the cell again.'
        )
      );
    }
    progress(
      'The wallet is locked: waiting for you to unlock it in JupyterLab…'
    );
    try {
      await wallet.ensureUnlocked(requester);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 4001 || code === 4100) {
        throw new OceanError(
          4100,
          errorWords.__(
            'The wallet is locked: unlock it in the Ocean panel (right sidebar), then run the cell again.'
          )
        );
      }
      throw error;
    }
  }

  /** 4901 when a transaction names a chain other than the wallet's. */
  private _checkChain(method: string, params: RpcParams | undefined): void {
    if (method !== 'eth_sendTransaction' || !Array.isArray(params)) {
      return;
    }
    const tx = params[0] as { chainId?: unknown } | undefined;
    if (tx?.chainId === undefined || tx.chainId === null) {
      return;
    }
    let wanted: bigint;
    try {
      wanted = BigInt(tx.chainId as string | number);
    } catch {
      throw new OceanError(
        'OCEAN_BAD_REQUEST',
        errorWords.__(
          "The transaction's chainId %1 is not a number.",
          String(tx.chainId).slice(0, 40)
        )
      );
    }
    const current = this._options.wallet?.state.chainId ?? 0;
    if (wanted !== BigInt(current)) {
      throw new OceanError(
        4901,
        errorWords.__(
          'The transaction is for chain %1, but the wallet is on chain %2. Switch network in the Ocean panel (or with `%ocean use`), then run the cell again.',
          wanted,
          current
        )
      );
    }
  }

  private _requireWallet(): IWallet {
    if (!this._options.wallet) {
      throw new OceanError(
        4100,
        errorWords.__(
          'No Ocean wallet is available in this JupyterLab: the wallet plugin is disabled or failed to start.'
        )
      );
    }
    return this._options.wallet;
  }

  /**
   * Who asks, for the wallet's dialogs: the notebook's words from the
   * lookup, the request's signal, and the dialog's "Stop requests from this
   * notebook", which ends this kernel session's requests and interrupts it.
   */
  private _requesterFor(
    session: KernelSession,
    signal?: AbortSignal
  ): IWalletRequester {
    const asker = this._options.requester(session.kernelId);
    return {
      ...asker,
      signal,
      session: { id: session.id, ended: session.ended },
      stop: () => {
        session.stop(stoppedError().message);
        asker.interrupt?.();
      }
    };
  }

  private _throttled(): BridgeError {
    return new BridgeError(
      BRIDGE_ERRORS.throttled,
      'This kernel asked for too many signatures or approvals in a few seconds, so the bridge refused this one instead of opening another dialog. If a loop is asking, stop it; otherwise wait a few seconds and try again.'
    );
  }

  /** A read straight from the active network's JSON-RPC endpoint. */
  private async _read(
    method: string,
    params: RpcParams | undefined
  ): Promise<unknown> {
    const network = this._options.networks?.active;
    if (!network) {
      throw new OceanError(
        4900,
        errorWords.__(
          'No network is configured, so the bridge cannot read the chain.'
        )
      );
    }
    let body: IRpcResponse;
    try {
      body = await this._reader.read(network.rpcUrl, method, params ?? []);
    } catch (error) {
      throw new OceanError(
        'OCEAN_NETWORK_UNREACHABLE',
        `The network "${network.name}" did not answer ${method}: ${(error as Error).message ?? error}`.slice(
          0,
          400
        )
      );
    }
    if (body.error) {
      // The node's own error (a revert, a bad param) with its JSON-RPC code.
      throw new BridgeError(
        body.error.code ?? 'OCEAN_NETWORK_UNREACHABLE',
        `The network "${network.name}" refused ${method}: ${body.error.message}`,
        body.error.data
      );
    }
    return body.result;
  }

  private _options: IKernelBridgeOptions;
  private _commands = new Map<string, IRegisteredCommand>();
  private _sessions = new Map<string, KernelSession>();
  private _widgetKeys = new Map<string, string>();
  private _reader = new RpcReader();
}

/** An error with a bridge-specific code (see BRIDGE_ERRORS). */
export class BridgeError extends Error {
  readonly code: number | string;
  readonly data?: unknown;
  constructor(code: number | string, message: string, data?: unknown) {
    super(message);
    this.name = 'BridgeError';
    this.code = code;
    this.data = data;
  }
}

export { toBridgeError };

/** What a kernel hears after the person stopped its requests. */
function stoppedError(): OceanError {
  return new OceanError(
    4001,
    errorWords.__(
      'You stopped wallet requests from this notebook in the wallet dialog, so nothing more was asked or signed. Restart the kernel to let it ask again.'
    )
  );
}
