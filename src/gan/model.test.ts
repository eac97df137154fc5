/**
 * The shipped generator (gan/model/generator.onnx), run by onnxruntime-web's
 * own WebAssembly in Node, against the reference gan/train.py computed with
 * torch for the same seeds; and the checksum gate in front of it.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import * as ort from 'onnxruntime-web';

import { OceanError } from '../errors';
import { LATENT_SIZE, latentForSeed } from './latent';
import { normaliseChecksum, sha256Hex, verifyModelBytes } from './model-store';

const modelDir = path.join(__dirname, '..', '..', 'gan', 'model');
const modelPath = path.join(modelDir, 'generator.onnx');
const trained = existsSync(modelPath);

describe(
  'the shipped GAN generator',
  { skip: !trained && 'run npm run train:gan first' },
  () => {
    it('matches the torch reference for fixed seeds within 1e-4', async () => {
      const reference = JSON.parse(
        readFileSync(path.join(modelDir, 'reference.json'), 'utf8')
      ) as {
        seeds: number[];
        shape: number[];
        images: number[];
      };
      ort.env.wasm.numThreads = 1;
      const session = await ort.InferenceSession.create(
        readFileSync(modelPath),
        {
          executionProviders: ['wasm']
        }
      );
      const latents = new Float32Array(reference.seeds.length * LATENT_SIZE);
      reference.seeds.forEach((seed, i) =>
        latents.set(latentForSeed(seed), i * LATENT_SIZE)
      );
      const output = await session.run({
        z: new ort.Tensor('float32', latents, [
          reference.seeds.length,
          LATENT_SIZE
        ])
      });
      const images = output.images;
      assert.deepEqual(images.dims, reference.shape);
      const pixels = images.data as Float32Array;
      let worst = 0;
      for (let i = 0; i < pixels.length; i++) {
        worst = Math.max(worst, Math.abs(pixels[i] - reference.images[i]));
      }
      assert.ok(worst < 1e-4, `largest difference ${worst}`);
      // Not a constant image: the model really generates.
      const first = pixels.subarray(0, pixels.length / reference.seeds.length);
      assert.ok(Math.max(...first) - Math.min(...first) > 0.3);
      await session.release();
    });

    it('is accepted by its checksum and refused when one byte changes', async () => {
      const bytes = new Uint8Array(readFileSync(modelPath));
      const sha = await sha256Hex(bytes);
      await verifyModelBytes(bytes, `sha256:${sha}`, 'did:op:test');
      const corrupted = bytes.slice();
      corrupted[corrupted.length >> 1] ^= 0xff;
      await assert.rejects(
        verifyModelBytes(corrupted, sha, 'did:op:test'),
        (error: unknown) =>
          error instanceof OceanError &&
          error.code === 'OCEAN_BAD_ASSET' &&
          /checksum/.test(error.message)
      );
    });
  }
);

describe('checksums', () => {
  it('accepts the usual spellings and refuses junk', () => {
    const hex = 'ab'.repeat(32);
    assert.equal(normaliseChecksum(`sha256:${hex.toUpperCase()}`), hex);
    assert.equal(normaliseChecksum(`0x${hex}`), hex);
    assert.throws(() => normaliseChecksum('md5:abc'), OceanError);
  });
});
