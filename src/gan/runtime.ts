/**
 * onnxruntime-web, loaded only when a GAN cell first renders.
 *
 * The runtime's JavaScript and WebAssembly are copied into this extension's
 * own static folder at build time (scripts/build-labextension.mjs) and
 * imported from there by URL: they never enter the start-up bundle, and
 * nothing is fetched from a CDN. By default WebGPU is used only when the
 * browser offers a real (non-fallback) adapter: a software adapter such as
 * SwiftShader is tens of times slower than WebAssembly for this model. The
 * `backend` setting can force either.
 */
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import type * as Ort from 'onnxruntime-web';

import { errorWords, OceanError } from '../errors';
import { LATENT_SIZE } from './latent';
import type { GanBackend } from './protocol';
import { GAN_SESSION_OPTIONS } from './session-options';

type OrtModule = typeof Ort;

/** Where the build copies the runtime (see scripts/build-labextension.mjs). */
export function runtimeBaseUrl(): string {
  const extensions = PageConfig.getOption('fullLabextensionsUrl');
  return URLExt.join(extensions, 'jupyterlab-ocean', 'static', 'ort') + '/';
}

/** The runtime build for each backend: the WebGPU one carries a larger wasm. */
const RUNTIME_FILE: Record<GanBackend, string> = {
  wasm: 'ort.wasm.min.mjs',
  webgpu: 'ort.webgpu.min.mjs'
};

interface IGpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: {
    isFallbackAdapter?: boolean;
    architecture?: string;
    vendor?: string;
  };
}

/** What the browser's WebGPU offers, in words for the cell footer. */
export interface IBackendChoice {
  backend: GanBackend;
  reason: string;
}

/**
 * Which backend the user asked for (the `backend` setting of the GAN
 * plugin): `auto` uses WebGPU on a real GPU adapter and WebAssembly
 * otherwise; `webgpu` uses any WebGPU adapter, software ones included; `wasm`
 * never touches WebGPU.
 */
export type GanBackendPreference = 'auto' | GanBackend;

/** The browser's WebGPU adapter, asked for once per page. */
let adapterInfo: Promise<{
  adapter: IGpuAdapterLike | null;
  missing?: string;
}> | null = null;

function webgpuAdapter() {
  adapterInfo ??= (async () => {
    const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } })
      .gpu;
    if (!gpu) {
      return {
        adapter: null,
        missing: errorWords.__('this browser has no WebGPU')
      };
    }
    try {
      const adapter = (await gpu.requestAdapter()) as IGpuAdapterLike | null;
      return adapter
        ? { adapter }
        : { adapter: null, missing: errorWords.__('no WebGPU adapter') };
    } catch {
      return { adapter: null, missing: errorWords.__('no WebGPU adapter') };
    }
  })();
  return adapterInfo;
}

/** The backend to use for `preference`, and why, in words for the cell footer. */
export async function chooseBackend(
  preference: GanBackendPreference = 'auto'
): Promise<IBackendChoice> {
  if (preference === 'wasm') {
    return {
      backend: 'wasm',
      reason: errorWords.__('WebAssembly, as set in Settings')
    };
  }
  const { adapter, missing } = await webgpuAdapter();
  if (!adapter) {
    return {
      backend: 'wasm',
      reason: missing ?? errorWords.__('no WebGPU adapter')
    };
  }
  const software =
    adapter.isFallbackAdapter === true ||
    adapter.info?.isFallbackAdapter === true ||
    /swiftshader/i.test(adapter.info?.architecture ?? '');
  const name = [adapter.info?.vendor, adapter.info?.architecture]
    .filter(Boolean)
    .join(' ');
  if (software && preference === 'auto') {
    return {
      backend: 'wasm',
      reason: errorWords.__('WebGPU adapter is a software fallback')
    };
  }
  return {
    backend: 'webgpu',
    reason: software
      ? name
        ? errorWords.__(
            'WebGPU on a software adapter (%1), as set in Settings',
            name
          )
        : errorWords.__('WebGPU on a software adapter, as set in Settings')
      : name
        ? errorWords.__('GPU: %1', name)
        : errorWords.__('GPU adapter')
  };
}

const runtimes = new Map<GanBackend, Promise<OrtModule>>();

