import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { LATENT_SIZE, latentBatch, latentForSeed, slerp } from './latent';

describe('seeded latents', () => {
  it('gives the same vector for the same seed and different ones for others', () => {
    const a = latentForSeed(42);
    assert.equal(a.length, LATENT_SIZE);
    assert.deepEqual(a, latentForSeed(42));
    assert.notDeepEqual(a, latentForSeed(43));
  });

  it('matches the values gan/train.py derives from the same seed', () => {
    // First four values of seed 42 as computed by the Python mirror of
    // latent.ts (mulberry32 + Box-Muller) in gan/train.py.
    const python = [-1.2848382, 0.43278027, -0.9453528, -1.7128043];
    const ours = latentForSeed(42);
    python.forEach((value, i) => assert.ok(Math.abs(ours[i] - value) < 1e-6));
  });

  it('is roughly standard normal', () => {
    let sum = 0;
    let squares = 0;
    const count = 200;
    for (let seed = 0; seed < count; seed++) {
      for (const v of latentForSeed(seed)) {
        sum += v;
        squares += v * v;
      }
    }
    const n = count * LATENT_SIZE;
    const mean = sum / n;
    const variance = squares / n - mean * mean;
    assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 0.05, `variance ${variance}`);
  });

  it('interpolates from one seed to the other, ends included', () => {
    const a = latentForSeed(1);
    const b = latentForSeed(2);
    const batch = latentBatch({ did: 'x', n: 5, seed: 1, seedB: 2 });
    assert.equal(batch.latents.length, 5 * LATENT_SIZE);
    const first = batch.latents.subarray(0, LATENT_SIZE);
    const last = batch.latents.subarray(4 * LATENT_SIZE);
    first.forEach((v, i) => assert.ok(Math.abs(v - a[i]) < 1e-5));
    last.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-5));
    // Midway keeps the norm of a Gaussian latent (slerp, not a straight line).
    const mid = slerp(a, b, 0.5);
    const norm = (v: Float32Array) => Math.hypot(...v);
    assert.ok(norm(mid) > 0.9 * Math.min(norm(a), norm(b)));
    assert.deepEqual(batch.seeds, [1, 2]);
  });

  it('uses consecutive seeds for a plain batch', () => {
    const batch = latentBatch({ did: 'x', n: 3, seed: 7 });
    assert.deepEqual(batch.seeds, [7, 8, 9]);
    assert.deepEqual(
      batch.latents.subarray(LATENT_SIZE, 2 * LATENT_SIZE),
      latentForSeed(8)
    );
  });
});
