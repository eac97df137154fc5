/**
 * The extension points of jupyterlab-ocean.
 *
 * Each token names one service that other plugins (ours or third parties')
 * may require. Interfaces live beside their token so a reader finds the
 * contract in one place.
 */
import { Token } from '@lumino/coreutils';
import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';

/**
 * One EVM network the extension can talk to, with its Ocean services.
 */
export interface IOceanNetwork {
  /** Stable key used in settings and by `%ocean use <key>`. */
  key: string;
  /** Name shown to people. */
  name: string;
  chainId: number;
  rpcUrl: string;
  /** Ocean Node HTTP URL (never a multiaddr: those dial public peers). */
  nodeUrl: string;
  explorerUrl?: string;
  oceanTokenAddress?: string;
  /** Faucet for test coins; only ever set for the local stack. */
  faucetUrl?: string;
  /** Native coin symbol (ETH, POL, ROSE...). */
  nativeSymbol: string;
}

/**
 * The networks known to the extension and which one is active.
 */
export interface INetworkRegistry {
  /** Every configured network, the local stack first. */
  readonly networks: ReadonlyArray<IOceanNetwork>;
  /** The network everything currently works against. */
  readonly active: IOceanNetwork;
  /** Emitted after the active network or the list changes. */
  readonly changed: ISignal<INetworkRegistry, IOceanNetwork>;
  /** Make `key` the active network; throws an OceanError if it is unknown. */
  activate(key: string): Promise<void>;
  /**
   * A check run before every switch (an OceanError thrown keeps the
   * current network); returns its removal.
   */
  addGuard(guard: (target: IOceanNetwork) => Promise<void>): () => void;
}

export const INetworkRegistry = new Token<INetworkRegistry>(
  'jupyterlab-ocean:INetworkRegistry',
  'The networks the Ocean extension knows about, and the active one.'
);

/**
 * Who asked for a wallet action. The confirmation dialog names it, so a
 * person always knows which notebook, kernel or panel wants a signature.
 */
export interface IWalletRequester {
  /** What kind of thing asked. */
  kind: 'panel' | 'kernel' | 'renderer' | 'magic' | 'extension';
  /** Words shown in the dialog, e.g. "analysis.ipynb (Python 3 kernel)". */
  label: string;
  /** Workspace path of the notebook, when a notebook asked. */
  path?: string;
  /** Kernel id, when a kernel asked (permissions are kept per kernel session). */
  kernelId?: string;
  /**
   * False when the asking notebook was not in view when it asked: the
   * dialog warns, so a background notebook cannot pass as the one on screen.
   */
  inView?: boolean;
  /**
   * Aborted once the request no longer matters (its cell ended, its
   * notebook closed, its kernel restarted): an open dialog for it closes as
   * rejected and a queued one never opens.
   */
  signal?: AbortSignal;
  /**
   * Set for kernels: the dialog offers it as "Stop requests from this
   * notebook", which refuses this request and every later one from the
   * same kernel session until the kernel restarts, and interrupts the cell.
   */
  stop?: () => void;
  /** Interrupts the asking kernel (set where its notebook is known). */
  interrupt?: () => void;
  /**
   * Set for kernels: the kernel session (one notebook, one kernel process)
   * the request comes from. A notebook grant belongs to it and ends when
   * `ended` aborts (kernel restart, notebook closed).
   */
  session?: { id: string; ended: AbortSignal };
  /**
   * The flow this request is one step of, set by the extension's own Ocean
   * flows (src/ocean/flow.ts), never from a kernel's words: the dialog
   * names the dataset, says "step 2 of 4" and the flow's whole cost.
   */
  flow?: IWalletFlowStep;
}

