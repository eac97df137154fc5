// The Hugging Face Space test. Docker cannot run here, so this runs the
// image's steps outside it, as far as Debian allows: the Space repository is
// assembled (scripts/space-bundle.mjs), its Dockerfile is checked for what a
// build needs, install.sh installs the wheel into a scratch venv without any
// index, and start.sh is run as the container's CMD would run it: refused
// without a strong JUPYTER_TOKEN, and with one it serves a lab (our lab host
// standing in for PyPI's `jupyter lab`, which cannot be installed here) that
// Chromium must log into with that token.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  constants,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync
} from 'node:fs';
import { createConnection } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleSpace } from './space-bundle.mjs';
import {
  CHROMIUM_LAUNCH,
  freePort,
  root,
  startProcess,
  SYSTEM_PYTHON
} from './lib/services.mjs';

const { chromium } = createRequire(join(root, 'package.json'))(
  '@playwright/test'
);
const failures = [];
const check = (ok, message) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${message}`);
  if (!ok) failures.push(message);
};

/** Resolves true when something accepts connections on 127.0.0.1:port. */
const listening = port =>
  new Promise(resolvePort => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolvePort(true);
    });
    socket.once('error', () => resolvePort(false));
  });

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function parseDockerfile(text) {
  const instructions = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) continue;
    pending += (pending ? ' ' : '') + line.replace(/\\$/, '').trim();
    if (line.endsWith('\\')) continue;
    const [keyword, ...rest] = pending.split(/\s+/);
    instructions.push({ keyword: keyword.toUpperCase(), args: rest });
    pending = '';
  }
  return instructions;
}

/** The YAML front matter's `key: value` lines (flat, as the Space uses). */
function frontMatter(markdown) {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(markdown);
  if (!match) return null;
  const fields = {};
  for (const line of match[1].split('\n')) {
    const pair = /^([A-Za-z_]+):\s*(.*?)\s*$/.exec(line);
    if (pair) fields[pair[1]] = pair[2].replace(/^["']|["']$/g, '');
  }
  return fields;
}

const work = mkdtempSync(join(tmpdir(), 'jlo-spaces-'));
const space = bundleSpace(join(work, 'space'));
let lab;
let server;
let browser;
try {
  // --- The Dockerfile and the front matter -------------------------------
  const dockerfile = parseDockerfile(
    readFileSync(join(space, 'Dockerfile'), 'utf8')
  );
  const of = keyword => dockerfile.filter(i => i.keyword === keyword);
  const from = of('FROM')[0]?.args[0] ?? '';
  check(
    dockerfile[0]?.keyword === 'FROM' && /bookworm/.test(from),
    `the Dockerfile starts FROM a Debian bookworm image (${from})`
  );
  const copies = of('COPY');
  const missing = copies.flatMap(({ args }) =>
    args
      .filter(arg => !arg.startsWith('--'))
      .slice(0, -1)
      .filter(source => !existsSync(join(space, source)))
  );
  check(
    copies.length > 0 && missing.length === 0,
    `every COPY source exists in the Space repository (${copies.length} COPY, missing: ${missing.join(', ') || 'none'})`
  );
  const user = of('USER').at(-1)?.args[0];
  const useradd = of('RUN').some(
    ({ args }) =>
      args.includes('useradd') &&
      args.includes('--uid') &&
      args[args.indexOf('--uid') + 1] === '1000' &&
      args.at(-1) === user
  );
  check(
    Boolean(user) && user !== 'root' && useradd,
    `the image runs as a non-root user with uid 1000 (${user})`
  );
  check(
    of('RUN').some(({ args }) => args[0] === './install.sh'),
    'the image installs through install.sh'
  );
  const cmd = of('CMD').at(-1);
  let cmdArgs = [];
  try {
    cmdArgs = JSON.parse(cmd.args.join(' '));
  } catch {
    // shell form: reported below
  }
  const entry = cmdArgs[0] ? join(space, cmdArgs[0]) : '';
  let executable = false;
  try {
    accessSync(entry, constants.X_OK);
    executable = true;
  } catch {
    // not there or not executable
  }
  check(
    cmdArgs.length === 1 && cmdArgs[0] === './start.sh' && executable,
    'CMD (exec form) runs start.sh, which is there and executable'
  );
  const exposed = of('EXPOSE').flatMap(({ args }) => args);
  const front = frontMatter(readFileSync(join(space, 'README.md'), 'utf8'));
  check(
    front?.sdk === 'docker' &&
      front.app_port === '7860' &&
      exposed.includes('7860'),
    'README front matter says sdk: docker, app_port: 7860, and the image EXPOSEs 7860'
  );
  check(
    Boolean(front?.title && front.emoji && front.colorFrom && front.colorTo),
    'README front matter has title, emoji and colours'
  );

  // --- install.sh, as the image's RUN step ---------------------------------
  const venv = join(work, 'venv');
  const install = spawnSync(
    'bash',
    [
      './install.sh',
      '--venv',
      venv,
      '--wheel-dir',
      './dist',
      '--no-index',
      '--no-jupyterlab',
      '--system-site-packages'
    ],
    {
      cwd: space,
      encoding: 'utf8',
      env: { ...process.env, PYTHON: SYSTEM_PYTHON, HOME: join(work, 'home') }
    }
  );
  check(
    install.status === 0,
    `install.sh installed the wheel without an index${install.status ? `: ${install.stderr}` : ''}`
  );
  const labextensions = join(venv, 'share', 'jupyter', 'labextensions');
  const manifest = JSON.parse(
    readFileSync(
      join(labextensions, 'jupyterlab-ocean', 'package.json'),
      'utf8'
    )
  );
  check(
    Boolean(manifest.jupyterlab?._build?.load),
    'the built extension is in <venv>/share/jupyter/labextensions'
  );

  // --- start.sh refuses weak or missing tokens ------------------------------
  const home = join(work, 'home');
  const port = await freePort();
  const baseEnv = {
    PATH: process.env.PATH,
    HOME: home,
    SPACE_VENV: venv,
    SPACE_PORT: String(port),
    // No persistent storage here: the workspace goes to $HOME/work.
    SPACE_PERSISTENT_DIR: join(work, 'no-persistent-storage')
  };
  const marker = join(work, 'lab-command-ran');
  const refusals = [
    ['no JUPYTER_TOKEN', undefined, /not set/],
    ['an empty JUPYTER_TOKEN', '', /not set/],
    ['"huggingface"', 'huggingface', /well-known default/],
    ['"Jupyter"', 'Jupyter', /well-known default/],
    [
      'a random 31-character token',
      randomBytes(16).toString('hex').slice(0, 31),
      /shorter than 32/
    ],
    [
      'a long token of few characters',
      'huggingface'.repeat(4),
      /fewer than 10 different/
    ]
  ];
  for (const [what, token, reason] of refusals) {
    const env = { ...baseEnv, SPACE_LAB_COMMAND: `touch '${marker}'` };
    if (token !== undefined) env.JUPYTER_TOKEN = token;
    const result = spawnSync('bash', ['./start.sh'], {
      cwd: space,
      encoding: 'utf8',
      env
    });
    const lines = result.stderr.trim().split('\n');
    check(
      result.status !== 0 &&
        lines.length === 1 &&
        reason.test(lines[0]) &&
        /JUPYTER_TOKEN/.test(lines[0]) &&
        /Settings > Variables and secrets/.test(lines[0]) &&
        !existsSync(marker) &&
        !existsSync(join(home, 'work')) &&
        !(await listening(port)),
      `start.sh with ${what}: exit ${result.status}, one line "${lines[0]}", no lab started, nothing listens`
    );
  }

  // --- start.sh with a strong token serves the lab --------------------------
  const token = randomBytes(32).toString('hex');
  const labState = join(work, 'lab-state');
  // The stand-in for `jupyter lab`: our lab host, given what start.sh
  // prepared (port, workspace, settings) and the venv's extensions only.
  const labCommand = [
    SYSTEM_PYTHON,
    join(root, 'lab', 'server.py'),
    '--port "$SPACE_PORT"',
    '--root-dir "$SPACE_WORKSPACE"',
    `--state-dir '${labState}'`,
    '--token "$JUPYTER_TOKEN"',
    '--extra-labextensions-dir "$SPACE_LABEXTENSIONS_DIR"',
    '--settings-overrides "$SPACE_SETTINGS_OVERRIDES"'
  ].join(' ');
  const startSh = startProcess('bash', ['./start.sh'], {
    name: 'space',
    cwd: space,
    env: {
      ...baseEnv,
      JUPYTER_TOKEN: token,
      SPACE_HOST: 'someone-jupyterlab-ocean.hf.space',
      SPACE_LAB_COMMAND: labCommand
    },
    ready: line => line.startsWith('JupyterLab: '),
    timeoutMs: 90_000
  });
  lab = startSh;
  await startSh.readyLine;
  const ownLines = startSh
    .log()
    .split('\n')
    .filter(line => line.startsWith('start.sh:'));
  check(
    ownLines.length === 1 &&
      ownLines[0].includes('https://someone-jupyterlab-ocean.hf.space/lab') &&
      !ownLines.some(line => line.includes(token)),
    'start.sh announces the Space URL and never prints the token'
  );
  const workspace = join(home, 'work');
  check(
    existsSync(join(workspace, 'getting-started.ipynb')),
    'the examples were copied into the workspace ($HOME/work without /data)'
  );

  const serverConfigText = readFileSync(
    join(home, '.jupyter', 'jupyter_server_config.json'),
    'utf8'
  );
  const serverConfig = JSON.parse(serverConfigText).ServerApp;
  const csp =
    serverConfig.tornado_settings?.headers?.['Content-Security-Policy'] ?? '';
  check(
    serverConfig.ip === '0.0.0.0' &&
      serverConfig.port === port &&
      serverConfig.port_retries === 0 &&
      serverConfig.root_dir === workspace,
    'the jupyter lab config listens on 0.0.0.0 at SPACE_PORT, rooted in the workspace'
  );
  check(
    /frame-ancestors 'self' https:\/\/huggingface\.co https:\/\/\*\.hf\.space/.test(
      csp
    ) &&
      serverConfig.cookie_options?.samesite === 'None' &&
      serverConfig.cookie_options?.secure === true,
    `the lab may be framed by huggingface.co and *.hf.space (${csp})`
  );
  check(
    !serverConfigText.includes(token) && !/token/i.test(serverConfigText),
    'the server config holds no token (jupyter_server reads JUPYTER_TOKEN)'
  );
  const overrides = JSON.parse(
    readFileSync(
      join(venv, 'share', 'jupyter', 'lab', 'settings', 'overrides.json'),
      'utf8'
    )
  );
  const networks = overrides['jupyterlab-ocean:networks'];
  const active = networks?.networks?.find(
    n => n.key === networks.activeNetwork
  );
  check(
    active?.chainId === 11155111 &&
      /^https:\/\//.test(active.rpcUrl) &&
      /^https:\/\//.test(active.nodeUrl),
    `<venv>/share/jupyter/lab/settings/overrides.json makes a public testnet the default (${active?.key}, chain ${active?.chainId})`
  );

  // Plain HTTP without the token: refused.
  const base = `http://127.0.0.1:${port}`;
  const api = await fetch(`${base}/api/contents`);
  check(
    api.status === 403,
    `GET /api/contents without the token: ${api.status}`
  );
  const apiWithToken = await fetch(`${base}/api/contents`, {
    headers: { Authorization: `token ${token}` }
  });
  check(
    apiWithToken.status === 200 &&
      (await apiWithToken.json()).content.some(
        item => item.name === 'getting-started.ipynb'
      ),
    'with the token the contents API lists the workspace with the example'
  );

  // --- Chromium: the login page, then the lab --------------------------------
  browser = await chromium.launch({
    ...CHROMIUM_LAUNCH,
    args: [...CHROMIUM_LAUNCH.args]
  });
  const context = await browser.newContext();
  // Tests never leave loopback: the testnet's RPC and node are blocked here,
  // and recorded, which shows the panel really works against them.
  const blockedHosts = new Set();
  await context.route('**/*', route => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1') return route.continue();
    blockedHosts.add(url.host);
    return route.abort();
  });
  const page = await context.newPage();
  await page.goto(`${base}/lab`);
  // jupyter_server's login form ("Password or token").
  const password = page.locator('#password_input');
  await password.waitFor({ timeout: 30_000 });
  check(
    new URL(page.url()).pathname === '/login' &&
      (await page.evaluate(() => !('jupyterapp' in window))),
    `the lab URL without a token lands on the login page (${new URL(page.url()).pathname})`
  );
  await password.fill(randomBytes(32).toString('hex'));
  await password.press('Enter');
  await page.waitForLoadState('load');
  check(
    new URL(page.url()).pathname === '/login' && (await password.isVisible()),
    'a wrong token is refused on the login page'
  );
  await password.fill(token);
  await password.press('Enter');
  const tab = page.locator(
    '.jp-SideBar .lm-TabBar-tab[data-id="jupyterlab-ocean-panel"]'
  );
  await tab.waitFor({ timeout: 60_000 });
  check(
    new URL(page.url()).pathname.startsWith('/lab') && (await tab.isVisible()),
    'with the token the lab loads and the Ocean panel is in the sidebar'
  );
  const settings = await page.evaluate(async () => {
    const response = await fetch('/lab/api/settings/jupyterlab-ocean:networks');
    // The overrides arrive as the schema's defaults; the user's own
    // settings (none yet) would win over them.
    const { schema } = await response.json();
    return {
      activeNetwork: schema.properties.activeNetwork.default,
      networks: schema.properties.networks.default
    };
  });
  check(
    settings.activeNetwork === 'sepolia' &&
      settings.networks?.[0]?.chainId === 11155111,
    'the lab serves the Space overrides: the active network is sepolia'
  );
  const panel = page.locator('#jupyterlab-ocean-panel');
  if (!(await panel.isVisible())) await tab.click();
  await panel.waitFor({ state: 'visible', timeout: 30_000 });
  const rpcHost = new URL(active.rpcUrl).host;
  for (let i = 0; i < 60 && !blockedHosts.has(rpcHost); i++)
    await new Promise(resolveWait => setTimeout(resolveWait, 250));
  const probed = blockedHosts.has(rpcHost);
  check(
    probed &&
      (await panel.locator('select').inputValue()) === 'sepolia' &&
      /Sepolia/.test(
        await panel.locator('select option:checked').innerText()
      ) &&
      [...blockedHosts].every(host => !host.startsWith('127.')),
    `the panel shows Sepolia and probes its RPC (${rpcHost}; blocked by the test: ${[...blockedHosts].join(', ')})`
  );

  // --- The real server path, as far as Debian goes ---------------------------
  // PyPI's JupyterLab (jupyter_server 2) cannot be installed here; Debian's
  // jupyter_server 1.23 reads the same config file and JUPYTER_TOKEN, so it
  // shows that the file start.sh wrote takes effect (only the address is
  // moved back to loopback for the test).
  await lab.stop();
  lab = undefined;
  const serverPort = await freePort();
  server = startProcess(
    SYSTEM_PYTHON,
    [
      '-m',
      'jupyter_server',
      '--ServerApp.ip=127.0.0.1',
      `--ServerApp.port=${serverPort}`,
      // This machine runs tests as root; the Space runs as uid 1000.
      '--allow-root'
    ],
    {
      name: 'jupyter-server',
      cwd: space,
      env: {
        ...baseEnv,
        JUPYTER_TOKEN: token,
        JUPYTER_CONFIG_DIR: join(home, '.jupyter'),
        JUPYTER_DATA_DIR: join(work, 'server-data'),
        JUPYTER_RUNTIME_DIR: join(work, 'server-runtime'),
        JUPYTER_PATH: join(work, 'server-data'),
        JUPYTER_CONFIG_PATH: join(home, '.jupyter')
      },
      ready: () => false
    }
  );
  const serverBase = `http://127.0.0.1:${serverPort}`;
  for (let i = 0; i < 80 && !(await listening(serverPort)); i++)
    await new Promise(resolveWait => setTimeout(resolveWait, 250));
  const anonymous = await fetch(`${serverBase}/api/contents`);
  const login = await fetch(`${serverBase}/login`);
  const authorized = await fetch(`${serverBase}/api/contents`, {
    headers: { Authorization: `token ${token}` }
  });
  const cookies = authorized.headers.getSetCookie?.() ?? [];
  check(
    anonymous.status === 403 && authorized.status === 200,
    `jupyter_server with the Space config takes the token from JUPYTER_TOKEN (without: ${anonymous.status}, with: ${authorized.status})`
  );
  check(
    /frame-ancestors 'self' https:\/\/huggingface\.co https:\/\/\*\.hf\.space/.test(
      login.headers.get('content-security-policy') ?? ''
    ),
    `its pages may be framed by Hugging Face (${login.headers.get('content-security-policy')})`
  );
  check(
    cookies.some(c => /samesite=none/i.test(c) && /;\s*secure/i.test(c)),
    'its login cookie is SameSite=None; Secure, for the iframe'
  );
  const rootListing = await authorized.json();
  check(
    rootListing.content?.some(item => item.name === 'getting-started.ipynb'),
    'it serves the workspace as its root'
  );
  await server.stop();
  check(
    !server.log().includes(token),
    'jupyter_server never logs the token taken from the secret'
  );
} catch (error) {
  check(false, error instanceof Error ? error.stack : String(error));
} finally {
  await browser?.close();
  await lab?.stop();
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
}
if (failures.length) {
  console.error(`spaces: ${failures.length} check(s) failed`);
  process.exit(1);
}
console.log('spaces: all checks passed (Docker itself cannot run here)');
