/**
 * Only a person approves (issue 20, items 1 and 3 of the attacks): code in
 * the page cannot press the wallet's Confirm or Share for the user, and a
 * double-click on one dialog cannot approve the next one that opens in the
 * same place.
 *
 * The attacker is a notebook output's JavaScript (`display(Javascript(…))`
 * from the kernel, which JupyterLab runs for live outputs): it hammers the
 * approving buttons with synthetic clicks and Enter presses, re-enabling
 * them first. Playwright's clicks are real input events (isTrusted), so the
 * same dialog must still accept a person's click afterwards.
 */
import { HDNodeWallet, verifyMessage } from 'ethers';
import { expect, test } from './fixtures';
import { newNotebook, openLab, save } from './helpers';
import {
  cellEnded,
  confirmation,
  finished,
  importWallet,
  PASSWORD,
  shareAccount,
  shareDialog,
  startCell,
  walletView
} from './bridge-helpers';

/** Output JavaScript that tries to approve every wallet dialog it sees. */
const ATTACK = `
from IPython.display import Javascript, display
display(Javascript("""
window.__oceanAttack = {clicks: 0};
window.__oceanAttack.timer = setInterval(() => {
  for (const b of document.querySelectorAll(
      '.jp-OceanConfirmation-confirm, .jp-Dialog:has(.jp-OceanShareAccount) .jp-mod-accept')) {
    b.disabled = false;
    b.focus();
    b.click();
    b.dispatchEvent(new MouseEvent('mousedown', {bubbles: true}));
    b.dispatchEvent(new MouseEvent('click', {bubbles: true}));
    b.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));
    window.__oceanAttack.clicks++;
  }
}, 25);
"""))
print("attack armed")
`;

