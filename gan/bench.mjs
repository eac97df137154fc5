// `npm run bench:gan`: the shipped generator in headless Chromium with the
// onnxruntime-web files the extension serves (jupyterlab_ocean/labextension/
// static/ort, from `npm run build`), against the same model in a Python
// kernel on the CPU (gan/kernel_bench.py): onnxruntime's CPU provider, what
// a user would run there (.venv-bench/, from requirements/bench.txt), and
// torch on the CPU (.venv-bench-torch/, from requirements/bench-torch.txt;
// PyPI's CUDA build, kept on the CPU). The set-up `npm run bench:gan` runs
// first makes both venvs; GAN_BENCH_TORCH_PYTHON=/path/to/python names
// another Python with torch instead. Prints ms per image at batch 1/16/64,
// the ratios, the cold time to a first image, the load averages, and last a
// JSON line. Timings only; nothing passes or fails.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { tsImport } from 'tsx/esm/api';
import { CHROMIUM_LAUNCH } from '../scripts/lib/services.mjs';
import { BENCH_TORCH_VENV, BENCH_VENV, venvBin } from '../scripts/lib/venv.mjs';
import { ensureBenchTorchVenv, ensureBenchVenv } from '../scripts/setup.mjs';
import { MODEL_PATH, ORT_DIR, serveOrtPage } from './ort-page.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
// GAN_BENCH_MODEL: another export of the same weights, to compare (the
// browser and onnxruntime run it; torch always rebuilds from the shipped file).
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
// The kernel side gets the same latents, by seed (and the reference's seeds for its check).
const REFERENCE_SEEDS = JSON.parse(
  fs.readFileSync(path.join(here, 'model', 'reference.json'), 'utf8')
).seeds;
const KERNEL_INPUT = JSON.stringify({
  latents: Object.fromEntries(
    [...Array(Math.max(...BATCHES)).keys(), ...REFERENCE_SEEDS].map(seed => [
      seed,
      Array.from(latentForSeed(seed))
    ])
  )
});

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

const load = () =>
  os
    .loadavg()
    .map(value => value.toFixed(2))
    .join(' ');
const loadAtStart = load();

// onnxruntime's Python package, in the benchmarks' own venv (made by set-up when missing).
ensureBenchVenv();
const ORT_PYTHON = venvBin('python', BENCH_VENV);

/** A path below the repository as a relative one, any other as it is. */
const shown = file =>
  file.startsWith(root + path.sep) ? path.relative(root, file) : file;

/**
 * The Python that runs the torch baseline, or why there is none:
 * GAN_BENCH_TORCH_PYTHON when set (a Python of your own with torch and
 * numpy), else .venv-bench-torch/ (made by set-up when missing; a second
 * look at a venv that holds its lock takes well under a second).
 */
function findTorchPython() {
  const named = process.env.GAN_BENCH_TORCH_PYTHON;
  if (!named) ensureBenchTorchVenv();
  const python = named ?? venvBin('python', BENCH_TORCH_VENV);
  const probe = fs.existsSync(python)
    ? spawnSync(python, ['-c', 'import torch, numpy'], { encoding: 'utf8' })
    : { status: 1, stderr: 'no such file' };
  if (probe.status === 0) return { python };
  const why = String(probe.stderr).trim().split('\n').pop();
  return {
    reason: named
      ? `GAN_BENCH_TORCH_PYTHON=${named} cannot import torch and numpy (${why})`
      : `${shown(python)} cannot import torch and numpy (${why}); rerun npm run bench:gan, whose set-up remakes .venv-bench-torch`
  };
}
const torch = findTorchPython();

/** One kernel-side round of `runtime`: ms per image by batch size, from gan/kernel_bench.py. */
function kernelRound(runtime, python) {
  const kernel = spawnSync(
    python,
    [
      path.join(here, 'kernel_bench.py'),
      '--runtime',
      runtime,
      ...(runtime === 'onnxruntime' ? ['--model', modelPath] : [])
    ],
    { encoding: 'utf8', input: KERNEL_INPUT }
  );
  if (kernel.status !== 0) {
    console.error(`bench:gan: the ${runtime} kernel side failed:`);
    console.error(kernel.stderr);
    process.exit(1);
  }
  const result = JSON.parse(kernel.stdout.trim().split('\n').pop());
  kernelInfo[runtime] = result;
  return result;
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
/** Version, threads and first-image time per kernel runtime, from its last round. */
const kernelInfo = {};
const ortRounds = [];
const torchRounds = [];
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
    ortRounds.push(kernelRound('onnxruntime', ORT_PYTHON).ms_per_image);
    if (torch.python)
      torchRounds.push(kernelRound('torch', torch.python).ms_per_image);
  }
} finally {
  await browser.close();
  server.close();
}

