/**
 * Offers `publish` and `compute` to notebook kernels through the kernel bridge. The handlers
 * only translate JSON arguments into publish.ts / compute.ts calls on the active network, with
 * the wallet's Signer for the asking kernel (so the confirmation dialog names the notebook).
 */
import type { Contents } from '@jupyterlab/services';
import { base64ToBytes, bytesToBase64 } from '../base64';
import { mimeResult, tableResult } from '../kernel-bridge/results';
import {
  type IKernelBridge,
  type INetworkRegistry,
  type IWallet,
  OCEAN_ASSET_MIME_TYPE,
  OCEAN_COMPUTE_MIME_TYPE,
  type IKernelCommandContext
} from '../tokens';
import {
  FINAL_JOB_STATUSES,
  type IComputeDatasetOrder,
  type IComputeJob,
  jobDatasetOrder,
  jobLogs,
  jobResult,
  jobStatus,
  startComputeJob,
  stopJob,
  waitForJob
} from '../ocean/compute';
import { NodeAuth } from '../ocean/compute-auth';
import {
  outputFiles,
  parseResult,
  resultsFolder,
  saveResult
} from '../ocean/compute-results';
import { errorWords, OceanError } from '../errors';
import { trustedAlgorithmFromNode } from '../ocean/manage';
import { readWorkspaceFile } from '../ocean/workspace';
import type { ILoggedFile, IProvenanceLog } from '../provenance/tokens';
import { publishLineage, recordPublished } from '../provenance/published';
import {
  LICENSES,
  publishAsset,
  trustedAlgorithm,
  type IPublishRequest,
  type ITrustedAlgorithm
} from '../ocean/publish';

const text = (value: unknown, name: string, max = 10_000): string => {
  if (typeof value !== 'string' || !value.trim())
    throw new OceanError(
      'OCEAN_BAD_REQUEST',
      errorWords.__('"%1" is required.', name)
    );
  return value.slice(0, max);
};

/** A workspace file's bytes, for `%ocean publish <path>` (the frontend reads the saved file). */
export type WorkspaceReader = (
  path: string
) => Promise<{ bytes: Uint8Array; fileName: string; contentType?: string }>;

export interface IPublishArgsHelpers {
  /** Reads a path given by a notebook (relative to the notebook's folder). */
  readFile?: WorkspaceReader;
  /** The trusted-algorithm entry of an algorithm asset already on the network. */
  trust?: (did: string) => Promise<ITrustedAlgorithm>;
}

const option = (args: Record<string, unknown>, ...names: string[]) => {
  for (const name of names) if (args[name] !== undefined) return args[name];
  return undefined;
};

const list = (value: unknown): string[] =>
  (Array.isArray(value) ? value : typeof value === 'string' ? [value] : [])
    .flatMap(entry => String(entry).split(','))
    .map(entry => entry.trim())
    .filter(Boolean);

/**
 * `publish` arguments into a publish request. Kernels give the file as a workspace path
 * (`%ocean publish data.csv`, `ocean.publish('data.csv', {...})`), as bytes (`data`, or
 * `data_base64`, with `file_name`; Python's `%ocean publish df` sends a DataFrame this way),
 * or as a `url`. Options: name, description, author, license, tags, type, price (none = free),
 * access (download | compute), trusted (algorithm DIDs) or trusted_algorithms, sample_url.
 */
