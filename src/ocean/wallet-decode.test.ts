import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { nullTranslator } from '@jupyterlab/translation';
import { frenchCatalogue } from '../gettext.test-support';
import { useErrorTranslator } from '../errors';
import {
  Interface,
  MaxUint256,
  solidityPackedKeccak256,
  hexlify,
  toUtf8Bytes
} from 'ethers';
import {
  decodeCall,
  formatAmount,
  matchNodeRequest,
  NODE_COMMANDS,
  nodeCommandWords,
  nodeRequestHash,
  transactionWarnings,
  typedDataFields,
  verifyNodeHint
} from './wallet-decode';

const SPENDER = '0x1111111111111111111111111111111111111111';
const TOKEN = '0x2222222222222222222222222222222222222222';
const ME = '0xe2DD09d719Da89e5a3D0F2549c7E24566e947260';

const erc20 = new Interface([
  'function approve(address spender, uint256 amount)',
  'function transfer(address to, uint256 amount)'
]);

describe('decoding contract calls', () => {
  it('decodes the publisher calls My assets makes (withdraw, price, state)', () => {
    const exchange = new Interface([
      'function collectBT(bytes32 exchangeId, uint256 amount)',
      'function setRate(bytes32 exchangeId, uint256 newRate)'
    ]);
    const id = '0x' + 'ab'.repeat(32);
    const withdraw = decodeCall(
      exchange.encodeFunctionData('collectBT', [id, 2_500_000_000_000_000_000n])
    );
    assert.equal(withdraw?.name, 'collectBT');
    assert.equal(withdraw?.args[1].value, '2500000000000000000');
    assert.equal(
      decodeCall(exchange.encodeFunctionData('setRate', [id, 10n ** 18n]))
        ?.name,
      'setRate'
    );
  });

  it('decodes ERC-20 approve and transfer', () => {
    const approve = decodeCall(
      erc20.encodeFunctionData('approve', [SPENDER, 2002n * 10n ** 15n])
    );
    assert.equal(approve?.name, 'approve');
    assert.equal(approve?.signature, 'approve(address,uint256)');
    assert.equal(approve?.args[0].value, SPENDER);
    assert.equal(approve?.args[1].value, '2002000000000000000');
    assert.equal(
      formatAmount(BigInt(approve!.args[1].value as string), 18),
      '2.002'
    );
    const transfer = decodeCall(erc20.encodeFunctionData('transfer', [ME, 5n]));
    assert.equal(transfer?.name, 'transfer');
  });

  it("decodes Ocean's buyDT and startOrder with named tuple fields", () => {
    const fre = new Interface([
      'function buyDT(bytes32 exchangeId, uint256 datatokenAmount, uint256 maxBaseTokenAmount, address consumeMarketAddress, uint256 consumeMarketSwapFeeAmount)'
    ]);
    const exchangeId = '0x' + 'ab'.repeat(32);
    const buy = decodeCall(
      fre.encodeFunctionData('buyDT', [
        exchangeId,
        10n ** 18n,
        2002n * 10n ** 15n,
        SPENDER,
        0n
      ])
    );
    assert.equal(buy?.name, 'buyDT');
    assert.deepEqual(
      buy?.args.map(a => a.name),
      [
        'exchangeId',
        'datatokenAmount',
        'maxBaseTokenAmount',
        'consumeMarketAddress',
        'consumeMarketSwapFeeAmount'
      ]
    );

    // startOrder's real ABI comes from the bundled Ocean artifacts.
    const template = new Interface([
      'function startOrder(address consumer, uint256 serviceIndex, (address providerFeeAddress, address providerFeeToken, uint256 providerFeeAmount, uint8 v, bytes32 r, bytes32 s, uint256 validUntil, bytes providerData) _providerFee, (address consumeMarketFeeAddress, address consumeMarketFeeToken, uint256 consumeMarketFeeAmount) _consumeMarketFee)'
    ]);
    const data = template.encodeFunctionData('startOrder', [
      ME,
      0,
      [
        SPENDER,
        TOKEN,
        5n,
        27,
        '0x' + '00'.repeat(32),
        '0x' + '00'.repeat(32),
        0,
        '0x'
      ],
      [SPENDER, TOKEN, 0n]
    ]);
    const order = decodeCall(data);
    assert.equal(order?.name, 'startOrder');
    const fee = order!.args[2];
    assert.equal(fee.type, 'tuple');
    assert.ok(Array.isArray(fee.value));
    assert.deepEqual(
      (fee.value as { name: string }[]).slice(0, 3).map(v => v.name),
      ['providerFeeAddress', 'providerFeeToken', 'providerFeeAmount']
    );
  });

  it('decodes the factory call that publishes an asset', () => {
    const decoded = decodeCall(
      new Interface([
        'function createNftWithErc20((string name, string symbol, uint256 templateIndex, string tokenURI, bool transferable, address owner) _NftCreateData, (uint256 templateIndex, string[] strings, address[] addresses, uint256[] uints, bytes[] bytess) _ErcCreateData)'
      ]).encodeFunctionData('createNftWithErc20', [
        ['Weather 2024', 'WX', 1, 'https://x', true, ME],
        [1, ['DT1', 'DT'], [ME, ME, ME, TOKEN], [10n ** 20n, 0n], []]
      ])
    );
    assert.equal(decoded?.name, 'createNftWithErc20');
  });

  it('returns null for unknown calls and plain transfers', () => {
    assert.equal(decodeCall('0x'), null);
    assert.equal(decodeCall('0xdeadbeef00'), null);
  });
});

