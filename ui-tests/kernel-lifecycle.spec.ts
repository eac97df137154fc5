/**
 * No wedged kernels (issue 16 item 4): a page reloaded while a kernel's
 * wallet dialog is open does not leave the kernel blocked on its stdin
 * request; a kernel restarted from outside the page gets `%ocean` again.
 */
import { HDNodeWallet } from 'ethers';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { newNotebook, openLab, save } from './helpers';
import {
  confirmation,
  finished,
  importWallet,
  run,
  shareAccount,
  startCell
} from './bridge-helpers';

/** The running kernel's id, as the page knows it. */
function kernelId(page: Page): Promise<string> {
  return page.evaluate(
    () =>
      (window as any).jupyterapp.shell.currentWidget.sessionContext.session
        .kernel.id as string
  );
}

test('a reload while a kernel waits on a wallet dialog ends that request in one sentence; the kernel runs on', async ({
  page,
  oceanLab: lab
}) => {
  test.setTimeout(240_000);
  await openLab(page, lab);
  await importWallet(page, HDNodeWallet.createRandom().mnemonic!.phrase);
  await newNotebook(page, 'python');
  const share = await startCell(page, '%ocean account');
  await shareAccount(page);
  await finished(share);
  await startCell(
    page,
    [
      'from jupyterlab_ocean import ocean',
      'try:',
      "    outcome = ocean.sign('left open by a reload')",
      'except Exception as error:',
      '    outcome = f"{type(error).__name__}: {error}"'
    ].join('\n')
  );
  await expect(confirmation(page)).toContainText('left open by a reload', {
    timeout: 60_000
  });
  const id = await kernelId(page);
  await save(page);

  // The page goes away with the dialog open; the kernel is still waiting.
  await page.reload();
  await openLab(page, lab);
  await expect(
    page.locator('.jp-NotebookPanel:not(.lm-mod-hidden)')
  ).toBeVisible();
  await page.waitForFunction(
    () =>
      (window as any).jupyterapp.shell.currentWidget?.sessionContext?.session
        ?.kernel?.connectionStatus === 'connected'
  );
  expect(await kernelId(page)).toBe(id);
  // The new page answers the orphaned prompt: the next cell runs (it would
  // sit at [*] behind the blocked one), and the first one ended in words.
  const text = await run(page, 'print(outcome)');
  expect(text).toContain('OceanBridgeError');
  expect(text).toContain('reloaded or closed before it finished');
  await expect(confirmation(page)).toHaveCount(0);
});

test('a kernel restarted from outside the page (REST API) gets %ocean again', async ({
  page,
  oceanLab: lab
}) => {
  await openLab(page, lab);
  await newNotebook(page, 'python');
  expect(await run(page, '%ocean help')).toContain('%ocean');
  const id = await kernelId(page);
  await page.evaluate(() => {
    const w = window as any;
    w.__seen = [];
    const kernel =
      w.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
    kernel.statusChanged.connect((_: unknown, status: string) =>
      w.__seen.push(status)
    );
    kernel.iopubMessage.connect((_: unknown, msg: any) =>
      w.__seen.push(msg.header.msg_type)
    );
  });
  // Another client restarts it: this page only sees the old process say
  // goodbye (shutdown_reply) and, sometimes, the new one start.
  const response = await fetch(`${lab.baseUrl}api/kernels/${id}/restart`, {
    method: 'POST',
    headers: { Authorization: `token ${lab.token}` }
  });
  expect(response.ok).toBe(true);
  await page.waitForFunction(() =>
    ['shutdown_reply', 'starting'].some(event =>
      (window as any).__seen.includes(event)
    )
  );
  const again = await run(page, '%ocean help');
  expect(again).not.toContain('UsageError');
  expect(again).toContain('%ocean');
});

test('a refused request is told once, in one line, with no "Failed:" or "Done." left above', async ({
  page,
  oceanLab: lab
}) => {
  await openLab(page, lab);
  await importWallet(page, HDNodeWallet.createRandom().mnemonic!.phrase);
  await newNotebook(page, 'python');
  // Share, then refuse the signature in the dialog.
  const cell = await startCell(
    page,
    "from jupyterlab_ocean import ocean\nocean.sign('refused on purpose')"
  );
  await shareAccount(page);
  await expect(confirmation(page)).toContainText('refused on purpose', {
    timeout: 60_000
  });
  // "Asked by" names the notebook once: a notebook at the root has no path
  // to add ("Untitled.ipynb (Python 3 (ipykernel)) (Untitled.ipynb)" before).
  const askedBy = confirmation(page).locator('.requester');
  await expect(askedBy).toHaveText(
    /^\s*Kernel\s*Untitled\d*\.ipynb \(Python 3 \(ipykernel\)\)\s*$/i
  );
  await expect(askedBy.locator('.mono')).toHaveCount(0);
  await confirmation(page)
    .locator('button.jp-OceanConfirmation-reject')
    .click();
  const text = await finished(cell);
  expect(text).toContain('OceanBridgeError 4001');
  // Once: no "Failed: …" progress line repeating it, no traceback frames.
  expect(text.match(/reject/gi)?.length ?? 0).toBe(1);
  expect(text).not.toContain('Failed:');
  expect(text).not.toContain('File "');
  // A %ocean verb that works leaves its result and no "Done." above it.
  const done = await run(page, '%ocean account');
  expect(done).not.toContain('Done.');
  expect(done).toMatch(/0x[0-9a-fA-F]{40}/);
});

test('typos get a hint: an unknown verb and an option value outside its choices', async ({
  page,
  oceanLab: lab
}) => {
  await openLab(page, lab);
  await newNotebook(page, 'python');
  const verb = await run(page, '%ocean hlep');
  expect(verb).toContain('There is no Ocean command "hlep"');
  expect(verb).toContain('Did you mean `%ocean help`?');
  const option = await run(page, '%ocean search weather --type datset');
  expect(option).toContain(
    '--type takes dataset or algorithm, not "datset" (did you mean dataset?)'
  );
});

test('%ocean help is a table read from the left', async ({
  page,
  oceanLab: lab
}) => {
  await openLab(page, lab);
  await newNotebook(page, 'python');
  await run(page, '%ocean help');
  const cell = page
    .locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OceanKernelTable td')
    .first();
  await expect(cell).toBeVisible();
  expect(await cell.evaluate(td => getComputedStyle(td).textAlign)).toBe(
    'left'
  );
});

test('%ocean use asks to share the account, as the other verbs do, and hints at a mistyped network', async ({
  page,
  oceanLab: lab
}) => {
  await openLab(page, lab);
  await importWallet(page, HDNodeWallet.createRandom().mnemonic!.phrase);
  await newNotebook(page, 'python');
  expect(await run(page, '%ocean use locl')).toContain('(did you mean local?)');
  // Not shared yet: the share dialog opens instead of a refusal.
  const cell = await startCell(
    page,
    "net = %ocean use local\nprint(net['key'])"
  );
  await shareAccount(page);
  const text = await finished(cell);
  expect(text).not.toContain('has not been given your account');
  expect(text).toContain('local');
});
