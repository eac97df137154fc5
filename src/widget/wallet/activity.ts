/**
 * Transactions the wallet sent, per account and chain: pending, then
 * confirmed or failed. Persisted so a reload keeps the list.
 */
import { Signal, type ISignal } from '@lumino/signaling';

export interface IActivityEntry {
  hash: string;
  chainId: number;
  account: string;
  summary: string;
  status: 'pending' | 'confirmed' | 'failed';
  /** Epoch milliseconds the transaction was sent. */
  time: number;
  /** Who asked (requester label). */
  requester: string;
  /** Link to the explorer, when the network has one. */
  explorerUrl?: string;
  /** Signed without a dialog under this notebook grant (its words). */
  grant?: string;
  /** A signed Ocean Node request rather than a transaction (`hash` is the signed hash). */
  signature?: boolean;
}

export interface IActivityStorage {
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T): Promise<void>;
}

const MAX_ENTRIES = 100;

function keyOf(chainId: number, account: string): string {
  return `${chainId}:${account.toLowerCase()}`;
}

/** An explorer link for a transaction, only for http(s) explorers. */
export function explorerTxUrl(
  explorerUrl: string | undefined,
  hash: string
): string | undefined {
  if (!explorerUrl || !/^https?:\/\//i.test(explorerUrl)) {
    return undefined;
  }
  return `${explorerUrl.replace(/\/+$/, '')}/tx/${hash}`;
}

export class ActivityLog {
  private _changed = new Signal<ActivityLog, void>(this);
  // Writes to one key are chained so concurrent updates do not lose entries.
  private _queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly _storage: IActivityStorage) {}

  get changed(): ISignal<ActivityLog, void> {
    return this._changed;
  }

  async list(chainId: number, account: string): Promise<IActivityEntry[]> {
    await this._queue;
    return (
      (await this._storage.get<IActivityEntry[]>(keyOf(chainId, account))) ?? []
    );
  }

  add(entry: IActivityEntry): Promise<void> {
    return this._update(entry.chainId, entry.account, entries => [
      entry,
      ...entries.filter(e => e.hash !== entry.hash)
    ]);
  }

  setStatus(
    chainId: number,
    account: string,
    hash: string,
    status: IActivityEntry['status']
  ): Promise<void> {
    return this._update(chainId, account, entries =>
      entries.map(e => (e.hash === hash ? { ...e, status } : e))
    );
  }

  private _update(
    chainId: number,
    account: string,
    change: (entries: IActivityEntry[]) => IActivityEntry[]
  ): Promise<void> {
    const key = keyOf(chainId, account);
    const next = this._queue.then(async () => {
      const entries =
        (await this._storage.get<IActivityEntry[]>(key)) ??
        ([] as IActivityEntry[]);
      await this._storage.set(key, change(entries).slice(0, MAX_ENTRIES));
      this._changed.emit();
    });
    this._queue = next.catch(() => undefined);
    return next;
  }
}
