import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BRIDGE_PREFIX,
  type BridgeReply,
  type IKernelWalletState,
  type KernelRequest
} from './protocol';
import { KernelSession, toBridgeError, type RequestRunner } from './session';

const STATE: IKernelWalletState = {
  accounts: [],
  chainId: '0x2324',
  status: 'unlocked'
};

/** A session whose requests are answered by `run`; answers are collected in order. */
function harness(
  run: RequestRunner,
  options: { limit?: number; now?: () => number } = {}
) {
  const session = new KernelSession({
    kernelId: 'k1',
    run,
    state: () => STATE,
    throttleLimit: options.limit,
    now: options.now
  });
  const answers: BridgeReply[] = [];
  const send = (message: object | string, origin: object | null = null) => {
    const before = answers.length;
    let calls = 0;
    session.receive(
      typeof message === 'string' ? message : JSON.stringify(message),
      text => {
        calls++;
        assert.ok(text.startsWith(BRIDGE_PREFIX));
        answers.push(JSON.parse(text.slice(BRIDGE_PREFIX.length)));
      },
      origin
    );
    return { before, calls: () => calls };
  };
  return { session, answers, send };
}

const done = (request: KernelRequest, value: unknown): BridgeReply => ({
  v: 1,
  id: request.id,
  status: 'done',
  result: { kind: 'json', value }
});

const tick = () => new Promise(resolve => setTimeout(resolve, 0));

