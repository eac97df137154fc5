/**
 * `npm run bench:preview`: how long the asset card takes to preview a 5 MB
 * and a 500 MB CSV, through the real UI (JupyterLab in Chromium, the wallet,
 * the local Ocean stack, HTTP Range through the Ocean Node).
 *
 * Both files are published as free assets; access is taken once through the
 * wallet's dialogs; then the card's "Refresh preview" button is clicked
 * several times per asset and the time until the new table is rendered is
 * measured in the page. Prints the medians, their ratio, and as the last
 * line {"small_ms", "large_ms", "ratio", "load_start", "load_end"} (the load
 * averages: the machine may be shared). Timings only: nothing is judged.
 */
import { once } from 'node:events';
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs';
import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import { Wallet } from 'ethers';
import {
  CHROMIUM_LAUNCH,
  startLab,
  startStack,
  stackSettings
} from '../scripts/lib/services.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const SIZES = { small: 5 * 1000 * 1000, large: 500 * 1000 * 1000 };
const PASSWORD = 'bench-preview-wallet';

/** Writes `bytes` of plausible CSV (an id, a timestamp, numbers, a label). */
async function writeCsv(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  const header = 'id,timestamp,sensor,temperature_c,humidity_pct,ok\n';
  out.write(header);
  let written = header.length;
  let id = 0;
  const start = Date.UTC(2025, 0, 1) / 1000;
  while (written < bytes) {
    const lines: string[] = [];
    let block = 0;
    while (block < 1 << 20 && written + block < bytes) {
      const line = `${id},${new Date((start + id * 60) * 1000).toISOString()},S-${id % 17},${(15 + Math.sin(id / 500) * 10).toFixed(2)},${40 + (id % 50)},${id % 7 !== 0}\n`;
      lines.push(line);
      block += line.length;
      id++;
    }
    const chunk = lines.join('');
    written += chunk.length;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** A static file server on loopback that honours one-range requests. */
async function serveFiles(dir: string) {
  const server = createServer((request, response) => {
    const name = decodeURIComponent(
      new URL(request.url ?? '/', 'http://x').pathname.slice(1)
    );
    if (!/^[a-z0-9.-]+$/.test(name)) {
      response.writeHead(404).end();
      return;
    }
    const path = join(dir, name);
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      response.writeHead(404).end();
      return;
    }
    const match = /^bytes=(\d+)-(\d*)$/.exec(
      String(request.headers.range ?? '')
    );
    const headers: Record<string, string | number> = {
      'Content-Type': 'text/csv',
      'Accept-Ranges': 'bytes'
    };
    if (match) {
      const startByte = Number(match[1]);
      const endByte = Math.min(
        match[2] ? Number(match[2]) : size - 1,
        size - 1
      );
      if (startByte >= size) {
        response.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
        return;
      }
      response.writeHead(206, {
        ...headers,
        'Content-Length': endByte - startByte + 1,
        'Content-Range': `bytes ${startByte}-${endByte}/${size}`
      });
      if (request.method === 'HEAD') return void response.end();
      createReadStream(path, { start: startByte, end: endByte }).pipe(response);
      return;
    }
    response.writeHead(200, { ...headers, 'Content-Length': size });
    if (request.method === 'HEAD') return void response.end();
    createReadStream(path).pipe(response);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

async function confirmUntil(
  page: Page,
  done: () => Promise<boolean>
): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (!(await done())) {
    if (Date.now() > deadline)
      throw new Error('BENCH_TIMEOUT: access was not granted in 3 minutes.');
    const confirm = page.locator(
      '.jp-OceanConfirmationDialog button.jp-OceanConfirmation-confirm'
    );
    if (await confirm.isVisible()) await confirm.click().catch(() => undefined);
    else await page.waitForTimeout(200);
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const loadAtStart = loadavg();
const work = mkdtempSync(join(tmpdir(), 'jlo-bench-preview-'));
const stops: (() => Promise<unknown> | unknown)[] = [];
try {
  console.log('Writing the 5 MB and 500 MB CSV files…');
  const small = join(work, 'files', 'small.csv');
  const large = join(work, 'files', 'large.csv');
  execFileSync('mkdir', ['-p', join(work, 'files')]);
  await writeCsv(small, SIZES.small);
  await writeCsv(large, SIZES.large);
  const files = await serveFiles(join(work, 'files'));
  stops.push(files.close);

  console.log('Starting the local Ocean stack and the lab…');
  // The node fetches only public file URLs and the stack's own file server; this one is named.
  process.env.OCEAN_STACK_ALLOWED_FILE_ORIGINS = files.url;
  const stack = await startStack({ stateDir: join(work, 'stack') });
  stops.push(() => stack.stop());
  const specs = ['small', 'large'].map(which => ({
    name: `Bench ${which} CSV`,
    description: `A ${which} synthetic CSV for the preview benchmark.`,
    tags: ['bench'],
    pricing: { type: 'free' },
    files: [{ url: `${files.url}/${which}.csv` }],
    contentType: 'text/csv'
  }));
  writeFileSync(join(work, 'specs.json'), JSON.stringify(specs));
  const published = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'bench', 'preview-publish.mts'),
      join(work, 'stack', 'stack.json'),
      join(work, 'specs.json')
    ],
    { cwd: ROOT, encoding: 'utf8' }
  );
  const [smallDid, largeDid] = JSON.parse(published.trim().split('\n').pop()!)
    .dids as string[];
  const lab = await startLab({
    // The bench drives the app (commands, restored) as the UI tests do.
    exposeApp: true,
    rootDir: join(work, 'lab', 'root'),
    stateDir: join(work, 'lab', 'state'),
    token: randomBytes(16).toString('hex'),
    settings: stackSettings(stack.info)
  });
  stops.push(() => lab.stop());

  const browser = await chromium.launch({
    ...CHROMIUM_LAUNCH,
    args: [...CHROMIUM_LAUNCH.args]
  });
  stops.push(() => browser.close());
  const page = await browser.newPage({
    viewport: { width: 1400, height: 900 }
  });
  await page.goto(lab.url);
  await page.waitForFunction(
    () => (window as any).jupyterapp?.started !== undefined,
    undefined,
    { timeout: 90_000 }
  );
  await page.evaluate(async () => {
    const app = (window as any).jupyterapp;
    await app.started;
    await app.restored;
  });

  // The wallet: a fresh key imported through the panel, funded by the faucet.
  const key = Wallet.createRandom();
  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('ocean:open-panel')
  );
  const view = page.locator('#jupyterlab-ocean-panel ocean-wallet-view');
  await view.locator('button[data-action="import"]').click();
  await view
    .locator('form.import select[name="kind"]')
    .selectOption('privateKey');
  await view
    .locator(
      'form.import textarea[name="secret"], form.import input[name="secret"]'
    )
    .fill(key.privateKey);
  await view.locator('form.import input[name="password"]').fill(PASSWORD);
  const repeat = view.locator('form.import input[name="repeat"]');
  if (await repeat.count()) await repeat.fill(PASSWORD);
  await view.locator('form.import button[type="submit"]').click();
  await view
    .locator('.address')
    .filter({ hasText: key.address })
    .waitFor({ timeout: 60_000 });
  await view.locator('button[data-action="faucet"]').click();
  await view
    .locator('.notice')
    .filter({ hasText: 'The faucet sent' })
    .waitFor({ timeout: 60_000 });

  // Each asset's card, in the Discover tab (the same card as in notebooks).
  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('ocean:discover')
  );
  const list = page.locator('#jupyterlab-ocean-discover ocean-discover-list');
  const card = page.locator('#jupyterlab-ocean-discover ocean-asset-card');
  const results: Record<
    string,
    { ms: number[]; bytesRead: number; totalSize: number | null }
  > = {};
  for (const [which, did] of [
    ['small', smallDid],
    ['large', largeDid]
  ] as const) {
    await list.locator('input[type=search]').fill(`Bench ${which} CSV`);
    await list.locator('input[type=search]').press('Enter');
    await list.locator(`li[data-did="${did}"] button`).click();
    await card
      .locator('[data-ocean=title]')
      .filter({ hasText: `Bench ${which} CSV` })
      .waitFor();
    const hasTable = () =>
      card.locator('[data-ocean=preview] >> table').isVisible();
    if (!(await hasTable())) {
      if (await card.locator('[data-ocean-action=get-access]').isVisible()) {
        await card.locator('[data-ocean-action=get-access]').click();
      }
      await confirmUntil(page, hasTable);
    }
    const ms: number[] = [];
    let last: any = null;
    for (let run = 0; run < RUNS + 1; run++) {
      // Click the card's own button; stop the clock when the new table is on screen.
      last = await card.evaluate(async (element: any) => {
        const before = element.preview;
        const started = performance.now();
        element.shadowRoot.querySelector('[data-ocean-action=preview]').click();
        while (element.preview === before || element.previewing) {
          if (element.error) throw new Error(element.error);
          await new Promise(resolve => setTimeout(resolve, 1));
        }
        await element.updateComplete;
        const preview = element.shadowRoot.querySelector('ocean-data-preview');
        await preview.updateComplete;
        await new Promise(resolve =>
          requestAnimationFrame(() => resolve(null))
        );
        const rows = preview.shadowRoot.querySelectorAll('tbody tr').length;
        return {
          ms: performance.now() - started,
          rows,
          bytesRead: element.preview.bytesRead,
          totalSize: element.preview.totalSize
        };
      });
      if (last.rows !== 20)
        throw new Error(
          `BENCH_BAD_PREVIEW: ${which} showed ${last.rows} rows.`
        );
      if (run > 0) ms.push(last.ms); // the first run warms caches (and signs in)
    }
    results[which] = {
      ms,
      bytesRead: last.bytesRead,
      totalSize: last.totalSize
    };
    console.log(
      `${which.padEnd(5)} ${(statSync(which === 'small' ? small : large).size / 1e6).toFixed(0).padStart(4)} MB file: median ${median(ms).toFixed(1)} ms over ${ms.length} previews (min ${Math.min(...ms).toFixed(1)}, max ${Math.max(...ms).toFixed(1)}); read ${last.bytesRead} of ${last.totalSize} bytes`
    );
  }
  const smallMs = median(results.small.ms);
  const largeMs = median(results.large.ms);
  const ratio = largeMs / smallMs;
  console.log(`ratio large/small: ${ratio.toFixed(3)}`);
  const load = (values: number[]) =>
    values.map(value => Number(value.toFixed(2)));
  const loadAtEnd = loadavg();
  console.log(
    `load average (1/5/15 min): ${load(loadAtStart).join(' ')} at start, ${load(loadAtEnd).join(' ')} at end`
  );
  console.log(
    JSON.stringify({
      small_ms: Number(smallMs.toFixed(1)),
      large_ms: Number(largeMs.toFixed(1)),
      ratio: Number(ratio.toFixed(3)),
      load_start: load(loadAtStart),
      load_end: load(loadAtEnd)
    })
  );
} finally {
  for (const stop of stops.reverse()) {
    try {
      await stop();
    } catch {
      // keep stopping the rest
    }
  }
  rmSync(work, { recursive: true, force: true });
}
