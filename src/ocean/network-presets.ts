/**
 * Ocean's public networks, ready to pick. Chain ids and OCEAN addresses come
 * from @oceanprotocol/contracts 2.6.0 `addresses/address.json` (a unit test
 * checks them against that file); RPC URLs are public endpoints that need no
 * key; explorers are the ones Ocean's own ConfigHelper names.
 *
 * Ocean Nodes are run by their operators, not by Ocean: there is no single
 * public node per chain. The presets point at a node on this machine on
 * Ocean Node's default port (8000); set `nodeUrl` to the node you use.
 */
import type { INetworkSetting } from './networks';

/** Where Ocean Node listens by default when you run one yourself. */
export const DEFAULT_OWN_NODE_URL = 'http://127.0.0.1:8000';

export const OCEAN_NETWORK_PRESETS: ReadonlyArray<INetworkSetting> = [
  {
    key: 'ethereum',
    name: 'Ethereum',
    chainId: 1,
    rpcUrl: 'https://ethereum-rpc.publicnode.com',
    nodeUrl: DEFAULT_OWN_NODE_URL,
    explorerUrl: 'https://etherscan.io',
    oceanTokenAddress: '0x967da4048cD07aB37855c090aAF366e4ce1b9F48',
    nativeSymbol: 'ETH'
  },
  {
    key: 'optimism',
    name: 'Optimism',
    chainId: 10,
    rpcUrl: 'https://mainnet.optimism.io',
    nodeUrl: DEFAULT_OWN_NODE_URL,
    explorerUrl: 'https://optimistic.etherscan.io',
    oceanTokenAddress: '0x2561aa2bB1d2Eb6629EDd7b0938d7679B8b49f9E',
    nativeSymbol: 'ETH'
  },
  {
    // address.json lists Base without an OCEAN token.
    key: 'base',
    name: 'Base',
    chainId: 8453,
    rpcUrl: 'https://mainnet.base.org',
    nodeUrl: DEFAULT_OWN_NODE_URL,
    explorerUrl: 'https://basescan.org',
    nativeSymbol: 'ETH'
  },
  {
    key: 'polygon',
    name: 'Polygon',
    chainId: 137,
    rpcUrl: 'https://polygon-bor-rpc.publicnode.com',
    nodeUrl: DEFAULT_OWN_NODE_URL,
    explorerUrl: 'https://polygonscan.com',
    oceanTokenAddress: '0x282d8efCe846A88B159800bd4130ad77443Fa1A1',
    nativeSymbol: 'POL'
  },
  {
    key: 'oasis-sapphire',
    name: 'Oasis Sapphire',
    chainId: 23294,
    rpcUrl: 'https://sapphire.oasis.io',
    nodeUrl: DEFAULT_OWN_NODE_URL,
    explorerUrl: 'https://explorer.oasis.io/mainnet/sapphire',
    oceanTokenAddress: '0x39d22B78A7651A76Ffbde2aaAB5FD92666Aca520',
    nativeSymbol: 'ROSE'
  },
  {
    key: 'sepolia',
    name: 'Sepolia (testnet)',
    chainId: 11155111,
    rpcUrl: 'https://ethereum-sepolia-rpc.publicnode.com',
    nodeUrl: DEFAULT_OWN_NODE_URL,
    explorerUrl: 'https://sepolia.etherscan.io',
    oceanTokenAddress: '0x1B083D8584dd3e6Ff37d04a6e7e82b5F622f3985',
    nativeSymbol: 'ETH'
  },
  {
    key: 'optimism-sepolia',
    name: 'Optimism Sepolia (testnet)',
    chainId: 11155420,
    rpcUrl: 'https://sepolia.optimism.io',
    nodeUrl: DEFAULT_OWN_NODE_URL,
    explorerUrl: 'https://sepolia-optimism.etherscan.io',
    oceanTokenAddress: '0xf26c6C93f9f1d725e149d95f8E7B2334a406aD10',
    nativeSymbol: 'ETH'
  }
];

/**
 * The settings' own networks followed by the presets they do not override
 * (same key: the user's entry wins, e.g. to set the preset's nodeUrl).
 */
export function withPresets(
  entries: ReadonlyArray<INetworkSetting>,
  include = true
): INetworkSetting[] {
  if (!include) {
    return [...entries];
  }
  const keys = new Set(entries.map(entry => entry.key));
  const merged = entries.map(entry => {
    const preset = OCEAN_NETWORK_PRESETS.find(p => p.key === entry.key);
    // A partial entry (say, only nodeUrl) completes the preset it names.
    return preset ? { ...preset, ...entry } : entry;
  });
  return [
    ...merged,
    ...OCEAN_NETWORK_PRESETS.filter(preset => !keys.has(preset.key))
  ];
}
