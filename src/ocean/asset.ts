/**
 * Turning what an Ocean Node says about assets into the small, typed shapes
 * the UI and kernels use, and turning discovery filters into node queries.
 *
 * DDOs are written by anyone who publishes: every field is checked for its
 * type here, and everything that reaches the UI is plain text.
 */
import type {
  IOceanAssetQuery,
  IOceanAssetSummary,
  IOceanPrice,
  IOceanServiceSummary,
  OceanAccessType,
  OceanAssetType
} from '../tokens';
import { OceanError } from './errors';
import { visibleText } from './visible-text';

type Json = Record<string, unknown>;

const asObject = (value: unknown): Json =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Json)
    : {};
const asArray = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : [];
const asText = (value: unknown, max = 10_000): string =>
  typeof value === 'string' ? value.slice(0, max) : '';
const asNumber = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value)
    ? value
    : typeof value === 'string' && /^\d+$/.test(value)
      ? Number(value)
      : undefined;

/** How long discovery may show a DDO's text before cutting it. */
const MAX_DESCRIPTION = 20_000;

/** `did:op:` followed by 64 hex digits, as Ocean derives it from NFT + chain. */
export function isDid(value: unknown): value is string {
  return typeof value === 'string' && /^did:op:[0-9a-fA-F]{64}$/.test(value);
}

export function checkDid(value: unknown): string {
  if (!isDid(value)) {
    throw new OceanError(
      'OCEAN_BAD_ASSET',
      `"${String(value).slice(0, 100)}" is not an Ocean asset id (it looks like did:op: followed by 64 hex digits).`
    );
  }
  return value.toLowerCase();
}

/** The prices the node indexed for one service's datatoken. */
function priceFor(stats: Json | undefined, symbols: Map<string, string>) {
  const prices = asArray(stats?.prices).map(asObject);
  const fixed = prices.find(price => price.type === 'fixedrate');
  const dispenser = prices.find(price => price.type === 'dispenser');
  if (dispenser) {
    return {
      price: { type: 'dispenser', amount: '0' } as IOceanPrice,
      contract: asText(dispenser.contract, 100),
      exchangeId: undefined
    };
  }
  if (fixed) {
    const token = asText(fixed.token, 100);
    return {
      price: {
        type: 'fixedrate',
        amount: asText(fixed.price, 80) || '0',
        token,
        symbol: symbols.get(token.toLowerCase()) ?? 'OCEAN'
      } as IOceanPrice,
      contract: asText(fixed.contract, 100),
      exchangeId: asText(fixed.exchangeId, 100)
    };
  }
  return {
    price: { type: 'none', amount: '0' } as IOceanPrice,
    contract: undefined,
    exchangeId: undefined
  };
}

/** Where to buy a service's datatoken: the contracts the node indexed. */
export interface IServiceMarket {
  serviceId: string;
  datatoken: string;
  price: IOceanPrice;
  /** Fixed-rate exchange or dispenser contract. */
  contract?: string;
  exchangeId?: string;
}

/** The market facts of every service, read from `indexedMetadata.stats`. */
export function serviceMarkets(
  ddo: unknown,
  symbols: Map<string, string> = new Map()
): IServiceMarket[] {
  const document = asObject(ddo);
  const stats = asArray(asObject(document.indexedMetadata).stats).map(asObject);
  return asArray(document.services)
    .map(asObject)
    .map(service => {
      const datatoken = asText(service.datatokenAddress, 100);
      const stat = stats.find(
        entry =>
          asText(entry.datatokenAddress, 100).toLowerCase() ===
          datatoken.toLowerCase()
      );
      const { price, contract, exchangeId } = priceFor(stat, symbols);
      return {
        serviceId: asText(service.id, 200),
        datatoken,
        price,
        contract,
        exchangeId
      };
    });
}

/**
 * The summary of a DDO as the node presents it (with `indexedMetadata`).
 * Throws OCEAN_BAD_ASSET when it is not a DDO at all.
 */
