/**
 * Steps the kernel bridge UI tests share: the real wallet imported in the
 * Ocean panel, notebooks on real kernels, cells started without waiting (a
 * cell that asks the wallet blocks until the dialog is answered).
 */
import { HDNodeWallet } from 'ethers';
import type { Locator, Page } from '@playwright/test';
import { expect } from './fixtures';
import { KERNELS, waitForKernelIdle } from './helpers';

export const PASSWORD = 'kernel-bridge-test';

export function walletView(page: Page): Locator {
  return page.locator('#jupyterlab-ocean-panel ocean-wallet-view');
}

/** Imports `phrase` in the Ocean panel; resolves with its first address. */
export async function importWallet(
  page: Page,
  phrase: string
): Promise<string> {
  const tab = page.locator('.lm-TabBar-tab[data-id="jupyterlab-ocean-panel"]');
  if (!(await walletView(page).isVisible())) await tab.click();
  const view = walletView(page);
  await view.locator('button[data-action="import"]').click();
  await view
    .locator('form.import select[name="kind"]')
    .selectOption('mnemonic');
  await view.locator('form.import textarea[name="secret"]').fill(phrase);
  await view.locator('form.import input[name="password"]').fill(PASSWORD);
  await view.locator('form.import input[name="repeat"]').fill(PASSWORD);
  await view.locator('form.import button[type="submit"]').click();
  const address = HDNodeWallet.fromPhrase(phrase).address;
  await expect(view.locator('.address')).toHaveText(address, {
    timeout: 60_000
  });
  return address;
}

/** Presses Faucet in the panel and waits for the test coins. */
export async function useFaucet(page: Page): Promise<void> {
  const view = walletView(page);
  await view.locator('button[data-action="faucet"]').click();
  await expect(view.locator('.notice')).toContainText('The faucet sent', {
    timeout: 60_000
  });
}

export async function openNotebook(
  page: Page,
  kernel: keyof typeof KERNELS
): Promise<void> {
  await page.evaluate(() => {
    void (window as any).jupyterapp.commands.execute('launcher:create');
  });
  await page
    .locator(
      `.jp-LauncherCard[data-category="Notebook"][title="${KERNELS[kernel]}"]`
    )
    .last()
    .click();
  await waitForKernelIdle(page);
}

/** Types `source` in a new cell at the end and runs it without waiting. */
export async function startCell(page: Page, source: string): Promise<Locator> {
  const notebook = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const count = await notebook.locator('.jp-Cell').count();
  let index = count - 1;
  const last = notebook.locator('.jp-Cell').nth(index);
  const empty = (await last.locator('.cm-content').innerText()).trim() === '';
  if (!empty) {
    await page.evaluate(() =>
      (window as any).jupyterapp.commands.execute('notebook:insert-cell-below')
    );
    index = count;
  }
  const cell = notebook.locator('.jp-Cell').nth(index);
  await cell.locator('.cm-content').click();
  // Through the model: typing would let the editor auto-indent lines.
  await page.evaluate(text => {
    (
      window as any
    ).jupyterapp.shell.currentWidget.content.activeCell.model.sharedModel.setSource(
      text
    );
  }, source);
  await page.keyboard.press('ControlOrMeta+Enter');
  return cell;
}

/** Waits for the cell to finish; resolves with the text of its outputs. */
export async function finished(cell: Locator): Promise<string> {
  await expect(cell.locator('.jp-InputArea-prompt')).toHaveText(/\[\d+\]/, {
    timeout: 120_000
  });
  return (await cell.locator('.jp-OutputArea-output').allInnerTexts()).join(
    '\n'
  );
}

export async function run(page: Page, source: string): Promise<string> {
  return finished(await startCell(page, source));
}

export function confirmation(page: Page): Locator {
  return page.locator('.jp-OceanConfirmationDialog');
}

export function shareDialog(page: Page): Locator {
  return page.locator('.jp-Dialog:has(.jp-OceanShareAccount)');
}

export async function approve(page: Page): Promise<void> {
  await expect(confirmation(page)).toBeVisible();
  await confirmation(page)
    .locator('button.jp-OceanConfirmation-confirm')
    .click();
  await expect(confirmation(page)).toHaveCount(0);
}

export async function shareAccount(page: Page): Promise<void> {
  await expect(shareDialog(page)).toBeVisible();
  await shareDialog(page)
    .getByRole('button', { name: 'Share account' })
    .click();
}