test('page scripts cannot approve; a double-click cannot approve the next dialog', async ({
  page,
  oceanLab: lab
}) => {
  test.setTimeout(240_000);
  await openLab(page, lab);
  const me = await importWallet(
    page,
    HDNodeWallet.createRandom().mnemonic!.phrase
  );
  await newNotebook(page, 'python');
  expect(await finished(await startCell(page, ATTACK))).toContain(
    'attack armed'
  );

  // 1. Share: the script fires at the dialog for 2 s; it stays open.
  const signing = await startCell(
    page,
    'sig = %ocean sign approved by a person\nprint(sig)'
  );
  await expect(shareDialog(page)).toBeVisible({ timeout: 60_000 });
  await page.waitForTimeout(2_000);
  const fired = await page.evaluate(
    () => (window as any).__oceanAttack.clicks as number
  );
  expect(fired).toBeGreaterThan(10);
  await expect(shareDialog(page)).toBeVisible();
  await expect(cellEnded(signing)).toHaveCount(0);
  await shareDialog(page)
    .getByRole('button', { name: 'Share account' })
    .click();

  // 2. Sign: same: the script cannot confirm it, a person's click can.
  await expect(confirmation(page)).toBeVisible({ timeout: 60_000 });
  await page.waitForTimeout(2_000);
  await expect(confirmation(page)).toBeVisible();
  await expect(cellEnded(signing)).toHaveCount(0);
  await confirmation(page)
    .locator('button.jp-OceanConfirmation-confirm')
    .click();
  const output = await finished(signing);
  const signature = /0x[0-9a-f]{130}/.exec(output)?.[0];
  expect(signature, output).toBeTruthy();
  expect(verifyMessage('approved by a person', signature!)).toBe(me);

  // 3. The attack stopped. One cell asks twice in a row, so the second
  // dialog opens where the first was, moments after the first Confirm. A
  // person's quick repeated clicks (a double-click, a nervous triple) on
  // that spot approve the first only.
  await page.evaluate(() => {
    const w = window as any;
    clearInterval(w.__oceanAttack.timer);
    w.__dialogsAt = [];
    w.__clicksAt = [];
    new MutationObserver(records => {
      for (const record of records)
        for (const node of record.addedNodes)
          if (
            node instanceof HTMLElement &&
            node.classList.contains('jp-OceanConfirmationDialog')
          )
            w.__dialogsAt.push(performance.now());
    }).observe(document.body, { childList: true });
    // pointerdown: a disabled button gets no click event at all.
    window.addEventListener(
      'pointerdown',
      event => event.isTrusted && w.__clicksAt.push(performance.now()),
      true
    );
  });
  const twice = await startCell(
    page,
    [
      'from jupyterlab_ocean import ocean',
      "first = ocean.sign('first request')",
      'try:',
      "    second = ocean.sign('second request')",
      'except Exception as error:',
      '    second = type(error).__name__',
      "print('first', first)",
      "print('second', second)"
    ].join('\n')
  );
  const confirm = confirmation(page).locator(
    'button.jp-OceanConfirmation-confirm'
  );
  await expect(confirmation(page)).toContainText('first request', {
    timeout: 60_000
  });
  await expect(confirm).toBeEnabled();
  const box = (await confirm.boundingBox())!;
  // Clicks 100 ms apart until the second dialog is there, then two more:
  // what a double-click does when the next dialog opens under it.
  let after = 0;
  for (let i = 0; i < 30 && after < 2; i++) {
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    if ((await page.evaluate(() => (window as any).__dialogsAt.length)) >= 2)
      after++;
    await page.waitForTimeout(100);
  }
  await expect(confirmation(page)).toContainText('second request');
  const { dialogsAt, clicksAt } = await page.evaluate(() => ({
    dialogsAt: (window as any).__dialogsAt as number[],
    clicksAt: (window as any).__clicksAt as number[]
  }));
  // The premise: real clicks reached the second dialog within moments of
  // its opening (inside the time a double-click takes to end).
  // (The observer saw both dialogs open: the first, then the second.)
  expect(dialogsAt.length).toBe(2);
  const onSecond = clicksAt.filter(at => at > dialogsAt[1]);
  expect(onSecond.length).toBeGreaterThan(0);
  expect(onSecond[onSecond.length - 1] - dialogsAt[1]).toBeLessThan(500);
  await page.waitForTimeout(1_000);
  await expect(confirmation(page)).toContainText('second request');
  await page.keyboard.press('Escape');
  const both = await finished(twice);
  expect(both).toMatch(/first 0x[0-9a-f]{130}/);
  expect(both).toMatch(/second [A-Za-z]*Error/);
});

/**
 * Output JavaScript that hunts for the unlocked key: it walks everything
 * reachable from `window` (the test lab even exposes the application as
 * window.jupyterapp, and through it the plugin registry and the wallet
 * service), own properties, prototype getters, Map and Set entries, and
 * looks for the private key or the recovery phrase in any string or byte
 * array. It also tries the wallet's export without the wallet password.
 */
