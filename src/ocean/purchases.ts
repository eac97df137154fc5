/**
 * "My purchases": the orders an account started, read from the chain, since Ocean Nodes
 * offer no route that lists a consumer's orders (see ../shared/conformance: the real node's
 * HTTP routes). Each OrderStarted event of any datatoken with the account as consumer is an
 * order; the node's DDOs name the asset of its datatoken; what was paid is the exchange's
 * Swapped event by the account for that datatoken before the order (a dispenser's datatoken
 * is free, a publisher's own is minted, and a datatoken held from earlier cost nothing now).
 */
import type { IOceanNetwork } from '../tokens';
import { isDid, serviceMarkets } from './asset';
import { readProvider } from './chain';
import { ERC20_ABI } from './erc20';
import { loadEthers } from './lib';
import { queryDdos } from './manage';
import { ORDER_EVENTS_ABI, ORDER_STARTED_TOPIC } from './orders';

const SWAPPED_ABI = [
  'event Swapped(bytes32 indexed exchangeId, address indexed by, uint256 baseTokenSwappedAmount, uint256 datatokenSwappedAmount, address tokenOutAddress, uint256 marketFeeAmount, uint256 oceanFeeAmount, uint256 consumeMarketFeeAmount)'
];

/** Public RPCs refuse long log ranges: past this, the scan walks back in steps. */
const LOG_STEP = 10_000;
/** How far back a stepped scan goes (the list says so when it stopped there). */
const LOG_STEPS = 20;

export interface IPurchase {
  /** Null when the node does not list the datatoken's asset. */
  did: string | null;
  /** Untrusted text from the DDO: render as text. */
  name: string;
  datatoken: string;
  serviceIndex: number;
  orderTxId: string;
  blockNumber: number;
  /** When the order started (ms since 1970, chain time). */
  startedAt: number;
  /** How the datatoken the order spent was obtained. */
  how: 'bought' | 'free' | 'minted' | 'held';
  /** What was paid for it (price and fees), when bought. */
  paid: { amount: string; symbol: string } | null;
}

export interface IPurchaseList {
  purchases: IPurchase[];
  /** The first block read; above 0 when the RPC only allowed a recent window. */
  fromBlock: number;
}

/** Logs matching `filter` over the whole chain, or its last LOG_STEP × LOG_STEPS blocks. */
async function scanLogs(
  provider: any,
  filter: { topics: Array<string | null> },
  latest: number
): Promise<{ logs: any[]; fromBlock: number }> {
  try {
    return {
      logs: await provider.getLogs({
        ...filter,
        fromBlock: 0,
        toBlock: latest
      }),
      fromBlock: 0
    };
  } catch {
    const logs: any[] = [];
    let to = latest;
    for (let step = 0; step < LOG_STEPS && to >= 0; step++) {
      const from = Math.max(0, to - LOG_STEP + 1);
      logs.push(
        ...(await provider.getLogs({ ...filter, fromBlock: from, toBlock: to }))
      );
      if (from === 0) return { logs, fromBlock: 0 };
      to = from - 1;
    }
    return { logs, fromBlock: to + 1 };
  }
}

