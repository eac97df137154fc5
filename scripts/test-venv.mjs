// The project venv holds exactly the lock, and the lab's Python kernel runs
// from it. A hand-installed package (in the venv or on the machine) is what
// once let CI pass on one machine and fail on a fresh one, so this step
// fails when:
//   - the venv has a package the lock does not name, or at another version,
//     or lacks one the lock names (`pip list` against requirements/project.txt);
//   - `pip check` finds a broken requirement;
//   - a `jupyter <command>` the tests or scripts run comes from a package
//     that requirements/project.in does not name (only pinned transitively);
//   - the python3 kernel the lab starts is not the venv's Python, or cannot
//     import the libraries the notebooks load data with.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLab } from './lib/services.mjs';
import { LOCK_FILE, VENV, VENV_PYTHON } from './lib/venv.mjs';

const failures = [];
const check = (ok, message) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${message}`);
  if (!ok) failures.push(message);
};
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

/**
 * The `jupyter <command>`s run by the sources under `folders`: a spawn of
 * the venv's `jupyter` (`venvBin('jupyter'), ['labextension', …]`,
 * `join(…, 'jupyter'), ['nbconvert', …]`) or a command line in a string
 * (`"jupyter lab …"`).
 */
function jupyterCommands(folders) {
  const found = new Set();
  const walk = dir => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!['node_modules', 'report', 'test-results'].includes(entry.name))
          walk(full);
      } else if (/\.(m?[jt]s|sh)$/.test(entry.name)) {
        const text = readFileSync(full, 'utf8');
        for (const match of text.matchAll(
          /['"]jupyter['"]\s*\)?\s*,\s*\[\s*['"]([a-z][a-z-]*)['"]/g
        ))
          found.add(match[1]);
        for (const match of text.matchAll(
          /(?:^|[\s'"`])jupyter ([a-z][a-z-]*) (?=-|\$|"|\S+\.ipynb)/gm
        ))
          found.add(match[1]);
      }
    }
  };
  for (const folder of folders) walk(folder);
  return [...found].sort();
}

// 1. The venv against the lock.
const locked = readLock(LOCK_FILE);
const listed = spawnSync(
  VENV_PYTHON,
  [
    '-m',
    'pip',
    '--disable-pip-version-check',
    'list',
    '--format=json',
    '--exclude-editable'
  ],
  { encoding: 'utf8' }
);
check(listed.status === 0, `pip list runs in ${VENV}`);
const installed = new Map(
  JSON.parse(listed.stdout || '[]').map(({ name, version }) => [
    normalise(name),
    version
  ])
);
// pip itself comes with the venv (ensurepip), not from the lock.
installed.delete('pip');
const unlisted = [...installed].filter(([name]) => !locked.has(name));
const otherVersion = [...installed].filter(
  ([name, version]) => locked.has(name) && locked.get(name) !== version
);
const missing = [...locked.keys()].filter(name => !installed.has(name));
check(
  unlisted.length === 0,
  `every package in the venv is in the lock (${installed.size} installed${
    unlisted.length
      ? `; not in the lock: ${unlisted.map(([n, v]) => `${n}==${v}`).join(', ')}`
      : ''
  })`
);
check(
  otherVersion.length === 0,
  `every package is at the lock's version${
    otherVersion.length
      ? ` (differ: ${otherVersion.map(([n, v]) => `${n} ${v} vs ${locked.get(n)}`).join(', ')})`
      : ''
  }`
);
check(
  missing.length === 0,
  `every package the lock names is installed${missing.length ? ` (missing: ${missing.join(', ')})` : ''}`
);
const pipCheck = spawnSync(VENV_PYTHON, ['-m', 'pip', 'check'], {
  encoding: 'utf8'
});
check(
  pipCheck.status === 0,
  `pip check: ${(pipCheck.stdout + pipCheck.stderr).trim()}`
);

