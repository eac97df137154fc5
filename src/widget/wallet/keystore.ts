/**
 * The key store: secrets encrypted at rest with Web3 Secret Storage (scrypt +
 * AES-128-CTR, ethers' `Wallet.encrypt`), kept in the browser's IndexedDB.
 *
 * Only ciphertext and public facts (addresses, names, derivation indexes) are
 * ever written. Decrypted keys live in an `UnlockedKeys` object in memory and
 * are dropped on lock. Storage is an interface so the same logic runs in the
 * browser (IndexedDB) and in Node's test runner (an in-memory map).
 */
import {
  encryptKeystoreJson,
  HDNodeWallet,
  Mnemonic,
  randomBytes,
  Wallet,
  type BaseWallet,
  type KeystoreAccount
} from 'ethers';
import { OceanError, wordsLater } from '../../errors';

/** The standard Ethereum derivation path; account i is `${HD_BASE_PATH}/i`. */
export const HD_BASE_PATH = "m/44'/60'/0'/0";

/** One secret, encrypted. A mnemonic secret yields many accounts. */
export interface IStoredSecret {
  id: string;
  kind: 'mnemonic' | 'privateKey';
  /** Web3 Secret Storage JSON (for a mnemonic: of account 0, with the phrase inside). */
  keystore: string;
}

/** Public facts about one account: safe to show and to store in clear. */
export interface IStoredAccount {
  address: string;
  name: string;
  secretId: string;
  /** HD index for accounts of a mnemonic secret. */
  index?: number;
}

/** What the store keeps: ciphertext and public facts only. */
export interface IVaultRecord {
  version: 1;
  secrets: IStoredSecret[];
  accounts: IStoredAccount[];
  /** Present for a test wallet ("Start with a test wallet"); see ITestWalletFacts. */
  testWallet?: ITestWalletFacts;
}

/**
 * A test wallet is made in one click for the local network's test coins:
 * its keys are encrypted at rest like any other, under a password the vault
 * generated and keeps only in its memory for the session. The person sets
 * their own password and writes the phrase down (the backup) before the
 * wallet may be used on any other network.
 */
export interface ITestWalletFacts {
  /** The person chose a password (the generated one is gone). */
  passwordSet: boolean;
  /** The person wrote the recovery phrase down and proved it. */
  backedUp: boolean;
}

/** Where the record lives. */
export interface IVaultStorage {
  read(): Promise<IVaultRecord | null>;
  write(record: IVaultRecord | null): Promise<void>;
}

/** Options for the scrypt cost; tests lower it, people never do. */
export interface IVaultOptions {
  /** scrypt N (default ethers' 2^17). */
  scryptN?: number;
}

/** Decrypted keys, in memory only, by lower-case address. */
export class UnlockedKeys {
  private _keys = new Map<string, BaseWallet>();
  private _mnemonics = new Map<string, string>();

  get(address: string): BaseWallet | undefined {
    return this._keys.get(address.toLowerCase());
  }

  set(address: string, key: BaseWallet): void {
    this._keys.set(address.toLowerCase(), key);
  }

  /** The phrase of a mnemonic secret (to derive more accounts). */
  mnemonic(secretId: string): string | undefined {
    return this._mnemonics.get(secretId);
  }

  setMnemonic(secretId: string, phrase: string): void {
    this._mnemonics.set(secretId, phrase);
  }

  /** Forgets every key (the objects become unreachable; JS cannot wipe them). */
  clear(): void {
    this._keys.clear();
    this._mnemonics.clear();
  }

  get size(): number {
    return this._keys.size;
  }
}

/** A fresh 12-word BIP-39 phrase from the platform's secure random source. */
export function generateMnemonic(): string {
  return Mnemonic.fromEntropy(randomBytes(16)).phrase;
}

/** Normalises what a person typed or pasted: lower case, single spaces. */
export function normaliseMnemonic(phrase: string): string {
  return phrase.trim().toLowerCase().split(/\s+/).join(' ');
}

/** The account `index` of `phrase` on the standard path. */
export function deriveAccount(phrase: string, index: number): HDNodeWallet {
  return HDNodeWallet.fromPhrase(phrase, undefined, `${HD_BASE_PATH}/${index}`);
}

/**
 * Indexes of words a person must type back to prove they wrote the phrase
 * down; random so nobody learns to skip the backup.
 */
