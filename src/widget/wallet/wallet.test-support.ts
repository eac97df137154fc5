/**
 * For tests (unit tests here, test/integration/): the real OceanWallet with the real key
 * vault, kept in memory with a cheap scrypt, its activity log in a Map and no lock timer. The
 * test says how the dialog answers. Not part of the build.
 */
import { NetworkRegistry } from '../../ocean/networks';
import { ActivityLog } from './activity';
import { KeyKeeper } from './key-vault';
import { MemoryVaultStorage } from './keystore';
import { OceanWallet, type IWalletOptions } from './wallet';

// The wallet runs in a browser; in Node its timers live on globalThis
// (it only reaches for `window` when called, not when imported).
(globalThis as any).window ??= globalThis;

/**
 * A restored wallet with no key yet; `options` give its dialog (`confirm`) and anything else
 * the test needs (networks, promptUnlock, oceanContracts).
 */
export async function openTestWallet(
  options: Partial<IWalletOptions> & Pick<IWalletOptions, 'confirm'>
): Promise<OceanWallet> {
  const store = new Map<string, unknown>();
  const wallet = new OceanWallet({
    networks: new NetworkRegistry(),
    keys: new KeyKeeper(new MemoryVaultStorage(), { scryptN: 1 << 10 }),
    activity: new ActivityLog({
      get: async <T>(key: string) => store.get(key) as T | undefined,
      set: async (key, value) => void store.set(key, value)
    }),
    promptUnlock: async () => undefined,
    ...options
  });
  await wallet.restore();
  // No 15-minute lock timer keeping the test process alive.
  wallet.autoLockMinutes = 0;
  return wallet;
}
