/**
 * The lineage record a notebook keeps in its metadata: the one definition of
 * its shape, used by the browser (which writes it) and restated in
 * jupyterlab_ocean/provenance.py (which verifies it without a wallet); a
 * unit test checks the two agree on the key and the version.
 *
 * Why metadata and not an output: outputs are cleared and re-run, metadata
 * survives save, reload and `nbconvert --to notebook`, and a reviewer gets it
 * with the .ipynb. Nothing secret goes in: no signature, no auth token, no
 * download URL; only what anyone can look up on the chain and the node.
 */

/** Where the record lives in `notebook.metadata`. */
export const PROVENANCE_METADATA_KEY = 'ocean_provenance';

/** Bumped when an entry changes shape; readers refuse versions they do not know. */
export const PROVENANCE_VERSION = 1;

/**
 * What a notebook did: `load` (an order bought or reused, then the bytes
 * downloaded into the kernel), `order` (access bought or reused from an
 * asset card in the notebook's output, no bytes yet), `use` (a cell's
 * output generated with a token-gated model under the order named: a GAN
 * cell, or `gan_images`; once per cell and model), `compute` (a
 * compute-to-data job and its result), `publish` (a new asset made from
 * the notebook).
 *
 * `use` came after version 1 was first written; it is an added kind, not a
 * new shape (an entry with an order, checked as the others), so the version
 * stays 1: records saved before read and verify as they did, and an older
 * reader lists a `use` entry and checks its order like any other.
 */
export type ProvenanceAction = 'load' | 'order' | 'use' | 'compute' | 'publish';

export interface IProvenanceNetwork {
  key: string;
  chainId: number;
  /** The JSON-RPC URL the chain was read from (a verifier reads it there). */
  rpcUrl: string;
  /** The Ocean Node that served the DDO and the bytes. */
  nodeUrl: string;
}

/** An order on chain (startOrder): who consumed which service, in which transaction. */
export interface IProvenanceOrder {
  tx: string;
  block: number | null;
  /** True when an earlier, still-valid order was reused (nothing paid this time). */
  reused: boolean;
}

/** Bytes that reached the kernel or the workspace. */
export interface IProvenanceFile {
  name: string;
  /** Workspace path relative to the notebook's folder. */
  path: string;
  size: number;
  sha256: string;
}

export interface IProvenanceEntry {
  /** `e1`, `e2`…: stable within one notebook, used by `sources`. */
  id: string;
  action: ProvenanceAction;
  /** ISO time the browser recorded it. */
  at: string;
  /** The notebook cell that ran the command, when known. */
  cellId?: string;
  network: IProvenanceNetwork;
  did: string;
  /** The asset's name when recorded (untrusted network text: render as text). */
  name?: string;
  serviceId?: string;
  serviceIndex?: number;
  datatoken?: string;
  consumer?: string;
  order?: IProvenanceOrder;
  /** SPDX identifier (or free text) from the DDO's `metadata.license`. */
  license?: string;
  /** The compute job, for `compute`. */
  jobId?: string;
  /**
   * `compute`: the account that started the job. The node shows a job's
   * status only to it, so only its wallet can check the job (the order's
   * `consumer` is the compute environment).
   */
  jobOwner?: string;
  /** Downloaded data (`load`) or compute results (`compute`). */
  files?: IProvenanceFile[];
  /**
   * Entries this one was made from (`compute`, `publish`; `use`: the order
   * entry of the order it generated under, when this notebook has one).
   */
  sources?: string[];
  /** `publish`: the transaction that wrote the asset's metadata. */
  tx?: string;
  /** `publish`: the notebook's lineage digest at publish time. */
  lineageDigest?: string;
  /** `publish`: true when the new asset is for sale (not free). */
  priced?: boolean;
}

export interface IProvenanceRecord {
  version: typeof PROVENANCE_VERSION;
  entries: IProvenanceEntry[];
}

/** A fresh, empty record. */
export function emptyRecord(): IProvenanceRecord {
  return { version: PROVENANCE_VERSION, entries: [] };
}

/**
 * The record in a notebook's metadata value, or an empty one when there is
 * none. A record of a newer version is refused rather than rewritten, so an
 * older extension never drops what a newer one wrote.
 */
export function readRecord(value: unknown): IProvenanceRecord {
  if (value === undefined || value === null) {
    return emptyRecord();
  }
  const record = value as Partial<IProvenanceRecord>;
  if (
    typeof value !== 'object' ||
    record.version !== PROVENANCE_VERSION ||
    !Array.isArray(record.entries)
  ) {
    throw new ProvenanceFormatError(
      `This notebook's provenance record is version ${String(record.version)}; this extension reads version ${PROVENANCE_VERSION}. Update jupyterlab-ocean to read it.`
    );
  }
  return {
    version: PROVENANCE_VERSION,
    entries: record.entries.filter(
      entry =>
        !!entry &&
        typeof entry === 'object' &&
        typeof entry.id === 'string' &&
        typeof entry.did === 'string'
    )
  };
}

