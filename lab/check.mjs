#!/usr/bin/env node
// Proves the lab host works end to end in a real browser: starts lab/server.py
// on a free port with fresh root and state folders, opens /lab in headless
// Chromium, waits for the launcher, runs `1+1` in a Python notebook and in a
// Deno notebook (each opened from its launcher card), checks that each shows 2
// and that the browser console stayed free of errors, then stops the server
// with SIGTERM and checks it shut its kernels down and exited cleanly.
//
//   node lab/check.mjs [--screenshot PATH] [--extension PATH]... [--keep]
//
// --extension is passed to server.py (to see an extension load); --keep leaves
// the temporary folders for inspection. Exit status 0 when every step passed.
// Needs `node lab/build.mjs` first and the root node_modules (Playwright, deno).

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const labDir = dirname(fileURLToPath(import.meta.url));
const repoDir = dirname(labDir);
// Playwright comes from the repository root's node_modules, not lab/'s.
const rootRequire = createRequire(join(repoDir, 'package.json'));
const { chromium } = rootRequire('@playwright/test');

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
];

function parseArgs(argv) {
  const options = { screenshot: null, extensions: [], keep: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--screenshot') options.screenshot = resolve(argv[++i]);
    else if (arg === '--extension') options.extensions.push(resolve(argv[++i]));
    else if (arg === '--keep') options.keep = true;
    else throw new Error(`CHECK_ARGS: unknown argument ${arg}`);
  }
  return options;
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
const step = message => console.log(`check: [${elapsed()}] ${message}`);

function startServer({ port, rootDir, stateDir, token, extensions }) {
  const serverArgs = [
    join(labDir, 'server.py'),
    '--port',
    String(port),
    '--root-dir',
    rootDir,
    '--state-dir',
    stateDir,
    '--token',
    token
  ];
  for (const extension of extensions) serverArgs.push('--extension', extension);
  const child = spawn('/usr/bin/python3', serverArgs, {
    stdio: ['ignore', 'pipe', 'pipe']
  });
  let log = '';
  child.stdout.on('data', chunk => (log += chunk));
  child.stderr.on('data', chunk => (log += chunk));
  const exited = new Promise(resolveExit =>
    child.once('exit', (code, signal) => resolveExit({ code, signal }))
  );
  const ready = new Promise((resolveReady, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `CHECK_SERVER_TIMEOUT: no "JupyterLab:" line in 60 s\n${log}`
          )
        ),
      60_000
    );
    child.stdout.on('data', () => {
      const line = log
        .split('\n')
        .find(text => text.startsWith('JupyterLab: '));
      if (line) {
        clearTimeout(timer);
        resolveReady(line.slice('JupyterLab: '.length).trim());
      }
    });
    exited.then(({ code }) => {
      clearTimeout(timer);
      reject(
        new Error(`CHECK_SERVER_EXITED: server exited with ${code}\n${log}`)
      );
    });
  });
  return { child, ready, exited, log: () => log };
}

async function runOneAndOne(page, kernelTitle) {
  await page
    .locator(
      `.jp-LauncherCard[data-category="Notebook"][title="${kernelTitle}"]`
    )
    .click();
  const panel = page.locator('.jp-NotebookPanel:visible');
  await panel.waitFor({ timeout: 30_000 });
  // A cell run before the session has its kernel connected is dropped by
  // JupyterLab (no output, no execution count), and the toolbar says "idle"
  // before that: ask the app (server.py exposes window.jupyterapp).
  await page.waitForFunction(
    () => {
      const kernel =
        window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel;
      return (
        kernel?.connectionStatus === 'connected' && kernel.status === 'idle'
      );
    },
    null,
    { timeout: 60_000 }
  );
  const editor = panel.locator('.jp-Cell').first().locator('.cm-content');
  await editor.click();
  await page.keyboard.type('1+1');
  await page.keyboard.press('Shift+Enter');
  const output = panel
    .locator('.jp-Cell')
    .first()
    .locator('.jp-OutputArea-output');
  await output.waitFor({ timeout: 60_000 });
  // Deno colours its results with ANSI codes; JupyterLab turns them into spans.
  const text = (await output.innerText()).trim();
  if (text !== '2') {
    throw new Error(
      `CHECK_WRONG_RESULT: ${kernelTitle} printed ${JSON.stringify(text)}, expected "2"`
    );
  }
}

// Debian's ipywidgets is too old for widget protocol 2.1, so the kernel side
// is a bare comm on ipykernel's Comm: enough to prove the widget manager
// extension receives models and renders their views.
const SLIDER_CELL = [
  'from ipykernel.comm import Comm',
  'from IPython.display import display',
  "m = '@jupyter-widgets/controls'",
  "state = dict(_model_name='IntSliderModel', _model_module=m, _model_module_version='2.0.0', _view_name='IntSliderView', _view_module=m, _view_module_version='2.0.0', value=7, max=10, description='lab check')",
  "comm = Comm(target_name='jupyter.widget', data={'state': state, 'buffer_paths': []}, metadata={'version': '2.1.0'})",
  "display({'application/vnd.jupyter.widget-view+json': {'model_id': comm.comm_id, 'version_major': 2, 'version_minor': 1}}, raw=True)"
].join('\n');

