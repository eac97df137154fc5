/**
 * The compute-to-data routes of Ocean Node's HTTP API, with its paths, parameter and field
 * names: computeEnvironments, initializeCompute, compute (paid start) / freeCompute, compute
 * status (GET), stop (PUT), computeResult and computeStreamableLogs. Requests that act for a
 * consumer are signed (personal_sign over address + nonce + command, or an auth token), and
 * every dataset and algorithm asset must come with an order on chain, checked from its receipt
 * as the download route does. A dataset runs only algorithms its compute service trusts:
 * `publisherTrustedAlgorithms` entries (DID + files checksum + container checksum, verified
 * against the algorithm as published now) or `publisherTrustedAlgorithmPublishers`.
 *
 * One deliberate difference from Ocean Node: free compute still needs orders for the assets it
 * uses (Ocean Node lets a free environment run without them), so a priced compute-only dataset
 * cannot be used for free.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { ZeroAddress, getAddress, isAddress } from 'ethers';
import { authenticate } from './auth.js';
import { chainNow, verifyOrder } from './chain.js';
import type { ComputeEngine, JobInputs } from './compute-engine.js';
import {
  FINAL_STATUSES,
  type ComputeJobRecord,
  type JobAsset
} from './compute-store.js';
import type { NodeContext } from './context.js';
import { utf8Hex } from './crypto.js';
import {
  NodeError,
  badRequest,
  forbidden,
  notFound,
  orderRefused
} from './errors.js';
import { sendJson, type Request, type Router } from './http.js';
import { parseFileObject, type FileObject } from './storage.js';
import {
  checkDid,
  optionalString,
  requiredAddress,
  requiredString
} from './validate.js';

const BASE = '/api/services';

export const COMPUTE_ENDPOINTS: Record<string, [string, string]> = {
  computeEnvironments: ['GET', `${BASE}/computeEnvironments`],
  initializeCompute: ['POST', `${BASE}/initializeCompute`],
  computeStart: ['POST', `${BASE}/compute`],
  freeCompute: ['POST', `${BASE}/freeCompute`],
  computeStatus: ['GET', `${BASE}/compute`],
  computeStop: ['PUT', `${BASE}/compute`],
  computeResult: ['GET', `${BASE}/computeResult`],
  computeStreamableLogs: ['GET', `${BASE}/computeStreamableLogs`]
};

type Ddo = Record<string, unknown> & {
  id: string;
  nftAddress: string;
  metadata?: Record<string, unknown>;
  services?: Record<string, unknown>[];
};

interface ResolvedAsset {
  did: string;
  ddo: Ddo;
  owner: string;
  service: Record<string, unknown>;
  serviceIndex: number;
  files: FileObject[];
  transferTxId?: string;
}

function loadAsset(
  context: NodeContext,
  documentId: unknown,
  serviceId: unknown,
  role: string
): Omit<ResolvedAsset, 'files'> {
  if (typeof documentId !== 'string')
    throw badRequest(`Missing ${role} documentId.`, 'MISSING_PARAMETER');
  const did = checkDid(documentId, `${role}.documentId`);
  const row = context.db.getDdo(did);
  if (!row) throw notFound(`DDO ${did} not found`, 'DDO_NOT_FOUND');
  if (![0, 5].includes(row.metadataState))
    throw forbidden(
      `Ordering is not allowed for ${did} (state ${row.metadataState}).`,
      'ASSET_NOT_ORDERABLE'
    );
  const ddo = JSON.parse(row.ddo) as Ddo;
  const services = Array.isArray(ddo.services) ? ddo.services : [];
  const serviceIndex =
    typeof serviceId === 'string'
      ? services.findIndex(service => service.id === serviceId)
      : 0;
  if (serviceIndex < 0 || !services[serviceIndex])
    throw badRequest(
      `Cannot find service ${String(serviceId)} in DDO ${did}`,
      'INVALID_SERVICE'
    );
  return {
    did,
    ddo,
    owner: row.nftOwner,
    service: services[serviceIndex],
    serviceIndex
  };
}

function decryptFiles(
  context: NodeContext,
  asset: Omit<ResolvedAsset, 'files'>
): FileObject[] {
  const encrypted = asset.service.files;
  let parsed: {
    nftAddress?: string;
    datatokenAddress?: string;
    files?: unknown;
  };
  try {
    if (typeof encrypted !== 'string') throw new Error('no files');
    parsed = JSON.parse(
      context.keys
        .decrypt(Buffer.from(encrypted.replace(/^0x/, ''), 'hex'))
        .toString('utf8')
    );
  } catch {
    throw orderRefused(
      `Service ${String(asset.service.id)} from DDO ${asset.did} cannot be used in compute on this provider`,
      'FILES_NOT_DECRYPTABLE'
    );
  }
  if (
    parsed.nftAddress?.toLowerCase() !== asset.ddo.nftAddress.toLowerCase() ||
    parsed.datatokenAddress?.toLowerCase() !==
      String(asset.service.datatokenAddress).toLowerCase() ||
    !Array.isArray(parsed.files)
  )
    throw forbidden(
      'The files of this service do not belong to this asset.',
      'FILES_MISMATCH'
    );
  return parsed.files.map(parseFileObject);
}

const sha256Hex = (text: string): string =>
  createHash('sha256').update(text).digest('hex');

const sameHash = (a: unknown, b: string): boolean =>
  typeof a === 'string' &&
  a.toLowerCase().replace(/^0x/, '') === b.toLowerCase().replace(/^0x/, '');

/**
 * Checksums as Ocean Node computes them: `files` is the concatenation of the sha256 of each
 * algorithm file, `container` the sha256 of container.entrypoint + container.checksum.
 */
