/**
 * The Provider part of Ocean Node: nonce, encryption, file info, initialize (signed provider
 * fee), download (signature or token, order verified on chain, bytes streamed with Range),
 * auth tokens and node storage (Ocean Node's "persistent storage" buckets).
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { ZeroAddress } from 'ethers';
import { AUTH_TOKEN_CLOCK_SKEW_MS, authenticate } from './auth.js';
import { chainNow, verifyOrder } from './chain.js';
import { COMPUTE_ENDPOINTS } from './compute-routes.js';
import { NETWORK_ENDPOINTS } from './network-routes.js';
import type { NodeContext } from './context.js';
import { signJwt, utf8Hex } from './crypto.js';
import {
  NodeError,
  badRequest,
  forbidden,
  notFound,
  unauthorized
} from './errors.js';
import {
  DEFAULT_BODY_LIMIT,
  RAW_BODY_LIMIT,
  clientGone,
  sendJson,
  sendText,
  type Request,
  type Router
} from './http.js';
import {
  checkFileName,
  parseFileObject,
  type FileInfo,
  type FileObject
} from './storage.js';
import {
  optionalAddress,
  optionalInteger,
  optionalString,
  requiredAddress,
  requiredDid,
  requiredInteger,
  requiredString,
  requiredTxHash
} from './validate.js';

export const SERVICES_BASE = '/api/services';

/**
 * Route names as GET / lists them (name → [METHOD, path]); the lib looks endpoints up by name.
 * Per-file storage routes are left out on purpose: the lib takes a listed path literally (it
 * would call ".../:bucketId/files") and falls back to the fixed paths only for unlisted names.
 */
export const SERVICE_ENDPOINTS: Record<string, [string, string]> = {
  nonce: ['GET', `${SERVICES_BASE}/nonce`],
  encrypt: ['POST', `${SERVICES_BASE}/encrypt`],
  encryptFile: ['POST', `${SERVICES_BASE}/encryptFile`],
  fileInfo: ['POST', `${SERVICES_BASE}/fileInfo`],
  initialize: ['GET', `${SERVICES_BASE}/initialize`],
  download: ['GET', `${SERVICES_BASE}/download`],
  generateAuthToken: ['POST', `${SERVICES_BASE}/auth/token`],
  invalidateAuthToken: ['POST', `${SERVICES_BASE}/auth/token/invalidate`],
  persistentStorageCreateBucket: [
    'POST',
    `${SERVICES_BASE}/persistentStorage/buckets`
  ],
  persistentStorageGetBuckets: [
    'GET',
    `${SERVICES_BASE}/persistentStorage/buckets`
  ],
  getDDO: ['GET', '/api/aquarius/assets/ddo/:did/:force?'],
  getDDOMetadata: ['GET', '/api/aquarius/assets/metadata/:did/:force?'],
  ddoMetadataQuery: ['POST', '/api/aquarius/assets/metadata/query'],
  getDDOState: ['GET', '/api/aquarius/state/ddo'],
  validateDDO: ['POST', '/api/aquarius/assets/ddo/validate'],
  ...COMPUTE_ENDPOINTS,
  ...NETWORK_ENDPOINTS
};

interface DecryptedFiles {
  nftAddress?: string;
  datatokenAddress?: string;
  files: unknown[];
}

