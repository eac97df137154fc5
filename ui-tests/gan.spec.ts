/**
 * GAN output cells in the real lab against a real local stack: the stack
 * publishes the trained generator as a paid algorithm asset; a Python cell
 * displays a GAN cell; it is locked until the wallet buys access; then the
 * browser runs onnxruntime-web (served by the extension, loaded only now)
 * and the pixels match the torch reference from gan/train.py. The model is
 * downloaded once and reused from IndexedDB; a corrupted download is
 * refused by the DDO checksum.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page, Request } from '@playwright/test';
import { Wallet } from 'ethers';
import {
  confirmation,
  confirmUntil,
  importWallet,
  PASSWORD,
  runConfirming,
  walletView
} from './bridge-helpers';
import { test, expect, type IStackInfo } from './fixtures';
import { newNotebook, openLab, runCell, save } from './helpers';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const REFERENCE = JSON.parse(
  readFileSync(join(ROOT, 'gan', 'model', 'reference.json'), 'utf8')
) as { seeds: number[]; shape: number[]; images: number[] };

const STATIC = '/lab/extensions/jupyterlab-ocean/static/';
/** GAN cells of the notebook in front. */
const CELLS = '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OceanGan';

/** Every request the page makes, kept across reloads. */
function recordRequests(page: Page): Request[] {
  const requests: Request[] = [];
  page.on('request', request => requests.push(request));
  return requests;
}

const downloads = (requests: Request[]) =>
  requests.filter(request => /\/api\/services\/download\b/.test(request.url()));
const runtimeFiles = (requests: Request[]) =>
  requests.filter(request => request.url().includes(`${STATIC}ort/`));

function ganCellSource(did: string, n = 4, seed = REFERENCE.seeds[0]): string {
  return `from jupyterlab_ocean.gan import display_gan\ndisplay_gan("${did}", n=${n}, seed=${seed})`;
}

/**
 * The grid's pixels read back from the canvas, image by image, one value per
 * model pixel (the centre of each scaled block), NHWC in [0, 255].
 */
async function gridPixels(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const canvases = document.querySelectorAll(
      '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OceanGan[data-state="ready"] canvas.jp-OceanGan-grid'
    );
    const canvas = canvases[canvases.length - 1] as HTMLCanvasElement;
    const d = canvas.dataset;
    const [columns, scale, gap, h, w, count] = [
      d.columns,
      d.scale,
      d.gap,
      d.imageHeight,
      d.imageWidth,
      d.count
    ].map(Number);
    const data = canvas
      .getContext('2d')!
      .getImageData(0, 0, canvas.width, canvas.height).data;
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const x0 = gap + (i % columns) * (w + gap);
      const y0 = gap + Math.floor(i / columns) * (h + gap);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const px = (x0 + x) * scale + (scale >> 1);
          const py = (y0 + y) * scale + (scale >> 1);
          const at = (py * canvas.width + px) * 4;
          out.push(data[at], data[at + 1], data[at + 2]);
        }
      }
    }
    return out;
  });
}

