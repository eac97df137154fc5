// Runs every unit test beside the code it tests (src/**/*.test.ts) with
// Node's own test runner; tsx compiles TypeScript on the fly.
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
process.exit(result.status ?? 1);
