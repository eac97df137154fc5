/**
 * The getting-started notebooks, run cell by cell as a newcomer would: on
 * the local stack, with a fresh wallet imported in the panel and every
 * share/approval given in its dialog. Python (examples/getting-started.ipynb)
 * and Deno (examples/getting-started-deno.ipynb) walk wallet → account and
 * chain → balance → send → sign → provider → node token → a sample dataset;
 * each cell must finish without an error and do what its prose says.
 */
import { readFileSync } from 'node:fs';
import {
  Contract,
  HDNodeWallet,
  JsonRpcProvider,
  parseEther,
  verifyMessage
} from 'ethers';
import { importWallet, useFaucet } from './bridge-helpers';
import { test, expect } from './fixtures';
import { openLab } from './helpers';
import {
  codeCellIndices,
  openExample,
  runExampleCell
} from './notebook-runner';

const RECIPIENT = '0x02354A1F160A3fd7ac8b02ee91F04104440B28E7';
const SIGNED = 'Hello from my first Ocean notebook';

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
    const cells: string[] = [];
    for (const index of await codeCellIndices(page))
      cells.push((await runExampleCell(page, index)).text);
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
    // Its price: a number and its currency (cells of a DataFrame in Python).
    expect(outputs, kernel).toMatch(/\b2(\.0)?\s+OCEAN/);
    expect(outputs, kernel).toMatch(
      kernel === 'python'
        ? /station_id/
        : /1460 rows, columns: date, station_id/
    );
    if (kernel === 'python') {
      // Search results and loads are pandas DataFrames (rendered by pandas as
      // table.dataframe), e.g. weather[["name", "price"]]: a kernel without
      // pandas gets lists and the notebook breaks at weather["did"].
      const frames = page.locator(
        '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output table.dataframe'
      );
      await expect(frames.first()).toBeVisible();
      await expect(
        frames.filter({ hasText: 'price' }).filter({ hasText: 'name' }).first()
      ).toBeVisible();
    }
    expect((await chain.getBalance(RECIPIENT)) - eth).toBe(parseEther('0.01'));
    expect((await ocean.balanceOf(RECIPIENT)) - oceans).toBe(parseEther('1'));
  }
});
