/**
 * A publisher getting access to their own dataset pays nothing but network
 * fees: OceanClient.getAccess (src/ocean/client.ts, with the real wallet and
 * key vault, its confirmer answering yes) mints one datatoken to the
 * publisher (the datatoken's minter) and starts the order with it, instead
 * of buying from the publisher's own exchange; our Ocean Node then serves
 * the file for that order. Another account still buys at the price.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  Contract,
  type JsonRpcProvider,
  parseUnits,
  type Wallet
} from 'ethers';

import { startComputeJob, waitForJob } from '../../src/ocean/compute';
import { quoteComputeJob } from '../../src/ocean/compute-quote';
import {
  publishAsset,
  trustedAlgorithm,
  type IPublishRequest
} from '../../src/ocean/publish';
import { listMyPurchases } from '../../src/ocean/purchases';
import type {
  IOceanNetwork,
  IOceanProgress,
  IWalletRequester
} from '../../src/tokens';
import type { IConfirmation } from '../../src/widget/wallet/confirmation';
import { ACCOUNTS, type TestChain } from '../../stack/test/helpers.ts';
import { wallet as devWallet } from '../../stack/test/node-support.ts';
import {
  startLocalStack,
  walletWith as walletWithKey,
  type ILocalStack
} from './support';

const ASKER: IWalletRequester = { kind: 'extension', label: 'own-asset test' };
const BALANCE = ['function balanceOf(address) view returns (uint256)'];
const CSV = 'fruit,kg\napple,3\npear,5\n';

let stack: ILocalStack;
let chain: TestChain;
let provider: JsonRpcProvider;
/** The two assets the tests publish, for "My purchases". */
const published: { own?: string; priced?: string } = {};

before(async () => {
  stack = await startLocalStack();
  ({ chain, provider } = stack);
});

after(async () => {
  await stack?.stop();
});

const networks = () => stack.networks();
const walletWith = (privateKey: string) => walletWithKey(stack, { privateKey });

/** A CSV the tests publish as a dataset: by 'tests', CC0, at a fixed price in OCEAN. */
function csvDataset(
  name: string,
  description: string,
  csv: string,
  fileName: string,
  priceInOcean: string
): IPublishRequest {
  return {
    name,
    description,
    author: 'tests',
    license: 'CC0-1.0',
    file: {
      bytes: new TextEncoder().encode(csv),
      fileName,
      contentType: 'text/csv'
    },
    pricing: { type: 'fixed', priceInOcean }
  };
}

/**
 * publishAsset told where Ocean's contracts are: the first publish in a test cannot count on
 * the node having indexed an asset to find them from.
 */
function publishNamingContracts(
  network: IOceanNetwork,
  signer: Wallet,
  request: IPublishRequest
) {
  return publishAsset(
    network,
    signer,
    request,
    () => undefined,
    stack.contracts()
  );
}