export async function publishRequestFromArgs(
  args: Record<string, unknown>,
  helpers: IPublishArgsHelpers = {}
): Promise<IPublishRequest> {
  const license = text(args.license ?? 'CC0-1.0', 'license', 100);
  const positional = Array.isArray(args._) ? (args._ as unknown[]) : [];
  const first = positional[0];
  const data =
    option(args, 'data') ?? (first instanceof Uint8Array ? first : undefined);
  const fileName = option(args, 'file_name', 'fileName');
  const contentType = option(args, 'content_type', 'contentType');
  const url =
    option(args, 'url') ??
    (typeof first === 'string' && /^https?:\/\//i.test(first)
      ? first
      : undefined);
  let file: IPublishRequest['file'];
  if (typeof url === 'string') {
    file = { url };
  } else if (data instanceof Uint8Array || typeof data === 'string') {
    file = {
      bytes: typeof data === 'string' ? new TextEncoder().encode(data) : data,
      fileName: text(fileName, 'file_name', 200),
      contentType: typeof contentType === 'string' ? contentType : undefined
    };
  } else if (typeof args.data_base64 === 'string') {
    file = {
      bytes: base64ToBytes(text(args.data_base64, 'data_base64', 1e9)),
      fileName: text(fileName, 'file_name', 200),
      contentType: typeof contentType === 'string' ? contentType : undefined
    };
  } else if (typeof first === 'string' && first.trim()) {
    if (!helpers.readFile)
      throw new OceanError(
        'OCEAN_BAD_REQUEST',
        errorWords.__(
          'Publishing a workspace path needs JupyterLab’s file access, which is not available here.'
        )
      );
    const read = await helpers.readFile(first.trim());
    file = {
      bytes: read.bytes,
      fileName: typeof fileName === 'string' ? fileName : read.fileName,
      contentType:
        typeof contentType === 'string' ? contentType : read.contentType
    };
  } else {
    throw new OceanError(
      'OCEAN_BAD_REQUEST',
      errorWords.__(
        'Say what to publish: a workspace path (%ocean publish data.csv --name … --description … --author …), a DataFrame (%ocean publish df …), bytes with file_name, or --url.'
      )
    );
  }
  const stem =
    'fileName' in file ? file.fileName.replace(/\.[^.]+$/, '') : undefined;
  const price = option(args, 'price');
  const priceText = price === undefined ? undefined : String(price);
  const trusted = Array.isArray(args.trusted_algorithms)
    ? (args.trusted_algorithms as Record<string, unknown>[])
    : [];
  const trustedDids = list(option(args, 'trusted', 'trusted_dids'));
  if (trustedDids.length && !helpers.trust)
    throw new OceanError(
      'OCEAN_BAD_REQUEST',
      errorWords.__(
        'Trusting algorithms by DID needs the Ocean Node, which is not available here.'
      )
    );
  return {
    name: text(args.name ?? stem, 'name', 200),
    description: text(args.description, 'description'),
    author: text(args.author, 'author', 200),
    // A licence from the form's list, or any SPDX-like id a notebook gives.
    license: (LICENSES as readonly string[]).includes(license)
      ? license
      : license.slice(0, 100),
    tags: list(args.tags).slice(0, 30),
    type: args.type === 'algorithm' ? 'algorithm' : 'dataset',
    file,
    pricing:
      priceText && Number(priceText) > 0
        ? { type: 'fixed', priceInOcean: priceText }
        : { type: 'free' },
    access: args.access === 'compute' ? 'compute' : 'download',
    trustedAlgorithms: [
      ...(await Promise.all(
        trusted.map(entry =>
          typeof entry.filesChecksum === 'string'
            ? (entry as never)
            : trustedAlgorithm(
                text(entry.did, 'trusted_algorithms[].did', 200),
                text(entry.code, 'trusted_algorithms[].code', 1e7)
              )
        )
      )),
      ...(await Promise.all(trustedDids.map(did => helpers.trust!(did))))
    ],
    sampleUrl: (() => {
      const sample = option(args, 'sample_url', 'sampleUrl');
      return typeof sample === 'string' ? sample : undefined;
    })()
  };
}

const COMPUTE_ACTIONS = [
  'start',
  'status',
  'wait',
  'logs',
  'result',
  'results',
  'stop'
];

function positionalOf(args: Record<string, unknown>): string[] {
  return Array.isArray(args._) ? (args._ as unknown[]).map(String) : [];
}

/** The folder of the notebook that asked ('' at the root). */
function notebookFolder(context: IKernelCommandContext): string {
  const parts = (context.requester.path ?? '').split('/');
  parts.pop();
  return parts.filter(Boolean).join('/');
}

/**
 * A job's outputs into the workspace (beside the notebook) and into the kernel: the first that
 * parses as a table becomes a DataFrame (Python) / rows (Deno); otherwise the kernel gets the
 * saved paths, the parsed JSON and the log.
 */
