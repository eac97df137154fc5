// test/integration/ is the one place allowed to use both src/ and stack/: the extension's
// network presets checked against the address file the stack installs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  OCEAN_NETWORK_PRESETS,
  withPresets
} from '../../src/ocean/network-presets';
import { resolveNetworks } from '../../src/ocean/networks';

// The real file shipped by @oceanprotocol/contracts (installed for the stack).
const addresses = JSON.parse(
  readFileSync(
    join(
      import.meta.dirname,
      '../../stack/node_modules/@oceanprotocol/contracts/addresses/address.json'
    ),
    'utf8'
  )
) as Record<string, { chainId: number; Ocean?: string }>;

const CONTRACTS_KEY: Record<string, string> = {
  ethereum: 'mainnet',
  optimism: 'optimism',
  base: 'base',
  polygon: 'polygon',
  'oasis-sapphire': 'oasis_sapphire',
  sepolia: 'sepolia',
  'optimism-sepolia': 'optimism_sepolia'
};

describe('network presets', () => {
  it("match Ocean's address.json: chain ids and OCEAN token addresses", () => {
    for (const preset of OCEAN_NETWORK_PRESETS) {
      const entry = addresses[CONTRACTS_KEY[preset.key as string]];
      assert.ok(entry, `${preset.key} is in address.json`);
      assert.equal(preset.chainId, entry.chainId, `${preset.key} chainId`);
      assert.equal(
        preset.oceanTokenAddress,
        entry.Ocean ?? undefined,
        `${preset.key} OCEAN`
      );
    }
  });

  it('all parse as valid networks, after the local stack', () => {
    const networks = resolveNetworks(withPresets([]));
    assert.deepEqual(
      networks.map(n => n.key),
      [
        'local',
        'ethereum',
        'optimism',
        'base',
        'polygon',
        'oasis-sapphire',
        'sepolia',
        'optimism-sepolia'
      ]
    );
    assert.ok(
      networks.slice(1).every(n => n.explorerUrl?.startsWith('https://'))
    );
  });

  it("lets a user's entry with a preset's key complete and override it", () => {
    const networks = resolveNetworks(
      withPresets([{ key: 'sepolia', nodeUrl: 'https://node.example.org' }])
    );
    const sepolia = networks.find(n => n.key === 'sepolia')!;
    assert.equal(sepolia.nodeUrl, 'https://node.example.org');
    assert.equal(sepolia.chainId, 11155111);
    assert.equal(networks.filter(n => n.key === 'sepolia').length, 1);
  });

  it('can be switched off', () => {
    assert.deepEqual(
      resolveNetworks(withPresets([], false)).map(n => n.key),
      ['local']
    );
  });
});
