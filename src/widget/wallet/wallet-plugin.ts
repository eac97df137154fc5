/**
 * Provides IWallet: the built-in key store (IndexedDB, encrypted), injected
 * browser wallets (EIP-6963), and the one confirmation dialog.
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
import { INetworkRegistry, IWallet, type IWalletRequester } from '../../tokens';
import { ActivityLog } from './activity';
import { askPassword, showConfirmation } from './dialogs';
import { activityStorage } from './idb-store';
import { WalletStatusItem } from './status-item';
import { askTestWalletPassword, backupBlocksSwitch } from './test-wallet';
import { WorkerKeyVault } from './vault-client';
import { OceanWallet } from './wallet';

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
    const keys = new WorkerKeyVault();
    let ready: Promise<void> = Promise.resolve();

    const promptUnlock = async (requester: IWalletRequester): Promise<void> => {
      await ready;
      if (wallet.state.status === 'none') {
        app.shell.activateById(PANEL_ID);
        throw new OceanError(
          4100,
          'There is no wallet yet: create or import one in the Ocean panel (right sidebar), then try again.'
        );
      }
      if (wallet.state.source === 'injected') {
        throw new OceanError(
          4100,
          'The browser wallet shares no account: unlock it in the browser, then try again.'
        );
      }
      let error: string | undefined;
      for (let attempt = 0; attempt < 5; attempt++) {
        const password = await askPassword(
          trans.__('Unlock the Ocean wallet'),
          trans.__(
            '%1 asks to use your wallet. Enter your wallet password to unlock it.',
            requester.label
          ),
          trans,
          error
        );
        if (password === null) {
          throw new OceanError(
            4001,
            'You did not unlock the wallet. Nothing was signed or sent.'
          );
        }
        try {
          await wallet.unlock(password);
          return;
        } catch (failure) {
          if (
            failure instanceof OceanError &&
            failure.code === 'OCEAN_WRONG_PASSWORD'
          ) {
            error = failure.message;
            continue;
          }
          throw failure;
        }
      }
      throw new OceanError(4100, 'The wallet stays locked.');
    };

    const wallet: OceanWallet = new OceanWallet({
      networks,
      keys,
      activity: new ActivityLog(activityStorage),
      confirm: confirmation => showConfirmation(confirmation, trans),
      promptUnlock,
      askTestWalletPassword: () => askTestWalletPassword(trans),
      // Loaded only when a kernel's dialog first offers a notebook grant.
      oceanContracts: async (network, provider) =>
        (await import('../../ocean/publish')).discoverContracts(
          network,
          provider
        ),
      notify: (kind, message) => {
        Notification.emit(message, kind, { autoClose: 6000 });
      }
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
    ready = wallet.restore().catch(error => {
      console.error(
        'jupyterlab-ocean: could not read the wallet store:',
        error
      );
    });

    app.commands.addCommand(WalletCommandIDs.lock, {
      label: trans.__('Lock the Ocean Wallet'),
      caption: trans.__('Forget the decrypted keys until you unlock again'),
      isEnabled: () => wallet.state.status === 'unlocked',
      execute: () => wallet.lock()
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
            Notification.error((error as Error).message, { autoClose: 8000 });
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
