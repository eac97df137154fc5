// Runs every unit test beside the code it tests (src/**/*.test.ts) with
// Node's own test runner; tsx compiles TypeScript on the fly. Then the
// Python unit tests (jupyterlab_ocean/tests/) with unittest.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const files = fs
  .readdirSync(path.join(root, 'src'), { recursive: true })
  .map(String)
  .filter(file => file.endsWith('.test.ts'))
  .map(file => path.join('src', file))
  .sort();
if (files.length === 0) {
  console.error('No unit tests found under src/.');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', ...files],
  {
    cwd: root,
    stdio: 'inherit'
  }
);
// The kernel-side Python (jupyterlab_ocean/tests/), with the standard
// library's unittest in the project venv: no test runner to install.
const python = path.join(root, '.venv', 'bin', 'python');
const pythonResult = fs.existsSync(python)
  ? spawnSync(
      python,
      ['-m', 'unittest', 'discover', '-s', 'jupyterlab_ocean/tests', '-t', '.'],
      { cwd: root, stdio: 'inherit' }
    )
  : (console.error('No .venv/: run npm run setup for the Python unit tests.'),
    { status: 1 });
process.exit((result.status ?? 1) || (pythonResult.status ?? 1));
