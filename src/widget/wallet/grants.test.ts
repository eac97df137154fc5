import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Interface, parseUnits, ZeroAddress } from 'ethers';
import type { IWalletRequester } from '../../tokens';
import { ERC20_WRITES } from '../../ocean/erc20';
import { OCEAN_CALL_ABI } from '../../ocean/wallet-abis';
import { frenchCatalogue } from '../../gettext.test-support';
import {
  GrantBook,
  grantScopeWords,
  type IGrantChain,
  type IGrantContracts
} from './grants';

const CONTRACTS: IGrantContracts = {
  nftFactory: '0x1000000000000000000000000000000000000001',
  fixedRateExchange: '0x1000000000000000000000000000000000000002',
  dispenser: '0x1000000000000000000000000000000000000003',
  ocean: '0x1000000000000000000000000000000000000004'
};
const DATATOKEN = '0x2000000000000000000000000000000000000001';
const NFT = '0x2000000000000000000000000000000000000002';
const STRANGER = '0x3000000000000000000000000000000000000003';
const ACCOUNT = '0x4000000000000000000000000000000000000004';
const NODE = 'http://127.0.0.1:8001';

// The factory's own answers, as erc20List / erc721List / getExchange give them.
const chain: IGrantChain = {
  isDatatoken: async (_factory, address) =>
    address.toLowerCase() === DATATOKEN.toLowerCase(),
  isDataNft: async (_factory, address) =>
    address.toLowerCase() === NFT.toLowerCase(),
  exchangeBaseToken: async () => CONTRACTS.ocean
};

const calls = new Interface([...ERC20_WRITES, ...OCEAN_CALL_ABI]);
const approve = (spender: string, amount: string) =>
  calls.encodeFunctionData('approve', [spender, parseUnits(amount, 18)]);
const buy = (max: string) =>
  calls.encodeFunctionData('buyDT', [
    '0x' + '11'.repeat(32),
    parseUnits('1', 18),
    parseUnits(max, 18),
    ZeroAddress,
    0
  ]);
const order = (fee = 0n) =>
  calls.encodeFunctionData('startOrder', [
    ACCOUNT,
    0,
    [
      ZeroAddress,
      CONTRACTS.ocean,
      fee,
      0,
      '0x' + '00'.repeat(32),
      '0x' + '00'.repeat(32),
      0,
      '0x'
    ],
    [ZeroAddress, ZeroAddress, 0]
  ]);

function setUp(now = { t: 1_000_000 }, reader = chain) {
  const book = new GrantBook(
    () => reader,
    () => now.t
  );
  const ended = new AbortController();
  const requester: IWalletRequester = {
    kind: 'kernel',
    label: 'analysis.ipynb (Python 3)',
    session: { id: 'session-1', ended: ended.signal }
  };
  const context = { requester, chainId: 8996, account: ACCOUNT };
  const grant = book.create(
    context,
    { minutes: 15, cap: parseUnits('5', 18) },
    {
      networkName: 'Local stack',
      contracts: CONTRACTS,
      nodes: [NODE + '/'],
      tokenSymbol: 'OCEAN',
      tokenDecimals: 18
    }
  );
  return { book, context, ended, grant, now };
}

const tx = (to: string, data: string, value = 0n) => ({
  kind: 'transaction' as const,
  to,
  data,
  value
});