const best = (rounds, n) => Math.min(...rounds.map(perImage => perImage[n]));
const ort = kernelInfo.onnxruntime;
const torchInfo = kernelInfo.torch;

const fmt = ms => ms.toFixed(2).padStart(8);
console.log(
  `GAN generator ${(fs.statSync(modelPath).size / 1e6).toFixed(2)} MB, ${os.availableParallelism()} cores`
);
console.log(
  `  browser:     headless Chromium, onnxruntime-web ${backend} (1 thread${adapter ? `; WebGPU adapter: ${adapter.vendor ?? '?'} ${adapter.architecture ?? ''}${adapter.fallback ? ' (fallback)' : ''}` : '; no WebGPU adapter'})`
);
console.log(
  `  onnxruntime: ${ort.version} CPU in a Python ${ort.python} kernel, ${ort.threads} threads (${shown(ORT_PYTHON)})`
);
console.log(
  torchInfo
    ? `  torch:       ${torchInfo.version} on the ${torchInfo.device} in a Python ${torchInfo.python} kernel, ${torchInfo.threads} threads (${shown(torch.python)})`
    : `  torch:       skipped: ${torch.reason}`
);
console.log(
  `batch   browser ms/img   onnxruntime ms/img   browser/onnxruntime${torchInfo ? '   torch ms/img   browser/torch' : ''}   (best of ${ROUNDS} alternating rounds, each a median)`
);
for (const n of BATCHES) {
  const b = best(browserRounds, n);
  const o = best(ortRounds, n);
  const t = torchInfo ? best(torchRounds, n) : null;
  console.log(
    `${String(n).padStart(5)}   ${fmt(b)}         ${fmt(o)}             ${(b / o).toFixed(2).padStart(6)}x${t === null ? '' : `          ${fmt(t)}      ${(b / t).toFixed(2).padStart(6)}x`}`
  );
}
console.log(
  `cold start to first image (runtime import + model load + batch 1): browser ${firstImageMs.toFixed(0)} ms, onnxruntime ${ort.first_image_ms.toFixed(0)} ms${torchInfo ? `, torch ${torchInfo.first_image_ms.toFixed(0)} ms` : ''}`
);
const loadAtEnd = load();
console.log(
  `load average (1/5/15 min): ${loadAtStart} at start, ${loadAtEnd} at end`
);
const b16 = best(browserRounds, 16);
const o16 = best(ortRounds, 16);
const t16 = torchInfo ? best(torchRounds, 16) : null;
const r3 = value => Number(value.toFixed(3));
console.log(
  JSON.stringify({
    browser_ms_per_image_b16: r3(b16),
    onnxruntime_cpu_ms_per_image_b16: r3(o16),
    ratio_browser_onnxruntime: r3(b16 / o16),
    torch_cpu_ms_per_image_b16: t16 === null ? null : r3(t16),
    ratio_browser_torch: t16 === null ? null : r3(b16 / t16),
    torch_skipped: torchInfo ? null : torch.reason,
    torch: torchInfo ? torchInfo.version : null,
    torch_threads: torchInfo ? torchInfo.threads : null,
    ms_per_image: Object.fromEntries(
      BATCHES.map(n => [
        n,
        {
          browser: r3(best(browserRounds, n)),
          onnxruntime_cpu: r3(best(ortRounds, n)),
          torch_cpu: torchInfo ? r3(best(torchRounds, n)) : null
        }
      ])
    ),
    backend,
    onnxruntime: ort.version,
    onnxruntime_threads: ort.threads,
    first_image_ms: Math.round(firstImageMs),
    onnxruntime_first_image_ms: Math.round(ort.first_image_ms),
    torch_first_image_ms: torchInfo
      ? Math.round(torchInfo.first_image_ms)
      : null,
    load_start: loadAtStart.split(' ').map(Number),
    load_end: loadAtEnd.split(' ').map(Number)
  })
);
