import {
  nullTranslator,
  type TranslationBundle
} from '@jupyterlab/translation';
import { css, html, LitElement, nothing } from 'lit';
import type { IDataPreview } from '../../ocean/preview';
import type {
  IOceanAccessGrant,
  IOceanAssetSummary,
  IOceanProgress
} from '../../tokens';
import './ocean-data-preview';

/** Where the card is in the access flow. */
export type AssetCardState =
  'loading' | 'locked' | 'working' | 'unlocked' | 'failed';

/** The bundle views fall back on when no translator is given. */
export const defaultTrans = (): TranslationBundle =>
  nullTranslator.load('jupyterlab_ocean');

export const priceText = (
  asset: IOceanAssetSummary,
  trans: TranslationBundle = defaultTrans()
): string =>
  asset.price.type === 'dispenser'
    ? trans.__('Free')
    : asset.price.type === 'fixedrate'
      ? `${asset.price.amount.replace(/\.0+$/, '')} ${asset.price.symbol ?? 'OCEAN'}`
      : 'Not for sale';

/** An address or a transaction hash as 0x1234…abcd; anything else as it is. */
export const shortAddress = (address: string): string =>
  /^0x(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/.test(address)
    ? `${address.slice(0, 6)}…${address.slice(-4)}`
    : address;

/**
 * @summary An Ocean asset: metadata, licence, price, access and a data preview.
 *
 * Every string of the DDO is untrusted and bound as text (never as markup);
 * the sample link is kept only when it is http(s).
 *
 * @event ocean-get-access - the user asked to get access.
 * @event ocean-preview - the user asked for (another) preview.
 * @event ocean-retry - the user asked to load the asset again.
 * @event ocean-sample - the user asked to read the public sample.
 * @event ocean-compute - the user asked to run a job on this compute-only dataset.
 */
export class OceanAssetCard extends LitElement {
  static properties = {
    asset: { attribute: false },
    state: { type: String, reflect: true },
    grant: { attribute: false },
    progress: { attribute: false },
    error: { type: String },
    errorCode: { type: String, attribute: 'error-code', reflect: true },
    preview: { attribute: false },
    sample: { attribute: false },
    sampleError: { type: String, attribute: false },
    previewing: { type: Boolean },
    previewMs: { type: Number, attribute: 'preview-ms', reflect: true },
    canBuy: { type: Boolean, attribute: 'can-buy' },
    canCompute: { type: Boolean, attribute: 'can-compute' },
    account: { type: String },
    trans: { attribute: false }
  };

  trans: TranslationBundle = defaultTrans();

  asset: IOceanAssetSummary | null = null;
  state: AssetCardState = 'loading';
  grant: IOceanAccessGrant | null = null;
  progress: IOceanProgress[] = [];
  error = '';
  errorCode = '';
  preview: IDataPreview | null = null;
  /** Rows of the publisher's public sample, when it could be read. */
  sample: IDataPreview | null = null;
  sampleError = '';
  previewing = false;
  previewMs = 0;
  canBuy = true;
  /** Whether a compute-only dataset offers "Run a job…" (someone opens the job view). */
  canCompute = false;
  /** The wallet's account: a publisher's own asset costs them network fees only. */
  account = '';

  static styles = css`
    :host {
      display: block;
      font-family: var(--jp-ui-font-family);
      font-size: var(--jp-ui-font-size1);
      color: var(--jp-ui-font-color1);
      border: var(--jp-border-width) solid var(--jp-border-color1);
      border-radius: 4px;
      padding: 10px 12px;
      max-width: 960px;
      background: var(--jp-layout-color1);
    }
    h3 {
      margin: 0 0 4px;
      font-size: var(--jp-ui-font-size2);
      overflow-wrap: anywhere;
    }
    .badges {
      display: flex;
      flex-wrap: wrap;
      gap: 4px;
      margin: 4px 0;
    }
    .badge {
      border-radius: 8px;
      padding: 0 6px;
      background: var(--jp-layout-color2);
      color: var(--jp-ui-font-color1);
      font-size: 0.9em;
    }
    /* Coloured by their border, not a pale fill: the text keeps the
       theme's own contrast in light and dark themes alike. */
    .badge.price {
      background: var(--jp-layout-color1);
      box-shadow: inset 0 0 0 1px var(--jp-brand-color1);
    }
    .badge.access {
      background: var(--jp-layout-color1);
      box-shadow: inset 0 0 0 1px var(--jp-success-color1);
    }
    dl {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 2px 10px;
      margin: 6px 0;
    }
    dt {
      color: var(--jp-ui-font-color2);
    }
    dd {
      margin: 0;
      overflow-wrap: anywhere;
    }
    /* Set as textContent: under pre-wrap, a template's own indentation
       around the text would show as a blank line and spaces. */
    .description {
      white-space: pre-wrap;
      overflow-wrap: anywhere;
      max-height: 8em;
      overflow: auto;
      margin: 6px 0;
    }
    button {
      font: inherit;
      color: var(--jp-ui-inverse-font-color1);
      background: var(--jp-brand-color1);
      border: none;
      border-radius: var(--jp-border-radius);
      padding: 4px 10px;
      cursor: pointer;
    }
    button.secondary {
      color: var(--jp-ui-font-color1);
      background: var(--jp-layout-color2);
    }
    button:disabled {
      opacity: 0.6;
      cursor: default;
    }
    button:focus-visible {
      outline: 2px solid var(--jp-brand-color1);
      outline-offset: 1px;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      align-items: center;
      margin: 8px 0;
    }
    .error {
      color: var(--jp-error-color1);
      overflow-wrap: anywhere;
    }
    .progress {
      margin: 4px 0;
      padding-left: 1.2em;
      color: var(--jp-ui-font-color2);
    }
    .progress li:last-child {
      color: var(--jp-ui-font-color1);
    }
    progress {
      width: 12em;
    }
    code {
      font-family: var(--jp-code-font-family);
      font-size: 0.9em;
    }
    ul.sources {
      margin: 0;
      padding: 0;
      list-style: none;
    }
    button.link {
      border: none;
      background: none;
      padding: 0;
      color: var(--jp-content-link-color);
      cursor: pointer;
      text-decoration: underline;
    }
  `;

  private _emit(name: string, detail?: unknown): void {
    this.dispatchEvent(
      new CustomEvent(name, { bubbles: true, composed: true, detail })
    );
  }

  private _renderAccess() {
    const asset = this.asset!;
    const trans = this.trans;
    if (this.state === 'unlocked') {
      return html`<div class="actions">
          <span class="badge access" data-ocean="access"
            >${
              this.grant?.reused
                ? trans.__('Access (earlier order)')
                : trans.__('Access granted')
            }</span
          >
          <button
            class="secondary"
            data-ocean-action="preview"
            ?disabled=${this.previewing}
            @click=${() => this._emit('ocean-preview')}
          >
            ${
              this.previewing
                ? trans.__('Loading preview…')
                : this.preview
                  ? trans.__('Refresh preview')
                  : trans.__('Preview data')
            }
          </button>
          ${
            this.grant
              ? html`<span class="meta"
                  >${trans.__('order')}
                  <code data-ocean="order" title=${this.grant.orderTxId}
                    >${shortAddress(this.grant.orderTxId)}</code
                  ></span
                >`
              : nothing
          }
        </div>
        ${
          this.preview
            ? html`<ocean-data-preview
                data-ocean="preview"
                .preview=${this.preview}
                .trans=${trans}
                .caption=${
                  this.previewMs ? trans.__('in %1 ms', this.previewMs) : ''
                }
              ></ocean-data-preview>`
            : nothing
        }`;
    }
    const working = this.state === 'working';
    const last = this.progress[this.progress.length - 1];
    return html`<div class="actions">
        <span class="badge" data-ocean="locked">${trans.__('Locked')}</span>
        ${
          asset.access === 'download'
            ? html`<button
                data-ocean-action="get-access"
                ?disabled=${working || !this.canBuy}
                @click=${() => this._emit('ocean-get-access')}
              >
                ${
                  working
                    ? trans.__('Getting access…')
                    : asset.price.type === 'dispenser'
                      ? trans.__('Get access (free)')
                      : this.account &&
                          this.account.toLowerCase() ===
                            asset.publisher.toLowerCase()
                        ? trans.__('Get access (your asset: network fees only)')
                        : trans.__('Get access for %1', priceText(asset, trans))
                }
              </button>`
            : html`<span
                  >${trans.__(
                    'Compute-to-data only: the data never leaves the node.'
                  )}</span
                >${
                  // Nobody downloads it, so this is the card's way in: the
                  // job view, where its trusted algorithms and price show.
                  this.canCompute
                    ? html`<button
                        data-ocean-action="compute"
                        @click=${() =>
                          this._emit('ocean-compute', { did: asset.did })}
                      >
                        ${trans.__('Run a job…')}
                      </button>`
                    : nothing
                }`
        }
        ${
          working && last?.fraction !== undefined
            ? html`<progress max="1" .value=${last.fraction}></progress>`
            : nothing
        }
      </div>
      ${
        this.progress.length
          ? html`<ol class="progress" data-ocean="progress" aria-live="polite">
              ${this.progress.map(
                step =>
                  html`<li>
                    ${step.message}
                    ${
                      step.txHash
                        ? html` <code title=${step.txHash}
                            >${shortAddress(step.txHash)}</code
                          >`
                        : nothing
                    }
                  </li>`
              )}
            </ol>`
          : nothing
      }
      ${
        this.sample
          ? html`<details open data-ocean="sample">
              <summary>
                ${trans.__('Public sample (free, from the publisher)')}
              </summary>
              <ocean-data-preview
                .preview=${this.sample}
                .trans=${trans}
              ></ocean-data-preview>
            </details>`
          : nothing
      }`;
  }

  render() {
    const trans = this.trans;
    if (this.state === 'loading' && !this.asset) {
      return html`<p>${trans.__('Loading the asset…')}</p>`;
    }
    const asset = this.asset;
    if (!asset) {
      return html`<p class="error" role="alert" data-ocean="error">
          ${this.error}
        </p>
        <button class="secondary" @click=${() => this._emit('ocean-retry')}>
          ${trans.__('Try again')}
        </button>`;
    }
    return html`<article>
      <h3 data-ocean="title">${asset.name}</h3>
      <div class="badges">
        <span class="badge">${asset.type}</span>
        <span class="badge price" data-ocean="price"
          >${priceText(asset, trans)}</span
        >
        <span class="badge">${asset.access}</span>
        ${asset.tags.map(tag => html`<span class="badge">${tag}</span>`)}
      </div>
      <div
        class="description"
        data-ocean="description"
        .textContent=${asset.description}
      ></div>
      <dl>
        <dt>${trans.__('Author')}</dt>
        <dd>${asset.author || '—'}</dd>
        <dt>${trans.__('Publisher')}</dt>
        <dd><code title=${asset.publisher}>${asset.publisher}</code></dd>
        <dt>${trans.__('Licence')}</dt>
        <dd data-ocean="license">${asset.license || '—'}</dd>
        ${
          asset.sampleUrl
            ? html`<dt>${trans.__('Sample')}</dt>
                <dd>
                  <a
                    href=${asset.sampleUrl}
                    target="_blank"
                    rel="noopener noreferrer nofollow"
                    >${asset.sampleUrl}</a
                  >
                  ${
                    this.state !== 'unlocked' && !this.sample
                      ? html`<button
                          class="secondary"
                          data-ocean-action="sample"
                          @click=${() => this._emit('ocean-sample')}
                        >
                          ${trans.__('Show sample rows')}
                        </button>`
                      : nothing
                  }
                  ${
                    this.sampleError
                      ? html`<span class="meta">${this.sampleError}</span>`
                      : nothing
                  }
                </dd>`
            : nothing
        }
        <dt>${trans.__('Asset')}</dt>
        <dd><code>${asset.did}</code></dd>
        ${
          asset.derivedFrom?.length
            ? html`<dt>${trans.__('Derived from')}</dt>
                <dd data-ocean="derived-from">
                  <ul class="sources">
                    ${asset.derivedFrom.map(
                      did =>
                        html`<li>
                          <button
                            class="link"
                            data-ocean-action="source"
                            data-did=${did}
                            title=${trans.__('Show this source')}
                            @click=${() => this._emit('ocean-open-source', { did })}
                          >
                            <code>${did}</code>
                          </button>
                        </li>`
                    )}
                  </ul>
                </dd>`
            : nothing
        }
      </dl>
      ${this._renderAccess()}
      ${
        this.error
          ? html`<p class="error" role="alert" data-ocean="error">
              ${this.error}
            </p>`
          : nothing
      }
    </article>`;
  }
}

if (!customElements.get('ocean-asset-card')) {
  customElements.define('ocean-asset-card', OceanAssetCard);
}

declare global {
  interface HTMLElementTagNameMap {
    'ocean-asset-card': OceanAssetCard;
  }
}