describe('warnings', () => {
  const base = { account: ME, to: TOKEN, value: 0n, chainId: 8996 };

  it('flags unlimited approvals and approvals to ordinary accounts', () => {
    const decoded = decodeCall(
      erc20.encodeFunctionData('approve', [SPENDER, MaxUint256])
    );
    const warnings = transactionWarnings({
      ...base,
      decoded,
      spenderIsAccount: true,
      tokenSymbol: 'OCEAN'
    });
    assert.equal(warnings.length, 2);
    assert.match(warnings[0], /Unlimited approval.*OCEAN/);
    assert.match(warnings[1], /ordinary account/);
    assert.equal(formatAmount(MaxUint256, 18), 'unlimited');
  });

  it('says nothing for a bounded approval to a contract', () => {
    const decoded = decodeCall(
      erc20.encodeFunctionData('approve', [SPENDER, 10n ** 18n])
    );
    assert.deepEqual(
      transactionWarnings({ ...base, decoded, spenderIsAccount: false }),
      []
    );
  });

  it('flags a chain mismatch and tokens sent to the token contract', () => {
    const decoded = decodeCall(
      erc20.encodeFunctionData('transfer', [TOKEN, 1n])
    );
    const warnings = transactionWarnings({
      ...base,
      decoded,
      requestedChainId: 1
    });
    assert.match(warnings[0], /Chain mismatch.*chain 1.*chain 8996/);
    assert.match(warnings[1], /token contract itself/);
  });
});

describe("Ocean Node's signed commands", () => {
  it('hashes exactly as @oceanprotocol/lib signs (keccak of consumer+nonce+command)', () => {
    const libStyle = solidityPackedKeccak256(
      ['bytes'],
      [hexlify(toUtf8Bytes(`${ME}5createAuthToken`))]
    );
    assert.equal(nodeRequestHash(ME, 5, 'createAuthToken'), libStyle);
  });

  it('finds the command and nonce behind a hash', () => {
    const hash = nodeRequestHash(ME, 8, 'download');
    const match = matchNodeRequest(hash, ME, [7, 8, 9]);
    assert.equal(match?.command, 'download');
    assert.equal(match?.nonce, '8');
    assert.match(match!.description, /download/);
    // Lower-case consumers (older clients) match too.
    const lower = nodeRequestHash(ME.toLowerCase(), 3, 'encrypt');
    assert.equal(matchNodeRequest(lower, ME, [3])?.command, 'encrypt');
    assert.equal(matchNodeRequest(hash, ME, [1, 2]), null);
  });

  it("accepts a caller's hint only when the hash really is that request", () => {
    const hash = nodeRequestHash(ME, 12, 'download');
    assert.equal(
      verifyNodeHint(hash, ME, { command: 'download', nonce: 12 }),
      true
    );
    assert.equal(
      verifyNodeHint(hash, ME, { command: 'encrypt', nonce: 12 }),
      false
    );
    assert.equal(
      verifyNodeHint(hash, ME, { command: 'download', nonce: 13 }),
      false
    );
  });
});

describe('typed data', () => {
  it('flattens domain and message into labelled fields', () => {
    const rows = typedDataFields({
      domain: { name: 'Permit', chainId: 8996 },
      primaryType: 'Permit',
      message: { owner: ME, value: '5', nested: { deadline: 9 } }
    });
    assert.deepEqual(rows, [
      { label: 'domain.name', value: 'Permit' },
      { label: 'domain.chainId', value: '8996' },
      { label: 'type', value: 'Permit' },
      { label: 'message.owner', value: ME },
      { label: 'message.value', value: '5' },
      { label: 'message.nested.deadline', value: '9' }
    ]);
  });
});

describe('in the lab’s language', () => {
  after(() => useErrorTranslator(nullTranslator.load('jupyterlab_ocean')));

  it('words every command of the node table, in English as the table says', () => {
    const commands = Object.keys(NODE_COMMANDS);
    assert.ok(commands.length > 10);
    for (const command of commands) {
      assert.equal(nodeCommandWords(command), NODE_COMMANDS[command], command);
    }
    assert.equal(nodeCommandWords('noSuchCommand'), undefined);
  });

  it('words the warnings and node commands from a real gettext catalogue', () => {
    useErrorTranslator(
      frenchCatalogue({
        'Unlimited approval: %1 could spend all of your %2, now and later, until you revoke it.':
          'Autorisation illimitée : %1 pourrait dépenser tout votre %2, tant que vous ne la révoquez pas.',
        'sign in to the Ocean Node (a token for downloads and compute jobs)':
          'se connecter au nœud Ocean (un jeton pour les téléchargements et les calculs)'
      })
    );
    const approve = new Interface([
      'function approve(address spender, uint256 amount)'
    ]);
    const warnings = transactionWarnings({
      account: ME,
      to: TOKEN,
      value: 0n,
      chainId: 8996,
      tokenSymbol: 'OCEAN',
      decoded: decodeCall(
        approve.encodeFunctionData('approve', [SPENDER, MaxUint256])
      )
    });
    assert.deepEqual(warnings, [
      `Autorisation illimitée : ${SPENDER} pourrait dépenser tout votre OCEAN, tant que vous ne la révoquez pas.`
    ]);
    assert.equal(
      nodeCommandWords('createAuthToken'),
      'se connecter au nœud Ocean (un jeton pour les téléchargements et les calculs)'
    );
  });
});
