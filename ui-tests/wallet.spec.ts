/**
 * The built-in wallet end to end, in Chromium, against the lab host and a
 * local Ocean stack on free ports: create (phrase shown once, confirmed) →
 * lock → wrong password → unlock → reload stays locked → faucet → balances →
 * send through the confirmation dialog (Escape, Reject, Enter refuse;
 * Confirm sends) → activity confirmed → ERC-20 send decoded → requests as a
 * kernel would make them (unlimited approval warning, Ocean Node hash
 * decoded, eth_sign refused) → import a keystore → nothing secret leaked
 * into any request, websocket frame, browser storage in clear, or file.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  Contract,
  encryptKeystoreJson,
  formatUnits,
  getBytes,
  HDNodeWallet,
  Interface,
  JsonRpcProvider,
  keccak256,
  MaxUint256,
  toUtf8Bytes,
  verifyMessage,
  Wallet
} from 'ethers';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { addElsewhere } from './ocean-helpers';
import { newNotebook, openLab } from './helpers';
import {
  confirmDialog,
  importWallet,
  TEST_WALLET_PASSWORD,
  openWalletPanel as openPanel
} from './wallet-helpers';
import {
  approve,
  confirmation as dialog,
  finished,
  shareAccount,
  startCell,
  walletView
} from './bridge-helpers';

const PASSWORD = 'jupyter-ocean-test';

/** Everything the browser sent: URLs, bodies, websocket frames. */
function recordTraffic(page: Page): string[] {
  const sent: string[] = [];
  page.on('request', request => {
    sent.push(request.url());
    const body = request.postData();
    if (body) sent.push(body);
  });
  page.on('websocket', socket => {
    socket.on('framesent', frame => sent.push(String(frame.payload)));
  });
  return sent;
}

