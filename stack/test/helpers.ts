/**
 * Test fixtures for the local Ocean network.
 *
 * Every fixture listens on a free port (port 0) and writes into its own temp
 * directory, so tests never clash with a running `npm start` (8545, 8001,
 * 8002) or with each other.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { ACCOUNTS } from '../src/accounts.ts';
import { startChain, type RunningChain } from '../src/chain.ts';
import {
  deployContracts,
  DEVELOPMENT_NETWORK,
  type DevelopmentAddresses
} from '../src/deploy.ts';

export { ACCOUNTS };

/** main.ts's flags for a stack on free ports: its own, clashing with nothing. */
export const ANY_FREE_PORTS = [
  '--chain-port',
  '0',
  '--node-port',
  '0',
  '--faucet-port',
  '0',
  '--files-port',
  '0'
];

export interface TestChain {
  rpcUrl: string;
  chainId: 8996;
  /** The running chain (in-process provider, stop()). */
  chain: RunningChain;
  /** A temp directory owned by this fixture; removed on stop(). */
  dir: string;
  /** `<dir>/address.json`, the lib's ADDRESS_FILE format. */
  addressFile: string;
  /** The `development` entry of the address file. */
  addresses: DevelopmentAddresses;
  stop(): Promise<void>;
}

/** Starts a dev chain on a free port, deploys Ocean's contracts, writes the address file. */
export async function startTestChain(): Promise<TestChain> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ocean-stack-test-'));
  const chain = await startChain({ host: '127.0.0.1', port: 0 });
  try {
    const addressFile = path.join(dir, 'address.json');
    const content = await deployContracts(chain.rpcUrl, addressFile);
    return {
      rpcUrl: chain.rpcUrl,
      chainId: chain.chainId,
      chain,
      dir,
      addressFile,
      addresses: content[DEVELOPMENT_NETWORK] as DevelopmentAddresses,
      async stop() {
        await chain.stop();
        await rm(dir, { recursive: true, force: true });
      }
    };
  } catch (error) {
    await chain.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Runs `fn` with a fresh chain + contracts and always tears them down. */
export async function withChain<T>(
  fn: (testChain: TestChain) => Promise<T>
): Promise<T> {
  const testChain = await startTestChain();
  try {
    return await fn(testChain);
  } finally {
    await testChain.stop();
  }
}

/** A TCP port that was free a moment ago on 127.0.0.1 (for servers that cannot take port 0). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Sends one JSON-RPC call over HTTP and returns its result (throws on an RPC error). */
export async function rpc(
  rpcUrl: string,
  method: string,
  params: unknown[] = []
): Promise<unknown> {
  const response = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })
  });
  const body = (await response.json()) as {
    result?: unknown;
    error?: { message: string };
  };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}
