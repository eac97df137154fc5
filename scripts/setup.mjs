// Every piece of set-up `npm start` and `npm test` need, done only when
// missing or stale, so a second run takes seconds. Usable on its own:
// `npm run setup`. Needs Debian (apt) for system packages and runs as root
// or with sudo; everything else comes from the npm registry.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..'
);

/** Debian packages the project runs on: the browser, and Jupyter's server and kernel. */
const APT_PACKAGES = [
  'chromium',
  'python3-jupyter-server',
  'python3-jupyterlab-server',
  'python3-ipykernel',
  'python3-pip',
  'python3-setuptools',
  'python3-wheel',
  'python3-venv'
];
/** What must import in Debian's Python for the lab host and the wheel build. */
const PYTHON_MODULES = [
  'jupyter_server',
  'jupyterlab_server',
  'ipykernel',
  'setuptools',
  'wheel',
  'pip'
];
export const SYSTEM_PYTHON = '/usr/bin/python3';

function step(title, fn) {
  const started = Date.now();
  const did = fn();
  if (did) {
    console.log(
      `setup: ${title} (${((Date.now() - started) / 1000).toFixed(1)} s)`
    );
  }
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    stdio: 'inherit',
    cwd: root,
    ...options
  });
  if (result.status !== 0) {
    throw new Error(
      `setup: \`${command} ${args.join(' ')}\` failed (exit ${result.status}).`
    );
  }
}

function systemReady() {
  if (!fs.existsSync('/usr/bin/chromium') || !fs.existsSync(SYSTEM_PYTHON)) {
    return false;
  }
  const probe = spawnSync(
    SYSTEM_PYTHON,
    ['-c', `import ${PYTHON_MODULES.join(', ')}`],
    {
      stdio: 'ignore'
    }
  );
  return probe.status === 0;
}

function ensureSystemPackages() {
  if (systemReady()) {
    return false;
  }
  const asRoot = process.getuid?.() === 0;
  const prefix = asRoot ? [] : ['sudo', '-n'];
  if (
    !asRoot &&
    spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status !== 0
  ) {
    throw new Error(
      `setup: Debian packages are missing and this user cannot install them. Run as root: apt-get install -y ${APT_PACKAGES.join(' ')}`
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const [cmd, ...rest] = [...prefix, 'apt-get'];
  run(cmd, [...rest, 'update', '-qq'], { env });
  run(
    cmd,
    [
      ...rest,
      'install',
      '-y',
      '-qq',
      '--no-install-recommends',
      ...APT_PACKAGES
    ],
    { env }
  );
  if (!systemReady()) {
    throw new Error(
      'setup: the Debian packages installed, but Python still cannot import Jupyter.'
    );
  }
  return true;
}

/**
 * `npm ci` in a folder whenever its lockfile changed since the last install
 * (npm writes node_modules/.package-lock.json on every install).
 */
export function ensureNodeModules(dir) {
  const lock = path.join(dir, 'package-lock.json');
  const installed = path.join(dir, 'node_modules', '.package-lock.json');
  if (
    fs.existsSync(installed) &&
    (!fs.existsSync(lock) ||
      fs.statSync(installed).mtimeMs >= fs.statSync(lock).mtimeMs)
  ) {
    return false;
  }
  run(
    'npm',
    [fs.existsSync(lock) ? 'ci' : 'install', '--no-audit', '--no-fund'],
    { cwd: dir }
  );
  return true;
}

function newestMtime(paths) {
  let newest = 0;
  for (const p of paths) {
    if (!fs.existsSync(p)) {
      continue;
    }
    const stat = fs.statSync(p);
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(p, { recursive: true })) {
        const full = path.join(p, String(entry));
        newest = Math.max(newest, fs.statSync(full).mtimeMs);
      }
    } else {
      newest = Math.max(newest, stat.mtimeMs);
    }
  }
  return newest;
}

function ensureExtensionBuilt() {
  const output = path.join(
    root,
    'python',
    'jupyterlab_ocean',
    'labextension',
    'package.json'
  );
  const sources = [
    'src',
    'style',
    'schema',
    'package.json',
    'tsconfig.json'
  ].map(p => path.join(root, p));
  if (
    fs.existsSync(output) &&
    fs.statSync(output).mtimeMs >= newestMtime(sources)
  ) {
    return false;
  }
  run('npm', ['run', 'build']);
  return true;
}

export function setup() {
  const started = Date.now();
  step('installed Debian packages', ensureSystemPackages);
  step('installed npm packages', () => ensureNodeModules(root));
  if (fs.existsSync(path.join(root, 'stack', 'package.json'))) {
    step('installed the Ocean stack packages', () =>
      ensureNodeModules(path.join(root, 'stack'))
    );
  }
  step('built the extension', ensureExtensionBuilt);
  if (fs.existsSync(path.join(root, 'lab', 'build.mjs'))) {
    run(process.execPath, [path.join(root, 'lab', 'build.mjs')]);
  }
  console.log(
    `setup: ready in ${((Date.now() - started) / 1000).toFixed(1)} s`
  );
}

if (
  process.argv[1] &&
  fileURLToPath(import.meta.url) === path.resolve(process.argv[1])
) {
  try {
    setup();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
