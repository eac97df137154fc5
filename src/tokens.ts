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
}

/**
 * The wallet: the only holder of keys and the only place a signature is made.
 *
 * Every signature or transaction, whoever asks, goes through the one
 * confirmation dialog. Reads pass through to the active network's RPC.
 * Errors are OceanErrors carrying EIP-1193 codes (4001 rejected, 4100
 * locked/unauthorised, 4200 unsupported, 4901 wrong chain).
 */
export interface IWallet {
  readonly state: IWalletState;
  /** Emitted whenever accounts, lock status, source or chain change. */
  readonly stateChanged: ISignal<IWallet, IWalletState>;
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
  /** Report progress of long work; the kernel side shows it in the running cell. */
  progress(message: string, fraction?: number): void;
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
   * Offer a command to kernels. Results must be JSON-serialisable; throw an
   * OceanError for failures (its code and message reach the cell).
   */
  registerCommand(name: string, handler: KernelCommandHandler): IDisposable;
}

export const IKernelBridge = new Token<IKernelBridge>(
  'jupyterlab-ocean:IKernelBridge',
  'Shares the wallet session and Ocean commands with notebook kernels.'
);
