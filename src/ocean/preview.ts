/**
 * Previews of token-gated data: the first rows of a table, or a few images,
 * read with HTTP Range so that a 500 MB file costs the same as a 5 MB one.
 *
 * Everything here is data from the network: it becomes strings and numbers
 * in a plain object that the renderer shows with text bindings only.
 */
import type {
  IOceanClient,
  IOceanFileInfo,
  IWalletRequester,
  OceanProgressCallback
} from '../tokens';
import { errorWords, OceanError } from '../errors';

/** A column's type as inferred from the preview rows. */
export type ColumnType =
  'integer' | 'float' | 'boolean' | 'date' | 'string' | 'empty';

export interface ITablePreview {
  kind: 'table';
  format: 'csv' | 'tsv' | 'json' | 'parquet';
  columns: { name: string; type: ColumnType }[];
  /** Cell texts, row by row (at most `rows` asked for). */
  rows: string[][];
  /** Bytes read to build the preview, and the file's size when known. */
  bytesRead: number;
  totalSize: number | null;
  /** Total rows when the format says so (Parquet). */
  totalRows?: number;
}

export interface IImagePreview {
  kind: 'images';
  /** Blob URLs of the images (revoke with `releasePreview`). */
  images: { url: string; name: string; contentType: string }[];
  fileCount: number;
  bytesRead: number;
}

export interface ITextPreview {
  kind: 'text';
  text: string;
  contentType: string | null;
  bytesRead: number;
  totalSize: number | null;
}

export type IDataPreview = ITablePreview | IImagePreview | ITextPreview;

export interface IPreviewOptions {
  /** How many rows of a table (default 20). */
  rows?: number;
  /** How many images at most (default 12). */
  images?: number;
  onProgress?: OceanProgressCallback;
  signal?: AbortSignal;
}

/** Bytes read from the start of a text file: plenty for 20 rows. */
const TEXT_HEAD_BYTES = 64 * 1024;
/** Images larger than this are not previewed. */
const MAX_IMAGE_BYTES = 8 * 1024 * 1024;

export type PreviewFormat = 'csv' | 'tsv' | 'json' | 'parquet' | 'image';

/** What kind of file this is, from its content type or its name. */
export function detectFormat(
  contentType: string | null | undefined,
  name?: string
): PreviewFormat | null {
  const type = (contentType ?? '').toLowerCase().split(';')[0].trim();
  const ext = (name ?? '').toLowerCase().split('.').pop() ?? '';
  if (type.startsWith('image/')) {
    return 'image';
  }
  if (type === 'text/tab-separated-values' || ext === 'tsv') {
    return 'tsv';
  }
  if (type === 'text/csv' || type === 'application/csv' || ext === 'csv') {
    return 'csv';
  }
  if (
    type === 'application/json' ||
    type === 'application/x-ndjson' ||
    ext === 'json' ||
    ext === 'jsonl' ||
    ext === 'ndjson'
  ) {
    return 'json';
  }
  if (
    type === 'application/vnd.apache.parquet' ||
    type === 'application/x-parquet' ||
    ext === 'parquet'
  ) {
    return 'parquet';
  }
  if (['png', 'jpg', 'jpeg', 'gif', 'webp'].includes(ext)) {
    return 'image';
  }
  return null;
}

const INTEGER = /^[-+]?\d+$/;
const FLOAT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^[-+]?(nan|inf)$/i;
const BOOLEAN = /^(true|false)$/i;
const DATE =
  /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** The narrowest type every non-empty value of a column fits. */
export function inferColumnType(values: ReadonlyArray<unknown>): ColumnType {
  const present = values.filter(
    value => value !== null && value !== undefined && value !== ''
  );
  if (present.length === 0) {
    return 'empty';
  }
  const all = (test: (value: unknown) => boolean) => present.every(test);
  if (all(value => typeof value === 'boolean' || BOOLEAN.test(String(value)))) {
    return 'boolean';
  }
  if (
    all(
      value =>
        (typeof value === 'number' && Number.isInteger(value)) ||
        typeof value === 'bigint' ||
        (typeof value === 'string' && INTEGER.test(value.trim()))
    )
  ) {
    return 'integer';
  }
  if (
    all(
      value =>
        typeof value === 'number' ||
        (typeof value === 'string' && FLOAT.test(value.trim()))
    )
  ) {
    return 'float';
  }
  if (
    all(
      value =>
        value instanceof Date ||
        (typeof value === 'string' && DATE.test(value.trim()))
    )
  ) {
    return 'date';
  }
  return 'string';
}

/** Text of one cell, whatever the parser gave. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  if (value instanceof Date) {
    return value.toISOString();
  }
  if (typeof value === 'object') {
    try {
      return JSON.stringify(value, (_key, inner) =>
        typeof inner === 'bigint' ? inner.toString() : inner
      );
    } catch {
      return String(value);
    }
  }
  return String(value);
}

/** Drops a trailing partial line when the text was cut by a Range read. */
export function completeLines(text: string, truncated: boolean): string {
  if (!truncated) {
    return text;
  }
  const end = text.lastIndexOf('\n');
  return end >= 0 ? text.slice(0, end) : text;
}

