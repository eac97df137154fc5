/**
 * Reaching the bytes behind a `url` file, and nothing else.
 *
 * A file URL comes from whoever publishes an asset or calls fileInfo, so left alone it lets a
 * stranger make this node talk to its own machine and network (SSRF): a loopback admin port, a
 * cloud metadata address, a router on the LAN. So every hop is checked before it is connected:
 *
 * - only http and https;
 * - every address of the host must be public. The host is either an IP literal (WHATWG URL
 *   parsing has already turned 2130706433, 0x7f.1, 0177.0.0.1 and 127.1 into 127.0.0.1, and
 *   [::ffff:127.0.0.1] into [::ffff:7f00:1], before we look) or a name, which is resolved with
 *   dns.lookup and judged by all the addresses it gives. IPv4 carried inside IPv6 (mapped,
 *   NAT64, 6to4) is judged by its IPv4 address;
 * - the connection goes to an address that was checked (the request's lookup is pinned to the
 *   checked list), so a name that resolves elsewhere a moment later (DNS rebinding) gets nowhere;
 * - redirects are followed here, never by the HTTP client, at most `maxRedirects` of them, and
 *   each target meets the same checks.
 *
 * Origins listed in `allowedOrigins` skip the address check: the local stack serves its sample
 * files from its own file server on 127.0.0.1, and tests serve theirs from loopback too.
 */
import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import {
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { NodeError } from './errors.js';

export interface FileFetchLimits {
  /** Redirects followed for one file (default 5). */
  maxRedirects?: number;
  /** How long an origin may take to answer with its status and headers, per hop (default 30 s). */
  headersTimeoutMs?: number;
  /** Longest silence from the origin once it answers (default 60 s). */
  idleTimeoutMs?: number;
  /** Most bytes hashed for one fileInfo checksum (default 256 MiB). */
  checksumMaxBytes?: number;
  /** Longest one fileInfo checksum may take, fetching included (default 60 s). */
  checksumTimeoutMs?: number;
}

export const FILE_FETCH_DEFAULTS: Required<FileFetchLimits> = {
  maxRedirects: 5,
  headersTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  checksumMaxBytes: 256 * 1024 * 1024,
  checksumTimeoutMs: 60_000
};

/** What a url file asks for; parseFileObject (storage.ts) has already validated it. */
export interface UrlRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
}

export interface OpenedFile {
  status: number;
  headers: IncomingHttpHeaders;
  /** The origin's body; destroying it closes the connection to the origin. */
  body: IncomingMessage;
}

// --- which addresses are public ---------------------------------------------------------------

type Block = [prefix: number[], bits: number, what: string];

const LOOPBACK = 'a loopback address (the node’s own machine)';
const PRIVATE = 'a private network address';
const LINK_LOCAL = 'a link-local address';
const DOCUMENTATION = 'a documentation-only address';
const MULTICAST = 'a multicast address';
const RESERVED = 'a reserved address';

const v4 = (text: string): number[] => text.split('.').map(Number);

/** IPv4 ranges that are not the public internet (IANA special-purpose registry). */
const IPV4_BLOCKS: Block[] = [
  [v4('0.0.0.0'), 8, 'an unspecified address'],
  [v4('10.0.0.0'), 8, PRIVATE],
  [v4('100.64.0.0'), 10, 'a shared (carrier-grade NAT) address'],
  [v4('127.0.0.0'), 8, LOOPBACK],
  [v4('169.254.0.0'), 16, LINK_LOCAL],
  [v4('172.16.0.0'), 12, PRIVATE],
  [v4('192.0.0.0'), 24, RESERVED],
  [v4('192.0.2.0'), 24, DOCUMENTATION],
  [v4('192.88.99.0'), 24, RESERVED],
  [v4('192.168.0.0'), 16, PRIVATE],
  [v4('198.18.0.0'), 15, 'a benchmarking address'],
  [v4('198.51.100.0'), 24, DOCUMENTATION],
  [v4('203.0.113.0'), 24, DOCUMENTATION],
  [v4('224.0.0.0'), 4, MULTICAST],
  // 240/4 is reserved, and holds the broadcast address 255.255.255.255.
  [v4('240.0.0.0'), 4, RESERVED]
];

/** Parses an IPv6 address (already valid per net.isIP) into its 16 bytes. */
function ipv6Bytes(text: string): number[] {
  const groupsOf = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap(group => {
          if (!group.includes('.')) return [parseInt(group, 16)];
          const [a, b, c, d] = v4(group);
          return [(a << 8) | b, (c << 8) | d];
        });
  const [head, tail] = text.split('::');
  const left = groupsOf(head);
  const right = tail === undefined ? [] : groupsOf(tail);
  const zeros = new Array(8 - left.length - right.length).fill(0);
  return [...left, ...zeros, ...right].flatMap(group => [
    group >> 8,
    group & 0xff
  ]);
}

const v6 = (text: string): number[] => ipv6Bytes(text);