/** Where one request stands in a flow of several (buy, order, publish…). */
export interface IWalletFlowStep {
  /** What the whole flow does, e.g. "Get access to Weather 2024". */
  title: string;
  /** This request's place, from 1. */
  step: number;
  /** How many signatures the whole flow asks for. */
  steps: number;
  /** The flow's whole cost in words, e.g. "2.002 OCEAN and network fees". */
  total?: string;
  /**
   * Words for the addresses the flow uses (lower-case address → e.g. "the
   * fixed-rate exchange selling Weather 2024"). The wallet's own names (its
   * accounts, OCEAN) always win over these.
   */
  names?: Record<string, string>;
}

/** An EIP-1193 request. */
export interface IWalletRequestArguments {
  method: string;
  params?: ReadonlyArray<unknown> | Record<string, unknown>;
}

/** Where the wallet's keys come from. */
export type WalletSource = 'builtin' | 'injected';

/** A snapshot of the wallet, safe to render and to send to kernels (no secrets). */
export interface IWalletState {
  /** `none`: no key store yet; `locked`: keys encrypted at rest only. */
  status: 'none' | 'locked' | 'unlocked';
  source: WalletSource;
  /** Checksummed addresses the user may choose from. */
  accounts: ReadonlyArray<{ address: string; name: string }>;
  /** The selected account, or null while locked / not connected. */
  account: string | null;
  /** The active network's chain id. */
  chainId: number;
  /**
   * Set for a built-in test wallet (made in one click for the local
   * network): whether the person has set a password and backed it up.
   */
  testWallet?: { passwordSet: boolean; backedUp: boolean } | null;
}

/**
 * The wallet: the only holder of keys and the only place a signature is made.
 *
 * Every signature or transaction, whoever asks, goes through the one
 * confirmation dialog. Reads pass through to the active network's RPC.
 * Errors are OceanErrors carrying EIP-1193 codes (4001 rejected, 4100
 * locked/unauthorised, 4200 unsupported, 4901 wrong chain).
 */
/** A transaction of the wallet's that left the pending state. */
export interface ISettledTransaction {
  hash: string;
  chainId: number;
  account: string;
  ok: boolean;
}

export interface IWallet {
  readonly state: IWalletState;
  /** Emitted whenever accounts, lock status, source or chain change. */
  readonly stateChanged: ISignal<IWallet, IWalletState>;
  /**
   * Emitted when a transaction the wallet sent (for the panel, a kernel or
   * a card alike) is mined or fails: balances read after it are current.
   */
  readonly transactionSettled: ISignal<IWallet, ISettledTransaction>;
  /** An EIP-1193 request on behalf of `requester`. */
  request(
    args: IWalletRequestArguments,
    requester: IWalletRequester
  ): Promise<unknown>;
  /**
   * An ethers v6 Signer for the selected account whose every signature and
   * transaction goes through `request` (and so through the dialog).
   * Typed loosely so that this file does not import ethers eagerly.
   */
  getSigner(requester: IWalletRequester): Promise<unknown>;
  /** Ask the user to unlock (or connect) if needed; resolves with the account. */
  ensureUnlocked(requester: IWalletRequester): Promise<string>;
}

export const IWallet = new Token<IWallet>(
  'jupyterlab-ocean:IWallet',
  'The Ocean wallet: accounts, signing with confirmation, EIP-1193 requests.'
);

/**
 * What a kernel command handler knows about who called it.
 */
export interface IKernelCommandContext {
  /** The notebook/kernel that asked; pass it on to IWallet so the dialog names it. */
  requester: IWalletRequester;
  /** The id of the notebook cell whose run asked, when the kernel's request carried it. */
  cellId?: string;
  /** Report progress of long work; the kernel side shows it in the running cell. */
  progress(message: string, fraction?: number): void;
  /**
   * An EIP-1193 request on behalf of the calling kernel session: the same
   * account permission, throttle and wallet dialog as the kernel's own
   * provider (e.g. `await context.request('eth_requestAccounts')`).
   */
  request(
    method: string,
    params?: ReadonlyArray<unknown> | Record<string, unknown>
  ): Promise<unknown>;
}

