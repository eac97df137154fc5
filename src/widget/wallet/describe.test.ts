import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hexlify, toUtf8Bytes } from 'ethers';
import { nodeRequestHash } from '../../ocean/wallet-decode';
import { LOCAL_NETWORK } from '../../ocean/networks';
import { describeMessage, describeTypedData } from './describe';

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
    assert.equal(
      good.summary,
      'Ocean Node request: download dataset Weather 2024.'
    );
    assert.equal(good.checks.length, 1);
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
