/**
 * Who answers a kernel's open bridge prompt, across page reloads.
 *
 * Why: a kernel waiting on a bridge prompt blocks on its stdin until an
 * input_reply comes. If the page that holds the prompt is reloaded or
 * closed, nothing ever answers: the kernel stays busy, later cells sit at
 * `[*]`, and only Interrupt helps. So each page notes the prompts it holds
 * in localStorage (the prompt's header, its request id, the page and a
 * heartbeat every HEARTBEAT_MS); a page that watches the same kernel and
 * finds a note whose page has stopped beating answers the prompt itself
 * with a cancellation the cell shows as one sentence. A note whose page
 * still beats (another tab that is alive) is left alone.
 *
 * Nothing secret is stored: a message header and a request id.
 */
import {
  BRIDGE_ERRORS,
  BRIDGE_PROTOCOL_VERSION,
  formatReply
} from './protocol';

/** How often a page renews the notes of the prompts it holds. */
export const HEARTBEAT_MS = 2_000;
/** A note this much older than its last beat belongs to a gone page. */
export const STALE_MS = 3 * HEARTBEAT_MS;

const KEY_PREFIX = 'jupyterlab-ocean:bridge-prompt:';

/** The note kept for one kernel's open prompt. */
export interface IPromptNote {
  page: string;
  beat: number;
  requestId: string;
  header: unknown;
}

/** The storage the notes live in (localStorage in the browser). */
export interface INoteStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** What a cancelled prompt's cell is told. */
export const ORPHANED_MESSAGE =
  'The page that was handling this wallet request was reloaded or closed before it finished, so nothing was signed or sent. Run the cell again.';

export class StdinLease {
  constructor(
    private readonly _store: INoteStore | null,
    private readonly _now: () => number = Date.now,
    readonly page: string = Math.random().toString(36).slice(2)
  ) {}

  /** This page holds `kernelId`'s prompt (`header`, for request `requestId`). */
  hold(kernelId: string, requestId: string, header: unknown): void {
    this._held.add(kernelId);
    this._write(kernelId, {
      page: this.page,
      beat: this._now(),
      requestId,
      header
    });
  }

  /** This page answered `kernelId`'s prompt. */
  release(kernelId: string): void {
    this._held.delete(kernelId);
    const note = this.read(kernelId);
    if (!note || note.page === this.page) {
      this._remove(kernelId);
    }
  }

  /** Renews the notes of every prompt this page holds. */
  beat(): void {
    for (const kernelId of this._held) {
      const note = this.read(kernelId);
      if (note && note.page === this.page) {
        this._write(kernelId, { ...note, beat: this._now() });
      }
    }
  }

  /**
   * The note of a prompt of `kernelId` that another page held and no longer
   * answers (removed from storage: one page cancels it, once), or null.
   */
  takeOrphan(kernelId: string): IPromptNote | null {
    const note = this.read(kernelId);
    if (
      !note ||
      note.page === this.page ||
      this._now() - note.beat < STALE_MS
    ) {
      return null;
    }
    this._remove(kernelId);
    return note;
  }

  read(kernelId: string): IPromptNote | null {
    try {
      const text = this._store?.getItem(KEY_PREFIX + kernelId);
      const note = text ? (JSON.parse(text) as IPromptNote) : null;
      return note &&
        typeof note.page === 'string' &&
        typeof note.beat === 'number'
        ? note
        : null;
    } catch {
      return null;
    }
  }

  private _write(kernelId: string, note: IPromptNote): void {
    try {
      this._store?.setItem(KEY_PREFIX + kernelId, JSON.stringify(note));
    } catch {
      // Storage full or refused (private mode): reloads then wedge as
      // before, which Interrupt still ends; nothing else depends on it.
    }
  }

  private _remove(kernelId: string): void {
    try {
      this._store?.removeItem(KEY_PREFIX + kernelId);
    } catch {
      // As in _write.
    }
  }

  private _held = new Set<string>();
}

/** The input_reply text that ends an orphaned prompt with a cancellation. */
export function orphanedReply(requestId: string): string {
  return formatReply({
    v: BRIDGE_PROTOCOL_VERSION,
    id: requestId,
    status: 'error',
    error: { code: BRIDGE_ERRORS.cancelled, message: ORPHANED_MESSAGE }
  });
}