/** Starts an IWallet.request as a kernel would, without waiting for it. */
async function startKernelRequest(
  page: Page,
  method: string,
  params: unknown[]
): Promise<void> {
  await page.evaluate(
    async ({ method, params }) => {
      const app = (window as any).jupyterapp;
      const services: Map<any, string> = app.pluginRegistry._services;
      const token = [...services.keys()].find(
        t => t.name === 'jupyterlab-ocean:IWallet'
      );
      const wallet = await app.resolveRequiredService(token);
      (window as any).__walletResult = wallet
        .request(
          { method, params },
          { kind: 'kernel', label: 'analysis.ipynb (Python 3 kernel)' }
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
    { method, params }
  );
}

async function kernelResult(page: Page): Promise<any> {
  return page.evaluate(() => (window as any).__walletResult);
}

async function shoot(page: Page, testInfo: any, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    const stat = statSync(full);
    if (stat.isDirectory()) out.push(...filesUnder(full));
    else if (stat.size < 5_000_000) out.push(full);
  }
  return out;
}

test('the wallet: create, lock, unlock, faucet, send through the dialog, import, no leaks', async ({
  page,
  oceanLab: lab,
  stack,
  consoleErrors
}, testInfo) => {
  test.setTimeout(480_000);
  const traffic = recordTraffic(page);
  await openLab(page, lab);
  await openPanel(page);
  const view = walletView(page);
  await expect(view.getByText('No wallet in this browser yet')).toBeVisible();

  // --- Create: the phrase is shown once, and must be typed back. ---------
  await view.locator('button[data-action="create"]').click();
  const words = await view.locator('.phrase span').allInnerTexts();
  expect(words).toHaveLength(12);
  const phrase = words.join(' ');
  await view.locator('button[data-action="phrase-written"]').click();
  const asked = await view
    .locator('form.create input[name^="word-"]')
    .evaluateAll(inputs => inputs.map(i => (i as HTMLInputElement).name));
  expect(asked).toHaveLength(3);
  for (const name of asked) {
    await view.locator(`input[name="${name}"]`).fill('wrong');
  }
  await view.locator('form.create input[name="password"]').fill(PASSWORD);
  await view.locator('form.create input[name="repeat"]').fill(PASSWORD);
  await view.locator('form.create button[type="submit"]').click();
  await expect(view.locator('.error')).toContainText('does not match');
  // The create form: phrase words, the new password and its repeat, the buttons.
  await shoot(page, testInfo, 'panel-create-confirm-light');
  for (const name of asked) {
    const index = Number(name.slice('word-'.length));
    await view.locator(`input[name="${name}"]`).fill(words[index]);
  }
  await view.locator('form.create button[type="submit"]').click();
  const account = HDNodeWallet.fromPhrase(phrase).address;
  await expect(view.locator('.address')).toHaveText(account, {
    timeout: 60_000
  });
  await expect(view.locator('.phrase')).toHaveCount(0);
  await expect(page.locator('.jp-OceanStatusItem')).toContainText('Account 1');

  // --- Lock, a wrong password, unlock. -----------------------------------
  await view.locator('button[data-action="lock"]').click();
  await expect(view.locator('form.unlock')).toBeVisible();
  await expect(page.locator('.jp-OceanStatusItem')).toContainText('locked');
  // No emoji (a box without an emoji font): a shape every UI font draws.
  await expect(page.locator('.jp-OceanStatusItem')).toContainText('○ locked');
  await view
    .locator('form.unlock input[name="password"]')
    .fill('not it at all');
  await view.locator('form.unlock button[type="submit"]').click();
  await expect(view.locator('.error')).toContainText('does not unlock', {
    timeout: 60_000
  });
  await expect(view.locator('form.unlock')).toBeVisible();

  // --- A reload keeps the wallet, still locked. --------------------------
  await page.reload();
  await openLab(page, lab);
  await openPanel(page);
  await expect(view.locator('form.unlock')).toBeVisible();
  await view.locator('form.unlock input[name="password"]').fill(PASSWORD);
  await view.locator('form.unlock button[type="submit"]').click();
  await expect(view.locator('.address')).toHaveText(account, {
    timeout: 60_000
  });

  // --- Faucet → balances. ------------------------------------------------
  await view.locator('button[data-action="faucet"]').click();
  await expect(view.locator('.notice')).toContainText('The faucet sent', {
    timeout: 60_000
  });
  await expect(view.locator('li[data-token="native"] .amount')).toHaveText(
    '10'
  );
  await expect(view.locator('li[data-token="ocean"] .amount')).toHaveText(
    '100'
  );

  // --- Send: Escape, Reject and Enter all refuse. ------------------------
  const recipient = stack.accounts.consumer2;
  const openSend = async (amount: string, token = 'native') => {
    if (!(await view.locator('form.send').isVisible())) {
      await view.locator('button[data-action="send"]').click();
    }
    if (token !== 'native') {
      await view.locator('form.send select[name="token"]').selectOption({
        label: token
      });
    }
    await view.locator('form.send input[name="to"]').fill(recipient);
    await view.locator('form.send input[name="amount"]').fill(amount);
    await view.locator('form.send button[type="submit"]').click();
    await expect(dialog(page)).toBeVisible({ timeout: 30_000 });
  };
  await openSend('1.5');
  await expect(dialog(page)).toContainText('Send 1.5 ETH to');
  await expect(dialog(page)).toContainText('The Ocean panel');
  await expect(dialog(page)).toContainText('chain 8996');
  await expect(dialog(page)).toContainText('Network fee');
  // Reject has the focus: the safe choice is the default.
  await expect(
    dialog(page).locator('button.jp-OceanConfirmation-reject')
  ).toBeFocused();
  await shoot(page, testInfo, 'dialog-send-light');
  await page.keyboard.press('Escape');
  await expect(dialog(page)).toHaveCount(0);
  await expect(view.locator('.notice')).toContainText('rejected');

  await openSend('1.5');
  await dialog(page).locator('button.jp-OceanConfirmation-reject').click();
  await expect(dialog(page)).toHaveCount(0);
  await expect(view.locator('.notice')).toContainText('rejected');

  await openSend('1.5');
  await page.keyboard.press('Enter');
  await expect(dialog(page)).toHaveCount(0);
  await expect(view.locator('.notice')).toContainText('rejected');
  await expect(view.locator('ul.activity li')).toHaveCount(0);

  await openSend('1.5');
  await dialog(page).locator('button.jp-OceanConfirmation-confirm').click();
  await expect(view.locator('.notice')).toContainText('Sent: 0x', {
    timeout: 30_000
  });
  await expect(
    view.locator('ul.activity li[data-status="confirmed"]')
  ).toHaveCount(1, { timeout: 30_000 });
  await expect(view.locator('li[data-token="native"] .amount')).toHaveText(
    /^8\.49/
  );

  // --- An ERC-20 transfer is decoded with symbol and decimals. -----------
  await openSend('2.25', 'OCEAN');
  await expect(dialog(page)).toContainText('Send 2.25 OCEAN to');
  await expect(dialog(page)).toContainText('transfer(address,uint256)');
  await dialog(page).locator('button.jp-OceanConfirmation-confirm').click();
  await expect(
    view.locator('ul.activity li[data-status="confirmed"]')
  ).toHaveCount(2, { timeout: 30_000 });
  await expect(view.locator('li[data-token="ocean"] .amount')).toHaveText(
    '97.75'
  );

  // --- As a kernel: an unlimited approval is decoded and flagged. --------
  const ocean = await view
    .locator('li[data-token="ocean"]')
    .getAttribute('data-address');
  expect(ocean).toMatch(/^0x[0-9a-fA-F]{40}$/);
  const approve = new Interface([
    'function approve(address spender, uint256 amount)'
  ]).encodeFunctionData('approve', [recipient, MaxUint256]);
  await startKernelRequest(page, 'eth_sendTransaction', [
    { from: account, to: ocean, data: approve }
  ]);
  await expect(dialog(page)).toBeVisible();
  await expect(dialog(page)).toContainText('analysis.ipynb (Python 3 kernel)');
  await expect(dialog(page)).toContainText('Unlimited approval');
  await expect(dialog(page)).toContainText('ordinary account');
  await shoot(page, testInfo, 'dialog-approve-light');
  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('apputils:change-theme', {
      theme: 'JupyterLab Dark'
    })
  );
  await expect(page.locator('body')).toHaveAttribute(
    'data-jp-theme-light',
    'false',
    { timeout: 30_000 }
  );
  await page.waitForTimeout(500);
  await shoot(page, testInfo, 'dialog-approve-dark');
  await page.keyboard.press('Escape');
  expect(await kernelResult(page)).toMatchObject({ ok: false, code: 4001 });

  // --- As a kernel: an Ocean Node request hash is decoded. ---------------
  const nonce = await fetch(
    `${stack.nodeUrl}/api/services/nonce?userAddress=${account}`
  ).then(r => r.json());
  const hash = keccak256(
    toUtf8Bytes(`${account}${Number(nonce.nonce) + 1}createAuthToken`)
  );
  await startKernelRequest(page, 'personal_sign', [hash, account]);
  await expect(dialog(page)).toContainText('Ocean Node request');
  await expect(dialog(page)).toContainText('createAuthToken');
  await expect(dialog(page)).toContainText('Checked');
  await shoot(page, testInfo, 'dialog-node-request-dark');
  await dialog(page).locator('button.jp-OceanConfirmation-confirm').click();
  const signed = await kernelResult(page);
  expect(signed.ok).toBe(true);
  expect(signed.value).toMatch(/^0x[0-9a-f]{130}$/);

  await startKernelRequest(page, 'eth_sign', [account, hash]);
  expect(await kernelResult(page)).toMatchObject({ ok: false, code: 4200 });
  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('apputils:change-theme', {
      theme: 'JupyterLab Light'
    })
  );

  // --- Import a keystore file. --------------------------------------------
  const imported = Wallet.createRandom();
  const keystore = await encryptKeystoreJson(
    { address: imported.address, privateKey: imported.privateKey },
    'keystore password',
    { scrypt: { N: 1 << 12 } }
  );
  await view.locator('button[data-action="import"]').click();
  await view
    .locator('form.import select[name="kind"]')
    .selectOption('keystore');
  await view.locator('form.import textarea[name="secret"]').fill(keystore);
  await view
    .locator('form.import input[name="keystorePassword"]')
    .fill('keystore password');
  await view.locator('form.import input[name="name"]').fill('From file');
  await view.locator('form.import input[name="password"]').fill(PASSWORD);
  await shoot(page, testInfo, 'panel-import-keystore-light');
  await view.locator('form.import button[type="submit"]').click();
  await expect(view.locator('.address')).toHaveText(imported.address, {
    timeout: 60_000
  });
  await expect(view.locator('select.account')).toContainText('From file');

  // --- A reload keeps the activity of the account, confirmed. ------------
  await page.reload();
  await openLab(page, lab);
  await openPanel(page);
  await view.locator('form.unlock input[name="password"]').fill(PASSWORD);
  await view.locator('form.unlock button[type="submit"]').click();
  await expect(view.locator('.address')).toHaveText(imported.address, {
    timeout: 60_000
  });
  await view.locator('select.account').selectOption(account);
  await expect(
    view.locator('ul.activity li[data-status="confirmed"]')
  ).toHaveCount(2);
  await expect(view.locator('ul.activity')).toContainText('Send 2.25 OCEAN');

  // --- Nothing secret left the wallet. ------------------------------------
  const secrets = [
    phrase,
    words.slice(0, 4).join(' '),
    HDNodeWallet.fromPhrase(phrase).privateKey.slice(2),
    imported.privateKey.slice(2)
  ];
  const stored = await page.evaluate(async () => {
    const dump: string[] = [
      JSON.stringify({ ...localStorage }),
      JSON.stringify({ ...sessionStorage })
    ];
    for (const info of await indexedDB.databases()) {
      const db: IDBDatabase = await new Promise((resolve, reject) => {
        const open = indexedDB.open(info.name!);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      for (const name of Array.from(db.objectStoreNames)) {
        const all: unknown[] = await new Promise(resolve => {
          const request = db.transaction(name).objectStore(name).getAll();
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => resolve([]);
        });
        dump.push(JSON.stringify(all));
      }
      db.close();
    }
    return dump.join('\n');
  });
  expect(stored).toContain(account);
  const files = [...filesUnder(lab.stateDir), ...filesUnder(lab.rootDir)].map(
    file => readFileSync(file, 'utf8')
  );
  for (const secret of secrets) {
    expect(traffic.filter(t => t.includes(secret))).toEqual([]);
    expect(stored.includes(secret)).toBe(false);
    expect(files.filter(text => text.includes(secret))).toEqual([]);
    expect(lab.log().includes(secret)).toBe(false);
  }
  expect(traffic.length).toBeGreaterThan(20);
  expect(consoleErrors).toEqual([]);
});

test('a browser wallet announced with EIP-6963 is used instead of built-in keys, still through the dialog', async ({
  page,
  oceanLab: lab,
  stack
}) => {
  // A real EIP-1193 provider: it forwards every request to the local chain,
  // whose dev accounts are unlocked, so the chain itself is the "extension".
  await page.addInitScript(rpcUrl => {
    let id = 0;
    const provider = {
      async request({ method, params }: { method: string; params?: unknown }) {
        if (method === 'eth_requestAccounts') method = 'eth_accounts';
        if (method === 'wallet_switchEthereumChain') return null;
        const response = await fetch(rpcUrl, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: ++id,
            method,
            params: params ?? []
          })
        });
        const body = await response.json();
        if (body.error)
          throw Object.assign(new Error(body.error.message), body.error);
        return body.result;
      }
    };
    const announce = () =>
      window.dispatchEvent(
        new CustomEvent('eip6963:announceProvider', {
          detail: Object.freeze({
            info: {
              uuid: '4b1f4d3c-0000-4000-8000-000000000001',
              name: 'Chain Test Wallet',
              icon: 'data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg"/>',
              rdns: 'org.example.chainwallet'
            },
            provider
          })
        })
      );
    window.addEventListener('eip6963:requestProvider', announce);
    announce();
  }, stack.rpcUrl);

  await openLab(page, lab);
  await openPanel(page);
  const view = walletView(page);
  const use = view.locator('button[data-action="use-injected"]');
  await expect(use).toContainText('Chain Test Wallet');
  await use.click();
  const accounts: string[] = await fetch(stack.rpcUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_accounts' })
  })
    .then(r => r.json())
    .then(body => body.result);
  const { getAddress } = await import('ethers');
  await expect(view.locator('.address')).toHaveText(getAddress(accounts[0]));
  await expect(view.locator('li[data-token="native"] .amount')).not.toHaveText(
    '0'
  );

  await view.locator('button[data-action="send"]').click();
  await view
    .locator('form.send input[name="to"]')
    .fill(stack.accounts.consumer2);
  await view.locator('form.send input[name="amount"]').fill('0.25');
  await view.locator('form.send button[type="submit"]').click();
  await expect(dialog(page)).toContainText('Send 0.25 ETH to');
  await dialog(page).locator('button.jp-OceanConfirmation-confirm').click();
  await expect(
    view.locator('ul.activity li[data-status="confirmed"]')
  ).toHaveCount(1, { timeout: 30_000 });

  await view.locator('button[data-action="use-builtin"]').click();
  await expect(view.getByText('No wallet in this browser yet')).toBeVisible();
});

