/**
 * One kernel's side of the bridge: its pending requests (long polls over
 * stdin), request/reply parts, the account permission it was granted, and
 * the throttle that keeps a runaway loop from opening a thousand dialogs.
 *
 * It knows nothing of JupyterLab: the transport hands it message text and a
 * function that answers that one stdin request, which keeps it testable.
 */
import {
  BRIDGE_ERRORS,
  BRIDGE_MAX_MESSAGE_CHARS,
  BRIDGE_PROTOCOL_VERSION,
  errorData,
  formatReply,
  parseKernelMessage,
  splitReply,
  type BridgeReply,
  type BridgeRequestId,
  type IBridgeError,
  type IKernelWalletState,
  type KernelRequest
} from './protocol';
import { errorWords } from '../errors';

/** Answers one stdin input_request with the text of an input_reply. */
export type Responder = (text: string) => void;

/** Runs one hello/rpc/command request for a session. */
export type RequestRunner = (
  request: KernelRequest,
  session: KernelSession,
  progress: (message: string, fraction?: number) => void,
  /** Aborted when the request is cancelled (cell ended, kernel gone). */
  signal: AbortSignal,
  /** The execution that asked, as the transport described it (see RequestOrigin). */
  origin: RequestOrigin | null
) => Promise<BridgeReply>;

/**
 * The execution a request came from: an object whose identity ties the
 * request to its cell run (its end cancels the request), and the notebook
 * cell's id where the execute request carried one (JupyterLab sends it as
 * `metadata.cellId`), so commands can say which cell did what.
 */
export interface RequestOrigin {
  cellId?: string;
}

export interface IKernelSessionOptions {
  kernelId: string;
  run: RequestRunner;
  /** The wallet as the kernel may see it now. */
  state: (session: KernelSession) => IKernelWalletState;
  /** Rejected or unanswered prompts allowed per `throttleWindowMs` (default 5 per 10 s). */
  throttleLimit?: number;
  throttleWindowMs?: number;
  /**
   * The same over a longer time (default 20 per 5 minutes): a person who
   * takes a few seconds per dialog never trips the short window, so a loop
   * could keep them refusing dialogs for as long as it runs.
   */
  throttleLongLimit?: number;
  throttleLongWindowMs?: number;
  now?: () => number;
}

interface IPending {
  /** The stdin request currently held open for this id, if any. */
  responder: Responder | null;
  /** Replies waiting for the kernel's next `wait` or `more`. */
  queue: BridgeReply[];
  finished: boolean;
  /** The execution (cell) that asked; its end cancels the request. */
  origin: RequestOrigin | null;
  /** Closes the request's dialogs when it is cancelled. */
  controller: AbortController;
}

export class KernelSession {
  readonly kernelId: string;
  /**
   * The accounts the person shared with this kernel session (lower case).
   * Consent is per account, as in MetaMask: after the wallet switches to an
   * account this kernel was never shown, the kernel sees no account and its
   * next request asks again.
   */
  private _shared = new Set<string>();
  /** True once the person stopped this kernel session's requests (see stop). */
  stopped = false;
  /** The state the kernel last heard about, to send events only on change. */
  lastSentState: string | null = null;
  /** The kernel language, once it said hello or the transport knows it. */
  kernelKind: 'python' | 'deno' | null = null;

  /** Random, per session: what a notebook grant is tied to. */
  readonly id = globalThis.crypto.randomUUID();

  constructor(options: IKernelSessionOptions) {
    this.kernelId = options.kernelId;
    this._options = options;
  }

  /** True once the person shared some account with this kernel session. */
  get connected(): boolean {
    return this._shared.size > 0;
  }

  /** Whether the person shared `account` with this kernel session. */
  hasShared(account: string | null | undefined): boolean {
    return !!account && this._shared.has(account.toLowerCase());
  }

  /** Records that the person shared `account` (the one their dialog named). */
  share(account: string): void {
    this._shared.add(account.toLowerCase());
  }

