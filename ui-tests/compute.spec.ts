/**
 * Compute-to-data from JupyterLab on a local stack, in Chromium: the Publish form publishes an
 * algorithm (a JS file from the workspace) and a compute-only dataset that trusts only the
 * stack's "Greenhouse summary" algorithm (chosen from the network's algorithm assets). A
 * second account cannot download the data; in a notebook, the compute job view pays, starts
 * and follows a job with the allowed algorithm, its results land in the workspace and in a
 * DataFrame; the algorithm the dataset does not trust is refused with a clear sentence. Logs
 * and results are read with one Ocean Node token per asker (one dialog, not one per fetch),
 * asked for again once the node has revoked it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getBytes, keccak256, toUtf8Bytes, type Wallet } from 'ethers';
import type { Locator, Page } from '@playwright/test';
import { test, expect, type IStackInfo } from './fixtures';
import { newNotebook, openLab, runCell } from './helpers';
import {
  ddo,
  fund,
  newAccounts,
  selectAccount,
  setUpAccounts
} from './publish-helpers';
import { confirmUntil, runConfirming } from './bridge-helpers';
import { openDiscover } from './ocean-helpers';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const accounts = newAccounts();
const suffix = Math.random().toString(36).slice(2, 7);
const DATA_FILE = `sensors-${suffix}.csv`;
const ALGORITHM_FILE = `count-rows-${suffix}.js`;
const CSV = [
  'timestamp,greenhouse,temperature_c,humidity_pct,co2_ppm',
  '2025-06-01T00:00:00Z,north,20.5,71.0,600',
  '2025-06-01T01:00:00Z,north,21.5,69.0,640',
  '2025-06-01T00:00:00Z,south,24.0,60.0,500',
  '2025-06-01T01:00:00Z,south,26.0,62.0,520',
  '2025-06-01T02:00:00Z,south,25.0,61.0,700'
].join('\n');
const ALGORITHM = `const [inputs, outputs] = Deno.args;
let rows = 0;
for (const d of Deno.readDirSync(inputs)) for (const f of Deno.readDirSync(inputs + '/' + d.name)) rows += Deno.readTextFileSync(inputs + '/' + d.name + '/' + f.name).trim().split('\\n').length - 1;
Deno.writeTextFileSync(outputs + '/rows.json', JSON.stringify({ rows }));
`;

function form(page: Page): Locator {
  return page.locator('#jupyterlab-ocean-publish ocean-publish-form');
}

async function publishFromForm(
  page: Page,
  path: string,
  fill: (form: Locator) => Promise<void>
): Promise<string> {
  await page.evaluate(
    path =>
      (window as any).jupyterapp.commands.execute('ocean:publish-file', {
        path
      }),
    path
  );
  const publishForm = form(page);
  await expect(publishForm.locator('input[name=path]')).toHaveValue(path);
  await fill(publishForm);
  await publishForm.locator('[data-ocean-action=publish]').click();
  publishDialogs = await confirmUntil(
    page,
    publishForm.locator('[data-ocean=published]')
  );
  return (await publishForm.locator('[data-ocean=did]').innerText()).trim();
}

/** The dialogs the last publishFromForm confirmed, in order. */
let publishDialogs: string[] = [];

/** Starts counting wallet dialogs that open from now on; the result reads the count. */
async function countDialogs(page: Page): Promise<() => Promise<number>> {
  await page.evaluate(() => {
    const scope = window as any;
    scope.__oceanDialogObserver?.disconnect();
    scope.__oceanDialogCount = 0;
    scope.__oceanDialogObserver = new MutationObserver(records => {
      for (const record of records)
        for (const node of record.addedNodes)
          if (
            node instanceof Element &&
            (node.matches('.jp-OceanConfirmationDialog') ||
              node.querySelector('.jp-OceanConfirmationDialog'))
          )
            scope.__oceanDialogCount++;
    });
    scope.__oceanDialogObserver.observe(document.body, {
      childList: true,
      subtree: true
    });
  });
  return () => page.evaluate(() => (window as any).__oceanDialogCount);
}

/**
 * Revokes every auth token the node issued to `account`, through the node's own
 * invalidateAuthToken request, signed with the test's key for that account (as a sign-out
 * from another device would be).
 */
