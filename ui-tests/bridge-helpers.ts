/**
 * Steps the UI tests share: the real wallet imported in the Ocean panel,
 * cells started without waiting (a cell that asks the wallet blocks until
 * the dialog is answered), and the one loop that answers wallet dialogs.
 */
import { HDNodeWallet, JsonRpcProvider } from 'ethers';
import type { Locator, Page } from '@playwright/test';
import { expect, type IStackInfo } from './fixtures';

export const PASSWORD = 'kernel-bridge-test';

/**
 * The stack's chain, read by the test itself (balances, receipts) to check
 * what the wallet and kernels did: no caching, as a transaction lands
 * between two reads.
 */
export function stackChain(stack: IStackInfo): JsonRpcProvider {
  return new JsonRpcProvider(stack.rpcUrl, stack.chainId, {
    staticNetwork: true,
    cacheTimeout: -1
  });
}

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

/** The input prompt of `cell` once the cell has ended (`[n]:`). */
export function cellEnded(cell: Locator): Locator {
  return cell.locator('.jp-InputArea-prompt').filter({ hasText: /\[\d+\]/ });
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

/**
 * Confirms every wallet dialog until `done` holds (a locator that becomes
 * visible, or a condition); returns the text of each dialog confirmed, so
 * tests can say who asked and for what. A dialog for a transaction that would
 * fail (no Confirm) is read and closed, its text among the others. With `share`, also shares the
 * account when a kernel asks for it. The one loop every UI test answers the
 * wallet with.
 */
export async function confirmUntil(
  page: Page,
  done: Locator | (() => Promise<boolean>),
  timeoutMs = 180_000,
  {
    share = false,
    grant = false
  }: {
    share?: boolean;
    /** Tick a dialog's notebook-grant offer (issue 17) before confirming. */
    grant?: boolean;
  } = {}
): Promise<string[]> {
  const seen: string[] = [];
  const deadline = Date.now() + timeoutMs;
  const isDone =
    typeof done === 'function' ? done : () => done.first().isVisible();
  const confirm = confirmation(page).locator(
    'button.jp-OceanConfirmation-confirm'
  );
  const blocked = page.locator('.jp-OceanConfirmationDialog[data-blocked]');
  const shareButton = shareDialog(page).getByRole('button', {
    name: 'Share account'
  });
  while (!(await isDone())) {
    if (Date.now() > deadline)
      throw new Error(
        `Timed out confirming wallet dialogs (${seen.length} confirmed).`
      );
    if (await blocked.isVisible()) {
      // A transaction that would fail has nothing to confirm: its dialog is
      // read and closed, and the flow gets the revert.
      seen.push(await deepText(blocked));
      await blocked.locator('button.jp-OceanConfirmation-reject').click();
      await expect(blocked)
        .toHaveCount(0, { timeout: 10_000 })
        .catch(() => undefined);
    } else if (await confirm.isVisible()) {
      // Let the dialog finish describing the request before reading it.
      await page.waitForTimeout(100);
      seen.push(await deepText(confirmation(page)));
      const tick = confirmation(page).locator('.jp-OceanGrantOffer-tick');
      if (grant && (await tick.isVisible()) && !(await tick.isChecked())) {
        await tick.check();
      }
      await confirm.click();
      await expect(confirmation(page))
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
