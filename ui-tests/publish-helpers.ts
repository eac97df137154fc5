/**
 * Steps the publish and compute UI tests share: two funded accounts in the built-in wallet
 * (a publisher and a buyer, fresh keys each run), switching between them, and the Publish
 * tab. Wallet dialogs are answered by confirmUntil in bridge-helpers.ts.
 */
import { Wallet } from 'ethers';
import type { Locator, Page } from '@playwright/test';
import { expect, type IStackInfo } from './fixtures';

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