/** IPv6 ranges that are not the public internet, inside or beside 2000::/3. */
const IPV6_BLOCKS: Block[] = [
  [v6('::'), 128, 'an unspecified address'],
  [v6('::1'), 128, LOOPBACK],
  [v6('64:ff9b:1::'), 48, PRIVATE],
  [v6('100::'), 64, RESERVED],
  // IETF protocol assignments, Teredo (2001::/32) among them: a tunnel to any IPv4 host.
  [v6('2001::'), 23, RESERVED],
  [v6('2001:db8::'), 32, DOCUMENTATION],
  [v6('3fff::'), 20, DOCUMENTATION],
  [v6('fc00::'), 7, PRIVATE],
  [v6('fe80::'), 10, LINK_LOCAL],
  [v6('fec0::'), 10, 'a site-local address'],
  [v6('ff00::'), 8, MULTICAST]
];

function inBlock(bytes: number[], [prefix, bits]: Block): boolean {
  for (let bit = 0; bit < bits; bit++) {
    const mask = 0x80 >> (bit & 7);
    if ((bytes[bit >> 3] & mask) !== (prefix[bit >> 3] & mask)) return false;
  }
  return true;
}

/**
 * Why `address` (an IPv4 or IPv6 literal, a zone index allowed) is not a public internet
 * address, in words for a refusal; undefined when it is public.
 */
export function nonPublicAddress(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '').split('%')[0];
  const family = isIP(bare);
  if (family === 4) {
    const bytes = v4(bare);
    return IPV4_BLOCKS.find(block => inBlock(bytes, block))?.[2];
  }
  if (family !== 6) return 'not an IP address';
  const bytes = ipv6Bytes(bare);
  const embedded = (from: number): string =>
    bytes.slice(from, from + 4).join('.');
  // IPv4 inside IPv6 reaches that IPv4 host: ::ffff:a.b.c.d (mapped), 64:ff9b::/96 (NAT64),
  // 2002::/16 (6to4). Each is as public as the IPv4 address it carries.
  if (inBlock(bytes, [v6('::ffff:0:0'), 96, '']))
    return nonPublicAddress(embedded(12));
  if (inBlock(bytes, [v6('64:ff9b::'), 96, '']))
    return nonPublicAddress(embedded(12));
  if (inBlock(bytes, [v6('2002::'), 16, '']))
    return nonPublicAddress(embedded(2));
  const listed = IPV6_BLOCKS.find(block => inBlock(bytes, block))?.[2];
  if (listed) return listed;
  // Global unicast is 2000::/3; the rest of the space (IPv4-compatible ::a.b.c.d included)
  // is reserved.
  return (bytes[0] & 0xe0) === 0x20 ? undefined : RESERVED;
}

// --- refusals ---------------------------------------------------------------------------------

/** Refusing a URL by where it leads. No host or URL in the text: DDO file URLs are secret. */
export function fileUrlRefused(
  what: string,
  afterRedirect: boolean
): NodeError {
  return new NodeError(
    403,
    'FILE_URL_NOT_ALLOWED',
    `${afterRedirect ? "The file's origin redirected to a URL that leads" : "The file's URL leads"} to ${what}. This node fetches files only from public internet addresses, so that a file URL cannot reach into the node's own machine or network. Host the file on a public server, or upload it to the node's storage.`
  );
}

export const originTimeout = (what: string): NodeError =>
  new NodeError(504, 'ORIGIN_TIMEOUT', `The file's origin ${what}.`);

/** Why an outgoing request failed, as a NodeError (the reason of an abort wins). */
export function fetchFailure(error: unknown, signal?: AbortSignal): unknown {
  if (signal?.aborted && signal.reason instanceof Error) return signal.reason;
  if (error instanceof NodeError) return error;
  const code = (error as NodeJS.ErrnoException)?.code;
  return new NodeError(
    502,
    'ORIGIN_UNREACHABLE',
    `The file's origin could not be reached (${code ?? (error as Error)?.message ?? String(error)}).`
  );
}

/**
 * A signal that aborts with `reason` after `ms`, or when `outer` aborts (with its reason).
 * Call dispose() when the work is done, so the timer does not keep the process awake.
 */
export function deadline(
  ms: number,
  reason: Error,
  outer?: AbortSignal
): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onOuter = () => controller.abort(outer!.reason);
  if (outer?.aborted) onOuter();
  else outer?.addEventListener('abort', onOuter, { once: true });
  const timer = setTimeout(() => controller.abort(reason), ms);
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    }
  };
}

// --- fetching ---------------------------------------------------------------------------------

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function pinnedLookup(addresses: LookupAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, addresses);
    else callback(null, addresses[0].address, addresses[0].family);
  };
}

function withoutRange(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'range')
  );
}

export class FileFetcher {
  readonly limits: Required<FileFetchLimits>;
  readonly #allowed: Set<string>;