describe("a publisher's own asset", () => {
  it('is theirs for network fees only: a datatoken minted, not bought; the node serves it', async () => {
    const publisherKey = devWallet(ACCOUNTS.publisher.privateKey, chain.rpcUrl);
    const asset = await publishNamingContracts(
      networks().active,
      publisherKey,
      csvDataset('Fruit <b>weights</b>', 'Two rows', CSV, 'fruit.csv', '2')
    );
    published.own = asset.did;
    const ocean = new Contract(chain.addresses.Ocean, BALANCE, provider);
    const publisher = ACCOUNTS.publisher.address;
    const oceanBefore: bigint = await ocean.balanceOf(publisher);
    const ethBefore = await provider.getBalance(publisher);

    const { client, shown } = await walletWith(ACCOUNTS.publisher.privateKey);
    const steps: IOceanProgress[] = [];
    const grant = await client.getAccess(did(asset), ASKER, step =>
      steps.push(step)
    );
    assert.equal(grant.consumer, publisher);
    assert.equal(grant.reused, false);

    // The base token did not move; only gas was spent.
    assert.equal(await ocean.balanceOf(publisher), oceanBefore);
    assert.ok((await provider.getBalance(publisher)) < ethBefore);
    const datatoken = new Contract(grant.datatoken, BALANCE, provider);
    // The order paid the datatoken to the payment collector (the publisher
    // again) less the community's 3 %: what stays with the publisher.
    assert.equal(await datatoken.balanceOf(publisher), parseUnits('0.97', 18));
    assert.ok(
      !steps.some(step => step.step === 'buy' || step.step === 'approve')
    );

    // The dialog said so in words: the flow's title and its whole cost.
    const first = shown[0] as IConfirmation & {
      flow?: { title: string; total?: string };
    };
    const words = JSON.stringify(shown);
    assert.match(words, /your own dataset Fruit <b>weights<\/b>/);
    assert.match(
      words,
      /network fees only: you publish this dataset, so 1 datatoken is minted to you instead of bought/
    );
    assert.ok(first, 'a dialog was shown');

    // The node accepts the order: the file comes back.
    const download = await client.download(did(asset), ASKER);
    assert.equal(new TextDecoder().decode(download.bytes), CSV);

    // A second access reuses the order: nothing minted again.
    const again = await client.getAccess(did(asset), ASKER);
    assert.equal(again.reused, true);
    assert.equal(again.orderTxId, grant.orderTxId);
  });

  it('another account still buys at the price', async () => {
    const publisherKey = devWallet(ACCOUNTS.publisher.privateKey, chain.rpcUrl);
    const asset = await publishAsset(
      networks().active,
      publisherKey,
      csvDataset('Priced for others', 'One row', 'a\n1\n', 'a.csv', '2')
    );
    published.priced = asset.did;
    const ocean = new Contract(chain.addresses.Ocean, BALANCE, provider);
    const consumer = ACCOUNTS.consumer.address;
    const before = await ocean.balanceOf(consumer);
    const { client } = await walletWith(ACCOUNTS.consumer.privateKey);
    await client.getAccess(did(asset), ASKER);
    // 2 OCEAN and the exchange's 0.1 % fee.
    assert.equal(
      before - (await ocean.balanceOf(consumer)),
      parseUnits('2.002', 18)
    );
  });

  it('"My purchases" lists each account\'s orders from the chain: asset, date, what was paid', async () => {
    const mine = await listMyPurchases(
      networks().active,
      ACCOUNTS.publisher.address
    );
    assert.equal(mine.fromBlock, 0);
    assert.equal(mine.purchases.length, 1);
    const own = mine.purchases[0];
    assert.equal(own.did, published.own);
    assert.equal(own.name, 'Fruit <b>weights</b>');
    assert.equal(own.how, 'minted');
    assert.equal(own.paid, null);
    assert.ok(Math.abs(own.startedAt - Date.now()) < 10 * 60_000);

    const theirs = await listMyPurchases(
      networks().active,
      ACCOUNTS.consumer.address
    );
    assert.deepEqual(
      theirs.purchases.map(p => [p.did, p.how, p.paid]),
      [[published.priced, 'bought', { amount: '2.002', symbol: 'OCEAN' }]]
    );
    // An account that ordered nothing has an empty list.
    const none = await listMyPurchases(
      networks().active,
      ACCOUNTS.consumer2.address
    );
    assert.deepEqual(none.purchases, []);
  });

  it('a compute job on their own compute-only dataset: minted, not bought', async () => {
    const network = networks().active;
    const publisherKey = devWallet(ACCOUNTS.publisher.privateKey, chain.rpcUrl);
    const code = `const [inputs, outputs] = Deno.args;
let rows = 0;
for (const d of Deno.readDirSync(inputs)) rows += Deno.readTextFileSync(inputs + '/' + d.name + '/0').trim().split('\\n').length - 1;
Deno.writeTextFileSync(outputs + '/rows.json', JSON.stringify({ rows }));`;
    const algorithm = await publishNamingContracts(network, publisherKey, {
      name: 'Own row counter',
      description: 'Counts rows',
      author: 'tests',
      license: 'CC0-1.0',
      type: 'algorithm',
      file: {
        bytes: new TextEncoder().encode(code),
        fileName: 'rows.js',
        contentType: 'text/javascript'
      },
      pricing: { type: 'fixed', priceInOcean: '1' }
    });
    const dataset = await publishAsset(network, publisherKey, {
      ...csvDataset(
        'Own private table',
        'Two rows, compute only',
        'a,b\n1,2\n3,4\n',
        'table.csv',
        '1.5'
      ),
      access: 'compute',
      trustedAlgorithms: [await trustedAlgorithm(algorithm.did, code)]
    });
    // The price shown before 'Pay and start the job' says what the job does:
    // nothing but network fees for the publisher, the exchange's price for
    // anyone else.
    const request = { dataset: dataset.did, algorithm: algorithm.did };
    const own = await quoteComputeJob(
      network,
      ACCOUNTS.publisher.address,
      request
    );
    assert.deepEqual(
      own.lines.slice(0, 2).map(line => [line.part, line.why, line.amount]),
      [
        ['dataset', 'minted', '0'],
        ['algorithm', 'minted', '0']
      ]
    );
    const other = await quoteComputeJob(
      network,
      ACCOUNTS.consumer.address,
      request
    );
    assert.equal(other.lines[0].why, undefined);
    assert.equal(other.lines[0].symbol, 'OCEAN');
    assert.ok(Number(other.lines[0].amount) >= 1.5, other.lines[0].amount);
    const ocean = new Contract(chain.addresses.Ocean, BALANCE, provider);
    const before: bigint = await ocean.balanceOf(ACCOUNTS.publisher.address);
    const steps: Array<{ step: string }> = [];
    const job = await startComputeJob(
      network,
      publisherKey,
      { dataset: dataset.did, algorithm: algorithm.did },
      (step: { step: string }) => steps.push(step)
    );
    const kinds = steps.map(step => step.step);
    assert.equal(kinds.filter(kind => kind === 'mint').length, 2, `${kinds}`);
    assert.ok(!kinds.includes('buy') && !kinds.includes('approve'), `${kinds}`);
    const final = await waitForJob(
      network,
      publisherKey,
      job.jobId,
      undefined,
      {
        intervalMs: 100
      }
    );
    assert.equal(final.status, 70, final.statusText);
    assert.equal(await ocean.balanceOf(ACCOUNTS.publisher.address), before);
  });
});

function did(asset: { did: string }): string {
  return asset.did;
}
