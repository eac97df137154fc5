/**
 * examples/ocean-data.ipynb, top to bottom on the local stack, as a newcomer
 * runs it: a wallet with test coins from the panel, then every code cell in
 * order with each wallet request approved. It finds the priced weather CSV,
 * shows its card, buys and loads it into pandas, and ends with the GAN cell:
 * locked until **Buy access**, then 16 generated images, then the same
 * pixels in the kernel.
 */
import { HDNodeWallet } from 'ethers';
import { confirmUntil, importWallet, useFaucet } from './bridge-helpers';
import { test, expect } from './fixtures';
import { openLab } from './helpers';
import {
  codeCellIndices,
  openExample,
  runExampleCell
} from './notebook-runner';

test('examples/ocean-data.ipynb: find, preview, buy, load, then a GAN cell bought and rendered', async ({
  page,
  oceanLab: lab,
  stack
}) => {
  test.setTimeout(600_000);
  await openLab(page, lab);
  await importWallet(page, HDNodeWallet.createRandom().mnemonic!.phrase);
  await useFaucet(page);
  await openExample(page, lab.rootDir, 'ocean-data.ipynb');

  const results = new Map<string, string>();
  for (const index of await codeCellIndices(page)) {
    const source: string = await page.evaluate(
      i =>
        (window as any).jupyterapp.shell.currentWidget.content.model.cells
          .get(i)
          .sharedModel.getSource(),
      index
    );
    const run = await runExampleCell(page, index);
    results.set(source, run.text);
    if (source.startsWith('%ocean gan ')) {
      // The GAN cell renders locked; buying is the reader's click.
      const gan = run.cell.locator('.jp-OceanGan');
      await expect(gan).toHaveAttribute('data-state', 'locked');
      await gan.locator('.jp-OceanGan-buy').click();
      const dialogs = await confirmUntil(
        page,
        async () =>
          ['ready', 'error'].includes(
            (await gan.getAttribute('data-state')) ?? ''
          ),
        180_000,
        { share: true }
      );
      await expect(gan).toHaveAttribute('data-state', 'ready');
      await expect(gan.locator('canvas')).toHaveAttribute('data-count', '16');
      expect(dialogs.length).toBeGreaterThan(0);
    }
  }

  const text = (prefix: string) =>
    [...results].find(([source]) => source.startsWith(prefix))?.[1] ?? '';
  // The search found the sample weather dataset, whose DID the next cells use.
  expect(text('weather = %ocean search')).toContain(stack.samples.csv!);
  // Loaded into pandas: the sample's columns, grouped by station.
  expect(text('df.groupby')).toMatch(/station_id/);
  expect(text('import os')).toMatch(/\.csv/);
  // The GAN's pixels reached the kernel as a NumPy array.
  expect(text('from jupyterlab_ocean.gan import')).toContain(
    "((16, 16, 16, 3), dtype('uint8'))"
  );
});
