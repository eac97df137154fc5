// The packaging test: what a user gets from `pip install jupyterlab_ocean`.
// Builds the wheel and the npm tarball, checks what is inside, installs the
// wheel into a fresh virtual environment (no index: nothing is downloaded),
// then serves a lab that knows nothing of this repository's build folder, only
// the venv's share/jupyter/labextensions, and checks in Chromium that the
// extension loads from there.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { dist } from './dist.mjs';
import { root, startLab, SYSTEM_PYTHON } from './lib/services.mjs';

const { chromium } = createRequire(join(root, 'package.json'))(
  '@playwright/test'
);
const failures = [];
const check = (ok, message) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${message}`);
  if (!ok) failures.push(message);
};
const capture = (command, args) => {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(
      `PACKAGING_STEP_FAILED: ${command} ${args.join(' ')}\n${result.stderr}`
    );
  return result.stdout;
};

const { wheel, tarball } = dist();

// What the wheel holds.
const wheelFiles = JSON.parse(
  capture(SYSTEM_PYTHON, [
    '-c',
    'import json, sys, zipfile; print(json.dumps(zipfile.ZipFile(sys.argv[1]).namelist()))',
    wheel
  ])
);
const share =
  'jupyterlab_ocean-0.1.0.data/data/share/jupyter/labextensions/jupyterlab-ocean/';
check(
  wheelFiles.includes(`${share}package.json`),
  'the wheel installs the labextension package.json'
);
check(
  wheelFiles.some(name => name.startsWith(`${share}static/remoteEntry.`)),
  'the wheel installs the federated remoteEntry'
);
check(
  wheelFiles.includes('jupyterlab_ocean/__init__.py'),
  'the wheel ships the Python package'
);
// The Deno kernel client is TypeScript served as a static asset (it is sent
// into Deno kernels as is); nothing else in TypeScript belongs in the wheel.
check(
  !wheelFiles.some(
    name =>
      name.includes('/src/') ||
      (name.endsWith('.ts') && !name.startsWith(`${share}static/`))
  ),
  'the wheel holds no TypeScript sources besides static assets'
);

// What the npm tarball holds.
const tarFiles = capture('tar', ['-tzf', tarball]).split('\n');
for (const file of [
  'package/lib/index.js',
  'package/lib/tokens.d.ts',
  'package/style/index.css',
  'package/schema/panel.json'
])
  check(
    tarFiles.includes(file),
    `the npm package contains ${file.slice('package/'.length)}`
  );

const work = mkdtempSync(join(tmpdir(), 'jlo-packaging-'));
let lab;
let browser;
try {
  // A venv that sees Debian's Jupyter but gets our package only from the wheel.
  const venv = join(work, 'venv');
  capture(SYSTEM_PYTHON, ['-m', 'venv', '--system-site-packages', venv]);
  capture(join(venv, 'bin', 'pip'), [
    'install',
    '--quiet',
    '--no-deps',
    '--no-index',
    wheel
  ]);
  const installed = join(venv, 'share', 'jupyter', 'labextensions');
  const manifest = JSON.parse(
    readFileSync(join(installed, 'jupyterlab-ocean', 'package.json'), 'utf8')
  );
  check(
    Boolean(manifest.jupyterlab?._build?.load),
    'pip put a built extension in <venv>/share/jupyter/labextensions'
  );
  const paths = capture(join(venv, 'bin', 'python'), [
    '-c',
    'import jupyterlab_ocean, json; print(json.dumps(jupyterlab_ocean._jupyter_labextension_paths()))'
  ]);
  check(
    JSON.parse(paths)[0]?.dest === 'jupyterlab-ocean',
    'jupyterlab_ocean declares its labextension path'
  );

  // A lab that loads extensions only from the venv, as pip users get it.
  lab = await startLab({
    rootDir: join(work, 'root'),
    stateDir: join(work, 'state'),
    token: randomBytes(16).toString('hex'),
    extensions: [],
    extraLabextensionsDirs: [installed]
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync'
    ]
  });
  const page = await browser.newPage();
  await page.goto(lab.url);
  const tab = page.locator(
    '.jp-SideBar .lm-TabBar-tab[data-id="jupyterlab-ocean-panel"]'
  );
  await tab.waitFor({ timeout: 60_000 });
  check(
    await tab.isVisible(),
    'the Ocean panel appears in a lab that loads the wheel-installed extension'
  );
  const federated = await page.evaluate(() =>
    JSON.parse(
      document.getElementById('jupyter-config-data').textContent
    ).federated_extensions.map(e => e.name)
  );
  check(
    federated.includes('jupyterlab-ocean'),
    'the server lists jupyterlab-ocean as a federated extension'
  );
} catch (error) {
  check(false, error instanceof Error ? error.message : String(error));
} finally {
  await browser?.close();
  await lab?.stop();
  rmSync(work, { recursive: true, force: true });
}
check(existsSync(wheel), `wheel: ${wheel}`);
if (failures.length) {
  console.error(`packaging: ${failures.length} check(s) failed`);
  process.exit(1);
}
console.log('packaging: all checks passed');
