/**
 * <ocean-purchase-list>: "My purchases", the orders the wallet's account started (read from
 * the chain by src/ocean/purchases.ts), each with its asset's name, when, what was paid, and
 * ways to use it: a cell that loads it in the current notebook, or its DID. It only renders and
 * raises events; the panel reads and copies.
 */
import {
  nullTranslator,
  type TranslationBundle
} from '@jupyterlab/translation';
import { css, html, LitElement, nothing } from 'lit';
import type { IPurchase } from '../../ocean/purchases';
import {
  accountListHead,
  accountListNotices,
  accountListStyles
} from './account-list';
import { oceanFormStyles } from './publish-styles';

export type PurchaseAction =
  { kind: 'load'; did: string } | { kind: 'copy-did'; did: string };

/**
 * @summary The account's orders, newest first.
 * @event ocean-purchase - detail: PurchaseAction.
 * @event ocean-refresh-purchases - asks for the list again.
 */
export class OceanPurchaseList extends LitElement {
  static properties = {
    account: { type: String },
    purchases: { attribute: false },
    fromBlock: { type: Number },
    loading: { type: Boolean, reflect: true },
    error: { type: String },
    message: { type: String },
    trans: { attribute: false }
  };

  trans: TranslationBundle = nullTranslator.load('jupyterlab_ocean');

  account = '';
  purchases: ReadonlyArray<IPurchase> = [];
  /** Above 0 when only recent blocks could be read. */
  fromBlock = 0;
  loading = false;
  error = '';
  message = '';

  static styles = [
    oceanFormStyles,
    accountListStyles,
    css`
      h3 {
        margin: 12px 0 2px;
        font-size: var(--jp-ui-font-size2);
      }
      /* Addresses and DIDs break anywhere: the sidebar may be 250 px wide. */
      .hint,
      .ok {
        overflow-wrap: anywhere;
      }
    `
  ];

  private _emit(type: string, detail?: unknown): void {
    this.dispatchEvent(
      new CustomEvent(type, { detail, bubbles: true, composed: true })
    );
  }

  private _paid(purchase: IPurchase): string {
    const trans = this.trans;
    switch (purchase.how) {
      case 'bought':
        return purchase.paid
          ? trans.__('%1 %2', purchase.paid.amount, purchase.paid.symbol)
          : trans.__('Bought');
      case 'free':
        return trans.__('Free');
      case 'minted':
        return trans.__('Nothing (your own asset: datatoken minted)');
      default:
        return trans.__('Nothing now (a datatoken you held)');
    }
  }

  private _renderPurchase(purchase: IPurchase) {
    const trans = this.trans;
    const did = purchase.did;
    const date = new Date(purchase.startedAt);
    return html`<li data-order=${purchase.orderTxId} data-did=${did ?? ''}>
      <div class="name" data-ocean="name">
        <strong
          >${
            purchase.name ||
            (did
              ? trans.__('(untitled asset)')
              : trans.__('An asset this node does not list'))
          }</strong
        >
      </div>
      <dl>
        <dt>${trans.__('Ordered')}</dt>
        <dd data-ocean="date">
          <time datetime=${date.toISOString()}>${date.toLocaleString()}</time>
        </dd>
        <dt>${trans.__('Paid')}</dt>
        <dd data-ocean="paid">${this._paid(purchase)}</dd>
      </dl>
      <div class="row">
        ${
          did
            ? html`<button
                  data-ocean-action="load"
                  title=${trans.__(
                    'Adds a cell that loads it to the current notebook'
                  )}
                  @click=${() =>
                    this._emit('ocean-purchase', { kind: 'load', did })}
                >
                  ${trans.__('Load in notebook')}
                </button>
                <button
                  data-ocean-action="copy-did"
                  @click=${() =>
                    this._emit('ocean-purchase', { kind: 'copy-did', did })}
                >
                  ${trans.__('Copy DID')}
                </button>`
            : html`<span class="hint">${purchase.datatoken}</span>`
        }
      </div>
    </li>`;
  }

  render() {
    const trans = this.trans;
    return html`<div class="stack">
      <h3 class="title">${trans.__('My purchases')}</h3>
      ${accountListHead(
        trans,
        this.account
          ? trans.__('Orders started by %1', this.account)
          : trans.__('Unlock the wallet to see what you bought.'),
        {
          action: 'refresh-purchases',
          loading: this.loading,
          onClick: () => this._emit('ocean-refresh-purchases')
        }
      )}
      ${accountListNotices(this.error, this.message, 'status')}
      ${
        this.fromBlock > 0
          ? html`<p class="hint">
              ${trans.__(
                'The network’s RPC allows reading recent blocks only: orders since block %1.',
                this.fromBlock
              )}
            </p>`
          : nothing
      }
      ${
        !this.loading && this.account && this.purchases.length === 0
          ? html`<p>
              ${trans.__('You have not bought access to anything on this network yet.')}
            </p>`
          : nothing
      }
      <ul class="assets" aria-label=${trans.__('My purchases')}>
        ${this.purchases.map(purchase => this._renderPurchase(purchase))}
      </ul>
    </div>`;
  }
}

if (!customElements.get('ocean-purchase-list'))
  customElements.define('ocean-purchase-list', OceanPurchaseList);

declare global {
  interface HTMLElementTagNameMap {
    'ocean-purchase-list': OceanPurchaseList;
  }
}
