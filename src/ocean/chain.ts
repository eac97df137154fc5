/**
 * The chain door: the one place a read-only JSON-RPC provider is made, the
 * one way a transaction is waited for (and sent, where we send it), and the
 * one way a payment is encoded. ethers comes through lib.ts (loaded on first
 * use); only `providerFor` takes it from a caller that already holds it.
 */
import type { JsonRpcProvider, TransactionReceipt } from 'ethers';
import { errorWords, OceanError } from '../errors';
import type { IOceanNetwork } from '../tokens';
import { ERC20_ABI } from './erc20';
import { loadEthers, type Ethers } from './lib';

const PROVIDERS = new Map<string, JsonRpcProvider>();

/**
 * The read-only provider of `network` (it never holds a key), one per chain
 * and RPC URL for the whole page, so the wallet, the Ocean client and the
 * kernel commands read the chain the same way.
 */
export function providerFor(
  ethers: Pick<Ethers, 'JsonRpcProvider' | 'Network'>,
  network: IOceanNetwork
): JsonRpcProvider {
  const key = `${network.chainId}|${network.rpcUrl}`;
  let provider = PROVIDERS.get(key);
  if (!provider) {
    provider = new ethers.JsonRpcProvider(
      network.rpcUrl,
      ethers.Network.from(network.chainId),
      {
        // The chain id is known: no eth_chainId before every call.
        staticNetwork: true,
        // An automining chain answers within ethers' 250 ms cache, so a
        // nonce or balance read right after a send would see the old value
        // ("nonce too low").
        cacheTimeout: -1,
        // One request per HTTP call: an RPC that refuses batches still works.
        batchMaxCount: 1
      }
    );
    PROVIDERS.set(key, provider);
  }
  return provider;
}

/** providerFor, loading ethers first. */
export async function readProvider(
  network: IOceanNetwork
): Promise<JsonRpcProvider> {
  return providerFor(await loadEthers(), network);
}

/**
 * How a caller words a transaction that did not go through; each flow keeps
 * its own sentences and codes.
 */
export interface ITxWords {
  /** Nothing to send or wait for (the lib could not prepare it). */
  unsent: () => OceanError;
  /** Mined but reverted, or no receipt; without it the receipt is returned as is. */
  reverted?: (hash: string | undefined) => OceanError;
  /** A failure while sending; thrown as it came without it. */
  sendFailed?: (error: unknown) => OceanError;
  /** A failure while waiting; thrown as it came without it. */
  waitFailed?: (error: unknown, hash: string) => OceanError;
  /** Told the hash once the transaction is out. */
  onSent?: (hash: string) => void;
  /** For a bare hash: how long to poll before `timedOut` (5 minutes unless told). */
  timeoutMs?: number;
  /** For a bare hash still not included after `timeoutMs`. */
  timedOut?: (hash: string, timeoutMs: number) => OceanError;
}

/**
 * What waitForReceipt waits on: ethers' TransactionResponse (what the lib
 * and signers return), or a hash sent elsewhere (through the wallet's
 * EIP-1193 request) with the provider to read it from.
 */
export type SentTransaction =
  | { hash: string; wait(confirms?: number): Promise<unknown> }
  | { hash: string; provider: JsonRpcProvider };

/**
 * The one wait for a transaction: one confirmation, then the receipt, or
 * the caller's error when there was nothing to wait for or it reverted.
 */
export async function waitForReceipt(
  sent: SentTransaction | unknown,
  words: ITxWords
): Promise<TransactionReceipt> {
  if (!sent) {
    throw words.unsent();
  }
  const tx = sent as Partial<{
    hash: string;
    wait: (confirms?: number) => Promise<unknown>;
    provider: JsonRpcProvider;
  }>;
  let receipt: TransactionReceipt | null;
  if (typeof tx.wait === 'function') {
    try {
      receipt = (await tx.wait(1)) as TransactionReceipt | null;
    } catch (error) {
      throw words.waitFailed ? words.waitFailed(error, String(tx.hash)) : error;
    }
  } else if (typeof tx.hash === 'string' && tx.provider) {
    receipt = await pollReceipt(tx.provider, tx.hash, words);
  } else {
    // A lib call that answered with something other than a transaction.
    receipt = sent as TransactionReceipt;
  }
  if (words.reverted && (!receipt || receipt.status !== 1)) {
    throw words.reverted(tx.hash ?? undefined);
  }
  return receipt as TransactionReceipt;
}

/** Sends a prepared transaction through `signer`, then waitForReceipt. */
export async function sendAndWait(
  signer: { sendTransaction(tx: unknown): Promise<SentTransaction> },
  request: unknown,
  words: ITxWords
): Promise<TransactionReceipt> {
  if (!request) {
    throw words.unsent();
  }
  // The wallet picks the sender and nonce; a stale one from the lib would be refused.
  const tx = { ...(request as Record<string, unknown>) };
  delete tx.from;
  delete tx.nonce;
  let sent: SentTransaction;
  try {
    sent = await signer.sendTransaction(tx);
  } catch (error) {
    throw words.sendFailed ? words.sendFailed(error) : error;
  }
  words.onSent?.(sent.hash);
  return waitForReceipt(sent, words);
}

/** Polls quickly (a cell is waiting): 100 ms, doubling to 1 s. */
async function pollReceipt(
  provider: JsonRpcProvider,
  hash: string,
  words: ITxWords
): Promise<TransactionReceipt> {
  const timeoutMs = words.timeoutMs ?? 5 * 60_000;
  const started = Date.now();
  let delay = 100;
  for (;;) {
    const receipt = await provider.getTransactionReceipt(hash);
    if (receipt) {
      return receipt;
    }
    if (Date.now() - started > timeoutMs) {
      throw (
        words.timedOut?.(hash, timeoutMs) ??
        new OceanError(
          'OCEAN_TX_PENDING',
          errorWords.__(
            'The transaction %1 was sent but is not included yet. It may still go through.',
            hash
          ),
          { txHash: hash }
        )
      );
    }
    await new Promise(resolve => setTimeout(resolve, delay));
    delay = Math.min(1000, delay * 2);
  }
}

/**
 * The eth_sendTransaction params that pay `amount` (in the token's smallest
 * unit) to `to`: the native coin when `token` is null, else an ERC-20
 * transfer on the token's contract.
 */
export async function paymentRequest(
  from: string,
  to: string,
  amount: bigint,
  token: string | null
): Promise<Record<string, string>> {
  const ethers = await loadEthers();
  const recipient = ethers.getAddress(to);
  if (!token) {
    return { from, to: recipient, value: ethers.toBeHex(amount) };
  }
  return {
    from,
    to: token,
    data: new ethers.Interface(ERC20_ABI).encodeFunctionData('transfer', [
      recipient,
      amount
    ]),
    value: '0x0'
  };
}

/**
 * One JSON-RPC call answered with a large body (a step trace is megabytes):
 * the browser's own JSON parser reads it, where ethers' response handling
 * takes seconds per megabyte. Errors carry the RPC's `{ code, message,
 * data }` as `error`, as ethers' do.
 */
export async function postJsonRpc(
  url: string,
  method: string,
  params: unknown[]
): Promise<any> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })
  });
  if (!response.ok) {
    throw new Error(`${method}: HTTP ${response.status}`);
  }
  const answer = (await response.json()) as {
    result?: unknown;
    error?: { code?: number; message?: string; data?: unknown };
  };
  if (answer.error) {
    throw Object.assign(
      new Error(String(answer.error.message ?? `${method} failed`)),
      { code: answer.error.code, data: answer.error.data, error: answer.error }
    );
  }
  return answer.result;
}
