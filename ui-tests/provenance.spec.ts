/**
 * Provenance on the local stack (issue 18): a Python notebook buys and loads
 * two datasets (one priced, one free under a no-derivatives licence), runs a
 * compute-to-data job, lists them with `%ocean provenance`, verifies them with `%ocean verify`, and
 * publishes a table made from them: the new DDO names both sources, a card
 * is written beside the notebook, and the no-derivatives licence warns. The
 * record survives save and `jupyter nbconvert --to notebook`; the
 * wallet-less command line verifies the saved file and fails a tampered
 * copy with the sentence naming the wrong entry, as `%ocean verify` does in
 * the lab after the live record is tampered with. The derived asset's card
 * links its sources; a `--dataset` load carries licence, citation and its
 * entry; a reload shows the saved record.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { HDNodeWallet } from 'ethers';
import {
  confirmUntil,
  finished,
  importWallet,
  run,
  runConfirming,
  startCell,
  useFaucet
} from './bridge-helpers';
import { test, expect, type ILab } from './fixtures';
import { newNotebook, openLab, save } from './helpers';
import { openDiscover, publicSampleUrl, publish } from './ocean-helpers';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON = join(ROOT, '.venv', 'bin', 'python');

/** The lab, opened with a new wallet the faucet funded, in a new Python notebook. */
async function fundedNotebook(page: Page, lab: ILab): Promise<void> {
  await openLab(page, lab);
  await importWallet(page, HDNodeWallet.createRandom().mnemonic!.phrase);
  await useFaucet(page);
  await newNotebook(page, 'python');
}

