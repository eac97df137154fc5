/**
 * Provides IWallet: the built-in key store (IndexedDB, encrypted), injected
 * browser wallets (EIP-6963), and the one confirmation dialog. At start-up
 * it draws the status item and the palette entries from the vault's public
 * facts; the wallet itself (wallet-setup.ts) loads on first use.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStatusBar } from '@jupyterlab/statusbar';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { OceanError } from '../../errors';
import { INetworkRegistry, IWallet } from '../../tokens';
import { LazyWallet } from './lazy-wallet';
import { WalletStatusItem } from './status-item';
import { backupBlocksSwitch } from './backup-guard';
import { WorkerKeyVault } from './vault-client';

export const WALLET_PLUGIN_ID = 'jupyterlab-ocean:wallet';
const PANEL_ID = 'jupyterlab-ocean-panel';

export namespace WalletCommandIDs {
  export const lock = 'ocean:wallet-lock';
  export const unlock = 'ocean:wallet-unlock';
}

export const walletPlugin: JupyterFrontEndPlugin<IWallet> = {
  id: WALLET_PLUGIN_ID,
  description:
    'The Ocean wallet: encrypted keys in this browser, or a browser wallet, with one confirmation dialog for every signature.',
  autoStart: true,
  provides: IWallet,
  requires: [INetworkRegistry],
  optional: [ISettingRegistry, ITranslator, ICommandPalette, IStatusBar],
  activate: (
    app: JupyterFrontEnd,
    networks: INetworkRegistry,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    statusBar: IStatusBar | null
  ): IWallet => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_ocean');
    // The keys live in their own worker, out of page scripts' reach.
    // It starts with the page, before any notebook output can run (see
    // vault-client.ts); its crypto code loads only when first needed.
    const keys = new WorkerKeyVault();

    const wallet = new LazyWallet({
      networks,
      peek: () => keys.load(),
      create: async () =>
        (await import('./wallet-setup')).createWallet({
          app,
          networks,
          keys,
          trans,
          panelId: PANEL_ID
        })
    });
    // A test wallet stays on the local network until it is backed up,
    // whoever asks for the switch (the panel offers the backup first).
    networks.addGuard(async target => {
      if (backupBlocksSwitch(wallet.state, target)) {
        throw new OceanError(
          4100,
          trans.__(
            'This is a test wallet that was never backed up, so it stays on the local network. Back it up in the Ocean panel (Back up…) before using it on %1.',
            target.name
          )
        );
      }
    });

    app.commands.addCommand(WalletCommandIDs.lock, {
      label: trans.__('Lock the Ocean Wallet'),
      caption: trans.__('Forget the decrypted keys until you unlock again'),
      isEnabled: () => wallet.state.status === 'unlocked',
      // Unlocked means loaded.
      execute: () => wallet.loaded?.lock()
    });
    app.commands.addCommand(WalletCommandIDs.unlock, {
      label: trans.__('Unlock the Ocean Wallet'),
      caption: trans.__('Decrypt your keys with your wallet password'),
      isEnabled: () => wallet.state.status === 'locked',
      execute: async () => {
        try {
          await wallet.ensureUnlocked({
            kind: 'panel',
            label: trans.__('The command palette')
          });
        } catch (error) {
          if ((error as OceanError).code !== 4001) {
            // The notice board loads with its first notice, not the lab.
            const { noticeBoard } = await import('./notices');
            noticeBoard(Notification.manager).show(
              'wallet-error',
              'error',
              (error as Error).message
            );
          }
        }
      }
    });
    wallet.stateChanged.connect(() => {
      app.commands.notifyCommandChanged(WalletCommandIDs.lock);
      app.commands.notifyCommandChanged(WalletCommandIDs.unlock);
    });
    for (const command of [WalletCommandIDs.unlock, WalletCommandIDs.lock]) {
      palette?.addItem({ command, category: trans.__('Ocean') });
    }

    statusBar?.registerStatusItem(WALLET_PLUGIN_ID, {
      item: new WalletStatusItem(wallet, networks, trans, () =>
        app.shell.activateById(PANEL_ID)
      ),
      align: 'left',
      rank: 50
    });

    if (settingRegistry) {
      void settingRegistry
        .load(WALLET_PLUGIN_ID)
        .then(settings => {
          const apply = () => {
            wallet.autoLockMinutes = settings.composite
              .autoLockMinutes as number;
          };
          settings.changed.connect(apply);
          apply();
        })
        .catch(error =>
          console.warn('jupyterlab-ocean: no wallet settings:', error)
        );
    }
    return wallet;
  }
};
