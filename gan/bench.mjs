// `npm run bench:gan`: the shipped generator in headless Chromium with the
// onnxruntime-web files the extension serves (python/jupyterlab_ocean/
// labextension/static/ort, from `npm run build`), against the same model
// run by torch on the CPU in Python (gan/kernel_bench.py). Prints ms per
// image at batch 1/16/64, the cold time to a first image, the ratios, and
// last a JSON line. Timings only; nothing here passes or fails.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { tsImport } from 'tsx/esm/api';
import { CHROMIUM_LAUNCH } from '../scripts/lib/services.mjs';
import { MODEL_PATH, ORT_DIR, serveOrtPage } from './ort-page.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
// GAN_BENCH_MODEL: another export of the same weights, to compare (the
// kernel side always rebuilds torch from the shipped file).
const modelPath = path.resolve(process.env.GAN_BENCH_MODEL ?? MODEL_PATH);
const BATCHES = [1, 16, 64];
const ROUNDS = Number(process.env.GAN_BENCH_ROUNDS ?? 3);
// The renderer's own session options, so the bench measures what a cell runs.
const { GAN_SESSION_OPTIONS } = await tsImport(
  '../src/gan/session-options.ts',
  import.meta.url
);
const { latentForSeed } = await tsImport(
  '../src/gan/latent.ts',
  import.meta.url
);
const LATENTS = Array.from({ length: Math.max(...BATCHES) }, (_, seed) =>
  Array.from(latentForSeed(seed))
).flat();

for (const needed of [path.join(ORT_DIR, 'ort.wasm.min.mjs'), modelPath]) {
  if (!fs.existsSync(needed)) {
    console.error(
      `bench:gan: ${path.relative(root, needed)} is missing: run npm run build (and npm run train:gan).`
    );
    process.exit(1);
  }
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>GAN bench</title>
<script type="module">
const LATENT = 100;
window.bench = async (backend, options, latents) => {
  const t0 = performance.now();
  const ort = await import(backend === 'webgpu' ? '/ort/ort.webgpu.min.mjs' : '/ort/ort.wasm.min.mjs');
  ort.env.wasm.wasmPaths = location.origin + '/ort/';
  ort.env.wasm.numThreads = 1;
  const model = new Uint8Array(await (await fetch('/model.onnx')).arrayBuffer());
  const session = await ort.InferenceSession.create(model, { ...options, executionProviders: [backend] });
  const tensor = n => {
    // Seeds 0..n-1, computed in Node by the renderer's own latent code.
    return new ort.Tensor('float32', Float32Array.from(latents.slice(0, n * LATENT)), [n, LATENT]);
  };
  await session.run({ z: tensor(1) });
  const firstImageMs = performance.now() - t0;
  window.measure = async batches => {
    const perImage = {};
    for (const n of batches) {
      const input = tensor(n);
      for (let i = 0; i < 3; i++) await session.run({ z: input });
      const runs = [];
      for (let i = 0; i < (n < 64 ? 20 : 10); i++) {
        const s = performance.now();
        await session.run({ z: input });
        runs.push(performance.now() - s);
      }
      runs.sort((a, b) => a - b);
      perImage[n] = runs[runs.length >> 1] / n;
    }
    return perImage;
  };
  return firstImageMs;
};
window.gpuAdapter = async () => {
  if (!navigator.gpu) return null;
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) return null;
  return { fallback: adapter.isFallbackAdapter ?? adapter.info?.isFallbackAdapter ?? false, vendor: adapter.info?.vendor, architecture: adapter.info?.architecture };
};
</script>`;

/** One kernel-side round: ms per image by batch size, from gan/kernel_bench.py. */
function kernelRound() {
  const kernel = spawnSync(
    '/usr/bin/python3',
    [path.join(here, 'kernel_bench.py')],
    {
      encoding: 'utf8'
    }
  );
  if (kernel.status !== 0) {
    console.error(kernel.stderr);
    process.exit(1);
  }
  const result = JSON.parse(kernel.stdout.trim().split('\n').pop());
  kernelInfo = result;
  return result.ms_per_image;
}

const server = await serveOrtPage({ html: PAGE, modelPath });
const origin = server.origin;

const browser = await chromium.launch({
  ...CHROMIUM_LAUNCH,
  // Lets WebGPU report its adapter; the bench uses it only when it is real.
  args: [...CHROMIUM_LAUNCH.args, '--enable-unsafe-webgpu']
});
let firstImageMs;
let backend = 'wasm';
let adapter = null;
const browserRounds = [];
/** torch version and threads, from the last kernel round. */
let kernelInfo;
const kernelRounds = [];
try {
  const page = await browser.newPage();
  await page.goto(origin);
  await page.waitForFunction(() => typeof window.bench === 'function');
  adapter = await page.evaluate(() => window.gpuAdapter());
  // The same rule as the extension: WebGPU only on a real adapter.
  if (
    adapter &&
    !adapter.fallback &&
    !/swiftshader/i.test(adapter.architecture ?? '')
  ) {
    backend = 'webgpu';
  }
  firstImageMs = await page.evaluate(
    ([b, options, latents]) => window.bench(b, options, latents),
    [backend, GAN_SESSION_OPTIONS, LATENTS]
  );
  // Rounds alternate browser and kernel, each side timed the same way (3
  // warm-up runs, then the median of 20, 10 at batch 64); each side's figure
  // is its best round. Other work on a shared machine comes and goes within
  // seconds, and one round per side let a burst land on one side only.
  for (let round = 0; round < ROUNDS; round++) {
    browserRounds.push(
      await page.evaluate(batches => window.measure(batches), BATCHES)
    );
    kernelRounds.push(kernelRound());
  }
} finally {
  await browser.close();
  server.close();
}

const best = (rounds, n) => Math.min(...rounds.map(perImage => perImage[n]));

const fmt = ms => ms.toFixed(2).padStart(8);
console.log(
  `GAN generator ${(fs.statSync(modelPath).size / 1e6).toFixed(2)} MB; browser: headless Chromium, onnxruntime-web ${backend} (1 thread${adapter ? `; WebGPU adapter: ${adapter.vendor ?? '?'} ${adapter.architecture ?? ''}${adapter.fallback ? ' (fallback)' : ''}` : '; no WebGPU adapter'}); kernel: torch ${kernelInfo.torch} CPU, ${kernelInfo.threads} threads`
);
console.log(
  `batch   browser ms/img   kernel ms/img   browser/kernel   (best of ${ROUNDS} alternating rounds, each a median)`
);
for (const n of BATCHES) {
  const b = best(browserRounds, n);
  const k = best(kernelRounds, n);
  console.log(
    `${String(n).padStart(5)}   ${fmt(b)}         ${fmt(k)}        ${(b / k).toFixed(2)}x`
  );
}
console.log(
  `cold start to first image (runtime import + model load + batch 1): ${firstImageMs.toFixed(0)} ms`
);
const b16 = best(browserRounds, 16);
const k16 = best(kernelRounds, 16);
console.log(
  JSON.stringify({
    browser_ms_per_image_b16: Number(b16.toFixed(3)),
    kernel_cpu_ms_per_image_b16: Number(k16.toFixed(3)),
    ratio: Number((b16 / k16).toFixed(3)),
    backend,
    first_image_ms: Math.round(firstImageMs)
  })
);
