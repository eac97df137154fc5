/**
 * The notebook's lineage log: commands (load, compute, publish) tell it
 * what they did for a kernel, outputs (asset cards, GAN cells) what they
 * did in a cell, and it writes the entry into the metadata of the notebook
 * that kernel or output belongs to. It reads the chain once per order
 * (the block) and hashes the bytes it is given; it signs nothing.
 */
import { readProvider } from '../ocean/chain';
import type {
  IKernelCommandContext,
  INetworkRegistry,
  IOceanAccessGrant,
  IOceanAssetSummary,
  IOceanNetwork,
  IWalletRequester
} from '../tokens';
import {
  appendEntry,
  lineageDigest,
  PROVENANCE_METADATA_KEY,
  publishSources,
  readRecord,
  sha256Hex,
  type IProvenanceEntry,
  type IProvenanceFile,
  type IProvenanceNetwork,
  type IProvenanceRecord
} from './record';
import type {
  ILineage,
  ILoggedFile,
  IMetadataHolder,
  IProvenanceLog,
  IProvenanceOrigin,
  IPublishedFact,
  NotebookLookup
} from './tokens';

export type {
  ILineage,
  ILoggedFile,
  IMetadataHolder,
  IProvenanceLog,
  IProvenanceOrigin,
  NotebookLookup
};

export function networkOf(network: IOceanNetwork): IProvenanceNetwork {
  return {
    key: network.key,
    chainId: network.chainId,
    rpcUrl: network.rpcUrl,
    nodeUrl: network.nodeUrl
  };
}

export class ProvenanceLog implements IProvenanceLog {
  constructor(options: {
    notebooks: NotebookLookup;
    networks: INetworkRegistry;
    /** The block of an order transaction (tests give their own). */
    blockOf?: (network: IOceanNetwork, tx: string) => Promise<number | null>;
  }) {
    this._notebooks = options.notebooks;
    this._networks = options.networks;
    this._blockOf = options.blockOf ?? orderBlock;
  }

  async read(requester: IWalletRequester): Promise<IProvenanceRecord | null> {
    return this.readNow(requester);
  }

  /** The record, at once (the log's own bookkeeping). */
  readNow(requester: IWalletRequester): IProvenanceRecord | null {
    const model = this._notebooks(requester);
    return model
      ? readRecord(model.getMetadata(PROVENANCE_METADATA_KEY))
      : null;
  }

  async lineage(requester: IWalletRequester): Promise<ILineage | null> {
    const record = this.readNow(requester);
    if (!record) {
      return null;
    }
    const ids = new Set(publishSources(record));
    return {
      sources: record.entries.filter(entry => ids.has(entry.id)),
      digest: await lineageDigest(record),
      record
    };
  }

  async recordLoad(
    context: IKernelCommandContext,
    asset: IOceanAssetSummary,
    grant: IOceanAccessGrant,
    files: ReadonlyArray<ILoggedFile>
  ): Promise<IProvenanceEntry | null> {
    const network = this._networks.active;
    return this._add(context.requester, {
      action: 'load',
      ...(await this._common(context, network)),
      did: asset.did,
      name: asset.name,
      license: asset.license,
      ...(await this._order(network, grant)),
      files: await hashed(files)
    });
  }

  async recordOrder(
    origin: IProvenanceOrigin,
    asset: IOceanAssetSummary,
    grant: IOceanAccessGrant
  ): Promise<IProvenanceEntry | null> {
    // A GAN cell's kernel asks for access at each `gan_images`, a card may
    // be clicked again: the same order of the same asset is one entry.
    return this._recordGranted(
      'order',
      origin,
      asset,
      grant,
      entry => entry.order?.tx === grant.orderTxId
    );
  }

  async recordModelUse(
    origin: IProvenanceOrigin,
    asset: IOceanAssetSummary,
    grant: IOceanAccessGrant
  ): Promise<IProvenanceEntry | null> {
    // A cell generates at every render, seed or batch change: the cell's
    // use of the model is one entry, the first order it generated under.
    return this._recordGranted(
      'use',
      origin,
      asset,
      grant,
      entry => (entry.cellId ?? null) === (origin.cellId ?? null),
      // The entry that bought or first recorded that order, in this notebook.
      source =>
        (source.action === 'order' || source.action === 'load') &&
        source.did === asset.did &&
        source.order?.tx === grant.orderTxId
    );
  }

  /**
   * An entry an output made under an order (`order`, `use`), unless `same`
   * finds it among the entries of its kind for that asset and chain. The
   * chain is the grant's: a card may show an asset of another configured
   * network than the active one.
   */
  private async _recordGranted(
    action: 'order' | 'use',
    origin: IProvenanceOrigin,
    asset: IOceanAssetSummary,
    grant: IOceanAccessGrant,
    same: (entry: IProvenanceEntry) => boolean,
    sources?: (entry: IProvenanceEntry) => boolean
  ): Promise<IProvenanceEntry | null> {
    const network =
      this._networks.networks.find(n => n.chainId === grant.chainId) ??
      this._networks.active;
    const known = (entry: IProvenanceEntry) =>
      entry.action === action &&
      entry.did === asset.did &&
      entry.network.chainId === network.chainId &&
      same(entry);
    const found = this.readNow(origin.requester)?.entries.find(known);
    if (found) {
      return found;
    }
    return this._add(
      origin.requester,
      {
        action,
        ...(await this._common(origin, network)),
        did: asset.did,
        name: asset.name,
        license: asset.license,
        ...(await this._order(network, grant))
      },
      { known, sources }
    );
  }

