/**
 * The one place @oceanprotocol/lib (and ethers for our own chain reads) is
 * loaded. Both are imported dynamically so that webpack puts them in chunks
 * of their own: JupyterLab starts without them (≈2 MiB minified) and they
 * arrive the first time someone buys, downloads or checks an order.
 */
import type { IOceanNetwork } from '../tokens';
import { errorWords, OceanError } from '../errors';

export type OceanLib = typeof import('@oceanprotocol/lib');
export type Ethers = typeof import('ethers');

let libPromise: Promise<OceanLib> | null = null;
let ethersPromise: Promise<Ethers> | null = null;

export function loadOceanLib(): Promise<OceanLib> {
  if (!libPromise) {
    libPromise = import(
      /* webpackChunkName: "ocean-lib" */ '@oceanprotocol/lib'
    ).catch(error => {
      libPromise = null;
      throw new OceanError(
        'OCEAN_LIB_UNAVAILABLE',
        errorWords.__(
          'The Ocean library could not be loaded. Reload the page; if it persists, the extension is installed incompletely.'
        ),
        { cause: String(error) }
      );
    });
  }
  return libPromise;
}

export function loadEthers(): Promise<Ethers> {
  if (!ethersPromise) {
    ethersPromise = import(/* webpackChunkName: "ocean-ethers" */ 'ethers');
    ethersPromise.catch(() => {
      ethersPromise = null;
    });
  }
  return ethersPromise;
}

/**
 * A lib Config for `network`, built from our settings rather than from the
 * lib's ConfigHelper: that reads an address file from disk for development
 * chains and knows nothing of networks added in settings. Contract
 * addresses the flows need come from the node's indexed DDO instead.
 */
export function libConfig(
  network: IOceanNetwork,
  extra: Record<string, unknown> = {}
): any {
  return {
    chainId: network.chainId,
    network: network.key,
    nodeUri: network.rpcUrl,
    oceanNodeUri: network.nodeUrl,
    explorerUri: network.explorerUrl ?? '',
    oceanTokenAddress: network.oceanTokenAddress,
    oceanTokenSymbol: 'OCEAN',
    transactionBlockTimeout: 50,
    transactionConfirmationBlocks: 1,
    transactionPollingTimeout: 750,
    gasFeeMultiplier: 1,
    ...extra
  };
}
