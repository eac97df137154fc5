/**
 * Ocean data commands for kernels, offered through IKernelBridge:
 *
 *   %ocean search [text] [--type dataset] [--price free] [--tag t] [--page 2]
 *   %ocean preview <did>          → the asset card in the cell
 *   df = %ocean load <did>        → a DataFrame (pandas) / rows (Deno)
 *
 * `load` gets access through the wallet when needed (each transaction in its
 * dialog), downloads the whole file in the browser, saves it next to the
 * notebook (ocean-data/) through the Contents API, and hands the data to
 * the kernel: parsed rows for CSV/TSV/JSON, the bytes otherwise. An asset
 * with several files gives all of them by name (or the one `--file N`
 * names), and the kernel says which. The kernel never sees a token, a
 * signature or a key.
 */
import type { Contents } from '@jupyterlab/services';
import type { IDisposable } from '@lumino/disposable';
import { oneOf } from '../kernel-bridge/args';
import {
  filesResult,
  mimeResult,
  tableResult,
  withDatasetInfo
} from '../kernel-bridge/results';
import {
  OCEAN_ASSET_MIME_TYPE,
  type IKernelBridge,
  type IKernelCommandContext,
  type IOceanAssetQuery,
  type IOceanAssetSummary,
  type IOceanClient,
  type IOceanFileInfo,
  type IOceanProgress
} from '../tokens';
import { checkDid } from '../ocean/asset';
import { errorWords, OceanError } from '../errors';
import { detectFormat } from '../ocean/preview';
import { writeWorkspaceFile } from '../ocean/workspace';
import { datasetInfo } from '../provenance/card';
import type { IProvenanceLog } from '../provenance/tokens';

/** Bigger files are saved to the workspace but not sent through the bridge. */
export const INLINE_LIMIT_BYTES = 64 * 1024 * 1024;

const priceWords = (asset: IOceanAssetSummary): string =>
  asset.price.type === 'dispenser'
    ? errorWords.__('free')
    : asset.price.type === 'fixedrate'
      ? `${asset.price.amount.replace(/\.0+$/, '')} ${asset.price.symbol ?? 'OCEAN'}`
      : errorWords.__('not for sale');

function stringArg(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function positional(args: Record<string, unknown>): string[] {
  const list = args._;
  return Array.isArray(list) ? list.map(String) : [];
}

function didArg(args: Record<string, unknown>): string {
  const did = stringArg(args.did) ?? positional(args)[0];
  if (!did) {
    throw new OceanError(
      'OCEAN_BAD_ASSET',
      errorWords.__(
        'Give the asset id, e.g. %ocean load did:op:… (find ids with %ocean search).'
      )
    );
  }
  return checkDid(did);
}

/** A safe file name from the node's file name or the asset's name. */
export function fileNameFor(
  asset: IOceanAssetSummary,
  nodeName: string | undefined,
  format: string | null,
  fileIndex: number
): string {
  const base = (nodeName || asset.name || 'data')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 80);
  const hasExtension = /\.[A-Za-z0-9]{1,8}$/.test(base);
  const extension =
    hasExtension || !format ? '' : format === 'image' ? '.png' : `.${format}`;
  const suffix = fileIndex > 0 && !nodeName ? `-${fileIndex}` : '';
  return `${base || 'data'}${suffix}${extension}`;
}

/** A downloaded and saved file of an asset. */
interface ILoadedFile {
  index: number;
  name: string;
  /** Where it is saved, relative to the notebook. */
  relative: string;
  format: string | null;
  bytes: Uint8Array;
}

/** A multi-file asset's files go in a folder of their own in ocean-data/. */
function multiFileFolder(asset: IOceanAssetSummary): string {
  const slug = (asset.name || 'asset')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 60);
  return `ocean-data/${slug || 'asset'}`;
}

/** Two files with one name would hide each other in a dict: number the later ones. */
export function uniqueNames(files: Array<{ name: string; index: number }>) {
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.name)) {
      file.name = `${file.index}-${file.name}`;
    }
    seen.add(file.name);
  }
}

