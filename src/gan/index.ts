/**
 * The GAN room: token-gated generators that run in the notebook's browser.
 *
 * Offers the `application/vnd.ocean.gan+json` output renderer and the
 * `gan.images` kernel command (images into the kernel). onnxruntime-web is
 * imported only when a GAN cell first renders (see runtime.ts).
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { PathExt } from '@jupyterlab/coreutils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';

import {
  IKernelBridge,
  INetworkRegistry,
  IOceanClient,
  type IWalletRequester
} from '../tokens';
import { GAN_MIME_TYPE, parseGanPayload } from './protocol';
import { GanService, imagesResult } from './service';
import { GanOutputWidget } from './widget';

export { GAN_MIME_TYPE } from './protocol';
export type { IGanCellPayload, IGanImagesResult } from './protocol';

/** Ahead of image/png (and the placeholder text) in the same bundle. */
const RENDERER_RANK = 20;

export const ganPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-ocean:gan',
  description:
    'Renders token-gated GAN output cells in the browser (onnxruntime-web, WebGPU or WebAssembly) and hands their images to kernels.',
  autoStart: true,
  requires: [IRenderMimeRegistry],
  optional: [IOceanClient, INetworkRegistry, IKernelBridge, INotebookTracker],
  activate: (
    app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    client: IOceanClient | null,
    networks: INetworkRegistry | null,
    bridge: IKernelBridge | null,
    notebooks: INotebookTracker | null
  ) => {
    const service = new GanService({ client: () => client, networks });
    const notebookPath = () => notebooks?.currentWidget?.context.path ?? '';
    const requester = (): IWalletRequester => {
      const path = notebookPath();
      return {
        kind: 'renderer',
        label: path
          ? `GAN output cell in ${PathExt.basename(path)}`
          : 'GAN output cell',
        ...(path ? { path } : {})
      };
    };
    rendermime.addFactory(
      {
        safe: true,
        mimeTypes: [GAN_MIME_TYPE],
        defaultRank: RENDERER_RANK,
        createRenderer: () =>
          new GanOutputWidget({
            service,
            requester,
            currentDirectory: () => PathExt.dirname(notebookPath()),
            contents: app.serviceManager?.contents ?? null
          })
      },
      RENDERER_RANK
    );

    bridge?.registerCommand('gan.images', async (args, context) => {
      const payload = parseGanPayload(args);
      // Reuses a valid order (never pays twice); if there is none, buying
      // goes through the wallet's dialog like any other request.
      await service.getAccess(payload.did, context.requester, progress =>
        context.progress(progress.message, progress.fraction)
      );
      const run = await service.generate(payload, context.requester, progress =>
        context.progress(progress.message, progress.fraction)
      );
      return imagesResult(payload.did, run);
    });
  }
};
