/**
 * Transactions told as they go: the wallet's activity log, with one notice
 * (notices.ts) for all the account's transactions waiting for the chain.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import {
  ActivityLog,
  type IActivityEntry,
  type IActivityStorage
} from './activity';
import type { NoticeBoard } from './notices';

/** The topic of the transactions' notice. */
export const TX_TOPIC = 'transaction';

/**
 * The activity log, also telling the person how their transactions go: one
 * notice for all of them (notices.ts), in progress while any is waiting for
 * the chain and ending as the last one ends, confirmed or failed.
 */
export class NoticedActivityLog extends ActivityLog {
  /** hash → summary of the transactions still waiting. */
  private _waiting = new Map<string, string>();
  /** Summaries whose end this log told (the wallet's own toast is then not needed). */
  private _told = new Set<string>();

  constructor(
    storage: IActivityStorage,
    private readonly _board: NoticeBoard,
    private readonly _trans: TranslationBundle
  ) {
    super(storage);
  }

  add(entry: IActivityEntry): Promise<void> {
    if (!entry.signature && entry.status === 'pending') {
      this._waiting.set(entry.hash, entry.summary);
      this._tellWaiting();
    }
    return super.add(entry);
  }

  setStatus(
    chainId: number,
    account: string,
    hash: string,
    status: IActivityEntry['status']
  ): Promise<void> {
    const summary = this._waiting.get(hash);
    if (summary !== undefined && status !== 'pending') {
      this._waiting.delete(hash);
      this._told.add(summary);
      const ended =
        status === 'confirmed'
          ? this._trans.__('Confirmed: %1', summary)
          : this._trans.__('Failed on chain: %1', summary);
      if (status === 'failed') this._board.show(TX_TOPIC, 'error', ended);
      else if (this._waiting.size > 0) this._tellWaiting(ended);
      else this._board.show(TX_TOPIC, 'success', ended);
    }
    return super.setStatus(chainId, account, hash, status);
  }

  /** Whether this log already told how the transaction `summary` ended. */
  told(message: string): boolean {
    for (const summary of this._told)
      if (message.endsWith(summary)) return true;
    return false;
  }

  private _tellWaiting(before?: string): void {
    const summaries = [...this._waiting.values()];
    const latest = summaries[summaries.length - 1];
    const waiting =
      summaries.length > 1
        ? this._trans._n(
            'Waiting for the chain: %2 (and %1 more)',
            'Waiting for the chain: %2 (and %1 more)',
            summaries.length - 1,
            latest
          )
        : this._trans.__('Waiting for the chain: %1', latest);
    this._board.working(TX_TOPIC, before ? `${before}. ${waiting}` : waiting);
  }
}
