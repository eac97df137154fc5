/**
 * npm 11 runs a dependency's install scripts only when package.json's
 * allowScripts names it, and `npm ci` (the first step of `npm start` on a
 * fresh machine) ends with a warning for every one it does not name. So
 * each package with an install script in our two lockfiles is named, run
 * (true) or refused (false) on purpose.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const ROOT = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '..'
);

function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

for (const dir of ['.', 'stack']) {
  test(`every install script in ${dir}/package-lock.json is allowed or refused by name`, () => {
    const lock = readJson(path.join(ROOT, dir, 'package-lock.json'));
    const allow: Record<string, boolean> =
      readJson(path.join(ROOT, dir, 'package.json')).allowScripts ?? {};
    const unnamed = Object.entries(
      lock.packages as Record<string, { hasInstallScript?: boolean }>
    )
      .filter(([where, info]) => where && info.hasInstallScript)
      .map(([where]) => where.slice(where.lastIndexOf('node_modules/') + 13))
      .filter(name => typeof allow[name] !== 'boolean');
    assert.deepEqual(unnamed, []);
  });
}
