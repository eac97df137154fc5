/**
 * The node's key and everything signed or sealed with it: ECIES encryption of DDOs and file
 * objects (secp256k1, as Ocean Node does with its own key), request-signature checks, the
 * provider-fee signature that ERC20Template.startOrder verifies on chain, and HS256 auth tokens.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import {
  PrivateKey,
  decrypt as eciesDecrypt,
  encrypt as eciesEncrypt
} from 'eciesjs';
import {
  Signature,
  Wallet,
  encodeBase58,
  getAddress,
  getBytes,
  hexlify,
  keccak256,
  solidityPackedKeccak256,
  toBeArray,
  toUtf8Bytes,
  verifyMessage
} from 'ethers';

export class NodeKeys {
  readonly wallet: Wallet;
  readonly #eciesKey: PrivateKey;

  constructor(privateKeyHex: string) {
    const normalized = privateKeyHex.startsWith('0x')
      ? privateKeyHex
      : `0x${privateKeyHex}`;
    this.wallet = new Wallet(normalized);
    this.#eciesKey = new PrivateKey(Buffer.from(normalized.slice(2), 'hex'));
  }

  get address(): string {
    return this.wallet.address;
  }

  /** Compressed secp256k1 public key, hex, as Ocean Node publishes it in `nodePublicKey`. */
  get publicKeyHex(): string {
    return this.#eciesKey.publicKey.toHex(true);
  }

  /**
   * The libp2p peer id a real Ocean Node derives from the same key ("16Uiu2HA…"): base58 of
   * the identity multihash of the protobuf-encoded secp256k1 public key. Clients use it as the
   * node's name (status `id`, GET / `nodeId`), so two nodes on one chain must differ here.
   */
  get peerId(): string {
    const publicKey = Buffer.from(this.publicKeyHex, 'hex');
    // multihash identity (0x00, length 37) | protobuf Type=Secp256k1 (0x08 0x02) | Data (0x12 0x21)
    const prefix = Buffer.from([0x00, 0x25, 0x08, 0x02, 0x12, 0x21]);
    return encodeBase58(Buffer.concat([prefix, publicKey]));
  }

  encrypt(plain: Uint8Array): Buffer {
    return Buffer.from(eciesEncrypt(this.#eciesKey.publicKey.toHex(), plain));
  }

  decrypt(sealed: Uint8Array): Buffer {
    return Buffer.from(eciesDecrypt(this.#eciesKey.secret, sealed));
  }

  /**
   * Signs a provider fee exactly as ERC20Template checks it: keccak256 of the packed
   * (providerData, providerFeeAddress, providerFeeToken, providerFeeAmount, validUntil), signed
   * as an Ethereum personal message (the contract adds the same "\x19Ethereum Signed Message:\n32").
   */
  async signProviderFee(fee: {
    providerData: string;
    providerFeeToken: string;
    providerFeeAmount: bigint;
    validUntil: number;
  }): Promise<ProviderFee> {
    const providerFeeAddress = this.wallet.address;
    const providerFeeToken = getAddress(fee.providerFeeToken);
    const messageHash = solidityPackedKeccak256(
      ['bytes', 'address', 'address', 'uint256', 'uint256'],
      [
        fee.providerData,
        providerFeeAddress,
        providerFeeToken,
        fee.providerFeeAmount,
        fee.validUntil
      ]
    );
    const signature = Signature.from(
      await this.wallet.signMessage(getBytes(messageHash))
    );
    return {
      providerFeeAddress,
      providerFeeToken,
      providerFeeAmount: fee.providerFeeAmount.toString(),
      providerData: fee.providerData,
      v: signature.v,
      r: signature.r,
      s: signature.s,
      validUntil: fee.validUntil
    };
  }

  /**
   * Signs a node request as a client would: personal_sign over keccak256(utf8(message)), the
   * form recoverRequestSigners checks (used when this node asks another, e.g. to decrypt).
   */
  signRequest(message: string): Promise<string> {
    return this.wallet.signMessage(getBytes(keccak256(toUtf8Bytes(message))));
  }

  /** Signs a 32-byte hash as a personal message; returns the split signature (DDO validation proof). */
  async signHash(hash: string): Promise<{ v: number; r: string; s: string }> {
    const signature = Signature.from(
      await this.wallet.signMessage(getBytes(hash))
    );
    return { v: signature.v, r: signature.r, s: signature.s };
  }
}

export interface ProviderFee {
  providerFeeAddress: string;
  providerFeeToken: string;
  providerFeeAmount: string;
  providerData: string;
  v: number;
  r: string;
  s: string;
  validUntil: number;
}

/**
 * Who signed `message`: every request carries keccak256(utf8(message)) signed as personal_sign.
 * ocean.js 8.6.2 signs toBeArray(hash), which drops leading zero bytes (1 hash in 256), and
 * Ocean Node accepts that form too; so both addresses come back (one when the hash has no
 * leading zero), or such requests would fail at random.
 */
export function recoverRequestSigners(
  message: string,
  signature: string
): string[] {
  const hash = keccak256(toUtf8Bytes(message));
  const forms = [getBytes(hash)];
  const stripped = toBeArray(hash);
  if (stripped.length !== 32) forms.push(stripped);
  const signers: string[] = [];
  for (const form of forms) {
    try {
      signers.push(verifyMessage(form, signature));
    } catch {
      // not a signature over this form
    }
  }
  return signers;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** did:op: + sha256(checksummed NFT address + decimal chain id), as Ocean derives it. */
export function makeDid(nftAddress: string, chainId: number): string {
  return `did:op:${sha256Hex(getAddress(nftAddress) + String(chainId))}`;
}

export function utf8Hex(text: string): string {
  return hexlify(toUtf8Bytes(text));
}

// --- auth tokens (JWT, HS256) ------------------------------------------------------------------

const base64url = (data: Buffer | string): string =>
  Buffer.from(data).toString('base64url');

/** A JWT the lib can decode (it reads `address` from the payload without verifying). */
export function signJwt(
  payload: Record<string, unknown>,
  secret: string
): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = base64url(JSON.stringify(payload));
  const mac = createHmac('sha256', secret).update(`${header}.${body}`).digest();
  return `${header}.${body}.${base64url(mac)}`;
}

/** Returns the payload when the token is ours and intact, else undefined. */
export function verifyJwt(
  token: string,
  secret: string
): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const expected = createHmac('sha256', secret)
    .update(`${parts[0]}.${parts[1]}`)
    .digest();
  const given = Buffer.from(parts[2], 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return undefined;
  try {
    const payload = JSON.parse(
      Buffer.from(parts[1], 'base64url').toString('utf8')
    );
    return payload && typeof payload === 'object' ? payload : undefined;
  } catch {
    return undefined;
  }
}
