/**
 * The vault Web Worker: the encrypted store (IndexedDB is there in workers
 * too) and, once unlocked, the decrypted keys, in memory no page script can
 * read. It answers the page's requests (vault-client.ts) with public facts,
 * signatures and signed transactions only (see IKeyVault).
 *
 * Imports only ethers, idb and the ground floor: a worker has no
 * JupyterLab, and shared federated modules cannot load here. The worker
 * starts with the page, but the key store's code (ethers: scrypt, AES,
 * secp256k1) loads only for the first operation past the start-up `load`,
 * which the stored record's public facts answer (vault-peek.ts).
 */
import { OceanError, wordsLater } from '../../errors';
import { IndexedDBVaultStorage } from './idb-store';
import type { IKeyVault, KeyVaultOp } from './key-vault';
import { lockedSnapshot } from './vault-peek';
import type { IVaultRequest, VaultReply } from './vault-protocol';

interface IWorkerScope {
  addEventListener(
    type: 'message',
    listener: (event: MessageEvent<IVaultRequest>) => void
  ): void;
  postMessage(message: VaultReply): void;
}

const OPS: ReadonlySet<KeyVaultOp> = new Set<KeyVaultOp>([
  'load',
  'create',
  'importKey',
  'unlock',
  'lock',
  'addAccount',
  'rename',
  'createTestWallet',
  'setTestWalletPassword',
  'confirmTestWalletBackup',
  'exportKeystore',
  'reset',
  'signMessage',
  'signTypedData',
  'signTransaction'
]);

const scope = self as unknown as IWorkerScope;
const storage = new IndexedDBVaultStorage();
let keeper: Promise<IKeyVault> | null = null;

function loadKeeper(): Promise<IKeyVault> {
  if (!keeper) {
    keeper = import('./key-vault').then(async ({ KeyKeeper }) => {
      const loaded = new KeyKeeper(storage);
      await loaded.load();
      return loaded;
    });
    keeper.catch(() => {
      keeper = null;
    });
  }
  return keeper;
}
// One operation at a time: a create must not race the load before it.
let queue: Promise<unknown> = Promise.resolve();

scope.addEventListener('message', event => {
  const { id, op, args } = event.data ?? ({} as IVaultRequest);
  if (typeof id !== 'number' || !OPS.has(op) || !Array.isArray(args)) {
    return;
  }
  const work = async (): Promise<unknown> => {
    if (op === 'load' && !keeper) {
      return lockedSnapshot(await storage.read());
    }
    const loaded = await loadKeeper();
    return (loaded[op] as (...a: unknown[]) => Promise<unknown>).apply(
      loaded,
      args
    );
  };
  const next = queue.then(work, work);
  queue = next.catch(() => undefined);
  next.then(
    result => scope.postMessage({ id, ok: true, result }),
    (error: unknown) => {
      const failure =
        error instanceof OceanError
          ? error
          : new OceanError(
              'OCEAN_BAD_REQUEST',
              wordsLater.__(
                'The wallet could not do that: %1',
                String((error as Error)?.message ?? error).slice(0, 300)
              )
            );
      scope.postMessage({
        id,
        ok: false,
        error: {
          code: failure.code,
          message: failure.message,
          words: failure.words
        }
      });
    }
  );
});
