import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { IProvenanceEntry } from './record';
import {
  checkDdo,
  checkFile,
  checkJob,
  checkOrder,
  JOB_NEEDS_WALLET,
  ORDER_STARTED_TOPIC,
  orderEvents,
  verifyRecord,
  type IJobStatusLike,
  type IReceiptLike
} from './verify';

const DATATOKEN = '0x00000000000000000000000000000000000000d1';
const CONSUMER = '0x00000000000000000000000000000000000000c1';
const word = (value: bigint | string) =>
  (typeof value === 'string'
    ? value.replace(/^0x/, '')
    : value.toString(16)
  ).padStart(64, '0');

/** A receipt with the OrderStarted log Ocean's ERC20 template emits. */
function receipt(
  options: {
    consumer?: string;
    amount?: bigint;
    serviceIndex?: bigint;
    token?: string;
    status?: number;
  } = {}
): IReceiptLike {
  return {
    status: options.status ?? 1,
    blockNumber: 12,
    logs: [
      {
        address: '0x00000000000000000000000000000000000000ee',
        topics: ['0xdead'],
        data: '0x'
      },
      {
        address: options.token ?? DATATOKEN,
        topics: [
          ORDER_STARTED_TOPIC,
          `0x${word(options.consumer ?? CONSUMER)}`,
          `0x${word('0x0')}`
        ],
        data: `0x${word(CONSUMER)}${word(options.amount ?? 10n ** 18n)}${word(options.serviceIndex ?? 0n)}${word(1700000000n)}${word(11n)}`
      }
    ]
  };
}

const entry = (): IProvenanceEntry => ({
  id: 'e1',
  action: 'load',
  at: 'now',
  network: {
    key: 'local',
    chainId: 8996,
    rpcUrl: 'r',
    nodeUrl: 'http://127.0.0.1:8001'
  },
  did: 'did:op:1',
  serviceId: 'svc-1',
  serviceIndex: 0,
  datatoken: DATATOKEN,
  consumer: CONSUMER,
  order: {
    tx: '0xaaaa000000000000000000000000000000000000000000000000000000000001',
    block: 12,
    reused: false
  },
  files: [
    {
      name: 'w.csv',
      path: 'ocean-data/w.csv',
      size: 3,
      sha256: 'ab'.repeat(32)
    }
  ]
});

