import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BRIDGE_PREFIX } from './protocol';
import {
  ORPHANED_MESSAGE,
  STALE_MS,
  StdinLease,
  orphanedReply,
  type INoteStore
} from './stdin-lease';

/** One browser profile's localStorage, shared by the pages in it. */
function storage(): INoteStore {
  const items = new Map<string, string>();
  return {
    getItem: key => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: key => void items.delete(key)
  };
}

describe('the stdin lease: who answers an open bridge prompt', () => {
  const header = { msg_id: 'm1', msg_type: 'input_request' };

  it('lets another page take a prompt only once its holder stopped beating', () => {
    let now = 0;
    const store = storage();
    const old = new StdinLease(store, () => now, 'old');
    const fresh = new StdinLease(store, () => now, 'new');
    old.hold('k1', '42-7', header);
    // The holder is alive and beats: nobody else takes its prompt.
    for (let i = 0; i < 5; i++) {
      now += 2_000;
      old.beat();
      assert.equal(fresh.takeOrphan('k1'), null);
    }
    // The holder is gone (reloaded): after STALE_MS the other page takes
    // it, once, with the header and request id to answer it.
    now += STALE_MS;
    const note = fresh.takeOrphan('k1');
    assert.equal(note?.requestId, '42-7');
    assert.deepEqual(note?.header, header);
    assert.equal(fresh.takeOrphan('k1'), null);
  });

  it('never takes its own prompt, and forgets an answered one', () => {
    let now = 0;
    const store = storage();
    const page = new StdinLease(store, () => now, 'p');
    const other = new StdinLease(store, () => now, 'q');
    page.hold('k1', '1-1', header);
    now += 10 * STALE_MS;
    assert.equal(page.takeOrphan('k1'), null);
    page.release('k1');
    assert.equal(other.takeOrphan('k1'), null);
  });

  it('answers with a cancellation the kernel clients read as one sentence', () => {
    const reply = orphanedReply('42-7');
    assert.ok(reply.startsWith(BRIDGE_PREFIX));
    const body = JSON.parse(reply.slice(BRIDGE_PREFIX.length));
    assert.equal(body.id, '42-7');
    assert.equal(body.status, 'error');
    assert.equal(body.error.code, 'OCEAN_BRIDGE_CANCELLED');
    assert.equal(body.error.message, ORPHANED_MESSAGE);
  });

  it('works without storage (a browser that refuses it)', () => {
    const lease = new StdinLease(null);
    lease.hold('k1', '1', header);
    lease.beat();
    assert.equal(lease.takeOrphan('k1'), null);
  });
});
