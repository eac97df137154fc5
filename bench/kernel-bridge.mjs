// npm run bench:bridge — round trip of eth_blockNumber from a real Python
// kernel through the kernel bridge (stdin → browser → wallet → RPC and
// back), against the same kernel calling the chain's JSON-RPC directly.
// Drives the real frontend in Chromium against a local stack on free ports.
// Prints both medians and their difference with the load averages (the
// machine may be shared); the last line is JSON.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { chromium } from '@playwright/test';
import {
  CHROMIUM_LAUNCH,
  startLab,
  startStack,
  stackSettings
} from '../scripts/lib/services.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const loadAtStart = loadavg();
const base = mkdtempSync(join(tmpdir(), 'jlo-bench-bridge-'));
const stack = await startStack({ stateDir: join(base, 'stack') });
// Whatever fails, nothing started here is left running.
let lab;
let browser;
try {
  lab = await startLab({
    exposeApp: true,
    rootDir: join(base, 'work'),
    stateDir: join(base, 'state'),
    token: randomBytes(16).toString('hex'),
    settings: stackSettings(stack.info)
  });
  browser = await chromium.launch({
    ...CHROMIUM_LAUNCH,
    args: [...CHROMIUM_LAUNCH.args]
  });
  const page = await browser.newPage();
  await page.goto(lab.url);
  await page.waitForFunction(
    () => window.jupyterapp?.started !== undefined,
    undefined,
    {
      timeout: 60_000
    }
  );
  await page.evaluate(async () => {
    await window.jupyterapp.started;
    await window.jupyterapp.restored;
    void window.jupyterapp.commands.execute('launcher:create');
  });
  await page
    .locator(
      '.jp-LauncherCard[data-category="Notebook"][title="Python 3 (ipykernel)"]'
    )
    .last()
    .click();
  await page.waitForFunction(
    () => {
      const kernel =
        window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel;
      return (
        kernel?.connectionStatus === 'connected' && kernel?.status === 'idle'
      );
    },
    undefined,
    { timeout: 60_000 }
  );
  const code = [
    'import json, statistics, time, urllib.request',
    'from jupyterlab_ocean import provider',
    `RPC = ${JSON.stringify(stack.info.rpcUrl)}`,
    'opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))',
    'def direct():',
    "    body = json.dumps({'jsonrpc': '2.0', 'id': 1, 'method': 'eth_blockNumber', 'params': []}).encode()",
    "    request = urllib.request.Request(RPC, data=body, headers={'Content-Type': 'application/json'})",
    "    return json.loads(opener.open(request).read())['result']",
    'for _ in range(10):',
    "    provider.request('eth_blockNumber'); direct()",
    'bridge, plain = [], []',
    `for _ in range(${ROUNDS}):`,
    '    t = time.perf_counter()',
    "    provider.request('eth_blockNumber')",
    '    bridge.append((time.perf_counter() - t) * 1000)',
    '    t = time.perf_counter()',
    '    direct()',
    '    plain.append((time.perf_counter() - t) * 1000)',
    "print('BENCH', json.dumps({'bridge_ms': statistics.median(bridge), 'direct_ms': statistics.median(plain)}))"
  ].join('\n');
  const cell = page
    .locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell')
    .first();
  await cell.locator('.cm-content').click();
  await page.keyboard.insertText(code);
  await page.keyboard.press('ControlOrMeta+Enter');
  const output = cell.locator('.jp-Cell-outputArea');
  await output.getByText('BENCH').waitFor({ timeout: 300_000 });
  const text = await output.innerText();
  const { bridge_ms, direct_ms } = JSON.parse(/BENCH (\{.*\})/.exec(text)[1]);
  const round = value => Math.round(value * 100) / 100;
  const result = {
    bridge_ms: round(bridge_ms),
    direct_ms: round(direct_ms),
    overhead_ms: round(bridge_ms - direct_ms),
    load_start: loadAtStart.map(round),
    load_end: loadavg().map(round)
  };
  console.log(
    `eth_blockNumber from a Python kernel, median of ${ROUNDS} rounds:`
  );
  console.log(`  through the bridge: ${result.bridge_ms} ms`);
  console.log(`  direct JSON-RPC:    ${result.direct_ms} ms`);
  console.log(`  bridge overhead:    ${result.overhead_ms} ms`);
  console.log(
    `  load average (1/5/15 min): ${result.load_start.join(' ')} at start, ${result.load_end.join(' ')} at end`
  );
  console.log(JSON.stringify(result));
} finally {
  await browser?.close();
  await lab?.stop();
  await stack.stop();
  rmSync(base, { recursive: true, force: true });
}
