import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OceanError } from '../errors';
import {
  LOCAL_NETWORK,
  NetworkRegistry,
  parseNetwork,
  resolveNetworks
} from './networks';

const sepolia = {
  key: 'sepolia',
  name: 'Sepolia',
  chainId: 11155111,
  rpcUrl: 'https://rpc.example.org',
  nodeUrl: 'https://node.example.org'
};

describe('networks from settings', () => {
  it('always lists the local stack first, even with no settings', () => {
    const networks = resolveNetworks([]);
    assert.equal(networks.length, 1);
    assert.deepEqual(networks[0], LOCAL_NETWORK);
    assert.equal(networks[0].chainId, 8996);
  });

  it('keeps user networks after the local one and drops duplicate keys', () => {
    const networks = resolveNetworks([sepolia, { ...sepolia, name: 'Again' }]);
    assert.deepEqual(
      networks.map(n => n.key),
      ['local', 'sepolia']
    );
    assert.equal(networks[1].name, 'Sepolia');
    assert.equal(networks[1].nativeSymbol, 'ETH');
  });

  it('lets settings move the local stack to other ports', () => {
    const [local] = resolveNetworks([
      { key: 'local', rpcUrl: 'http://127.0.0.1:9545' }
    ]);
    assert.equal(local.rpcUrl, 'http://127.0.0.1:9545');
    assert.equal(local.nodeUrl, LOCAL_NETWORK.nodeUrl);
  });

  it('refuses a multiaddr node URL with a sentence that names the network', () => {
    assert.throws(
      () =>
        parseNetwork({
          ...sepolia,
          nodeUrl: '/dns4/node.example/tcp/9000/p2p/16U'
        }),
      (error: unknown) =>
        error instanceof OceanError &&
        error.code === 'OCEAN_BAD_SETTINGS' &&
        /"sepolia".*nodeUrl/.test(error.message)
    );
  });

  it('refuses bad chain ids, keys and token addresses', () => {
    assert.throws(() => parseNetwork({ ...sepolia, chainId: -1 }), /chainId/);
    assert.throws(() => parseNetwork({ ...sepolia, chainId: '1' }), /chainId/);
    assert.throws(() => parseNetwork({ ...sepolia, key: 'Bad Key' }), /key/);
    assert.throws(
      () => parseNetwork({ ...sepolia, oceanTokenAddress: '0x12' }),
      /oceanTokenAddress/
    );
  });
});

describe('NetworkRegistry', () => {
  it('starts on the local stack and switches when asked', async () => {
    const registry = new NetworkRegistry();
    registry.update([sepolia], 'local');
    const seen: string[] = [];
    registry.changed.connect((_, network) => seen.push(network.key));
    const saved: string[] = [];
    registry.onActivate = async key => {
      saved.push(key);
    };
    await registry.activate('sepolia');
    assert.equal(registry.active.key, 'sepolia');
    assert.deepEqual(seen, ['sepolia']);
    assert.deepEqual(saved, ['sepolia']);
  });

  it('falls back to the local stack when the saved choice no longer exists', () => {
    const registry = new NetworkRegistry();
    registry.update([], 'gone');
    assert.equal(registry.active.key, 'local');
  });

  it('refuses an unknown network and stays where it was', async () => {
    const registry = new NetworkRegistry();
    await assert.rejects(
      registry.activate('nowhere'),
      (error: unknown) =>
        error instanceof OceanError && error.code === 'OCEAN_UNKNOWN_NETWORK'
    );
    assert.equal(registry.active.key, 'local');
  });
});
