/**
 * The one place decrypted keys live, and the one interface the wallet has
 * to them: it answers with addresses, public account facts, signatures and
 * signed transactions, never with a key or a phrase.
 *
 * `KeyKeeper` does the work where it runs. In the browser it runs inside
 * the vault Web Worker (vault-worker.ts), so the decrypted keys sit in the
 * worker's own memory, which no page script can read; `WorkerKeyVault`
 * (vault-client.ts) is the page's side of that worker. Node's tests use a
 * `KeyKeeper` directly.
 */
import {
  Transaction,
  type BaseWallet,
  type TransactionLike,
  type TypedDataDomain,
  type TypedDataField
} from 'ethers';
import { OceanError, wordsLater } from '../../errors';
import {
  normaliseMnemonic,
  UnlockedKeys,
  Vault,
  type IStoredAccount,
  type ITestWalletFacts,
  type IVaultOptions,
  type IVaultStorage
} from './keystore';

/** Public facts about the store after an operation: safe to show. */
export interface IVaultSnapshot {
  exists: boolean;
  accounts: IStoredAccount[];
  /** Addresses whose keys are decrypted now (empty when locked). */
  unlocked: string[];
  /** A test wallet's facts (absent for a wallet made with a password). */
  testWallet?: ITestWalletFacts | null;
}

export type KeyImport =
  { privateKey: string } | { keystore: string; keystorePassword: string };

/** A transaction complete enough to sign with no provider (nonce, gas, fees, chain). */
export type SignableTransaction = Omit<TransactionLike<string>, 'signature'>;

/** What the wallet may ask of its keys. */
export interface IKeyVault {
  load(): Promise<IVaultSnapshot>;
  create(
    phrase: string,
    password: string,
    name?: string
  ): Promise<IVaultSnapshot>;
  importKey(
    input: KeyImport,
    password: string,
    name: string
  ): Promise<{ address: string; snapshot: IVaultSnapshot }>;
  unlock(password: string): Promise<IVaultSnapshot>;
  lock(): Promise<IVaultSnapshot>;
  addAccount(
    name?: string
  ): Promise<{ account: IStoredAccount; snapshot: IVaultSnapshot }>;
  rename(address: string, name: string): Promise<IVaultSnapshot>;
  /**
   * A test wallet for the local network: phrase and password generated
   * here; the password stays in this memory for the session only.
   */
  createTestWallet(name?: string): Promise<IVaultSnapshot>;
  /**
   * The test wallet's backup, first step: encrypts it under the person's
   * `password` and answers with its phrase, to be written down. Only while
   * the generated password is still in memory (once per test wallet).
   */
  setTestWalletPassword(
    password: string
  ): Promise<{ phrase: string; snapshot: IVaultSnapshot }>;
  /** Second step: the words asked for, checked here; then it is backed up. */
  confirmTestWalletBackup(
    words: ReadonlyArray<{ index: number; word: string }>
  ): Promise<IVaultSnapshot>;
  /**
   * A backup of one account, encrypted under `exportPassword`. Only with
   * the store's own password, so holding this object is not enough to
   * learn a key (an export password the caller chose would be).
   */
  exportKeystore(
    address: string,
    storePassword: string,
    exportPassword: string
  ): Promise<string>;
  reset(): Promise<IVaultSnapshot>;
  /** EIP-191 signature of `message` (bytes). */
  signMessage(address: string, message: Uint8Array): Promise<string>;
  signTypedData(
    address: string,
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>
  ): Promise<string>;
  /** The serialised signed transaction, for the page to broadcast. */
  signTransaction(address: string, tx: SignableTransaction): Promise<string>;
}

/** Operations, as the worker protocol names them. */
export type KeyVaultOp = keyof IKeyVault;

function locked(): OceanError {
  return new OceanError(
    4100,
    wordsLater.__(
      'The wallet is locked: unlock it in the Ocean panel, then try again.'
    )
  );
}

/** Holds the store and its unlocked keys in the memory it runs in. */
export class KeyKeeper implements IKeyVault {
  #vault: Vault;
  #keys: UnlockedKeys | null = null;
  // A test wallet's generated password, while it has no password of the
  // person's; gone on lock, reset and reload (then the wallet cannot open).
  #sessionPassword: string | null = null;

  constructor(storage: IVaultStorage, options: IVaultOptions = {}) {
    this.#vault = new Vault(storage, options);
  }

  async load(): Promise<IVaultSnapshot> {
    await this.#vault.load();
    return this.#snapshot();
  }

  async create(
    phrase: string,
    password: string,
    name?: string
  ): Promise<IVaultSnapshot> {
    await this.#vault.load();
    this.#setKeys(await this.#vault.createFromMnemonic(phrase, password, name));
    return this.#snapshot();
  }