export function pickConfirmationIndexes(words: number, count = 3): number[] {
  const picked = new Set<number>();
  const random = randomBytes(32);
  let i = 0;
  while (picked.size < Math.min(count, words)) {
    picked.add(random[i % random.length] % words);
    i++;
    if (i > 1000) {
      break;
    }
  }
  return [...picked].sort((a, b) => a - b);
}

function wrongPassword(): OceanError {
  return new OceanError(
    'OCEAN_WRONG_PASSWORD',
    wordsLater.__(
      'That password does not unlock this wallet. Nothing was changed; try again.'
    )
  );
}

function isPasswordError(error: unknown): boolean {
  return /incorrect password|invalid password/i.test(String(error));
}

function checkPassword(password: string): void {
  if (typeof password !== 'string' || password.length < 8) {
    throw new OceanError(
      'OCEAN_BAD_IMPORT',
      wordsLater.__(
        'Choose a password of at least 8 characters: it protects your keys in this browser.'
      )
    );
  }
}

function newId(): string {
  return Array.from(randomBytes(8), b => b.toString(16).padStart(2, '0')).join(
    ''
  );
}

/**
 * The encrypted key store. Every method that writes takes the password, so
 * the password itself is never kept, not even in memory.
 */
export class Vault {
  private _record: IVaultRecord | null = null;
  private _loaded = false;

  constructor(
    private readonly _storage: IVaultStorage,
    private readonly _options: IVaultOptions = {}
  ) {}

  /** Reads the record; call once before anything else. */
  async load(): Promise<IVaultRecord | null> {
    this._record = await this._storage.read();
    this._loaded = true;
    return this._record;
  }

  get exists(): boolean {
    return this._record !== null;
  }

  get accounts(): ReadonlyArray<IStoredAccount> {
    return this._record?.accounts ?? [];
  }

  /** Ids of the mnemonic secrets, first made first. */
  get secretIds(): string[] {
    return (this._record?.secrets ?? [])
      .filter(secret => secret.kind === 'mnemonic')
      .map(secret => secret.id);
  }

  /** The test-wallet facts, or null for a wallet a person made with a password. */
  get testWallet(): ITestWalletFacts | null {
    return this._record?.testWallet ? { ...this._record.testWallet } : null;
  }

  /**
   * Creates a test wallet: a fresh phrase and a generated password (32
   * random bytes), both made here, so neither is ever typed or shown. The
   * caller keeps the password in memory for the session only.
   */
  async createTestWallet(
    name = 'Test account'
  ): Promise<{ keys: UnlockedKeys; password: string }> {
    const password = Array.from(randomBytes(32), b =>
      b.toString(16).padStart(2, '0')
    ).join('');
    const keys = await this.createFromMnemonic(
      generateMnemonic(),
      password,
      name
    );
    await this._save({
      ...this._requireRecord(),
      testWallet: { passwordSet: false, backedUp: false }
    });
    return { keys, password };
  }

  /**
   * Encrypts every secret again under `password` (the test wallet's generated
   * one is `current`): the backup's "set a password" step.
   */
  async setPassword(current: string, password: string): Promise<void> {
    checkPassword(password);
    const record = this._requireRecord();
    const secrets: IStoredSecret[] = [];
    for (const secret of record.secrets) {
      let wallet: Wallet | HDNodeWallet;
      try {
        wallet = await Wallet.fromEncryptedJson(secret.keystore, current);
      } catch (error) {
        if (isPasswordError(error)) {
          throw wrongPassword();
        }
        throw error;
      }
      secrets.push({
        ...secret,
        keystore: await this._encrypt(wallet, password)
      });
    }
    await this._save({
      ...record,
      secrets,
      testWallet: record.testWallet
        ? { ...record.testWallet, passwordSet: true }
        : undefined
    });
  }

  /** Records that the person proved they wrote the phrase down. */
  async markBackedUp(): Promise<void> {
    const record = this._requireRecord();
    if (record.testWallet) {
      await this._save({
        ...record,
        testWallet: { ...record.testWallet, backedUp: true }
      });
    }
  }

