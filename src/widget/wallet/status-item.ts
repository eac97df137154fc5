/**
 * The status bar item: lock state, account and network at a glance; a click
 * opens the Ocean panel.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import type { INetworkRegistry, IWallet } from '../../tokens';

export class WalletStatusItem extends Widget {
  constructor(
    private readonly _wallet: IWallet,
    private readonly _networks: INetworkRegistry,
    private readonly _trans: TranslationBundle,
    onClick: () => void
  ) {
    super({ node: document.createElement('button') });
    this.addClass('jp-OceanStatusItem');
    this.node.setAttribute('type', 'button');
    this.node.addEventListener('click', onClick);
    _wallet.stateChanged.connect(this._render, this);
    _networks.changed.connect(this._render, this);
    this._render();
  }

  dispose(): void {
    this._wallet.stateChanged.disconnect(this._render, this);
    this._networks.changed.disconnect(this._render, this);
    super.dispose();
  }

  private _render(): void {
    const state = this._wallet.state;
    const network = this._networks.active;
    const account = state.account;
    const who = account
      ? (state.accounts.find(a => a.address === account)?.name ??
        `${account.slice(0, 6)}…${account.slice(-4)}`)
      : state.status === 'none'
        ? this._trans.__('no wallet')
        : this._trans.__('locked');
    // Geometric shapes every UI font has: an emoji padlock showed as an
    // empty box where no emoji font is installed.
    this.node.textContent = `${account ? '●' : '○'} ${who} · ${network.name}`;
    this.node.dataset.status = state.status;
    this.node.title = account
      ? this._trans.__(
          'Ocean wallet: %1 on %2 (chain %3). Click to open the Ocean panel.',
          account,
          network.name,
          String(network.chainId)
        )
      : this._trans.__(
          'Ocean wallet: %1 on %2. Click to open the Ocean panel.',
          who,
          network.name
        );
  }
}
