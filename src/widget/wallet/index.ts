/**
 * The wallet room: the sidebar panel, and (as it grows) key store, signers,
 * balances and the one confirmation dialog every signature goes through.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ILayoutRestorer } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { LabIcon } from '@jupyterlab/ui-components';
import oceanSvg from '../../../style/icons/ocean.svg';
import { LazyPanel } from '../../lazy';
import { INetworkRegistry, IWallet } from '../../tokens';
import { LazyWallet } from './lazy-wallet';
import type { OceanPanel } from './panel';
import { WALLET_PLUGIN_ID } from './wallet-plugin';

export const oceanIcon = new LabIcon({
  name: 'jupyterlab-ocean:ocean',
  svgstr: oceanSvg
});

const PANEL_PLUGIN_ID = 'jupyterlab-ocean:panel';

export namespace CommandIDs {
  export const openPanel = 'ocean:open-panel';
  export const checkNetwork = 'ocean:check-network';
}

/**
 * The Ocean sidebar panel and its palette commands. At start-up only the
 * sidebar tab exists; the panel's content (network card, wallet section,
 * and the wallet's code with them) loads when it is first shown.
 */
export const panelPlugin: JupyterFrontEndPlugin<void> = {
  id: PANEL_PLUGIN_ID,
  description: 'The Ocean sidebar panel: wallet, network and data market.',
  autoStart: true,
  requires: [INetworkRegistry],
  optional: [
    ISettingRegistry,
    ICommandPalette,
    ILayoutRestorer,
    ITranslator,
    IWallet
  ],
  activate: (
    app: JupyterFrontEnd,
    networks: INetworkRegistry,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    translator: ITranslator | null,
    wallet: IWallet | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_ocean');
    // Settings read before the content exists are applied when it loads.
    let refreshSeconds: number | null = null;
    const panel = new LazyPanel<OceanPanel>({
      id: 'jupyterlab-ocean-panel',
      caption: trans.__('Ocean: wallet and data'),
      create: async () => {
        const [{ OceanPanel }, realWallet] = await Promise.all([
          import('./panel'),
          // The panel manages the wallet itself (create, import, unlock).
          wallet instanceof LazyWallet ? wallet.load() : wallet
        ]);
        const content = new OceanPanel(networks, trans, realWallet);
        if (refreshSeconds !== null) {
          content.refreshSeconds = refreshSeconds;
        }
        applyWalletSettings(content);
        return content;
      }
    });
    panel.title.icon = oceanIcon;
    let area: 'left' | 'right' = 'right';
    app.shell.add(panel, area, { rank: 600 });
    restorer?.add(panel, panel.id);

    app.commands.addCommand(CommandIDs.openPanel, {
      label: trans.__('Open the Ocean Panel'),
      caption: trans.__('Show the Ocean wallet, network and data panel'),
      icon: oceanIcon,
      execute: () => app.shell.activateById(panel.id)
    });
    app.commands.addCommand(CommandIDs.checkNetwork, {
      label: trans.__('Check the Ocean Network'),
      caption: trans.__(
        'Ask the active chain and Ocean Node whether they answer'
      ),
      execute: async () => {
        app.shell.activateById(panel.id);
        await (await panel.content()).refresh();
      }
    });
    for (const command of [CommandIDs.openPanel, CommandIDs.checkNetwork]) {
      palette?.addItem({ command, category: trans.__('Ocean') });
    }

    let walletSettings: ISettingRegistry.ISettings | null = null;
    function applyWalletSettings(content: OceanPanel): void {
      const section = content.wallet;
      if (section && walletSettings) {
        section.autoRefresh =
          walletSettings.composite.balanceRefresh !== 'manual';
        section.earlierOrigins =
          (walletSettings.composite.earlierOrigins as string[] | undefined) ??
          [];
      }
    }

    if (settingRegistry) {
      void settingRegistry.load(PANEL_PLUGIN_ID).then(settings => {
        const apply = () => {
          refreshSeconds = settings.composite.refreshSeconds as number;
          if (panel.loaded) {
            panel.loaded.refreshSeconds = refreshSeconds;
          }
          const wanted = settings.composite.position as 'left' | 'right';
          if (wanted !== area) {
            area = wanted;
            app.shell.add(panel, area, { rank: 600 });
          }
        };
        settings.changed.connect(apply);
        apply();
      });
      void settingRegistry
        .load(WALLET_PLUGIN_ID)
        .then(settings => {
          walletSettings = settings;
          const apply = () => {
            if (panel.loaded) {
              applyWalletSettings(panel.loaded);
            }
          };
          settings.changed.connect(apply);
          apply();
        })
        .catch(() => undefined);
    }
  }
};
