/**
 * Where asset files come from: `url` files (fetched from their origin, Range passed through)
 * and `nodePersistentStorage` files (bytes kept by this node in buckets, as Ocean Node's
 * persistent storage does). Uploads are written to a temporary file, fsynced and renamed into
 * place, so a crash leaves either the old file or the new one, never a torn one.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { NodeDatabase, StoredFileRow } from './db.js';
import { NodeError, badRequest, notFound, payloadTooLarge } from './errors.js';
import {
  deadline,
  fetchFailure,
  originTimeout,
  type FileFetcher,
  type OpenedFile
} from './file-fetch.js';
import { clientGone } from './http.js';

export interface UrlFile {
  type: 'url';
  url: string;
  method?: string;
  headers?: Record<string, string>;
}

export interface StoredFileObject {
  type: 'nodePersistentStorage';
  bucketId: string;
  fileName: string;
}

export type FileObject = UrlFile | StoredFileObject;

export interface FileInfo {
  valid: boolean;
  contentLength: string;
  contentType: string;
  name: string;
  type: string;
  checksum?: string;
  checksumType?: string;
}

const FILE_NAME_PATTERN = /^[A-Za-z0-9._-][A-Za-z0-9._ -]{0,199}$/;
/** An HTTP header name (RFC 9110 token) and a value Node's HTTP client will send. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,200}$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]{0,8192}$/;
/** A "%" that does not start a %XX escape: the URL is malformed (RFC 3986 section 2.1). */
const BROKEN_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

export function checkFileName(name: string): string {
  if (!FILE_NAME_PATTERN.test(name) || name === '.' || name === '..') {
    throw badRequest(
      'File names may hold letters, digits, spaces, ".", "_" and "-" (at most 200).',
      'INVALID_FILE_NAME'
    );
  }
  return name;
}

/** Validates a file object from a client or a decrypted DDO. */
export function parseFileObject(value: unknown): FileObject {
  if (!value || typeof value !== 'object')
    throw badRequest('A file object is required.', 'INVALID_FILE');
  const file = value as Record<string, unknown>;
  if (file.type === 'url') {
    if (typeof file.url !== 'string')
      throw badRequest('A url file needs a "url" string.', 'INVALID_FILE');
    let parsed: URL;
    try {
      parsed = new URL(file.url);
    } catch {
      throw badRequest('The file url is not a valid URL.', 'INVALID_FILE');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw badRequest(
        'Only http and https file urls are supported.',
        'INVALID_FILE'
      );
    }
    // The URL parser keeps a stray "%" as it is; refused here, it is the client's mistake (400)
    // rather than a failure later, when the file name is decoded from the path.
    if (BROKEN_ESCAPE.test(parsed.href)) {
      throw badRequest(
        'The file url has a "%" that is not followed by two hex digits; write a literal "%" as %25.',
        'INVALID_FILE'
      );
    }
    const method =
      typeof file.method === 'string' ? file.method.toUpperCase() : 'GET';
    if (method !== 'GET' && method !== 'POST')
      throw badRequest('File method must be GET or POST.', 'INVALID_FILE');
    const headers: Record<string, string> = {};
    if (file.headers && typeof file.headers === 'object') {
      for (const [key, header] of Object.entries(
        file.headers as Record<string, unknown>
      )) {
        if (typeof header !== 'string') continue;
        // Checked here so that a bad header is the client's 400, not the HTTP client's throw.
        if (!HEADER_NAME.test(key) || !HEADER_VALUE.test(header))
          throw badRequest(
            `The file header "${key.slice(0, 40)}" is not a valid HTTP header name and value.`,
            'INVALID_FILE'
          );
        headers[key] = header;
      }
    }
    return { type: 'url', url: parsed.toString(), method, headers };
  }
  if (file.type === 'nodePersistentStorage') {
    if (
      typeof file.bucketId !== 'string' ||
      typeof file.fileName !== 'string'
    ) {
      throw badRequest(
        'A nodePersistentStorage file needs "bucketId" and "fileName".',
        'INVALID_FILE'
      );
    }
    return {
      type: 'nodePersistentStorage',
      bucketId: file.bucketId,
      fileName: checkFileName(file.fileName)
    };
  }
  throw badRequest(
    `Unsupported file type "${String(file.type)}" (supported: url, nodePersistentStorage).`,
    'UNSUPPORTED_FILE_TYPE'
  );
}

