// Starts JupyterLab from the core extensions bundled into this app plus the
// prebuilt (federated) extensions the server lists in the page config.
// build.mjs generates index.js, which calls startLab() with one loader per
// core package, taken from core-meta's `jupyterlab.extensions` and
// `jupyterlab.mimeExtensions`.

import { PageConfig } from '@jupyterlab/coreutils';
import { PluginRegistry } from '@lumino/coreutils';

async function loadFederatedModule(scope, module) {
  const factory = await window._JUPYTERLAB[scope].get(module);
  const loaded = factory();
  loaded.__scope__ = scope;
  return loaded;
}

export async function startLab({ extensions, mimeExtensions }) {
  const federated = JSON.parse(
    PageConfig.getOption('federated_extensions') || '[]'
  );
  // A federated extension with the same name as a core one replaces it,
  // as in JupyterLab.
  const federatedNames = new Set();
  const federatedPlugins = [];
  const federatedMimePlugins = [];
  const federatedStyles = [];
  for (const data of federated) {
    if (data.extension) {
      federatedNames.add(data.name);
      federatedPlugins.push(loadFederatedModule(data.name, data.extension));
    }
    if (data.mimeExtension) {
      federatedNames.add(data.name);
      federatedMimePlugins.push(
        loadFederatedModule(data.name, data.mimeExtension)
      );
    }
    if (data.style && !PageConfig.Extension.isDisabled(data.name)) {
      federatedStyles.push(loadFederatedModule(data.name, data.style));
    }
  }

  const disabled = [];
  const deferred = [];
  const ignorePlugins = [];
  const availablePlugins = [];

  // Every plugin is listed (the plugin manager shows them); disabled ones are
  // not registered, deferred ones are registered but not started.
  function* activePlugins(module) {
    const exported = Object.prototype.hasOwnProperty.call(module, '__esModule')
      ? module.default
      : module;
    const plugins = Array.isArray(exported) ? exported : [exported];
    for (const plugin of plugins) {
      const isDisabled = PageConfig.Extension.isDisabled(plugin.id);
      availablePlugins.push({
        id: plugin.id,
        description: plugin.description,
        requires: plugin.requires ?? [],
        optional: plugin.optional ?? [],
        provides: plugin.provides ?? null,
        autoStart: plugin.autoStart,
        enabled: !isDisabled,
        extension: module.__scope__
      });
      if (isDisabled) {
        disabled.push(plugin.id);
        continue;
      }
      if (PageConfig.Extension.isDeferred(plugin.id)) {
        deferred.push(plugin.id);
        ignorePlugins.push(plugin.id);
      }
      yield plugin;
    }
  }

  async function collect(coreLoaders, federatedPromises) {
    const plugins = [];
    for (const { name, load } of coreLoaders) {
      if (federatedNames.has(name)) {
        continue;
      }
      try {
        const module = await load();
        module.__scope__ = name;
        plugins.push(...activePlugins(module));
      } catch (error) {
        console.error(error);
      }
    }
    for (const result of await Promise.allSettled(federatedPromises)) {
      if (result.status === 'fulfilled') {
        plugins.push(...activePlugins(result.value));
      } else {
        console.error(result.reason);
      }
    }
    return plugins;
  }

  const mimePlugins = await collect(mimeExtensions, federatedMimePlugins);
  const plugins = await collect(extensions, federatedPlugins);
  for (const result of await Promise.allSettled(federatedStyles)) {
    if (result.status === 'rejected') {
      console.error(result.reason);
    }
  }

  const pluginRegistry = new PluginRegistry();
  pluginRegistry.registerPlugins(plugins);

  const { JupyterLab } = await import('@jupyterlab/application');
  const { IConnectionStatus, IServiceManager } =
    await import('@jupyterlab/services');
  // Plugins may provide these; otherwise JupyterLab builds its defaults.
  const connectionStatus =
    await pluginRegistry.resolveOptionalService(IConnectionStatus);
  const serviceManager =
    await pluginRegistry.resolveOptionalService(IServiceManager);

  const lab = new JupyterLab({
    pluginRegistry,
    serviceManager,
    connectionStatus,
    mimeExtensions: mimePlugins,
    disabled: {
      matches: disabled,
      patterns: PageConfig.Extension.disabled.map(pattern => pattern.raw)
    },
    deferred: {
      matches: deferred,
      patterns: PageConfig.Extension.deferred.map(pattern => pattern.raw)
    },
    availablePlugins
  });
  await lab.start({ ignorePlugins, bubblingKeydown: true });

  const exposeApp =
    (PageConfig.getOption('exposeAppInBrowser') || '').toLowerCase() === 'true';
  if (exposeApp) {
    window.jupyterapp = lab;
  }
}
