/**
 * What the transaction dialog says before anyone signs, in Chromium on a local stack
 * (issue 17 items 2 and 4, issue 16 item 2): every transaction is simulated first. A send
 * of OCEAN lists the account's change in units and the contracts it reaches; a transfer of
 * more than the balance opens as "This transaction would fail" with the token's own reason
 * and no button that approves, not even Enter; the caller gets OCEAN_TX_REVERTED. A request
 * that is a step of a flow says which step of how many, the flow's whole cost, and names the
 * exchange after the dataset it sells (the flow's words, here given as the Ocean client
 * gives them; compute.spec.ts runs the real flows). Screenshots in light and dark theme.
 */
import { readFileSync } from 'node:fs';
import { Interface, Wallet, parseUnits } from 'ethers';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { openLab } from './helpers';
import { confirmation, importWallet, useFaucet } from './bridge-helpers';

const ERC20 = new Interface([
  'function transfer(address to, uint256 value)',
  'function approve(address spender, uint256 value)'
]);

/** IWallet.request as the Ocean client or a kernel would make it, not awaited. */
async function startRequest(
  page: Page,
  method: string,
  params: unknown[],
  flow?: Record<string, unknown>
): Promise<void> {
  await page.evaluate(
    async ({ method, params, flow }) => {
      const app = (window as any).jupyterapp;
      const services: Map<any, string> = app.pluginRegistry._services;
      const token = [...services.keys()].find(
        t => t.name === 'jupyterlab-ocean:IWallet'
      );
      const wallet = await app.resolveRequiredService(token);
      (window as any).__walletResult = wallet
        .request(
          { method, params },
          {
            kind: 'extension',
            label: 'Ocean client',
            ...(flow ? { flow } : {})
          }
        )
        .then(
          (value: unknown) => ({ ok: true, value }),
          (error: any) => ({
            ok: false,
            code: error.code,
            message: error.message
          })
        );
    },
    { method, params, flow }
  );
}

async function result(page: Page): Promise<any> {
  await expect
    .poll(() => page.evaluate(() => (window as any).__walletResult), {
      timeout: 60_000
    })
    .toBeTruthy();
  return page.evaluate(() => (window as any).__walletResult);
}

