/**
 * Ocean discovery in the real lab against a real local stack: the Discover
 * tab lists, filters and pages the node's assets; asset cards render DDO
 * text as text; @oceanprotocol/lib stays out of the start-up bundle.
 */
import { test, expect } from './fixtures';
import { newNotebook, openLab, runCell } from './helpers';
import { freePort } from '../scripts/lib/services.mjs';
import {
  openDiscover,
  publicSampleUrl,
  publish,
  type IAssetSpec
} from './ocean-helpers';

/** A string only @oceanprotocol/lib's bundle contains. */
const LIB_MARKER = 'Send prepared tx error';

const EVIL_NAME = '<img src=x onerror="window.__oceanXss=1">Evil <b>title</b>';
const EVIL_DESCRIPTION =
  '<script>window.__oceanXss=2</script><a href="javascript:window.__oceanXss=3">click</a>';

let evilDid = '';

test.describe('Ocean discovery', () => {
  test.beforeAll(async ({ stack }) => {
    const sample = await publicSampleUrl(stack, 'csv');
    // One hostile DDO, and enough extra assets for a second page.
    const specs: IAssetSpec[] = [
      {
        name: EVIL_NAME,
        description: EVIL_DESCRIPTION,
        tags: ['<i>markup</i>'],
        pricing: { type: 'free' },
        files: [{ url: sample }],
        links: ['javascript:window.__oceanXss=4'],
        contentType: 'text/csv'
      },
      ...Array.from({ length: 8 }, (_, index) => ({
        name: `Filler dataset ${index + 1}`,
        description: 'An extra asset so that discovery has two pages.',
        tags: ['filler'],
        pricing: { type: 'fixed', priceInOcean: '3' } as const,
        files: [{ url: sample }],
        contentType: 'text/csv'
      }))
    ];
    [evilDid] = publish(stack, specs);
  });

  test('@oceanprotocol/lib is not part of the start-up bundle', async ({
    page,
    oceanLab
  }, testInfo) => {
    const loaded: { url: string; bytes: number; lib: boolean }[] = [];
    page.on('response', async response => {
      const url = response.url();
      if (/\/lab\/extensions\/jupyterlab-ocean\/static\/.*\.js/.test(url)) {
        const body = await response.body().catch(() => Buffer.alloc(0));
        loaded.push({
          url: url.replace(/.*\/static\//, ''),
          bytes: body.length,
          lib: body.includes(LIB_MARKER)
        });
      }
    });
    await openLab(page, oceanLab);
    // Discovery itself must not need the lib either.
    const list = await openDiscover(page);
    await expect(list.locator('li[role=option]').first()).toBeVisible();
    await page.waitForLoadState('networkidle');
    const total = loaded.reduce((sum, file) => sum + file.bytes, 0);
    testInfo.annotations.push({
      type: 'start-up bundle',
      description: `${loaded.length} files, ${total} bytes: ${loaded
        .map(file => `${file.url}=${file.bytes}`)
        .join(', ')}`
    });
    console.log(
      `jupyterlab-ocean start-up + discovery: ${loaded.length} files, ${(total / 1024).toFixed(0)} KiB`
    );
    expect(loaded.some(file => file.url.startsWith('remoteEntry'))).toBe(true);
    expect(loaded.filter(file => file.lib)).toEqual([]);
  });

  test('the Discover tab lists, filters and pages the node’s assets', async ({
    page,
    oceanLab,
    stack
  }) => {
    // What the node holds (the stack's samples grow as features land).
    const all: any[] = await (
      await fetch(`${stack.nodeUrl}/api/aquarius/assets/metadata/query`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ query: { match_all: {} }, size: 1000 })
      })
    ).json();
    const free = all.filter(ddo =>
      ddo.indexedMetadata.stats.some((stat: any) =>
        stat.prices.some((price: any) => price.type === 'dispenser')
      )
    );
    expect(all.length).toBeGreaterThan(10);
    expect(all.length).toBeLessThanOrEqual(20);

    await openLab(page, oceanLab);
    const list = await openDiscover(page);
    const items = list.locator('li[role=option]');
    await expect(items).toHaveCount(10);
    await expect(list.locator('[data-ocean=page]')).toHaveText('Page 1');
    const firstPage = await items.evaluateAll(nodes =>
      nodes.map(node => node.getAttribute('data-did'))
    );
    await list.locator('[data-ocean-action=next]').click();
    await expect(list.locator('[data-ocean=page]')).toHaveText('Page 2');
    await expect(items).toHaveCount(all.length - 10);
    await expect(list.locator('[data-ocean-action=next]')).toBeDisabled();
    const secondPage = await items.evaluateAll(nodes =>
      nodes.map(node => node.getAttribute('data-did'))
    );
    // Pages do not overlap and together list every asset.
    expect(new Set([...firstPage, ...secondPage]).size).toBe(all.length);

    // Free-text search.
    await list.locator('input[type=search]').fill('weather');
    await list.locator('input[type=search]').press('Enter');
    await expect(items).toHaveCount(1);
    await expect(items.first()).toContainText('Daily weather at four stations');
    await expect(items.first().locator('[data-ocean=price]')).toHaveText(
      '2 OCEAN'
    );

    // Price filter: the free assets only (the flower sample, the hostile one…).
    await list.locator('input[type=search]').fill('');
    await list.locator('select[name=price]').selectOption('free');
    await expect(items).toHaveCount(Math.min(free.length, 10));
    for (const price of await items.locator('[data-ocean=price]').all()) {
      await expect(price).toHaveText('Free');
    }
    await expect(
      list.locator(`li[data-did="${stack.samples.free}"]`)
    ).toBeVisible();

    // Choosing an asset opens its card under the list.
    await list.locator(`li[data-did="${stack.samples.free}"] button`).click();
    const card = page.locator('#jupyterlab-ocean-discover ocean-asset-card');
    await expect(card.locator('[data-ocean=title]')).toHaveText(
      'Flower cultivar measurements (synthetic, free)'
    );
    await expect(card.locator('[data-ocean=license]')).toHaveText('CC0-1.0');
    await expect(card.locator('[data-ocean-action=get-access]')).toContainText(
      'Get access (free)'
    );
  });

  test('an asset card in a notebook shows markup and script from the DDO as text', async ({
    page,
    oceanLab
  }) => {
    await openLab(page, oceanLab);
    await newNotebook(page, 'python');
    await runCell(
      page,
      `from IPython.display import display\ndisplay({'application/vnd.ocean.asset+json': {'did': '${evilDid}'}}, raw=True)`
    );
    const card = page.locator('.jp-OutputArea-output ocean-asset-card');
    await expect(card.locator('[data-ocean=title]')).toHaveText(EVIL_NAME);
    // Exactly the DDO's text: toHaveText would forgive the blank line and
    // indentation a template once put around it under white-space: pre-wrap.
    expect(await card.locator('[data-ocean=description]').textContent()).toBe(
      EVIL_DESCRIPTION
    );
    await expect(card).toContainText('<i>markup</i>');
    // Nothing of it became an element, and nothing ran.
    expect(
      await card.evaluate(
        element =>
          element.shadowRoot!.querySelectorAll('img, script, b, i, a').length
      )
    ).toBe(0);
    expect(await page.evaluate(() => (window as any).__oceanXss)).toBe(
      undefined
    );
  });

  test('"Show sample rows" reads the stack\u2019s public sample; a host that forbids it is named in a sentence', async ({
    page,
    oceanLab,
    stack
  }) => {
    // Routing is on from the start (Playwright then keeps the browser from
    // answering the second fetch from its cache); it passes the stack's
    // answer through unchanged until `forbid`, then permits another site only.
    let forbid = false;
    await page.route(/\/public\//, async route => {
      const response = await route.fetch();
      const headers = { ...response.headers() };
      // Another origin's permission, not none: Playwright would add a
      // permissive header to a fulfilled cross-origin answer that has none.
      if (forbid)
        headers['access-control-allow-origin'] = 'http://another-site.invalid';
      await route.fulfill({ response, headers });
    });
    await openLab(page, oceanLab);
    await newNotebook(page, 'python');
    const showCard = async () => {
      await runCell(
        page,
        `from IPython.display import display\ndisplay({'application/vnd.ocean.asset+json': {'did': '${stack.samples.csv}'}}, raw=True)`
      );
      const card = page
        .locator('.jp-OutputArea-output ocean-asset-card')
        .last();
      await expect(card.locator('[data-ocean=title]')).toHaveText(
        'Daily weather at four stations, 2025 (synthetic)'
      );
      return card;
    };
    const card = await showCard();
    await card.locator('[data-ocean-action=sample]').click();
    const rows = card.locator('[data-ocean=sample] table tbody tr');
    await expect(rows.first()).toBeVisible();
    expect(await rows.count()).toBeGreaterThan(0);
    await expect(
      card.locator('[data-ocean=sample] table th .name').first()
    ).toHaveText('date');

    // The same file from a host that sends no CORS permission: the browser
    // refuses to let the page read it, and the card says so in words.
    forbid = true;
    const refused = await showCard();
    await refused.locator('[data-ocean-action=sample]').click();
    await expect(refused).toContainText(
      'does not let JupyterLab read the file (no CORS permission)'
    );
    await expect(refused.locator('[data-ocean=sample]')).toHaveCount(0);
  });

  test('a stopped node gives a clear message in Discover', async ({
    page,
    oceanLab,
    stack
  }) => {
    await openLab(page, oceanLab);
    const network = {
      key: 'local',
      name: 'Local Ocean network',
      chainId: stack.chainId,
      rpcUrl: stack.rpcUrl,
      faucetUrl: stack.faucetUrl,
      nativeSymbol: 'ETH'
    };
    const saveSettings = (nodeUrl: string) =>
      page.evaluate(
        async raw => {
          const app = (window as any).jupyterapp;
          await app.serviceManager.settings.save(
            'jupyterlab-ocean:networks',
            raw
          );
        },
        JSON.stringify({ networks: [{ ...network, nodeUrl }] })
      );
    // A port nothing listens on stands for a node that has stopped.
    await saveSettings(`http://127.0.0.1:${await freePort()}`);
    try {
      await page.reload();
      await openLab(page, oceanLab);
      const list = await openDiscover(page);
      await expect(list.locator('[data-ocean=error]')).toContainText(
        'does not answer'
      );
      await expect(list.locator('li[role=option]')).toHaveCount(0);
    } finally {
      await saveSettings(stack.nodeUrl);
    }
    await page.reload();
    await openLab(page, oceanLab);
    const list = await openDiscover(page);
    await expect(list.locator('li[role=option]').first()).toBeVisible();
  });
});