function decryptServiceFiles(
  context: NodeContext,
  encrypted: unknown
): DecryptedFiles {
  if (typeof encrypted !== 'string' || !/^(0x)?[0-9a-fA-F]+$/.test(encrypted)) {
    throw badRequest(
      'The service has no files encrypted for this node.',
      'FILES_NOT_DECRYPTABLE'
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(
      context.keys
        .decrypt(Buffer.from(encrypted.replace(/^0x/, ''), 'hex'))
        .toString('utf8')
    );
  } catch {
    throw forbidden(
      'The files of this service were not encrypted for this node.',
      'FILES_NOT_DECRYPTABLE'
    );
  }
  const files = parsed as DecryptedFiles;
  if (!files || !Array.isArray(files.files))
    throw badRequest(
      'The decrypted files object has no files list.',
      'INVALID_FILES'
    );
  return files;
}

function assetAndService(context: NodeContext, did: string, serviceId: string) {
  const row = context.db.getDdo(did);
  if (!row)
    throw notFound(
      `Cannot resolve DID ${did} (not published, or not indexed yet).`,
      'DDO_NOT_FOUND'
    );
  const ddo = JSON.parse(row.ddo) as Record<string, unknown>;
  const services = (Array.isArray(ddo.services) ? ddo.services : []) as Record<
    string,
    unknown
  >[];
  const serviceIndex = services.findIndex(service => service.id === serviceId);
  if (serviceIndex < 0)
    throw badRequest(
      `Invalid serviceId: the asset has no service "${serviceId}".`,
      'INVALID_SERVICE'
    );
  return { row, ddo, service: services[serviceIndex], serviceIndex };
}

async function initialize(
  context: NodeContext,
  req: Request,
  res: ServerResponse
): Promise<void> {
  const did = requiredDid(req.query);
  const serviceId = requiredString(req.query, 'serviceId', 200);
  const consumerAddress = requiredAddress(req.query, 'consumerAddress');
  optionalInteger(req.query, 'fileIndex');
  const requestedValidUntil = optionalInteger(req.query, 'validUntil');
  const { row, service } = assetAndService(context, did, serviceId);
  if (service.type === 'compute') {
    throw badRequest(
      'Use the initializeCompute endpoint to initialize compute jobs.',
      'WRONG_SERVICE_TYPE'
    );
  }
  if (![0, 5].includes(row.metadataState)) {
    throw forbidden(
      `Ordering is not allowed for this asset (state ${row.metadataState}).`,
      'ASSET_NOT_ORDERABLE'
    );
  }
  const timeout = typeof service.timeout === 'number' ? service.timeout : 0;
  const now = await chainNow(context.provider);
  const validUntil = requestedValidUntil ?? (timeout > 0 ? now + timeout : 0);
  const providerFee = await context.keys.signProviderFee({
    providerData: utf8Hex(
      JSON.stringify({ dt: String(service.datatokenAddress), id: serviceId })
    ),
    providerFeeToken: context.addresses.ocean ?? ZeroAddress,
    providerFeeAmount: 0n,
    validUntil
  });
  sendJson(res, 200, {
    datatoken: service.datatokenAddress,
    nonce: String(context.db.getNonce(consumerAddress)),
    providerFee,
    // Ocean Node's getFees echoes the consumer here (the account a compute job would run for).
    computeAddress: consumerAddress
  });
}

async function download(
  context: NodeContext,
  req: Request,
  res: ServerResponse
): Promise<void> {
  const fileIndex = requiredInteger(req.query, 'fileIndex');
  const did = requiredDid(req.query);
  const serviceId = requiredString(req.query, 'serviceId', 200);
  const transferTxId = requiredTxHash(req.query, 'transferTxId');
  const consumerAddress = optionalAddress(req.query, 'consumerAddress');
  const { row, ddo, service, serviceIndex } = assetAndService(
    context,
    did,
    serviceId
  );
  const consumer = authenticate(context, {
    address: optionalString(req.query, 'consumerAddress', 100),
    nonce: optionalString(req.query, 'nonce', 32),
    signature: optionalString(req.query, 'signature', 200),
    command: 'download',
    alternativeMessages: [
      `${did}${optionalString(req.query, 'nonce', 32) ?? ''}`
    ],
    authorization: req.headers.authorization
  });
  if (consumerAddress && consumerAddress !== consumer)
    throw unauthorized('The token does not belong to consumerAddress.');
  if (![0, 5].includes(row.metadataState)) {
    throw forbidden(
      `Downloads are not allowed for this asset (state ${row.metadataState}).`,
      'ASSET_NOT_ORDERABLE'
    );
  }
  if (service.type === 'compute')
    throw forbidden(
      'Not allowed to download this asset of type compute.',
      'WRONG_SERVICE_TYPE'
    );
  await verifyOrder(context.provider, {
    txHash: transferTxId,
    consumer,
    datatoken: String(service.datatokenAddress),
    nftAddress: String(ddo.nftAddress),
    serviceId,
    serviceIndex,
    serviceTimeout: typeof service.timeout === 'number' ? service.timeout : 0,
    providerAddress: context.keys.address
  });
  const decrypted = decryptServiceFiles(context, service.files);
  if (
    decrypted.nftAddress?.toLowerCase() !==
      String(ddo.nftAddress).toLowerCase() ||
    decrypted.datatokenAddress?.toLowerCase() !==
      String(service.datatokenAddress).toLowerCase()
  ) {
    throw forbidden(
      'Failed to download asset, unauthorized operation!',
      'FILES_MISMATCH'
    );
  }
  if (fileIndex >= decrypted.files.length)
    throw badRequest(
      `fileIndex ${fileIndex} is out of range.`,
      'INVALID_FILE_INDEX'
    );
  const file = parseFileObject(decrypted.files[fileIndex]);
  const range =
    typeof req.headers.range === 'string' ? req.headers.range : undefined;
  await context.files.send(file, range, res, req.method === 'HEAD');
}

async function fileInfo(
  context: NodeContext,
  req: Request,
  res: ServerResponse
): Promise<void> {
  const body = await req.json();
  const withChecksum = body.checksum === true || body.checksum === 'true';
  let files: FileObject[];
  if (body.did !== undefined) {
    const did = requiredDid(body, 'did');
    const serviceId = requiredString(body, 'serviceId', 200);
    const { service } = assetAndService(context, did, serviceId);
    const decrypted = decryptServiceFiles(context, service.files);
    const index = optionalInteger(body, 'fileIndex');
    const all = decrypted.files.map(parseFileObject);
    files = index === undefined ? all : all.slice(index, index + 1);
    if (index !== undefined && files.length === 0)
      throw badRequest(
        `fileIndex ${index} is out of range.`,
        'INVALID_FILE_INDEX'
      );
  } else {
    files = [
      parseFileObject(
        body.file && typeof body.file === 'object' ? body.file : body
      )
    ];
  }
  const gone = clientGone(res);
  const infos = [];
  for (const [index, file] of files.entries()) {
    let info: FileInfo;
    try {
      info = await context.files.info(file, withChecksum, gone);
    } catch (error) {
      // A URL given here is refused outright. A published asset's file that this node will not
      // fetch is, for whoever asks about the asset, a file the node cannot serve: valid false,
      // as for an origin that answers 404, and the other files of the service are still told.
      if (
        body.did === undefined ||
        !(error instanceof NodeError) ||
        error.code !== 'FILE_URL_NOT_ALLOWED' ||
        file.type !== 'url'
      )
        throw error;
      info = {
        valid: false,
        contentLength: '0',
        contentType: '',
        name: '',
        type: 'url'
      };
    }
    infos.push(body.did !== undefined ? { ...info, index } : info);
  }
  sendJson(res, 200, infos);
}

async function encrypt(
  context: NodeContext,
  req: Request,
  res: ServerResponse,
  command: string
): Promise<void> {
  const chainId = optionalInteger(req.query, 'chainId');
  if (chainId !== undefined && chainId !== context.chainId) {
    throw badRequest(
      `This node serves chain ${context.chainId}, not ${chainId}.`,
      'UNSUPPORTED_CHAIN'
    );
  }
  authenticate(context, {
    address: optionalString(req.query, 'consumerAddress', 100),
    nonce: optionalString(req.query, 'nonce', 32),
    signature: optionalString(req.query, 'signature', 200),
    command,
    authorization: req.headers.authorization
  });
  const contentType = String(req.headers['content-type'] ?? '');
  // As on a real node: JSON bodies are held to express.json()'s 100 kB, raw ones to 25 MB.
  const body = await req.body(
    contentType.includes('application/json')
      ? DEFAULT_BODY_LIMIT
      : RAW_BODY_LIMIT
  );
  if (body.length === 0)
    throw badRequest('Missing required body.', 'MISSING_BODY');
  if (command === 'encryptFile' && !contentType.includes('application/json')) {
    // Raw file content: answer the sealed bytes themselves, as Ocean Node does.
    const sealed = context.keys.encrypt(body);
    res
      .writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': sealed.length
      })
      .end(sealed);
    return;
  }
  if (command === 'encryptFile') {
    try {
      parseFileObject(JSON.parse(body.toString('utf8')));
    } catch (error) {
      if (error instanceof SyntaxError)
        throw badRequest('The body is not valid JSON.', 'INVALID_JSON');
      throw error;
    }
  }
  sendText(
    res,
    200,
    `0x${context.keys.encrypt(body).toString('hex')}`,
    'application/octet-stream'
  );
}