export class ProvenanceFormatError extends Error {}

/** `entry` added with the next id; the record itself is not changed. */
export function appendEntry(
  record: IProvenanceRecord,
  entry: Omit<IProvenanceEntry, 'id'>
): { record: IProvenanceRecord; entry: IProvenanceEntry } {
  const highest = record.entries.reduce((max, existing) => {
    const n = Number(/^e(\d+)$/.exec(existing.id)?.[1] ?? 0);
    return Math.max(max, n);
  }, 0);
  const added = { ...entry, id: `e${highest + 1}` } as IProvenanceEntry;
  return {
    record: {
      version: PROVENANCE_VERSION,
      entries: [...record.entries, added]
    },
    entry: added
  };
}

/**
 * JSON with object keys sorted at every level, so the same record gives the
 * same text (and digest) in TypeScript and in Python
 * (`json.dumps(value, sort_keys=True, separators=(",", ":"),
 * ensure_ascii=False)`).
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(item => canonicalJson(item ?? null)).join(',')}]`;
  }
  if (value && typeof value === 'object') {
    const keys = Object.keys(value)
      .filter(key => (value as Record<string, unknown>)[key] !== undefined)
      .sort();
    return `{${keys
      .map(
        key =>
          `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`
      )
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Lower-case hex SHA-256 of `bytes` (Web Crypto: the browser and Node alike). */
export async function sha256Hex(bytes: Uint8Array | string): Promise<string> {
  const data =
    typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  const digest = await crypto.subtle.digest(
    'SHA-256',
    data as Uint8Array<ArrayBuffer>
  );
  return Array.from(new Uint8Array(digest), b =>
    b.toString(16).padStart(2, '0')
  ).join('');
}

/**
 * One digest for the whole lineage: what a published asset names, so a
 * reader can tell whether the notebook they hold is the one it came from.
 */
export async function lineageDigest(
  record: IProvenanceRecord
): Promise<string> {
  return `sha256:${await sha256Hex(canonicalJson(record))}`;
}

/**
 * True when the licence forbids derivatives: Creative Commons' -ND
 * variants (CC-BY-ND-4.0, CC-BY-NC-ND-4.0 and older versions).
 */
export function forbidsDerivatives(license: string | undefined): boolean {
  return !!license && /(^|-)ND(-|$)/i.test(license.trim());
}

/** True when the licence forbids commercial use (Creative Commons' -NC). */
export function forbidsCommercialUse(license: string | undefined): boolean {
  return !!license && /(^|-)NC(-|$)/i.test(license.trim());
}

/** A licence that does not allow what a later entry did. */
export interface ILicenceWarning {
  /** The entry that did it (a publish). */
  entry: string;
  /** The source whose licence forbids it. */
  source: string;
  message: string;
}

/**
 * The entries a publish or compute entry was made from: its `sources`, and
 * theirs, down to the data the notebook loaded.
 */
export function ancestry(
  record: IProvenanceRecord,
  entry: IProvenanceEntry
): IProvenanceEntry[] {
  const byId = new Map(record.entries.map(e => [e.id, e]));
  const seen = new Set<string>();
  const out: IProvenanceEntry[] = [];
  const visit = (ids: string[] | undefined) => {
    for (const id of ids ?? []) {
      const found = byId.get(id);
      if (found && !seen.has(id)) {
        seen.add(id);
        out.push(found);
        visit(found.sources);
      }
    }
  };
  visit(entry.sources);
  return out;
}

/**
 * Publishing from a source whose licence forbids derivatives, or selling
 * what came from a source whose licence forbids commercial use.
 */
export function licenceWarnings(record: IProvenanceRecord): ILicenceWarning[] {
  const warnings: ILicenceWarning[] = [];
  for (const entry of record.entries) {
    if (entry.action !== 'publish') {
      continue;
    }
    for (const source of ancestry(record, entry)) {
      if (source.action === 'publish') {
        continue;
      }
      const what = `${entry.id} published ${entry.did} from ${source.id} (${source.name ?? source.did}), whose licence ${source.license}`;
      if (forbidsDerivatives(source.license)) {
        warnings.push({
          entry: entry.id,
          source: source.id,
          message: `${what} does not allow derivatives: check with its publisher before sharing the result.`
        });
      } else if (entry.priced && forbidsCommercialUse(source.license)) {
        warnings.push({
          entry: entry.id,
          source: source.id,
          message: `${what} does not allow commercial use, and it is for sale: check with its publisher, or publish it free.`
        });
      }
    }
  }
  return warnings;
}

/**
 * The sources a new publish names: every load and compute entry of the
 * notebook so far (a notebook is one analysis; what it read, it used).
 */
export function publishSources(record: IProvenanceRecord): string[] {
  return record.entries
    .filter(entry => entry.action === 'load' || entry.action === 'compute')
    .map(entry => entry.id);
}
