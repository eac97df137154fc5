/**
 * The Ocean client: networks, their status, and (as it grows) discovery,
 * access and publishing. Heavy libraries (@oceanprotocol/lib) are loaded
 * lazily from here and nowhere else.
 */
import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { INetworkRegistry } from '../tokens';
import type { INetworkSetting } from './networks';
import { NetworkRegistry } from './networks';
import { withPresets } from './network-presets';

export { OceanError } from '../errors';
export type { OceanErrorCode } from '../errors';
export {
  LOCAL_NETWORK,
  NetworkRegistry,
  parseNetwork,
  resolveNetworks
} from './networks';
export { probeNetwork } from './network-status';
export type { INetworkStatus } from './network-status';

const NETWORKS_PLUGIN_ID = 'jupyterlab-ocean:networks';

/**
 * Provides INetworkRegistry, fed from the `networks` settings. The registry
 * works without settings too (the local stack only), so a broken settings
 * file never takes the extension down.
 */
export const networksPlugin: JupyterFrontEndPlugin<INetworkRegistry> = {
  id: NETWORKS_PLUGIN_ID,
  description: 'The networks and Ocean Nodes the extension works with.',
  autoStart: true,
  provides: INetworkRegistry,
  optional: [ISettingRegistry],
  activate: (
    _app: JupyterFrontEnd,
    settingRegistry: ISettingRegistry | null
  ): INetworkRegistry => {
    const registry = new NetworkRegistry();
    if (settingRegistry) {
      void settingRegistry
        .load(NETWORKS_PLUGIN_ID)
        .then(settings => {
          const apply = () => {
            try {
              registry.update(
                withPresets(
                  (settings.composite.networks ??
                    []) as unknown as INetworkSetting[],
                  settings.composite.presets !== false
                ),
                (settings.composite.activeNetwork as string) ?? 'local'
              );
            } catch (error) {
              console.warn(
                'jupyterlab-ocean: ignoring the networks setting:',
                error
              );
            }
          };
          registry.onActivate = key => settings.set('activeNetwork', key);
          settings.changed.connect(apply);
          apply();
        })
        .catch(error => {
          console.warn(
            'jupyterlab-ocean: could not load network settings:',
            error
          );
        });
    }
    return registry;
  }
};
