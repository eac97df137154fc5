/**
 * An asset with several files (issue 16 item 8), on a local stack: the
 * stack's terrain tiles are 8 PNG files behind one paid datatoken.
 * `%ocean load` gives all of them, by file name, and says so; `--file N`
 * gives that one file and says which of how many it is; `--dataset` makes a
 * Hugging Face Dataset with an Image column; Deno gets an object by name
 * and `{ file: N }`. Before, the load returned file 0's bytes and nothing
 * said the other seven existed.
 *
 * Every expected byte is read from the files the stack serves.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { HDNodeWallet } from 'ethers';
import { importWallet, run, runConfirming } from './bridge-helpers';
import { test, expect } from './fixtures';
import { newNotebook, openLab } from './helpers';
import { fund } from './publish-helpers';

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

test('%ocean load of a multi-file asset gives every file by name, or the one --file N names, and says which', async ({
  page,
  oceanLab,
  stack
}) => {
  test.setTimeout(400_000);
  const did = stack.samples.images!;
  const samples = join(stack.stateDir, 'samples');
  const names = readdirSync(samples)
    .filter(name => /^terrain-\d+\.png$/.test(name))
    .sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]));
  expect(names.length).toBe(8);
  const hashes = Object.fromEntries(
    names.map(name => [name, sha(readFileSync(join(samples, name)))])
  );

  const phrase = HDNodeWallet.createRandom().mnemonic!.phrase;
  await fund(stack, HDNodeWallet.fromPhrase(phrase).address);
  await openLab(page, oceanLab);
  await importWallet(page, phrase);
  await newNotebook(page, 'python');

  // All files: a dict keyed by file name, in file order, each the served bytes.
  const all = await runConfirming(
    page,
    [
      'import hashlib, json',
      `tiles = %ocean load ${did}`,
      'print("tiles " + json.dumps({name: hashlib.sha256(data).hexdigest() for name, data in tiles.items()}))'
    ].join('\n')
  );
  const line = all.output.split('\n').find(l => l.startsWith('tiles '));
  expect(line, all.output).toBeTruthy();
  const loaded = JSON.parse(line!.slice(6));
  expect(Object.keys(loaded)).toEqual(names);
  expect(loaded).toEqual(hashes);
  // It says what it gave and how to get one file.
  expect(all.output).toContain(
    'All 8 files of the asset, as a dict keyed by file name (terrain-1.png, terrain-2.png, … terrain-8.png)'
  );
  expect(all.output).toContain(`One file: %ocean load ${did} --file N`);
  const folder = join(
    oceanLab.rootDir,
    'ocean-data',
    'Procedural-terrain-tiles-synthetic-images'
  );
  for (const name of names) {
    expect(existsSync(join(folder, name)), name).toBe(true);
  }

  // One file by index: its bytes, and which one of how many.
  const one = await run(
    page,
    [
      `third = %ocean load ${did} --file 2`,
      'print("third", type(third).__name__, hashlib.sha256(third).hexdigest())'
    ].join('\n')
  );
  expect(one).toContain(
    `File 2 of the asset's 8 (terrain-3.png, saved at ocean-data/Procedural-terrain-tiles-synthetic-images/terrain-3.png)`
  );
  expect(one).toContain(`third bytes ${hashes['terrain-3.png']}`);
  const missing = await run(
    page,
    [
      'try:',
      `    %ocean load ${did} --file 8`,
      'except Exception as error:',
      '    print(error.code, error.message)'
    ].join('\n')
  );
  expect(missing).toContain(
    'OCEAN_BAD_ASSET The asset has 8 files (--file 0 to 7); there is no file 8.'
  );

  // --dataset: an image set becomes a Dataset with an Image column.
  const dataset = await run(
    page,
    [
      'import datasets',
      `ds = %ocean load ${did} --dataset`,
      'image = ds.features["image"]',
      'first = ds.with_format(None).cast_column("image", datasets.Image(decode=False))[0]',
      'print("dataset", ds.num_rows, type(image).__name__, ds["file_name"][0], hashlib.sha256(first["image"]["bytes"]).hexdigest())'
    ].join('\n')
  );
  expect(dataset).toContain(
    `dataset 8 Image terrain-1.png ${hashes['terrain-1.png']}`
  );
  expect(dataset).toContain(
    'All 8 files of the asset as a Dataset with an image column'
  );

  // Deno: an object by file name, and { file: N }.
  await newNotebook(page, 'deno');
  const { output: deno } = await runConfirming(
    page,
    [
      `const tiles = await ocean.load('${did}');`,
      `const one = await ocean.load('${did}', { file: 7 });`,
      'console.log("deno", Object.keys(tiles).join(","), tiles["terrain-1.png"].length, one.length);'
    ].join('\n')
  );
  expect(deno).toContain(
    `deno ${names.join(',')} ${readFileSync(join(samples, 'terrain-1.png')).length} ${readFileSync(join(samples, 'terrain-8.png')).length}`
  );
  expect(deno).toContain(
    `All 8 files of the asset, as an object keyed by file name`
  );
  expect(deno).toContain(`File 7 of the asset's 8 (terrain-8.png`);
});
