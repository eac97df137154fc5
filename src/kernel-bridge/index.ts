/**
 * The kernel bridge: the wallet session shared with Python and Deno kernels.
 *
 * Offers IKernelBridge (commands for `%ocean <name>` and `ocean.<name>()`),
 * serves an EIP-1193 provider to every notebook kernel over the
 * stdin channel (see transport.ts for why), and sends the kernel-side client
 * into a kernel the first time a cell mentions Ocean.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';
import {
  IKernelBridge,
  INetworkRegistry,
  IWallet,
  type IWalletRequester
} from '../tokens';
import { KernelBridge } from './bridge';
import { registerBuiltinCommands } from './commands';
import { KernelSources } from './kernel-sources';
import { StdinTransport } from './transport';

export { KernelBridge, BridgeError } from './bridge';
export { mimeResult, tableResult } from './results';
export type { IKernelResult } from './results';
export { parseArgs, tokenize } from './args';
export * from './protocol';

const KERNEL_BRIDGE_PLUGIN_ID = 'jupyterlab-ocean:kernel-bridge';

export const kernelBridgePlugin: JupyterFrontEndPlugin<IKernelBridge> = {
  id: KERNEL_BRIDGE_PLUGIN_ID,
  description:
    'Shares the wallet session with Python and Deno kernels: an EIP-1193 provider, signing mid-cell, and %ocean commands.',
  autoStart: true,
  provides: IKernelBridge,
  optional: [INotebookTracker, IWallet, INetworkRegistry],
  activate: (
    app: JupyterFrontEnd,
    notebooks: INotebookTracker | null,
    wallet: IWallet | null,
    networks: INetworkRegistry | null
  ): IKernelBridge => {
    const sources = new KernelSources();
    void sources.load().catch(() => undefined);

    // The wallet dialog names the notebook (and says when it is not in view,
    // so a background notebook cannot pass as the one being read).
    const requester = (kernelId: string): IWalletRequester => {
      const widgets = notebooks ? filterTracker(notebooks) : [];
      const widget = widgets.find(
        w => w.sessionContext.session?.kernel?.id === kernelId
      );
      if (!widget) {
        return {
          kind: 'kernel',
          label: `Kernel ${kernelId.slice(0, 8)}`,
          kernelId
        };
      }
      const name = widget.sessionContext.path.split('/').pop() ?? 'notebook';
      const kernelName = widget.sessionContext.kernelDisplayName;
      // A notebook in a background tab, or a browser tab in the background.
      const inView = widget.isVisible && document.visibilityState !== 'hidden';
      return {
        kind: 'kernel',
        label: `${name} (${kernelName}${inView ? '' : ', not in view'})`,
        path: widget.sessionContext.path,
        kernelId,
        inView,
        interrupt: () =>
          void widget.sessionContext.session?.kernel
            ?.interrupt()
            .catch(() => undefined)
      };
    };

    const bridge = new KernelBridge({ wallet, networks, requester });
    registerBuiltinCommands(bridge);
    const transport = new StdinTransport(bridge, sources);
    notebooks?.widgetAdded.connect((_, panel) =>
      transport.watch(panel.sessionContext)
    );
    notebooks?.forEach(panel => transport.watch(panel.sessionContext));

    wallet?.stateChanged.connect(() => transport.pushState());
    networks?.changed.connect(() => transport.pushState());
    void app;
    return bridge;
  }
};

function filterTracker<
  T extends {
    sessionContext: {
      session: {
        kernel: { id: string; interrupt(): Promise<void> } | null;
      } | null;
      path: string;
      kernelDisplayName: string;
    };
    isVisible: boolean;
  }
>(tracker: { forEach(fn: (widget: T) => void): void }): T[] {
  const out: T[] = [];
  tracker.forEach(widget => out.push(widget));
  return out;
}