async function renderSlider(page) {
  const panel = page.locator('.jp-NotebookPanel:visible');
  const cell = panel.locator('.jp-Cell').nth(1);
  await cell.locator('.cm-content').click();
  // Set through the model: typing would let the editor auto-indent lines.
  await page.evaluate(source => {
    window.jupyterapp.shell.currentWidget.content.activeCell.model.sharedModel.setSource(
      source
    );
  }, SLIDER_CELL);
  await page.keyboard.press('Shift+Enter');
  const slider = cell.locator('.jp-OutputArea-output .widget-slider');
  await slider.waitFor({ timeout: 30_000 });
  const readout = (await cell.locator('.widget-readout').innerText()).trim();
  if (readout !== '7') {
    throw new Error(
      `CHECK_WIDGET_STATE: slider readout is ${JSON.stringify(readout)}, expected "7"`
    );
  }
}

async function openLauncher(page) {
  // The launcher closes when one of its cards opens a notebook; the dock's
  // "+" button opens a new one.
  await page
    .locator('.lm-DockPanel-tabBar .lm-TabBar-addButton')
    .first()
    .click();
  await page.locator('.jp-Launcher:visible').waitFor({ timeout: 30_000 });
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const tempDir = mkdtempSync(join(tmpdir(), 'lab-check-'));
  const rootDir = join(tempDir, 'root');
  const stateDir = join(tempDir, 'state');
  mkdirSync(rootDir, { recursive: true });
  const port = await freePort();
  const token = `check-${process.pid}-${Date.now()}`;
  const server = startServer({
    port,
    rootDir,
    stateDir,
    token,
    extensions: options.extensions
  });
  let context;
  const consoleErrors = [];
  let failure = null;
  try {
    const url = await server.ready;
    step(`server ready at ${url.replace(token, '…')}`);
    context = await chromium.launchPersistentContext(join(tempDir, 'browser'), {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1400, height: 900 }
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', message => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', error =>
      consoleErrors.push(`pageerror: ${error.message}`)
    );
    await page.goto(url);
    await page.locator('.jp-Launcher').waitFor({ timeout: 60_000 });
    await page
      .locator('#jupyterlab-splash')
      .waitFor({ state: 'detached', timeout: 30_000 });
    step('launcher shown');

    await runOneAndOne(page, 'Python 3 (ipykernel)');
    step('Python notebook: 1+1 -> 2');
    await renderSlider(page);
    step(
      'Python notebook: an ipywidgets-protocol IntSlider rendered with value 7'
    );
    await openLauncher(page);
    await runOneAndOne(page, 'Deno');
    step('Deno notebook: 1+1 -> 2');

    const widgetManagerLoaded = await page.evaluate(async () => {
      const container =
        window._JUPYTERLAB?.['@jupyter-widgets/jupyterlab-manager'];
      return Boolean(container);
    });
    if (!widgetManagerLoaded) {
      throw new Error(
        'CHECK_WIDGETS_MISSING: @jupyter-widgets/jupyterlab-manager was not loaded'
      );
    }
    step('prebuilt @jupyter-widgets/jupyterlab-manager loaded');

    for (const extensionDir of options.extensions) {
      const { name } = JSON.parse(
        readFileSync(join(extensionDir, 'package.json'), 'utf8')
      );
      const plugins = await page.evaluate(
        name =>
          window._JUPYTERLAB?.[name]
            ? window.jupyterapp
                .listPlugins()
                .filter(
                  id =>
                    window.jupyterapp.isPluginActivated(id) &&
                    id.startsWith(name)
                )
            : null,
        name
      );
      if (plugins === null) {
        throw new Error(
          `CHECK_EXTENSION_MISSING: ${name} (from ${extensionDir}) was not loaded`
        );
      }
      step(
        `extension ${name} loaded, active plugins named after it: ${plugins.join(', ') || 'none'}`
      );
    }

    if (options.screenshot) {
      await page.screenshot({ path: options.screenshot });
      step(`screenshot: ${options.screenshot}`);
    }
    if (consoleErrors.length > 0) {
      throw new Error(`CHECK_CONSOLE_ERRORS:\n  ${consoleErrors.join('\n  ')}`);
    }
    step('no console errors');
  } catch (error) {
    failure = error;
    failure.message += `\nserver log (tail):\n${server.log().split('\n').slice(-40).join('\n')}`;
    if (consoleErrors.length > 0) {
      failure.message += `\nconsole errors:\n  ${consoleErrors.join('\n  ')}`;
    }
    if (context && options.screenshot) {
      await context
        .pages()[0]
        ?.screenshot({ path: options.screenshot })
        .catch(() => {});
    }
  } finally {
    if (context) await context.close();
    server.child.kill('SIGTERM');
    const stop = await Promise.race([
      server.exited,
      new Promise(resolveStop => setTimeout(() => resolveStop(null), 20_000))
    ]);
    if (stop === null) {
      server.child.kill('SIGKILL');
      failure ??= new Error('CHECK_SERVER_HUNG: no exit 20 s after SIGTERM');
    } else if (stop.code !== 0) {
      failure ??= new Error(
        `CHECK_SERVER_EXIT: exit ${stop.code} ${stop.signal ?? ''}\n${server.log()}`
      );
    } else if (!/Shutting down 2 kernels/.test(server.log()) && !failure) {
      failure = new Error(
        `CHECK_KERNELS_LEFT: the server did not shut its 2 kernels down\n${server.log()}`
      );
    } else if (!failure) {
      step('server stopped on SIGTERM, kernels shut down, exit 0');
    }
    if (!options.keep) rmSync(tempDir, { recursive: true, force: true });
    else step(`kept ${tempDir}`);
  }
  if (failure) {
    console.error(`check: FAILED after ${elapsed()}: ${failure.message}`);
    process.exit(1);
  }
  console.log(`check: OK in ${elapsed()}`);
}

await main();
