/**
 * The example notebook examples/publish-and-compute.ipynb, run as a person would on the local
 * stack: a wallet made from a recovery phrase in the Ocean panel with test coins, then every
 * code cell in order, each wallet dialog confirmed, and the panel steps its markdown asks for
 * (Add account + Get test coins, then switching between the first and second account) done
 * where it asks for them. No cell may end with an error; the key results are checked: the
 * asset DID printed, the second account loading the table it bought, the compute-only data
 * refused, the job's summary as a DataFrame, and one Ocean Node token for the job's results.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HDNodeWallet } from 'ethers';
import type { Page } from '@playwright/test';
import { test, expect, type IStackInfo } from './fixtures';
import { openLab, waitForKernelIdle } from './helpers';
import { deepText, importWallet, walletView } from './bridge-helpers';
import { runCellAt } from './notebook-runner';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const NOTEBOOK = join(ROOT, 'examples', 'publish-and-compute.ipynb');
const FOLDER = `example-${Math.random().toString(36).slice(2, 7)}`;

interface ICell {
  cell_type: string;
  source: string | string[];
}

const text = (cell: ICell) =>
  Array.isArray(cell.source) ? cell.source.join('') : cell.source;

/** What the notebook's markdown asks the person to do in the Ocean panel. */
const PANEL_STEPS = {
  addAccount: /press \*\*Add account\*\*.*\*\*Get test coins\*\*/s,
  firstAccount: /pick the \*\*first account\*\*/,
  secondAccount: /pick the \*\*second account\*\*/
} as const;

async function nativeBalance(stack: IStackInfo, address: string) {
  const response = await fetch(stack.rpcUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'eth_getBalance',
      params: [address, 'latest']
    })
  });
  return BigInt((await response.json()).result);
}

/** Presses Get test coins and waits until the coins are on the chain. */
async function getTestCoins(page: Page, stack: IStackInfo, address: string) {
  await walletView(page).locator('button[data-action="faucet"]').click();
  await expect
    .poll(() => nativeBalance(stack, address), { timeout: 60_000 })
    .toBeGreaterThan(0n);
}

async function selectInPanel(page: Page, address: string) {
  const view = walletView(page);
  await view.locator('select.account').selectOption(address);
  await expect(view.locator('.address')).toHaveText(address);
}

