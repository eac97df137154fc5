/**
 * "Notebook grants" in the Ocean panel: the live grants, what each has
 * spent, and a Revoke button per grant. Plain DOM with textContent only,
 * since a grant's words carry a notebook's name.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { formatAmount } from '../../ocean/wallet-decode';
import type { OceanWallet } from './wallet';

export class GrantsSection {
  readonly node: HTMLElement;

  constructor(
    private readonly _wallet: OceanWallet,
    private readonly _trans: TranslationBundle
  ) {
    this.node = document.createElement('section');
    this.node.className = 'jp-OceanPanel-section jp-OceanGrants';
    this.node.setAttribute('aria-label', _trans.__('Notebook grants'));
    _wallet.grantsChanged.connect(this.render, this);
    // Expiry needs no event: look again every half minute.
    this._timer = window.setInterval(() => this.render(), 30_000);
    this.render();
  }

  dispose(): void {
    window.clearInterval(this._timer);
    this._wallet.grantsChanged.disconnect(this.render, this);
  }

  render(): void {
    const t = this._trans;
    const grants = this._wallet.grants;
    this.node.hidden = grants.length === 0;
    const heading = document.createElement('h3');
    heading.textContent = t.__('Notebook grants');
    const list = document.createElement('ul');
    list.className = 'jp-OceanGrants-list';
    for (const grant of grants) {
      const item = document.createElement('li');
      item.dataset.grant = grant.id;
      const who = document.createElement('div');
      who.className = 'jp-OceanGrants-who';
      who.textContent = grant.label;
      const what = document.createElement('div');
      what.className = 'jp-OceanGrants-spent';
      const minutes = Math.max(
        0,
        Math.ceil((grant.expiresAt - Date.now()) / 60_000)
      );
      what.textContent = t.__(
        'Spent %1 of %2 %3 in %4 request(s) on %5; ends in %6 min.',
        formatAmount(grant.spent, grant.tokenDecimals),
        formatAmount(grant.cap, grant.tokenDecimals),
        grant.tokenSymbol,
        String(grant.uses),
        grant.networkName,
        String(minutes)
      );
      const revoke = document.createElement('button');
      revoke.className = 'jp-mod-styled jp-mod-warn jp-OceanGrants-revoke';
      revoke.textContent = t.__('Revoke');
      revoke.addEventListener('click', () =>
        this._wallet.revokeGrant(grant.id)
      );
      item.append(who, what, revoke);
      list.append(item);
    }
    this.node.replaceChildren(heading, list);
  }

  private _timer: number;
}
