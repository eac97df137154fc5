/**
 * The local EVM dev chain: Hardhat 2's EDR network, run in this process and
 * served over JSON-RPC on 127.0.0.1.
 *
 * Why in-process: a `hardhat node` child process needs a Hardhat project and
 * costs another ~1 s of start-up; EDR is a native module, so serving it from
 * our own event loop does not block on block production. Hardhat 2.29 is the
 * last line that runs on Node 20 (Hardhat 3 needs Node >= 22.13).
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import {
  DEV_ACCOUNT_BALANCE_WEI,
  DEV_ACCOUNT_COUNT,
  DEV_MNEMONIC,
  HD_PATH
} from './accounts.ts';
import {
  type ChainJournal,
  type Eip1193Provider,
  type ReplaySummary
} from './journal.ts';

export type { Eip1193Provider };

export const CHAIN_ID = 8996 as const;
export const DEFAULT_CHAIN_PORT = 8545;

export interface ChainOptions {
  /** Interface to listen on. Only loopback addresses are accepted. */
  host?: string;
  /** TCP port; 0 picks a free one. Defaults to 8545. */
  port?: number;
  /**
   * Genesis date. Pinning it (the journal replay does) makes block hashes
   * reproducible; by default the chain starts at the current time.
   */
  initialDate?: Date;
  /**
   * Persist the chain: it starts at the journal's genesis date, replays the
   * journal (checking every block) before it listens, and journals every
   * state-changing call it serves. A replay that disagrees throws a
   * JournalError and nothing listens.
   */
  journal?: ChainJournal;
}

export interface RunningChain {
  rpcUrl: string;
  chainId: typeof CHAIN_ID;
  host: string;
  port: number;
  /** Direct access to the in-process provider (no HTTP round trip; journaled like the server). */
  provider: Eip1193Provider;
  /** What the journal replay did (zeros for a new journal); absent without a journal. */
  replayed?: ReplaySummary;
  stop(): Promise<void>;
}

interface JsonRpcServerLike {
  listen(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

export class ChainError extends Error {
  constructor(
    readonly code: string,
    message: string
  ) {
    super(message);
    this.name = 'ChainError';
  }
}

/**
 * Starts the dev chain: chainId 8996, automining, the 10 accounts of Ocean's
 * development mnemonic funded with 10,000 ETH each.
 */
export async function startChain(
  options: ChainOptions = {}
): Promise<RunningChain> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new ChainError(
      'CHAIN_HOST_NOT_LOOPBACK',
      `The dev chain only listens on loopback; "${host}" is not a loopback address.`
    );
  }
  // Hardhat's internals are CommonJS without an exports map; these two are
  // what `hardhat node` itself uses to build and serve the network.
  const {
    resolveConfig
  } = require('hardhat/internal/core/config/config-resolution');
  const {
    createProvider
  } = require('hardhat/internal/core/providers/construction');
  const {
    JsonRpcServer
  } = require('hardhat/internal/hardhat-network/jsonrpc/server');

  const initialDate = options.journal?.genesis ?? options.initialDate;
  // resolveConfig wants an existing "config file" to anchor project paths;
  // we have no Hardhat project, and nothing is compiled, so this file will do.
  const config = resolveConfig(fileURLToPath(import.meta.url), {
    networks: {
      hardhat: {
        chainId: CHAIN_ID,
        accounts: {
          mnemonic: DEV_MNEMONIC,
          path: HD_PATH,
          count: DEV_ACCOUNT_COUNT,
          accountsBalance: DEV_ACCOUNT_BALANCE_WEI.toString()
        },
        mining: { auto: true, interval: 0 },
        // Ocean's factory contracts are large; Ocean's own dev chains lift the
        // EIP-170 size limit too.
        allowUnlimitedContractSize: true,
        loggingEnabled: false,
        ...(initialDate ? { initialDate: initialDate.toISOString() } : {})
      }
    }
  });
  const hardhatProvider: Eip1193Provider = await createProvider(
    config,
    'hardhat'
  );
  const replayed = await options.journal?.attach(hardhatProvider);
  const provider = options.journal
    ? options.journal.record(hardhatProvider)
    : hardhatProvider;
  const server: JsonRpcServerLike = new JsonRpcServer({
    hostname: host,
    port: options.port ?? DEFAULT_CHAIN_PORT,
    provider
  });
  let listening: { address: string; port: number };
  try {
    listening = await server.listen();
  } catch (error) {
    await options.journal?.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new ChainError(
      'CHAIN_PORT_UNAVAILABLE',
      `Could not listen on ${host}:${options.port ?? DEFAULT_CHAIN_PORT} (${reason}). Is another chain already running there?`
    );
  }
  let stopped = false;
  return {
    rpcUrl: `http://${host}:${listening.port}`,
    chainId: CHAIN_ID,
    host,
    port: listening.port,
    provider,
    ...(replayed ? { replayed } : {}),
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      await options.journal?.close();
    }
  };
}
