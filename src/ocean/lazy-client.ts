/**
 * IOceanClient from the start, with the client's code (node API, orders,
 * pricing, ranged reads) loaded on the first call: discovery, a card or a
 * kernel command. Nothing of it runs at lab start-up.
 */
import { Signal, type ISignal } from '@lumino/signaling';
import type {
  IOceanAccessGrant,
  IOceanAccessThen,
  IOceanAssetPage,
  IOceanAssetQuery,
  IOceanAssetSummary,
  IOceanClient,
  IOceanDownload,
  IOceanDownloadOptions,
  IOceanFileInfo,
  IOceanRunningFlow,
  IWalletRequester,
  OceanProgressCallback
} from '../tokens';
import type { IOceanClientOptions } from './client';

export class LazyOceanClient implements IOceanClient {
  constructor(private readonly _options: IOceanClientOptions) {}

  get accessChanged(): ISignal<IOceanClient, IOceanAccessGrant> {
    return this._accessChanged;
  }

  /** None before the client has loaded: nothing can run until then. */
  get runningFlows(): ReadonlyArray<IOceanRunningFlow> {
    return this._loaded?.runningFlows ?? [];
  }

  async search(query?: IOceanAssetQuery): Promise<IOceanAssetPage> {
    return (await this._client()).search(query);
  }

  async getAsset(did: string): Promise<IOceanAssetSummary> {
    return (await this._client()).getAsset(did);
  }

  async files(did: string, serviceId?: string): Promise<IOceanFileInfo[]> {
    return (await this._client()).files(did, serviceId);
  }

  async findAccess(
    did: string,
    account?: string,
    serviceId?: string
  ): Promise<IOceanAccessGrant | null> {
    return (await this._client()).findAccess(did, account, serviceId);
  }

  async getAccess(
    did: string,
    requester: IWalletRequester,
    onProgress?: OceanProgressCallback,
    serviceId?: string,
    then?: IOceanAccessThen
  ): Promise<IOceanAccessGrant> {
    return (await this._client()).getAccess(
      did,
      requester,
      onProgress,
      serviceId,
      then
    );
  }

  async download(
    did: string,
    requester: IWalletRequester,
    options?: IOceanDownloadOptions
  ): Promise<IOceanDownload> {
    return (await this._client()).download(did, requester, options);
  }

  private _client(): Promise<IOceanClient> {
    if (!this._loading) {
      this._loading = import('./client').then(({ OceanClient }) => {
        const client = new OceanClient(this._options);
        client.accessChanged.connect((_, grant) =>
          this._accessChanged.emit(grant)
        );
        this._loaded = client;
        return client;
      });
      this._loading.catch(() => {
        this._loading = null;
      });
    }
    return this._loading;
  }

  private _accessChanged = new Signal<IOceanClient, IOceanAccessGrant>(this);
  private _loading: Promise<IOceanClient> | null = null;
  private _loaded: IOceanClient | null = null;
}
