/**
 * `npm start` as a newcomer meets it: one command brings up the local Ocean
 * network and JupyterLab, prints a `JupyterLab:` URL that opens the sample
 * notebook, and Ctrl-C stops everything it started.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from './fixtures';
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
