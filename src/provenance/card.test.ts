import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  encodeResult,
  tableResult,
  withDatasetInfo
} from '../kernel-bridge/results';
import { cardFolder, datasetCard, datasetInfo, derivedFrom } from './card';
import type { IProvenanceRecord } from './record';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const record: IProvenanceRecord = JSON.parse(
  fs.readFileSync(path.join(HERE, 'fixtures', 'record.json'), 'utf8')
);

describe('dataset card', () => {
  const card = datasetCard({
    name: 'Derived\n---\nlicense: mit',
    did: 'did:op:2',
    chainId: 8996,
    license: 'CC0-1.0',
    description: 'Averages per station.',
    tags: ['weather'],
    type: 'dataset',
    sources: [record.entries[0]],
    digest: 'sha256:abc',
    notebook: 'work/analysis.ipynb',
    warnings: ['e2 published … does not allow derivatives']
  });

  it('has front matter the Hub reads, with the sources by DID', () => {
    const front = card.split('\n---\n')[0];
    assert.match(front, /^---\nlicense: "cc0-1.0"\n/);
    assert.match(
      front,
      /source_datasets:\n {2}- "did:op:1111111111111111111111111111111111111111111111111111111111111111"\n/
    );
    assert.match(front, /lineage_digest: "sha256:abc"/);
    // A name from the notebook cannot end the front matter or add keys.
    assert.match(front, /pretty_name: "Derived\\n---\\nlicense: mit"/);
    assert.equal(card.match(/^---$/gm)?.length, 2);
  });

  it('lists the lineage, the warnings and the parts to fill in', () => {
    assert.match(
      card,
      /\| e1 \| load \| Weather — Zürich \| `did:op:1{64}` \| CC-BY-ND-4\.0 \| `0xaaaa0{59}1` \|/
    );
    assert.match(card, /## Licence warnings\n\n- ⚠ e2 published/);
    assert.match(card, /## Intended use\n\n_To fill in/);
    assert.match(card, /## Limitations\n\n_To fill in/);
    assert.match(
      card,
      /python -m jupyterlab_ocean\.provenance verify analysis\.ipynb/
    );
  });

  it('gives the DDO its sources and digest, and the card a safe folder', () => {
    assert.deepEqual(derivedFrom([record.entries[0]], 'sha256:abc'), {
      derivedFrom: [
        {
          did: record.entries[0].did,
          chainId: 8996,
          orderTx: record.entries[0].order!.tx,
          license: 'CC-BY-ND-4.0'
        }
      ],
      lineageDigest: 'sha256:abc'
    });
    assert.equal(cardFolder('../My data: v2'), 'ocean-published/My-data-v2');
  });
});

describe('dataset card from hostile names', () => {
  it("writes a source's name, licence and file names as text, never as links, images or HTML", () => {
    const hostile = {
      ...record.entries[0],
      name: '<img src=x onerror=alert(1)> [Verified by Ocean](javascript:alert(1))',
      license: 'MIT ![pixel](https://tracker.example/p.png)',
      did: 'did:op:1` <b>x</b> `',
      files: [{ ...record.entries[0].files![0], path: 'a_**b**.csv' }]
    };
    const card = datasetCard({
      name: 'Derived',
      did: 'did:op:2',
      chainId: 8996,
      license: 'CC0-1.0',
      description: 'Mine.',
      tags: [],
      type: 'dataset',
      sources: [hostile],
      digest: 'sha256:abc',
      notebook: 'work/analysis.ipynb',
      warnings: ['e2 from e1 (<script>alert(1)</script>) [x](javascript:1)']
    });
    const body = card.split('\n---\n')[1];
    assert.doesNotMatch(body, /<img|<script/);
    assert.doesNotMatch(body, /\]\(javascript:|!\[pixel\]\(/);
    assert.match(body, /&lt;img src=x onerror=alert\\\(1\\\)&gt;/);
    assert.match(body, /a\\_\\\*\\\*b\\\*\\\*\.csv/);
    // The DID stays one code span (HTML in it is shown as code): its
    // backticks cannot end it.
    assert.match(body, /\| `did:op:1 {2}<b>x<\/b> {2}` \|/);
  });
});

describe('dataset info', () => {
  it('carries the description, licence, a citation with the order and SHA-256, and the entry', () => {
    const entry = record.entries[0];
    const info = datasetInfo(
      {
        did: entry.did,
        chainId: 8996,
        name: 'Weather {x}',
        author: 'Met office',
        description: 'Hourly weather.',
        license: 'CC-BY-ND-4.0',
        created: '2026-01-02T00:00:00Z'
      },
      entry
    );
    assert.equal(info.description, 'Hourly weather.');
    assert.equal(info.license, 'CC-BY-ND-4.0');
    assert.match(info.citation, /^@misc\{ocean-1111/);
    assert.match(info.citation, /title = \{Weather x\}/);
    assert.match(info.citation, /year = \{2026\}/);
    assert.match(info.citation, new RegExp(`order ${entry.order!.tx}`));
    assert.match(info.citation, /weather\.csv sha256 ba7816bf/);
    assert.equal(info.provenance, entry);
  });

  it('reaches only a table asked for as a Dataset', () => {
    const info = { license: 'MIT' };
    const asDataset = encodeResult(
      withDatasetInfo(tableResult('records', [], { as: 'dataset' }), info)
    );
    assert.deepEqual(asDataset.kind === 'table' && asDataset.info, info);
    const plain = encodeResult(
      withDatasetInfo(tableResult('records', []), info)
    );
    assert.equal(plain.kind === 'table' && plain.info, undefined);
    assert.deepEqual(withDatasetInfo([1], info), [1]);
  });
});
