/**
 * <ocean-publish-form>: the sidebar form that publishes a file as an Ocean asset. It renders
 * what it is given and raises `ocean-publish` with the values; the panel does the work. The
 * values stay in the form whatever happens, so a failed step loses nothing typed.
 */
import { html, LitElement, nothing } from 'lit';
import type { IAlgorithmChoice } from '../../ocean/manage';
import { LICENSES, type PublishStep } from '../../ocean/publish';
import { oceanFormStyles } from './publish-styles';

export interface IPublishFormValues {
  type: 'dataset' | 'algorithm';
  name: string;
  description: string;
  author: string;
  license: string;
  /** Comma-separated in the form. */
  tags: string;
  sampleUrl: string;
  source: 'workspace' | 'url';
  /** A workspace path (relative to the server root) or a URL. */
  path: string;
  url: string;
  access: 'download' | 'compute';
  /** DIDs of the algorithms a compute-only dataset trusts. */
  trusted: string[];
  pricing: 'fixed' | 'free';
  price: string;
}

export const EMPTY_PUBLISH_FORM: IPublishFormValues = {
  type: 'dataset',
  name: '',
  description: '',
  author: '',
  license: 'CC-BY-4.0',
  tags: '',
  sampleUrl: '',
  source: 'workspace',
  path: '',
  url: '',
  access: 'download',
  trusted: [],
  pricing: 'fixed',
  price: '1'
};

/** The steps of publishing, in order, as people read them. */
export const PUBLISH_STEPS: ReadonlyArray<{
  step: PublishStep;
  label: string;
}> = [
  { step: 'check', label: 'Find Ocean’s contracts' },
  { step: 'upload', label: 'Store the file on the Ocean Node' },
  { step: 'create', label: 'Create the data NFT, datatoken and price' },
  { step: 'encrypt', label: 'Encrypt the description with the node' },
  { step: 'metadata', label: 'Write the description to the NFT' },
  { step: 'index', label: 'Wait for the node to index the asset' },
  { step: 'done', label: 'Published' }
];

/**
 * @summary The publish form with step progress.
 * @event ocean-publish - detail: IPublishFormValues.
 * @event ocean-load-algorithms - asks the panel for the network's algorithm assets.
 */
export class OceanPublishForm extends LitElement {
  static properties = {
    values: { attribute: false },
    algorithms: { attribute: false },
    algorithmsError: { type: String },
    busy: { type: Boolean, reflect: true },
    step: { type: String },
    stepMessage: { type: String },
    failedStep: { type: String },
    error: { type: String },
    result: { attribute: false }
  };

  values: IPublishFormValues = { ...EMPTY_PUBLISH_FORM };
  algorithms: ReadonlyArray<IAlgorithmChoice> | null = null;
  algorithmsError = '';
  busy = false;
  /** The step in progress (or the last one reached). */
  step: PublishStep | '' = '';
  stepMessage = '';
  failedStep: PublishStep | '' = '';
  error = '';
  result: { did: string; name: string } | null = null;

  static styles = oceanFormStyles;

  /** Fills the form for a workspace file, keeping what was typed for other fields. */
  prefillFile(path: string): void {
    const name = path.split('/').pop() ?? path;
    const title = name.replace(/\.[^.]+$/, '').replace(/[_-]+/g, ' ');
    const isCode = /\.(js|mjs|ts)$/i.test(name);
    this.values = {
      ...this.values,
      source: 'workspace',
      path,
      name: this.values.name || title,
      type: isCode ? 'algorithm' : this.values.type
    };
    this.result = null;
    this.error = '';
  }

  private _set<K extends keyof IPublishFormValues>(
    key: K,
    value: IPublishFormValues[K]
  ): void {
    this.values = { ...this.values, [key]: value };
    if (key === 'access' && value === 'compute' && this.algorithms === null)
      this._emit('ocean-load-algorithms');
  }

