/**
 * Steps the publish and compute UI tests share: two funded accounts in the built-in wallet
 * (a publisher and a buyer, fresh keys each run), switching between them, confirming wallet
 * dialogs, and the Publish tab.
 */
import { Wallet } from 'ethers';
import type { Locator, Page } from '@playwright/test';
import { expect, type IStackInfo } from './fixtures';
import { finished, shareDialog, startCell } from './bridge-helpers';

export const PASSWORD = 'ocean-publish-test';

export interface ITestAccounts {
  publisher: Wallet;
  buyer: Wallet;
}

export function newAccounts(): ITestAccounts {
  return {
    publisher: Wallet.createRandom() as unknown as Wallet,
    buyer: Wallet.createRandom() as unknown as Wallet
  };
}

/** Test ETH and OCEAN from the stack's faucet (what the panel's "Get test coins" does). */
export async function fund(stack: IStackInfo, address: string): Promise<void> {
  // stack.json names the faucet's endpoint or its base URL.
  const base = stack.faucetUrl.replace(/\/+$/, '');
  const url = /\/faucet$/.test(base) ? base : `${base}/faucet`;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ address })
  });
  expect(response.ok, await response.text()).toBe(true);
}

/**
 * Imports both keys into the browser's wallet (through the wallet plugin's own import, which
 * encrypts them in IndexedDB) and selects the publisher. Keys come from this test only.
 */
export async function setUpAccounts(
  page: Page,
  accounts: ITestAccounts
): Promise<void> {
  await page.evaluate(
    async ({ keys, password }) => {
      const app = (window as any).jupyterapp;
      const services: Map<any, string> = app.pluginRegistry._services;
      const token = [...services.keys()].find(
        t => t.name === 'jupyterlab-ocean:IWallet'
      );
      const wallet = await app.resolveRequiredService(token);
      if (wallet.state.status === 'locked') await wallet.unlock(password);
      const known = (address: string) =>
        wallet.state.accounts.some(
          (account: any) =>
            account.address.toLowerCase() === address.toLowerCase()
        );
      for (const key of keys)
        if (!known(key.address))
          await wallet.importKey(
            { privateKey: key.privateKey },
            password,
            key.name
          );
      wallet.selectAccount(keys[0].address);
    },
    {
      keys: [
        {
          name: 'Publisher',
          address: accounts.publisher.address,
          privateKey: accounts.publisher.privateKey
        },
        {
          name: 'Buyer',
          address: accounts.buyer.address,
          privateKey: accounts.buyer.privateKey
        }
      ],
      password: PASSWORD
    }
  );
}

export async function selectAccount(page: Page, address: string) {
  await page.evaluate(async address => {
    const app = (window as any).jupyterapp;
    const services: Map<any, string> = app.pluginRegistry._services;
    const token = [...services.keys()].find(
      t => t.name === 'jupyterlab-ocean:IWallet'
    );
    const wallet = await app.resolveRequiredService(token);
    wallet.selectAccount(address);
  }, address);
}

/** Text of an element including its components' shadow roots. */
export async function deepText(locator: Locator): Promise<string> {
  return locator.first().evaluate(root => {
    const parts: string[] = [];
    const walk = (node: Node) => {
      if (node.nodeType === Node.TEXT_NODE) parts.push(node.textContent ?? '');
      const shadow = (node as Element).shadowRoot;
      if (shadow) shadow.childNodes.forEach(walk);
      node.childNodes.forEach(walk);
    };
    walk(root);
    return parts.join(' ').replace(/\s+/g, ' ');
  });
}

export function dialog(page: Page): Locator {
  return page.locator('.jp-OceanConfirmationDialog');
}

/**
 * Confirms every wallet dialog until `done` is visible; returns the text of each dialog
 * confirmed (so tests can say who asked and for what). With `share`, also shares the
 * account when a kernel asks for it.
 */
export async function confirmUntil(
  page: Page,
  done: Locator,
  timeoutMs = 180_000,
  { share = false }: { share?: boolean } = {}
): Promise<string[]> {
  const seen: string[] = [];
  const deadline = Date.now() + timeoutMs;
  const shareButton = shareDialog(page).getByRole('button', {
    name: 'Share account'
  });
  while (!(await done.first().isVisible())) {
    if (Date.now() > deadline)
      throw new Error(
        `Timed out confirming wallet dialogs (${seen.length} confirmed).`
      );
    const confirm = dialog(page).locator('button.jp-OceanConfirmation-confirm');
    if (await confirm.isVisible()) {
      // Let the dialog finish describing the request before reading it.
      await page.waitForTimeout(100);
      seen.push(await deepText(dialog(page)));
      await confirm.click();
      await expect(dialog(page))
        .toHaveCount(0, { timeout: 10_000 })
        .catch(() => undefined);
    } else if (share && (await shareButton.isVisible())) {
      await shareButton.click();
    } else {
      await page.waitForTimeout(150);
    }
  }
  return seen;
}

/** The input prompt of `cell` once the cell has ended (`[n]:`). */
export function cellEnded(cell: Locator): Locator {
  return cell.locator('.jp-InputArea-prompt').filter({ hasText: /\[\d+\]/ });
}

/** The Publish sidebar tab, opened through its command. */
export async function openPublish(page: Page): Promise<Locator> {
  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('ocean:publish')
  );
  const panel = page.locator('#jupyterlab-ocean-publish');
  await expect(panel).toBeVisible();
  return panel;
}

export async function ddo(stack: IStackInfo, did: string): Promise<any> {
  return (
    await fetch(`${stack.nodeUrl}/api/aquarius/assets/ddo/${did}`)
  ).json();
}

/**
 * Runs `source` in a new cell at the end of the current notebook, confirming every wallet
 * dialog (and sharing the account when the kernel asks) until the cell ends.
 */
export async function runConfirming(
  page: Page,
  source: string
): Promise<{ output: string; dialogs: string[] }> {
  const cell = await startCell(page, source);
  const dialogs = await confirmUntil(page, cellEnded(cell), 300_000, {
    share: true
  });
  return { output: await finished(cell), dialogs };
}
