import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nullTranslator } from '@jupyterlab/translation';
import { frenchCatalogue } from '../gettext.test-support';
import { OceanError, useErrorTranslator } from '../errors';
import { KernelBridge } from '../kernel-bridge/bridge';
import {
  fileNameFor,
  registerOceanKernelCommands,
  uniqueNames
} from './ocean-commands';
import {
  encodeResult,
  filesResult,
  tableResult
} from '../kernel-bridge/results';

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

test('files of one asset with the same name are told apart', () => {
  const files = [
    { index: 0, name: 'a.png' },
    { index: 1, name: 'b.png' },
    { index: 2, name: 'a.png' }
  ];
  uniqueNames(files);
  assert.deepEqual(
    files.map(file => file.name),
    ['a.png', 'b.png', '2-a.png']
  );
});

test('a multi-file result carries each file’s own result and which was chosen', () => {
  const bytes = new Uint8Array([1, 2, 3]);
  const all = encodeResult(
    filesResult('did:op:x', 2, [
      {
        index: 0,
        name: 'a.png',
        path: 'ocean-data/x/a.png',
        format: 'image',
        value: bytes
      },
      {
        index: 1,
        name: 'b.csv',
        path: 'ocean-data/x/b.csv',
        format: 'csv',
        value: tableResult('records', [{ a: 1 }], { name: 'b.csv' })
      }
    ])
  );
  assert.equal(all.kind, 'files');
  assert.ok(all.kind === 'files');
  assert.equal(all.count, 2);
  assert.equal(all.chosen, undefined);
  assert.deepEqual(all.files[0].result, {
    kind: 'json',
    value: { $bytes: 'AQID' }
  });
  assert.equal(all.files[1].result.kind, 'table');
  const one = encodeResult(
    filesResult(
      'did:op:x',
      2,
      [{ index: 1, name: 'b.csv', path: 'p', format: 'csv', value: 'x' }],
      { chosen: 1 }
    )
  );
  assert.ok(one.kind === 'files' && one.chosen === 1 && one.files.length === 1);
});

test('%ocean search, preview and load speak the lab’s language: help words and sentences', async () => {
  useErrorTranslator(
    frenchCatalogue({
      'Give the asset id, e.g. %ocean load did:op:… (find ids with %ocean search).':
        'Donnez l’identifiant de l’actif, p. ex. %ocean load did:op:…',
      'Show an asset card: metadata, licence, price, Get access and a data preview.':
        'Affiche la fiche d’un actif.'
    })
  );
  try {
    const bridge = new KernelBridge({
      wallet: null,
      networks: null,
      requester: kernelId => ({ kind: 'kernel', label: 'test', kernelId })
    });
    // No Ocean client is reached: the missing id is refused before it.
    registerOceanKernelCommands(bridge, null as never, null as never);
    const byName = new Map(bridge.commands.map(c => [c.name, c]));
    assert.equal(
      byName.get('preview')?.description,
      'Affiche la fiche d’un actif.'
    );
    await assert.rejects(
      Promise.resolve().then(() =>
        byName.get('load')!.handler({}, null as never)
      ),
      (error: OceanError) =>
        error.code === 'OCEAN_BAD_ASSET' &&
        error.message ===
          'Donnez l’identifiant de l’actif, p. ex. %ocean load did:op:…'
    );
  } finally {
    useErrorTranslator(nullTranslator.load('jupyterlab_ocean'));
  }
});