const KEY_HUNT = (privateKeyHex: string, phrase: string) => `
from IPython.display import Javascript, display
display(Javascript(r"""
(async () => {
  // Sent reversed, so the cell's own source (in the notebook model, the
  // editor and the output) does not count as a find.
  const wantedKey = ${JSON.stringify([...privateKeyHex.toLowerCase()].reverse().join(''))}.split('').reverse().join('');
  const wantedPhrase = ${JSON.stringify([...phrase].reverse().join(''))}.split('').reverse().join('');
  const hunt = window.__keyHunt = {visited: 0, found: [], walletReached: false, exportRefused: null, done: false};
  const hex = bytes => Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
  const seen = new WeakSet();
  const queue = [[window, 'window']];
  const started = performance.now();
  const look = (value, path) => {
    if (typeof value === 'string') {
      const lower = value.toLowerCase();
      if (lower.includes(wantedKey) || value.includes(wantedPhrase)) hunt.found.push(path);
    } else if (value instanceof Uint8Array && value.length === 32 && hex(value) === wantedKey) {
      hunt.found.push(path);
    } else if (value && (typeof value === 'object' || typeof value === 'function') && !seen.has(value)) {
      if (typeof Node !== 'undefined' && value instanceof Node && value !== document) return;
      seen.add(value);
      queue.push([value, path]);
    }
  };
  let wallet = null;
  let next = 0;
  while (next < queue.length && hunt.visited < 400000 && performance.now() - started < 45000) {
    const [object, path] = queue[next];
    queue[next++] = null;
    hunt.visited++;
    // Let the page breathe (and the test poll) now and then.
    if (hunt.visited % 5000 === 0) await new Promise(resolve => setTimeout(resolve, 0));
    try {
      if (typeof object.exportKeystore === 'function' && typeof object.request === 'function' && object.state?.account) {
        hunt.walletReached = true;
        wallet = object;
      }
      if (object instanceof Map || object instanceof Set) {
        let i = 0;
        for (const entry of object) { look(entry, path + '[' + i++ + ']'); if (i > 1000) break; }
      }
      let names = [];
      for (let o = object; o && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o)) {
        names.push(...Object.getOwnPropertyNames(o));
        if (names.length > 2000) break;
      }
      for (const name of new Set(names)) {
        let value;
        try { value = object[name]; } catch { continue; }
        look(value, path + '.' + name);
      }
    } catch {
      // A cross-origin frame or an exotic object: nothing to read there.
    }
  }
  if (wallet) {
    try {
      const account = wallet.state.account;
      await wallet.exportKeystore(account, '', 'attacker');
      hunt.exportRefused = false;
    } catch (error) {
      hunt.exportRefused = String(error && error.message);
    }
  }
})().catch(error => {
  window.__keyHunt.error = String(error);
}).finally(() => {
  window.__keyHunt.done = true;
});
"""))
print("hunt started")
`;

/**
 * A script that reaches the dialog object itself: any extension's webpack
 * runtime hands out its module cache (a chunk pushed to its JSONP array
 * gets __webpack_require__), where @jupyterlab/apputils' Dialog and its
 * tracker sit. Production builds need no exposed application object.
 */
function resolveFromScript(): {
  dialogs: number;
  tried: string[];
} {
  // Every webpack runtime on the page (JupyterLab's own and each
  // extension's): a pushed chunk's callback gets its __webpack_require__.
  const exported: any[] = [];
  for (const name of Object.keys(self).filter(key =>
    key.startsWith('webpackChunk')
  )) {
    let req: any;
    (self as any)[name].push([
      [`attack-${Math.random()}`],
      {},
      (r: any) => {
        req = r;
      }
    ]);
    for (const module of Object.values((req?.c ?? {}) as Record<string, any>)) {
      if (module?.exports) exported.push(...Object.values(module.exports));
    }
  }
  // Dialog itself, or the class of any dialog that extends it.
  let Dialog: any = null;
  for (const value of exported) {
    for (
      let cls = value;
      typeof cls === 'function' && !Dialog;
      cls = Object.getPrototypeOf(cls)
    ) {
      if (cls.tracker?.forEach) Dialog = cls;
    }
    if (Dialog) break;
  }
  const dialogs: any[] = [];
  Dialog.tracker.forEach((dialog: any) => dialogs.push(dialog));
  const tried: string[] = [];
  for (const dialog of dialogs) {
    const button = dialog.node.querySelector('.jp-OceanConfirmation-confirm');
    const index = Array.from(
      dialog.node.querySelectorAll('.jp-Dialog-footer button')
    ).indexOf(button);
    if (index < 0) continue;
    // An object dressed as a person's click, straight to the handler…
    dialog.handleEvent({
      type: 'click',
      isTrusted: true,
      detail: 0,
      target: button,
      stopPropagation() {},
      preventDefault() {}
    });
    tried.push('handleEvent');
    // …then the dialog's own resolve() with the approving button.
    dialog.resolve(index);
    tried.push('resolve');
  }
  return { dialogs: dialogs.length, tried };
}

