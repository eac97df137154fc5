/**
 * Direct reads (protocol.ts DIRECT_READ_METHODS) end to end, in Chromium,
 * with real Python and Deno kernels, the real wallet and a local stack on
 * free ports: the page shares the local chain's loopback URL with the
 * kernel, whose reads then never reach the page (no bridge prompt for them
 * on the kernel websocket), while the account request and the transaction
 * still go through the page and the wallet's dialog, and land on the chain.
 * With direct reads off, the same read goes through the page again (the
 * stdin path every kernel keeps). A network switched in the panel while a
 * cell reads reaches that cell's reads with no request of its own to the
 * wallet (the kernel trusts the page's word for DIRECT_READ_FRESH_MS only).
 */
import type { Page } from '@playwright/test';
import { HDNodeWallet, parseEther } from 'ethers';
import {
  finished,
  importWallet,
  run,
  runConfirming,
  startCell,
  stackChain,
  useFaucet
} from './bridge-helpers';
import { test, expect } from './fixtures';
import { newNotebook, openLab } from './helpers';

/**
 * Records the method of every bridge RPC request the page receives from a
 * kernel (the prompts of input_requests on the kernel websocket).
 */
async function recordBridgeRequests(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const methods: string[] = [];
    (window as any).__bridgeMethods = methods;
    const decoder = new TextDecoder();
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        this.addEventListener('message', event => {
          const data = event.data;
          const text =
            typeof data === 'string'
              ? data
              : data instanceof ArrayBuffer
                ? decoder.decode(data)
                : '';
          if (
            text.includes('"input_request"') &&
            text.includes('jupyterlab-ocean-bridge/1:')
          ) {
            const method = /\\"method\\":\s*\\"(\w+)\\"/.exec(text)?.[1];
            if (method) {
              methods.push(method);
            }
          }
        });
      }
    };
  });
}

const bridgeMethods = (page: Page): Promise<string[]> =>
  page.evaluate(() => [...(window as any).__bridgeMethods]);

test('Python: reads go straight to the local chain, the transaction through the wallet dialog', async ({
  page,
  oceanLab,
  stack
}) => {
  test.setTimeout(300_000);
  const chain = stackChain(stack);
  await recordBridgeRequests(page);
  await openLab(page, oceanLab);
  const phrase = HDNodeWallet.createRandom().mnemonic!.phrase;
  const me = await importWallet(page, phrase);
  await useFaucet(page);
  await newNotebook(page, 'python');

  const reads = await run(
    page,
    [
      'from jupyterlab_ocean import provider',
      "print('shared', provider.state.get('rpcUrl'))",
      "print('block', int(provider.request('eth_blockNumber'), 16) > 0)",
      `print('funded', int(provider.request('eth_getBalance', ['${me}', 'latest']), 16) > 0)`,
      "print('chain', provider.request('eth_chainId'))"
    ].join('\n')
  );
  expect(reads).toContain(`shared ${stack.rpcUrl}`);
  expect(reads).toContain('block True');
  expect(reads).toContain('funded True');
  expect(reads).toContain(`chain 0x${stack.chainId.toString(16)}`);
  expect(await bridgeMethods(page)).toEqual([]);

  // Signing is the page's: the account is shared in its dialog, the
  // transaction approved in the wallet's; the receipt is read directly.
  const to = stack.accounts.consumer2;
  const before = await chain.getBalance(to);
  const sent = await runConfirming(
    page,
    [
      "[me] = provider.request('eth_requestAccounts')",
      `tx = provider.request('eth_sendTransaction', [{'from': me, 'to': '${to}', 'value': hex(10**15)}])`,
      "receipt = provider.request('eth_getTransactionReceipt', [tx])",
      "print('status', receipt['status'], receipt['transactionHash'] == tx)"
    ].join('\n')
  );
  expect(sent.output).toContain('status 0x1 True');
  expect(sent.dialogs.length).toBe(1);
  expect((await chain.getBalance(to)) - before).toBe(parseEther('0.001'));
  expect(await bridgeMethods(page)).toEqual([
    'eth_requestAccounts',
    'eth_sendTransaction'
  ]);

  // The stdin path, as where the page shares no URL.
  const viaPage = await run(
    page,
    [
      'provider.direct_reads = False',
      "print('block', int(provider.request('eth_blockNumber'), 16) > 0)",
      'provider.direct_reads = True'
    ].join('\n')
  );
  expect(viaPage).toContain('block True');
  expect((await bridgeMethods(page)).slice(2)).toEqual(['eth_blockNumber']);
});

test('Deno: reads go straight to the local chain; the stdin path stays', async ({
  page,
  oceanLab,
  stack
}) => {
  test.setTimeout(240_000);
  await recordBridgeRequests(page);
  await openLab(page, oceanLab);
  await newNotebook(page, 'deno');
  const reads = await run(
    page,
    [
      'const p = ocean.provider;',
      "const block = await p.request({ method: 'eth_blockNumber' });",
      "const chain = await p.request({ method: 'eth_chainId' });",
      "console.log('shared', p.state.rpcUrl);",
      "console.log('block', Number.parseInt(block, 16) > 0, 'chain', chain);"
    ].join('\n')
  );
  expect(reads).toContain(`shared ${stack.rpcUrl}`);
  expect(reads).toContain(`block true chain 0x${stack.chainId.toString(16)}`);
  expect(await bridgeMethods(page)).toEqual([]);

  const viaPage = await run(
    page,
    [
      'ocean.provider.directReads = false;',
      "const again = await ocean.provider.request({ method: 'eth_blockNumber' });",
      'ocean.provider.directReads = true;',
      "console.log('again', Number.parseInt(again, 16) > 0);"
    ].join('\n')
  );
  expect(viaPage).toContain('again true');
  expect(await bridgeMethods(page)).toEqual(['eth_blockNumber']);
});

test('Python: a network switched in the panel mid-cell reaches the cell’s direct reads', async ({
  page,
  twoNetworkLab
}) => {
  test.setTimeout(240_000);
  await openLab(page, twoNetworkLab);
  await importWallet(page, HDNodeWallet.createRandom().mnemonic!.phrase);
  await newNotebook(page, 'python');
  const cell = await startCell(
    page,
    [
      'import time',
      'from jupyterlab_ocean import provider',
      "print('reading', provider.state.get('rpcUrl'), flush=True)",
      'seen = []',
      'start = time.monotonic()',
      'while time.monotonic() - start < 15:',
      "    seen.append(provider.request('eth_chainId'))",
      '    time.sleep(0.05)',
      "print('first', seen[0], 'last', seen[-1])"
    ].join('\n')
  );
  await expect(cell.locator('.jp-Cell-outputArea')).toContainText('reading');
  await page
    .locator('#jupyterlab-ocean-panel ocean-network-card select')
    .selectOption('second');
  const output = await finished(cell);
  expect(output).toContain('first 0x2324 last 0x7a69');
});
