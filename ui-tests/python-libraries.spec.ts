/**
 * The Python libraries data scientists bring, for real, in the project venv's
 * kernel, in Chromium, on a local stack:
 *
 * - web3.py 8 over the wallet: `Web3(OceanWeb3Provider())` reads the chain's
 *   block number and balances, and `send_transaction` goes through the
 *   wallet's dialog, is mined with status 1 and moves the coins;
 * - `%ocean load <did> --dataset` gives a Hugging Face `datasets.Dataset`
 *   with the sample file's rows and column types;
 * - a Parquet asset (published from a DataFrame) loads back into pandas
 *   through pyarrow, the same table the test wrote;
 * - `%ocean wallet` is an ipywidgets 8 DOMWidget that composes in an HBox.
 *
 * Every expected value is computed here, apart from the kernel: balances and
 * receipts through ethers on the chain, row counts and types from the sample
 * file the stack serves, Parquet rows read back with hyparquet.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HDNodeWallet, JsonRpcProvider, Wallet, parseEther } from 'ethers';
import { parquetReadObjects } from 'hyparquet';
import type { Page } from '@playwright/test';
import {
  confirmUntil,
  deepText,
  importWallet,
  run,
  runConfirming,
  startCell,
  cellEnded,
  finished
} from './bridge-helpers';
import { test, expect, type IStackInfo } from './fixtures';
import { newNotebook, openLab } from './helpers';
import { fund } from './publish-helpers';

/** The chain as the test process sees it, with no cache between reads. */
function chain(stack: IStackInfo): JsonRpcProvider {
  return new JsonRpcProvider(stack.rpcUrl, stack.chainId, {
    staticNetwork: true,
    cacheTimeout: -1
  });
}

/** The last line of a cell's output that starts with `tag`, parsed as JSON. */
function tagged(output: string, tag: string): any {
  const line = output
    .split('\n')
    .reverse()
    .find(l => l.startsWith(`${tag} `));
  expect(line, `"${tag}" line in:\n${output}`).toBeTruthy();
  return JSON.parse(line!.slice(tag.length + 1));
}

/**
 * A fresh funded account imported in the panel, and a Python notebook whose
 * kernel has been given it (the share dialog answered once).
 */
async function prepare(
  page: Page,
  lab: { url: string },
  stack: IStackInfo
): Promise<string> {
  const phrase = HDNodeWallet.createRandom().mnemonic!.phrase;
  const address = HDNodeWallet.fromPhrase(phrase).address;
  await fund(stack, address);
  await openLab(page, lab as any);
  await importWallet(page, phrase);
  await newNotebook(page, 'python');
  const shared = await runConfirming(
    page,
    'from jupyterlab_ocean import provider\nprint("shared", provider.request("eth_requestAccounts"))'
  );
  expect(shared.output).toContain(`shared ['${address}']`);
  return address;
}

