/**
 * Registers the live wallet widget (`%ocean wallet`, `ocean.wallet()`) with
 * the Jupyter widget manager.
 *
 * @jupyter-widgets/base is shared with the lab, never bundled: it is
 * imported lazily here, so a JupyterLab without the widget manager still
 * loads the rest of the extension; `%ocean wallet` then shows its
 * plain-text fallback.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { IKernelBridge, INetworkRegistry, IWallet } from '../tokens';
import { LazyKernelBridge } from '../kernel-bridge/lazy-bridge';
import { WALLET_WIDGET } from '../kernel-bridge/protocol';
import type { IWalletWidgetContext } from './wallet-widget';

export const walletWidgetPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-ocean:wallet-widget',
  description:
    'The live wallet widget for notebooks (a Jupyter widget, protocol 2.1), when the lab has the widget manager.',
  autoStart: true,
  optional: [IKernelBridge, IWallet, INetworkRegistry, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    bridge: IKernelBridge | null,
    wallet: IWallet | null,
    networks: INetworkRegistry | null,
    translator: ITranslator | null
  ): void => {
    // Not awaited: the lab's start waits for every plugin's activate, and
    // finding the widget registry (an import of a module the widget
    // manager has loaded already, and a service lookup) draws nothing.
    // It is registered within milliseconds, while a widget model comes
    // from a notebook, which opens only after the start.
    void registerWalletWidget(app, bridge, wallet, networks, translator);
  }
};

async function registerWalletWidget(
  app: JupyterFrontEnd,
  bridge: IKernelBridge | null,
  wallet: IWallet | null,
  networks: INetworkRegistry | null,
  translator: ITranslator | null
): Promise<void> {
  let registry;
  try {
    const base = await import('@jupyter-widgets/base');
    registry = await app.resolveOptionalService(base.IJupyterWidgetRegistry);
  } catch {
    registry = null;
  }
  if (!registry) {
    return;
  }
  // Built when the first widget renders: a widget comes from a kernel,
  // so our bridge is loaded by then (or loads now).
  const context = async (): Promise<IWalletWidgetContext> => ({
    wallet,
    networks,
    bridge: bridge instanceof LazyKernelBridge ? await bridge.load() : null,
    trans: (translator ?? nullTranslator).load('jupyterlab_ocean'),
    readBalances: async account => {
      const network = networks!.active;
      const [{ readBalances }, { readProvider }] = await Promise.all([
        import('../ocean/balances'),
        import('../ocean/chain')
      ]);
      const provider = await readProvider(network);
      const balances = await readBalances(provider, network, account);
      return {
        native: balances.native,
        ocean: balances.ocean?.balance ?? null,
        tokens: [
          ...(balances.ocean ? [balances.ocean] : []),
          ...balances.tokens
        ].map(t => ({
          symbol: t.symbol,
          balance: t.balance,
          name: t.asset?.name ?? t.name
        }))
      };
    }
  });
  registry.registerWidget({
    name: WALLET_WIDGET.module,
    version: WALLET_WIDGET.version,
    exports: async () =>
      (await import('./wallet-widget')).walletWidgetExports(await context())
  });
}
