/** What every route handler may use; built once in index.ts. */
import type { JsonRpcProvider } from 'ethers';
import type { OceanAddresses } from './chain.js';
import type { NodeKeys } from './crypto.js';
import type { NodeDatabase } from './db.js';
import type { Indexer } from './indexer.js';
import type { FileStore } from './storage.js';

export interface NodeContext {
  chainId: number;
  keys: NodeKeys;
  db: NodeDatabase;
  provider: JsonRpcProvider;
  addresses: OceanAddresses;
  files: FileStore;
  indexer: Indexer;
  /** Largest upload accepted into node storage, in bytes. */
  maxUploadBytes: number;
  /** Lifetime of an auth token created without validUntil, in ms. */
  authTokenLifetimeMs: number;
  /** How far ahead a client may set an auth token's validUntil, in ms. */
  authTokenMaxLifetimeMs: number;
  /** Software version reported at GET /. */
  version: string;
}
