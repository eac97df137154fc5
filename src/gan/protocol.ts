/**
 * The GAN cell's one protocol file: the MIME payload the kernels emit and
 * the kernel commands' arguments and results. The Python and Deno clients
 * write the same shapes (python/jupyterlab_ocean, the Deno client).
 */

/** MIME type of a GAN output cell. */
export const GAN_MIME_TYPE = 'application/vnd.ocean.gan+json';

/** Largest batch a cell may ask for (the grid stays readable, memory small). */
export const GAN_MAX_IMAGES = 64;

/**
 * What `%ocean gan <did> --n 16 --seed 42` (Python) or
 * `ocean.gan(did, {n: 16, seed: 42})` (Deno) emits. The renderer writes its
 * own state back into the same object (new seed, batch size, interpolation)
 * so a saved notebook reopens as it was left.
 */
export interface IGanCellPayload {
  /** The model's asset on the active network (an Ocean algorithm asset). */
  did: string;
  /** How many images (1..GAN_MAX_IMAGES). */
  n: number;
  /** Seed of the first latent vector; image i uses seed + i. */
  seed: number;
  /**
   * When set, the grid walks from `seed`'s latent to `seedB`'s latent in
   * `n` steps instead of showing `n` independent seeds.
   */
  seedB?: number;
  /** Pixels per model pixel in the grid (default 3). */
  scale?: number;
}

/** Arguments of the `gan_images` kernel command. */
export type IGanImagesArgs = IGanCellPayload;

/**
 * Images handed to a kernel by `gan_images`: uint8 RGB, NHWC. The bridge
 * carries the bytes as bytes (Python `bytes`, Deno `Uint8Array`);
 * jupyterlab_ocean.gan.gan_images turns them into a NumPy array.
 */
export interface IGanImagesResult {
  did: string;
  shape: [number, number, number, number];
  dtype: 'uint8';
  data: Uint8Array;
  backend: GanBackend;
  /** Milliseconds the model run took. */
  inferenceMs: number;
  seeds: number[];
}

export type GanBackend = 'webgpu' | 'wasm';

/** Reads and checks a payload from untrusted output data. */
export function parseGanPayload(value: unknown): IGanCellPayload {
  if (!value || typeof value !== 'object') {
    throw new TypeError('The GAN cell has no settings.');
  }
  const raw = value as Record<string, unknown>;
  const did = typeof raw.did === 'string' ? raw.did.trim().toLowerCase() : '';
  if (!/^did:op:[0-9a-f]{64}$/.test(did)) {
    throw new TypeError(
      'The GAN cell needs the model asset DID (did:op: followed by 64 hex digits).'
    );
  }
  const integer = (
    name: string,
    fallback: number,
    min: number,
    max: number
  ) => {
    const v =
      raw[name] === undefined || raw[name] === null ? fallback : raw[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new TypeError(
        `The GAN cell's "${name}" must be a whole number from ${min} to ${max}.`
      );
    }
    return v;
  };
  const payload: IGanCellPayload = {
    did,
    n: integer('n', 16, 1, GAN_MAX_IMAGES),
    seed: integer('seed', 0, 0, 0xffffffff),
    scale: integer('scale', 3, 1, 8)
  };
  if (raw.seedB !== undefined && raw.seedB !== null) {
    payload.seedB = integer('seedB', 0, 0, 0xffffffff);
  }
  return payload;
}

/**
 * The display bundle a kernel emits for a GAN cell (the Deno client sends
 * it with `Deno.jupyter.display(bundle, { raw: true })`). The text is what
 * a reader without the extension sees until the browser has written the
 * PNG into the output.
 */
export function ganBundle(payload: IGanCellPayload): Record<string, unknown> {
  const checked = parseGanPayload(payload);
  return {
    [GAN_MIME_TYPE]: checked,
    'text/plain': `GAN cell: ${checked.n} images from ${checked.did} (seed ${checked.seed}). Open in JupyterLab with jupyterlab-ocean to generate them.`
  };
}

/**
 * Kernel command arguments → payload. Python magics arrive parsed from the
 * line (`%ocean gan <did> --n 16 --seed 42 --to 7`: strings, did first);
 * Deno calls arrive structured (`ocean.gan(did, { n: 16, seed: 42 })`).
 */
export function payloadFromCommandArgs(
  args: Record<string, unknown>
): IGanCellPayload {
  const positional = Array.isArray(args._) ? (args._ as unknown[]) : [];
  const number = (value: unknown) =>
    typeof value === 'string' && /^\d+$/.test(value.trim())
      ? Number(value)
      : value;
  return parseGanPayload({
    did: args.did ?? positional[0],
    n: number(args.n),
    seed: number(args.seed),
    seedB: number(args.seedB ?? args.to),
    scale: number(args.scale)
  });
}