export async function algorithmChecksums(
  context: NodeContext,
  ddo: Ddo,
  files: FileObject[]
): Promise<{ files: string; container: string }> {
  let checksums = '';
  for (const file of files) {
    const info = await context.files.info(file, true);
    if (!info.valid || !info.checksum)
      throw orderRefused(
        `The files of algorithm ${ddo.id} cannot be read to check them.`,
        'ALGORITHM_FILES_UNAVAILABLE'
      );
    checksums += info.checksum;
  }
  const algorithm = (ddo.metadata?.algorithm ?? {}) as {
    container?: { entrypoint?: string; checksum?: string };
  };
  const container = algorithm.container ?? {};
  return {
    files: checksums,
    container: sha256Hex(
      `${container.entrypoint ?? ''}${container.checksum ?? ''}`
    )
  };
}

interface ComputeOptionsOfService {
  allowRawAlgorithm?: boolean;
  publisherTrustedAlgorithms?: {
    did?: string;
    filesChecksum?: string;
    containerSectionChecksum?: string;
  }[];
  publisherTrustedAlgorithmPublishers?: string[];
}

/** Ocean Node's rule: a listed DID must match its checksums; otherwise the publisher list decides. */
function algorithmAllowed(
  dataset: ResolvedAsset,
  algorithm:
    | {
        kind: 'asset';
        asset: ResolvedAsset;
        checksums: { files: string; container: string };
      }
    | { kind: 'raw' }
): boolean {
  const options = (dataset.service.compute ?? {}) as ComputeOptionsOfService;
  if (algorithm.kind === 'raw') return options.allowRawAlgorithm === true;
  const trusted = options.publisherTrustedAlgorithms;
  const publishers = options.publisherTrustedAlgorithmPublishers;
  if (!Array.isArray(trusted) && !Array.isArray(publishers)) return true;
  if (Array.isArray(trusted)) {
    if (trusted.some(entry => (entry as unknown) === '*')) return true;
    const entry = trusted.find(
      item => item?.did?.toLowerCase() === algorithm.asset.did
    );
    if (entry)
      return (
        sameHash(entry.filesChecksum, algorithm.checksums.files) &&
        sameHash(entry.containerSectionChecksum, algorithm.checksums.container)
      );
  }
  if (Array.isArray(publishers)) {
    const owner = algorithm.asset.owner.toLowerCase();
    return publishers.some(
      address => address === '*' || String(address).toLowerCase() === owner
    );
  }
  return false;
}