async function fetchResults(
  auth: NodeAuth,
  job: IComputeJob,
  contents: Contents.IManager,
  context: IKernelCommandContext,
  /** Told the saved outputs of a job that succeeded (the provenance record). */
  onSaved?: (files: ILoggedFile[]) => Promise<unknown>
): Promise<unknown> {
  if (!FINAL_JOB_STATUSES.has(job.status))
    throw new OceanError(
      'OCEAN_COMPUTE_FAILED',
      errorWords.__(
        'Job %1 is still running (%2); ask again when it has finished.',
        job.jobId,
        job.statusText
      )
    );
  const folder = resultsFolder(context.requester.path, job.jobId);
  const notebookDir = notebookFolder(context);
  const saved: string[] = [];
  const logged: ILoggedFile[] = [];
  let table: unknown = null;
  let value: unknown = null;
  for (const file of outputFiles(job)) {
    context.progress(errorWords.__('Fetching %1…', file.filename));
    const bytes = await jobResult(auth, job.jobId, file.index);
    const path = await saveResult(contents, folder, file.filename, bytes);
    saved.push(path);
    logged.push({
      name: file.filename,
      path: notebookDir ? path.slice(notebookDir.length + 1) : path,
      bytes
    });
    const parsed = parseResult(file.filename, bytes);
    if (table || !parsed) continue;
    if (parsed.format === 'csv')
      table = tableResult('csv', parsed.text, { name: file.filename });
    else if (parsed.format === 'records')
      table = tableResult('records', parsed.rows, { name: file.filename });
    else if (parsed.format === 'json' && value === null) value = parsed.value;
  }
  const log = job.results.find(file => file.filename === 'algorithmLog.txt');
  const logText = log
    ? new TextDecoder().decode(await jobResult(auth, job.jobId, log.index))
    : '';
  if (job.status !== 70)
    throw new OceanError(
      'OCEAN_COMPUTE_FAILED',
      job.terminationDetails?.reason
        ? errorWords.__(
            'Job %1 ended with “%2” (%3). Its log:\n%4',
            job.jobId,
            job.statusText,
            job.terminationDetails.reason,
            logText.slice(-2000)
          )
        : errorWords.__(
            'Job %1 ended with “%2”. Its log:\n%3',
            job.jobId,
            job.statusText,
            logText.slice(-2000)
          )
    );
  await onSaved?.(logged).catch(error =>
    context.progress(
      errorWords.__(
        "Results saved, but not recorded in the notebook's provenance: %1",
        (error as Error).message
      )
    )
  );
  if (table) return table;
  return mimeResult(
    {
      'text/plain': saved.length
        ? errorWords.__(
            'Job %1: %2. Saved %3.\n%4',
            job.jobId,
            job.statusText,
            saved.join(', '),
            logText.slice(-2000)
          )
        : errorWords.__(
            'Job %1: %2. Saved no output files.\n%3',
            job.jobId,
            job.statusText,
            logText.slice(-2000)
          )
    },
    {
      value: {
        job_id: job.jobId,
        status: job.status,
        files: saved,
        value,
        log: logText
      }
    }
  );
}

/**
 * Registers `publish` and `compute` with the kernel bridge.
 */
