// Starting and stopping the project's long-running services: the local Ocean
// stack and the lab host. `npm start`, the UI test fixtures and the packaging
// test all go through here, so every one of them starts things the same way
// and never leaves a process behind.
import { spawn } from 'node:child_process';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { VENV, venvBin } from './venv.mjs';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * How every test, bench and check launches Debian's Chromium: headless, and
 * with nothing of its own reaching beyond the machine (no QUIC, no background
 * networking, updates or sync). No sandbox: CI runs as root.
 */
export const CHROMIUM_LAUNCH = Object.freeze({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: Object.freeze([
    '--no-sandbox',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync'
  ])
});
// JLO_LABEXTENSION_DIR lets a test run use a private copy of the build, so a
// concurrent rebuild of the shared output cannot pull it away mid-run.
export const LABEXTENSION_DIR =
  process.env.JLO_LABEXTENSION_DIR ??
  join(root, 'jupyterlab_ocean', 'labextension');

/** A port the kernel says is free on loopback right now. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Spawns a child that announces readiness with a line on stdout or stderr.
 *
 * The child gets its own process group so that stopping it also stops what
 * it started (kernels, the chain), even when it is wedged.
 */
export function startProcess(
  command,
  args,
  { name, cwd = root, env, ready, timeoutMs = 120_000, echo = false }
) {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true
  });
  let log = '';
  let pending = '';
  const lineListeners = [];
  const onData = chunk => {
    const text = chunk.toString();
    log += text;
    if (echo) process.stdout.write(text.replace(/^/gm, `[${name}] `));
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const line of lines) for (const listener of lineListeners) listener(line);
  };
  child.stdout.on('data', onData);
  // Readiness may be announced on either stream (jupyter_server logs to
  // stderr), so both are split into lines, each with its own remainder.
  let pendingErr = '';
  child.stderr.on('data', chunk => {
    const text = chunk.toString();
    log += text;
    if (echo) process.stderr.write(text.replace(/^/gm, `[${name}] `));
    pendingErr += text;
    const lines = pendingErr.split('\n');
    pendingErr = lines.pop();
    for (const line of lines) for (const listener of lineListeners) listener(line);
  });
  const exited = new Promise(resolveExit =>
    child.once('exit', (code, signal) => resolveExit({ code, signal }))
  );
  const readyLine = new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => {
      reject(
        new Error(
          `${name.toUpperCase()}_TIMEOUT: ${name} did not become ready in ${
            timeoutMs / 1000
          } s. Its output:\n${log}`
        )
      );
    }, timeoutMs);
    lineListeners.push(line => {
      if (ready(line)) {
        clearTimeout(timer);
        resolveReady(line);
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(
        new Error(
          `${name.toUpperCase()}_EXITED: ${name} stopped (${
            signal ?? `exit ${code}`
          }) before it was ready. Its output:\n${log}`
        )
      );
    });
  });
  // Nobody may be awaiting readiness when the child dies later on.
  readyLine.catch(() => {});

  let stopping = null;
  const stop = (graceMs = 10_000) => {
    if (stopping) return stopping;
    stopping = (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, graceMs);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };
  return { child, readyLine, exited, stop, log: () => log };
}

/**
 * Starts the local Ocean stack (chain, contracts, node, faucet, samples).
 * Ports default to free ones; pass the well-known ones for `npm start`.
 * A state directory from an earlier start is reused when still valid;
 * `fresh` discards it. `nodes: 2` adds a second Ocean Node on the same chain
 * (its port: `ports.node2`, else a free one when `ports.node` is 0).
 * Resolves with the stack's `stack.json` contents and a `stop()`.
 */
export async function startStack({
  stateDir,
  ports = { chain: 0, node: 0, faucet: 0, files: 0 },
  echo = false,
  samples = true,
  fresh = false,
  nodes = 1
}) {
  mkdirSync(stateDir, { recursive: true });
  const args = [
    '--import',
    'tsx',
    'src/main.ts',
    '--state-dir',
    stateDir,
    '--chain-port',
    String(ports.chain),
    '--node-port',
    String(ports.node),
    '--faucet-port',
    String(ports.faucet),
    '--files-port',
    String(ports.files)
  ];
  if (ports.node2 !== undefined)
    args.push('--node2-port', String(ports.node2));
  if (nodes !== 1) args.push('--nodes', String(nodes));
  if (!samples) args.push('--no-samples');
  if (fresh) args.push('--fresh');
  const stack = startProcess(process.execPath, args, {
    name: 'stack',
    cwd: join(root, 'stack'),
    ready: line => line.trim() === 'Ocean stack ready',
    timeoutMs: 180_000,
    echo
  });
  await stack.readyLine;
  const info = JSON.parse(readFileSync(join(stateDir, 'stack.json'), 'utf8'));
  return { info, stop: stack.stop, log: stack.log, exited: stack.exited };
}

