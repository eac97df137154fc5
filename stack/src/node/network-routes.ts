/**
 * The routes of a real Ocean Node that are about the node itself rather than one asset:
 * `POST /directCommand` (the command interface that @oceanprotocol/lib's getNodeStatus and the
 * P2P transport use), `POST /api/services/decrypt` (node-to-node DDO decryption), and the
 * admin, log, queue, policy-server and P2P routes, answered as a real node with P2P off, no
 * admins and no policy server answers them.
 *
 * Commands that have an HTTP route run that route (Router.invoke), so a command and its route
 * can never disagree.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ComputeEngine } from './compute-engine.js';
import type { NodeContext } from './context.js';
import { decryptDdo } from './decrypt.js';
import { NodeError, badRequest, forbidden, notFound } from './errors.js';
import {
  RAW_BODY_LIMIT,
  sendJson,
  type InternalRequest,
  type Request,
  type Router
} from './http.js';

export const NETWORK_ENDPOINTS: Record<string, [string, string]> = {
  directCommand: ['POST', '/directCommand'],
  decrypt: ['POST', '/api/services/decrypt'],
  indexQueue: ['GET', '/api/services/indexQueue'],
  jobs: ['GET', '/api/services/jobs/:job'],
  computeDelete: ['DELETE', '/api/services/compute'],
  logs: ['POST', '/logs'],
  log: ['POST', '/log/:id'],
  fetchConfig: ['GET', '/api/admin/config'],
  pushConfig: ['POST', '/api/admin/config/update'],
  initializePSVerification: ['POST', '/api/services/initializePSVerification'],
  PolicyServerPassthrough: ['POST', '/api/services/PolicyServerPassthrough'],
  getOceanPeers: ['GET', '/getOceanPeers'],
  getP2PPeers: ['GET', '/getP2PPeers'],
  getP2PPeer: ['GET', '/getP2PPeer'],
  getP2pNetworkStats: ['GET', '/getP2pNetworkStats'],
  getProvidersForString: ['GET', '/getProvidersForString'],
  getProvidersForStrings: ['POST', '/getProvidersForStrings']
};

const startedAt = Date.now();

/** sha256 over this node's own source, so two nodes can tell whether they run the same code. */
const codeHash = (() => {
  const folder = fileURLToPath(new URL('.', import.meta.url));
  const hash = createHash('sha256');
  for (const name of readdirSync(folder)
    .filter(file => file.endsWith('.ts'))
    .sort())
    hash.update(name).update(readFileSync(`${folder}/${name}`));
  return hash.digest('hex');
})();

export interface NetworkRouteOptions {
  /** Addresses allowed to decrypt our DDOs; empty lets anyone who signs (Ocean Node's default). */
  authorizedDecrypters?: readonly string[];
}

function nodeStatus(
  context: NodeContext,
  engine: ComputeEngine,
  detailed: boolean
): Record<string, unknown> {
  const chainId = String(context.chainId);
  const status: Record<string, unknown> = {
    id: context.keys.peerId,
    publicKey: context.keys.publicKeyHex,
    friendlyName: `jupyterlab-ocean node ${context.keys.address.slice(2, 10).toLowerCase()}`,
    address: context.keys.address,
    version: context.version,
    http: true,
    p2p: false,
    provider: [{ chainId, network: 'development' }],
    indexer: [
      {
        chainId,
        network: 'development',
        block: String(context.indexer.lastIndexedBlock)
      }
    ],
    supportedStorage: { url: true, arwave: false, ipfs: false },
    platform: {
      cpus: os.cpus().length,
      freemem: os.freemem(),
      totalmem: os.totalmem(),
      loadavg: os.loadavg(),
      arch: os.arch(),
      machine: os.machine(),
      platform: os.platform(),
      osType: os.type(),
      node: process.version
    },
    codeHash,
    allowedAdmins: [],
    uptime: (Date.now() - startedAt) / 1000,
    escrowAddress: { [chainId]: context.addresses.escrow ?? null },
    persistentStorage: { enabled: true, type: 'localfs' }
  };
  if (detailed) {
    status.c2dClusters = [
      {
        type: 'deno-sandbox',
        hash: codeHash,
        environments: engine.environments()
      }
    ];
    status.supportedSchemas = [];
  }
  return status;
}

/** Commands that run an HTTP route: how the command's fields become the route's request. */
interface RouteCommand {
  method: string;
  path: string;
  /** Command field → query parameter (same name when not renamed). */
  query?: Record<string, string>;
  /** Send the command (less `command` and `node`) as the JSON body. */
  jsonBody?: boolean;
  rawBody?: (command: Record<string, unknown>) => Buffer;
}

const SIGNED = {
  consumerAddress: 'consumerAddress',
  nonce: 'nonce',
  signature: 'signature'
};

