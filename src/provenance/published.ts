/**
 * What a publish from a notebook adds: its sources in the new DDO (before),
 * and after it went through, the entry in the notebook's record, the card
 * beside the notebook, and the licence warnings to show in the cell.
 */
import type { Contents } from '@jupyterlab/services';
import { writeWorkspaceFile } from '../ocean/workspace';
import type { IKernelCommandContext } from '../tokens';
import { cardFolder, datasetCard, derivedFrom } from './card';
import type { ILineage, IProvenanceLog } from './tokens';
import { licenceWarnings } from './record';

/** Before publishing: the lineage and what the DDO's additionalInformation gets. */
export async function publishLineage(
  log: IProvenanceLog | null,
  context: IKernelCommandContext
): Promise<{
  lineage: ILineage | null;
  additionalInformation?: Record<string, unknown>;
}> {
  const lineage = log ? await log.lineage(context.requester) : null;
  if (!lineage || !lineage.sources.length) {
    return { lineage };
  }
  return {
    lineage,
    additionalInformation: derivedFrom(lineage.sources, lineage.digest)
  };
}

export interface IPublishedAsset {
  did: string;
  tx: string;
  datatoken?: string;
  serviceId?: string;
  name: string;
  license: string;
  description: string;
  tags: ReadonlyArray<string>;
  type: 'dataset' | 'algorithm';
  chainId: number;
  /** For sale (a fixed price), not free. */
  priced?: boolean;
}

/**
 * After publishing: the record's entry, the README.md card (path relative
 * to the notebook) and the warnings for a licence the publish goes against.
 */
export async function recordPublished(
  log: IProvenanceLog | null,
  context: IKernelCommandContext,
  contents: Contents.IManager,
  published: IPublishedAsset,
  lineage: ILineage | null
): Promise<{ card: string | null; warnings: string[] }> {
  if (!log) {
    return { card: null, warnings: [] };
  }
  const entry = await log.recordPublish(context, published, lineage);
  if (!entry) {
    return { card: null, warnings: [] }; // Not from a notebook.
  }
  const record = await log.read(context.requester);
  const warnings = record
    ? licenceWarnings(record)
        .filter(warning => warning.entry === entry.id)
        .map(warning => warning.message)
    : [];
  const notebook = context.requester.path ?? '';
  const folder = notebook.split('/').slice(0, -1).join('/');
  const relative = `${cardFolder(published.name)}/README.md`;
  const text = datasetCard({
    ...published,
    sources: lineage?.sources ?? [],
    digest: lineage?.digest ?? entry.lineageDigest ?? '',
    notebook,
    warnings
  });
  await writeWorkspaceFile(
    contents,
    folder ? `${folder}/${relative}` : relative,
    new TextEncoder().encode(text)
  );
  return { card: relative, warnings };
}