async function revokeTokens(
  stack: IStackInfo,
  account: Wallet
): Promise<number> {
  const Database = createRequire(join(ROOT, 'stack', 'package.json'))(
    'better-sqlite3'
  );
  const db = new Database(join(stack.stateDir, 'node', 'node.db'), {
    readonly: true,
    fileMustExist: true
  });
  let tokens: string[];
  try {
    tokens = db
      .prepare(
        'SELECT token FROM auth_tokens WHERE lower(address) = ? AND valid = 1'
      )
      .all(account.address.toLowerCase())
      .map((row: { token: string }) => row.token);
  } finally {
    db.close();
  }
  for (const token of tokens) {
    const { nonce } = await (
      await fetch(
        `${stack.nodeUrl}/api/services/nonce?userAddress=${account.address}`
      )
    ).json();
    const next = String(Number(nonce) + 1);
    const signature = await account.signMessage(
      getBytes(
        keccak256(toUtf8Bytes(`${account.address}${next}invalidateAuthToken`))
      )
    );
    const response = await fetch(
      `${stack.nodeUrl}/api/services/auth/token/invalidate`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          address: account.address,
          token,
          nonce: next,
          signature
        })
      }
    );
    expect(response.ok, await response.text()).toBe(true);
  }
  return tokens.length;
}

