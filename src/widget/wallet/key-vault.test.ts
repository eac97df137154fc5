import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  HDNodeWallet,
  Transaction,
  Wallet,
  toUtf8Bytes,
  verifyMessage
} from 'ethers';
import { nullTranslator } from '@jupyterlab/translation';
import { OceanError, useErrorTranslator } from '../../errors';
import { frenchCatalogue } from '../../gettext.test-support';
import { KeyKeeper } from './key-vault';
import { MemoryVaultStorage } from './keystore';

const PHRASE =
  'taxi music thumb unique chat sand crew more leg another off lamp';
const PASSWORD = 'a long password';
const first = HDNodeWallet.fromPhrase(PHRASE);

function keeper() {
  return new KeyKeeper(new MemoryVaultStorage(), { scryptN: 1 << 10 });
}

/** Everything an answer carries, as text, to look for secrets in. */
function text(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    typeof v === 'bigint' ? v.toString() : v
  );
}

describe('the key keeper (what the vault worker runs)', () => {
  it('answers every operation with public facts and signatures, never a key or the phrase', async () => {
    const keys = keeper();
    const answers: unknown[] = [];
    answers.push(await keys.load());
    answers.push(await keys.create(PHRASE, PASSWORD));
    answers.push(await keys.addAccount('Second'));
    const imported = Wallet.createRandom();
    answers.push(
      await keys.importKey(
        { privateKey: imported.privateKey },
        PASSWORD,
        'Imported'
      )
    );
    answers.push(await keys.rename(first.address, 'Main'));
    answers.push(await keys.lock());
    answers.push(await keys.unlock(PASSWORD));
    answers.push(await keys.signMessage(first.address, toUtf8Bytes('hello')));
    const all = answers.map(text).join('\n');
    const second = HDNodeWallet.fromPhrase(
      PHRASE,
      undefined,
      "m/44'/60'/0'/0/1"
    );
    for (const secret of [
      first.privateKey,
      second.privateKey,
      imported.privateKey,
      ...PHRASE.split(' ').filter(word => word.length > 4)
    ]) {
      assert.ok(!all.includes(secret.slice(2)), `an answer carried ${secret}`);
    }
    assert.match(all, new RegExp(first.address));
    assert.match(all, new RegExp(second.address));
  });

  it('signs messages and complete transactions with the account asked for', async () => {
    const keys = keeper();
    await keys.create(PHRASE, PASSWORD);
    const signature = await keys.signMessage(
      first.address,
      toUtf8Bytes('sign me')
    );
    assert.equal(verifyMessage('sign me', signature), first.address);
    const raw = await keys.signTransaction(first.address, {
      type: 2,
      to: '0x000000000000000000000000000000000000dEaD',
      value: 5n,
      data: '0x',
      chainId: 8996n,
      nonce: 3,
      gasLimit: 21000n,
      maxFeePerGas: 2_000_000_000n,
      maxPriorityFeePerGas: 1n
    });
    const parsed = Transaction.from(raw);
    assert.equal(parsed.from, first.address);
    assert.equal(parsed.nonce, 3);
    assert.equal(parsed.chainId, 8996n);
  });

  it('signs nothing while locked', async () => {
    const keys = keeper();
    await keys.create(PHRASE, PASSWORD);
    await keys.lock();
    await assert.rejects(
      keys.signMessage(first.address, toUtf8Bytes('x')),
      (error: unknown) => error instanceof OceanError && error.code === 4100
    );
  });

  it('exports a backup only with the store password, encrypted under the one chosen for it', async () => {
    const keys = keeper();
    await keys.create(PHRASE, PASSWORD);
    await assert.rejects(
      keys.exportKeystore(first.address, 'not the password', 'backup pass'),
      (error: unknown) =>
        error instanceof OceanError && error.code === 'OCEAN_WRONG_PASSWORD'
    );
    const json = await keys.exportKeystore(
      first.address,
      PASSWORD,
      'backup pass'
    );
    assert.ok(!json.includes(first.privateKey.slice(2)));
    const reopened = await Wallet.fromEncryptedJson(json, 'backup pass');
    assert.equal(reopened.address, first.address);
  });

  it('a test wallet: keys encrypted at rest under a generated password kept for the session only, then the person’s password and a checked backup', async () => {
    const storage = new MemoryVaultStorage();
    const keys = new KeyKeeper(storage, { scryptN: 1 << 10 });
    const made = await keys.createTestWallet();
    assert.deepEqual(made.testWallet, { passwordSet: false, backedUp: false });
    assert.equal(made.unlocked.length, 1);
    const address = made.accounts[0].address;
    // At rest: ciphertext only, and no password is stored with it.
    const stored = JSON.stringify(storage.record);
    assert.ok(stored.includes('ciphertext'));
    assert.deepEqual(Object.keys(storage.record!).sort(), [
      'accounts',
      'secrets',
      'testWallet',
      'version'
    ]);
    // It signs with no password typed.
    const signature = await keys.signMessage(address, toUtf8Bytes('hi'));
    assert.equal(verifyMessage('hi', signature), address);

    // A reload (a new worker on the same store): the generated password is
    // gone, so the test wallet cannot be opened, not even by a script.
    const reloaded = new KeyKeeper(storage, { scryptN: 1 << 10 });
    const after = await reloaded.load();
    assert.deepEqual(after.unlocked, []);
    assert.deepEqual(after.testWallet, { passwordSet: false, backedUp: false });

    // The backup: the person's password, then the phrase to write down.
    const { phrase, snapshot } = await keys.setTestWalletPassword(PASSWORD);
    assert.equal(phrase.split(' ').length, 12);
    assert.equal(HDNodeWallet.fromPhrase(phrase).address, address);
    assert.deepEqual(snapshot.testWallet, {
      passwordSet: true,
      backedUp: false
    });
    // A backup left half-way shows the words again, with that password only.
    await assert.rejects(
      keys.setTestWalletPassword('another password'),
      (error: unknown) =>
        error instanceof OceanError && error.code === 'OCEAN_WRONG_PASSWORD'
    );
    assert.equal((await keys.setTestWalletPassword(PASSWORD)).phrase, phrase);
    const words = phrase.split(' ');
    await assert.rejects(
      keys.confirmTestWalletBackup([{ index: 2, word: words[3] }]),
      (error: unknown) =>
        error instanceof OceanError && /Word #3/.test(error.message)
    );
    const backedUp = await keys.confirmTestWalletBackup([
      { index: 2, word: words[2] },
      { index: 7, word: ` ${words[7].toUpperCase()} ` }
    ]);
    assert.deepEqual(backedUp.testWallet, {
      passwordSet: true,
      backedUp: true
    });
    await assert.rejects(keys.setTestWalletPassword(PASSWORD));
    // From now on it opens with the person's password, after a reload too.
    const third = new KeyKeeper(storage, { scryptN: 1 << 10 });
    await third.load();
    const opened = await third.unlock(PASSWORD);
    assert.deepEqual(opened.unlocked, [address]);
  });
});

