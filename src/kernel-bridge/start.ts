/**
 * The kernel bridge itself, loaded when the first notebook opens (see
 * plugin.ts): the bridge, its built-in commands, the stdin transport and
 * the kernel clients' sources, which are fetched when the first kernel is
 * attached.
 */
import type { INotebookTracker } from '@jupyterlab/notebook';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { INetworkRegistry, IWallet, IWalletRequester } from '../tokens';
import { KernelBridge } from './bridge';
import { registerBuiltinCommands } from './commands';
import { KernelSources } from './kernel-sources';
import type { IStartedBridge } from './lazy-bridge';
import { StdinTransport } from './transport';

export interface IBridgeStartOptions {
  notebooks: INotebookTracker | null;
  wallet: IWallet | null;
  networks: INetworkRegistry | null;
  trans: TranslationBundle;
}

export function startKernelBridge({
  notebooks,
  wallet,
  networks,
  trans
}: IBridgeStartOptions): IStartedBridge {
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
        label: trans.__('Kernel %1', kernelId.slice(0, 8)),
        kernelId
      };
    }
    const name = widget.sessionContext.path.split('/').pop() ?? 'notebook';
    const kernelName = widget.sessionContext.kernelDisplayName;
    // A notebook in a background tab, or a browser tab in the background.
    const inView = widget.isVisible && document.visibilityState !== 'hidden';
    return {
      kind: 'kernel',
      label: inView
        ? trans.__('%1 (%2)', name, kernelName)
        : trans.__('%1 (%2, not in view)', name, kernelName),
      path: widget.sessionContext.path,
      kernelId,
      inView,
      interrupt: () =>
        void widget.sessionContext.session?.kernel
          ?.interrupt()
          .catch(() => undefined)
    };
  };

  const bridge = new KernelBridge({ wallet, networks, requester, trans });
  registerBuiltinCommands(bridge);
  return {
    bridge,
    serve: ready => {
      const transport = new StdinTransport(bridge, new KernelSources(), ready);
      notebooks?.widgetAdded.connect((_, panel) =>
        transport.watch(panel.sessionContext)
      );
      notebooks?.forEach(panel => transport.watch(panel.sessionContext));
      wallet?.stateChanged.connect(() => transport.pushState());
      networks?.changed.connect(() => transport.pushState());
    }
  };
}

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
