/**
 * A small HTTP layer over node:http: a route table (method + path pattern), CORS for browser
 * pages on other loopback ports, bounded body reading, and one place where every error becomes
 * a JSON answer so that no request can take the process down.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NodeError, badRequest, notFound, payloadTooLarge } from './errors.js';
import { RATE_LIMIT_MESSAGE, type RateLimiter } from './rate-limit.js';

export interface Request {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  raw: IncomingMessage;
  /** Reads the whole body, refusing more than `limit` bytes with 413. */
  body(limit?: number): Promise<Buffer>;
  /** Reads and parses a JSON body; malformed JSON or a non-object is a 400. */
  json(limit?: number): Promise<Record<string, unknown>>;
}

export type Handler = (
  req: Request,
  res: ServerResponse
) => Promise<void> | void;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

/** JSON bodies: express.json()'s default of 100 kB, which every real Ocean Node route has. */
export const DEFAULT_BODY_LIMIT = 100 * 1024;
/** Raw bodies (encrypt, encryptFile): Ocean Node's express.raw({ limit: '25mb' }). */
export const RAW_BODY_LIMIT = 25 * 1024 * 1024;

/**
 * Deepest nesting accepted in a JSON body. DDOs, compute requests and queries that clients send
 * nest about ten levels; a body nested thousands deep only serves to exhaust the stack of the
 * code that walks it (the query matcher recurses), which would answer 500 instead of 400.
 */
export const MAX_JSON_DEPTH = 64;

/** Whether `value` nests objects/arrays deeper than `limit` (walked without recursion). */
export function deeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(current as object))
      if (child !== null && typeof child === 'object')
        stack.push([child, depth + 1]);
  }
  return false;
}

/** A request made inside the node (POST /directCommand runs the matching route). */
export interface InternalRequest {
  query?: Record<string, string>;
  body?: Buffer;
  headers?: IncomingMessage['headers'];
}

const CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, PUT, DELETE, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type, Authorization, Range',
  'Access-Control-Expose-Headers':
    'Content-Range, Content-Length, Content-Disposition, Accept-Ranges, Content-Type',
  'Access-Control-Max-Age': '600'
};

export class Router {
  readonly #routes: Route[] = [];
  readonly #limiter: RateLimiter | undefined;

  constructor(options: { rateLimiter?: RateLimiter } = {}) {
    this.#limiter = options.rateLimiter;
  }

  /** `path` may contain `:name` segments; a trailing `:name?` is optional. */
  add(method: string, path: string, handler: Handler): void {
    const keys: string[] = [];
    const source = path
      .split('/')
      .map(segment => {
        if (!segment.startsWith(':'))
          return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        const optional = segment.endsWith('?');
        keys.push(segment.slice(1, optional ? -1 : undefined));
        return optional ? '?([^/]*)' : '([^/]+)';
      })
      .join('/');
    this.#routes.push({
      method: method.toUpperCase(),
      pattern: new RegExp(`^${source}/?$`),
      keys,
      handler
    });
  }

  get = (path: string, handler: Handler): void =>
    this.add('GET', path, handler);
  post = (path: string, handler: Handler): void =>
    this.add('POST', path, handler);
  put = (path: string, handler: Handler): void =>
    this.add('PUT', path, handler);
  delete = (path: string, handler: Handler): void =>
    this.add('DELETE', path, handler);

  /**
   * Runs the route for `method path` with the given query, body and headers, answering on `res`
   * (POST /directCommand reuses the HTTP routes this way, so both give the same answers).
   * Returns false when no route matches.
   */
  async invoke(
    method: string,
    path: string,
    input: InternalRequest,
    outer: Request,
    res: ServerResponse
  ): Promise<boolean> {
    const route = this.#routes.find(
      candidate => candidate.method === method && candidate.pattern.test(path)
    );
    if (!route) return false;
    const match = route.pattern.exec(path)!;
    const params: Record<string, string> = {};
    route.keys.forEach((key, index) => (params[key] = match[index + 1] ?? ''));
    const query = new URLSearchParams(input.query ?? {});
    const headers = { ...(input.headers ?? {}) };
    const request = makeRequest(outer.raw, method, path, params, query, () =>
      Promise.resolve(input.body ?? Buffer.alloc(0))
    );
    await route.handler({ ...request, headers }, res);
    return true;
  }

  /** The node:http request listener. */
  listener = (incoming: IncomingMessage, res: ServerResponse): void => {
    void this.#dispatch(incoming, res);
  };

  async #dispatch(
    incoming: IncomingMessage,
    res: ServerResponse
  ): Promise<void> {
    for (const [name, value] of Object.entries(CORS_HEADERS))
      res.setHeader(name, value);
    try {
      const method = (incoming.method ?? 'GET').toUpperCase();
      if (method === 'OPTIONS') {
        res.writeHead(204).end();
        return;
      }
      // Preflights are not counted: a browser sends one per request it makes, and the page did
      // not ask for it.
      const retryAfter = this.#limiter?.take(
        incoming.socket.remoteAddress ?? 'unknown'
      );
      if (retryAfter) {
        res.setHeader('Retry-After', String(retryAfter));
        incoming.resume();
        sendText(res, 429, RATE_LIMIT_MESSAGE, 'text/html; charset=utf-8');
        return;
      }
      let url: URL;
      try {
        url = new URL(incoming.url ?? '/', 'http://localhost');
      } catch {
        throw badRequest('The request URL could not be parsed.');
      }
      let path: string;
      try {
        path = decodeURIComponent(url.pathname);
      } catch {
        throw badRequest('The request path is not valid percent-encoding.');
      }
      let pathMatched = false;
      for (const route of this.#routes) {
        const match = route.pattern.exec(path);
        if (!match) continue;
        pathMatched = true;
        const headOfGet = route.method === 'GET' && method === 'HEAD';
        if (route.method !== method && !headOfGet) continue;
        const params: Record<string, string> = {};
        route.keys.forEach(
          (key, index) => (params[key] = match[index + 1] ?? '')
        );
        await route.handler(
          makeRequest(incoming, method, path, params, url.searchParams),
          res
        );
        return;
      }
      if (pathMatched) {
        throw new NodeError(
          405,
          'METHOD_NOT_ALLOWED',
          `${method} is not allowed on ${path}.`
        );
      }
      throw notFound(`No route for ${method} ${path}.`);
    } catch (error) {
      sendError(res, error);
    }
  }
}

