// Starting and stopping the project's long-running services: the local Ocean
// stack and the lab host. `npm start`, the UI test fixtures and the packaging
// test all go through here, so every one of them starts things the same way
// and never leaves a process behind.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SYSTEM_PYTHON = '/usr/bin/python3';

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
  join(root, 'python', 'jupyterlab_ocean', 'labextension');

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
 * Spawns a child that announces readiness with a line on stdout.
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
  child.stderr.on('data', chunk => {
    log += chunk;
    if (echo) process.stderr.write(chunk.toString().replace(/^/gm, `[${name}] `));
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
 * `fresh` discards it.
 * Resolves with the stack's `stack.json` contents and a `stop()`.
 */
export async function startStack({
  stateDir,
  ports = { chain: 0, node: 0, faucet: 0, files: 0 },
  echo = false,
  samples = true,
  fresh = false
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
 * Starts the lab host (lab/server.py) and resolves once it prints its URL.
 */
export async function startLab({
  port,
  rootDir,
  stateDir,
  token,
  extensions = [LABEXTENSION_DIR],
  extraLabextensionsDirs = [],
  settings = {},
  env = {},
  echo = false
}) {
  port = port ?? (await freePort());
  mkdirSync(rootDir, { recursive: true });
  mkdirSync(stateDir, { recursive: true });
  const args = [
    join(root, 'lab', 'server.py'),
    '--port',
    String(port),
    '--root-dir',
    rootDir,
    '--state-dir',
    stateDir,
    '--token',
    token
  ];
  for (const extension of extensions) args.push('--extension', extension);
  for (const dir of extraLabextensionsDirs)
    args.push('--extra-labextensions-dir', dir);
  if (Object.keys(settings).length) {
    const file = join(stateDir, 'settings-overrides.json');
    writeFileSync(file, JSON.stringify(settings, null, 2));
    args.push('--settings-overrides', file);
  }
  const lab = startProcess(SYSTEM_PYTHON, args, {
    name: 'lab',
    // Kernels import the kernel helpers from the source tree, as a pip
    // install would provide them from site-packages.
    env: {
      PYTHONPATH: [join(root, 'python'), process.env.PYTHONPATH]
        .filter(Boolean)
        .join(':'),
      ...env
    },
    ready: line => line.startsWith('JupyterLab: '),
    timeoutMs: 90_000,
    echo
  });
  const line = await lab.readyLine;
  const url = line.slice('JupyterLab: '.length).trim();
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
