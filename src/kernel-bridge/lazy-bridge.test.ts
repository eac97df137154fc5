import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KernelBridge } from './bridge';
import { LazyKernelBridge } from './lazy-bridge';

/** Stands in for the loaded bridge: records what is registered. */
function started() {
  const registered: string[] = [];
  const disposed: string[] = [];
  const events: string[] = [];
  const bridge = {
    registerCommand(name: string) {
      registered.push(name);
      events.push(`register ${name}`);
      return {
        isDisposed: false,
        dispose: () => void disposed.push(name)
      };
    }
  } as unknown as KernelBridge;
  let ready: Promise<unknown> | null = null;
  return {
    registered,
    disposed,
    events,
    ready: () => ready,
    start: async () => ({
      bridge,
      serve: (whenReady: Promise<unknown>) => {
        events.push('serve');
        ready = whenReady.then(() => events.push('ready'));
      }
    })
  };
}

describe('the lazy kernel bridge', () => {
  it('loads nothing until asked, then registers what plugins gave it', async () => {
    const fake = started();
    let loads = 0;
    const lazy = new LazyKernelBridge(() => {
      loads++;
      return fake.start();
    });
    lazy.registerCommand('search', async () => null);
    const dropped = lazy.registerCommand('gone', async () => null);
    dropped.dispose();
    assert.equal(loads, 0);
    assert.equal(lazy.loaded, null);

    const bridge = await lazy.load();
    await lazy.load();
    assert.equal(loads, 1);
    assert.equal(lazy.loaded, bridge);
    assert.deepEqual(fake.registered, ['search']);

    // After loading, registrations go straight through, and dispose too.
    lazy.registerCommand('later', async () => null).dispose();
    assert.deepEqual(fake.registered, ['search', 'later']);
    assert.deepEqual(fake.disposed, ['later']);
  });

  it('watches kernels at once, and lets requests through once every setup ran', async () => {
    const fake = started();
    const lazy = new LazyKernelBridge(fake.start);
    let finish: () => void = () => undefined;
    lazy.whenLoaded(
      bridge =>
        new Promise<void>(resolve => {
          finish = () => {
            bridge.registerCommand('load', async () => null);
            resolve();
          };
        })
    );
    const loading = lazy.load();
    await new Promise(resolve => setTimeout(resolve, 0));
    // Serving began while the setup is still loading its code.
    assert.deepEqual(fake.events, ['serve']);
    finish();
    await loading;
    await fake.ready();
    assert.deepEqual(fake.events, ['serve', 'register load', 'ready']);
  });

  it('tries again after a failed load', async () => {
    const fake = started();
    let attempts = 0;
    const lazy = new LazyKernelBridge(async () => {
      if (attempts++ === 0) {
        throw new Error('chunk failed');
      }
      return fake.start();
    });
    const quiet = console.error;
    console.error = () => undefined;
    try {
      await assert.rejects(lazy.load(), /chunk failed/);
    } finally {
      console.error = quiet;
    }
    await lazy.load();
    assert.equal(attempts, 2);
  });
});