describe('notebook grants', () => {
  it('covers approve + buy + order inside the cap, counting approve and buy once', async () => {
    const { book, context } = setUp();
    for (const [to, data] of [
      [CONTRACTS.ocean, approve(CONTRACTS.fixedRateExchange, '2.002')],
      [CONTRACTS.fixedRateExchange, buy('2.002')],
      [DATATOKEN, order()]
    ]) {
      const check = await book.check(context, tx(to, data));
      assert.ok(check.covered, (check as { reason?: string }).reason);
      book.record(check.use);
    }
    const [grant] = book.list();
    assert.equal(grant.spent, parseUnits('2.002', 18));
    assert.equal(grant.uses, 3);
  });

  it('refuses more than the cap, other contracts, native value and unknown calls', async () => {
    const { book, context } = setUp();
    const cases: Array<[string, string, bigint, RegExp]> = [
      [
        CONTRACTS.ocean,
        approve(CONTRACTS.fixedRateExchange, '6'),
        0n,
        /more than/
      ],
      [CONTRACTS.ocean, approve(STRANGER, '1'), 0n, /not one of Ocean/],
      [STRANGER, order(), 0n, /not one of Ocean/],
      [
        CONTRACTS.ocean,
        calls.encodeFunctionData('transfer', [STRANGER, 1n]),
        0n,
        /not a call a grant covers/
      ],
      [CONTRACTS.dispenser, '0x', 1n, /own coin/],
      [CONTRACTS.dispenser, '0xdeadbeef', 0n, /cannot decode/],
      [DATATOKEN, order(parseUnits('9', 18)), 0n, /more than/]
    ];
    for (const [to, data, value, reason] of cases) {
      const check = await book.check(context, tx(to, data, value));
      assert.equal(check.covered, false);
      assert.match((check as { reason: string }).reason, reason);
    }
    // Buying past what the approvals counted adds the rest to the spending.
    const first = await book.check(
      context,
      tx(CONTRACTS.fixedRateExchange, buy('4'))
    );
    assert.ok(first.covered);
    book.record(first.use);
    const second = await book.check(
      context,
      tx(CONTRACTS.fixedRateExchange, buy('2'))
    );
    assert.equal(second.covered, false);
  });

  it('never covers a raw message, another node, or a command it does not list', async () => {
    const { book, context } = setUp();
    const node = (command: string, url = NODE) => ({
      kind: 'nodeRequest' as const,
      command,
      node: url
    });
    assert.ok((await book.check(context, node('download'))).covered);
    assert.ok((await book.check(context, node('createAuthToken'))).covered);
    assert.equal(
      (await book.check(context, node('download', 'http://127.0.0.1:9999')))
        .covered,
      false
    );
    assert.equal(
      (await book.check(context, node('persistentStorageDeleteFile'))).covered,
      false
    );
    assert.equal(
      (await book.check(context, { kind: 'other', what: 'Signing a message' }))
        .covered,
      false
    );
  });

  it('belongs to one kernel session, network and account, and ends with it', async () => {
    const { book, context, ended, now, grant } = setUp();
    const dispense = tx(
      CONTRACTS.dispenser,
      calls.encodeFunctionData('dispense', [
        DATATOKEN,
        parseUnits('1', 18),
        ACCOUNT
      ])
    );
    assert.ok((await book.check(context, dispense)).covered);
    const other = {
      ...context,
      requester: {
        ...context.requester,
        session: { id: 'session-2', ended: new AbortController().signal }
      }
    };
    assert.equal((await book.check(other, dispense)).covered, false);
    // The same id with a signal of its own is not the session.
    const copied = {
      ...context,
      requester: {
        ...context.requester,
        session: { id: 'session-1', ended: new AbortController().signal }
      }
    };
    assert.equal((await book.check(copied, dispense)).covered, false);
    assert.equal(
      (await book.check({ ...context, chainId: 1 }, dispense)).covered,
      false
    );
    assert.equal(
      (await book.check({ ...context, account: STRANGER }, dispense)).covered,
      false
    );
    assert.equal(
      (
        await book.check(
          { ...context, requester: { kind: 'panel', label: 'Ocean panel' } },
          dispense
        )
      ).covered,
      false
    );
    // Expiry.
    now.t = grant.expiresAt;
    assert.equal((await book.check(context, dispense)).covered, false);
    assert.deepEqual(book.list(), []);
    // Kernel restart (the session's signal) and revoke.
    const again = setUp();
    again.ended.abort();
    assert.deepEqual(again.book.list(), []);
    const third = setUp();
    third.book.revoke(third.grant.id);
    assert.equal(
      (await third.book.check(third.context, dispense)).covered,
      false
    );
    const fourth = setUp();
    fourth.book.clear();
    assert.deepEqual(fourth.book.list(), []);
    void ended;
  });

  it("covers a publisher's datatoken minted to its own account, never to another", async () => {
    const { book, context } = setUp();
    const mint = (to: string) =>
      calls.encodeFunctionData('mint', [to, parseUnits('1', 18)]);
    const own = await book.check(context, tx(DATATOKEN, mint(ACCOUNT)));
    assert.ok(own.covered, (own as { reason?: string }).reason);
    book.record(own.use);
    const order1 = await book.check(context, tx(DATATOKEN, order()));
    assert.ok(order1.covered);
    const other = await book.check(context, tx(DATATOKEN, mint(STRANGER)));
    assert.equal(other.covered, false);
    assert.match((other as { reason: string }).reason, /not for your account/);
    const elsewhere = await book.check(context, tx(STRANGER, mint(ACCOUNT)));
    assert.equal(elsewhere.covered, false);
    assert.equal(book.list()[0].spent, 0n);
  });

  it('covers publishing calls only on the factory and its data NFTs', async () => {
    const { book, context } = setUp();
    const setState = calls.encodeFunctionData('setMetaDataState', [1]);
    assert.ok((await book.check(context, tx(NFT, setState))).covered);
    assert.equal(
      (await book.check(context, tx(STRANGER, setState))).covered,
      false
    );
    const addManager = calls.encodeFunctionData('addManager', [STRANGER]);
    assert.equal(
      (await book.check(context, tx(NFT, addManager))).covered,
      false
    );
  });

  it('never approves a token the factory calls a datatoken, uncounted', async () => {
    // The factory is found through the Ocean Node's DDOs: one that answers
    // "datatoken" for any address (as a node's own contract may) would have
    // had an unlimited approval of any token to the "exchange" covered at 0.
    const { book, context } = setUp(undefined, {
      ...chain,
      isDatatoken: async () => true
    });
    const unlimited = calls.encodeFunctionData('approve', [
      CONTRACTS.fixedRateExchange,
      (1n << 256n) - 1n
    ]);
    for (const token of [STRANGER, DATATOKEN]) {
      const check = await book.check(context, tx(token, unlimited));
      assert.equal(check.covered, false, token);
    }
    // OCEAN's own approval is still counted against the cap.
    assert.equal(
      (await book.check(context, tx(CONTRACTS.ocean, unlimited))).covered,
      false
    );
  });

  it('is only offered for a live kernel session', () => {
    const { book } = setUp();
    const ended = new AbortController();
    ended.abort();
    assert.equal(book.canOffer({ kind: 'panel', label: 'Ocean panel' }), false);
    assert.equal(book.canOffer({ kind: 'kernel', label: 'k' }), false);
    assert.equal(
      book.canOffer({
        kind: 'kernel',
        label: 'k',
        session: { id: 'x', ended: ended.signal }
      }),
      false
    );
  });
});

