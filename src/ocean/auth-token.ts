/**
 * The one way this extension asks an Ocean Node for an auth token
 * (createAuthToken): the account's last nonce from the node, one
 * personal_sign over keccak256(address + nonce + "createAuthToken"), then
 * NodeApi.authToken. Downloads (client.ts), compute-job reads
 * (compute-auth.ts) and the kernels' `ocean.auth_token()` (the `token`
 * kernel command) all call requestAuthToken; only how the signature is
 * asked for, and the words the wallet dialog shows, differ between them.
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