function makeRequest(
  raw: IncomingMessage,
  method: string,
  path: string,
  params: Record<string, string>,
  query: URLSearchParams,
  read: (limit: number) => Promise<Buffer> = limit => readBody(raw, limit)
): Request {
  let consumed: Promise<Buffer> | undefined;
  const body = (limit = DEFAULT_BODY_LIMIT): Promise<Buffer> => {
    consumed ??= read(limit);
    return consumed;
  };
  return {
    method,
    path,
    params,
    query,
    headers: raw.headers,
    raw,
    body,
    async json(limit = DEFAULT_BODY_LIMIT) {
      const bytes = await body(limit);
      if (bytes.length === 0) throw badRequest('A JSON body is required.');
      let parsed: unknown;
      try {
        parsed = JSON.parse(bytes.toString('utf8'));
      } catch {
        throw badRequest('The request body is not valid JSON.', 'INVALID_JSON');
      }
      if (
        parsed === null ||
        typeof parsed !== 'object' ||
        Array.isArray(parsed)
      ) {
        throw badRequest(
          'The request body must be a JSON object.',
          'INVALID_JSON'
        );
      }
      if (deeperThan(parsed, MAX_JSON_DEPTH))
        throw badRequest(
          `The request body nests deeper than ${MAX_JSON_DEPTH} levels, more than any request to this node needs.`,
          'JSON_TOO_DEEP'
        );
      return parsed as Record<string, unknown>;
    }
  };
}

function readBody(raw: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(raw.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      // Answer early, then drain: the client may still be sending.
      raw.resume();
      reject(payloadTooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    raw.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        reject(payloadTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    raw.on('end', () => {
      if (!refused) resolve(Buffer.concat(chunks));
    });
    raw.on('error', reject);
  });
}

/**
 * A signal that aborts when the client goes away before `res` is answered in full, so work done
 * for it (an origin fetch, a checksum) stops with it. The request's own 'close' is no use here:
 * it fires as soon as the request body has been read.
 */
export function clientGone(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  const check = () => {
    if (!res.writableFinished)
      controller.abort(
        new NodeError(
          499,
          'CLIENT_CLOSED',
          'The client closed the connection before the answer was complete.'
        )
      );
  };
  if (res.closed) check();
  else res.once('close', check);
  return controller.signal;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body)
  });
  res.end(body);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  contentType = 'text/plain; charset=utf-8'
): void {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text)
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: unknown): void {
  if (error instanceof NodeError) {
    // OCEAN_NODE_DEBUG=1 logs every refusal, to see why a client got one.
    if (process.env.OCEAN_NODE_DEBUG)
      console.error(
        `[ocean-node] ${error.status} ${error.code}: ${error.message}`
      );
    if (error.status === 413) res.setHeader('Connection', 'close');
    sendJson(res, error.status, { error: error.message, code: error.code });
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  console.error('[ocean-node] unexpected error:', error);
  sendJson(res, 500, {
    error: `Internal server error: ${message}`,
    code: 'INTERNAL'
  });
}