test('a script holding the dialog object cannot approve it: resolve() and a dressed-up event are refusals', async ({
  page,
  oceanLab: lab
}) => {
  test.setTimeout(240_000);
  await openLab(page, lab);
  await importWallet(page, HDNodeWallet.createRandom().mnemonic!.phrase);
  await newNotebook(page, 'python');
  const signing = await startCell(
    page,
    [
      'from jupyterlab_ocean import ocean',
      'try:',
      "    print('signed', ocean.sign('approved by a script?'))",
      'except Exception as error:',
      "    print('refused', getattr(error, 'code', None))"
    ].join('\n')
  );
  await shareDialog(page)
    .getByRole('button', { name: 'Share account' })
    .click({ timeout: 60_000 });
  await expect(confirmation(page)).toBeVisible({ timeout: 60_000 });
  // After arming: the script acts when a person could.
  await page.waitForTimeout(1_000);
  const attack = await page.evaluate(resolveFromScript);
  expect(attack.tried).toEqual(['handleEvent', 'resolve']);
  const output = await finished(signing);
  expect(output).toContain('refused 4001');
  expect(output).not.toMatch(/0x[0-9a-f]{130}/);
  // A person still approves the next one.
  const again = await startCell(
    page,
    "print('signed', ocean.sign('approved by a person'))"
  );
  await confirmation(page)
    .locator('button.jp-OceanConfirmation-confirm')
    .click({ timeout: 60_000 });
  expect(await finished(again)).toMatch(/signed 0x[0-9a-f]{130}/);
});

test('a script that replaces Reflect.apply after the wallet loaded gets neither the vault worker nor a password', async ({
  page,
  oceanLab: lab
}) => {
  test.setTimeout(240_000);
  await openLab(page, lab);
  const me = await importWallet(
    page,
    HDNodeWallet.createRandom().mnemonic!.phrase
  );
  await newNotebook(page, 'python');
  // Output JavaScript, once the wallet is loaded: whatever Reflect.apply is
  // handed with a Worker as `this` is the vault's worker and its request.
  await page.evaluate(() => {
    const w = window as any;
    const original = Reflect.apply;
    w.__vaultHunt = { worker: null, requests: [] };
    Reflect.apply = (target: any, self: any, args: any) => {
      if (self instanceof Worker) {
        w.__vaultHunt.worker = self;
        w.__vaultHunt.requests.push(JSON.stringify(args));
      }
      return original(target, self, args);
    };
  });
  const signing = await startCell(
    page,
    'sig = %ocean sign approved by a person\nprint(sig)'
  );
  await shareDialog(page)
    .getByRole('button', { name: 'Share account' })
    .click({ timeout: 60_000 });
  await confirmation(page)
    .locator('button.jp-OceanConfirmation-confirm')
    .click({ timeout: 60_000 });
  const signature = /0x[0-9a-f]{130}/.exec(await finished(signing))?.[0];
  expect(verifyMessage('approved by a person', signature!)).toBe(me);
  // With the worker, the script could have it sign anything, no dialog.
  const hunt = await page.evaluate(async (account: string) => {
    const w = window as any;
    const worker: Worker | null = w.__vaultHunt.worker;
    if (!worker) return { worker: false, requests: w.__vaultHunt.requests };
    const reply = new Promise(resolve =>
      worker.addEventListener('message', event => resolve(event.data))
    );
    worker.postMessage({
      id: 424242,
      op: 'signMessage',
      args: [account, new TextEncoder().encode('signed by a script')]
    });
    return {
      worker: true,
      requests: w.__vaultHunt.requests,
      reply: await reply
    };
  }, me);
  expect(hunt).toEqual({ worker: false, requests: [] });
});

