import type { IOceanNetwork } from '../tokens';
import { errorWords, OceanError } from '../errors';
import { clockTime, NodeApi, rateLimitedUntil } from './node-api';

/** A node that answered 429: it is up, and refuses to be asked until `until`. */
export interface INodeRateLimit {
  /** When the node takes requests again (ms since the epoch). */
  until: number;
  /** What to tell people, with the time of the next check. */
  message: string;
}

/** What a quick look at a network found. */
export interface INetworkStatus {
  chain:
    | { reachable: true; chainId: number; blockNumber: number }
    | { reachable: false; error: OceanError };
  node:
    | {
        reachable: true;
        providerAddress: string;
        chainIds: number[];
        version?: string;
        rateLimited?: undefined;
      }
    | {
        // A 429 is a node that is up and busy, not one that is down. What it
        // said of itself last time (if it did) is kept.
        reachable: true;
        providerAddress?: string;
        chainIds: number[];
        version?: string;
        rateLimited: INodeRateLimit;
      }
    | { reachable: false; error: OceanError };
}

/** What each node (by URL) last said of itself, for while it rate-limits us. */
const LAST_IDENTITY = new Map<
  string,
  { providerAddress: string; chainIds: number[]; version?: string }
>();

/** The rate-limited state, saying when the node will be asked again. */
function rateLimitedStatus(
  network: IOceanNetwork,
  until: number
): INetworkStatus['node'] {
  const seconds = Math.max(1, Math.ceil((until - Date.now()) / 1000));
  const known = LAST_IDENTITY.get(network.nodeUrl.replace(/\/+$/, ''));
  return {
    reachable: true,
    chainIds: known?.chainIds ?? [],
    providerAddress: known?.providerAddress,
    version: known?.version,
    rateLimited: {
      until,
      message: errorWords.__(
        'The Ocean Node of %1 is up, but it is limiting how often it may be asked (real nodes allow 30 requests a minute). It is not asked again before %2 (in %3 s).',
        network.name,
        clockTime(until),
        seconds
      )
    }
  };
}

type Fetch = typeof fetch;

async function rpc(
  url: string,
  method: string,
  fetchImpl: Fetch,
  signal: AbortSignal
): Promise<unknown> {
  const response = await fetchImpl(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: [] }),
    signal
  });
  if (!response.ok) {
    throw new Error(`HTTP ${response.status}`);
  }
  const body = (await response.json()) as {
    result?: unknown;
    error?: { message?: string };
  };
  if (body.error) {
    throw new Error(body.error.message ?? 'JSON-RPC error');
  }
  return body.result;
}

/**
 * Ask the chain for its id and height, and the Ocean Node for its identity.
 * Both run side by side and each failure is reported on its own, so the
 * panel can say precisely which half is down.
 */
export async function probeNetwork(
  network: IOceanNetwork,
  options: { timeoutMs?: number; fetchImpl?: Fetch } = {}
): Promise<INetworkStatus> {
  const fetchImpl = options.fetchImpl ?? fetch.bind(globalThis);
  const timeoutMs = options.timeoutMs ?? 4000;
  const signal = AbortSignal.timeout(timeoutMs);

  const chain = (async (): Promise<INetworkStatus['chain']> => {
    try {
      const [chainIdHex, blockHex] = await Promise.all([
        rpc(network.rpcUrl, 'eth_chainId', fetchImpl, signal),
        rpc(network.rpcUrl, 'eth_blockNumber', fetchImpl, signal)
      ]);
      const chainId = Number(BigInt(chainIdHex as string));
      if (chainId !== network.chainId) {
        return {
          reachable: false,
          error: new OceanError(
            'OCEAN_CHAIN_MISMATCH',
            errorWords.__(
              "%1 is set to chain %2, but its RPC URL answers as chain %3. Check the network's settings.",
              network.name,
              network.chainId,
              chainId
            ),
            { expected: network.chainId, actual: chainId }
          )
        };
      }
      return {
        reachable: true,
        chainId,
        blockNumber: Number(BigInt(blockHex as string))
      };
    } catch (error) {
      return {
        reachable: false,
        error: new OceanError(
          'OCEAN_NETWORK_UNREACHABLE',
          network.key === 'local'
            ? errorWords.__(
                'The chain of %1 does not answer at %2. Is `npm start` running?',
                network.name,
                network.rpcUrl
              )
            : errorWords.__(
                'The chain of %1 does not answer at %2.',
                network.name,
                network.rpcUrl
              ),
          { cause: String(error) }
        )
      };
    }
  })();

  const node = (async (): Promise<INetworkStatus['node']> => {
    // Through the node door, so a 429 seen by any caller in this page (or
    // here) holds every check back until the node's window ends: asking
    // earlier would only extend it.
    const api = new NodeApi(network.nodeUrl, {
      fetchImpl,
      timeoutMs,
      maxRateLimitWaitMs: 0
    });
    const until = rateLimitedUntil(api.url);
    if (until) {
      return rateLimitedStatus(network, until);
    }
    try {
      const body = await api.json<{
        providerAddress?: unknown;
        chainIds?: unknown;
        version?: unknown;
      }>('/');
      if (typeof body?.providerAddress !== 'string') {
        throw new Error('the answer is not an Ocean Node description');
      }
      const identity = {
        providerAddress: body.providerAddress,
        chainIds: Array.isArray(body.chainIds) ? body.chainIds.map(Number) : [],
        version: typeof body.version === 'string' ? body.version : undefined
      };
      LAST_IDENTITY.set(api.url, identity);
      return { reachable: true, ...identity };
    } catch (error) {
      if (error instanceof OceanError && error.code === 'OCEAN_RATE_LIMITED') {
        return rateLimitedStatus(
          network,
          rateLimitedUntil(api.url) || Date.now() + 60_000
        );
      }
      return {
        reachable: false,
        error: new OceanError(
          'OCEAN_NODE_UNREACHABLE',
          errorWords.__(
            'The Ocean Node of %1 does not answer at %2.',
            network.name,
            network.nodeUrl
          ),
          { cause: String(error) }
        )
      };
    }
  })();

  return { chain: await chain, node: await node };
}