function fileEntry(file: ILoadedFile, value: unknown) {
  return {
    index: file.index,
    name: file.name,
    path: file.relative,
    format: file.format,
    value
  };
}

function searchQuery(args: Record<string, unknown>): IOceanAssetQuery {
  const text = [stringArg(args.text), ...positional(args)]
    .filter(Boolean)
    .join(' ');
  const page = Number(args.page ?? 1);
  return {
    text: text || undefined,
    // A value outside the choices would silently match nothing.
    type: oneOf('type', stringArg(args.type), ['dataset', 'algorithm']),
    price: oneOf('price', stringArg(args.price), ['free', 'paid']),
    access: oneOf('access', stringArg(args.access), ['download', 'compute']),
    tag: stringArg(args.tag),
    publisher: stringArg(args.publisher),
    page: Number.isInteger(page) && page > 0 ? page - 1 : 0,
    pageSize: Math.min(Math.max(Number(args.size ?? 20) || 20, 1), 100)
  };
}

/** Registers search, preview and load; dispose the result to remove them. */
export function registerOceanKernelCommands(
  bridge: IKernelBridge,
  client: IOceanClient,
  contents: Contents.IManager,
  provenance: IProvenanceLog | null = null
): IDisposable[] {
  const search = async (args: Record<string, unknown>) => {
    const query = searchQuery(args);
    const page = await client.search(query);
    const rows = page.assets.map(asset => ({
      did: asset.did,
      name: asset.name,
      type: asset.type,
      // A number to filter and sort on (0 free, null not for sale), and its
      // currency beside it: a "2 OCEAN" string column does neither.
      price:
        asset.price.type === 'dispenser'
          ? 0
          : asset.price.type === 'fixedrate'
            ? Number(asset.price.amount)
            : null,
      currency:
        asset.price.type === 'fixedrate'
          ? (asset.price.symbol ?? 'OCEAN')
          : null,
      access: asset.access,
      publisher: asset.publisher,
      tags: asset.tags.join(', ')
    }));
    return tableResult('records', rows, {
      name: page.hasMore
        ? errorWords.__(
            'Ocean assets, page %1 (more with --page)',
            (query.page ?? 0) + 1
          )
        : errorWords.__('Ocean assets, page %1', (query.page ?? 0) + 1)
    });
  };

  const preview = async (args: Record<string, unknown>) => {
    const did = didArg(args);
    const asset = await client.getAsset(did);
    return mimeResult(
      {
        'text/plain': `${asset.name} (${asset.type}, ${priceWords(asset)}, ${asset.access})\n${did}`,
        [OCEAN_ASSET_MIME_TYPE]: { did }
      },
      { value: { ...asset } }
    );
  };

  /** Downloads one file of the asset and saves it in the workspace. */
  const fetchFile = async (
    did: string,
    asset: IOceanAssetSummary,
    info: IOceanFileInfo,
    folder: string,
    context: IKernelCommandContext,
    report: (progress: IOceanProgress) => void
  ): Promise<ILoadedFile> => {
    const download = await client.download(did, context.requester, {
      fileIndex: info.index,
      onProgress: report
    });
    const format = detectFormat(
      download.contentType ?? info.contentType,
      info.name
    );
    const name = fileNameFor(asset, info.name, format, info.index);
    const notebookDir = (context.requester.path ?? '')
      .split('/')
      .slice(0, -1)
      .join('/');
    const relative = `${folder}/${name}`;
    const path = notebookDir ? `${notebookDir}/${relative}` : relative;
    context.progress(errorWords.__('Saving %1 in the workspace…', relative));
    await writeWorkspaceFile(contents, path, download.bytes);
    context.progress(
      errorWords.__(
        'Saved %1 (%2 bytes).',
        relative,
        download.bytes.length.toLocaleString('en')
      ),
      1
    );
    return { index: info.index, name, relative, format, bytes: download.bytes };
  };

  /** A loaded file as the kernel gets it: rows for tables, bytes otherwise. */
  const decodeFile = async (
    file: ILoadedFile,
    as: 'dataset' | undefined
  ): Promise<unknown> => {
    const { format, relative, name, bytes } = file;
    // Each reason is a whole sentence that also says where the file is.
    const notATable = (sentence: string) =>
      new OceanError('OCEAN_NOT_A_TABLE', sentence, { format });
    const tabular =
      format === 'csv' ||
      format === 'tsv' ||
      format === 'json' ||
      format === 'parquet';
    if (as && !tabular) {
      throw notATable(
        format
          ? errorWords.__(
              '--dataset needs a table (CSV, TSV, JSON rows or Parquet); this file is %1. It is saved at %2; without --dataset, %ocean load returns it as it is.',
              format,
              relative
            )
          : errorWords.__(
              '--dataset needs a table (CSV, TSV, JSON rows or Parquet); this file is of an unknown format. It is saved at %1; without --dataset, %ocean load returns it as it is.',
              relative
            )
      );
    }
    if (bytes.length > INLINE_LIMIT_BYTES) {
      if (as) {
        const reader =
          format === 'tsv'
            ? `from_csv("${relative}", sep="\\t")`
            : `from_${format}("${relative}")`;
        throw notATable(
          errorWords.__(
            'The file is too big to send through the bridge (%1 bytes): read it in the kernel with datasets.Dataset.%2. It is saved at %3; without --dataset, %ocean load returns it as it is.',
            bytes.length.toLocaleString('en'),
            reader,
            relative
          )
        );
      }
      return { path: relative, size: bytes.length, format };
    }
    if (format === 'csv' || format === 'tsv' || format === 'json') {
      const Papa = (await import('papaparse')).default;
      const text = new TextDecoder().decode(bytes);
      if (format === 'json') {
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          // JSON Lines: one record per line.
          return tableResult(
            'records',
            text
              .split('\n')
              .filter(line => line.trim())
              .map(line => JSON.parse(line)),
            { name, as }
          );
        }
        if (Array.isArray(value)) {
          return tableResult('records', value, { name, as });
        }
        if (as) {
          throw notATable(
            errorWords.__(
              '--dataset needs rows: this JSON file is one object, not a list. It is saved at %1; without --dataset, %ocean load returns it as it is.',
              relative
            )
          );
        }
        return value;
      }
      // Typed values (numbers, booleans) so a DataFrame gets numeric columns.
      const parsed = Papa.parse<Record<string, unknown>>(text, {
        header: true,
        dynamicTyping: true,
        skipEmptyLines: true,
        delimiter: format === 'tsv' ? '\t' : ''
      });
      return tableResult('records', parsed.data, { name, as });
    }
    if (format === 'parquet') {
      return tableResult('parquet', bytes, { name, as });
    }
    return bytes;
  };

  const load = async (
    args: Record<string, unknown>,
    context: IKernelCommandContext
  ) => {
    const did = didArg(args);
    const picked = args.file ?? args.fileIndex;
    const chosen = picked === undefined ? undefined : Number(picked);
    if (chosen !== undefined && (!Number.isInteger(chosen) || chosen < 0)) {
      throw new OceanError(
        'OCEAN_BAD_ASSET',
        errorWords.__(
          '--file must be the index of a file of the asset (0, 1, …).'
        )
      );
    }
    const report = (progress: IOceanProgress) =>
      context.progress(progress.message, progress.fraction);
    // --dataset: a Hugging Face datasets.Dataset, made in the Python kernel
    // from the same table (the library needs nothing the bridge lacks).
    const as = args.dataset === true ? ('dataset' as const) : undefined;
    const asset = await client.getAsset(did);
    // It downloads next: a purchase's dialog also names the node sign-in.
    const grant = await client.getAccess(
      did,
      context.requester,
      report,
      undefined,
      { download: true }
    );
    // The notebook's lineage: which order brought which bytes (provenance/).
    const record = (loaded: ILoadedFile[]) =>
      provenance
        ?.recordLoad(
          context,
          asset,
          grant,
          loaded.map(file => ({
            name: file.name,
            path: file.relative,
            bytes: file.bytes
          }))
        )
        .catch(error =>
          context.progress(
            errorWords.__(
              "Loaded, but not recorded in the notebook's provenance: %1",
              (error as Error).message
            )
          )
        );
    const files = await client.files(did);
    if (files.length <= 1 || chosen !== undefined) {
      const index = chosen ?? 0;
      const info = files.find(file => file.index === index);
      if (!info) {
        throw new OceanError(
          'OCEAN_BAD_ASSET',
          files.length > 1
            ? errorWords.__(
                'The asset has %1 files (--file 0 to %2); there is no file %3.',
                files.length,
                files.length - 1,
                index
              )
            : errorWords.__(
                'The asset has %1 file(s); there is no file %2.',
                files.length,
                index
              )
        );
      }
      const file = await fetchFile(
        did,
        asset,
        info,
        files.length > 1 ? multiFileFolder(asset) : 'ocean-data',
        context,
        report
      );
      const entry = await record([file]);
      const value = await decodeFile(file, as);
      if (files.length <= 1) {
        // --dataset: the Dataset's info says where it came from.
        return withDatasetInfo(value, datasetInfo(asset, entry || null));
      }
      // One of several: the kernel says which one it is and that there are others.
      return filesResult(did, files.length, [fileEntry(file, value)], {
        chosen: index
      });
    }
    // Several files and no --file: all of them, never the first one silently.
    const images = files.every(
      info => detectFormat(info.contentType, info.name) === 'image'
    );
    if (as && !images) {
      throw new OceanError(
        'OCEAN_NOT_A_TABLE',
        errorWords.__(
          'This asset has %1 files; --dataset makes one Dataset from an image set, or from one table with --file N --dataset (N from 0 to %2).',
          files.length,
          files.length - 1
        )
      );
    }
    const folder = multiFileFolder(asset);
    const loaded: ILoadedFile[] = [];
    for (const [position, info] of files.entries()) {
      const step = (progress: IOceanProgress) =>
        report({
          ...progress,
          message: errorWords.__(
            'File %1 of %2: %3',
            position + 1,
            files.length,
            progress.message
          )
        });
      loaded.push(await fetchFile(did, asset, info, folder, context, step));
    }
    uniqueNames(loaded);
    await record(loaded);
    const total = loaded.reduce((sum, file) => sum + file.bytes.length, 0);
    const entries = [];
    for (const file of loaded) {
      entries.push(
        fileEntry(
          file,
          total > INLINE_LIMIT_BYTES
            ? // Too much for the bridge at once: where each file is saved.
              {
                path: file.relative,
                size: file.bytes.length,
                format: file.format
              }
            : await decodeFile(file, undefined)
        )
      );
    }
    return filesResult(did, files.length, entries, {
      as: as && total <= INLINE_LIMIT_BYTES ? as : undefined
    });
  };

  return [
    bridge.registerCommand('search', search, {
      description: errorWords.__(
        "List the active network's Ocean assets (name, type, price, access, publisher, tags)."
      ),
      usage:
        '[text] [--type dataset|algorithm] [--price free|paid] [--access download|compute] [--tag T] [--page N]'
    }),
    bridge.registerCommand('preview', preview, {
      description: errorWords.__(
        'Show an asset card: metadata, licence, price, Get access and a data preview.'
      ),
      usage: '<did>'
    }),
    bridge.registerCommand('load', load, {
      description: errorWords.__(
        'Get access if needed (wallet dialog), download the data, save it in ocean-data/ and return it (a DataFrame with pandas; a Hugging Face Dataset with --dataset). An asset with several files gives all of them by file name, or the one --file N names.'
      ),
      usage: '<did> [--file N] [--dataset]'
    })
  ];
}