  /** Creates the store from a phrase (new or recovered), with account 0. */
  async createFromMnemonic(
    phrase: string,
    password: string,
    name = 'Account 1'
  ): Promise<UnlockedKeys> {
    this._assertEmpty();
    checkPassword(password);
    const normalised = normaliseMnemonic(phrase);
    if (!Mnemonic.isValidMnemonic(normalised)) {
      throw new OceanError(
        'OCEAN_BAD_IMPORT',
        wordsLater.__(
          'That is not a valid recovery phrase: check the words (12 or 24, from the BIP-39 English list) and their order.'
        )
      );
    }
    const first = deriveAccount(normalised, 0);
    const secret: IStoredSecret = {
      id: newId(),
      kind: 'mnemonic',
      keystore: await this._encrypt(first, password)
    };
    const record: IVaultRecord = {
      version: 1,
      secrets: [secret],
      accounts: [
        { address: first.address, name, secretId: secret.id, index: 0 }
      ]
    };
    await this._save(record);
    const keys = new UnlockedKeys();
    keys.set(first.address, first);
    keys.setMnemonic(secret.id, normalised);
    return keys;
  }

  /**
   * Adds a private key (hex) or a keystore JSON to the store. With no store
   * yet, this creates it under `password`; otherwise `password` must be the
   * store's (it is checked against an existing secret first).
   */
  async importKey(
    input:
      { privateKey: string } | { keystore: string; keystorePassword: string },
    password: string,
    name: string,
    keys?: UnlockedKeys
  ): Promise<{ address: string; keys: UnlockedKeys }> {
    checkPassword(password);
    let wallet: BaseWallet;
    if ('privateKey' in input) {
      const hex = input.privateKey.trim();
      try {
        wallet = new Wallet(hex.startsWith('0x') ? hex : `0x${hex}`);
      } catch {
        throw new OceanError(
          'OCEAN_BAD_IMPORT',
          wordsLater.__(
            'That is not a private key: expected 64 hexadecimal characters (optionally starting with 0x).'
          )
        );
      }
    } else {
      try {
        const decrypted = await Wallet.fromEncryptedJson(
          input.keystore,
          input.keystorePassword
        );
        wallet = new Wallet(decrypted.privateKey);
      } catch (error) {
        throw new OceanError(
          'OCEAN_BAD_IMPORT',
          isPasswordError(error)
            ? wordsLater.__(
                'The keystore file did not open with that password.'
              )
            : wordsLater.__(
                'That file is not a Web3 Secret Storage keystore (a JSON file with "crypto" inside).'
              )
        );
      }
    }
    const unlocked = keys ?? new UnlockedKeys();
    if (this._record) {
      if (
        this._record.accounts.some(
          account =>
            account.address.toLowerCase() === wallet.address.toLowerCase()
        )
      ) {
        throw new OceanError(
          'OCEAN_WALLET_EXISTS',
          wordsLater.__(
            'The account %1 is already in this wallet.',
            wallet.address
          )
        );
      }
      await this._verify(password);
    }
    const secret: IStoredSecret = {
      id: newId(),
      kind: 'privateKey',
      keystore: await this._encrypt(wallet, password)
    };
    const record: IVaultRecord = this._record
      ? {
          ...this._record,
          secrets: [...this._record.secrets, secret],
          accounts: [...this._record.accounts]
        }
      : { version: 1, secrets: [secret], accounts: [] };
    record.accounts.push({
      address: wallet.address,
      name,
      secretId: secret.id
    });
    await this._save(record);
    unlocked.set(wallet.address, wallet);
    return { address: wallet.address, keys: unlocked };
  }

  /** Decrypts every secret; a wrong password changes nothing. */
  async unlock(password: string): Promise<UnlockedKeys> {
    const record = this._requireRecord();
    const keys = new UnlockedKeys();
    for (const secret of record.secrets) {
      let wallet: Wallet | HDNodeWallet;
      try {
        wallet = await Wallet.fromEncryptedJson(secret.keystore, password);
      } catch (error) {
        keys.clear();
        if (isPasswordError(error)) {
          throw wrongPassword();
        }
        throw new OceanError(
          'OCEAN_BAD_IMPORT',
          wordsLater.__(
            'The stored wallet is damaged and cannot be opened. Restore it from your recovery phrase.'
          )
        );
      }
      if (secret.kind === 'mnemonic') {
        const phrase = (wallet as HDNodeWallet).mnemonic?.phrase;
        if (!phrase) {
          throw new OceanError(
            'OCEAN_BAD_IMPORT',
            wordsLater.__(
              'The stored wallet lost its recovery phrase. Restore it from your phrase.'
            )
          );
        }
        keys.setMnemonic(secret.id, phrase);
        for (const account of record.accounts) {
          if (account.secretId === secret.id) {
            keys.set(
              account.address,
              deriveAccount(phrase, account.index ?? 0)
            );
          }
        }
      } else {
        keys.set(wallet.address, new Wallet(wallet.privateKey));
      }
    }
    return keys;
  }

