// npm run bench:startup — what the extension costs a JupyterLab start.
//
// Two labs from the project venv (pip's JupyterLab): one with the extension
// as set-up installs it, one where it is not installed at all
// (startLab's omitExtensions). Each cold load is a fresh browser context
// (empty cache and storage) in Debian's Chromium; the runs alternate
// between the labs so a busy machine weighs on both alike. Per load:
//   ready   navigation start → app.restored resolved and the file browser's
//           first item painted (the frame after both are true)
//   bytes   every response until ready + SETTLE_MS (raw bodies, and gzip -6
//           of each body, what a compressing server would send), split into
//           the extension's static files and the rest
//   heap    JSHeapUsedSize after a forced garbage collection at that point
//   cpu     the page's main thread CPU time from its start to ready
//           (Chromium's ThreadTime): what the start cost in work, less
//           swayed by a busy machine than the wall-clock ready time
// Prints the medians with their ratios and the load averages; the last
// line is JSON. The machine may be shared, so each figure that decides a
// goal comes with its spread: the interquartile range of each side, and
// the median of the paired differences (with − without, the two loads of
// one round, back to back), which a slow minute moves less than it moves
// either median.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { CHROMIUM_LAUNCH, startLab } from '../scripts/lib/services.mjs';

// 15 rounds: a quartile is then four loads, and the run stays within
// about four minutes on a busy two-core machine.
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
// Requests a load makes after it is ready still belong to the start
// (settings, kernel specs, a lazy chunk started too eagerly).
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 1500);
const EXTENSION = 'jupyterlab-ocean';
const EXTENSION_PATH = `/lab/extensions/${EXTENSION}/`;

const loadAtStart = loadavg();
const base = mkdtempSync(join(tmpdir(), 'jlo-bench-startup-'));

