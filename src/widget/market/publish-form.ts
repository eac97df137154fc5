/**
 * <ocean-publish-form>: the sidebar form that publishes a file as an Ocean asset. It renders
 * what it is given and raises `ocean-publish` with the values; the panel does the work. The
 * values stay in the form whatever happens, so a failed step loses nothing typed.
 */
import {
  nullTranslator,
  type TranslationBundle
} from '@jupyterlab/translation';
import { html, LitElement, nothing } from 'lit';
import type { IAlgorithmChoice } from '../../ocean/manage';
import { LICENSES, type PublishStep } from '../../ocean/publish';
import { oceanFormStyles } from './publish-styles';
import { slot, withMarkup } from './sentence';

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

/** The steps of publishing, in order. */
export const PUBLISH_STEPS: ReadonlyArray<PublishStep> = [
  'check',
  'upload',
  'create',
  'encrypt',
  'metadata',
  'index',
  'done'
];

/** A publishing step as people read it. */
export function publishStepLabel(
  step: PublishStep,
  trans: TranslationBundle
): string {
  switch (step) {
    case 'check':
      return trans.__('Find Ocean’s contracts');
    case 'upload':
      return trans.__('Store the file on the Ocean Node');
    case 'create':
      return trans.__('Create the data NFT, datatoken and price');
    case 'encrypt':
      return trans.__('Encrypt the description with the node');
    case 'metadata':
      return trans.__('Write the description to the NFT');
    case 'index':
      return trans.__('Wait for the node to index the asset');
    case 'done':
      return trans.__('Published');
  }
}

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
    result: { attribute: false },
    trans: { attribute: false }
  };

  trans: TranslationBundle = nullTranslator.load('jupyterlab_ocean');

  values: IPublishFormValues = { ...EMPTY_PUBLISH_FORM };
  algorithms: ReadonlyArray<IAlgorithmChoice> | null = null;
  algorithmsError = '';
  /** The panel was asked for the algorithms and has not answered yet. */
  private _algorithmsAsked = false;
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
  }

  /** Asks the panel for the network's algorithms (again). */
  private _askAlgorithms(): void {
    this._algorithmsAsked = true;
    this.algorithmsError = '';
    this.algorithms = null;
    this._emit('ocean-load-algorithms');
  }

  protected willUpdate(changed: Map<PropertyKey, unknown>): void {
    // Answered: a later "no list" (a network switch) asks again.
    if (changed.has('algorithms') && this.algorithms !== null)
      this._algorithmsAsked = false;
  }

  protected updated(): void {
    // Whenever the trusted-algorithm list shows without algorithms (compute
    // chosen, a network switch, a dataset type chosen again), ask for them
    // once, instead of "Loading algorithms…" that nothing answers.
    if (
      this.values.type === 'dataset' &&
      this.values.access === 'compute' &&
      this.algorithms === null &&
      !this.algorithmsError &&
      !this._algorithmsAsked
    )
      this._askAlgorithms();
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
    const order = PUBLISH_STEPS;
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
    const trans = this.trans;
    let list;
    if (this.algorithmsError)
      list = html`<p class="error" role="alert" data-ocean="algorithms-error">
          ${trans.__(
            "The network's algorithms could not be read: %1",
            this.algorithmsError
          )}
        </p>
        <button
          type="button"
          data-ocean-action="reload-algorithms"
          @click=${() => this._askAlgorithms()}
        >
          ${trans.__('Try again')}
        </button>`;
    else if (this.algorithms === null)
      list = html`<p>${trans.__('Loading algorithms…')}</p>`;
    else if (this.algorithms.length === 0)
      list = html`<p class="hint">
        ${trans.__('The network has no algorithm assets yet: publish one first.')}
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
      <legend>${trans.__('Trusted algorithms')}</legend>
      <span class="hint"
        >${trans.__(
          'Only these may run on the data; nobody can download it.'
        )}</span
      >
      ${list}
    </fieldset>`;
  }

  render() {
    const v = this.values;
    const trans = this.trans;
    const dataset = v.type === 'dataset';
    return html`<form
      @submit=${(event: Event) => {
        event.preventDefault();
        this._emit('ocean-publish', { ...this.values });
      }}
    >
      <label class="inline"
        >${trans.__('Publish a')}
        <select name="type" @change=${this._input('type')}>
          <option value="dataset" ?selected=${dataset}>
            ${trans.__('dataset')}
          </option>
          <option value="algorithm" ?selected=${!dataset}>
            ${trans.__('algorithm (JS/TS)')}
          </option>
        </select>
      </label>
      <fieldset>
        <legend>${trans.__('File')}</legend>
        <div class="row">
          <label class="inline"
            ><input
              type="radio"
              name="source"
              value="workspace"
              .checked=${v.source === 'workspace'}
              @change=${() => this._set('source', 'workspace')}
            />${trans.__('From the workspace')}</label
          >
          <label class="inline"
            ><input
              type="radio"
              name="source"
              value="url"
              .checked=${v.source === 'url'}
              @change=${() => this._set('source', 'url')}
            />${trans.__('A URL')}</label
          >
        </div>
        ${
          v.source === 'workspace'
            ? html`<input
                  name="path"
                  aria-label=${trans.__('Workspace path')}
                  placeholder=${trans.__('data/table.csv')}
                  .value=${v.path}
                  @input=${this._input('path')}
                /><span class="hint"
                  >${trans.__(
                    'Kept in the Ocean Node’s storage; its location is encrypted. Right-click a file in the file browser to fill this in.'
                  )}</span
                >`
            : html`<input
                name="url"
                type="url"
                aria-label=${trans.__('File URL')}
                placeholder="https://…"
                .value=${v.url}
                @input=${this._input('url')}
              />`
        }
      </fieldset>
      <label
        >${trans.__('Title')}
        <input
          name="name"
          required
          maxlength="200"
          .value=${v.name}
          @input=${this._input('name')}
      /></label>
      <label
        >${trans.__('Description')}
        <textarea
          name="description"
          required
          .value=${v.description}
          @input=${this._input('description')}
        ></textarea>
      </label>
      <label
        >${trans.__('Author')}
        <input
          name="author"
          required
          maxlength="200"
          .value=${v.author}
          @input=${this._input('author')}
      /></label>
      <label
        >${trans.__('Licence')}
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
        >${trans.__('Tags')}
        <span class="hint">${trans.__('(comma-separated)')}</span>
        <input name="tags" .value=${v.tags} @input=${this._input('tags')}
      /></label>
      <label
        >${trans.__('Public sample URL')}
        <span class="hint">${trans.__('(optional)')}</span>
        <input
          name="sampleUrl"
          type="url"
          .value=${v.sampleUrl}
          @input=${this._input('sampleUrl')}
      /></label>
      ${
        dataset
          ? html`<fieldset>
              <legend>${trans.__('Access')}</legend>
              <label class="inline"
                ><input
                  type="radio"
                  name="access"
                  value="download"
                  .checked=${v.access === 'download'}
                  @change=${() => this._set('access', 'download')}
                />${trans.__('Download')}</label
              >
              <label class="inline"
                ><input
                  type="radio"
                  name="access"
                  value="compute"
                  .checked=${v.access === 'compute'}
                  @change=${() => this._set('access', 'compute')}
                />${trans.__(
                  'Compute only (algorithms travel to the data)'
                )}</label
              >
              ${this._renderAlgorithms()}
            </fieldset>`
          : nothing
      }
      <fieldset>
        <legend>${trans.__('Price')}</legend>
        <div class="row">
          <label class="inline"
            ><input
              type="radio"
              name="pricing"
              value="fixed"
              .checked=${v.pricing === 'fixed'}
              @change=${() => this._set('pricing', 'fixed')}
            />${trans.__('Fixed')}</label
          >
          ${
            v.pricing === 'fixed'
              ? html`<input
                    name="price"
                    type="number"
                    min="0"
                    step="any"
                    aria-label=${trans.__('Price in OCEAN')}
                    style="width: 6em"
                    .value=${v.price}
                    @input=${this._input('price')}
                  />
                  <!-- i18n-ignore: the token's symbol -->
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
            />${trans.__('Free')}</label
          >
        </div>
      </fieldset>
      <button
        class="primary"
        type="submit"
        data-ocean-action="publish"
        ?disabled=${this.busy}
      >
        ${this.busy ? trans.__('Publishing…') : trans.__('Publish')}
      </button>
      ${
        this.step || this.failedStep
          ? html`<ol class="steps" data-ocean="steps" aria-live="polite">
              ${PUBLISH_STEPS.filter(
                step => step !== 'upload' || v.source === 'workspace'
              ).map(
                step =>
                  html`<li
                    data-step=${step}
                    data-state=${this._stepState(step)}
                  >
                    ${publishStepLabel(step, trans)}
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
              ${withMarkup(
                trans.__(
                  'Published “%1” as %2. It is listed in Discover.',
                  this.result.name,
                  slot(0)
                ),
                [html`<code data-ocean="did">${this.result.did}</code>`]
              )}
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
