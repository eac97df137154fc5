/**
 * Discover: the sidebar tab listing the active network's assets.
 *
 * <ocean-discover-list> renders the list, filters and pager and raises
 * events; OceanDiscoverPanel owns the state, asks the Ocean client and shows
 * the chosen asset in the same card the notebook renderer uses.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { css, html, LitElement, nothing } from 'lit';
import { Panel, Widget } from '@lumino/widgets';
import type {
  INetworkRegistry,
  IOceanAssetQuery,
  IOceanAssetSummary,
  IOceanClient,
  IWallet,
  IWalletRequester
} from '../../tokens';
import { OceanAssetView, errorSentence } from './ocean-asset-view';
import { defaultTrans, priceText, shortAddress } from './ocean-asset-card';

/**
 * @summary The list of assets with search, filters and paging.
 * @event ocean-query - detail: the new IOceanAssetQuery.
 * @event ocean-select - detail `{ did }`.
 */
export class OceanDiscoverList extends LitElement {
  static properties = {
    assets: { attribute: false },
    access: { attribute: false },
    query: { attribute: false },
    hasMore: { type: Boolean },
    loading: { type: Boolean, reflect: true },
    error: { type: String },
    selected: { type: String },
    trans: { attribute: false }
  };

  trans: TranslationBundle = defaultTrans();

  assets: ReadonlyArray<IOceanAssetSummary> = [];
  /** did → true when the account holds a valid order. */
  access: Record<string, boolean> = {};
  query: IOceanAssetQuery = { page: 0, pageSize: 10 };
  hasMore = false;
  loading = false;
  error = '';
  selected = '';

  static styles = css`
    :host {
      display: block;
      font-family: var(--jp-ui-font-family);
      font-size: var(--jp-ui-font-size1);
      color: var(--jp-ui-font-color1);
    }
    form {
      display: flex;
      flex-wrap: wrap;
      gap: 4px;
      margin-bottom: 6px;
    }
    input[type='search'] {
      flex: 1 1 100%;
    }
    input,
    select,
    button {
      font: inherit;
      color: var(--jp-ui-font-color1);
      background: var(--jp-layout-color1);
      border: var(--jp-border-width) solid var(--jp-border-color1);
      border-radius: var(--jp-border-radius);
      padding: 2px 6px;
    }
    ul {
      list-style: none;
      padding: 0;
      margin: 0;
    }
    li {
      border-bottom: var(--jp-border-width) solid var(--jp-border-color2);
    }
    li button.item {
      display: block;
      width: 100%;
      text-align: left;
      border: none;
      background: transparent;
      padding: 6px 2px;
      cursor: pointer;
    }
    li[aria-selected='true'] button.item {
      background: var(--jp-layout-color2);
    }
    .name {
      font-weight: 600;
      overflow-wrap: anywhere;
    }
    .facts {
      display: flex;
      flex-wrap: wrap;
      gap: 4px;
      color: var(--jp-ui-font-color2);
      font-size: 0.9em;
    }
    .badge {
      border-radius: 8px;
      padding: 0 5px;
      background: var(--jp-layout-color2);
      /* The facts' grey is too faint on a badge (4.4:1 in the light theme). */
      color: var(--jp-ui-font-color1);
    }
    /* A border, not a pale fill, so the text keeps its contrast in dark
       themes too. */
    .has-access {
      background: var(--jp-layout-color1);
      box-shadow: inset 0 0 0 1px var(--jp-success-color1);
      color: var(--jp-ui-font-color1);
    }
    .pager {
      display: flex;
      gap: 6px;
      align-items: center;
      justify-content: space-between;
      margin-top: 6px;
    }
    .error {
      color: var(--jp-error-color1);
      overflow-wrap: anywhere;
    }
  `;

  private _change(patch: Partial<IOceanAssetQuery>): void {
    // The text box counts as typed even when a filter, not Enter, triggers the search.
    const input = this.renderRoot.querySelector(
      'input[type=search]'
    ) as HTMLInputElement | null;
    const text = input ? input.value : this.query.text;
    this.dispatchEvent(
      new CustomEvent<IOceanAssetQuery>('ocean-query', {
        detail: { ...this.query, text, page: 0, ...patch },
        bubbles: true,
        composed: true
      })
    );
  }