test('an imported private key signs a message from the panel, and getSigner signatures go through the dialog with their context', async ({
  page,
  oceanLab: lab
}) => {
  const key = Wallet.createRandom();
  await openLab(page, lab);
  await importWallet(page, key.privateKey);
  const view = walletView(page);
  await expect(view.locator('.address')).toHaveText(key.address);

  await view.locator('button[data-action="sign"]').click();
  await view.locator('form.sign textarea[name="message"]').fill('Hello Ocean');
  await view.locator('form.sign button[type="submit"]').click();
  await expect(dialog(page)).toContainText('Hello Ocean');
  await expect(dialog(page)).toContainText('costs nothing');
  await confirmDialog(page);
  const signature = await view.locator('.signature').innerText();
  expect(verifyMessage('Hello Ocean', signature)).toBe(key.address);

  // What the Ocean client does: an ethers Signer from IWallet.getSigner,
  // signing an Ocean Node request with a hint of what it is for.
  const hash = keccak256(toUtf8Bytes(`${key.address}5download`));
  await page.evaluate(async hash => {
    const app = (window as any).jupyterapp;
    const services: Map<any, string> = app.pluginRegistry._services;
    const token = [...services.keys()].find(
      t => t.name === 'jupyterlab-ocean:IWallet'
    );
    const wallet = await app.resolveRequiredService(token);
    const signer = await wallet.getSigner({
      kind: 'renderer',
      label: 'Asset card: Weather 2024'
    });
    const bytes = Uint8Array.from(
      hash
        .slice(2)
        .match(/../g)!
        .map((b: string) => parseInt(b, 16))
    );
    (window as any).__walletResult = signer
      .withNodeRequest({
        command: 'download',
        nonce: 5,
        description: 'download dataset Weather 2024'
      })
      .signMessage(bytes)
      .then(
        (value: string) => ({ ok: true, value }),
        (error: any) => ({ ok: false, code: error.code })
      );
  }, hash);
  await expect(dialog(page)).toContainText('Asset card: Weather 2024');
  // The wallet's own words in the summary; the requester's in a row.
  await expect(dialog(page)).toContainText(
    'Ocean Node request: download a file of a dataset you ordered.'
  );
  await expect(dialog(page)).toContainText('Requester says');
  await expect(dialog(page)).toContainText('download dataset Weather 2024');
  await expect(dialog(page)).toContainText('Checked');
  await confirmDialog(page);
  const result = await kernelResult(page);
  expect(result.ok).toBe(true);
  expect(verifyMessage(getBytes(hash), result.value)).toBe(key.address);

  // A kernel asking to switch to a chain: the dialog asks; Escape keeps the
  // network. (Confirming would reach a public RPC: tests stay on loopback.)
  await startKernelRequest(page, 'wallet_switchEthereumChain', [
    { chainId: '0xaa36a7' }
  ]);
  await expect(dialog(page)).toContainText('Switch network');
  await expect(dialog(page)).toContainText('Sepolia');
  await page.keyboard.press('Escape');
  expect(await kernelResult(page)).toMatchObject({ ok: false, code: 4001 });
  await expect(page.locator('.jp-OceanStatusItem')).toContainText('Local');
  await startKernelRequest(page, 'wallet_switchEthereumChain', [
    { chainId: '0x1234567' }
  ]);
  expect(await kernelResult(page)).toMatchObject({ ok: false, code: 4901 });
  await startKernelRequest(page, 'eth_chainId', []);
  expect(await kernelResult(page)).toMatchObject({ ok: true, value: '0x2324' });

  // Export a keystore backup: a Web3 Secret Storage file that opens with
  // the password chosen for it.
  await view.locator('button[data-action="export"]').click();
  await view
    .locator('form.export input[name="password"]')
    .fill('backup password');
  await view.locator('form.export button[type="submit"]').click();
  // The key leaves the vault only after the wallet's own password, typed
  // into a dialog whose Export a script cannot press.
  const approval = page.locator('.jp-OceanPasswordApproval');
  await expect(approval).toBeVisible();
  await approval.locator('input').fill('not the wallet password');
  await approval.locator('button.jp-mod-warn').click();
  await expect(approval).toHaveCount(0);
  await expect(view.locator('p.error')).toContainText(
    'That password does not unlock this wallet'
  );
  await view.locator('form.export button[type="submit"]').click();
  await expect(approval).toBeVisible();
  await approval.locator('input').fill(TEST_WALLET_PASSWORD);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    approval.locator('button.jp-mod-warn').click()
  ]);
  const file = readFileSync((await download.path())!, 'utf8');
  const reopened = await Wallet.fromEncryptedJson(file, 'backup password');
  expect(reopened.address).toBe(key.address);
});

