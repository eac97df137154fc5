/**
 * The Aquarius part of Ocean Node: DDOs as indexed, their metadata, queries, state and
 * validation (which returns the hash and the node's signature the publisher puts on chain).
 */
import { formatUnits } from 'ethers';
import type { ServerResponse } from 'node:http';
import { authenticate } from './auth.js';
import type { NodeContext } from './context.js';
import { makeDid, sha256Hex } from './crypto.js';
import type { DdoRow } from './db.js';
import { badRequest, notFound } from './errors.js';
import { sendJson, type Request, type Router } from './http.js';
import { checkDid, optionalString } from './validate.js';

export const AQUARIUS_BASE = '/api/aquarius';

/** The DDO as published, plus the `indexedMetadata` the node derives from the chain. */
export function presentDdo(
  context: NodeContext,
  row: DdoRow
): Record<string, unknown> {
  const ddo = JSON.parse(row.ddo) as Record<string, unknown>;
  const services = Array.isArray(ddo.services)
    ? (ddo.services as Record<string, unknown>[])
    : [];
  const stats = services
    .filter(service => typeof service.datatokenAddress === 'string')
    .map(service => {
      const datatokenAddress = String(service.datatokenAddress);
      const token = context.db.datatoken(datatokenAddress);
      const prices: Record<string, unknown>[] = [];
      for (const exchange of context.db.exchangesFor(datatokenAddress)) {
        if (!exchange.active) continue;
        prices.push({
          type: 'fixedrate',
          price: formatUnits(exchange.rate, 18),
          contract: exchange.contract,
          token: exchange.baseToken,
          exchangeId: exchange.exchangeId
        });
      }
      const dispenser = context.db.dispenserFor(datatokenAddress);
      if (dispenser?.active) {
        prices.push({
          type: 'dispenser',
          price: '0',
          contract: dispenser.contract,
          token: datatokenAddress
        });
      }
      return {
        datatokenAddress,
        name: token?.name ?? '',
        symbol: token?.symbol ?? '',
        serviceId: service.id,
        orders: context.db.countOrders(datatokenAddress),
        prices
      };
    });
  return {
    ...ddo,
    // ddo-js (and so orderAsset) reads the datatokens of a v4 DDO from this top-level list.
    datatokens: stats.map(stat => ({
      address: stat.datatokenAddress,
      name: stat.name,
      symbol: stat.symbol,
      serviceId: stat.serviceId
    })),
    indexedMetadata: {
      event: {
        txid: row.eventTx,
        block: row.eventBlock,
        from: row.eventFrom,
        contract: row.eventContract,
        datetime: row.eventDatetime
      },
      nft: {
        address: row.eventContract,
        name: row.nftName,
        symbol: row.nftSymbol,
        state: row.metadataState,
        tokenURI: row.nftTokenUri,
        owner: row.nftOwner,
        created: row.nftCreated
      },
      purgatory: { state: false },
      stats
    }
  };
}

function findDdo(context: NodeContext, rawDid: string): DdoRow {
  const did = checkDid(rawDid);
  const row = context.db.getDdo(did);
  if (!row)
    throw notFound(
      `Asset ${did} was not found (not published, or not indexed yet).`,
      'DDO_NOT_FOUND'
    );
  return row;
}

/** Field lookup for queries: "metadata.name", "indexedMetadata.nft.owner", ... */
function fieldValues(document: unknown, path: string): unknown[] {
  let current: unknown[] = [document];
  for (const key of path.replace(/\.keyword$/, '').split('.')) {
    const next: unknown[] = [];
    for (const value of current) {
      const items = Array.isArray(value) ? value : [value];
      for (const item of items) {
        if (item && typeof item === 'object' && key in (item as object))
          next.push((item as Record<string, unknown>)[key]);
      }
    }
    current = next;
  }
  return current.flatMap(value => (Array.isArray(value) ? value : [value]));
}

const same = (a: unknown, b: unknown): boolean =>
  String(a).toLowerCase() === String(b).toLowerCase();

/**
 * A useful subset of the Elasticsearch query DSL Ocean markets send: bool (must, filter,
 * should, must_not), term, terms, match, match_phrase, match_all, exists, query_string.
 */
