/**
 * How kernel requests reach the browser while a cell is still running.
 *
 * Why the stdin channel: a kernel handles shell messages one at a time, so
 * an answer sent as a comm message (ipykernel) or a silent execute (Deno)
 * is only read after the running cell ends, and Deno 2.9 cannot receive
 * comm messages at all. Both kernels do block mid-cell on an
 * `input_request` until its `input_reply` arrives (Python
 * `kernel.raw_input`, Deno `prompt()`), so a request rides in the prompt
 * and the answer in the reply: `tx = w3.eth.send_transaction(…)` returns in
 * the same cell, with nothing to install in the kernel or the server. A
 * relay through a server endpoint would also work mid-cell but needs a
 * server extension and a way for the kernel to find and authenticate to
 * the server; stdin needs neither.
 *
 * No input box appears: every execute future of a watched kernel gets an
 * `onStdin` filter that takes bridge prompts (BRIDGE_PREFIX) away from the
 * output area before it can render a box or record the reply, so the
 * notebook stores nothing of the exchange. Long work answers with progress
 * replies the kernel shows and then polls again (`wait`): that keeps one
 * stdin request open at a time, as the kernels expect.
 *
 * Events (accountsChanged, chainChanged) ride on every reply while a cell
 * runs; an idle kernel gets them as a silent execute.
 *
 * Chain reads skip all this where the page allows it: the kernel sends
 * them to the loopback RPC URL the page shares in its state
 * (protocol.ts DIRECT_READ_METHODS, KernelBridge.sharedRpcUrl), saving the
 * stdin round trip's 1.5 to 2 ms through the lab server (bench:bridge).
 *
 * Why not comms over ipykernel 7 subshells, which JupyterLab 4.6 supports
 * (a comm target's messages go to a subshell whose thread reads them while
 * the cell runs): bench:bridge measured a comm echo that way at 48 to
 * 64 ms median against about 3 ms for a stdin round trip, nearly all of it
 * between the kernel's IOPub send and the page's websocket (the same echo
 * through jupyter_client, without the lab server, takes 2.4 ms); and
 * ipykernel 7.4 sends a comm's replies to the subshell its last message
 * came from (the busy main shell) unless the comm overrides a private
 * hook. Deno has no subshells.
 */
import type { ISessionContext } from '@jupyterlab/apputils';
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import type { IDisposable } from '@lumino/disposable';
import type { KernelBridge } from './bridge';
import type { KernelKind, KernelSources } from './kernel-sources';
import { BRIDGE_PREFIX, isBridgePrompt } from './protocol';
import type { RequestOrigin } from './session';
import { HEARTBEAT_MS, orphanedReply, StdinLease } from './stdin-lease';

interface IConnectionState {
  kind: KernelKind | null;
  /** The client was sent into this kernel process. */
  bootstrapped: boolean;
}

type StdinHandler = (
  msg: KernelMessage.IStdinMessage
) => void | PromiseLike<void>;

/** Code that mentions us: the first such cell installs the client. */
const MENTIONS_OCEAN = /ocean/i;