const ROUTE_COMMANDS: Record<string, RouteCommand> = {
  nonce: {
    method: 'GET',
    path: '/api/services/nonce',
    query: { address: 'userAddress' }
  },
  getDDO: { method: 'GET', path: '/api/aquarius/assets/ddo/:id' },
  query: { method: 'POST', path: '/api/aquarius/assets/metadata/query' },
  validateDDO: {
    method: 'POST',
    path: '/api/aquarius/assets/ddo/validate',
    jsonBody: true
  },
  getFees: {
    method: 'GET',
    path: '/api/services/initialize',
    query: {
      ddoId: 'documentId',
      serviceId: 'serviceId',
      consumerAddress: 'consumerAddress',
      validUntil: 'validUntil'
    }
  },
  fileInfo: { method: 'POST', path: '/api/services/fileInfo', jsonBody: true },
  encrypt: {
    method: 'POST',
    path: '/api/services/encrypt',
    query: { chainId: 'chainId', ...SIGNED },
    rawBody: command =>
      Buffer.from(
        String(command.blob ?? ''),
        command.encoding === 'base64' ? 'base64' : 'utf8'
      )
  },
  download: {
    method: 'GET',
    path: '/api/services/download',
    query: {
      fileIndex: 'fileIndex',
      documentId: 'documentId',
      serviceId: 'serviceId',
      transferTxId: 'transferTxId',
      ...SIGNED
    }
  },
  createAuthToken: {
    method: 'POST',
    path: '/api/services/auth/token',
    jsonBody: true
  },
  invalidateAuthToken: {
    method: 'POST',
    path: '/api/services/auth/token/invalidate',
    jsonBody: true
  },
  getComputeEnvironments: {
    method: 'GET',
    path: '/api/services/computeEnvironments'
  },
  initializeCompute: {
    method: 'POST',
    path: '/api/services/initializeCompute',
    jsonBody: true
  },
  startCompute: {
    method: 'POST',
    path: '/api/services/compute',
    jsonBody: true
  },
  freeStartCompute: {
    method: 'POST',
    path: '/api/services/freeCompute',
    jsonBody: true
  },
  getComputeStatus: {
    method: 'GET',
    path: '/api/services/compute',
    query: {
      consumerAddress: 'consumerAddress',
      jobId: 'jobId',
      agreementId: 'agreementId'
    }
  },
  stopCompute: {
    method: 'PUT',
    path: '/api/services/compute',
    query: { jobId: 'jobId', ...SIGNED }
  },
  getComputeResult: {
    method: 'GET',
    path: '/api/services/computeResult',
    query: { jobId: 'jobId', index: 'index', ...SIGNED }
  },
  getComputeStreamableLogs: {
    method: 'GET',
    path: '/api/services/computeStreamableLogs',
    query: { jobId: 'jobId', ...SIGNED }
  },
  decryptDDO: {
    method: 'POST',
    path: '/api/services/decrypt',
    jsonBody: true
  }
};

/** Commands only a node's admins may run; this node has none, so they are refused when signed. */
const ADMIN_COMMANDS = new Set([
  'stopNode',
  'reindexTx',
  'reindexChain',
  'handleIndexingThread',
  'collectFees',
  'fetchConfig',
  'pushConfig',
  'getLogs'
]);

const P2P_COMMANDS = new Set([
  'getP2PPeer',
  'getP2PPeers',
  'getP2PNetworkStats',
  'findPeer'
]);

const p2pOff = (status = 500): NodeError =>
  new NodeError(
    status,
    'P2P_DISABLED',
    'This node runs without P2P (HTTP only), so it has no peers to report.'
  );

/** As a real node: fields missing → 400; signed but not by an admin → 403 (we list none). */
function adminOnly(command: string, fields: Record<string, unknown>): never {
  const missing = ['nonce', 'address', 'signature'].filter(
    name => fields[name] === undefined || fields[name] === ''
  );
  if (missing.length > 0)
    throw badRequest(
      `Missing required field(s) for ${command}: ${missing.join(', ')} (required: nonce, address, signature).`,
      'MISSING_PARAMETER'
    );
  throw forbidden(
    `${command} is for this node's admins, and this node has none.`,
    'NOT_ADMIN'
  );
}

function asQuery(
  command: Record<string, unknown>,
  names: Record<string, string>
): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [field, parameter] of Object.entries(names)) {
    const value = command[field];
    if (value !== undefined && value !== null) query[parameter] = String(value);
  }
  return query;
}

