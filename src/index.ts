import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { networksPlugin } from './ocean';
import {
  oceanClientPlugin,
  oceanKernelCommandsPlugin
} from './ocean/client-plugin';
import { publishComputePlugin } from './ocean/publish-plugin';
import { publishPanelPlugin } from './widget/publish-plugins';
import { panelPlugin } from './widget';
import { ganPlugin } from './gan';
import { walletPlugin } from './widget/wallet-plugin';
import { kernelBridgePlugin } from './kernel-bridge';
import { walletWidgetPlugin } from './kernel-bridge/widget-plugin';
import { assetRendererPlugin, discoverPlugin } from './widget/ocean-plugins';

/**
 * Every plugin of jupyterlab-ocean. Each lives in its room's entry file.
 */
const plugins: JupyterFrontEndPlugin<any>[] = [networksPlugin, panelPlugin];
plugins.push(walletPlugin);
plugins.push(kernelBridgePlugin);
plugins.push(walletWidgetPlugin);
plugins.push(oceanClientPlugin);
plugins.push(discoverPlugin, assetRendererPlugin);
plugins.push(oceanKernelCommandsPlugin);
plugins.push(ganPlugin);
plugins.push(publishComputePlugin);
plugins.push(publishPanelPlugin);

export default plugins;