export function summariseDdo(
  ddo: unknown,
  symbols: Map<string, string> = new Map()
): IOceanAssetSummary {
  const document = asObject(ddo);
  const did = asText(document.id, 200);
  if (!isDid(did)) {
    throw new OceanError(
      'OCEAN_BAD_ASSET',
      'The node returned a document that is not an Ocean asset (no did:op: id).'
    );
  }
  const metadata = asObject(document.metadata);
  const indexed = asObject(document.indexedMetadata);
  const nft = asObject(indexed.nft);
  const markets = serviceMarkets(document, symbols);
  const services: IOceanServiceSummary[] = asArray(document.services)
    .map(asObject)
    .map((service, index) => ({
      id: asText(service.id, 200),
      index,
      type: (service.type === 'compute'
        ? 'compute'
        : 'download') as OceanAccessType,
      datatoken: asText(service.datatokenAddress, 100),
      timeout: asNumber(service.timeout) ?? 0,
      price: markets[index]?.price ?? { type: 'none', amount: '0' }
    }));
  const stats = asArray(indexed.stats).map(asObject);
  const links = asArray(metadata.links).filter(
    (link): link is string =>
      typeof link === 'string' && /^https?:\/\//i.test(link)
  );
  const additional = asObject(metadata.additionalInformation);
  const first = services[0];
  return {
    did: did.toLowerCase(),
    chainId: asNumber(document.chainId) ?? 0,
    nftAddress: asText(document.nftAddress, 100),
    // Shown in cards, lists and dialogs: hidden characters made visible.
    name: visibleText(asText(metadata.name, 500)) || '(untitled asset)',
    type: (metadata.type === 'algorithm'
      ? 'algorithm'
      : 'dataset') as OceanAssetType,
    description: asText(metadata.description, MAX_DESCRIPTION),
    author: visibleText(asText(metadata.author, 500)),
    publisher: asText(nft.owner, 100) || asText(asObject(indexed.event).from),
    license: visibleText(asText(metadata.license, 500)),
    tags: asArray(metadata.tags)
      .filter((tag): tag is string => typeof tag === 'string')
      .map(tag => visibleText(tag.slice(0, 100)))
      .slice(0, 30),
    created: asText(metadata.created, 100) || undefined,
    sampleUrl: links[0],
    contentType: asText(additional.contentType, 200) || undefined,
    price: first?.price ?? { type: 'none', amount: '0' },
    access: first?.type ?? 'download',
    services,
    orders: asNumber(stats[0]?.orders)
  };
}

/** The Elasticsearch-style query Ocean markets send, from our filters. */
export function buildSearchQuery(
  query: IOceanAssetQuery,
  chainId: number
): { query: Json; from: number; size: number } {
  const pageSize = Math.min(Math.max(Math.floor(query.pageSize ?? 10), 1), 100);
  const page = Math.max(Math.floor(query.page ?? 0), 0);
  const filter: Json[] = [{ term: { chainId } }];
  if (query.type) {
    filter.push({ term: { 'metadata.type': query.type } });
  }
  if (query.access) {
    filter.push({ term: { 'services.type': query.access } });
  }
  if (query.tag) {
    filter.push({ term: { 'metadata.tags': query.tag } });
  }
  if (query.publisher) {
    filter.push({ term: { 'indexedMetadata.nft.owner': query.publisher } });
  }
  if (query.price === 'free') {
    filter.push({ term: { 'indexedMetadata.stats.prices.type': 'dispenser' } });
  } else if (query.price === 'paid') {
    filter.push({ term: { 'indexedMetadata.stats.prices.type': 'fixedrate' } });
  }
  const bool: Json = { filter };
  const text = query.text?.trim();
  if (text) {
    bool.should = [
      { match: { 'metadata.name': text } },
      { match: { 'metadata.description': text } },
      { match: { 'metadata.tags': text } },
      { match: { 'metadata.author': text } }
    ];
    bool.minimum_should_match = 1;
  }
  return { query: { bool }, from: page * pageSize, size: pageSize + 1 };
}
