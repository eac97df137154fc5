/**
 * `npm run stack`: the local Ocean network in the foreground.
 *
 *   node --import tsx stack/src/main.ts [--fresh] [--state-dir DIR]
 *        [--chain-port 8545] [--node-port 8001] [--faucet-port 8002] [--files-port 8003]
 *        [--node-rate-limit N] [--nodes 2] [--node2-port 8004]
 *        [--no-prepared] [--prepared-dir DIR] [--allow-file-origin http://127.0.0.1:PORT ...]
 *
 * --nodes 2 runs a second Ocean Node on the same chain with its own key and
 * port; it finds what the first one publishes by asking it to decrypt each
 * DDO, as Ocean's nodes do among themselves.
 *
 * Ctrl-C (SIGINT) or SIGTERM stops everything it started. A second start on
 * the same state directory reuses the chain, contracts, samples and node data
 * when they are still valid; --fresh throws them away and starts clean.
 *
 * A start with nothing to reuse (a new state directory, --fresh) copies the
 * prepared state, the contracts and samples an earlier cold start made from
 * the same inputs (prepared.ts), instead of deploying and publishing again;
 * --no-prepared deploys and publishes anew (and keeps nothing), and
 * --prepared-dir names another cache than stack/node_modules/.cache/.
 *
 * --allow-file-origin (repeatable; or OCEAN_STACK_ALLOWED_FILE_ORIGINS,
 * comma-separated) lets the nodes fetch asset files from another loopback
 * server than the stack's own, such as a benchmark's.
 */
import { parseArgs } from 'node:util';

import {
  DEFAULT_PORTS,
  LOCAL_NODE_RATE_LIMIT,
  MAX_NODES,
  startStack,
  type RunningStack
} from './stack.ts';

const { values } = parseArgs({
  options: {
    fresh: { type: 'boolean', default: false },
    'state-dir': { type: 'string' },
    'chain-port': { type: 'string' },
    'node-port': { type: 'string' },
    'faucet-port': { type: 'string' },
    'files-port': { type: 'string' },
    'no-samples': { type: 'boolean', default: false },
    'node-rate-limit': { type: 'string' },
    nodes: { type: 'string' },
    'node2-port': { type: 'string' },
    'no-prepared': { type: 'boolean', default: false },
    'prepared-dir': { type: 'string' },
    'allow-file-origin': { type: 'string', multiple: true },
    help: { type: 'boolean', default: false }
  },
  strict: true
});

if (values.help) {
  console.log(
    'Usage: npm run stack [-- --fresh] [--state-dir DIR] [--chain-port N] [--node-port N] [--faucet-port N] [--files-port N] [--no-samples] [--node-rate-limit N] [--nodes 2] [--node2-port N] [--no-prepared] [--prepared-dir DIR] [--allow-file-origin URL]\n' +
      "--node-rate-limit: the node's requests a minute per IP (a real node allows 30; default " +
      String(LOCAL_NODE_RATE_LIMIT) +
      ').\n' +
      '--nodes 2: a second Ocean Node on the same chain (its own key and port, --node2-port; a free one when --node-port is 0).\n' +
      "--allow-file-origin URL (repeatable, or OCEAN_STACK_ALLOWED_FILE_ORIGINS=URL,URL): a loopback origin the nodes may fetch asset files from besides the stack's file server.\n" +
      '--fresh, or a new state dir: starts from the prepared state (the contracts and samples a cold start made before from the same code and versions) when there is one; --no-prepared deploys and publishes anew; --prepared-dir DIR keeps prepared states in DIR (default $OCEAN_STACK_PREPARED_DIR, else stack/node_modules/.cache/ocean-stack-prepared).\n' +
      'Ports default to ' +
      JSON.stringify(DEFAULT_PORTS) +
      '; 0 picks a free port.'
  );
  process.exit(0);
}

const port = (value: string | undefined, name: string): number | undefined => {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) {
    console.error(
      `STACK_BAD_PORT: --${name} must be a port number (0 = free port), not "${value}".`
    );
    process.exit(2);
  }
  return parsed;
};