describe('kernel session', () => {
  it("hands the runner the request's origin, with the cell id the transport found", async () => {
    const seen: Array<string | undefined> = [];
    const { send } = harness(async (request, _s, _p, _signal, origin) => {
      seen.push(origin?.cellId);
      return done(request, null);
    });
    send({ v: 1, id: 'a', op: 'command', name: 'x' }, { cellId: 'cell-7' });
    send({ v: 1, id: 'b', op: 'command', name: 'x' });
    await tick();
    assert.deepEqual(seen, ['cell-7', undefined]);
  });

  it('aborts the signal of requests cancelled by their cell ending or the session closing', async () => {
    const signals: AbortSignal[] = [];
    const { session, answers, send } = harness(
      (_request, _session, _progress, signal) => {
        signals.push(signal);
        return new Promise(() => undefined);
      }
    );
    const cell = {};
    send({ v: 1, id: 'a', op: 'rpc', method: 'personal_sign' }, cell);
    send({ v: 1, id: 'b', op: 'rpc', method: 'personal_sign' });
    await tick();
    assert.deepEqual(
      signals.map(s => s.aborted),
      [false, false]
    );
    session.cancelOrigin(cell, 'The cell finished.');
    assert.deepEqual(
      signals.map(s => s.aborted),
      [true, false]
    );
    session.dispose('The notebook was closed.');
    assert.deepEqual(
      signals.map(s => s.aborted),
      [true, true]
    );
    // Each cancelled request got exactly one answer, a cancellation.
    assert.deepEqual(
      answers.map(a => [a.id, a.status === 'error' && a.error.code]),
      [
        ['a', 'OCEAN_BRIDGE_CANCELLED'],
        ['b', 'OCEAN_BRIDGE_CANCELLED']
      ]
    );
  });

  it('answers a request once it completes, with the wallet state attached', async () => {
    const { answers, send } = harness(async request => done(request, 'ok'));
    send({ v: 1, id: 'a', op: 'rpc', method: 'eth_chainId' });
    await tick();
    assert.equal(answers.length, 1);
    assert.equal(answers[0].status, 'done');
    assert.deepEqual(answers[0].state, STATE);
  });

  it('long-polls: progress first, then the kernel waits and gets the result', async () => {
    let finish!: () => void;
    const { answers, send } = harness(async (request, _s, progress) => {
      progress('one', 0.25);
      progress('two', 0.5); // coalesces with "one": only the latest is queued
      await new Promise<void>(resolve => (finish = resolve));
      return done(request, 42);
    });
    send({ v: 1, id: 'a', op: 'command', name: 'x' });
    await tick();
    assert.equal(answers.length, 1);
    assert.equal(answers[0].status, 'progress');
    assert.equal((answers[0] as any).message, 'one');
    send({ v: 1, id: 'a', op: 'wait' });
    await tick();
    assert.equal(answers.length, 2);
    assert.equal((answers[1] as any).message, 'two');
    send({ v: 1, id: 'a', op: 'wait' });
    await tick();
    assert.equal(
      answers.length,
      2,
      'the poll stays open until something happens'
    );
    finish();
    await tick();
    assert.equal(answers[2].status, 'done');
    // Finished: another poll for it is an error, not a hang.
    send({ v: 1, id: 'a', op: 'wait' });
    assert.equal(answers[3].status, 'error');
  });

  it('reassembles a request sent in parts, and sends a long reply in parts', async () => {
    const big = 'x'.repeat(600_000);
    const { answers, send } = harness(async request =>
      done(
        request,
        request.op === 'command' ? (request.args as any)._[0] : null
      )
    );
    const text = JSON.stringify({
      v: 1,
      id: 'p',
      op: 'command',
      name: 'echo',
      args: { _: [big] }
    });
    const size = 200_000;
    for (let start = 0; start < text.length; start += size) {
      send({
        v: 1,
        id: 'p',
        op: 'part',
        data: text.slice(start, start + size),
        last: start + size >= text.length
      });
    }
    await tick();
    const acks = answers.filter(a => a.status === 'ack').length;
    assert.equal(acks, Math.ceil(text.length / size) - 1);
    const parts = [answers[answers.length - 1]];
    while (
      parts[parts.length - 1].status === 'part' &&
      !(parts[parts.length - 1] as any).last
    ) {
      send({ v: 1, id: 'p', op: 'more' });
      parts.push(answers[answers.length - 1]);
    }
    const whole = JSON.parse(parts.map(p => (p as any).data).join(''));
    assert.equal(whole.status, 'done');
    assert.equal(whole.result.value, big);
  });

  it('throttles dialogs from a runaway loop', () => {
    let now = 0;
    const { session } = harness(async r => done(r, null), {
      limit: 3,
      now: () => now
    });
    assert.deepEqual(
      [1, 2, 3, 4].map(() => session.allowPrompt()),
      [true, true, true, false]
    );
    now = 11_000;
    assert.equal(session.allowPrompt(), true);
  });

  it('throttles a loop that a slow person keeps refusing (2.5 s per dialog)', () => {
    let now = 0;
    const { session } = harness(async r => done(r, null), { now: () => now });
    // Every dialog refused after 2.5 s: never 5 in 10 s, so only the
    // longer window (20 in 5 minutes) can stop it.
    const allowed: boolean[] = [];
    for (let i = 0; i < 30; i++) {
      allowed.push(session.allowPrompt());
      now += 2_500;
    }
    assert.equal(allowed.filter(Boolean).length, 20);
    assert.equal(allowed.indexOf(false), 20);
    // Five minutes after the first refusals the loop may ask again.
    now = 5 * 60_000 + 1;
    assert.equal(session.allowPrompt(), true);
  });

  it('stop ends every pending request with the reason and marks the session stopped', async () => {
    const { session, answers, send } = harness(
      (_r, _s, _p, signal) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(new Error('aborted')))
        )
    );
    send({ v: 1, id: 'a', op: 'rpc', method: 'personal_sign' });
    await tick();
    assert.equal(session.stopped, false);
    session.stop('You stopped wallet requests from this notebook.');
    await tick();
    assert.equal(session.stopped, true);
    assert.equal(answers.length, 1);
    const [answer] = answers;
    assert.ok(answer.status === 'error');
    assert.match(answer.error.message, /You stopped wallet requests/);
  });

  it('does not count a request the wallet refused without a dialog', () => {
    const { session } = harness(async r => done(r, null), {
      limit: 2,
      now: () => 0
    });
    assert.equal(session.allowPrompt(), true);
    session.forgetPrompt();
    assert.deepEqual(
      [1, 2, 3].map(() => session.allowPrompt()),
      [true, true, false]
    );
  });

  it('answers every malformed, duplicate or out-of-order message exactly once (fuzz)', async () => {
    const { answers, send } = harness(async request => {
      await tick();
      return done(request, 1);
    });
    const inputs: Array<object | string> = [
      '',
      '{',
      'null',
      '[]',
      '{"v":1}',
      { v: 1, id: 'z', op: 'wait' },
      { v: 1, id: 'z', op: 'more' },
      { v: 1, id: 'q', op: 'part', data: 'not json', last: true },
      {
        v: 1,
        id: 'r',
        op: 'part',
        data: JSON.stringify({ v: 1, id: 'r', op: 'wait' }),
        last: true
      },
      { v: 9, id: 'z', op: 'rpc', method: 'x' }
    ];
    for (const input of inputs) {
      const { calls } = send(input);
      assert.equal(calls(), 1, JSON.stringify(input));
    }
    assert.ok(answers.every(a => a.status === 'error'));
    send({ v: 1, id: 'd', op: 'rpc', method: 'eth_chainId' });
    const dup = send({ v: 1, id: 'd', op: 'rpc', method: 'eth_chainId' });
    assert.equal(dup.calls(), 1);
    assert.equal(answers[answers.length - 1].status, 'error');
    await tick();
    await tick();
    assert.equal(answers[answers.length - 1].status, 'done');
  });

  it('cancels what an ended execution asked, and refuses everything once disposed', async () => {
    const cell = {};
    const { session, answers, send } = harness(
      () => new Promise(() => undefined)
    );
    send({ v: 1, id: 'c', op: 'rpc', method: 'personal_sign' }, cell);
    assert.equal(session.pendingCount, 1);
    session.cancelOrigin(cell, 'The cell finished.');
    assert.equal(session.pendingCount, 0);
    assert.equal((answers[0] as any).error.code, 'OCEAN_BRIDGE_CANCELLED');
    session.dispose('The kernel restarted.');
    send({ v: 1, id: 'e', op: 'rpc', method: 'eth_chainId' });
    assert.equal((answers[1] as any).error.code, 'OCEAN_BRIDGE_CANCELLED');
  });

  it('keeps EIP-1193 codes from errors and maps ethers rejections to 4001', () => {
    assert.deepEqual(toBridgeError({ code: 4001, message: 'no' }), {
      code: 4001,
      message: 'no'
    });
    assert.equal(
      toBridgeError({ code: 'ACTION_REJECTED', message: 'user rejected' }).code,
      4001
    );
    assert.equal(
      toBridgeError(new Error('boom')).code,
      'OCEAN_BRIDGE_COMMAND_FAILED'
    );
    assert.equal(
      toBridgeError({ code: 'lower case', message: 'x' }).code,
      'OCEAN_BRIDGE_COMMAND_FAILED'
    );
  });

  it('remembers each shared account on its own (any case), and forgets them when disposed', () => {
    const { session } = harness(async request => done(request, null));
    const a = '0xAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAa';
    const b = '0xBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBbBb';
    assert.equal(session.connected, false);
    assert.equal(session.hasShared(a), false);
    session.share(a);
    assert.equal(session.connected, true);
    assert.equal(session.hasShared(a.toLowerCase()), true);
    assert.equal(session.hasShared(b), false);
    assert.equal(session.hasShared(null), false);
    session.share(b);
    assert.deepEqual(session.sharedAccounts, [
      a.toLowerCase(),
      b.toLowerCase()
    ]);
    session.dispose();
    assert.equal(session.hasShared(a), false);
  });
});
