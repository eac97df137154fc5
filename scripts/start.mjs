// `npm start`: set up whatever is missing, start the local Ocean network and
// a JupyterLab with the extension on 127.0.0.1, print the URL, and stay in
// the foreground until Ctrl-C, which stops everything started here.
//
//   npm start [-- --port 8888] [--no-stack] [--fresh] [--free-ports] [--nodes 2] [--workspace DIR] [--state-dir DIR]
//
// The local Ocean network keeps its state in .ocean-stack/ and reuses it on
// the next start when it is still valid; --fresh starts it clean.
//
// --nodes 2 adds a second Ocean Node on the same chain (port 8004), which
// finds what the first one publishes through its /decrypt route, as Ocean's
// nodes do; the lab itself talks to the first.
//
// --free-ports, --workspace and --state-dir let a test run a second copy
// beside a user's own `npm start`.
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync
} from 'node:fs';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setup } from './setup.mjs';
import { root, startLab, startStack, stackSettings } from './lib/services.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '8888' },
    'no-stack': { type: 'boolean', default: false },
    fresh: { type: 'boolean', default: false },
    'free-ports': { type: 'boolean', default: false },
    nodes: { type: 'string', default: '1' },
    workspace: { type: 'string', default: join(root, 'work') },
    'state-dir': { type: 'string', default: root },
    help: { type: 'boolean', short: 'h', default: false }
  }
});
if (values.help) {
  console.log(
    'Usage: npm start [-- --port 8888] [--no-stack] [--fresh] [--free-ports] [--nodes 2]\n' +
      '  Starts the local Ocean network (chain 8545, Ocean Node 8001, faucet 8002,\n' +
      '  files 8003) and JupyterLab on 127.0.0.1, with the sample notebooks in ./work.\n' +
      '  The network reuses its state in .ocean-stack/ when it is still valid;\n' +
      '  --fresh discards it and starts clean. --nodes 2 adds a second Ocean Node\n' +
      '  (port 8004) on the same chain.'
  );
  process.exit(0);
}

const NODES = Number(values.nodes);
if (NODES !== 1 && NODES !== 2) {
  // Before any set-up work: the stack would refuse it anyway, only later.
  console.error(
    `STACK_BAD_NODES: --nodes is how many Ocean Nodes run on the local chain, 1 or 2, not "${values.nodes}".`
  );
  process.exit(2);
}

const WORKSPACE = values.workspace;
const STATE_ROOT = values['state-dir'];
const running = [];
let stopping = false;

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping JupyterLab and the local Ocean network…');
  // Last started, first stopped: the lab's kernels may still talk to the chain.
  for (const service of running.reverse()) await service.stop();
  console.log('Stopped.');
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

/** Copies the example notebooks into the workspace without overwriting edits. */
function seedWorkspace() {
  mkdirSync(WORKSPACE, { recursive: true });
  const examples = join(root, 'examples');
  for (const name of readdirSync(examples)) {
    const target = join(WORKSPACE, name);
    if (!existsSync(target))
      cpSync(join(examples, name), target, { recursive: true });
  }
}

function watch(name, service) {
  running.push(service);
  service.exited.then(({ code, signal }) => {
    if (stopping) return;
    console.error(
      `\n${name} stopped unexpectedly (${signal ?? `exit ${code}`}). Its last output:\n` +
        service.log().split('\n').slice(-30).join('\n')
    );
    void stopAll(1);
  });
}