function nameFromUrl(url: string): string {
  const last = new URL(url).pathname.split('/').filter(Boolean).pop();
  if (!last) return 'file';
  try {
    return decodeURIComponent(last);
  } catch {
    // Escapes of bytes that are not UTF-8: the name as written is still a name.
    return last;
  }
}

const invalidUrlInfo = (file: UrlFile): FileInfo => ({
  valid: false,
  contentLength: '0',
  contentType: '',
  name: nameFromUrl(file.url),
  type: 'url'
});

const header = (opened: OpenedFile, name: string): string | undefined => {
  const value = opened.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export class FileStore {
  readonly #root: string;
  readonly #db: NodeDatabase;
  readonly #fetcher: FileFetcher;

  constructor(dataDir: string, db: NodeDatabase, fetcher: FileFetcher) {
    this.#root = join(dataDir, 'files');
    mkdirSync(this.#root, { recursive: true });
    this.#db = db;
    this.#fetcher = fetcher;
  }

  /** The guarded fetcher of url files, for other readers of them (compute inputs). */
  get fetcher(): FileFetcher {
    return this.#fetcher;
  }

  /** Streams `body` into the bucket, atomically replacing any file of the same name. */
  async put(
    bucketId: string,
    fileName: string,
    body: IncomingMessage,
    contentType: string,
    maxBytes: number
  ): Promise<StoredFileRow> {
    const bucketDir = join(this.#root, bucketId);
    mkdirSync(bucketDir, { recursive: true });
    const finalPath = join(bucketDir, `${randomUUID()}.bin`);
    const tempPath = `${finalPath}.partial`;
    const hash = createHash('sha256');
    let size = 0;
    try {
      await pipeline(
        body,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            size += chunk.length;
            if (size > maxBytes) throw payloadTooLarge(maxBytes);
            hash.update(chunk);
            yield chunk;
          }
        },
        createWriteStream(tempPath)
      );
      const handle = await open(tempPath, 'r');
      await handle.sync();
      await handle.close();
      await rename(tempPath, finalPath);
    } catch (error) {
      await rm(tempPath, { force: true });
      throw error;
    }
    const previous = this.#db.getStoredFile(bucketId, fileName);
    const row: StoredFileRow = {
      bucketId,
      fileName,
      path: finalPath,
      size,
      sha256: hash.digest('hex'),
      contentType,
      createdAt: Date.now()
    };
    this.#db.upsertStoredFile(row);
    if (previous) await rm(previous.path, { force: true });
    return row;
  }

  async remove(bucketId: string, fileName: string): Promise<boolean> {
    const row = this.#db.getStoredFile(bucketId, fileName);
    if (!row) return false;
    this.#db.deleteStoredFile(bucketId, fileName);
    await rm(row.path, { force: true });
    return true;
  }

  stored(file: StoredFileObject): StoredFileRow {
    const row = this.#db.getStoredFile(file.bucketId, file.fileName);
    if (!row)
      throw notFound(
        `No file "${file.fileName}" in bucket ${file.bucketId}.`,
        'FILE_NOT_FOUND'
      );
    return row;
  }

  /** `signal`: abort when the asker has gone (see clientGone). */
  async info(
    file: FileObject,
    withChecksum: boolean,
    signal?: AbortSignal
  ): Promise<FileInfo> {
    if (file.type === 'nodePersistentStorage') {
      const row = this.stored(file);
      await stat(row.path);
      return {
        valid: true,
        contentLength: String(row.size),
        contentType: row.contentType,
        name: row.fileName,
        type: file.type,
        ...(withChecksum
          ? { checksum: row.sha256, checksumType: 'sha256' }
          : {})
      };
    }
    // Bounded in time as a whole (a checksum also in bytes), and abandoned with the client:
    // an endless or slow origin must not keep the node fetching and hashing for nobody.
    const limits = this.#fetcher.limits;
    const seconds = (ms: number) => Math.round(ms / 100) / 10;
    const bound = deadline(
      withChecksum ? limits.checksumTimeoutMs : limits.headersTimeoutMs,
      originTimeout(
        withChecksum
          ? `did not send the whole file within ${seconds(limits.checksumTimeoutMs)} s, the longest this node spends on a checksum`
          : `did not answer within ${seconds(limits.headersTimeoutMs)} s`
      ),
      signal
    );
    let opened: OpenedFile | undefined;
    try {
      opened = await this.#fetcher.open(file, {
        range: withChecksum ? undefined : 'bytes=0-0',
        signal: bound.signal
      });
      if (opened.status < 200 || opened.status > 299)
        return invalidUrlInfo(file);
      let contentLength = header(opened, 'content-length') ?? '';
      const range = header(opened, 'content-range');
      if (opened.status === 206 && range?.includes('/'))
        contentLength = range.split('/')[1];
      const info: FileInfo = {
        valid: true,
        contentLength,
        contentType:
          header(opened, 'content-type') ?? 'application/octet-stream',
        name: nameFromUrl(file.url),
        type: 'url'
      };
      if (withChecksum) {
        const hash = createHash('sha256');
        let size = 0;
        for await (const chunk of opened.body as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size > limits.checksumMaxBytes)
            throw new NodeError(
              422,
              'FILE_TOO_LARGE_TO_HASH',
              `The file is larger than ${limits.checksumMaxBytes} bytes, the most this node reads to compute a checksum. Ask for its information without a checksum.`
            );
          hash.update(chunk);
        }
        info.checksum = hash.digest('hex');
        info.checksumType = 'sha256';
        info.contentLength = String(size);
      }
      return info;
    } catch (error) {
      throw fetchFailure(error, bound.signal);
    } finally {
      bound.dispose();
      // Closes the connection to the origin whatever happened: it stops sending.
      opened?.body.destroy();
    }
  }

  /** Sends the file, honouring a single `Range: bytes=a-b` request (206 / 416). */
  async send(
    file: FileObject,
    rangeHeader: string | undefined,
    res: ServerResponse,
    headOnly: boolean
  ): Promise<void> {
    if (file.type === 'nodePersistentStorage') {
      const row = this.stored(file);
      const range = parseRange(rangeHeader, row.size);
      const headers: Record<string, string | number> = {
        'Content-Type': row.contentType,
        'Content-Disposition': `attachment;filename=${encodeURIComponent(row.fileName)}`,
        'Accept-Ranges': 'bytes'
      };
      if (range === 'unsatisfiable') {
        res
          .writeHead(416, {
            ...headers,
            'Content-Range': `bytes */${row.size}`
          })
          .end();
        return;
      }
      const [start, end] = range ?? [0, row.size - 1];
      const length = row.size === 0 ? 0 : end - start + 1;
      headers['Content-Length'] = length;
      if (range) headers['Content-Range'] = `bytes ${start}-${end}/${row.size}`;
      res.writeHead(range ? 206 : 200, headers);
      if (headOnly || length === 0) {
        res.end();
        return;
      }
      await pipeline(createReadStream(row.path, { start, end }), res);
      return;
    }
    // The upstream fetch lives as long as the client: when it leaves, the origin is let go.
    const gone = clientGone(res);
    const opened = await this.#fetcher.open(file, {
      range: rangeHeader,
      signal: gone
    });
    if (opened.status < 200 || opened.status > 299) {
      opened.body.destroy();
      throw new NodeError(
        opened.status === 416 ? 416 : 502,
        'ORIGIN_FAILED',
        `The file's origin answered HTTP ${opened.status}.`
      );
    }
    const headers: Record<string, string> = {
      'Content-Type':
        header(opened, 'content-type') ?? 'application/octet-stream',
      'Content-Disposition': `attachment;filename=${encodeURIComponent(nameFromUrl(file.url))}`,
      'Accept-Ranges': header(opened, 'accept-ranges') ?? 'none'
    };
    for (const name of ['content-length', 'content-range']) {
      const value = header(opened, name);
      if (value) headers[name] = value;
    }
    res.writeHead(opened.status, headers);
    if (headOnly) {
      opened.body.destroy();
      res.end();
      return;
    }
    try {
      await pipeline(opened.body, res, { signal: gone });
    } catch (error) {
      opened.body.destroy();
      throw fetchFailure(error, gone);
    }
  }
}

/** Parses one `bytes=` range; undefined means "whole file". */
export function parseRange(
  header: string | undefined,
  size: number
): [number, number] | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return [start, end];
}