  async importKey(
    input: KeyImport,
    password: string,
    name: string
  ): Promise<{ address: string; snapshot: IVaultSnapshot }> {
    await this.#vault.load();
    const { address, keys } = await this.#vault.importKey(
      input,
      password,
      name,
      this.#keys ?? undefined
    );
    if (!this.#keys) {
      // Importing into a locked store: unlock everything with the same password.
      this.#setKeys(
        this.#vault.accounts.length > 1
          ? await this.#vault.unlock(password)
          : keys
      );
    }
    return { address, snapshot: this.#snapshot() };
  }

  async unlock(password: string): Promise<IVaultSnapshot> {
    this.#setKeys(await this.#vault.unlock(password));
    return this.#snapshot();
  }

  async lock(): Promise<IVaultSnapshot> {
    this.#setKeys(null);
    this.#sessionPassword = null;
    return this.#snapshot();
  }

  async createTestWallet(name?: string): Promise<IVaultSnapshot> {
    await this.#vault.load();
    const { keys, password } = await this.#vault.createTestWallet(name);
    this.#setKeys(keys);
    this.#sessionPassword = password;
    return this.#snapshot();
  }

  async setTestWalletPassword(
    password: string
  ): Promise<{ phrase: string; snapshot: IVaultSnapshot }> {
    const keys = this.#requireKeys();
    const current = this.#sessionPassword;
    const facts = this.#vault.testWallet;
    if (!facts || facts.backedUp || (current === null && !facts.passwordSet)) {
      throw new OceanError(
        'OCEAN_BAD_REQUEST',
        wordsLater.__(
          'This wallet needs no backup here: its phrase was shown when it was made, or it was imported, or it is backed up already.'
        )
      );
    }
    if (current === null) {
      // A backup left half-way (the words never typed back): the password
      // set then shows the words again.
      (await this.#vault.unlock(String(password))).clear();
    } else {
      await this.#vault.setPassword(current, String(password));
      this.#sessionPassword = null;
    }
    const phrase = this.#phrase(keys);
    return { phrase, snapshot: this.#snapshot() };
  }

  async confirmTestWalletBackup(
    words: ReadonlyArray<{ index: number; word: string }>
  ): Promise<IVaultSnapshot> {
    const facts = this.#vault.testWallet;
    if (!facts?.passwordSet) {
      throw new OceanError(
        'OCEAN_BAD_REQUEST',
        wordsLater.__(
          'Set a password for the test wallet first; then write its phrase down.'
        )
      );
    }
    const phrase = this.#phrase(this.#requireKeys()).split(' ');
    const wrong = (Array.isArray(words) ? words : []).filter(
      ({ index, word }) => normaliseMnemonic(String(word)) !== phrase[index]
    );
    if (!words.length || wrong.length) {
      const which = wrong
        .map(({ index }) => `#${Number(index) + 1}`)
        .join(', ');
      throw new OceanError(
        'OCEAN_BAD_IMPORT',
        wrong.length > 1
          ? wordsLater.__(
              'Words %1 do not match the recovery phrase. Check what you wrote down.',
              which
            )
          : wordsLater.__(
              'Word %1 does not match the recovery phrase. Check what you wrote down.',
              which
            )
      );
    }
    await this.#vault.markBackedUp();
    return this.#snapshot();
  }

  #phrase(keys: UnlockedKeys): string {
    const secret = this.#vault.secretIds.find(id => keys.mnemonic(id));
    const phrase = secret ? keys.mnemonic(secret) : undefined;
    if (!phrase) {
      throw locked();
    }
    return phrase;
  }

  async addAccount(
    name?: string
  ): Promise<{ account: IStoredAccount; snapshot: IVaultSnapshot }> {
    const account = await this.#vault.addAccount(this.#requireKeys(), name);
    return { account, snapshot: this.#snapshot() };
  }

  async rename(address: string, name: string): Promise<IVaultSnapshot> {
    await this.#vault.rename(address, name);
    return this.#snapshot();
  }

  async exportKeystore(
    address: string,
    storePassword: string,
    exportPassword: string
  ): Promise<string> {
    const keys = this.#requireKeys();
    // Proves the person knows the store's password before any key leaves
    // (even as ciphertext under a password the caller picked).
    const check = await this.#vault.unlock(String(storePassword));
    check.clear();
    return this.#vault.exportKeystore(keys, address, exportPassword);
  }

  async reset(): Promise<IVaultSnapshot> {
    this.#setKeys(null);
    this.#sessionPassword = null;
    await this.#vault.reset();
    return this.#snapshot();
  }

  async signMessage(address: string, message: Uint8Array): Promise<string> {
    return this.#key(address).signMessage(message);
  }

  async signTypedData(
    address: string,
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>
  ): Promise<string> {
    return this.#key(address).signTypedData(domain, types, value);
  }

  async signTransaction(
    address: string,
    tx: SignableTransaction
  ): Promise<string> {
    const key = this.#key(address);
    const transaction = Transaction.from({ ...tx, from: undefined });
    transaction.signature = key.signingKey.sign(transaction.unsignedHash);
    return transaction.serialized;
  }

  #key(address: string): BaseWallet {
    const key = this.#keys?.get(String(address));
    if (!key) {
      throw locked();
    }
    return key;
  }

  #requireKeys(): UnlockedKeys {
    if (!this.#keys) {
      throw locked();
    }
    return this.#keys;
  }

  #setKeys(keys: UnlockedKeys | null): void {
    if (this.#keys !== keys) {
      this.#keys?.clear();
    }
    this.#keys = keys;
  }

  #snapshot(): IVaultSnapshot {
    const accounts = this.#vault.accounts.map(account => ({ ...account }));
    return {
      exists: this.#vault.exists,
      testWallet: this.#vault.testWallet,
      accounts,
      unlocked: this.#keys
        ? accounts
            .map(account => account.address)
            .filter(address => this.#keys?.get(address))
        : []
    };
  }
}