try {
  setup();
  seedWorkspace();

  let settings = {};
  if (!values['no-stack']) {
    console.log(
      'Starting the local Ocean network (chain, contracts, Ocean Node, samples)…'
    );
    const stack = await startStack({
      stateDir: join(STATE_ROOT, '.ocean-stack'),
      fresh: values.fresh,
      nodes: NODES,
      ports: values['free-ports']
        ? { chain: 0, node: 0, faucet: 0, files: 0 }
        : { chain: 8545, node: 8001, faucet: 8002, files: 8003 }
    });
    watch('The local Ocean network', stack);
    const { info } = stack;
    // Whether the last state was reused, and why not when it was not.
    for (const line of stack.log().split('\n'))
      if (/^(reused state|fresh state|state {5})/.test(line))
        console.log(`  ${line}`);
    console.log(`  chain        ${info.rpcUrl} (chainId ${info.chainId})`);
    console.log(`  Ocean Node   ${info.nodeUrl}`);
    // The lab is set to the first node; a second one is for notebooks that try the network.
    for (const [index, node] of info.nodes.entries())
      if (index > 0) console.log(`  Ocean Node ${index + 1} ${node.url}`);
    console.log(`  faucet       ${info.faucetUrl}`);
    console.log(`  addresses    ${info.addressFile}`);
    // One column for the DIDs, however long the longest role ("algorithm").
    const samples = Object.entries(info.samples ?? {}).filter(([, did]) => did);
    const width = Math.max(0, ...samples.map(([role]) => role.length));
    for (const [role, did] of samples)
      console.log(`  sample ${role.padEnd(width)} ${did}`);
    settings = stackSettings(info);
  }

  console.log('Starting JupyterLab…');
  // The browser keeps the wallet per address (origin): a lab that moves to
  // another port looks walletless. So a reusing start keeps the lab's port
  // as the stack keeps the node's, and the panel is told the addresses the
  // lab had before.
  const labState = join(STATE_ROOT, '.lab-state', 'start');
  const origins = readOrigins(labState);
  let port = values['free-ports'] ? undefined : Number(values.port);
  if (values['free-ports'] && origins.last && !values.fresh) {
    if (await portIsFree(origins.last)) port = origins.last;
    else
      console.log(
        `  The lab's earlier port ${origins.last} is taken, so it moves: a wallet made at http://127.0.0.1:${origins.last} stays in that address's browser storage.`
      );
  }
  const earlier = origins.all.filter(
    origin => port === undefined || origin !== `http://127.0.0.1:${port}`
  );
  if (!values['no-stack'] && earlier.length)
    settings['jupyterlab-ocean:wallet'] = { earlierOrigins: earlier };
  const lab = await startLab({
    port,
    rootDir: WORKSPACE,
    stateDir: labState,
    token: randomBytes(24).toString('hex'),
    settings
  });
  writeOrigins(labState, lab.url);
  watch('JupyterLab', lab);
  console.log('');
  console.log(
    `JupyterLab: ${lab.url.replace('/lab?', '/lab/tree/getting-started.ipynb?')}`
  );
  console.log(
    'Open the URL above in a browser. Press Ctrl-C to stop everything.'
  );
} catch (error) {
  console.error(
    `\nnpm start failed: ${error instanceof Error ? error.message : error}`
  );
  await stopAll(1);
}

/** The lab's earlier addresses under `dir`: the last port and every origin (newest first). */
function readOrigins(dir) {
  try {
    const saved = JSON.parse(readFileSync(join(dir, 'origins.json'), 'utf8'));
    const all = Array.isArray(saved.origins)
      ? saved.origins.filter(o => /^http:\/\/127\.0\.0\.1:\d+$/.test(o))
      : [];
    return { last: Number(saved.lastPort) || undefined, all };
  } catch {
    return { last: undefined, all: [] };
  }
}

function writeOrigins(dir, url) {
  const { origin, port } = new URL(url);
  const { all } = readOrigins(dir);
  const origins = [origin, ...all.filter(o => o !== origin)].slice(0, 10);
  writeFileSync(
    join(dir, 'origins.json'),
    JSON.stringify({ lastPort: Number(port), origins }, null, 2) + '\n'
  );
}

/** Whether nothing listens on 127.0.0.1:`port` right now. */
function portIsFree(port) {
  return new Promise(resolvePort => {
    const server = createServer();
    server.once('error', () => resolvePort(false));
    server.listen(port, '127.0.0.1', () =>
      server.close(() => resolvePort(true))
    );
  });
}
