// `npm run space:bundle [-- DIR]`: assembles the Hugging Face Space
// repository (default build/space/) with the same layout as this repository,
// so the root Dockerfile builds in either: Dockerfile and .dockerignore,
// spaces/install.sh and start.sh, requirements/space.txt, the wheel from
// `npm run dist` under dist/, and the sample notebooks under examples/.
// Its README.md is the Space card: the front matter of our README.md (what
// Hugging Face reads: sdk, app_port, …) over the Space guide in
// spaces/README.md. Push that folder to the Space; see spaces/README.md.
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dist } from './dist.mjs';
import { root } from './lib/services.mjs';

/** What the Dockerfile copies, relative to the build context. */
export const SPACE_FILES = [
  'Dockerfile',
  '.dockerignore',
  'spaces/install.sh',
  'spaces/start.sh',
  'requirements/space.txt',
  'examples'
];

/** The YAML front matter block of a Markdown file, with its fences. */
export function frontMatterBlock(markdown) {
  return /^---\n[\s\S]*?\n---\n/.exec(markdown)?.[0] ?? null;
}

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
  const front = frontMatterBlock(readFileSync(join(root, 'README.md'), 'utf8'));
  if (!front)
    throw new Error(
      'SPACE_NO_FRONT_MATTER: README.md must start with the Space front matter (---, sdk: docker, app_port: 7860, ---).'
    );
  rmSync(outDir, { recursive: true, force: true });
  for (const file of SPACE_FILES)
    cpSync(join(root, file), join(outDir, file), { recursive: true });
  mkdirSync(join(outDir, 'dist'), { recursive: true });
  cpSync(wheel, join(outDir, 'dist', basename(wheel)));
  // Hugging Face refuses binary files outside LFS: the wheel goes through it.
  cpSync(
    join(root, 'spaces', '.gitattributes'),
    join(outDir, '.gitattributes')
  );
  writeFileSync(
    join(outDir, 'README.md'),
    front + '\n' + readFileSync(join(root, 'spaces', 'README.md'), 'utf8')
  );
  return outDir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = resolve(process.argv[2] ?? join(root, 'build', 'space'));
  bundleSpace(out);
  console.log(`space: ${out}`);
}
