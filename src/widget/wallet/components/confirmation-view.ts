import { css, html, LitElement, nothing } from 'lit';
import type { IConfirmation } from '../confirmation';

/** Strings the view shows, translated by the caller. */
export interface IConfirmationLabels {
  askedBy: string;
  network: string;
  account: string;
  fee: string;
  details: string;
  raw: string;
  /** "Sepolia (chain 11155111)": the confirmation's network and chain id. */
  networkAndChain: string;
  /** Heading of the simulated balance changes. */
  changes: string;
  touched: string;
  /** Before the revert reason of a transaction that would fail. */
  wouldFail: string;
  /** "Simulated with eth_simulateV1": names the simulation's method. */
  simulated: string;
  /** "Step 2 of 4: Get access to Weather 2024", when the request is part of a flow. */
  flowStep?: string;
  /** "The whole flow costs 2.002 OCEAN and network fees." */
  flowTotal?: string;
  kinds: Record<string, string>;
}

/**
 * @summary The body of the wallet's confirmation dialog: who asks, on which
 * network and account, what it does (decoded), risks and checks, the fee.
 * Every value is rendered as text: callers and networks are untrusted.
 */
export class OceanConfirmationView extends LitElement {
  static properties = {
    confirmation: { attribute: false },
    labels: { attribute: false }
  };

  confirmation!: IConfirmation;
  labels!: IConfirmationLabels;

  static styles = css`
    :host {
      display: block;
      max-width: 560px;
      color: var(--jp-ui-font-color1);
      font-family: var(--jp-ui-font-family);
      font-size: var(--jp-ui-font-size1);
    }
    .facts {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 2px 12px;
      margin: 0 0 8px;
    }
    .facts dt {
      color: var(--jp-ui-font-color2);
    }
    .facts dd {
      margin: 0;
      overflow-wrap: anywhere;
    }
    .badge {
      display: inline-block;
      padding: 0 6px;
      margin-right: 4px;
      border-radius: 8px;
      background: var(--jp-layout-color3);
      color: var(--jp-ui-font-color1);
      font-size: var(--jp-ui-font-size0);
      text-transform: uppercase;
    }
    .summary {
      font-size: var(--jp-ui-font-size2);
      font-weight: 600;
      margin: 8px 0;
      overflow-wrap: anywhere;
    }
    .warning {
      border-left: 4px solid var(--jp-warn-color1);
      /* Mixed from the theme so the text keeps its contrast in light and dark. */
      background: color-mix(
        in srgb,
        var(--jp-warn-color1) 16%,
        var(--jp-layout-color1)
      );
      color: var(--jp-ui-font-color1);
      padding: 6px 8px;
      margin: 6px 0;
      overflow-wrap: anywhere;
    }
    .check {
      border-left: 4px solid var(--jp-success-color1);
      background: color-mix(
        in srgb,
        var(--jp-success-color1) 12%,
        var(--jp-layout-color1)
      );
      padding: 6px 8px;
      margin: 6px 0;
      overflow-wrap: anywhere;
    }
    .rows {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 2px 12px;
      max-height: 40vh;
      overflow: auto;
      padding: 6px;
      border: var(--jp-border-width) solid var(--jp-border-color2);
      border-radius: var(--jp-border-radius);
      background: var(--jp-layout-color1);
    }
    .rows dt {
      color: var(--jp-ui-font-color2);
    }
    .rows dd {
      margin: 0;
      overflow-wrap: anywhere;
    }
    .mono {
      font-family: var(--jp-code-font-family);
      font-size: var(--jp-code-font-size);
    }
    .fee {
      margin: 8px 0 0;
    }
    details {
      margin-top: 8px;
    }
    details pre {
      white-space: pre-wrap;
      overflow-wrap: anywhere;
      max-height: 120px;
      overflow: auto;
      font-family: var(--jp-code-font-family);
      font-size: var(--jp-code-font-size);
      background: var(--jp-layout-color2);
      padding: 4px;
    }
    .flow {
      display: flex;
      flex-wrap: wrap;
      gap: 2px 12px;
      margin: 4px 0;
      padding: 4px 8px;
      border-radius: var(--jp-border-radius);
      background: var(--jp-layout-color2);
      color: var(--jp-ui-font-color1);
    }
    .flow .step {
      font-weight: 600;
    }
    .blocked {
      border-left: 4px solid var(--jp-error-color1);
      background: color-mix(
        in srgb,
        var(--jp-error-color1) 16%,
        var(--jp-layout-color1)
      );
      color: var(--jp-ui-font-color1);
      padding: 6px 8px;
      margin: 6px 0;
      overflow-wrap: anywhere;
    }
    .blocked .reason {
      font-weight: 600;
    }
    .simulation {
      margin: 6px 0;
      padding: 6px 8px;
      border: var(--jp-border-width) solid var(--jp-border-color2);
      border-radius: var(--jp-border-radius);
    }
    .simulation ul {
      margin: 2px 0 4px;
      padding-left: 18px;
    }
    .simulation .change {
      font-weight: 600;
    }
    .simulation .note {
      color: var(--jp-ui-font-color2);
      font-size: var(--jp-ui-font-size0);
    }
    summary:focus-visible {
      outline: 2px solid var(--jp-brand-color1);
    }
  `;

