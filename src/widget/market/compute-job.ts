/**
 * <ocean-compute-job>: a compute-to-data job for one dataset. Choose one of the algorithms
 * the dataset trusts, pay and start, follow status and logs, list the results. It only
 * renders and raises events; OceanComputeView (compute-view.ts) does the work.
 */
import {
  nullTranslator,
  type TranslationBundle
} from '@jupyterlab/translation';
import { html, LitElement, nothing } from 'lit';
import type { IComputeJob } from '../../ocean/compute';
import type {
  IComputeCostLine,
  IComputeQuote
} from '../../ocean/compute-quote';
import { oceanFormStyles } from './publish-styles';
import { slot, withMarkup } from './sentence';

export interface IComputeChoice {
  did: string;
  name: string;
}

/**
 * @summary A compute job: algorithm choice, progress, status, logs and results.
 * @event ocean-compute-start - detail `{ algorithm }`.
 * @event ocean-compute-algorithm - detail `{ algorithm }`: another algorithm was chosen.
 * @event ocean-compute-result - detail `{ index }`: save (and show) one result.
 * @event ocean-compute-stop - stop the running job.
 */
export class OceanComputeJob extends LitElement {
  static properties = {
    datasetName: { type: String },
    datasetDid: { type: String },
    algorithms: { attribute: false },
    algorithm: { type: String },
    busy: { type: Boolean, reflect: true },
    progress: { attribute: false },
    job: { attribute: false },
    logs: { type: String },
    error: { type: String },
    saved: { attribute: false },
    kernelHint: { type: String },
    quote: { attribute: false },
    quoteError: { type: String },
    algorithmsError: { type: String },
    trans: { attribute: false }
  };

  trans: TranslationBundle = nullTranslator.load('jupyterlab_ocean');

  datasetName = '';
  datasetDid = '';
  algorithms: ReadonlyArray<IComputeChoice> | null = null;
  /** The chosen algorithm DID. */
  algorithm = '';
  busy = false;
  progress: string[] = [];
  job: IComputeJob | null = null;
  logs = '';
  error = '';
  /** Result index → workspace path it was saved to. */
  saved: Record<number, string> = {};
  /** Code that loads the results into a kernel. */
  kernelHint = '';
  /** What the job will cost, shown before it is paid (null while it is read). */
  quote: IComputeQuote | null = null;
  /** Why the price could not be read. */
  quoteError = '';
  /** Why the dataset's algorithms could not be read. */
  algorithmsError = '';

  static styles = oceanFormStyles;

  private _emit(type: string, detail?: unknown): void {
    this.dispatchEvent(
      new CustomEvent(type, { detail, bubbles: true, composed: true })
    );
  }

  private _renderChoice() {
    const trans = this.trans;
    if (this.algorithmsError)
      return html`<p class="error" role="alert" data-ocean="algorithms-error">
        ${trans.__(
          'The algorithms this dataset trusts could not be read: %1',
          this.algorithmsError
        )}
      </p>`;
    if (this.algorithms === null)
      return html`<p>${trans.__('Loading algorithms…')}</p>`;
    if (this.algorithms.length === 0)
      return html`<p class="hint">
        ${trans.__('This dataset trusts no algorithm, so no job can run on it.')}
      </p>`;
    return html`<label
      >${trans.__('Algorithm')}
      <select
        name="algorithm"
        ?disabled=${this.busy}
        @change=${(event: Event) => {
          this.algorithm = (event.target as HTMLSelectElement).value;
          this._emit('ocean-compute-algorithm', { algorithm: this.algorithm });
        }}
      >
        ${this.algorithms.map(
          choice =>
            html`<option
              value=${choice.did}
              ?selected=${choice.did === this.algorithm}
            >
              ${choice.name}
            </option>`
        )}
      </select>
    </label>`;
  }

