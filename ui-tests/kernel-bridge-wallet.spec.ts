/**
 * The kernel bridge's wallet commands end to end, in Chromium, with real
 * Python and Deno kernels, the real wallet (approved in its dialog) and a
 * local Ocean stack on free ports:
 *
 * networks → balance → send ETH and OCEAN (hash + receipt status 1, checked
 * on chain) → `use` and the panel's network switch seen by the kernel as
 * chainChanged → the live wallet widget (follows lock state, syncs back to
 * Python, sits in an ipywidgets HBox) → an Ocean Node auth token the kernel
 * uses on the node → a runaway loop is throttled → a notebook not in view
 * says so in the dialog → closing a notebook cancels its pending request.
 * Deno: ocean.send, ocean.wallet() and ocean.authToken().
 */
import { Contract, HDNodeWallet, parseEther } from 'ethers';
import {
  approve,
  confirmation,
  finished,
  importWallet,
  run,
  shareAccount,
  startCell,
  stackChain,
  useFaucet,
  walletView
} from './bridge-helpers';
import { test, expect } from './fixtures';
import { newNotebook, openLab } from './helpers';

const ERC20 = ['function balanceOf(address) view returns (uint256)'];

test('Python: send, balance, networks, use, wallet widget, node token, safety', async ({
  page,
  twoNetworkLab: lab,
  stack
}) => {
  test.setTimeout(480_000);
  const chain = stackChain(stack);
  await openLab(page, lab);
  const phrase = HDNodeWallet.createRandom().mnemonic!.phrase;
  const me = await importWallet(page, phrase);
  await useFaucet(page);
  await newNotebook(page, 'python');

  // --- networks: both listed, the active one marked. ---------------------
  const networks = await run(page, '%ocean networks');
  expect(networks).toContain('second');
  expect(networks).toContain('Second test network');
  expect(networks).toMatch(/●\s*local/);

  // --- balance: asks to share once, then native and OCEAN. ---------------
  let cell = await startCell(page, 'b = %ocean balance\nb');
  await shareAccount(page);
  const balance = await finished(cell);
  expect(balance).toContain(me);
  expect(balance).toMatch(/\d+(\.\d+)?\s+ETH/);
  expect(balance).toMatch(/\d+(\.\d+)?\s+OCEAN/);
  expect(await run(page, "print('native', float(b['native']) > 0)")).toContain(
    'native True'
  );

  // --- send ETH: dialog names the notebook, same cell gets hash + status. -
  const to = stack.accounts.consumer2;
  const before = await chain.getBalance(to);
  cell = await startCell(
    page,
    [
      `r = %ocean send ${to} 0.25`,
      "print('hash', r['hash'])",
      "print('status', r['status'])"
    ].join('\n')
  );
  await expect(confirmation(page)).toContainText('Untitled.ipynb');
  await expect(cell.locator('.jp-Cell-outputArea')).toContainText(
    'Waiting for your approval'
  );
  await approve(page);
  const sent = await finished(cell);
  expect(sent).toMatch(/hash 0x[0-9a-f]{64}/);
  expect(sent).toContain('status 1');
  expect((await chain.getBalance(to)) - before).toBe(parseEther('0.25'));

  // --- send OCEAN (an ERC-20 transfer, decoded in the dialog). -----------
  cell = await startCell(
    page,
    [
      `o = %ocean send ${to} 1.5 OCEAN`,
      "print('token', o['tokenAddress'])",
      "print('status', o['status'])"
    ].join('\n')
  );
  await expect(confirmation(page)).toContainText('OCEAN');
  await expect(confirmation(page)).toContainText('1.5');
  await approve(page);
  const sentOcean = await finished(cell);
  expect(sentOcean).toContain('status 1');
  const tokenAddress = /token (0x[0-9a-fA-F]{40})/.exec(sentOcean)![1];
  const ocean = new Contract(tokenAddress, ERC20, chain);
  const receipt = await chain.getTransactionReceipt(
    (await run(page, "print(o['hash'])")).trim()
  );
  expect(receipt?.status).toBe(1);
  expect(receipt?.to?.toLowerCase()).toBe(tokenAddress.toLowerCase());
  expect(await ocean.balanceOf(to)).toBeGreaterThanOrEqual(parseEther('1.5'));

  // A bad amount or address is a clear error, no dialog.
  const bad = await run(
    page,
    [
      `for line in ['${to} lots', 'nobody 1', '${to} 100000000']:`,
      '    try:',
      "        get_ipython().run_line_magic('ocean', 'send ' + line)",
      '    except Exception as error:',
      "        print('code', error.code)"
    ].join('\n')
  );
  expect(bad).toContain('code OCEAN_BAD_REQUEST');
  expect(bad).toContain('code OCEAN_INSUFFICIENT_FUNDS');
  await expect(page.locator('.jp-Dialog')).toHaveCount(0);

  // --- use: the kernel sees chainChanged in the same cell. ----------------
  await run(
    page,
    [
      'from jupyterlab_ocean import ocean, provider',
      'chains = []',
      "provider.on('chainChanged', chains.append)"
    ].join('\n')
  );
  cell = await startCell(page, "%ocean use second\nprint('chains', chains)");
  await expect(confirmation(page)).toContainText('Second test network');
  await approve(page);
  expect(await finished(cell)).toContain("chains ['0x7a69']");
  // Switching back in the panel reaches the idle kernel too.
  await page
    .locator('#jupyterlab-ocean-panel ocean-network-card select')
    .selectOption('local');
  await expect
    .poll(async () => run(page, "print('chains', chains)"), {
      timeout: 30_000
    })
    .toContain("chains ['0x7a69', '0x2324']");

  // --- the live wallet widget. --------------------------------------------
  cell = await startCell(page, 'w = %ocean wallet\nw');
  await finished(cell);
  const widget = cell.locator('.jp-OceanWalletWidget');
  await expect(widget.locator('[data-field="account"]')).toContainText(me);
  await expect(widget.locator('[data-field="network"]')).toContainText(
    'chain 8996'
  );
  await expect(widget.locator('[data-field="balances"]')).toContainText(
    /\d ETH · .*OCEAN/,
    { timeout: 30_000 }
  );
  // It follows the wallet live: locking shows at once, and Python hears it.
  const view = walletView(page);
  await view.locator('button[data-action="lock"]').click();
  await expect(widget).toHaveAttribute('data-status', 'locked');
  await expect(widget.locator('[data-field="account"]')).toContainText(
    'Locked'
  );
  expect(
    await run(page, "print('kernel sees', w.status, w.account)")
  ).toContain('kernel sees locked None');
  await view
    .locator('form.unlock input[name="password"]')
    .fill('kernel-bridge-test');
  await view.locator('form.unlock button[type="submit"]').click();
  await expect(widget.locator('[data-field="account"]')).toContainText(me, {
    timeout: 60_000
  });
  expect(await run(page, "print('kernel sees', w.status)")).toContain(
    'kernel sees unlocked'
  );
  // It composes with ipywidgets layouts: the same model inside an HBox.
  cell = await startCell(
    page,
    [
      'from ipykernel.comm import Comm',
      "m = '@jupyter-widgets/controls'",
      "state = dict(_model_name='HBoxModel', _model_module=m, _model_module_version='2.0.0', _view_name='HBoxView', _view_module=m, _view_module_version='2.0.0', children=['IPY_MODEL_' + w.model_id], box_style='')",
      "box = Comm(target_name='jupyter.widget', data={'state': state, 'buffer_paths': []}, metadata={'version': '2.1.0'})",
      "display({'application/vnd.jupyter.widget-view+json': {'model_id': box.comm_id, 'version_major': 2, 'version_minor': 1}, 'text/plain': 'box'}, raw=True)"
    ].join('\n')
  );
  await finished(cell);
  await expect(
    cell.locator('.widget-hbox .jp-OceanWalletWidget [data-field="account"]')
  ).toContainText(me);

  // --- an Ocean Node auth token, used from the kernel. --------------------
  cell = await startCell(
    page,
    [
      'import urllib.request, urllib.error',
      't = ocean.auth_token(minutes=5)',
      "url = t['nodeUrl'] + '/api/services/persistentStorage/buckets'",
      'def get(headers):',
      '    try:',
      '        return urllib.request.urlopen(urllib.request.Request(url, headers=headers)).status',
      '    except urllib.error.HTTPError as error:',
      '        return error.code',
      "print('with token', get(t['headers']))",
      "print('without', get({}))",
      "print('valid minutes', round((t['validUntil'] / 1000 - __import__('time').time()) / 60))"
    ].join('\n')
  );
  await expect(confirmation(page)).toContainText('createAuthToken');
  await approve(page);
  const tokenOutput = await finished(cell);
  expect(tokenOutput).toContain('with token 200');
  expect(tokenOutput).toContain('without 401');
  expect(tokenOutput).toContain('valid minutes 5');
  // The same session reuses it: no second signature.
  expect(
    await run(page, "print('same', ocean.auth_token()['token'] == t['token'])")
  ).toContain('same True');
  await expect(page.locator('.jp-Dialog')).toHaveCount(0);

  // --- a notebook not in view says so in the dialog. ---------------------
  cell = await startCell(
    page,
    'import time\ntime.sleep(3)\n%ocean sign from the background'
  );
  await newNotebook(page, 'python');
  await expect(confirmation(page)).toBeVisible({ timeout: 30_000 });
  await expect(confirmation(page)).toHaveAttribute('data-not-in-view', '');
  await expect(confirmation(page)).toContainText(
    'Untitled.ipynb (Python 3 (ipykernel), not in view)'
  );
  await expect(confirmation(page)).toContainText('which is not in view');
  await confirmation(page)
    .locator('button.jp-OceanConfirmation-reject')
    .click();

  // --- closing a notebook cancels its pending request. --------------------
  const closing = await startCell(page, '%ocean sign closing');
  await shareAccount(page);
  await expect(confirmation(page)).toContainText('Untitled1.ipynb');
  void closing;
  const kernelId = await page.evaluate(
    () =>
      (window as any).jupyterapp.shell.currentWidget.sessionContext.session
        .kernel.id
  );
  await page.evaluate(() => {
    const widget = (window as any).jupyterapp.shell.currentWidget;
    widget.context.model.dirty = false;
    widget.dispose();
  });
  // The dialog goes away and the kernel, answered, is no longer blocked.
  await expect(confirmation(page)).toHaveCount(0);
  await expect
    .poll(
      () =>
        page.evaluate(async id => {
          const kernels = (window as any).jupyterapp.serviceManager.kernels;
          await kernels.refreshRunning();
          return [...kernels.running()].find((k: any) => k.id === id)
            ?.execution_state;
        }, kernelId),
      { timeout: 30_000 }
    )
    .toBe('idle');
  // Back in the first notebook, which got its own rejection.
  expect(await finished(cell)).toMatch(/OceanBridgeError 4001/);

  // --- throttling: a loop of 50 signatures is not 50 dialogs. -------------
  // Count every confirmation dialog that opens from here on.
  await page.evaluate(() => {
    (window as any).__confirmations = 0;
    new MutationObserver(records => {
      for (const record of records) {
        record.addedNodes.forEach(node => {
          if (
            node instanceof HTMLElement &&
            node.matches('.jp-OceanConfirmationDialog')
          ) {
            (window as any).__confirmations++;
          }
        });
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
  cell = await startCell(
    page,
    [
      'codes, last = [], None',
      'for i in range(50):',
      '    try:',
      "        provider.request('personal_sign', ['0x' + f'loop {i}'.encode().hex(), provider.request('eth_accounts')[0]])",
      '    except Exception as error:',
      '        codes.append(error.code)',
      '        last = error.message',
      "print('rejected', codes.count(4001), 'throttled', codes.count('OCEAN_BRIDGE_THROTTLED'))",
      "print('last', last)"
    ].join('\n')
  );
  // Reject whatever opens until the cell is done.
  const done = cell
    .locator('.jp-InputArea-prompt')
    .filter({ hasText: /\[\d+\]/ });
  while (!(await done.isVisible())) {
    const reject = confirmation(page).locator(
      'button.jp-OceanConfirmation-reject'
    );
    if (await reject.isVisible()) {
      await reject.click().catch(() => undefined);
    } else {
      await page.waitForTimeout(100);
    }
  }
  const dialogs = await page.evaluate(() => (window as any).__confirmations);
  const throttled = await finished(cell);
  const [, rejected, refused] = /rejected (\d+) throttled (\d+)/
    .exec(throttled)!
    .map(Number);
  expect(dialogs).toBe(rejected);
  expect(dialogs).toBeGreaterThan(0);
  expect(dialogs).toBeLessThanOrEqual(10);
  expect(refused).toBe(50 - rejected);
  expect(throttled).toContain('too many signatures');
  await expect(page.locator('.jp-Dialog')).toHaveCount(0);
});

test('Deno: ocean.send, ocean.wallet() and ocean.authToken()', async ({
  page,
  twoNetworkLab: lab,
  stack
}) => {
  test.setTimeout(300_000);
  const chain = stackChain(stack);
  await openLab(page, lab);
  const me = await importWallet(
    page,
    HDNodeWallet.createRandom().mnemonic!.phrase
  );
  await useFaucet(page);
  await newNotebook(page, 'deno');

  const to = stack.accounts.consumer;
  const before = await chain.getBalance(to);
  let cell = await startCell(
    page,
    [
      `const sent = await ocean.send('${to}', '0.125');`,
      "console.log('status', sent.value.status, sent.value.hash);"
    ].join('\n')
  );
  await shareAccount(page);
  // The lab is shared with the Python test, and made to look new for this
  // one (fixtures.ts resetForNextTest): the first notebook again.
  const notebookPath: string = await page.evaluate(
    () => (window as any).jupyterapp.shell.currentWidget.context.path
  );
  expect(notebookPath).toBe('Untitled.ipynb');
  await expect(confirmation(page)).toContainText(`${notebookPath} (Deno)`);
  await approve(page);
  expect(await finished(cell)).toMatch(/status 1 0x[0-9a-f]{64}/);
  expect((await chain.getBalance(to)) - before).toBe(parseEther('0.125'));

  cell = await startCell(page, 'await ocean.wallet()');
  await finished(cell);
  const widget = cell.locator('.jp-OceanWalletWidget');
  await expect(widget.locator('[data-field="account"]')).toContainText(me);
  await expect(widget.locator('[data-field="balances"]')).toContainText(
    /\d ETH/,
    { timeout: 30_000 }
  );
  // Display-only in Deno, but live: locking shows at once.
  await walletView(page).locator('button[data-action="lock"]').click();
  await expect(widget).toHaveAttribute('data-status', 'locked');
  await walletView(page)
    .locator('form.unlock input[name="password"]')
    .fill('kernel-bridge-test');
  await walletView(page).locator('form.unlock button[type="submit"]').click();
  await expect(widget.locator('[data-field="account"]')).toContainText(me, {
    timeout: 60_000
  });

  cell = await startCell(
    page,
    [
      'const grant = await ocean.authToken({ minutes: 2 });',
      "const url = grant.nodeUrl + '/api/services/persistentStorage/buckets';",
      "console.log('with token', (await fetch(url, { headers: grant.headers })).status);",
      "console.log('without', (await fetch(url)).status);"
    ].join('\n')
  );
  await expect(confirmation(page)).toContainText('createAuthToken');
  await approve(page);
  const output = await finished(cell);
  expect(output).toContain('with token 200');
  expect(output).toContain('without 401');
});
