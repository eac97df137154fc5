import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  GAN_MIME_TYPE,
  ganBundle,
  parseGanPayload,
  payloadFromCommandArgs
} from './protocol';
import { imagesResult, toBytes, type IGanRun } from './service';

const DID = `did:op:${'ab'.repeat(32)}`;

describe('GAN cell payload', () => {
  it('fills defaults and keeps an interpolation target', () => {
    assert.deepEqual(
      parseGanPayload({ did: DID.toUpperCase().replace('DID:OP:', 'did:op:') }),
      {
        did: DID,
        n: 16,
        seed: 0,
        scale: 3
      }
    );
    assert.equal(parseGanPayload({ did: DID, seed: 1, seedB: 9 }).seedB, 9);
  });

  it('refuses what a kernel should never send', () => {
    assert.throws(() => parseGanPayload(null), /no settings/);
    assert.throws(() => parseGanPayload({ did: 'did:op:xyz' }), /DID/);
    assert.throws(() => parseGanPayload({ did: DID, n: 65 }), /"n"/);
    assert.throws(() => parseGanPayload({ did: DID, seed: -1 }), /"seed"/);
    assert.throws(() => parseGanPayload({ did: DID, seed: 1.5 }), /"seed"/);
  });

  it('builds the bundle kernels display, with a text fallback', () => {
    const bundle = ganBundle({ did: DID, n: 4, seed: 42 });
    assert.deepEqual(bundle[GAN_MIME_TYPE], {
      did: DID,
      n: 4,
      seed: 42,
      scale: 3
    });
    assert.match(String(bundle['text/plain']), /4 images/);
  });

  it('round-trips images to the kernel as uint8 NHWC', () => {
    const pixels = new Float32Array([0, 0.5, 1, 1.2, -0.1, 0.25]);
    const run = {
      pixels,
      count: 2,
      height: 1,
      width: 1,
      backend: 'wasm',
      inferenceMs: 1.234,
      labels: [],
      seeds: [1, 2],
      source: 'memory',
      loadMs: 0,
      reason: ''
    } as IGanRun;
    const result = imagesResult(DID, run);
    assert.deepEqual(result.shape, [2, 1, 1, 3]);
    assert.deepEqual(Array.from(result.data), Array.from(toBytes(pixels)));
    assert.deepEqual(Array.from(result.data), [0, 128, 255, 255, 0, 64]);
  });
});

describe('kernel command arguments', () => {
  it('reads a parsed magic line and a structured Deno call alike', () => {
    const fromMagic = payloadFromCommandArgs({
      _: [DID],
      n: '16',
      seed: '42',
      to: '7'
    });
    const fromDeno = payloadFromCommandArgs({
      did: DID,
      n: 16,
      seed: 42,
      seedB: 7
    });
    assert.deepEqual(fromMagic, fromDeno);
    assert.deepEqual(fromMagic, {
      did: DID,
      n: 16,
      seed: 42,
      seedB: 7,
      scale: 3
    });
    assert.throws(() => payloadFromCommandArgs({ _: [DID], n: 'many' }), /"n"/);
  });
});
