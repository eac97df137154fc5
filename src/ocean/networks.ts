import { Signal } from '@lumino/signaling';
import type { ISignal } from '@lumino/signaling';
import type { INetworkRegistry, IOceanNetwork } from '../tokens';
import { errorWords, OceanError } from '../errors';

/**
 * The network `npm start` brings up on loopback (see stack/). It is always
 * present and comes first, so a newcomer works against it by default.
 */
export const LOCAL_NETWORK: IOceanNetwork = {
  key: 'local',
  name: 'Local Ocean stack',
  chainId: 8996,
  rpcUrl: 'http://127.0.0.1:8545',
  nodeUrl: 'http://127.0.0.1:8001',
  faucetUrl: 'http://127.0.0.1:8002',
  nativeSymbol: 'ETH'
};

/** Whether `network` is the local stack's (test coins, test wallets). */
export function isLocalNetwork(network: Pick<IOceanNetwork, 'key'>): boolean {
  return network.key === LOCAL_NETWORK.key;
}

/** The shape of one entry in the `networks` setting (see schema/networks.json). */
export interface INetworkSetting {
  key?: unknown;
  name?: unknown;
  chainId?: unknown;
  rpcUrl?: unknown;
  nodeUrl?: unknown;
  explorerUrl?: unknown;
  oceanTokenAddress?: unknown;
  faucetUrl?: unknown;
  nativeSymbol?: unknown;
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') {
    return false;
  }
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Turn one settings entry into a network, or explain in a sentence why not.
 * Settings are edited by hand in JSON, so every field is checked.
 */
export function parseNetwork(entry: INetworkSetting): IOceanNetwork {
  const where =
    typeof entry.key === 'string' && entry.key
      ? `"${entry.key}"`
      : errorWords.__('one');
  const fail = (sentence: string): never => {
    throw new OceanError('OCEAN_BAD_SETTINGS', sentence);
  };
  if (
    typeof entry.key !== 'string' ||
    !/^[a-z0-9][a-z0-9-]*$/.test(entry.key)
  ) {
    fail(
      errorWords.__(
        'The network %1 in the Ocean settings needs a key made of lower-case letters, digits and dashes.',
        where
      )
    );
  }
  if (typeof entry.name !== 'string' || !entry.name.trim()) {
    fail(
      errorWords.__('The network %1 in the Ocean settings needs a name.', where)
    );
  }
  if (
    typeof entry.chainId !== 'number' ||
    !Number.isSafeInteger(entry.chainId) ||
    entry.chainId <= 0
  ) {
    fail(
      errorWords.__(
        'The network %1 in the Ocean settings needs a positive integer chainId.',
        where
      )
    );
  }
  if (!isHttpUrl(entry.rpcUrl)) {
    fail(
      errorWords.__(
        'The network %1 in the Ocean settings needs an http(s) rpcUrl.',
        where
      )
    );
  }
  if (!isHttpUrl(entry.nodeUrl)) {
    fail(
      errorWords.__(
        'The network %1 in the Ocean settings needs an http(s) nodeUrl (Ocean Node peer IDs are not supported).',
        where
      )
    );
  }
  for (const optional of ['explorerUrl', 'faucetUrl'] as const) {
    if (entry[optional] !== undefined && !isHttpUrl(entry[optional])) {
      fail(
        errorWords.__(
          'The network %1 in the Ocean settings has an %2 that is not an http(s) URL.',
          where,
          optional
        )
      );
    }
  }
  if (
    entry.oceanTokenAddress !== undefined &&
    (typeof entry.oceanTokenAddress !== 'string' ||
      !/^0x[0-9a-fA-F]{40}$/.test(entry.oceanTokenAddress))
  ) {
    fail(
      errorWords.__(
        'The network %1 in the Ocean settings has an oceanTokenAddress that is not a 0x address.',
        where
      )
    );
  }
  return {
    key: entry.key as string,
    name: (entry.name as string).trim(),
    chainId: entry.chainId as number,
    rpcUrl: entry.rpcUrl as string,
    nodeUrl: entry.nodeUrl as string,
    explorerUrl: entry.explorerUrl as string | undefined,
    oceanTokenAddress: entry.oceanTokenAddress as string | undefined,
    faucetUrl: entry.faucetUrl as string | undefined,
    nativeSymbol:
      typeof entry.nativeSymbol === 'string' && entry.nativeSymbol
        ? entry.nativeSymbol
        : 'ETH'
  };
}

/**
 * The list a user sees: the local stack first (their settings may move its
 * ports), then their own networks; duplicate keys keep the first.
 */
export function resolveNetworks(entries: INetworkSetting[]): IOceanNetwork[] {
  const result: IOceanNetwork[] = [];
  const seen = new Set<string>();
  const local = entries.find(entry => entry.key === LOCAL_NETWORK.key);
  result.push(
    local ? parseNetwork({ ...LOCAL_NETWORK, ...local }) : LOCAL_NETWORK
  );
  seen.add(LOCAL_NETWORK.key);
  for (const entry of entries) {
    if (entry.key === LOCAL_NETWORK.key) {
      continue;
    }
    const network = parseNetwork(entry);
    if (!seen.has(network.key)) {
      seen.add(network.key);
      result.push(network);
    }
  }
  return result;
}

/**
 * The registry behind INetworkRegistry. It knows nothing of JupyterLab's
 * settings: the plugin feeds it, which keeps it testable in plain Node.
 */
export class NetworkRegistry implements INetworkRegistry {
  private _networks: IOceanNetwork[] = [LOCAL_NETWORK];
  private _activeKey = LOCAL_NETWORK.key;
  private _changed = new Signal<INetworkRegistry, IOceanNetwork>(this);
  /** Called when the user picks a network, so the choice is saved. */
  onActivate?: (key: string) => Promise<void>;
  private _guards = new Set<(target: IOceanNetwork) => Promise<void>>();

  /**
   * A check that runs before every switch, whoever asks (the panel, a
   * kernel's %ocean use, a dApp's wallet_switchEthereumChain); one that
   * throws keeps the current network. Returns its removal.
   */
  addGuard(guard: (target: IOceanNetwork) => Promise<void>): () => void {
    this._guards.add(guard);
    return () => this._guards.delete(guard);
  }

  get networks(): ReadonlyArray<IOceanNetwork> {
    return this._networks;
  }

  get active(): IOceanNetwork {
    return (
      this._networks.find(network => network.key === this._activeKey) ??
      this._networks[0]
    );
  }

  get changed(): ISignal<INetworkRegistry, IOceanNetwork> {
    return this._changed;
  }

  /** Replace the list and the active key from settings. */
  update(entries: INetworkSetting[], activeKey: string): void {
    this._networks = resolveNetworks(entries);
    this._activeKey = this._networks.some(n => n.key === activeKey)
      ? activeKey
      : LOCAL_NETWORK.key;
    this._changed.emit(this.active);
  }

  async activate(key: string): Promise<void> {
    if (!this._networks.some(network => network.key === key)) {
      throw new OceanError(
        'OCEAN_UNKNOWN_NETWORK',
        errorWords.__(
          'There is no network called "%1". Known networks: %2.',
          key,
          this._networks.map(network => network.key).join(', ')
        )
      );
    }
    const target = this._networks.find(network => network.key === key)!;
    if (key !== this._activeKey) {
      for (const guard of [...this._guards]) {
        await guard(target);
      }
    }
    if (this.onActivate) {
      await this.onActivate(key);
    }
    this._activeKey = key;
    this._changed.emit(this.active);
  }
}
