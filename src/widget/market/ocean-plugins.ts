/**
 * The Ocean data plugins: the Discover sidebar tab and the renderer for
 * asset cards in output cells (application/vnd.ocean.asset+json).
 *
 * The renderer is registered from a regular plugin rather than a MIME
 * extension because it needs the Ocean client (a token), which MIME
 * extensions cannot require.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ILayoutRestorer } from '@jupyterlab/application';
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { LabIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import discoverSvg from '../../../style/icons/ocean-discover.svg';
import {
  IAssetCardRecorder,
  INetworkRegistry,
  IOceanClient,
  IWallet,
  OCEAN_ASSET_MIME_TYPE
} from '../../tokens';
import { OceanError } from '../../errors';
import { LazyPanel, LazyRenderer } from '../../lazy';

export const discoverIcon = new LabIcon({
  name: 'jupyterlab-ocean:discover',
  svgstr: discoverSvg
});

/**
 * A compute-only dataset's card opens the job view through the Publish
 * tab's command (its own plugin, which may be disabled: then no button).
 */
function runJob(app: JupyterFrontEnd): ((did: string) => void) | null {
  return app.commands.hasCommand('ocean:compute')
    ? did => void app.commands.execute('ocean:compute', { did })
    : null;
}

export const discoverPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-ocean:discover',
  description:
    'A sidebar tab listing the active Ocean Node’s assets, with search, filters and asset cards.',
  autoStart: true,
  requires: [IOceanClient, INetworkRegistry],
  optional: [IWallet, ILayoutRestorer, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    client: IOceanClient,
    networks: INetworkRegistry,
    wallet: IWallet | null,
    restorer: ILayoutRestorer | null,
    translator: ITranslator | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_ocean');
    const panel = new LazyPanel({
      id: 'jupyterlab-ocean-discover',
      caption: trans.__('Ocean: discover data'),
      create: async () => {
        const view = new (await import('./ocean-discover')).OceanDiscoverPanel(
          client,
          networks,
          wallet,
          trans
        );
        view.runJob = runJob(app);
        return view;
      }
    });
    // A switch in the middle of a purchase stops it: say so first
    // (issue 16 item 7). Whoever asks (panel, %ocean use) sees this.
    networks.addGuard(async target => {
      const running = client.runningFlows;
      if (!running.length) {
        return;
      }
      const from = running[0].network.name;
      const sent = running.flatMap(run => run.sent.map(tx => tx.hash));
      // Text nodes only: the flow's words carry an asset's name (untrusted).
      const body = document.createElement('p');
      body.className = 'jp-OceanSwitchWarning';
      const what = running.map(run => run.what).join('; ');
      body.textContent = sent.length
        ? trans.__(
            'Now %1 on %2 (sent so far: %3). Switching to %4 stops it: what was sent stays done, and running it again on %2 resumes where it stopped (nothing is paid twice).',
            what,
            from,
            sent.join(', '),
            target.name
          )
        : trans.__(
            'Now %1 on %2. Switching to %3 stops it: what was sent stays done, and running it again on %2 resumes where it stopped (nothing is paid twice).',
            what,
            from,
            target.name
          );
      const answer = await showDialog({
        title: trans.__('A purchase is running on %1', from),
        body: new Widget({ node: body }),
        buttons: [
          Dialog.cancelButton({ label: trans.__('Stay on %1', from) }),
          Dialog.warnButton({ label: trans.__('Switch anyway') })
        ],
        defaultButton: 0
      });
      if (!answer.button.accept) {
        throw new OceanError(
          4001,
          trans.__('You stayed on %1: the purchase goes on.', from)
        );
      }
    });
    panel.title.icon = discoverIcon;
    app.shell.add(panel, 'left', { rank: 650 });
    restorer?.add(panel, panel.id);
    app.commands.addCommand('ocean:discover', {
      label: trans.__('Discover Ocean Data'),
      caption: trans.__('Open the Ocean Discover tab'),
      icon: discoverIcon,
      execute: () => app.shell.activateById(panel.id)
    });
  }
};

export const assetRendererPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-ocean:asset-renderer',
  description: `Renders ${OCEAN_ASSET_MIME_TYPE} outputs as Ocean asset cards with access and preview.`,
  autoStart: true,
  requires: [IOceanClient, IRenderMimeRegistry],
  optional: [IWallet, ITranslator, IAssetCardRecorder],
  activate: (
    app: JupyterFrontEnd,
    client: IOceanClient,
    rendermime: IRenderMimeRegistry,
    wallet: IWallet | null,
    translator: ITranslator | null,
    // A "Get access" on a card in a notebook's output goes into that
    // notebook's provenance, like a %ocean load's order.
    recorder: IAssetCardRecorder | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_ocean');
    rendermime.addFactory(
      {
        // Safe: the card renders the DDO as text only and runs no output code.
        safe: true,
        mimeTypes: [OCEAN_ASSET_MIME_TYPE],
        defaultRank: 40,
        createRenderer: () =>
          new LazyRenderer(async () => {
            const view = new (
              await import('./ocean-asset-view')
            ).OceanAssetView(
              client,
              {
                kind: 'renderer',
                label: trans.__('Ocean asset card in a notebook')
              },
              wallet,
              trans,
              recorder
            );
            view.runJob = runJob(app);
            return view;
          })
      },
      40
    );
  }
};