test('switching network updates the wallet state, balances and status bar', async ({
  page,
  oceanLab: lab,
  stack
}) => {
  await openLab(page, lab);
  await importWallet(page, Wallet.createRandom().privateKey);
  const view = walletView(page);
  await expect(view.locator('li[data-token="native"] .amount')).toHaveText('0');
  // A second network on a loopback port where nothing answers (tests never
  // leave the machine); the local one keeps the stack's ports.
  await addElsewhere(page, stack);
  const card = page.locator('#jupyterlab-ocean-panel ocean-network-card');
  await card.locator('select').selectOption('elsewhere');
  await expect(page.locator('.jp-OceanStatusItem')).toContainText('Elsewhere');
  await expect(view.locator('button[data-action="faucet"]')).toHaveCount(0);
  await expect(view.locator('.error')).toContainText('Elsewhere', {
    timeout: 30_000
  });
  await startKernelRequest(page, 'eth_chainId', []);
  expect(await kernelResult(page)).toMatchObject({ ok: true, value: '0x7a69' });

  await card.locator('select').selectOption('local');
  await expect(page.locator('.jp-OceanStatusItem')).toContainText('Local');
  await view.locator('button[data-action="faucet"]').click();
  await expect(view.locator('li[data-token="native"] .amount')).toHaveText(
    '10',
    { timeout: 60_000 }
  );
});

