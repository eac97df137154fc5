/**
 * The wallet section of the Ocean panel: owns the view's state, turns its
 * events into wallet calls (every signature through IWallet.request and so
 * through the dialog), refreshes balances on new blocks and shows activity.
 */
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { readBalances } from '../../ocean/balances';
import { OceanError } from '../../errors';
import type { ISettledTransaction, IWalletRequester } from '../../tokens';
import './components/wallet-view';
import type { OceanWalletView } from './components/wallet-view';
import { askPasswordToApprove } from './dialogs';
import { askFaucet, pay } from './funds';
import { InjectedWallets } from './injected';
import {
  generateMnemonic,
  normaliseMnemonic,
  pickConfirmationIndexes
} from './keystore';
import type { OceanWallet } from './wallet';
import { noticeBoard } from './notices';

export class WalletSection {
  readonly view: OceanWalletView;
  private _requester: IWalletRequester;
  private _refreshing = false;
  private _refreshAgain = false;
  private _blockListener: (() => void) | null = null;
  private _assetNames = new Map<string, { did: string; name: string } | null>();
  private _injected: InjectedWallets;
  private _autoRefresh = true;

  constructor(
    private readonly _wallet: OceanWallet,
    private readonly _trans: TranslationBundle
  ) {
    this._requester = { kind: 'panel', label: _trans.__('The Ocean panel') };
    this.view = document.createElement('ocean-wallet-view');
    this.view.labels = this._labels();
    this.view.addEventListener('ocean-wallet', event => {
      const detail = (event as CustomEvent<Record<string, string>>).detail;
      void this._handle(detail.action, detail);
    });
    this._injected = new InjectedWallets();
    this._injected.changed.connect(this._renderInjected, this);
    this._renderInjected();
    _wallet.stateChanged.connect(this._onState, this);
    _wallet.transactionSettled.connect(this._onSettled, this);
    _wallet.activity.changed.connect(() => void this._loadActivity());
    this._onState();
  }

  /** Whether balances refresh on every new block (setting). */
  /**
   * Addresses this lab was served from before (npm start records them). A
   * browser keeps a wallet per address, so with none here the panel says
   * where an earlier one is, instead of seeming to have lost it.
   */
  set earlierOrigins(origins: ReadonlyArray<string>) {
    const others = origins.filter(origin => origin !== window.location.origin);
    this.view.elsewhere = others.length
      ? this._trans.__(
          'A wallet made before is kept by this browser for the address it was made at, not this one (%1). Open %2 in this browser to use it, or start the lab there again (npm start -- --port PORT).',
          window.location.origin,
          others.join(', ')
        )
      : null;
  }

  set autoRefresh(value: boolean) {
    this._autoRefresh = value;
    this._watchBlocks();
  }

  dispose(): void {
    this._unwatchBlocks();
    this._injected.dispose();
    this._wallet.stateChanged.disconnect(this._onState, this);
    this._wallet.transactionSettled.disconnect(this._onSettled, this);
  }

  /** Starts the test wallet's backup (the panel's network switch asks for it). */
  backUpTestWallet(): Promise<void> {
    return this._handle('backup-test', {});
  }

  /** Reads balances now (coalesces overlapping calls). */
  async refreshBalances(): Promise<void> {
    const state = this._wallet.state;
    if (!state.account) {
      this.view.balances = null;
      return;
    }
    if (this._refreshing) {
      this._refreshAgain = true;
      return;
    }
    this._refreshing = true;
    try {
      const network = this._wallet.network;
      const account = state.account;
      const balances = await readBalances(
        this._wallet.provider,
        network,
        account,
        this._assetNames
      );
      // Ignore results for an account or network that is no longer shown.
      if (
        this._wallet.state.account === account &&
        this._wallet.network.chainId === network.chainId
      ) {
        this.view.balances = balances;
      }
    } catch (error) {
      this.view.error = this._trans.__(
        'Could not read balances from %1: %2',
        this._wallet.network.name,
        String((error as Error).message ?? error).slice(0, 200)
      );
    } finally {
      this._refreshing = false;
      if (this._refreshAgain) {
        this._refreshAgain = false;
        void this.refreshBalances();
      }
    }
  }

