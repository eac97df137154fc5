/**
 * The browser's copy of paid models: bytes kept in IndexedDB per DID, so a
 * model is downloaded once and every later render (and reload) reuses it.
 * Bytes are checked against the checksum the DDO publishes both when they
 * arrive and when they are read back, so neither a bad download nor a
 * damaged cache entry ever reaches the runtime.
 */
import type { IDBPDatabase } from 'idb';

import { errorWords, OceanError } from '../errors';

const DB_NAME = 'jupyterlab-ocean-models';
const STORE = 'models';

export interface IStoredModel {
  did: string;
  /** Lower-case hex SHA-256 of `bytes`. */
  sha256: string;
  bytes: ArrayBuffer;
  savedAt: number;
}

/** Lower-case hex SHA-256 (Web Crypto; the same in browsers and Node 20). */
export async function sha256Hex(
  bytes: ArrayBuffer | Uint8Array
): Promise<string> {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const digest = await crypto.subtle.digest('SHA-256', view as BufferSource);
  return Array.from(new Uint8Array(digest), b =>
    b.toString(16).padStart(2, '0')
  ).join('');
}

/** Normalises `sha256:<hex>`, `0x<hex>` or `<hex>` to bare lower-case hex. */
export function normaliseChecksum(value: string): string {
  const hex = value
    .trim()
    .toLowerCase()
    .replace(/^sha-?256:/, '')
    .replace(/^0x/, '');
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new OceanError(
      'OCEAN_BAD_ASSET',
      errorWords.__(
        'The model asset publishes no valid SHA-256 checksum, so its download cannot be verified.'
      ),
      { checksum: value }
    );
  }
  return hex;
}

/** Throws OCEAN_BAD_ASSET unless `bytes` hash to `expected`. */
export async function verifyModelBytes(
  bytes: ArrayBuffer | Uint8Array,
  expected: string,
  did: string
): Promise<void> {
  const actual = await sha256Hex(bytes);
  if (actual !== normaliseChecksum(expected)) {
    throw new OceanError(
      'OCEAN_BAD_ASSET',
      errorWords.__(
        'The model file does not match the checksum its publisher recorded in the asset (DDO). It may be corrupted or replaced, so it was not run.'
      ),
      { did, expected: normaliseChecksum(expected), actual }
    );
  }
}

export class ModelStore {
  private _db: Promise<IDBPDatabase> | null = null;

  private _open(): Promise<IDBPDatabase> {
    if (!this._db) {
      this._db = import('idb').then(({ openDB }) =>
        openDB(DB_NAME, 1, {
          upgrade(db) {
            db.createObjectStore(STORE, { keyPath: 'did' });
          }
        })
      );
    }
    return this._db;
  }

  /**
   * The cached model for `did` if it matches `expectedSha256`; a stale or
   * damaged entry is deleted and null returned, so the caller downloads again.
   */
  async get(did: string, expectedSha256: string): Promise<ArrayBuffer | null> {
    const db = await this._open();
    const entry = (await db.get(STORE, did)) as IStoredModel | undefined;
    if (!entry) {
      return null;
    }
    const expected = normaliseChecksum(expectedSha256);
    if (
      entry.sha256 === expected &&
      (await sha256Hex(entry.bytes)) === expected
    ) {
      return entry.bytes;
    }
    await db.delete(STORE, did);
    return null;
  }

  async put(did: string, bytes: ArrayBuffer): Promise<void> {
    const db = await this._open();
    const entry: IStoredModel = {
      did,
      sha256: await sha256Hex(bytes),
      bytes,
      savedAt: Date.now()
    };
    await db.put(STORE, entry);
  }

  async delete(did: string): Promise<void> {
    const db = await this._open();
    await db.delete(STORE, did);
  }
}