  private _renderJob(job: IComputeJob) {
    const final = job.dateFinished !== null || job.status >= 70;
    const trans = this.trans;
    return html`<div class="stack" data-ocean="job" data-status=${job.status}>
      <div>
        ${withMarkup(trans.__('Job %1: %2', slot(0), slot(1)), [
          html`<code data-ocean="job-id">${job.jobId}</code>`,
          html`<strong data-ocean="status">${job.statusText}</strong>`
        ])}
        ${
          job.terminationDetails?.reason &&
          job.terminationDetails.reason !== 'completed'
            ? html`<span class="error" data-ocean="termination"
                >(${job.terminationDetails.reason}${
                  job.terminationDetails.message
                    ? `: ${job.terminationDetails.message}`
                    : ''
                })</span
              >`
            : nothing
        }
      </div>
      ${
        !final
          ? html`<button
              data-ocean-action="stop"
              @click=${() => this._emit('ocean-compute-stop')}
            >
              ${trans.__('Stop')}
            </button>`
          : nothing
      }
      ${
        this.logs
          ? html`<details open>
              <summary>${trans.__('Logs')}</summary>
              <pre data-ocean="logs">${this.logs}</pre>
            </details>`
          : nothing
      }
      ${
        job.results?.length
          ? html`<div>${trans.__('Results')}</div>
              <ul data-ocean="results">
                ${job.results.map(
                  result =>
                    html`<li data-file=${result.filename}>
                      <code>${result.filename}</code>
                      ${trans._n('(%1 byte)', '(%1 bytes)', result.filesize)}
                      ${
                        this.saved[result.index]
                          ? html`→
                              <code data-ocean="saved"
                                >${this.saved[result.index]}</code
                              >`
                          : html`<button
                              data-ocean-action="save-result"
                              @click=${() =>
                                this._emit('ocean-compute-result', {
                                  index: result.index
                                })}
                            >
                              ${trans.__('Save to workspace')}
                            </button>`
                      }
                    </li>`
                )}
              </ul>`
          : nothing
      }
      ${
        final && this.kernelHint
          ? html`<div class="hint">${trans.__('In a notebook:')}</div>
              <pre data-ocean="kernel-hint">${this.kernelHint}</pre>`
          : nothing
      }
    </div>`;
  }

  private _costWords(line: IComputeCostLine): string {
    const trans = this.trans;
    if (line.why === 'held')
      return trans.__('nothing (you hold its datatoken)');
    if (line.why === 'minted')
      return trans.__('network fees only (you publish it: 1 is minted to you)');
    if (line.why === 'ordered')
      return trans.__('nothing (your order is still valid)');
    if (line.why === 'free' || Number(line.amount) === 0)
      return trans.__('free');
    return `${line.amount} ${line.symbol}`;
  }

  private _renderPrice() {
    const trans = this.trans;
    if (!this.algorithm || this.job) return nothing;
    if (this.quoteError)
      return html`<p class="error" data-ocean="price-error">
        ${trans.__('The price could not be read: %1', this.quoteError)}
      </p>`;
    if (!this.quote)
      return html`<p class="hint" data-ocean="price">
        ${trans.__('Reading the price…')}
      </p>`;
    const part = (line: IComputeCostLine) =>
      line.part === 'dataset'
        ? trans.__('The dataset %1', line.name)
        : line.part === 'algorithm'
          ? trans.__('The algorithm %1', line.name)
          : trans.__('The compute environment at %1', line.name);
    const total = this.quote.total;
    return html`<div data-ocean="price">
      <div>${trans.__('Price of this job:')}</div>
      <ul class="costs">
        ${this.quote.lines.map(
          line =>
            html`<li data-part=${line.part}>
              ${part(line)}: <strong>${this._costWords(line)}</strong>
            </li>`
        )}
      </ul>
      <div data-ocean="total">
        ${
          total === null
            ? trans.__('In all: the amounts above, plus network fees.')
            : Number(total) === 0
              ? trans.__('In all: nothing but network fees.')
              : trans.__(
                  'In all: %1 %2, plus network fees.',
                  total,
                  this.quote.symbol
                )
        }
      </div>
    </div>`;
  }

  render() {
    const trans = this.trans;
    if (!this.datasetDid)
      return html`<p class="hint" data-ocean="no-dataset">
        ${trans.__(
          'Choose a dataset first: “Run a job…” on a compute-only asset in Discover or My assets, or %ocean compute <did> in a notebook.'
        )}
      </p>`;
    return html`<div class="stack">
      <div>
        ${withMarkup(trans.__('Compute on %1', slot(0)), [
          html`<strong data-ocean="dataset">${this.datasetName}</strong>`
        ])}
        <div class="hint"><code>${this.datasetDid}</code></div>
      </div>
      ${this._renderChoice()} ${this._renderPrice()}
      <button
        class="primary"
        data-ocean-action="start"
        ?disabled=${this.busy || !this.algorithm}
        @click=${() =>
          this._emit('ocean-compute-start', { algorithm: this.algorithm })}
      >
        ${this.busy ? trans.__('Working…') : trans.__('Pay and start the job')}
      </button>
      ${
        this.progress.length
          ? html`<ol class="steps" data-ocean="progress" aria-live="polite">
              ${this.progress.map(line => html`<li data-state="done">${line}</li>`)}
            </ol>`
          : nothing
      }
      ${
        this.error
          ? html`<p class="error" role="alert" data-ocean="error">
              ${this.error}
            </p>`
          : nothing
      }
      ${this.job ? this._renderJob(this.job) : nothing}
    </div>`;
  }
}

if (!customElements.get('ocean-compute-job'))
  customElements.define('ocean-compute-job', OceanComputeJob);

declare global {
  interface HTMLElementTagNameMap {
    'ocean-compute-job': OceanComputeJob;
  }
}
