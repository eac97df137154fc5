/**
 * The notebook's lineage log: commands (load, compute, publish) tell it
 * what they did for a kernel, and it writes the entry into the metadata of
 * the notebook that kernel belongs to. It reads the chain once per order
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
    // A card may show an asset of another configured network than the
    // active one: the order is on the grant's chain.
    const network =
      this._networks.networks.find(n => n.chainId === grant.chainId) ??
      this._networks.active;
    // A GAN cell's kernel asks for access at each `gan_images`, a card may
    // be clicked again: the same order of the same asset is one entry.
    const known = this.readNow(origin.requester)?.entries.find(
      entry =>
        entry.action === 'order' &&
        entry.did === asset.did &&
        entry.network.chainId === network.chainId &&
        entry.order?.tx === grant.orderTxId
    );
    if (known) {
      return known;
    }
    return this._add(origin.requester, {
      action: 'order',
      ...(await this._common(origin, network)),
      did: asset.did,
      name: asset.name,
      license: asset.license,
      ...(await this._order(network, grant))
    });
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

  private _add(
    requester: IWalletRequester,
    entry: Omit<IProvenanceEntry, 'id'>
  ): IProvenanceEntry | null {
    const model = this._notebooks(requester);
    if (!model) {
      return null; // A console or an unknown kernel: no notebook to write to.
    }
    const current = readRecord(model.getMetadata(PROVENANCE_METADATA_KEY));
    const { record, entry: added } = appendEntry(current, dropUndefined(entry));
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
