/**
 * What the account's lists in the market panels ("My purchases", "My assets") show alike
 * above their items: whose list it is beside a Refresh button, then the error and message
 * lines. One renderer so both lists read, and refresh, the same way.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { html, nothing } from 'lit';

/** The head row: `hint` (whose list, or how to see one) and a Refresh button. */
export function accountListHead(
  trans: TranslationBundle,
  hint: string,
  refresh: { action: string; loading: boolean; onClick: () => void }
) {
  return html`<div class="row">
    <span class="hint">${hint}</span>
    <button
      data-ocean-action=${refresh.action}
      ?disabled=${refresh.loading}
      @click=${refresh.onClick}
    >
      ${refresh.loading ? trans.__('Loading…') : trans.__('Refresh')}
    </button>
  </div>`;
}

/**
 * The list's error (an alert) and message lines, each only when set;
 * `messageRole` lets a list announce its message as a status.
 */
export function accountListNotices(
  error: string,
  message: string,
  messageRole?: 'status'
) {
  return html`${
    error
      ? html`<p class="error" role="alert" data-ocean="error">${error}</p>`
      : nothing
  }${
    message
      ? html`<p class="ok" role=${messageRole ?? nothing} data-ocean="message">
          ${message}
        </p>`
      : nothing
  }`;
}
