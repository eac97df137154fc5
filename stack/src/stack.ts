/**
 * The whole local Ocean network, in order: chain → contracts → sample files
 * server → Ocean Node (child process) → sample assets (published through the
 * lib and indexed by the node) → faucet → `stack.json`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, rename, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Wallet } from 'ethers';

import { ACCOUNTS } from './accounts.ts';
import { CHAIN_ID, startChain, type RunningChain } from './chain.ts';
import {
  deployContracts,
  DEVELOPMENT_NETWORK,
  localProvider,
  type DevelopmentAddresses
} from './deploy.ts';
import { startFaucet, type Faucet } from './faucet.ts';
import {
  newFileSecret,
  startFileServer,
  type FileServer
} from './file-server.ts';
import { writeSampleFiles } from './sample-data.ts';
import { writeGanFiles } from './gan-sample.ts';
import { publishSamples, type SampleRole } from './samples.ts';
import { publishComputeSamples } from './compute-samples.ts';
import { waitUntilIndexed } from './publish.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '..', '..');
export const NODE_ENTRY = path.join(here, 'node', 'main.ts');
export const DEFAULT_STATE_DIR = path.join(REPO_ROOT, '.ocean-stack');

export const DEFAULT_PORTS = {
  chain: 8545,
  node: 8001,
  faucet: 8002,
  files: 8003
} as const;

export interface StackOptions {
  stateDir?: string;
  /** Port per service; 0 = a free port. */
  ports?: Partial<Record<keyof typeof DEFAULT_PORTS, number>>;
  /** Progress lines (default: console.log). */
  log?: (line: string) => void;
  /** Skip the sample assets (tests of other parts). */
  samples?: boolean;
}

export interface StackInfo {
  rpcUrl: string;
  chainId: typeof CHAIN_ID;
  nodeUrl: string | null;
  faucetUrl: string;
  filesUrl: string;
  addressFile: string;
  stateDir: string;
  /** Sample DIDs by role; null where not published (gan: filled by the GAN feature). */
  samples: Record<SampleRole, string | null>;
  /** Extra facts per sample (datatoken, exchange) for tools and tests. */
  sampleDetails: Record<string, unknown>;
  accounts: {
    deployer: string;
    publisher: string;
    consumer: string;
    consumer2: string;
    provider: string;
  };
  startedAt: string;
  timings: Record<string, number>;
}

export interface RunningStack {
  info: StackInfo;
  stop(): Promise<void>;
}

export class StackError extends Error {
  constructor(
    readonly code: string,
    message: string
  ) {
    super(message);
    this.name = 'StackError';
  }
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function writeJsonAtomically(
  file: string,
  content: unknown
): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(content, null, 2) + '\n');
  await rename(temporary, file);
}

