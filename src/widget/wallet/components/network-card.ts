import { css, html, LitElement, nothing } from 'lit';
import type { IOceanNetwork } from '../../../tokens';
import type { INetworkStatus } from '../../../ocean/network-status';

/** Strings the card shows, translated by the caller. */
export interface INetworkCardLabels {
  network: string;
  chain: string;
  node: string;
  checking: string;
  reachable: string;
  block: string;
  refresh: string;
  switchNetwork: string;
}

/**
 * @summary Shows the active network and whether its chain and Ocean Node answer.
 * @event ocean-refresh - the user asked for a new check.
 * @event ocean-switch-network - detail `{ key }`: the user picked another network.
 * @csspart row - one fact row.
 */
export class OceanNetworkCard extends LitElement {
  static properties = {
    networks: { attribute: false },
    active: { attribute: false },
    status: { attribute: false },
    checking: { type: Boolean, reflect: true },
    labels: { attribute: false }
  };

  networks: ReadonlyArray<IOceanNetwork> = [];
  active: IOceanNetwork | null = null;
  status: INetworkStatus | null = null;
  checking = false;
  labels!: INetworkCardLabels;

  static styles = css`
    :host {
      display: block;
      color: var(--jp-ui-font-color1);
      font-family: var(--jp-ui-font-family);
      font-size: var(--jp-ui-font-size1);
    }
    .row {
      display: flex;
      gap: 8px;
      align-items: baseline;
      padding: 4px 0;
    }
    .label {
      min-width: 4.5em;
      color: var(--jp-ui-font-color2);
    }
    .ok {
      color: var(--jp-success-color1);
    }
    .bad {
      color: var(--jp-error-color1);
    }
    .busy {
      color: var(--jp-warn-color1);
    }
    select,
    button {
      font: inherit;
      color: var(--jp-ui-font-color1);
      background: var(--jp-layout-color1);
      border: var(--jp-border-width) solid var(--jp-border-color1);
      border-radius: var(--jp-border-radius);
      padding: 2px 6px;
    }
    /* Long network names shrink with the sidebar (250 px at its narrowest)
       instead of pushing it sideways. */
    select {
      flex: 1 1 auto;
      min-width: 0;
      max-width: 100%;
      text-overflow: ellipsis;
    }
    button:focus-visible,
    select:focus-visible {
      outline: 2px solid var(--jp-brand-color1);
      outline-offset: 1px;
    }
    .message {
      overflow-wrap: anywhere;
    }
  `;

  /** Shows the active network in the select again (a switch was refused). */
  resetSelection(): void {
    const select = this.renderRoot.querySelector('select');
    if (select && this.active) {
      select.value = this.active.key;
    }
  }

  private _onSelect(event: Event): void {
    const key = (event.target as HTMLSelectElement).value;
    this.dispatchEvent(
      new CustomEvent('ocean-switch-network', {
        detail: { key },
        bubbles: true,
        composed: true
      })
    );
  }

  private _onRefresh(): void {
    this.dispatchEvent(
      new CustomEvent('ocean-refresh', { bubbles: true, composed: true })
    );
  }

  private _renderChain() {
    const labels = this.labels;
    if (!this.status) {
      return html`<span aria-live="polite">${labels.checking}</span>`;
    }
    const chain = this.status.chain;
    return chain.reachable
      ? html`<span class="ok" data-state="ok"
          >${labels.reachable} · ${labels.block} ${chain.blockNumber}</span
        >`
      : html`<span
          class="bad message"
          data-state="error"
          data-code=${String(chain.error.code)}
          >${chain.error.message}</span
        >`;
  }

  private _renderNode() {
    const labels = this.labels;
    if (!this.status) {
      return html`<span>${labels.checking}</span>`;
    }
    const node = this.status.node;
    if (node.reachable && node.rateLimited) {
      // A 429: the node is up and asks to be left alone for a while.
      return html`<span
        class="busy message"
        data-state="rate-limited"
        aria-live="polite"
        >${node.rateLimited.message}</span
      >`;
    }
    return node.reachable
      ? html`<span class="ok" data-state="ok"
          >${labels.reachable}${node.version ? html` · v${node.version}` : nothing}</span
        >`
      : html`<span
          class="bad message"
          data-state="error"
          data-code=${String(node.error.code)}
          >${node.error.message}</span
        >`;
  }

  render() {
    if (!this.active) {
      return nothing;
    }
    const labels = this.labels;
    return html`
      <div class="row" part="row">
        <label class="label" for="network">${labels.network}</label>
        <select
          id="network"
          aria-label=${labels.switchNetwork}
          @change=${this._onSelect}
          .value=${this.active.key}
        >
          ${this.networks.map(
            network =>
              html`<option
                value=${network.key}
                ?selected=${network.key === this.active?.key}
              >
                ${network.name} (${network.chainId})
              </option>`
          )}
        </select>
      </div>
      <div class="row chain" part="row">
        <span class="label">${labels.chain}</span>${this._renderChain()}
      </div>
      <div class="row node" part="row">
        <span class="label">${labels.node}</span>${this._renderNode()}
      </div>
      <div class="row" part="row">
        <button
          type="button"
          @click=${this._onRefresh}
          ?disabled=${this.checking}
        >
          ${labels.refresh}
        </button>
      </div>
    `;
  }
}

if (!customElements.get('ocean-network-card')) {
  customElements.define('ocean-network-card', OceanNetworkCard);
}

declare global {
  interface HTMLElementTagNameMap {
    'ocean-network-card': OceanNetworkCard;
  }
}