  constructor(allowedOrigins: string[] = [], limits: FileFetchLimits = {}) {
    this.limits = { ...FILE_FETCH_DEFAULTS };
    for (const [key, value] of Object.entries(limits))
      if (value !== undefined)
        this.limits[key as keyof FileFetchLimits] = value;
    this.#allowed = new Set(
      allowedOrigins.map(origin => {
        const parsed = new URL(origin);
        if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
          throw new Error(`An allowed file origin must be http(s): ${origin}`);
        return parsed.origin;
      })
    );
  }

  /**
   * Requests the file and answers the first response that is not a redirect. Throws a NodeError:
   * 403 FILE_URL_NOT_ALLOWED, 502 ORIGIN_UNREACHABLE / ORIGIN_REDIRECTS, 504 ORIGIN_TIMEOUT, or
   * the reason `signal` was aborted with.
   */
  async open(
    file: UrlRequest,
    options: { range?: string; signal?: AbortSignal } = {}
  ): Promise<OpenedFile> {
    let url = new URL(file.url);
    let method = file.method ?? 'GET';
    let headers = withoutRange(file.headers ?? {});
    if (options.range) headers.Range = options.range;
    for (let hop = 0; ; hop++) {
      const pinned = await this.#check(url, hop > 0, options.signal);
      const response = await this.#send(
        url,
        method,
        headers,
        pinned,
        options.signal
      );
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (!REDIRECTS.has(status) || !location)
        return { status, headers: response.headers, body: response };
      response.destroy();
      if (hop >= this.limits.maxRedirects)
        throw new NodeError(
          502,
          'ORIGIN_REDIRECTS',
          `The file's origin redirected more than ${this.limits.maxRedirects} times.`
        );
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new NodeError(
          502,
          'ORIGIN_REDIRECTS',
          "The file's origin redirected to something that is not a URL."
        );
      }
      // The publisher's headers (often a key to their storage) go only to their own origin.
      if (next.origin !== url.origin) {
        const range = headers.Range;
        headers = range ? { Range: range } : {};
      }
      if (
        status === 303 ||
        (status !== 307 && status !== 308 && method === 'POST')
      )
        method = 'GET';
      url = next;
    }
  }

  /** The addresses to connect to, all checked; undefined for an allowed origin (no check). */
  async #check(
    url: URL,
    afterRedirect: boolean,
    signal: AbortSignal | undefined
  ): Promise<LookupAddress[] | undefined> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw fileUrlRefused('something other than http or https', afterRedirect);
    if (this.#allowed.has(url.origin)) return undefined;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const family = isIP(host);
    if (family !== 0) {
      const why = nonPublicAddress(host);
      if (why) throw fileUrlRefused(why, afterRedirect);
      return [{ address: host, family }];
    }
    let addresses: LookupAddress[];
    try {
      const resolving = dnsLookup(host, { all: true, verbatim: true });
      addresses = await (signal
        ? Promise.race([
            resolving,
            new Promise<never>((_, reject) => {
              if (signal.aborted) reject(signal.reason);
              signal.addEventListener('abort', () => reject(signal.reason), {
                once: true
              });
            })
          ])
        : resolving);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new NodeError(
        502,
        'ORIGIN_UNREACHABLE',
        `The file's host name could not be resolved (${(error as NodeJS.ErrnoException).code ?? 'no address'}).`
      );
    }
    if (addresses.length === 0)
      throw new NodeError(
        502,
        'ORIGIN_UNREACHABLE',
        "The file's host name has no address."
      );
    // Every address, not only the first: a name listing one public and one private address
    // would otherwise reach the private one whenever the client picks it.
    for (const { address } of addresses) {
      const why = nonPublicAddress(address);
      if (why) throw fileUrlRefused(why, afterRedirect);
    }
    return addresses;
  }

  #send(
    url: URL,
    method: string,
    headers: Record<string, string>,
    pinned: LookupAddress[] | undefined,
    signal: AbortSignal | undefined
  ): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      let response: IncomingMessage | undefined;
      const fail = (error: Error) => {
        response?.destroy(error);
        request.destroy(error);
      };
      const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
        url,
        {
          method,
          headers,
          signal,
          lookup: pinned ? pinnedLookup(pinned) : undefined,
          // A fresh connection per request: a pooled socket would outlive the check that
          // allowed it, and keep test servers from closing.
          agent: false,
          timeout: this.limits.idleTimeoutMs
        }
      );
      const waiting = setTimeout(
        () =>
          fail(
            originTimeout(
              `did not answer within ${Math.round(this.limits.headersTimeoutMs / 1000)} s`
            )
          ),
        this.limits.headersTimeoutMs
      );
      request.on('timeout', () =>
        fail(
          originTimeout(
            `sent nothing for ${Math.round(this.limits.idleTimeoutMs / 1000)} s`
          )
        )
      );
      request.once('response', answer => {
        clearTimeout(waiting);
        response = answer;
        // Whoever reads the body gets its errors through their own listeners; this one only
        // keeps a late error on a body nobody reads any more from crashing the process.
        answer.on('error', () => {});
        resolve(answer);
      });
      request.on('error', error => {
        clearTimeout(waiting);
        reject(fetchFailure(error, signal));
      });
      request.end();
    });
  }
}
