/**
 * The few Ocean Node HTTP calls discovery and downloads need, with plain
 * fetch: discovery must not wait for @oceanprotocol/lib to load, and the
 * node's answers are turned into OceanErrors a data scientist can act on.
 */
import { errorWords, OceanError } from '../errors';

/** What `GET /` of an Ocean Node says about itself. */
export interface INodeInfo {
  chainIds: string[];
  providerAddress: string;
  /** Endpoint name → [METHOD, path]. */
  serviceEndpoints: Record<string, [string, string]>;
  /** Real nodes add their libp2p identity and software version. */
  nodeId?: string;
  nodePublicKey?: string;
  software?: string;
  version?: string;
}

/**
 * When each node (by URL) said it would take requests again after a 429.
 * Shared by every caller in this page, so one refusal slows them all down.
 */
const RATE_LIMITED_UNTIL = new Map<string, number>();

/** How long a node asks us to wait: Retry-After, or its sentence's seconds. */
export function retryAfterMs(headers: Headers | null, message: string): number {
  const header = Number(headers?.get('retry-after'));
  if (Number.isFinite(header) && header > 0) {
    return Math.min(header, 600) * 1000;
  }
  const said = /try again in (\d+) ?s/i.exec(message);
  // Real Ocean Nodes count a minute per window and say so.
  return said ? Math.min(Number(said[1]), 600) * 1000 : 60_000;
}

/** Remembers that `nodeUrl` refused us for `waitMs`. */
export function noteRateLimit(nodeUrl: string, waitMs: number): number {
  const key = nodeUrl.replace(/\/+$/, '');
  const until = Math.max(RATE_LIMITED_UNTIL.get(key) ?? 0, Date.now() + waitMs);
  RATE_LIMITED_UNTIL.set(key, until);
  return until;
}

/** When `nodeUrl` will take requests again (0 when it is not limiting us). */
export function rateLimitedUntil(nodeUrl: string): number {
  const until = RATE_LIMITED_UNTIL.get(nodeUrl.replace(/\/+$/, '')) ?? 0;
  return until > Date.now() ? until : 0;
}

/** A wall-clock time as people read it, for "retrying at …". */
export function clockTime(at: number): string {
  return new Date(at).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit'
  });
}

/** HTML entities express writes into its error pages. */
const ENTITIES: Record<string, string> = {
  '&nbsp;': ' ',
  '&lt;': '<',
  '&gt;': '>',
  '&amp;': '&',
  '&quot;': '"',
  '&#39;': "'"
};

/**
 * Plain words from a text or HTML refusal. Express pages ("Error
 * PayloadTooLargeError: request entity too large at readStream (…)") carry
 * a stack trace nobody should read: the first line of the error is kept.
 */
