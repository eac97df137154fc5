// The Hugging Face Space test. Docker cannot run here, so this runs the
// image's own steps outside it: the wheel is built and the Space repository
// assembled (scripts/space-bundle.mjs), the root Dockerfile is checked for
// what a build needs, spaces/install.sh installs requirements/space.txt from
// PyPI and the wheel into a venv, and spaces/start.sh runs as the
// container's CMD would: refused without a strong JUPYTER_TOKEN, and with one
// it serves PyPI's `jupyter lab` (on 127.0.0.1 instead of the container's
// 0.0.0.0), which Chromium must log into with that token.
//
// The venv lives in build/space-venv/ between runs; install.sh itself makes
// it again from nothing when the lock (or the Python) changes, so a second
// run only reinstalls the wheel.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync
} from 'node:fs';
import { createConnection } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleSpace, SPACE_FILES } from './space-bundle.mjs';
import {
  CHROMIUM_LAUNCH,
  freePort,
  root,
  startProcess
} from './lib/services.mjs';
import { basePython, VENV_PYTHON } from './lib/venv.mjs';

const { chromium } = createRequire(join(root, 'package.json'))(
  '@playwright/test'
);
const failures = [];
const check = (ok, message) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${message}`);
  if (!ok) failures.push(message);
};
const started = Date.now();
const seconds = since => ((Date.now() - since) / 1000).toFixed(1);

// The lab must see only what start.sh and the venv give it, not a Jupyter
// config of whoever runs the test.
for (const key of Object.keys(process.env))
  if (key.startsWith('JUPYTER')) delete process.env[key];

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

/** PEP 503 names: the lock and pip spell some packages differently. */
const normalise = name => name.toLowerCase().replace(/[-_.]+/g, '-');

/** name → version of every `name==version` line of a pip-compile lock. */
function readLock(file) {
  const pins = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const pin = /^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)/.exec(line);
    if (pin) pins.set(normalise(pin[1]), pin[2]);
  }
  return pins;
}

const work = mkdtempSync(join(tmpdir(), 'jlo-spaces-'));
const venv = join(root, 'build', 'space-venv');
const home = join(work, 'home');
mkdirSync(home, { recursive: true });
let lab;
let browser;
try {
  // --- The wheel and the Space repository ---------------------------------
  // Built the way `npm run dist` builds it (pypa/build with the project
  // venv's hatchling, no isolation), from the labextension already built.
  if (!existsSync(VENV_PYTHON))
    throw new Error(
      `SPACES_NO_VENV: ${VENV_PYTHON} is missing; run \`npm run setup\` first.`
    );
  // The wheel packs jupyterlab_ocean/labextension as it is; a build being
  // rewritten at that moment (by another run) would make a lab without the
  // extension, so say that instead of a timeout in Chromium later.
  const built = join(root, 'jupyterlab_ocean', 'labextension');
  let entry;
  try {
    entry = JSON.parse(readFileSync(join(built, 'package.json'), 'utf8'))
      .jupyterlab?._build?.load;
  } catch {
    // reported below
  }
  if (!entry || !existsSync(join(built, entry)))
    throw new Error(
      `SPACES_NO_BUILD: ${built} has no complete build (its package.json names ${entry ?? 'no entry'}); run \`npm run build\`, or wait for the build that is running.`
    );
  const wheelDir = join(work, 'wheel');
  const build = spawnSync(
    VENV_PYTHON,
    ['-m', 'build', '--wheel', '--no-isolation', '--outdir', wheelDir, '.'],
    { cwd: root, encoding: 'utf8' }
  );
  const wheelName = existsSync(wheelDir)
    ? readdirSync(wheelDir).find(name => name.endsWith('.whl'))
    : undefined;
  if (build.status !== 0 || !wheelName)
    throw new Error(
      `SPACES_WHEEL_FAILED: python -m build exited ${build.status}: ${build.stderr.slice(-2000)}`
    );
  const space = bundleSpace(join(work, 'space'), join(wheelDir, wheelName));

  // --- The Dockerfile, .dockerignore and the front matter -----------------
  const dockerfile = parseDockerfile(
    readFileSync(join(root, 'Dockerfile'), 'utf8')
  );
  const of = keyword => dockerfile.filter(i => i.keyword === keyword);
  const from = of('FROM')[0]?.args[0] ?? '';
  const imagePython = /^python:(\d+\.\d+)-/.exec(from)?.[1];
  const testPython = spawnSync(
    basePython(),
    ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'],
    { encoding: 'utf8' }
  ).stdout.trim();
  check(
    dockerfile[0]?.keyword === 'FROM' &&
      /bookworm/.test(from) &&
      imagePython === testPython,
    `the Dockerfile starts FROM a Debian bookworm Python ${imagePython} image, the Python this test installs with (${from}, here ${testPython})`
  );
  const copies = of('COPY').map(({ args }) =>
    args.filter(arg => !arg.startsWith('--')).slice(0, -1)
  );
  const sources = copies.flat().map(source => source.replace(/\/$/, ''));
  const missing = sources.filter(source => !existsSync(join(space, source)));
  check(
    copies.length > 0 && missing.length === 0,
    `every COPY source exists in the Space repository (${sources.join(', ')}; missing: ${missing.join(', ') || 'none'})`
  );
  const notBundled = sources.filter(
    source =>
      source !== 'dist' &&
      !SPACE_FILES.some(file => file === source || file === source + '/')
  );
  check(
    notBundled.length === 0 && existsSync(join(space, 'dist', wheelName)),
    `space:bundle copies what the Dockerfile needs from the repository, and the wheel (${notBundled.join(', ') || 'nothing left out'})`
  );
  // .dockerignore starts from nothing (`*`) and lets back in each source.
  const ignore = readFileSync(join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map(line => line.trim())
    .filter(line => line && !line.startsWith('#'));
  const reincluded = source =>
    ignore.some(
      line =>
        line.startsWith('!') &&
        (line.slice(1).replace(/\/$/, '') === source ||
          line.slice(1).startsWith(source + '/'))
    );
  check(
    ignore[0] === '*' && sources.every(reincluded),
    'the root .dockerignore sends only what the COPY lines name (node_modules and .venv stay out)'
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
  // The lock's layer comes before the wheel's, so a new wheel does not
  // reinstall 140 packages.
  const index = (keyword, test) =>
    dockerfile.findIndex(i => i.keyword === keyword && test(i.args));
  const lockCopy = index('COPY', args =>
    args.includes('requirements/space.txt')
  );
  const lockRun = index(
    'RUN',
    args =>
      args[0] === './spaces/install.sh' && args.includes('--requirements-only')
  );
  const wheelCopy = index('COPY', args => args.includes('dist/'));
  const wheelRun = index(
    'RUN',
    args =>
      args[0] === './spaces/install.sh' && !args.includes('--requirements-only')
  );
  check(
    lockCopy >= 0 &&
      lockCopy < lockRun &&
      lockRun < wheelCopy &&
      wheelCopy < wheelRun,
    'the image installs through spaces/install.sh: the lock in one layer, then the wheel'
  );
  const cmd = of('CMD').at(-1);
  let cmdArgs = [];
  try {
    cmdArgs = JSON.parse(cmd.args.join(' '));
  } catch {
    // shell form: reported below
  }
  let executable = false;
  try {
    accessSync(join(space, cmdArgs[0] ?? 'missing'), constants.X_OK);
    executable = true;
  } catch {
    // not there or not executable
  }
  check(
    cmdArgs.length === 1 && cmdArgs[0] === './spaces/start.sh' && executable,
    'CMD (exec form) runs spaces/start.sh, which is there and executable'
  );
  const exposed = of('EXPOSE').flatMap(({ args }) => args);
  const envArgs = of('ENV').flatMap(({ args }) => args);
  check(
    !envArgs.some(arg => /TOKEN/i.test(arg)) &&
      !of('ARG').some(({ args }) => args.some(arg => /TOKEN/i.test(arg))),
    'the image sets no token (ENV or ARG)'
  );
  const startText = readFileSync(join(root, 'spaces', 'start.sh'), 'utf8');
  check(
    /^ip="\$\{SPACE_IP:-0\.0\.0\.0\}"$/m.test(startText) &&
      /^port="\$\{SPACE_PORT:-7860\}"$/m.test(startText),
    'start.sh listens on 0.0.0.0:7860 unless told otherwise (the container default)'
  );
  for (const [where, file] of [
    ['README.md', join(root, 'README.md')],
    ["the Space repository's README.md", join(space, 'README.md')]
  ]) {
    const front = frontMatter(readFileSync(file, 'utf8'));
    check(
      front?.sdk === 'docker' &&
        front.app_port === '7860' &&
        exposed.includes('7860') &&
        Boolean(front.title && front.emoji && front.colorFrom && front.colorTo),
      `${where} starts with the Space front matter (sdk: docker, app_port: 7860 as EXPOSEd, title, emoji, colours)`
    );
  }

  // --- install.sh, as the image's RUN steps ---------------------------------
  const installStarted = Date.now();
  const install = spawnSync('bash', ['./spaces/install.sh', '--venv', venv], {
    cwd: space,
    encoding: 'utf8',
    env: { ...process.env, PYTHON: basePython(), HOME: home }
  });
  const installSeconds = seconds(installStarted);
  const reused = /already holds/.test(install.stdout);
  check(
    install.status === 0,
    `install.sh installed requirements/space.txt and the wheel in ${installSeconds} s (${reused ? 'venv reused: same lock' : 'fresh venv'})${install.status ? `: ${install.stderr}` : ''}`
  );
  const venvPython = join(venv, 'bin', 'python');
  const listed = spawnSync(
    venvPython,
    ['-m', 'pip', '--disable-pip-version-check', 'list', '--format=json'],
    { encoding: 'utf8' }
  );
  const installed = new Map(
    JSON.parse(listed.stdout || '[]').map(({ name, version }) => [
      normalise(name),
      version
    ])
  );
  // pip comes with the venv (ensurepip), not from the lock.
  installed.delete('pip');
  const locked = readLock(join(root, 'requirements', 'space.txt'));
  const wheelVersion = /^jupyterlab_ocean-([^-]+)-/.exec(wheelName)[1];
  locked.set('jupyterlab-ocean', wheelVersion);
  const differences = [
    ...[...installed].filter(([name, version]) => locked.get(name) !== version),
    ...[...locked].filter(([name]) => !installed.has(name))
  ].map(([name, version]) => `${name} ${version}`);
  check(
    listed.status === 0 && differences.length === 0,
    `the venv holds exactly the lock's ${locked.size - 1} packages and jupyterlab-ocean ${wheelVersion} (${differences.join(', ') || 'no difference'})`
  );
  const projectPins = readLock(join(root, 'requirements', 'project.txt'));
  const offPins = [...locked].filter(
    ([name, version]) =>
      name !== 'jupyterlab-ocean' && projectPins.get(name) !== version
  );
  check(
    offPins.length === 0 &&
      ['jupyterlab', 'ipykernel', 'pandas', 'datasets'].every(name =>
        locked.has(name)
      ),
    `the Space pins the same versions as the project venv (jupyterlab ${locked.get('jupyterlab')}; different: ${offPins.map(p => p.join(' ')).join(', ') || 'none'})`
  );
  const manifest = JSON.parse(
    readFileSync(
      join(
        venv,
        'share',
        'jupyter',
        'labextensions',
        'jupyterlab-ocean',
        'package.json'
      ),
      'utf8'
    )
  );
  check(
    Boolean(manifest.jupyterlab?._build?.load),
    'the built extension is in <venv>/share/jupyter/labextensions'
  );

  // --- start.sh refuses weak or missing tokens ------------------------------
  const port = await freePort();
  const baseEnv = {
    // No venv on PATH: start.sh must find its own.
    PATH: process.env.PATH,
    HOME: home,
    SPACE_VENV: venv,
    SPACE_IP: '127.0.0.1',
    SPACE_PORT: String(port),
    // No persistent storage here: the workspace goes to $HOME/work.
    SPACE_PERSISTENT_DIR: join(work, 'no-persistent-storage')
  };
  // This machine runs tests as root, which jupyter lab refuses unless told;
  // the Space runs as uid 1000 and passes nothing.
  const labArgs = process.getuid?.() === 0 ? ['--allow-root'] : [];
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
    const env = { ...baseEnv };
    if (token !== undefined) env.JUPYTER_TOKEN = token;
    // A start.sh that failed to refuse would serve a lab: the timeout ends it.
    const result = spawnSync('bash', ['./spaces/start.sh', ...labArgs], {
      cwd: space,
      encoding: 'utf8',
      env,
      timeout: 20_000,
      killSignal: 'SIGKILL'
    });
    const lines = result.stderr.trim().split('\n');
    check(
      result.status === 78 &&
        lines.length === 1 &&
        reason.test(lines[0]) &&
        /JUPYTER_TOKEN/.test(lines[0]) &&
        /Settings > Variables and secrets/.test(lines[0]) &&
        !existsSync(join(home, 'work')) &&
        !(await listening(port)),
      `start.sh with ${what}: exit ${result.status}, one line "${lines[0]}", no workspace made, nothing listens`
    );
  }

  // --- start.sh with a strong token serves PyPI's jupyter lab ---------------
  const token = randomBytes(32).toString('hex');
  const labStarted = Date.now();
  lab = startProcess('bash', ['./spaces/start.sh', ...labArgs], {
    name: 'space',
    cwd: space,
    env: {
      ...baseEnv,
      JUPYTER_TOKEN: token,
      // Hugging Face sets SPACE_HOST to the Space's own host name.
      SPACE_HOST: 'someone-jupyterlab-ocean.hf.space'
    },
    ready: line => line.includes(`http://127.0.0.1:${port}/lab`),
    timeoutMs: 90_000
  });
  await lab.readyLine;
  const labSeconds = seconds(labStarted);
  const ownLines = lab
    .log()
    .split('\n')
    .filter(line => line.startsWith('start.sh:'));
  check(
    ownLines.length === 1 &&
      ownLines[0].includes('https://someone-jupyterlab-ocean.hf.space/lab') &&
      ownLines[0].includes(`127.0.0.1:${port}`),
    `start.sh announces the address and the Space URL, and jupyter lab is up in ${labSeconds} s`
  );
  const versions = spawnSync(
    venvPython,
    [
      '-c',
      'import jupyterlab, jupyter_server; print(jupyterlab.__version__, jupyter_server.__version__)'
    ],
    { encoding: 'utf8' }
  ).stdout.trim();
  check(
    /ServerApp\]/.test(lab.log()) &&
      lab.log().includes(venv) &&
      versions.startsWith(`${locked.get('jupyterlab')} `),
    `the server is the venv's jupyter lab (JupyterLab and jupyter_server ${versions})`
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
  const serverConfigAll = JSON.parse(serverConfigText);
  const serverConfig = serverConfigAll.ServerApp;
  const cookieOptions = serverConfigAll.IdentityProvider?.cookie_options ?? {};
  const csp =
    serverConfig.tornado_settings?.headers?.['Content-Security-Policy'] ?? '';
  check(
    serverConfig.ip === '127.0.0.1' &&
      serverConfig.port === port &&
      serverConfig.port_retries === 0 &&
      serverConfig.root_dir === workspace,
    `the jupyter lab config listens on SPACE_IP:SPACE_PORT (${serverConfig.ip}:${serverConfig.port}), rooted in the workspace`
  );
  check(
    /frame-ancestors 'self' https:\/\/huggingface\.co https:\/\/\*\.hf\.space/.test(
      csp
    ) &&
      cookieOptions.samesite === 'None' &&
      cookieOptions.secure === true,
    `the config lets huggingface.co and *.hf.space frame the lab (${csp}), cookies SameSite=None; Secure`
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

  // --- Plain HTTP: the token is the lock ------------------------------------
  const base = `http://127.0.0.1:${port}`;
  const anonymous = await fetch(`${base}/api/contents`);
  const wrong = await fetch(`${base}/api/contents`, {
    headers: { Authorization: `token ${randomBytes(32).toString('hex')}` }
  });
  const authorized = await fetch(`${base}/api/contents`, {
    headers: { Authorization: `token ${token}` }
  });
  check(
    anonymous.status === 403 &&
      wrong.status === 403 &&
      authorized.status === 200 &&
      (await authorized.json()).content.some(
        item => item.name === 'getting-started.ipynb'
      ),
    `GET /api/contents: ${anonymous.status} without a token, ${wrong.status} with a wrong one, ${authorized.status} with JUPYTER_TOKEN (listing the example)`
  );
  const loginPage = await fetch(`${base}/login`);
  check(
    /frame-ancestors 'self' https:\/\/huggingface\.co https:\/\/\*\.hf\.space/.test(
      loginPage.headers.get('content-security-policy') ?? ''
    ),
    `the server sends the frame-ancestors header (${loginPage.headers.get('content-security-policy')})`
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
  const consoleErrors = [];
  const page = await context.newPage();
  page.on('console', message => {
    if (message.type() === 'error' || message.type() === 'warning')
      consoleErrors.push(message.text());
  });
  await page.goto(`${base}/lab`);
  // jupyter_server's login form ("Password or token").
  const password = page.locator('#password_input');
  await password.waitFor({ timeout: 30_000 });
  check(
    new URL(page.url()).pathname === '/login' &&
      (await page.evaluate(() => !document.querySelector('.jp-LabShell'))),
    `the lab URL without a token lands on the login page (${new URL(page.url()).pathname})`
  );
  await password.fill(randomBytes(32).toString('hex'));
  await password.press('Enter');
  await page.waitForLoadState('load');
  check(
    new URL(page.url()).pathname === '/login' && (await password.isVisible()),
    'a wrong token is refused on the login page'
  );
  const loginStarted = Date.now();
  await password.fill(token);
  await password.press('Enter');
  const tab = page.locator(
    '.jp-SideBar .lm-TabBar-tab[data-id="jupyterlab-ocean-panel"]'
  );
  await tab.waitFor({ timeout: 60_000 });
  check(
    new URL(page.url()).pathname.startsWith('/lab') && (await tab.isVisible()),
    `with the token the lab loads and the Ocean panel is in the sidebar (${seconds(loginStarted)} s after the login)`
  );
  const cookies = await context.cookies(base);
  const login = cookies.find(c => c.name.startsWith('username-'));
  check(
    login?.sameSite === 'None' &&
      login.secure &&
      cookies.find(c => c.name === '_xsrf')?.sameSite === 'None',
    `the login and xsrf cookies are SameSite=None; Secure, for Hugging Face's iframe (${cookies.map(c => `${c.name}: ${c.sameSite}${c.secure ? ', Secure' : ''}`).join('; ')})`
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
  check(
    blockedHosts.has(rpcHost) &&
      (await panel.locator('select').inputValue()) === 'sepolia' &&
      /Sepolia/.test(
        await panel.locator('select option:checked').innerText()
      ) &&
      [...blockedHosts].every(host => !host.startsWith('127.')),
    `the panel shows Sepolia and probes its RPC (${rpcHost}; blocked by the test: ${[...blockedHosts].join(', ')})`
  );
  const federation = consoleErrors.filter(text =>
    /Unsatisfied version|Federation Runtime|shared module/i.test(text)
  );
  check(
    federation.length === 0,
    `no module federation or shared-version message in the console (${federation.join(' | ') || 'none'})`
  );

  // --- A kernel of the Space, through the logged-in browser -----------------
  // The Space's users load data with these libraries: the python3 kernel the
  // lab starts must be the venv's, with the lock's versions.
  const KERNEL_PROBE = [
    'import sys, json, shutil',
    'import pandas, numpy, pyarrow, datasets, web3, ipywidgets, jupyterlab_ocean',
    'print(json.dumps({',
    '    "prefix": sys.prefix,',
    '    "shellPython": shutil.which("python"),',
    '    **{m.__name__: m.__version__ for m in (pandas, pyarrow, datasets, web3, ipywidgets)},',
    '    "frame": type(pandas.DataFrame({"a": [1]})).__name__,',
    '}))'
  ].join('\n');
  const kernel = await page.evaluate(async code => {
    const xsrf = document.cookie.match(/_xsrf=([^;]+)/)?.[1] ?? '';
    const created = await fetch('/api/kernels', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-XSRFToken': xsrf },
      body: JSON.stringify({ name: 'python3' })
    });
    if (!created.ok) return { error: `POST /api/kernels: ${created.status}` };
    const { id } = await created.json();
    const socket = new WebSocket(
      `ws://${location.host}/api/kernels/${id}/channels`
    );
    const msgId = crypto.randomUUID();
    const output = await new Promise(resolveOutput => {
      let text = '';
      const timer = setTimeout(
        () => resolveOutput({ error: `no reply in 60 s: ${text}` }),
        60_000
      );
      socket.onopen = () =>
        socket.send(
          JSON.stringify({
            channel: 'shell',
            header: {
              msg_id: msgId,
              msg_type: 'execute_request',
              session: crypto.randomUUID(),
              username: '',
              version: '5.3',
              date: new Date().toISOString()
            },
            parent_header: {},
            metadata: {},
            content: { code, silent: false, store_history: false }
          })
        );
      socket.onmessage = event => {
        const message = JSON.parse(event.data);
        if (message.parent_header?.msg_id !== msgId) return;
        if (message.msg_type === 'stream') text += message.content.text;
        if (message.msg_type === 'error')
          text += `${message.content.ename}: ${message.content.evalue}`;
        if (
          message.msg_type === 'status' &&
          message.content.execution_state === 'idle'
        ) {
          clearTimeout(timer);
          resolveOutput({ text });
        }
      };
    });
    socket.close();
    await fetch(`/api/kernels/${id}`, {
      method: 'DELETE',
      headers: { 'X-XSRFToken': xsrf }
    });
    return output;
  }, KERNEL_PROBE);
  let facts = {};
  try {
    facts = JSON.parse(kernel.text);
  } catch {
    // reported below
  }
  const expected = ['pandas', 'pyarrow', 'datasets', 'web3', 'ipywidgets'];
  check(
    Boolean(facts.prefix) &&
      realpathSync(facts.prefix) === realpathSync(venv) &&
      expected.every(name => facts[name] === locked.get(name)) &&
      facts.frame === 'DataFrame' &&
      facts.shellPython === join(venv, 'bin', 'python'),
    `the python3 kernel runs in the Space venv with the lock's libraries, and its shell commands find the venv's python (${kernel.error ?? kernel.text.trim()})`
  );

  await lab.stop();
  check(
    !lab.log().includes(token),
    'jupyter lab never logs the token taken from the secret'
  );
  lab = undefined;
} catch (error) {
  check(false, error instanceof Error ? error.stack : String(error));
} finally {
  await browser?.close();
  await lab?.stop();
  rmSync(work, { recursive: true, force: true });
}
const total = seconds(started);
if (failures.length) {
  console.error(`spaces: ${failures.length} check(s) failed in ${total} s`);
  process.exit(1);
}
console.log(
  `spaces: all checks passed in ${total} s (the Docker build itself cannot run here)`
);