describe('a batch under a grant', () => {
  it('is covered as a whole, or not at all', async () => {
    const { book, context } = setUp();
    const buyBatch = [
      tx(CONTRACTS.ocean, approve(CONTRACTS.fixedRateExchange, '2')),
      tx(CONTRACTS.fixedRateExchange, buy('2')),
      tx(DATATOKEN, order())
    ];
    const check = await book.checkAll(context, buyBatch);
    assert.ok(check.covered);
    book.record(check.use);
    const [grant] = book.list();
    assert.equal(grant.spent, parseUnits('2', 18));
    assert.equal(grant.uses, 3);
    // The same again would pass the 5 OCEAN cap on its second round.
    assert.ok((await book.checkAll(context, buyBatch)).covered);
    const twice = await book.checkAll(context, [...buyBatch, ...buyBatch]);
    assert.equal(twice.covered, false);
    const stranger = await book.checkAll(context, [
      ...buyBatch,
      tx(STRANGER, order())
    ]);
    assert.equal(stranger.covered, false);
  });
});

describe('grant words in the lab’s language', () => {
  it('says why a request is not covered, and what a grant covers, through the translator', async () => {
    const trans = frenchCatalogue({
      'It would spend %1 %2, more than the %3 %2 left in the grant.':
        'Cela dépenserait %1 %2, plus que les %3 %2 restants.',
      '• spend at most %1 %2 in all (approvals, purchases and fees counted);':
        '• dépensent au plus %1 %2 en tout ;'
    });
    const book = new GrantBook(() => chain, Date.now, trans);
    const requester: IWalletRequester = {
      kind: 'kernel',
      label: 'analysis.ipynb (Python 3)',
      session: { id: 'session-1', ended: new AbortController().signal }
    };
    const context = { requester, chainId: 8996, account: ACCOUNT };
    const facts = {
      networkName: 'Local stack',
      contracts: CONTRACTS,
      nodes: [NODE],
      tokenSymbol: 'OCEAN',
      tokenDecimals: 18
    };
    book.create(context, { minutes: 15, cap: parseUnits('5', 18) }, facts);
    const check = await book.check(context, {
      kind: 'transaction',
      to: CONTRACTS.fixedRateExchange,
      value: 0n,
      data: buy('7')
    });
    assert.deepEqual(check, {
      covered: false,
      reason: 'Cela dépenserait 7 OCEAN, plus que les 5 OCEAN restants.'
    });
    const scope = grantScopeWords(
      { label: requester.label, cap: '5', ...facts },
      trans
    );
    assert.equal(scope[1], '• dépensent au plus 5 OCEAN en tout ;');
  });
});
