import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ActivityLog, explorerTxUrl, type IActivityEntry } from './activity';

class MapStorage {
  map = new Map<string, unknown>();
  async get<T>(key: string): Promise<T | undefined> {
    return structuredClone(this.map.get(key)) as T | undefined;
  }
  async set<T>(key: string, value: T): Promise<void> {
    // A storage that answers slowly, like IndexedDB under load.
    await new Promise(resolve => setTimeout(resolve, 2));
    this.map.set(key, structuredClone(value));
  }
}

const ME = '0xe2DD09d719Da89e5a3D0F2549c7E24566e947260';

function entry(hash: string, chainId = 8996): IActivityEntry {
  return {
    hash,
    chainId,
    account: ME,
    summary: `tx ${hash}`,
    status: 'pending',
    time: 1,
    requester: 'The Ocean panel'
  };
}

describe('activity', () => {
  it('keeps entries per account and chain, newest first, and updates status', async () => {
    const storage = new MapStorage();
    const log = new ActivityLog(storage);
    let changes = 0;
    log.changed.connect(() => changes++);
    await Promise.all([log.add(entry('0x1')), log.add(entry('0x2'))]);
    await log.add(entry('0x3', 1));
    await log.setStatus(8996, ME.toLowerCase(), '0x1', 'confirmed');
    const local = await log.list(8996, ME);
    assert.deepEqual(
      local.map(e => [e.hash, e.status]),
      [
        ['0x2', 'pending'],
        ['0x1', 'confirmed']
      ]
    );
    assert.deepEqual(
      (await log.list(1, ME)).map(e => e.hash),
      ['0x3']
    );
    assert.equal(changes, 4);
    // A new log over the same storage (a reload) sees the same list.
    assert.equal((await new ActivityLog(storage).list(8996, ME)).length, 2);
  });

  it('links only to http(s) explorers', () => {
    assert.equal(
      explorerTxUrl('https://sepolia.etherscan.io/', '0xab'),
      'https://sepolia.etherscan.io/tx/0xab'
    );
    assert.equal(explorerTxUrl('javascript:alert(1)', '0xab'), undefined);
    assert.equal(explorerTxUrl(undefined, '0xab'), undefined);
  });
});
