/**
 * IKernelBridge as every plugin sees it from the start: registrations are
 * kept until the bridge itself (transport, sessions, the kernel clients'
 * sources) loads, which happens when a notebook opens, since only a
 * notebook's kernel can ask anything of it.
 */
import type { IDisposable } from '@lumino/disposable';
import type {
  IKernelBridge,
  IKernelCommandOptions,
  KernelCommandHandler
} from '../tokens';
import type { KernelBridge } from './bridge';

/** What the lazily loaded part hands back (see start.ts). */
export interface IStartedBridge {
  bridge: KernelBridge;
  /**
   * Starts watching notebooks' kernels at once (a cell must never run
   * unwrapped); their requests wait for `ready`: every command registered.
   */
  serve(ready: Promise<unknown>): void;
}

interface IRegistration {
  name: string;
  handler: KernelCommandHandler;
  options?: IKernelCommandOptions;
  registered: IDisposable | null;
  disposed: boolean;
}

export class LazyKernelBridge implements IKernelBridge {
  constructor(private readonly _start: () => Promise<IStartedBridge>) {}

  /** The real bridge, once loaded (null before). */
  get loaded(): KernelBridge | null {
    return this._bridge;
  }

  registerCommand(
    name: string,
    handler: KernelCommandHandler,
    options?: IKernelCommandOptions
  ): IDisposable {
    const entry: IRegistration = {
      name,
      handler,
      options,
      registered: null,
      disposed: false
    };
    if (this._bridge) {
      entry.registered = this._bridge.registerCommand(name, handler, options);
    } else {
      this._pending.push(entry);
    }
    return {
      get isDisposed() {
        return entry.disposed;
      },
      dispose: () => {
        entry.disposed = true;
        entry.registered?.dispose();
        this._pending = this._pending.filter(e => e !== entry);
      }
    };
  }

  /**
   * `setup` runs with the real bridge as it loads, before it serves any
   * kernel: for our own plugins whose commands need more than
   * IKernelBridge (the sessions), and whose code should load with it.
   */
  whenLoaded(setup: (bridge: KernelBridge) => unknown): void {
    if (this._bridge) {
      void Promise.resolve(setup(this._bridge)).catch(reportSetupError);
    } else {
      this._setups.push(setup);
    }
  }

  /** Loads and starts the bridge (once). */
  load(): Promise<KernelBridge> {
    if (!this._loading) {
      this._loading = this._start().then(async started => {
        this._bridge = started.bridge;
        for (const entry of this._pending) {
          entry.registered = started.bridge.registerCommand(
            entry.name,
            entry.handler,
            entry.options
          );
        }
        this._pending = [];
        const ready = Promise.all(
          this._setups.map(setup =>
            Promise.resolve()
              .then(() => setup(started.bridge))
              .catch(reportSetupError)
          )
        );
        this._setups = [];
        started.serve(ready);
        await ready;
        return started.bridge;
      });
      this._loading.catch(error => {
        console.error(
          'jupyterlab-ocean: the kernel bridge did not load',
          error
        );
        this._loading = null;
      });
    }
    return this._loading;
  }

  private _bridge: KernelBridge | null = null;
  private _loading: Promise<KernelBridge> | null = null;
  private _pending: IRegistration[] = [];
  private _setups: Array<(bridge: KernelBridge) => unknown> = [];
}

function reportSetupError(error: unknown): void {
  console.error('jupyterlab-ocean: kernel commands not registered', error);
}
