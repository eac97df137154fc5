/**
 * The kernel-side clients, as code to send into a kernel.
 *
 * The clients are real files (python/ocean_bridge.py, deno/ocean_bridge.ts)
 * so they can be read, linted and shipped in the wheel as they are; the
 * bundler emits them as assets (`new URL(…, import.meta.url)`) and we fetch
 * them once, when the first kernel is attached (transport.ts), before
 * anyone runs a cell in it; never at lab start-up. The
 * paths go through ../../src so they resolve the same from src/ and lib/.
 */
import type { IKernelWalletState } from './protocol';

export type KernelKind = 'python' | 'deno';

const SOURCE_URLS: Record<KernelKind, URL> = {
  python: new URL(
    '../../src/kernel-bridge/python/ocean_bridge.py',
    import.meta.url
  ),
  deno: new URL('../../src/kernel-bridge/deno/ocean_bridge.ts', import.meta.url)
};

/** JSON string literal: valid Python and TypeScript source for `text`. */
function literal(text: string): string {
  // JSON escapes are valid in both languages; U+2028/9 are escaped for
  // older JavaScript parsers.
  return JSON.stringify(text)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export class KernelSources {
  /** Starts fetching both clients. */
  load(): Promise<void> {
    if (!this._loading) {
      this._loading = Promise.all(
        (Object.keys(SOURCE_URLS) as KernelKind[]).map(async kind => {
          const response = await fetch(SOURCE_URLS[kind]);
          if (!response.ok) {
            throw new Error(
              `jupyterlab-ocean: could not load the ${kind} kernel client (${response.status}).`
            );
          }
          this._sources.set(kind, await response.text());
        })
      ).then(() => undefined);
      this._loading.catch(error => {
        console.error(error);
        this._loading = null;
      });
    }
    return this._loading;
  }

  ready(kind: KernelKind): boolean {
    return this._sources.has(kind);
  }

  /**
   * Code that installs the client in a kernel; idempotent (a kernel that
   * already has this version keeps its listeners) and silent.
   */
  bootstrap(kind: KernelKind, state: IKernelWalletState): string {
    const source = this._sources.get(kind);
    if (source === undefined) {
      throw new Error(`The ${kind} kernel client is not loaded yet.`);
    }
    const stateJson = literal(JSON.stringify(state));
    if (kind === 'python') {
      return [
        'def _jupyterlab_ocean_bootstrap(source, state):',
        '    import sys, types',
        "    module = types.ModuleType('jupyterlab_ocean_bridge')",
        "    module.__file__ = '<jupyterlab-ocean bridge>'",
        "    exec(compile(source, '<jupyterlab-ocean bridge>', 'exec'), module.__dict__)",
        '    module._install(module, state)',
        `_jupyterlab_ocean_bootstrap(${literal(source)}, ${stateJson})`,
        'del _jupyterlab_ocean_bootstrap'
      ].join('\n');
    }
    return `${source}\n;globalThis.__jupyterlabOceanBridge?.pushState(JSON.parse(${stateJson}));`;
  }

  /** Code that tells an idle kernel about a new wallet state (events). */
  pushState(kind: KernelKind, state: IKernelWalletState): string {
    const stateJson = literal(JSON.stringify(state));
    if (kind === 'python') {
      return `__import__('sys').modules.get('jupyterlab_ocean_bridge') and __import__('sys').modules['jupyterlab_ocean_bridge']._push_state(${stateJson})`;
    }
    return `globalThis.__jupyterlabOceanBridge?.pushState(JSON.parse(${stateJson}));`;
  }

  private _sources = new Map<KernelKind, string>();
  private _loading: Promise<void> | null = null;
}
