/**
 * The kernel bridge plugin. At start-up it only provides IKernelBridge (a
 * LazyKernelBridge that keeps registrations); the bridge, its transport
 * and the kernel clients load when the first notebook opens (a restored
 * one included), before its kernel can run a cell.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { IKernelBridge, INetworkRegistry, IWallet } from '../tokens';
import { LazyKernelBridge } from './lazy-bridge';

const KERNEL_BRIDGE_PLUGIN_ID = 'jupyterlab-ocean:kernel-bridge';

export const kernelBridgePlugin: JupyterFrontEndPlugin<IKernelBridge> = {
  id: KERNEL_BRIDGE_PLUGIN_ID,
  description:
    'Shares the wallet session with Python and Deno kernels: an EIP-1193 provider, signing mid-cell, and %ocean commands.',
  autoStart: true,
  provides: IKernelBridge,
  optional: [INotebookTracker, IWallet, INetworkRegistry, ITranslator],
  activate: (
    _app: JupyterFrontEnd,
    notebooks: INotebookTracker | null,
    wallet: IWallet | null,
    networks: INetworkRegistry | null,
    translator: ITranslator | null
  ): IKernelBridge => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_ocean');
    const bridge = new LazyKernelBridge(async () =>
      (await import('./start')).startKernelBridge({
        notebooks,
        wallet,
        networks,
        trans
      })
    );
    const load = () => void bridge.load().catch(() => undefined);
    notebooks?.widgetAdded.connect(load);
    if (notebooks && notebooks.size > 0) {
      load();
    }
    return bridge;
  }
};
