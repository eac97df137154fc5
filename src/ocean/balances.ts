/**
 * What an account holds on the active network: the native coin, OCEAN, and
 * every ERC-20 (datatokens) and ERC-721 (data NFTs) it ever received,
 * discovered from Transfer logs and named after their Ocean assets.
 */
import {
  Contract,
  getAddress,
  id,
  sha256,
  toUtf8Bytes,
  zeroPadValue,
  type JsonRpcProvider
} from 'ethers';
import type { IOceanNetwork } from '../tokens';
import { ERC20_READS } from './erc20';
import { NodeApi } from './node-api';
import { formatAmount } from './wallet-decode';

export interface ITokenBalance {
  address: string;
  kind: 'erc20' | 'datatoken' | 'nft';
  symbol: string;
  name: string;
  decimals: number;
  /** Raw integer amount (ERC-721: how many NFTs). */
  raw: string;
  /** Human amount, decimals applied. */
  balance: string;
  /** The Ocean asset it belongs to, when the node knows it. */
  asset?: { did: string; name: string };
}

export interface IBalances {
  account: string;
  chainId: number;
  blockNumber: number;
  native: string;
  /** OCEAN, when the network has (or the account received) it. */
  ocean: ITokenBalance | null;
  tokens: ITokenBalance[];
}

const TRANSFER_TOPIC = id('Transfer(address,address,uint256)');
/** ERC-20 reads, and the data NFT a datatoken belongs to. */
const TOKEN_ABI = [
  ...ERC20_READS,
  'function getERC721Address() view returns (address)'
];

/**
 * An amount for a balance list: at most 6 decimals, cut (never rounded up,
 * so it never shows more than is there).
 */
export function displayAmount(raw: bigint, decimals: number): string {
  const cut = decimals > 6 ? 10n ** BigInt(decimals - 6) : 1n;
  return formatAmount((raw / cut) * cut, decimals);
}

/** Ocean's did for a data NFT: sha256(checksummed NFT address + chain id). */
export function oceanDid(nftAddress: string, chainId: number): string {
  return `did:op:${sha256(toUtf8Bytes(getAddress(nftAddress) + String(chainId))).slice(2)}`;
}

/**
 * How far back to look for Transfer logs: all of a local chain, the last
 * blocks elsewhere (public RPCs cap log ranges).
 */
function logWindow(network: IOceanNetwork, latest: number): number {
  return network.key === 'local' || network.chainId === 8996
    ? 0
    : Math.max(0, latest - 9_000);
}

async function assetName(
  network: IOceanNetwork,
  nftAddress: string,
  cache: Map<string, { did: string; name: string } | null>
): Promise<{ did: string; name: string } | undefined> {
  const key = nftAddress.toLowerCase();
  if (!cache.has(key)) {
    const did = oceanDid(nftAddress, network.chainId);
    try {
      // Names are a nicety: a slow or busy node is not waited for.
      const response = await new NodeApi(network.nodeUrl, {
        timeoutMs: 4000,
        maxRateLimitWaitMs: 0
      }).ddoResponse(did);
      const ddo = response.ok
        ? ((await response.json()) as { metadata?: { name?: unknown } })
        : null;
      const name = ddo?.metadata?.name;
      cache.set(
        key,
        typeof name === 'string' ? { did, name: name.slice(0, 120) } : null
      );
    } catch {
      cache.set(key, null);
    }
  }
  return cache.get(key) ?? undefined;
}

/** Reads every balance of `account`; token failures are skipped, not fatal. */
export async function readBalances(
  provider: JsonRpcProvider,
  network: IOceanNetwork,
  account: string,
  assetCache = new Map<string, { did: string; name: string } | null>()
): Promise<IBalances> {
  const [nativeWei, latest] = await Promise.all([
    provider.getBalance(account),
    provider.getBlockNumber()
  ]);
  const candidates = new Map<string, 'erc20' | 'nft'>();
  if (network.oceanTokenAddress) {
    candidates.set(getAddress(network.oceanTokenAddress), 'erc20');
  }
  try {
    const logs = await provider.getLogs({
      fromBlock: logWindow(network, latest),
      toBlock: latest,
      topics: [TRANSFER_TOPIC, null, zeroPadValue(account, 32)]
    });
    for (const log of logs) {
      // ERC-721 indexes the token id too: four topics instead of three.
      candidates.set(
        getAddress(log.address),
        log.topics.length === 4 ? 'nft' : 'erc20'
      );
    }
  } catch {
    // Some public RPCs refuse log queries; native and OCEAN still show.
  }
  const tokens: ITokenBalance[] = [];
  await Promise.all(
    [...candidates].map(async ([address, standard]) => {
      const token = new Contract(address, TOKEN_ABI, provider);
      try {
        const [raw, symbol, name] = await Promise.all([
          token.balanceOf(account) as Promise<bigint>,
          token.symbol().catch(() => '?') as Promise<string>,
          token.name().catch(() => '') as Promise<string>
        ]);
        const decimals =
          standard === 'nft'
            ? 0
            : Number(await token.decimals().catch(() => 18));
        let kind: ITokenBalance['kind'] = standard;
        let asset: { did: string; name: string } | undefined;
        if (standard === 'nft') {
          asset = await assetName(network, address, assetCache);
        } else {
          // Datatokens know their data NFT; plain ERC-20s revert here.
          const nft = (await token.getERC721Address().catch(() => null)) as
            string | null;
          if (nft && nft !== '0x0000000000000000000000000000000000000000') {
            kind = 'datatoken';
            asset = await assetName(network, nft, assetCache);
          }
        }
        tokens.push({
          address,
          kind,
          // Token metadata is set by whoever deployed it: keep it short.
          symbol: String(symbol).slice(0, 24),
          name: String(name).slice(0, 64),
          decimals,
          raw: raw.toString(),
          balance: displayAmount(raw, decimals),
          asset
        });
      } catch {
        // Not a token after all (or the RPC failed): leave it out.
      }
    })
  );
  const isOcean = (token: ITokenBalance) =>
    network.oceanTokenAddress
      ? token.address.toLowerCase() === network.oceanTokenAddress.toLowerCase()
      : token.kind === 'erc20' && token.symbol === 'OCEAN';
  const ocean = tokens.find(isOcean) ?? null;
  const rest = tokens
    .filter(token => token !== ocean && token.raw !== '0')
    .sort((a, b) =>
      a.kind === b.kind
        ? (a.asset?.name ?? a.symbol).localeCompare(b.asset?.name ?? b.symbol)
        : a.kind.localeCompare(b.kind)
    );
  return {
    account,
    chainId: network.chainId,
    blockNumber: latest,
    native: displayAmount(nativeWei, 18),
    ocean,
    tokens: rest
  };
}
