/**
 * Offers `publish` and `compute` to notebook kernels through the kernel bridge. The handlers
 * only translate JSON arguments into publish.ts / compute.ts calls on the active network, with
 * the wallet's Signer for the asking kernel (so the confirmation dialog names the notebook).
 * Without a bridge or a wallet the plugin does nothing.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  IKernelBridge,
  INetworkRegistry,
  IWallet,
  type IKernelCommandContext
} from '../tokens';
import {
  jobLogs,
  jobResult,
  jobStatus,
  startComputeJob,
  stopJob,
  waitForJob
} from './compute';
import { OceanError } from './errors';
import {
  LICENSES,
  publishAsset,
  trustedAlgorithm,
  type IPublishRequest
} from './publish';

const text = (value: unknown, name: string, max = 10_000): string => {
  if (typeof value !== 'string' || !value.trim())
    throw new OceanError('OCEAN_BAD_REQUEST', `"${name}" is required.`);
  return value.slice(0, max);
};

function decodeBase64(value: string): Uint8Array {
  const binary = atob(value);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** `publish` arguments (from `%ocean publish` / `ocean.publish`) into a publish request. */
export async function publishRequestFromArgs(
  args: Record<string, unknown>
): Promise<IPublishRequest> {
  const license = text(args.license ?? 'CC0-1.0', 'license', 100);
  const file: IPublishRequest['file'] =
    typeof args.url === 'string'
      ? { url: args.url }
      : {
          bytes: decodeBase64(text(args.data_base64, 'data_base64', 1e9)),
          fileName: text(args.file_name, 'file_name', 200),
          contentType:
            typeof args.content_type === 'string'
              ? args.content_type
              : undefined
        };
  const price = args.price === undefined ? undefined : String(args.price);
  const trusted = Array.isArray(args.trusted_algorithms)
    ? (args.trusted_algorithms as Record<string, unknown>[])
    : [];
  return {
    name: text(args.name, 'name', 200),
    description: text(args.description, 'description'),
    author: text(args.author, 'author', 200),
    // A licence from the form's list, or any SPDX-like id a notebook gives.
    license: (LICENSES as readonly string[]).includes(license)
      ? license
      : license.slice(0, 100),
    tags: Array.isArray(args.tags)
      ? args.tags.filter((tag): tag is string => typeof tag === 'string')
      : [],
    type: args.type === 'algorithm' ? 'algorithm' : 'dataset',
    file,
    pricing:
      price && Number(price) > 0
        ? { type: 'fixed', priceInOcean: price }
        : { type: 'free' },
    access: args.access === 'compute' ? 'compute' : 'download',
    trustedAlgorithms: await Promise.all(
      trusted.map(entry =>
        typeof entry.filesChecksum === 'string'
          ? (entry as never)
          : trustedAlgorithm(
              text(entry.did, 'trusted_algorithms[].did', 200),
              text(entry.code, 'trusted_algorithms[].code', 1e7)
            )
      )
    ),
    sampleUrl: typeof args.sample_url === 'string' ? args.sample_url : undefined
  };
}

export const publishComputePlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-ocean:publish-compute',
  description:
    'Lets notebooks publish assets and run compute-to-data jobs through the wallet.',
  autoStart: true,
  requires: [INetworkRegistry],
  optional: [IKernelBridge, IWallet],
  activate: (
    _app: JupyterFrontEnd,
    networks: INetworkRegistry,
    bridge: IKernelBridge | null,
    wallet: IWallet | null
  ): void => {
    if (!bridge || !wallet) return;
    const signerFor = async (context: IKernelCommandContext) => {
      await wallet.ensureUnlocked(context.requester);
      return wallet.getSigner(context.requester);
    };
    bridge.registerCommand('publish', async (args, context) => {
      const request = await publishRequestFromArgs(args);
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
      return publishAsset(networks.active, signer, request, progress =>
        context.progress(
          progress.message,
          (steps.indexOf(progress.step) + 1) / steps.length
        )
      );
    });
    bridge.registerCommand('compute', async (args, context) => {
      const network = networks.active;
      const signer = await signerFor(context);
      const action = typeof args.action === 'string' ? args.action : 'start';
      const jobId = () => text(args.job_id, 'job_id', 200);
      switch (action) {
        case 'start': {
          const job = await startComputeJob(
            network,
            signer,
            {
              dataset: text(args.dataset, 'dataset', 200),
              algorithm: text(args.algorithm, 'algorithm', 200),
              free: args.free === true,
              maxJobDuration:
                typeof args.max_job_duration === 'number'
                  ? args.max_job_duration
                  : undefined
            },
            progress => context.progress(progress.message)
          );
          if (args.wait === false) return job;
          return waitForJob(network, signer, job.jobId, progress =>
            context.progress(progress.message)
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
          for await (const chunk of jobLogs(network, signer, jobId())) {
            log += chunk;
            context.progress(chunk);
          }
          return { log };
        }
        case 'result': {
          const bytes = await jobResult(
            network,
            signer,
            jobId(),
            Number(args.index ?? 0)
          );
          return { data_base64: encodeBase64(bytes), size: bytes.length };
        }
        case 'stop':
          return stopJob(network, signer, jobId());
        default:
          throw new OceanError(
            'OCEAN_BAD_REQUEST',
            `Unknown compute action "${action}" (start, status, wait, logs, result, stop).`
          );
      }
    });
  }
};