test.describe('Python libraries in the kernel', () => {
  test('web3.py 8 reads the chain and sends a transaction through the wallet dialog', async ({
    page,
    oceanLab,
    stack
  }) => {
    test.setTimeout(300_000);
    const account = await prepare(page, oceanLab, stack);
    const rpc = chain(stack);
    try {
      const reads = await run(
        page,
        [
          'import json, web3',
          'from web3 import Web3',
          'from jupyterlab_ocean import OceanWeb3Provider',
          'w3 = Web3(OceanWeb3Provider())',
          'print("reads " + json.dumps({"version": web3.__version__, "connected": w3.is_connected(), "chain": w3.eth.chain_id, "block": w3.eth.block_number, "accounts": w3.eth.accounts, "balance": str(w3.eth.get_balance(w3.eth.accounts[0]))}))'
        ].join('\n')
      );
      const seen = tagged(reads, 'reads');
      // Nothing is mined between the cell and these reads: the same chain state.
      expect(seen).toEqual({
        version: '8.0.0',
        connected: true,
        chain: stack.chainId,
        block: await rpc.getBlockNumber(),
        accounts: [account],
        balance: String(await rpc.getBalance(account))
      });
      expect(BigInt(seen.balance)).toBeGreaterThan(0n);

      // A transaction from web3.py: the wallet asks, the test approves in the UI.
      const recipient = Wallet.createRandom().address;
      const value = parseEther('0.25');
      const senderBefore = await rpc.getBalance(account);
      const cell = await startCell(
        page,
        [
          `tx = w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": "${recipient}", "value": ${value}})`,
          'receipt = w3.eth.wait_for_transaction_receipt(tx, timeout=60)',
          'print("sent " + json.dumps({"hash": tx.to_0x_hex(), "status": receipt.status, "block": receipt.blockNumber, "to": receipt.to, "gas": receipt.gasUsed, "price": receipt.effectiveGasPrice}))'
        ].join('\n')
      );
      const dialogs = await confirmUntil(page, cellEnded(cell), 120_000);
      expect(dialogs).toHaveLength(1);
      expect(dialogs[0]).toContain('Confirm a transaction');
      expect(dialogs[0]).toContain('0.25');
      const sent = tagged(await finished(cell), 'sent');
      expect(sent.status).toBe(1);
      expect(sent.to).toBe(recipient);

      // The chain agrees: the receipt, and the coins moved (fee included).
      const receipt = await rpc.getTransactionReceipt(sent.hash);
      expect(receipt?.status).toBe(1);
      expect(receipt?.blockNumber).toBe(sent.block);
      expect(receipt?.to).toBe(recipient);
      expect(await rpc.getBalance(recipient)).toBe(value);
      expect(await rpc.getBalance(account)).toBe(
        senderBefore - value - BigInt(sent.gas) * BigInt(sent.price)
      );
    } finally {
      rpc.destroy();
    }
  });

  test('%ocean load --dataset gives a Hugging Face Dataset with the sample file’s rows and types', async ({
    page,
    oceanLab,
    stack
  }) => {
    test.setTimeout(300_000);
    // What the stack's file server holds for the weather sample (a paid asset).
    const csv = readFileSync(
      join(stack.stateDir, 'samples', 'weather-stations-2025.csv'),
      'utf8'
    );
    const [header, ...lines] = csv.trim().split('\n');
    const columns = header.split(',');
    const rows = lines.map(line => line.split(','));
    const typeOf = (values: string[]) =>
      values.every(v => /^-?\d+$/.test(v))
        ? 'int64'
        : values.every(v => v !== '' && !Number.isNaN(Number(v)))
          ? 'float64'
          : 'string';
    const features = Object.fromEntries(
      columns.map((name, i) => [name, typeOf(rows.map(r => r[i]))])
    );
    const temperature = columns.indexOf('temperature_c');
    const temperatureSum = rows.reduce(
      (sum, r) => sum + Number(r[temperature]),
      0
    );
    // The sample's columns are of each kind, so a lost type would show.
    expect(new Set(Object.values(features))).toEqual(
      new Set(['string', 'int64', 'float64'])
    );

    await prepare(page, oceanLab, stack);
    const loaded = await runConfirming(
      page,
      [
        'import json, datasets',
        `ds = %ocean load ${stack.samples.csv} --dataset`,
        'print("dataset " + json.dumps({"class": type(ds).__module__ + "." + type(ds).__name__, "is_dataset": isinstance(ds, datasets.Dataset), "rows": ds.num_rows, "features": {name: feature.dtype for name, feature in ds.features.items()}, "first": ds[0], "temperature_sum": sum(ds["temperature_c"])}))'
      ].join('\n')
    );
    const dataset = tagged(loaded.output, 'dataset');
    expect(dataset.is_dataset).toBe(true);
    expect(dataset.rows).toBe(rows.length);
    expect(dataset.rows).toBe(1460);
    expect(Object.keys(dataset.features)).toEqual(columns);
    // Arrow's two string types are both strings: with pandas 3, Hugging Face's own
    // Dataset.from_csv gives large_string too.
    expect(dataset.features).toEqual(
      Object.fromEntries(
        Object.entries(features).map(([name, type]) => [
          name,
          type === 'string' ? expect.stringMatching(/^(large_)?string$/) : type
        ])
      )
    );
    expect(dataset.first).toEqual(
      Object.fromEntries(
        columns.map((name, i) => [
          name,
          features[name] === 'string' ? rows[0][i] : Number(rows[0][i])
        ])
      )
    );
    expect(dataset.temperature_sum).toBeCloseTo(temperatureSum, 6);
  });

  test('a Parquet asset loads into a pandas DataFrame through pyarrow', async ({
    page,
    oceanLab,
    stack
  }) => {
    test.setTimeout(360_000);
    // A table with a column of each kind, made here.
    const table = Array.from({ length: 40 }, (_, i) => ({
      plot: `P-${String(i + 1).padStart(3, '0')}`,
      trees: 10 + ((i * 7) % 23),
      yield_t: Math.round((1.5 + i * 0.37) * 100) / 100,
      organic: i % 3 === 0
    }));
    await prepare(page, oceanLab, stack);
    const suffix = Math.random().toString(36).slice(2, 7);
    const published = await runConfirming(
      page,
      [
        'import json, pandas as pd, pyarrow',
        `orchards = pd.DataFrame(json.loads(${JSON.stringify(JSON.stringify(table))}))`,
        `out = %ocean publish orchards --format parquet --name "Orchard plots ${suffix}" --description "Plots, trees and yield, as Parquet." --author "Library tests"`,
        'print("did", out.value["did"])'
      ].join('\n')
    );
    expect(published.output).not.toContain('Parquet needs');
    const did = /did (did:op:[0-9a-f]{64})/.exec(published.output)?.[1];
    expect(did, published.output).toBeTruthy();

    const loaded = await runConfirming(
      page,
      [
        `back = %ocean load ${did}`,
        'print("frame " + json.dumps({"class": type(back).__module__ + "." + type(back).__name__, "dtypes": {c: str(t) for c, t in back.dtypes.items()}, "equal": back.equals(orchards), "records": back.to_dict(orient="records")}))'
      ].join('\n')
    );
    const frame = tagged(loaded.output, 'frame');
    expect(frame.class).toBe('pandas.DataFrame');
    expect(frame.dtypes).toEqual({
      plot: expect.stringMatching(/^(str|string|object)$/),
      trees: 'int64',
      yield_t: 'float64',
      organic: 'bool'
    });
    expect(frame.equal).toBe(true);
    expect(frame.records).toEqual(table);

    // The file the node served is Parquet, and holds the same rows.
    const dataDir = join(oceanLab.rootDir, 'ocean-data');
    const saved = readdirSync(dataDir).filter(n => n.startsWith('orchards'));
    expect(saved).toEqual([expect.stringMatching(/\.parquet$/)]);
    const bytes = readFileSync(join(dataDir, saved[0]));
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('PAR1');
    expect(bytes.subarray(-4).toString('latin1')).toBe('PAR1');
    const file = bytes.buffer.slice(
      bytes.byteOffset,
      bytes.byteOffset + bytes.byteLength
    );
    const fromFile = (await parquetReadObjects({ file })).map(row => ({
      ...row,
      trees: Number(row.trees)
    }));
    expect(fromFile).toEqual(table);
  });

  test('%ocean wallet is an ipywidgets 8 DOMWidget that composes in an HBox', async ({
    page,
    oceanLab,
    stack
  }) => {
    test.setTimeout(240_000);
    const account = await prepare(page, oceanLab, stack);
    const cell = await startCell(
      page,
      [
        'import json, ipywidgets as widgets',
        'w = %ocean wallet',
        'print("widget " + json.dumps({"version": widgets.__version__, "dom_widget": isinstance(w, widgets.DOMWidget), "model": [w._model_module, w._model_name], "account": w.account}))',
        'widgets.HBox([w, widgets.Label("x")])'
      ].join('\n')
    );
    const output = await finished(cell);
    expect(tagged(output, 'widget')).toEqual({
      version: '8.1.9',
      dom_widget: true,
      model: ['jupyterlab-ocean', 'OceanWalletModel'],
      account
    });
    // Both children render inside the box's view.
    const box = cell.locator('.widget-hbox');
    await expect(box).toHaveCount(1);
    await expect(box.locator('.widget-label')).toHaveText('x');
    const wallet = box.locator('.jp-OceanWalletWidget');
    await expect(wallet.locator('[data-field="account"]')).toContainText(
      account
    );
    await expect(wallet.locator('[data-field="network"]')).toContainText(
      `chain ${stack.chainId}`
    );
    await expect(wallet.locator('[data-field="balances"]')).toContainText(
      /\d ETH/,
      { timeout: 30_000 }
    );
    // The wallet's box sits beside the label, in one row.
    const [walletBox, labelBox] = await Promise.all([
      wallet.boundingBox(),
      box.locator('.widget-label').boundingBox()
    ]);
    expect(labelBox!.x).toBeGreaterThanOrEqual(
      walletBox!.x + walletBox!.width - 1
    );
    // Balances the browser read reach the kernel's traits.
    await expect
      .poll(async () => run(page, 'print("native", w.native)'), {
        timeout: 30_000
      })
      .toMatch(/native \d/);
    expect(await deepText(wallet)).toContain(account);
  });
});
