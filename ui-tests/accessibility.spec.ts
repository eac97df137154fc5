/**
 * What a keyboard, a screen reader and a dark theme meet (issue 16, items 9
 * and 10): the wallet's confirmation is a labelled modal dialog whose
 * details and raw data are reached by Tab inside its focus trap; price and
 * access badges keep 4.5:1 contrast in the light and the dark theme.
 */
import { HDNodeWallet } from 'ethers';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { newNotebook, openLab, runCell } from './helpers';
import {
  confirmation,
  confirmUntil,
  finished,
  importWallet,
  PASSWORD,
  shareAccount,
  startCell,
  useFaucet,
  walletView
} from './bridge-helpers';
import { openDiscover } from './ocean-helpers';
// The local network's development keys (the stack's own, public and worthless).
import { ACCOUNTS } from '../stack/src/accounts';

/** The focused element's tag and class, looked up through shadow roots. */
async function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el
      ? `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`
      : '';
  });
}

/**
 * WCAG contrast of an element's text against the first opaque background
 * behind it (through shadow roots), as a number (4.5 is the AA minimum).
 */
async function contrast(locator: Locator): Promise<number> {
  return locator.evaluate(element => {
    const rgb = (value: string) => {
      const parts = value.match(/[\d.]+/g)!.map(Number);
      return { r: parts[0], g: parts[1], b: parts[2], a: parts[3] ?? 1 };
    };
    const luminance = ({ r, g, b }: { r: number; g: number; b: number }) => {
      const channel = (c: number) => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    // The background: blend the layers from the element outwards until an
    // opaque one.
    const layers: ReturnType<typeof rgb>[] = [];
    let node: Element | null = element;
    while (node) {
      const colour = rgb(getComputedStyle(node).backgroundColor);
      if (colour.a > 0) layers.push(colour);
      if (colour.a >= 1) break;
      node =
        node.parentElement ??
        ((node.getRootNode() as ShadowRoot).host as Element | undefined) ??
        null;
    }
    let back = { r: 255, g: 255, b: 255 };
    for (const layer of layers.reverse()) {
      back = {
        r: layer.r * layer.a + back.r * (1 - layer.a),
        g: layer.g * layer.a + back.g * (1 - layer.a),
        b: layer.b * layer.a + back.b * (1 - layer.a)
      };
    }
    const text = rgb(getComputedStyle(element).color);
    const fore = {
      r: text.r * text.a + back.r * (1 - text.a),
      g: text.g * text.a + back.g * (1 - text.a),
      b: text.b * text.a + back.b * (1 - text.a)
    };
    const [l1, l2] = [luminance(fore), luminance(back)].sort((a, b) => b - a);
    return (l1 + 0.05) / (l2 + 0.05);
  });
}

async function setTheme(page: Page, theme: string): Promise<void> {
  await page.evaluate(
    name =>
      (window as any).jupyterapp.commands.execute('apputils:change-theme', {
        theme: name
      }),
    theme
  );
  await expect(page.locator('body')).toHaveAttribute(
    'data-jp-theme-name',
    theme
  );
}

test('the confirmation is a labelled modal dialog; Tab reaches its details and raw data', async ({
  page,
  oceanLab: lab,
  stack
}) => {
  await openLab(page, lab);
  await importWallet(page, HDNodeWallet.createRandom().mnemonic!.phrase);
  await useFaucet(page);
  const view = walletView(page);
  await view.locator('button[data-action="send"]').click();
  await view
    .locator('form.send select[name="token"]')
    .selectOption({ label: 'OCEAN' });
  await view
    .locator('form.send input[name="to"]')
    .fill(stack.accounts.consumer2);
  await view.locator('form.send input[name="amount"]').fill('1');
  await view.locator('form.send button[type="submit"]').click();

  const dialog = page.getByRole('dialog', { name: 'Confirm a transaction' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveAttribute('aria-modal', 'true');
  const described = await dialog.getAttribute('aria-describedby');
  expect(described).toBeTruthy();
  await expect(page.locator(`[id="${described}"]`)).toContainText('Send 1');

  // Tab goes round inside the dialog and stops on the details and on the
  // raw data's disclosure; it never leaves the dialog.
  const seen: string[] = [];
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    seen.push(await focused(page));
    expect(
      await page.evaluate(() =>
        document
          .querySelector('.jp-OceanConfirmationDialog')!
          .contains(document.activeElement)
      )
    ).toBe(true);
  }
  expect(seen).toContain('dl.rows');
  expect(seen).toContain('summary.');
  // The disclosure opens from the keyboard.
  for (let i = 0; i < 12 && (await focused(page)) !== 'summary.'; i++)
    await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(
    confirmation(page).locator('ocean-confirmation-view details')
  ).toHaveAttribute('open', '');
  await expect(confirmation(page)).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(confirmation(page)).toHaveCount(0);
});

test('price, access and wallet-state badges keep 4.5:1 contrast in the light and dark themes', async ({
  page,
  oceanLab: lab,
  stack
}) => {
  await openLab(page, lab);
  await newNotebook(page, 'python');
  await runCell(
    page,
    `from IPython.display import display\ndisplay({'application/vnd.ocean.asset+json': {'did': '${stack.samples.csv}'}}, raw=True)`
  );
  const card = page.locator('.jp-OutputArea-output ocean-asset-card');
  // The live wallet in a cell: its state is a badge of its own, not words
  // run on from the title ("Ocean wallet unlocked").
  await importWallet(page, HDNodeWallet.createRandom().mnemonic!.phrase);
  const walletCell = await startCell(page, '%ocean wallet');
  await shareAccount(page);
  await finished(walletCell);
  const wallet = walletCell.locator('.jp-OceanWalletWidget');
  await expect(wallet).toHaveAttribute('data-status', 'unlocked');
  const list = await openDiscover(page);
  const badges = {
    'card price': card.locator('.badge.price'),
    'card locked': card.locator('[data-ocean=locked]'),
    'list price': list.locator('[data-ocean=price]').first(),
    'cell wallet state': wallet.locator('.jp-OceanWalletWidget-status')
  };
  for (const theme of ['JupyterLab Light', 'JupyterLab Dark']) {
    await setTheme(page, theme);
    for (const [name, badge] of Object.entries(badges)) {
      await expect(badge).toBeVisible();
      const ratio = await contrast(badge);
      expect(
        ratio,
        `${name} in ${theme}: ${ratio.toFixed(2)}:1`
      ).toBeGreaterThanOrEqual(4.5);
    }
    // The cell's wallet is a framed box and its state a bordered badge.
    const frame = await wallet.evaluate(element => {
      const box = getComputedStyle(element);
      const badge = getComputedStyle(
        element.querySelector('.jp-OceanWalletWidget-status')!
      );
      return {
        box: parseFloat(box.borderTopWidth),
        badge: parseFloat(badge.borderTopWidth),
        badgeWeight: badge.fontWeight,
        titleWeight: getComputedStyle(
          element.querySelector('.jp-OceanWalletWidget-title')!
        ).fontWeight
      };
    });
    expect(frame.box, `wallet frame in ${theme}`).toBeGreaterThanOrEqual(1);
    expect(frame.badge, `wallet badge in ${theme}`).toBeGreaterThanOrEqual(1);
    expect(frame.badgeWeight).not.toBe(frame.titleWeight);
  }
  await setTheme(page, 'JupyterLab Light');
});

/**
 * Elements under `selector` (through shadow roots) that stick out of it
 * sideways or scroll sideways, as "tag.class (width)" lines.
 */
async function overflowing(page: Page, selector: string): Promise<string[]> {
  return page.evaluate(sel => {
    const root = document.querySelector(sel) as HTMLElement;
    const edge = root.getBoundingClientRect().right + 1;
    const out: string[] = [];
    const walk = (node: Element | ShadowRoot) => {
      for (const child of Array.from(node.children)) {
        const el = child as HTMLElement;
        const box = el.getBoundingClientRect();
        const style = getComputedStyle(el);
        const scrolls =
          /(auto|scroll)/.test(style.overflowX) &&
          el.scrollWidth > el.clientWidth + 1;
        if (
          box.width > 0 &&
          style.visibility !== 'hidden' &&
          (box.right > edge || scrolls)
        )
          out.push(
            `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} (${Math.round(box.width)} px${scrolls ? ', scrolls sideways' : ''})`
          );
        if (el.shadowRoot) walk(el.shadowRoot);
        walk(el);
      }
    };
    walk(root);
    return out;
  }, selector);
}

test('the Ocean panels fit the default 250 px sidebar with nothing sideways', async ({
  page,
  oceanLab: lab,
  stack
}) => {
  await openLab(page, lab);
  await page
    .locator('.lm-TabBar-tab[data-id="jupyterlab-ocean-panel"]')
    .click();
  const panel = page.locator('#jupyterlab-ocean-panel');
  await expect(panel).toBeVisible();
  // JupyterLab's default sidebar width (also its smallest).
  const width = await panel.evaluate(e => e.getBoundingClientRect().width);
  expect(width).toBeLessThanOrEqual(260);
  // The recovery phrase's twelve words while a wallet is created…
  const view = walletView(page);
  await view.locator('button[data-action="create"]').click();
  await expect(view.locator('.phrase')).toBeVisible();
  expect(await overflowing(page, '#jupyterlab-ocean-panel')).toEqual([]);
  await view.getByRole('button', { name: 'Cancel' }).click();
  // …and the wallet itself.
  await importWallet(page, HDNodeWallet.createRandom().mnemonic!.phrase);
  expect(await overflowing(page, '#jupyterlab-ocean-panel')).toEqual([]);

  const discover = await openDiscover(page);
  await expect(discover.locator('li').first()).toBeVisible();
  expect(await overflowing(page, '#jupyterlab-ocean-discover')).toEqual([]);
  // A sample's rows in the Discover card: every column of a row is read
  // down the sidebar ("column: value"), not one column and a sideways
  // scroll.
  await discover.locator('input[type=search]').fill('Daily weather');
  await discover.locator('input[type=search]').press('Enter');
  await discover.locator(`li[data-did="${stack.samples.csv}"] button`).click();
  const card = page.locator('#jupyterlab-ocean-discover ocean-asset-card');
  await card.locator('[data-ocean-action=sample]').click();
  const sample = card.locator('[data-ocean=sample] ocean-data-preview');
  const record = sample.locator('.records > li').first();
  await expect(record).toBeVisible();
  await expect(sample.locator('table')).toBeHidden();
  const columns = await record.locator('dt').allTextContents();
  expect(columns).toHaveLength(7);
  expect(columns.slice(0, 2)).toEqual(['date', 'station_id']);
  await record.scrollIntoViewIfNeeded();
  await page
    .locator('#jupyterlab-ocean-discover')
    .screenshot({ path: test.info().outputPath('sample-250px.png') });
  expect(await overflowing(page, '#jupyterlab-ocean-discover')).toEqual([]);

  await page.evaluate(() =>
    (window as any).jupyterapp.shell.activateById('jupyterlab-ocean-publish')
  );
  await expect(page.locator('#jupyterlab-ocean-publish')).toBeVisible();
  expect(await overflowing(page, '#jupyterlab-ocean-publish')).toEqual([]);

  // My assets with published assets in it: the account that published the
  // stack's samples (a local-network development key) lists them.
  await page.evaluate(
    async ({ key, address, password }) => {
      const app = (window as any).jupyterapp;
      const services: Map<any, string> = app.pluginRegistry._services;
      const token = [...services.keys()].find(
        t => t.name === 'jupyterlab-ocean:IWallet'
      );
      const wallet = await app.resolveRequiredService(token);
      await wallet.importKey({ privateKey: key }, password, 'Publisher');
      wallet.selectAccount(address);
    },
    {
      key: ACCOUNTS.publisher.privateKey,
      address: ACCOUNTS.publisher.address,
      password: PASSWORD
    }
  );
  await page
    .locator('#jupyterlab-ocean-publish [data-ocean-tab=manage]')
    .click();
  const assets = page.locator('#jupyterlab-ocean-publish ocean-manage-list li');
  await expect(assets.first()).toBeVisible({ timeout: 60_000 });
  await expect(assets.first().locator('[data-ocean=withdrawable]')).toBeVisible(
    { timeout: 60_000 }
  );
  await page
    .locator('#jupyterlab-ocean-publish')
    .screenshot({ path: test.info().outputPath('my-assets-250px.png') });
  expect(await overflowing(page, '#jupyterlab-ocean-publish')).toEqual([]);

  // A Discover card with access names its order: a 66-character transaction
  // hash, shortened as addresses are (it stuck out about 380 px), the whole
  // hash in its title. The publisher gets the free sample: the weather one
  // stays unordered for purchases.spec's own-asset test (one worker, one
  // stack for every spec file).
  const list = await openDiscover(page);
  await list.locator('input[type=search]').fill('Flower');
  await list.locator('input[type=search]').press('Enter');
  await list.locator(`li[data-did="${stack.samples.free}"] button`).click();
  const getAccess = card.locator('[data-ocean-action=get-access]');
  await expect(getAccess.or(card.locator('[data-ocean=access]'))).toBeVisible({
    timeout: 60_000
  });
  if (await getAccess.isVisible()) {
    await getAccess.click();
    // Its order, with the node's sign-in for the preview that follows.
    await confirmUntil(page, card.locator('[data-ocean=preview]'));
  }
  const order = card.locator('[data-ocean=order]');
  await expect(order).toHaveText(/^0x[0-9a-f]{4}…[0-9a-f]{4}$/);
  expect(await order.getAttribute('title')).toMatch(/^0x[0-9a-f]{64}$/);
  await page
    .locator('#jupyterlab-ocean-discover')
    .screenshot({ path: test.info().outputPath('access-250px.png') });
  expect(await overflowing(page, '#jupyterlab-ocean-discover')).toEqual([]);

  // My purchases lists it as My assets lists assets: no bullet's indent,
  // each label beside its value (it lost 80 px to two indents).
  await page.evaluate(() =>
    (window as any).jupyterapp.shell.activateById('jupyterlab-ocean-publish')
  );
  const purchases = page.locator(
    '#jupyterlab-ocean-publish ocean-purchase-list'
  );
  await purchases.locator('[data-ocean-action=refresh-purchases]').click();
  const bought = purchases.locator(`li[data-did="${stack.samples.free}"]`);
  await expect(bought).toHaveCount(1, { timeout: 60_000 });
  const layout = await bought.evaluate(item => {
    const left = (el: Element) => el.getBoundingClientRect().left;
    const top = (el: Element) => el.getBoundingClientRect().top;
    const date = item.querySelector('[data-ocean=date]')!;
    return {
      indent: left(item) - left(item.parentElement!),
      label: top(date) - top(date.previousElementSibling!)
    };
  });
  expect(layout.indent).toBeLessThanOrEqual(1);
  expect(Math.abs(layout.label)).toBeLessThanOrEqual(2);
  await page
    .locator('#jupyterlab-ocean-publish')
    .screenshot({ path: test.info().outputPath('purchases-250px.png') });
  expect(await overflowing(page, '#jupyterlab-ocean-publish')).toEqual([]);
});