/** How a kernel command presents itself in `%ocean help`. */
export interface IKernelCommandOptions {
  /** One sentence: what the command does. */
  description?: string;
  /** Arguments, e.g. `<did> [--rows N]` (Python magic form). */
  usage?: string;
}

/** Handles `%ocean <name> ...` in Python and `ocean.<name>(...)` in Deno. */
export type KernelCommandHandler = (
  args: Record<string, unknown>,
  context: IKernelCommandContext
) => Promise<unknown>;

/**
 * The bridge between the browser wallet/Ocean client and notebook kernels.
 *
 * Rooms that offer kernel commands (Ocean discovery, load, publish, GAN)
 * register a handler here; the bridge owns the transport, the per-kernel
 * sessions and the kernel-side clients, and holds no keys or Ocean logic.
 */
export interface IKernelBridge {
  /**
   * Offer a command to kernels. Results must be JSON-serialisable (binary
   * as Uint8Array) or built with `mimeResult` / `tableResult` from
   * src/kernel-bridge/results.ts; throw an OceanError for failures (its code
   * and message reach the cell). Arguments: Python `%ocean name a b --k v`
   * and Deno `ocean.name('a', 'b', { k: 'v' })` both give
   * `{ _: ['a', 'b'], k: 'v' }` (see src/kernel-bridge/args.ts).
   */
  registerCommand(
    name: string,
    handler: KernelCommandHandler,
    options?: IKernelCommandOptions
  ): IDisposable;
}

export const IKernelBridge = new Token<IKernelBridge>(
  'jupyterlab-ocean:IKernelBridge',
  'Shares the wallet session and Ocean commands with notebook kernels.'
);

// ---------------------------------------------------------------------------
// Ocean client: discovery, access (buy + order, with order reuse), downloads.
// ---------------------------------------------------------------------------

/** What an asset is, as its DDO says (`metadata.type`). */
export type OceanAssetType = 'dataset' | 'algorithm';

/** How an asset's service is consumed. */
export type OceanAccessType = 'download' | 'compute';

/** The price of one access, as the node indexed it from the chain. */
export interface IOceanPrice {
  /** `fixedrate`: bought on a fixed-rate exchange; `dispenser`: free; `none`: not for sale. */
  type: 'fixedrate' | 'dispenser' | 'none';
  /** Decimal amount of `symbol` for one datatoken ("0" when free). */
  amount: string;
  /** Base token (e.g. OCEAN) address, for fixed-rate prices. */
  token?: string;
  /** Base token symbol shown to people, e.g. "OCEAN". */
  symbol?: string;
}

/** One service of an asset (the thing one pays for). */
export interface IOceanServiceSummary {
  id: string;
  index: number;
  type: OceanAccessType;
  datatoken: string;
  /** Seconds an order stays valid; 0 = forever. */
  timeout: number;
  price: IOceanPrice;
}

/**
 * An asset as discovery and cards show it. Every string here comes from the
 * network and is untrusted: render it as text, never as markup.
 */
export interface IOceanAssetSummary {
  did: string;
  chainId: number;
  nftAddress: string;
  name: string;
  type: OceanAssetType;
  description: string;
  /** `metadata.author`: a free-text name chosen by the publisher. */
  author: string;
  /** The NFT owner's address (who really published it). */
  publisher: string;
  license: string;
  tags: ReadonlyArray<string>;
  /** ISO date the asset was created, when known. */
  created?: string;
  /** A public sample link (`metadata.links[0]`), when the publisher gave one. */
  sampleUrl?: string;
  /** `metadata.additionalInformation.contentType`, when given. */
  contentType?: string;
  /**
   * The assets this one was made from (`additionalInformation.derivedFrom`,
   * written by a publish from a notebook; see src/provenance/): their DIDs.
   */
  derivedFrom?: ReadonlyArray<string>;
  /** The first service's price and access, for lists. */
  price: IOceanPrice;
  access: OceanAccessType;
  services: ReadonlyArray<IOceanServiceSummary>;
  /** How many orders the node has seen for the first service. */
  orders?: number;
}