test('page scripts cannot read the unlocked key, even with the application object', async ({
  page,
  oceanLab: lab
}) => {
  test.setTimeout(240_000);
  await openLab(page, lab);
  const wallet = HDNodeWallet.createRandom();
  const phrase = wallet.mnemonic!.phrase;
  expect(await importWallet(page, phrase)).toBe(wallet.address);
  await newNotebook(page, 'python');
  expect(
    await finished(
      await startCell(page, KEY_HUNT(wallet.privateKey.slice(2), phrase))
    )
  ).toContain('hunt started');
  await page.waitForFunction(() => (window as any).__keyHunt?.done, null, {
    timeout: 120_000
  });
  const hunt = await page.evaluate(() => (window as any).__keyHunt);
  // The premise: the walk reached far, the wallet service among the rest.
  expect(hunt.visited).toBeGreaterThan(5_000);
  expect(hunt.walletReached).toBe(true);
  // Nothing it reached holds the key or the phrase…
  expect(hunt.found).toEqual([]);
  // …and the wallet does not export a backup without its own password.
  expect(hunt.exportRefused).toContain('password');
  // The wallet still signs for a person after the hunt.
  const signing = await startCell(
    page,
    'sig = %ocean sign still mine\nprint(sig)'
  );
  await shareDialog(page)
    .getByRole('button', { name: 'Share account' })
    .click({ timeout: 60_000 });
  await confirmation(page)
    .locator('button.jp-OceanConfirmation-confirm')
    .click({ timeout: 60_000 });
  expect(await finished(signing)).toMatch(/0x[0-9a-f]{130}/);
});

