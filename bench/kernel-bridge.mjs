// npm run bench:bridge — round trip of eth_blockNumber from a real Python
// kernel through the kernel bridge, against the same kernel calling the
// chain's JSON-RPC directly. Three paths: `provider.request` as a notebook
// gets it (a read goes straight to the chain's URL when the page shares it,
// see protocol.ts DIRECT_READ_METHODS), the stdin path every other request
// takes (stdin → page → wallet → RPC and back; `direct_reads = False`), and,
// for the record, a comm echo over an ipykernel 7 subshell (JupyterLab's
// comms over subshells), the other way to reach the page mid-cell.
// Drives the real frontend in Chromium against a local stack on free ports.
// Prints the medians and their differences with the load averages (the
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
  // Where the time goes: when a bridge prompt (input_request) reaches the
  // page and when its input_reply leaves, read off the kernel websocket's
  // frames, and how long the page's JSON-RPC reads take (over the chain's
  // WebSocket, else fetch).
  // Kernel-side round trip minus the page's share is the transit (kernel →
  // server → websocket → page and back).
  await page.addInitScript(rpcUrl => {
    const timing = { in: [], out: [], rpc: [] };
    window.__bridgeTiming = timing;
    const decoder = new TextDecoder();
    const text = data =>
      typeof data === 'string'
        ? data
        : data instanceof ArrayBuffer || ArrayBuffer.isView(data)
          ? decoder.decode(data)
          : '';
    const Native = window.WebSocket;
    // The bridge reads the chain over a WebSocket on loopback (rpc-reader.ts).
    const chainSocket = rpcUrl.replace(/^http/, 'ws');
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        this.toChain = String(args[0]).startsWith(chainSocket);
        this.sentAt = [];
        // Registered before the lab's own onmessage, so it runs first.
        this.addEventListener('message', event => {
          if (this.toChain) {
            const sent = this.sentAt.shift();
            if (sent !== undefined) {
              timing.rpc.push(performance.now() - sent);
            }
          } else if (text(event.data).includes('"input_request"')) {
            timing.in.push(performance.now());
          }
        });
      }
      send(data) {
        if (this.toChain) {
          this.sentAt.push(performance.now());
        } else if (text(data).includes('"input_reply"')) {
          timing.out.push(performance.now());
        }
        return super.send(data);
      }
    };
    const nativeFetch = window.fetch;
    window.fetch = async (...args) => {
      const url = String(args[0]?.url ?? args[0]);
      const started = performance.now();
      try {
        return await nativeFetch(...args);
      } finally {
        if (url.startsWith(rpcUrl)) {
          timing.rpc.push(performance.now() - started);
        }
      }
    };
  }, stack.info.rpcUrl);
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
  // The subshell echo's page side: JupyterLab opens a subshell per comm
  // target (commsOverSubshells, its default) and sends this comm's messages
  // there, so the kernel's subshell thread reads them while the cell runs.
  await page.evaluate(() => {
    const kernel =
      window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    kernel.registerCommTarget('jupyterlab-ocean-bench-echo', comm => {
      comm.onMsg = msg => void comm.send(msg.content.data);
      void comm.subshellStarted.then(() =>
        comm.send({ subshell: comm.subshellId })
      );
    });
  });
  const ECHO_ROUNDS = Math.min(ROUNDS, 50);
  const code = [
    'import json, statistics, threading, time, urllib.request',
    'from jupyterlab_ocean import provider',
    `RPC = ${JSON.stringify(stack.info.rpcUrl)}`,
    'opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))',
    'def direct():',
    "    body = json.dumps({'jsonrpc': '2.0', 'id': 1, 'method': 'eth_blockNumber', 'params': []}).encode()",
    "    request = urllib.request.Request(RPC, data=body, headers={'Content-Type': 'application/json'})",
    "    return json.loads(opener.open(request).read())['result']",
    // The same request over one kept-alive connection, as a provider
    // library (and the bridge's direct reads) sends it.
    'import http.client, urllib.parse',
    'where = urllib.parse.urlsplit(RPC)',
    'kept = http.client.HTTPConnection(where.hostname, where.port)',
    'def direct_kept():',
    "    body = json.dumps({'jsonrpc': '2.0', 'id': 1, 'method': 'eth_blockNumber', 'params': []}).encode()",
    "    kept.request('POST', where.path or '/', body, {'Content-Type': 'application/json'})",
    "    return json.loads(kept.getresponse().read())['result']",
    'def timed(rounds, *calls):',
    '    times = [[] for _ in calls]',
    '    for _ in range(rounds):',
    '        for call, spent in zip(calls, times):',
    '            t = time.perf_counter()',
    '            call()',
    '            spent.append((time.perf_counter() - t) * 1000)',
    '    return [statistics.median(spent) for spent in times]',
    "read = lambda: provider.request('eth_blockNumber')",
    'timed(10, read, direct, direct_kept)',
    `bridge, plain, plain_kept = timed(${ROUNDS}, read, direct, direct_kept)`,
    "shared = bool((provider.state or {}).get('rpcUrl'))",
    'provider.direct_reads = False',
    'timed(10, read)',
    `stdin, = timed(${ROUNDS}, read)`,
    'provider.direct_reads = True',
    // ipykernel 7.4 sends a comm's replies to the subshell its last message
    // came from (the main shell here, busy with this cell); the echo asks
    // for the subshell the page chose.
    'from comm import create_comm',
    'answered = threading.Event()',
    'echo = create_comm(target_name="jupyterlab-ocean-bench-echo", data={})',
    'echo._reply_subshell_for = lambda data, default: default',
    'echo.on_msg(lambda msg: answered.set())',
    'subshell = answered.wait(20)',
    'def ping():',
    "    answered.clear(); echo.send({'ping': 1})",
    '    if not answered.wait(10): raise TimeoutError("no echo from the page")',
    `comm_ms, = timed(${ECHO_ROUNDS}, ping) if subshell else [None]`,
    "print('BENCH', json.dumps({'bridge_ms': bridge, 'direct_ms': plain, 'direct_kept_alive_ms': plain_kept, 'stdin_ms': stdin, 'shared': shared, 'subshell_echo_ms': comm_ms}))"
  ].join('\n');
  const cell = page
    .locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell')
    .first();
  await cell.locator('.cm-content').click();
  await page.keyboard.insertText(code);
  await page.keyboard.press('ControlOrMeta+Enter');
  const output = cell.locator('.jp-Cell-outputArea');
  await output
    .getByText('BENCH')
    .waitFor({ timeout: 300_000 })
    .catch(async error => {
      throw new Error(
        `No BENCH line; the cell shows:\n${await output.innerText()}\n${error}`
      );
    });
  const text = await output.innerText();
  const {
    bridge_ms,
    direct_ms,
    direct_kept_alive_ms,
    stdin_ms,
    shared,
    subshell_echo_ms
  } = JSON.parse(/BENCH (\{.*\})/.exec(text)[1]);
  const round = value => Math.round(value * 100) / 100;
  const timing = await page.evaluate(() => window.__bridgeTiming);
  const median = values => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN;
  };
  // The last ROUNDS prompts are the stdin path's timed ones (before them:
  // the client's install and the warm-up).
  const pairs = Math.min(timing.in.length, timing.out.length);
  const inPage = [];
  for (let i = Math.max(0, pairs - ROUNDS); i < pairs; i++) {
    inPage.push(timing.out[i] - timing.in[i]);
  }
  const pageMs = median(inPage);
  const rpcMs = median(timing.rpc.slice(-ROUNDS));
  const breakdown = {
    transit_ms: round(stdin_ms - pageMs),
    page_ms: round(pageMs),
    page_rpc_ms: round(rpcMs),
    page_own_ms: round(pageMs - rpcMs),
    prompts: timing.in.length,
    replies: timing.out.length
  };
  const result = {
    bridge_ms: round(bridge_ms),
    direct_ms: round(direct_ms),
    overhead_ms: round(bridge_ms - direct_ms),
    direct_kept_alive_ms: round(direct_kept_alive_ms),
    overhead_kept_alive_ms: round(bridge_ms - direct_kept_alive_ms),
    direct_reads_shared: shared,
    stdin_ms: round(stdin_ms),
    stdin_overhead_ms: round(stdin_ms - direct_ms),
    subshell_echo_ms:
      subshell_echo_ms === null ? null : round(subshell_echo_ms),
    breakdown,
    load_start: loadAtStart.map(round),
    load_end: loadavg().map(round)
  };
  console.log(
    `eth_blockNumber from a Python kernel, median of ${ROUNDS} rounds:`
  );
  console.log(
    `  through the bridge: ${result.bridge_ms} ms (${shared ? 'read straight from the shared RPC URL' : 'the page did not share its RPC URL: stdin'})`
  );
  console.log(`  direct JSON-RPC:    ${result.direct_ms} ms`);
  console.log(`  bridge overhead:    ${result.overhead_ms} ms`);
  console.log(
    `  direct JSON-RPC on one kept-alive connection: ${result.direct_kept_alive_ms} ms (the bridge ${result.overhead_kept_alive_ms} ms over it)`
  );
  console.log(
    `  the stdin path (direct_reads off, as every signing request): ${result.stdin_ms} ms, ${result.stdin_overhead_ms} ms over direct`
  );
  console.log(
    `  where the stdin path's time goes (medians): kernel ⇄ server ⇄ page transit ${breakdown.transit_ms} ms; in the page ${breakdown.page_ms} ms, of which the chain's JSON-RPC answer ${breakdown.page_rpc_ms} ms and the bridge and wallet ${breakdown.page_own_ms} ms (${breakdown.prompts} prompts, ${breakdown.replies} replies seen)`
  );
  console.log(
    `  a comm echo over an ipykernel subshell, median of ${ECHO_ROUNDS}: ${result.subshell_echo_ms ?? 'no subshell'} ms`
  );
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