const SUPPORTED_LANGUAGE = /javascript|typescript|\bjs\b|\bts\b|deno|node/i;

function algorithmFileName(meta: Record<string, unknown> | undefined): string {
  const container = (meta?.container ?? {}) as {
    entrypoint?: string;
    image?: string;
  };
  const described = [meta?.language, container.entrypoint, container.image]
    .filter(value => typeof value === 'string')
    .join(' ');
  if (described && !SUPPORTED_LANGUAGE.test(described))
    throw badRequest(
      `This node's compute engine runs JavaScript/TypeScript algorithms (Deno) only; this algorithm is described as "${described.slice(0, 120)}".`,
      'UNSUPPORTED_ALGORITHM'
    );
  return /typescript|\.ts\b/i.test(described) ? 'algorithm.ts' : 'algorithm.js';
}

/**
 * Verifies an asset's order for a compute job: started for the caller, or for the compute
 * environment's address (how ocean.js examples order) by a transaction the caller sent.
 */
async function verifyComputeOrder(
  context: NodeContext,
  asset: ResolvedAsset,
  caller: string,
  environmentAddress: string
): Promise<void> {
  if (!asset.transferTxId || !/^0x[0-9a-fA-F]{64}$/.test(asset.transferTxId))
    throw orderRefused(
      `Missing transferTxId for DDO ${asset.did}`,
      'ORDER_MISSING'
    );
  const check = {
    txHash: asset.transferTxId,
    datatoken: String(asset.service.datatokenAddress),
    nftAddress: asset.ddo.nftAddress,
    serviceId: String(asset.service.id),
    serviceIndex: asset.serviceIndex,
    serviceTimeout:
      typeof asset.service.timeout === 'number' ? asset.service.timeout : 0,
    providerAddress: context.keys.address
  };
  try {
    await verifyOrder(context.provider, { ...check, consumer: caller });
    return;
  } catch (error) {
    if (!(error instanceof NodeError) || error.code !== 'ORDER_NOT_YOURS')
      throw error;
  }
  await verifyOrder(context.provider, {
    ...check,
    consumer: environmentAddress
  });
  const tx = await context.provider.getTransaction(asset.transferTxId);
  if (!tx || tx.from.toLowerCase() !== caller.toLowerCase())
    throw orderRefused(
      `TxId ${asset.transferTxId} was not sent by the consumer of this job.`,
      'ORDER_NOT_YOURS'
    );
}

interface ResolvedJob {
  datasets: ResolvedAsset[];
  algorithm:
    | {
        kind: 'asset';
        asset: ResolvedAsset;
        checksums: { files: string; container: string };
      }
    | { kind: 'raw'; rawcode: string };
  fileName: string;
}

