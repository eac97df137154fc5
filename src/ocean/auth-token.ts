/**
 * The one way this extension asks an Ocean Node for an auth token
 * (createAuthToken): the account's last nonce from the node, one
 * personal_sign over keccak256(address + nonce + "createAuthToken"), then
 * NodeApi.authToken. Downloads (client.ts), compute-job reads
 * (compute-auth.ts) and the kernels' `ocean.auth_token()` (the `token`
 * kernel command) all call requestAuthToken; only how the signature is
 * asked for, and the words the wallet dialog shows, differ between them.
 *
 * Tokens are kept in one cache, AuthTokenCache (authTokens), keyed by node
 * and account: a download, a compute view and a kernel's compute command a
 * minute apart share the one token the person signed for, until a minute
 * before it ends.
 */
import { getBytes } from 'ethers';
import type { NodeApi } from './node-api';
import { nodeRequestHash, type INodeRequestHint } from './wallet-decode';

const COMMAND = 'createAuthToken';

/** The Signer the wallet hands out (WalletSigner), as far as node requests need it. */
export interface INodeRequestSigner {
  getAddress(): Promise<string>;
  signMessage(message: Uint8Array | string): Promise<string>;
  /** A signer whose dialog shows `hint` (checked by the wallet against the hash). */
  withNodeRequest?(hint: INodeRequestHint): INodeRequestSigner;
}

export interface IAuthTokenRequest {
  /** The account the token is for (it signs). */
  account: string;
  /** When the token ends (ms since 1970); absent: the node's default. */
  validUntil?: number;
  /** What the wallet dialog says the signature is for. */
  description: string;
  /** Signs the 32-byte `hash` (0x hex) by personal_sign; `hint` says what it is. */
  sign(hash: string, hint: INodeRequestHint): Promise<string>;
}

export interface IAuthToken {
  token: string;
  nonce: string;
  validUntil?: number;
}

/**
 * The first nonce above `last` that real Ocean Nodes accept for
 * createAuthToken. They check toBeArray(hash), which drops a leading zero
 * byte, while the wallet (rightly) signs and describes all 32: without the
 * skip, 1 token request in 256 would be refused.
 */
export function authTokenNonce(account: string, last: bigint): string {
  let next = last + 1n;
  while (nodeRequestHash(account, next.toString(), COMMAND).startsWith('0x00'))
    next++;
  return next.toString();
}

/** A new token from `node` for `request.account` (one signature). */
export async function requestAuthToken(
  node: NodeApi,
  request: IAuthTokenRequest
): Promise<IAuthToken> {
  const { account, validUntil } = request;
  const nonce = authTokenNonce(account, await node.nonce(account));
  const hint: INodeRequestHint = {
    command: COMMAND,
    nonce,
    description: request.description
  };
  const signature = await request.sign(
    nodeRequestHash(account, nonce, COMMAND),
    hint
  );
  const token = await node.authToken({
    address: account,
    signature,
    nonce,
    validUntil
  });
  return { token, nonce, validUntil };
}

/** `sign` for requestAuthToken from a wallet Signer: its dialog gets the hint. */
export function signerSign(
  signer: INodeRequestSigner
): IAuthTokenRequest['sign'] {
  return (hash, hint) =>
    (signer.withNodeRequest?.(hint) ?? signer).signMessage(getBytes(hash));
}

/** How long a token this page asks for lives; the node is told, so it ends there too. */
export const AUTH_TOKEN_MINUTES = 30;
/** A token this close to its end is not reused: a long download could outlive it. */
export const AUTH_TOKEN_RENEW_MARGIN_MS = 60_000;

function clock(time: number): string {
  return new Date(time).toLocaleTimeString('en-GB', {
    hour: '2-digit',
    minute: '2-digit'
  });
}

