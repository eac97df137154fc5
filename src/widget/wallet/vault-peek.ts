/**
 * The vault's public facts read straight from its stored record, without
 * the key store's crypto code (ethers): what the vault worker answers to
 * the page's first `load` at start-up, so the status bar can say "locked"
 * or "no wallet" before anyone uses the wallet. Nothing is unlocked then:
 * a fresh worker holds no decrypted keys. vault-peek.test.ts holds this to
 * KeyKeeper.load() on the same record.
 */
import type { IVaultSnapshot } from './key-vault';
import type { IVaultRecord } from './keystore';

export function lockedSnapshot(record: IVaultRecord | null): IVaultSnapshot {
  return {
    exists: record !== null,
    testWallet: record?.testWallet ? { ...record.testWallet } : null,
    accounts: (record?.accounts ?? []).map(account => ({ ...account })),
    unlocked: []
  };
}
