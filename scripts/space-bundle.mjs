// `npm run space:bundle [-- DIR]`: assembles the Hugging Face Space
// repository (default build/space/): spaces/* (Dockerfile, README with the
// Space's front matter, install.sh, start.sh), the wheel from `npm run dist`
// under dist/, and the sample notebooks under examples/. Push that folder to
// the Space; see spaces/README.md.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dist } from './dist.mjs';
import { root } from './lib/services.mjs';

/** The wheel in dist/, built first when there is none. */
export function findOrBuildWheel() {
  const folder = join(root, 'dist');
  const wheels = existsSync(folder)
    ? readdirSync(folder).filter(name =>
        /^jupyterlab_ocean-.*\.whl$/.test(name)
      )
    : [];
  if (wheels.length === 1) return join(folder, wheels[0]);
  return dist().wheel;
}

/** Writes the Space repository into `outDir` (replacing it) and returns it. */
export function bundleSpace(outDir, wheel = findOrBuildWheel()) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'dist'), { recursive: true });
  cpSync(join(root, 'spaces'), outDir, { recursive: true });
  cpSync(wheel, join(outDir, 'dist', wheel.split('/').pop()));
  cpSync(join(root, 'examples'), join(outDir, 'examples'), {
    recursive: true
  });
  return outDir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = resolve(process.argv[2] ?? join(root, 'build', 'space'));
  bundleSpace(out);
  console.log(`space: ${out}`);
}
