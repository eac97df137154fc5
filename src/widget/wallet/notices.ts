/**
 * The extension's toasts, kept few and always ending (issue 16 item 11).
 *
 * Every notice has a topic: a second notice of the same topic updates the
 * first one in place instead of stacking another toast, and at most
 * MAX_NOTICES of ours are ever in the lab's notification list (the oldest
 * goes). A notice that is not in progress closes by itself, and once it
 * has, it is dismissed from the list too, so the status bar's bell does not
 * count old news. A progress notice stays until its end state (success or
 * error) replaces it.
 *
 * It stands on JupyterLab's NotificationManager (`Notification.manager` in
 * the lab), taken as a parameter so that this file loads without a DOM.
 */
import type { NotificationManager } from '@jupyterlab/apputils';

export type NoticeKind = 'success' | 'error' | 'info' | 'warning';

/** The most toasts of ours at once. */
export const MAX_NOTICES = 3;

/** How long each kind stays up, in milliseconds. */
export const NOTICE_CLOSE_MS: Record<NoticeKind, number> = {
  success: 5000,
  info: 5000,
  warning: 8000,
  error: 8000
};

export interface INoticeLink {
  label: string;
  url: string;
}

/** A progress notice's end: call once, with how it ended. */
export interface INoticeProgress {
  end(kind: NoticeKind, message: string, link?: INoticeLink): void;
}

type Manager = Pick<
  NotificationManager,
  'notify' | 'update' | 'dismiss' | 'notifications'
>;

export class NoticeBoard {
  /** topic → the id of its notice in the manager, oldest first. */
  private _ids = new Map<string, string>();
  private _timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly _manager: Manager) {}

  /** Topics of ours that still have a notice in the lab's list. */
  get topics(): string[] {
    this._forgetGone();
    return [...this._ids.keys()];
  }

  /** Shows (or updates the notice of) `topic`; it closes by itself. */
  show(
    topic: string,
    kind: NoticeKind,
    message: string,
    link?: INoticeLink
  ): void {
    this._put(topic, kind, message, link);
  }

  /** A notice of `topic` that stays until the topic's next notice. */
  working(topic: string, message: string): void {
    this._put(topic, 'in-progress', message);
  }

  /**
   * A notice that stays while something runs; `end` turns it into its
   * success or error, which then closes by itself.
   */
  progress(topic: string, message: string): INoticeProgress {
    const id = this._put(topic, 'in-progress', message);
    return {
      end: (kind, text, link) => {
        // The topic may have been taken over by a newer notice (or gone):
        // the end state is still worth a toast of its own topic.
        if (this._ids.get(topic) === id) this._put(topic, kind, text, link);
        else this._put(`${topic}:end`, kind, text, link);
      }
    };
  }

  private _put(
    topic: string,
    kind: NoticeKind | 'in-progress',
    message: string,
    link?: INoticeLink
  ): string {
    this._forgetGone();
    const autoClose = kind === 'in-progress' ? false : NOTICE_CLOSE_MS[kind];
    const actions = link
      ? [
          {
            label: link.label,
            callback: () => window.open(link.url, '_blank', 'noopener')
          }
        ]
      : [];
    const existing = this._ids.get(topic);
    let id: string;
    if (
      existing &&
      this._manager.update({
        id: existing,
        message,
        type: kind,
        autoClose,
        actions
      })
    ) {
      id = existing;
      // Most recent last: an updated topic is the newest.
      this._ids.delete(topic);
    } else {
      id = this._manager.notify(message, kind, { autoClose, actions });
    }
    this._ids.set(topic, id);
    this._clearTimer(topic);
    if (autoClose !== false) {
      // The toast hides itself; take it out of the list once it has.
      this._timers.set(
        topic,
        setTimeout(() => {
          this._timers.delete(topic);
          if (this._ids.get(topic) === id) {
            this._ids.delete(topic);
            this._manager.dismiss(id);
          }
        }, autoClose + 500)
      );
    }
    while (this._ids.size > MAX_NOTICES) {
      const [oldest, oldestId] = this._ids.entries().next().value!;
      this._ids.delete(oldest);
      this._clearTimer(oldest);
      this._manager.dismiss(oldestId);
    }
    return id;
  }

  private _clearTimer(topic: string): void {
    const timer = this._timers.get(topic);
    if (timer !== undefined) clearTimeout(timer);
    this._timers.delete(topic);
  }

  /** Drops topics whose notice the person (or the lab) dismissed. */
  private _forgetGone(): void {
    const live = new Set(this._manager.notifications.map(n => n.id));
    for (const [topic, id] of this._ids) {
      if (!live.has(id)) {
        this._ids.delete(topic);
        this._clearTimer(topic);
      }
    }
  }
}

const boards = new WeakMap<object, NoticeBoard>();

/** The one board for a manager (the lab's: `Notification.manager`). */
export function noticeBoard(manager: Manager): NoticeBoard {
  let board = boards.get(manager);
  if (!board) {
    board = new NoticeBoard(manager);
    boards.set(manager, board);
  }
  return board;
}
