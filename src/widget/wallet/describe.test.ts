import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getBytes, hexlify, toBeArray, toUtf8Bytes } from 'ethers';
import { NODE_COMMANDS, nodeRequestHash } from '../../ocean/wallet-decode';
import { LOCAL_NETWORK } from '../../ocean/networks';
import { frenchCatalogue } from '../../gettext.test-support';
import {
  describeMessage,
  describeTypedData,
  impostorWarning
} from './describe';

const ME = '0xe2DD09d719Da89e5a3D0F2549c7E24566e947260';

describe('what the dialog says about a signature', () => {
  it("decodes an Ocean Node hash using the node's current nonce", async () => {
    const hash = nodeRequestHash(ME, 42, 'download');
    const described = await describeMessage({
      message: hash,
      account: ME,
      network: LOCAL_NETWORK,
      fetchNodeNonce: async () => 41
    });
    assert.match(described.summary, /Ocean Node request: download/);
    assert.deepEqual(described.warnings, []);
    assert.match(described.checks[0], /nonce 42 \+ "download"/);
  });

  it('shows a verified hint ("download dataset X") and flags a false one', async () => {
    const hash = nodeRequestHash(ME, 7, 'createAuthToken');
    const good = await describeMessage({
      message: hash,
      account: ME,
      network: LOCAL_NETWORK,
      hint: {
        command: 'createAuthToken',
        nonce: 7,
        description: 'download dataset Weather 2024'
      },
      fetchNodeNonce: async () => null
    });
    // The wallet's own words in the summary and the check; the caller's
    // words only in a row of their own.
    assert.equal(
      good.summary,
      'Ocean Node request: sign in to the Ocean Node (a token for downloads and compute jobs).'
    );
    assert.equal(good.checks.length, 1);
    assert.doesNotMatch(good.summary + good.checks.join(' '), /Weather/);
    assert.deepEqual(
      good.rows.find(row => row.label === 'Requester says')?.value,
      'download dataset Weather 2024'
    );
    const lying = await describeMessage({
      message: hash,
      account: ME,
      network: LOCAL_NETWORK,
      hint: { command: 'download', nonce: 7, description: 'read a README' },
      fetchNodeNonce: async () => 6
    });
    assert.match(lying.warnings[0], /does not match/);
    // …but the wallet still finds what the hash really is.
    assert.match(lying.summary, /sign in to the Ocean Node/);
  });

  it('describes every node request the extension signs, in words, with no warning', async () => {
    // What the extension's own flows sign: downloads, tokens, publishing
    // (encrypt, validateDDO, storage buckets and uploads), compute.
    const ours = [
      'download',
      'createAuthToken',
      'invalidateAuthToken',
      'encrypt',
      'validateDDO',
      'persistentStorageCreateBucket',
      'persistentStorageUploadFile',
      'initializeCompute',
      'startCompute',
      'freeStartCompute',
      'stopCompute',
      'getComputeStatus',
      'getComputeResult',
      'getComputeStreamableLogs'
    ];
    for (const command of ours) {
      const described = await describeMessage({
        message: nodeRequestHash(ME, 12, command),
        account: ME,
        network: LOCAL_NETWORK,
        fetchNodeNonce: async () => 11
      });
      assert.equal(
        described.summary,
        `Ocean Node request: ${NODE_COMMANDS[command]}.`,
        command
      );
      assert.deepEqual(described.warnings, [], command);
    }
  });

  it('recognises a node request whose hash lost its leading zero byte (as ocean.js signs it)', async () => {
    // Find a nonce whose request hash starts with 0x00 (about 1 in 256).
    let nonce = 1;
    while (!nodeRequestHash(ME, nonce, 'validateDDO').startsWith('0x00'))
      nonce++;
    const hash = nodeRequestHash(ME, nonce, 'validateDDO');
    const signed = toBeArray(hash);
    assert.equal(signed.length, 31);
    const described = await describeMessage({
      message: hexlify(signed),
      account: ME,
      network: LOCAL_NETWORK,
      fetchNodeNonce: async () => nonce - 1
    });
    assert.match(described.summary, /check an asset description/);
    assert.deepEqual(described.warnings, []);
    assert.match(described.checks[0], /leading zero byte/);
    assert.equal(
      described.rows.find(row => row.label === 'Hash')?.value,
      hash.toLowerCase()
    );
    // 31 bytes that are no node request stay "binary data".
    const other = await describeMessage({
      message: hexlify(getBytes('0x' + '07'.repeat(31))),
      account: ME,
      network: LOCAL_NETWORK,
      fetchNodeNonce: async () => 0
    });
    assert.match(other.summary, /binary data|message/i);
  });

  it('warns about an opaque hash it cannot explain', async () => {
    const described = await describeMessage({
      message: '0x' + 'ab'.repeat(32),
      account: ME,
      network: LOCAL_NETWORK,
      fetchNodeNonce: async () => 3
    });
    assert.match(described.warnings[0], /opaque 32-byte hash/);
  });

  it('shows text messages as text', async () => {
    const described = await describeMessage({
      message: hexlify(toUtf8Bytes('Hello Ocean')),
      account: ME,
      network: LOCAL_NETWORK,
      fetchNodeNonce: async () => null
    });
    assert.deepEqual(described.rows, [
      { label: 'Message', value: 'Hello Ocean' }
    ]);
    assert.deepEqual(described.warnings, []);
  });

  it('lists typed data as fields and warns about permits and other chains', () => {
    const described = describeTypedData(
      {
        domain: { name: 'OCEAN', chainId: 1 },
        primaryType: 'Permit',
        message: {
          owner: ME,
          spender: ME,
          value: (1n << 255n).toString()
        }
      },
      8996
    );
    assert.match(described.warnings[0], /Chain mismatch.*chain 1/);
    assert.match(described.warnings[1], /unlimited token permit/);
    assert.ok(
      described.rows.some(
        row => row.label === 'message.spender' && row.value === ME
      )
    );
  });
});

