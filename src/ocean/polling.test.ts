import assert from 'node:assert/strict';
import { test } from 'node:test';
import { noteRateLimit } from './node-api';
import { nextPoll, POLLS_PER_MINUTE } from './polling';

test('the default budget keeps polls well under a real node’s 30 a minute', () => {
  assert.ok(POLLS_PER_MINUTE <= 20);
});

test('polls to one node share the budget of their window', async () => {
  const node = 'http://127.0.0.1:1/shared-budget';
  const options = { perWindow: 3, windowMs: 400 };
  const started = Date.now();
  const times: number[] = [];
  // Two loops polling the same node at once, 3 polls each.
  await Promise.all(
    [0, 1].map(async () => {
      for (let attempt = 0; attempt < 3; attempt++) {
        await nextPoll(node, 0, options);
        times.push(Date.now() - started);
      }
    })
  );
  times.sort((a, b) => a - b);
  // No window of 400 ms ever holds more than 3 polls.
  for (let i = 3; i < times.length; i++) {
    assert.ok(
      times[i] - times[i - 3] >= 390,
      `polls at ${times.join(', ')} ms`
    );
  }
});

test('a loop slows down: its first polls are quick, later ones 3 s apart', async () => {
  const node = 'http://127.0.0.1:1/schedule';
  const started = Date.now();
  await nextPoll(node, 0);
  assert.ok(Date.now() - started < 50);
  await nextPoll(node, 1);
  const afterOne = Date.now() - started;
  assert.ok(afterOne >= 240 && afterOne < 600, `${afterOne} ms`);
});

test('polls wait for the end of a node’s 429 window and say until when', async () => {
  const node = 'http://127.0.0.1:1/rate-limited';
  noteRateLimit(node, 300);
  const started = Date.now();
  let told = 0;
  await nextPoll(node, 0, { onWait: until => (told = until) });
  assert.ok(Date.now() - started >= 290);
  assert.ok(told >= started + 290);
});