async function resolveJob(
  context: NodeContext,
  body: Record<string, unknown>
): Promise<ResolvedJob> {
  const rawDatasets = Array.isArray(body.datasets)
    ? body.datasets
    : body.dataset
      ? [body.dataset]
      : [];
  if (rawDatasets.length > 8) throw badRequest('At most 8 datasets per job.');
  const algorithmBody = body.algorithm as Record<string, unknown> | undefined;
  if (!algorithmBody || typeof algorithmBody !== 'object')
    throw badRequest('Missing algorithm.', 'MISSING_PARAMETER');

  let algorithm: ResolvedJob['algorithm'];
  let fileName: string;
  if (algorithmBody.documentId) {
    const base = loadAsset(
      context,
      algorithmBody.documentId,
      algorithmBody.serviceId,
      'algorithm'
    );
    if (base.ddo.metadata?.type !== 'algorithm')
      throw badRequest(
        `DID ${base.did} is not a valid algorithm.`,
        'NOT_AN_ALGORITHM'
      );
    const files = decryptFiles(context, base);
    if (files.length === 0)
      throw badRequest(
        `Algorithm ${base.did} has no file.`,
        'NOT_AN_ALGORITHM'
      );
    fileName = algorithmFileName(
      base.ddo.metadata?.algorithm as Record<string, unknown>
    );
    const asset: ResolvedAsset = {
      ...base,
      files,
      transferTxId: optionalString(algorithmBody, 'transferTxId', 80)
    };
    algorithm = {
      kind: 'asset',
      asset,
      checksums: await algorithmChecksums(context, base.ddo, files)
    };
  } else {
    const meta = algorithmBody.meta as Record<string, unknown> | undefined;
    if (typeof meta?.rawcode !== 'string' || meta.rawcode.length === 0)
      throw badRequest(
        'The algorithm needs a documentId or meta.rawcode.',
        'MISSING_PARAMETER'
      );
    if (meta.rawcode.length > 1024 * 1024)
      throw badRequest('Raw algorithm code is limited to 1 MiB.');
    fileName = algorithmFileName(meta);
    algorithm = { kind: 'raw', rawcode: meta.rawcode };
  }

  const datasets: ResolvedAsset[] = [];
  for (const raw of rawDatasets) {
    const entry = (raw ?? {}) as Record<string, unknown>;
    const base = loadAsset(
      context,
      entry.documentId,
      entry.serviceId,
      'dataset'
    );
    if (base.service.type !== 'compute')
      throw badRequest(
        `Service ${String(base.service.id)} of ${base.did} is not a compute service.`,
        'WRONG_SERVICE_TYPE'
      );
    const asset: ResolvedAsset = {
      ...base,
      files: decryptFiles(context, base),
      transferTxId: optionalString(entry, 'transferTxId', 80)
    };
    if (!algorithmAllowed(asset, algorithm))
      throw badRequest(
        `Algorithm ${algorithm.kind === 'asset' ? algorithm.asset.did : '(raw code)'} not allowed to run on the dataset: ${asset.did}`,
        'ALGORITHM_NOT_TRUSTED'
      );
    datasets.push(asset);
  }
  return { datasets, algorithm, fileName };
}

function checkEnvironment(engine: ComputeEngine, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0)
    throw badRequest(
      'Missing required parameter: "environment".',
      'MISSING_PARAMETER'
    );
  if (value !== engine.environmentId)
    throw badRequest(
      `Invalid compute environment: ${value}`,
      'INVALID_ENVIRONMENT'
    );
  return value;
}

/** A requested duration in seconds; ocean.js examples pass an absolute timestamp instead. */
async function jobDuration(
  context: NodeContext,
  requested: unknown,
  max: number
): Promise<number> {
  let seconds = Number(requested);
  if (!Number.isFinite(seconds) || seconds <= 0) return max;
  if (seconds > 1_000_000_000) seconds -= await chainNow(context.provider);
  return Math.max(1, Math.min(Math.floor(seconds), max));
}

function publicJob(job: ComputeJobRecord): Record<string, unknown> {
  return {
    owner: job.owner,
    did: job.assets[0]?.documentId ?? null,
    jobId: job.jobId,
    dateCreated: job.dateCreated,
    dateFinished: job.dateFinished,
    status: job.status,
    statusText: job.statusText,
    results: job.results,
    inputDID: job.assets.map(asset => asset.documentId),
    algoDID: job.algorithm.documentId ?? null,
    agreementId: job.agreementId,
    expireTimestamp: Number(job.dateCreated) + 7 * 24 * 3600,
    environment: job.environment,
    resources: job.resources,
    isFree: job.isFree,
    maxJobDuration: job.maxJobDuration,
    stopRequested: job.stopRequested,
    metadata: job.metadata ?? undefined,
    terminationDetails: job.terminationDetails ?? undefined
  };
}

