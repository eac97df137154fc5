// Builds the prebuilt (federated) labextension with JupyterLab's own
// extension builder. The builder wants a "core path": a folder whose
// package.json is JupyterLab's core metadata. We take it from the
// @jupyterlab/core-meta package rather than from an installed JupyterLab,
// which is what lets us build without the Python jupyterlab package.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const development = process.argv.includes('--development');
const corePath = path.join(root, 'build', 'core-meta');
fs.mkdirSync(corePath, { recursive: true });
const core = JSON.parse(
  fs.readFileSync(
    path.join(
      root,
      'node_modules',
      '@jupyterlab',
      'core-meta',
      'core.package.json'
    ),
    'utf8'
  )
);
// The builder takes each shared package's requiredVersion from the core
// metadata (4.6.4 here, i.e. "^4.6.4"). Widening JupyterLab's own packages
// to their major ("^4.0.0") is what lets the output load in any JupyterLab 4.
const widen = versions => {
  for (const [name, range] of Object.entries(versions ?? {})) {
    const major = /(\d+)\./.exec(range);
    if (major && /^@(jupyterlab|lumino|jupyter)\//.test(name)) {
      versions[name] = `^${major[1]}.0.0`;
    }
  }
};
widen(core.dependencies);
widen(core.resolutions);
fs.writeFileSync(
  path.join(corePath, 'package.json'),
  JSON.stringify(core, null, 2)
);
const started = Date.now();
execFileSync(
  process.execPath,
  [
    path.join(
      root,
      'node_modules',
      '@jupyterlab',
      'builder',
      'lib',
      'build-labextension.js'
    ),
    '--core-path',
    corePath,
    ...(development ? ['--development'] : []),
    root
  ],
  { stdio: 'inherit', cwd: root }
);

// onnxruntime-web for GAN cells (src/gan/runtime.ts): the extension serves
// the runtime itself (no CDN) and imports it by URL only when a GAN cell
// renders, so it is copied beside the bundle instead of being bundled.
// The wasm build serves every browser; the WebGPU build is fetched only
// where a real GPU adapter exists.
const ORT_FILES = [
  'ort.wasm.min.mjs',
  'ort-wasm-simd-threaded.mjs',
  'ort-wasm-simd-threaded.wasm',
  'ort.webgpu.min.mjs',
  'ort-wasm-simd-threaded.asyncify.mjs',
  'ort-wasm-simd-threaded.asyncify.wasm'
];
const ortSource = path.join(root, 'node_modules', 'onnxruntime-web', 'dist');
const ortTarget = path.join(
  root,
  JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
    .jupyterlab.outputDir,
  'static',
  'ort'
);
fs.mkdirSync(ortTarget, { recursive: true });
for (const file of ORT_FILES) {
  fs.copyFileSync(path.join(ortSource, file), path.join(ortTarget, file));
}
console.log(
  `labextension built in ${((Date.now() - started) / 1000).toFixed(1)} s`
);
