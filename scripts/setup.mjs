// Every piece of set-up `npm start` and `npm test` need, done only when
// missing or stale, so a second run takes seconds. Usable on its own:
// `npm run setup`. Debian's apt is used for Chromium only (as root or with
// sudo); Node packages come from the npm registry and Python packages from
// PyPI, pinned, into the project venv .venv/ (scripts/lib/venv.mjs).
//
// `--for NAME` does what one command needs instead of everything; each
// `npm run bench:*` runs it first, so a benchmark runs on a fresh machine:
//   --for bench:stack   the npm packages (root and stack/)
//   --for bench:gan     Chromium, the npm packages, the onnxruntime-web files
//                       of the build, .venv-bench/ from requirements/bench.txt
//                       (onnxruntime) and .venv-bench-torch/ from
//                       requirements/bench-torch.txt (torch, gigabytes: made
//                       here only, never by the plain set-up that npm start and
//                       npm test run)
//   (none)              everything (bench:bridge and bench:preview need the lab)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BENCH_LOCK_FILE,
  BENCH_TORCH_LOCK_FILE,
  BENCH_TORCH_VENV,
  BENCH_VENV,
  ensureVenv,
  root,
  run,
  VENV,
  VENV_PYTHON,
  venvBin
} from './lib/venv.mjs';

export { root };

/** Debian packages the project runs on: the browser the UI tests drive. */
const APT_PACKAGES = ['chromium'];

function step(title, fn) {
  const started = Date.now();
  const did = fn();
  if (did) {
    console.log(
      `setup: ${title} (${((Date.now() - started) / 1000).toFixed(1)} s)`
    );
  }
}

function systemReady() {
  return fs.existsSync('/usr/bin/chromium');
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
      'setup: the Debian packages installed, but /usr/bin/chromium is still missing.'
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
    'jupyterlab_ocean',
    'labextension',
    'package.json'
  );
  const sources = [
    'src',
    'style',
    'schema',
    'package.json',
    'tsconfig.json',
    'webpack.config.js',
    'scripts/build-labextension.mjs'
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

/**
 * The onnxruntime-web files the build copies beside the bundle
 * (scripts/build-labextension.mjs), which bench:gan serves: built when
 * missing or older than node_modules' copy. The extension's own code does
 * not matter to that bench, so a stale bundle alone is not rebuilt here.
 */
function ensureOrtFilesBuilt() {
  const source = path.join(
    root,
    'node_modules',
    'onnxruntime-web',
    'dist',
    'ort.wasm.min.mjs'
  );
  const built = path.join(
    process.env.JLO_LABEXTENSION_DIR ??
      path.join(root, 'jupyterlab_ocean', 'labextension'),
    'static',
    'ort',
    'ort.wasm.min.mjs'
  );
  if (
    fs.existsSync(built) &&
    fs.statSync(built).mtimeMs >= fs.statSync(source).mtimeMs
  ) {
    return false;
  }
  run('npm', ['run', 'build']);
  return true;
}

/** .venv-bench/: the benchmarks' Python (onnxruntime for bench:gan), from requirements/bench.txt. */
export function ensureBenchVenv() {
  return ensureVenv({ venv: BENCH_VENV, lockFile: BENCH_LOCK_FILE });
}

/**
 * .venv-bench-torch/: torch for bench:gan's second kernel baseline, from
 * requirements/bench-torch.txt. PyPI's Linux torch is the CUDA build with
 * its nvidia wheels (gigabytes; the CPU-only index is out of reach), so it
 * has a venv of its own that only `--for bench:gan` makes.
 */
export function ensureBenchTorchVenv() {
  return ensureVenv({
    venv: BENCH_TORCH_VENV,
    lockFile: BENCH_TORCH_LOCK_FILE
  });
}

/** The deno binary the npm `deno` package installs (@deno/<platform>). */
export function denoBinary() {
  const scope = path.join(root, 'node_modules', '@deno');
  if (!fs.existsSync(scope)) return null;
  for (const platform of fs.readdirSync(scope).sort()) {
    for (const candidate of ['bin/deno', 'deno']) {
      const file = path.join(scope, platform, candidate);
      if (fs.existsSync(file)) return file;
    }
  }
  return null;
}

/**
 * The two kernels, installed into the venv (share/jupyter/kernels) where
 * the venv's JupyterLab and Notebook find them: Python from the venv
 * itself, and Deno from node_modules. Rewritten on every run (it is two
 * small files), so a moved checkout never points at an old path.
 */
function installKernelspecs() {
  const kernels = path.join(VENV, 'share', 'jupyter', 'kernels');
  const specs = {
    python3: {
      argv: [
        VENV_PYTHON,
        // ipykernel's debugger warns on every start without these two.
        '-Xfrozen_modules=off',
        '-m',
        'ipykernel_launcher',
        '-f',
        '{connection_file}'
      ],
      env: { PYDEVD_DISABLE_FILE_VALIDATION: '1' },
      display_name: 'Python 3 (ipykernel)',
      language: 'python',
      metadata: { debugger: true }
    }
  };
  const deno = denoBinary();
  if (deno) {
    specs.deno = {
      argv: [deno, 'jupyter', '--kernel', '--conn', '{connection_file}'],
      display_name: 'Deno',
      language: 'typescript'
    };
  } else {
    console.warn(
      'setup: no deno binary under node_modules/@deno, so no Deno kernel.'
    );
  }
  let changed = false;
  for (const [name, spec] of Object.entries(specs)) {
    const file = path.join(kernels, name, 'kernel.json');
    const text = JSON.stringify(spec, null, 2) + '\n';
    if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) continue;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    changed = true;
  }
  return changed;
}

