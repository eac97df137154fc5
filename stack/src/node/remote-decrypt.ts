/**
 * How our indexer reads a DDO another node encrypted, the way Ocean Node's indexer does: ask the
 * publishing node (the event's `decryptorUrl`) for our next nonce, sign
 * `transactionId + our address + chainId + nonce` (personal_sign over its keccak256) with the
 * node key, and post that to its `POST /api/services/decrypt`. Failures that may pass (no
 * answer, 429, 5xx, a nonce another request used first) are retried a few times with a growing
 * pause; a refusal is final. The caller checks the answer against the event's metadata hash.
 */
import type { NodeKeys } from './crypto.js';

export interface RemoteDecryptRequest {
  decryptorUrl: string;
  nftAddress: string;
  transactionId: string;
  chainId: number;
  keys: NodeKeys;
  /** Aborts waits and requests (the indexer is stopping). */
  signal?: AbortSignal;
  log?: (message: string) => void;
}

/** Tries in all; the pauses between them are 0.5, 1, 2 and 4 s. */
export const REMOTE_DECRYPT_ATTEMPTS = 5;
const FIRST_PAUSE_MS = 500;
const REQUEST_TIMEOUT_MS = 10_000;
/** A DDO is JSON well under a real node's 100 kB request limit; refuse to hold more than this. */
const MAX_DDO_BYTES = 4 * 1024 * 1024;

export class RemoteDecryptError extends Error {
  constructor(
    message: string,
    /** True when trying again may succeed. */
    readonly retryable: boolean
  ) {
    super(message);
    this.name = 'RemoteDecryptError';
  }
}

/** The base URL of the decrypting node, or an error when the event names something else. */
function decryptorBase(decryptorUrl: string): string {
  let url: URL;
  try {
    url = new URL(decryptorUrl);
  } catch {
    throw new RemoteDecryptError(
      `the event names "${decryptorUrl.slice(0, 200)}" as its decryptor, not a URL`,
      false
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new RemoteDecryptError(
      `the decryptor ${url.origin} is not an http(s) node`,
      false
    );
  return decryptorUrl.replace(/\/+$/, '');
}

async function nextNonce(
  base: string,
  address: string,
  signal: AbortSignal
): Promise<string> {
  // As Ocean Node: the decryptor's nonce + 1, or the time when it does not say.
  try {
    const response = await fetch(
      `${base}/api/services/nonce?userAddress=${address}`,
      {
        redirect: 'error',
        signal: AbortSignal.any([
          signal,
          AbortSignal.timeout(REQUEST_TIMEOUT_MS)
        ])
      }
    );
    if (response.ok) {
      const nonce = Number(
        ((await response.json()) as { nonce?: unknown }).nonce
      );
      if (Number.isSafeInteger(nonce) && nonce >= 0) return String(nonce + 1);
    } else await response.body?.cancel();
  } catch (error) {
    if (signal.aborted) throw error;
  }
  return String(Date.now());
}

async function readCapped(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_DDO_BYTES)
    throw new RemoteDecryptError(
      `the decryptor sent ${declared} bytes, more than a DDO`,
      false
    );
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += (chunk as Uint8Array).length;
    if (size > MAX_DDO_BYTES)
      throw new RemoteDecryptError('the decryptor sent more than a DDO', false);
    chunks.push(chunk as Uint8Array);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** One request; throws RemoteDecryptError saying whether another try may help. */
async function decryptOnce(
  request: RemoteDecryptRequest,
  base: string,
  signal: AbortSignal
): Promise<string> {
  const { keys, chainId, transactionId, nftAddress } = request;
  const nonce = await nextNonce(base, keys.address, signal);
  const signature = await keys.signRequest(
    `${transactionId || nftAddress}${keys.address}${chainId}${nonce}`
  );
  let response: Response;
  try {
    response = await fetch(`${base}/api/services/decrypt`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        transactionId,
        chainId,
        decrypterAddress: keys.address,
        dataNftAddress: nftAddress,
        signature,
        nonce
      }),
      redirect: 'error',
      signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)])
    });
  } catch (error) {
    if (signal.aborted) throw error;
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new RemoteDecryptError(
      `${base} did not answer (${cause ?? (error as Error).message})`,
      true
    );
  }
  if (response.ok) return await readCapped(response);
  const text = (await response.text().catch(() => '')).slice(0, 300);
  let reason = text;
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body?.error === 'string') reason = body.error;
  } catch {
    // a real node answers refusals as plain text
  }
  const retryable =
    response.status === 429 || response.status >= 500 || /nonce/i.test(reason);
  throw new RemoteDecryptError(
    `${base} answered HTTP ${response.status}${reason ? `: ${reason}` : ''}`,
    retryable
  );
}

const pause = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** The DDO text the decryptor answered, exactly as it sent it. */
export async function decryptThroughNode(
  request: RemoteDecryptRequest
): Promise<string> {
  const base = decryptorBase(request.decryptorUrl);
  const signal = request.signal ?? new AbortController().signal;
  for (let attempt = 1; ; attempt++) {
    try {
      return await decryptOnce(request, base, signal);
    } catch (error) {
      if (!(error instanceof RemoteDecryptError)) throw error;
      if (!error.retryable || attempt >= REMOTE_DECRYPT_ATTEMPTS)
        throw new RemoteDecryptError(
          `could not decrypt the DDO of ${request.nftAddress} through ${base} (${attempt} ${attempt === 1 ? 'try' : 'tries'}): ${error.message}`,
          false
        );
      const wait = FIRST_PAUSE_MS * 2 ** (attempt - 1);
      request.log?.(
        `indexer: decrypting the DDO of ${request.nftAddress} through ${base} failed (${error.message}); try ${attempt + 1} of ${REMOTE_DECRYPT_ATTEMPTS} in ${wait / 1000} s`
      );
      await pause(wait, signal);
    }
  }
}