  /** Derives the next HD account of the first mnemonic secret. */
  async addAccount(keys: UnlockedKeys, name?: string): Promise<IStoredAccount> {
    const record = this._requireRecord();
    const secret = record.secrets.find(s => s.kind === 'mnemonic');
    const phrase = secret && keys.mnemonic(secret.id);
    if (!secret || !phrase) {
      throw new OceanError(
        'OCEAN_BAD_IMPORT',
        wordsLater.__(
          'Only a wallet created from a recovery phrase can derive more accounts; import another key instead.'
        )
      );
    }
    const used = record.accounts
      .filter(account => account.secretId === secret.id)
      .map(account => account.index ?? 0);
    const index = Math.max(-1, ...used) + 1;
    const derived = deriveAccount(phrase, index);
    const account: IStoredAccount = {
      address: derived.address,
      name: name ?? `Account ${record.accounts.length + 1}`,
      secretId: secret.id,
      index
    };
    await this._save({ ...record, accounts: [...record.accounts, account] });
    keys.set(derived.address, derived);
    return account;
  }

  async rename(address: string, name: string): Promise<void> {
    const record = this._requireRecord();
    const trimmed = name.trim().slice(0, 64);
    if (!trimmed) {
      return;
    }
    await this._save({
      ...record,
      accounts: record.accounts.map(account =>
        account.address.toLowerCase() === address.toLowerCase()
          ? { ...account, name: trimmed }
          : account
      )
    });
  }

  /**
   * A Web3 Secret Storage JSON of one account, encrypted under `password`
   * (which may differ from the store's), for backup in another wallet.
   */
  async exportKeystore(
    keys: UnlockedKeys,
    address: string,
    password: string
  ): Promise<string> {
    checkPassword(password);
    const key = keys.get(address);
    if (!key) {
      throw new OceanError(
        4100,
        wordsLater.__('Unlock the wallet to export an account.')
      );
    }
    return this._encrypt(new Wallet(key.privateKey), password);
  }

  /** Removes everything. The keys are gone unless backed up. */
  async reset(): Promise<void> {
    await this._storage.write(null);
    this._record = null;
  }

  private async _verify(password: string): Promise<void> {
    const record = this._requireRecord();
    try {
      await Wallet.fromEncryptedJson(record.secrets[0].keystore, password);
    } catch (error) {
      if (isPasswordError(error)) {
        throw wrongPassword();
      }
      throw error;
    }
  }

  private _encrypt(wallet: BaseWallet, password: string): Promise<string> {
    const account: KeystoreAccount = {
      address: wallet.address,
      privateKey: wallet.privateKey
    };
    // The phrase travels inside the ciphertext (ethers' x-ethers extension),
    // so a reload can derive the other accounts again.
    if (wallet instanceof HDNodeWallet && wallet.mnemonic) {
      account.mnemonic = {
        path: wallet.path ?? undefined,
        locale: 'en',
        entropy: wallet.mnemonic.entropy
      };
    }
    const N = this._options.scryptN;
    return encryptKeystoreJson(account, password, N ? { scrypt: { N } } : {});
  }

  private _assertEmpty(): void {
    if (!this._loaded) {
      throw new Error('Vault.load() must be called first');
    }
    if (this._record) {
      throw new OceanError(
        'OCEAN_WALLET_EXISTS',
        wordsLater.__(
          'A wallet already exists in this browser. Import keys into it, or remove it first.'
        )
      );
    }
  }

  private _requireRecord(): IVaultRecord {
    if (!this._record) {
      throw new OceanError(
        4100,
        wordsLater.__(
          'There is no wallet in this browser yet: create or import one in the Ocean panel.'
        )
      );
    }
    return this._record;
  }

  private async _save(record: IVaultRecord): Promise<void> {
    await this._storage.write(record);
    this._record = record;
  }
}

/** Keeps the record in memory: for tests and for browsers without IndexedDB. */
export class MemoryVaultStorage implements IVaultStorage {
  record: IVaultRecord | null = null;

  async read(): Promise<IVaultRecord | null> {
    return this.record ? structuredClone(this.record) : null;
  }

  async write(record: IVaultRecord | null): Promise<void> {
    this.record = record ? structuredClone(record) : null;
  }
}