/** Filters for discovery; all optional, combined with AND. */
export interface IOceanAssetQuery {
  /** Free text matched against name, description, tags and author. */
  text?: string;
  type?: OceanAssetType;
  access?: OceanAccessType;
  price?: 'free' | 'paid';
  tag?: string;
  /** Publisher (NFT owner) address. */
  publisher?: string;
  /** 0-based page. */
  page?: number;
  /** Page size (default 10, at most 100). */
  pageSize?: number;
}

export interface IOceanAssetPage {
  assets: ReadonlyArray<IOceanAssetSummary>;
  page: number;
  pageSize: number;
  /** True when a next page may exist. */
  hasMore: boolean;
}

/**
 * The steps of getting a datatoken and ordering with it, shared by purchases
 * and compute jobs so both report the same names.
 */
export type OceanOrderStep =
  'check' | 'approve' | 'buy' | 'dispense' | 'mint' | 'order';

/** One step of a long operation (a transaction, a signature, a download). */
export interface IOceanProgress {
  step: OceanOrderStep | 'sign' | 'download' | 'save' | 'done';
  /** A sentence for people, e.g. "Buying 1 datatoken for 2 OCEAN…". */
  message: string;
  /** 0..1 when measurable (downloads). */
  fraction?: number;
  /** The transaction hash once sent. */
  txHash?: string;
}

export type OceanProgressCallback = (progress: IOceanProgress) => void;

/** A multi-step flow (a purchase) running now, and what it has sent so far. */
export interface IOceanRunningFlow {
  network: IOceanNetwork;
  /** Words for it, e.g. 'buying access to "Daily weather"'. */
  what: string;
  /** Transactions it sent, in order. */
  sent: Array<{ step: string; hash: string }>;
}

/** Proof that an account may consume a service: a valid order on chain. */
export interface IOceanAccessGrant {
  did: string;
  chainId: number;
  serviceId: string;
  serviceIndex: number;
  datatoken: string;
  consumer: string;
  /** The startOrder (or reuseOrder) transaction the node checks. */
  orderTxId: string;
  /** True when an earlier, still-valid order was found and nothing was paid. */
  reused: boolean;
  /** Epoch milliseconds the order expires; null = never. */
  validUntil: number | null;
}

/** What the node tells about one file of a service (no secret URL). */
export interface IOceanFileInfo {
  index: number;
  contentType: string | null;
  contentLength: number | null;
  name?: string;
  /** False when the node cannot reach the file at its storage right now. */
  available?: boolean;
}

/** What the caller of getAccess does right after it. */
export interface IOceanAccessThen {
  /**
   * It downloads (`%ocean load`): a purchase's dialog also names the Ocean
   * Node sign-in (one createAuthToken signature) and it is made right
   * after the purchase, within that approval. Without it, the first
   * download asks on its own.
   */
  download?: boolean;
}

export interface IOceanDownloadOptions {
  /** Which file of the service (default 0). */
  fileIndex?: number;
  /** Byte range, inclusive start, exclusive end; the whole file when absent. */
  range?: { start: number; end?: number };
  signal?: AbortSignal;
  onProgress?: OceanProgressCallback;
}

export interface IOceanDownload {
  bytes: Uint8Array;
  contentType: string | null;
  /** Size of the whole file when the node said it (Content-Range / Length). */
  totalSize: number | null;
  fileIndex: number;
  grant: IOceanAccessGrant;
}

/**
 * The Ocean client for the active network (INetworkRegistry.active).
 *
 * Reads go straight to the network's Ocean Node and RPC. Anything that
 * needs a signature asks `IWallet.getSigner(requester)`, so every signature
 * goes through the wallet's dialog; the client never sees a key. Failures
 * are OceanErrors whose message says what to do.
 */