describe('the dialog never hides part of what is signed', () => {
  it('says a long message goes on past what it shows', async () => {
    // A harmless start, and what the signature also says 5000 characters on.
    const text = 'Sign in to Example.' + ' '.repeat(5000) + 'I give away 0xabc';
    const described = await describeMessage({
      message: hexlify(toUtf8Bytes(text)),
      account: ME,
      network: LOCAL_NETWORK,
      fetchNodeNonce: async () => null
    });
    assert.ok(described.rows[0].value.length <= 4000);
    assert.match(
      described.warnings.join(' '),
      new RegExp(`first 4000 of its ${text.length} characters`)
    );
  });

  it('makes bidi overrides and zero-width characters in a message visible, keeping its lines', async () => {
    // U+202E makes "0x1234…" read backwards; U+200B hides a break in a word.
    const text = 'Pay to:\n\u202e4321x0\u202c ok\u200b';
    const described = await describeMessage({
      message: hexlify(toUtf8Bytes(text)),
      account: ME,
      network: LOCAL_NETWORK,
      fetchNodeNonce: async () => null
    });
    assert.equal(
      described.rows[0].value,
      'Pay to:\n⟨U+202E⟩4321x0⟨U+202C⟩ ok⟨U+200B⟩'
    );
    assert.match(described.warnings.join(' '), /direction-changing/);
    // Plain multi-line text stays as it is, with no warning.
    const plain = await describeMessage({
      message: 'line one\nline two',
      account: ME,
      network: LOCAL_NETWORK,
      fetchNodeNonce: async () => null
    });
    assert.equal(plain.rows[0].value, 'line one\nline two');
    assert.deepEqual(plain.warnings, []);
  });

  it('says when typed data has more, longer or deeper fields than it lists', () => {
    const many = Object.fromEntries(
      Array.from({ length: 250 }, (_, i) => [`f${i}`, String(i)])
    );
    const described = describeTypedData(
      {
        domain: { name: 'Exchange\u202e' },
        primaryType: 'Order',
        message: {
          ...many,
          note: 'x'.repeat(600),
          deep: { a: { b: { c: { d: { e: { to: ME } } } } } }
        }
      },
      8996
    );
    const words = described.warnings.join(' ');
    // 3 domain/type rows + 250 + note + deep: 254 fields, 200 listed.
    assert.match(words, /54 more fields than the dialog lists/);
    assert.match(words, /direction-changing/);
    assert.match(described.summary, /Exchange⟨U\+202E⟩/);
    assert.ok(described.rows.length <= 200);
    const short = describeTypedData(
      {
        primaryType: 'Order',
        message: {
          note: 'x'.repeat(600),
          deep: { a: { b: { c: { d: { e: { to: ME } } } } } }
        }
      },
      8996
    );
    assert.match(
      short.warnings.join(' '),
      /message\.note is 600 characters long and only the first 500/
    );
    // Deeper than the list goes: the rest as JSON, not "[object Object]".
    assert.ok(
      short.rows.some(
        row => row.label === 'message.deep.a.b.c.d.e' && row.value.includes(ME)
      )
    );
  });
});