/**
 * Settings that point the extension's `local` network at a running stack
 * (its ports differ from the defaults in tests).
 */
export function stackSettings(info) {
  return {
    'jupyterlab-ocean:networks': {
      activeNetwork: 'local',
      networks: [
        {
          key: 'local',
          name: 'Local Ocean network',
          chainId: info.chainId,
          rpcUrl: info.rpcUrl,
          nodeUrl: info.nodeUrl,
          faucetUrl: info.faucetUrl,
          nativeSymbol: 'ETH'
        }
      ]
    }
  };
}

/**
 * Settings a fresh lab starts with, so nothing blocks a person or a test on
 * first start: no rename dialog on the first save, no news or update toasts.
 */
const SETTINGS_OVERRIDES = {
  '@jupyterlab/docmanager-extension:plugin': {
    renameUntitledFileOnSave: false
  },
  '@jupyterlab/apputils-extension:notification': {
    fetchNews: 'false',
    checkForUpdates: false
  }
};

/**
 * Starts pip's JupyterLab (`jupyter lab`) or Notebook 7 (`jupyter notebook`)
 * from a venv (the project's .venv by default) on 127.0.0.1, and resolves
 * once it serves. Everything the server writes (config, data, runtime and
 * connection files, user settings, workspaces, IPython and Deno caches) goes
 * under `stateDir`, so a run never reads or writes $HOME and two runs never
 * see each other. Kernels and extensions are the venv's own (setup installs
 * our extension with `jupyter labextension develop`); `extensions` adds
 * built extension folders, `extraLabextensionsDirs` whole labextensions
 * folders, both searched before the venv's.
 *
 * `exposeApp` publishes the app as window.jupyterapp, as Galata does: for
 * tests only, since page scripts could then drive the whole lab.
 *
 * `omitExtensions` names prebuilt extensions this lab must not see at all,
 * as if they were not installed (bench:startup's lab without ours): the
 * lab then searches a folder of links to the venv's other extensions
 * instead of the venv's own. Disabling would not do: JupyterLab still
 * fetches a disabled extension's code, it only skips its plugins.
 */