export interface IOceanClient {
  /** One page of the active node's assets matching `query`. */
  search(query?: IOceanAssetQuery): Promise<IOceanAssetPage>;
  /** One asset (OCEAN_NOT_INDEXED when the node does not know it yet). */
  getAsset(did: string): Promise<IOceanAssetSummary>;
  /** The files of a service as the node describes them. */
  files(did: string, serviceId?: string): Promise<IOceanFileInfo[]>;
  /**
   * A still-valid order of `account` (default: the wallet's account) for
   * the asset's service, or null. Reads only: no signature, no payment.
   */
  findAccess(
    did: string,
    account?: string,
    serviceId?: string
  ): Promise<IOceanAccessGrant | null>;
  /**
   * Make sure the wallet's account may consume the asset: reuse a valid
   * order when there is one (never pays twice), otherwise buy one datatoken
   * (fixed-rate exchange or dispenser) and start the order. Each
   * transaction goes through the wallet's dialog and reports progress.
   * With `then.download`, a purchase's one dialog also names the node
   * sign-in the caller's download needs, so it is not asked again.
   */
  getAccess(
    did: string,
    requester: IWalletRequester,
    onProgress?: OceanProgressCallback,
    serviceId?: string,
    then?: IOceanAccessThen
  ): Promise<IOceanAccessGrant>;
  /**
   * Bytes of a file the account has access to (OCEAN_NO_ACCESS otherwise;
   * this never buys). The first download of a session asks the wallet for
   * one signature (a node auth token); later ones reuse it.
   */
  download(
    did: string,
    requester: IWalletRequester,
    options?: IOceanDownloadOptions
  ): Promise<IOceanDownload>;
  /** Emitted after an account gained access to an asset. */
  readonly accessChanged: ISignal<IOceanClient, IOceanAccessGrant>;
  /** Purchases running now: a network switch warns about them first. */
  readonly runningFlows: ReadonlyArray<IOceanRunningFlow>;
}

export const IOceanClient = new Token<IOceanClient>(
  'jupyterlab-ocean:IOceanClient',
  'Discovers Ocean assets and gets access to them (buy, order, download).'
);

/** The MIME type of an asset card in output cells. */
export const OCEAN_ASSET_MIME_TYPE = 'application/vnd.ocean.asset+json';

/**
 * Where an asset card in an output area was when it acted: the notebook
 * (named by its path) and the cell holding the output.
 */
export interface IAssetCardOrigin {
  requester: IWalletRequester;
  cellId?: string;
}

/**
 * What an output in a notebook does (an asset card's "Get access", a GAN
 * cell's purchase and the images it generates) is part of that notebook's
 * record (provenance/ provides it; the outputs only ask). Kernel commands
 * that buy for an output (GAN images) record through it too, with their own
 * context as the origin.
 */
export interface IAssetCardRecorder {
  /** The notebook and cell `node` is rendered in now; null outside a notebook. */
  locate(node: HTMLElement): IAssetCardOrigin | null;
  /**
   * Access bought or reused from the output, recorded as an order (once:
   * the same order for the same asset is not recorded twice).
   */
  recordOrder(
    origin: IAssetCardOrigin,
    asset: IOceanAssetSummary,
    grant: IOceanAccessGrant
  ): Promise<unknown>;
  /**
   * The output generated with a token-gated model (a GAN cell) under
   * `grant`'s order, bought there or earlier: a use of the model, recorded
   * once per cell and model.
   */
  recordModelUse(
    origin: IAssetCardOrigin,
    asset: IOceanAssetSummary,
    grant: IOceanAccessGrant
  ): Promise<unknown>;
}

export const IAssetCardRecorder = new Token<IAssetCardRecorder>(
  'jupyterlab-ocean:IAssetCardRecorder',
  "Records what an asset card in a notebook's output did in that notebook's provenance."
);

/** The MIME type of a compute-to-data job view in output cells (`{ did }`). */
export const OCEAN_COMPUTE_MIME_TYPE = 'application/vnd.ocean.compute+json';
