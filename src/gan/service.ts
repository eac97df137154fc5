/**
 * Everything a GAN cell needs besides pixels on screen: whether the account
 * may use the model, buying access (through IOceanClient, so through the
 * wallet's dialog), fetching the model once, verifying it, caching it, and
 * one runtime session per model shared by every cell and kernel request.
 */
import type {
  IOceanAccessGrant,
  IOceanAssetSummary,
  IOceanClient,
  INetworkRegistry,
  IWalletRequester,
  OceanProgressCallback
} from '../tokens';
import { errorWords, OceanError } from '../errors';
import { NodeApi } from '../ocean/node-api';
import { latentBatch } from './latent';
import { ModelStore, normaliseChecksum, verifyModelBytes } from './model-store';
import type { GanBackend, IGanCellPayload, IGanImagesResult } from './protocol';
import {
  chooseBackend,
  GanSession,
  type GanBackendPreference,
  type IGeneration
} from './runtime';

/** The model's facts as its DDO publishes them. */
export interface IGanModelInfo {
  asset: IOceanAssetSummary;
  sha256: string;
  /** Bytes of the model file, when the DDO says. */
  size: number | null;
}

export interface IGanRun extends IGeneration {
  labels: string[];
  seeds: number[];
  /** Where the model bytes came from this time. */
  source: 'memory' | 'cache' | 'download';
  /** Milliseconds to load the runtime + create the session (0 when reused). */
  loadMs: number;
  reason: string;
}

export class GanService {
  readonly store = new ModelStore();
  private _client: () => IOceanClient | null;
  private _networks: INetworkRegistry | null;
  private _models = new Map<string, Promise<IGanModelInfo>>();
  private _sessions = new Map<string, Promise<GanSession>>();

  private _preference: () => GanBackendPreference;

  constructor(options: {
    client: () => IOceanClient | null;
    networks: INetworkRegistry | null;
    /** The `backend` setting, read at each session: auto, webgpu or wasm. */
    backend?: () => GanBackendPreference;
  }) {
    this._preference = options.backend ?? (() => 'auto');
    this._client = options.client;
    this._networks = options.networks;
  }

  /** The Ocean client if this JupyterLab has one. */
  clientOrNull(): IOceanClient | null {
    return this._client();
  }

  client(): IOceanClient {
    const client = this._client();
    if (!client) {
      throw new OceanError(
        'OCEAN_LIB_UNAVAILABLE',
        errorWords.__(
          'The Ocean client is not available in this JupyterLab, so the model cannot be bought or downloaded.'
        )
      );
    }
    return client;
  }

  /** The asset and its published checksum (cached per DID). */
  model(did: string): Promise<IGanModelInfo> {
    let info = this._models.get(did);
    if (!info) {
      info = this._loadModelInfo(did);
      info.catch(() => this._models.delete(did));
      this._models.set(did, info);
    }
    return info;
  }

  private async _loadModelInfo(did: string): Promise<IGanModelInfo> {
    const asset = await this.client().getAsset(did);
    const additional = await this._additionalInformation(did);
    const raw = additional.sha256 ?? additional.checksum;
    if (typeof raw !== 'string') {
      throw new OceanError(
        'OCEAN_BAD_ASSET',
        errorWords.__(
          '"%1" publishes no SHA-256 checksum for its model file, so a download could not be verified. Ask its publisher to add one.',
          asset.name
        ),
        { did }
      );
    }
    const size = typeof additional.size === 'number' ? additional.size : null;
    return { asset, sha256: normaliseChecksum(raw), size };
  }

  /**
   * `metadata.additionalInformation` of the DDO. IOceanAssetSummary does not
   * carry it, so it is read from the active network's Ocean Node (public
   * metadata, no signature).
   */
  private async _additionalInformation(
    did: string
  ): Promise<Record<string, unknown>> {
    const nodeUrl = this._networks?.active.nodeUrl;
    if (!nodeUrl) {
      return {};
    }
    const response = await new NodeApi(nodeUrl).ddoResponse(did);
    if (!response.ok) {
      throw new OceanError(
        'OCEAN_NOT_INDEXED',
        errorWords.__(
          'The Ocean Node does not know the model %1 (HTTP %2).',
          did,
          response.status
        ),
        { did }
      );
    }
    const ddo = (await response.json()) as {
      metadata?: { additionalInformation?: Record<string, unknown> };
    };
    const additional = ddo.metadata?.additionalInformation;
    return additional && typeof additional === 'object' ? additional : {};
  }