  private _select(value: string): string | undefined {
    return value || undefined;
  }

  render() {
    const query = this.query;
    const trans = this.trans;
    return html`<form
        role="search"
        @submit=${(event: Event) => {
          event.preventDefault();
          const input = this.renderRoot.querySelector(
            'input[type=search]'
          ) as HTMLInputElement;
          this._change({ text: input.value });
        }}
      >
        <input
          type="search"
          name="text"
          placeholder=${trans.__('Search assets')}
          aria-label=${trans.__('Search assets')}
          .value=${query.text ?? ''}
        />
        <select
          name="type"
          aria-label=${trans.__('Type')}
          @change=${(e: Event) =>
            this._change({
              type: this._select((e.target as HTMLSelectElement).value) as any
            })}
        >
          <option value="" ?selected=${!query.type}>
            ${trans.__('Any type')}
          </option>
          <option value="dataset" ?selected=${query.type === 'dataset'}>
            ${trans.__('Datasets')}
          </option>
          <option value="algorithm" ?selected=${query.type === 'algorithm'}>
            ${trans.__('Algorithms')}
          </option>
        </select>
        <select
          name="price"
          aria-label=${trans.__('Price')}
          @change=${(e: Event) =>
            this._change({
              price: this._select((e.target as HTMLSelectElement).value) as any
            })}
        >
          <option value="" ?selected=${!query.price}>
            ${trans.__('Any price')}
          </option>
          <option value="free" ?selected=${query.price === 'free'}>
            ${trans.__('Free')}
          </option>
          <option value="paid" ?selected=${query.price === 'paid'}>
            ${trans.__('Paid')}
          </option>
        </select>
        <select
          name="access"
          aria-label=${trans.__('Access')}
          @change=${(e: Event) =>
            this._change({
              access: this._select((e.target as HTMLSelectElement).value) as any
            })}
        >
          <option value="" ?selected=${!query.access}>
            ${trans.__('Any access')}
          </option>
          <option value="download" ?selected=${query.access === 'download'}>
            ${trans.__('Download')}
          </option>
          <option value="compute" ?selected=${query.access === 'compute'}>
            ${trans.__('Compute')}
          </option>
        </select>
        <button type="submit">${trans.__('Search')}</button>
      </form>
      ${
        this.error
          ? html`<p class="error" role="alert" data-ocean="error">
              ${this.error}
            </p>`
          : nothing
      }
      ${this.loading ? html`<p>${trans.__('Loading…')}</p>` : nothing}
      ${
        !this.loading && !this.error && this.assets.length === 0
          ? html`<p>${trans.__('No assets match.')}</p>`
          : nothing
      }
      <ul role="listbox" aria-label=${trans.__('Assets')}>
        ${this.assets.map(
          asset =>
            html`<li
              role="option"
              aria-selected=${asset.did === this.selected ? 'true' : 'false'}
              data-did=${asset.did}
            >
              <button
                class="item"
                @click=${() =>
                  this.dispatchEvent(
                    new CustomEvent('ocean-select', {
                      detail: { did: asset.did },
                      bubbles: true,
                      composed: true
                    })
                  )}
              >
                <div class="name">${asset.name}</div>
                <div class="facts">
                  <span class="badge">${asset.type}</span>
                  <span class="badge" data-ocean="price"
                    >${priceText(asset, trans)}</span
                  >
                  <span class="badge">${asset.access}</span>
                  ${
                    this.access[asset.did]
                      ? html`<span
                          class="badge has-access"
                          data-ocean="has-access"
                          >${trans.__('you have access')}</span
                        >`
                      : nothing
                  }
                  <span title=${asset.publisher}
                    >${trans.__('by %1', shortAddress(asset.publisher))}</span
                  >
                  ${asset.tags.map(tag => html`<span>#${tag}</span>`)}
                </div>
              </button>
            </li>`
        )}
      </ul>
      <div class="pager">
        <button
          data-ocean-action="previous"
          ?disabled=${!query.page || this.loading}
          @click=${() => this._change({ page: (query.page ?? 0) - 1 })}
        >
          ${trans.__('Previous')}
        </button>
        <span data-ocean="page"
          >${trans.__('Page %1', (query.page ?? 0) + 1)}</span
        >
        <button
          data-ocean-action="next"
          ?disabled=${!this.hasMore || this.loading}
          @click=${() => this._change({ page: (query.page ?? 0) + 1 })}
        >
          ${trans.__('Next')}
        </button>
      </div>`;
  }
}