describe('the dialog speaks the lab’s language', () => {
  it('words a message and typed data through the translator', async () => {
    const trans = frenchCatalogue({
      'Sign a message. This costs nothing and sends no transaction.':
        'Signer un message. Cela ne coûte rien et n’envoie aucune transaction.',
      Message: 'Message signé',
      'Sign structured data (%1) for %2. This costs nothing by itself.':
        'Signer des données structurées (%1) pour %2.'
    });
    const message = await describeMessage({
      message: 'hello',
      account: ME,
      network: LOCAL_NETWORK,
      fetchNodeNonce: async () => null,
      trans
    });
    assert.equal(
      message.summary,
      'Signer un message. Cela ne coûte rien et n’envoie aucune transaction.'
    );
    assert.equal(message.rows[0].label, 'Message signé');
    const typed = describeTypedData(
      { domain: { name: 'Ocean' }, primaryType: 'Order', message: {} },
      8996,
      trans
    );
    assert.equal(
      typed.summary,
      'Signer des données structurées (Order) pour Ocean.'
    );
  });
});

describe('a token that passes itself off', () => {
  const OCEAN_LOCAL = '0x2473f4F7bf40ed9310838edFCA6262C17A59DF64';
  const OTHER = '0x1000000000000000000000000000000000000009';

  it('warns when a token calls itself OCEAN at another address, or takes the coin’s name', () => {
    // The local chain's OCEAN is Ocean's published deployment (8996).
    assert.match(
      impostorWarning('OCEAN', OTHER, LOCAL_NETWORK) ?? '',
      new RegExp(
        `calls itself OCEAN, but the OCEAN token on .* is ${OCEAN_LOCAL}`
      )
    );
    assert.match(
      impostorWarning('ocean ', OTHER, {
        ...LOCAL_NETWORK,
        oceanTokenAddress: '0x' + '77'.repeat(20)
      }) ?? '',
      /is 0x7777/
    );
    assert.match(
      impostorWarning('ETH', OTHER, LOCAL_NETWORK) ?? '',
      /name of the network’s own coin/
    );
  });

  it('says nothing of the real OCEAN or another symbol', () => {
    assert.equal(impostorWarning('OCEAN', OCEAN_LOCAL, LOCAL_NETWORK), null);
    assert.equal(
      impostorWarning('OCEAN', OCEAN_LOCAL.toLowerCase(), LOCAL_NETWORK),
      null
    );
    assert.equal(impostorWarning('WX25-DT', OTHER, LOCAL_NETWORK), null);
    // A chain where OCEAN's address is unknown: nothing to compare with.
    assert.equal(
      impostorWarning('OCEAN', OTHER, { ...LOCAL_NETWORK, chainId: 424242 }),
      null
    );
  });
});
