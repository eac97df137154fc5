/**
 * The shipped generator on onnxruntime-web's WebGPU execution provider, the
 * backend a GAN cell uses when the browser has a real GPU. No GPU is lent to
 * CI, so this runs on Chromium's software adapter (SwiftShader), which the
 * cell itself would never pick: the point is the graph, not the speed. Two
 * exports once ran on wasm and failed on WebGPU (a double constant behind a
 * Cast; a Split with more outputs than a shader may bind), which the cell
 * only survived by falling back to wasm. Here every node must run on the
 * WebGPU provider and the pixels must match the torch reference.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, expect, test } from '@playwright/test';
import { CHROMIUM_LAUNCH } from '../scripts/lib/services.mjs';
import { serveOrtPage } from '../gan/ort-page.mjs';

// The renderer's own latent vectors and session options. Playwright loads
// src/ as CommonJS, whose exports an ES import cannot name: require them.
const require = createRequire(import.meta.url);
const { LATENT_SIZE, latentForSeed } =
  require('../src/gan/latent') as typeof import('../src/gan/latent');
const { GAN_SESSION_OPTIONS } =
  require('../src/gan/session-options') as typeof import('../src/gan/session-options');

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const REFERENCE = JSON.parse(
  readFileSync(join(ROOT, 'gan', 'model', 'reference.json'), 'utf8')
) as { seeds: number[]; shape: number[]; images: number[] };

interface IProfileNode {
  cat: string;
  name: string;
  args: { provider?: string; op_name?: string };
}

test('the shipped generator runs on the WebGPU provider and matches the torch reference', async () => {
  const server = await serveOrtPage({
    html: '<!doctype html><meta charset="utf-8"><title>GAN on WebGPU</title>'
  });
  const browser = await chromium.launch({
    ...CHROMIUM_LAUNCH,
    args: [...CHROMIUM_LAUNCH.args, '--enable-unsafe-webgpu']
  });
  try {
    const page = await browser.newPage();
    // onnxruntime prints its profile to the console, one node per line.
    const profile: IProfileNode[] = [];
    page.on('console', message => {
      const line = message.text().trim().replace(/,$/, '');
      if (line.startsWith('{"cat"')) {
        profile.push(JSON.parse(line) as IProfileNode);
      }
    });
    await page.goto(server.origin);
    const latents: number[] = [];
    for (const seed of REFERENCE.seeds) {
      latents.push(...latentForSeed(seed));
    }
    const result = await page.evaluate(
      async ({ latents, count, latentSize, options }) => {
        // WebGPU's types are not part of the DOM library this project builds with.
        const gpu = (
          navigator as {
            gpu?: {
              requestAdapter(): Promise<{
                info?: { architecture?: string; vendor?: string };
              } | null>;
            };
          }
        ).gpu;
        const adapter = await gpu?.requestAdapter();
        if (!adapter) {
          return { adapter: null, dims: [], pixels: [] };
        }
        const ort = await import(
          /* webpackIgnore: true */ `${location.origin}/ort/ort.webgpu.min.mjs`
        );
        ort.env.wasm.wasmPaths = `${location.origin}/ort/`;
        ort.env.wasm.numThreads = 1;
        const model = await (await fetch('/model.onnx')).arrayBuffer();
        const session = await ort.InferenceSession.create(
          new Uint8Array(model),
          { ...options, executionProviders: ['webgpu'], enableProfiling: true }
        );
        const output = await session.run({
          [session.inputNames[0]]: new ort.Tensor(
            'float32',
            Float32Array.from(latents),
            [count, latentSize]
          )
        });
        session.endProfiling();
        const images = output[session.outputNames[0]];
        return {
          adapter: adapter.info?.architecture ?? adapter.info?.vendor ?? '?',
          dims: images.dims as number[],
          pixels: Array.from((await images.getData()) as Float32Array)
        };
      },
      {
        latents,
        count: REFERENCE.seeds.length,
        latentSize: LATENT_SIZE,
        options: GAN_SESSION_OPTIONS
      }
    );
    expect(result.adapter, 'Chromium offers no WebGPU adapter').not.toBeNull();
    expect(result.dims).toEqual(REFERENCE.shape);
    let worst = 0;
    result.pixels.forEach((value, i) => {
      worst = Math.max(worst, Math.abs(value - REFERENCE.images[i]));
    });
    expect(worst).toBeLessThan(1e-4);

    // Every node of the run on the GPU: none left to the CPU provider.
    await expect.poll(() => profile.length).toBeGreaterThan(0);
    const nodes = profile.filter(event => event.cat === 'Node');
    const matMuls = nodes.filter(event => event.args.op_name === 'MatMul');
    // 2 input transforms, 100 Winograd products, 2 output transforms,
    // the last layer (the first is a Gemm after fusion).
    expect(matMuls.length).toBeGreaterThanOrEqual(100);
    const elsewhere = nodes
      .filter(event => event.args.provider !== 'WebGpuExecutionProvider')
      .map(event => `${event.args.op_name} on ${event.args.provider}`);
    expect(elsewhere).toEqual([]);
  } finally {
    await browser.close();
    server.close();
  }
});
