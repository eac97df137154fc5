/**
 * The real wallet behind the IWallet that wallet-plugin.ts provides: made
 * on its first use (LazyWallet.load), with the dialogs, the activity log and
 * wallet.ts (ethers, the describers) loaded then, never at lab start-up.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { OceanError } from '../../errors';
import type { INetworkRegistry, IWalletRequester } from '../../tokens';
import { askPassword, showConfirmation } from './dialogs';
import { activityStorage } from './idb-store';
import type { IKeyVault } from './key-vault';
import { noticeBoard } from './notices';
import { NoticedActivityLog } from './tx-notices';
import { askTestWalletPassword } from './test-wallet';
import { OceanWallet } from './wallet';

export interface IWalletSetup {
  app: JupyterFrontEnd;
  networks: INetworkRegistry;
  /** The vault client the plugin started with the page. */
  keys: IKeyVault;
  trans: TranslationBundle;
  /** The Ocean panel, shown when there is no wallet to unlock. */
  panelId: string;
}

/** Makes the wallet and reads its state from the vault. */
export async function createWallet({
  app,
  networks,
  keys,
  trans,
  panelId: PANEL_ID
}: IWalletSetup): Promise<OceanWallet> {
  let ready: Promise<void> = Promise.resolve();

  const promptUnlock = async (requester: IWalletRequester): Promise<void> => {
    await ready;
    if (wallet.state.status === 'none') {
      app.shell.activateById(PANEL_ID);
      throw new OceanError(
        4100,
        trans.__(
          'There is no wallet yet: create or import one in the Ocean panel (right sidebar), then try again.'
        )
      );
    }
    if (wallet.state.source === 'injected') {
      throw new OceanError(
        4100,
        trans.__(
          'The browser wallet shares no account: unlock it in the browser, then try again.'
        )
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
          trans.__('You did not unlock the wallet. Nothing was signed or sent.')
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
    throw new OceanError(4100, trans.__('The wallet stays locked.'));
  };

  const board = noticeBoard(Notification.manager);
  const activity = new NoticedActivityLog(activityStorage, board, trans);
  const wallet: OceanWallet = new OceanWallet({
    networks,
    keys,
    activity,
    confirm: confirmation => showConfirmation(confirmation, trans),
    promptUnlock,
    trans,
    askTestWalletPassword: () => askTestWalletPassword(trans),
    // Loaded only when a kernel's dialog first offers a notebook grant.
    oceanContracts: async (network, provider) =>
      (await import('../../ocean/publish')).discoverContracts(
        network,
        provider
      ),
    notify: (kind, message) => {
      // A transaction's end is told by the activity log's notice already.
      if (kind !== 'info' && activity.told(message)) return;
      // One notice per kind: the next replaces it instead of stacking.
      board.show(`wallet-${kind}`, kind, message);
    }
  });
  ready = wallet.restore().catch(error => {
    console.error('jupyterlab-ocean: could not read the wallet store:', error);
  });
  await ready;
  return wallet;
}
