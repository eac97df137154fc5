import type { IOceanNetwork } from '../tokens';
import { OceanError } from '../errors';

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
      }
    | { reachable: false; error: OceanError };
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
  const signal = AbortSignal.timeout(options.timeoutMs ?? 4000);

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
            `${network.name} is set to chain ${network.chainId}, but its RPC URL answers as chain ${chainId}. Check the network's settings.`,
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
          `The chain of ${network.name} does not answer at ${network.rpcUrl}.` +
            (network.key === 'local' ? ' Is `npm start` running?' : ''),
          { cause: String(error) }
        )
      };
    }
  })();

  const node = (async (): Promise<INetworkStatus['node']> => {
    try {
      const response = await fetchImpl(new URL('/', network.nodeUrl).href, {
        signal
      });
      if (!response.ok) {
        throw new Error(`HTTP ${response.status}`);
      }
      const body = (await response.json()) as {
        providerAddress?: unknown;
        chainIds?: unknown;
        version?: unknown;
      };
      if (typeof body.providerAddress !== 'string') {
        throw new Error('the answer is not an Ocean Node description');
      }
      return {
        reachable: true,
        providerAddress: body.providerAddress,
        chainIds: Array.isArray(body.chainIds) ? body.chainIds.map(Number) : [],
        version: typeof body.version === 'string' ? body.version : undefined
      };
    } catch (error) {
      return {
        reachable: false,
        error: new OceanError(
          'OCEAN_NODE_UNREACHABLE',
          `The Ocean Node of ${network.name} does not answer at ${network.nodeUrl}.`,
          { cause: String(error) }
        )
      };
    }
  })();

  return { chain: await chain, node: await node };
}