test('compute-only data: download refused, the allowed algorithm runs from the notebook, another is refused', async ({
  page,
  oceanLab,
  stack
}) => {
  test.setTimeout(720_000);
  const trustedDid = stack.samples.algorithm!;
  expect(trustedDid).toMatch(/^did:op:/);
  await fund(stack, accounts.publisher.address);
  await fund(stack, accounts.buyer.address);
  writeFileSync(join(oceanLab.rootDir, DATA_FILE), CSV);
  writeFileSync(join(oceanLab.rootDir, ALGORITHM_FILE), ALGORITHM);
  await openLab(page, oceanLab);
  await setUpAccounts(page, accounts);

  // An algorithm from a workspace .js file (the form switches to "algorithm" for code).
  const otherAlgorithm = await publishFromForm(
    page,
    ALGORITHM_FILE,
    async publishForm => {
      await expect(publishForm.locator('select[name=type]')).toHaveValue(
        'algorithm'
      );
      await publishForm
        .locator('input[name=name]')
        .fill(`Row counter ${suffix}`);
      await publishForm
        .locator('textarea[name=description]')
        .fill('Counts the rows of every input file.');
      await publishForm.locator('input[name=author]').fill('Tests');
      await publishForm.locator('input[name=pricing][value=free]').check();
    }
  );
  const algorithmDdo = await ddo(stack, otherAlgorithm);
  expect(algorithmDdo.metadata.type).toBe('algorithm');
  expect(algorithmDdo.metadata.algorithm.container.entrypoint).toContain(
    'deno'
  );

  // A compute-only dataset trusting only the stack's Greenhouse summary.
  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('ocean:publish')
  );
  const dataset = await publishFromForm(page, DATA_FILE, async publishForm => {
    await publishForm.locator('select[name=type]').selectOption('dataset');
    await publishForm.locator('input[name=name]').fill(`Sensor log ${suffix}`);
    await publishForm
      .locator('textarea[name=description]')
      .fill('Greenhouse readings; only approved algorithms may use them.');
    await publishForm.locator('input[name=author]').fill('Tests');
    await publishForm.locator('input[name=access][value=compute]').check();
    const trusted = publishForm.locator(
      `input[name=trusted][value="${trustedDid}"]`
    );
    await expect(trusted).toBeVisible();
    // The list offers the network's algorithms, ours included.
    await expect(
      publishForm.locator(`input[name=trusted][value="${otherAlgorithm}"]`)
    ).toBeVisible();
    await trusted.check();
    await publishForm.locator('input[name=pricing][value=fixed]').check();
    await publishForm.locator('input[name=price]').fill('1');
  });
  // Publishing a stored file is seven signatures, each saying which one it
  // is; the factory call is worded from its ERC-7730 descriptor.
  const publishing = `Publish “Sensor log ${suffix}”`;
  expect(publishDialogs).toHaveLength(7);
  publishDialogs.forEach((text, i) =>
    expect(text).toContain(`Step ${i + 1} of 7: ${publishing}`)
  );
  expect(publishDialogs[0]).toContain(
    'The whole flow costs network fees only (publishing costs no OCEAN).'
  );
  expect(
    publishDialogs.some(text =>
      text.includes(
        `Publish the data NFT Sensor log ${suffix} and its datatoken, sold at 1 OCEAN each.`
      )
    )
  ).toBe(true);
  const datasetDdo = await ddo(stack, dataset);
  expect(datasetDdo.services[0].type).toBe('compute');
  expect(
    datasetDdo.services[0].compute.publisherTrustedAlgorithms.map(
      (entry: any) => entry.did
    )
  ).toEqual([trustedDid]);

  // A second account: the raw data cannot be downloaded.
  await selectAccount(page, accounts.buyer.address);
  await newNotebook(page, 'python');
  const refused = await runCell(page, `%ocean load ${dataset}`);
  expect(refused).toContain('compute-to-data only');

  // The job view in the cell: the trusted algorithm only; pay, start, follow, results.
  await runCell(page, `%ocean compute ${dataset}`);
  const view = page
    .locator(
      '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output ocean-compute-job'
    )
    .last();
  await expect(view.locator('[data-ocean=dataset]')).toHaveText(
    `Sensor log ${suffix}`
  );
  const options = view.locator('select[name=algorithm] option');
  await expect(options).toHaveCount(1);
  await expect(view.locator('select[name=algorithm]')).toHaveValue(trustedDid);
  await view.locator('[data-ocean-action=start]').click();
  // The live log needs the view's node token: confirming until it shows covers every dialog
  // of the job (payment, orders, the signed start, the token).
  const logs = view.locator('[data-ocean=logs]', {
    hasText: 'summarised 5 rows of 2 greenhouses'
  });
  const dialogs = await confirmUntil(page, logs, 240_000);
  await expect(view.locator('[data-ocean=job][data-status="70"]')).toBeVisible({
    timeout: 60_000
  });
  await expect(view.locator('[data-ocean=status]')).toHaveText(/finished/i);
  // Buy the dataset (approve + buy + order), dispense + order the algorithm, sign the start,
  // and one Ocean Node token for the logs and results: none per log stream or result file.
  const tokenDialogs = dialogs.filter(text => text.includes('createAuthToken'));
  expect(tokenDialogs).toHaveLength(1);
  expect(tokenDialogs[0]).toContain('valid 30 minutes');
  expect(tokenDialogs[0]).toContain('Compute job view in a notebook');
  expect(dialogs.filter(text => text.includes('startCompute'))).toHaveLength(1);
  expect(
    dialogs.filter(text =>
      /getComputeResult|getComputeStreamableLogs/.test(text)
    )
  ).toHaveLength(0);
  expect(dialogs).toHaveLength(7);
  // The job's six signatures say where they stand and, from the first, the
  // whole price; the buy names the exchange after the dataset, pays in
  // OCEAN and shows its simulated changes; the orders name the compute
  // environment they are for, not a bare address.
  const algorithmName = (await ddo(stack, trustedDid)).metadata.name;
  const running = `Run ${algorithmName} on Sensor log ${suffix}`;
  const job = dialogs.filter(text => text.includes(running));
  expect(job).toHaveLength(6);
  job.forEach((text, i) =>
    expect(text).toContain(`Step ${i + 1} of 6: ${running}`)
  );
  expect(job[0]).toContain(
    'The whole flow costs 1.001 OCEAN and network fees.'
  );
  expect(
    job.some(text =>
      text.includes(
        `Allow the fixed-rate exchange selling Sensor log ${suffix} to spend 1.001 OCEAN.`
      )
    )
  ).toBe(true);
  const buy = job.find(text =>
    text.includes(
      `from the fixed-rate exchange selling Sensor log ${suffix}, paying at most 1.001 OCEAN`
    )
  );
  expect(buy).toContain('−1.001 OCEAN');
  expect(buy).toMatch(/\+1 \S+/);
  expect(
    job.some(text =>
      text.includes(
        `Order access to the dataset Sensor log ${suffix} for the compute environment`
      )
    )
  ).toBe(true);

  // Saving a result reuses the token: no dialog at all.
  const opened = await countDialogs(page);
  const jobId = (await view.locator('[data-ocean=job-id]').innerText()).trim();
  await view
    .locator('li[data-file="summary.csv"] [data-ocean-action=save-result]')
    .click();
  await expect(
    view.locator('li[data-file="summary.csv"] [data-ocean=saved]')
  ).toHaveText(`ocean-results/${jobId}/summary.csv`);
  expect(await opened()).toBe(0);
  const savedCsv = join(
    oceanLab.rootDir,
    'ocean-results',
    jobId,
    'summary.csv'
  );
  expect(readFileSync(savedCsv, 'utf8')).toContain('north,2,21,70,640');

  // Into the kernel: a DataFrame, and every output file in the workspace. The page keeps one
  // node token per node and account (issue 16 item 11): the view's, minutes old, serves the
  // notebook's fetch too (the token stays in the page), so no dialog; again, none either.
  const resultsCode = `df = %ocean compute results ${jobId}\nprint(type(df).__name__, sorted(df['greenhouse']), int(df['rows'].sum()))`;
  const first = await runConfirming(page, resultsCode);
  expect(first.output).toContain("DataFrame ['north', 'south'] 5");
  expect(first.dialogs).toHaveLength(0);
  expect(
    existsSync(join(oceanLab.rootDir, 'ocean-results', jobId, 'summary.json'))
  ).toBe(true);
  const again = await runConfirming(page, resultsCode);
  expect(again.output).toContain("DataFrame ['north', 'south'] 5");
  expect(again.dialogs).toHaveLength(0);

  // Signed out at the node (the buyer revokes its tokens: the page's one): the next fetch
  // asks once more.
  expect(await revokeTokens(stack, accounts.buyer)).toBeGreaterThanOrEqual(1);
  const revoked = await runConfirming(page, resultsCode);
  expect(revoked.output).toContain("DataFrame ['north', 'south'] 5");
  expect(revoked.dialogs).toHaveLength(1);
  expect(revoked.dialogs[0]).toContain('createAuthToken');
  expect(revoked.dialogs[0]).toMatch(/Untitled\d*\.ipynb/);

  // An algorithm the dataset does not trust is refused, in words.
  const notAllowed = await runCell(
    page,
    `%ocean compute ${dataset} --algorithm ${otherAlgorithm}`
  );
  expect(notAllowed).toContain(
    `The algorithm “Row counter ${suffix}” is not allowed to run on the dataset “Sensor log ${suffix}”`
  );
  // In words, not the node's raw JSON answer.
  expect(notAllowed).not.toMatch(/[{}]|"error"|ALGORITHM_NOT_TRUSTED/);
});

