import {
  nullTranslator,
  type TranslationBundle
} from '@jupyterlab/translation';
import { css, html, LitElement, nothing } from 'lit';
import type { IDataPreview } from '../../ocean/preview';

const formatBytes = (bytes: number | null): string => {
  if (bytes === null) {
    return '?';
  }
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
};

/**
 * @summary Shows a data preview: a table with column types, an image grid or text.
 * Every value is bound as text; nothing from the data becomes markup.
 * @csspart table - the preview table.
 * @csspart records - the same rows as lists of "column: value", shown
 *   instead of the table where the preview is narrow (a sidebar).
 */
export class OceanDataPreview extends LitElement {
  static properties = {
    preview: { attribute: false },
    caption: { type: String },
    trans: { attribute: false }
  };

  trans: TranslationBundle = nullTranslator.load('jupyterlab_ocean');

  preview: IDataPreview | null = null;
  caption = '';

  static styles = css`
    :host {
      display: block;
      /* The layout follows the preview's own width, not the window's: the
         same card sits in a 250 px sidebar and in a wide notebook output. */
      container-type: inline-size;
      font-family: var(--jp-ui-font-family);
      font-size: var(--jp-ui-font-size1);
      color: var(--jp-ui-font-color1);
    }
    .records {
      display: none;
      max-height: 420px;
      overflow-y: auto;
      margin: 0;
      padding: 0;
      list-style: none;
    }
    /* Too narrow for more than a column or two of the table: each row is
       shown as its own list of "column: value" lines instead, so every
       column can be read without scrolling sideways. */
    @container (max-width: 360px) {
      .scroll {
        display: none;
      }
      .records {
        display: block;
      }
    }
    .records > li {
      padding: 4px 0;
      border-bottom: var(--jp-border-width) solid var(--jp-border-color2);
    }
    .records dl {
      display: grid;
      grid-template-columns: minmax(0, max-content) minmax(0, 1fr);
      gap: 0 8px;
      margin: 0;
    }
    .records dt {
      color: var(--jp-ui-font-color2);
      overflow-wrap: anywhere;
    }
    .records dd {
      margin: 0;
      font-family: var(--jp-code-font-family);
      font-size: var(--jp-code-font-size);
      overflow-wrap: anywhere;
    }
    .scroll {
      overflow: auto;
      max-height: 420px;
      border: var(--jp-border-width) solid var(--jp-border-color2);
    }
    table {
      border-collapse: collapse;
      font-family: var(--jp-code-font-family);
      font-size: var(--jp-code-font-size);
    }
    th,
    td {
      padding: 2px 8px;
      border-bottom: var(--jp-border-width) solid var(--jp-border-color2);
      text-align: left;
      white-space: pre;
      max-width: 24em;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    th {
      position: sticky;
      top: 0;
      background: var(--jp-layout-color2);
    }
    .type {
      display: block;
      font-weight: normal;
      color: var(--jp-ui-font-color2);
      font-size: 0.85em;
    }
    .grid {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(96px, 1fr));
      gap: 6px;
    }
    figure {
      margin: 0;
    }
    img {
      width: 100%;
      image-rendering: pixelated;
      border: var(--jp-border-width) solid var(--jp-border-color2);
    }
    figcaption,
    .meta {
      color: var(--jp-ui-font-color2);
      font-size: 0.85em;
      overflow-wrap: anywhere;
    }
    pre {
      white-space: pre-wrap;
      max-height: 300px;
      overflow: auto;
    }
  `;

  render() {
    const preview = this.preview;
    if (!preview) {
      return nothing;
    }
    if (preview.kind === 'images') {
      return html`<div class="grid" part="grid">
          ${preview.images.map(
            image =>
              html`<figure>
                <img src=${image.url} alt=${image.name} loading="lazy" />
                <figcaption>${image.name}</figcaption>
              </figure>`
          )}
        </div>
        <p class="meta">
          ${preview.images.length} / ${preview.fileCount} ·
          ${formatBytes(preview.bytesRead)} ${this.caption}
        </p>`;
    }
    if (preview.kind === 'text') {
      return html`<pre>${preview.text}</pre>
        <p class="meta">
          ${formatBytes(preview.bytesRead)} / ${formatBytes(preview.totalSize)}
        </p>`;
    }
    return html`<div class="scroll">
        <table part="table" data-format=${preview.format}>
          <thead>
            <tr>
              ${preview.columns.map(
                column =>
                  html`<th title=${column.name}>
                    <span class="name">${column.name}</span
                    ><span class="type">${column.type}</span>
                  </th>`
              )}
            </tr>
          </thead>
          <tbody>
            ${preview.rows.map(
              row =>
                html`<tr>
                  ${row.map(cell => html`<td title=${cell}>${cell}</td>`)}
                </tr>`
            )}
          </tbody>
        </table>
      </div>
      <ol class="records" part="records" data-format=${preview.format}>
        ${preview.rows.map(
          row =>
            html`<li>
              <dl>
                ${preview.columns.map(
                  (column, index) =>
                    html`<dt title=${column.type}>${column.name}</dt>
                      <dd>${row[index] ?? ''}</dd>`
                )}
              </dl>
            </li>`
        )}
      </ol>
      <p class="meta">
        ${preview.format.toUpperCase()} ·
        ${
          preview.totalRows !== undefined
            ? this.trans._n(
                '%2 / %1 row',
                '%2 / %1 rows',
                preview.totalRows,
                preview.rows.length
              )
            : this.trans._n('%1 row', '%1 rows', preview.rows.length)
        }
        ·
        ${this.trans.__(
          'read %1 of %2',
          formatBytes(preview.bytesRead),
          formatBytes(preview.totalSize)
        )}
        ${this.caption}
      </p>`;
  }
}

if (!customElements.get('ocean-data-preview')) {
  customElements.define('ocean-data-preview', OceanDataPreview);
}

declare global {
  interface HTMLElementTagNameMap {
    'ocean-data-preview': OceanDataPreview;
  }
}
