/**
 * OceanComputeView: the compute job view for one compute-only dataset, in the sidebar or in an
 * output cell (MIME type application/vnd.ocean.compute+json, `{ "did": … }`). It lists the
 * algorithms the dataset trusts, buys/orders and starts the job with the wallet's Signer (each
 * signature through the wallet's dialog), follows status and logs, and saves results into the
 * workspace beside the notebook. Logs and results are read with one node auth token per view.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { Contents } from '@jupyterlab/services';
import {
  nullTranslator,
  type TranslationBundle
} from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import {
  computeDdo,
  FINAL_JOB_STATUSES,
  jobLogs,
  jobResult,
  startComputeJob,
  stopJob,
  waitForJob,
  type IComputeJob
} from '../../ocean/compute';
import { assetName } from '../../ocean/asset';
import { NodeAuth } from '../../ocean/compute-auth';
import { quoteComputeJob } from '../../ocean/compute-quote';
import { resultsFolder, saveResult } from '../../ocean/compute-results';
import {
  OCEAN_COMPUTE_MIME_TYPE,
  type INetworkRegistry,
  type IWallet,
  type IWalletRequester
} from '../../tokens';
import { OceanComputeJob, type IComputeChoice } from './compute-job';

export { OCEAN_COMPUTE_MIME_TYPE };

function sentence(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class OceanComputeView extends Widget implements IRenderMime.IRenderer {
  readonly job: OceanComputeJob;
  private _did = '';
  private _stopLogs = false;

  constructor(
    private readonly _networks: INetworkRegistry,
    private readonly _wallet: IWallet | null,
    private readonly _contents: Contents.IManager | null,
    private readonly _requester: IWalletRequester,
    /** The notebook the view lives in, for where results are saved. */
    private readonly _notebookPath: () => string | undefined = () => undefined,
    private readonly _trans: TranslationBundle = nullTranslator.load(
      'jupyterlab_ocean'
    )
  ) {
    super();
    this.addClass('jp-OceanComputeView');
    this.job = new OceanComputeJob();
    this.job.trans = _trans;
    this.node.appendChild(this.job);
    this.job.addEventListener('ocean-compute-start', event => {
      const { algorithm } = (event as CustomEvent<{ algorithm: string }>)
        .detail;
      void this.start(algorithm);
    });
    this.job.addEventListener('ocean-compute-result', event => {
      const { index } = (event as CustomEvent<{ index: number }>).detail;
      void this.saveResult(index);
    });
    this.job.addEventListener('ocean-compute-stop', () => void this.stop());
    this.job.addEventListener('ocean-compute-algorithm', () => {
      void this.quote();
    });
  }

  get did(): string {
    return this._did;
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const data = model.data[OCEAN_COMPUTE_MIME_TYPE] as
      { did?: unknown; algorithm?: unknown } | undefined;
    const did = typeof data?.did === 'string' ? data.did : '';
    if (did !== this._did) await this.showDataset(did);
    if (
      typeof data?.algorithm === 'string' &&
      data.algorithm !== this.job.algorithm
    ) {
      this.job.algorithm = data.algorithm;
      await this.quote();
    }
  }

  /** Shows the job form for `did`: its name and the algorithms it trusts. */
  async showDataset(did: string): Promise<void> {
    const job = this.job;
    this._did = did;
    job.datasetDid = did;
    job.datasetName = did;
    job.algorithms = null;
    job.job = null;
    job.logs = '';
    job.error = '';
    job.progress = [];
    job.saved = {};
    job.quote = null;
    job.quoteError = '';
    job.algorithmsError = '';
    if (!did) {
      // The view says what to choose (compute-job.ts), rather than wait.
      job.algorithms = [];
      return;
    }
    const network = this._networks.active;
    try {
      const ddo = await computeDdo(network, did);
      job.datasetName = assetName(ddo, did);
      const service = (ddo.services ?? []).find(
        (entry: any) => entry?.type === 'compute'
      );
      if (!service) {
        job.error = this._trans.__(
          '%1 is not offered for compute (it is a download asset).',
          job.datasetName
        );
        job.algorithms = [];
        return;
      }
      const trusted: any[] = service.compute?.publisherTrustedAlgorithms ?? [];
      const choices: IComputeChoice[] = await Promise.all(
        trusted
          .filter(entry => typeof entry?.did === 'string')
          .map(async entry => {
            const algorithm = await computeDdo(network, entry.did).catch(
              () => null
            );
            return {
              did: String(entry.did),
              name: assetName(algorithm, String(entry.did))
            };
          })
      );
      job.algorithms = choices;
      if (!choices.some(choice => choice.did === job.algorithm))
        job.algorithm = choices[0]?.did ?? '';
    } catch (error) {
      job.algorithmsError = sentence(error);
      job.algorithms = [];
      return;
    }
    await this.quote();
  }

  /** Reads what the chosen job will cost, to show it before it is paid. */
  async quote(): Promise<void> {
    const job = this.job;
    const dataset = this._did;
    const algorithm = job.algorithm;
    job.quote = null;
    job.quoteError = '';
    if (!dataset || !algorithm) return;
    try {
      const quote = await quoteComputeJob(
        this._networks.active,
        this._wallet?.state.account ?? null,
        { dataset, algorithm }
      );
      // Another dataset or algorithm was chosen meanwhile: its own quote shows.
      if (this._did === dataset && job.algorithm === algorithm)
        job.quote = quote;
    } catch (error) {
      if (this._did === dataset && job.algorithm === algorithm)
        job.quoteError = sentence(error);
    }
  }

  private async _signer(): Promise<unknown> {
    if (!this._wallet)
      throw new Error(
        this._trans.__(
          'The Ocean wallet plugin is disabled, so there is nothing to pay or sign with.'
        )
      );
    await this._wallet.ensureUnlocked(this._requester);
    return this._wallet.getSigner(this._requester);
  }

  /** Reads logs and results with one node token for this view (one dialog, not one per file). */
  private async _auth(): Promise<NodeAuth> {
    return new NodeAuth(
      this._networks.active,
      await this._signer(),
      this._requester
    );
  }

  /** Pays (where no valid order exists), starts the job and follows it to its end. */
  async start(algorithm: string): Promise<IComputeJob | null> {
    const job = this.job;
    const network = this._networks.active;
    job.busy = true;
    job.error = '';
    job.progress = [];
    job.logs = '';
    job.saved = {};
    job.job = null;
    try {
      const signer = await this._signer();
      const started = await startComputeJob(
        network,
        signer,
        { dataset: this._did, algorithm },
        progress => {
          job.progress = [...job.progress, progress.message];
        }
      );
      job.job = started;
      job.kernelHint = `df = %ocean compute results ${started.jobId}`;
      this._stopLogs = false;
      const auth = new NodeAuth(network, signer, this._requester);
      void this._followLogs(auth, started.jobId);
      const final = await waitForJob(
        network,
        signer,
        started.jobId,
        progress => {
          job.progress = [
            ...job.progress,
            this._trans.__('Status: %1', progress.message)
          ];
        },
        { intervalMs: 500 }
      );
      job.job = final;
      this._stopLogs = true;
      if (!job.logs) {
        // No live stream (the job was too quick, or the node has none): the log file instead.
        const log = final.results?.find(
          result => result.filename === 'algorithmLog.txt'
        );
        if (log)
          job.logs = new TextDecoder().decode(
            await jobResult(auth, final.jobId, log.index)
          );
      }
      return final;
    } catch (error) {
      job.error = sentence(error);
      return null;
    } finally {
      job.busy = false;
    }
  }

  private async _followLogs(auth: NodeAuth, jobId: string): Promise<void> {
    try {
      for await (const chunk of jobLogs(auth, jobId)) {
        this.job.logs += chunk;
        if (this._stopLogs && FINAL_JOB_STATUSES.has(this.job.job?.status ?? 0))
          break;
      }
    } catch {
      // Live logs are a comfort: the final log file is fetched when the job ends.
    }
  }

  async saveResult(index: number): Promise<string | null> {
    const job = this.job;
    const current = job.job;
    if (!current || !this._contents) return null;
    const result = current.results.find(entry => entry.index === index);
    if (!result) return null;
    try {
      const bytes = await jobResult(await this._auth(), current.jobId, index);
      const path = await saveResult(
        this._contents,
        resultsFolder(this._notebookPath(), current.jobId),
        result.filename,
        bytes
      );
      job.saved = { ...job.saved, [index]: path };
      return path;
    } catch (error) {
      job.error = sentence(error);
      return null;
    }
  }

  async stop(): Promise<void> {
    const current = this.job.job;
    if (!current) return;
    try {
      this.job.job = await stopJob(
        this._networks.active,
        await this._signer(),
        current.jobId
      );
    } catch (error) {
      this.job.error = sentence(error);
    }
  }
}