export function refusalText(raw: string): string {
  let text = raw;
  if (/<[a-z!/][^>]*>/i.test(text) || /&nbsp;|&lt;/.test(text)) {
    // express puts the error in <pre>; its <title> only says "Error".
    const pre = /<pre[^>]*>([\s\S]*?)<\/pre>/i.exec(text);
    text = (pre ? pre[1] : text)
      .replace(/<(head|script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
      .replace(/<br\s*\/?>/gi, '\n')
      .replace(/<[^>]*>/g, ' ')
      .replace(/&[a-z#0-9]+;/gi, entity => ENTITIES[entity] ?? ' ');
  }
  // The first line that says something; stack frames ("at …") are dropped.
  const line =
    text
      .split('\n')
      .map(part => part.split(/\s{2,}at\s|\sat\s+\S+\s+\(/)[0].trim())
      .find(part => part.length > 0) ?? '';
  return line
    .replace(/\s+/g, ' ')
    .replace(/^Error\s+(?=\w*Error\b|Cannot\s)/, '')
    .slice(0, 300);
}

/**
 * Codes for the refusals real Ocean Nodes send as bare sentences, so the
 * client can branch on them as it does on our node's JSON codes.
 */
function codeFromText(message: string): string | undefined {
  if (/^invalid token$|token (is )?(expired|invalid)/i.test(message)) {
    return 'INVALID_TOKEN';
  }
  if (/is not a valid nonce/i.test(message)) {
    return 'INVALID_NONCE';
  }
  if (/^ddo not found|no ddo found/i.test(message)) {
    return 'DDO_NOT_FOUND';
  }
  if (/PayloadTooLargeError|request entity too large/i.test(message)) {
    return 'PAYLOAD_TOO_LARGE';
  }
  if (/SyntaxError|Unexpected (end|token).*JSON/i.test(message)) {
    return 'MALFORMED_REQUEST';
  }
  if (/^Cannot (GET|POST|PUT|DELETE) /i.test(message)) {
    return 'NO_SUCH_ROUTE';
  }
  return undefined;
}

/**
 * Reads the refusal an Ocean Node sends: our node's JSON `{error, code}`,
 * a real node's JSON `{error}` or JSON string, plain text served as
 * text/html, or an express HTML page.
 */
export async function nodeMessage(response: Response): Promise<{
  message: string;
  code?: string;
}> {
  const text = await response.text().catch(() => '');
  return refusalFrom(text, response.statusText);
}

/** The same, from a body already read. */
export function refusalFrom(
  text: string,
  statusText = ''
): { message: string; code?: string } {
  try {
    const body = JSON.parse(text);
    const error = body?.error ?? body;
    if (typeof error === 'string' && error.trim()) {
      const message = refusalText(error);
      return { message, code: body?.code ?? codeFromText(message) };
    }
    if (error && typeof error === 'object' && !Array.isArray(error)) {
      const inner = error.message ?? error.error;
      if (typeof inner === 'string' && inner.trim()) {
        const message = refusalText(inner);
        return {
          message,
          code: error.code ?? body?.code ?? codeFromText(message)
        };
      }
      // A real node sometimes refuses with a bare `{}`: nothing to quote.
      return { message: statusText, code: error.code ?? body?.code };
    }
  } catch {
    // Not JSON: a sentence, a proxy page or an express error page.
  }
  const message = refusalText(text) || statusText;
  return { message, code: codeFromText(message) };
}

/** Where a node keeps files uploaded for publishing (persistent storage). */
const BUCKETS_PATH = '/api/services/persistentStorage/buckets';

/** An upload may take minutes where a query takes seconds. */
const UPLOAD_TIMEOUT_MS = 10 * 60_000;

/** Messages that carry no information beyond the status itself. */
const EMPTY_MESSAGES =
  /^(|internal server error|bad gateway|service unavailable|gateway time-?out|not implemented)$/i;

/** Options of a NodeApi; the defaults suit real networks. */
export interface INodeApiOptions {
  /**
   * The longest a call waits for a rate-limiting node before retrying once
   * (real nodes ask for 60 s). 0 fails at once with the time to retry.
   */
  maxRateLimitWaitMs?: number;
  /** Told each time a call waits for a rate-limiting node, with a sentence. */
  onRateLimited?: (info: { until: number; message: string }) => void;
  /** How long one request may take (15 s unless told). */
  timeoutMs?: number;
  /** The fetch to use (tests hand in their own); the page's fetch unless told. */
  fetchImpl?: typeof fetch;
}

export class NodeApi {
  readonly url: string;
  private _info: Promise<INodeInfo> | null = null;
  private _options: INodeApiOptions;

  constructor(url: string, options: INodeApiOptions = {}) {
    this.url = url.replace(/\/+$/, '');
    this._options = options;
  }

  /** fetch with a clear error when the node cannot be reached at all. */
  async fetch(
    path: string,
    init: RequestInit = {},
    timeoutMs = this._options.timeoutMs ?? 15_000
  ): Promise<Response> {
    // A node that said 429 refuses everything until then: asking earlier
    // only extends its window.
    await this.waitForRateLimit(init.signal ?? undefined);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init.signal
      ? AbortSignal.any([init.signal, timeout])
      : timeout;
    try {
      const fetchImpl = this._options.fetchImpl ?? globalThis.fetch;
      return await fetchImpl(`${this.url}${path}`, { ...init, signal });
    } catch (error) {
      if (init.signal?.aborted) {
        throw error;
      }
      throw new OceanError(
        'OCEAN_NODE_UNREACHABLE',
        errorWords.__(
          'The Ocean Node at %1 does not answer. Check that it is running (for the local network: npm start) and that the network settings point at it.',
          this.url
        ),
        { cause: String(error) }
      );
    }
  }

  /** Sleeps until the node's rate-limit window ends (if it is in one). */
  async waitForRateLimit(signal?: AbortSignal): Promise<void> {
    const until = rateLimitedUntil(this.url);
    const max = this._options.maxRateLimitWaitMs ?? 65_000;
    if (!until) {
      return;
    }
    if (until - Date.now() > max) {
      throw NodeApi.rateLimited(this.url, until);
    }
    this._options.onRateLimited?.({
      until,
      message: NodeApi.rateLimited(this.url, until, true).message
    });
    await abortableSleep(until - Date.now(), signal);
  }

  async json<T>(path: string, init: RequestInit = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const response = await this.fetch(path, init);
      if (response.ok) {
        return (await response.json()) as T;
      }
      const { message, code } = await nodeMessage(response);
      if (response.status === 429) {
        const until = noteRateLimit(
          this.url,
          retryAfterMs(response.headers, message)
        );
        const max = this._options.maxRateLimitWaitMs ?? 65_000;
        // A 429 means the request was not handled, so asking again is safe.
        if (attempt === 0 && until - Date.now() <= max) {
          continue;
        }
        throw NodeApi.rateLimited(this.url, until);
      }
      throw NodeApi.error(response.status, message, code);
    }
  }

  /** The error for a node that is rate-limiting us, saying when it ends. */
  static rateLimited(url: string, until: number, waiting = false): OceanError {
    const seconds = Math.max(1, Math.ceil((until - Date.now()) / 1000));
    return new OceanError(
      'OCEAN_RATE_LIMITED',
      waiting
        ? errorWords.__(
            'The Ocean Node at %1 is limiting how often it may be asked (real nodes allow 30 requests a minute). Retrying at %2 (in %3 s).',
            url,
            clockTime(until),
            seconds
          )
        : errorWords.__(
            'The Ocean Node at %1 is limiting how often it may be asked (real nodes allow 30 requests a minute). Try again at %2 (in %3 s).',
            url,
            clockTime(until),
            seconds
          ),
      { status: 429, retryAt: until }
    );
  }

  /** Maps a node refusal to an OceanError with advice. */
  static error(status: number, message: string, code?: string): OceanError {
    const details = { status, nodeCode: code, nodeMessage: message };
    const said = !EMPTY_MESSAGES.test(message.trim());
    if (code === 'NO_SUCH_ROUTE') {
      return new OceanError(
        'OCEAN_NODE_REFUSED',
        errorWords.__(
          'The Ocean Node has no such route (%1): it may run another version of Ocean Node than this extension expects.',
          message
        ),
        details
      );
    }
    if (code === 'MALFORMED_REQUEST') {
      return new OceanError(
        'OCEAN_NODE_REFUSED',
        errorWords.__(
          'The Ocean Node could not read the request (%1). This is a fault of the client, not of your data: please report it.',
          message
        ),
        details
      );
    }
    if (status === 404 || code === 'DDO_NOT_FOUND') {
      return new OceanError(
        'OCEAN_NOT_INDEXED',
        // The likely cause first: a wrong DID or network is far more common
        // than asking within the seconds an asset takes to be indexed.
        errorWords.__(
          'The Ocean Node does not know this asset. Check the DID, and that you are on the network it was published on (the Ocean panel shows yours); only an asset published in the last minute may still be waiting to be indexed.'
        ),
        details
      );
    }
    if (code === 'ORDER_EXPIRED' || /expired/i.test(message)) {
      return new OceanError(
        'OCEAN_ORDER_EXPIRED',
        errorWords.__(
          'Your access to this asset has expired. Get access again (the old order cannot be used any more).'
        ),
        details
      );
    }
    if (status === 429) {
      return new OceanError(
        'OCEAN_RATE_LIMITED',
        errorWords.__(
          'The Ocean Node is limiting how often it may be asked (real nodes allow 30 requests a minute). Wait a minute and try again.'
        ),
        details
      );
    }
    if (status === 413 || code === 'PAYLOAD_TOO_LARGE') {
      return new OceanError(
        'OCEAN_NODE_REFUSED',
        errorWords.__(
          'The request is larger than the Ocean Node accepts (real nodes take JSON bodies up to 100 kB and files up to 25 MB). Send less at once.'
        ),
        details
      );
    }
    if ((status === 502 || status === 503 || status === 504) && !said) {
      // A proxy in front of the node answered for it: the node is down.
      return new OceanError(
        'OCEAN_NODE_UNREACHABLE',
        errorWords.__(
          'The Ocean Node does not answer (its gateway says %1). Try again later; if it persists, check the network settings.',
          status
        ),
        details
      );
    }
    if (status === 502 || status === 504) {
      // The node answers, but the publisher's storage behind it does not.
      return new OceanError(
        'OCEAN_DOWNLOAD_REFUSED',
        errorWords.__(
          "The Ocean Node cannot reach this asset's file at its storage (the publisher's server does not answer: %1). Your access is kept: try again later, or tell the publisher.",
          message
        ),
        details
      );
    }
    if (status >= 500) {
      // Real nodes answer most refusals (unknown service, job or order) with
      // 500 or 501 and a sentence: the node is up, it said no.
      return new OceanError(
        'OCEAN_NODE_REFUSED',
        said
          ? errorWords.__(
              'The Ocean Node refused the request: %1 (%2)',
              sentence(message),
              status
            )
          : errorWords.__(
              'The Ocean Node could not carry out the request and gave no reason (%1). It usually means it does not have what was asked for (asset, service, file or job): check them, then try again.',
              status
            ),
        details
      );
    }
    return new OceanError(
      'OCEAN_DOWNLOAD_REFUSED',
      errorWords.__(
        'The Ocean Node refused the request (%1): %2',
        status,
        sentence(message)
      ),
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
    return this.json(ddoPath(did));
  }

  /**
   * The node's answer to a DDO request as it came, for a caller that words
   * a refusal itself or polls (a poll notes a 429 itself, see polling.ts).
   */
  ddoResponse(did: string, init: RequestInit = {}): Promise<Response> {
    return this.fetch(ddoPath(did), init);
  }

  /** What the node tells of a service's files; `checksum` asks for each file's sha256 too. */
  async fileInfo(
    did: string,
    serviceId: string,
    options: { checksum?: boolean } = {}
  ): Promise<unknown[]> {
    const path = await this.endpoint('fileInfo', '/api/services/fileInfo');
    const result = await this.json<unknown>(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(
        options.checksum
          ? { did, serviceId, checksum: true }
          : { did, serviceId }
      )
    });
    return Array.isArray(result) ? result : [];
  }

  /** POST a signed request for a storage bucket; the answer as it came. */
  createBucket(request: Record<string, unknown>): Promise<Response> {
    return this.fetch(BUCKETS_PATH, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request)
    });
  }

  /** POST a file into a bucket, signed by `query`; the answer as it came. */
  uploadToBucket(
    bucketId: string,
    fileName: string,
    query: Record<string, string>,
    bytes: Uint8Array,
    contentType: string
  ): Promise<Response> {
    return this.fetch(
      `${BUCKETS_PATH}/${encodeURIComponent(bucketId)}/files/${encodeURIComponent(fileName)}?${new URLSearchParams(query)}`,
      {
        method: 'POST',
        headers: { 'Content-Type': contentType },
        body: bytes as BodyInit
      },
      UPLOAD_TIMEOUT_MS
    );
  }

  /** The path (with its query) of a compute job's live log. */
  async computeLogsPath(jobId: string): Promise<string> {
    const path = await this.endpoint(
      'computeStreamableLogs',
      '/api/services/computeStreamableLogs'
    );
    return `${path}?jobId=${encodeURIComponent(jobId)}`;
  }

  /** The path (with its query) of result `index` of a job `consumer` owns. */
  async computeResultPath(
    consumer: string,
    jobId: string,
    index: number
  ): Promise<string> {
    const path = await this.endpoint(
      'computeResult',
      '/api/services/computeResult'
    );
    return `${path}?consumerAddress=${encodeURIComponent(consumer)}&jobId=${encodeURIComponent(jobId)}&index=${index}`;
  }

  /** The last nonce the node holds for `address` (a number or, on real nodes, a string). */
  async nonce(address: string): Promise<bigint> {
    const path = await this.endpoint('nonce', '/api/services/nonce');
    const answer = await this.json<{ nonce?: unknown }>(
      `${path}?userAddress=${encodeURIComponent(address)}`
    );
    return parseNonce(answer?.nonce);
  }

  /**
   * POST createAuthToken (generateAuthToken): the token the node issues for
   * a signed nonce. requestAuthToken (auth-token.ts) picks the nonce and
   * has it signed; this is only the node's side.
   */
  async authToken(body: {
    address: string;
    signature: string;
    nonce: string;
    validUntil?: number;
  }): Promise<string> {
    const path = await this.endpoint(
      'generateAuthToken',
      '/api/services/auth/token'
    );
    const answer = await this.json<{ token?: unknown }>(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body)
    });
    if (typeof answer?.token !== 'string' || !answer.token) {
      throw new OceanError(
        'OCEAN_NODE_REFUSED',
        errorWords.__(
          'The Ocean Node did not issue a token; nothing else was signed.'
        )
      );
    }
    return answer.token;
  }

  async downloadUrl(params: Record<string, string | number>): Promise<string> {
    const path = await this.endpoint('download', '/api/services/download');
    const search = new URLSearchParams(
      Object.entries(params).map(([key, value]) => [key, String(value)])
    );
    return `${this.url}${path}?${search}`;
  }
}

function ddoPath(did: string): string {
  return `/api/aquarius/assets/ddo/${encodeURIComponent(did)}`;
}

/** A node's nonce, whether sent as a number or a decimal string. */
export function parseNonce(value: unknown): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
    return BigInt(value);
  }
  if (typeof value === 'string' && /^\d{1,78}$/.test(value.trim())) {
    return BigInt(value.trim());
  }
  if (value === undefined || value === null) {
    // Real nodes answer "0" for accounts they have never seen; ours may omit it.
    return 0n;
  }
  throw new OceanError(
    'OCEAN_NODE_REFUSED',
    errorWords.__(
      'The Ocean Node sent a request counter (nonce) that is not a number: %1.',
      String(value).slice(0, 40)
    )
  );
}

/** A node's sentence ends with a full stop, once. */
function sentence(message: string): string {
  const text = message.trim();
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** Waits `ms` (at least a tick); rejects with the signal's reason on abort. */
export function abortableSleep(
  ms: number,
  signal?: AbortSignal
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(resolve, Math.max(0, ms));
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true }
    );
  });
}