/**
 * The first rows of delimited text (header row first). Uses papaparse,
 * which knows quoting; loaded on demand.
 */
export async function parseDelimited(
  text: string,
  format: 'csv' | 'tsv',
  maxRows: number
): Promise<Pick<ITablePreview, 'columns' | 'rows'>> {
  const Papa = (await import('papaparse')).default;
  const parsed = Papa.parse<string[]>(text, {
    delimiter: format === 'tsv' ? '\t' : '',
    skipEmptyLines: true
  });
  const [header = [], ...body] = parsed.data;
  const width = Math.max(header.length, ...body.map(row => row.length));
  const names = Array.from(
    { length: width },
    (_, index) => header[index] ?? `column_${index + 1}`
  );
  // Types come from every row read (a few hundred), not only the shown ones.
  const columns = names.map((name, index) => ({
    name,
    type: inferColumnType(body.map(row => row[index]))
  }));
  return {
    columns,
    rows: body.slice(0, maxRows).map(row => names.map((_, i) => row[i] ?? ''))
  };
}

/** Records from the head of a JSON file (array of objects, or one per line). */
export function parseJsonHead(text: string, truncated: boolean): unknown[] {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('[')) {
    // JSON Lines: one record per complete line.
    return completeLines(trimmed, truncated)
      .split('\n')
      .filter(line => line.trim())
      .flatMap(line => {
        try {
          return [JSON.parse(line)];
        } catch {
          return [];
        }
      });
  }
  if (!truncated) {
    const value = JSON.parse(trimmed);
    return Array.isArray(value) ? value : [value];
  }
  // A cut array: close it after the last complete top-level element.
  let depth = 0;
  let inString = false;
  let lastEnd = -1;
  for (let i = 0; i < trimmed.length; i++) {
    const char = trimmed[i];
    if (inString) {
      if (char === '\\') {
        i++;
      } else if (char === '"') {
        inString = false;
      }
      continue;
    }
    if (char === '"') {
      inString = true;
    } else if (char === '[' || char === '{') {
      depth++;
    } else if (char === ']' || char === '}') {
      depth--;
      if (depth === 1) {
        lastEnd = i;
      }
    } else if (char === ',' && depth === 1) {
      lastEnd = Math.max(lastEnd, i - 1);
    }
  }
  if (lastEnd < 0) {
    return [];
  }
  try {
    return JSON.parse(`${trimmed.slice(0, lastEnd + 1)}]`);
  } catch {
    return [];
  }
}

