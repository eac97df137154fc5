/**
 * Provenance: what a notebook bought, loaded, computed and published, kept
 * in its metadata (record.ts is the format), shown (`%ocean provenance`)
 * and checked against the chain and the node (`%ocean verify`, and
 * `python -m jupyterlab_ocean.provenance verify notebook.ipynb` for a
 * reviewer without a wallet). Only the token and this plugin load at
 * start-up; the log and the commands load on first use.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import {
  IAssetCardRecorder,
  IKernelBridge,
  INetworkRegistry,
  IWallet,
  type IWalletRequester
} from '../tokens';
import { errorWords } from '../errors';
import { cardOrigin } from './card-origin';
import {
  IProvenanceLog,
  type IMetadataHolder,
  type ILineage,
  type ILoggedFile
} from './tokens';

export { IProvenanceLog };
export type { ILineage, ILoggedFile };

export const provenancePlugin: JupyterFrontEndPlugin<IProvenanceLog> = {
  id: 'jupyterlab-ocean:provenance',
  description:
    "Keeps a notebook's Ocean lineage in its metadata: %ocean provenance shows it, %ocean verify checks it.",
  autoStart: true,
  requires: [INetworkRegistry, INotebookTracker],
  optional: [IKernelBridge, IWallet],
  provides: IProvenanceLog,
  activate: (
    app: JupyterFrontEnd,
    networks: INetworkRegistry,
    notebooks: INotebookTracker,
    bridge: IKernelBridge | null,
    wallet: IWallet | null
  ): IProvenanceLog => {
    // The notebook a kernel request came from: by its kernel, else its path.
    const lookup = (requester: IWalletRequester): IMetadataHolder | null => {
      let found: IMetadataHolder | null = null;
      notebooks.forEach(panel => {
        const kernelId = panel.sessionContext.session?.kernel?.id;
        if (
          !found &&
          panel.model &&
          ((requester.kernelId && kernelId === requester.kernelId) ||
            (!requester.kernelId &&
              requester.path &&
              panel.context.path === requester.path))
        ) {
          found = panel.model;
        }
      });
      return found;
    };
    let loaded: Promise<IProvenanceLog> | null = null;
    const real = () =>
      (loaded ??= import('./log').then(
        ({ ProvenanceLog }) =>
          new ProvenanceLog({ notebooks: lookup, networks })
      ));
    const log: IProvenanceLog = {
      recordLoad: async (...args) => (await real()).recordLoad(...args),
      recordOrder: async (...args) => (await real()).recordOrder(...args),
      recordModelUse: async (...args) => (await real()).recordModelUse(...args),
      recordCompute: async (...args) => (await real()).recordCompute(...args),
      recordPublish: async (...args) => (await real()).recordPublish(...args),
      lineage: async requester => (await real()).lineage(requester),
      read: async requester => (await real()).read(requester)
    };
    if (bridge) {
      const contents = app.serviceManager.contents;
      bridge.registerCommand(
        'provenance',
        async (_args, context) =>
          (await import('./commands')).showProvenance(log, context),
        {
          description: errorWords.__(
            "This notebook's Ocean sources: what it bought, loaded, computed and published, with licences (and a warning where a licence forbids what was done)."
          ),
          usage: ''
        }
      );
      bridge.registerCommand(
        'verify',
        async (_args, context) =>
          (await import('./commands')).verifyProvenance(
            log,
            networks,
            contents,
            context,
            wallet
              ? {
                  // Unlocked only: a verify never opens the unlock dialog.
                  account: () => wallet.state.account,
                  // The status request names the account and signs
                  // nothing (ocean/compute.ts findJob): no dialog.
                  status: async (network, jobId) =>
                    (await import('../ocean/compute')).findJob(
                      network,
                      await wallet.getSigner(context.requester),
                      jobId
                    )
                }
              : null
          ),
        {
          description: errorWords.__(
            "Re-check this notebook's provenance: each order on chain (consumer, service, paid), each asset on the node, each compute job and its results (asked as the wallet's account: the node shows a job to its consumer only), each file's SHA-256."
          ),
          usage: ''
        }
      );
    }
    return log;
  }
};

/**
 * Outputs in a notebook record in that notebook: a "Get access" on an
 * asset card, or a purchase in a GAN cell (or by its `gan_images`), is an
 * order entry, as a `%ocean load`'s order is; a GAN cell that generates
 * (or a `gan_images`) is a use entry of its model, with the order it used.
 */
export const assetCardRecorderPlugin: JupyterFrontEndPlugin<IAssetCardRecorder> =
  {
    id: 'jupyterlab-ocean:asset-card-recorder',
    description:
      "Records a purchase made from a notebook's output (an asset card's \"Get access\", a GAN cell's), and a GAN cell's use of its model, in that notebook's provenance.",
    autoStart: true,
    requires: [IProvenanceLog, INotebookTracker],
    optional: [ITranslator],
    provides: IAssetCardRecorder,
    activate: (
      _app: JupyterFrontEnd,
      log: IProvenanceLog,
      notebooks: INotebookTracker,
      translator: ITranslator | null
    ): IAssetCardRecorder => {
      const trans = (translator ?? nullTranslator).load('jupyterlab_ocean');
      return {
        locate: node => {
          const panels: NotebookPanel[] = [];
          notebooks.forEach(panel => panels.push(panel));
          return cardOrigin(panels, node, path =>
            trans.__('Ocean asset card in %1', path)
          );
        },
        recordOrder: (origin, asset, grant) =>
          log.recordOrder(origin, asset, grant),
        recordModelUse: (origin, asset, grant) =>
          log.recordModelUse(origin, asset, grant)
      };
    }
  };
