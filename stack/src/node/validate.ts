/** Parameter checks shared by the routes: each returns the clean value or throws a 400. */
import { getAddress, isAddress } from 'ethers';
import { badRequest } from './errors.js';

const DID_PATTERN = /^did:op:[0-9a-f]{64}$/;
const TX_PATTERN = /^0x[0-9a-fA-F]{64}$/;
const SIGNATURE_PATTERN = /^0x[0-9a-fA-F]{130}$/;

type Source = URLSearchParams | Record<string, unknown>;

function read(source: Source, name: string): unknown {
  return source instanceof URLSearchParams
    ? (source.get(name) ?? undefined)
    : source[name];
}

export function optionalString(
  source: Source,
  name: string,
  maxLength = 4096
): string | undefined {
  const value = read(source, name);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    throw badRequest(`"${name}" must be a string.`, 'INVALID_PARAMETER');
  if (value.length > maxLength)
    throw badRequest(`"${name}" is too long.`, 'INVALID_PARAMETER');
  return value;
}

export function requiredString(
  source: Source,
  name: string,
  maxLength = 4096
): string {
  const value = optionalString(source, name, maxLength);
  if (value === undefined)
    throw badRequest(
      `Missing required parameter: "${name}".`,
      'MISSING_PARAMETER'
    );
  return value;
}

export function requiredDid(source: Source, name = 'documentId'): string {
  return checkDid(requiredString(source, name, 200), name);
}

export function checkDid(value: string, name = 'did'): string {
  const did = value.toLowerCase();
  if (!DID_PATTERN.test(did)) {
    throw badRequest(
      `"${name}" is not a valid DID (expected did:op: followed by 64 hex digits).`,
      'INVALID_DID'
    );
  }
  return did;
}

/** Accepts any casing; returns the checksummed address. */
export function requiredAddress(source: Source, name: string): string {
  return checkAddress(requiredString(source, name, 100), name);
}

export function optionalAddress(
  source: Source,
  name: string
): string | undefined {
  const value = optionalString(source, name, 100);
  return value === undefined ? undefined : checkAddress(value, name);
}

export function checkAddress(value: string, name: string): string {
  if (!isAddress(value.toLowerCase()))
    throw badRequest(`"${name}" is not an EVM address.`, 'INVALID_ADDRESS');
  return getAddress(value.toLowerCase());
}

export function requiredTxHash(source: Source, name: string): string {
  const value = requiredString(source, name, 100);
  if (!TX_PATTERN.test(value))
    throw badRequest(`"${name}" is not a transaction hash.`, 'INVALID_TX');
  return value.toLowerCase();
}

export function optionalSignature(
  source: Source,
  name = 'signature'
): string | undefined {
  const value = optionalString(source, name, 200);
  if (value === undefined) return undefined;
  if (!SIGNATURE_PATTERN.test(value))
    throw badRequest(
      `"${name}" is not a 65-byte hex signature.`,
      'INVALID_SIGNATURE'
    );
  return value;
}

/** A non-negative safe integer given as a number or a decimal string. */
export function optionalInteger(
  source: Source,
  name: string
): number | undefined {
  const value = read(source, name);
  if (value === undefined || value === null || value === '') return undefined;
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{1,16}$/.test(text)) {
    throw badRequest(
      `"${name}" must be a non-negative integer.`,
      'INVALID_PARAMETER'
    );
  }
  const parsed = Number(text);
  if (!Number.isSafeInteger(parsed))
    throw badRequest(`"${name}" is too large.`, 'INVALID_PARAMETER');
  return parsed;
}

export function requiredInteger(source: Source, name: string): number {
  const value = optionalInteger(source, name);
  if (value === undefined)
    throw badRequest(
      `Missing required parameter: "${name}".`,
      'MISSING_PARAMETER'
    );
  return value;
}
