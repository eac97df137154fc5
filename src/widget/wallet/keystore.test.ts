import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encryptKeystoreJson, HDNodeWallet, Wallet } from 'ethers';
import { OceanError } from '../../errors';
import {
  deriveAccount,
  generateMnemonic,
  MemoryVaultStorage,
  normaliseMnemonic,
  pickConfirmationIndexes,
  Vault
} from './keystore';

// Ocean's barge development phrase: its first accounts are well known.
const DEV_PHRASE =
  'taxi music thumb unique chat sand crew more leg another off lamp';
const DEV_ACCOUNT_0 = '0xe2DD09d719Da89e5a3D0F2549c7E24566e947260';
const DEV_ACCOUNT_1 = '0xBE5449a6A97aD46c8558A3356267Ee5D2731ab5e';
// Low scrypt cost keeps the suite fast; the browser uses ethers' default.
const FAST = { scryptN: 1 << 10 };
const PASSWORD = 'correct horse battery';

async function freshVault(storage = new MemoryVaultStorage()) {
  const vault = new Vault(storage, FAST);
  await vault.load();
  return { vault, storage };
}

describe('the key store', () => {
  it('derives the standard Ethereum accounts from a phrase', () => {
    assert.equal(deriveAccount(DEV_PHRASE, 0).address, DEV_ACCOUNT_0);
    assert.equal(deriveAccount(DEV_PHRASE, 1).address, DEV_ACCOUNT_1);
  });

  it('creates fresh 12-word phrases that differ each time', () => {
    const a = generateMnemonic();
    const b = generateMnemonic();
    assert.equal(a.split(' ').length, 12);
    assert.notEqual(a, b);
    assert.equal(normaliseMnemonic(`  ${a.toUpperCase()}\n`), a);
    const picked = pickConfirmationIndexes(12, 3);
    assert.equal(new Set(picked).size, 3);
    assert.ok(picked.every(i => i >= 0 && i < 12));
  });

  it('round-trips: create, unlock with the password, derive more accounts', async () => {
    const { vault, storage } = await freshVault();
    const keys = await vault.createFromMnemonic(DEV_PHRASE, PASSWORD, 'Main');
    assert.equal(keys.get(DEV_ACCOUNT_0)?.address, DEV_ACCOUNT_0);
    const added = await vault.addAccount(keys, 'Second');
    assert.equal(added.address, DEV_ACCOUNT_1);
    assert.equal(added.index, 1);

    // What is stored holds no secret in clear.
    const stored = JSON.stringify(storage.record);
    assert.ok(!stored.includes('taxi music'));
    assert.ok(
      !stored.includes(deriveAccount(DEV_PHRASE, 0).privateKey.slice(2))
    );
    // …but it is Web3 Secret Storage with scrypt.
    const keystore = JSON.parse(storage.record!.secrets[0].keystore);
    assert.equal((keystore.crypto ?? keystore.Crypto).kdf, 'scrypt');

    // A new Vault over the same storage (a reload) unlocks both accounts.
    const { vault: reloaded } = await freshVault(storage);
    assert.deepEqual(
      reloaded.accounts.map(a => [a.name, a.address]),
      [
        ['Main', DEV_ACCOUNT_0],
        ['Second', DEV_ACCOUNT_1]
      ]
    );
    const unlocked = await reloaded.unlock(PASSWORD);
    assert.equal(unlocked.size, 2);
    const signature = await unlocked.get(DEV_ACCOUNT_1)!.signMessage('hi');
    assert.equal(
      Wallet.createRandom().address.length,
      42 // sanity: addresses are 0x + 40 hex
    );
    const { verifyMessage } = await import('ethers');
    assert.equal(verifyMessage('hi', signature), DEV_ACCOUNT_1);
  });

  it('refuses a wrong password with a clear error and changes nothing', async () => {
    const { vault, storage } = await freshVault();
    await vault.createFromMnemonic(DEV_PHRASE, PASSWORD);
    const before = JSON.stringify(storage.record);
    await assert.rejects(
      vault.unlock('not the password'),
      (error: unknown) =>
        error instanceof OceanError &&
        error.code === 'OCEAN_WRONG_PASSWORD' &&
        /password/.test(error.message)
    );
    await assert.rejects(
      vault.importKey(
        { privateKey: Wallet.createRandom().privateKey },
        'not the password',
        'Other'
      ),
      (error: unknown) =>
        error instanceof OceanError && error.code === 'OCEAN_WRONG_PASSWORD'
    );
    assert.equal(JSON.stringify(storage.record), before);
  });

  it('refuses bad phrases, short passwords and a second wallet', async () => {
    const { vault } = await freshVault();
    await assert.rejects(
      vault.createFromMnemonic('taxi music thumb', PASSWORD),
      (error: unknown) => (error as OceanError).code === 'OCEAN_BAD_IMPORT'
    );
    await assert.rejects(
      vault.createFromMnemonic(DEV_PHRASE, 'short'),
      /at least 8/
    );
    await vault.createFromMnemonic(DEV_PHRASE, PASSWORD);
    await assert.rejects(
      vault.createFromMnemonic(DEV_PHRASE, PASSWORD),
      (error: unknown) => (error as OceanError).code === 'OCEAN_WALLET_EXISTS'
    );
  });

  it('imports a private key and a keystore file, and exports one back', async () => {
    const { vault, storage } = await freshVault();
    const keys = await vault.createFromMnemonic(DEV_PHRASE, PASSWORD);
    const imported = Wallet.createRandom();
    const { address } = await vault.importKey(
      { privateKey: imported.privateKey.slice(2) },
      PASSWORD,
      'Imported',
      keys
    );
    assert.equal(address, imported.address);
    await assert.rejects(
      vault.importKey(
        { privateKey: imported.privateKey },
        PASSWORD,
        'Again',
        keys
      ),
      (error: unknown) => (error as OceanError).code === 'OCEAN_WALLET_EXISTS'
    );
    await assert.rejects(
      vault.importKey({ privateKey: '0x1234' }, PASSWORD, 'Bad', keys),
      (error: unknown) => (error as OceanError).code === 'OCEAN_BAD_IMPORT'
    );

    const other = Wallet.createRandom();
    const file = await encryptKeystoreJson(
      { address: other.address, privateKey: other.privateKey },
      'file password',
      { scrypt: { N: 1 << 10 } }
    );
    await assert.rejects(
      vault.importKey(
        { keystore: file, keystorePassword: 'wrong' },
        PASSWORD,
        'From file',
        keys
      ),
      /did not open/
    );
    await vault.importKey(
      { keystore: file, keystorePassword: 'file password' },
      PASSWORD,
      'From file',
      keys
    );
    assert.ok(
      !JSON.stringify(storage.record).includes(other.privateKey.slice(2))
    );

    const unlocked = await (await freshVault(storage)).vault.unlock(PASSWORD);
    assert.equal(unlocked.get(other.address)?.privateKey, other.privateKey);
    assert.equal(
      unlocked.get(imported.address)?.privateKey,
      imported.privateKey
    );

    const exported = await vault.exportKeystore(
      unlocked,
      other.address,
      'export password'
    );
    const reopened = await Wallet.fromEncryptedJson(
      exported,
      'export password'
    );
    assert.equal(reopened.address, other.address);
  });

  it('keeps the phrase inside the encrypted keystore so it survives a reload', async () => {
    const { vault, storage } = await freshVault();
    await vault.createFromMnemonic(DEV_PHRASE, PASSWORD);
    const decrypted = (await Wallet.fromEncryptedJson(
      storage.record!.secrets[0].keystore,
      PASSWORD
    )) as HDNodeWallet;
    assert.equal(decrypted.mnemonic?.phrase, DEV_PHRASE);
  });
});
