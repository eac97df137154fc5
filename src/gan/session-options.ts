/**
 * onnxruntime-web session options for the GAN generator, shared by the
 * renderer (runtime.ts) and `npm run bench:gan` (gan/bench.mjs), so the
 * benchmark measures the session the cell runs.
 *
 * Measured on the shipped generator (wasm, 1 thread, batch 16): 'all' is
 * onnxruntime's default and lets it fold the export's weight transforms and
 * fuse MatMul + Add into Gemm; memory-pattern and arena switches, and the
 * 'basic'/'extended' levels, moved nothing beyond the noise of a shared
 * machine. freeDimensionOverrides would pin the batch size, which the cell's
 * batch control changes, so it is not set.
 */
import type { InferenceSession } from 'onnxruntime-web';

export const GAN_SESSION_OPTIONS: Readonly<
  Omit<InferenceSession.SessionOptions, 'executionProviders'>
> = {
  graphOptimizationLevel: 'all'
};
