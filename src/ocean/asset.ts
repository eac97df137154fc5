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
import { errorWords, OceanError } from '../errors';
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
      errorWords.__(
        '"%1" is not an Ocean asset id (it looks like did:op: followed by 64 hex digits).',
        String(value).slice(0, 100)
      )
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
 * An asset's name where a view names it without the whole summary (the
 * compute job's dataset and algorithms): the publisher's choice, so it is
 * cut to 500 characters and its hidden characters are made visible (a
 * U+202E would reorder the text around it); the fallback (its DID) when it
 * has none.
 */
export function assetName(ddo: unknown, fallback: string): string {
  const name = (ddo as { metadata?: { name?: unknown } } | null)?.metadata
    ?.name;
  return typeof name === 'string' && name.trim()
    ? visibleText(name.slice(0, 500))
    : fallback;
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
      errorWords.__(
        'The node returned a document that is not an Ocean asset (no did:op: id).'
      )
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
    // An address or nothing: the node's words here are shown as the publisher.
    publisher:
      [asText(nft.owner, 100), asText(asObject(indexed.event).from, 100)].find(
        address => /^0x[0-9a-fA-F]{40}$/.test(address)
      ) ?? '',
    license: visibleText(asText(metadata.license, 500)),
    tags: asArray(metadata.tags)
      .filter((tag): tag is string => typeof tag === 'string')
      .map(tag => visibleText(tag.slice(0, 100)))
      .slice(0, 30),
    created: asText(metadata.created, 100) || undefined,
    sampleUrl: links[0],
    contentType: asText(additional.contentType, 200) || undefined,
    ...derivedFrom(additional),
    price: first?.price ?? { type: 'none', amount: '0' },
    access: first?.type ?? 'download',
    services,
    orders: asNumber(stats[0]?.orders)
  };
}

/**
 * The sources a DDO names (`derivedFrom: [{ did }]`): only well-formed
 * DIDs, at most 50, since the list is the publisher's word.
 */
function derivedFrom(additional: Record<string, unknown>): {
  derivedFrom?: string[];
} {
  const dids = asArray(additional.derivedFrom)
    .map(source => asText(asObject(source).did, 100).toLowerCase())
    .filter(did => /^did:op:[0-9a-f]{64}$/.test(did))
    .slice(0, 50);
  return dids.length ? { derivedFrom: [...new Set(dids)] } : {};
}

/**
 * How many DDOs one search asks for. Real Ocean Nodes return at most 250
 * per DDO collection whatever the query says, so the rest is done here.
 */
export const SEARCH_WINDOW = 250;

/**
 * The search body to send to any Ocean Node: only a `term` on chainId.
 *
 * A real node (v3) turns Elasticsearch queries into Typesense `filter_by`
 * and accepts nothing but `bool.filter`/`must_not` with `term`/`terms`;
 * other clauses are dropped (`should`) or fail with 500 (`match_all`, an
 * empty body, `q` without `filter_by`). Filtering on nested DDO fields
 * depends on each node's Typesense schema, so only chainId, which every
 * node indexes, is sent; the other filters and the text search run here
 * on what comes back (`matchesQuery`), and so does paging.
 */
export function buildSearchQuery(chainId: number): {
  query: Json;
  from: number;
  size: number;
} {
  return {
    query: { bool: { filter: [{ term: { chainId } }] } },
    from: 0,
    size: SEARCH_WINDOW
  };
}

/** Whether `value` looks like a DDO rather than a wrapper around some. */
const isDocument = (value: unknown): value is Json =>
  !!value &&
  typeof value === 'object' &&
  !Array.isArray(value) &&
  ('services' in (value as Json) || isDid((value as Json).id));

/**
 * The DDOs in a search answer, whichever node sent it: a plain list (our
 * node), one raw Typesense result per DDO collection (`[{found, hits:
 * [{document}]}, …]`, real Typesense-backed nodes), one list per
 * collection (`[[ddo, …], …]`, Elasticsearch-backed nodes) or an
 * Elasticsearch answer (`{hits: {hits: [{_source}]}}`). A DDO listed in
 * two collections is kept once.
 */
export function searchDocuments(answer: unknown): Json[] {
  const found: Json[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (depth > 4 || !value || typeof value !== 'object') {
      return;
    }
    if (Array.isArray(value)) {
      value.forEach(item => visit(item, depth + 1));
      return;
    }
    if (isDocument(value)) {
      found.push(value);
      return;
    }
    const record = value as Json;
    const hits = Array.isArray(record.hits)
      ? record.hits
      : asArray(asObject(record.hits).hits);
    for (const hit of hits) {
      const entry = asObject(hit);
      visit(entry.document ?? entry._source ?? hit, depth + 1);
    }
  };
  visit(answer, 0);
  const seen = new Set<string>();
  return found.filter(document => {
    const id = asText(document.id, 200).toLowerCase();
    if (!id) {
      return true;
    }
    if (seen.has(id)) {
      return false;
    }
    seen.add(id);
    return true;
  });
}

const lower = (value: unknown) => asText(value, MAX_DESCRIPTION).toLowerCase();

/** Whether a DDO passes discovery's filters and text search. */
export function matchesQuery(
  ddo: unknown,
  query: IOceanAssetQuery,
  chainId: number
): boolean {
  const document = asObject(ddo);
  const metadata = asObject(document.metadata);
  const indexed = asObject(document.indexedMetadata);
  if (asNumber(document.chainId) !== chainId) {
    return false;
  }
  if (query.type && (metadata.type ?? 'dataset') !== query.type) {
    return false;
  }
  const serviceTypes = asArray(document.services).map(
    service => asObject(service).type
  );
  if (query.access === 'compute' && !serviceTypes.includes('compute')) {
    return false;
  }
  if (
    query.access === 'download' &&
    !serviceTypes.some(type => type !== 'compute')
  ) {
    return false;
  }
  const tags = asArray(metadata.tags).map(lower);
  if (query.tag && !tags.includes(query.tag.toLowerCase())) {
    return false;
  }
  if (
    query.publisher &&
    lower(asObject(indexed.nft).owner) !== query.publisher.toLowerCase()
  ) {
    return false;
  }
  if (query.price === 'free' || query.price === 'paid') {
    const wanted = query.price === 'free' ? 'dispenser' : 'fixedrate';
    const types = asArray(indexed.stats).flatMap(stat =>
      asArray(asObject(stat).prices).map(price => asObject(price).type)
    );
    if (!types.includes(wanted)) {
      return false;
    }
  }
  const words = (query.text ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length > 0) {
    const haystack = [
      lower(metadata.name),
      lower(metadata.description),
      lower(metadata.author),
      ...tags
    ];
    // Every word somewhere, as people expect from a search box.
    return words.every(word => haystack.some(field => field.includes(word)));
  }
  return true;
}

/** One page of the DDOs that match `query`, out of a search answer. */
export function searchPage(
  answer: unknown,
  query: IOceanAssetQuery,
  chainId: number
): { documents: Json[]; page: number; pageSize: number; hasMore: boolean } {
  const pageSize = Math.min(Math.max(Math.floor(query.pageSize ?? 10), 1), 250);
  const page = Math.max(Math.floor(query.page ?? 0), 0);
  const matching = searchDocuments(answer).filter(document =>
    matchesQuery(document, query, chainId)
  );
  return {
    documents: matching.slice(page * pageSize, (page + 1) * pageSize),
    page,
    pageSize,
    hasMore: matching.length > (page + 1) * pageSize
  };
}