  private _renderInjected(): void {
    this.view.injected = this._injected.wallets.map(w => ({
      uuid: w.uuid,
      name: w.name,
      icon: w.icon
    }));
  }

  private _onState(): void {
    const state = this._wallet.state;
    const previous = this.view.state;
    this.view.state = state;
    this.view.network = this._wallet.network;
    if (
      previous?.account !== state.account ||
      previous?.chainId !== state.chainId
    ) {
      this.view.balances = null;
      this.view.signature = null;
      void this.refreshBalances();
      void this._loadActivity();
      // Only here: listening anew on every state change started the block
      // poller after the block that mattered, so a send's block was missed.
      this._watchBlocks();
    }
  }

  /** A transaction of the shown account settled: its balances moved. */
  private _onSettled(_: unknown, settled: ISettledTransaction): void {
    const state = this._wallet.state;
    if (
      settled.chainId === state.chainId &&
      settled.account.toLowerCase() === state.account?.toLowerCase()
    ) {
      void this.refreshBalances();
      void this._loadActivity();
    }
  }

  private _watchBlocks(): void {
    this._unwatchBlocks();
    if (!this._autoRefresh || !this._wallet.state.account) {
      return;
    }
    const provider = this._wallet.provider;
    const listener = () => void this.refreshBalances();
    // A provider that cannot be reached (the network went away) is no
    // error of ours: the next state change listens again.
    provider.on('block', listener).catch(() => undefined);
    this._blockListener = () =>
      void provider.off('block', listener).catch(() => undefined);
  }

  private _unwatchBlocks(): void {
    this._blockListener?.();
    this._blockListener = null;
  }

  private async _loadActivity(): Promise<void> {
    const account = this._wallet.state.account;
    if (!account) {
      this.view.activity = [];
      return;
    }
    this.view.activity = await this._wallet.activity.list(
      this._wallet.network.chainId,
      account
    );
  }

  private async _busy<T>(
    message: string,
    work: () => Promise<T>
  ): Promise<T | undefined> {
    this.view.busy = message;
    this.view.error = null;
    this.view.notice = null;
    this._wallet.touch();
    try {
      return await work();
    } catch (error) {
      // A rejection in the dialog is the person's choice, not a failure.
      if ((error as OceanError).code === 4001) {
        this.view.notice = (error as Error).message;
      } else {
        this.view.error = String((error as Error).message ?? error);
      }
      return undefined;
    } finally {
      this.view.busy = null;
    }
  }

  private _checkNewPassword(values: Record<string, string>): void {
    if ((values.password ?? '').length < 8) {
      throw new OceanError(
        'OCEAN_BAD_IMPORT',
        this._trans.__('Choose a password of at least 8 characters.')
      );
    }
    if (values.repeat !== undefined && values.repeat !== values.password) {
      throw new OceanError(
        'OCEAN_BAD_IMPORT',
        this._trans.__('The two passwords differ.')
      );
    }
  }

