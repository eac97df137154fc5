/**
 * Lazy by default (issue 19 item 2): a JupyterLab start fetches only the
 * extension code that draws its entry points. The files a fresh lab
 * fetches from the extension are named through the build's module map
 * (build-modules.json in the built labextension, written by
 * webpack.config.js: which
 * source modules each emitted file holds), so a static import of ethers
 * into a plugin file, which pulls ethers into the start-up set, fails here.
 * How long the start takes is for `npm run bench:startup`, not this test.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { openLab } from './helpers';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// The build the labs serve (a private copy when JLO_LABEXTENSION_DIR is set).
const MODULE_MAP = join(
  process.env.JLO_LABEXTENSION_DIR ??
    join(ROOT, 'jupyterlab_ocean', 'labextension'),
  'build-modules.json'
);
const STATIC = '/lab/extensions/jupyterlab-ocean/static/';

/** What must never load before someone uses the extension. */
const HEAVY: ReadonlyArray<[string, RegExp]> = [
  ['ethers', /^(ethers|@noble\/|@adraffy\/)/],
  ['@oceanprotocol/lib', /^@oceanprotocol\//],
  ['onnxruntime-web', /^onnxruntime-web/],
  [
    'the kernel clients’ sources',
    /^(src\/kernel-bridge\/(python|deno)\/|lib\/kernel-bridge\/kernel-sources\.js)/
  ],
  ['the wallet', /^lib\/widget\/wallet\/(wallet|keystore|key-vault)\.js$/],
  ['the Ocean client', /^lib\/ocean\/(client|node-api)\.js$/],
  ['the kernel bridge', /^lib\/kernel-bridge\/(bridge|transport)\.js$/],
  ['Lit views', /^(lit|lit-html|lit-element|@lit\/)/]
];

/** Records the extension's static files the page (and its workers) fetch. */
function recordExtensionFiles(page: Page): string[] {
  const files: string[] = [];
  page.on('request', request => {
    const path = new URL(request.url()).pathname;
    if (path.startsWith(STATIC)) {
      files.push(decodeURIComponent(path.slice(STATIC.length)));
    }
  });
  return files;
}

function modulesOf(files: string[]): Map<string, string[]> {
  expect(
    existsSync(MODULE_MAP),
    `${MODULE_MAP} is missing: build the extension (npm run build)`
  ).toBe(true);
  const map = JSON.parse(readFileSync(MODULE_MAP, 'utf8')).files as Record<
    string,
    string[]
  >;
  const out = new Map<string, string[]>();
  for (const file of new Set(files)) {
    if (file.startsWith('ort/')) {
      out.set(file, ['onnxruntime-web']);
      continue;
    }
    expect(
      map[file],
      `${file} is not in the module map of the current build: rebuild (npm run build) and run again`
    ).toBeDefined();
    out.set(file, map[file]);
  }
  return out;
}

function heavyIn(modules: Map<string, string[]>): string[] {
  const found: string[] = [];
  for (const [file, names] of modules) {
    for (const [what, pattern] of HEAVY) {
      const hits = names.filter(name => pattern.test(name));
      if (hits.length > 0) {
        found.push(`${what} in ${file} (${hits.slice(0, 3).join(', ')})`);
      }
    }
  }
  return found;
}

/** Until app.restored, the file browser drawn, and a quiet second after. */
async function untilStarted(page: Page): Promise<void> {
  await page.locator('.jp-DirListing').first().waitFor();
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(1000);
}

test('a lab start fetches none of the heavy code, which loads when first needed', async ({
  page,
  lab
}) => {
  const files = recordExtensionFiles(page);
  await openLab(page, lab);
  await untilStarted(page);

  const atStart = modulesOf(files);
  // Not vacuous: the plugins themselves were fetched and named.
  expect([...atStart.values()].flat()).toContain('lib/index.js');
  expect(heavyIn(atStart)).toEqual([]);
  // The sidebar entry points are drawn all the same.
  await expect(
    page.locator('.lm-TabBar-tab[data-id="jupyterlab-ocean-panel"]')
  ).toBeVisible();
  await expect(
    page.locator('.lm-TabBar-tab[data-id="jupyterlab-ocean-discover"]')
  ).toBeVisible();
  await expect(page.locator('.jp-OceanStatusItem')).toBeVisible();

  // Opening the Ocean panel is a first need: the wallet and its view load.
  const before = files.length;
  await page
    .locator('.lm-TabBar-tab[data-id="jupyterlab-ocean-panel"]')
    .click();
  await expect(
    page.locator('#jupyterlab-ocean-panel ocean-wallet-view')
  ).toBeVisible();
  const opened = modulesOf(files.slice(before));
  expect(heavyIn(opened).join('\n')).toContain('the wallet');
});
