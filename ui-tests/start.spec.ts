/**
 * `npm start` as a newcomer meets it: one command brings up the local Ocean
 * network and JupyterLab, prints a `JupyterLab:` URL that opens the sample
 * notebook, and Ctrl-C stops everything it started.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { HDNodeWallet } from 'ethers';
import { test, expect } from './fixtures';
import { importWallet, walletView } from './bridge-helpers';
import { root } from '../scripts/lib/services.mjs';

test('npm start serves the lab with the sample notebook and Ctrl-C stops everything', async ({
  page
}) => {
  const dir = mkdtempSync(join(tmpdir(), 'jlo-start-'));
  const child = spawn(
    process.execPath,
    [
      join(root, 'scripts', 'start.mjs'),
      '--free-ports',
      '--workspace',
      join(dir, 'work'),
      '--state-dir',
      dir
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }
  );
  let output = '';
  child.stdout.on('data', chunk => (output += chunk));
  child.stderr.on('data', chunk => (output += chunk));
  const exited = new Promise<number | null>(resolve =>
    child.once('exit', code => resolve(code))
  );
  try {
    await expect
      .poll(() => /^JupyterLab: (http\S+)$/m.exec(output)?.[1], {
        timeout: 150_000
      })
      .toMatch(
        /^http:\/\/127\.0\.0\.1:\d+\/lab\/tree\/getting-started\.ipynb\?token=[0-9a-f]{48}$/
      );
    const url = /^JupyterLab: (http\S+)$/m.exec(output)![1];
    // Every sample's DID starts in one column (they were ragged from
    // "compute" on, the longer roles).
    const samples = [...output.matchAll(/^ {2}sample (\w+) +(did:op:\w+)$/gm)];
    expect(samples.map(([, role]) => role)).toContain('algorithm');
    expect(
      new Set(samples.map(([line, , did]) => line.indexOf(did))).size
    ).toBe(1);
    const stack = JSON.parse(
      readFileSync(join(dir, '.ocean-stack', 'stack.json'), 'utf8')
    );

    await page.goto(url);
    // The sample notebook opens, the Ocean panel is in the sidebar.
    await expect(
      page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', {
        hasText: 'getting-started.ipynb'
      })
    ).toBeVisible({ timeout: 60_000 });
    await expect(page.locator('.jp-NotebookPanel')).toContainText(
      'Getting started with jupyterlab-ocean'
    );
    await expect(
      page.locator(
        '.jp-SideBar.jp-mod-right .lm-TabBar-tab[data-id="jupyterlab-ocean-panel"]'
      )
    ).toBeVisible();
    // It is pip's JupyterLab from the project venv, and it does not publish
    // the application to page scripts (tests ask for that, users do not):
    // an output's script must not reach the wallet through window.jupyterapp.
    const config = await page.evaluate(() =>
      JSON.parse(document.getElementById('jupyter-config-data')!.textContent!)
    );
    expect(config.appVersion).toMatch(/^4\.6\./);
    expect(config.exposeAppInBrowser ?? false).toBe(false);
    expect(await page.evaluate(() => typeof (window as any).jupyterapp)).toBe(
      'undefined'
    );
    // The stack answers on the ports it reported.
    const chainId = await fetch(stack.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId' })
    }).then(response => response.json());
    expect(parseInt(chainId.result, 16)).toBe(8996);
    expect((await fetch(stack.nodeUrl)).ok).toBe(true);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('Stopped.');
    // Nothing it started still answers.
    await expect(fetch(stack.rpcUrl)).rejects.toThrow();
    await expect(fetch(stack.nodeUrl)).rejects.toThrow();
    await expect(fetch(url)).rejects.toThrow();
    // Every example is seeded into the workspace, the Deno walk-through too.
    for (const name of [
      'getting-started.ipynb',
      'getting-started-deno.ipynb',
      'ocean-data.ipynb'
    ])
      expect(existsSync(join(dir, 'work', name)), name).toBe(true);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a second npm start keeps the lab\u2019s address, so the wallet is still there; when it cannot, the panel says where the wallet is', async ({
  page
}) => {
  test.setTimeout(420_000);
  const dir = mkdtempSync(join(tmpdir(), 'jlo-restart-'));
  const children: ReturnType<typeof spawn>[] = [];
  const start = async () => {
    const child = spawn(
      process.execPath,
      [
        join(root, 'scripts', 'start.mjs'),
        '--free-ports',
        '--workspace',
        join(dir, 'work'),
        '--state-dir',
        dir
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] }
    );
    children.push(child);
    let output = '';
    child.stdout!.on('data', chunk => (output += chunk));
    child.stderr!.on('data', chunk => (output += chunk));
    const exited = new Promise<number | null>(resolve =>
      child.once('exit', code => resolve(code))
    );
    await expect
      .poll(() => /^JupyterLab: (http\S+)$/m.exec(output)?.[1], {
        timeout: 150_000
      })
      .toBeTruthy();
    const url = /^JupyterLab: (http\S+)$/m.exec(output)![1];
    const stop = async () => {
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    };
    return { url, origin: new URL(url).origin, output: () => output, stop };
  };
  const openPanel = async (url: string) => {
    await page.goto(url);
    const tab = page.locator(
      '.jp-SideBar.jp-mod-right .lm-TabBar-tab[data-id="jupyterlab-ocean-panel"]'
    );
    await expect(tab).toBeVisible({ timeout: 60_000 });
    // The restored layout may already show the panel: a click would close it.
    if (!(await tab.evaluate(t => t.classList.contains('lm-mod-current'))))
      await tab.click();
    await expect(walletView(page)).toBeVisible();
    return walletView(page);
  };
  const blocker = createServer();
  try {
    // 1. A wallet made at the first address.
    const first = await start();
    await openPanel(first.url);
    await importWallet(page, HDNodeWallet.createRandom().mnemonic!.phrase);
    await first.stop();

    // 2. Started again: same address, so the browser still has the wallet.
    const second = await start();
    expect(second.origin).toBe(first.origin);
    const view = await openPanel(second.url);
    await expect(view.locator('form.unlock')).toBeVisible();
    await second.stop();

    // 3. The address is taken by something else: the lab moves, says so,
    // and the panel names the address where the wallet is kept.
    const port = Number(new URL(first.url).port);
    await new Promise<void>(resolve =>
      blocker.listen(port, '127.0.0.1', () => resolve())
    );
    const third = await start();
    expect(third.origin).not.toBe(first.origin);
    expect(third.output()).toContain(`earlier port ${port} is taken`);
    const moved = await openPanel(third.url);
    await expect(moved.locator('[data-ocean=wallet-elsewhere]')).toContainText(
      first.origin
    );
    await third.stop();
  } finally {
    for (const child of children)
      if (child.exitCode === null) child.kill('SIGKILL');
    blocker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
