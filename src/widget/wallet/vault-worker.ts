/**
 * The vault Web Worker: the encrypted store (IndexedDB is there in workers
 * too) and, once unlocked, the decrypted keys, in memory no page script can
 * read. It answers the page's requests (vault-client.ts) with public facts,
 * signatures and signed transactions only (see IKeyVault).
 *
 * Imports only ethers, idb and the ground floor: a worker has no
 * JupyterLab, and shared federated modules cannot load here.
 */
import { OceanError } from '../../errors';
import { IndexedDBVaultStorage } from './idb-store';
import { KeyKeeper, type IKeyVault, type KeyVaultOp } from './key-vault';
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
const keeper: IKeyVault = new KeyKeeper(new IndexedDBVaultStorage());
// One operation at a time: a create must not race the load before it.
let queue: Promise<unknown> = Promise.resolve();

scope.addEventListener('message', event => {
  const { id, op, args } = event.data ?? ({} as IVaultRequest);
  if (typeof id !== 'number' || !OPS.has(op) || !Array.isArray(args)) {
    return;
  }
  const work = async (): Promise<unknown> =>
    (keeper[op] as (...a: unknown[]) => Promise<unknown>).apply(keeper, args);
  const next = queue.then(work, work);
  queue = next.catch(() => undefined);
  next.then(
    result => scope.postMessage({ id, ok: true, result }),
    (error: unknown) =>
      scope.postMessage({
        id,
        ok: false,
        error:
          error instanceof OceanError
            ? { code: error.code, message: error.message }
            : {
                code: 'OCEAN_BAD_REQUEST',
                message: `The wallet could not do that: ${String(
                  (error as Error)?.message ?? error
                ).slice(0, 300)}`
              }
      })
  );
});
