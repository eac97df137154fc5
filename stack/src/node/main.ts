/**
 * Command line for the local Ocean Node.
 *
 *   node --import tsx src/node/main.ts --rpc http://127.0.0.1:8545 --address-file addresses.json \
 *     --data-dir .ocean-node [--port 8001] [--host 127.0.0.1] [--chain-id 8996] [--private-key HEX]
 *     [--rate-limit 30] [--allowed-file-origin http://127.0.0.1:8003 ...]
 *
 * The key may also come from OCEAN_NODE_PRIVATE_KEY. --rate-limit (or OCEAN_NODE_RATE_LIMIT) is
 * requests a minute per client IP, Ocean Node's 30 by default; 0 turns it off. Prints "Ocean Node listening on URL" once
 * it accepts requests; exits cleanly on SIGINT/SIGTERM. --allowed-file-origin (repeatable, or
 * OCEAN_NODE_ALLOWED_FILE_ORIGINS, comma-separated) names origins that file URLs may use although
 * they are loopback or private, such as the stack's own file server; all others must be public.
 */
import { parseArgs } from 'node:util';
import { startOceanNode } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8001' },
    host: { type: 'string', default: '127.0.0.1' },
    rpc: { type: 'string' },
    'chain-id': { type: 'string', default: '8996' },
    'address-file': { type: 'string' },
    'data-dir': { type: 'string' },
    'private-key': { type: 'string' },
    'rate-limit': { type: 'string' },
    'allowed-file-origin': { type: 'string', multiple: true }
  }
});

function fail(message: string): never {
  console.error(`ocean-node: ${message}`);
  process.exit(2);
}

const privateKey = values['private-key'] ?? process.env.OCEAN_NODE_PRIVATE_KEY;
if (!values.rpc) fail('--rpc URL is required.');
if (!values['address-file']) fail('--address-file PATH is required.');
if (!values['data-dir']) fail('--data-dir DIR is required.');
if (!privateKey)
  fail('--private-key HEX (or OCEAN_NODE_PRIVATE_KEY) is required.');
const port = Number(values.port);
const chainId = Number(values['chain-id']);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  fail('--port must be 0..65535.');
if (!Number.isInteger(chainId) || chainId <= 0)
  fail('--chain-id must be a positive integer.');
const rateLimitText = values['rate-limit'] ?? process.env.OCEAN_NODE_RATE_LIMIT;
const rateLimit =
  rateLimitText === undefined ? undefined : Number(rateLimitText);
if (rateLimit !== undefined && !(Number.isInteger(rateLimit) && rateLimit >= 0))
  fail('--rate-limit must be a whole number of requests a minute (0 = off).');

const allowedFileOrigins = [
  ...(values['allowed-file-origin'] ?? []),
  ...(process.env.OCEAN_NODE_ALLOWED_FILE_ORIGINS ?? '').split(',')
]
  .map(origin => origin.trim())
  .filter(Boolean);
for (const origin of allowedFileOrigins) {
  let parsed: URL | undefined;
  try {
    parsed = new URL(origin);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol))
    fail(
      `--allowed-file-origin must be an http(s) origin such as http://127.0.0.1:8003, not "${origin}".`
    );
}

try {
  const node = await startOceanNode({
    rpcUrl: values.rpc,
    chainId,
    addressFile: values['address-file'],
    dataDir: values['data-dir'],
    privateKey,
    host: values.host,
    port,
    rateLimitPerMinute: rateLimit,
    allowedFileOrigins
  });
  console.log(`Ocean Node listening on ${node.url}`);
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    node.stop().then(
      () => process.exit(0),
      error => {
        console.error('ocean-node: error while stopping:', error);
        process.exit(1);
      }
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
} catch (error) {
  fail((error as Error).message);
}
