/**
 * Workspace files as bytes, through JupyterLab's Contents API: what the server holds (so a
 * notebook must be saved before its files are published).
 */
import type { Contents } from '@jupyterlab/services';

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

function decodeBase64(value: string): Uint8Array {
  const binary = atob(value.replace(/\s/g, ''));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
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
      ? decodeBase64(String(model.content))
      : new TextEncoder().encode(String(model.content));
  return { bytes, fileName, contentType: contentTypeOf(fileName) };
}