/** The wallet-less verifier on a saved notebook: exit status and what it printed. */
function cliVerify(path: string): { status: number | null; out: string } {
  const result = spawnSync(
    PYTHON,
    ['-m', 'jupyterlab_ocean.provenance', 'verify', path],
    { cwd: ROOT, encoding: 'utf8', timeout: 120_000 }
  );
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

test('provenance: two datasets loaded and a compute job, listed and verified; a publish names them, warns of a no-derivatives source, writes a card; a tampered copy fails', async ({
  page,
  oceanLab: lab,
  stack
}) => {
  test.setTimeout(600_000);
  const sample = await publicSampleUrl(stack, 'csv');
  const [noDerivatives] = publish(stack, [
    {
      name: 'Stations, no derivatives',
      description: 'The weather sample under CC-BY-ND-4.0.',
      pricing: { type: 'free' },
      files: [{ url: sample }],
      contentType: 'text/csv',
      license: 'CC-BY-ND-4.0'
    }
  ]);
  const priced = stack.samples.csv!;

  await fundedNotebook(page, lab);

  // 1. Buy and load both: each load adds an entry to the notebook's metadata.
  const first = await runConfirming(page, `a = %ocean load ${priced}\nlen(a)`);
  expect(first.output).toMatch(/^\d+$/m);
  const second = await runConfirming(
    page,
    `b = %ocean load ${noDerivatives}\nlen(b)`
  );
  expect(second.output).toMatch(/^\d+$/m);
  // A compute-to-data job on the stack's compute-only sample: its order and
  // the SHA-256 of its results are recorded.
  const computed = await runConfirming(
    page,
    `summary = %ocean compute ${stack.samples.compute} --algorithm ${stack.samples.algorithm}\nprint(type(summary).__name__, len(summary))`
  );
  expect(computed.output).toMatch(/DataFrame \d+/);

  // 2. %ocean provenance lists both, licences side by side.
  const shown = await run(page, '%ocean provenance');
  expect(shown).toContain(priced);
  expect(shown).toContain(noDerivatives);
  expect(shown).toContain('CC0-1.0');
  expect(shown).toContain('CC-BY-ND-4.0');
  expect(shown).toMatch(/e3 +compute/);

  // 3. %ocean verify: every order on chain, every asset on the node, every file's hash.
  const verified = await run(page, '%ocean verify');
  expect(verified).toContain(
    '✔ e1: asset on the node, order on chain, SHA-256 of ocean-data/'
  );
  expect(verified).toContain('✔ e2:');
  expect(verified).toMatch(
    /✔ e3: asset on the node, order on chain, SHA-256 of ocean-results\//
  );
  // The job and its results, asked of the node as the job's consumer (this
  // wallet's account).
  expect(verified).toMatch(
    /✔ e3: .*, job \S+ and its [1-9]\d* results? on the node\n/
  );
  expect(verified).toContain('All 3 entries hold.');

  // 4. Publish a table made from them: the sources go into the DDO, a card is
  // written, and the no-derivatives source warns.
  const published = await runConfirming(
    page,
    'derived = a.head(3)\nderived_asset = %ocean publish derived --name "Derived stations" --description "Three rows of the weather sample." --author "provenance test" --license CC0-1.0\nprint(derived_asset.value["did"], derived_asset.value["card"])\nprint("\\n".join(derived_asset.value["warnings"]))'
  );
  const derivedDid = /did:op:[0-9a-f]{64}/.exec(published.output)?.[0];
  expect(derivedDid, published.output).toBeTruthy();
  expect(published.output).toContain(
    `e4 published ${derivedDid} from e2 (Stations, no derivatives), whose licence CC-BY-ND-4.0 does not allow derivatives`
  );
  const ddo = await (
    await fetch(`${stack.nodeUrl}/api/aquarius/assets/ddo/${derivedDid}`)
  ).json();
  const sources = ddo.metadata.additionalInformation.derivedFrom.map(
    (source: { did: string }) => source.did
  );
  expect(sources).toEqual([priced, noDerivatives, stack.samples.compute]);
  expect(ddo.metadata.additionalInformation.lineageDigest).toMatch(
    /^sha256:[0-9a-f]{64}$/
  );
  const card = readFileSync(
    join(lab.rootDir, 'ocean-published', 'Derived-stations', 'README.md'),
    'utf8'
  );
  expect(card).toMatch(/^---\nlicense: "cc0-1.0"\n/);
  expect(card).toContain(`  - "${priced}"`);
  expect(card).toContain(`  - "${noDerivatives}"`);
  expect(card).toContain(`  - "${stack.samples.compute}"`);
  expect(card).toContain('does not allow derivatives');
  // The asset card (here in a cell, as in Discover) shows where it came from,
  // each source a link that opens it.
  const previewCell = await startCell(page, `%ocean preview ${derivedDid}`);
  await finished(previewCell);
  const assetCard = previewCell.locator('ocean-asset-card');
  const derivedFrom = assetCard.locator('[data-ocean="derived-from"]');
  await expect(derivedFrom).toContainText(priced);
  await expect(derivedFrom).toContainText(noDerivatives);
  await expect(derivedFrom).toContainText(stack.samples.compute!);
  await derivedFrom.locator(`button[data-did="${priced}"]`).click();
  await expect(assetCard.locator('[data-ocean="title"]')).toHaveText(
    /Daily weather/
  );
  // And in the Discover tab: the derived asset's card names its sources,
  // each a link that opens that source's card.
  const list = await openDiscover(page);
  await list.locator('input[type=search]').fill('Derived stations');
  await list.locator('input[type=search]').press('Enter');
  await list.locator(`li[data-did="${derivedDid}"] button`).click();
  const discoverCard = page.locator(
    '#jupyterlab-ocean-discover ocean-asset-card'
  );
  await expect(discoverCard.locator('[data-ocean=title]')).toHaveText(
    'Derived stations'
  );
  const discoverSources = discoverCard.locator('[data-ocean="derived-from"]');
  for (const did of [priced, noDerivatives, stack.samples.compute!]) {
    await expect(
      discoverSources.locator(`button[data-did="${did}"]`)
    ).toBeVisible();
  }
  await discoverSources.locator(`button[data-did="${noDerivatives}"]`).click();
  await expect(discoverCard.locator('[data-ocean=title]')).toHaveText(
    'Stations, no derivatives'
  );
  await expect(discoverCard.locator('[data-ocean=license]')).toHaveText(
    'CC-BY-ND-4.0'
  );
  // Back to the notebook for the cells that follow.
  await page.evaluate(() => {
    const app = (window as any).jupyterapp;
    const notebook = [...app.shell.widgets('main')].find((widget: any) =>
      widget.context?.path?.endsWith('.ipynb')
    );
    app.shell.activateById(notebook.id);
  });
  // The whole record, the publish included, still verifies in the lab.
  expect(await run(page, '%ocean verify')).toContain('All 4 entries hold.');
  const listed = await run(page, '%ocean provenance');
  expect(listed).toContain('⚠ e4 published');
  expect(listed).toMatch(
    /e1 load .* \+ e2 load .* \+ e3 compute .*\(job .*\) → e4 publish “Derived stations”/
  );

  // 5. Saved: the record is in the file, each entry linked to its cell.
  await save(page);
  const path: string = await page.evaluate(
    () => (window as any).jupyterapp.shell.currentWidget.context.path
  );
  const file = join(lab.rootDir, path);
  const saved = JSON.parse(readFileSync(file, 'utf8'));
  const record = saved.metadata.ocean_provenance;
  expect(record.version).toBe(1);
  expect(record.entries.map((e: { action: string }) => e.action)).toEqual([
    'load',
    'load',
    'compute',
    'publish'
  ]);
  const cellIds = saved.cells.map((cell: { id: string }) => cell.id);
  expect(cellIds).toContain(record.entries[0].cellId);
  expect(cellIds).toContain(record.entries[3].cellId);
  // The compute entry names who started the job: the one account the node
  // shows it to.
  const jobOwner = record.entries[2].jobOwner as string;
  expect(jobOwner).toMatch(/^0x[0-9a-fA-F]{40}$/);
  // Nothing secret: no signature, token or signed URL under any key.
  expect(JSON.stringify(record)).not.toMatch(
    /"(signature|token|authToken|headers|url)":/i
  );

  // 6. nbconvert --to notebook keeps it, and the command line verifies it.
  execFileSync(
    join(ROOT, '.venv', 'bin', 'jupyter'),
    ['nbconvert', '--to', 'notebook', '--output', 'converted.ipynb', file],
    { cwd: lab.rootDir, timeout: 120_000 }
  );
  const converted = join(dirname(file), 'converted.ipynb');
  expect(
    JSON.parse(readFileSync(converted, 'utf8')).metadata.ocean_provenance
  ).toEqual(record);
  const good = cliVerify(converted);
  expect(good.out).toContain('All 4 entries hold.');
  // Without the consumer's wallet the job is not asked for, and it says so.
  expect(good.out).toMatch(
    /✔ e3: .*job not checked: needs the consumer's wallet\n/
  );
  expect(good.status).toBe(0);

  // 7. Tampered copies fail with the sentence that names the wrong entry.
  const tamper = (name: string, change: (r: any) => void) => {
    const copy = JSON.parse(readFileSync(file, 'utf8'));
    change(copy.metadata.ocean_provenance);
    const target = join(dirname(file), name);
    writeFileSync(target, JSON.stringify(copy));
    return cliVerify(target);
  };
  const wrongHash = tamper('tampered-hash.ipynb', r => {
    r.entries[0].files[0].sha256 = '0'.repeat(64);
  });
  expect(wrongHash.status).toBe(1);
  expect(wrongHash.out).toMatch(
    /✘ e1: ocean-data\/\S+ has SHA-256 \S+, not 00000000…0000 as recorded/
  );
  const wrongDid = tamper('tampered-did.ipynb', r => {
    r.entries[1].did = r.entries[0].did;
  });
  expect(wrongDid.status).toBe(1);
  expect(wrongDid.out).toContain(
    `✘ e2: ${priced} has no service ${record.entries[1].serviceId}.`
  );
  const wrongDigest = tamper('tampered-digest.ipynb', r => {
    r.entries[3].lineageDigest = `sha256:${'1'.repeat(64)}`;
  });
  expect(wrongDigest.status).toBe(1);
  expect(wrongDigest.out).toContain(
    `✘ e4: ${derivedDid} names lineage digest ${record.entries[3].lineageDigest}, not sha256:${'1'.repeat(64)} as recorded.`
  );
  const wrongOrder = tamper('tampered-order.ipynb', r => {
    r.entries[0].order.tx = r.entries[1].order.tx;
  });
  expect(wrongOrder.status).toBe(1);
  expect(wrongOrder.out).toMatch(/✘ e1: the order 0x\S+ is for datatoken /);
  // A copy of the data file changed after loading: its entry fails.
  const data = join(dirname(file), record.entries[1].files[0].path);
  expect(existsSync(data)).toBe(true);
  copyFileSync(data, `${data}.orig`);
  writeFileSync(data, 'tampered\n', { flag: 'a' });
  const changed = cliVerify(file);
  expect(changed.status).toBe(1);
  expect(changed.out).toMatch(/✘ e2: ocean-data\/\S+ has SHA-256 /);
  copyFileSync(`${data}.orig`, data);

  // 8. In the lab: the live record tampered with (consumer, job id), %ocean verify says so.
  const consumer = record.entries[0].consumer as string;
  const jobId = record.entries[2].jobId as string;
  const otherJob = `${jobId.slice(0, -1)}${jobId.endsWith('0') ? '1' : '0'}`;
  await page.evaluate(otherJob => {
    const model = (window as any).jupyterapp.shell.currentWidget.model;
    const live = JSON.parse(
      JSON.stringify(model.getMetadata('ocean_provenance'))
    );
    live.entries[0].consumer = '0x000000000000000000000000000000000000dead';
    live.entries[2].jobId = otherJob;
    model.setMetadata('ocean_provenance', live);
  }, otherJob);
  const failed = await run(page, '%ocean verify');
  expect(failed).toContain(
    `✘ e1: the order ${record.entries[0].order.tx.slice(0, 8)}…${record.entries[0].order.tx.slice(-4)} was for consumer ${consumer.toLowerCase()}, not 0x000000000000000000000000000000000000dead.`
  );
  expect(failed).toMatch(/✘ e3: the Ocean Node at \S+ knows no compute job /);
  expect(failed).toContain(
    ` knows no compute job ${otherJob} for ${jobOwner}.`
  );
  expect(failed).toContain('2 of 4 entries do not hold.');

  // 9. A Hugging Face Dataset carries the DDO's description, licence, a
  // citation and its lineage entry.
  const dataset = await runConfirming(
    page,
    `ds = %ocean load ${noDerivatives} --dataset\nprint(ds.info.license, ds.info.ocean_provenance["id"], ds.info.ocean_provenance["order"]["reused"])\nprint(ds.info.description)\nprint(ds.info.citation)`
  );
  expect(dataset.output).toContain('CC-BY-ND-4.0 e5 True');
  expect(dataset.output).toContain('The weather sample under CC-BY-ND-4.0.');
  expect(dataset.output).toContain(`howpublished = {${noDerivatives}}`);
  expect(dataset.output).toMatch(
    /note = \{.*order 0x[0-9a-f]{64}.*sha256 [0-9a-f]{64}/
  );

  // 10. Saved and reloaded: the notebook's record is the one in the file.
  await save(page);
  const again = JSON.parse(readFileSync(file, 'utf8')).metadata
    .ocean_provenance;
  expect(again.entries).toHaveLength(5);
  await page.reload();
  await page.waitForFunction(
    () =>
      !!(window as any).jupyterapp?.shell?.currentWidget?.model?.getMetadata?.(
        'ocean_provenance'
      ),
    undefined,
    { timeout: 60_000 }
  );
  const reloaded = await page.evaluate(() =>
    (window as any).jupyterapp.shell.currentWidget.model.getMetadata(
      'ocean_provenance'
    )
  );
  expect(reloaded).toEqual(again);
});

test('provenance: "Get access" on an asset card in a notebook\'s output is an order entry of that notebook and cell, listed and verified', async ({
  page,
  oceanLab: lab,
  stack
}) => {
  test.setTimeout(300_000);
  const did = stack.samples.csv!;
  await fundedNotebook(page, lab);
  const cell = await startCell(page, `%ocean preview ${did}`);
  await finished(cell);
  const cellId: string = await page.evaluate(
    () =>
      (window as any).jupyterapp.shell.currentWidget.content.activeCell.model.id
  );
  const card = cell.locator('ocean-asset-card');
  await card.locator('[data-ocean-action=get-access]').click();
  await confirmUntil(page, card.locator('[data-ocean=preview] >> table'));
  const entries = () =>
    page.evaluate(
      () =>
        (window as any).jupyterapp.shell.currentWidget.model.getMetadata(
          'ocean_provenance'
        )?.entries ?? []
    );
  await expect.poll(async () => (await entries()).length).toBe(1);
  const [entry] = await entries();
  expect(entry).toMatchObject({
    id: 'e1',
    action: 'order',
    did,
    cellId,
    license: 'CC0-1.0',
    network: { chainId: stack.chainId },
    order: { reused: false }
  });
  expect(entry.name).toMatch(/Daily weather/);
  expect(entry.order.tx).toMatch(/^0x[0-9a-f]{64}$/);
  expect(entry.files).toBeUndefined();
  expect(await run(page, '%ocean provenance')).toMatch(/e1\s+order/);
  const verified = await run(page, '%ocean verify');
  expect(verified).toContain('✔ e1: asset on the node, order on chain');
  expect(verified).toContain('The one entry holds.');
});

test("provenance: a GAN cell's purchase, its images (also in a later cell with access bought earlier), its kernel's gan_images, and compute results fetched in a later cell are entries of their notebook, listed and verified", async ({
  page,
  oceanLab: lab,
  stack
}) => {
  test.setTimeout(480_000);
  const gan = stack.samples.gan!;
  await fundedNotebook(page, lab);
  const entries = () =>
    page.evaluate(
      () =>
        (window as any).jupyterapp.shell.currentWidget.model.getMetadata(
          'ocean_provenance'
        )?.entries ?? []
    );
  const activeCellId = () =>
    page.evaluate(
      () =>
        (window as any).jupyterapp.shell.currentWidget.content.activeCell.model
          .id as string
    );

  // 1. Bought in the GAN cell's output: an order entry of that cell, and
  // the images it then generated, a use of the model by that cell.
  const ganCell = await startCell(page, `%ocean gan ${gan} --n 4 --seed 7`);
  await finished(ganCell);
  const ganCellId = await activeCellId();
  const generator = ganCell.locator('.jp-OceanGan');
  await expect(generator).toHaveAttribute('data-state', 'locked');
  await generator.locator('.jp-OceanGan-buy').click();
  await confirmUntil(page, async () =>
    ['ready', 'error'].includes(
      (await generator.getAttribute('data-state')) ?? ''
    )
  );
  await expect(generator).toHaveAttribute('data-state', 'ready');
  await expect.poll(async () => (await entries()).length).toBe(2);
  const [bought, usedHere] = await entries();
  expect(bought).toMatchObject({
    id: 'e1',
    action: 'order',
    did: gan,
    cellId: ganCellId,
    network: { chainId: stack.chainId },
    order: { reused: false }
  });
  expect(bought.order.tx).toMatch(/^0x[0-9a-f]{64}$/);
  expect(usedHere).toMatchObject({
    id: 'e2',
    action: 'use',
    did: gan,
    cellId: ganCellId,
    order: { tx: bought.order.tx },
    sources: ['e1']
  });

  // 1b. Another GAN cell of the model, with the access bought above and no
  // purchase of its own: it generates at once, and that is a use entry of
  // its cell with the order the access check found. New seeds and batch
  // sizes are the same use (the ids below count every entry).
  const laterCell = await startCell(page, `%ocean gan ${gan} --n 4 --seed 9`);
  await finished(laterCell);
  const laterCellId = await activeCellId();
  const later = laterCell.locator('.jp-OceanGan');
  await expect(later).toHaveAttribute('data-state', 'ready');
  await expect(page.locator('.jp-Dialog')).toHaveCount(0);
  await expect.poll(async () => (await entries()).length).toBe(3);
  const usedLater = (await entries())[2];
  expect(usedLater).toMatchObject({
    id: 'e3',
    action: 'use',
    did: gan,
    name: bought.name,
    cellId: laterCellId,
    network: { chainId: stack.chainId },
    serviceId: bought.serviceId,
    datatoken: bought.datatoken,
    consumer: bought.consumer,
    order: { tx: bought.order.tx, block: bought.order.block },
    sources: ['e1']
  });
  // Nothing secret: no signature, token or signed URL under any key.
  expect(JSON.stringify(usedLater)).not.toMatch(
    /"(signature|token|authToken|headers|url)":/i
  );
  await later.locator('.jp-OceanGan-newSeed').click();
  await later.locator('select.jp-OceanGan-batch').selectOption('9');
  await expect(later.locator('canvas.jp-OceanGan-grid')).toHaveAttribute(
    'data-count',
    '9'
  );
  await expect(later).toHaveAttribute('data-state', 'ready');
  await expect(page.locator('.jp-Dialog')).toHaveCount(0);

  // 2. A compute job whose results are not fetched by its own cell: nothing
  // yet; `%ocean compute results` in a later cell records the job, its
  // dataset's order (read back from the node and the chain) and the files.
  const started = await runConfirming(
    page,
    `job = %ocean compute ${stack.samples.compute} --algorithm ${stack.samples.algorithm} --results false\nprint("job", job["jobId"], job["status"])`
  );
  const jobId = /job (\S+) 70/.exec(started.output)?.[1];
  expect(jobId, started.output).toBeTruthy();
  expect(await entries()).toHaveLength(3);
  const resultsCode = `summary = %ocean compute results ${jobId}\nprint(type(summary).__name__)`;
  const fetched = await runConfirming(page, resultsCode);
  expect(fetched.output).toContain('DataFrame');
  const resultsCellId = await activeCellId();
  await expect.poll(async () => (await entries()).length).toBe(4);
  const computed = (await entries())[3];
  expect(computed).toMatchObject({
    id: 'e4',
    action: 'compute',
    did: stack.samples.compute,
    jobId,
    cellId: resultsCellId,
    order: { reused: false }
  });
  expect(computed.order.tx).toMatch(/^0x[0-9a-f]{64}$/);
  expect(computed.datatoken).toMatch(/^0x[0-9a-fA-F]{40}$/);
  expect(computed.jobOwner).toMatch(/^0x[0-9a-fA-F]{40}$/);
  expect(computed.files.length).toBeGreaterThan(0);
  expect(computed.files[0].path).toContain(`ocean-results/${jobId}/`);
  // Fetched again: the same job and bytes, no second entry.
  await runConfirming(page, resultsCode);
  expect(await entries()).toHaveLength(4);

  // A model published from the results (issue 18 item 4: a dataset, a
  // model or a compute result): its DDO and card name the job's dataset;
  // the GAN order brought no bytes into the kernel, so it is no source.
  const model = await runConfirming(
    page,
    'model_asset = %ocean publish summary --name "Results model" --description "A model made from the job summary." --author "provenance test" --license CC0-1.0 --type algorithm\nprint(model_asset.value["did"], model_asset.value["card"])'
  );
  const modelDid = /did:op:[0-9a-f]{64}/.exec(model.output)?.[0];
  expect(modelDid, model.output).toBeTruthy();
  const modelDdo = await (
    await fetch(`${stack.nodeUrl}/api/aquarius/assets/ddo/${modelDid}`)
  ).json();
  expect(modelDdo.metadata.type).toBe('algorithm');
  expect(
    modelDdo.metadata.additionalInformation.derivedFrom.map(
      (source: { did: string }) => source.did
    )
  ).toEqual([stack.samples.compute]);
  const modelCard = readFileSync(
    join(lab.rootDir, 'ocean-published', 'Results-model', 'README.md'),
    'utf8'
  );
  expect(modelCard).toContain('type: "algorithm"');
  expect(modelCard).toContain(`  - "${stack.samples.compute}"`);
  await expect.poll(async () => (await entries()).length).toBe(5);
  expect((await entries())[4]).toMatchObject({
    id: 'e5',
    action: 'publish',
    did: modelDid,
    sources: ['e4']
  });

  const shown = await run(page, '%ocean provenance');
  expect(shown).toMatch(/e1\s+order/);
  // Each use row names the order entry it used and its cell (the table's
  // "from" and "cell" columns; "from e1  in cell …" in plain text).
  const useRow = (id: string, cellId: string) =>
    new RegExp(
      `${id}\\s+use\\s[\\s\\S]*?\\se1\\s+(in cell )?${cellId.slice(0, 8)}…${cellId.slice(-4)}`
    );
  expect(shown).toMatch(useRow('e2', ganCellId));
  expect(shown).toMatch(useRow('e3', laterCellId));
  expect(shown).toMatch(/e4\s+compute/);
  expect(shown).toMatch(/e4 compute .* → e5 publish “Results model”/);
  const verified = await run(page, '%ocean verify');
  expect(verified).toContain('✔ e1: asset on the node, order on chain');
  expect(verified).toContain('✔ e2: asset on the node, order on chain\n');
  expect(verified).toContain('✔ e3: asset on the node, order on chain\n');
  expect(verified).toMatch(
    /✔ e4: asset on the node, order on chain, SHA-256 of ocean-results\/.*, job \S+ and its [1-9]\d* results? on the node\n/
  );
  expect(verified).toContain('✔ e5:');
  expect(verified).toContain('All 5 entries hold.');

  // The wallet-less command line checks the uses too, and a copy whose use
  // lost its order fails naming it.
  await save(page);
  const path: string = await page.evaluate(
    () => (window as any).jupyterapp.shell.currentWidget.context.path
  );
  const file = join(lab.rootDir, path);
  const saved = cliVerify(file);
  expect(saved.out).toContain('✔ e3: asset on the node, order on chain\n');
  expect(saved.out).toContain('All 5 entries hold.');
  expect(saved.status).toBe(0);
  const copy = JSON.parse(readFileSync(file, 'utf8'));
  delete copy.metadata.ocean_provenance.entries[2].order;
  const orderless = join(dirname(file), 'use-without-order.ipynb');
  writeFileSync(orderless, JSON.stringify(copy));
  const unordered = cliVerify(orderless);
  expect(unordered.out).toContain('✘ e3: no order transaction is recorded.');
  expect(unordered.out).toContain('1 of 5 entries do not hold.');
  expect(unordered.status).toBe(1);
  // In the lab: the use's order swapped for the compute job's (a real
  // order, of another asset): %ocean verify names the use entry.
  await page.evaluate(() => {
    const model = (window as any).jupyterapp.shell.currentWidget.model;
    const live = JSON.parse(
      JSON.stringify(model.getMetadata('ocean_provenance'))
    );
    live.entries[2].order.tx = live.entries[3].order.tx;
    model.setMetadata('ocean_provenance', live);
  });
  const tampered = await run(page, '%ocean verify');
  expect(tampered).toMatch(
    /✘ e3: the order 0x\S+ is for datatoken 0x[0-9a-f]{40}, not 0x[0-9a-fA-F]{40} \(the datatoken of did:op:/
  );
  expect(tampered).toContain('1 of 5 entries do not hold.');

  // 3. gan_images from another notebook's kernel: the order it reused is an
  // entry of that notebook and cell, and the images it returned a use.
  await newNotebook(page, 'python');
  const images = await runConfirming(
    page,
    `from jupyterlab_ocean.gan import gan_images\nimages = gan_images("${gan}", n=4, seed=7)\nprint(images.shape)`
  );
  expect(images.output).toContain('(4, 16, 16, 3)');
  const imagesCellId = await activeCellId();
  await expect.poll(async () => (await entries()).length).toBe(2);
  expect((await entries())[0]).toMatchObject({
    id: 'e1',
    action: 'order',
    did: gan,
    cellId: imagesCellId,
    order: { tx: bought.order.tx, reused: true }
  });
  expect((await entries())[1]).toMatchObject({
    id: 'e2',
    action: 'use',
    did: gan,
    cellId: imagesCellId,
    order: { tx: bought.order.tx },
    sources: ['e1']
  });
});

test('provenance in Deno: ocean.provenance() and ocean.verify() read the live notebook record', async ({
  page,
  oceanLab: lab,
  stack
}) => {
  await openLab(page, lab);
  await newNotebook(page, 'deno');
  expect(await run(page, 'await ocean.provenance()')).toContain(
    'This notebook has no Ocean provenance yet'
  );
  // An entry for an asset the node does not know: verify says which and why.
  const unknown = `did:op:${'0'.repeat(64)}`;
  await page.evaluate(
    ({ did, nodeUrl, rpcUrl }) =>
      (window as any).jupyterapp.shell.currentWidget.model.setMetadata(
        'ocean_provenance',
        {
          version: 1,
          entries: [
            {
              id: 'e1',
              action: 'load',
              at: '2026-12-07T00:00:00.000Z',
              network: { key: 'local', chainId: 8996, rpcUrl, nodeUrl },
              did,
              name: 'Nowhere',
              license: 'CC-BY-ND-4.0'
            }
          ]
        }
      ),
    { did: unknown, nodeUrl: stack.nodeUrl, rpcUrl: stack.rpcUrl }
  );
  const shown = await run(page, 'await ocean.provenance()');
  expect(shown).toContain('Nowhere');
  expect(shown).toContain('CC-BY-ND-4.0');
  const verdict = await run(page, 'await ocean.verify()');
  expect(verdict).toContain(`✘ e1: the Ocean Node at `);
  expect(verdict).toContain(`does not know ${unknown}.`);
  expect(verdict).toContain('The one entry does not hold.');
});