// 2. What the tests and scripts run from the venv (`jupyter <command>`) is
// named in requirements/project.in, not only pinned because another package
// needs it today: a relock after that package dropped it would remove the
// command, and the test using it (provenance.spec's `jupyter nbconvert`)
// would fail on a fresh clone only. The package behind each command is the
// one whose `jupyter-<command>` console script the venv holds.
const named = new Set(
  readFileSync(join('requirements', 'project.in'), 'utf8')
    .split('\n')
    .map(line => /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*[=<>~!]=/.exec(line)?.[1])
    .filter(Boolean)
    .map(normalise)
);
const commands = jupyterCommands(['ui-tests', 'scripts', 'spaces']);
const owners = spawnSync(
  VENV_PYTHON,
  [
    '-c',
    [
      'import json, sys',
      'from importlib.metadata import distributions',
      'wanted = set(json.loads(sys.argv[1]))',
      'found = {}',
      'for dist in distributions():',
      '    for ep in dist.entry_points:',
      "        if ep.group == 'console_scripts' and ep.name.startswith('jupyter-') and ep.name[8:] in wanted:",
      "            found[ep.name[8:]] = dist.metadata['Name']",
      'print(json.dumps(found))'
    ].join('\n'),
    JSON.stringify(commands)
  ],
  { encoding: 'utf8' }
);
const ownerOf = owners.status === 0 ? JSON.parse(owners.stdout) : {};
const unnamed = commands.filter(
  command => !ownerOf[command] || !named.has(normalise(ownerOf[command]))
);
check(
  commands.length > 0 && unnamed.length === 0,
  `every jupyter command the tests and scripts run comes from a package named in requirements/project.in (${commands
    .map(command => `${command}: ${ownerOf[command] ?? 'no package'}`)
    .join(', ')}${unnamed.length ? `; not named: ${unnamed.join(', ')}` : ''})`
);

// 3. The kernel the lab starts, asked through the lab's own REST and
// websocket APIs would need a client; jupyter_client (in the venv) starts
// the very kernelspec the lab lists, with the lab's environment.
const work = mkdtempSync(join(tmpdir(), 'jlo-venv-'));
let lab;
try {
  const token = randomBytes(16).toString('hex');
  lab = await startLab({
    rootDir: join(work, 'root'),
    stateDir: join(work, 'state'),
    token
  });
  const specs = await (
    await fetch(`${lab.baseUrl}api/kernelspecs`, {
      headers: { Authorization: `token ${token}` }
    })
  ).json();
  const argv = specs.kernelspecs?.python3?.spec?.argv ?? [];
  check(
    argv[0] && realpathSync(argv[0]) === realpathSync(VENV_PYTHON),
    `the lab's python3 kernelspec runs ${argv[0]}`
  );
  check(
    Object.keys(specs.kernelspecs ?? {})
      .sort()
      .join(',') === 'deno,python3',
    `the lab offers exactly the python3 and deno kernels (${Object.keys(specs.kernelspecs ?? {}).join(', ')})`
  );
  const probe = spawnSync(
    VENV_PYTHON,
    [
      '-c',
      [
        'import json',
        'from jupyter_client.manager import start_new_kernel',
        "km, kc = start_new_kernel(kernel_name='python3')",
        'try:',
        "    code = 'import sys, pandas, numpy, pyarrow, web3, datasets, ipywidgets, jupyterlab_ocean; print(sys.prefix); print(jupyterlab_ocean.__file__)'",
        '    out = []',
        "    kc.execute_interactive(code, timeout=120, output_hook=lambda m: out.append(m['content'].get('text', '')) if m['msg_type'] == 'stream' else None)",
        "    print(json.dumps(''.join(out).split()))",
        'finally:',
        '    kc.stop_channels(); km.shutdown_kernel(now=True)'
      ].join('\n')
    ],
    {
      encoding: 'utf8',
      // The same Jupyter paths the lab was given: its kernelspecs, its data.
      env: {
        ...process.env,
        JUPYTER_PATH: '',
        JUPYTER_DATA_DIR: join(work, 'state', 'data'),
        JUPYTER_RUNTIME_DIR: join(work, 'state', 'runtime')
      },
      timeout: 180_000
    }
  );
  const [prefix, helperFile] =
    probe.status === 0 ? JSON.parse(probe.stdout.trim().split('\n').pop()) : [];
  check(
    prefix && realpathSync(prefix) === realpathSync(VENV),
    `the python3 kernel runs in the venv (sys.prefix ${prefix ?? probe.stderr.trim().split('\n').pop()}) and imports pandas, numpy, pyarrow, web3, datasets, ipywidgets`
  );
  check(
    helperFile?.startsWith(join(process.cwd(), 'jupyterlab_ocean')) ||
      helperFile?.includes('/jupyterlab_ocean/'),
    `the kernel imports jupyterlab_ocean from this checkout (${helperFile})`
  );
} catch (error) {
  check(false, error instanceof Error ? error.message : String(error));
} finally {
  await lab?.stop();
  rmSync(work, { recursive: true, force: true });
}

if (failures.length) {
  console.error(`venv: ${failures.length} check(s) failed`);
  process.exit(1);
}
console.log('venv: all checks passed');
