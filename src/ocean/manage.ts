/**
 * What a publisher does after publishing: list their assets with sales and revenue, change a
 * fixed price, withdraw earnings from the exchange, set the asset's state on its data NFT. Also
 * the trusted-algorithm entries a compute-only dataset needs, computed from the algorithm
 * assets the node already holds. Reads go to the node and the chain; every transaction uses the
 * Signer the wallet hands out, so each one passes the wallet's confirmation dialog.
 */
import type { IOceanAssetQuery, IOceanNetwork, IOceanPrice } from '../tokens';
import { buildSearchQuery, searchPage, serviceMarkets } from './asset';
import { errorWords, OceanError } from '../errors';
import { FlowSteps, withFlow } from './flow';
import { readProvider, waitForReceipt } from './chain';
import { libConfig, loadEthers, loadOceanLib } from './lib';
import { NodeApi } from './node-api';
import { pollDdo } from './polling';
import { sha256Hex, type ITrustedAlgorithm } from './publish';

/** The data NFT's metadata states, as Ocean's contracts and markets number them. */
export const ASSET_STATES = [
  { value: 0, label: 'Active' },
  { value: 1, label: 'End of life' },
  { value: 2, label: 'Deprecated' },
  { value: 3, label: 'Revoked' },
  { value: 4, label: 'Ordering disabled' },
  { value: 5, label: 'Unlisted' }
] as const;

export function stateLabel(state: number): string {
  return (
    ASSET_STATES.find(entry => entry.value === state)?.label ?? `State ${state}`
  );
}

export interface IMyAsset {
  did: string;
  /** Untrusted text from the DDO: render as text. */
  name: string;
  type: 'dataset' | 'algorithm';
  access: 'download' | 'compute';
  nftAddress: string;
  datatoken: string;
  /** The data NFT's metadata state (0 active, 2 deprecated…). */
  state: number;
  orders: number;
  price: IOceanPrice;
  /** Set for fixed-rate assets. */
  exchange?: {
    contract: string;
    exchangeId: string;
    /** OCEAN per datatoken now. */
    rate: string;
    /** OCEAN from sales still held by the exchange (what "Withdraw" collects). */
    withdrawable: string;
    /** OCEAN paid for this asset's datatokens over its life, fees excluded. */
    revenue: string;
  };
}

const FRE_ABI = [
  'function getExchange(bytes32 exchangeId) view returns (address exchangeOwner, address datatoken, uint256 dtDecimals, address baseToken, uint256 btDecimals, uint256 fixedRate, bool active, uint256 dtSupply, uint256 btSupply, uint256 dtBalance, uint256 btBalance, bool withMint)',
  'event Swapped(bytes32 indexed exchangeId, address indexed by, uint256 baseTokenSwappedAmount, uint256 datatokenSwappedAmount, address tokenOutAddress, uint256 marketFeeAmount, uint256 oceanFeeAmount, uint256 consumeMarketFeeAmount)'
];

/** Raw DDOs (as the node indexed them) matching our search filters (first 250). */
export async function queryDdos(
  network: IOceanNetwork,
  filters: IOceanAssetQuery
): Promise<any[]> {
  const answer = await new NodeApi(network.nodeUrl).query(
    buildSearchQuery(network.chainId)
  );
  return searchPage(
    answer,
    { ...filters, page: 0, pageSize: 250 },
    network.chainId
  ).documents;
}