  private _emit(type: string, detail?: unknown): void {
    this.dispatchEvent(
      new CustomEvent(type, { detail, bubbles: true, composed: true })
    );
  }

  private _input(key: keyof IPublishFormValues) {
    return (event: Event) =>
      this._set(key, (event.target as HTMLInputElement).value as never);
  }

  private _toggleTrusted(did: string, on: boolean): void {
    const trusted = new Set(this.values.trusted);
    if (on) trusted.add(did);
    else trusted.delete(did);
    this._set('trusted', [...trusted]);
  }

  private _stepState(step: PublishStep): string {
    const order = PUBLISH_STEPS.map(entry => entry.step);
    if (this.failedStep === step) return 'failed';
    if (!this.step) return 'pending';
    const current = order.indexOf(this.step as PublishStep);
    const index = order.indexOf(step);
    if (this.step === 'done' || index < current) return 'done';
    if (index === current) return this.busy ? 'active' : 'pending';
    return 'pending';
  }

  private _renderAlgorithms() {
    if (this.values.access !== 'compute') return nothing;
    let list;
    if (this.algorithmsError)
      list = html`<p class="error">${this.algorithmsError}</p>`;
    else if (this.algorithms === null) list = html`<p>Loading algorithms…</p>`;
    else if (this.algorithms.length === 0)
      list = html`<p class="hint">
        The network has no algorithm assets yet: publish one first.
      </p>`;
    else
      list = this.algorithms.map(
        algorithm =>
          html`<label class="inline" title=${algorithm.did}>
            <input
              type="checkbox"
              name="trusted"
              value=${algorithm.did}
              .checked=${this.values.trusted.includes(algorithm.did)}
              @change=${(event: Event) =>
                this._toggleTrusted(
                  algorithm.did,
                  (event.target as HTMLInputElement).checked
                )}
            />
            <span>${algorithm.name}</span>
          </label>`
      );
    return html`<fieldset data-ocean="trusted">
      <legend>Trusted algorithms</legend>
      <span class="hint"
        >Only these may run on the data; nobody can download it.</span
      >
      ${list}
    </fieldset>`;
  }

