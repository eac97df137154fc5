import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Contract, Wallet, formatEther } from 'ethers';

import { loadArtifact, localProvider } from '../src/deploy.ts';
import { startFaucet, type Faucet } from '../src/faucet.ts';
import { ACCOUNTS, startTestChain, type TestChain } from './helpers.ts';

describe('faucet', () => {
  let testChain: TestChain;
  let faucet: Faucet;
  before(async () => {
    testChain = await startTestChain();
    faucet = await startFaucet({
      rpcUrl: testChain.rpcUrl,
      oceanAddress: testChain.addresses.Ocean,
      port: 0
    });
  });
  after(async () => {
    await faucet?.stop();
    await testChain?.stop();
  });

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(faucet.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body)
    });

  it('sends test ETH and OCEAN to a new address', async () => {
    const newcomer = Wallet.createRandom().address;
    const response = await post(
      { address: newcomer.toLowerCase() },
      { origin: 'http://127.0.0.1:8888' }
    );
    assert.equal(response.status, 200);
    assert.equal(
      response.headers.get('access-control-allow-origin'),
      'http://127.0.0.1:8888'
    );
    const receipt = await response.json();
    assert.equal(receipt.address, newcomer);
    const provider = localProvider(testChain.rpcUrl);
    try {
      assert.equal(formatEther(await provider.getBalance(newcomer)), '10.0');
      const ocean = new Contract(
        testChain.addresses.Ocean,
        loadArtifact('OceanToken').abi,
        provider
      );
      assert.equal(
        formatEther(await ocean.getFunction('balanceOf')(newcomer)),
        '100.0'
      );
    } finally {
      provider.destroy();
    }
  });

  it('serves concurrent requests without nonce clashes', async () => {
    const addresses = [1, 2, 3].map(() => Wallet.createRandom().address);
    const responses = await Promise.all(
      addresses.map(address => post({ address, eth: '1', ocean: '2' }))
    );
    assert.deepEqual(
      responses.map(r => r.status),
      [200, 200, 200]
    );
  });

  it('keeps paying when someone else sends from its public dev account', async () => {
    const provider = localProvider(testChain.rpcUrl);
    try {
      const first = await post({ address: Wallet.createRandom().address });
      assert.equal(first.status, 200);
      // Anyone holding Ocean's development key can spend from it.
      const other = new Wallet(ACCOUNTS.deployer.privateKey, provider);
      for (let i = 0; i < 2; i++)
        await (
          await other.sendTransaction({
            to: Wallet.createRandom().address,
            value: 1n
          })
        ).wait();
      const second = await post({ address: Wallet.createRandom().address });
      assert.equal(second.status, 200, await second.text());
    } finally {
      provider.destroy();
    }
  });

  it('answers CORS preflights from loopback pages only', async () => {
    const loopback = await fetch(faucet.url, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:8888' }
    });
    assert.equal(loopback.status, 204);
    assert.equal(
      loopback.headers.get('access-control-allow-origin'),
      'http://localhost:8888'
    );
    const foreign = await fetch(faucet.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example' }
    });
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
  });

  it('refuses bad input with a 4xx and a code', async () => {
    const cases: Array<[unknown, string]> = [
      ['not json', 'FAUCET_BAD_JSON'],
      [[], 'FAUCET_BAD_JSON'],
      [{}, 'FAUCET_BAD_ADDRESS'],
      [{ address: '0x1234' }, 'FAUCET_BAD_ADDRESS'],
      [
        { address: Wallet.createRandom().address, eth: '101' },
        'FAUCET_AMOUNT_OUT_OF_RANGE'
      ],
      [
        { address: Wallet.createRandom().address, ocean: '-5' },
        'FAUCET_BAD_AMOUNT'
      ],
      [{ address: ACCOUNTS.deployer.address }, 'FAUCET_SELF']
    ];
    for (const [body, code] of cases) {
      const response = await post(body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal((await response.json()).error.code, code);
    }
    const wrongPath = await fetch(faucet.url.replace('/faucet', '/drip'), {
      method: 'POST'
    });
    assert.equal(wrongPath.status, 404);
  });
});