function matches(document: unknown, query: unknown): boolean {
  if (!query || typeof query !== 'object') return true;
  const entries = Object.entries(query as Record<string, unknown>);
  return entries.every(([kind, body]) => {
    const clause = (body ?? {}) as Record<string, unknown>;
    switch (kind) {
      case 'match_all':
        return true;
      case 'bool': {
        const list = (value: unknown): unknown[] =>
          value === undefined ? [] : Array.isArray(value) ? value : [value];
        const mustPass = [...list(clause.must), ...list(clause.filter)].every(
          sub => matches(document, sub)
        );
        const should = list(clause.should);
        const shouldPass =
          should.length === 0 || should.some(sub => matches(document, sub));
        const mustNotPass = list(clause.must_not).every(
          sub => !matches(document, sub)
        );
        return mustPass && shouldPass && mustNotPass;
      }
      case 'term':
      case 'match':
      case 'match_phrase':
        return Object.entries(clause).every(([field, expected]) => {
          const wanted =
            expected && typeof expected === 'object'
              ? ((expected as Record<string, unknown>).value ??
                (expected as Record<string, unknown>).query)
              : expected;
          return fieldValues(document, field).some(value =>
            kind === 'term'
              ? same(value, wanted)
              : String(value)
                  .toLowerCase()
                  .includes(String(wanted).toLowerCase())
          );
        });
      case 'terms':
        return Object.entries(clause).every(
          ([field, expected]) =>
            Array.isArray(expected) &&
            fieldValues(document, field).some(value =>
              expected.some(item => same(value, item))
            )
        );
      case 'exists':
        return fieldValues(document, String(clause.field)).length > 0;
      case 'query_string': {
        const text = String(clause.query ?? '')
          .replace(/[*"]/g, '')
          .toLowerCase();
        return JSON.stringify(document).toLowerCase().includes(text);
      }
      default:
        throw badRequest(
          `Unsupported query clause "${kind}".`,
          'UNSUPPORTED_QUERY'
        );
    }
  });
}

async function query(
  context: NodeContext,
  req: Request,
  res: ServerResponse
): Promise<void> {
  const body = await req.json();
  const documents = context.db.allDdos().map(row => presentDdo(context, row));
  if (typeof body.q === 'string') {
    // Typesense-style search, as the node's docs show: { q, query_by }.
    const fields =
      typeof body.query_by === 'string'
        ? body.query_by.split(',').map(f => f.trim())
        : [];
    const needle = body.q.toLowerCase();
    const hits = documents.filter(
      document =>
        body.q === '*' ||
        (fields.length
          ? fields.flatMap(field => fieldValues(document, field))
          : [JSON.stringify(document)]
        ).some(value => String(value).toLowerCase().includes(needle))
    );
    sendJson(res, 200, [
      {
        found: hits.length,
        out_of: documents.length,
        page: 1,
        hits: hits.map(document => ({ document }))
      }
    ]);
    return;
  }
  const from = Number(body.from ?? 0);
  const size = Number(body.size ?? 100);
  if (
    !Number.isInteger(from) ||
    from < 0 ||
    !Number.isInteger(size) ||
    size < 0 ||
    size > 1000
  ) {
    throw badRequest(
      '"from" and "size" must be integers (size at most 1000).',
      'INVALID_PARAMETER'
    );
  }
  const hits = documents.filter(document => matches(document, body.query));
  sendJson(res, 200, hits.slice(from, from + size));
}

const DDO_REQUIRED_METADATA = ['name', 'type', 'author', 'license'] as const;

/** Structural checks of a v4/v5 DDO; returns field → messages (empty when valid). */
export function validateDdoShape(
  ddo: Record<string, unknown>
): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  const add = (field: string, message: string): void => {
    (errors[field] ??= []).push(message);
  };
  if (typeof ddo.version !== 'string') add('version', 'is required');
  if (typeof ddo.chainId !== 'number') add('chainId', 'must be a number');
  if (
    typeof ddo.nftAddress !== 'string' ||
    !/^0x[0-9a-fA-F]{40}$/.test(ddo.nftAddress)
  )
    add('nftAddress', 'must be an address');
  if (typeof ddo.id !== 'string') add('id', 'is required');
  else if (
    typeof ddo.chainId === 'number' &&
    typeof ddo.nftAddress === 'string' &&
    !errors.nftAddress
  ) {
    if (ddo.id.toLowerCase() !== makeDid(ddo.nftAddress, ddo.chainId))
      add('id', 'does not match did:op:sha256(nftAddress + chainId)');
  }
  const metadata = ddo.metadata as Record<string, unknown> | undefined;
  if (!metadata || typeof metadata !== 'object') add('metadata', 'is required');
  else
    for (const key of DDO_REQUIRED_METADATA)
      if (typeof metadata[key] !== 'string')
        add(`metadata.${key}`, 'is required');
  if (!Array.isArray(ddo.services)) add('services', 'must be an array');
  else
    ddo.services.forEach((service: Record<string, unknown>, index: number) => {
      for (const key of [
        'id',
        'type',
        'datatokenAddress',
        'serviceEndpoint',
        'files'
      ]) {
        if (typeof service?.[key] !== 'string')
          add(`services[${index}].${key}`, 'is required');
      }
      if (
        service &&
        service.timeout !== undefined &&
        typeof service.timeout !== 'number'
      ) {
        add(`services[${index}].timeout`, 'must be a number');
      }
    });
  return errors;
}

async function validate(
  context: NodeContext,
  req: Request,
  res: ServerResponse
): Promise<void> {
  const body = await req.json();
  // Newer clients wrap the DDO with a signature; older ones post the bare DDO.
  const wrapped =
    body.ddo && typeof body.ddo === 'object' && !Array.isArray(body.ddo);
  const ddo = (wrapped ? body.ddo : body) as Record<string, unknown>;
  if (wrapped && (body.signature !== undefined || body.nonce !== undefined)) {
    authenticate(context, {
      address: optionalString(body, 'publisherAddress', 100),
      nonce: optionalString(body, 'nonce', 32),
      signature: optionalString(body, 'signature', 200),
      command: 'validateDDO',
      authorization: req.headers.authorization
    });
  }
  const errors = validateDdoShape(ddo);
  if (Object.keys(errors).length > 0) {
    sendJson(res, 400, {
      error: 'The DDO is not valid.',
      code: 'INVALID_DDO',
      errors
    });
    return;
  }
  const hash = `0x${sha256Hex(JSON.stringify(ddo))}`;
  const proof = await context.keys.signHash(hash);
  sendJson(res, 200, {
    hash,
    publicKey: context.keys.address,
    r: [proof.r],
    s: [proof.s],
    v: proof.v
  });
}

export function registerAquariusRoutes(
  router: Router,
  context: NodeContext
): void {
  router.get(`${AQUARIUS_BASE}/assets/ddo/:did/:force?`, (req, res) => {
    sendJson(res, 200, presentDdo(context, findDdo(context, req.params.did)));
  });
  // Real nodes answer the whole DDO here, not only its metadata part.
  router.get(`${AQUARIUS_BASE}/assets/metadata/:did/:force?`, (req, res) => {
    sendJson(res, 200, presentDdo(context, findDdo(context, req.params.did)));
  });
  router.post(`${AQUARIUS_BASE}/assets/metadata/query`, (req, res) =>
    query(context, req, res)
  );
  router.post(`${AQUARIUS_BASE}/assets/query`, (req, res) =>
    query(context, req, res)
  );
  router.post(`${AQUARIUS_BASE}/assets/ddo/validate`, (req, res) =>
    validate(context, req, res)
  );
  router.get(`${AQUARIUS_BASE}/state/ddo`, (req, res) => {
    const did = optionalString(req.query, 'did', 200);
    const nft = optionalString(req.query, 'nft', 100);
    const txId = optionalString(req.query, 'txId', 100);
    const row = did
      ? context.db.getDdo(checkDid(did))
      : nft
        ? context.db.getDdoByNft(nft)
        : txId
          ? context.db.getDdoByTx(txId)
          : undefined;
    if (!did && !nft && !txId)
      throw badRequest(
        'Give one of "did", "nft" or "txId".',
        'MISSING_PARAMETER'
      );
    if (!row) throw notFound('No DDO state for that query.', 'DDO_NOT_FOUND');
    sendJson(res, 200, {
      id: row.did,
      did: row.did,
      chainId: row.chainId,
      nft: row.eventContract,
      txId: row.eventTx,
      valid: true,
      error: '',
      state: row.metadataState
    });
  });
}