/** A table from records (objects become columns; other values one column). */
export function recordsToTable(
  records: unknown[],
  maxRows: number
): Pick<ITablePreview, 'columns' | 'rows'> {
  const names: string[] = [];
  const objects = records.map(record =>
    record && typeof record === 'object' && !Array.isArray(record)
      ? (record as Record<string, unknown>)
      : { value: record }
  );
  for (const object of objects) {
    for (const key of Object.keys(object)) {
      if (!names.includes(key) && names.length < 200) {
        names.push(key);
      }
    }
  }
  return {
    columns: names.map(name => ({
      name,
      type: inferColumnType(objects.map(object => object[name]))
    })),
    rows: objects
      .slice(0, maxRows)
      .map(object => names.map(name => cellText(object[name])))
  };
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * A preview of the asset's data, for an account that has access. Reads
 * only the head of text files, the footer and first row group of Parquet,
 * and the first few images.
 */
export async function previewAsset(
  client: IOceanClient,
  did: string,
  requester: IWalletRequester,
  options: IPreviewOptions = {}
): Promise<IDataPreview> {
  const maxRows = options.rows ?? 20;
  const files = await client.files(did);
  if (files.length === 0) {
    throw new OceanError(
      'OCEAN_BAD_ASSET',
      errorWords.__('The asset lists no files to preview.')
    );
  }
  const first = files[0];
  if (first.available === false) {
    throw new OceanError(
      'OCEAN_DOWNLOAD_REFUSED',
      errorWords.__(
        "The Ocean Node cannot reach this asset's file at its storage (the publisher's server does not answer). Your access is kept: try again later, or tell the publisher."
      )
    );
  }
  const format = detectFormat(first.contentType, first.name);
  const read = (fileIndex: number, start: number, end?: number) =>
    client.download(did, requester, {
      fileIndex,
      range: { start, end },
      signal: options.signal,
      onProgress: options.onProgress
    });

  if (format === 'image') {
    return previewImages(files, read, options.images ?? 12);
  }
  if (format === 'parquet') {
    return previewParquet(first, read, maxRows);
  }
  const size = first.contentLength || null;
  const head = await read(
    0,
    0,
    size !== null ? Math.min(size, TEXT_HEAD_BYTES) : TEXT_HEAD_BYTES
  );
  const totalSize = head.totalSize ?? size;
  const truncated = totalSize === null || head.bytes.length < totalSize;
  const text = decoder.decode(head.bytes);
  if (format === 'csv' || format === 'tsv') {
    const table = await parseDelimited(
      completeLines(text, truncated),
      format,
      maxRows
    );
    return {
      kind: 'table',
      format,
      ...table,
      bytesRead: head.bytes.length,
      totalSize
    };
  }
  if (format === 'json') {
    const records = parseJsonHead(text, truncated);
    if (records.length > 0) {
      return {
        kind: 'table',
        format: 'json',
        ...recordsToTable(records, maxRows),
        bytesRead: head.bytes.length,
        totalSize
      };
    }
  }
  return {
    kind: 'text',
    text: text.slice(0, 4000),
    contentType: first.contentType,
    bytesRead: head.bytes.length,
    totalSize
  };
}

type RangeReader = (
  fileIndex: number,
  start: number,
  end?: number
) => Promise<{
  bytes: Uint8Array;
  totalSize: number | null;
  contentType: string | null;
}>;

async function previewImages(
  files: IOceanFileInfo[],
  read: RangeReader,
  max: number
): Promise<IImagePreview> {
  const images: IImagePreview['images'] = [];
  let bytesRead = 0;
  for (const file of files.slice(0, max)) {
    if (detectFormat(file.contentType, file.name) !== 'image') {
      continue;
    }
    if (file.contentLength !== null && file.contentLength > MAX_IMAGE_BYTES) {
      continue;
    }
    const { bytes, contentType } = await read(file.index, 0);
    bytesRead += bytes.length;
    const type = (file.contentType ?? contentType ?? 'image/png').split(';')[0];
    // Only raster types: an SVG could carry script if opened on its own.
    if (!/^image\/(png|jpeg|gif|webp|bmp)$/.test(type)) {
      continue;
    }
    const blob = new Blob([bytes as BlobPart], { type });
    images.push({
      url: URL.createObjectURL(blob),
      name: file.name ?? `file ${file.index}`,
      contentType: type
    });
  }
  return { kind: 'images', images, fileCount: files.length, bytesRead };
}

async function previewParquet(
  file: IOceanFileInfo,
  read: RangeReader,
  maxRows: number
): Promise<ITablePreview> {
  const hyparquet = await import('hyparquet');
  let byteLength = file.contentLength;
  let bytesRead = 0;
  if (byteLength === null) {
    const probe = await read(file.index, 0, 4);
    bytesRead += probe.bytes.length;
    byteLength = probe.totalSize;
  }
  if (byteLength === null) {
    throw new OceanError(
      'OCEAN_DOWNLOAD_REFUSED',
      errorWords.__(
        'The node did not say how large the Parquet file is, so it cannot be previewed.'
      )
    );
  }
  const buffer = {
    byteLength,
    slice: async (start: number, end?: number): Promise<ArrayBuffer> => {
      const part = await read(file.index, start, end ?? byteLength!);
      bytesRead += part.bytes.length;
      return part.bytes.slice().buffer as ArrayBuffer;
    }
  };
  const metadata = await hyparquet.parquetMetadataAsync(buffer);
  const rows = (await hyparquet.parquetReadObjects({
    file: buffer,
    metadata,
    rowStart: 0,
    rowEnd: Math.min(maxRows, Number(metadata.num_rows))
  })) as Record<string, unknown>[];
  const schema = hyparquet.parquetSchema(metadata);
  const names = schema.children.map(child => child.element.name);
  const table = recordsToTable(rows, maxRows);
  return {
    kind: 'table',
    format: 'parquet',
    columns: schema.children.map(child => ({
      name: child.element.name,
      type:
        parquetColumnType(child.element) ??
        table.columns.find(column => column.name === child.element.name)
          ?.type ??
        'empty'
    })),
    rows: rows.map(row => names.map(name => cellText(row[name]))),
    bytesRead,
    totalSize: byteLength,
    totalRows: Number(metadata.num_rows)
  };
}

/** The declared type of a Parquet column, in our words. */
function parquetColumnType(element: any): ColumnType | null {
  const logical = element.logical_type?.type;
  const converted = element.converted_type;
  if (
    logical === 'DATE' ||
    logical === 'TIMESTAMP' ||
    converted === 'DATE' ||
    String(converted).startsWith('TIMESTAMP')
  ) {
    return 'date';
  }
  if (logical === 'STRING' || converted === 'UTF8') {
    return 'string';
  }
  switch (element.type) {
    case 'BOOLEAN':
      return 'boolean';
    case 'INT32':
    case 'INT64':
    case 'INT96':
      return 'integer';
    case 'FLOAT':
    case 'DOUBLE':
      return 'float';
    case 'BYTE_ARRAY':
    case 'FIXED_LEN_BYTE_ARRAY':
      return 'string';
    default:
      return null;
  }
}

/** Frees the blob URLs of an image preview. */
export function releasePreview(preview: IDataPreview | null): void {
  if (preview?.kind === 'images') {
    for (const image of preview.images) {
      URL.revokeObjectURL(image.url);
    }
  }
}
