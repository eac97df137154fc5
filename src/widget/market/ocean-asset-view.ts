/**
 * The asset card's controller: a Lumino widget (and MIME renderer) that asks
 * the Ocean client for the asset, access and previews, and hands the results
 * to the <ocean-asset-card> Lit element, which only renders.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import {
  nullTranslator,
  type TranslationBundle
} from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { OceanError } from '../../errors';
import {
  completeLines,
  detectFormat,
  parseDelimited,
  previewAsset,
  releasePreview,
  type IDataPreview
} from '../../ocean/preview';
import {
  OCEAN_ASSET_MIME_TYPE,
  type IAssetCardOrigin,
  type IAssetCardRecorder,
  type IOceanAccessGrant,
  type IOceanAssetSummary,
  type IOceanClient,
  type IWallet,
  type IWalletRequester,
  type IWalletState
} from '../../tokens';
import './ocean-asset-card';
import type { OceanAssetCard } from './ocean-asset-card';

/** The MIME payload: at least the asset's did. */
export interface IAssetMimeData {
  did: string;
}

const SAMPLE_BYTES = 64 * 1024;

/**
 * A sentence for any failure; OceanErrors already carry one (in English:
 * the Ocean client has no translator).
 */
export function errorSentence(
  error: unknown,
  trans: TranslationBundle = nullTranslator.load('jupyterlab_ocean')
): string {
  if (error instanceof OceanError) {
    return error.message;
  }
  const code = (error as any)?.code;
  if (code === 4001 || code === 4100) {
    return String((error as Error).message);
  }
  return trans.__(
    'Something went wrong: %1',
    (error as Error)?.message ?? String(error)
  );
}

export class OceanAssetView extends Widget implements IRenderMime.IRenderer {
  readonly card: OceanAssetCard;
  private _did = '';
  private _generation = 0;
  private _account: string | null;

  constructor(
    private readonly _client: IOceanClient,
    private readonly _requester: IWalletRequester,
    private readonly _wallet: IWallet | null = null,
    private readonly _trans: TranslationBundle = nullTranslator.load(
      'jupyterlab_ocean'
    ),
    private readonly _recorder: IAssetCardRecorder | null = null
  ) {
    super();
    const canBuy = _wallet !== null;
    this._account = _wallet?.state.account ?? null;
    this.addClass('jp-OceanAssetView');
    this.card = document.createElement('ocean-asset-card');
    this.card.trans = _trans;
    this.card.account = this._account ?? '';
    this.card.canBuy = canBuy;
    this.card.addEventListener('ocean-get-access', () => void this.getAccess());
    this.card.addEventListener('ocean-preview', () => void this.loadPreview());
    this.card.addEventListener('ocean-retry', () => void this.load(this._did));
    this.card.addEventListener('ocean-compute', () =>
      this._runJob?.(this._did)
    );
    // "Derived from": the source opens in the same view.
    this.card.addEventListener('ocean-open-source', event => {
      const did = (event as CustomEvent<{ did?: unknown }>).detail?.did;
      if (typeof did === 'string') {
        void this.load(did);
      }
    });
    this.card.addEventListener(
      'ocean-sample',
      () => void this._loadSample(this._generation)
    );
    this.node.appendChild(this.card);
    this._client.accessChanged.connect(this._onAccessChanged, this);
    this._wallet?.stateChanged.connect(this._onWalletChanged, this);
  }

  /**
   * Opens the compute job view for a DID; where one is set, a compute-only
   * dataset's card offers "Run a job…" (it has no download to offer).
   */
  set runJob(open: ((did: string) => void) | null) {
    this._runJob = open;
    this.card.canCompute = open !== null;
  }

  private _runJob: ((did: string) => void) | null = null;

  /** Another account (or an unlock) may already hold an order: look again. */
  private _onWalletChanged(_: IWallet, state: IWalletState): void {
    if (state.account === this._account) {
      return;
    }
    this._account = state.account;
    const card = this.card;
    card.account = state.account ?? '';
    if (!card.asset || card.state === 'working') {
      return;
    }
    if (card.state === 'unlocked') {
      void this.load(this._did);
      return;
    }
    const generation = this._generation;
    void this._client
      .findAccess(this._did)
      .catch(() => null)
      .then(grant => {
        if (grant && generation === this._generation) {
          this._unlock(grant, false);
        }
      });
  }

  get did(): string {
    return this._did;
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const data = model.data[OCEAN_ASSET_MIME_TYPE] as unknown as
      IAssetMimeData | undefined;
    const did = typeof data?.did === 'string' ? data.did : '';
    if (did !== this._did) {
      // Not awaited: an output area must not wait on the network.
      void this.load(did);
    }
  }

  /** Loads the asset and whether the account already has access. */
  async load(did: string): Promise<void> {
    const generation = ++this._generation;
    this._did = did;
    const card = this.card;
    releasePreview(card.preview);
    Object.assign(card, {
      asset: null,
      state: 'loading',
      grant: null,
      progress: [],
      error: '',
      errorCode: '',
      preview: null,
      sample: null
    });
    try {
      const asset = await this._client.getAsset(did);
      if (generation !== this._generation) {
        return;
      }
      card.asset = asset;
      card.state = 'locked';
      const grant = await this._client.findAccess(did).catch(() => null);
      if (generation !== this._generation) {
        return;
      }
      if (grant) {
        this._unlock(grant, false);
      }
    } catch (error) {
      if (generation === this._generation) {
        card.state = 'failed';
        card.error = errorSentence(error, this._trans);
        card.errorCode = String((error as OceanError)?.code ?? '');
      }
    }
  }

