/**
 * The wallet's simulation (src/ocean/simulation.ts) against the local chain: Hardhat's EDR
 * refuses eth_simulateV1, so the transaction is traced with debug_traceCall, and the
 * account's balance changes are read from the trace. A buy on a fixed-rate exchange shows
 * exactly the OCEAN the exchange takes (price plus fees) and the one datatoken it gives; a
 * transfer of more than the balance is a revert with the token's own reason; on a network
 * that only answers eth_call the dialog knows whether it would fail but not the changes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Contract, Interface, type JsonRpcProvider, parseUnits } from 'ethers';
import { NftFactory, getEventFromTx } from '@oceanprotocol/lib';

import { simulateTransaction } from '../../src/ocean/simulation';
import {
  describeSimulation,
  describeTransaction
} from '../../src/widget/wallet/describe';
import { ACCOUNTS, type TestChain } from '../../stack/test/helpers.ts';
import { CHAIN_ID, wallet } from '../../stack/test/node-support.ts';
import { startLocalStack, type ILocalStack } from './support';

const ZERO = '0x0000000000000000000000000000000000000000';
const FRE_ABI = [
  'function buyDT(bytes32 exchangeId, uint256 datatokenAmount, uint256 maxBaseTokenAmount, address consumeMarketAddress, uint256 consumeMarketSwapFeeAmount)',
  'function calcBaseInGivenOutDT(bytes32 exchangeId, uint256 datatokenAmount, uint256 consumeMarketSwapFeeAmount) view returns (uint256 baseTokenAmount, uint256 oceanFeeAmount, uint256 publishMarketFeeAmount, uint256 consumeMarketFeeAmount)'
];
const ERC20 = new Interface([
  'function approve(address spender, uint256 value)',
  'function transfer(address to, uint256 value)'
]);

let stack: ILocalStack;
let chain: TestChain;
let provider: JsonRpcProvider;
let datatoken: string;
let exchangeId: string;
let dataNft: string;

before(async () => {
  stack = await startLocalStack({
    node: false,
    provider: { batchMaxCount: 1 }
  });
  ({ chain, provider } = stack);
  const publisher = wallet(ACCOUNTS.publisher.privateKey, chain.rpcUrl);
  const owner = ACCOUNTS.publisher.address;
  const created = await new NftFactory(
    chain.addresses.ERC721Factory,
    publisher,
    CHAIN_ID
  ).createNftWithDatatokenWithFixedRate(
    {
      name: 'Weather 2024',
      symbol: 'WEA',
      templateIndex: 1,
      tokenURI: 'https://example.invalid/nft',
      transferable: true,
      owner
    },
    {
      templateIndex: 1,
      cap: '100000',
      feeAmount: '0',
      paymentCollector: owner,
      feeToken: chain.addresses.Ocean,
      minter: owner,
      mpFeeAddress: ZERO,
      name: 'Weather 2024 DT',
      symbol: 'WDT'
    },
    {
      fixedRateAddress: chain.addresses.FixedPrice,
      baseTokenAddress: chain.addresses.Ocean,
      owner,
      marketFeeCollector: owner,
      baseTokenDecimals: 18,
      datatokenDecimals: 18,
      fixedRate: '2',
      marketFee: '0',
      allowedConsumer: ZERO,
      withMint: true
    }
  );
  const receipt = await (created as any).wait();
  datatoken = getEventFromTx(receipt, 'TokenCreated').args.newTokenAddress;
  dataNft = getEventFromTx(receipt, 'NFTCreated').args.newTokenAddress;
  exchangeId = getEventFromTx(receipt, 'NewFixedRate').args.exchangeId;
});

after(async () => {
  await stack?.stop();
});

describe('simulation before signing, on the local chain', () => {
  it('a buy shows exactly the OCEAN paid and the datatoken received', async () => {
    const consumer = wallet(ACCOUNTS.consumer.privateKey, chain.rpcUrl);
    const exchange = new Contract(
      chain.addresses.FixedPrice,
      FRE_ABI,
      provider
    );
    const quote = await exchange.calcBaseInGivenOutDT(
      exchangeId,
      parseUnits('1', 18),
      0
    );
    const cost: bigint = quote.baseTokenAmount;
    // 2 OCEAN and the community fee (0.1 %): the number the dialog must show.
    assert.equal(cost, parseUnits('2.002', 18));
    await (
      await consumer.sendTransaction({
        to: chain.addresses.Ocean,
        data: ERC20.encodeFunctionData('approve', [
          chain.addresses.FixedPrice,
          cost
        ])
      })
    ).wait();
    const simulation = await simulateTransaction(
      provider,
      {
        from: ACCOUNTS.consumer.address,
        to: chain.addresses.FixedPrice,
        data: exchange.interface.encodeFunctionData('buyDT', [
          exchangeId,
          parseUnits('1', 18),
          cost,
          ZERO,
          0
        ]),
        value: 0n
      },
      { local: true }
    );
    assert.equal(simulation.outcome, 'success');
    assert.equal(simulation.method, 'debug_traceCall');
    const byToken = Object.fromEntries(
      (simulation.changes ?? []).map(change => [
        String(change.token).toLowerCase(),
        change.delta
      ])
    );
    assert.deepEqual(byToken, {
      [chain.addresses.Ocean.toLowerCase()]: -parseUnits('2.002', 18),
      [datatoken.toLowerCase()]: parseUnits('1', 18)
    });
    // The dialog's words: the descriptor's sentence with the flow's name for
    // the exchange, and the simulated changes in units.
    const network = {
      key: 'local',
      name: 'Local',
      chainId: CHAIN_ID,
      rpcUrl: chain.rpcUrl,
      nodeUrl: 'http://127.0.0.1:1',
      oceanTokenAddress: chain.addresses.Ocean,
      nativeSymbol: 'ETH'
    };
    const book = {
      names: {
        [chain.addresses.FixedPrice.toLowerCase()]:
          'the fixed-rate exchange selling Weather 2024',
        [chain.addresses.Ocean.toLowerCase()]: 'OCEAN token'
      }
    };
    const described = await describeTransaction({
      provider,
      network,
      account: ACCOUNTS.consumer.address,
      to: chain.addresses.FixedPrice,
      value: 0n,
      data: exchange.interface.encodeFunctionData('buyDT', [
        exchangeId,
        parseUnits('1', 18),
        cost,
        ZERO,
        0
      ]),
      book
    });
    assert.equal(
      described.summary,
      'Buy 1 datatoken from the fixed-rate exchange selling Weather 2024, paying at most 2.002 OCEAN (fees included).'
    );
    const words = await describeSimulation(provider, simulation, network, book);
    // The contracts reached name themselves when they are tokens.
    assert.ok(
      words.touched.includes(`${datatoken} (Weather 2024 DT, WDT)`),
      words.touched.join(' | ')
    );
    assert.deepEqual(words.changes, [
      '−2.002 OCEAN (Ocean Token)',
      '+1 WDT (Weather 2024 DT)'
    ]);
    const touched = (simulation.touched ?? []).map(a => a.toLowerCase());
    for (const address of [
      chain.addresses.FixedPrice,
      chain.addresses.Ocean,
      datatoken
    ]) {
      assert.ok(touched.includes(address.toLowerCase()), `${address} touched`);
    }
  });

  it('a transfer of more than the balance is a revert with the token’s reason', async () => {
    const simulation = await simulateTransaction(
      provider,
      {
        from: ACCOUNTS.consumer.address,
        to: chain.addresses.Ocean,
        data: ERC20.encodeFunctionData('transfer', [
          ACCOUNTS.publisher.address,
          parseUnits('1000000000', 18)
        ]),
        value: 0n
      },
      { local: true }
    );
    assert.equal(simulation.outcome, 'revert');
    assert.equal(
      simulation.revertReason,
      'ERC20: transfer amount exceeds balance'
    );
  });

  it('elsewhere eth_call alone: whether it fails, and no balance changes', async () => {
    const call = {
      from: ACCOUNTS.consumer.address,
      to: chain.addresses.Ocean,
      data: ERC20.encodeFunctionData('transfer', [
        ACCOUNTS.publisher.address,
        1n
      ]),
      value: 0n
    };
    const ok = await simulateTransaction(provider, call);
    assert.equal(ok.method, 'eth_call');
    assert.equal(ok.outcome, 'success');
    assert.equal(ok.changes, null);
    assert.match(ok.note ?? '', /no balance changes/);
    const failing = await simulateTransaction(provider, {
      ...call,
      data: ERC20.encodeFunctionData('transfer', [
        ACCOUNTS.publisher.address,
        parseUnits('1000000000', 18)
      ])
    });
    assert.equal(failing.outcome, 'revert');
    assert.equal(
      failing.revertReason,
      'ERC20: transfer amount exceeds balance'
    );
  });

  it('a data NFT is worded as an NFT, its state change from its descriptor', async () => {
    const network = {
      key: 'local',
      name: 'Local',
      chainId: CHAIN_ID,
      rpcUrl: chain.rpcUrl,
      nodeUrl: 'http://127.0.0.1:1',
      nativeSymbol: 'ETH'
    };
    const words = (data: string) =>
      describeTransaction({
        provider,
        network,
        account: ACCOUNTS.publisher.address,
        to: dataNft,
        value: 0n,
        data,
        book: { names: {} }
      });
    // approve shares its selector with ERC-20's: an NFT keeps its own words.
    const approval = await words(
      ERC20.encodeFunctionData('approve', [ACCOUNTS.consumer.address, 1n])
    );
    assert.match(
      approval.summary,
      /^Allow 0x[0-9a-fA-F]{40} to move NFT #1 of WEA\.$/
    );
    const state = await words(
      new Interface([
        'function setMetaDataState(uint8 _metaDataState)'
      ]).encodeFunctionData('setMetaDataState', [5])
    );
    assert.equal(
      state.summary,
      `Set ${dataNft} to unlisted (orderable, not shown in markets).`
    );
  });

  it('an exchange priced in another token is worded in that token, read from the exchange', async () => {
    const publisher = wallet(ACCOUNTS.publisher.privateKey, chain.rpcUrl);
    const owner = ACCOUNTS.publisher.address;
    const created = await new NftFactory(
      chain.addresses.ERC721Factory,
      publisher,
      CHAIN_ID
    ).createNftWithDatatokenWithFixedRate(
      {
        name: 'Priced in DAI',
        symbol: 'DAI1',
        templateIndex: 1,
        tokenURI: 'https://example.invalid/nft',
        transferable: true,
        owner
      },
      {
        templateIndex: 1,
        cap: '100000',
        feeAmount: '0',
        paymentCollector: owner,
        feeToken: chain.addresses.MockDAI,
        minter: owner,
        mpFeeAddress: ZERO,
        name: 'Priced in DAI DT',
        symbol: 'PDT'
      },
      {
        fixedRateAddress: chain.addresses.FixedPrice,
        baseTokenAddress: chain.addresses.MockDAI,
        owner,
        marketFeeCollector: owner,
        baseTokenDecimals: 18,
        datatokenDecimals: 18,
        fixedRate: '3',
        marketFee: '0',
        allowedConsumer: ZERO,
        withMint: true
      }
    );
    const receipt = await (created as any).wait();
    const daiExchange = getEventFromTx(receipt, 'NewFixedRate').args.exchangeId;
    const described = await describeTransaction({
      provider,
      network: {
        key: 'local',
        name: 'Local',
        chainId: CHAIN_ID,
        rpcUrl: chain.rpcUrl,
        nodeUrl: 'http://127.0.0.1:1',
        oceanTokenAddress: chain.addresses.Ocean,
        nativeSymbol: 'ETH'
      },
      account: ACCOUNTS.consumer.address,
      to: chain.addresses.FixedPrice,
      value: 0n,
      data: new Interface(FRE_ABI).encodeFunctionData('buyDT', [
        daiExchange,
        parseUnits('1', 18),
        parseUnits('3.003', 18),
        ZERO,
        0
      ]),
      book: { names: {} }
    });
    const dai = await new Contract(
      chain.addresses.MockDAI,
      ['function symbol() view returns (string)'],
      provider
    ).symbol();
    assert.match(
      described.summary,
      new RegExp(`paying at most 3\\.003 ${dai} \\(fees included\\)\\.$`)
    );
    assert.doesNotMatch(described.summary, /OCEAN/);
  });
});
