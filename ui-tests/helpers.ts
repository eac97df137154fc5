/**
 * Small steps every UI test needs: open the lab, open a notebook on a kernel,
 * run a cell and read its output.
 */
import { expect, type Page } from '@playwright/test';
import type { ILab } from './fixtures';

export const KERNELS = {
  python: 'Python 3 (ipykernel)',
  deno: 'Deno'
} as const;

/** Opens the lab and waits until the app has started and restored its layout. */
export async function openLab(page: Page, lab: ILab): Promise<void> {
  await page.goto(lab.url);
  await page.waitForFunction(
    () => (window as any).jupyterapp?.started !== undefined,
    undefined,
    { timeout: 60_000 }
  );
  await page.evaluate(async () => {
    const app = (window as any).jupyterapp;
    await app.started;
    await app.restored;
  });
}

/** Opens a new launcher tab (there may be none after a reload). */
export async function openLauncher(page: Page): Promise<void> {
  // Returns nothing: the launcher widget cannot be serialised back to Node.
  await page.evaluate(async () => {
    await (window as any).jupyterapp.commands.execute('launcher:create');
  });
}

/** Creates a notebook on `kernel` from the launcher and waits for an idle kernel. */
export async function newNotebook(
  page: Page,
  kernel: keyof typeof KERNELS
): Promise<void> {
  await openLauncher(page);
  await page
    .locator(
      `.jp-LauncherCard[data-category="Notebook"][title="${KERNELS[kernel]}"]`
    )
    .last()
    .click();
  await waitForKernelIdle(page);
}

/** Waits until the current notebook's kernel is connected and idle. */
export async function waitForKernelIdle(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const widget = (window as any).jupyterapp.shell.currentWidget;
      const kernel = widget?.sessionContext?.session?.kernel;
      return (
        kernel?.connectionStatus === 'connected' && kernel?.status === 'idle'
      );
    },
    undefined,
    { timeout: 60_000 }
  );
}

/**
 * Types `source` into the active cell of the current notebook, runs it and
 * returns the text of its outputs once it has finished.
 */
export async function runCell(page: Page, source: string): Promise<string> {
  const notebook = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const index = await page.evaluate(
    () => (window as any).jupyterapp.shell.currentWidget.content.activeCellIndex
  );
  const cell = notebook.locator('.jp-Cell').nth(index);
  await cell.locator('.cm-content').click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText(source);
  await page.keyboard.press('Shift+Enter');
  // The prompt shows an execution count once the kernel has finished the cell.
  await expect(cell.locator('.jp-InputArea-prompt')).toHaveText(/\[\d+\]/, {
    timeout: 120_000
  });
  return (await cell.locator('.jp-OutputArea-output').allInnerTexts()).join(
    '\n'
  );
}

/** Saves the current document through the app's command. */
export async function save(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await (window as any).jupyterapp.commands.execute('docmanager:save');
  });
}
