/**
 * Toasts that stay few and always end (issue 16 item 11), on JupyterLab's
 * own NotificationManager: the one `Notification.*` stands on in the lab.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NotificationManager } from '@jupyterlab/apputils/lib/notification.js';
import { nullTranslator } from '@jupyterlab/translation';
import { MAX_NOTICES, NOTICE_CLOSE_MS, NoticeBoard } from './notices';
import { NoticedActivityLog } from './tx-notices';
import type { IActivityStorage } from './activity';

function memoryStorage(): IActivityStorage {
  const data = new Map<string, unknown>();
  return {
    get: async <T>(key: string) => data.get(key) as T | undefined,
    set: async <T>(key: string, value: T) => {
      data.set(key, value);
    }
  };
}

const trans = nullTranslator.load('jupyterlab_ocean');

test('a notice of the same topic updates the first instead of stacking', () => {
  const manager = new NotificationManager();
  const board = new NoticeBoard(manager);
  board.show('wallet-error', 'error', 'first');
  board.show('wallet-error', 'error', 'second');
  board.show('wallet-error', 'error', 'third');
  assert.equal(manager.count, 1);
  assert.equal(manager.notifications[0].message, 'third');
});

test(`never more than ${MAX_NOTICES} of ours: the oldest goes`, () => {
  const manager = new NotificationManager();
  const board = new NoticeBoard(manager);
  for (let i = 0; i < 10; i++) board.show(`topic-${i}`, 'info', `notice ${i}`);
  assert.equal(manager.count, MAX_NOTICES);
  assert.deepEqual(manager.notifications.map(n => n.message).sort(), [
    'notice 7',
    'notice 8',
    'notice 9'
  ]);
});

test('every notice that is not in progress closes by itself', t => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const manager = new NotificationManager();
  const board = new NoticeBoard(manager);
  board.show('a', 'success', 'done');
  board.show('b', 'error', 'failed');
  for (const notice of manager.notifications)
    assert.equal(typeof notice.options.autoClose, 'number');
  // Once hidden, they leave the lab's list too (the bell does not count them).
  t.mock.timers.tick(NOTICE_CLOSE_MS.error + 1000);
  assert.equal(manager.count, 0);
  assert.deepEqual(board.topics, []);
});

test('a progress notice stays until it is turned into its end state', t => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const manager = new NotificationManager();
  const board = new NoticeBoard(manager);
  const job = board.progress('job', 'Working…');
  assert.equal(manager.notifications[0].type, 'in-progress');
  assert.equal(manager.notifications[0].options.autoClose, false);
  t.mock.timers.tick(60_000);
  assert.equal(manager.count, 1);
  job.end('success', 'Done.');
  assert.equal(manager.count, 1);
  assert.equal(manager.notifications[0].type, 'success');
  assert.equal(manager.notifications[0].message, 'Done.');
  t.mock.timers.tick(NOTICE_CLOSE_MS.success + 1000);
  assert.equal(manager.count, 0);
});

test('a person who dismissed a notice gets a new one for the topic', () => {
  const manager = new NotificationManager();
  const board = new NoticeBoard(manager);
  board.show('a', 'info', 'one');
  manager.dismiss(manager.notifications[0].id);
  board.show('a', 'info', 'two');
  assert.equal(manager.count, 1);
  assert.equal(manager.notifications[0].message, 'two');
});

test('transactions: one notice while they wait, ending as the last one ends', async t => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const manager = new NotificationManager();
  const log = new NoticedActivityLog(
    memoryStorage(),
    new NoticeBoard(manager),
    trans
  );
  const entry = (hash: string, summary: string) => ({
    hash,
    chainId: 8996,
    account: '0xabc',
    summary,
    status: 'pending' as const,
    time: 0,
    requester: 'Tests'
  });
  await log.add(entry('0x1', 'Approve 1 OCEAN'));
  await log.add(entry('0x2', 'Buy 1 datatoken'));
  await log.add(entry('0x3', 'Order access'));
  assert.equal(manager.count, 1);
  assert.equal(manager.notifications[0].type, 'in-progress');
  assert.match(manager.notifications[0].message, /Order access \(and 2 more\)/);
  // A signed node request is no transaction: no notice.
  await log.add({ ...entry('0x4', 'Sign in'), signature: true });
  assert.equal(manager.count, 1);

  await log.setStatus(8996, '0xabc', '0x1', 'confirmed');
  await log.setStatus(8996, '0xabc', '0x2', 'confirmed');
  assert.equal(manager.notifications[0].type, 'in-progress');
  assert.match(
    manager.notifications[0].message,
    /^Confirmed: Buy 1 datatoken\. Waiting for the chain: Order access$/
  );
  await log.setStatus(8996, '0xabc', '0x3', 'confirmed');
  assert.equal(manager.count, 1);
  assert.equal(manager.notifications[0].type, 'success');
  assert.equal(manager.notifications[0].message, 'Confirmed: Order access');
  // The wallet's own "Confirmed: …" toast would be a second one: not needed.
  assert.equal(log.told('Confirmed: Order access'), true);
  assert.equal(log.told('Confirmed: Something else'), false);
  t.mock.timers.tick(NOTICE_CLOSE_MS.success + 1000);
  assert.equal(manager.count, 0);

  // A failure ends the notice as an error, which closes too.
  await log.add(entry('0x5', 'Send 1 ETH'));
  await log.setStatus(8996, '0xabc', '0x5', 'failed');
  assert.equal(manager.notifications[0].type, 'error');
  assert.equal(manager.notifications[0].message, 'Failed on chain: Send 1 ETH');
  t.mock.timers.tick(NOTICE_CLOSE_MS.error + 1000);
  assert.equal(manager.count, 0);
});
