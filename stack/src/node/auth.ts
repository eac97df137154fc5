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

/**
 * How long a token made without validUntil lasts. Ocean Node stores such a token with no end
 * (its AuthTokenDatabase defaults validUntil to null), so a token that leaks, from a notebook,
 * a log or a shared kernel, works for every signed request in the account's name for ever.
 * The Ocean Node docs give no default, so we take 30 minutes: one working session, after which
 * our client signs in again (it renews on TOKEN_EXPIRED).
 */
export const DEFAULT_AUTH_TOKEN_LIFETIME_MS = 30 * 60_000;
/**
 * The furthest ahead a client may set validUntil. A token is a bearer credential for the whole
 * account, so an expiry years away is the same hole as none; 24 hours is the longest our own
 * client asks for (the kernels' `token --minutes` stops at 24 h).
 */
export const MAX_AUTH_TOKEN_LIFETIME_MS = 24 * 60 * 60_000;
/** Clocks of client and node disagree a little; a validUntil this much past the cap passes. */
export const AUTH_TOKEN_CLOCK_SKEW_MS = 5 * 60_000;

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
  // Rows written before every token had an expiry hold null: they end a default lifetime
  // after they were made, like a token created today without validUntil.
  const expires = row.validUntil ?? row.createdAt + context.authTokenLifetimeMs;
  if (expires <= Date.now())
    throw unauthorized(
      'The auth token has expired; create a new one.',
      'TOKEN_EXPIRED'
    );
  return getAddress(row.address);
}