// Twice: each dialog answered on its own, and with the notebook grant its
// first dialog offers ticked (issue 17), which the later requests of the
// cell fall under. Each run's annotation gives the dialogs per code cell.
for (const grants of [false, true])
  test(`examples/publish-and-compute.ipynb runs top to bottom on the local stack${grants ? ', with notebook grants' : ''}`, async ({
    page,
    oceanLab,
    stack
  }, testInfo) => {
    test.setTimeout(900_000);
    // Each run in a folder of its own: the two share the worker's lab.
    const folder = `${FOLDER}-${grants ? 'grants' : 'plain'}`;
    const notebook = JSON.parse(readFileSync(NOTEBOOK, 'utf8')) as {
      cells: ICell[];
    };
    // The steps the test does in the panel are the ones the notebook tells people to do.
    for (const step of Object.values(PANEL_STEPS))
      expect(
        notebook.cells.filter(
          cell => cell.cell_type === 'markdown' && step.test(text(cell))
        )
      ).toHaveLength(1);
    mkdirSync(join(oceanLab.rootDir, folder));
    writeFileSync(
      join(oceanLab.rootDir, folder, 'publish-and-compute.ipynb'),
      readFileSync(NOTEBOOK)
    );

    // "Create a wallet (or Import a recovery phrase) and press Get test coins."
    await openLab(page, oceanLab);
    const phrase = HDNodeWallet.createRandom().mnemonic!.phrase;
    const publisher = await importWallet(page, phrase);
    await getTestCoins(page, stack, publisher);
    const buyer = HDNodeWallet.fromPhrase(
      phrase,
      undefined,
      "m/44'/60'/0'/0/1"
    ).address;

    await page.evaluate(async path => {
      await (window as any).jupyterapp.commands.execute('docmanager:open', {
        path,
        factory: 'Notebook',
        kernel: { name: 'python3' }
      });
    }, `${folder}/publish-and-compute.ipynb`);
    await waitForKernelIdle(page);

    const outputs: string[] = [];
    const dialogsByCell: string[][] = [];
    let pendingStep: keyof typeof PANEL_STEPS | null = null;
    for (const [index, cell] of notebook.cells.entries()) {
      if (cell.cell_type === 'markdown') {
        for (const [name, pattern] of Object.entries(PANEL_STEPS))
          if (pattern.test(text(cell)))
            pendingStep = name as keyof typeof PANEL_STEPS;
        continue;
      }
      if (pendingStep === 'addAccount') {
        await walletView(page)
          .locator('button[data-action="add-account"]')
          .click();
        await expect(walletView(page).locator('.address')).toHaveText(buyer, {
          timeout: 30_000
        });
        await getTestCoins(page, stack, buyer);
      } else if (pendingStep === 'firstAccount') {
        await selectInPanel(page, publisher);
      } else if (pendingStep === 'secondAccount') {
        await selectInPanel(page, buyer);
      }
      pendingStep = null;
      const run = await runCellAt(page, index, 300_000, { grant: grants });
      const errors = run.cell.locator(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
      );
      // With the components' shadow roots: asset cards render there.
      const output = await deepText(run.cell.locator('.jp-OutputArea'));
      expect(
        await errors.count(),
        `cell ${index} ended with an error:\n${text(cell)}\n---\n${output}`
      ).toBe(0);
      outputs[index] = output;
      dialogsByCell[index] = run.dialogs;
    }
    testInfo.annotations.push({
      type: `wallet confirmations per code cell${grants ? ' (notebook grants)' : ''}`,
      description: dialogsByCell
        .map((dialogs, index) => (dialogs ? `${index}: ${dialogs.length}` : ''))
        .filter(Boolean)
        .join(', ')
    });

    // What each cell's dialogs said, for the counts' note.
    await testInfo.attach('wallet dialogs per code cell', {
      body: JSON.stringify(dialogsByCell, null, 1),
      contentType: 'application/json'
    });
    const codeIndex = (needle: string) =>
      notebook.cells.findIndex(
        cell => cell.cell_type === 'code' && text(cell).includes(needle)
      );
    // The first cell shared the publisher's account; the second account is the HD account 1.
    expect(outputs[codeIndex('publisher = %ocean account')]).toContain(
      publisher
    );
    expect(outputs[codeIndex('buyer = %ocean account')]).toContain(buyer);

    // Published: the asset's card in the cell shows its DID; the node indexed it for the
    // publisher, priced 2 OCEAN, and the DataFrame copy for free.
    const ddoOf = async (output: string) => {
      const did = /did:op:[0-9a-f]{64}/.exec(output)?.[0];
      expect(did, output).toBeTruthy();
      return (
        await fetch(`${stack.nodeUrl}/api/aquarius/assets/ddo/${did}`)
      ).json();
    };
    const asset = await ddoOf(outputs[codeIndex('%ocean publish harvest.csv')]);
    expect(asset.metadata.name).toBe('Orchard harvest 2025');
    expect(asset.indexedMetadata.nft.owner.toLowerCase()).toBe(
      publisher.toLowerCase()
    );
    expect(Number(asset.indexedMetadata.stats[0].prices[0].price)).toBe(2);
    const copy = await ddoOf(
      outputs[codeIndex('%ocean publish harvest --name')]
    );
    expect(copy.metadata.name).toBe('Orchard harvest 2025 (free copy)');
    expect(copy.indexedMetadata.stats[0].prices[0].type).toBe('dispenser');

    // The second account bought it (its own order on chain) and loaded the rows.
    const loadIndex = codeIndex('df = %ocean load $did');
    expect(outputs[loadIndex]).toContain('Jonagold');
    expect(outputs[loadIndex]).toContain('1520');
    expect(
      dialogsByCell[loadIndex].some(dialog => /buy|exchange/i.test(dialog))
    ).toBe(true);
    // One dialog for the buy and load (README's table): approve, buy and
    // order in one batch that also names the node sign-in for the download.
    if (!grants)
      expect(
        dialogsByCell[loadIndex],
        'dialogs of the buy + load'
      ).toHaveLength(1);
    expect(
      readFileSync(
        join(oceanLab.rootDir, folder, 'ocean-data', 'harvest.csv'),
        'utf8'
      )
    ).toContain('North,Elstar,1520');

    // Compute only: the publisher's own download is refused, with the node's reason.
    expect(outputs[codeIndex('%ocean load $private_did')]).toMatch(
      /Refused: .*compute-to-data only/
    );

    // The job: the summary came back as a DataFrame, per greenhouse.
    const jobIndex = codeIndex('summary = %ocean compute');
    expect(outputs[jobIndex]).toMatch(/greenhouse rows mean_temperature_c/);
    expect(outputs[jobIndex]).toMatch(/0 north 48 21 70 550/);
    expect(outputs[jobIndex]).toMatch(/1 south 48 22 70 550/);
    // Payment and orders, the signed start, and one token for logs and results: no signature
    // per log stream or result file. The buyer's node token is one for the page (issue 16
    // item 11): the load's sign-in, minutes earlier, also serves the job, so the load and
    // the job ask for at most one between them.
    const jobDialogs = dialogsByCell[jobIndex];
    const isSignIn = (dialog: string) => dialog.includes('createAuthToken');
    const tokenDialogs = jobDialogs.filter(isSignIn);
    // Under a grant the sign-in may be signed without asking.
    expect(
      tokenDialogs.length + dialogsByCell[loadIndex].filter(isSignIn).length
    ).toBeLessThanOrEqual(1);
    if (tokenDialogs.length)
      expect(tokenDialogs[0]).toContain('valid 30 minutes');
    expect(
      jobDialogs.filter(dialog =>
        /getComputeResult|getComputeStreamableLogs/.test(dialog)
      )
    ).toHaveLength(0);

    if (grants) {
      // Issue 17's counts: a publish from a cell, a buy + load and a compute
      // job with its logs and results, each under the grant its first dialog
      // offered.
      for (const needle of [
        '%ocean publish harvest.csv',
        '%ocean publish harvest --name',
        'df = %ocean load $did'
      ])
        expect(
          dialogsByCell[codeIndex(needle)].length,
          needle
        ).toBeLessThanOrEqual(1);
      expect(dialogsByCell[jobIndex].length).toBeLessThanOrEqual(2);
    }

    // The untrusted algorithm is refused by the node, in words.
    expect(outputs[codeIndex('untrusted = ')]).toMatch(
      /Refused: .*not allowed/
    );
  });
