/**
 * What a kernel command handler may return besides a plain JSON value.
 *
 * Handlers registered through IKernelBridge.registerCommand return either a
 * JSON-serialisable value (it becomes a Python/Deno value) or one of these,
 * built with the helpers below:
 *
 *   return mimeResult({ 'text/plain': 'Cat photos', [OCEAN_ASSET_MIME_TYPE]: card }, { value: card });
 *   return tableResult('csv', csvText, { name: 'prices.csv' });   // df = %ocean load …
 */
import {
  encodeValue,
  type EncodedResult,
  type IDatasetInfo,
  type IEncodedFile
} from './protocol';

const RESULT = Symbol('jupyterlab-ocean.kernel-result');

/** A tagged result; build it with mimeResult or tableResult. */
export interface IKernelResult {
  readonly [RESULT]: EncodedResult;
}

/**
 * A rich display: `data` is a MIME bundle (always include `text/plain`, the
 * fallback where a renderer is missing). `value` is what the Python or Deno
 * code gets when it keeps the result in a variable.
 */
export function mimeResult(
  data: Record<string, unknown>,
  options: { value?: unknown; metadata?: Record<string, unknown> } = {}
): IKernelResult {
  return {
    [RESULT]: {
      kind: 'mime',
      data: encodeValue(data) as Record<string, unknown>,
      metadata: options.metadata,
      value: encodeValue(options.value)
    }
  };
}

/**
 * A table: Python gets a pandas DataFrame when pandas is importable (else
 * the rows, the text or the bytes), Deno gets an array of row objects for
 * `records` and the text or bytes otherwise.
 */
export function tableResult(
  format: 'records' | 'csv' | 'parquet',
  data: ReadonlyArray<Record<string, unknown>> | string | Uint8Array,
  options: { name?: string; as?: 'dataset' } = {}
): IKernelResult {
  return {
    [RESULT]: {
      kind: 'table',
      format,
      data: encodeValue(data),
      name: options.name,
      ...(options.as ? { as: options.as } : {})
    }
  };
}

/**
 * Files of a multi-file asset: each file's own result (a table, bytes…)
 * under its name; `chosen` when the caller picked one of `count`.
 */
export function filesResult(
  did: string,
  count: number,
  files: ReadonlyArray<Omit<IEncodedFile, 'result'> & { value: unknown }>,
  options: { chosen?: number; as?: 'dataset' } = {}
): IKernelResult {
  return {
    [RESULT]: {
      kind: 'files',
      did,
      count,
      files: files.map(({ value, ...file }) => ({
        ...file,
        result: encodeResult(value)
      })),
      ...(options.chosen !== undefined ? { chosen: options.chosen } : {}),
      ...(options.as ? { as: options.as } : {})
    }
  };
}

/**
 * `result` with the Dataset info attached, when it is a table the caller
 * asked for as a Hugging Face Dataset; anything else unchanged.
 */
export function withDatasetInfo(result: unknown, info: IDatasetInfo): unknown {
  if (!result || typeof result !== 'object' || !(RESULT in result)) {
    return result;
  }
  const encoded = (result as IKernelResult)[RESULT];
  if (encoded.kind !== 'table' || encoded.as !== 'dataset') {
    return result;
  }
  return {
    [RESULT]: { ...encoded, info: encodeValue(info) as IDatasetInfo }
  };
}

/** The wire form of whatever a handler returned. */
export function encodeResult(value: unknown): EncodedResult {
  if (value && typeof value === 'object' && RESULT in value) {
    return (value as IKernelResult)[RESULT];
  }
  const encoded = encodeValue(value);
  return { kind: 'json', value: encoded === undefined ? null : encoded };
}
