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
import { INetworkRegistry, IWallet } from '../../tokens';
import { OceanPanel } from './panel';
import { WALLET_PLUGIN_ID } from './wallet-plugin';

export { OceanPanel } from './panel';

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
 * The Ocean sidebar panel and its palette commands.
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
    const panel = new OceanPanel(networks, trans, wallet);
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
        await panel.refresh();
      }
    });
    for (const command of [CommandIDs.openPanel, CommandIDs.checkNetwork]) {
      palette?.addItem({ command, category: trans.__('Ocean') });
    }

    if (settingRegistry) {
      void settingRegistry.load(PANEL_PLUGIN_ID).then(settings => {
        const apply = () => {
          panel.refreshSeconds = settings.composite.refreshSeconds as number;
          const wanted = settings.composite.position as 'left' | 'right';
          if (wanted !== area) {
            area = wanted;
            app.shell.add(panel, area, { rank: 600 });
          }
        };
        settings.changed.connect(apply);
        apply();
      });
      const section = panel.wallet;
      if (section) {
        void settingRegistry
          .load(WALLET_PLUGIN_ID)
          .then(settings => {
            const apply = () => {
              section.autoRefresh =
                settings.composite.balanceRefresh !== 'manual';
              section.earlierOrigins =
                (settings.composite.earlierOrigins as string[] | undefined) ??
                [];
            };
            settings.changed.connect(apply);
            apply();
          })
          .catch(() => undefined);
      }
    }
  }
};