  render() {
    const v = this.values;
    const dataset = v.type === 'dataset';
    return html`<form
      @submit=${(event: Event) => {
        event.preventDefault();
        this._emit('ocean-publish', { ...this.values });
      }}
    >
      <label class="inline"
        >Publish a
        <select name="type" @change=${this._input('type')}>
          <option value="dataset" ?selected=${dataset}>dataset</option>
          <option value="algorithm" ?selected=${!dataset}>
            algorithm (JS/TS)
          </option>
        </select>
      </label>
      <fieldset>
        <legend>File</legend>
        <div class="row">
          <label class="inline"
            ><input
              type="radio"
              name="source"
              value="workspace"
              .checked=${v.source === 'workspace'}
              @change=${() => this._set('source', 'workspace')}
            />From the workspace</label
          >
          <label class="inline"
            ><input
              type="radio"
              name="source"
              value="url"
              .checked=${v.source === 'url'}
              @change=${() => this._set('source', 'url')}
            />A URL</label
          >
        </div>
        ${
          v.source === 'workspace'
            ? html`<input
                  name="path"
                  aria-label="Workspace path"
                  placeholder="data/table.csv"
                  .value=${v.path}
                  @input=${this._input('path')}
                /><span class="hint"
                  >Kept in the Ocean Node’s storage; its location is encrypted.
                  Right-click a file in the file browser to fill this in.</span
                >`
            : html`<input
                name="url"
                type="url"
                aria-label="File URL"
                placeholder="https://…"
                .value=${v.url}
                @input=${this._input('url')}
              />`
        }
      </fieldset>
      <label
        >Title
        <input
          name="name"
          required
          maxlength="200"
          .value=${v.name}
          @input=${this._input('name')}
      /></label>
      <label
        >Description
        <textarea
          name="description"
          required
          .value=${v.description}
          @input=${this._input('description')}
        ></textarea>
      </label>
      <label
        >Author
        <input
          name="author"
          required
          maxlength="200"
          .value=${v.author}
          @input=${this._input('author')}
      /></label>
      <label
        >Licence
        <select name="license" @change=${this._input('license')}>
          ${LICENSES.map(
            license =>
              html`<option value=${license} ?selected=${v.license === license}>
                ${license}
              </option>`
          )}
        </select>
      </label>
      <label
        >Tags <span class="hint">(comma-separated)</span>
        <input name="tags" .value=${v.tags} @input=${this._input('tags')}
      /></label>
      <label
        >Public sample URL <span class="hint">(optional)</span>
        <input
          name="sampleUrl"
          type="url"
          .value=${v.sampleUrl}
          @input=${this._input('sampleUrl')}
      /></label>
      ${
        dataset
          ? html`<fieldset>
              <legend>Access</legend>
              <label class="inline"
                ><input
                  type="radio"
                  name="access"
                  value="download"
                  .checked=${v.access === 'download'}
                  @change=${() => this._set('access', 'download')}
                />Download</label
              >
              <label class="inline"
                ><input
                  type="radio"
                  name="access"
                  value="compute"
                  .checked=${v.access === 'compute'}
                  @change=${() => this._set('access', 'compute')}
                />Compute only (algorithms travel to the data)</label
              >
              ${this._renderAlgorithms()}
            </fieldset>`
          : nothing
      }
      <fieldset>
        <legend>Price</legend>
        <div class="row">
          <label class="inline"
            ><input
              type="radio"
              name="pricing"
              value="fixed"
              .checked=${v.pricing === 'fixed'}
              @change=${() => this._set('pricing', 'fixed')}
            />Fixed</label
          >
          ${
            v.pricing === 'fixed'
              ? html`<input
                    name="price"
                    type="number"
                    min="0"
                    step="any"
                    aria-label="Price in OCEAN"
                    style="width: 6em"
                    .value=${v.price}
                    @input=${this._input('price')}
                  />
                  OCEAN`
              : nothing
          }
          <label class="inline"
            ><input
              type="radio"
              name="pricing"
              value="free"
              .checked=${v.pricing === 'free'}
              @change=${() => this._set('pricing', 'free')}
            />Free</label
          >
        </div>
      </fieldset>
      <button
        class="primary"
        type="submit"
        data-ocean-action="publish"
        ?disabled=${this.busy}
      >
        ${this.busy ? 'Publishing…' : 'Publish'}
      </button>
      ${
        this.step || this.failedStep
          ? html`<ol class="steps" data-ocean="steps" aria-live="polite">
              ${PUBLISH_STEPS.filter(
                entry => entry.step !== 'upload' || v.source === 'workspace'
              ).map(
                entry =>
                  html`<li
                    data-step=${entry.step}
                    data-state=${this._stepState(entry.step)}
                  >
                    ${entry.label}
                  </li>`
              )}
            </ol>`
          : nothing
      }
      ${
        this.busy && this.stepMessage
          ? html`<p class="hint" data-ocean="step-message">
              ${this.stepMessage}
            </p>`
          : nothing
      }
      ${
        this.error
          ? html`<p class="error" role="alert" data-ocean="error">
              ${this.error}
            </p>`
          : nothing
      }
      ${
        this.result
          ? html`<p class="ok" data-ocean="published">
              Published “${this.result.name}” as
              <code data-ocean="did">${this.result.did}</code>. It is listed in
              Discover.
            </p>`
          : nothing
      }
    </form>`;
  }
}

if (!customElements.get('ocean-publish-form'))
  customElements.define('ocean-publish-form', OceanPublishForm);

declare global {
  interface HTMLElementTagNameMap {
    'ocean-publish-form': OceanPublishForm;
  }
}
