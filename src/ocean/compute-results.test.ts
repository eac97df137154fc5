import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  outputFiles,
  parseResult,
  resultsFolder,
  safeFileName
} from './compute-results';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('compute results', () => {
  it('parses CSV, JSON rows and other JSON; binary stays unparsed', () => {
    assert.deepEqual(parseResult('out.csv', bytes('a,b\n1,2\n')), {
      format: 'csv',
      text: 'a,b\n1,2\n'
    });
    assert.deepEqual(parseResult('rows.json', bytes('[{"a":1},{"a":2}]')), {
      format: 'records',
      rows: [{ a: 1 }, { a: 2 }]
    });
    assert.deepEqual(parseResult('summary.json', bytes('{"rows":3}')), {
      format: 'json',
      value: { rows: 3 }
    });
    assert.equal(
      parseResult('model.bin', new Uint8Array([0xff, 0xfe, 0])),
      null
    );
  });

  it('keeps only the algorithm’s outputs and safe names, beside the notebook', () => {
    const job: any = {
      results: [
        { filename: 'configurationLog.txt', index: 0 },
        { filename: 'algorithmLog.txt', index: 1 },
        { filename: 'summary.json', index: 2 }
      ]
    };
    assert.deepEqual(
      outputFiles(job).map(file => file.filename),
      ['summary.json']
    );
    assert.equal(safeFileName('../../etc/passwd'), 'passwd');
    assert.equal(safeFileName('.hidden'), 'hidden');
    assert.equal(resultsFolder('work/a.ipynb', 'j1'), 'work/ocean-results/j1');
    assert.equal(resultsFolder('a.ipynb', 'j/../x'), 'ocean-results/x');
  });
});
