/**
 * <ocean-manage-list>: the assets the wallet's account published, with sales and revenue, and
 * the publisher's actions (change price, withdraw earnings, set state). It only renders and
 * raises events; the panel signs through the wallet.
 */
import {
  nullTranslator,
  type TranslationBundle
} from '@jupyterlab/translation';
import { css, html, LitElement, nothing } from 'lit';
import { ASSET_STATES, type IMyAsset } from '../../ocean/manage';
import {
  accountListHead,
  accountListNotices,
  accountListStyles
} from './account-list';
import { oceanFormStyles } from './publish-styles';

export type ManageAction =
  | { kind: 'price'; did: string; price: string }
  | { kind: 'withdraw'; did: string }
  | { kind: 'state'; did: string; state: number }
  | { kind: 'compute'; did: string };

/** A data NFT's metadata state in words. */
function stateWords(state: number, trans: TranslationBundle): string {
  switch (state) {
    case 0:
      return trans.__('Active');
    case 1:
      return trans.__('End of life');
    case 2:
      return trans.__('Deprecated');
    case 3:
      return trans.__('Revoked');
    case 4:
      return trans.__('Ordering disabled');
    case 5:
      return trans.__('Unlisted');
    default:
      return trans.__('State %1', state);
  }
}

/**
 * @summary My published assets and what a publisher can do with them.
 * @event ocean-manage - detail: ManageAction.
 * @event ocean-refresh - asks for the list again.
 */
export class OceanManageList extends LitElement {
  static properties = {
    account: { type: String },
    assets: { attribute: false },
    loading: { type: Boolean, reflect: true },
    busy: { type: String },
    error: { type: String },
    message: { type: String },
    trans: { attribute: false }
  };

  trans: TranslationBundle = nullTranslator.load('jupyterlab_ocean');

  account = '';
  assets: ReadonlyArray<IMyAsset> = [];
  loading = false;
  /** The DID an action is running for. */
  busy = '';
  error = '';
  message = '';

  static styles = [
    oceanFormStyles,
    accountListStyles,
    css`
      select {
        max-width: 100%;
        min-width: 0;
      }
    `
  ];

  private _emit(type: string, detail?: unknown): void {
    this.dispatchEvent(
      new CustomEvent(type, { detail, bubbles: true, composed: true })
    );
  }

  private _renderAsset(asset: IMyAsset) {
    const busy = this.busy === asset.did;
    const exchange = asset.exchange;
    const trans = this.trans;
    return html`<li data-did=${asset.did}>
      <div class="name" data-ocean="name"><strong>${asset.name}</strong></div>
      <div class="hint">
        ${asset.type} · ${asset.access} ·
        <span data-ocean="state">${stateWords(asset.state, trans)}</span>
      </div>
      <dl>
        <dt>${trans.__('Sales')}</dt>
        <dd data-ocean="orders">${asset.orders}</dd>
        <dt>${trans.__('Price')}</dt>
        <dd data-ocean="price">
          ${
            exchange
              ? trans.__('%1 OCEAN', exchange.rate)
              : asset.price.type === 'dispenser'
                ? trans.__('Free')
                : trans.__('Not for sale')
          }
        </dd>
        ${
          exchange
            ? html`<dt>${trans.__('Revenue')}</dt>
                <dd data-ocean="revenue">
                  ${trans.__('%1 OCEAN', exchange.revenue)}
                </dd>
                <dt>${trans.__('In the exchange')}</dt>
                <dd data-ocean="withdrawable">
                  ${trans.__('%1 OCEAN', exchange.withdrawable)}
                </dd>`
            : nothing
        }
      </dl>
      <div class="row">
        ${
          exchange
            ? html`<form
                  class="row"
                  @submit=${(event: Event) => {
                    event.preventDefault();
                    const input = (
                      event.target as HTMLFormElement
                    ).elements.namedItem('price') as HTMLInputElement;
                    this._emit('ocean-manage', {
                      kind: 'price',
                      did: asset.did,
                      price: input.value
                    });
                  }}
                >
                  <input
                    name="price"
                    type="number"
                    min="0"
                    step="any"
                    aria-label=${trans.__('New price in OCEAN')}
                    style="width: 5em"
                    .value=${exchange.rate}
                  />
                  <button data-ocean-action="set-price" ?disabled=${busy}>
                    ${trans.__('Set price')}
                  </button>
                </form>
                <button
                  data-ocean-action="withdraw"
                  ?disabled=${busy || !(Number(exchange.withdrawable) > 0)}
                  @click=${() =>
                    this._emit('ocean-manage', {
                      kind: 'withdraw',
                      did: asset.did
                    })}
                >
                  ${trans.__('Withdraw %1 OCEAN', exchange.withdrawable)}
                </button>`
            : nothing
        }
        <label class="inline"
          >${trans.__('State')}
          <select
            name="state"
            ?disabled=${busy}
            @change=${(event: Event) =>
              this._emit('ocean-manage', {
                kind: 'state',
                did: asset.did,
                state: Number((event.target as HTMLSelectElement).value)
              })}
          >
            ${ASSET_STATES.map(
              entry =>
                html`<option
                  value=${entry.value}
                  ?selected=${entry.value === asset.state}
                >
                  ${stateWords(entry.value, trans)}
                </option>`
            )}
          </select>
        </label>
        ${
          asset.access === 'compute'
            ? html`<button
                data-ocean-action="compute"
                @click=${() =>
                  this._emit('ocean-manage', {
                    kind: 'compute',
                    did: asset.did
                  })}
              >
                ${trans.__('Run a job…')}
              </button>`
            : nothing
        }
      </div>
    </li>`;
  }

  render() {
    const trans = this.trans;
    return html`<div class="stack">
      ${accountListHead(
        trans,
        this.account
          ? trans.__('Published by %1', this.account)
          : trans.__('Unlock the wallet to see what you published.'),
        {
          action: 'refresh',
          loading: this.loading,
          onClick: () => this._emit('ocean-refresh')
        }
      )}
      ${accountListNotices(this.error, this.message)}
      ${
        !this.loading && this.account && this.assets.length === 0
          ? html`<p>
              ${trans.__('You have not published anything on this network yet.')}
            </p>`
          : nothing
      }
      <ul class="assets" aria-label=${trans.__('My assets')}>
        ${this.assets.map(asset => this._renderAsset(asset))}
      </ul>
    </div>`;
  }
}

if (!customElements.get('ocean-manage-list'))
  customElements.define('ocean-manage-list', OceanManageList);

declare global {
  interface HTMLElementTagNameMap {
    'ocean-manage-list': OceanManageList;
  }
}
