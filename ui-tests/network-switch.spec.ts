/**
 * Switching network while a purchase runs (issue 16 item 7), in Chromium
 * on a local stack: `%ocean load` of a paid dataset is approved (one
 * batch: approve, buy, order), and while its approve is waiting for the
 * chain the person switches the network in the Ocean panel. The chain
 * mines only when the test says so (automine off), so the switch lands
 * between the approve and the buy every time.
 *
 * - Before switching, the panel warns that a purchase is running on the
 *   local network and that switching stops it; the person can stay.
 * - After "Switch anyway", the cell's error says what was done on which
 *   network, with the mined approve's hash, and that a rerun resumes; its
 *   code is OCEAN_WRONG_NETWORK (nothing reverted) and no ethers words leak.
 */
import { JsonRpcProvider, Wallet } from 'ethers';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { addElsewhere } from './ocean-helpers';
import { newNotebook, openLab } from './helpers';
import { importWallet } from './wallet-helpers';
import {
  approve,
  confirmation,
  finished,
  run,
  shareDialog,
  startCell,
  useFaucet,
  walletView
} from './bridge-helpers';

/** A key of its own (not a test wallet: those stay local), funded. */
async function fundedWallet(page: Page): Promise<string> {
  const consumer = Wallet.createRandom();
  await importWallet(page, consumer.privateKey);
  await expect(walletView(page).locator('.address')).toHaveText(
    consumer.address
  );
  await useFaucet(page);
  return consumer.address;
}

test('switching network mid-purchase: warned first, then the cell says what was done on which network and that a rerun resumes', async ({
  page,
  oceanLab,
  stack
}) => {
  test.setTimeout(300_000);
  await openLab(page, oceanLab);
  await addElsewhere(page, stack);
  const account = await fundedWallet(page);
  await newNotebook(page, 'python');
  const found = await run(
    page,
    'found = %ocean search weather --type dataset --price paid\ndid = found["did"].iloc[0]\nprint("did", did)'
  );
  expect(found).toContain('did did:op:');

  const chain = new JsonRpcProvider(stack.rpcUrl, stack.chainId, {
    staticNetwork: true,
    cacheTimeout: -1
  });
  const card = page.locator('#jupyterlab-ocean-panel ocean-network-card');
  const pending = async () =>
    Number(await chain.send('eth_getTransactionCount', [account, 'pending'])) -
    Number(await chain.send('eth_getTransactionCount', [account, 'latest']));
  // From here the chain mines only on evm_mine.
  await chain.send('evm_setAutomine', [false]);
  try {
    const cell = await startCell(page, 'df = %ocean load $did');
    // The notebook may first ask to see the account; then the purchase's one dialog.
    await expect(shareDialog(page).or(confirmation(page))).toBeVisible({
      timeout: 60_000
    });
    if (await shareDialog(page).isVisible()) {
      await page.waitForTimeout(700);
      await shareDialog(page)
        .getByRole('button', { name: 'Share account' })
        .click();
    }
    await expect(confirmation(page)).toBeVisible({ timeout: 60_000 });
    await page.waitForTimeout(700);
    await approve(page);
    // The approve is sent and waits for a block.
    await expect.poll(pending, { timeout: 60_000 }).toBe(1);

    // The switch: a warning first, and staying changes nothing.
    await card.locator('select').selectOption('elsewhere');
    const warning = page.locator('.jp-Dialog:has(.jp-OceanSwitchWarning)');
    await expect(warning).toBeVisible({ timeout: 10_000 });
    await expect(warning).toContainText(
      'A purchase is running on Local Ocean network'
    );
    await expect(warning).toContainText('Switching to Elsewhere stops it');
    await page.screenshot({ path: test.info().outputPath('warning.png') });
    await warning.getByRole('button', { name: /Stay on/ }).click();
    await expect(warning).toHaveCount(0);
    await expect(page.locator('.jp-OceanStatusItem')).toContainText('Local');
    await card.locator('select').selectOption('elsewhere');
    await expect(warning).toBeVisible({ timeout: 10_000 });
    await warning.getByRole('button', { name: 'Switch anyway' }).click();
    await expect(page.locator('.jp-OceanStatusItem')).toContainText(
      'Elsewhere'
    );

    // The approve is mined on the local chain; the buy is never sent.
    await chain.send('evm_mine', []);
    const block = await chain.send('eth_getBlockByNumber', ['latest', false]);
    const [approveHash] = block.transactions as string[];
    expect(approveHash).toMatch(/^0x[0-9a-f]{64}$/);

    const out = await finished(cell);
    expect(out).toContain('OCEAN_WRONG_NETWORK');
    expect(out).toContain(
      'The network was switched to Elsewhere while buying access to'
    );
    expect(out).toContain(
      `Sent on Local Ocean network before it stopped: approve ${approveHash} (mined).`
    );
    expect(out).toContain(
      'Switch back to Local Ocean network and run it again: it resumes where it stopped'
    );
    expect(out).not.toContain('OCEAN_TX_REVERTED');
    expect(out).not.toMatch(
      /provider destroyed|cancelled request|could not coalesce|ethers|code=/i
    );
    expect(await pending()).toBe(0);
  } finally {
    await chain.send('evm_setAutomine', [true]).catch(() => undefined);
    chain.destroy();
    // The active network is a user setting of the worker's shared lab.
    await card
      .locator('select')
      .selectOption('local')
      .catch(() => undefined);
  }
});