describe('provenance verifier', () => {
  it('decodes OrderStarted by hand', () => {
    assert.deepEqual(orderEvents(receipt()), [
      {
        datatoken: DATATOKEN,
        consumer: CONSUMER,
        payer: CONSUMER,
        amount: 10n ** 18n,
        serviceIndex: 0
      }
    ]);
  });

  it('passes an order that is for the consumer, the service and paid', () => {
    assert.deepEqual(checkOrder(entry(), receipt()), []);
  });

  it('says which entry is wrong and how', () => {
    const cases: Array<
      [Partial<IProvenanceEntry>, IReceiptLike | null, RegExp]
    > = [
      [{}, null, /^e1: the order transaction 0xaaaa.* is not on chain 8996\.$/],
      [{}, receipt({ status: 0 }), /failed on chain/],
      [
        { consumer: '0x00000000000000000000000000000000000000c2' },
        receipt(),
        /^e1: the order 0xaaaa00…0001 was for consumer 0x0+c1, not 0x0+c2\.$/
      ],
      [
        { datatoken: '0x00000000000000000000000000000000000000d2' },
        receipt(),
        /is for datatoken 0x0+d1, not 0x0+d2/
      ],
      [{ serviceIndex: 1 }, receipt(), /was for service 0, not service 1/],
      [{}, receipt({ amount: 0n }), /spent no datatoken, so it was not paid/],
      [
        {
          order: {
            tx: '0xaaaa000000000000000000000000000000000000000000000000000000000001',
            block: 13,
            reused: false
          }
        },
        receipt(),
        /is in block 12, not 13/
      ]
    ];
    for (const [change, read, expected] of cases) {
      const problems = checkOrder({ ...entry(), ...change }, read);
      assert.equal(problems.length, 1, `${expected}: ${problems.join(' | ')}`);
      assert.match(problems[0], expected);
    }
  });

  it('checks the asset and its datatoken on the node', () => {
    const ddo = {
      id: 'did:op:1',
      services: [{ id: 'svc-1', datatokenAddress: DATATOKEN }]
    };
    assert.deepEqual(checkDdo(entry(), ddo), []);
    assert.match(
      checkDdo(entry(), null)[0],
      /^e1: the Ocean Node at http:\/\/127\.0\.0\.1:8001 does not know did:op:1\.$/
    );
    assert.match(
      checkDdo({ ...entry(), serviceId: 'svc-9' }, ddo)[0],
      /has no service svc-9/
    );
    assert.match(
      checkDdo(entry(), {
        ...ddo,
        services: [{ id: 'svc-1', datatokenAddress: '0x1' }]
      })[0],
      /the datatoken of did:op:1 is 0x1, not 0x0+d1 as recorded/
    );
  });

  it("checks that a published asset names the notebook's lineage digest", () => {
    const published: IProvenanceEntry = {
      ...entry(),
      action: 'publish',
      datatoken: undefined,
      lineageDigest: 'sha256:aa'
    };
    const ddo = (digest?: string) => ({
      id: 'did:op:1',
      metadata: { additionalInformation: { lineageDigest: digest } }
    });
    assert.deepEqual(checkDdo(published, ddo('sha256:aa')), []);
    assert.deepEqual(checkDdo(published, ddo('sha256:bb')), [
      'e1: did:op:1 names lineage digest sha256:bb, not sha256:aa as recorded.'
    ]);
  });

  it('compares a file at hand, and leaves one that is not', () => {
    const file = entry().files![0];
    assert.deepEqual(checkFile(entry(), file, null), []);
    assert.deepEqual(checkFile(entry(), file, file.sha256), []);
    assert.match(
      checkFile(entry(), file, 'cd'.repeat(32))[0],
      /^e1: ocean-data\/w\.csv has SHA-256 cdcdcdcd…cdcd, not abababab…abab as recorded/
    );
  });

  it('verifies a record with readers, turning read errors into sentences', async () => {
    const ddo = {
      id: 'did:op:1',
      services: [{ id: 'svc-1', datatokenAddress: DATATOKEN }]
    };
    const verdicts = await verifyRecord(
      {
        version: 1,
        entries: [entry(), { ...entry(), id: 'e2', did: 'did:op:2' }]
      },
      {
        receipt: async () => receipt(),
        ddo: async e =>
          e.did === 'did:op:1' ? ddo : Promise.reject(new Error('node down')),
        fileSha256: async () => 'ab'.repeat(32)
      }
    );
    assert.equal(verdicts[0].ok, true);
    assert.deepEqual(verdicts[0].checked, [
      'asset on the node',
      'order on chain',
      'SHA-256 of ocean-data/w.csv'
    ]);
    assert.equal(verdicts[1].ok, false);
    assert.deepEqual(verdicts[1].problems, [
      'e2: could not check the asset on the node: node down'
    ]);
  });

  it("checks a model's use by its order, and fails a use without one, naming the entry", async () => {
    const ddo = {
      id: 'did:op:1',
      services: [{ id: 'svc-1', datatokenAddress: DATATOKEN }]
    };
    // A use brought no bytes: no files.
    const used = (): IProvenanceEntry => ({
      ...entry(),
      id: 'e4',
      action: 'use',
      cellId: 'gan-cell',
      files: undefined
    });
    const readers = {
      receipt: async (_e: IProvenanceEntry, tx: string) =>
        tx === entry().order!.tx ? receipt() : null,
      ddo: async () => ddo,
      fileSha256: async () => null
    };
    const [good] = await verifyRecord(
      { version: 1, entries: [used()] },
      readers
    );
    assert.deepEqual(good, {
      entry: 'e4',
      ok: true,
      problems: [],
      checked: ['asset on the node', 'order on chain']
    });
    const tampered = (change: Partial<IProvenanceEntry>) =>
      verifyRecord(
        { version: 1, entries: [{ ...used(), ...change }] },
        readers
      );
    const [otherTx] = await tampered({
      order: { tx: '0xbbbb', block: 12, reused: true }
    });
    assert.deepEqual(otherTx.problems, [
      'e4: the order transaction 0xbbbb is not on chain 8996.'
    ]);
    const [noOrder] = await tampered({ order: undefined });
    assert.deepEqual(noOrder.problems, [
      'e4: no order transaction is recorded.'
    ]);
  });

  it('verifies a record saved before model uses were recorded as it did', async () => {
    const saved = JSON.parse(
      fs.readFileSync(
        path.join(
          path.dirname(new URL(import.meta.url).pathname),
          'fixtures',
          'record.json'
        ),
        'utf8'
      )
    );
    const verdicts = await verifyRecord(saved, {
      receipt: async () => receipt(),
      ddo: async e => ({
        id: e.did,
        services: [{ id: 'svc-1', datatokenAddress: DATATOKEN }],
        metadata: {
          additionalInformation: { lineageDigest: e.lineageDigest }
        }
      }),
      fileSha256: async () => null
    });
    assert.deepEqual(
      verdicts.map(v => [v.entry, v.ok, v.checked]),
      saved.entries.map((e: IProvenanceEntry) => [
        e.id,
        true,
        [
          'asset on the node',
          ...(e.order ? ['order on chain'] : []),
          ...(e.files ?? []).map(file => `${file.path} not at hand`)
        ]
      ])
    );
  });

  describe('compute jobs', () => {
    const OWNER = '0x00000000000000000000000000000000000000a1';
    const computed = (): IProvenanceEntry => ({
      ...entry(),
      id: 'e3',
      action: 'compute',
      jobId: 'job-1234567890abcdef',
      jobOwner: OWNER,
      files: [
        {
          name: 'summary.csv',
          path: 'ocean-results/job/summary.csv',
          size: 42,
          sha256: 'ab'.repeat(32)
        }
      ]
    });
    const job = (change: Partial<IJobStatusLike> = {}): IJobStatusLike => ({
      jobId: 'job-1234567890abcdef',
      owner: OWNER,
      status: 70,
      statusText: 'Job finished',
      inputDID: ['did:op:1'],
      results: [
        { filename: 'summary.csv', filesize: 42 },
        { filename: 'algorithmLog', filesize: 10 }
      ],
      ...change
    });

    it('passes a finished job on the dataset with each recorded result', () => {
      assert.deepEqual(checkJob(computed(), job()), []);
    });

    it('says which job is missing, or what of it does not hold', () => {
      const cases: Array<[IJobStatusLike | null, string]> = [
        [
          null,
          `e3: the Ocean Node at http://127.0.0.1:8001 knows no compute job job-1234567890abcdef for ${OWNER}.`
        ],
        [
          job({ inputDID: ['did:op:9'] }),
          'e3: job job-1234…cdef ran on did:op:9, not did:op:1.'
        ],
        [
          job({ status: 31, statusText: 'Data provisioning failed' }),
          'e3: job job-1234…cdef is "Data provisioning failed" on the node, not finished with results.'
        ],
        [
          job({ results: [{ filename: 'other.csv', filesize: 42 }] }),
          'e3: job job-1234…cdef has no result summary.csv.'
        ],
        [
          job({ results: [{ filename: 'summary.csv', filesize: 43 }] }),
          'e3: the result summary.csv of job job-1234…cdef is 43 bytes on the node, not 42 as recorded.'
        ]
      ];
      for (const [answer, expected] of cases) {
        assert.deepEqual(checkJob(computed(), answer), [expected]);
      }
    });

    const readers = (job?: IJobStatusLike | null | { skipped: string }) => ({
      receipt: async () => receipt(),
      ddo: async () => ({
        id: 'did:op:1',
        services: [{ id: 'svc-1', datatokenAddress: DATATOKEN }]
      }),
      fileSha256: async () => null,
      ...(job === undefined
        ? {}
        : {
            job: async () =>
              job && 'skipped' in job ? job : { job: job as IJobStatusLike }
          })
    });

    it('checks the job where a reader can ask, and fails a wrong job id', async () => {
      const [good] = await verifyRecord(
        { version: 1, entries: [computed()] },
        readers(job())
      );
      assert.equal(good.ok, true);
      assert.deepEqual(good.checked, [
        'asset on the node',
        'order on chain',
        'ocean-results/job/summary.csv not at hand',
        'job job-1234…cdef and its 1 result on the node'
      ]);
      const [bad] = await verifyRecord(
        { version: 1, entries: [{ ...computed(), jobId: 'job-tampered' }] },
        readers(null)
      );
      assert.equal(bad.ok, false);
      assert.deepEqual(bad.problems, [
        `e3: the Ocean Node at http://127.0.0.1:8001 knows no compute job job-tampered for ${OWNER}.`
      ]);
    });

    it('says the job was not checked, never that it was, without the consumer', async () => {
      const [walletless] = await verifyRecord(
        { version: 1, entries: [computed()] },
        readers()
      );
      assert.equal(walletless.ok, true);
      assert.equal(walletless.checked.at(-1), JOB_NEEDS_WALLET);
      assert.equal(
        JOB_NEEDS_WALLET,
        "job not checked: needs the consumer's wallet"
      );
      // The command line says the same words.
      const python = fs.readFileSync(
        path.join(
          path.dirname(new URL(import.meta.url).pathname),
          '..',
          '..',
          'jupyterlab_ocean',
          'provenance.py'
        ),
        'utf8'
      );
      assert.ok(python.includes(`JOB_NEEDS_WALLET = "${JOB_NEEDS_WALLET}"`));
      const [other] = await verifyRecord(
        { version: 1, entries: [computed()] },
        readers({ skipped: 'not its consumer' })
      );
      assert.equal(other.checked.at(-1), 'job not checked: not its consumer');
      // A load has no job: nothing is said of one.
      const [load] = await verifyRecord(
        { version: 1, entries: [entry()] },
        readers()
      );
      assert.ok(!load.checked.some(line => line.includes('job')));
    });

    it('turns a failed status request into a sentence', async () => {
      const [failed] = await verifyRecord(
        { version: 1, entries: [computed()] },
        {
          ...readers(),
          job: async () => Promise.reject(new Error('node down'))
        }
      );
      assert.deepEqual(failed.problems, [
        'e3: could not check the job: node down'
      ]);
    });
  });
});
