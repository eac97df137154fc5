/**
 * The card a publish from a notebook writes beside it: a Hugging Face-style
 * README.md (YAML front matter the Hub reads: license, source_datasets,
 * task_categories, pretty_name, tags) with the asset's Ocean facts and the
 * lineage table, and the sections a person must fill in (intended use,
 * limitations). Also the `derivedFrom` the new DDO carries.
 */
import type { IProvenanceEntry, IProvenanceRecord } from './record';

/** What the new asset's `metadata.additionalInformation` gets. */
export function derivedFrom(
  sources: ReadonlyArray<IProvenanceEntry>,
  digest: string
): Record<string, unknown> {
  return {
    derivedFrom: sources.map(source => ({
      did: source.did,
      chainId: source.network.chainId,
      ...(source.order ? { orderTx: source.order.tx } : {}),
      ...(source.jobId ? { jobId: source.jobId } : {}),
      ...(source.license ? { license: source.license } : {})
    })),
    lineageDigest: digest
  };
}

/** A YAML scalar: always double-quoted, so no network text can become YAML structure. */
function yamlString(text: string): string {
  return JSON.stringify(text);
}

/**
 * Network text (a source's name, licence, file names, from a DDO or a
 * notebook that may come from anyone) as literal Markdown text: no link,
 * image, HTML tag or emphasis it writes takes effect where the card is
 * shown (the lab, the Hugging Face Hub), and one line (a newline or a pipe would break a table row).
 */
function cell(text: string | undefined): string {
  return (text ?? '')
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]()!#|~]/g, char => `\\${char}`);
}

/** Text inside a `code span`: a backtick would end it, so none is kept. */
function code(text: string | undefined): string {
  return (text ?? '').replace(/[`\r\n]+/g, ' ').replace(/\|/g, '\\|');
}

export interface ICardInput {
  name: string;
  did: string;
  chainId: number;
  license: string;
  description: string;
  tags: ReadonlyArray<string>;
  type: 'dataset' | 'algorithm';
  sources: ReadonlyArray<IProvenanceEntry>;
  digest: string;
  /** The notebook it was published from (workspace path). */
  notebook: string;
  warnings: ReadonlyArray<string>;
}

/** The README.md text. */
export function datasetCard(input: ICardInput): string {
  const sourceDids = [...new Set(input.sources.map(s => s.did))];
  const front = [
    '---',
    `license: ${yamlString(input.license.toLowerCase())}`,
    `pretty_name: ${yamlString(input.name)}`,
    'source_datasets:',
    ...(sourceDids.length
      ? sourceDids.map(did => `  - ${yamlString(did)}`)
      : ['  - original']),
    'task_categories: []  # fill in: e.g. tabular-classification',
    'tags:',
    ...['ocean-protocol', ...input.tags].map(tag => `  - ${yamlString(tag)}`),
    'ocean:',
    `  did: ${yamlString(input.did)}`,
    `  chain_id: ${input.chainId}`,
    `  type: ${yamlString(input.type)}`,
    `  lineage_digest: ${yamlString(input.digest)}`,
    `  notebook: ${yamlString(input.notebook)}`,
    '---'
  ];
  const rows = input.sources.map(
    s =>
      `| ${cell(s.id)} | ${cell(s.action)} | ${cell(s.name)} | \`${code(s.did)}\` | ${cell(s.license) || '—'} | ${s.order ? `\`${code(s.order.tx)}\`` : s.jobId ? `job \`${code(s.jobId)}\`` : ''} | ${cell((s.files ?? []).map(f => `${f.path} (sha256 ${f.sha256.slice(0, 12)}…)`).join(', '))} |`
  );
  return [
    ...front,
    '',
    `# ${input.name.replace(/[\r\n]+/g, ' ')}`,
    '',
    input.description.trim() || '_No description given._',
    '',
    `Published on Ocean as \`${input.did}\` (chain ${input.chainId}) from \`${input.notebook}\`.`,
    '',
    '## Sources',
    '',
    ...(rows.length
      ? [
          '| entry | action | name | DID | licence | order / job | files |',
          '| --- | --- | --- | --- | --- | --- | --- |',
          ...rows
        ]
      : ['This asset names no Ocean sources.']),
    '',
    `Lineage digest: \`${input.digest}\`. Check the notebook's record with \`python -m jupyterlab_ocean.provenance verify ${input.notebook.split('/').pop()}\`.`,
    ...(input.warnings.length
      ? [
          '',
          '## Licence warnings',
          '',
          ...input.warnings.map(w => `- ⚠ ${cell(w)}`)
        ]
      : []),
    '',
    '## Intended use',
    '',
    '_To fill in: what this data is for, and what it is not for._',
    '',
    '## Limitations',
    '',
    '_To fill in: known gaps, biases, and how the sources limit what can be concluded._',
    ''
  ].join('\n');
}

/** A folder name for the card from the asset's name. */
export function cardFolder(name: string): string {
  const slug = name
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 60);
  return `ocean-published/${slug || 'asset'}`;
}

/** The record's sources of a publish, for callers that only hold the record. */
export function sourcesOf(
  record: IProvenanceRecord,
  ids: ReadonlyArray<string>
): IProvenanceEntry[] {
  return record.entries.filter(entry => ids.includes(entry.id));
}

/**
 * A Hugging Face Dataset's info for a loaded asset: the DDO's description
 * and licence, a citation naming the asset, its chain, the order and the
 * bytes' SHA-256, and the lineage entry itself.
 */
export function datasetInfo(
  asset: {
    did: string;
    chainId: number;
    name: string;
    author: string;
    description: string;
    license: string;
    created?: string;
  },
  entry: IProvenanceEntry | null | undefined
): {
  description: string;
  license: string;
  citation: string;
  provenance?: IProvenanceEntry;
} {
  const key = asset.did.replace(/^did:op:/, 'ocean-').slice(0, 20);
  const year = /^\d{4}/.exec(asset.created ?? '')?.[0];
  const note = [
    `Ocean Protocol ${asset.did}, chain ${asset.chainId}`,
    ...(entry?.order ? [`order ${entry.order.tx}`] : []),
    ...(entry?.files ?? []).map(file => `${file.name} sha256 ${file.sha256}`)
  ].join('; ');
  const field = (text: string) => text.replace(/[{}\\]/g, '');
  const citation = [
    `@misc{${key},`,
    `  title = {${field(asset.name)}},`,
    ...(asset.author ? [`  author = {${field(asset.author)}},`] : []),
    ...(year ? [`  year = {${year}},`] : []),
    `  howpublished = {${field(asset.did)}},`,
    `  note = {${field(note)}}`,
    '}'
  ].join('\n');
  return {
    description: asset.description,
    license: asset.license,
    citation,
    ...(entry ? { provenance: entry } : {})
  };
}
