import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nullTranslator } from '@jupyterlab/translation';
import { slot, withMarkup } from './sentence';

test('a sentence keeps its markup where the translation puts it', () => {
  const trans = nullTranslator.load('jupyterlab_ocean');
  assert.deepEqual(
    withMarkup(trans.__('Job %1: %2', slot(0), slot(1)), ['<id>', '<status>']),
    ['Job ', '<id>', ': ', '<status>', '']
  );
  // A translation may put the values in another order.
  const reordered = '%2 — tâche %1'.replace(/%(\d)/g, (_, n) =>
    slot(Number(n) - 1)
  );
  assert.deepEqual(withMarkup(reordered, ['<id>', '<status>']), [
    '',
    '<status>',
    ' — tâche ',
    '<id>',
    ''
  ]);
});