if (!customElements.get('ocean-discover-list')) {
  customElements.define('ocean-discover-list', OceanDiscoverList);
}

declare global {
  interface HTMLElementTagNameMap {
    'ocean-discover-list': OceanDiscoverList;
  }
}

/** The Discover sidebar tab. */
export class OceanDiscoverPanel extends Panel {
  readonly list: OceanDiscoverList;
  private _detail: OceanAssetView;
  private _generation = 0;

  constructor(
    private readonly _client: IOceanClient,
    private readonly _networks: INetworkRegistry,
    private readonly _wallet: IWallet | null,
    private readonly _trans: TranslationBundle = defaultTrans()
  ) {
    super();
    this.id = 'jupyterlab-ocean-discover';
    this.addClass('jp-OceanDiscover');
    this.title.caption = _trans.__('Ocean: discover data');
    const top = new Widget();
    top.addClass('jp-OceanDiscover-list');
    const heading = document.createElement('h2');
    heading.textContent = _trans.__('Discover Ocean data');
    this.list = document.createElement('ocean-discover-list');
    this.list.trans = _trans;
    this.list.addEventListener('ocean-query', event => {
      void this.search((event as CustomEvent<IOceanAssetQuery>).detail);
    });
    this.list.addEventListener('ocean-select', event => {
      void this.select((event as CustomEvent<{ did: string }>).detail.did);
    });
    top.node.append(heading, this.list);
    const requester: IWalletRequester = {
      kind: 'panel',
      label: _trans.__('Ocean Discover panel')
    };
    this._detail = new OceanAssetView(_client, requester, _wallet, _trans);
    this._detail.addClass('jp-OceanDiscover-detail');
    this._detail.hide();
    this.addWidget(top);
    this.addWidget(this._detail);
    this._networks.changed.connect(() => void this.search({ page: 0 }), this);
    this._client.accessChanged.connect((_, grant) => {
      this.list.access = { ...this.list.access, [grant.did]: true };
    }, this);
    this._wallet?.stateChanged.connect(
      () => void this._refreshAccess(this._generation),
      this
    );
  }

  /** Where the asset card's "Run a job…" goes (the Publish tab's job view). */
  set runJob(open: ((did: string) => void) | null) {
    this._detail.runJob = open;
  }

  private _started = false;

  protected onAfterShow(): void {
    if (!this._started) {
      this._started = true;
      void this.search(this.list.query);
    }
  }

  async search(query: IOceanAssetQuery): Promise<void> {
    const generation = ++this._generation;
    const list = this.list;
    list.query = { pageSize: 10, ...query };
    list.loading = true;
    list.error = '';
    try {
      const page = await this._client.search(list.query);
      if (generation !== this._generation) {
        return;
      }
      list.assets = page.assets;
      list.hasMore = page.hasMore;
      list.access = {};
    } catch (error) {
      if (generation === this._generation) {
        list.assets = [];
        list.hasMore = false;
        list.error = errorSentence(error, this._trans);
      }
    } finally {
      if (generation === this._generation) {
        list.loading = false;
      }
    }
    void this._refreshAccess(generation);
  }

  /** Marks the assets the account already has a valid order for. */
  private async _refreshAccess(generation: number): Promise<void> {
    const account = this._wallet?.state.account;
    if (!account) {
      this.list.access = {};
      return;
    }
    const access: Record<string, boolean> = {};
    await Promise.all(
      this.list.assets
        .filter(asset => asset.access === 'download')
        .map(async asset => {
          const grant = await this._client
            .findAccess(asset.did, account)
            .catch(() => null);
          access[asset.did] = grant !== null;
        })
    );
    if (generation === this._generation) {
      this.list.access = access;
    }
  }

  async select(did: string): Promise<void> {
    this.list.selected = did;
    this._detail.show();
    await this._detail.load(did);
  }
}
