/**
 * Seeded latent vectors. A seed must mean the same picture everywhere: in
 * the browser, in a reference computed by the training script (gan/train.py
 * mirrors this file) and after a notebook is reopened. Math.random cannot
 * give that, so a tiny fixed PRNG (mulberry32) feeds Box–Muller.
 */
import type { IGanCellPayload } from './protocol';

/** Length of the generator's input vector. */
export const LATENT_SIZE = 100;

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard-normal latent vector for `seed`. */
export function latentForSeed(seed: number): Float32Array {
  const random = mulberry32(seed);
  const out = new Float32Array(LATENT_SIZE);
  for (let i = 0; i < LATENT_SIZE; i += 2) {
    const u1 = random();
    const u2 = random();
    // 1 - u1 is in (0, 1], so the log is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - u1));
    out[i] = radius * Math.cos(2 * Math.PI * u2);
    if (i + 1 < LATENT_SIZE) {
      out[i + 1] = radius * Math.sin(2 * Math.PI * u2);
    }
  }
  return out;
}

/**
 * Spherical interpolation: Gaussian latents live near a sphere, and a
 * straight line between two of them passes through low-norm vectors the
 * generator rarely saw (washed-out images midway).
 */
export function slerp(
  a: Float32Array,
  b: Float32Array,
  t: number
): Float32Array {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    normA += a[i] * a[i];
    normB += b[i] * b[i];
  }
  const cos = Math.min(1, Math.max(-1, dot / Math.sqrt(normA * normB)));
  const omega = Math.acos(cos);
  const out = new Float32Array(a.length);
  if (omega < 1e-6) {
    for (let i = 0; i < a.length; i++) {
      out[i] = a[i] + (b[i] - a[i]) * t;
    }
    return out;
  }
  const sin = Math.sin(omega);
  const wa = Math.sin((1 - t) * omega) / sin;
  const wb = Math.sin(t * omega) / sin;
  for (let i = 0; i < a.length; i++) {
    out[i] = wa * a[i] + wb * b[i];
  }
  return out;
}

/** The batch of latents a cell's settings describe, row after row. */
export function latentBatch(payload: IGanCellPayload): {
  latents: Float32Array;
  /** One caption per image. */
  labels: string[];
  /** The seeds involved (the two ends when interpolating). */
  seeds: number[];
} {
  const { n, seed, seedB } = payload;
  const latents = new Float32Array(n * LATENT_SIZE);
  const labels: string[] = [];
  const seeds: number[] = [];
  if (seedB === undefined) {
    for (let i = 0; i < n; i++) {
      const s = (seed + i) >>> 0;
      latents.set(latentForSeed(s), i * LATENT_SIZE);
      labels.push(`seed ${s}`);
      seeds.push(s);
    }
  } else {
    const a = latentForSeed(seed);
    const b = latentForSeed(seedB);
    for (let i = 0; i < n; i++) {
      const t = n === 1 ? 0 : i / (n - 1);
      latents.set(slerp(a, b, t), i * LATENT_SIZE);
      labels.push(`${seed}→${seedB} t=${t.toFixed(2)}`);
    }
    seeds.push(seed, seedB);
  }
  return { latents, labels, seeds };
}