test('"Stop requests from this notebook" ends a loop of requests in one press, until the kernel restarts', async ({
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

  // A loop that would ask fifty times.
  const loop = await startCell(
    page,
    [
      'from jupyterlab_ocean import ocean',
      'for i in range(50):',
      '    try:',
      "        ocean.sign(f'request {i}')",
      '    except Exception as error:',
      "        print('refused:', error)"
    ].join('\n')
  );
  await expect(confirmation(page)).toContainText('request 0', {
    timeout: 60_000
  });
  const stop = confirmation(page).locator('button.jp-OceanConfirmation-stop');
  await expect(stop).toHaveText('Stop requests from this notebook');
  const shot = test.info().outputPath('dialog-stop-requests.png');
  await confirmation(page).screenshot({ path: shot });
  await test.info().attach('dialog-stop-requests', {
    path: shot,
    contentType: 'image/png'
  });
  await stop.click();
  // The loop ends (interrupted) and no other dialog opens.
  await expect(cellEnded(loop)).toHaveCount(1, { timeout: 60_000 });
  await page.waitForTimeout(2_000);
  await expect(confirmation(page)).toHaveCount(0);

  // Later requests from this kernel are refused at once, in words.
  const again = await finished(
    await startCell(
      page,
      [
        'try:',
        "    ocean.sign('once more')",
        'except Exception as error:',
        "    print('refused:', error)"
      ].join('\n')
    )
  );
  expect(again).toContain('You stopped wallet requests from this notebook');
  await expect(confirmation(page)).toHaveCount(0);

  // A restarted kernel may ask again (the dialog opens; rejected here).
  // Not awaited: the command resolves only after its own dialog.
  await page.evaluate(() => {
    void (window as any).jupyterapp.commands.execute('notebook:restart-kernel');
  });
  await page.locator('.jp-Dialog .jp-mod-accept').click();
  await page.waitForTimeout(3_000);
  const fresh = await startCell(
    page,
    [
      'from jupyterlab_ocean import ocean',
      'try:',
      "    ocean.sign('after restart')",
      'except Exception as error:',
      "    print('refused:', error)"
    ].join('\n')
  );
  await shareAccount(page);
  await expect(confirmation(page)).toContainText('after restart', {
    timeout: 60_000
  });
  await confirmation(page)
    .locator('button.jp-OceanConfirmation-reject')
    .click();
  expect(await finished(fresh)).toContain('refused');
});

/** The clicking loop of ATTACK, for other carriers (HTML, Deno), counting in `counter`. */
const clicker = (counter: string) =>
  `window.${counter}={clicks:0};setInterval(function(){document.querySelectorAll('.jp-OceanConfirmation-confirm').forEach(function(b){b.disabled=false;b.focus();b.click();b.dispatchEvent(new MouseEvent('mousedown',{bubbles:true}));b.dispatchEvent(new MouseEvent('click',{bubbles:true}));b.dispatchEvent(new KeyboardEvent('keydown',{key:'Enter',bubbles:true}));window.${counter}.clicks++;});},25);`;

test('attacks saved in a notebook re-run on reload, from JavaScript, HTML and Deno outputs, and still cannot approve a panel signature', async ({
  page,
  oceanLab: lab
}) => {
  test.setTimeout(300_000);
  await openLab(page, lab);
  await importWallet(page, HDNodeWallet.createRandom().mnemonic!.phrase);
  await newNotebook(page, 'python');
  expect(await finished(await startCell(page, ATTACK))).toContain(
    'attack armed'
  );
  const html = [
    'from IPython.display import HTML, display',
    `display(HTML(r'''<img src="data:," onerror="${clicker('__oceanHtmlAttack')}">'''))`,
    "print('html armed')"
  ].join('\n');
  expect(await finished(await startCell(page, html))).toContain('html armed');
  await save(page);
  await newNotebook(page, 'deno');
  const deno = [
    `await Deno.jupyter.display({ 'application/javascript': ${JSON.stringify(
      clicker('__oceanDenoAttack')
    )} }, { raw: true });`,
    "console.log('deno armed');"
  ].join('\n');
  expect(await finished(await startCell(page, deno))).toContain('deno armed');
  await page.waitForFunction(
    () =>
      (window as any).__oceanHtmlAttack &&
      (window as any).__oceanDenoAttack &&
      (window as any).__oceanAttack
  );
  const view = walletView(page);
  const signFromPanel = async (message: string) => {
    if (!(await view.isVisible()))
      await page
        .locator('.lm-TabBar-tab[data-id="jupyterlab-ocean-panel"]')
        .click();
    await view.locator('button[data-action="sign"]').click();
    await view.locator('form.sign textarea[name="message"]').fill(message);
    await view.locator('form.sign button[type="submit"]').click();
    await expect(confirmation(page)).toContainText(message);
  };
  const clicks = () =>
    page.evaluate(() =>
      ['__oceanAttack', '__oceanHtmlAttack', '__oceanDenoAttack'].map(
        name => ((window as any)[name]?.clicks as number) ?? 0
      )
    );

  // All three fire at a dialog for 2 s: it stays open.
  await signFromPanel('from the panel, under fire');
  let before = await clicks();
  await page.waitForTimeout(2_000);
  let during = await clicks();
  for (const i of [0, 1, 2]) expect(during[i] - before[i]).toBeGreaterThan(10);
  await expect(confirmation(page)).toBeVisible();
  await confirmation(page)
    .locator('button.jp-OceanConfirmation-reject')
    .click();
  await expect(view.locator('.notice')).toContainText('rejected');

  // A reload: the saved (trusted) Python notebook is restored and its
  // JavaScript and HTML outputs run again, with nobody running a cell.
  await page.reload();
  await openLab(page, lab);
  await page.waitForFunction(
    () => (window as any).__oceanAttack && (window as any).__oceanHtmlAttack,
    null,
    { timeout: 60_000 }
  );
  if (!(await view.isVisible()))
    await page
      .locator('.lm-TabBar-tab[data-id="jupyterlab-ocean-panel"]')
      .click();
  await view.locator('form.unlock input[name="password"]').fill(PASSWORD);
  await view.locator('form.unlock button[type="submit"]').click();
  await signFromPanel('from the panel, after a reload');
  before = await clicks();
  await page.waitForTimeout(2_000);
  during = await clicks();
  // The premise: the restored JavaScript and HTML outputs fired for 2 s…
  for (const i of [0, 1]) expect(during[i] - before[i]).toBeGreaterThan(10);
  // …and the dialog is still open, waiting for a person.
  await expect(confirmation(page)).toBeVisible();
  await expect(view.locator('.signature')).toHaveCount(0);
  await confirmation(page)
    .locator('button.jp-OceanConfirmation-reject')
    .click();
  await expect(view.locator('.notice')).toContainText('rejected');
});
