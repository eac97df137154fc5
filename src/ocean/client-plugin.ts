/**
 * Provides IOceanClient for the active network. The wallet is optional:
 * discovery works without one, getting access asks for it.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  IKernelBridge,
  INetworkRegistry,
  IOceanClient,
  IWallet
} from '../tokens';
import { OceanClient } from './client';
import { registerOceanKernelCommands } from './kernel-commands';

export const oceanClientPlugin: JupyterFrontEndPlugin<IOceanClient> = {
  id: 'jupyterlab-ocean:ocean-client',
  description:
    'Discovers assets on the active Ocean Node and gets access to them through the wallet.',
  autoStart: true,
  provides: IOceanClient,
  requires: [INetworkRegistry],
  optional: [IWallet],
  activate: (
    _app: JupyterFrontEnd,
    networks: INetworkRegistry,
    wallet: IWallet | null
  ): IOceanClient =>
    new OceanClient({
      networks,
      wallet,
      store: typeof localStorage !== 'undefined' ? localStorage : null
    })
};

/**
 * `%ocean search | preview | load` (and ocean.search… in Deno), when the
 * kernel bridge is installed.
 */
export const oceanKernelCommandsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-ocean:ocean-kernel-commands',
  description:
    'Kernel commands to search Ocean assets, show asset cards and load data into DataFrames.',
  autoStart: true,
  requires: [IOceanClient],
  optional: [IKernelBridge],
  activate: (
    app: JupyterFrontEnd,
    client: IOceanClient,
    bridge: IKernelBridge | null
  ): void => {
    if (bridge) {
      registerOceanKernelCommands(bridge, client, app.serviceManager.contents);
    }
  }
};
