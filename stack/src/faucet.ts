/**
 * The dev faucet: `POST /faucet {"address": "0x…"}` sends test ETH and OCEAN
 * on the local chain from the dev deployer account.
 *
 * It refuses to run against any chain but the local dev chain (8996), listens
 * on loopback only, and lets browser pages on other loopback ports call it
 * (CORS limited to http://127.0.0.1:* and http://localhost:*).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';

import {
  Contract,
  Wallet,
  formatEther,
  getAddress,
  isAddress,
  parseEther
} from 'ethers';

import { ACCOUNTS } from './accounts.ts';
import { CHAIN_ID } from './chain.ts';
import { loadArtifact, localProvider } from './deploy.ts';

/** What one call sends by default, and the most it may send. */
export const FAUCET_DEFAULT = { eth: '10', ocean: '100' } as const;
export const FAUCET_MAX = { eth: '100', ocean: '1000' } as const;

export interface FaucetOptions {
  rpcUrl: string;
  oceanAddress: string;
  host?: string;
  port?: number;
}

export interface Faucet {
  url: string;
  stop(): Promise<void>;
}

export interface FaucetReceipt {
  address: string;
  chainId: number;
  eth: { amount: string; txHash: string };
  ocean: { amount: string; txHash: string };
}

class FaucetError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message);
  }
}

const LOOPBACK_ORIGIN =
  /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/;
const MAX_BODY_BYTES = 4096;

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new FaucetError(
        413,
        'FAUCET_BODY_TOO_LARGE',
        'The request body is too large.'
      );
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new FaucetError(
      400,
      'FAUCET_BAD_JSON',
      'The body must be JSON like {"address": "0x…"}.'
    );
  }
}

function amount(value: unknown, name: 'eth' | 'ocean'): bigint {
  if (value === undefined) return parseEther(FAUCET_DEFAULT[name]);
  if (
    (typeof value !== 'string' && typeof value !== 'number') ||
    !/^\d+(\.\d{1,18})?$/.test(String(value))
  ) {
    throw new FaucetError(
      400,
      'FAUCET_BAD_AMOUNT',
      `"${name}" must be a positive decimal number of tokens.`
    );
  }
  const wei = parseEther(String(value));
  if (wei <= 0n || wei > parseEther(FAUCET_MAX[name])) {
    throw new FaucetError(
      400,
      'FAUCET_AMOUNT_OUT_OF_RANGE',
      `"${name}" must be more than 0 and at most ${FAUCET_MAX[name]} per call.`
    );
  }
  return wei;
}

export async function startFaucet(options: FaucetOptions): Promise<Faucet> {
  const host = options.host ?? '127.0.0.1';
  const provider = localProvider(options.rpcUrl);
  const network = await provider.getNetwork();
  if (Number(network.chainId) !== CHAIN_ID) {
    provider.destroy();
    throw new Error(
      `FAUCET_WRONG_CHAIN: the faucet only runs on the local dev chain ${CHAIN_ID}, not ${network.chainId}.`
    );
  }
  // A plain Wallet, not ethers' NonceManager: the deployer's key is Ocean's
  // public development key, so other code (the stack's own publishing, a
  // user's script, a browser wallet on the dev accounts) sends from it too,
  // and a cached nonce goes stale ("nonce has already been used"). Payouts
  // are queued and each waits for its receipt, so reading the pending nonce
  // from the chain for every transaction keeps them in order.
  const payer = new Wallet(ACCOUNTS.deployer.privateKey, provider);
  const ocean = new Contract(
    options.oceanAddress,
    loadArtifact('OceanToken').abi,
    payer
  );
  // One payout at a time: the payer's nonces must go out in order.
  let queue: Promise<unknown> = Promise.resolve();

  const payout = (
    address: string,
    eth: bigint,
    oceanAmount: bigint
  ): Promise<FaucetReceipt> => {
    const run = async (): Promise<FaucetReceipt> => {
      const ethTx = await payer.sendTransaction({ to: address, value: eth });
      await ethTx.wait();
      const oceanTx = await ocean.getFunction('transfer')(address, oceanAmount);
      await oceanTx.wait();
      return {
        address,
        chainId: CHAIN_ID,
        eth: { amount: formatEther(eth), txHash: ethTx.hash },
        ocean: { amount: formatEther(oceanAmount), txHash: oceanTx.hash }
      };
    };
    const result = queue.then(run, run);
    queue = result.catch(() => undefined);
    return result;
  };

  const server: Server = createServer(async (request, response) => {
    const origin = request.headers.origin;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      vary: 'Origin'
    };
    if (origin && LOOPBACK_ORIGIN.test(origin)) {
      headers['access-control-allow-origin'] = origin;
      headers['access-control-allow-methods'] = 'GET, POST, OPTIONS';
      headers['access-control-allow-headers'] = 'content-type';
    }
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, headers);
      response.end(JSON.stringify(body));
    };
    try {
      const { pathname } = new URL(request.url ?? '/', 'http://localhost');
      if (pathname !== '/faucet')
        throw new FaucetError(
          404,
          'FAUCET_NOT_FOUND',
          'The faucet lives at POST /faucet.'
        );
      if (request.method === 'OPTIONS') {
        response.writeHead(204, headers);
        response.end();
        return;
      }
      if (request.method === 'GET') {
        reply(200, {
          chainId: CHAIN_ID,
          default: FAUCET_DEFAULT,
          max: FAUCET_MAX,
          payer: ACCOUNTS.deployer.address
        });
        return;
      }
      if (request.method !== 'POST')
        throw new FaucetError(405, 'FAUCET_METHOD', 'Use POST /faucet.');
      const body = await readJson(request);
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        throw new FaucetError(
          400,
          'FAUCET_BAD_JSON',
          'The body must be a JSON object like {"address": "0x…"}.'
        );
      }
      const fields = body as Record<string, unknown>;
      if (
        typeof fields.address !== 'string' ||
        !isAddress(fields.address.toLowerCase())
      ) {
        throw new FaucetError(
          400,
          'FAUCET_BAD_ADDRESS',
          '"address" must be a 0x-prefixed, 20-byte EVM address.'
        );
      }
      const address = getAddress(fields.address.toLowerCase());
      if (address === ACCOUNTS.deployer.address) {
        throw new FaucetError(
          400,
          'FAUCET_SELF',
          "That is the faucet's own account."
        );
      }
      reply(
        200,
        await payout(
          address,
          amount(fields.eth, 'eth'),
          amount(fields.ocean, 'ocean')
        )
      );
    } catch (error) {
      if (error instanceof FaucetError)
        reply(error.status, {
          error: { code: error.code, message: error.message }
        });
      else
        reply(500, {
          error: {
            code: 'FAUCET_FAILED',
            message: `The payout failed: ${error instanceof Error ? error.message : String(error)}`
          }
        });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8002, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://${host}:${port}/faucet`,
    stop: () =>
      new Promise<void>(resolve => {
        server.close(() => resolve());
        server.closeAllConnections();
        provider.destroy();
      })
  };
}
