/**
 * The kernel bridge end to end, in Chromium, with real Python and Deno
 * kernels, the real wallet (imported in the panel, approved in its dialog)
 * and a local Ocean stack on free ports:
 *
 * reads mid-cell without prompts → the account is shared once per kernel
 * session and account → a signature requested mid-cell returns in the same
 * cell → rejection is 4001 in the cell → a transaction hash and receipt in
 * the same cell → accountsChanged reaches the kernel; after a switch to an
 * account it was never given it sees none and is asked again, naming the
 * account (as MetaMask asks per account) → a locked wallet gives 4100 →
 * kernel restart, the bridge works again → the saved notebook holds no bridge
 * traffic and no input box was ever rendered. Deno: ethers.BrowserProvider
 * over `ocean.provider` signs EIP-712 typed data that verifies.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HDNodeWallet, verifyMessage } from 'ethers';
import {
  confirmation,
  finished,
  importWallet,
  PASSWORD,
  run,
  shareDialog,
  startCell,
  walletView
} from './bridge-helpers';
import { test, expect } from './fixtures';
import { newNotebook, openLab, save, waitForKernelIdle } from './helpers';

test('Python and Deno kernels share the wallet session mid-cell', async ({
  page,
  oceanLab: lab,
  stack
}) => {
  test.setTimeout(420_000);
  // Count every stdin box the output area ever renders: there must be none.
  await page.addInitScript(() => {
    (window as any).__stdinBoxes = 0;
    new MutationObserver(records => {
      for (const record of records) {
        record.addedNodes.forEach(node => {
          if (
            node instanceof HTMLElement &&
            (node.matches('.jp-Stdin') || node.querySelector('.jp-Stdin'))
          ) {
            (window as any).__stdinBoxes++;
          }
        });
      }
    }).observe(document, { childList: true, subtree: true });
  });
  // Frames the page sends to the chain over a WebSocket (reads from kernels
  // take one to a loopback dev chain: see src/kernel-bridge/rpc-reader.ts).
  const chainFrames: string[] = [];
  const chainSocket = stack.rpcUrl.replace(/^http/, 'ws');
  page.on('websocket', socket => {
    if (socket.url().replace(/\/$/, '') === chainSocket.replace(/\/$/, '')) {
      socket.on('framesent', frame => chainFrames.push(String(frame.payload)));
    }
  });
  await openLab(page, lab);
  const phrase = HDNodeWallet.createRandom().mnemonic!.phrase;
  const first = await importWallet(page, phrase);

  // --- Python: reads pass through mid-cell, without any dialog. ----------
  // Through the page (direct reads off): the path of every kernel the page
  // shares no RPC URL with. Direct reads: kernel-bridge-reads.spec.ts.
  await newNotebook(page, 'python');
  const reads = await run(
    page,
    [
      'from jupyterlab_ocean import provider',
      'provider.direct_reads = False',
      'seen = []',
      "provider.on('accountsChanged', lambda accounts: seen.append(accounts))",
      "print('before')",
      "print('chain', int(provider.request('eth_chainId'), 16))",
      "print('block', int(provider.request('eth_blockNumber'), 16) >= 0)",
      "print('accounts', provider.request('eth_accounts'))",
      "print('after')"
    ].join('\n')
  );
  expect(reads).toContain('before');
  expect(reads).toContain('chain 8996');
  expect(reads).toContain('block True');
  expect(reads).toContain('accounts []');
  expect(reads).toContain('after');
  await expect(page.locator('.jp-Dialog')).toHaveCount(0);
  // The read reached the chain itself, over the socket, each time it was
  // asked (nothing cached): two more reads, two more frames.
  const blockFrames = () =>
    chainFrames.filter(f => f.includes('"eth_blockNumber"')).length;
  expect(blockFrames()).toBe(1);
  expect(
    await run(
      page,
      "print('twice', [int(provider.request('eth_blockNumber'), 16) >= 0 for _ in range(2)])\nprovider.direct_reads = True"
    )
  ).toContain('twice [True, True]');
  expect(blockFrames()).toBe(3);

  // web3.py over the same provider where web3 is installed; where it is not
  // (this machine: not in Debian, no PyPI), the import says how to get it.
  const web3 = await run(
    page,
    [
      'import importlib.util',
      'if importlib.util.find_spec("web3"):',
      '    from web3 import Web3',
      '    from jupyterlab_ocean import OceanWeb3Provider',
      '    w3 = Web3(OceanWeb3Provider())',
      "    print('web3', w3.eth.chain_id, w3.eth.block_number >= 0)",
      'else:',
      '    try:',
      '        from jupyterlab_ocean import OceanWeb3Provider',
      '    except ImportError as error:',
      "        print('web3', error)"
    ].join('\n')
  );
  expect(web3).toMatch(
    /web3 (8996 True|OceanWeb3Provider needs web3: pip install web3)/
  );
  await expect(page.locator('.jp-Dialog')).toHaveCount(0);

  // --- eth_requestAccounts asks once per kernel session. -----------------
  let cell = await startCell(
    page,
    "addr = %ocean account\nprint('account', addr)"
  );
  await expect(shareDialog(page)).toBeVisible();
  await expect(shareDialog(page)).toContainText('Untitled.ipynb');
  await expect(cell.locator('.jp-Cell-outputArea')).toContainText(
    'share your account'
  );
  await shareDialog(page)
    .getByRole('button', { name: 'Share account' })
    .click();
  expect(await finished(cell)).toContain(`account ${first}`);
  expect(
    await run(page, "again = %ocean account\nprint('again', again)")
  ).toContain(`again ${first}`);
  await expect(page.locator('.jp-Dialog')).toHaveCount(0);

  // --- A signature requested mid-cell returns in the same cell. ----------
  cell = await startCell(
    page,
    "print('asking')\nsig = %ocean sign hello from the kernel\nprint('sig', sig)"
  );
  await expect(confirmation(page)).toBeVisible();
  await expect(confirmation(page)).toContainText('Untitled.ipynb');
  await expect(confirmation(page)).toContainText('hello from the kernel');
  await expect(cell.locator('.jp-Cell-outputArea')).toContainText(
    'Waiting for your approval'
  );
  await confirmation(page)
    .locator('button.jp-OceanConfirmation-confirm')
    .click();
  const signed = await finished(cell);
  const signature = /sig (0x[0-9a-f]{130})/.exec(signed)?.[1];
  expect(signature).toBeTruthy();
  expect(verifyMessage('hello from the kernel', signature!)).toBe(first);

  // --- Rejection is 4001, as an exception the cell can catch… ------------
  cell = await startCell(
    page,
    [
      'try:',
      "    provider.request('personal_sign', ['0x6e6f', addr])",
      'except Exception as error:',
      "    print('code', error.code, error.message)"
    ].join('\n')
  );
  await expect(confirmation(page)).toBeVisible();
  await confirmation(page)
    .locator('button.jp-OceanConfirmation-reject')
    .click();
  expect(await finished(cell)).toMatch(/code 4001 You rejected/);
  // …and, uncaught, a one-line error with its code in the cell.
  cell = await startCell(page, '%ocean sign no thanks');
  await expect(confirmation(page)).toBeVisible();
  await confirmation(page)
    .locator('button.jp-OceanConfirmation-reject')
    .click();
  expect(await finished(cell)).toMatch(/OceanBridgeError 4001: You rejected/);

  // --- Unsupported method is 4200, a transaction for another chain 4901;
  // neither opens a dialog.
  const codes = await run(
    page,
    [
      'for method, params in [',
      "    ('eth_sign', [addr, '0x' + '00' * 32]),",
      "    ('eth_sendTransaction', [{'from': addr, 'to': addr, 'chainId': hex(1)}]),",
      "    ('ocean_nonsense', []),",
      ']:',
      '    try:',
      '        provider.request(method, params)',
      '    except Exception as error:',
      "        print(method, 'code', error.code)"
    ].join('\n')
  );
  expect(codes).toContain('eth_sign code 4200');
  expect(codes).toContain('eth_sendTransaction code 4901');
  expect(codes).toContain('ocean_nonsense code 4200');
  await expect(page.locator('.jp-Dialog')).toHaveCount(0);

  // --- A transaction: hash and receipt in the same cell. ------------------
  const view = walletView(page);
  await view.locator('button[data-action="faucet"]').click();
  await expect(view.locator('.notice')).toContainText('The faucet sent', {
    timeout: 60_000
  });
  cell = await startCell(
    page,
    [
      'import time',
      "tx = provider.request('eth_sendTransaction', [{'from': addr, 'to': " +
        `'${stack.accounts.consumer2}', 'value': hex(10**15)}])`,
      "print('tx', tx)",
      'receipt = None',
      'for _ in range(50):',
      "    receipt = provider.request('eth_getTransactionReceipt', [tx])",
      '    if receipt: break',
      '    time.sleep(0.2)',
      "print('status', receipt['status'])"
    ].join('\n')
  );
  await expect(confirmation(page)).toBeVisible();
  await expect(confirmation(page)).toContainText('Untitled.ipynb');
  await confirmation(page)
    .locator('button.jp-OceanConfirmation-confirm')
    .click();
  const sent = await finished(cell);
  expect(sent).toMatch(/tx 0x[0-9a-f]{64}/);
  expect(sent).toContain('status 0x1');

  // --- accountsChanged reaches an idle kernel; consent is per account. ---
  // The kernel was given the first account only: after a switch to a new one
  // it hears that it has no account, and its next request asks again, naming
  // the new account (as MetaMask asks per account).
  await view.locator('button[data-action="add-account"]').click();
  await expect(view.locator('.address')).not.toHaveText(first);
  const second = (await view.locator('.address').innerText()).trim();
  await expect
    .poll(async () => run(page, "print('seen', seen[-1:])"), {
      timeout: 30_000
    })
    .toContain('seen [[]]');
  expect(
    await run(page, "print('now', provider.request('eth_accounts'))")
  ).toContain('now []');
  expect(await run(page, "print('seen', seen)")).not.toContain(second);
  cell = await startCell(
    page,
    "switched = %ocean account\nprint('switched', switched)"
  );
  await expect(shareDialog(page)).toBeVisible();
  await expect(shareDialog(page)).toContainText(second);
  await expect(shareDialog(page)).toContainText(
    `It was given ${first.toLowerCase()} before`
  );
  await shareDialog(page)
    .getByRole('button', { name: 'Share account' })
    .click();
  expect(await finished(cell)).toContain(`switched ${second}`);
  await expect
    .poll(async () => run(page, "print('seen', seen[-1:])"), {
      timeout: 30_000
    })
    .toContain(second);

  // --- A locked wallet: the cell waits for the unlock, declining is 4100. --
  await view.locator('button[data-action="lock"]').click();
  await expect(view.locator('form.unlock')).toBeVisible();
  cell = await startCell(page, '%ocean sign while locked');
  const unlock = page.locator('.jp-Dialog:has(.jp-OceanPasswordPrompt)');
  await expect(unlock).toBeVisible();
  await expect(cell.locator('.jp-Cell-outputArea')).toContainText(
    'The wallet is locked'
  );
  await unlock.getByRole('button', { name: 'Cancel' }).click();
  expect(await finished(cell)).toMatch(
    /OceanBridgeError 4100: The wallet is locked: unlock it in the Ocean panel/
  );
  await view.locator('form.unlock input[name="password"]').fill(PASSWORD);
  await view.locator('form.unlock button[type="submit"]').click();
  await expect(view.locator('.address')).toHaveText(/^0x/, { timeout: 60_000 });

  // --- The saved notebook holds nothing of the bridge's traffic. ----------
  await save(page);
  await expect
    .poll(() => {
      try {
        return readFileSync(join(lab.rootDir, 'Untitled.ipynb'), 'utf8');
      } catch {
        return '';
      }
    })
    .toContain('status 0x1');
  const saved = readFileSync(join(lab.rootDir, 'Untitled.ipynb'), 'utf8');
  expect(saved).not.toContain('jupyterlab-ocean-bridge');
  expect(saved).not.toContain('"name": "stdin"');
  const notebook = JSON.parse(saved);
  for (const c of notebook.cells) {
    for (const output of c.outputs ?? []) {
      expect(output.output_type).not.toBe('input_request');
    }
  }

  // --- Kernel restart: the client comes back, permission is asked again. --
  await page.evaluate(() =>
    (
      window as any
    ).jupyterapp.shell.currentWidget.sessionContext.session.kernel.restart()
  );
  await waitForKernelIdle(page);
  expect(await run(page, '%ocean chain')).toContain('chain 8996');
  cell = await startCell(
    page,
    "restarted = %ocean account\nprint('after restart', restarted)"
  );
  await expect(shareDialog(page)).toBeVisible();
  await shareDialog(page)
    .getByRole('button', { name: 'Share account' })
    .click();
  expect(await finished(cell)).toMatch(/after restart 0x[0-9a-fA-F]{40}/);

  // --- Deno: ethers.BrowserProvider over ocean.provider. ------------------
  // npm:ethers resolves from a local node_modules (no registry access).
  mkdirSync(lab.rootDir, { recursive: true });
  writeFileSync(
    join(lab.rootDir, 'package.json'),
    JSON.stringify({ dependencies: { ethers: '^6' } })
  );
  symlinkSync(
    fileURLToPath(new URL('../node_modules', import.meta.url)),
    join(lab.rootDir, 'node_modules')
  );
  await newNotebook(page, 'deno');
  const denoRead = await run(
    page,
    [
      "import { ethers } from 'npm:ethers';",
      'const browserProvider = new ethers.BrowserProvider(ocean.provider);',
      "ocean.provider.on('accountsChanged', (a: string[]) => { (globalThis as any).seenAccounts = a; });",
      "console.log('chain', (await browserProvider.getNetwork()).chainId);",
      "console.log('block', (await browserProvider.getBlockNumber()) >= 0);"
    ].join('\n')
  );
  expect(denoRead).toContain('chain 8996n');
  expect(denoRead).toContain('block true');

  cell = await startCell(
    page,
    [
      'const signer = await browserProvider.getSigner();',
      'const domain = { name: "Ocean bridge test", version: "1", chainId: 8996 };',
      'const types = { Note: [{ name: "contents", type: "string" }] };',
      'const note = { contents: "signed from Deno" };',
      'const typedSig = await signer.signTypedData(domain, types, note);',
      "console.log('verified', ethers.verifyTypedData(domain, types, note, typedSig) === await signer.getAddress());"
    ].join('\n')
  );
  await expect(shareDialog(page)).toBeVisible();
  await expect(shareDialog(page)).toContainText('Untitled1.ipynb');
  await shareDialog(page)
    .getByRole('button', { name: 'Share account' })
    .click();
  await expect(confirmation(page)).toBeVisible();
  await expect(confirmation(page)).toContainText('Untitled1.ipynb');
  await expect(confirmation(page)).toContainText('signed from Deno');
  await confirmation(page)
    .locator('button.jp-OceanConfirmation-confirm')
    .click();
  await finished(cell);
  await expect(cell.locator('.jp-Cell-outputArea')).toContainText(
    'verified true'
  );

  cell = await startCell(
    page,
    "try { await ocean.sign('no'); } catch (error) { console.log('code', (error as any).code); }"
  );
  await expect(confirmation(page)).toBeVisible();
  await confirmation(page)
    .locator('button.jp-OceanConfirmation-reject')
    .click();
  await finished(cell);
  await expect(cell.locator('.jp-Cell-outputArea')).toContainText('code 4001');

  // accountsChanged reaches the idle Deno kernel too. It was given the
  // second account only, so on the first it hears that it has none.
  await view.locator('select.account').selectOption(first);
  await expect(view.locator('.address')).toHaveText(first);
  await expect
    .poll(
      async () => {
        const c = await startCell(
          page,
          "console.log('seen', JSON.stringify((globalThis as any).seenAccounts))"
        );
        await finished(c);
        return (await c.locator('.jp-OutputArea-output').allInnerTexts()).join(
          '\n'
        );
      },
      { timeout: 30_000 }
    )
    .toContain('seen []');

  expect(await page.evaluate(() => (window as any).__stdinBoxes)).toBe(0);
});