describe("the vault's sentences, worded on the page", () => {
  it('an error made in the worker carries its msgid across and reads in the lab’s language there', async () => {
    const keys = keeper();
    await keys.create(PHRASE, PASSWORD);
    const failure = await keys
      .exportKeystore(first.address, 'not the password', 'backup pass')
      .then(
        () => assert.fail('a wrong password exported a backup'),
        (error: OceanError) => error
      );
    // What the worker posts (vault-worker.ts): code, English, and the words.
    const posted = structuredClone({
      code: failure.code,
      message: failure.message,
      words: failure.words
    });
    assert.equal(
      posted.message,
      'That password does not unlock this wallet. Nothing was changed; try again.'
    );
    // The page words it again (vault-client.ts), here with a French lab.
    useErrorTranslator(
      frenchCatalogue({
        [posted.message]:
          'Ce mot de passe n’ouvre pas ce portefeuille. Rien n’a changé ; réessayez.'
      })
    );
    try {
      const shown = new OceanError(posted.code, posted.words ?? posted.message);
      assert.equal(shown.code, 'OCEAN_WRONG_PASSWORD');
      assert.equal(
        shown.message,
        'Ce mot de passe n’ouvre pas ce portefeuille. Rien n’a changé ; réessayez.'
      );
    } finally {
      useErrorTranslator(nullTranslator.load('jupyterlab_ocean'));
    }
  });
});