/** The assets whose data NFT `account` owns, with sales and revenue read from the chain. */
export async function listMyAssets(
  network: IOceanNetwork,
  account: string
): Promise<IMyAsset[]> {
  const [ethers, provider] = await Promise.all([
    loadEthers(),
    readProvider(network)
  ]);
  const mine = (await queryDdos(network, { publisher: account })).filter(
    ddo =>
      String(ddo?.indexedMetadata?.nft?.owner ?? '').toLowerCase() ===
      account.toLowerCase()
  );
  return Promise.all(
    mine.map(async ddo => {
      const market = serviceMarkets(ddo)[0];
      const stats = ddo.indexedMetadata?.stats?.[0] ?? {};
      const asset: IMyAsset = {
        did: String(ddo.id),
        name: String(ddo.metadata?.name ?? '(untitled asset)').slice(0, 500),
        type: ddo.metadata?.type === 'algorithm' ? 'algorithm' : 'dataset',
        access: ddo.services?.[0]?.type === 'compute' ? 'compute' : 'download',
        nftAddress: String(ddo.nftAddress),
        datatoken: String(ddo.services?.[0]?.datatokenAddress ?? ''),
        state: Number(ddo.indexedMetadata?.nft?.state ?? 0),
        orders: Number(stats.orders ?? 0),
        price: market?.price ?? { type: 'none', amount: '0' }
      };
      if (market?.price.type === 'fixedrate' && market.exchangeId) {
        const exchange = new ethers.Contract(
          market.contract!,
          FRE_ABI,
          provider
        );
        const info = await exchange.getExchange(market.exchangeId);
        const decimals = Number(info.btDecimals);
        // Sales since the asset was created; fees went elsewhere and are not revenue.
        const fromBlock = Number(ddo.indexedMetadata?.event?.block ?? 0);
        const logs = await exchange.queryFilter(
          exchange.filters.Swapped(market.exchangeId),
          Math.max(0, fromBlock - 5)
        );
        let revenue = 0n;
        for (const log of logs as any[]) {
          if (
            String(log.args.tokenOutAddress).toLowerCase() ===
            String(info.datatoken).toLowerCase()
          )
            // The amount a buyer paid includes Ocean's, the market's and the consuming
            // market's fees; the exchange keeps the rest for the publisher.
            revenue +=
              BigInt(log.args.baseTokenSwappedAmount) -
              BigInt(log.args.oceanFeeAmount) -
              BigInt(log.args.marketFeeAmount) -
              BigInt(log.args.consumeMarketFeeAmount);
        }
        asset.exchange = {
          contract: market.contract!,
          exchangeId: market.exchangeId,
          rate: ethers.formatUnits(info.fixedRate, 18),
          withdrawable: ethers.formatUnits(info.btBalance, decimals),
          revenue: ethers.formatUnits(revenue, decimals)
        };
      }
      return asset;
    })
  );
}

async function mined(tx: unknown, what: string): Promise<string> {
  const failed = () =>
    new OceanError(
      'OCEAN_TX_REVERTED',
      errorWords.__(
        '%1 did not go through (the transaction failed or was not sent); only gas may have been spent.',
        what
      )
    );
  return (await waitForReceipt(tx, { unsent: failed, reverted: failed })).hash;
}

function requireExchange(asset: IMyAsset): NonNullable<IMyAsset['exchange']> {
  if (!asset.exchange)
    throw new OceanError(
      'OCEAN_BAD_REQUEST',
      errorWords.__(
        '%1 is not sold on a fixed-rate exchange (it is free or not for sale).',
        asset.name
      )
    );
  return asset.exchange;
}

/** One signature about `asset`, its contracts named after it in the dialog. */
function sellerFlow(asset: IMyAsset, title: string): FlowSteps {
  return new FlowSteps(title, 1, 'network fees only')
    .name(
      asset.exchange?.contract,
      `the fixed-rate exchange selling ${asset.name}`
    )
    .name(asset.nftAddress, `the data NFT of ${asset.name}`)
    .name(asset.datatoken, `the datatoken of ${asset.name}`);
}

/** Sets a new fixed price (OCEAN per datatoken); returns the transaction hash. */
export async function changePrice(
  network: IOceanNetwork,
  signer: any,
  asset: IMyAsset,
  priceInOcean: string
): Promise<string> {
  const exchange = requireExchange(asset);
  const price = Number(priceInOcean);
  if (!Number.isFinite(price) || price <= 0)
    throw new OceanError(
      'OCEAN_BAD_REQUEST',
      errorWords.__('A price must be a positive number of OCEAN.')
    );
  const lib = await loadOceanLib();
  const fre = new lib.FixedRateExchange(
    exchange.contract,
    withFlow(signer, sellerFlow(asset, `Change the price of ${asset.name}`)),
    network.chainId,
    libConfig(network, { fixedRateExchangeAddress: exchange.contract })
  );
  return mined(
    await fre.setRate(exchange.exchangeId, String(priceInOcean)),
    errorWords.__('Changing the price')
  );
}

