import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileNameFor } from './ocean-commands';

test('saved file names are safe and keep the node’s name', () => {
  const asset = { name: '../../etc/passwd <script>' } as any;
  assert.equal(
    fileNameFor(asset, undefined, 'csv', 0),
    'etc-passwd-script.csv'
  );
  assert.equal(fileNameFor(asset, 'weather.csv', 'csv', 0), 'weather.csv');
  assert.equal(
    fileNameFor(asset, undefined, 'image', 3),
    'etc-passwd-script-3.png'
  );
});
