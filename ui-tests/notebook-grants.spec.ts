/**
 * Notebook grants (issue 17 items 1 and 5) end to end, in Chromium, with a
 * real Python kernel, the real wallet and a local Ocean stack:
 * `%ocean grant` asks in the wallet's dialog, which shows the scope in
 * words; ten loads in a loop under it (a purchase among them) open no
 * dialog; a raw message outside it still opens one; `%ocean grants` lists
 * what it spent; the panel lists it and Revoke makes the next request ask
 * again; an expired grant asks again too.
 */
import { readFileSync } from 'node:fs';
import { HDNodeWallet } from 'ethers';
import type { Page } from '@playwright/test';
import {
  cellEnded,
  confirmation,
  confirmUntil,
  finished,
  importWallet,
  runConfirming,
  startCell
} from './bridge-helpers';
import { test, expect } from './fixtures';
import { newNotebook, openLab } from './helpers';
import { fund } from './publish-helpers';

/** Runs `source`, counting the wallet dialogs it opens (each confirmed). */
async function countDialogs(page: Page, source: string) {
  const cell = await startCell(page, source);
  const dialogs = await confirmUntil(page, cellEnded(cell), 240_000, {
    share: true
  });
  return { dialogs, output: await finished(cell) };
}

test('a notebook grant: asked for, used without dialogs, not for requests outside it, revoked and expired', async ({
  page,
  oceanLab,
  stack
}, testInfo) => {
  test.setTimeout(600_000);
  const phrase = HDNodeWallet.createRandom().mnemonic!.phrase;
  const address = HDNodeWallet.fromPhrase(phrase).address;
  await fund(stack, address);
  await openLab(page, oceanLab);
  await importWallet(page, phrase);
  await newNotebook(page, 'python');
  // A request inside any grant that always signs anew: a 1-wei OCEAN
  // approval to the exchange (downloads and sign-ins are cached).
  const contracts = Object.values(
    JSON.parse(readFileSync(stack.addressFile, 'utf8'))
  )[0] as Record<string, string>;
  await runConfirming(
    page,
    [
      'from jupyterlab_ocean import ocean, provider',
      '%ocean account',
      `def approve_exchange(spender="${contracts.FixedPrice}"):`,
      '    data = "0x095ea7b3" + "0" * 24 + spender[2:].lower() + format(1, "064x")',
      `    return provider.request("eth_sendTransaction", [{"from": provider.request("eth_accounts")[0], "to": "${contracts.Ocean}", "data": data}])`
    ].join('\n')
  );
  const approveCell = 'print("approved", approve_exchange())';

  // %ocean grant: the dialog is the grant, its scope in words.
  const asked = await startCell(
    page,
    'grant = %ocean grant --minutes 10 --cap 20\nprint("grant", grant["cap"], grant["token"])'
  );
  const dialog = confirmation(page);
  await expect(dialog).toBeVisible({ timeout: 120_000 });
  await expect(dialog).toHaveAttribute('data-kind', 'grant');
  const offer = dialog.locator('.jp-OceanGrantOffer');
  await expect(offer).toContainText('this kernel session only');
  await expect(offer).toContainText("call only Ocean's contracts");
  await expect(offer).toContainText('Anything else asks you again');
  await expect(offer.locator('.jp-OceanGrantOffer-cap')).toHaveValue('20');
  await dialog.screenshot({ path: testInfo.outputPath('grant-dialog.png') });
  await dialog.locator('button.jp-OceanConfirmation-confirm').click();
  expect(await finished(asked)).toContain('grant 20 OCEAN');

  // Ten loads in a loop: the first buys (approve + buy + order) and signs in
  // to the node, the free one is dispensed and ordered; none asks.
  const loop = await countDialogs(
    page,
    [
      'frames = []',
      `for did in ["${stack.samples.csv}", "${stack.samples.free}"] * 5:`,
      '    frames.append(ocean.load(did))',
      'print("loaded", len(frames))'
    ].join('\n')
  );
  expect(loop.output).toContain('loaded 10');
  expect(loop.dialogs).toHaveLength(0);

  // The grant's spending, from the kernel and in the panel.
  const listed = await countDialogs(
    page,
    'grants = %ocean grants\nprint("spent", grants[0]["spent"], "uses", grants[0]["uses"])'
  );
  expect(listed.dialogs).toHaveLength(0);
  expect(listed.output).toMatch(/spent [1-9][\d.]* uses [1-9]/);
  const panel = page.locator('#jupyterlab-ocean-panel .jp-OceanGrants');
  await expect(panel).toBeVisible();
  await expect(panel).toContainText('Untitled');
  await expect(panel).toContainText('OCEAN');
  // An activity entry names the grant.
  await expect(
    page.locator('#jupyterlab-ocean-panel ocean-wallet-view')
  ).toContainText('Signed without asking, under the grant for');

  // A raw message is never signed under a grant: the dialog opens, with no
  // grant to tick.
  const signed = await countDialogs(page, '%ocean sign hello');
  expect(signed.dialogs).toHaveLength(1);
  expect(signed.dialogs[0]).not.toContain('Also allow this notebook');

  // Another spender than Ocean's contracts: the dialog opens, offering a
  // grant beside the transaction (unticked).
  const strangerCell = await startCell(
    page,
    'print("approved", approve_exchange("0x000000000000000000000000000000000000dEaD"))'
  );
  await expect(dialog).toBeVisible({ timeout: 120_000 });
  await expect(dialog.locator('.jp-OceanGrantOffer-tick')).not.toBeChecked();
  await expect(dialog).toContainText(
    "This notebook's grant does not cover this, so you are asked"
  );
  await dialog.screenshot({ path: testInfo.outputPath('offer-dialog.png') });
  const stranger = {
    dialogs: await confirmUntil(page, cellEnded(strangerCell), 120_000)
  };
  expect(stranger.dialogs).toHaveLength(1);
  // Ocean's exchange: inside the grant, no dialog.
  expect((await countDialogs(page, approveCell)).dialogs).toHaveLength(0);

  // Revoked in the panel: the next request outside any grant asks again.
  await panel.locator('.jp-OceanGrants-revoke').click();
  await expect(panel).toBeHidden();
  const again = await countDialogs(page, approveCell);
  expect(again.dialogs.length).toBeGreaterThanOrEqual(1);

  // Expired: a one-minute grant, then a request after it asks again.
  await runConfirming(page, 'g = %ocean grant --minutes 1 --cap 1');
  const inside = await countDialogs(page, approveCell);
  expect(inside.dialogs).toHaveLength(0);
  await page.waitForTimeout(61_000);
  const expired = await countDialogs(page, approveCell);
  expect(expired.dialogs.length).toBeGreaterThanOrEqual(1);
});