export class StdinTransport implements IDisposable {
  /**
   * `ready`: until it resolves, requests wait (kernels are watched from the
   * start, so no cell runs unwrapped, while commands are still being
   * registered; see lazy-bridge.ts).
   */
  constructor(
    bridge: KernelBridge,
    sources: KernelSources,
    ready: Promise<unknown> = Promise.resolve()
  ) {
    this._bridge = bridge;
    this._sources = sources;
    this._ready = ready.then(
      () => undefined,
      () => undefined
    );
    // First in line: requests deferred after it find the transport ready.
    void this._ready.then(() => {
      this._ready = null;
    });
    this._lease = new StdinLease(pageStorage());
    // Renew the notes of the prompts this page holds, and answer those of
    // watched kernels whose page went away (see stdin-lease.ts).
    this._beat = setInterval(() => {
      this._lease.beat();
      for (const kernel of this._kernels.values()) {
        this._answerOrphan(kernel);
      }
    }, HEARTBEAT_MS);
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Serves the kernels of one notebook or console. */
  watch(sessionContext: ISessionContext): void {
    const attach = () => {
      const kernel = sessionContext.session?.kernel;
      if (kernel) {
        this._attach(kernel);
      }
    };
    sessionContext.kernelChanged.connect((_, change) => {
      if (change.oldValue) {
        this._bridge.endSession(
          change.oldValue.id,
          'The notebook switched to another kernel.'
        );
      }
      attach();
    });
    sessionContext.disposed.connect(() => {
      const kernel = sessionContext.session?.kernel;
      if (kernel) {
        this._bridge.endSession(kernel.id, 'The notebook was closed.');
      }
    });
    attach();
  }

  /** Tells idle kernels about a new wallet state (accounts, chain, lock). */
  pushState(): void {
    for (const session of this._bridge.sessions) {
      const kernel = this._kernels.get(session.kernelId);
      const connection = kernel && this._connections.get(kernel);
      if (
        !kernel ||
        !connection?.kind ||
        !connection.bootstrapped ||
        kernel.isDisposed ||
        kernel.connectionStatus !== 'connected'
      ) {
        continue;
      }
      const state = session.state();
      const text = JSON.stringify(state);
      if (text === session.lastSentState) {
        continue;
      }
      session.lastSentState = text;
      this._silent(kernel, this._sources.pushState(connection.kind, state));
    }
  }

  dispose(): void {
    this._disposed = true;
    clearInterval(this._beat);
  }

  /**
   * Ends a prompt of `kernel` that a reloaded or closed page left open: the
   * kernel waits on it until some input_reply comes, and the cell gets a
   * cancellation it shows as one sentence.
   */
  private _answerOrphan(kernel: Kernel.IKernelConnection): void {
    if (kernel.isDisposed || kernel.connectionStatus !== 'connected') {
      return;
    }
    const note = this._lease.takeOrphan(kernel.id);
    if (note) {
      kernel.sendInputReply(
        { status: 'ok', value: orphanedReply(note.requestId) },
        note.header as KernelMessage.IInputReplyMsg['parent_header']
      );
    }
  }

  private _attach(kernel: Kernel.IKernelConnection): void {
    if (this._connections.has(kernel)) {
      return;
    }
    const state: IConnectionState = {
      kind: kindFromName(kernel.name),
      bootstrapped: false
    };
    this._connections.set(kernel, state);
    this._kernels.set(kernel.id, kernel);
    // The clients' sources are fetched with the first kernel, long before
    // its first cell that mentions Ocean.
    void this._sources.load().catch(() => undefined);
    void kernel.info
      .then(info => {
        const language = info.language_info?.name?.toLowerCase() ?? '';
        if (language === 'python') {
          state.kind = 'python';
        } else if (language === 'typescript' || language === 'javascript') {
          state.kind = /deno/i.test(
            `${info.implementation} ${info.banner ?? ''}`
          )
            ? 'deno'
            : state.kind;
        }
      })
      .catch(() => undefined);
    const restarted = () => {
      state.bootstrapped = false;
      this._lease.release(kernel.id);
      this._bridge.endSession(
        kernel.id,
        'The kernel restarted; nothing more will come back to the old process.'
      );
    };
    kernel.statusChanged.connect((_, status) => {
      // 'starting' too: a kernel restarted from outside this page (another
      // window, the REST API) is only seen as a new process starting, and
      // its first Ocean cell must install the client again.
      if (
        status === 'restarting' ||
        status === 'autorestarting' ||
        status === 'starting' ||
        status === 'dead'
      ) {
        restarted();
      }
    });
    // The new process's 'starting' can be lost while the server reconnects
    // its channels; the old process's shutdown_reply, which it broadcasts
    // on IOPub before it exits, is not.
    kernel.iopubMessage.connect((_, msg) => {
      if (msg.header.msg_type === 'shutdown_reply') {
        restarted();
      }
    });
    kernel.disposed.connect(() => {
      if (this._kernels.get(kernel.id) === kernel) {
        this._kernels.delete(kernel.id);
      }
    });

    // The one patch: wrap requestExecute so each future gets the stdin
    // filter before the output area installs its own handler, and the first
    // cell that mentions Ocean is preceded by the (silent) client install.
    const requestExecute = kernel.requestExecute.bind(kernel);
    kernel.requestExecute = (content, disposeOnDone, metadata) => {
      if (
        !this._disposed &&
        !content.silent &&
        state.kind &&
        !state.bootstrapped &&
        MENTIONS_OCEAN.test(content.code)
      ) {
        this._bootstrap(kernel, state, requestExecute);
      }
      const future = requestExecute(content, disposeOnDone, metadata);
      this._filterStdin(kernel, future);
      return future;
    };
  }

  private _bootstrap(
    kernel: Kernel.IKernelConnection,
    state: IConnectionState,
    requestExecute: Kernel.IKernelConnection['requestExecute']
  ): void {
    const kind = state.kind!;
    const session = this._bridge.session(kernel.id);
    session.kernelKind = kind;
    if (!this._sources.ready(kind)) {
      // Not fetched yet (only right after the kernel attached): install as soon
      // as it is; this one cell may run before the client exists.
      void this._sources.load().then(() => {
        if (!state.bootstrapped && this._sources.ready(kind)) {
          state.bootstrapped = true;
          const code = this._sources.bootstrap(kind, session.state());
          session.lastSentState = JSON.stringify(session.state());
          this._silent(kernel, code, requestExecute);
        }
      });
      return;
    }
    state.bootstrapped = true;
    session.lastSentState = JSON.stringify(session.state());
    this._silent(
      kernel,
      this._sources.bootstrap(kind, session.state()),
      requestExecute
    );
  }

  private _silent(
    kernel: Kernel.IKernelConnection,
    code: string,
    requestExecute: Kernel.IKernelConnection['requestExecute'] = kernel.requestExecute.bind(
      kernel
    )
  ): void {
    const future = requestExecute(
      {
        code,
        silent: true,
        store_history: false,
        allow_stdin: false,
        stop_on_error: false
      },
      true
    );
    future.onReply = reply => {
      if (reply.content.status !== 'ok') {
        console.warn(
          'jupyterlab-ocean: the kernel refused the bridge client:',
          reply.content
        );
      }
    };
    future.done.catch(() => undefined);
  }

  /**
   * Takes bridge prompts out of a future's stdin stream. The handler must
   * return at once: the kernel connection awaits it before handling the
   * next message, and a wallet dialog can take minutes.
   */
  private _filterStdin(
    kernel: Kernel.IKernelConnection,
    future: Kernel.IShellFuture<
      KernelMessage.IExecuteRequestMsg,
      KernelMessage.IExecuteReplyMsg
    >
  ): void {
    const accessor = findAccessor(future, 'onStdin');
    if (!accessor?.get || !accessor.set) {
      return;
    }
    const cellId = (future.msg.metadata as { cellId?: unknown } | undefined)
      ?.cellId;
    const origin: RequestOrigin = typeof cellId === 'string' ? { cellId } : {};
    const filter =
      (downstream: StdinHandler | undefined): StdinHandler =>
      msg => {
        if (
          msg.header.msg_type === 'input_request' &&
          isBridgePrompt((msg.content as { prompt?: unknown }).prompt)
        ) {
          this._receive(kernel, msg, origin);
          return;
        }
        return downstream?.(msg);
      };
    Object.defineProperty(future, 'onStdin', {
      configurable: true,
      enumerable: false,
      get: () => accessor.get!.call(future),
      set: (handler: StdinHandler) =>
        accessor.set!.call(future, filter(handler))
    });
    accessor.set.call(future, filter(undefined));
    void future.done
      .catch(() => undefined)
      .then(() =>
        this._bridge
          .session(kernel.id)
          .cancelOrigin(
            origin,
            'The cell finished (or was interrupted) before the request completed.'
          )
      );
  }

  private _receive(
    kernel: Kernel.IKernelConnection,
    msg: KernelMessage.IStdinMessage,
    origin: RequestOrigin
  ): void {
    if (this._ready) {
      void this._ready.then(() => this._receive(kernel, msg, origin));
      return;
    }
    const prompt = (msg.content as { prompt: string }).prompt;
    const session = this._bridge.session(kernel.id);
    this._lease.hold(kernel.id, requestIdOf(prompt), msg.header);
    const state = this._connections.get(kernel);
    if (state?.kind) {
      session.kernelKind = state.kind;
    }
    session.receive(
      prompt.slice(BRIDGE_PREFIX.length),
      text => {
        this._lease.release(kernel.id);
        if (!kernel.isDisposed) {
          kernel.sendInputReply(
            { status: 'ok', value: text },
            msg.header as KernelMessage.IInputReplyMsg['parent_header']
          );
        }
      },
      origin
    );
  }

  private _bridge: KernelBridge;
  private _sources: KernelSources;
  private _ready: Promise<void> | null;
  private _connections = new WeakMap<
    Kernel.IKernelConnection,
    IConnectionState
  >();
  private _kernels = new Map<string, Kernel.IKernelConnection>();
  private _lease: StdinLease;
  private _beat: ReturnType<typeof setInterval>;
  private _disposed = false;
}

/** localStorage, or null where the browser refuses it. */
function pageStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** The request id inside a bridge prompt, or '' when it cannot be read. */
function requestIdOf(prompt: string): string {
  try {
    const id = (
      JSON.parse(prompt.slice(BRIDGE_PREFIX.length)) as { id?: unknown }
    ).id;
    return typeof id === 'string' ? id : '';
  } catch {
    return '';
  }
}

function kindFromName(name: string): KernelKind | null {
  if (/python/i.test(name)) {
    return 'python';
  }
  if (/deno/i.test(name)) {
    return 'deno';
  }
  return null;
}

/** The property accessor `name` from `object` or its prototype chain. */
function findAccessor(
  object: object,
  name: string
): PropertyDescriptor | undefined {
  for (
    let proto: object | null = object;
    proto;
    proto = Object.getPrototypeOf(proto)
  ) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (descriptor) {
      return descriptor;
    }
  }
  return undefined;
}
