/**
 * Requests per minute per client IP, as Ocean Node counts them (30 by default). A fixed window
 * per address: simple to reason about and it refuses with the same sentence a real node sends,
 * so a client's polling loop meets the same limit here as on the network.
 */

/** Ocean Node's default (its MAX_REQ_PER_MINUTE). */
export const REAL_NODE_REQUESTS_PER_MINUTE = 30;

export const RATE_LIMIT_MESSAGE =
  'Rate limit exceeded. Try again in 60 seconds.';

const WINDOW_MS = 60_000;

interface Window {
  startedAt: number;
  count: number;
}

export class RateLimiter {
  readonly perMinute: number;
  readonly #windows = new Map<string, Window>();

  /** `perMinute` of 0 (or Infinity) turns the limit off. */
  constructor(perMinute: number) {
    if (!(perMinute >= 0)) throw new RangeError('perMinute must be >= 0.');
    this.perMinute = perMinute;
  }

  /**
   * Counts one request from `client`. Returns 0 when it may go on, else the seconds until its
   * window ends (for Retry-After).
   */
  take(client: string, now = Date.now()): number {
    if (this.perMinute === 0 || this.perMinute === Infinity) return 0;
    let window = this.#windows.get(client);
    if (!window || now - window.startedAt >= WINDOW_MS) {
      // Forget finished windows now and then, so a scan of many addresses cannot grow the map.
      if (this.#windows.size > 10_000) this.#sweep(now);
      window = { startedAt: now, count: 0 };
      this.#windows.set(client, window);
    }
    window.count += 1;
    if (window.count <= this.perMinute) return 0;
    return Math.max(1, Math.ceil((window.startedAt + WINDOW_MS - now) / 1000));
  }

  #sweep(now: number): void {
    for (const [client, window] of this.#windows)
      if (now - window.startedAt >= WINDOW_MS) this.#windows.delete(client);
  }
}
