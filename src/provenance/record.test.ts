import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  appendEntry,
  canonicalJson,
  emptyRecord,
  forbidsDerivatives,
  licenceWarnings,
  lineageDigest,
  PROVENANCE_METADATA_KEY,
  PROVENANCE_VERSION,
  publishSources,
  readRecord,
  sha256Hex,
  type IProvenanceRecord
} from './record';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const fixture = (): IProvenanceRecord =>
  JSON.parse(
    fs.readFileSync(path.join(HERE, 'fixtures', 'record.json'), 'utf8')
  );

describe('provenance record', () => {
  it('numbers entries after the highest id, leaving the old record as it was', () => {
    const first = appendEntry(emptyRecord(), {
      action: 'load',
      at: 'now',
      network: { key: 'local', chainId: 1, rpcUrl: 'r', nodeUrl: 'n' },
      did: 'did:op:1'
    });
    assert.equal(first.entry.id, 'e1');
    const second = appendEntry(first.record, { ...first.entry, did: 'x' });
    assert.equal(second.entry.id, 'e2');
    assert.equal(first.record.entries.length, 1);
    assert.equal(second.record.entries.length, 2);
  });

  it('reads no record as empty and refuses a version it does not know', () => {
    assert.deepEqual(readRecord(undefined), emptyRecord());
    assert.throws(
      () => readRecord({ version: 2, entries: [] }),
      /version 2; this extension reads version 1/
    );
    assert.equal(
      readRecord({ version: 1, entries: [{ id: 'e1', did: 'd' }, 7, null] })
        .entries.length,
      1
    );
  });

  it('hashes with SHA-256 and writes canonical JSON with sorted keys', async () => {
    assert.equal(
      await sha256Hex(new TextEncoder().encode('abc')),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    );
    assert.equal(
      canonicalJson({ b: [1, { d: 'é', c: null }], a: 'x', u: undefined }),
      '{"a":"x","b":[1,{"c":null,"d":"é"}]}'
    );
  });

  it('gives the fixture the digest the Python verifier computes (test_provenance.py)', async () => {
    const digest = await lineageDigest(fixture());
    const python = fs.readFileSync(
      path.join(
        HERE,
        '..',
        '..',
        'jupyterlab_ocean',
        'tests',
        'test_provenance.py'
      ),
      'utf8'
    );
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
    assert.ok(
      python.includes(digest),
      `test_provenance.py should expect ${digest}`
    );
  });

  it('agrees with the Python module on the metadata key and version', () => {
    const python = fs.readFileSync(
      path.join(HERE, '..', '..', 'jupyterlab_ocean', 'provenance.py'),
      'utf8'
    );
    assert.match(
      python,
      new RegExp(`METADATA_KEY = "${PROVENANCE_METADATA_KEY}"`)
    );
    assert.match(python, new RegExp(`VERSION = ${PROVENANCE_VERSION}\\b`));
  });

  it('knows the no-derivatives licences', () => {
    for (const id of ['CC-BY-ND-4.0', 'CC-BY-NC-ND-4.0', 'cc-by-nd-3.0']) {
      assert.ok(forbidsDerivatives(id), id);
    }
    for (const id of [
      'CC0-1.0',
      'CC-BY-4.0',
      'CC-BY-SA-4.0',
      'ODbL-1.0',
      'MIT',
      undefined
    ]) {
      assert.ok(!forbidsDerivatives(id), String(id));
    }
  });

  it('warns when a publish came from a source whose licence forbids derivatives', () => {
    const record = fixture();
    const warnings = licenceWarnings(record);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0].source, 'e1');
    assert.match(
      warnings[0].message,
      /CC-BY-ND-4\.0 does not allow derivatives/
    );
    record.entries[0].license = 'CC-BY-4.0';
    assert.deepEqual(licenceWarnings(record), []);
  });

  it('warns when a sold asset came from a non-commercial source, not when it is free', () => {
    const record = fixture();
    record.entries[0].license = 'CC-BY-NC-4.0';
    assert.deepEqual(licenceWarnings(record), []);
    record.entries[1].priced = true;
    const warnings = licenceWarnings(record);
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0].message,
      /CC-BY-NC-4\.0 does not allow commercial use, and it is for sale/
    );
  });

  it('names loads and compute jobs as the sources of a publish', () => {
    assert.deepEqual(publishSources(fixture()), ['e1']);
  });
});
