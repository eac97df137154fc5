/**
 * Compute results into the workspace and the kernel: every output file of a job is saved under
 * `ocean-results/<jobId>/` (beside the notebook that asked), and the first one that parses as a
 * table (CSV, or JSON rows) becomes a DataFrame in Python / row objects in Deno.
 */
import type { Contents } from '@jupyterlab/services';
import type { IComputeJob, IComputeResultFile } from './compute';
import { writeWorkspaceFile } from './workspace';

/** The node's own log files; everything else is the algorithm's output. */
const LOG_FILES = new Set(['configurationLog.txt', 'algorithmLog.txt']);

export function outputFiles(job: IComputeJob): IComputeResultFile[] {
  return (job.results ?? []).filter(result => !LOG_FILES.has(result.filename));
}

/** A file name safe to write into the workspace (no folders, no dot files). */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[^A-Za-z0-9._ -]/g, '_').replace(/^\.+/, '');
  return cleaned.slice(0, 200) || 'result';
}

export type ParsedResult =
  | { format: 'csv'; text: string }
  | { format: 'records'; rows: Record<string, unknown>[] }
  | { format: 'json'; value: unknown }
  | { format: 'text'; text: string }
  | null;

/** What a result file holds, when it parses (null for binary data). */
export function parseResult(filename: string, bytes: Uint8Array): ParsedResult {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  const lower = filename.toLowerCase();
  if (lower.endsWith('.csv') || lower.endsWith('.tsv'))
    return { format: 'csv', text };
  if (lower.endsWith('.json')) {
    try {
      const value: unknown = JSON.parse(text);
      if (
        Array.isArray(value) &&
        value.length > 0 &&
        value.every(
          row => row && typeof row === 'object' && !Array.isArray(row)
        )
      )
        return { format: 'records', rows: value as Record<string, unknown>[] };
      return { format: 'json', value };
    } catch {
      return { format: 'text', text };
    }
  }
  return { format: 'text', text };
}

/** Saves one result; returns its workspace path. */
export async function saveResult(
  contents: Contents.IManager,
  dir: string,
  filename: string,
  bytes: Uint8Array
): Promise<string> {
  const path = `${dir}/${safeFileName(filename)}`;
  await writeWorkspaceFile(contents, path, bytes);
  return path;
}

/** Where a job's results go: beside the notebook, in ocean-results/<jobId>. */
export function resultsFolder(notebookPath: string | undefined, jobId: string) {
  const parts = (notebookPath ?? '').split('/');
  parts.pop();
  const dir = parts.filter(Boolean).join('/');
  const folder = `ocean-results/${safeFileName(jobId)}`;
  return dir ? `${dir}/${folder}` : folder;
}