async function createAuthToken(
  context: NodeContext,
  req: Request,
  res: ServerResponse
): Promise<void> {
  const body = await req.json();
  const address = requiredAddress(body, 'address');
  requiredString(body, 'signature', 200);
  const owner = authenticate(context, {
    address: optionalString(body, 'address', 100),
    nonce: optionalString(body, 'nonce', 32),
    signature: optionalString(body, 'signature', 200),
    command: 'createAuthToken'
  });
  const createdAt = Date.now();
  const asked = optionalInteger(body, 'validUntil');
  if (asked !== undefined && asked <= createdAt)
    throw badRequest(
      '"validUntil" is already past. Give the time the token should end, in milliseconds since 1970 (Date.now() + a duration).',
      'INVALID_VALID_UNTIL'
    );
  if (
    asked !== undefined &&
    asked >
      createdAt + context.authTokenMaxLifetimeMs + AUTH_TOKEN_CLOCK_SKEW_MS
  )
    throw badRequest(
      `"validUntil" is too far ahead: this node issues tokens for at most ${Math.round(context.authTokenMaxLifetimeMs / 3_600_000)} hours, because a token acts for the whole account until it ends.`,
      'TOKEN_LIFETIME_TOO_LONG'
    );
  const validUntil = asked ?? createdAt + context.authTokenLifetimeMs;
  const token = signJwt(
    {
      address: owner,
      nonce: String(body.nonce),
      createdAt,
      // The standard expiry claim (seconds), so a client can read when its token ends.
      exp: Math.floor(validUntil / 1000),
      jti: randomUUID()
    },
    context.db.jwtSecret()
  );
  context.db.insertAuthToken({
    token,
    address,
    createdAt,
    validUntil,
    valid: 1
  });
  sendJson(res, 200, { token });
}

