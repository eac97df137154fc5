import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { nullTranslator } from '@jupyterlab/translation';
import { frenchCatalogue } from '../gettext.test-support';
import { OceanError, useErrorTranslator } from '../errors';
import { NodeApi } from './node-api';
import { txError } from './client';
import { LOCAL_NETWORK } from './networks';

after(() => useErrorTranslator(nullTranslator.load('jupyterlab_ocean')));

test('the Ocean client’s error sentences are worded in the lab’s language, codes and details kept', () => {
  const before = NodeApi.error(404, 'not found');
  assert.match(before.message, /^The Ocean Node does not know this asset\./);
  useErrorTranslator(
    frenchCatalogue({
      'The Ocean Node does not know this asset. Check the DID, and that you are on the network it was published on (the Ocean panel shows yours); only an asset published in the last minute may still be waiting to be indexed.':
        'Le nœud Ocean ne connaît pas cet actif.',
      'The Ocean Node refused the request (%1): %2':
        'Le nœud Ocean a refusé la demande (%1) : %2',
      'You declined in the wallet. Nothing was sent or spent.':
        'Vous avez refusé dans le portefeuille. Rien n’a été envoyé.'
    })
  );
  const unknown = NodeApi.error(404, 'not found');
  assert.ok(unknown instanceof OceanError);
  assert.equal(unknown.code, 'OCEAN_NOT_INDEXED');
  assert.equal(unknown.message, 'Le nœud Ocean ne connaît pas cet actif.');
  assert.deepEqual(unknown.details, {
    status: 404,
    nodeCode: undefined,
    nodeMessage: 'not found'
  });
  // Placeholders carry the node's own words into the translated sentence.
  assert.equal(
    NodeApi.error(403, 'nope').message,
    'Le nœud Ocean a refusé la demande (403) : nope.'
  );
  const declined = txError(LOCAL_NETWORK, { code: 'ACTION_REJECTED' }, false);
  assert.equal(declined.code, 4001);
  assert.equal(
    declined.message,
    'Vous avez refusé dans le portefeuille. Rien n’a été envoyé.'
  );
});
