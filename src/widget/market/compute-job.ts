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
import { oceanFormStyles } from './publish-styles';
import { slot, withMarkup } from './sentence';

export interface IComputeChoice {
  did: string;
  name: string;
}

/**
 * @summary A compute job: algorithm choice, progress, status, logs and results.
 * @event ocean-compute-start - detail `{ algorithm }`.
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

  static styles = oceanFormStyles;

  private _emit(type: string, detail?: unknown): void {
    this.dispatchEvent(
      new CustomEvent(type, { detail, bubbles: true, composed: true })
    );
  }

  private _renderChoice() {
    const trans = this.trans;
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
        @change=${(event: Event) =>
          (this.algorithm = (event.target as HTMLSelectElement).value)}
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

  render() {
    const trans = this.trans;
    return html`<div class="stack">
      <div>
        ${withMarkup(trans.__('Compute on %1', slot(0)), [
          html`<strong data-ocean="dataset">${this.datasetName}</strong>`
        ])}
        <div class="hint"><code>${this.datasetDid}</code></div>
      </div>
      ${this._renderChoice()}
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
