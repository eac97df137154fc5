// `npm run dist`: the two things we publish, built from the current sources
// into dist/: the npm package (for source extensions and other extensions
// that import our tokens) and the Python wheel that installs the prebuilt
// extension into any JupyterLab 4 (`pip install jupyterlab_ocean-*.whl`).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { root, SYSTEM_PYTHON } from './lib/services.mjs';

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

/** Builds both packages and returns their paths. */
export function dist() {
  const out = join(root, 'dist');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  run('npm', ['run', '--silent', 'build']);
  run('npm', ['pack', '--silent', '--pack-destination', out]);
  // Debian's setuptools and wheel, no build isolation: PyPI is not needed.
  run(SYSTEM_PYTHON, [
    '-m',
    'pip',
    'wheel',
    join(root, 'python'),
    '--no-deps',
    '--no-build-isolation',
    '--no-index',
    '--quiet',
    '-w',
    out
  ]);
  rmSync(join(root, 'python', 'build'), { recursive: true, force: true });
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
