/**
 * Reading part of a file from an Ocean Node download URL.
 *
 * We ask with HTTP Range, but real Ocean Nodes ignore Range and answer 200
 * with the whole file. So the body is always streamed and the connection
 * dropped once the bytes asked for have arrived: a preview of a 500 MB file
 * then costs about what it shows, whatever the node does with Range.
 */
import type { OceanProgressCallback } from '../tokens';
import { errorWords, OceanError } from '../errors';
import { NodeApi, refusalFrom } from './node-api';

/** How many times a broken download stream is resumed with a Range. */
const DOWNLOAD_RESUMES = 3;

/**
 * The most bytes skipped when a node ignores Range for a read that does not
 * start at 0: past it, reading the part would mean reading the whole file.
 */
export const MAX_IGNORED_RANGE_SKIP = 1024 * 1024;

export interface IRangedBytes {
  bytes: Uint8Array;
  contentType: string | null;
  totalSize: number | null;
  /** Whether the node ignored Range (answered 200 with the whole file). */
  rangeIgnored: boolean;
}

/** GET `url` for bytes [start, end), streaming; resumes from the last byte when cut. */
export async function readRange(
  url: string,
  headers: Record<string, string>,
  start: number,
  end: number | undefined,
  signal: AbortSignal | undefined,
  onProgress: OceanProgressCallback = () => undefined
): Promise<IRangedBytes> {
  const chunks: Uint8Array[] = [];
  let received = 0;
  let contentType: string | null = null;
  let totalSize: number | null = null;
  let rangeIgnored = false;
  let expected: number | null = end !== undefined ? end - start : null;
  for (let attempt = 0; ; attempt++) {
    const from = start + received;
    const request: Record<string, string> = { ...headers };
    if (from > 0 || end !== undefined) {
      request.Range = `bytes=${from}-${end !== undefined ? end - 1 : ''}`;
    }
    // Ours, so the connection can be dropped once we have enough.
    const stop = new AbortController();
    const combined = signal
      ? AbortSignal.any([signal, stop.signal])
      : stop.signal;
    let response: Response;
    try {
      response = await fetch(url, { headers: request, signal: combined });
    } catch (error) {
      if (signal?.aborted) {
        throw error;
      }
      if (attempt < DOWNLOAD_RESUMES && received > 0) {
        continue;
      }
      throw new OceanError(
        'OCEAN_NODE_UNREACHABLE',
        errorWords.__(
          'The Ocean Node stopped answering during the download. Your access is kept: start the download again when the node is back.'
        ),
        { cause: String(error) }
      );
    }
    if (!response.ok) {
      if (response.status === 416) {
        await response.body?.cancel().catch(() => undefined);
        break;
      }
      // Refusals are short; a huge error body is cut at 64 kB.
      const text = await readText(response, 64 * 1024);
      const { message, code } = refusalFrom(text, response.statusText);
      throw NodeApi.error(response.status, message, code);
    }
    contentType ??= response.headers.get('content-type');
    const range = response.headers.get('content-range');
    const total = range?.split('/')[1];
    if (total && total !== '*') {
      totalSize = Number(total);
    } else if (response.status === 200) {
      const length = response.headers.get('content-length');
      totalSize = length ? Number(length) : null;
    }
    // 200 to a ranged request: the node sends the file from its first byte.
    let skip = 0;
    if (response.status === 200 && request.Range) {
      rangeIgnored = true;
      skip = from;
      if (skip > MAX_IGNORED_RANGE_SKIP) {
        stop.abort();
        throw new OceanError(
          'OCEAN_DOWNLOAD_REFUSED',
          errorWords.__(
            'This Ocean Node sends whole files (it ignores HTTP Range), so reading from byte %1 would mean downloading everything before it. Download the file instead.',
            from
          ),
          { rangeIgnored: true, from }
        );
      }
    }
    expected ??= totalSize !== null ? totalSize - start : null;
    const reader = response.body!.getReader();
    let enough = false;
    try {
      while (!enough) {
        const { done, value } = await reader.read();
        if (done) {
          break;
        }
        let chunk = value;
        if (skip > 0) {
          const dropped = Math.min(skip, chunk.length);
          skip -= dropped;
          chunk = chunk.subarray(dropped);
        }
        if (end !== undefined && received + chunk.length >= end - start) {
          chunk = chunk.subarray(0, end - start - received);
          enough = true;
        }
        if (chunk.length > 0) {
          chunks.push(chunk);
          received += chunk.length;
        }
        onProgress({
          step: 'download',
          message: errorWords.__('Downloading…'),
          fraction: expected ? Math.min(received / expected, 1) : undefined
        });
      }
    } catch (error) {
      if (signal?.aborted) {
        throw error;
      }
      if (attempt < DOWNLOAD_RESUMES) {
        continue;
      }
      throw new OceanError(
        'OCEAN_NODE_UNREACHABLE',
        errorWords.__(
          'The download was cut several times. Your access is kept: try again.'
        ),
        { cause: String(error) }
      );
    } finally {
      if (enough) {
        // Drop the rest of the answer: the node may be sending the whole file.
        stop.abort();
        await reader.cancel().catch(() => undefined);
      }
    }
    if (enough || expected === null || received >= expected) {
      break;
    }
    if (attempt >= DOWNLOAD_RESUMES) {
      break;
    }
  }
  const bytes = new Uint8Array(received);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return { bytes, contentType, totalSize, rangeIgnored };
}

/** At most `limit` bytes of a body as text; the rest is not downloaded. */
async function readText(response: Response, limit: number): Promise<string> {
  if (!response.body) {
    return '';
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let read = 0;
  try {
    while (read < limit) {
      const { done, value } = await reader.read();
      if (done) {
        break;
      }
      read += value.length;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // What arrived is enough to say why.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return text;
}