/** Runs in the page before any of its scripts. */
function readyProbe() {
  window.__benchReady = new Promise(resolve => {
    let restored = false;
    let hooked = false;
    const tick = () => {
      const app = window.jupyterapp;
      if (!hooked && app?.restored) {
        hooked = true;
        void app.restored.then(() => {
          restored = true;
        });
      }
      if (restored && document.querySelector('.jp-DirListing-item')) {
        resolve(performance.now());
        return;
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

async function coldLoad(browser, lab) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const bodies = [];
  page.on('response', response => {
    bodies.push(
      response
        .body()
        .then(body => ({ url: response.url(), body }))
        .catch(() => null)
    );
  });
  const cdp = await context.newCDPSession(page);
  // Thread ticks: ThreadTime is then the main thread's CPU time.
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  await page.addInitScript(readyProbe);
  await page.goto(lab.url, { waitUntil: 'commit' });
  const readyMs = await page.evaluate(() => window.__benchReady, undefined);
  const metric = (metrics, name) =>
    metrics.find(m => m.name === name)?.value ?? 0;
  const atReady = (await cdp.send('Performance.getMetrics')).metrics;
  const cpuMs = metric(atReady, 'ThreadTime') * 1000;
  await page.waitForTimeout(SETTLE_MS);
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = metric(
    (await cdp.send('Performance.getMetrics')).metrics,
    'JSHeapUsedSize'
  );
  const bytes = {
    extension: { raw: 0, gzip: 0, files: 0 },
    rest: { raw: 0, gzip: 0, files: 0 }
  };
  const extensionFiles = [];
  for (const entry of await Promise.all(bodies)) {
    if (!entry) continue;
    const path = new URL(entry.url).pathname;
    const mine = path.startsWith(EXTENSION_PATH);
    const side = mine ? bytes.extension : bytes.rest;
    const gzip = gzipSync(entry.body, { level: 6 }).length;
    side.raw += entry.body.length;
    side.gzip += gzip;
    side.files += 1;
    if (mine) {
      extensionFiles.push({
        file: path.slice(EXTENSION_PATH.length),
        raw: entry.body.length,
        gzip
      });
    }
  }
  await context.close();
  return { readyMs, cpuMs, heap, bytes, extensionFiles };
}

/** The p-quantile, interpolated between the two nearest values. */
const quantile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * p;
  const below = Math.floor(at);
  const above = Math.ceil(at);
  return sorted[below] + (sorted[above] - sorted[below]) * (at - below);
};
const median = values => quantile(values, 0.5);
const iqr = values => quantile(values, 0.75) - quantile(values, 0.25);
const kib = n => (n / 1024).toFixed(1);

let browser;
const labs = [];
try {
  const token = randomBytes(16).toString('hex');
  const start = (name, options) => {
    const rootDir = join(base, name, 'work');
    const lab = startLab({
      exposeApp: true,
      rootDir,
      stateDir: join(base, name, 'state'),
      token,
      ...options
    });
    return lab.then(started => {
      // The file browser needs an item to paint.
      writeFileSync(join(rootDir, 'readme.txt'), 'bench\n');
      labs.push(started);
      return started;
    });
  };
  const [withLab, withoutLab] = await Promise.all([
    start('with', {}),
    start('without', { omitExtensions: [EXTENSION] })
  ]);
  browser = await chromium.launch({
    ...CHROMIUM_LAUNCH,
    args: [...CHROMIUM_LAUNCH.args]
  });
  // One load each first: the server compiles templates and reads
  // extension metadata once; that is not the browser's start.
  await coldLoad(browser, withLab);
  await coldLoad(browser, withoutLab);
  const runs = { with: [], without: [] };
  for (let i = 0; i < RUNS; i++) {
    // Which lab goes first swaps each round: a load right after another
    // one (or after a pause) is not quite the same start.
    if (i % 2 === 0) {
      runs.with.push(await coldLoad(browser, withLab));
      runs.without.push(await coldLoad(browser, withoutLab));
    } else {
      runs.without.push(await coldLoad(browser, withoutLab));
      runs.with.push(await coldLoad(browser, withLab));
    }
  }
  if (runs.without.some(run => run.bytes.extension.files > 0)) {
    throw new Error(
      'The lab without the extension fetched its files: omitExtensions did not take.'
    );
  }
  const summary = side => ({
    readyMs: median(side.map(r => r.readyMs)),
    readyIqrMs: iqr(side.map(r => r.readyMs)),
    cpuMs: median(side.map(r => r.cpuMs)),
    cpuIqrMs: iqr(side.map(r => r.cpuMs)),
    heapMiB: median(side.map(r => r.heap)) / 2 ** 20,
    rawKiB:
      median(side.map(r => r.bytes.extension.raw + r.bytes.rest.raw)) / 1024,
    gzipKiB:
      median(side.map(r => r.bytes.extension.gzip + r.bytes.rest.gzip)) / 1024,
    extensionRawKiB: median(side.map(r => r.bytes.extension.raw)) / 1024,
    extensionGzipKiB: median(side.map(r => r.bytes.extension.gzip)) / 1024,
    extensionFiles: median(side.map(r => r.bytes.extension.files))
  });
  const w = summary(runs.with);
  const wo = summary(runs.without);
  // Round i's two loads ran back to back: their difference is the
  // extension's cost under (nearly) the same load.
  const paired = key => runs.with.map((r, i) => r[key] - runs.without[i][key]);
  const readyDiffs = paired('readyMs');
  const cpuDiffs = paired('cpuMs');
  const diff = {
    readyMs: median(readyDiffs),
    readyIqrMs: iqr(readyDiffs),
    cpuMs: median(cpuDiffs),
    cpuIqrMs: iqr(cpuDiffs)
  };
  const ratio = (a, b) => (b > 0 ? a / b : NaN);
  const loadAtEnd = loadavg();
  const row = (label, a, b, unit, digits = 1) =>
    console.log(
      `${label.padEnd(26)} ${a.toFixed(digits).padStart(9)} ${b
        .toFixed(digits)
        .padStart(9)} ${unit.padEnd(4)} ×${ratio(a, b).toFixed(3)}`
    );
  console.log(
    `bench:startup: ${RUNS} cold loads each, medians (load average at start ${loadAtStart
      .map(l => l.toFixed(2))
      .join(' ')}, at end ${loadAtEnd.map(l => l.toFixed(2)).join(' ')})`
  );
  console.log(
    `${''.padEnd(26)} ${'with'.padStart(9)} ${'without'.padStart(9)}`
  );
  row('ready (restored + paint)', w.readyMs, wo.readyMs, 'ms', 0);
  const spread = (label, a, b) =>
    console.log(
      `${label.padEnd(26)} ${a.toFixed(0).padStart(9)} ${b
        .toFixed(0)
        .padStart(9)} ms`
    );
  spread('  its IQR', w.readyIqrMs, wo.readyIqrMs);
  row('main-thread CPU to ready', w.cpuMs, wo.cpuMs, 'ms', 0);
  spread('  its IQR', w.cpuIqrMs, wo.cpuIqrMs);
  row('bytes fetched, raw', w.rawKiB, wo.rawKiB, 'KiB');
  row('bytes fetched, gzip', w.gzipKiB, wo.gzipKiB, 'KiB');
  row('JS heap after load', w.heapMiB, wo.heapMiB, 'MiB');
  console.log(
    `paired (with − without, same round): ready ${diff.readyMs.toFixed(
      0
    )} ms median (IQR ${diff.readyIqrMs.toFixed(0)} ms, ${
      readyDiffs.filter(d => d > 0).length
    } of ${RUNS} rounds slower with it); CPU ${diff.cpuMs.toFixed(
      0
    )} ms median (IQR ${diff.cpuIqrMs.toFixed(0)} ms)`
  );
  console.log(
    `the extension's own files at start-up: ${w.extensionFiles}, ${kib(
      w.extensionRawKiB * 1024
    )} KiB raw, ${kib(w.extensionGzipKiB * 1024)} KiB gzip`
  );
  // The files of the median load by size, to see what is eager.
  const example = [...runs.with].sort(
    (a, b) => a.bytes.extension.gzip - b.bytes.extension.gzip
  )[Math.floor(runs.with.length / 2)];
  for (const file of example.extensionFiles.sort((a, b) => b.gzip - a.gzip)) {
    console.log(
      `  ${file.file.padEnd(46)} ${kib(file.raw).padStart(8)} KiB ${kib(
        file.gzip
      ).padStart(7)} KiB gzip`
    );
  }
  console.log(
    JSON.stringify({
      ready_ms_with: Math.round(w.readyMs),
      ready_ms_without: Math.round(wo.readyMs),
      ratio: Number(ratio(w.readyMs, wo.readyMs).toFixed(3)),
      eager_gzip_kb: Number(((w.extensionGzipKiB * 1024) / 1000).toFixed(1)),
      eager_raw_kb: Number(((w.extensionRawKiB * 1024) / 1000).toFixed(1)),
      eager_files: w.extensionFiles,
      gzip_kb_with: Number(((w.gzipKiB * 1024) / 1000).toFixed(1)),
      gzip_kb_without: Number(((wo.gzipKiB * 1024) / 1000).toFixed(1)),
      heap_mib_with: Number(w.heapMiB.toFixed(1)),
      heap_mib_without: Number(wo.heapMiB.toFixed(1)),
      runs: RUNS,
      ready_iqr_ms_with: Math.round(w.readyIqrMs),
      ready_iqr_ms_without: Math.round(wo.readyIqrMs),
      ready_diff_ms_median: Math.round(diff.readyMs),
      ready_diff_ms_iqr: Math.round(diff.readyIqrMs),
      ratio_paired: Number((1 + diff.readyMs / wo.readyMs).toFixed(3)),
      cpu_ms_with: Math.round(w.cpuMs),
      cpu_ms_without: Math.round(wo.cpuMs),
      cpu_diff_ms_median: Math.round(diff.cpuMs),
      cpu_diff_ms_iqr: Math.round(diff.cpuIqrMs),
      loadavg_start: loadAtStart.map(l => Number(l.toFixed(2))),
      loadavg_end: loadAtEnd.map(l => Number(l.toFixed(2)))
    })
  );
} finally {
  await browser?.close().catch(() => undefined);
  await Promise.all(labs.map(lab => lab.stop()));
  rmSync(base, { recursive: true, force: true });
}