  /** What simulating the transaction showed: changes, contracts, method. */
  private _simulation(c: IConfirmation) {
    const simulation = c.simulation!;
    const labels = this.labels;
    return html`<div class="simulation">
      ${
        simulation.changes.length
          ? html`<div>${labels.changes}:</div>
              <ul aria-label=${labels.changes}>
                ${simulation.changes.map(
                  change => html`<li class="change">${change}</li>`
                )}
              </ul>`
          : nothing
      }
      ${
        simulation.touched.length
          ? html`<div>${labels.touched}:</div>
              <ul class="touched mono">
                ${simulation.touched.map(address => html`<li>${address}</li>`)}
              </ul>`
          : nothing
      }
      ${
        simulation.note
          ? html`<div class="note">${simulation.note}</div>`
          : nothing
      }
      ${
        simulation.method
          ? html`<div class="note">${labels.simulated}</div>`
          : nothing
      }
    </div>`;
  }

  render() {
    const c = this.confirmation;
    const labels = this.labels;
    if (!c) {
      return nothing;
    }
    return html`
      <dl class="facts">
        <dt>${labels.askedBy}</dt>
        <dd class="requester" data-kind=${c.requester.kind}>
          <span class="badge"
            >${labels.kinds[c.requester.kind] ?? c.requester.kind}</span
          >${c.requester.label}${
            // The path only where it says more than the label's name (a
            // notebook in a folder), not "x.ipynb (Python 3) (x.ipynb)".
            c.requester.path && !c.requester.label.startsWith(c.requester.path)
              ? html` <span class="mono">(${c.requester.path})</span>`
              : nothing
          }
        </dd>
        <dt>${labels.network}</dt>
        <dd class="network">${labels.networkAndChain}</dd>
        <dt>${labels.account}</dt>
        <dd class="account">
          ${c.accountName} <span class="mono">${c.account}</span>
        </dd>
      </dl>
      ${
        labels.flowStep
          ? html`<div class="flow">
              <span class="step">${labels.flowStep}</span>
              ${
                labels.flowTotal
                  ? html`<span class="total">${labels.flowTotal}</span>`
                  : nothing
              }
            </div>`
          : nothing
      }
      <p class="summary" role="status">${c.summary}</p>
      ${c.warnings.map(
        warning => html`<div class="warning" role="alert">⚠ ${warning}</div>`
      )}
      ${
        c.blocked
          ? html`<div class="blocked" role="alert">
              ${labels.wouldFail}
              <span class="reason">${c.blocked}</span>
            </div>`
          : nothing
      }
      ${c.checks.map(check => html`<div class="check">✓ ${check}</div>`)}
      ${c.simulation ? this._simulation(c) : nothing}
      ${
        c.rows.length
          ? html`<dl class="rows" aria-label=${labels.details} tabindex="0">
              ${c.rows.map(
                row =>
                  html`<dt style="padding-left: ${(row.depth ?? 0) * 12}px">
                      ${row.label}
                    </dt>
                    <dd class=${row.mono ? 'mono' : ''}>${row.value}</dd>`
              )}
            </dl>`
          : nothing
      }
      ${
        c.fee
          ? html`<p class="fee"><strong>${labels.fee}:</strong> ${c.fee}</p>`
          : nothing
      }
      ${
        c.raw
          ? html`<details>
              <summary>${labels.raw}</summary>
              <pre>${c.raw}</pre>
            </details>`
          : nothing
      }
    `;
  }
}

if (!customElements.get('ocean-confirmation-view')) {
  customElements.define('ocean-confirmation-view', OceanConfirmationView);
}

declare global {
  interface HTMLElementTagNameMap {
    'ocean-confirmation-view': OceanConfirmationView;
  }
}