  private async _handle(
    action: string,
    values: Record<string, string>
  ): Promise<void> {
    const trans = this._trans;
    const wallet = this._wallet;
    switch (action) {
      case 'new-phrase': {
        this.view.phrase = generateMnemonic();
        this.view.confirmIndexes = pickConfirmationIndexes(12, 3);
        this.view.error = null;
        this.view.mode = 'create-phrase';
        return;
      }
      case 'cancel-create':
        this.view.phrase = null;
        this.view.mode = 'home';
        return;
      case 'create': {
        const phrase = this.view.phrase;
        if (!phrase) {
          return;
        }
        const words = phrase.split(' ');
        const wrong = this.view.confirmIndexes.filter(
          index =>
            normaliseMnemonic(values[`word-${index}`] ?? '') !== words[index]
        );
        if (wrong.length) {
          this.view.error = trans.__(
            'Word %1 does not match your recovery phrase. Check what you wrote down.',
            wrong.map(i => `#${i + 1}`).join(', ')
          );
          return;
        }
        await this._busy(trans.__('Encrypting your keys…'), async () => {
          this._checkNewPassword(values);
          await wallet.create(
            phrase,
            values.password,
            values.name || undefined
          );
          // The phrase was shown once; it now lives only in the encrypted store.
          this.view.phrase = null;
          this.view.mode = 'home';
          this.view.notice = trans.__('Your wallet is ready.');
        });
        return;
      }
      case 'test-wallet':
      case 'replace-test-wallet':
        await this._busy(trans.__('Making a test wallet…'), async () => {
          if (action === 'replace-test-wallet') {
            // Nobody can open it again (its password died with its session).
            await wallet.reset();
          }
          await wallet.createTestWallet(trans.__('Test account'));
          this.view.mode = 'home';
          this.view.busy = trans.__('Asking the local faucet for test coins…');
          await this._faucet();
        });
        return;
      case 'backup-test':
        await this._busy(trans.__('Waiting for your password…'), async () => {
          const phrase = await wallet.setTestWalletPassword();
          if (phrase) {
            this.view.phrase = phrase;
            this.view.confirmIndexes = pickConfirmationIndexes(12, 3);
            this.view.mode = 'backup-phrase';
          }
        });
        return;
      case 'backup-confirm':
        await this._busy(trans.__('Checking the words…'), async () => {
          await wallet.confirmTestWalletBackup(
            this.view.confirmIndexes.map(index => ({
              index,
              word: values[`word-${index}`] ?? ''
            }))
          );
          this.view.phrase = null;
          this.view.mode = 'home';
          this.view.notice = trans.__(
            'Backed up. The wallet now opens with your password and may be used on other networks.'
          );
        });
        return;
      case 'import':
        await this._busy(trans.__('Importing and encrypting…'), async () => {
          const creating = wallet.state.status === 'none';
          if (creating) {
            this._checkNewPassword(values);
          }
          if (values.kind === 'mnemonic') {
            if (!creating) {
              throw new OceanError(
                'OCEAN_WALLET_EXISTS',
                trans.__(
                  'This browser already has a wallet. Import a private key or keystore into it, or reset it first to restore from a phrase.'
                )
              );
            }
            await wallet.create(
              values.secret,
              values.password,
              values.name || undefined
            );
          } else {
            await wallet.importKey(
              values.kind === 'keystore'
                ? {
                    keystore: values.secret,
                    keystorePassword: values.keystorePassword ?? ''
                  }
                : { privateKey: values.secret },
              values.password,
              values.name || trans.__('Imported')
            );
          }
          this.view.mode = 'home';
          this.view.notice = trans.__('Imported.');
        });
        return;
      case 'unlock':
        await this._busy(trans.__('Unlocking…'), () =>
          wallet.unlock(values.password ?? '')
        );
        return;
      case 'lock':
        wallet.lock();
        this.view.mode = 'home';
        return;
      case 'reset': {
        const answer = await showDialog({
          title: trans.__('Remove the wallet from this browser?'),
          body: trans.__(
            'The encrypted keys are deleted from this browser. Without your recovery phrase or a keystore backup, the funds are lost for good.'
          ),
          buttons: [
            Dialog.cancelButton({ label: trans.__('Keep it') }),
            Dialog.warnButton({ label: trans.__('Remove') })
          ],
          defaultButton: 0
        });
        if (answer.button.accept) {
          await wallet.reset();
        }
        return;
      }
      case 'select':
        await this._busy('', async () => wallet.selectAccount(values.address));
        return;
      case 'add-account':
        await this._busy(trans.__('Deriving a new account…'), async () => {
          await wallet.addAccount();
        });
        return;
      case 'rename':
        await this._busy('', async () => {
          if (wallet.state.account) {
            await wallet.rename(wallet.state.account, values.name ?? '');
          }
          this.view.mode = 'home';
        });
        return;
      case 'copy':
        if (wallet.state.account) {
          await navigator.clipboard
            ?.writeText(wallet.state.account)
            .catch(() => undefined);
          this.view.notice = trans.__('Address copied.');
        }
        return;
      case 'export':
        await this._busy(trans.__('Encrypting the backup…'), async () => {
          const account = wallet.state.account;
          if (!account) {
            return;
          }
          // The backup leaves the vault only with the wallet's own password,
          // typed into a dialog only a person's click approves.
          const storePassword = await askPasswordToApprove(
            trans.__('Export a key backup'),
            trans.__(
              'A keystore file of %1 will be downloaded, encrypted with the password you chose for it. Type your wallet password to allow it.',
              account
            ),
            trans.__('Export'),
            trans
          );
          if (storePassword === null) {
            return;
          }
          const json = await wallet.exportKeystore(
            account,
            storePassword,
            values.password ?? ''
          );
          const link = document.createElement('a');
          link.href = URL.createObjectURL(
            new Blob([json], { type: 'application/json' })
          );
          link.download = `ocean-wallet-${account.slice(2, 10)}.json`;
          link.click();
          setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
          this.view.mode = 'home';
          this.view.notice = trans.__(
            'Keystore downloaded. Keep it and its password safe.'
          );
        });
        return;
      case 'send':
        await this._busy(trans.__('Waiting for your confirmation…'), () =>
          this._send(values)
        );
        return;
      case 'sign':
        await this._busy(
          trans.__('Waiting for your confirmation…'),
          async () => {
            const account = await wallet.ensureUnlocked(this._requester);
            this.view.signature = (await wallet.request(
              {
                method: 'personal_sign',
                params: [values.message ?? '', account]
              },
              this._requester
            )) as string;
          }
        );
        return;
      case 'faucet':
        await this._busy(trans.__('Asking the faucet for test coins…'), () =>
          this._faucet()
        );
        return;
      case 'use-injected':
        await this._busy(
          trans.__('Connecting the browser wallet…'),
          async () => {
            const injected = this._injected.get(values.uuid);
            if (injected) {
              await wallet.useInjected(injected);
            }
          }
        );
        return;
      case 'use-builtin':
        wallet.useBuiltin();
        return;
    }
  }