async function invalidateAuthToken(
  context: NodeContext,
  req: Request,
  res: ServerResponse
): Promise<void> {
  const body = await req.json();
  const address = requiredAddress(body, 'address');
  const token = requiredString(body, 'token', 4096);
  const nonce = optionalString(body, 'nonce', 32);
  authenticate(context, {
    address: optionalString(body, 'address', 100),
    nonce,
    signature: optionalString(body, 'signature', 200),
    command: 'invalidateAuthToken',
    // ocean.js 8.6.2 signs address + nonce here, without the command name.
    alternativeMessages: [`${String(body.address)}${nonce ?? ''}`]
  });
  const row = context.db.getAuthToken(token);
  if (!row || row.address.toLowerCase() !== address.toLowerCase())
    throw unauthorized('Invalid token', 'INVALID_TOKEN');
  context.db.invalidateAuthToken(token);
  sendJson(res, 200, { success: true });
}

// --- node storage ----------------------------------------------------------------------------

function signedCaller(
  context: NodeContext,
  req: Request,
  command: string,
  body?: Record<string, unknown>
): string {
  const source = body ?? req.query;
  return authenticate(context, {
    address: optionalString(source, 'consumerAddress', 100),
    nonce: optionalString(source, 'nonce', 32),
    signature: optionalString(source, 'signature', 200),
    command,
    authorization: req.headers.authorization
  });
}

function ownBucket(context: NodeContext, bucketId: string, caller: string) {
  const bucket = context.db.getBucket(bucketId);
  if (!bucket) throw notFound(`No bucket ${bucketId}.`, 'BUCKET_NOT_FOUND');
  if (bucket.owner.toLowerCase() !== caller.toLowerCase())
    throw forbidden('Only the bucket owner may do this.', 'NOT_BUCKET_OWNER');
  return bucket;
}

