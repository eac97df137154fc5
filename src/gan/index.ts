/**
 * The GAN room: token-gated generators that run in the notebook's browser.
 *
 * Offers the `application/vnd.ocean.gan+json` output renderer and the
 * kernel commands `gan` (show a GAN cell) and `gan_images` (images into the
 * kernel). The service, the cell's widget and onnxruntime-web are
 * imported only when a GAN cell first renders or a kernel asks (see
 * runtime.ts).
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { PathExt } from '@jupyterlab/coreutils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import {
  IAssetCardRecorder,
  IKernelBridge,
  INetworkRegistry,
  IOceanClient,
  IWallet,
  type IOceanProgress,
  type IWalletRequester
} from '../tokens';
import { OceanError } from '../errors';
import { LazyRenderer, once } from '../lazy';
import { GAN_MIME_TYPE, ganBundle, payloadFromCommandArgs } from './protocol';
import type { GanBackendPreference } from './runtime';

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
  optional: [
    IOceanClient,
    INetworkRegistry,
    IKernelBridge,
    INotebookTracker,
    ISettingRegistry,
    ITranslator,
    IAssetCardRecorder,
    IWallet
  ],
  activate: (
    app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    client: IOceanClient | null,
    networks: INetworkRegistry | null,
    bridge: IKernelBridge | null,
    notebooks: INotebookTracker | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null,
    // A purchase for a GAN cell goes into its notebook's provenance.
    recorder: IAssetCardRecorder | null,
    wallet: IWallet | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_ocean');
    let backend: GanBackendPreference = 'auto';
    if (settingRegistry) {
      // Not awaited: start-up does not wait for settings; a cell rendered
      // before they load uses 'auto'.
      void settingRegistry
        .load(ganPlugin.id)
        .then(settings => {
          const read = () => {
            const value = settings.get('backend').composite;
            backend = value === 'webgpu' || value === 'wasm' ? value : 'auto';
          };
          read();
          settings.changed.connect(read);
        })
        .catch(error =>
          console.warn('jupyterlab-ocean: GAN settings not loaded', error)
        );
    }
    const service = once(
      async () =>
        new (await import('./service')).GanService({
          client: () => client,
          networks,
          backend: () => backend
        })
    );
    const withDefaultModel = async (
      args: Record<string, unknown>
    ): Promise<Record<string, unknown>> => {
      const positional = Array.isArray(args._) ? args._ : [];
      if (args.did || positional.length > 0) {
        return args;
      }
      const page = await (
        await service()
      )
        .client()
        .search({ type: 'algorithm', tag: 'gan', pageSize: 1 });
      if (page.assets.length === 0) {
        throw new OceanError(
          'OCEAN_NOT_INDEXED',
          trans.__(
            'The network "%1" has no GAN model (an algorithm asset tagged "gan"). Pass the model\'s DID: %ocean gan <did>.',
            networks?.active.name ?? 'active'
          )
        );
      }
      return { ...args, did: page.assets[0].did };
    };
    const notebookPath = () => notebooks?.currentWidget?.context.path ?? '';
    const requester = (): IWalletRequester => {
      const path = notebookPath();
      return {
        kind: 'renderer',
        label: path
          ? trans.__('GAN output cell in %1', PathExt.basename(path))
          : trans.__('GAN output cell'),
        ...(path ? { path } : {})
      };
    };
    rendermime.addFactory(
      {
        safe: true,
        mimeTypes: [GAN_MIME_TYPE],
        defaultRank: RENDERER_RANK,
        createRenderer: () =>
          new LazyRenderer(async () => {
            const [{ GanOutputWidget }, ganService] = await Promise.all([
              import('./widget'),
              service()
            ]);
            return new GanOutputWidget({
              service: ganService,
              requester,
              currentDirectory: () => PathExt.dirname(notebookPath()),
              contents: app.serviceManager?.contents ?? null,
              trans,
              recorder,
              // Access is the account's: a cell re-checks it on a switch.
              account: wallet
                ? {
                    // Access is per account and network.
                    current: () =>
                      wallet.state.account
                        ? `${wallet.state.chainId}:${wallet.state.account.toLowerCase()}`
                        : null,
                    changed: wallet.stateChanged
                  }
                : null
            });
          })
      },
      RENDERER_RANK
    );

    // `%ocean gan <did> --n 16 --seed 42` / `ocean.gan(did, { n, seed })`:
    // the kernel shows a GAN cell; everything else happens in the renderer.
    // Without a DID (`%ocean gan --n 16`), the network's GAN model is used:
    // the first algorithm asset tagged "gan" its node knows.
    bridge?.registerCommand(
      'gan',
      async args => {
        const payload = payloadFromCommandArgs(await withDefaultModel(args));
        const { mimeResult } = await import('../kernel-bridge/results');
        return mimeResult(ganBundle(payload), { value: payload });
      },
      {
        description: trans.__(
          "Generate images in the browser with a GAN model asset (the network's GAN model when no DID is given)."
        ),
        usage: '[did] [--n N] [--seed S]'
      }
    );
    // `ocean.gan_images(did, n=16, seed=42)`: the same images, into the kernel.
    bridge?.registerCommand(
      'gan_images',
      async (args, context) => {
        const payload = payloadFromCommandArgs(await withDefaultModel(args));
        const report = (progress: IOceanProgress) =>
          context.progress(progress.message, progress.fraction);
        // Reuses a valid order (never pays twice); without one, buying goes
        // through the wallet's dialog like any other request.
        const ganService = await service();
        const grant = await ganService.getAccess(
          payload.did,
          context.requester,
          report
        );
        // In the kernel's notebook and cell, as a `%ocean load`'s order: the
        // order it used, then the images it got, a use of the model (each
        // once). A record that fails is said; the images come either way.
        const record = async (
          kind: 'recordOrder' | 'recordModelUse',
          unrecorded: string
        ) =>
          recorder?.[kind](
            { requester: context.requester, cellId: context.cellId },
            (await ganService.model(payload.did)).asset,
            grant
          ).catch(error =>
            context.progress(
              trans.__(
                "%1, but it was not recorded in the notebook's provenance: %2",
                unrecorded,
                (error as Error).message
              )
            )
          );
        await record('recordOrder', trans.__('Access is yours'));
        const run = await ganService.generate(
          payload,
          context.requester,
          report
        );
        await record('recordModelUse', trans.__('The images are yours'));
        const { imagesResult } = await import('./service');
        return imagesResult(payload.did, run);
      },
      {
        description: trans.__(
          'The same GAN images, returned into the kernel (gets access first if needed).'
        ),
        usage: '[did] [--n N] [--seed S]'
      }
    );
  }
};