  private async _send(values: Record<string, string>): Promise<void> {
    const balances = this.view.balances;
    const native = values.token === 'native' || !values.token;
    const token = native
      ? null
      : balances?.tokens
          .concat(balances.ocean ? [balances.ocean] : [])
          .find(t => t.address === values.token);
    const hash = await pay(
      this._wallet,
      this._requester,
      {
        to: values.to ?? '',
        amount: values.amount ?? '',
        token,
        available: !balances
          ? undefined
          : token
            ? { amount: token.balance, symbol: token.symbol, raw: token.raw }
            : native
              ? {
                  amount: balances.native,
                  symbol: this._wallet.network.nativeSymbol
                }
              : undefined
      },
      this._trans
    );
    this.view.mode = 'home';
    this.view.notice = this._trans.__('Sent: %1', hash);
  }

  private async _faucet(): Promise<void> {
    const network = this._wallet.network;
    const account = this._wallet.state.account;
    if (!account) {
      return;
    }
    const gift = await askFaucet(network, account, this._trans);
    if (!gift) {
      return;
    }
    this.view.notice = this._trans.__(
      'The faucet sent %1 %2 and %3 OCEAN.',
      gift.native,
      network.nativeSymbol,
      gift.ocean
    );
    noticeBoard(Notification.manager).show(
      'faucet',
      'success',
      this.view.notice
    );
    await this.refreshBalances();
  }