function loadRuntime(backend: GanBackend): Promise<OrtModule> {
  let runtime = runtimes.get(backend);
  if (!runtime) {
    const base = runtimeBaseUrl();
    runtime = import(
      /* webpackIgnore: true */ base + RUNTIME_FILE[backend]
    ).then(
      (ort: OrtModule) => {
        ort.env.wasm.wasmPaths = base;
        // Threads need cross-origin isolation (COOP/COEP), which JupyterLab
        // does not send; asking for them anyway only prints a warning.
        ort.env.wasm.numThreads = globalThis.crossOriginIsolated
          ? Math.min(4, navigator.hardwareConcurrency || 1)
          : 1;
        return ort;
      },
      error => {
        runtimes.delete(backend);
        throw new OceanError(
          'OCEAN_LIB_UNAVAILABLE',
          errorWords.__(
            'The in-browser model runtime (onnxruntime-web) could not be loaded from the extension. Rebuild or reinstall jupyterlab-ocean.'
          ),
          { backend, error: String(error) }
        );
      }
    );
    runtimes.set(backend, runtime);
  }
  return runtime;
}

export interface IGeneration {
  /** NHWC float pixels in [0, 1]. */
  pixels: Float32Array;
  count: number;
  height: number;
  width: number;
  backend: GanBackend;
  /** Milliseconds of `session.run` only. */
  inferenceMs: number;
}

/** One loaded model on one backend. Runs are queued: a session runs one batch at a time. */
export class GanSession {
  /** Milliseconds to import the runtime and create the session. */
  readonly loadMs: number;
  private _backend: GanBackend;
  private _ort: OrtModule;
  private _session: Ort.InferenceSession;
  /** Kept for the WebAssembly fallback when WebGPU fails mid-run. */
  private _model: ArrayBuffer;
  private _fellBack = false;
  private _queue: Promise<unknown> = Promise.resolve();

  private constructor(
    ort: OrtModule,
    session: Ort.InferenceSession,
    backend: GanBackend,
    loadMs: number,
    model: ArrayBuffer
  ) {
    this._ort = ort;
    this._session = session;
    this._backend = backend;
    this.loadMs = loadMs;
    this._model = model;
  }

  /** The backend the session runs on now. */
  get backend(): GanBackend {
    return this._backend;
  }

  /** True once WebGPU failed and the session moved to WebAssembly. */
  get fellBack(): boolean {
    return this._fellBack;
  }

  /** Creates a session on the chosen backend, falling back to wasm if WebGPU fails. */
  static async create(
    model: ArrayBuffer,
    backend: GanBackend
  ): Promise<GanSession> {
    const started = performance.now();
    try {
      const ort = await loadRuntime(backend);
      const session = await ort.InferenceSession.create(new Uint8Array(model), {
        ...GAN_SESSION_OPTIONS,
        executionProviders: [backend]
      });
      return new GanSession(
        ort,
        session,
        backend,
        performance.now() - started,
        model
      );
    } catch (error) {
      if (backend === 'webgpu') {
        const fallback = await GanSession.create(model, 'wasm');
        fallback._fellBack = true;
        return fallback;
      }
      if (error instanceof OceanError) {
        throw error;
      }
      throw new OceanError(
        'OCEAN_BAD_ASSET',
        errorWords.__(
          'The model file could not be loaded by onnxruntime-web; it is not a valid ONNX generator.'
        ),
        { error: String(error) }
      );
    }
  }

  /**
   * Runs the generator on `count` latent vectors (count × LATENT_SIZE
   * floats). A run that fails on WebGPU (a driver that loses the device, an
   * operator the GPU build cannot run) is repeated once on WebAssembly, which
   * the session then keeps.
   */
  generate(latents: Float32Array, count: number): Promise<IGeneration> {
    const attempt = async (): Promise<IGeneration> => {
      const input = new this._ort.Tensor('float32', latents, [
        count,
        LATENT_SIZE
      ]);
      try {
        const started = performance.now();
        const outputs = await this._session.run({
          [this._session.inputNames[0]]: input
        });
        const inferenceMs = performance.now() - started;
        const output = outputs[this._session.outputNames[0]];
        const [n, height, width] = output.dims as number[];
        const pixels = (await output.getData()) as Float32Array;
        return {
          pixels,
          count: n,
          height,
          width,
          backend: this._backend,
          inferenceMs
        };
      } finally {
        input.dispose?.();
      }
    };
    const run = async (): Promise<IGeneration> => {
      try {
        return await attempt();
      } catch (error) {
        if (this._backend !== 'webgpu') {
          throw error;
        }
        const fallback = await GanSession.create(this._model, 'wasm');
        this._ort = fallback._ort;
        this._session = fallback._session;
        this._backend = 'wasm';
        this._fellBack = true;
        return attempt();
      }
    };
    const next = this._queue.then(run, run);
    this._queue = next.catch(() => undefined);
    return next;
  }
}
