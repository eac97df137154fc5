/**
 * Playwright fixtures: a real lab host (and, when a test asks for it, a real
 * local Ocean stack) started once per worker on free loopback ports, with
 * fresh folders, and stopped afterwards.
 *
 *   import { test, expect } from './fixtures';
 *   test('…', async ({ page, lab }) => { await openLab(page, lab); … });
 *   test('…', async ({ page, oceanLab, stack }) => { … });  // lab wired to a stack
 *   test('…', async ({ page, twoNetworkLab }) => { … });   // and a second network
 */
import { test as base, expect, type ConsoleMessage } from '@playwright/test';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
// The same code `npm start` uses, so tests start things exactly as users do.
import {
  startLab,
  startStack,
  stackSettings
} from '../scripts/lib/services.mjs';

export { expect };

export interface ILab {
  /** The lab URL with its token. */
  url: string;
  /** http://127.0.0.1:PORT/ */
  baseUrl: string;
  token: string;
  /** The folder the file browser and kernels start in. */
  rootDir: string;
  stateDir: string;
  log(): string;
}

export interface IStackInfo {
  rpcUrl: string;
  chainId: number;
  nodeUrl: string;
  faucetUrl: string;
  filesUrl: string;
  addressFile: string;
  stateDir: string;
  samples: Record<string, string | null>;
  sampleDetails: Record<string, unknown>;
  accounts: Record<string, string>;
}

type WorkerFixtures = {
  /** A lab host with the extension, not wired to any stack. */
  lab: ILab;
  /** A local Ocean stack on free ports. */
  stack: IStackInfo;
  /** A lab host whose `local` network is `stack`. */
  oceanLab: ILab;
  /**
   * A lab host with two networks and no presets: `local` (`stack`) and
   * SECOND_NETWORK, where nothing answers, so switching has somewhere to go.
   */
  twoNetworkLab: ILab;
};

type TestFixtures = {
  /** Runs before each test: shared labs look new (see resetForNextTest). */
  testIsolation: void;
  /** Browser console errors seen during the test (filled automatically). */
  consoleErrors: string[];
};

/** A second network on loopback (nothing listens there), to switch to. */
export const SECOND_NETWORK = {
  key: 'second',
  name: 'Second test network',
  chainId: 31337,
  rpcUrl: 'http://127.0.0.1:9/',
  nodeUrl: 'http://127.0.0.1:9/',
  nativeSymbol: 'ETH'
};

/** Labs this worker has started, so each test can begin with a clean one. */
const workerLabs = new Set<ILab>();
let testsSoFar = 0;

/**
 * Makes a lab that earlier tests used look new: their kernels are shut down,
 * their untitled files are moved into a hidden folder, the saved layout is
 * dropped, and the network the lab started with is active again. Worker
 * fixtures are shared by every test a worker runs, also across spec files
 * (Playwright keeps a worker for the next file when it asks for the same
 * fixtures), and a test counts on a lab as it would find it alone:
 * JupyterLab's naming (`Untitled.ipynb` for the first notebook), no
 * notebooks reopened from before, the network it was started on (a network
 * chosen in the panel is a user setting the lab keeps: a spec that left
 * `second` active made the next spec wait for a faucet button that network
 * does not have). Chain and node state are kept (serial specs build on
 * them).
 */
async function resetForNextTest(lab: ILab, archive: string): Promise<void> {
  const headers = { Authorization: `token ${lab.token}` };
  await restoreActiveNetwork(lab, headers);
  const sessions = (await (
    await fetch(`${lab.baseUrl}api/sessions`, { headers })
  ).json()) as { id: string }[];
  for (const session of sessions)
    await fetch(`${lab.baseUrl}api/sessions/${session.id}`, {
      method: 'DELETE',
      headers
    });
  const target = join(lab.rootDir, '.earlier-tests', archive);
  for (const name of readdirSync(lab.rootDir)) {
    if (!name.startsWith('Untitled')) continue;
    mkdirSync(target, { recursive: true });
    renameSync(join(lab.rootDir, name), join(target, name));
  }
  const workspaces = join(lab.stateDir, 'workspaces');
  if (existsSync(workspaces))
    for (const name of readdirSync(workspaces))
      rmSync(join(workspaces, name), { force: true });
}

/**
 * Drops `activeNetwork` from the lab's user settings, so the network the lab
 * was started with (its settings overrides) is active again; the other user
 * settings stay.
 */
async function restoreActiveNetwork(
  lab: ILab,
  headers: Record<string, string>
): Promise<void> {
  const url = `${lab.baseUrl}lab/api/settings/jupyterlab-ocean:networks`;
  const response = await fetch(url, { headers });
  if (response.status === 404) {
    return; // A lab without the extension's settings: nothing to restore.
  }
  if (!response.ok) {
    throw new Error(`GET ${url}: ${response.status}`);
  }
  const { settings } = (await response.json()) as {
    settings: Record<string, unknown>;
  };
  if (!('activeNetwork' in settings)) {
    return;
  }
  const rest = { ...settings };
  delete rest.activeNetwork;
  const saved = await fetch(url, {
    method: 'PUT',
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: JSON.stringify({ raw: JSON.stringify(rest, null, 2) })
  });
  if (!saved.ok) {
    throw new Error(`PUT ${url}: ${saved.status} ${await saved.text()}`);
  }
}

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `jlo-${prefix}-`));
}

async function labFixture(
  settings: Record<string, unknown>,
  use: (lab: ILab) => Promise<void>
): Promise<void> {
  const base = tempDir('lab');
  const lab = await startLab({
    exposeApp: true,
    rootDir: join(base, 'work'),
    stateDir: join(base, 'state'),
    token: randomBytes(16).toString('hex'),
    settings
  });
  workerLabs.add(lab);
  try {
    await use(lab);
  } finally {
    workerLabs.delete(lab);
    await lab.stop();
    if (!process.env.KEEP_TEST_DIRS)
      rmSync(base, { recursive: true, force: true });
  }
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  lab: [
    async ({}, use) => {
      await labFixture({}, use);
    },
    { scope: 'worker', timeout: 120_000 }
  ],
  stack: [
    async ({}, use) => {
      const stateDir = tempDir('stack');
      const stack = await startStack({ stateDir });
      try {
        await use(stack.info as IStackInfo);
      } finally {
        await stack.stop();
        rmSync(stateDir, { recursive: true, force: true });
      }
    },
    { scope: 'worker', timeout: 240_000 }
  ],
  oceanLab: [
    async ({ stack }, use) => {
      await labFixture(stackSettings(stack), use);
    },
    { scope: 'worker', timeout: 120_000 }
  ],
  twoNetworkLab: [
    async ({ stack }, use) => {
      const settings = stackSettings(stack) as Record<string, any>;
      const networks = settings['jupyterlab-ocean:networks'];
      networks.presets = false;
      networks.networks.push(SECOND_NETWORK);
      await labFixture(settings, use);
    },
    { scope: 'worker', timeout: 120_000 }
  ],
  testIsolation: [
    async ({}, use) => {
      testsSoFar += 1;
      for (const lab of workerLabs)
        await resetForNextTest(lab, `before-test-${testsSoFar}`);
      await use();
    },
    { auto: true }
  ],
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('console', (message: ConsoleMessage) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', error => errors.push(String(error)));
      await use(errors);
    },
    { auto: true }
  ]
});
