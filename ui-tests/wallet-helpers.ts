/**
 * Wallet steps other UI tests need: put a known key into the built-in
 * wallet through the panel, and answer the confirmation dialog.
 *
 *   await importWallet(page, DEV_PRIVATE_KEY);         // unlocked, selected
 *   await confirmDialog(page, /Buy 1 datatoken/);       // or rejectDialog(page)
 */
import { expect, type Page } from '@playwright/test';
import { confirmation, walletView } from './bridge-helpers';

export const TEST_WALLET_PASSWORD = 'jupyter-ocean-test';

/** Shows the Ocean panel (a tab click would hide it if already shown). */
export async function openWalletPanel(page: Page): Promise<void> {
  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('ocean:open-panel')
  );
  await expect(walletView(page)).toBeVisible();
}

/**
 * Imports `privateKey` as the browser's first wallet (fresh browser context)
 * and waits until it is unlocked and selected. One scrypt encryption: a few
 * seconds on these machines.
 */
export async function importWallet(
  page: Page,
  privateKey: string,
  password = TEST_WALLET_PASSWORD
): Promise<void> {
  await openWalletPanel(page);
  const view = walletView(page);
  await view.locator('button[data-action="import"]').click();
  await view
    .locator('form.import select[name="kind"]')
    .selectOption('privateKey');
  await view.locator('form.import textarea[name="secret"]').fill(privateKey);
  await view.locator('form.import input[name="password"]').fill(password);
  const repeat = view.locator('form.import input[name="repeat"]');
  if (await repeat.count()) await repeat.fill(password);
  await view.locator('form.import button[type="submit"]').click();
  await expect(view.locator('.address')).toHaveText(/^0x[0-9a-fA-F]{40}$/, {
    timeout: 60_000
  });
}

/** Waits for the dialog, checks its text if asked, and confirms. */
export async function confirmDialog(
  page: Page,
  expected?: string | RegExp
): Promise<void> {
  const dialog = confirmation(page);
  await expect(dialog).toBeVisible({ timeout: 60_000 });
  if (expected) await expect(dialog).toContainText(expected);
  await dialog.locator('button.jp-OceanConfirmation-confirm').click();
  await expect(dialog).toHaveCount(0);
}

/** Waits for the dialog and refuses it with Escape. */
export async function rejectDialog(page: Page): Promise<void> {
  await expect(confirmation(page)).toBeVisible({ timeout: 60_000 });
  await page.keyboard.press('Escape');
  await expect(confirmation(page)).toHaveCount(0);
}
