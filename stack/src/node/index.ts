/**
 * jupyterlab-ocean's own Ocean Node: the HTTP API of oceanprotocol/ocean-node (Provider and
 * Aquarius routes, auth tokens, node storage) backed by SQLite and an indexer that follows one
 * chain, so that unmodified @oceanprotocol/lib works against it offline.
 *
 *   const node = await startOceanNode({ rpcUrl, chainId: 8996, addressFile, dataDir, privateKey })
 *   // node.url === 'http://127.0.0.1:8001'
 *   await node.stop()
 *
 * Compute-to-data (compute-routes.ts, compute-engine.ts) registers on the same Router with the
 * same NodeContext and runs JS/TS algorithms in a Deno sandbox (compute-sandbox.ts).
 */
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { registerAquariusRoutes } from './aquarius-routes.js';
import {
  DEFAULT_AUTH_TOKEN_LIFETIME_MS,
  MAX_AUTH_TOKEN_LIFETIME_MS
} from './auth.js';
import { ComputeEngine, type ComputeOptions } from './compute-engine.js';
import { registerComputeRoutes } from './compute-routes.js';
import { loadAddresses, makeProvider } from './chain.js';
import type { NodeContext } from './context.js';
import { NodeKeys } from './crypto.js';
import { NodeDatabase } from './db.js';
import { Router } from './http.js';
import { Indexer } from './indexer.js';
import { registerNetworkRoutes } from './network-routes.js';
import { registerProviderRoutes } from './provider-routes.js';
import { RateLimiter, REAL_NODE_REQUESTS_PER_MINUTE } from './rate-limit.js';
import { FileFetcher, type FileFetchLimits } from './file-fetch.js';
import { FileStore } from './storage.js';

export { SERVICE_ENDPOINTS } from './provider-routes.js';

export interface OceanNodeOptions {
  rpcUrl: string;
  chainId?: number;
  /** Ocean's address.json format, as written by the stack's deploy step. */
  addressFile: string;
  /** Holds node.db (SQLite) and files/ (node storage). Created if missing. */
  dataDir: string;
  /** The node's provider key (hex). Its address signs provider fees and decrypts DDOs. */
  privateKey: string;
  host?: string;
  /** 0 picks a free port. Default 8001. */
  port?: number;
  indexerPollMs?: number;
  maxUploadBytes?: number;
  /**
   * Requests a minute one client IP may make; past it the node answers 429 as Ocean Node does.
   * Defaults to Ocean Node's 30; 0 turns the limit off. The local stack and the tests raise it.
   */
  rateLimitPerMinute?: number;
  /**
   * Origins (`http://127.0.0.1:8003`) that file URLs may point to although their address is
   * loopback or private. Every other file URL must lead to public internet addresses only
   * (file-fetch.ts). The stack passes its own file server; tests pass their loopback origins.
   */
  allowedFileOrigins?: string[];
  /** Bounds on fetching url files: redirects, timeouts, checksum size (file-fetch.ts). */
  fileFetch?: FileFetchLimits;
  /** Lifetime of an auth token created without validUntil, in ms (default 30 minutes). */
  authTokenLifetimeMs?: number;
  /** How far ahead a client may set an auth token's validUntil, in ms (default 24 hours). */
  authTokenMaxLifetimeMs?: number;
  /** Addresses that may decrypt our DDOs through /api/services/decrypt; empty: anyone who signs. */
  authorizedDecrypters?: string[];
  /** Limits of the compute-to-data environment. */
  compute?: ComputeOptions;
  log?: (message: string) => void;
}

export interface OceanNode {
  url: string;
  providerAddress: string;
  /** Resolves once the indexer has processed every block up to the chain head at call time. */
  waitForIndexer(): Promise<void>;
  stop(): Promise<void>;
}

export const NODE_VERSION = '0.1.0';

export async function startOceanNode(
  options: OceanNodeOptions
): Promise<OceanNode> {
  const chainId = options.chainId ?? 8996;
  const log =
    options.log ??
    ((message: string) => console.log(`[ocean-node] ${message}`));
  mkdirSync(options.dataDir, { recursive: true });
  const db = new NodeDatabase(join(options.dataDir, 'node.db'));
  const keys = new NodeKeys(options.privateKey);
  const provider = makeProvider(options.rpcUrl, chainId);
  const addresses = loadAddresses(options.addressFile, chainId);
  const indexer = new Indexer({
    db,
    provider,
    keys,
    addresses,
    chainId,
    pollIntervalMs: options.indexerPollMs ?? 300,
    log
  });
  const context: NodeContext = {
    chainId,
    keys,
    db,
    provider,
    addresses,
    files: new FileStore(
      options.dataDir,
      db,
      new FileFetcher(options.allowedFileOrigins, options.fileFetch)
    ),
    indexer,
    maxUploadBytes: options.maxUploadBytes ?? 2 * 1024 * 1024 * 1024,
    authTokenLifetimeMs:
      options.authTokenLifetimeMs ?? DEFAULT_AUTH_TOKEN_LIFETIME_MS,
    authTokenMaxLifetimeMs:
      options.authTokenMaxLifetimeMs ?? MAX_AUTH_TOKEN_LIFETIME_MS,
    version: NODE_VERSION
  };
  const router = new Router({
    rateLimiter: new RateLimiter(
      options.rateLimitPerMinute ?? REAL_NODE_REQUESTS_PER_MINUTE
    )
  });
  registerProviderRoutes(router, context);
  registerAquariusRoutes(router, context);
  const compute = new ComputeEngine(
    context,
    options.dataDir,
    options.compute,
    log
  );
  registerComputeRoutes(router, context, compute);
  registerNetworkRoutes(router, context, compute, {
    authorizedDecrypters: options.authorizedDecrypters
  });

  const server = createServer(router.listener);
  server.requestTimeout = 0; // large downloads and uploads may take long
  server.headersTimeout = 30_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8001, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  indexer.start();
  const { port } = server.address() as AddressInfo;

  let stopped = false;
  return {
    url: `http://${host}:${port}`,
    providerAddress: keys.address,
    async waitForIndexer() {
      const head = await provider.getBlockNumber();
      while (indexer.lastIndexedBlock < head)
        await new Promise(resolve => setTimeout(resolve, 100));
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await indexer.stop();
      await compute.close();
      await new Promise<void>(resolve => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      provider.destroy();
      db.close();
    }
  };
}