  /** Buys (or reuses) access through the wallet, then previews. */
  async getAccess(): Promise<void> {
    const card = this.card;
    if (!card.asset || card.state === 'working') {
      return;
    }
    card.state = 'working';
    card.error = '';
    card.errorCode = '';
    card.progress = [];
    const asset = card.asset;
    // Found now: the card may have moved since it was rendered.
    const origin = this._recorder?.locate(this.node) ?? null;
    try {
      // The preview that follows reads the file through the node: the
      // purchase's one dialog names that sign-in too, not a second dialog.
      const grant = await this._client.getAccess(
        asset.did,
        this._requester,
        progress => {
          card.progress = [...card.progress, progress];
        },
        undefined,
        { download: true }
      );
      this._unlock(grant, true);
      if (origin) {
        await this._recordOrder(origin, asset, grant);
      }
    } catch (error) {
      // Nothing is lost: a paid step is found again by the next attempt.
      card.state = 'locked';
      card.error = errorSentence(error, this._trans);
      card.errorCode = String((error as OceanError)?.code ?? '');
    }
  }

  /** The order in the notebook's provenance, as a `%ocean load` would record its own. */
  private async _recordOrder(
    origin: IAssetCardOrigin,
    asset: IOceanAssetSummary,
    grant: IOceanAccessGrant
  ): Promise<void> {
    try {
      await this._recorder!.recordOrder(origin, asset, grant);
    } catch (error) {
      // The access is bought and stays: only the record is missing, say so.
      this.card.error = this._trans.__(
        "Access is yours, but it was not recorded in the notebook's provenance: %1",
        errorSentence(error, this._trans)
      );
    }
  }

  /**
   * Shows the unlocked state. The preview starts by itself only right after
   * the user asked for access: a card restored with a notebook must not pop
   * up a wallet signature (the node sign-in) that nobody asked for.
   */
  private _unlock(grant: IOceanAccessGrant, preview: boolean): void {
    if (this.card.state === 'unlocked' && this.card.grant) {
      return;
    }
    this.card.grant = grant;
    this.card.state = 'unlocked';
    if (preview) {
      void this.loadPreview();
    }
  }

  /** Reads the head of the data with Range and shows it. */
  async loadPreview(): Promise<void> {
    const card = this.card;
    if (!card.asset || card.previewing) {
      return;
    }
    const generation = this._generation;
    card.previewing = true;
    card.error = '';
    card.errorCode = '';
    const started = performance.now();
    try {
      const preview = await previewAsset(
        this._client,
        card.asset.did,
        this._requester
      );
      if (generation !== this._generation) {
        releasePreview(preview);
        return;
      }
      releasePreview(card.preview);
      card.preview = preview;
      card.previewMs = Math.round(performance.now() - started);
    } catch (error) {
      if (generation === this._generation) {
        card.error = errorSentence(error, this._trans);
        card.errorCode = String((error as OceanError)?.code ?? '');
        if ((error as OceanError)?.code === 'OCEAN_ORDER_EXPIRED') {
          card.state = 'locked';
          card.grant = null;
        }
      }
    } finally {
      card.previewing = false;
    }
  }

  /** The publisher's free sample, when it is CSV/TSV and readable from here. */
  private async _loadSample(generation: number): Promise<void> {
    const asset = this.card.asset;
    const url = asset?.sampleUrl;
    if (!asset || !url) {
      return;
    }
    const format = detectFormat(asset.contentType, url);
    if (format !== 'csv' && format !== 'tsv') {
      this.card.sampleError = this._trans.__(
        'Only CSV and TSV samples show here: open the link.'
      );
      return;
    }
    try {
      const response = await fetch(url, {
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
        signal: AbortSignal.timeout(10_000)
      });
      if (!response.ok || !response.body) {
        if (generation === this._generation) {
          this.card.sampleError = this._trans.__(
            'The sample host answered %1: the sample may have moved. Open the link to check.',
            `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`
          );
        }
        return;
      }
      const reader = response.body.getReader();
      const chunks: Uint8Array[] = [];
      let size = 0;
      let truncated = false;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          break;
        }
        chunks.push(value);
        size += value.length;
        if (size >= SAMPLE_BYTES) {
          truncated = true;
          void reader.cancel();
          break;
        }
      }
      const text = new TextDecoder().decode(
        await new Blob(chunks as BlobPart[]).arrayBuffer()
      );
      const table = await parseDelimited(
        completeLines(text, truncated),
        format,
        10
      );
      const sample: IDataPreview = {
        kind: 'table',
        format,
        ...table,
        bytesRead: size,
        totalSize: truncated ? null : size
      };
      if (generation === this._generation) {
        this.card.sample = sample;
      }
    } catch (error) {
      if (generation === this._generation) {
        // fetch gives no reason for a CORS refusal (by design); a timeout
        // is the one failure it names.
        const host = new URL(url).host;
        this.card.sampleError =
          (error as Error)?.name === 'TimeoutError'
            ? this._trans.__(
                'The sample host %1 did not answer within 10 s. Open the link instead.',
                host
              )
            : this._trans.__(
                'The sample host %1 does not let JupyterLab read the file (no CORS permission), or could not be reached. Open the link instead.',
                host
              );
      }
    }
  }

  private _onAccessChanged(_: IOceanClient, grant: IOceanAccessGrant): void {
    if (grant.did === this._did && this.card.state === 'locked') {
      this._unlock(grant, false);
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._generation++;
    this._client.accessChanged.disconnect(this._onAccessChanged, this);
    this._wallet?.stateChanged.disconnect(this._onWalletChanged, this);
    releasePreview(this.card.preview);
    super.dispose();
  }
}