/** Moves everything the exchange holds from sales to the publisher's account. */
export async function withdrawEarnings(
  network: IOceanNetwork,
  signer: any,
  asset: IMyAsset
): Promise<string> {
  const exchange = requireExchange(asset);
  if (!(Number(exchange.withdrawable) > 0))
    throw new OceanError(
      'OCEAN_BAD_REQUEST',
      errorWords.__('There is nothing to withdraw from %1 yet.', asset.name)
    );
  const lib = await loadOceanLib();
  const fre = new lib.FixedRateExchange(
    exchange.contract,
    withFlow(signer, sellerFlow(asset, `Withdraw what ${asset.name} earned`)),
    network.chainId,
    libConfig(network, { fixedRateExchangeAddress: exchange.contract })
  );
  return mined(
    await fre.collectBasetokens(exchange.exchangeId, exchange.withdrawable),
    errorWords.__('Withdrawing the earnings')
  );
}

/** Writes the asset's state (active, deprecated…) to its data NFT. */
export async function setAssetState(
  network: IOceanNetwork,
  signer: any,
  asset: IMyAsset,
  state: number
): Promise<string> {
  if (!ASSET_STATES.some(entry => entry.value === state))
    throw new OceanError(
      'OCEAN_BAD_REQUEST',
      errorWords.__('Unknown asset state %1.', state)
    );
  const lib = await loadOceanLib();
  const nft = new lib.Nft(
    withFlow(signer, sellerFlow(asset, `Change the state of ${asset.name}`)),
    network.chainId,
    libConfig(network)
  );
  return mined(
    await nft.setMetadataState(
      asset.nftAddress,
      await signer.getAddress(),
      state
    ),
    errorWords.__('Changing the asset state')
  );
}

/** Waits until the node reports `check` true for the asset's DDO (after a transaction). */
export async function waitForNode(
  network: IOceanNetwork,
  did: string,
  check: (ddo: any) => boolean,
  timeoutMs = 30_000
): Promise<void> {
  // Paced: a real node allows 30 requests a minute.
  if (await pollDdo(network.nodeUrl, did, timeoutMs, check)) return;
  throw new OceanError(
    'OCEAN_NOT_INDEXED',
    errorWords.__(
      'The change is on chain, but the Ocean Node has not picked it up yet. Refresh in a moment.'
    )
  );
}

/** An algorithm asset the node holds, as offered to a compute-only dataset. */
export interface IAlgorithmChoice {
  did: string;
  name: string;
  publisher: string;
}

/** The network's algorithm assets (first 100). */
export async function algorithmAssets(
  network: IOceanNetwork
): Promise<IAlgorithmChoice[]> {
  const ddos = await queryDdos(network, { type: 'algorithm' });
  return ddos.map(ddo => ({
    did: String(ddo.id),
    name: String(ddo.metadata?.name ?? '(untitled algorithm)').slice(0, 300),
    publisher: String(ddo.indexedMetadata?.nft?.owner ?? '')
  }));
}

/**
 * The trusted-algorithm entry for an algorithm asset as it is published now: the node tells
 * each file's checksum (never the file), the container section comes from the DDO.
 */
export async function trustedAlgorithmFromNode(
  network: IOceanNetwork,
  did: string
): Promise<ITrustedAlgorithm> {
  const node = new NodeApi(network.nodeUrl);
  const ddoResponse = await node.ddoResponse(did).catch(() => undefined);
  if (!ddoResponse?.ok)
    throw new OceanError(
      'OCEAN_NOT_INDEXED',
      errorWords.__('The Ocean Node does not know the algorithm %1.', did)
    );
  const ddo: any = await ddoResponse.json();
  const container = ddo.metadata?.algorithm?.container;
  if (ddo.metadata?.type !== 'algorithm' || !container)
    throw new OceanError(
      'OCEAN_BAD_REQUEST',
      errorWords.__(
        '%1 is not an algorithm asset, so a dataset cannot trust it.',
        did
      )
    );
  const infos: any[] = await node
    .fileInfo(did, ddo.services?.[0]?.id, { checksum: true })
    .catch(() => []);
  if (!infos.length || infos.some(info => !info?.checksum))
    throw new OceanError(
      'OCEAN_NODE_UNREACHABLE',
      errorWords.__(
        "The Ocean Node did not give the checksums of %1's files, so it cannot be trusted by checksum.",
        String(ddo.metadata?.name)
      )
    );
  return {
    did: String(ddo.id),
    filesChecksum: infos.map(info => String(info.checksum)).join(''),
    containerSectionChecksum: await sha256Hex(
      `${container.entrypoint ?? ''}${container.checksum ?? ''}`
    )
  };
}
