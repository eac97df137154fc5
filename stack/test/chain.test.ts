import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Contract, formatEther } from 'ethers';

import { ACCOUNTS, DEV_ACCOUNTS } from '../src/accounts.ts';
import { startChain } from '../src/chain.ts';
import {
  EXPECTED_OCEAN_ADDRESS,
  isDeployedOn,
  loadArtifact,
  localProvider,
  readDevelopmentAddresses
} from '../src/deploy.ts';
import { rpc, startTestChain, type TestChain } from './helpers.ts';

describe('dev accounts', () => {
  it("derive Ocean's barge development addresses from the dev mnemonic", () => {
    // These two are the well-known owner/publisher of Ocean's barge network.
    assert.equal(
      ACCOUNTS.deployer.address,
      '0xe2DD09d719Da89e5a3D0F2549c7E24566e947260'
    );
    assert.equal(
      ACCOUNTS.publisher.address,
      '0xBE5449a6A97aD46c8558A3356267Ee5D2731ab5e'
    );
    assert.equal(ACCOUNTS.provider.index, 9);
    assert.equal(new Set(DEV_ACCOUNTS.map(a => a.address)).size, 10);
  });
});

describe('dev chain', () => {
  it('refuses to listen beyond loopback', async () => {
    await assert.rejects(startChain({ host: '0.0.0.0', port: 0 }), /loopback/);
  });

  it('serves chainId 8996 with the dev accounts funded and automines', async () => {
    const chain = await startChain({ port: 0 });
    try {
      assert.match(chain.rpcUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(await rpc(chain.rpcUrl, 'eth_chainId'), '0x2324');
      const accounts = (await rpc(chain.rpcUrl, 'eth_accounts')) as string[];
      assert.deepEqual(
        accounts.map(a => a.toLowerCase()),
        DEV_ACCOUNTS.map(a => a.address.toLowerCase())
      );
      const balance = BigInt(
        (await rpc(chain.rpcUrl, 'eth_getBalance', [
          ACCOUNTS.consumer.address,
          'latest'
        ])) as string
      );
      assert.equal(formatEther(balance), '10000.0');
      const before = Number(await rpc(chain.rpcUrl, 'eth_blockNumber'));
      await rpc(chain.rpcUrl, 'eth_sendTransaction', [
        {
          from: ACCOUNTS.deployer.address,
          to: ACCOUNTS.consumer2.address,
          value: '0x1'
        }
      ]);
      assert.equal(
        Number(await rpc(chain.rpcUrl, 'eth_blockNumber')),
        before + 1
      );
    } finally {
      await chain.stop();
    }
  });
});

describe('contract deployment', () => {
  let first: TestChain;
  before(async () => {
    first = await startTestChain();
  });
  after(async () => {
    await first?.stop();
  });

  it('writes a development entry with code at every address', async () => {
    const addresses = await readDevelopmentAddresses(first.addressFile);
    assert.ok(addresses);
    assert.equal(addresses.chainId, 8996);
    assert.equal(addresses.Ocean, EXPECTED_OCEAN_ADDRESS);
    assert.deepEqual(Object.keys(addresses.ERC20Template), [
      '1',
      '2',
      '3',
      '4'
    ]);
    assert.equal(await isDeployedOn(first.rpcUrl, addresses), true);
  });

  it('wires the router, the factory and the templates together', async () => {
    const provider = localProvider(first.rpcUrl);
    try {
      const { addresses } = first;
      const router = new Contract(
        addresses.Router,
        loadArtifact('FactoryRouter').abi,
        provider
      );
      assert.equal(
        await router.getFunction('factory')(),
        addresses.ERC721Factory
      );
      assert.equal(
        await router.getFunction('isFixedRateContract')(addresses.FixedPrice),
        true
      );
      assert.equal(
        await router.getFunction('isFixedRateContract')(
          addresses.FixedPriceEnterprise
        ),
        true
      );
      assert.equal(
        await router.getFunction('isDispenserContract')(addresses.Dispenser),
        true
      );
      const factory = new Contract(
        addresses.ERC721Factory,
        loadArtifact('ERC721Factory').abi,
        provider
      );
      for (const [index, template] of Object.entries(addresses.ERC20Template)) {
        const info = await factory.getFunction('getTokenTemplate')(
          Number(index)
        );
        assert.equal(info.templateAddress, template);
        assert.equal(info.isActive, true);
      }
      const ocean = new Contract(
        addresses.Ocean,
        loadArtifact('OceanToken').abi,
        provider
      );
      assert.equal(
        formatEther(
          await ocean.getFunction('balanceOf')(ACCOUNTS.consumer.address)
        ),
        '10000.0'
      );
    } finally {
      provider.destroy();
    }
  });

  it('gives the same addresses on a second fresh chain (determinism)', async () => {
    const second = await startTestChain();
    try {
      assert.notEqual(second.rpcUrl, first.rpcUrl);
      assert.deepEqual({ ...second.addresses }, { ...first.addresses });
      // The file says nothing about a chain that was never deployed to.
      const bare = await startChain({ port: 0 });
      try {
        assert.equal(await isDeployedOn(bare.rpcUrl, first.addresses), false);
      } finally {
        await bare.stop();
      }
    } finally {
      await second.stop();
    }
  });

  it("is accepted by @oceanprotocol/lib's ConfigHelper through ADDRESS_FILE", async () => {
    const previous = process.env.ADDRESS_FILE;
    process.env.ADDRESS_FILE = first.addressFile;
    try {
      const { ConfigHelper } = await import('@oceanprotocol/lib');
      const config = new ConfigHelper().getConfig(8996);
      assert.ok(config);
      assert.equal(config.network, 'development');
      assert.equal(config.nftFactoryAddress, first.addresses.ERC721Factory);
      assert.equal(config.oceanTokenAddress, first.addresses.Ocean);
      assert.equal(config.fixedRateExchangeAddress, first.addresses.FixedPrice);
      assert.equal(config.dispenserAddress, first.addresses.Dispenser);
      assert.equal(config.routerFactoryAddress, first.addresses.Router);
      assert.equal(config.escrow, first.addresses.Escrow);
      assert.equal(config.accessListFactory, first.addresses.AccessListFactory);
    } finally {
      if (previous === undefined) delete process.env.ADDRESS_FILE;
      else process.env.ADDRESS_FILE = previous;
    }
  });
});
