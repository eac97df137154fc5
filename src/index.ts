import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import {
  oceanKernelCommandsPlugin,
  publishComputePlugin,
  walletKernelCommandsPlugin,
  walletWidgetPlugin
} from './commands/plugins';
import { ganPlugin } from './gan';
import { kernelBridgePlugin } from './kernel-bridge/plugin';
import { networksPlugin } from './ocean';
import { assetCardRecorderPlugin, provenancePlugin } from './provenance';
import { oceanClientPlugin } from './ocean/client-plugin';
import {
  assetRendererPlugin,
  discoverPlugin
} from './widget/market/ocean-plugins';
import { publishPanelPlugin } from './widget/market/publish-plugins';
import { panelPlugin } from './widget/wallet';
import { walletPlugin } from './widget/wallet/wallet-plugin';

/**
 * Every plugin of jupyterlab-ocean, room by room (see CONTRIBUTING.md,
 * "Where things are").
 */
const plugins: JupyterFrontEndPlugin<any>[] = [
  // ocean: networks and the Ocean client
  networksPlugin,
  oceanClientPlugin,
  // widget/wallet: keys, signing, the sidebar panel
  walletPlugin,
  panelPlugin,
  // kernel-bridge: the wallet session in Python and Deno kernels
  kernelBridgePlugin,
  // commands: %ocean verbs and the in-notebook wallet widget
  walletKernelCommandsPlugin,
  walletWidgetPlugin,
  oceanKernelCommandsPlugin,
  publishComputePlugin,
  // provenance: the notebook's lineage record, shown and verified
  provenancePlugin,
  assetCardRecorderPlugin,
  // widget/market: discovery, asset cards, publishing
  discoverPlugin,
  assetRendererPlugin,
  publishPanelPlugin,
  // gan: token-gated generator output cells
  ganPlugin
];

export default plugins;
