/**
 * Provides IOceanClient for the active network. The wallet is optional:
 * discovery works without one, getting access asks for it. The client's
 * code loads on its first call (lazy-client.ts).
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ITranslator } from '@jupyterlab/translation';
import { useErrorTranslator } from '../errors';
import { INetworkRegistry, IOceanClient, IWallet } from '../tokens';
import { LazyOceanClient } from './lazy-client';

export const oceanClientPlugin: JupyterFrontEndPlugin<IOceanClient> = {
  id: 'jupyterlab-ocean:ocean-client',
  description:
    'Discovers assets on the active Ocean Node and gets access to them through the wallet.',
  autoStart: true,
  provides: IOceanClient,
  requires: [INetworkRegistry],
  optional: [IWallet, ITranslator],
  activate: (
    _app: JupyterFrontEnd,
    networks: INetworkRegistry,
    wallet: IWallet | null,
    translator: ITranslator | null
  ): IOceanClient => {
    // The client has no view: its error sentences are worded in the lab's
    // language through the ground floor's errorWords.
    if (translator) {
      useErrorTranslator(translator.load('jupyterlab_ocean'));
    }
    return new LazyOceanClient({
      networks,
      wallet,
      store: typeof localStorage !== 'undefined' ? localStorage : null
    });
  }
};
