/**
 * The extension points of jupyterlab-ocean.
 *
 * Each token names one service that other plugins (ours or third parties')
 * may require. Interfaces live beside their token so a reader finds the
 * contract in one place.
 */
import { Token } from '@lumino/coreutils';
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