export async function startLab({
  port,
  rootDir,
  stateDir,
  token,
  app = 'lab',
  venv = VENV,
  // The venv serves our build already; a private copy is linked over it.
  extensions = process.env.JLO_LABEXTENSION_DIR ? [LABEXTENSION_DIR] : [],
  extraLabextensionsDirs = [],
  settings = {},
  env = {},
  exposeApp = false,
  omitExtensions = [],
  echo = false
}) {
  port = port ?? (await freePort());
  mkdirSync(rootDir, { recursive: true });
  mkdirSync(stateDir, { recursive: true });
  const dirs = {
    config: join(stateDir, 'config'),
    data: join(stateDir, 'data'),
    runtime: join(stateDir, 'runtime'),
    ipython: join(stateDir, 'ipython'),
    appSettings: join(stateDir, 'app-settings'),
    labextensions: join(stateDir, 'labextensions')
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  linkExtensions(dirs.labextensions, extensions, omitExtensions);

  const overrides = structuredClone(SETTINGS_OVERRIDES);
  for (const [plugin, values] of Object.entries(settings)) {
    overrides[plugin] = { ...overrides[plugin], ...values };
  }
  writeFileSync(
    join(dirs.appSettings, 'overrides.json'),
    JSON.stringify(overrides, null, 2) + '\n'
  );
  const appSection = {
    app_settings_dir: dirs.appSettings,
    user_settings_dir: join(stateDir, 'user-settings'),
    workspaces_dir: join(stateDir, 'workspaces'),
    extra_labextensions_path: [
      dirs.labextensions,
      ...extraLabextensionsDirs.map(dir => resolve(dir))
    ],
    ...(omitExtensions.length > 0
      ? {
          labextensions_path: [
            join(dirs.data, 'labextensions'),
            linkVenvExtensionsExcept(
              join(stateDir, 'venv-labextensions'),
              venv,
              omitExtensions
            )
          ]
        }
      : {}),
    expose_app_in_browser: exposeApp,
    // A rebuilt extension (--development names are not hashed) must never
    // be served stale to a reused browser profile.
    cache_files: false
  };
  const config = {
    ServerApp: {
      ip: '127.0.0.1',
      port,
      port_retries: 0,
      root_dir: rootDir,
      open_browser: false,
      allow_root: true,
      allow_remote_access: false
    },
    IdentityProvider: { token },
    KernelSpecManager: {
      // Only the venv's two kernels, never one from the machine.
      allowed_kernelspecs: ['python3', 'deno']
    },
    // `jupyter notebook` also loads JupyterLab's server extension when it
    // is installed, and that one serves /lab/api/settings (which Notebook
    // 7's frontend reads): both need the same folders, or the settings
    // overrides and user settings silently come from the venv's defaults.
    LabApp: appSection,
    ...(app === 'notebook' ? { JupyterNotebookApp: appSection } : {})
  };
  writeFileSync(
    join(dirs.config, 'jupyter_server_config.json'),
    JSON.stringify(config, null, 2) + '\n'
  );
  const lab = startProcess(venvBin('jupyter', venv), [app], {
    name: app,
    env: {
      JUPYTER_CONFIG_DIR: dirs.config,
      JUPYTER_DATA_DIR: dirs.data,
      JUPYTER_RUNTIME_DIR: dirs.runtime,
      IPYTHONDIR: dirs.ipython,
      // The machine's own Jupyter folders (/usr/share/jupyter, ~/.jupyter)
      // stay out: only the venv and the state dir count.
      JUPYTER_PATH: '',
      JUPYTER_CONFIG_PATH: '',
      DENO_DIR: process.env.DENO_DIR ?? join(stateDir, 'deno'),
      // A venv's bin first, as `source .venv/bin/activate` would.
      PATH: [join(venv, 'bin'), process.env.PATH].join(':'),
      VIRTUAL_ENV: venv,
      ...env
    },
    // jupyter_server logs its URL (to stderr) once it listens.
    ready: line => line.includes(`http://127.0.0.1:${port}/`),
    timeoutMs: 90_000,
    echo
  });
  await lab.readyLine;
  await untilServing(`http://127.0.0.1:${port}/api/status`, token, lab);
  const path = app === 'notebook' ? 'tree' : 'lab';
  const url = `http://127.0.0.1:${port}/${path}?token=${token}`;
  return {
    url,
    baseUrl: `http://127.0.0.1:${port}/`,
    port,
    token,
    rootDir,
    stateDir,
    stop: lab.stop,
    log: lab.log,
    exited: lab.exited
  };
}

/**
 * Waits until the server answers its status route: the logged URL comes
 * from the server, but a test's first request must not race its start.
 */
async function untilServing(url, token, lab, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url, {
        headers: { Authorization: `token ${token}` }
      });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(
        `LAB_NOT_SERVING: ${url} did not answer in ${timeoutMs / 1000} s. The server's output:\n${lab.log()}`
      );
    }
    await new Promise(resolveWait => setTimeout(resolveWait, 200));
  }
}

/**
 * A folder of links to the venv's prebuilt extensions (share/jupyter/
 * labextensions), leaving out the `omit` package names; returns its path.
 */
function linkVenvExtensionsExcept(folder, venv, omit) {
  const source = join(venv, 'share', 'jupyter', 'labextensions');
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  for (const entry of readdirSync(source)) {
    const names = entry.startsWith('@')
      ? readdirSync(join(source, entry)).map(name => `${entry}/${name}`)
      : [entry];
    for (const name of names) {
      if (omit.includes(name)) continue;
      const link = join(folder, name);
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(join(source, name), link, 'dir');
    }
  }
  return folder;
}

/**
 * Links each built extension folder under its package name (scoped names in
 * an @scope folder), as `jupyter labextension develop` would.
 */
function linkExtensions(labextensionsDir, extensionDirs, omit = []) {
  for (const folder of extensionDirs) {
    const absolute = resolve(folder);
    const pkg = JSON.parse(readFileSync(join(absolute, 'package.json'), 'utf8'));
    if (omit.includes(pkg.name)) continue;
    if (!pkg.jupyterlab?._build) {
      throw new Error(
        `LAB_EXTENSION_NOT_BUILT: ${absolute}/package.json has no jupyterlab._build; build the extension first (npm run build).`
      );
    }
    const link = join(labextensionsDir, pkg.name);
    mkdirSync(dirname(link), { recursive: true });
    rmSync(link, { recursive: true, force: true });
    symlinkSync(absolute, link, 'dir');
  }
}
