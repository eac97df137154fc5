import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { nullTranslator } from '@jupyterlab/translation';
import { frenchCatalogue } from '../gettext.test-support';
import { useErrorTranslator } from '../errors';
import { LOCAL_NETWORK } from './networks';
import { readRange } from './ranged-read';
import { switchedMidFlow } from './running-flows';

after(() => useErrorTranslator(nullTranslator.load('jupyterlab_ocean')));

const SEPOLIA = { ...LOCAL_NETWORK, key: 'sepolia', name: 'Sepolia' };
const APPROVE = `0x${'a'.repeat(64)}`;

test('a switch under a purchase is told in the lab’s language, one whole sentence with its placeholders', () => {
  useErrorTranslator(
    frenchCatalogue({
      'The network was switched to %1 while %2 on %3, so it stopped. Sent on %3 before it stopped: %4. Switch back to %3 and run it again: it resumes where it stopped (a datatoken already bought is used, an order already paid is reused, nothing is paid twice).':
        'Le réseau est passé à %1 pendant %2 sur %3 : arrêt. Envoyé sur %3 : %4. Revenez sur %3 et relancez : rien n’est payé deux fois.',
      'approve %1 (%2)': 'autorisation %1 (%2)',
      mined: 'minée',
      'buying access to %1': 'l’achat de l’accès à %1'
    })
  );
  const error = switchedMidFlow(
    {
      network: LOCAL_NETWORK,
      what: 'l’achat de l’accès à did:op:1',
      sent: [{ step: 'approve', hash: APPROVE }]
    },
    SEPOLIA,
    ['mined'],
    new Error('provider destroyed')
  );
  assert.equal(error.code, 'OCEAN_WRONG_NETWORK');
  assert.equal(
    error.message,
    `Le réseau est passé à Sepolia pendant l’achat de l’accès à did:op:1 sur Local Ocean stack : arrêt. Envoyé sur Local Ocean stack : autorisation ${APPROVE} (minée). Revenez sur Local Ocean stack et relancez : rien n’est payé deux fois.`
  );
  assert.deepEqual((error.details as { txHashes: string[] }).txHashes, [
    APPROVE
  ]);
});

test('progress lines of a download are worded in the lab’s language', async () => {
  useErrorTranslator(frenchCatalogue({ 'Downloading…': 'Téléchargement…' }));
  // A real loopback server with a small file.
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Length': '5' });
    res.end('a,b\n1');
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const seen: string[] = [];
    const read = await readRange(
      `http://127.0.0.1:${port}/file`,
      {},
      0,
      undefined,
      undefined,
      progress => seen.push(progress.message)
    );
    assert.equal(read.bytes.length, 5);
    assert.ok(seen.length > 0);
    assert.deepEqual([...new Set(seen)], ['Téléchargement…']);
  } finally {
    await new Promise(resolve => server.close(resolve));
  }
});