test.describe('GAN output cells', () => {
  test('a GAN cell is locked before purchase and onnxruntime-web stays unloaded', async ({
    page,
    oceanLab,
    stack
  }, testInfo) => {
    expect(stack.samples.gan, 'the stack published the GAN').toMatch(
      /^did:op:[0-9a-f]{64}$/
    );
    const requests = recordRequests(page);
    await openLab(page, oceanLab);
    await page.waitForLoadState('networkidle');
    const startup = requests.filter(request => request.url().includes(STATIC));
    const sizes = await Promise.all(
      startup.map(async request => {
        const response = await request.response();
        const body = await response?.body().catch(() => Buffer.alloc(0));
        return {
          file: request
            .url()
            .replace(/.*\/static\//, '')
            .replace(/\?.*/, ''),
          bytes: body?.length ?? 0
        };
      })
    );
    const total = sizes.reduce((sum, file) => sum + file.bytes, 0);
    testInfo.annotations.push({
      type: 'start-up bundle',
      description: `${sizes.length} files, ${total} bytes`
    });
    console.log(
      `jupyterlab-ocean start-up: ${sizes.length} files, ${(total / 1024).toFixed(0)} KiB (${sizes
        .map(file => `${file.file}=${file.bytes}`)
        .join(', ')})`
    );
    expect(runtimeFiles(requests)).toEqual([]);

    await newNotebook(page, 'python');
    await runCell(page, ganCellSource(stack.samples.gan!));
    const cell = page.locator(CELLS).first();
    await expect(cell).toHaveAttribute('data-state', 'locked');
    await expect(cell.locator('.jp-OceanGan-title')).toHaveText(
      'Pixel-art avatar generator (DCGAN, ONNX)'
    );
    await expect(cell.locator('.jp-OceanGan-buy')).toHaveText(
      /Buy access for \d+(\.\d+)? OCEAN/
    );
    await expect(cell.locator('canvas')).toBeHidden();
    // In a narrow output the buy button wraps instead of being cut off
    // (JupyterLab's styled buttons are one 32 px line).
    for (const width of [520, 240, 160]) {
      await cell.evaluate((el, w) => {
        (el as HTMLElement).style.width = `${w}px`;
      }, width);
      const fit = await cell.locator('.jp-OceanGan-buy').evaluate(button => {
        const box = button.getBoundingClientRect();
        const lock = button.parentElement!.getBoundingClientRect();
        return {
          inside: box.left >= lock.left - 1 && box.right <= lock.right + 1,
          clipped:
            button.scrollWidth > button.clientWidth + 1 ||
            button.scrollHeight > button.clientHeight + 1
        };
      });
      expect(fit, `buy button at ${width} px`).toEqual({
        inside: true,
        clipped: false
      });
    }
    await cell.screenshot({
      path: testInfo.outputPath('gan-locked-160px.png')
    });
    await cell.evaluate(el =>
      (el as HTMLElement).style.removeProperty('width')
    );
    // Locked: neither the model nor the runtime was fetched.
    expect(downloads(requests)).toEqual([]);
    expect(runtimeFiles(requests)).toEqual([]);

    // An output saved by an earlier run (GAN settings + its PNG) shows the
    // stored images while locked, without generating anything.
    const png = readFileSync(
      join(ROOT, 'gan', 'model', 'samples.png')
    ).toString('base64');
    await runCell(
      page,
      [
        'from IPython.display import display',
        'from jupyterlab_ocean.gan import gan_bundle',
        `bundle = gan_bundle("${stack.samples.gan}", n=4, seed=42)`,
        `bundle["image/png"] = "${png}"`,
        'display(bundle, raw=True)'
      ].join('\n')
    );
    const saved = page.locator(CELLS).last();
    await expect(saved).toHaveAttribute('data-state', 'locked');
    await expect(saved.locator('img.jp-OceanGan-saved')).toBeVisible();
    expect(
      await saved
        .locator('img.jp-OceanGan-saved')
        .evaluate(img => (img as HTMLImageElement).naturalWidth)
    ).toBeGreaterThan(0);
    expect(runtimeFiles(requests)).toEqual([]);
  });

  test('buying access renders the reference images; the model is downloaded once, verified, cached; a corrupted download is refused', async ({
    page,
    oceanLab,
    stack
  }) => {
    test.setTimeout(420_000);
    const did = stack.samples.gan!;
    const requests = recordRequests(page);
    await openLab(page, oceanLab);
    const address = await importWallet(
      page,
      Wallet.createRandom().mnemonic!.phrase
    );
    await fund(stack, address);

    // 1. A corrupted transfer: the node's answer is altered on its way to
    //    the browser. The checksum in the DDO must stop it before it runs.
    await page.route('**/api/services/download**', async route => {
      const response = await route.fetch();
      const body = Buffer.from(await response.body());
      body[body.length >> 1] ^= 0xff;
      await route.fulfill({ response, body });
    });
    await newNotebook(page, 'python');
    await runCell(page, ganCellSource(did));
    const first = page.locator(CELLS).last();
    await expect(first).toHaveAttribute('data-state', 'locked');
    await first.locator('.jp-OceanGan-buy').click();
    await approveUntil(page, first, ['ready', 'error']);
    await expect(first).toHaveAttribute('data-state', 'error');
    await expect(first.locator('.jp-OceanGan-status')).toContainText(
      'does not match the checksum'
    );
    expect(downloads(requests)).toHaveLength(1);
    expect(
      runtimeFiles(requests),
      'a refused model never reaches the runtime'
    ).toEqual([]);
    expect(await cachedModels(page)).toEqual([]);
    await page.unroute('**/api/services/download**');

    // 2. The real bytes: access is already bought (no second purchase). The
    //    new output does not ask the wallet by itself (the download needs a
    //    node sign-in): it waits for Run, then downloads, verifies, caches
    //    and renders.
    await runCell(page, ganCellSource(did));
    const cell = page.locator(CELLS).last();
    await expect(cell).toHaveAttribute('data-state', 'paused');
    await page.waitForTimeout(1_500);
    await expect(confirmation(page)).toHaveCount(0);
    expect(downloads(requests)).toHaveLength(1);
    await cell.locator('button.jp-OceanGan-run').click();
    await approveUntil(page, cell, ['ready', 'error', 'locked']);
    await expect(cell).toHaveAttribute('data-state', 'ready');
    await expect(cell).toHaveAttribute('data-backend', 'wasm');
    await expect(cell).toHaveAttribute('data-source', 'download');
    await expect(cell.locator('.jp-OceanGan-footer')).toContainText(
      /WebAssembly.*4 images in [\d.]+ ms/
    );
    expect(downloads(requests)).toHaveLength(2);
    // onnxruntime-web came from the extension itself, only now.
    const runtime = runtimeFiles(requests).map(r => new URL(r.url()).pathname);
    expect(runtime.length).toBeGreaterThan(0);
    expect(runtime.every(path => path.includes(`${STATIC}ort/`))).toBe(true);
    expect(await cachedModels(page)).toEqual([did]);
    await expectReferencePixels(page);

    // The output keeps a PNG (and the settings), so the saved notebook shows
    // the images without the extension.
    await save(page);
    const notebook = await page.evaluate(async () => {
      const app = (window as any).jupyterapp;
      const path = app.shell.currentWidget.context.path;
      return (await app.serviceManager.contents.get(path, { content: true }))
        .content;
    });
    const outputs = notebook.cells.flatMap((c: any) => c.outputs ?? []);
    const rendered = outputs.filter((o: any) => o.data?.['image/png']);
    expect(rendered.length).toBeGreaterThan(0);
    expect(
      rendered.at(-1).data['application/vnd.ocean.gan+json']
    ).toMatchObject({ did, n: 4, seed: 42 });
    expect(
      Buffer.from(rendered.at(-1).data['image/png'], 'base64')
        .subarray(1, 4)
        .toString()
    ).toBe('PNG');

    // Controls work without the kernel: a bigger batch, a new seed, and an
    // image saved into the workspace; still no second download.
    const executions = await executionCount(page);
    await cell.locator('select.jp-OceanGan-batch').selectOption('9');
    await expect(cell.locator('canvas')).toHaveAttribute('data-count', '9');
    await cell.locator('input.jp-OceanGan-seed').fill('7');
    await cell.locator('input.jp-OceanGan-seed').dispatchEvent('change');
    await expect(cell).toHaveAttribute('data-state', 'ready');
    await cell.locator('input.jp-OceanGan-interpolate').check();
    await expect(cell.locator('canvas')).toHaveAttribute(
      'aria-label',
      /7→8 t=0\.00/
    );
    await cell.locator('button.jp-OceanGan-save').click();
    await expect(cell.locator('.jp-OceanGan-status')).toContainText('Saved');
    const saved = await page.evaluate(async () => {
      const app = (window as any).jupyterapp;
      const listing = await app.serviceManager.contents.get('', {
        content: true
      });
      return listing.content.map((item: any) => item.name);
    });
    expect(saved).toContain('gan-seed7-to-8-n9.png');
    expect(await executionCount(page)).toBe(executions);
    expect(downloads(requests)).toHaveLength(2);

    // Another account, without access: the unlocked cell locks again, its
    // grid and controls gone; back to the buyer, it runs again without a
    // dialog (the verified model is still in memory).
    const buyer = address;
    const other = Wallet.createRandom();
    await addAndSelectAccount(page, other.privateKey, other.address);
    await expect(cell).toHaveAttribute('data-state', 'locked');
    await expect(cell.locator('canvas')).toBeHidden();
    await expect(cell.locator('.jp-OceanGan-controls')).toBeHidden();
    await expect(cell.locator('.jp-OceanGan-buy')).toBeVisible();
    await cell.screenshot({
      path: test.info().outputPath('gan-relocked-other-account.png')
    });
    await selectWalletAccount(page, buyer);
    await expect(cell).toHaveAttribute('data-state', 'ready');
    await expect(cell.locator('canvas')).toBeVisible();
    await expect(confirmation(page)).toHaveCount(0);
    expect(downloads(requests)).toHaveLength(2);

    // 3. A reload: the model comes from IndexedDB (verified again), not the node.
    /** Reloads the lab and renders the GAN cell in a new notebook. */
    const renderAfterReload = async (): Promise<Locator> => {
      await openLab(page, oceanLab);
      await unlockWallet(page);
      await newNotebook(page, 'python');
      await runCell(page, ganCellSource(did));
      const rendered = page.locator(CELLS).last();
      await approveUntil(page, rendered, ['ready', 'error']);
      await expect(rendered).toHaveAttribute('data-state', 'ready');
      return rendered;
    };
    const again = await renderAfterReload();
    // The notebook restored with the lab may have loaded the model first
    // (its cells check access again once the wallet is unlocked), so this
    // cell may find it in memory; either way it came from the cache.
    await expect(again).toHaveAttribute('data-source', /^(cache|memory)$/);
    const sources = await page
      .locator('.jp-OceanGan[data-source]')
      .evaluateAll(cells =>
        cells.map(cell => cell.getAttribute('data-source'))
      );
    expect(sources).toContain('cache');
    expect(sources).not.toContain('download');
    expect(downloads(requests)).toHaveLength(2);
    await expectReferencePixels(page);

    // 4. The backend setting: WebGPU, here on Chromium's software adapter
    //    (the automatic choice skips it), gives the same pixels and says so.
    const setBackend = (backend: string) =>
      page.evaluate(
        raw =>
          (window as any).jupyterapp.serviceManager.settings.save(
            'jupyterlab-ocean:gan',
            raw
          ),
        JSON.stringify({ backend })
      );
    await setBackend('webgpu');
    try {
      const gpu = await renderAfterReload();
      await expect(gpu).toHaveAttribute('data-backend', 'webgpu');
      await expect(gpu.locator('.jp-OceanGan-footer')).toContainText(
        /WebGPU \(WebGPU on a software adapter.*as set in Settings\)/
      );
      await expectReferencePixels(page);
    } finally {
      await setBackend('auto');
    }

    // 5. Opening a notebook someone else saved (untrusted: no signature of
    //    this lab), in a browser without the cached model, where the account
    //    has access: the GAN output asks for nothing until Run is pressed.
    const shared = {
      ...notebook,
      cells: [
        {
          cell_type: 'code',
          execution_count: 1,
          metadata: {},
          source: ganCellSource(did),
          outputs: [rendered.at(-1)]
        }
      ]
    };
    delete shared.metadata?.signature;
    writeFileSync(
      join(oceanLab.rootDir, 'shared-gan.ipynb'),
      JSON.stringify(shared)
    );
    await openLab(page, oceanLab);
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const request = indexedDB.deleteDatabase('jupyterlab-ocean-models');
          request.onsuccess = () => resolve();
          request.onerror = () => reject(request.error);
        })
    );
    await unlockWallet(page);
    const before = downloads(requests).length;
    await page.evaluate(() =>
      (window as any).jupyterapp.commands.execute('docmanager:open', {
        path: 'shared-gan.ipynb'
      })
    );
    const opened = page.locator(CELLS).last();
    await expect(opened).toHaveAttribute('data-state', 'paused');
    await expect(opened.locator('.jp-OceanGan-pause')).toContainText(
      'not trusted'
    );
    await page.waitForTimeout(2_000);
    await expect(confirmation(page)).toHaveCount(0);
    await expect(opened).toHaveAttribute('data-state', 'paused');
    expect(downloads(requests)).toHaveLength(before);
    // A person's press: access checked, the model downloaded (one node
    // sign-in, approved), the images rendered.
    await opened.locator('button.jp-OceanGan-run').click();
    await approveUntil(page, opened, ['ready', 'error']);
    await expect(opened).toHaveAttribute('data-state', 'ready');
    expect(downloads(requests)).toHaveLength(before + 1);
  });

  test('kernels: %ocean gan shows a GAN cell, gan_images brings the same pixels into Python (NumPy) and Deno (Uint8Array)', async ({
    page,
    oceanLab,
    stack
  }) => {
    test.setTimeout(420_000);
    const did = stack.samples.gan!;
    await openLab(page, oceanLab);
    const address = await importWallet(
      page,
      Wallet.createRandom().mnemonic!.phrase
    );
    await fund(stack, address);

    await newNotebook(page, 'python');
    // No DID: the network's GAN model (what the sample notebook does).
    await runCell(page, '%ocean gan --n 4 --seed 42');
    const cell = page.locator(CELLS).last();
    await expect(cell).toHaveAttribute('data-state', 'locked');

    // Buying from the kernel (dialogs name the notebook) also unlocks the
    // cell above; the pixels are the ones the reference predicts.
    const reference = join(ROOT, 'gan', 'model', 'reference.json');
    const source = [
      'import json, numpy',
      'from jupyterlab_ocean.gan import gan_images',
      `images = gan_images("${did}", n=4, seed=42)`,
      `expected = numpy.round(numpy.array(json.load(open("${reference}"))["images"]) * 255).reshape(4, 16, 16, 3)`,
      "print('got', type(images).__name__, images.shape, images.dtype)",
      "print('max diff', int(numpy.abs(images.astype(int) - expected).max()))"
    ].join('\n');
    const text = await runApproving(page, source);
    expect(text).toContain('got ndarray (4, 16, 16, 3) uint8');
    const diff = Number(/max diff (\d+)/.exec(text)?.[1]);
    expect(diff).toBeLessThanOrEqual(1);
    // Access came from the kernel while the model was not yet cached, so
    // the cell above may wait for Run; pressed now, it needs no dialog.
    await expect(cell).toHaveAttribute('data-state', /^(ready|paused)$/);
    if ((await cell.getAttribute('data-state')) === 'paused')
      await cell.locator('button.jp-OceanGan-run').click();
    await expect(cell).toHaveAttribute('data-state', 'ready');
    await expect(confirmation(page)).toHaveCount(0);

    // Deno: the same commands, a Uint8Array.
    await newNotebook(page, 'deno');
    await runCell(page, `await ocean.gan("${did}", { n: 4, seed: 42 });`);
    await expect(page.locator(CELLS).last()).toHaveAttribute(
      'data-state',
      'ready'
    );
    const deno = await runApproving(
      page,
      [
        `const images = await ocean.gan_images("${did}", { n: 4, seed: 42 });`,
        "console.log('deno', images.data.constructor.name, images.shape.join('x'), images.data.length);"
      ].join('\n')
    );
    expect(deno).toContain('deno Uint8Array 4x16x16x3 3072');
  });
});

