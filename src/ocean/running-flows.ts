/**
 * Multi-step flows (a purchase: approve, buy, order) that are running now,
 * and what to tell people when the network changes under one (issue 16
 * item 7). A switch is warned about before it happens (the market plugin's
 * network guard reads `running`); when it happens anyway, the run's error
 * says which transactions were sent on which network, whether each was
 * mined, and that running it again resumes (a datatoken already bought is
 * used, an order already paid is reused), instead of an ethers message.
 */
import { errorWords, OceanError } from '../errors';
import type {
  IOceanRunningFlow,
  IOceanNetwork,
  IOceanProgress,
  OceanProgressCallback
} from '../tokens';

/** What the run log knows of a transaction once the run stopped. */
export type SentState = 'mined' | 'failed' | 'not mined yet' | 'unknown';

/** The flows running now; each adds itself while it runs. */
export class RunningFlows {
  private _flows = new Set<IOceanRunningFlow>();

  get running(): ReadonlyArray<IOceanRunningFlow> {
    return [...this._flows];
  }

  /**
   * Runs `work` as a run on `network`: its progress callback records
   * every transaction hash it reports.
   */
  async run<T>(
    network: IOceanNetwork,
    what: string,
    onProgress: OceanProgressCallback,
    work: (
      run: IOceanRunningFlow,
      onProgress: OceanProgressCallback
    ) => Promise<T>
  ): Promise<T> {
    const run: IOceanRunningFlow = { network, what, sent: [] };
    const track = (progress: IOceanProgress) => {
      if (
        progress.txHash &&
        progress.step !== 'done' &&
        !run.sent.some(sent => sent.hash === progress.txHash)
      ) {
        run.sent.push({ step: progress.step, hash: progress.txHash });
      }
      onProgress(progress);
    };
    this._flows.add(run);
    try {
      return await work(run, track);
    } finally {
      this._flows.delete(run);
    }
  }
}

/**
 * One sent transaction, as a whole entry of the list in the error: the
 * step, its hash and its fate on the run's network.
 */
function sentEntry(step: string, hash: string, state: SentState): string {
  const fate: Record<SentState, string> = {
    mined: errorWords.__('mined'),
    failed: errorWords.__('failed'),
    'not mined yet': errorWords.__('not mined yet'),
    unknown: errorWords.__('unknown')
  };
  const entries: Record<string, string> = {
    approve: errorWords.__('approve %1 (%2)', hash, fate[state]),
    buy: errorWords.__('buy %1 (%2)', hash, fate[state]),
    dispense: errorWords.__('free datatoken %1 (%2)', hash, fate[state]),
    order: errorWords.__('order %1 (%2)', hash, fate[state])
  };
  // A step this list does not know by name: its own id (a code word).
  return entries[step] ?? `${step} ${hash} (${fate[state]})`;
}

/**
 * The error for a run that stopped because the network was switched
 * under it: what was done on which network, with hashes, and that a rerun
 * resumes. `states` holds each sent hash's fate on the run's own network.
 * Each outcome is one whole sentence (nothing sent, or the list of what was).
 */
export function switchedMidFlow(
  run: IOceanRunningFlow,
  now: IOceanNetwork,
  states: ReadonlyArray<SentState>,
  cause: unknown
): OceanError {
  const on = run.network.name;
  const done = run.sent.map((sent, i) =>
    sentEntry(sent.step, sent.hash, states[i] ?? 'unknown')
  );
  const message = done.length
    ? errorWords.__(
        'The network was switched to %1 while %2 on %3, so it stopped. Sent on %3 before it stopped: %4. Switch back to %3 and run it again: it resumes where it stopped (a datatoken already bought is used, an order already paid is reused, nothing is paid twice).',
        now.name,
        run.what,
        on,
        done.join(errorWords.__('; '))
      )
    : errorWords.__(
        'The network was switched to %1 while %2 on %3, so it stopped. Nothing was sent on %3. Switch back to %3 and run it again: it resumes where it stopped (a datatoken already bought is used, an order already paid is reused, nothing is paid twice).',
        now.name,
        run.what,
        on
      );
  return new OceanError('OCEAN_WRONG_NETWORK', message, {
    network: run.network.key,
    switchedTo: now.key,
    txHashes: run.sent.map(sent => sent.hash),
    cause: String((cause as Error)?.message ?? cause).slice(0, 300)
  });
}

/** Whether the active network is no longer the one the run started on. */
export function networkChanged(
  run: IOceanRunningFlow,
  active: IOceanNetwork
): boolean {
  return (
    active.key !== run.network.key || active.chainId !== run.network.chainId
  );
}