const ports = {
  chain: port(values['chain-port'], 'chain-port'),
  node: port(values['node-port'], 'node-port'),
  faucet: port(values['faucet-port'], 'faucet-port'),
  files: port(values['files-port'], 'files-port'),
  node2: port(values['node2-port'], 'node2-port')
};

const nodesText = values.nodes;
const nodes = nodesText === undefined ? undefined : Number(nodesText);
if (
  nodes !== undefined &&
  !(Number.isInteger(nodes) && nodes >= 1 && nodes <= MAX_NODES)
) {
  console.error(
    `STACK_BAD_NODES: --nodes is how many Ocean Nodes run on the local chain, 1 or ${MAX_NODES}, not "${nodesText}".`
  );
  process.exit(2);
}

const rateLimitText = values['node-rate-limit'];
const nodeRateLimit =
  rateLimitText === undefined ? undefined : Number(rateLimitText);
if (
  nodeRateLimit !== undefined &&
  !(Number.isInteger(nodeRateLimit) && nodeRateLimit >= 0)
) {
  console.error(
    `STACK_BAD_RATE_LIMIT: --node-rate-limit must be a whole number of requests a minute (0 = off), not "${rateLimitText}".`
  );
  process.exit(2);
}

console.log(
  values.fresh
    ? 'Starting a fresh local Ocean network…'
    : 'Starting the local Ocean network (reusing the last state when it is still valid; --fresh starts clean)…'
);

// The handlers come before the start: a signal that finds none ends this process at once, and
// the node children it started would run on without it (holding their ports, and the output pipe
// of whoever reads ours). A reader that stops us as soon as it reads "Ocean stack ready" could
// otherwise do that too. Before the stack is ready a signal stops the start (startStack stops what
// it started and rejects); after, it stops the stack.
const starting = new AbortController();
let stack: RunningStack | null = null;
let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  if (!stack) {
    console.log(`\n${signal}: stopping the start of the local Ocean network…`);
    starting.abort();
    return;
  }
  console.log(`\n${signal}: stopping the local Ocean network…`);
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

try {
  stack = await startStack({
    stateDir: values['state-dir'],
    ports: Object.fromEntries(
      Object.entries(ports).filter(([, value]) => value !== undefined)
    ),
    samples: !values['no-samples'],
    fresh: values.fresh,
    prepared: !values['no-prepared'],
    preparedDir: values['prepared-dir'],
    allowedFileOrigins: [
      ...(values['allow-file-origin'] ?? []),
      ...(process.env.OCEAN_STACK_ALLOWED_FILE_ORIGINS ?? '').split(',')
    ]
      .map(origin => origin.trim())
      .filter(Boolean),
    nodeRateLimit,
    nodes,
    signal: starting.signal
  });
  const { info } = stack;
  console.log('');
  console.log('Ocean stack ready');
  console.log(`  chain   ${info.rpcUrl}  (chainId ${info.chainId})`);
  console.log(`  node    ${info.nodeUrl ?? '(not started)'}`);
  for (const [index, node] of info.nodes.entries())
    if (index > 0)
      console.log(
        `  node ${index + 1}  ${node.url}  (key ${node.providerAddress}; reads node 1's DDOs through its /decrypt)`
      );
  console.log(`  faucet  ${info.faucetUrl}  (POST {"address": "0x…"})`);
  console.log(
    `  address file  ${info.addressFile}  (ADDRESS_FILE for @oceanprotocol/lib)`
  );
  for (const [role, did] of Object.entries(info.samples))
    console.log(`  sample ${role.padEnd(6)} ${did ?? '(none)'}`);
  console.log(`  ready in ${info.timings.total_s} s; Ctrl-C stops everything.`);
} catch (error) {
  if (starting.signal.aborted) {
    // Asked for: everything the start had begun is stopped again.
    console.log('Stopped before the local Ocean network was ready.');
    process.exit(0);
  }
  const code = (error as { code?: string }).code;
  console.error(
    `${code ? code + ': ' : ''}${error instanceof Error ? error.message : String(error)}`
  );
  process.exit(1);
}