// ----- helpers -------------------------------------------------------------

/**
 * Runs a cell, confirming the wallet dialogs it causes (and a kernel's
 * account-sharing request); each dialog must name the notebook that asked.
 * Resolves with the cell's output.
 */
async function runApproving(page: Page, source: string): Promise<string> {
  const { output, dialogs } = await runConfirming(page, source);
  for (const text of dialogs) expect(text).toContain('.ipynb');
  return output;
}

/** The wallet plugin's IWallet, in the page. */
async function withWallet(
  page: Page,
  task: { key?: string; address: string; password: string }
): Promise<void> {
  await page.evaluate(async ({ key, address, password }) => {
    const app = (window as any).jupyterapp;
    const services: Map<any, string> = app.pluginRegistry._services;
    const token = [...services.keys()].find(
      t => t.name === 'jupyterlab-ocean:IWallet'
    );
    const wallet = await app.resolveRequiredService(token);
    if (key) await wallet.importKey({ privateKey: key }, password, 'No access');
    wallet.selectAccount(address);
  }, task);
}

/** Imports a key into the wallet as another account and selects it. */
async function addAndSelectAccount(
  page: Page,
  key: string,
  address: string
): Promise<void> {
  await withWallet(page, { key, address, password: PASSWORD });
}

async function selectWalletAccount(page: Page, address: string): Promise<void> {
  await withWallet(page, { address, password: PASSWORD });
}

