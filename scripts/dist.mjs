// `npm run dist`: the two things we publish, built from the current sources
// into dist/: the npm package (for source extensions and other extensions
// that import our tokens) and the Python wheel that installs the prebuilt
// extension into any JupyterLab 4 or Notebook 7 (`pip install
// jupyterlab_ocean-*.whl`).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { root } from './lib/services.mjs';
import { VENV_PYTHON } from './lib/venv.mjs';

function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    ...options
  });
  if (result.status !== 0)
    throw new Error(
      `DIST_STEP_FAILED: \`${command} ${args.join(' ')}\` exited with ${result.status}`
    );
}

/** Builds both packages into `out` (dist/ by default) and returns their paths. */
export function dist({ out = join(root, 'dist') } = {}) {
  if (!existsSync(VENV_PYTHON))
    throw new Error(
      `DIST_NO_VENV: ${VENV_PYTHON} is missing; run \`npm run setup\` first (it makes the venv the wheel is built with).`
    );
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  run('npm', ['run', '--silent', 'build']);
  run('npm', ['pack', '--silent', '--pack-destination', out]);
  // The template's way: pypa/build with the project venv's hatchling and
  // hatch-jupyter-builder, no isolation (nothing is downloaded). The builder
  // hook sees the labextension just built and does not build it again.
  run(VENV_PYTHON, [
    '-m',
    'build',
    '--wheel',
    '--no-isolation',
    '--outdir',
    out,
    '.'
  ]);
  const files = readdirSync(out);
  const wheel = files.find(name => name.endsWith('.whl'));
  const tarball = files.find(name => name.endsWith('.tgz'));
  if (!wheel || !tarball)
    throw new Error(
      `DIST_MISSING: expected a .whl and a .tgz in ${out}, found ${files}`
    );
  return { wheel: join(out, wheel), tarball: join(out, tarball) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { wheel, tarball } = dist();
  console.log(`dist: ${wheel}\ndist: ${tarball}`);
}
