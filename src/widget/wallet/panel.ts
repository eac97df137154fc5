import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { probeNetwork } from '../../ocean/network-status';
import type { INetworkRegistry, IWallet } from '../../tokens';
import './components/network-card';
import type { OceanNetworkCard } from './components/network-card';
import { backupBlocksSwitch } from './test-wallet';
import { OceanWallet } from './wallet';
import { GrantsSection } from './grants-section';
import { WalletSection } from './wallet-section';
import { noticeBoard } from './notices';

/**
 * The Ocean sidebar: a Lumino widget that owns the state and hands it to Lit
 * components, which only render and raise events. Network checks go through
 * the Ocean client (`probeNetwork`), never from the components themselves.
 */
export class OceanPanel extends Widget {
  private _card: OceanNetworkCard;
  private _timer: number | undefined;
  private _refreshMs = 15000;
  private _generation = 0;
  /** The wallet section, when the wallet plugin is ours and active. */
  readonly wallet: WalletSection | null = null;

  private readonly _wallet: OceanWallet | null;

  constructor(
    private readonly _networks: INetworkRegistry,
    private readonly _trans: TranslationBundle,
    wallet: IWallet | null = null
  ) {
    super();
    this._wallet = wallet instanceof OceanWallet ? wallet : null;
    this.id = 'jupyterlab-ocean-panel';
    this.addClass('jp-OceanPanel');
    this.title.caption = _trans.__('Ocean: wallet and data');

    const header = document.createElement('header');
    header.className = 'jp-OceanPanel-header';
    const heading = document.createElement('h2');
    heading.textContent = _trans.__('Ocean');
    header.appendChild(heading);

    const networkSection = document.createElement('section');
    networkSection.className = 'jp-OceanPanel-section';
    networkSection.setAttribute('aria-label', _trans.__('Network'));
    this._card = document.createElement('ocean-network-card');
    this._card.labels = {
      network: _trans.__('Network'),
      chain: _trans.__('Chain'),
      node: _trans.__('Node'),
      checking: _trans.__('Checking…'),
      reachable: _trans.__('Connected'),
      block: _trans.__('block'),
      refresh: _trans.__('Check again'),
      switchNetwork: _trans.__('Switch network')
    };
    this._card.addEventListener('ocean-refresh', () => void this.refresh());
    this._card.addEventListener('ocean-switch-network', event => {
      void this._switch((event as CustomEvent<{ key: string }>).detail.key);
    });
    networkSection.appendChild(this._card);

    const walletSection = document.createElement('section');
    walletSection.className = 'jp-OceanPanel-section jp-OceanPanel-wallet';
    const walletHeading = document.createElement('h3');
    walletHeading.textContent = _trans.__('Wallet');
    walletSection.append(walletHeading);
    if (wallet instanceof OceanWallet) {
      this.wallet = new WalletSection(wallet, _trans);
      walletSection.append(this.wallet.view);
    } else {
      const walletText = document.createElement('p');
      walletText.textContent = _trans.__(
        'The Ocean wallet plugin (jupyterlab-ocean:wallet) is disabled, so there is nothing to sign with.'
      );
      walletSection.append(walletText);
    }

    this.node.append(header, networkSection, walletSection);
    if (wallet instanceof OceanWallet) {
      this.node.append(new GrantsSection(wallet, _trans).node);
    }
    this._networks.changed.connect(this._onNetworkChanged, this);
    this._render();
  }

  /** Seconds between automatic checks; 0 checks only on demand. */
  set refreshSeconds(seconds: number) {
    this._refreshMs = Math.max(0, seconds) * 1000;
    this._schedule();
  }

  /** Check the active network now and show the result. */
  async refresh(): Promise<void> {
    const generation = ++this._generation;
    this._card.checking = true;
    const status = await probeNetwork(this._networks.active);
    // A network switch during the check makes this result stale.
    if (generation === this._generation) {
      this._card.status = status;
      this._card.checking = false;
    }
  }

  protected onAfterShow(): void {
    void this.refresh();
    this._schedule();
  }

  protected onAfterHide(): void {
    window.clearInterval(this._timer);
    this._timer = undefined;
  }

  dispose(): void {
    this.wallet?.dispose();
    window.clearInterval(this._timer);
    this._networks.changed.disconnect(this._onNetworkChanged, this);
    super.dispose();
  }

  private _schedule(): void {
    window.clearInterval(this._timer);
    this._timer = undefined;
    if (this._refreshMs > 0 && this.isVisible) {
      this._timer = window.setInterval(
        () => void this.refresh(),
        this._refreshMs
      );
    }
  }

  /**
   * Switches network from the select. An unsaved test wallet asks for its
   * backup first (the registry's guard refuses the switch for anyone else).
   */
  private async _switch(key: string): Promise<void> {
    const target = this._networks.networks.find(network => network.key === key);
    const wallet = this._wallet;
    if (
      target &&
      wallet &&
      this.wallet &&
      backupBlocksSwitch(wallet.state, target)
    ) {
      this._card.resetSelection();
      const answer = await showDialog({
        title: this._trans.__('Back up your test wallet first'),
        body: this._trans.__(
          'This test wallet was made in one click for the local network and was never backed up. Before it is used on %1, set a password and write its 12 recovery words down; then switch again.',
          target.name
        ),
        buttons: [
          Dialog.cancelButton({
            label: this._trans.__('Stay on the local network')
          }),
          Dialog.okButton({ label: this._trans.__('Back up now') })
        ],
        defaultButton: 1
      });
      if (answer.button.accept) {
        await this.wallet.backUpTestWallet();
      }
      return;
    }
    try {
      await this._networks.activate(key);
    } catch (error) {
      this._card.resetSelection();
      // 4001: the person chose to stay (a guard asked); nothing failed.
      if ((error as { code?: unknown }).code !== 4001) {
        noticeBoard(Notification.manager).show(
          'network-error',
          'error',
          (error as Error).message
        );
      }
    }
  }

  private _onNetworkChanged(): void {
    this._card.status = null;
    this._render();
    if (this.isVisible) {
      void this.refresh();
    }
  }

  private _render(): void {
    this._card.networks = this._networks.networks;
    this._card.active = this._networks.active;
  }
}
