/**
 * The page's side of the vault worker (vault-worker.ts). The Worker lives
 * in a private field of this object, and this object in a private field of
 * the wallet, so neither `window`, the application, the plugin registry
 * nor the DOM leads to it; and the worker itself only ever answers with
 * addresses, signatures and signed transactions.
 */
import type { TypedDataDomain, TypedDataField } from 'ethers';
import { errorWords, OceanError } from '../../errors';
import type {
  IKeyVault,
  IVaultSnapshot,
  KeyImport,
  KeyVaultOp,
  SignableTransaction
} from './key-vault';
import type { IStoredAccount } from './keystore';
import type { IVaultRequest, VaultReply } from './vault-protocol';

// Taken when this module loads (at start-up, before any notebook output
// runs), so a page script that later replaces Worker.prototype.postMessage
// or addEventListener sees neither the passwords going in nor the answers.
const postToWorker = Worker.prototype.postMessage;
const listen = EventTarget.prototype.addEventListener;
// Reflect.apply itself too: a script that swapped it later was handed the
// worker as `this` and every request (passwords in) on each call, and could
// then post its own signTransaction to the worker, no dialog.
const apply = Reflect.apply;

function workerFailed(): OceanError {
  return new OceanError(
    4900,
    errorWords.__(
      "The wallet's key store could not start in this browser (its worker did not load). Reload the page; if it persists, use a browser wallet."
    )
  );
}

export class WorkerKeyVault implements IKeyVault {
  #worker: Worker;
  #pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  #next = 1;
  #failed = false;

  constructor() {
    // webpack bundles the worker as its own chunk from this exact form.
    this.#worker = new Worker(new URL('./vault-worker.js', import.meta.url));
    apply(listen, this.#worker, [
      'message',
      (event: MessageEvent<VaultReply>) => this.#answer(event.data)
    ]);
    apply(listen, this.#worker, [
      'error',
      (event: Event) => {
        event.preventDefault?.();
        this.#failed = true;
        for (const waiting of this.#pending.values()) {
          waiting.reject(workerFailed());
        }
        this.#pending.clear();
      }
    ]);
  }

  load(): Promise<IVaultSnapshot> {
    return this.#call('load', []);
  }

  create(
    phrase: string,
    password: string,
    name?: string
  ): Promise<IVaultSnapshot> {
    return this.#call('create', [phrase, password, name]);
  }

  importKey(
    input: KeyImport,
    password: string,
    name: string
  ): Promise<{ address: string; snapshot: IVaultSnapshot }> {
    return this.#call('importKey', [input, password, name]);
  }

  unlock(password: string): Promise<IVaultSnapshot> {
    return this.#call('unlock', [password]);
  }

  lock(): Promise<IVaultSnapshot> {
    return this.#call('lock', []);
  }

  addAccount(
    name?: string
  ): Promise<{ account: IStoredAccount; snapshot: IVaultSnapshot }> {
    return this.#call('addAccount', [name]);
  }

  rename(address: string, name: string): Promise<IVaultSnapshot> {
    return this.#call('rename', [address, name]);
  }

  createTestWallet(name?: string): Promise<IVaultSnapshot> {
    return this.#call('createTestWallet', [name]);
  }

  setTestWalletPassword(
    password: string
  ): Promise<{ phrase: string; snapshot: IVaultSnapshot }> {
    return this.#call('setTestWalletPassword', [password]);
  }

  confirmTestWalletBackup(
    words: ReadonlyArray<{ index: number; word: string }>
  ): Promise<IVaultSnapshot> {
    return this.#call('confirmTestWalletBackup', [words]);
  }

  exportKeystore(
    address: string,
    storePassword: string,
    exportPassword: string
  ): Promise<string> {
    return this.#call('exportKeystore', [
      address,
      storePassword,
      exportPassword
    ]);
  }

  reset(): Promise<IVaultSnapshot> {
    return this.#call('reset', []);
  }

  signMessage(address: string, message: Uint8Array): Promise<string> {
    return this.#call('signMessage', [address, message]);
  }

  signTypedData(
    address: string,
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>
  ): Promise<string> {
    return this.#call('signTypedData', [address, domain, types, value]);
  }

  signTransaction(address: string, tx: SignableTransaction): Promise<string> {
    return this.#call('signTransaction', [address, tx]);
  }

  #call<T>(op: KeyVaultOp, args: unknown[]): Promise<T> {
    if (this.#failed) {
      return Promise.reject(workerFailed());
    }
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, {
        resolve: resolve as (value: unknown) => void,
        reject
      });
      const request: IVaultRequest = { id, op, args };
      apply(postToWorker, this.#worker, [request]);
    });
  }

  #answer(reply: VaultReply): void {
    const waiting = this.#pending.get(reply?.id);
    if (!waiting) {
      return;
    }
    this.#pending.delete(reply.id);
    if (reply.ok) {
      waiting.resolve(reply.result);
    } else {
      // Worded here, in the lab's language: the worker has no translator.
      waiting.reject(
        new OceanError(
          reply.error.code,
          reply.error.words ?? reply.error.message
        )
      );
    }
  }
}
