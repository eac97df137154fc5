/**
 * Provenance: what a notebook bought, loaded, computed and published, kept
 * in its metadata (record.ts is the format), shown (`%ocean provenance`)
 * and checked against the chain and the node (`%ocean verify`, and
 * `python -m jupyterlab_ocean.provenance verify notebook.ipynb` for a
 * reviewer without a wallet).
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';
import {
  IKernelBridge,
  INetworkRegistry,
  type IWalletRequester
} from '../tokens';
import { registerProvenanceCommands } from './commands';
import { IProvenanceLog, ProvenanceLog, type IMetadataHolder } from './log';

export * from './record';
export { IProvenanceLog, ProvenanceLog } from './log';
export type { ILineage, ILoggedFile } from './log';

export const provenancePlugin: JupyterFrontEndPlugin<IProvenanceLog> = {
  id: 'jupyterlab-ocean:provenance',
  description:
    "Keeps a notebook's Ocean lineage in its metadata: %ocean provenance shows it, %ocean verify checks it.",
  autoStart: true,
  requires: [INetworkRegistry, INotebookTracker],
  optional: [IKernelBridge],
  provides: IProvenanceLog,
  activate: (
    app: JupyterFrontEnd,
    networks: INetworkRegistry,
    notebooks: INotebookTracker,
    bridge: IKernelBridge | null
  ): IProvenanceLog => {
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
    const log = new ProvenanceLog({ notebooks: lookup, networks });
    if (bridge) {
      registerProvenanceCommands(
        bridge,
        log,
        networks,
        app.serviceManager.contents
      );
    }
    return log;
  }
};
