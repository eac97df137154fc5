// The project's Python: one venv at .venv/, made by `npm run setup` from the
// pinned lock file requirements/project.txt. Everything Python the project
// runs (JupyterLab, Notebook, the kernels, the wheel build) runs from here,
// never from the machine's own Python packages.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..'
);
export const VENV = path.join(root, '.venv');
export const LOCK_FILE = path.join(root, 'requirements', 'project.txt');
/** The benchmarks' own venv (onnxruntime for bench:gan), apart from the project's. */
export const BENCH_VENV = path.join(root, '.venv-bench');
export const BENCH_LOCK_FILE = path.join(root, 'requirements', 'bench.txt');
/**
 * bench:gan's torch baseline, a venv of its own: PyPI's torch is the CUDA
 * build, gigabytes, so only `npm run bench:gan` makes it (requirements/bench-torch.in).
 */
export const BENCH_TORCH_VENV = path.join(root, '.venv-bench-torch');
export const BENCH_TORCH_LOCK_FILE = path.join(
  root,
  'requirements',
  'bench-torch.txt'
);
/** Bumped when the way a venv is made changes (see ensureVenv). */
const RECIPE = 2;

/** A command of the project venv, e.g. venvBin('jupyter'). */
export function venvBin(name, venv = VENV) {
  return path.join(venv, 'bin', name);
}
export const VENV_PYTHON = venvBin('python');

/**
 * The Python a venv is made from: $JLO_PYTHON, else the first python3 on
 * PATH. Only its interpreter and standard library are used (no system site
 * packages), so whichever Python it is, what the venv holds is the lock.
 */
export function basePython() {
  if (process.env.JLO_PYTHON) return process.env.JLO_PYTHON;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'python3');
    // A venv's own python3 on PATH would make a venv of a venv.
    if (dir.startsWith(VENV)) continue;
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(
    'PYTHON_MISSING: set-up needs Python 3.10 or newer as `python3` on PATH (or JLO_PYTHON).'
  );
}

function sha256(file) {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function pythonVersion(python) {
  const probe = spawnSync(
    python,
    ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'],
    { encoding: 'utf8' }
  );
  if (probe.status !== 0) {
    throw new Error(`PYTHON_BROKEN: ${python} does not run: ${probe.stderr}`);
  }
  return probe.stdout.trim();
}

/** Runs a set-up command in the repository; throws on a non-zero exit. */
export function run(command, args, options = {}) {
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

/**
 * Makes `venv` from `lockFile` unless it already holds exactly that lock
 * (same file hash, same base Python). A changed lock rebuilds it from
 * nothing, so a package dropped from the lock is gone from the venv too.
 * Returns true when it installed something.
 */
export function ensureVenv({
  venv = VENV,
  lockFile = LOCK_FILE,
  python = basePython()
} = {}) {
  const stampFile = path.join(venv, '.installed-from');
  const version = pythonVersion(python);
  const [major, minor] = version.split('.').map(Number);
  if (major !== 3 || minor < 10) {
    throw new Error(
      `PYTHON_TOO_OLD: ${python} is Python ${version}; set-up needs 3.10 or newer (set JLO_PYTHON).`
    );
  }
  // RECIPE changes when the way a venv is made changes, so old ones rebuild.
  const stamp = `${sha256(lockFile)} python ${version} recipe ${RECIPE}\n`;
  if (
    fs.existsSync(stampFile) &&
    fs.readFileSync(stampFile, 'utf8') === stamp
  ) {
    return false;
  }
  fs.rmSync(venv, { recursive: true, force: true });
  run(python, ['-m', 'venv', venv]);
  const pip = [
    '-m',
    'pip',
    '--disable-pip-version-check',
    '--no-input',
    'install',
    '--quiet'
  ];
  // --require-hashes: every file pip fetches must match the lock's hashes;
  // --no-deps: the lock already names every package, so nothing unlisted
  // can slip in through a dependency.
  run(venvBin('python', venv), [
    ...pip,
    '--require-hashes',
    '--no-deps',
    '-r',
    lockFile
  ]);
  // venv seeds setuptools beside pip (Python < 3.12); unless the lock pins
  // it, it is a package nobody chose, so it goes.
  if (!/^setuptools==/m.test(fs.readFileSync(lockFile, 'utf8'))) {
    run(venvBin('python', venv), [
      '-m',
      'pip',
      '--disable-pip-version-check',
      'uninstall',
      '--quiet',
      '--yes',
      'setuptools'
    ]);
  }
  run(venvBin('python', venv), ['-m', 'pip', 'check']);
  fs.writeFileSync(stampFile, stamp);
  return true;
}

/** The folder of the venv's `jupyterlab` package (its staging/ is the builder's core). */
export function jupyterlabPackageDir(venv = VENV) {
  const probe = spawnSync(
    venvBin('python', venv),
    [
      '-c',
      'import jupyterlab, os; print(os.path.dirname(jupyterlab.__file__))'
    ],
    { encoding: 'utf8' }
  );
  if (probe.status !== 0) {
    throw new Error(
      `VENV_NOT_READY: ${venv} has no jupyterlab; run \`npm run setup\`. ${probe.stderr}`
    );
  }
  return probe.stdout.trim();
}