/** The orders `account` started on `network`, newest first. */
export async function listMyPurchases(
  network: IOceanNetwork,
  account: string
): Promise<IPurchaseList> {
  const [ethers, provider] = await Promise.all([
    loadEthers(),
    readProvider(network)
  ]);
  const consumer = ethers.zeroPadValue(ethers.getAddress(account), 32);
  const latest = await provider.getBlockNumber();
  const orderEvents = new ethers.Interface(ORDER_EVENTS_ABI);
  const swapEvents = new ethers.Interface(SWAPPED_ABI);
  const swappedTopic = swapEvents.getEvent('Swapped')!.topicHash;
  const [orders, swaps, ddos] = await Promise.all([
    scanLogs(provider, { topics: [ORDER_STARTED_TOPIC, consumer] }, latest),
    scanLogs(provider, { topics: [swappedTopic, null, consumer] }, latest),
    queryDdos(network, {})
  ]);

  // The asset (and its sale) behind each datatoken the node knows.
  const assets = new Map<
    string,
    { did: string; name: string; owner: string; sale: string; token?: string }
  >();
  for (const ddo of ddos) {
    // The DID goes into notebook code ("Load in notebook"): only a well-formed one.
    if (!isDid(ddo?.id)) continue;
    for (const market of serviceMarkets(ddo)) {
      assets.set(market.datatoken.toLowerCase(), {
        did: String(ddo.id).toLowerCase(),
        name: String(ddo.metadata?.name ?? '').slice(0, 500),
        owner: String(ddo.indexedMetadata?.nft?.owner ?? '').toLowerCase(),
        sale: market.price.type,
        token: market.price.token
      });
    }
  }

  // Buys by the account, per datatoken, oldest first: each order takes the latest
  // unused one at or before its block.
  const buys = new Map<
    string,
    Array<{ block: number; index: number; amount: bigint; used: boolean }>
  >();
  for (const log of swaps.logs) {
    const parsed = swapEvents.parseLog(log);
    if (!parsed) continue;
    const key = String(parsed.args.tokenOutAddress).toLowerCase();
    const list = buys.get(key) ?? [];
    list.push({
      block: Number(log.blockNumber),
      index: Number(log.index ?? log.logIndex ?? 0),
      amount: BigInt(parsed.args.baseTokenSwappedAmount),
      used: false
    });
    buys.set(key, list);
  }

  const tokens = new Map<
    string,
    Promise<{ symbol: string; decimals: number }>
  >();
  const tokenInfo = (address: string) => {
    let info = tokens.get(address.toLowerCase());
    if (!info) {
      const token = new ethers.Contract(address, ERC20_ABI, provider);
      info = Promise.all([token.symbol(), token.decimals()]).then(
        ([symbol, decimals]) => ({
          symbol: String(symbol).slice(0, 20),
          decimals: Number(decimals)
        })
      );
      tokens.set(address.toLowerCase(), info);
    }
    return info;
  };

  const sorted = [...orders.logs].sort(
    (a, b) =>
      Number(a.blockNumber) - Number(b.blockNumber) ||
      Number(a.index ?? 0) - Number(b.index ?? 0)
  );
  const purchases: IPurchase[] = [];
  for (const log of sorted) {
    const parsed = orderEvents.parseLog(log);
    if (!parsed || parsed.name !== 'OrderStarted') continue;
    const datatoken = ethers.getAddress(String(log.address));
    const asset = assets.get(datatoken.toLowerCase());
    const block = Number(log.blockNumber);
    const buy = (buys.get(datatoken.toLowerCase()) ?? [])
      .filter(entry => !entry.used && entry.block <= block)
      .pop();
    let how: IPurchase['how'];
    let paid: IPurchase['paid'] = null;
    if (buy) {
      buy.used = true;
      how = 'bought';
      if (asset?.token) {
        const { symbol, decimals } = await tokenInfo(asset.token).catch(() => ({
          symbol: 'OCEAN',
          decimals: 18
        }));
        paid = { amount: ethers.formatUnits(buy.amount, decimals), symbol };
      } else {
        paid = { amount: ethers.formatUnits(buy.amount, 18), symbol: '' };
      }
    } else if (asset?.sale === 'dispenser') {
      how = 'free';
    } else if (asset && asset.owner === account.toLowerCase()) {
      how = 'minted';
    } else {
      how = 'held';
    }
    purchases.push({
      did: asset?.did ?? null,
      name: asset?.name ?? '',
      datatoken,
      serviceIndex: Number(parsed.args.serviceIndex),
      orderTxId: String(log.transactionHash),
      blockNumber: block,
      startedAt: Number(parsed.args.timestamp) * 1000,
      how,
      paid
    });
  }
  return {
    purchases: purchases.reverse(),
    fromBlock: Math.max(orders.fromBlock, swaps.fromBlock)
  };
}
