import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nullTranslator } from '@jupyterlab/translation';
import { frenchCatalogue } from '../gettext.test-support';
import { OceanError, useErrorTranslator } from '../errors';
import { registerWalletCommands } from '../commands/wallet-commands';
import { KernelBridge } from './bridge';
import { registerBuiltinCommands } from './commands';
import { encodeResult } from './results';

test('%ocean help, the built-in and the wallet commands speak the lab’s language', async () => {
  useErrorTranslator(
    frenchCatalogue({
      'Ocean commands: %ocean <command> [args] in Python, ocean.<command>(...) in Deno.':
        'Commandes Ocean : %ocean <commande> [args] en Python, ocean.<commande>(...) en Deno.',
      'This list.': 'Cette liste.',
      'Ocean commands: %1 in Python, %2 in Deno.':
        'Commandes Ocean : %1 en Python, %2 en Deno.',
      'The kernel command "%1" is already registered.':
        'La commande de noyau « %1 » est déjà enregistrée.',
      'No network registry is available in this JupyterLab.':
        'Aucun registre de réseaux dans ce JupyterLab.',
      'Send the native coin, OCEAN or another ERC-20 (approved in the wallet dialog); returns the hash and receipt status.':
        'Envoie la monnaie native, OCEAN ou un autre ERC-20.'
    })
  );
  try {
    const bridge = new KernelBridge({
      wallet: null,
      networks: null,
      requester: kernelId => ({ kind: 'kernel', label: 'test', kernelId })
    });
    registerBuiltinCommands(bridge);
    registerWalletCommands(bridge);
    const byName = new Map(bridge.commands.map(c => [c.name, c]));
    assert.equal(
      byName.get('send')?.description,
      'Envoie la monnaie native, OCEAN ou un autre ERC-20.'
    );
    const help = encodeResult(
      await byName.get('help')!.handler({}, null as never)
    ) as { data: Record<string, unknown> };
    const text = String(help.data['text/plain']);
    assert.match(
      text,
      /^Commandes Ocean : %ocean <commande> \[args\] en Python/
    );
    assert.match(text, /help +Cette liste\./);
    assert.match(
      String(help.data['text/html']),
      /<p>Commandes Ocean : <code>%ocean &lt;command&gt; \[args\]<\/code> en Python, <code>ocean\.&lt;command&gt;\(…\)<\/code> en Deno\.<\/p>/
    );
    // The bridge's own sentences too.
    assert.throws(
      () => bridge.registerCommand('help', async () => null),
      (error: OceanError) =>
        error.code === 'OCEAN_BAD_REQUEST' &&
        error.message === 'La commande de noyau « help » est déjà enregistrée.'
    );
    // No networks in this lab: the sentence is French, the code kept.
    for (const name of ['chain', 'balance']) {
      await assert.rejects(
        Promise.resolve().then(() =>
          byName.get(name)!.handler({ _: [] }, null as never)
        ),
        (error: OceanError) =>
          error.code === 'OCEAN_UNKNOWN_NETWORK' &&
          error.message === 'Aucun registre de réseaux dans ce JupyterLab.',
        name
      );
    }
  } finally {
    useErrorTranslator(nullTranslator.load('jupyterlab_ocean'));
  }
});
