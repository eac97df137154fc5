/**
 * The wallet's IndexedDB database: the encrypted vault record and the
 * activity lists. Nothing in it is a secret in clear.
 */
import { openDB, type IDBPDatabase } from 'idb';
import type { IVaultRecord, IVaultStorage } from './keystore';

const DB_NAME = 'jupyterlab-ocean-wallet';
const VAULT_STORE = 'vault';
const ACTIVITY_STORE = 'activity';
const VAULT_KEY = 'main';

let database: Promise<IDBPDatabase> | null = null;

function db(): Promise<IDBPDatabase> {
  if (!database) {
    database = openDB(DB_NAME, 1, {
      upgrade(upgrading) {
        upgrading.createObjectStore(VAULT_STORE);
        upgrading.createObjectStore(ACTIVITY_STORE);
      }
    });
  }
  return database;
}

export class IndexedDBVaultStorage implements IVaultStorage {
  async read(): Promise<IVaultRecord | null> {
    return ((await (await db()).get(VAULT_STORE, VAULT_KEY)) ??
      null) as IVaultRecord | null;
  }

  async write(record: IVaultRecord | null): Promise<void> {
    const handle = await db();
    if (record) {
      await handle.put(VAULT_STORE, record, VAULT_KEY);
    } else {
      await handle.delete(VAULT_STORE, VAULT_KEY);
    }
  }
}

/** A small key → JSON value store for activity lists. */
export const activityStorage = {
  async get<T>(key: string): Promise<T | undefined> {
    return (await (await db()).get(ACTIVITY_STORE, key)) as T | undefined;
  },
  async set<T>(key: string, value: T): Promise<void> {
    await (await db()).put(ACTIVITY_STORE, value, key);
  }
};
