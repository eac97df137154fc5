import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { IProvenanceRecord } from './record';
import { lineageChains, provenanceBundle, verdictText } from './report';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const fixture = (): IProvenanceRecord =>
  JSON.parse(
    fs.readFileSync(path.join(HERE, 'fixtures', 'record.json'), 'utf8')
  );

describe('provenance report', () => {
  it('draws each published asset from its sources, compute jobs in between', () => {
    const record = fixture();
    const load = record.entries[0];
    record.entries.splice(1, 0, {
      ...load,
      id: 'e3',
      action: 'compute',
      name: 'Sensors',
      jobId: 'job-1',
      sources: ['e1']
    });
    record.entries[2].sources = ['e1', 'e3'];
    assert.deepEqual(lineageChains(record), [
      'e1 load “Weather — Zürich” + (e1 load “Weather — Zürich” → e3 compute “Sensors” (job job-1)) → e2 publish “Derived”'
    ]);
  });

  it('renders network text as text, with the licence warning', () => {
    const record = fixture();
    record.entries[0].name = '<img src=x onerror=alert(1)>';
    const bundle = provenanceBundle(record);
    assert.ok(!bundle.html.includes('<img'));
    assert.match(bundle.html, /&lt;img src=x/);
    assert.match(bundle.text, /^e1 {3}load/m);
    assert.match(bundle.text, /⚠ e2 published did:op:2+ from e1/);
    assert.equal(bundle.warnings.length, 1);
  });

  it("lists a model's use with its order, the order entry it used and its cell", () => {
    const record = fixture();
    const load = record.entries[0];
    record.entries.push({
      ...load,
      id: 'e3',
      action: 'use',
      name: 'Tiny GAN',
      license: 'MIT',
      files: undefined,
      cellId: '0123456789abcdef-cell',
      sources: ['e1']
    });
    const bundle = provenanceBundle(record);
    assert.match(
      bundle.text,
      /^e3 {3}use {18}Tiny GAN {2}\[MIT\] {2}order 0xaaaa00…0001 {2}from e1 {2}in cell 01234567…cell$/m
    );
    assert.match(bundle.html, /<tr data-entry="e3"><td>e3<\/td><td>use<\/td>/);
    // A use is no published asset's source: the chains are as before.
    assert.deepEqual(lineageChains(record), lineageChains(fixture()));
  });

  it('says ✔ or the sentence, and how many hold', () => {
    assert.equal(
      verdictText([
        { entry: 'e1', ok: true, problems: [], checked: ['order on chain'] },
        { entry: 'e2', ok: false, problems: ['e2: wrong.'], checked: [] }
      ]),
      '✔ e1: order on chain\n✘ e2: wrong.\n1 of 2 entries do not hold.'
    );
    const one = { entry: 'e1', ok: true, problems: [], checked: ['order'] };
    assert.match(verdictText([one]), /\nThe one entry holds\.$/);
    assert.match(
      verdictText([{ ...one, ok: false, problems: ['e1: wrong.'] }]),
      /\nThe one entry does not hold\.$/
    );
  });
});