  /** The account's valid order for the model, or null (reads only). */
  findAccess(did: string): Promise<IOceanAccessGrant | null> {
    return this.client().findAccess(did);
  }

  /** Buys access (or reuses an order); every transaction goes through the wallet dialog. */
  getAccess(
    did: string,
    requester: IWalletRequester,
    onProgress?: OceanProgressCallback
  ): Promise<IOceanAccessGrant> {
    return this.client().getAccess(did, requester, onProgress);
  }

  /**
   * Whether generating needs no signature: a session for the model is in
   * memory or its verified bytes are in the browser cache. Reads only.
   */
  async readyWithoutSignature(did: string): Promise<boolean> {
    for (const key of this._sessions.keys()) {
      if (key.startsWith(`${did}#`)) {
        return true;
      }
    }
    const info = await this.model(did);
    return (await this.store.get(did, info.sha256)) !== null;
  }

  /**
   * The model bytes: from IndexedDB when a verified copy is there, else
   * downloaded once, verified against the DDO checksum, then cached.
   */
  async modelBytes(
    did: string,
    requester: IWalletRequester,
    onProgress?: OceanProgressCallback
  ): Promise<{ bytes: ArrayBuffer; source: 'cache' | 'download' }> {
    const info = await this.model(did);
    const cached = await this.store.get(did, info.sha256);
    if (cached) {
      return { bytes: cached, source: 'cache' };
    }
    const download = await this.client().download(did, requester, {
      onProgress
    });
    const view = download.bytes;
    const bytes = view.buffer.slice(
      view.byteOffset,
      view.byteOffset + view.byteLength
    ) as ArrayBuffer;
    await verifyModelBytes(bytes, info.sha256, did);
    await this.store.put(did, bytes);
    return { bytes, source: 'download' };
  }

  private async _session(
    did: string,
    requester: IWalletRequester,
    onProgress?: OceanProgressCallback
  ): Promise<{
    session: GanSession;
    source: IGanRun['source'];
    reason: string;
  }> {
    const info = await this.model(did);
    const { backend, reason } = await chooseBackend(this._preference());
    // One session per backend: changing the setting takes effect on the next render.
    const key = `${did}#${info.sha256}#${backend}`;
    const existing = this._sessions.get(key);
    if (existing) {
      return { session: await existing, source: 'memory', reason };
    }
    let source: IGanRun['source'] = 'download';
    const created = this.modelBytes(did, requester, onProgress).then(result => {
      source = result.source;
      return GanSession.create(result.bytes, backend);
    });
    this._sessions.set(key, created);
    created.catch(() => this._sessions.delete(key));
    const session = await created;
    return { session, source, reason };
  }

  /** Generates the images a cell's settings describe. Needs access (never buys). */
  async generate(
    payload: IGanCellPayload,
    requester: IWalletRequester,
    onProgress?: OceanProgressCallback
  ): Promise<IGanRun> {
    const { session, source, reason } = await this._session(
      payload.did,
      requester,
      onProgress
    );
    const { latents, labels, seeds } = latentBatch(payload);
    const result = await session.generate(latents, payload.n);
    // WebGPU may fail when the session is made or on a run; either way the
    // images came from WebAssembly, and the footer says why.
    const why = session.fellBack
      ? errorWords.__('%1; WebGPU failed, using WebAssembly', reason)
      : reason;
    return {
      ...result,
      labels,
      seeds,
      source,
      loadMs: source === 'memory' ? 0 : session.loadMs,
      reason: why
    };
  }

  /** Forgets the in-memory session and the cached bytes (used after a checksum failure). */
  async forget(did: string): Promise<void> {
    for (const key of [...this._sessions.keys()]) {
      if (key.startsWith(`${did}#`)) {
        this._sessions.delete(key);
      }
    }
    this._models.delete(did);
    await this.store.delete(did);
  }
}

/** Float [0, 1] NHWC → uint8 NHWC, rounded the way a PNG would store it. */
export function toBytes(pixels: Float32Array): Uint8Array {
  const out = new Uint8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    out[i] = Math.round(Math.min(1, Math.max(0, pixels[i])) * 255);
  }
  return out;
}

/** The kernel command's result: images as uint8 NHWC bytes. */
export function imagesResult(did: string, run: IGanRun): IGanImagesResult {
  return {
    did,
    shape: [run.count, run.height, run.width, 3],
    dtype: 'uint8',
    data: toBytes(run.pixels),
    backend: run.backend as GanBackend,
    inferenceMs: Math.round(run.inferenceMs * 100) / 100,
    seeds: run.seeds
  };
}
