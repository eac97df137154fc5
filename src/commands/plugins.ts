/**
 * The plugins of the commands room: each one adapts a service (the Ocean
 * client, the wallet, publishing) to notebook kernels by registering
 * commands with IKernelBridge. Without a kernel bridge they do nothing.
 * The adapters' code loads with our bridge (when the first notebook opens),
 * not at lab start-up.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import type { KernelBridge } from '../kernel-bridge/bridge';
import { LazyKernelBridge } from '../kernel-bridge/lazy-bridge';
import {
  IKernelBridge,
  INetworkRegistry,
  IOceanClient,
  IWallet
} from '../tokens';
import { IProvenanceLog } from '../provenance/tokens';

export { walletWidgetPlugin } from './wallet-widget-plugin';

/**
 * Runs `register` with the bridge: for ours, as it loads and before it
 * serves a kernel; for another IKernelBridge, right away.
 */
function withBridge(
  bridge: IKernelBridge,
  register: (bridge: IKernelBridge) => Promise<unknown>
): void {
  if (bridge instanceof LazyKernelBridge) {
    bridge.whenLoaded(register);
  } else {
    void register(bridge).catch(error =>
      console.error('jupyterlab-ocean: kernel commands not registered', error)
    );
  }
}

/**
 * `%ocean search | preview | load` (and ocean.search… in Deno).
 */
export const oceanKernelCommandsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-ocean:ocean-kernel-commands',
  description:
    'Kernel commands to search Ocean assets, show asset cards and load data into DataFrames.',
  autoStart: true,
  requires: [IOceanClient],
  optional: [IKernelBridge, IProvenanceLog],
  activate: (
    app: JupyterFrontEnd,
    client: IOceanClient,
    bridge: IKernelBridge | null,
    provenance: IProvenanceLog | null
  ): void => {
    if (bridge) {
      withBridge(bridge, async bridge =>
        (await import('./ocean-commands')).registerOceanKernelCommands(
          bridge,
          client,
          app.serviceManager.contents,
          provenance
        )
      );
    }
  }
};

/**
 * `%ocean balance | send | token | wallet`: the wallet's verbs for
 * kernels. They read the bridge's sessions, so they need our own bridge.
 */
export const walletKernelCommandsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-ocean:wallet-kernel-commands',
  description:
    'Kernel commands for the wallet: balances, sends, Ocean Node auth tokens and the wallet widget.',
  autoStart: true,
  optional: [IKernelBridge],
  activate: (_app: JupyterFrontEnd, bridge: IKernelBridge | null): void => {
    if (bridge instanceof LazyKernelBridge) {
      bridge.whenLoaded(async (bridge: KernelBridge) =>
        (await import('./wallet-commands')).registerWalletCommands(bridge)
      );
    }
  }
};

/**
 * `%ocean publish` and `%ocean compute`, signed by the wallet for the asking
 * kernel (so the confirmation dialog names the notebook).
 */
export const publishComputePlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-ocean:publish-compute',
  description:
    'Lets notebooks publish assets and run compute-to-data jobs through the wallet.',
  autoStart: true,
  requires: [INetworkRegistry],
  optional: [IKernelBridge, IWallet, IProvenanceLog],
  activate: (
    app: JupyterFrontEnd,
    networks: INetworkRegistry,
    bridge: IKernelBridge | null,
    wallet: IWallet | null,
    provenance: IProvenanceLog | null
  ): void => {
    if (bridge && wallet) {
      withBridge(bridge, async bridge =>
        (await import('./publish-commands')).registerPublishCommands(
          bridge,
          networks,
          wallet,
          app.serviceManager.contents,
          provenance
        )
      );
    }
  }
};