function canView(job: ComputeJobRecord, address: string): boolean {
  const lower = address.toLowerCase();
  return (
    job.owner.toLowerCase() === lower ||
    job.additionalViewers.some(viewer => viewer.toLowerCase() === lower)
  );
}

function ownJob(
  engine: ComputeEngine,
  jobId: string,
  caller: string
): ComputeJobRecord {
  const job = engine.store.get(jobId);
  // Someone else's job answers like a missing one: job ids are not to be probed.
  if (!job || !canView(job, caller))
    throw notFound(`No compute job ${jobId}.`, 'JOB_NOT_FOUND');
  return job;
}

async function startJob(
  context: NodeContext,
  engine: ComputeEngine,
  req: Request,
  res: ServerResponse,
  paid: boolean
): Promise<void> {
  const body = await req.json();
  const caller = authenticate(context, {
    address: optionalString(body, 'consumerAddress', 100),
    nonce: optionalString(body, 'nonce', 32),
    signature: optionalString(body, 'signature', 200),
    command: paid ? 'startCompute' : 'freeStartCompute',
    authorization: req.headers.authorization
  });
  checkEnvironment(engine, body.environment);
  if (paid) {
    const payment = (body.payment ?? {}) as Record<string, unknown>;
    const chainId = Number(payment.chainId ?? body.chainId);
    if (chainId !== context.chainId)
      throw badRequest(
        `This node's environment is paid on chain ${context.chainId}.`,
        'INVALID_PAYMENT'
      );
    const token = String(payment.token ?? '');
    if (
      !isAddress(token) ||
      getAddress(token) !== getAddress(context.addresses.ocean)
    )
      throw badRequest('The payment token must be OCEAN.', 'INVALID_PAYMENT');
  }
  const resolved = await resolveJob(context, body);
  const assets =
    resolved.algorithm.kind === 'asset'
      ? [resolved.algorithm.asset, ...resolved.datasets]
      : resolved.datasets;
  for (const asset of assets)
    await verifyComputeOrder(context, asset, caller, context.keys.address);

  const viewers = Array.isArray(body.additionalViewers)
    ? body.additionalViewers
        .filter(
          (value): value is string =>
            typeof value === 'string' && isAddress(value)
        )
        .map(value => getAddress(value))
    : [];
  const inputs: JobInputs = {
    datasets: resolved.datasets.map(asset => ({
      did: asset.did,
      files: asset.files
    })),
    algorithm:
      resolved.algorithm.kind === 'asset'
        ? { files: resolved.algorithm.asset.files }
        : { rawcode: resolved.algorithm.rawcode }
  };
  const jobAssets: JobAsset[] = resolved.datasets.map(asset => ({
    documentId: asset.did,
    serviceId: String(asset.service.id),
    transferTxId: asset.transferTxId
  }));
  const job = engine.submit(
    {
      owner: caller,
      isFree: !paid,
      agreementId: resolved.datasets[0]?.transferTxId ?? null,
      maxJobDuration: await jobDuration(
        context,
        paid
          ? ((body.payment as Record<string, unknown> | undefined)
              ?.maxJobDuration ?? body.maxJobDuration)
          : body.maxJobDuration,
        engine.maxDuration(!paid)
      ),
      algorithm:
        resolved.algorithm.kind === 'asset'
          ? {
              documentId: resolved.algorithm.asset.did,
              serviceId: String(resolved.algorithm.asset.service.id),
              transferTxId: resolved.algorithm.asset.transferTxId,
              fileName: resolved.fileName
            }
          : { rawcode: '(raw)', fileName: resolved.fileName },
      assets: jobAssets,
      additionalViewers: viewers,
      metadata:
        body.metadata && typeof body.metadata === 'object'
          ? (body.metadata as Record<string, unknown>)
          : null,
      resources: Array.isArray(body.resources)
        ? (body.resources as { id: unknown; amount: unknown }[])
            .filter(item => typeof item?.id === 'string')
            .map(item => ({
              id: String(item.id),
              amount: Number(item.amount) || 0
            }))
        : []
    },
    inputs
  );
  sendJson(res, 200, [publicJob(job)]);
}

