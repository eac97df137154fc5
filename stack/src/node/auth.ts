/**
 * Who is asking: a signed request (personal_sign over keccak256(utf8(address + nonce + command)),
 * with a nonce greater than the last one this address used) or an auth token (a JWT this node
 * issued and has not invalidated, sent in the Authorization header).
 */
import { getAddress } from 'ethers';
import { recoverRequestSigners, verifyJwt } from './crypto.js';
import type { NodeContext } from './context.js';
import { unauthorized } from './errors.js';

export interface SignedRequest {
  address: string | undefined;
  nonce: string | undefined;
  signature: string | undefined;
  /** The protocol command name the client signed (download, encrypt, ...). */
  command: string;
  /** Extra messages an older client may have signed instead (accepted as alternatives). */
  alternativeMessages?: string[];
  authorization?: string | undefined;
}

/** Returns the checksummed address of the caller, or throws 401. Consumes the nonce. */
export function authenticate(
  context: NodeContext,
  request: SignedRequest
): string {
  // As in Ocean Node, a signed request wins over a token. The lib sends the header even when it
  // has no token (as the literal "undefined"), so a signature must not be shadowed by it.
  const signed = request.address && request.nonce && request.signature;
  const header = request.authorization?.trim();
  if (!signed && header && header !== 'undefined' && header !== 'null') {
    const address = tokenOwner(context, header);
    if (
      request.address &&
      request.address.toLowerCase() !== address.toLowerCase()
    ) {
      throw unauthorized(
        'The auth token belongs to another address.',
        'TOKEN_ADDRESS_MISMATCH'
      );
    }
    return address;
  }
  if (!request.address || !request.nonce || !request.signature) {
    throw unauthorized(
      'This request needs consumerAddress, nonce and signature, or an Authorization token.',
      'AUTH_REQUIRED'
    );
  }
  if (!/^\d{1,16}$/.test(request.nonce))
    throw unauthorized(
      `nonce: ${request.nonce} is not a valid nonce`,
      'INVALID_NONCE'
    );
  const nonce = Number(request.nonce);
  const messages = [
    `${request.address}${request.nonce}${request.command}`,
    ...(request.alternativeMessages ?? [])
  ];
  const signer = messages
    .flatMap(message => recoverRequestSigners(message, request.signature!))
    .find(
      recovered => recovered?.toLowerCase() === request.address!.toLowerCase()
    );
  if (!signer)
    throw unauthorized(
      'consumer address and nonce signature mismatch',
      'INVALID_SIGNATURE'
    );
  if (!context.db.consumeNonce(request.address, nonce)) {
    throw unauthorized(
      `nonce: ${request.nonce} is not a valid nonce (it must exceed the last one used)`,
      'INVALID_NONCE'
    );
  }
  return getAddress(request.address.toLowerCase());
}

/** The address an auth token was issued to, if the token is intact, valid and unexpired. */
export function tokenOwner(context: NodeContext, header: string): string {
  const token = header.replace(/^Bearer\s+/i, '').trim();
  const payload = verifyJwt(token, context.db.jwtSecret());
  const row = payload ? context.db.getAuthToken(token) : undefined;
  if (!payload || !row) throw unauthorized('Invalid token', 'INVALID_TOKEN');
  if (!row.valid)
    throw unauthorized(
      'The auth token has been invalidated.',
      'TOKEN_INVALIDATED'
    );
  if (row.validUntil !== null && row.validUntil < Date.now())
    throw unauthorized('The auth token has expired.', 'TOKEN_EXPIRED');
  return getAddress(row.address);
}