async function shoot(page: Page, testInfo: any, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await confirmation(page).screenshot({ path });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

async function theme(page: Page, name: string): Promise<void> {
  await page.evaluate(
    theme =>
      (window as any).jupyterapp.commands.execute('apputils:change-theme', {
        theme
      }),
    name
  );
  await expect(page.locator('body')).toHaveAttribute(
    'data-jp-theme-light',
    name.includes('Dark') ? 'false' : 'true',
    { timeout: 30_000 }
  );
  await page.waitForTimeout(300);
}

test('transaction dialogs simulate first: balance changes, a revert with its reason and nothing to approve, a flow’s step and total', async ({
  page,
  oceanLab,
  stack
}, testInfo) => {
  test.setTimeout(300_000);
  await openLab(page, oceanLab);
  const phrase = Wallet.createRandom().mnemonic!.phrase;
  const account = await importWallet(page, phrase);
  await useFaucet(page);
  const addresses = JSON.parse(readFileSync(stack.addressFile, 'utf8'))
    .development as Record<string, string>;
  const ocean = addresses.Ocean;
  const exchange = addresses.FixedPrice;
  const someone = Wallet.createRandom().address;

  // --- A send: the simulated change in units, the contract reached. -------
  await startRequest(page, 'eth_sendTransaction', [
    {
      from: account,
      to: ocean,
      data: ERC20.encodeFunctionData('transfer', [
        someone,
        parseUnits('1.5', 18)
      ])
    }
  ]);
  const dialog = confirmation(page);
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(`Send 1.5 OCEAN to ${someone}.`);
  await expect(dialog.locator('.change')).toHaveText([
    '−1.5 OCEAN (Ocean Token)'
  ]);
  await expect(dialog.locator('.touched')).toContainText(ocean);
  await expect(dialog).toContainText('Simulated with debug_traceCall');
  await shoot(page, testInfo, 'dialog-simulated-send-light');
  await dialog.locator('button.jp-OceanConfirmation-reject').click();
  expect(await result(page)).toMatchObject({ ok: false, code: 4001 });

  // --- A transfer of more than the balance: shown failing, not approvable.
  await page.evaluate(() => delete (window as any).__walletResult);
  await startRequest(page, 'eth_sendTransaction', [
    {
      from: account,
      to: ocean,
      data: ERC20.encodeFunctionData('transfer', [
        someone,
        parseUnits('1000000', 18)
      ])
    }
  ]);
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveAttribute('data-blocked', '');
  await expect(dialog.locator('.jp-Dialog-header')).toContainText(
    'This transaction would fail'
  );
  await expect(dialog.locator('.blocked')).toContainText(
    'ERC20: transfer amount exceeds balance'
  );
  await expect(
    dialog.locator('button.jp-OceanConfirmation-confirm')
  ).toHaveCount(0);
  await shoot(page, testInfo, 'dialog-would-fail-light');
  await theme(page, 'JupyterLab Dark');
  await shoot(page, testInfo, 'dialog-would-fail-dark');
  // Enter presses the default button, which only closes.
  await page.keyboard.press('Enter');
  await expect(dialog).toHaveCount(0);
  const failed = await result(page);
  expect(failed).toMatchObject({ ok: false, code: 'OCEAN_TX_REVERTED' });
  expect(failed.message).toContain('ERC20: transfer amount exceeds balance');
  expect(failed.message).toContain('Nothing was sent');

  // --- A step of a flow: which step, the whole cost, the exchange named.
  await page.evaluate(() => delete (window as any).__walletResult);
  await startRequest(
    page,
    'eth_sendTransaction',
    [
      {
        from: account,
        to: ocean,
        data: ERC20.encodeFunctionData('approve', [
          exchange,
          parseUnits('2.002', 18)
        ])
      }
    ],
    {
      title: 'Get access to Weather 2024',
      step: 1,
      steps: 3,
      total: '2.002 OCEAN and network fees',
      names: {
        [exchange.toLowerCase()]:
          'the fixed-rate exchange selling Weather 2024',
        // A flow cannot rename the person's own account.
        [account.toLowerCase()]: 'the treasury'
      }
    }
  );
  await expect(dialog).toBeVisible();
  await expect(dialog.locator('.flow .step')).toHaveText(
    'Step 1 of 3: Get access to Weather 2024'
  );
  await expect(dialog.locator('.flow .total')).toHaveText(
    'The whole flow costs 2.002 OCEAN and network fees.'
  );
  await expect(dialog.locator('.summary')).toHaveText(
    'Allow the fixed-rate exchange selling Weather 2024 to spend 2.002 OCEAN.'
  );
  await expect(dialog).not.toContainText('the treasury');
  await expect(dialog.locator('.simulation')).toContainText(
    'Your balances do not change, apart from the network fee.'
  );
  await shoot(page, testInfo, 'dialog-flow-step-dark');
  await theme(page, 'JupyterLab Light');
  await shoot(page, testInfo, 'dialog-flow-step-light');
  await dialog.locator('button.jp-OceanConfirmation-reject').click();
  expect(await result(page)).toMatchObject({ ok: false, code: 4001 });

  // --- A batch (wallet_sendCalls): one dialog, the whole batch simulated.
  await page.evaluate(() => delete (window as any).__walletResult);
  const send = (amount: string) => ({
    to: ocean,
    data: ERC20.encodeFunctionData('transfer', [
      someone,
      parseUnits(amount, 18)
    ])
  });
  await startRequest(
    page,
    'wallet_sendCalls',
    [
      {
        version: '2.0.0',
        chainId: '0x2324',
        from: account,
        atomicRequired: false,
        calls: [send('1'), send('2')]
      }
    ],
    {
      title: 'Pay two people',
      step: 1,
      steps: 1,
      total: '3 OCEAN and network fees'
    }
  );
  await expect(dialog).toBeVisible();
  await expect(dialog.locator('.jp-Dialog-header')).toContainText(
    'Confirm 2 transactions'
  );
  await expect(dialog.locator('.change')).toHaveText([
    '−3 OCEAN (Ocean Token)'
  ]);
  await shoot(page, testInfo, 'dialog-batch-light');
  await theme(page, 'JupyterLab Dark');
  await shoot(page, testInfo, 'dialog-batch-dark');
  await theme(page, 'JupyterLab Light');
  await dialog.locator('button.jp-OceanConfirmation-reject').click();
  expect(await result(page)).toMatchObject({ ok: false, code: 4001 });
});