/** What the wallet dialog says a page token is for (downloads and job reads share it). */
export function pageTokenDescription(
  nodeUrl: string,
  validUntil: number,
  minutes: number
): string {
  // Honest about the scope: the node accepts the token for any request in this account's
  // name until it ends, not only for what this page uses it for.
  return `a token valid ${minutes} minutes (until ${clock(validUntil)}) so downloads and your compute jobs' logs and results from ${nodeUrl} are fetched without asking each time; the node accepts it for your other requests until then`;
}

/** A token the cache holds: always with the end this page asked for. */
export interface ICachedAuthToken extends IAuthToken {
  validUntil: number;
}

export interface ICachedAuthTokenRequest extends Omit<
  IAuthTokenRequest,
  'validUntil' | 'description'
> {
  /**
   * Who will hold the token. Absent: this page only (downloads, job reads),
   * shared by every view and notebook of the page for the node and account.
   * A kernel id: the token is handed to that kernel, so it gets a token of its
   * own that the person approved for it (a page token is never passed on).
   */
  holder?: string;
  /** Lifetime of a new token; default AUTH_TOKEN_MINUTES. */
  minutes?: number;
  /** Ask for a new token even when a live one is cached. */
  renew?: boolean;
  /** What the wallet dialog says the signature is for, given the token's end and lifetime. */
  describe(validUntil: number, minutes: number): string;
}

/**
 * The page's Ocean Node auth tokens, per node, account (and holder, for
 * tokens handed to a kernel). A token is reused until
 * AUTH_TOKEN_RENEW_MARGIN_MS before its end; a pending request is shared,
 * so parallel fetches make one signature; a refused or failed one is
 * forgotten so the next call asks again.
 */
export class AuthTokenCache {
  private _tokens = new Map<string, Promise<ICachedAuthToken>>();

  /** `now`: the clock (tests move it to see tokens expire). */
  constructor(private readonly _now: () => number = Date.now) {}

  private _key(nodeUrl: string, account: string, holder = ''): string {
    return `${nodeUrl.replace(/\/+$/, '')}|${account.toLowerCase()}|${holder}`;
  }

  /** Whether a live token is cached (so no signature would be asked). */
  async has(
    nodeUrl: string,
    account: string,
    holder?: string
  ): Promise<boolean> {
    const known = this._tokens.get(this._key(nodeUrl, account, holder));
    const token = await known?.catch(() => null);
    return !!token && this._live(token);
  }

  private _live(token: ICachedAuthToken): boolean {
    return token.validUntil - this._now() > AUTH_TOKEN_RENEW_MARGIN_MS;
  }

  /** A live token for `request.account` at `node`: the cached one, or a new one (one signature). */
  async token(
    node: NodeApi,
    request: ICachedAuthTokenRequest
  ): Promise<ICachedAuthToken> {
    const key = this._key(node.url, request.account, request.holder);
    const known = this._tokens.get(key);
    if (known && !request.renew) {
      const token = await known.catch(() => null);
      if (token && this._live(token)) return token;
      // Another caller may have replaced it while we waited: take theirs.
      if (this._tokens.get(key) !== known)
        return this.token(node, { ...request, renew: false });
    }
    const minutes = request.minutes ?? AUTH_TOKEN_MINUTES;
    const validUntil = this._now() + minutes * 60_000;
    const pending = requestAuthToken(node, {
      account: request.account,
      validUntil,
      description: request.describe(validUntil, minutes),
      sign: request.sign
    }).then(token => ({ ...token, validUntil }));
    this._tokens.set(key, pending);
    pending.catch(() => {
      if (this._tokens.get(key) === pending) this._tokens.delete(key);
    });
    return pending;
  }

  /** Forgets `token` (the node refused it), so the next call asks for a new one. */
  async forget(
    nodeUrl: string,
    account: string,
    token: string,
    holder?: string
  ): Promise<void> {
    const key = this._key(nodeUrl, account, holder);
    const known = this._tokens.get(key);
    const cached = await known?.catch(() => null);
    if (cached?.token === token && this._tokens.get(key) === known)
      this._tokens.delete(key);
  }
}

/** The page's one token cache (the ocean room's callers and the kernel token command share it). */
export const authTokens = new AuthTokenCache();
