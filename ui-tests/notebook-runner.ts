/**
 * Runs the example notebooks the way a newcomer does: open the file from
 * examples/, run each code cell in order, and answer the wallet whenever it
 * asks (share the account, confirm each request).
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from '@playwright/test';
import { cellEnded, confirmUntil } from './bridge-helpers';
import { expect } from './fixtures';
import { waitForKernelIdle } from './helpers';

/** The open notebook's cells. */
export function notebookCells(page: Page): Locator {
  return page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell');
}

/** Copies examples/`name` into the lab's root, opens it, waits for its kernel. */
export async function openExample(
  page: Page,
  rootDir: string,
  name: string
): Promise<void> {
  copyFileSync(
    fileURLToPath(new URL(`../examples/${name}`, import.meta.url)),
    join(rootDir, name)
  );
  // The command resolves with the widget, which cannot cross to the test.
  await page.evaluate(async path => {
    await (window as any).jupyterapp.commands.execute('docmanager:open', {
      path
    });
  }, name);
  // The whole notebook is in the model before the first cell runs.
  await page.waitForFunction(
    count =>
      (window as any).jupyterapp.shell.currentWidget?.content?.model?.cells
        ?.length === count,
    JSON.parse(readFileSync(join(rootDir, name), 'utf8')).cells.length
  );
  await waitForKernelIdle(page);
}

export interface ICellRun {
  cell: Locator;
  /** The cell's outputs as text. */
  text: string;
  /** The confirmation dialogs approved while it ran. */
  dialogs: string[];
}

/**
 * Runs code cell `index` of the open notebook, answering the wallet (every
 * confirmation confirmed, the account shared when asked) until the cell ends.
 */
export async function runCellAt(
  page: Page,
  index: number,
  timeoutMs = 180_000,
  { grant = false }: { grant?: boolean } = {}
): Promise<{ cell: Locator; dialogs: string[] }> {
  const cell = notebookCells(page).and(
    page.locator(`[data-windowed-list-index="${index}"]`)
  );
  // Not awaited in the page: the command resolves only when the cell ends,
  // and the cell may be waiting for the dialogs answered below.
  await page.evaluate(async i => {
    const app = (window as any).jupyterapp;
    const notebook = app.shell.currentWidget.content;
    notebook.activeCellIndex = i;
    // Cells far below the fold are rendered only once scrolled to.
    await notebook.scrollToItem(i);
    void app.commands.execute('notebook:run-cell');
  }, index);
  const dialogs = await confirmUntil(page, cellEnded(cell), timeoutMs, {
    share: true,
    grant
  });
  return { cell, dialogs };
}

/**
 * runCellAt, and checks that the cell ended without an error output.
 */
export async function runExampleCell(
  page: Page,
  index: number
): Promise<ICellRun> {
  const { cell, dialogs } = await runCellAt(page, index);
  const text = (
    await cell.locator('.jp-OutputArea-output').allInnerTexts()
  ).join('\n');
  await expect(
    cell.locator('.jp-OutputArea-output[data-mime-type*="error"]'),
    `cell ${index} ends without an error`
  ).toHaveCount(0);
  expect(text, `cell ${index} ends without an error`).not.toMatch(
    /Traceback|OceanBridgeError|Error:/
  );
  return { cell, text, dialogs };
}

/** Indices of the open notebook's code cells. */
export async function codeCellIndices(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const app = (window as any).jupyterapp;
    const cells = app.shell.currentWidget.content.model.cells;
    const indices: number[] = [];
    for (let i = 0; i < cells.length; i++)
      if (cells.get(i).type === 'code') indices.push(i);
    return indices;
  });
}
