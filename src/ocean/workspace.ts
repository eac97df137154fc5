/**
 * Workspace files as bytes, through JupyterLab's Contents API: what the server holds (so a
 * notebook must be saved before its files are published), and the one writer every download,
 * compute result and saved image goes through.
 */
import type { Contents } from '@jupyterlab/services';
import { base64ToBytes, bytesToBase64 } from '../base64';

/** Larger files are saved in parts of this size (Jupyter's large-file protocol). */
const SAVE_CHUNK_BYTES = 8 * 1024 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  json: 'application/json',
  txt: 'text/plain',
  parquet: 'application/vnd.apache.parquet',
  js: 'text/javascript',
  mjs: 'text/javascript',
  ts: 'text/typescript',
  onnx: 'application/octet-stream',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  zip: 'application/zip'
};

export function contentTypeOf(fileName: string): string {
  const extension = fileName.split('.').pop()?.toLowerCase() ?? '';
  return CONTENT_TYPES[extension] ?? 'application/octet-stream';
}

/** A workspace file's bytes through the Contents API (what the server holds, saved). */
export async function readWorkspaceFile(
  contents: Contents.IManager,
  path: string
): Promise<{ bytes: Uint8Array; fileName: string; contentType: string }> {
  const model = await contents.get(path, {
    type: 'file',
    format: 'base64',
    content: true
  });
  const fileName = model.name || path.split('/').pop() || 'file';
  const bytes =
    model.format === 'base64'
      ? base64ToBytes(String(model.content))
      : new TextEncoder().encode(String(model.content));
  return { bytes, fileName, contentType: contentTypeOf(fileName) };
}

/** Creates `dir` (and its parents) in the workspace where missing. */
export async function ensureDirectory(
  contents: Contents.IManager,
  dir: string
): Promise<void> {
  let path = '';
  for (const part of dir.split('/').filter(Boolean)) {
    path = path ? `${path}/${part}` : part;
    try {
      await contents.get(path, { content: false });
    } catch {
      await contents.save(path, { type: 'directory' });
    }
  }
}

/**
 * Saves `bytes` as the workspace file `path`, creating its folder. A large
 * file goes in parts, so no single request carries hundreds of megabytes.
 */
export async function writeWorkspaceFile(
  contents: Contents.IManager,
  path: string,
  bytes: Uint8Array
): Promise<void> {
  await ensureDirectory(contents, path.split('/').slice(0, -1).join('/'));
  if (bytes.length <= SAVE_CHUNK_BYTES) {
    await contents.save(path, {
      type: 'file',
      format: 'base64',
      content: bytesToBase64(bytes)
    });
    return;
  }
  const chunks = Math.ceil(bytes.length / SAVE_CHUNK_BYTES);
  for (let index = 0; index < chunks; index++) {
    const part = bytes.subarray(
      index * SAVE_CHUNK_BYTES,
      (index + 1) * SAVE_CHUNK_BYTES
    );
    await contents.save(path, {
      type: 'file',
      format: 'base64',
      content: bytesToBase64(part),
      // Jupyter's large-file protocol: 1, 2, … and -1 for the last chunk.
      chunk: index === chunks - 1 ? -1 : index + 1
    } as Partial<Contents.IModel>);
  }
}