async function directCommand(
  router: Router,
  context: NodeContext,
  engine: ComputeEngine,
  req: Request,
  res: ServerResponse
): Promise<void> {
  const command = await req.json();
  const name = command.command;
  if (name === undefined || name === '')
    throw badRequest(
      'Invalid Request: "command" is mandatory.',
      'MISSING_COMMAND'
    );
  if (typeof name !== 'string')
    throw badRequest('"command" must be a string.', 'INVALID_COMMAND');
  // `node` names another node to forward to; without P2P only this node can answer.
  if (
    typeof command.node === 'string' &&
    command.node !== '' &&
    command.node !== context.keys.peerId
  )
    throw p2pOff(400);
  if (name === 'status' || name === 'detailedStatus') {
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
    res.end(
      JSON.stringify(
        nodeStatus(context, engine, name === 'detailedStatus'),
        null,
        4
      )
    );
    return;
  }
  if (name === 'jobs') {
    // Ours does not publish who ran which job to anyone who asks (see CONFORMANCE.md).
    sendJson(res, 200, []);
    return;
  }
  if (name === 'findDDO') {
    // Without P2P only this node is asked: its own copy, or an empty list.
    if (typeof command.id !== 'string' || command.id === '')
      throw badRequest('findDDO needs "id" (a DID).', 'MISSING_PARAMETER');
    const row = context.db.getDdo(command.id);
    const ddo = row
      ? (JSON.parse(row.ddo) as { metadata?: { updated?: unknown } })
      : undefined;
    sendJson(
      res,
      200,
      row
        ? [
            {
              id: row.did,
              lastUpdateTx: row.eventTx,
              lastUpdateTime: ddo?.metadata?.updated ?? row.eventDatetime,
              provider: context.keys.peerId
            }
          ]
        : []
    );
    return;
  }
  if (ADMIN_COMMANDS.has(name)) adminOnly(name, command);
  if (P2P_COMMANDS.has(name)) throw p2pOff();
  if (name === 'PolicyServerPassthrough')
    throw badRequest(
      'Invalid Request: this node has no policy server.',
      'NO_POLICY_SERVER'
    );
  const route = ROUTE_COMMANDS[name];
  if (!route)
    throw badRequest(
      `Invalid or unrecognized command: "${name}"`,
      'UNKNOWN_COMMAND'
    );
  const fields = { ...command };
  delete fields.command;
  delete fields.node;
  const input: InternalRequest = {
    query: route.query ? asQuery(fields, route.query) : {},
    headers: {}
  };
  let path = route.path;
  if (name === 'getDDO') {
    if (typeof fields.id !== 'string' || fields.id === '')
      throw badRequest('getDDO needs "id" (a DID).', 'MISSING_PARAMETER');
    path = `/api/aquarius/assets/ddo/${fields.id}`;
  }
  if (name === 'query') {
    input.body = Buffer.from(JSON.stringify(fields.query ?? {}));
    input.headers = { 'content-type': 'application/json' };
  } else if (route.jsonBody) {
    input.body = Buffer.from(JSON.stringify(fields));
    input.headers = { 'content-type': 'application/json' };
  } else if (route.rawBody) {
    input.body = route.rawBody(fields);
    if (input.body.length > RAW_BODY_LIMIT)
      throw new NodeError(
        413,
        'PAYLOAD_TOO_LARGE',
        'The blob is larger than 25 MB.'
      );
    input.headers = { 'content-type': 'application/octet-stream' };
  }
  if (typeof fields.authorization === 'string')
    input.headers!.authorization = fields.authorization;
  if (!(await router.invoke(route.method, path, input, req, res)))
    throw notFound(`No route serves the command "${name}".`);
}

export function registerNetworkRoutes(
  router: Router,
  context: NodeContext,
  engine: ComputeEngine,
  options: NetworkRouteOptions = {}
): void {
  router.post('/directCommand', (req, res) =>
    directCommand(router, context, engine, req, res)
  );
  router.post('/api/services/decrypt', (req, res) =>
    decryptDdo(context, req, res, options.authorizedDecrypters ?? [])
  );
  // Ours keeps no queue: the indexer takes every block range in one transaction as it comes.
  router.get('/api/services/indexQueue', (_req, res) =>
    sendJson(res, 200, { queue: [] })
  );
  router.get('/api/services/jobs/:job', (_req, res) =>
    sendJson(res, 200, { jobs: [] })
  );
  router.delete('/api/services/compute', () => {
    throw new NodeError(
      404,
      'NOT_IMPLEMENTED',
      'Deleting compute jobs is not implemented (as on Ocean Node).'
    );
  });
  router.post('/logs', async req => adminOnly('getLogs', await req.json()));
  router.post('/log/:id', async req => adminOnly('getLogs', await req.json()));
  router.get('/api/admin/config', req =>
    adminOnly('fetchConfig', Object.fromEntries(req.query))
  );
  router.post('/api/admin/config/update', async req =>
    adminOnly('pushConfig', await req.json())
  );
  const noPolicyServer = (): never => {
    throw badRequest(
      'Invalid Request: this node has no policy server configured.',
      'NO_POLICY_SERVER'
    );
  };
  router.post('/api/services/initializePSVerification', noPolicyServer);
  router.post('/api/services/PolicyServerPassthrough', noPolicyServer);
  router.get('/getOceanPeers', () => {
    throw p2pOff();
  });
  router.get('/getP2PPeers', () => {
    throw p2pOff();
  });
  router.get('/getP2PPeer', req => {
    if (!req.query.get('peerId'))
      throw badRequest('Bad Request: peerId is required.', 'MISSING_PARAMETER');
    throw p2pOff();
  });
  router.get('/getP2pNetworkStats', () => {
    throw p2pOff(400);
  });
  router.get('/getProvidersForString', () => {
    throw p2pOff(400);
  });
  router.post('/getProvidersForStrings', () => {
    throw p2pOff(400);
  });
}
