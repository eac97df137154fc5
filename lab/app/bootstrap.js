// Entry point of the lab host's frontend bundle.
//
// It must run before anything else is imported: it points the bundler at the
// server's static URL, then loads every prebuilt (federated) extension the
// server lists in the page config, and lets each one join the shared module
// scope. Only then is the application imported, so that a package shared by
// the core and an extension (react, @lumino/widgets, @jupyterlab/services ...)
// resolves to a single instance, exactly as in a pip-installed JupyterLab.

function readPageConfig() {
  const element = document.getElementById('jupyter-config-data');
  return element ? JSON.parse(element.textContent || '{}') : {};
}

const pageConfig = readPageConfig();

// eslint-disable-next-line no-undef
__webpack_public_path__ = (pageConfig.fullStaticUrl || '') + '/';

function injectScript(url) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.async = true;
    script.onload = resolve;
    script.onerror = () =>
      reject(new Error(`LAB_EXTENSION_LOAD: could not load ${url}`));
    script.src = url;
    document.head.appendChild(script);
  });
}

async function joinSharedScope(extension) {
  const base = pageConfig.fullLabextensionsUrl;
  await injectScript(`${base}/${extension.name}/${extension.load}`);
  // The extension's container registers itself on window._JUPYTERLAB[name].
  // eslint-disable-next-line no-undef
  await __webpack_init_sharing__('default');
  const container = window._JUPYTERLAB[extension.name];
  // eslint-disable-next-line no-undef
  await container.init(__webpack_share_scopes__.default);
}

(async () => {
  const federated = pageConfig.federated_extensions || [];
  const results = await Promise.allSettled(federated.map(joinSharedScope));
  for (const result of results) {
    if (result.status === 'rejected') {
      console.error(result.reason);
    }
  }
  const { main } = await import('./index.js');
  if (document.readyState === 'complete') {
    void main();
  } else {
    window.addEventListener('load', () => void main());
  }
})();
