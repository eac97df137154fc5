import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LOCAL_NETWORK } from '../../ocean/networks';
import { backupBlocksSwitch, needsBackup } from './backup-guard';

const ELSEWHERE = { key: 'sepolia' };
const unsaved = { passwordSet: false, backedUp: false };
const saved = { passwordSet: true, backedUp: true };

describe('the test wallet stays on the local network until backed up', () => {
  it('holds an unsaved test wallet on the local network', () => {
    const state = { source: 'builtin' as const, testWallet: unsaved };
    assert.equal(needsBackup(state), true);
    assert.equal(backupBlocksSwitch(state, ELSEWHERE), true);
    // Back to (or staying on) the local network is always allowed.
    assert.equal(backupBlocksSwitch(state, LOCAL_NETWORK), false);
  });

  it('lets a backed-up test wallet, or any other wallet, go anywhere', () => {
    for (const state of [
      { source: 'builtin' as const, testWallet: saved },
      { source: 'builtin' as const, testWallet: null },
      { source: 'builtin' as const },
      // A browser wallet keeps its own keys: nothing of ours to back up.
      { source: 'injected' as const, testWallet: unsaved }
    ]) {
      assert.equal(backupBlocksSwitch(state, ELSEWHERE), false);
    }
    assert.equal(needsBackup({ testWallet: saved }), false);
  });
});
