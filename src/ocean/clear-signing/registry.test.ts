/**
 * The Ocean descriptors against their tests in the ERC-7730 registry's
 * format (tests/*.tests.json: a raw unsigned transaction and a data
 * provider → the expected intent, interpolated intent, owner and fields),
 * run the way the registry's runners run them, plus: every contract call
 * the extension makes has a descriptor, and the node table covers every
 * node request the extension signs.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FunctionFragment, Interface, Transaction } from 'ethers';
import {
  descriptorFor,
  mergeIncludes,
  NODE_COMMAND_TABLE,
  OCEAN_DESCRIPTORS,
  renderNodeCommand,
  renderTransaction,
  type IDescriptor
} from './index';
import { NODE_COMMANDS } from '../wallet-decode';

const here = dirname(fileURLToPath(import.meta.url));
const testsDir = join(here, 'tests');

function readDescriptor(path: string): IDescriptor {
  const file = JSON.parse(readFileSync(path, 'utf8')) as IDescriptor;
  return file.includes
    ? mergeIncludes(file, readDescriptor(join(dirname(path), file.includes)))
    : file;
}

for (const name of readdirSync(testsDir).filter(f =>
  f.endsWith('.tests.json')
)) {
  const suite = JSON.parse(readFileSync(join(testsDir, name), 'utf8'));
  describe(`clear signing: ${name}`, () => {
    for (const test of suite.tests) {
      it(test.description, () => {
        if (test.request) {
          assert.deepEqual(renderNodeCommand(test.request), test.expected);
          return;
        }
        const descriptor = readDescriptor(resolve(testsDir, suite.descriptor));
        const tx = Transaction.from(test.rawTx);
        const rendered = renderTransaction(
          descriptor,
          {
            to: tx.to!,
            data: tx.data,
            value: tx.value,
            chainId: Number(tx.chainId),
            from: test.from
          },
          {
            tokens: suite.dataProvider?.tokens ?? {},
            addressNames: suite.dataProvider?.addressNames ?? {}
          }
        );
        assert.ok(rendered, 'a format matches the transaction');
        assert.deepEqual(
          {
            ...rendered,
            fields: rendered.fields.map(({ label, value }) => ({
              label,
              value
            }))
          },
          test.expected
        );
        // The wallet finds the same descriptor for this transaction.
        assert.equal(
          descriptorFor({
            to: tx.to!,
            data: tx.data,
            chainId: Number(tx.chainId)
          })?.name,
          suite.descriptor.split('/').pop()
        );
      });
    }
  });
}

describe('clear signing covers what the extension does', () => {
  it('every format has a test, and every file is the one the wallet loads', () => {
    const tested = new Set<string>();
    for (const name of readdirSync(testsDir)) {
      const suite = JSON.parse(readFileSync(join(testsDir, name), 'utf8'));
      for (const test of suite.tests) {
        if (test.rawTx)
          tested.add(Transaction.from(test.rawTx).data.slice(0, 10));
        if (test.request) tested.add(test.request.command);
      }
    }
    for (const [name, descriptor] of Object.entries(OCEAN_DESCRIPTORS)) {
      assert.deepEqual(
        descriptor,
        readDescriptor(join(here, 'descriptors', name)),
        name
      );
    }
    const untested = Object.values(OCEAN_DESCRIPTORS)
      .flatMap(descriptor =>
        Object.keys(descriptor.display.formats).map(key => ({
          key,
          selector: FunctionFragment.from(`function ${key}`).selector
        }))
      )
      .filter(entry => !tested.has(entry.selector))
      .map(entry => entry.key);
    assert.deepEqual(untested, []);
  });

  it('every contract call the extension makes has a descriptor', () => {
    // What client.ts, compute.ts, publish.ts, manage.ts and the panel send.
    const calls = [
      'approve(address,uint256)',
      'transfer(address,uint256)',
      'buyDT(bytes32,uint256,uint256,address,uint256)',
      'dispense(address,uint256,address)',
      'startOrder(address,uint256,(address,address,uint256,uint8,bytes32,bytes32,uint256,bytes),(address,address,uint256))',
      'reuseOrder(bytes32,(address,address,uint256,uint8,bytes32,bytes32,uint256,bytes))',
      'createNftWithErc20WithFixedRate((string,string,uint256,string,bool,address),(uint256,string[],address[],uint256[],bytes[]),(address,address[],uint256[]))',
      'createNftWithErc20WithDispenser((string,string,uint256,string,bool,address),(uint256,string[],address[],uint256[],bytes[]),(address,uint256,uint256,bool,address))',
      'setMetaData(uint8,string,string,bytes,bytes,bytes32,(address,uint8,bytes32,bytes32)[])',
      'setMetaDataState(uint8)',
      'collectBT(bytes32,uint256)',
      'setRate(bytes32,uint256)'
    ];
    for (const call of calls) {
      const selector = FunctionFragment.from(`function ${call}`).selector;
      assert.ok(
        descriptorFor({
          to: '0x0000000000000000000000000000000000000001',
          data: selector,
          chainId: 8996
        }),
        call
      );
    }
  });

  it('the node table is where the wallet’s node words come from', () => {
    assert.deepEqual(
      Object.keys(NODE_COMMANDS).sort(),
      Object.keys(NODE_COMMAND_TABLE.display.formats).sort()
    );
    for (const [command, words] of Object.entries(NODE_COMMANDS)) {
      assert.equal(
        `Ocean Node request: ${words}`,
        NODE_COMMAND_TABLE.display.formats[command].interpolatedIntent
      );
    }
  });
});

describe('clear signing of the caller’s strings', () => {
  it('makes a bidi override or a line break in a name to publish visible, in the intent and the fields', () => {
    const key = Object.keys(
      OCEAN_DESCRIPTORS['calldata-ERC721Factory.json'].display.formats
    ).find(name => name.startsWith('createNftWithErc20('))!;
    const fragment = FunctionFragment.from(`function ${key}`);
    const owner = '0xe2DD09d719Da89e5a3D0F2549c7E24566e947260';
    // On screen U+202E would turn the rest around; U+2028 starts a new line.
    const name = 'Weather \u202eFREE\u202c\u2028sold at 0 each';
    const data = new Interface([fragment]).encodeFunctionData(fragment, [
      [name, 'WX', 1, 'https://example.org', true, owner],
      [1, ['Token', 'DT'], [owner, owner, owner, owner], [0, 0], []]
    ]);
    const rendered = renderTransaction(
      OCEAN_DESCRIPTORS['calldata-ERC721Factory.json'],
      {
        to: '0x645439117eB378a6d35148452E287a038666Ed67',
        data,
        value: 0n,
        chainId: 8996,
        from: owner
      },
      { tokens: {}, addressNames: {} }
    )!;
    const shown = 'Weather ⟨U+202E⟩FREE⟨U+202C⟩⟨U+2028⟩sold at 0 each';
    assert.ok(rendered.interpolatedIntent?.includes(shown));
    assert.equal(
      rendered.fields.find(field => field.label === 'Data NFT name')?.value,
      shown
    );
  });
});