  async recordCompute(
    context: IKernelCommandContext,
    job: {
      did: string;
      jobId: string;
      owner?: string;
      grant?: IOceanAccessGrant;
      license?: string;
      name?: string;
    },
    files: ReadonlyArray<ILoggedFile>
  ): Promise<IProvenanceEntry | null> {
    const network = this._networks.active;
    const record = this.readNow(context.requester);
    const hashedFiles = await hashed(files);
    // Results fetched again (`%ocean compute results` after the run that
    // recorded them) are the same job and bytes: one entry.
    const known = record?.entries.find(
      entry =>
        entry.action === 'compute' &&
        entry.jobId === job.jobId &&
        entry.network.chainId === network.chainId &&
        sameFiles(entry.files ?? [], hashedFiles)
    );
    if (known) {
      return known;
    }
    // The data a job ran on is the dataset it names; the loads of that
    // dataset in this notebook are its sources.
    const sources = (record?.entries ?? [])
      .filter(entry => entry.did === job.did && entry.action === 'load')
      .map(entry => entry.id);
    return this._add(context.requester, {
      action: 'compute',
      ...(await this._common(context, network)),
      did: job.did,
      name: job.name,
      license: job.license,
      jobId: job.jobId,
      jobOwner: job.owner,
      ...(job.grant ? await this._order(network, job.grant) : {}),
      files: hashedFiles,
      ...(sources.length ? { sources } : {})
    });
  }

  async recordPublish(
    context: IKernelCommandContext,
    published: IPublishedFact,
    lineage: ILineage | null
  ): Promise<IProvenanceEntry | null> {
    const network = this._networks.active;
    return this._add(context.requester, {
      action: 'publish',
      ...(await this._common(context, network)),
      did: published.did,
      name: published.name,
      license: published.license,
      datatoken: published.datatoken,
      serviceId: published.serviceId,
      serviceIndex: published.serviceId ? 0 : undefined,
      tx: published.tx,
      sources: lineage?.sources.map(entry => entry.id) ?? [],
      lineageDigest: lineage?.digest,
      ...(published.priced ? { priced: true } : {})
    });
  }

  private async _common(
    context: IProvenanceOrigin,
    network: IOceanNetwork
  ): Promise<{ at: string; cellId?: string; network: IProvenanceNetwork }> {
    return {
      at: new Date().toISOString(),
      ...(context.cellId ? { cellId: context.cellId } : {}),
      network: networkOf(network)
    };
  }

  private async _order(
    network: IOceanNetwork,
    grant: IOceanAccessGrant
  ): Promise<Partial<IProvenanceEntry>> {
    let block: number | null = null;
    try {
      block = await this._blockOf(network, grant.orderTxId);
    } catch {
      // The block is a convenience for readers; the verifier reads the
      // receipt itself, so a failed read leaves it out rather than failing
      // the load.
    }
    return {
      serviceId: grant.serviceId,
      serviceIndex: grant.serviceIndex,
      datatoken: grant.datatoken,
      consumer: grant.consumer,
      order: { tx: grant.orderTxId, block, reused: grant.reused }
    };
  }

  /**
   * Appends `entry` to the notebook's record. `known` finds an entry that
   * makes it a repeat (looked for here, after the awaits that built it, so
   * two calls at once still write one); `sources` picks the entries it
   * names as its sources.
   */
  private _add(
    requester: IWalletRequester,
    entry: Omit<IProvenanceEntry, 'id'>,
    options: {
      known?: (existing: IProvenanceEntry) => boolean;
      sources?: (existing: IProvenanceEntry) => boolean;
    } = {}
  ): IProvenanceEntry | null {
    const model = this._notebooks(requester);
    if (!model) {
      return null; // A console or an unknown kernel: no notebook to write to.
    }
    const current = readRecord(model.getMetadata(PROVENANCE_METADATA_KEY));
    const known = options.known && current.entries.find(options.known);
    if (known) {
      return known;
    }
    const sources = options.sources
      ? current.entries.filter(options.sources).map(source => source.id)
      : [];
    const { record, entry: added } = appendEntry(
      current,
      dropUndefined(sources.length ? { ...entry, sources } : entry)
    );
    model.setMetadata(PROVENANCE_METADATA_KEY, record);
    return added;
  }

  private _notebooks: NotebookLookup;
  private _networks: INetworkRegistry;
  private _blockOf: (
    network: IOceanNetwork,
    tx: string
  ) => Promise<number | null>;
}

async function hashed(
  files: ReadonlyArray<ILoggedFile>
): Promise<IProvenanceFile[]> {
  return Promise.all(
    files.map(async file => ({
      name: file.name,
      path: file.path,
      size: file.bytes.length,
      sha256: await sha256Hex(file.bytes)
    }))
  );
}

/** The same files by name and SHA-256, in any order. */
function sameFiles(
  a: ReadonlyArray<IProvenanceFile>,
  b: ReadonlyArray<IProvenanceFile>
): boolean {
  const key = (files: ReadonlyArray<IProvenanceFile>) =>
    files
      .map(file => `${file.name}\n${file.sha256}`)
      .sort()
      .join('\n');
  return a.length === b.length && key(a) === key(b);
}

async function orderBlock(
  network: IOceanNetwork,
  tx: string
): Promise<number | null> {
  const receipt = await (await readProvider(network)).getTransactionReceipt(tx);
  return receipt?.blockNumber ?? null;
}

/** Metadata is JSON: undefined fields would be dropped on save anyway. */
function dropUndefined<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
