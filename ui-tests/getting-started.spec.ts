/**
 * The getting-started notebooks, run cell by cell as a newcomer would: on
 * the local stack, with a fresh wallet imported in the panel and every
 * share/approval given in its dialog. Python (examples/getting-started.ipynb)
 * and Deno (examples/getting-started-deno.ipynb) walk wallet → account and
 * chain → balance → send → sign → provider → node token → a sample dataset;
 * each cell must finish without an error and do what its prose says.
 */
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Contract,
  HDNodeWallet,
  JsonRpcProvider,
  parseEther,
  verifyMessage
} from 'ethers';
import type { Page } from '@playwright/test';
import {
  confirmation,
  importWallet,
  shareDialog,
  useFaucet
} from './bridge-helpers';
import { test, expect } from './fixtures';
import { openLab, waitForKernelIdle } from './helpers';

const RECIPIENT = '0x02354A1F160A3fd7ac8b02ee91F04104440B28E7';
const SIGNED = 'Hello from my first Ocean notebook';

/** The code cells of an example notebook, by index, as stored in examples/. */
function codeCells(name: string): number[] {
  const notebook = JSON.parse(
    readFileSync(
      fileURLToPath(new URL(`../examples/${name}`, import.meta.url)),
      'utf8'
    )
  );
  return notebook.cells.flatMap((cell: { cell_type: string }, i: number) =>
    cell.cell_type === 'code' ? [i] : []
  );
}

/**
 * Runs the given code cells of the open notebook in order, answering the
 * share and confirmation dialogs as they come; resolves with each cell's
 * output text.
 */
async function walkThrough(page: Page, cells: number[]): Promise<string[]> {
  const notebook = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const outputs: string[] = [];
  for (const index of cells) {
    // By index in the notebook's windowed list: cells far below the fold
    // are rendered only once scrolled to.
    await page.evaluate(async i => {
      const notebook = (window as any).jupyterapp.shell.currentWidget.content;
      notebook.activeCellIndex = i;
      await notebook.scrollToItem(i);
      void (window as any).jupyterapp.commands.execute('notebook:run-cell');
    }, index);
    const cell = notebook.locator(
      `.jp-Cell[data-windowed-list-index="${index}"]`
    );
    const done = cell
      .locator('.jp-InputArea-prompt')
      .filter({ hasText: /\[\d+\]/ });
    // Loading a dataset asks for several confirmations in a row (allow,
    // buy, order, node sign-in): answer each as it appears.
    await expect(async () => {
      if (await shareDialog(page).isVisible())
        await shareDialog(page)
          .getByRole('button', { name: 'Share account' })
          .click({ timeout: 5_000 });
      if (await confirmation(page).isVisible())
        await confirmation(page)
          .locator('button.jp-OceanConfirmation-confirm')
          .click({ timeout: 5_000 });
      expect(await done.isVisible()).toBe(true);
    }).toPass({ timeout: 180_000, intervals: [250] });
    const text = (
      await cell.locator('.jp-OutputArea-output').allInnerTexts()
    ).join('\n');
    // No traceback, no error output in any cell.
    await expect(
      cell.locator('.jp-OutputArea-output[data-mime-type*="error"]')
    ).toHaveCount(0);
    expect(text).not.toMatch(/Traceback|OceanBridgeError|Error:/);
    outputs.push(text);
  }
  return outputs;
}

async function openExample(page: Page, rootDir: string, name: string) {
  copyFileSync(
    fileURLToPath(new URL(`../examples/${name}`, import.meta.url)),
    join(rootDir, name)
  );
  await page.evaluate(
    path =>
      (window as any).jupyterapp.commands.execute('docmanager:open', { path }),
    name
  );
  await expect(
    page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current', {
      hasText: name
    })
  ).toBeVisible();
  // The whole notebook is in the model before the first cell runs.
  await page.waitForFunction(
    count =>
      (window as any).jupyterapp.shell.currentWidget?.content?.model?.cells
        ?.length === count,
    JSON.parse(readFileSync(join(rootDir, name), 'utf8')).cells.length
  );
  await waitForKernelIdle(page);
}

test('getting-started notebooks: wallet, balance, send from Python and Deno', async ({
  page,
  oceanLab: lab,
  stack
}) => {
  test.setTimeout(600_000);
  const chain = new JsonRpcProvider(stack.rpcUrl, undefined, {
    staticNetwork: true,
    cacheTimeout: -1
  });
  const { development } = JSON.parse(readFileSync(stack.addressFile, 'utf8'));
  const ocean = new Contract(
    development.Ocean,
    ['function balanceOf(address) view returns (uint256)'],
    chain
  );
  await openLab(page, lab);
  const me = await importWallet(
    page,
    HDNodeWallet.createRandom().mnemonic!.phrase
  );
  await useFaucet(page);

  for (const [name, kernel] of [
    ['getting-started.ipynb', 'python'],
    ['getting-started-deno.ipynb', 'deno']
  ] as const) {
    const eth = await chain.getBalance(RECIPIENT);
    const oceans: bigint = await ocean.balanceOf(RECIPIENT);
    await openExample(page, lab.rootDir, name);
    const cells = await walkThrough(page, codeCells(name));
    const outputs = cells.join('\n----\n');
    // The widget shows the shared account, live.
    await expect(
      page
        .locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OceanWalletWidget')
        .first()
        .locator('[data-field="account"]')
    ).toContainText(me);
    expect(outputs, kernel).toContain(me);
    expect(outputs, kernel).toMatch(/chain 8996/);
    expect(outputs, kernel).toMatch(/\s+OCEAN/);
    expect(outputs, kernel).toMatch(
      /transaction 0x[0-9a-f]{64} status 1[\s\S]*transaction 0x[0-9a-f]{64} status 1/
    );
    // The signature in the output is the account's, over the notebook's text.
    const signature = /0x[0-9a-f]{130}/.exec(outputs)?.[0];
    expect(signature, kernel).toBeTruthy();
    expect(verifyMessage(SIGNED, signature!).toLowerCase()).toBe(
      me.toLowerCase()
    );
    expect(outputs, kernel).toContain('the node answered 200');
    // The sample dataset: found, bought (Python) or reused (Deno), loaded.
    expect(outputs, kernel).toContain('2 OCEAN');
    expect(outputs, kernel).toMatch(
      kernel === 'python'
        ? /station_id/
        : /1460 rows, columns: date, station_id/
    );
    expect((await chain.getBalance(RECIPIENT)) - eth).toBe(parseEther('0.01'));
    expect((await ocean.balanceOf(RECIPIENT)) - oceans).toBe(parseEther('1'));
  }
});