/** Polls the node's root endpoint until it reports our chain. */
async function waitForNode(
  nodeUrl: string,
  child: ChildProcess,
  timeoutMs: number
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new StackError(
        'STACK_NODE_EXITED',
        `The Ocean Node exited during start-up (code ${child.exitCode}); its output is above.`
      );
    }
    try {
      const response = await fetch(nodeUrl + '/');
      if (response.ok) {
        const body = (await response.json()) as { chainIds?: unknown[] };
        if (!body.chainIds || body.chainIds.map(Number).includes(CHAIN_ID))
          return;
      }
    } catch {
      // not listening yet
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  throw new StackError(
    'STACK_NODE_TIMEOUT',
    `The Ocean Node did not answer at ${nodeUrl} within ${timeoutMs / 1000} s.`
  );
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve();
  return new Promise(resolve => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts everything. The chain is in memory, so every start is a fresh
 * network: the state directory's node data is wiped to match (a node index
 * of a chain that no longer exists would serve assets that are not there).
 */
export async function startStack(
  options: StackOptions = {}
): Promise<RunningStack> {
  const log = options.log ?? ((line: string) => console.log(line));
  const stateDir = path.resolve(options.stateDir ?? DEFAULT_STATE_DIR);
  const ports = { ...DEFAULT_PORTS, ...options.ports };
  const timings: Record<string, number> = {};
  const started = performance.now();
  const mark = (name: string, since: number) =>
    (timings[name] = Math.round(performance.now() - since) / 1000);
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse().splice(0)) {
      await stop().catch(error =>
        log(`stop: ${error instanceof Error ? error.message : String(error)}`)
      );
    }
  };

  try {
    const nodeDataDir = path.join(stateDir, 'node');
    const samplesDir = path.join(stateDir, 'samples');
    const addressFile = path.join(stateDir, 'address.json');
    await rm(nodeDataDir, { recursive: true, force: true });
    await rm(path.join(stateDir, 'stack.json'), { force: true });
    await mkdir(nodeDataDir, { recursive: true });

    let since = performance.now();
    const chain: RunningChain = await startChain({ port: ports.chain });
    stops.push(() => chain.stop());
    mark('chain_s', since);
    log(
      `chain     ${chain.rpcUrl} (chainId ${CHAIN_ID}) in ${timings.chain_s} s`
    );

    since = performance.now();
    const content = await deployContracts(chain.rpcUrl, addressFile);
    const addresses = content[DEVELOPMENT_NETWORK] as DevelopmentAddresses;
    mark('deploy_s', since);
    log(
      `contracts deployed in ${timings.deploy_s} s → ${path.relative(process.cwd(), addressFile) || addressFile}`
    );

    since = performance.now();
    const files = await writeSampleFiles(samplesDir);
    const ganFiles = await writeGanFiles(samplesDir);
    const allFiles = [
      files.weather.full,
      files.weather.preview,
      files.flowers.full,
      files.flowers.preview,
      ...files.images.files,
      files.images.preview,
      ...(ganFiles ? [ganFiles.model, ganFiles.preview] : [])
    ];
    const fileServer: FileServer = await startFileServer({
      dir: samplesDir,
      files: allFiles,
      port: ports.files,
      secret: newFileSecret()
    });
    stops.push(() => fileServer.stop());
    log(`files     ${fileServer.url}`);

    const faucet: Faucet = await startFaucet({
      rpcUrl: chain.rpcUrl,
      oceanAddress: addresses.Ocean,
      port: ports.faucet
    });
    stops.push(() => faucet.stop());
    log(`faucet    ${faucet.url}`);

    let nodeUrl: string | null = null;
    const samples: Record<SampleRole, string | null> = {
      csv: null,
      free: null,
      images: null,
      gan: null,
      compute: null,
      algorithm: null
    };
    const sampleDetails: Record<string, unknown> = {};
    if (existsSync(NODE_ENTRY)) {
      since = performance.now();
      const nodePort = ports.node === 0 ? await freePort() : ports.node;
      nodeUrl = `http://127.0.0.1:${nodePort}`;
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          NODE_ENTRY,
          '--port',
          String(nodePort),
          '--rpc',
          chain.rpcUrl,
          '--chain-id',
          String(CHAIN_ID),
          '--address-file',
          addressFile,
          '--data-dir',
          nodeDataDir,
          '--private-key',
          ACCOUNTS.provider.privateKey
        ],
        {
          cwd: REPO_ROOT,
          stdio: ['ignore', 'inherit', 'inherit'],
          env: {
            ...process.env,
            ADDRESS_FILE: addressFile,
            HTTP_API_PORT: String(nodePort),
            RPCS: JSON.stringify({
              [CHAIN_ID]: {
                rpc: chain.rpcUrl,
                chainId: CHAIN_ID,
                network: 'development'
              }
            }),
            PRIVATE_KEY: ACCOUNTS.provider.privateKey,
            // Sample downloads come from our loopback file server.
            OCEAN_NODE_ALLOW_LOOPBACK_FILES: '1'
          }
        }
      );
      stops.push(() => stopChild(child));
      await waitForNode(nodeUrl, child, 30_000);
      mark('node_s', since);
      log(`node      ${nodeUrl} in ${timings.node_s} s`);

      if (options.samples !== false) {
        since = performance.now();
        process.env.ADDRESS_FILE = addressFile;
        const provider = localProvider(chain.rpcUrl);
        stops.push(async () => provider.destroy());
        const published = await publishSamples({
          signer: new Wallet(ACCOUNTS.publisher.privateKey, provider),
          addresses,
          nodeUrl,
          providerAddress: ACCOUNTS.provider.address,
          fileServer,
          files,
          gan: ganFiles
        });
        const computeSamples = await publishComputeSamples({
          signer: new Wallet(ACCOUNTS.publisher.privateKey, provider),
          addresses,
          nodeUrl
        });
        for (const asset of Object.values(computeSamples))
          await waitUntilIndexed(nodeUrl, asset.did);
        for (const [role, asset] of Object.entries({
          ...published,
          ...computeSamples
        })) {
          samples[role as SampleRole] = asset.did;
          sampleDetails[role] = asset;
        }
        mark('samples_s', since);
        log(
          `samples   published and indexed in ${timings.samples_s} s: ${Object.entries(
            published
          )
            .map(([role, asset]) => `${role}=${asset.did.slice(0, 16)}…`)
            .join(' ')}`
        );
      }
    } else {
      log(
        `node      not started: ${path.relative(REPO_ROOT, NODE_ENTRY)} does not exist yet; samples skipped.`
      );
    }

    mark('total_s', started);
    const info: StackInfo = {
      rpcUrl: chain.rpcUrl,
      chainId: CHAIN_ID,
      nodeUrl,
      faucetUrl: faucet.url,
      filesUrl: fileServer.url,
      addressFile,
      stateDir,
      samples,
      sampleDetails,
      accounts: {
        deployer: ACCOUNTS.deployer.address,
        publisher: ACCOUNTS.publisher.address,
        consumer: ACCOUNTS.consumer.address,
        consumer2: ACCOUNTS.consumer2.address,
        provider: ACCOUNTS.provider.address
      },
      startedAt: new Date().toISOString(),
      timings
    };
    const stackFile = path.join(stateDir, 'stack.json');
    await writeJsonAtomically(stackFile, info);
    stops.push(() => rm(stackFile, { force: true }));
    return { info, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Reads `.ocean-stack/stack.json` of a running stack, or null. */
export async function readStackInfo(
  stateDir = DEFAULT_STATE_DIR
): Promise<StackInfo | null> {
  try {
    return JSON.parse(
      await readFile(path.join(stateDir, 'stack.json'), 'utf8')
    ) as StackInfo;
  } catch {
    return null;
  }
}