/**
 * Whether every number of each `ol.steps` list under `selector` (through
 * shadow roots) fits in the list's left padding, where the browser draws it:
 * "10. " is wider than one digit's room and was cut off at the panel's edge.
 * The numbers are measured in the list's own font.
 */
async function stepNumbersFit(page: Page, selector: string) {
  return page.evaluate(sel => {
    const lists: HTMLOListElement[] = [];
    const walk = (node: Element | ShadowRoot) => {
      for (const child of Array.from(node.children)) {
        if (child.matches('ol.steps')) lists.push(child as HTMLOListElement);
        if (child.shadowRoot) walk(child.shadowRoot);
        walk(child);
      }
    };
    walk(document.querySelector(sel)!);
    const context = document.createElement('canvas').getContext('2d')!;
    return lists.flatMap(list =>
      Array.from(list.children).map((item, index) => {
        context.font = getComputedStyle(item).font;
        const number = context.measureText(`${index + 1}. `).width;
        const room = parseFloat(getComputedStyle(list).paddingLeft);
        return { n: index + 1, fits: number <= room };
      })
    );
  }, selector);
}

test('the compute view: what to do without a dataset, the whole price before paying, step numbers past 9; the publish form asks for algorithms again; an untrusted algorithm is refused in words', async ({
  page,
  oceanLab,
  stack
}, testInfo) => {
  test.setTimeout(240_000);
  await openLab(page, oceanLab);
  // A new account: it holds no datatoken and has no order yet.
  await setUpAccounts(page, newAccounts());
  const panel = page.locator('#jupyterlab-ocean-publish');
  await page.evaluate(() =>
    (window as any).jupyterapp.commands.execute('ocean:publish')
  );
  await panel.locator('[data-ocean-tab=compute]').click();
  const job = panel.locator('ocean-compute-job');
  // No dataset chosen: what to do, not "Loading algorithms…" forever.
  await expect(job.locator('[data-ocean=no-dataset]')).toContainText(
    'Choose a dataset first'
  );
  await expect(job).not.toContainText('Loading algorithms');
  await expect(job.locator('[data-ocean-action=start]')).toHaveCount(0);

  // The stack's compute-only sample, found in Discover: its card has no
  // download to offer, so it offers the job view ("Run a job…").
  const dataset = stack.samples.compute!;
  const algorithm = stack.samples.algorithm!;
  const discover = await openDiscover(page);
  await discover.locator('input[type=search]').fill('Greenhouse sensor');
  await discover.locator('input[type=search]').press('Enter');
  await discover.locator(`li[data-did="${dataset}"] button`).click();
  const card = page.locator('#jupyterlab-ocean-discover ocean-asset-card');
  await expect(card.locator('[data-ocean-action=get-access]')).toHaveCount(0);
  await card.locator('[data-ocean-action=compute]').click();
  await expect(panel).toBeVisible();
  // The stack's compute-only sample: the price, before anything is paid.
  await expect(job.locator('select[name=algorithm]')).toHaveValue(algorithm);
  const price = job.locator('[data-ocean=price]');
  await expect(price.locator('[data-ocean=total]')).toBeVisible({
    timeout: 60_000
  });
  const datasetName = (await ddo(stack, dataset)).metadata.name;
  const algorithmName = (await ddo(stack, algorithm)).metadata.name;
  await expect(price.locator('li[data-part=dataset]')).toHaveText(
    `The dataset ${datasetName}: 1.001 OCEAN`
  );
  await expect(price.locator('li[data-part=algorithm]')).toHaveText(
    `The algorithm ${algorithmName}: free`
  );
  await expect(price.locator('li[data-part=environment]')).toHaveText(
    `The compute environment at ${new URL(stack.nodeUrl).host}: free`
  );
  await expect(price.locator('[data-ocean=total]')).toHaveText(
    'In all: 1.001 OCEAN, plus network fees.'
  );
  await expect(job.locator('[data-ocean-action=start]')).toHaveText(
    'Pay and start the job'
  );
  await job.screenshot({ path: testInfo.outputPath('compute-price.png') });

  // A job's progress runs past nine steps (buy, orders, start, statuses):
  // the numbers 10 and 11 keep their room.
  await job.evaluate((element: any) => {
    element.progress = Array.from(
      { length: 12 },
      (_, i) => `Progress line ${i + 1}`
    );
  });
  await expect(job.locator('[data-ocean=progress] li')).toHaveCount(12);
  const numbers = await stepNumbersFit(page, '#jupyterlab-ocean-publish');
  expect(numbers).toHaveLength(12);
  expect(numbers.filter(entry => !entry.fits)).toEqual([]);
  await job
    .locator('[data-ocean=progress]')
    .screenshot({ path: testInfo.outputPath('compute-steps.png') });

  // The publish form's trusted algorithms: a failed read says so and offers
  // to try again, which then lists them.
  await panel.locator('[data-ocean-tab=publish]').click();
  await page.route('**/api/aquarius/assets/metadata/query', route =>
    route.fulfill({ status: 500, body: 'Internal Server Error' })
  );
  const publishForm = form(page);
  await publishForm.locator('input[name=access][value=compute]').check();
  await expect(
    publishForm.locator('[data-ocean=algorithms-error]')
  ).toContainText("The network's algorithms could not be read");
  await page.unroute('**/api/aquarius/assets/metadata/query');
  await publishForm.locator('[data-ocean-action=reload-algorithms]').click();
  await expect(
    publishForm.locator(`input[name=trusted][value="${algorithm}"]`)
  ).toBeVisible({ timeout: 30_000 });

  // From a notebook, an algorithm the dataset does not trust (the stack's
  // GAN model is an algorithm asset too): the node's refusal in words.
  const gan = stack.samples.gan!;
  const ganName = (await ddo(stack, gan)).metadata.name;
  await newNotebook(page, 'python');
  const refused = await runConfirming(
    page,
    `%ocean compute ${dataset} --algorithm ${gan}`
  );
  expect(refused.output).toContain(
    `The algorithm “${ganName}” is not allowed to run on the dataset “${datasetName}”: its publisher trusts only the algorithms it chose. Run one of those instead (%ocean compute ${dataset} without --algorithm lists them). Nothing was ordered or paid.`
  );
  expect(refused.output).not.toMatch(/[{}]|"error"|ALGORITHM_NOT_TRUSTED/);
  expect(refused.dialogs).toEqual([]);
});
