/**
 * What the account's lists in the market panels ("My purchases", "My assets") show alike
 * above their items: whose list it is beside a Refresh button, then the error and message
 * lines. One renderer so both lists read, and refresh, the same way; one layout for their
 * items too.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { css, html, nothing } from 'lit';

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

/**
 * Items one under another without the list's indent, each item's facts as
 * label and value side by side: at the sidebar's 250 px every pixel of
 * width counts (My purchases, without it, lost 80 px to a bullet's and a
 * definition's indent).
 */
export const accountListStyles = css`
  ul.assets {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  ul.assets > li {
    padding: 6px 0;
    border-top: var(--jp-border-width) solid var(--jp-border-color2);
    display: flex;
    flex-direction: column;
    gap: 4px;
  }
  .name {
    overflow-wrap: anywhere;
  }
  dl {
    display: grid;
    grid-template-columns: auto 1fr;
    gap: 0 8px;
    margin: 0;
  }
  dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
`;
