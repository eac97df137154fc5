/**
 * The few Ocean Node HTTP calls discovery and downloads need, with plain
 * fetch: discovery must not wait for @oceanprotocol/lib to load, and the
 * node's answers are turned into OceanErrors a data scientist can act on.
 */
import { OceanError } from './errors';

/** What `GET /` of an Ocean Node says about itself. */
export interface INodeInfo {
  chainIds: string[];
  providerAddress: string;
  /** Endpoint name → [METHOD, path]. */
  serviceEndpoints: Record<string, [string, string]>;
}

/** Reads the error an Ocean Node sends (JSON `{error}` or plain text). */
async function nodeMessage(response: Response): Promise<{
  message: string;
  code?: string;
}> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text);
    const error = body?.error ?? body;
    if (typeof error === 'string') {
      return { message: error, code: body?.code };
    }
    if (error && typeof error === 'object') {
      return {
        message: String(error.message ?? error.error ?? text),
        code: error.code ?? body?.code
      };
    }
  } catch {
    // Not JSON: a proxy page or a rate-limit sentence.
  }
  return { message: text.slice(0, 300) || response.statusText };
}

export class NodeApi {
  readonly url: string;
  private _info: Promise<INodeInfo> | null = null;

  constructor(url: string) {
    this.url = url.replace(/\/+$/, '');
  }

  /** fetch with a clear error when the node cannot be reached at all. */
  async fetch(
    path: string,
    init: RequestInit = {},
    timeoutMs = 15_000
  ): Promise<Response> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init.signal
      ? AbortSignal.any([init.signal, timeout])
      : timeout;
    try {
      return await fetch(`${this.url}${path}`, { ...init, signal });
    } catch (error) {
      if (init.signal?.aborted) {
        throw error;
      }
      throw new OceanError(
        'OCEAN_NODE_UNREACHABLE',
        `The Ocean Node at ${this.url} does not answer. Check that it is running (for the local network: npm start) and that the network settings point at it.`,
        { cause: String(error) }
      );
    }
  }

  async json<T>(path: string, init: RequestInit = {}): Promise<T> {
    const response = await this.fetch(path, init);
    if (!response.ok) {
      const { message, code } = await nodeMessage(response);
      throw NodeApi.error(response.status, message, code);
    }
    return (await response.json()) as T;
  }

  /** Maps a node refusal to an OceanError with advice. */
  static error(status: number, message: string, code?: string): OceanError {
    const details = { status, nodeCode: code, nodeMessage: message };
    if (status === 404 || code === 'DDO_NOT_FOUND') {
      return new OceanError(
        'OCEAN_NOT_INDEXED',
        'The Ocean Node does not know this asset (yet). A newly published asset takes a few seconds to be indexed: try again shortly, and check that you are on the network it was published on.',
        details
      );
    }
    if (code === 'ORDER_EXPIRED' || /expired/i.test(message)) {
      return new OceanError(
        'OCEAN_ORDER_EXPIRED',
        'Your access to this asset has expired. Get access again (the old order cannot be used any more).',
        details
      );
    }
    if (status === 502 || status === 504) {
      // The node answers, but the publisher's storage behind it does not.
      return new OceanError(
        'OCEAN_DOWNLOAD_REFUSED',
        `The Ocean Node cannot reach this asset's file at its storage (the publisher's server does not answer: ${message}). Your access is kept: try again later, or tell the publisher.`,
        details
      );
    }
    if (status === 429) {
      return new OceanError(
        'OCEAN_NODE_UNREACHABLE',
        'The Ocean Node is rate-limiting requests. Wait a minute and try again.',
        details
      );
    }
    if (status >= 500) {
      return new OceanError(
        'OCEAN_NODE_UNREACHABLE',
        `The Ocean Node failed (${status}): ${message}`,
        details
      );
    }
    return new OceanError(
      'OCEAN_DOWNLOAD_REFUSED',
      `The Ocean Node refused the request (${status}): ${message}`,
      details
    );
  }

  /** The node's self-description, fetched once. */
  info(): Promise<INodeInfo> {
    if (!this._info) {
      this._info = this.json<INodeInfo>('/');
      this._info.catch(() => {
        this._info = null;
      });
    }
    return this._info;
  }

  /** The path of a named endpoint, with Ocean Node's default when unlisted. */
  async endpoint(name: string, fallback: string): Promise<string> {
    const info = await this.info();
    const entry = info.serviceEndpoints?.[name];
    return Array.isArray(entry) && typeof entry[1] === 'string'
      ? entry[1]
      : fallback;
  }

  query(body: unknown): Promise<unknown> {
    return this.json('/api/aquarius/assets/metadata/query', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body)
    });
  }

  ddo(did: string): Promise<unknown> {
    return this.json(`/api/aquarius/assets/ddo/${encodeURIComponent(did)}`);
  }

  async fileInfo(did: string, serviceId: string): Promise<unknown[]> {
    const path = await this.endpoint('fileInfo', '/api/services/fileInfo');
    const result = await this.json<unknown>(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ did, serviceId })
    });
    return Array.isArray(result) ? result : [];
  }

  async downloadUrl(params: Record<string, string | number>): Promise<string> {
    const path = await this.endpoint('download', '/api/services/download');
    const search = new URLSearchParams(
      Object.entries(params).map(([key, value]) => [key, String(value)])
    );
    return `${this.url}${path}?${search}`;
  }
}
