import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  completeLines,
  detectFormat,
  inferColumnType,
  parseDelimited,
  parseJsonHead,
  recordsToTable
} from './preview';

test('detectFormat reads content types and file names', () => {
  assert.equal(detectFormat('text/csv; charset=utf-8'), 'csv');
  assert.equal(
    detectFormat('application/octet-stream', 'x.parquet'),
    'parquet'
  );
  assert.equal(detectFormat(null, 'data.tsv'), 'tsv');
  assert.equal(detectFormat('image/png'), 'image');
  assert.equal(detectFormat('application/x-ndjson'), 'json');
  assert.equal(detectFormat('application/zip', 'a.zip'), null);
});

test('column types are the narrowest that fit every value', () => {
  assert.equal(inferColumnType(['1', '-2', '']), 'integer');
  assert.equal(inferColumnType(['1', '2.5', '1e3']), 'float');
  assert.equal(inferColumnType(['true', 'FALSE']), 'boolean');
  assert.equal(inferColumnType(['2025-01-01', '2025-02-03T10:00:00Z']), 'date');
  assert.equal(inferColumnType(['a', '1']), 'string');
  assert.equal(inferColumnType(['', null]), 'empty');
});

test('a Range-cut CSV loses its partial last line, keeps quoting', async () => {
  const cut = 'a,b\n1,"x, y"\n2,"z"\n3,"trunc';
  const text = completeLines(cut, true);
  assert.equal(text, 'a,b\n1,"x, y"\n2,"z"');
  const table = await parseDelimited(text, 'csv', 20);
  assert.deepEqual(
    table.columns.map(column => column.type),
    ['integer', 'string']
  );
  assert.deepEqual(table.rows, [
    ['1', 'x, y'],
    ['2', 'z']
  ]);
});

test('the head of a JSON array or JSON Lines file becomes records', () => {
  const array = '[{"a":1,"b":"x"},{"a":2,"b":"y, ]"},{"a":3,"b":"tru';
  assert.deepEqual(parseJsonHead(array, true), [
    { a: 1, b: 'x' },
    { a: 2, b: 'y, ]' }
  ]);
  const lines = '{"a":1}\n{"a":2}\n{"a":';
  assert.deepEqual(parseJsonHead(lines, true), [{ a: 1 }, { a: 2 }]);
  const table = recordsToTable([{ a: 1, b: { c: 2 } }, { a: 2 }], 10);
  assert.deepEqual(table.rows, [
    ['1', '{"c":2}'],
    ['2', '']
  ]);
  assert.equal(table.columns[0].type, 'integer');
});
