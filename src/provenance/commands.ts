/**
 * `%ocean provenance` and `%ocean verify` (Deno: `ocean.provenance()`,
 * `ocean.verify()`): the notebook's lineage as a table, and the same
 * record checked against the chain, the node and the workspace.
 */
import type { Contents } from '@jupyterlab/services';
import { errorWords, OceanError } from '../errors';
import { mimeResult } from '../kernel-bridge/results';
import { readProvider } from '../ocean/chain';
import { NodeApi } from '../ocean/node-api';
import { readWorkspaceFile } from '../ocean/workspace';
import type {
  IKernelCommandContext,
  INetworkRegistry,
  IOceanNetwork
} from '../tokens';
import type { IProvenanceLog } from './tokens';
import {
  sha256Hex,
  type IProvenanceEntry,
  type IProvenanceRecord
} from './record';
import {
  escapeHtml,
  provenanceBundle,
  provenanceRows,
  verdictText
} from './report';
import {
  verifyRecord,
  type IJobStatusLike,
  type IReceiptLike,
  type IVerifyReaders
} from './verify';

/**
 * How the browser asks for a compute job: as the wallet's account (the
 * node shows a job to the account that started it only).
 */
export interface IJobAsker {
  /** The wallet's account, or null while it is locked or has none. */
  account(): string | null;
  /** The job as the node shows it to that account; null: it shows none. */
  status(network: IOceanNetwork, jobId: string): Promise<IJobStatusLike | null>;
}

async function recordOf(
  log: IProvenanceLog,
  context: IKernelCommandContext
): Promise<IProvenanceRecord> {
  const record = await log.read(context.requester);
  if (!record) {
    throw new OceanError(
      'OCEAN_BAD_REQUEST',
      errorWords.__(
        'Provenance is kept in a notebook: run this from a notebook cell, not a console.'
      )
    );
  }
  return record;
}

/**
 * Readers for the browser's verifier. The chain and node are the
 * configured network with the entry's chain id, never URLs taken from the
 * record: a notebook from someone else must not make the browser call
 * wherever it says.
 */
export function browserReaders(
  networks: INetworkRegistry,
  contents: Contents.IManager,
  notebookPath: string,
  jobs: IJobAsker | null = null
): IVerifyReaders {
  const networkFor = (entry: IProvenanceEntry): IOceanNetwork => {
    const network = networks.networks.find(
      n => n.chainId === entry.network.chainId
    );
    if (!network) {
      throw new OceanError(
        'OCEAN_UNKNOWN_NETWORK',
        errorWords.__(
          'chain %1 (%2) is not among your configured networks',
          entry.network.chainId,
          entry.network.key
        )
      );
    }
    return network;
  };
  const folder = notebookPath.split('/').slice(0, -1).join('/');
  return {
    receipt: async (entry, tx) => {
      const provider = await readProvider(networkFor(entry));
      const receipt = await provider.getTransactionReceipt(tx);
      return receipt
        ? ({
            status: receipt.status,
            blockNumber: receipt.blockNumber,
            logs: receipt.logs.map(log => ({
              address: log.address,
              topics: [...log.topics],
              data: log.data
            }))
          } satisfies IReceiptLike)
        : null;
    },
    ddo: async entry => {
      const node = new NodeApi(networkFor(entry).nodeUrl);
      const response = await node.ddoResponse(entry.did);
      if (response.status === 404) {
        return null;
      }
      if (!response.ok) {
        throw new OceanError(
          'OCEAN_NODE_REFUSED',
          errorWords.__('the node answered %1', response.status)
        );
      }
      return response.json();
    },
    nodeUrl: entry => networkFor(entry).nodeUrl,
    ...(jobs
      ? {
          job: async (entry: IProvenanceEntry) => {
            const account = jobs.account();
            const owner = entry.jobOwner;
            if (!account) {
              return {
                skipped: `needs the consumer's wallet${owner ? ` (${owner})` : ''}, and the wallet is locked`
              };
            }
            if (owner && owner.toLowerCase() !== account.toLowerCase()) {
              return {
                skipped: `the node shows a job only to its consumer ${owner}, and the wallet's account is ${account}`
              };
            }
            const job = await jobs.status(networkFor(entry), entry.jobId!);
            if (!job && !owner) {
              // An older entry that does not name who ran the job: the
              // wallet may simply not be its consumer.
              return {
                skipped: `the record does not name the job's consumer, and the node shows ${account} no job ${entry.jobId}`
              };
            }
            return { job };
          }
        }
      : {}),
    fileSha256: async (_entry, file) => {
      if (file.path.split('/').includes('..')) {
        return null; // Only files beside the notebook are looked at.
      }
      const path = folder ? `${folder}/${file.path}` : file.path;
      try {
        const { bytes } = await readWorkspaceFile(contents, path);
        return await sha256Hex(bytes);
      } catch {
        return null; // Not at hand: nothing to compare.
      }
    }
  };
}

/** `%ocean provenance`: the table, the chains, the warnings. */
export async function showProvenance(
  log: IProvenanceLog,
  context: IKernelCommandContext
): Promise<unknown> {
  const record = await recordOf(log, context);
  const bundle = provenanceBundle(record);
  return mimeResult(
    { 'text/plain': bundle.text, 'text/html': bundle.html },
    {
      value: {
        record,
        rows: provenanceRows(record),
        warnings: bundle.warnings
      }
    }
  );
}

/** `%ocean verify`: every entry checked, ✔ or a sentence. */
export async function verifyProvenance(
  log: IProvenanceLog,
  networks: INetworkRegistry,
  contents: Contents.IManager,
  context: IKernelCommandContext,
  jobs: IJobAsker | null = null
): Promise<unknown> {
  const record = await recordOf(log, context);
  context.progress(
    errorWords._n(
      'Checking %1 provenance entry against the chain and the node…',
      'Checking %1 provenance entries against the chain and the node…',
      record.entries.length
    ) +
      (record.entries.some(entry => entry.jobId)
        ? ' ' +
          errorWords.__(
            "Compute jobs are asked for as the wallet's account: the node shows a job to its consumer only."
          )
        : '')
  );
  const verdicts = await verifyRecord(
    record,
    browserReaders(networks, contents, context.requester.path ?? '', jobs)
  );
  const text = verdictText(verdicts);
  const html = `<pre class="jp-OceanProvenance-verdicts">${escapeHtml(text)}</pre>`;
  return mimeResult(
    { 'text/plain': text, 'text/html': html },
    { value: { ok: verdicts.every(v => v.ok), verdicts } }
  );
}