/**
 * This checkout as an editable install into the venv, as the extension
 * template develops one: `pip install -e .` (kernels import
 * jupyterlab_ocean from the source tree) and `jupyter labextension develop`
 * (the venv's labextensions/jupyterlab-ocean links to our build output).
 */
function ensureEditableInstall() {
  const link = path.join(
    VENV,
    'share',
    'jupyter',
    'labextensions',
    'jupyterlab-ocean'
  );
  const probe = spawnSync(
    VENV_PYTHON,
    [
      '-c',
      'import jupyterlab_ocean, os; print(os.path.dirname(jupyterlab_ocean.__file__))'
    ],
    { encoding: 'utf8' }
  );
  const importedFrom = probe.status === 0 ? probe.stdout.trim() : null;
  // pip's editable install copies the build into share/ (shared-data);
  // only develop's link keeps the venv serving every later rebuild.
  const linked =
    fs.existsSync(link) &&
    fs.lstatSync(link).isSymbolicLink() &&
    fs.realpathSync(link) ===
      fs.realpathSync(path.join(root, 'jupyterlab_ocean', 'labextension'));
  if (importedFrom === path.join(root, 'jupyterlab_ocean') && linked) {
    return false;
  }
  run(
    VENV_PYTHON,
    [
      '-m',
      'pip',
      '--disable-pip-version-check',
      'install',
      '--quiet',
      '--no-deps',
      // hatchling and the builder hook are in the venv from the lock.
      '--no-build-isolation',
      '-e',
      root
    ],
    // The extension is already built (above); the hook would only rebuild it.
    { env: { ...process.env, SKIP_JUPYTER_BUILDER: '1' } }
  );
  // It runs the venv's `jupyter-builder` by name, so the venv's bin goes first.
  run(venvBin('jupyter'), ['labextension', 'develop', '--overwrite', root], {
    env: {
      ...process.env,
      PATH: `${path.join(VENV, 'bin')}:${process.env.PATH}`
    }
  });
  return true;
}

/** What `--for NAME` sets up: only what that command needs. */
const TARGETS = {
  'bench:stack': () => {
    // The stack's node runs with `--import tsx` from the repository root, so the root's packages too.
    step('installed npm packages', () => ensureNodeModules(root));
    step('installed the Ocean stack packages', () =>
      ensureNodeModules(path.join(root, 'stack'))
    );
  },
  'bench:gan': () => {
    step('installed Debian packages', ensureSystemPackages);
    step('installed npm packages', () => ensureNodeModules(root));
    step('built the extension (for its onnxruntime-web files)', () =>
      ensureOrtFilesBuilt()
    );
    step(
      'made the benchmark venv .venv-bench from requirements/bench.txt',
      ensureBenchVenv
    );
    step(
      'made the torch benchmark venv .venv-bench-torch from requirements/bench-torch.txt',
      ensureBenchTorchVenv
    );
  }
};

export function setup(target) {
  const started = Date.now();
  if (target) {
    if (!TARGETS[target]) {
      throw new Error(
        `setup: no set-up for "${target}"; known: ${Object.keys(TARGETS).join(', ')} (or none for everything).`
      );
    }
    TARGETS[target]();
    console.log(
      `setup: ready for ${target} in ${((Date.now() - started) / 1000).toFixed(1)} s`
    );
    return;
  }
  step('installed Debian packages', ensureSystemPackages);
  step('installed npm packages', () => ensureNodeModules(root));
  if (fs.existsSync(path.join(root, 'stack', 'package.json'))) {
    step('installed the Ocean stack packages', () =>
      ensureNodeModules(path.join(root, 'stack'))
    );
  }
  step('made the Python venv .venv from requirements/project.txt', () =>
    ensureVenv()
  );
  step('built the extension', ensureExtensionBuilt);
  step('installed this checkout into the venv', ensureEditableInstall);
  step('installed the Python and Deno kernels', installKernelspecs);
  console.log(
    `setup: ready in ${((Date.now() - started) / 1000).toFixed(1)} s`
  );
}

if (
  process.argv[1] &&
  fileURLToPath(import.meta.url) === path.resolve(process.argv[1])
) {
  const at = process.argv.indexOf('--for');
  try {
    setup(at === -1 ? undefined : process.argv[at + 1]);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
