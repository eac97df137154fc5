/**
 * "My purchases" in the Publish panel's My assets tab (issue 16 item 11): a
 * new account buys a sample through an asset card's Get access, and the
 * list (read from the chain's OrderStarted events) shows the asset's name,
 * when it was ordered and the 2.002 OCEAN paid; "Load in notebook" adds a
 * `%ocean load` cell for it to the open notebook, "Copy DID" copies its
 * DID. And a publisher getting access to their own sample pays no OCEAN:
 * the card says so, the dialog names the mint, and My purchases shows the
 * minted order.
 */

/** Ocean's public development mnemonic (the stack's accounts). DEV ONLY. */
const DEV_MNEMONIC =
  'taxi music thumb unique chat sand crew more leg another off lamp';

function lastCard(page: Page): Locator {
  return page
    .locator(
      '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output ocean-asset-card'
    )
    .last();
}
import { Contract, HDNodeWallet, JsonRpcProvider } from 'ethers';
import type { Locator, Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { newNotebook, openLab, runCell } from './helpers';
import {
  confirmUntil,
  importWallet,
  useFaucet,
  walletView
} from './bridge-helpers';
import { openPublish } from './publish-helpers';

test('an asset bought through its card is listed in My purchases', async ({
  page,
  oceanLab,
  stack
}) => {
  test.setTimeout(300_000);
  const did = stack.samples.csv!;
  const title = 'Daily weather at four stations, 2025 (synthetic)';
  await openLab(page, oceanLab);
  await importWallet(page, HDNodeWallet.createRandom().mnemonic!.phrase);
  await useFaucet(page);

  // Nothing bought yet.
  const panel = await openPublish(page);
  await panel.locator('button[data-ocean-tab="manage"]').click();
  const list = panel.locator('ocean-purchase-list');
  await expect(list).toContainText(
    'You have not bought access to anything on this network yet.',
    { timeout: 60_000 }
  );

  // Buy through the card in a notebook.
  await newNotebook(page, 'python');
  await runCell(page, `%ocean preview ${did}`);
  const card = lastCard(page);
  await card.locator('[data-ocean-action=get-access]').click();
  const dialogs = await confirmUntil(
    page,
    card.locator('[data-ocean=preview] >> table')
  );
  await expect(card.locator('[data-ocean=access]')).toHaveText(
    'Access granted'
  );
  // One dialog, as for %ocean load: the purchase's approval also signs in
  // to the node for the preview that follows (a second one asked before).
  expect(dialogs).toHaveLength(1);
  expect(dialogs[0]).toContain('sign in to the Ocean Node');

  // The list, refreshed, shows the order.
  await openPublish(page);
  await panel.locator('button[data-ocean-tab="manage"]').click();
  await list.locator('[data-ocean-action="refresh-purchases"]').click();
  const item = list.locator(`li[data-did="${did}"]`);
  await expect(item).toHaveCount(1, { timeout: 60_000 });
  await expect(item.locator('[data-ocean=name]')).toHaveText(title);
  await expect(item.locator('[data-ocean=paid]')).toHaveText('2.002 OCEAN');
  const when = await item.locator('time').getAttribute('datetime');
  expect(Math.abs(Date.parse(when!) - Date.now())).toBeLessThan(10 * 60_000);

  // Load in notebook: a cell below the active one of the open notebook.
  await item.locator('[data-ocean-action="load"]').click();
  await expect(list.locator('[data-ocean=message]')).toContainText(
    'Added a cell that loads it to Untitled.ipynb'
  );
  expect(
    await page.evaluate(
      () =>
        (window as any).jupyterapp.shell.currentWidget.content.activeCell.model
          .sharedModel.source
    )
  ).toBe(`df = %ocean load ${did}\ndf`);
  await item.locator('[data-ocean-action="copy-did"]').click();
  await expect(list.locator('[data-ocean=message]')).toContainText(did);
  await page.screenshot({
    path: test.info().outputPath('my-purchases.png')
  });
});

test('a publisher gets their own asset for network fees only, and it is in My purchases', async ({
  page,
  oceanLab,
  stack
}) => {
  test.setTimeout(300_000);
  const did = stack.samples.csv!;
  await openLab(page, oceanLab);
  // Account 1 of the development mnemonic published the stack's samples.
  await importWallet(page, DEV_MNEMONIC);
  const view = walletView(page);
  await view.locator('button[data-action="add-account"]').click();
  const publisher = HDNodeWallet.fromPhrase(
    DEV_MNEMONIC,
    undefined,
    "m/44'/60'/0'/0/1"
  ).address;
  await expect(view.locator('.address')).toHaveText(publisher, {
    timeout: 30_000
  });
  const ddo = await (
    await fetch(`${stack.nodeUrl}/api/aquarius/assets/ddo/${did}`)
  ).json();
  expect(ddo.indexedMetadata.nft.owner).toBe(publisher);
  const provider = new JsonRpcProvider(stack.rpcUrl, stack.chainId, {
    staticNetwork: true,
    cacheTimeout: -1
  });
  const ocean = new Contract(
    ddo.indexedMetadata.stats[0].prices[0].token,
    ['function balanceOf(address) view returns (uint256)'],
    provider
  );
  // Orders of this sample by other tests in the worker's stack paid their
  // datatokens to its publisher, who would then spend a held one instead
  // of minting: send them away, so that this test sees the mint.
  const publisherKey = HDNodeWallet.fromPhrase(
    DEV_MNEMONIC,
    undefined,
    "m/44'/60'/0'/0/1"
  ).connect(provider);
  const datatoken = new Contract(
    ddo.services[0].datatokenAddress,
    [
      'function balanceOf(address) view returns (uint256)',
      'function transfer(address to, uint256 amount) returns (bool)'
    ],
    publisherKey
  );
  const held: bigint = await datatoken.balanceOf(publisher);
  if (held > 0n)
    await (
      await datatoken.transfer(
        '0x000000000000000000000000000000000000dEaD',
        held
      )
    ).wait();
  const before: bigint = await ocean.balanceOf(publisher);

  await newNotebook(page, 'python');
  await runCell(page, `%ocean preview ${did}`);
  const card = lastCard(page);
  const button = card.locator('[data-ocean-action=get-access]');
  await expect(button).toHaveText('Get access (your asset: network fees only)');
  await button.click();
  const dialogs = await confirmUntil(
    page,
    card.locator('[data-ocean=preview] >> table')
  );
  await expect(card.locator('[data-ocean=access]')).toHaveText(
    'Access granted'
  );
  const minting = dialogs.find(text => text.includes('your own dataset'));
  expect(minting).toContain(
    'network fees only: you publish this dataset, so 1 datatoken is minted to you instead of bought from your exchange'
  );
  expect(await ocean.balanceOf(publisher)).toBe(before);
  provider.destroy();

  const panel = await openPublish(page);
  await panel.locator('button[data-ocean-tab="manage"]').click();
  const list = panel.locator('ocean-purchase-list');
  const item = list.locator(`li[data-did="${did}"]`);
  await expect(item).toHaveCount(1, { timeout: 60_000 });
  await expect(item.locator('[data-ocean=paid]')).toHaveText(
    'Nothing (your own asset: datatoken minted)'
  );
});