async function unlockWallet(page: Page): Promise<void> {
  const tab = page.locator('.lm-TabBar-tab[data-id="jupyterlab-ocean-panel"]');
  if (!(await walletView(page).isVisible())) await tab.click();
  const view = walletView(page);
  await view.locator('form.unlock input[name="password"]').fill(PASSWORD);
  await view.locator('form.unlock button[type="submit"]').click();
  await expect(view.locator('form.unlock')).toBeHidden({ timeout: 60_000 });
}

async function fund(stack: IStackInfo, address: string): Promise<void> {
  const response = await fetch(stack.faucetUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ address })
  });
  expect(response.status).toBe(200);
}

/**
 * Confirms every wallet dialog (approve, buy, order, node sign-in) until the
 * cell reaches one of `states`. Each dialog must name the GAN cell.
 */
async function approveUntil(
  page: Page,
  cell: Locator,
  states: string[]
): Promise<void> {
  const dialogs = await confirmUntil(
    page,
    async () => states.includes((await cell.getAttribute('data-state')) ?? ''),
    240_000
  );
  for (const text of dialogs) expect(text).toContain('GAN output cell');
}

/** DIDs of models in the browser's model cache. */
async function cachedModels(page: Page): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('jupyterlab-ocean-models');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('models')) {
            db.close();
            resolve([]);
            return;
          }
          const keys = db
            .transaction('models')
            .objectStore('models')
            .getAllKeys();
          keys.onsuccess = () => {
            db.close();
            resolve(keys.result.map(String));
          };
          keys.onerror = () => reject(keys.error);
        };
      })
  );
}

async function executionCount(page: Page): Promise<number> {
  return page.evaluate(() => {
    const content = (window as any).jupyterapp.shell.currentWidget.content;
    return content.widgets
      .filter((cell: any) => cell.model.type === 'code')
      .map((cell: any) => cell.model.executionCount ?? 0)
      .reduce((a: number, b: number) => Math.max(a, b), 0);
  });
}

/** The drawn pixels of the 4 reference seeds against torch, within 2/255. */
async function expectReferencePixels(page: Page): Promise<void> {
  const cell = page.locator(`${CELLS}[data-state="ready"]`).last();
  await expect(cell.locator('canvas')).toHaveAttribute(
    'data-count',
    String(REFERENCE.seeds.length)
  );
  const drawn = await gridPixels(page);
  expect(drawn.length).toBe(REFERENCE.images.length);
  let worst = 0;
  for (let i = 0; i < drawn.length; i++) {
    worst = Math.max(worst, Math.abs(drawn[i] - REFERENCE.images[i] * 255));
  }
  expect(worst).toBeLessThanOrEqual(2);
}
