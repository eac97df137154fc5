/**
 * Pacing for the extension's own polling (indexer waits, job status).
 *
 * Real Ocean Nodes allow 30 requests a minute per IP by default and answer
 * 429 past that. Polls start quick (a local node indexes in about a second)
 * and slow down, and all polls to one node share a budget of
 * POLLS_PER_MINUTE in any minute, leaving the rest of the node's 30 for
 * what people do meanwhile (search, preview, buy).
 */
import {
  abortableSleep,
  NodeApi,
  noteRateLimit,
  rateLimitedUntil,
  retryAfterMs
} from './node-api';

export const POLLS_PER_MINUTE = 20;
const WINDOW_MS = 60_000;

/** Gaps between successive polls of one loop, then the last one repeats. */
const SCHEDULE_MS = [250, 500, 1000, 2000, 3000];

/** Recent poll times per node URL. */
const POLLS = new Map<string, number[]>();

export interface IPollOptions {
  signal?: AbortSignal;
  /** The least gap between this loop's polls (a caller's own interval). */
  minGapMs?: number;
  /** Told when a poll waits for the node's budget or its rate limit. */
  onWait?: (until: number) => void;
  /** For tests: the shared budget and its window. */
  perWindow?: number;
  windowMs?: number;
}

const keyOf = (nodeUrl: string) => nodeUrl.replace(/\/+$/, '');

/**
 * Waits until poll number `attempt` (0 first) of a loop may go to
 * `nodeUrl`, and counts it.
 */
export async function nextPoll(
  nodeUrl: string,
  attempt: number,
  options: IPollOptions = {}
): Promise<void> {
  const key = keyOf(nodeUrl);
  const perWindow = options.perWindow ?? POLLS_PER_MINUTE;
  const windowMs = options.windowMs ?? WINDOW_MS;
  const gap =
    attempt === 0
      ? 0
      : Math.max(
          SCHEDULE_MS[Math.min(attempt - 1, SCHEDULE_MS.length - 1)],
          options.minGapMs ?? 0
        );
  await sleep(gap, options.signal);
  for (;;) {
    const now = Date.now();
    const recent = (POLLS.get(key) ?? []).filter(at => now - at < windowMs);
    POLLS.set(key, recent);
    const limited = rateLimitedUntil(key);
    const budgetFree = recent.length < perWindow ? 0 : recent[0] + windowMs;
    const until = Math.max(limited, budgetFree);
    if (until <= now) {
      recent.push(now);
      return;
    }
    options.onWait?.(until);
    await sleep(until - now, options.signal);
  }
}

/** Notes a 429 a poll got, so the next polls wait for the node's window. */
export async function notePollAnswer(
  nodeUrl: string,
  response: Response | undefined
): Promise<void> {
  if (response?.status === 429) {
    const text = await response.text().catch(() => '');
    noteRateLimit(nodeUrl, retryAfterMs(response.headers, text));
  }
}

/**
 * Reads `did`'s DDO from the node, paced as nextPoll paces, until the node
 * has it and `check` (when given) holds; false when `timeoutMs` ran out.
 */
export async function pollDdo(
  nodeUrl: string,
  did: string,
  timeoutMs: number,
  check?: (ddo: any) => boolean
): Promise<boolean> {
  const node = new NodeApi(nodeUrl);
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    await nextPoll(nodeUrl, attempt);
    const response = await node.ddoResponse(did).catch(() => undefined);
    if (response?.ok && (!check || check(await response.json()))) {
      return true;
    }
    await notePollAnswer(nodeUrl, response);
  }
  return false;
}

/** No wait (and no abort check) for a gap already over, as before. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return ms <= 0 ? Promise.resolve() : abortableSleep(ms, signal);
}