test('balances list the data NFTs an account holds, named after their assets', async ({
  page,
  oceanLab: lab,
  stack
}, testInfo) => {
  // The stack's publisher (dev account 1) owns the sample assets' data NFTs.
  const publisher = HDNodeWallet.fromPhrase(
    'taxi music thumb unique chat sand crew more leg another off lamp',
    undefined,
    "m/44'/60'/0'/0/1"
  );
  expect(publisher.address).toBe(stack.accounts.publisher);
  const csv = stack.sampleDetails.csv as { did: string; nftAddress: string };
  const ddo = await fetch(
    `${stack.nodeUrl}/api/aquarius/assets/ddo/${csv.did}`
  ).then(r => r.json());
  await openLab(page, lab);
  await importWallet(page, publisher.privateKey);
  const nft = walletView(page).locator(
    `li[data-token="${csv.nftAddress}"][data-kind="nft"]`
  );
  await expect(nft).toContainText(ddo.metadata.name, { timeout: 60_000 });
  await expect(nft).toContainText('data NFT');
  await shoot(page, testInfo, 'panel-publisher-balances');
});

test('balances follow every settled transaction: a send from the panel and one from a kernel', async ({
  page,
  oceanLab: lab,
  stack
}) => {
  const key = Wallet.createRandom();
  await openLab(page, lab);
  await importWallet(page, key.privateKey);
  const view = walletView(page);
  await view.locator('button[data-action="faucet"]').click();
  const ocean = view.locator('li[data-token="ocean"] .amount');
  await expect(ocean).toHaveText('100', { timeout: 60_000 });
  const chain = new JsonRpcProvider(stack.rpcUrl);
  const oceanOnChain = async () => {
    const token = new Contract(
      (await view
        .locator('li[data-token="ocean"]')
        .getAttribute('data-address'))!,
      ['function balanceOf(address) view returns (uint256)'],
      chain
    );
    return formatUnits(await token.balanceOf(key.address), 18);
  };

  // From the panel.
  await view.locator('button[data-action="send"]').click();
  await view
    .locator('form.send select[name="token"]')
    .selectOption({ label: 'OCEAN' });
  await view
    .locator('form.send input[name="to"]')
    .fill(stack.accounts.consumer2);
  await view.locator('form.send input[name="amount"]').fill('1.5');
  await view.locator('form.send button[type="submit"]').click();
  await confirmDialog(page);
  // Within a few seconds of the receipt, not on the next unrelated block.
  await expect(ocean).toHaveText('98.5', { timeout: 10_000 });
  expect(Number(await oceanOnChain())).toBe(98.5);

  // From a kernel: the panel follows the kernel's transaction too.
  await newNotebook(page, 'python');
  const share = await startCell(page, '%ocean account');
  await shareAccount(page);
  await finished(share);
  const cell = await startCell(
    page,
    `o = %ocean send ${stack.accounts.consumer2} 2.5 OCEAN\nprint('status', o['status'])`
  );
  await approve(page);
  expect(await finished(cell)).toContain('status 1');
  await expect(ocean).toHaveText('96', { timeout: 10_000 });
  expect(Number(await oceanOnChain())).toBe(96);
});

test('notices: a repeat replaces the first, and a closed one leaves the notification list', async ({
  page,
  oceanLab
}) => {
  await openLab(page, oceanLab);
  await importWallet(page, Wallet.createRandom().privateKey);
  const view = walletView(page);
  // The status bar's bell counts what is in the lab's notification list.
  const bell = page.locator('.jp-Notification-Status');
  await expect(bell).toHaveText('0');
  for (let i = 0; i < 3; i++) {
    await Promise.all([
      page.waitForResponse(response => /\/faucet\b/.test(response.url())),
      view.locator('button[data-action="faucet"]').click()
    ]);
    await expect(
      page.locator('.Toastify__toast', { hasText: 'The faucet sent' }).first()
    ).toBeVisible();
  }
  // Three gifts, one notice (it was three toasts and three in the list).
  await expect(page.locator('.Toastify__toast')).toHaveCount(1);
  await expect(bell).toHaveText('1');
  // It closes by itself and then leaves the list (it stayed there for good).
  await expect(page.locator('.Toastify__toast')).toHaveCount(0, {
    timeout: 15_000
  });
  await expect(bell).toHaveText('0', { timeout: 15_000 });
});
