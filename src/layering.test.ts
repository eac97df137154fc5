/**
 * The house's floors, held by a test: each room may import only from the
 * rooms below it, so that (for example) the Ocean client never reaches into
 * a view or the kernel bridge, and the bridge holds no Ocean logic.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const SRC = path.dirname(new URL(import.meta.url).pathname);

/** A file's room: the ground floor, or its folder (two levels for widget/). */
function roomOf(file: string): string {
  const rel = path.relative(SRC, file).split(path.sep);
  if (rel.length === 1) {
    return rel[0] === 'index.ts' ? 'entry' : 'ground';
  }
  return rel[0] === 'widget' ? `widget/${rel[1]}` : rel[0];
}

/** Which rooms each room may import from (besides itself). */
const MAY_IMPORT: Record<string, string[]> = {
  ground: [],
  ocean: ['ground'],
  'kernel-bridge': ['ground'],
  'widget/wallet': ['ground', 'ocean'],
  'widget/market': ['ground', 'ocean'],
  gan: ['ground', 'ocean', 'kernel-bridge'],
  commands: ['ground', 'ocean', 'kernel-bridge', 'provenance'],
  provenance: ['ground', 'ocean', 'kernel-bridge'],
  entry: ['*']
};

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === 'fixtures' ? [] : sources(full);
    }
    return /\.ts$/.test(entry.name) && !entry.name.endsWith('.test.ts')
      ? [full]
      : [];
  });
}

/** Every relative module a file imports: static, re-exported or dynamic. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const found = text.matchAll(
    /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g
  );
  return [...found].map(match => path.resolve(path.dirname(file), match[1]));
}

test('no import runs up a floor or sideways into another room', () => {
  const wrong: string[] = [];
  for (const file of sources(SRC)) {
    const room = roomOf(file);
    const allowed = MAY_IMPORT[room];
    assert.ok(allowed, `${path.relative(SRC, file)} is in no known room`);
    for (const target of importsOf(file)) {
      if (!target.startsWith(SRC)) {
        continue; // style/, schema/: assets, not rooms
      }
      const isFolder =
        fs.existsSync(target) && fs.statSync(target).isDirectory();
      const to = roomOf(isFolder ? path.join(target, 'index.ts') : target);
      if (to !== room && !allowed.includes('*') && !allowed.includes(to)) {
        wrong.push(`${path.relative(SRC, file)} (${room}) → ${to}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

test('the rule sees a wrong import', () => {
  // The check above would pass vacuously if importsOf found nothing.
  const bridge = importsOf(path.join(SRC, 'kernel-bridge', 'index.ts'));
  assert.ok(bridge.some(target => target.endsWith('bridge')));
  assert.equal(
    roomOf(path.join(SRC, 'widget', 'market', 'x.ts')),
    'widget/market'
  );
  assert.ok(!MAY_IMPORT['kernel-bridge'].includes('ocean'));
});