  private _labels(): Record<string, string> {
    const t = this._trans;
    return {
      noWallet: t.__(
        'No wallet in this browser yet. Keys you create or import are encrypted with your password and never leave this browser.'
      ),
      create: t.__('Create a wallet'),
      import: t.__('Import'),
      password: t.__('Wallet password'),
      unlock: t.__('Unlock'),
      reset: t.__('Remove wallet…'),
      usingInjected: t.__('Using a browser wallet.'),
      useBuiltin: t.__('Use built-in wallet'),
      browserWallets: t.__('Browser wallets'),
      use: t.__('Use'),
      phraseWarning: t.__(
        'Write these 12 words down, in order, and keep them offline. They are the only way to recover this wallet, and anyone who has them controls its funds. They are shown only now.'
      ),
      recoveryPhrase: t.__('Recovery phrase'),
      wroteItDown: t.__('I wrote them down'),
      cancel: t.__('Cancel'),
      confirmPhrase: t.__(
        'Prove you have the phrase: type the words asked for, then choose a password for this browser.'
      ),
      word: t.__('Word'),
      accountName: t.__('Account name'),
      newPassword: t.__('New wallet password (8+ characters)'),
      repeatPassword: t.__('Repeat the password'),
      createWallet: t.__('Create wallet'),
      testWallet: t.__('Start with a test wallet'),
      testWalletHelp: t.__(
        'One click: a fresh key and test coins from the local faucet, to try everything on the local network. Back it up later, before any other network.'
      ),
      testWalletBadge: t.__('Test wallet.'),
      testWalletWarning: t.__(
        'Made in one click for the local network: never send real funds to it. Back it up (a password and its 12 words) before using it on another network.'
      ),
      testWalletLost: t.__(
        "This test wallet was never given a password: its keys were locked with one that lived only in the page session that made them, so it cannot be opened again. It held only the local network's test coins."
      ),
      newTestWallet: t.__('Start a new test wallet'),
      backUp: t.__('Back up…'),
      confirmBackup: t.__(
        'Prove you wrote the words down: type the ones asked for.'
      ),
      finishBackup: t.__('Finish the backup'),
      back: t.__('Back'),
      importWhat: t.__('What to import'),
      privateKey: t.__('Private key'),
      keystoreFile: t.__('Keystore file (JSON)'),
      keystoreJson: t.__('Keystore JSON'),
      keystorePassword: t.__("The keystore's password"),
      walletPassword: t.__('Your wallet password'),
      importButton: t.__('Import'),
      account: t.__('Account'),
      lock: t.__('Lock'),
      copy: t.__('Copy'),
      addAccount: t.__('Add account'),
      rename: t.__('Rename'),
      export: t.__('Export keystore'),
      save: t.__('Save'),
      exportHelp: t.__(
        'Download this account as a Web3 Secret Storage file, encrypted with the password you choose here.'
      ),
      exportPassword: t.__('Password for the file (8+ characters)'),
      download: t.__('Download'),
      loadingBalances: t.__('Reading balances…'),
      dataNft: t.__('data NFT'),
      datatoken: t.__('datatoken'),
      balances: t.__('Balances'),
      send: t.__('Send'),
      signMessage: t.__('Sign message'),
      faucet: t.__('Get test coins'),
      asset: t.__('Asset'),
      recipient: t.__('Recipient'),
      amount: t.__('Amount'),
      review: t.__('Review and send'),
      message: t.__('Message'),
      sign: t.__('Sign'),
      signature: t.__('Signature'),
      activity: t.__('Activity'),
      noActivity: t.__('No transactions yet.'),
      underGrant: t.__('Signed without asking, under the'),
      pending: t.__('Pending'),
      confirmed: t.__('Confirmed'),
      failed: t.__('Failed')
    };
  }
}