export function registerPublishCommands(
  bridge: IKernelBridge,
  networks: INetworkRegistry,
  wallet: IWallet,
  contents: Contents.IManager,
  provenance: IProvenanceLog | null = null
): void {
  const signerFor = async (context: IKernelCommandContext) => {
    await wallet.ensureUnlocked(context.requester);
    return wallet.getSigner(context.requester);
  };
  /**
   * What fetchResults calls with the saved results: the compute entry of
   * the notebook's provenance (the job, its dataset's order, the files).
   * `order` is the job's order, or how to read it back when it is not known.
   */
  const recordJob = (
    context: IKernelCommandContext,
    job: IComputeJob,
    order:
      | IComputeDatasetOrder
      | undefined
      | (() => Promise<IComputeDatasetOrder | undefined>)
  ) =>
    provenance
      ? async (files: ILoggedFile[]) => {
          const known = typeof order === 'function' ? await order() : order;
          const did = known?.did ?? job.inputDID?.[0] ?? job.did;
          if (!did) {
            return null; // The node names no dataset: nothing to trace it to.
          }
          const chainId = networks.active.chainId;
          return provenance.recordCompute(
            context,
            {
              did,
              jobId: job.jobId,
              // Who may ask the node for this job later (%ocean verify).
              owner:
                job.owner || (await wallet.ensureUnlocked(context.requester)),
              name: known?.name,
              license: known?.license,
              grant: known && {
                did: known.did,
                chainId,
                serviceId: known.serviceId,
                serviceIndex: 0,
                datatoken: known.datatoken,
                consumer: known.consumer,
                orderTxId: known.tx,
                reused: known.reused,
                validUntil: null
              }
            },
            files
          );
        }
      : undefined;
  bridge.registerCommand(
    'publish',
    async (args, context) => {
      const network = networks.active;
      const folder = notebookFolder(context);
      const request = await publishRequestFromArgs(args, {
        readFile: async path => {
          const full = path.startsWith('/')
            ? path.replace(/^\/+/, '')
            : folder
              ? `${folder}/${path}`
              : path;
          try {
            return await readWorkspaceFile(contents, full);
          } catch {
            throw new OceanError(
              'OCEAN_BAD_REQUEST',
              errorWords.__(
                'There is no file %1 in the workspace (paths are relative to the notebook; save the file first).',
                full
              )
            );
          }
        },
        trust: did => trustedAlgorithmFromNode(network, did)
      });
      // The notebook's sources go into the new DDO (provenance/).
      const { lineage, additionalInformation } = await publishLineage(
        provenance,
        context
      );
      if (additionalInformation) {
        request.additionalInformation = additionalInformation;
      }
      const signer = await signerFor(context);
      const steps = [
        'check',
        'upload',
        'create',
        'encrypt',
        'metadata',
        'index',
        'done'
      ];
      const published = await publishAsset(network, signer, request, progress =>
        context.progress(
          progress.message,
          (steps.indexOf(progress.step) + 1) / steps.length
        )
      );
      const { card, warnings } = await recordPublished(
        provenance,
        context,
        contents,
        {
          did: published.did,
          tx: published.metadataTxHash,
          datatoken: published.datatoken,
          serviceId: published.serviceId,
          name: request.name,
          license: request.license,
          description: request.description,
          tags: request.tags ?? [],
          type: request.type ?? 'dataset',
          chainId: network.chainId,
          priced: request.pricing.type === 'fixed'
        },
        lineage
      ).catch(error => {
        context.progress(
          errorWords.__(
            'Published, but the card or the provenance record was not written: %1',
            (error as Error).message
          )
        );
        return { card: null, warnings: [] as string[] };
      });
      return mimeResult(
        {
          'text/plain': [
            `Published “${request.name}” as ${published.did}`,
            ...(card ? [`Card: ${card}`] : []),
            ...warnings.map(warning => `⚠ ${warning}`)
          ].join('\n'),
          [OCEAN_ASSET_MIME_TYPE]: { did: published.did }
        },
        { value: { ...published, card, warnings } }
      );
    },
    {
      description: errorWords.__(
        'Publishes a workspace file, a DataFrame or a URL as an Ocean asset (data NFT, datatoken, price).'
      ),
      usage:
        '<path|df [--format parquet]|--url U> --name N --description D --author A [--license L] [--tags a,b] [--price P] [--type algorithm] [--access compute --trusted did1,did2]'
    }
  );
  bridge.registerCommand(
    'compute',
    async (args, context) => {
      const network = networks.active;
      const words = positionalOf(args);
      // `%ocean compute <dataset> --algorithm A`, `%ocean compute results <job>`, or the
      // keyword form `ocean.compute(action=…, job_id=…, dataset=…, algorithm=…)`.
      const action =
        typeof args.action === 'string'
          ? args.action
          : COMPUTE_ACTIONS.includes(words[0])
            ? words.shift()!
            : 'start';
      const jobId = () =>
        text(option(args, 'job_id', 'jobId') ?? words[0], 'job_id', 200);
      const algorithm = option(args, 'algorithm');
      if (action === 'start' && typeof algorithm !== 'string') {
        // No algorithm chosen: the job view in the cell lets people choose and follow it.
        const dataset = text(
          option(args, 'dataset') ?? words[0],
          'dataset',
          200
        );
        return mimeResult({
          'text/plain': errorWords.__(
            'Compute job view for %1 (open this notebook in JupyterLab with jupyterlab-ocean).',
            dataset
          ),
          [OCEAN_COMPUTE_MIME_TYPE]: { did: dataset }
        });
      }
      const signer = await signerFor(context);
      // One node token per notebook for logs and results: one dialog, not one per file.
      const auth = new NodeAuth(network, signer, context.requester);
      switch (action) {
        case 'start': {
          const job = await startComputeJob(
            network,
            signer,
            {
              dataset: text(
                option(args, 'dataset') ?? words[0],
                'dataset',
                200
              ),
              algorithm: text(algorithm, 'algorithm', 200),
              free: args.free === true,
              maxJobDuration:
                option(args, 'max_job_duration', 'maxJobDuration') !== undefined
                  ? Number(option(args, 'max_job_duration', 'maxJobDuration'))
                  : undefined
            },
            progress => context.progress(progress.message)
          );
          if (args.wait === false || args.wait === 'false') return job;
          let status = errorWords.__('Job started');
          let lastLine = '';
          const show = () =>
            context.progress(
              lastLine
                ? errorWords.__('Job %1: %2 · %3', job.jobId, status, lastLine)
                : errorWords.__('Job %1: %2', job.jobId, status)
            );
          let following = true;
          void (async () => {
            try {
              let pending = '';
              for await (const chunk of jobLogs(auth, job.jobId)) {
                if (!following) break;
                pending += chunk;
                const lines = pending.split('\n');
                pending = lines.pop() ?? '';
                const last = lines.filter(line => line.trim()).pop();
                if (last) {
                  lastLine = last.slice(0, 200);
                  show();
                }
              }
            } catch {
              // Live logs are a comfort; the log file comes with the results.
            }
          })();
          const final = await waitForJob(
            network,
            signer,
            job.jobId,
            progress => {
              status = progress.message;
              show();
            }
          );
          following = false;
          if (args.results === false || args.results === 'false') return final;
          return fetchResults(
            auth,
            final,
            contents,
            context,
            recordJob(context, final, job.datasetOrder)
          );
        }
        case 'status':
          return jobStatus(network, signer, jobId());
        case 'wait':
          return waitForJob(network, signer, jobId(), progress =>
            context.progress(progress.message)
          );
        case 'logs': {
          let log = '';
          for await (const chunk of jobLogs(auth, jobId())) {
            log += chunk;
            context.progress(chunk);
          }
          return { log };
        }
        case 'results': {
          // A job started in another cell (or with --results false, or from
          // the job view): its order is read back from the node and chain.
          const job = await jobStatus(network, signer, jobId());
          return fetchResults(
            auth,
            job,
            contents,
            context,
            recordJob(
              context,
              job,
              async () => (await jobDatasetOrder(network, job)) ?? undefined
            )
          );
        }
        case 'result': {
          const bytes = await jobResult(
            auth,
            jobId(),
            Number(args.index ?? words[1] ?? 0)
          );
          return { data_base64: bytesToBase64(bytes), size: bytes.length };
        }
        case 'stop':
          return stopJob(network, signer, jobId());
        default:
          throw new OceanError(
            'OCEAN_BAD_REQUEST',
            errorWords.__(
              'Unknown compute action "%1" (start, status, wait, logs, results, result, stop).',
              action
            )
          );
      }
    },
    {
      description: errorWords.__(
        'Runs an allowed algorithm on a compute-only dataset; results into the workspace and the kernel.'
      ),
      usage:
        '<dataset> [--algorithm did] | results <job> | status <job> | logs <job> | stop <job>'
    }
  );
}
