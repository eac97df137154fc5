/**
 * How a lineage record reads to people: the sources table (`%ocean
 * provenance`), the chain of dataset → job → published asset, and the
 * verifier's ✔ / sentence per entry. Every string from the record is
 * untrusted (the notebook may come from anyone): HTML goes through escape.
 */
import {
  licenceWarnings,
  type IProvenanceEntry,
  type IProvenanceRecord
} from './record';
import type { IEntryVerdict } from './verify';

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    char =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[
        char
      ]!
  );
}

const short = (hex: string | undefined) =>
  !hex ? '' : hex.length > 14 ? `${hex.slice(0, 8)}…${hex.slice(-4)}` : hex;

/** One row of the sources table: what a DataFrame gets. */
export interface IProvenanceRow {
  entry: string;
  action: string;
  name: string;
  did: string;
  license: string;
  order: string;
  consumer: string;
  job: string;
  files: string;
  sha256: string;
  sources: string;
  cell: string;
  at: string;
}

export function provenanceRows(record: IProvenanceRecord): IProvenanceRow[] {
  return record.entries.map(entry => ({
    entry: entry.id,
    action:
      entry.action === 'load' && entry.order?.reused
        ? 'load (order reused)'
        : entry.action === 'order' && entry.order?.reused
          ? 'order (reused)'
          : entry.action,
    name: entry.name ?? '',
    did: entry.did,
    license: entry.license ?? '',
    order: entry.order?.tx ?? entry.tx ?? '',
    consumer: entry.consumer ?? '',
    job: entry.jobId ?? '',
    files: (entry.files ?? []).map(file => file.path).join(', '),
    sha256: (entry.files ?? []).map(file => file.sha256).join(', '),
    sources: (entry.sources ?? []).join(', '),
    cell: entry.cellId ?? '',
    at: entry.at
  }));
}

const label = (entry: IProvenanceEntry) =>
  `${entry.id} ${entry.action} ${entry.name ? `“${entry.name}”` : short(entry.did)}${entry.jobId ? ` (job ${short(entry.jobId)})` : ''}`;

/**
 * Chains as lines, one per published asset (or compute job nothing was
 * published from), its sources before it:
 * `e1 load “Weather” + (e2 load “Stations” → e3 compute “Sensors”) → e4 publish “Derived”`.
 */
export function lineageChains(record: IProvenanceRecord): string[] {
  const byId = new Map(record.entries.map(entry => [entry.id, entry]));
  const used = new Set(record.entries.flatMap(entry => entry.sources ?? []));
  const render = (entry: IProvenanceEntry, seen: Set<string>): string => {
    const sources = (entry.sources ?? [])
      .map(id => byId.get(id))
      .filter((source): source is IProvenanceEntry => !!source)
      .filter(source => !seen.has(source.id));
    if (!sources.length) {
      return label(entry);
    }
    const inner = new Set([...seen, entry.id]);
    const parts = sources.map(source => {
      const text = render(source, inner);
      return source.sources?.length && sources.length > 1 ? `(${text})` : text;
    });
    return `${parts.join(' + ')} → ${label(entry)}`;
  };
  return record.entries
    .filter(
      entry =>
        (entry.action === 'publish' || entry.action === 'compute') &&
        !used.has(entry.id)
    )
    .map(end => render(end, new Set([end.id])));
}

/** The `%ocean provenance` display: a table, the chains, the licence warnings. */
export function provenanceBundle(record: IProvenanceRecord): {
  text: string;
  html: string;
  warnings: string[];
} {
  const rows = provenanceRows(record);
  const warnings = licenceWarnings(record).map(w => w.message);
  const chains = lineageChains(record);
  if (!rows.length) {
    const empty =
      'This notebook has no Ocean provenance yet: %ocean load, compute and publish record what they do here.';
    return {
      text: empty,
      html: `<p>${escapeHtml(empty)}</p>`,
      warnings
    };
  }
  const text = [
    ...rows.map(
      row =>
        `${row.entry.padEnd(4)} ${row.action.padEnd(20)} ${row.name || row.did}  [${row.license || 'no licence'}]${row.order ? `  order ${short(row.order)}` : ''}${row.job ? `  job ${short(row.job)}` : ''}${row.sha256 ? `  sha256 ${short(row.sha256)}` : ''}${row.sources ? `  from ${row.sources}` : ''}${row.action === 'use' && row.cell ? `  in cell ${short(row.cell)}` : ''}`
    ),
    ...(chains.length ? ['', ...chains] : []),
    ...warnings.map(w => `⚠ ${w}`)
  ].join('\n');
  const cells = (row: IProvenanceRow) =>
    [
      row.entry,
      row.action,
      row.name,
      row.did,
      row.license || '—',
      short(row.order),
      short(row.job),
      row.files,
      row.sha256
        .split(', ')
        .map(hash => short(hash))
        .join(', '),
      row.sources,
      row.cell ? short(row.cell) : ''
    ]
      .map((value, index) =>
        // DID, order, job, files, SHA-256: code that wraps anywhere (style/base.css).
        [3, 5, 6, 7, 8].includes(index) && value
          ? `<td><code>${escapeHtml(value)}</code></td>`
          : `<td>${escapeHtml(value)}</td>`
      )
      .join('');
  const head = [
    'entry',
    'action',
    'name',
    'DID',
    'licence',
    'order',
    'job',
    'files',
    'SHA-256',
    'from',
    'cell'
  ]
    .map(name => `<th>${name}</th>`)
    .join('');
  const html = [
    '<div class="jp-OceanProvenance">',
    `<table class="jp-OceanKernelTable"><thead><tr>${head}</tr></thead><tbody>${rows
      .map(
        row => `<tr data-entry="${escapeHtml(row.entry)}">${cells(row)}</tr>`
      )
      .join('')}</tbody></table>`,
    chains.length
      ? `<ul class="jp-OceanProvenance-chains">${chains.map(c => `<li>${escapeHtml(c)}</li>`).join('')}</ul>`
      : '',
    ...warnings.map(
      w => `<p class="jp-OceanProvenance-warning">⚠ ${escapeHtml(w)}</p>`
    ),
    '</div>'
  ].join('');
  return { text, html, warnings };
}

/** The verifier's answer: ✔ per entry that holds, the sentences otherwise. */
export function verdictText(verdicts: IEntryVerdict[]): string {
  if (!verdicts.length) {
    return 'Nothing to verify: this notebook has no Ocean provenance yet.';
  }
  const lines = verdicts.map(v =>
    v.ok
      ? `✔ ${v.entry}: ${v.checked.join(', ') || 'nothing to check'}`
      : v.problems.map(p => `✘ ${p}`).join('\n')
  );
  const failed = verdicts.filter(v => !v.ok).length;
  const total = verdicts.length;
  lines.push(
    total === 1
      ? failed
        ? 'The one entry does not hold.'
        : 'The one entry holds.'
      : failed
        ? `${failed} of ${total} entries do not hold.`
        : `All ${total} entries hold.`
  );
  return lines.join('\n');
}
