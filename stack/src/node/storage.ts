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
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { NodeDatabase, StoredFileRow } from './db.js';
import { NodeError, badRequest, notFound, payloadTooLarge } from './errors.js';

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
    const method =
      typeof file.method === 'string' ? file.method.toUpperCase() : 'GET';
    if (method !== 'GET' && method !== 'POST')
      throw badRequest('File method must be GET or POST.', 'INVALID_FILE');
    const headers: Record<string, string> = {};
    if (file.headers && typeof file.headers === 'object') {
      for (const [key, header] of Object.entries(
        file.headers as Record<string, unknown>
      )) {
        if (typeof header === 'string') headers[key] = header;
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
  return last ? decodeURIComponent(last) : 'file';
}

export class FileStore {
  readonly #root: string;
  readonly #db: NodeDatabase;

  constructor(dataDir: string, db: NodeDatabase) {
    this.#root = join(dataDir, 'files');
    mkdirSync(this.#root, { recursive: true });
    this.#db = db;
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

  async info(file: FileObject, withChecksum: boolean): Promise<FileInfo> {
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
    const response = await fetchOrigin(
      file,
      withChecksum ? undefined : 'bytes=0-0'
    );
    if (!response.ok) {
      await response.body?.cancel();
      return {
        valid: false,
        contentLength: '0',
        contentType: '',
        name: nameFromUrl(file.url),
        type: 'url'
      };
    }
    let contentLength = response.headers.get('content-length') ?? '';
    const range = response.headers.get('content-range');
    if (response.status === 206 && range?.includes('/'))
      contentLength = range.split('/')[1];
    const info: FileInfo = {
      valid: true,
      contentLength,
      contentType:
        response.headers.get('content-type') ?? 'application/octet-stream',
      name: nameFromUrl(file.url),
      type: 'url'
    };
    if (withChecksum && response.body) {
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of Readable.fromWeb(response.body as never)) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
      info.checksum = hash.digest('hex');
      info.checksumType = 'sha256';
      info.contentLength = String(size);
    } else {
      await response.body?.cancel();
    }
    return info;
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
    const response = await fetchOrigin(file, rangeHeader);
    if (!response.ok) {
      await response.body?.cancel();
      throw new NodeError(
        response.status === 416 ? 416 : 502,
        'ORIGIN_FAILED',
        `The file's origin answered HTTP ${response.status}.`
      );
    }
    const headers: Record<string, string> = {
      'Content-Type':
        response.headers.get('content-type') ?? 'application/octet-stream',
      'Content-Disposition': `attachment;filename=${encodeURIComponent(nameFromUrl(file.url))}`,
      'Accept-Ranges': response.headers.get('accept-ranges') ?? 'none'
    };
    for (const name of ['content-length', 'content-range']) {
      const value = response.headers.get(name);
      if (value) headers[name] = value;
    }
    res.writeHead(response.status, headers);
    if (headOnly || !response.body) {
      await response.body?.cancel();
      res.end();
      return;
    }
    await pipeline(Readable.fromWeb(response.body as never), res);
  }
}

async function fetchOrigin(
  file: UrlFile,
  range: string | undefined
): Promise<Response> {
  const headers: Record<string, string> = { ...(file.headers ?? {}) };
  if (range) headers.Range = range;
  try {
    return await fetch(file.url, {
      method: file.method ?? 'GET',
      headers,
      redirect: 'follow'
    });
  } catch (error) {
    throw new NodeError(
      502,
      'ORIGIN_UNREACHABLE',
      `The file's origin could not be reached: ${(error as Error).message}`
    );
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