export function registerProviderRoutes(
  router: Router,
  context: NodeContext
): void {
  router.get('/', (_req, res) => {
    sendJson(res, 200, {
      nodeId: context.keys.peerId,
      chainIds: [String(context.chainId)],
      providerAddress: context.keys.address,
      providerAddresses: { [String(context.chainId)]: context.keys.address },
      nodePublicKey: context.keys.publicKeyHex,
      serviceEndpoints: SERVICE_ENDPOINTS,
      software: 'Ocean-Node',
      version: context.version
    });
  });
  router.get(`${SERVICES_BASE}/nonce`, (req, res) => {
    const address = requiredAddress(req.query, 'userAddress');
    // A decimal string, as real nodes send it (the lib and our client read both).
    sendJson(res, 200, { nonce: String(context.db.getNonce(address)) });
  });
  router.post(`${SERVICES_BASE}/encrypt`, (req, res) =>
    encrypt(context, req, res, 'encrypt')
  );
  router.post(`${SERVICES_BASE}/encryptFile`, (req, res) =>
    encrypt(context, req, res, 'encryptFile')
  );
  router.post(`${SERVICES_BASE}/fileInfo`, (req, res) =>
    fileInfo(context, req, res)
  );
  router.post(`${SERVICES_BASE}/fileinfo`, (req, res) =>
    fileInfo(context, req, res)
  );
  router.get(`${SERVICES_BASE}/initialize`, (req, res) =>
    initialize(context, req, res)
  );
  router.get(`${SERVICES_BASE}/download`, (req, res) =>
    download(context, req, res)
  );
  router.post(`${SERVICES_BASE}/auth/token`, (req, res) =>
    createAuthToken(context, req, res)
  );
  router.post(`${SERVICES_BASE}/auth/token/invalidate`, (req, res) =>
    invalidateAuthToken(context, req, res)
  );

  const buckets = `${SERVICES_BASE}/persistentStorage/buckets`;
  router.post(buckets, async (req, res) => {
    const body = await req.json();
    const owner = signedCaller(
      context,
      req,
      'persistentStorageCreateBucket',
      body
    );
    const label = optionalString(body, 'label', 200) ?? null;
    // Real nodes name the field accessList; our client has sent accessLists. Both are read.
    const given = body.accessList ?? body.accessLists;
    const accessLists = Array.isArray(given) ? given : [];
    const bucketId = randomUUID();
    context.db.insertBucket({
      bucketId,
      owner,
      label,
      accessLists: JSON.stringify(accessLists),
      createdAt: Date.now()
    });
    sendJson(res, 200, {
      bucketId,
      owner,
      label,
      accessList: accessLists,
      accessLists
    });
  });
  router.get(buckets, (req, res) => {
    const caller = signedCaller(context, req, 'persistentStorageGetBuckets');
    const owner = optionalAddress(req.query, 'owner') ?? caller;
    if (owner !== caller)
      throw forbidden(
        'You can list only your own buckets.',
        'NOT_BUCKET_OWNER'
      );
    sendJson(
      res,
      200,
      context.db.bucketsOf(owner).map(bucket => ({
        bucketId: bucket.bucketId,
        owner,
        label: bucket.label,
        accessLists: JSON.parse(bucket.accessLists),
        createdAt: bucket.createdAt
      }))
    );
  });
  router.get(`${buckets}/:bucketId/files`, (req, res) => {
    ownBucket(
      context,
      req.params.bucketId,
      signedCaller(context, req, 'persistentStorageListFiles')
    );
    sendJson(
      res,
      200,
      context.db.filesIn(req.params.bucketId).map(file => ({
        bucketId: file.bucketId,
        name: file.fileName,
        size: file.size,
        sha256: file.sha256,
        contentType: file.contentType,
        lastModified: file.createdAt
      }))
    );
  });
  router.post(`${buckets}/:bucketId/files/:fileName`, async (req, res) => {
    const fileName = checkFileName(req.params.fileName);
    ownBucket(
      context,
      req.params.bucketId,
      signedCaller(context, req, 'persistentStorageUploadFile')
    );
    const contentType = String(
      req.headers['content-type'] ?? 'application/octet-stream'
    );
    const stored = await context.files.put(
      req.params.bucketId,
      fileName,
      req.raw,
      contentType === 'application/octet-stream'
        ? 'application/octet-stream'
        : contentType.slice(0, 200),
      context.maxUploadBytes
    );
    sendJson(res, 200, {
      bucketId: stored.bucketId,
      name: stored.fileName,
      size: stored.size,
      sha256: stored.sha256
    });
  });
  router.get(`${buckets}/:bucketId/files/:fileName/object`, (req, res) => {
    const fileName = checkFileName(req.params.fileName);
    ownBucket(
      context,
      req.params.bucketId,
      signedCaller(context, req, 'persistentStorageGetFileObject')
    );
    context.files.stored({
      type: 'nodePersistentStorage',
      bucketId: req.params.bucketId,
      fileName
    });
    sendJson(res, 200, {
      type: 'nodePersistentStorage',
      bucketId: req.params.bucketId,
      fileName
    });
  });
  router.delete(`${buckets}/:bucketId/files/:fileName`, async (req, res) => {
    const fileName = checkFileName(req.params.fileName);
    ownBucket(
      context,
      req.params.bucketId,
      signedCaller(context, req, 'persistentStorageDeleteFile')
    );
    if (!(await context.files.remove(req.params.bucketId, fileName))) {
      throw notFound(
        `No file "${fileName}" in bucket ${req.params.bucketId}.`,
        'FILE_NOT_FOUND'
      );
    }
    sendJson(res, 200, { success: true });
  });
}