  /** The accounts shared so far, in the order they were shared. */
  get sharedAccounts(): string[] {
    return [...this._shared];
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Aborts when the session ends (kernel restarted, notebook closed). */
  get ended(): AbortSignal {
    return this._ended.signal;
  }

  /** How many requests are in flight (waiting on the wallet or a command). */
  get pendingCount(): number {
    return this._pending.size;
  }

  /**
   * Handles the text of one bridge input_request (prefix removed). Exactly
   * one answer goes to `respond`, now or later; nothing here throws.
   */
  receive(
    text: string,
    respond: Responder,
    origin: RequestOrigin | null = null
  ): void {
    if (this._disposed) {
      respond(
        formatReply(
          this._error('', {
            code: BRIDGE_ERRORS.cancelled,
            message: errorWords.__(
              'The bridge for this kernel was closed (kernel restarted or notebook closed).'
            )
          })
        )
      );
      return;
    }
    const parsed = parseKernelMessage(text);
    if (!parsed.ok) {
      respond(formatReply(this._error(parsed.id, parsed.error)));
      return;
    }
    const message = parsed.message;
    switch (message.op) {
      case 'part':
        this._receivePart(
          message.id,
          message.data,
          message.last,
          respond,
          origin
        );
        return;
      case 'wait':
      case 'more': {
        const pending = this._pending.get(message.id);
        if (!pending) {
          respond(
            formatReply(
              this._error(message.id, {
                code: BRIDGE_ERRORS.badMessage,
                message: errorWords.__(
                  'No request %1 is waiting: it finished, was cancelled, or never existed.',
                  message.id
                )
              })
            )
          );
          return;
        }
        if (pending.responder) {
          // Out of order: a second poll for the same request. Answer the
          // older one so that no stdin request is left hanging.
          pending.responder(
            formatReply(
              this._error(message.id, {
                code: BRIDGE_ERRORS.badMessage,
                message: errorWords.__('A newer poll replaced this one.')
              })
            )
          );
        }
        pending.responder = respond;
        this._flush(message.id, pending);
        return;
      }
      default:
        this._start(message, respond, origin);
    }
  }

  /**
   * Counts a request that will open a dialog; false when the kernel asked
   * for too many in the window (the caller answers with a throttle error).
   */
  allowPrompt(): boolean {
    const now = (this._options.now ?? Date.now)();
    const window = this._options.throttleWindowMs ?? 10_000;
    const limit = this._options.throttleLimit ?? 5;
    const longWindow = this._options.throttleLongWindowMs ?? 5 * 60_000;
    const longLimit = this._options.throttleLongLimit ?? 20;
    this._prompts = this._prompts.filter(
      time => now - time < Math.max(window, longWindow)
    );
    const recent = this._prompts.filter(time => now - time < window).length;
    const lately = this._prompts.filter(time => now - time < longWindow).length;
    if (recent >= limit || lately >= longLimit) {
      return false;
    }
    this._prompts.push(now);
    return true;
  }

  /**
   * The person pressed "Stop requests from this notebook": this request and
   * every pending one end with `reason`, and every later prompt is refused
   * until the kernel restarts (a restart starts a new session).
   */
  stop(reason: string): void {
    this.stopped = true;
    this.cancelAll(reason);
  }

  /**
   * Gives back the latest count of allowPrompt: the person approved the
   * request (not a runaway), or the wallet refused it outright and no
   * dialog opened. Only rejected and unanswered prompts stay counted.
   */
  forgetPrompt(): void {
    this._prompts.pop();
  }

  /** The wallet as this kernel may see it. */
  state(): IKernelWalletState {
    return this._options.state(this);
  }

  /**
   * Drops every pending request: the kernel restarted, died or its
   * notebook closed. Results that arrive later are discarded.
   */
  cancelAll(reason: string): void {
    for (const [id, pending] of this._pending) {
      pending.finished = true;
      pending.controller.abort();
      pending.responder?.(
        formatReply(
          this._error(id, { code: BRIDGE_ERRORS.cancelled, message: reason })
        )
      );
    }
    this._pending.clear();
    this._parts.clear();
  }

  /** Drops the requests one execution made, once that execution ended. */
  cancelOrigin(origin: RequestOrigin, reason: string): void {
    for (const [id, pending] of this._pending) {
      if (pending.origin === origin) {
        pending.finished = true;
        pending.controller.abort();
        pending.responder?.(
          formatReply(
            this._error(id, { code: BRIDGE_ERRORS.cancelled, message: reason })
          )
        );
        this._pending.delete(id);
      }
    }
  }

  dispose(reason = 'The kernel session ended.'): void {
    if (this._disposed) {
      return;
    }
    this.cancelAll(reason);
    this._shared.clear();
    this._disposed = true;
    this._ended.abort();
  }

  private _start(
    message: KernelRequest,
    respond: Responder,
    origin: RequestOrigin | null
  ): void {
    if (this._pending.has(message.id)) {
      respond(
        formatReply(
          this._error(message.id, {
            code: BRIDGE_ERRORS.badMessage,
            message: errorWords.__('Request %1 is already running.', message.id)
          })
        )
      );
      return;
    }
    const pending: IPending = {
      responder: respond,
      queue: [],
      finished: false,
      origin,
      controller: new AbortController()
    };
    this._pending.set(message.id, pending);
    const progress = (text: string, fraction?: number) => {
      if (pending.finished) {
        return;
      }
      // Only the latest progress matters: replace one not yet delivered.
      pending.queue = pending.queue.filter(r => r.status !== 'progress');
      pending.queue.push({
        v: BRIDGE_PROTOCOL_VERSION,
        id: message.id,
        status: 'progress',
        message: String(text).slice(0, 500),
        fraction:
          typeof fraction === 'number' && Number.isFinite(fraction)
            ? Math.min(1, Math.max(0, fraction))
            : undefined
      });
      this._flush(message.id, pending);
    };
    this._options
      .run(message, this, progress, pending.controller.signal, origin)
      .catch(error => this._error(message.id, toBridgeError(error)))
      .then(reply => {
        if (pending.finished || this._disposed) {
          return;
        }
        pending.finished = true;
        pending.queue = pending.queue.filter(r => r.status !== 'progress');
        pending.queue.push(...splitReply({ ...reply, id: message.id }));
        this._flush(message.id, pending);
      });
  }

  private _flush(id: BridgeRequestId, pending: IPending): void {
    const responder = pending.responder;
    const next = pending.queue.shift();
    if (!responder || !next) {
      if (next) {
        pending.queue.unshift(next);
      }
      return;
    }
    pending.responder = null;
    if (
      pending.finished &&
      pending.queue.length === 0 &&
      this._pending.get(id) === pending
    ) {
      this._pending.delete(id);
    }
    const state = this.state();
    this.lastSentState = JSON.stringify(state);
    responder(formatReply({ ...next, state }));
  }

  private _receivePart(
    id: BridgeRequestId,
    data: string,
    last: boolean,
    respond: Responder,
    origin: RequestOrigin | null
  ): void {
    const parts = this._parts.get(id) ?? { chunks: [], size: 0 };
    parts.chunks.push(data);
    parts.size += data.length;
    if (parts.size > BRIDGE_MAX_MESSAGE_CHARS) {
      this._parts.delete(id);
      respond(
        formatReply(
          this._error(id, {
            code: BRIDGE_ERRORS.tooLarge,
            message: errorWords.__(
              'The request is larger than %1 characters; send less data at once.',
              BRIDGE_MAX_MESSAGE_CHARS
            )
          })
        )
      );
      return;
    }
    if (!last) {
      this._parts.set(id, parts);
      respond(formatReply({ v: BRIDGE_PROTOCOL_VERSION, id, status: 'ack' }));
      return;
    }
    this._parts.delete(id);
    const whole = parts.chunks.join('');
    const parsed = parseKernelMessage(whole);
    if (!parsed.ok) {
      respond(formatReply(this._error(id, parsed.error)));
      return;
    }
    if (
      parsed.message.op === 'part' ||
      parsed.message.op === 'wait' ||
      parsed.message.op === 'more'
    ) {
      respond(
        formatReply(
          this._error(id, {
            code: BRIDGE_ERRORS.badMessage,
            message: errorWords.__(
              'Parts may only carry a hello, rpc or command request.'
            )
          })
        )
      );
      return;
    }
    this._start(parsed.message, respond, origin);
  }

  private _error(id: BridgeRequestId, error: IBridgeError): BridgeReply {
    return { v: BRIDGE_PROTOCOL_VERSION, id, status: 'error', error };
  }

  private _options: IKernelSessionOptions;
  private _pending = new Map<BridgeRequestId, IPending>();
  private _parts = new Map<
    BridgeRequestId,
    { chunks: string[]; size: number }
  >();
  private _prompts: number[] = [];
  private _disposed = false;
  private _ended = new AbortController();
}

/**
 * Any thrown thing as the kernel will raise it: EIP-1193 and OCEAN_* codes
 * pass through; ethers' ACTION_REJECTED becomes 4001; the rest becomes a
 * command failure with the error's own sentence.
 */
export function toBridgeError(error: unknown): IBridgeError {
  const value = error as {
    code?: unknown;
    message?: unknown;
    details?: unknown;
    data?: unknown;
  };
  const message =
    typeof value?.message === 'string' && value.message
      ? value.message.slice(0, 2000)
      : String(error).slice(0, 2000);
  if (value?.code === 'ACTION_REJECTED') {
    return { code: 4001, message };
  }
  if (
    (typeof value?.code === 'number' && Number.isInteger(value.code)) ||
    (typeof value?.code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(value.code))
  ) {
    // OceanError says `details`; the kernels read EIP-1193's `data`.
    const data =
      value.data !== undefined ? value.data : errorData(value.details);
    return data === undefined
      ? { code: value.code as number | string, message }
      : { code: value.code as number | string, message, data };
  }
  return { code: BRIDGE_ERRORS.commandFailed, message };
}
