/**
 * The publishing plugins: the Publish sidebar tab (publish, my assets, compute), "Publish to
 * Ocean…" in the file browser's context menu, and the compute job view for output cells
 * (application/vnd.ocean.compute+json, shown by `%ocean compute <did>`).
 * The tab's content loads when it is first shown or a command needs it,
 * the job view's code when the first one renders.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ILayoutRestorer } from '@jupyterlab/application';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { LabIcon } from '@jupyterlab/ui-components';
import { LazyPanel, LazyRenderer } from '../../lazy';
import {
  INetworkRegistry,
  IWallet,
  OCEAN_COMPUTE_MIME_TYPE
} from '../../tokens';
import type { OceanPublishPanel } from './publish-panel';

export const publishIcon = new LabIcon({
  name: 'jupyterlab-ocean:publish',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24"><g class="jp-icon3" fill="#616161"><path d="M11 16V7.8l-3.3 3.3-1.4-1.4L12 4l5.7 5.7-1.4 1.4L13 7.8V16h-2z"/><path d="M4 15h2v3c0 .6 2.5 1 6 1s6-.4 6-1v-3h2v3c0 2-4 3-8 3s-8-1-8-3v-3z"/></g></svg>'
});

export namespace PublishCommandIDs {
  export const open = 'ocean:publish';
  export const publishFile = 'ocean:publish-file';
  export const compute = 'ocean:compute';
  export const manage = 'ocean:my-assets';
}

export const publishPanelPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-ocean:publish-panel',
  description:
    'Publish files as Ocean assets, manage what you published, run compute-to-data jobs.',
  autoStart: true,
  requires: [INetworkRegistry],
  optional: [
    IWallet,
    ILayoutRestorer,
    IDefaultFileBrowser,
    IRenderMimeRegistry,
    ITranslator,
    INotebookTracker
  ],
  activate: (
    app: JupyterFrontEnd,
    networks: INetworkRegistry,
    wallet: IWallet | null,
    restorer: ILayoutRestorer | null,
    browser: IDefaultFileBrowser | null,
    rendermime: IRenderMimeRegistry | null,
    translator: ITranslator | null,
    notebooks: INotebookTracker | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_ocean');
    const contents = app.serviceManager.contents;
    // "Load in notebook" in My purchases: a new cell, below the active one of
    // the current notebook, that loads the asset (not run: the person runs it).
    const loadInNotebook = async (did: string): Promise<string | null> => {
      const current = notebooks?.currentWidget;
      // The DID becomes code: nothing but did:op: and 64 hex digits.
      if (!current || !/^did:op:[0-9a-f]{64}$/i.test(did)) return null;
      const { NotebookActions } = await import('@jupyterlab/notebook');
      const kernel = current.sessionContext.session?.kernel?.name ?? '';
      NotebookActions.insertBelow(current.content);
      current.content.activeCell?.model.sharedModel.setSource(
        /deno/i.test(kernel)
          ? `const data = await ocean.load('${did}');\ndata`
          : `df = %ocean load ${did}\ndf`
      );
      app.shell.activateById(current.id);
      return current.context.path;
    };
    const panel = new LazyPanel<OceanPublishPanel>({
      id: 'jupyterlab-ocean-publish',
      caption: trans.__('Ocean: publish, manage, compute'),
      create: async () =>
        new (await import('./publish-panel')).OceanPublishPanel(
          networks,
          wallet,
          contents,
          trans,
          loadInNotebook
        )
    });
    panel.title.icon = publishIcon;
    app.shell.add(panel, 'left', { rank: 660 });
    restorer?.add(panel, panel.id);

    app.commands.addCommand(PublishCommandIDs.open, {
      label: trans.__('Publish to Ocean'),
      caption: trans.__('Open the Ocean Publish tab'),
      icon: publishIcon,
      execute: async () => {
        app.shell.activateById(panel.id);
        (await panel.content()).showTab('publish');
      }
    });
    app.commands.addCommand(PublishCommandIDs.manage, {
      label: trans.__('My Ocean Assets'),
      caption: trans.__('What you published: sales, revenue, price and state'),
      execute: async () => {
        app.shell.activateById(panel.id);
        (await panel.content()).showTab('manage');
      }
    });
    app.commands.addCommand(PublishCommandIDs.publishFile, {
      label: trans.__('Publish to Ocean…'),
      caption: trans.__('Publish this file as an Ocean dataset or algorithm'),
      icon: publishIcon,
      isVisible: () => {
        const item = browser?.selectedItems().next();
        return !item || item.done || item.value.type !== 'directory';
      },
      execute: async args => {
        let path = typeof args.path === 'string' ? args.path : '';
        if (!path && browser) {
          const item = browser.selectedItems().next();
          if (!item.done && item.value.type !== 'directory')
            path = item.value.path;
        }
        app.shell.activateById(panel.id);
        (await panel.content()).publishFile(path);
      }
    });
    app.commands.addCommand(PublishCommandIDs.compute, {
      label: trans.__('Run a Compute-to-Data Job'),
      caption: trans.__(
        'Run an allowed algorithm on a compute-only Ocean dataset'
      ),
      execute: async args => {
        app.shell.activateById(panel.id);
        await (
          await panel.content()
        ).computeOn(typeof args.did === 'string' ? args.did : '');
      }
    });
    app.contextMenu.addItem({
      command: PublishCommandIDs.publishFile,
      selector: '.jp-DirListing-item[data-isdir="false"]',
      rank: 12
    });

    rendermime?.addFactory(
      {
        // Safe: the view shows DDO text as text and runs no output code.
        safe: true,
        mimeTypes: [OCEAN_COMPUTE_MIME_TYPE],
        defaultRank: 40,
        createRenderer: () =>
          new LazyRenderer(
            async () =>
              new (await import('./compute-view')).OceanComputeView(
                networks,
                wallet,
                contents,
                {
                  kind: 'renderer',
                  label: trans.__('Compute job view in a notebook')
                },
                () => (app.shell.currentWidget as any)?.context?.path,
                trans
              )
          )
      },
      40
    );
  }
};