async function initializeCompute(
  context: NodeContext,
  engine: ComputeEngine,
  req: Request,
  res: ServerResponse
): Promise<void> {
  const body = await req.json();
  if (!Array.isArray(body.datasets) && !body.algorithm)
    throw badRequest('Missing datasets and algorithm', 'MISSING_PARAMETER');
  for (const dataset of (body.datasets ?? []) as Record<string, unknown>[])
    if (!dataset?.documentId)
      throw badRequest('Missing dataset did', 'MISSING_PARAMETER');
  const consumer = requiredAddress(body, 'consumerAddress');
  checkEnvironment(engine, body.environment);
  const payment = (body.payment ?? {}) as Record<string, unknown>;
  const resolved = await resolveJob(context, body);
  const duration = await jobDuration(
    context,
    body.maxJobDuration,
    engine.maxDuration(false)
  );
  const now = await chainNow(context.provider);

  const feeFor = async (asset: ResolvedAsset) => {
    const result: Record<string, unknown> = {
      datatoken: asset.service.datatokenAddress,
      chainId: context.chainId,
      validOrder: false
    };
    if (asset.transferTxId) {
      try {
        await verifyComputeOrder(
          context,
          asset,
          consumer,
          context.keys.address
        );
        result.validOrder = asset.transferTxId;
        return result;
      } catch {
        // not (or no longer) valid: a fresh provider fee lets the consumer order again
      }
    }
    result.providerFee = await context.keys.signProviderFee({
      providerData: utf8Hex(
        JSON.stringify({
          dt: String(asset.service.datatokenAddress),
          id: String(asset.service.id),
          environment: engine.environmentId
        })
      ),
      providerFeeToken: context.addresses.ocean ?? ZeroAddress,
      providerFeeAmount: 0n,
      validUntil: now + Math.max(duration, 3600)
    });
    return result;
  };
  sendJson(res, 200, {
    algorithm:
      resolved.algorithm.kind === 'asset'
        ? await feeFor(resolved.algorithm.asset)
        : null,
    datasets: await Promise.all(resolved.datasets.map(feeFor)),
    // The environment's prices are zero: nothing has to be locked in escrow.
    payment: {
      escrowAddress: ZeroAddress,
      chainId: Number(payment.chainId ?? context.chainId),
      payee: context.keys.address,
      token:
        typeof payment.token === 'string'
          ? payment.token
          : context.addresses.ocean,
      amount: 0,
      minLockSeconds: duration
    }
  });
}

function signedQueryCaller(
  context: NodeContext,
  req: Request,
  command: string,
  alternatives: string[] = []
): string {
  return authenticate(context, {
    address: optionalString(req.query, 'consumerAddress', 100),
    nonce: optionalString(req.query, 'nonce', 32),
    signature: optionalString(req.query, 'signature', 200),
    command,
    alternativeMessages: alternatives,
    authorization: req.headers.authorization
  });
}

async function streamLogs(
  engine: ComputeEngine,
  job: ComputeJobRecord,
  res: ServerResponse
): Promise<void> {
  const file = `${engine.jobDir(job.jobId)}/logs/algorithmLog.txt`;
  res.writeHead(200, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store'
  });
  let offset = 0;
  let closed = false;
  res.on('close', () => (closed = true));
  // Follow the log like `tail -f` until the job reaches a final status.
  for (;;) {
    if (closed) return;
    const info = existsSync(file) ? await stat(file) : undefined;
    if (info && info.size > offset) {
      const handle = await open(file, 'r');
      const chunk = Buffer.alloc(info.size - offset);
      await handle.read(chunk, 0, chunk.length, offset);
      await handle.close();
      offset = info.size;
      res.write(chunk);
    }
    const current = engine.store.get(job.jobId);
    if (
      !current ||
      (FINAL_STATUSES.has(current.status) && !engine.isRunning(job.jobId))
    ) {
      const last = existsSync(file) ? (await stat(file)).size : 0;
      if (last <= offset) break;
      continue;
    }
    await new Promise(resolve => setTimeout(resolve, 150));
  }
  res.end();
}

