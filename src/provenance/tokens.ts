/**
 * The provenance log as other rooms see it: the interface and its token,
 * with nothing that runs, so a plugin can ask for it without loading the
 * log (which reads the chain) at start-up.
 */
import { Token } from '@lumino/coreutils';
import type {
  IAssetCardOrigin,
  IKernelCommandContext,
  IOceanAccessGrant,
  IOceanAssetSummary,
  IWalletRequester
} from '../tokens';
import type { IProvenanceEntry, IProvenanceRecord } from './record';

/** What a publish made from a notebook put on chain, as the log records it. */
export interface IPublishedFact {
  did: string;
  tx: string;
  datatoken?: string;
  serviceId?: string;
  name: string;
  license: string;
  /** Sold rather than free: a non-commercial source then gets a warning. */
  priced?: boolean;
}

/** A file a command brought into the workspace (or the kernel). */
export interface ILoggedFile {
  name: string;
  /** Relative to the notebook's folder. */
  path: string;
  bytes: Uint8Array;
}

/**
 * Where an entry comes from: the notebook (found by kernel, else path) and
 * the cell. A kernel command's context is one; an asset card rendered in a
 * notebook's output makes its own.
 */
export type IProvenanceOrigin = IAssetCardOrigin;

/** What a publish from a notebook names as its sources. */
export interface ILineage {
  sources: IProvenanceEntry[];
  digest: string;
  record: IProvenanceRecord;
}

export interface IProvenanceLog {
  /** A `%ocean load`: the order behind it and the files it brought. */
  recordLoad(
    context: IKernelCommandContext,
    asset: IOceanAssetSummary,
    grant: IOceanAccessGrant,
    files: ReadonlyArray<ILoggedFile>
  ): Promise<IProvenanceEntry | null>;
  /**
   * Access bought or reused from an asset card in a notebook's output (no
   * bytes reached the kernel): the order, in that notebook's record.
   */
  recordOrder(
    origin: IProvenanceOrigin,
    asset: IOceanAssetSummary,
    grant: IOceanAccessGrant
  ): Promise<IProvenanceEntry | null>;
  /**
   * A token-gated model generated an output of a cell (a GAN cell, or its
   * kernel's `gan_images`) under `grant`'s order, bought there or earlier:
   * recorded once per notebook cell and model, however often it generates.
   */
  recordModelUse(
    origin: IProvenanceOrigin,
    asset: IOceanAssetSummary,
    grant: IOceanAccessGrant
  ): Promise<IProvenanceEntry | null>;
  /** A compute job: its order (when known) and the result files saved. */
  recordCompute(
    context: IKernelCommandContext,
    job: {
      did: string;
      jobId: string;
      /** The account that started the job (its consumer on the node). */
      owner?: string;
      grant?: IOceanAccessGrant;
      license?: string;
      name?: string;
    },
    files: ReadonlyArray<ILoggedFile>
  ): Promise<IProvenanceEntry | null>;
  /** A publish made from the notebook, with the sources `lineage` gave. */
  recordPublish(
    context: IKernelCommandContext,
    published: IPublishedFact,
    lineage: ILineage | null
  ): Promise<IProvenanceEntry | null>;
  /** The sources a publish from this notebook names now, with the digest. */
  lineage(requester: IWalletRequester): Promise<ILineage | null>;
  /** The notebook's record (empty when it has none); null when no notebook is known. */
  read(requester: IWalletRequester): Promise<IProvenanceRecord | null>;
}

export const IProvenanceLog = new Token<IProvenanceLog>(
  'jupyterlab-ocean:IProvenanceLog',
  "Records what a notebook bought, loaded, computed and published in the notebook's metadata."
);

/** The notebook model the log writes to: JupyterLab's INotebookModel, as little as used. */
export interface IMetadataHolder {
  getMetadata(key: string): unknown;
  setMetadata(key: string, value: unknown): void;
}

/** Finds the notebook model of a requester (by its kernel, else its path). */
export type NotebookLookup = (
  requester: IWalletRequester
) => IMetadataHolder | null;