export function registerComputeRoutes(
  router: Router,
  context: NodeContext,
  engine: ComputeEngine
): void {
  router.get(`${BASE}/computeEnvironments`, (_req, res) =>
    sendJson(res, 200, engine.environments())
  );
  router.post(`${BASE}/initializeCompute`, (req, res) =>
    initializeCompute(context, engine, req, res)
  );
  router.post(`${BASE}/compute`, (req, res) =>
    startJob(context, engine, req, res, true)
  );
  router.post(`${BASE}/freeCompute`, (req, res) =>
    startJob(context, engine, req, res, false)
  );
  router.get(`${BASE}/compute`, (req, res) => {
    const consumer = optionalString(req.query, 'consumerAddress', 100);
    const jobId = optionalString(req.query, 'jobId', 200);
    const agreementId = optionalString(req.query, 'agreementId', 100);
    if (!consumer && !jobId && !agreementId)
      throw badRequest(
        'Give at least one of consumerAddress, jobId, agreementId.',
        'MISSING_PARAMETER'
      );
    let jobs: ComputeJobRecord[];
    if (jobId) {
      const job = engine.store.get(jobId);
      jobs = job ? [job] : [];
    } else if (consumer) {
      jobs = engine.store.byOwner(consumer);
    } else jobs = [];
    if (consumer) jobs = jobs.filter(job => canView(job, consumer));
    if (agreementId) jobs = jobs.filter(job => job.agreementId === agreementId);
    sendJson(res, 200, jobs.map(publicJob));
  });
  router.put(`${BASE}/compute`, (req, res) => {
    const jobId = requiredString(req.query, 'jobId', 200);
    const caller = signedQueryCaller(context, req, 'stopCompute');
    const job = ownJob(engine, jobId, caller);
    if (job.owner.toLowerCase() !== caller.toLowerCase())
      throw forbidden('Only the owner of a job may stop it.', 'NOT_JOB_OWNER');
    const after = engine.stop(jobId) ?? job;
    sendJson(res, 200, [publicJob(after)]);
  });
  router.get(`${BASE}/computeResult`, async (req, res) => {
    const jobId = requiredString(req.query, 'jobId', 200);
    const index = Number(requiredString(req.query, 'index', 10));
    if (!Number.isInteger(index) || index < 0)
      throw badRequest('Invalid result index', 'INVALID_PARAMETER');
    const caller = signedQueryCaller(context, req, 'getComputeResult', [
      `${optionalString(req.query, 'consumerAddress', 100) ?? ''}${jobId}${index}${optionalString(req.query, 'nonce', 32) ?? ''}`
    ]);
    const job = ownJob(engine, jobId, caller);
    const path = engine.resultPath(job, index);
    if (!path || !existsSync(path))
      throw notFound(
        `Job ${jobId} has no result ${index}.`,
        'RESULT_NOT_FOUND'
      );
    const result = job.results.find(entry => entry.index === index)!;
    const size = (await stat(path)).size;
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': size,
      'Content-Disposition': `attachment;filename=${encodeURIComponent(result.filename.split('/').pop() ?? 'result')}`
    });
    createReadStream(path).pipe(res);
  });
  router.get(`${BASE}/computeStreamableLogs`, async (req, res) => {
    const jobId = requiredString(req.query, 'jobId', 200);
    const caller = signedQueryCaller(context, req, 'getComputeStreamableLogs');
    const job = ownJob(engine, jobId, caller);
    await streamLogs(engine, job, res);
  });
}
