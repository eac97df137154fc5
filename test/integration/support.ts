/**
 * The set-up the integration tests share: a local test chain with Ocean's contracts, our
 * Ocean Node on it (stack/test/node-support.ts starts it as the stack tests do), a provider,
 * the networks registry the extension would hold, and the real OceanWallet with its real key
 * vault (src/widget/wallet/wallet.test-support.ts), whose dialog the test answers and records.
 */
import {
  JsonRpcProvider,
  Network,
  type JsonRpcApiProviderOptions
} from 'ethers';

import { OceanClient } from '../../src/ocean/client';
import { NetworkRegistry } from '../../src/ocean/networks';
import type { IOceanContracts } from '../../src/ocean/publish';
import type { IConfirmation } from '../../src/widget/wallet/confirmation';
import type { OceanWallet } from '../../src/widget/wallet/wallet';
import { openTestWallet } from '../../src/widget/wallet/wallet.test-support';
import type { OceanNode } from '../../stack/src/node/index.ts';
import { startTestChain, type TestChain } from '../../stack/test/helpers.ts';
import { CHAIN_ID, startTestNode } from '../../stack/test/node-support.ts';

/** Where the networks point when no node runs: a loopback port nothing answers on. */
const NO_NODE = 'http://127.0.0.1:9';

export interface ILocalStack {
  chain: TestChain;
  /** Our Ocean Node; undefined when started with `{ node: false }`. */
  node: OceanNode | undefined;
  /** Reads the chain; no cache, so every balance is fresh. */
  provider: JsonRpcProvider;
  /** A fresh registry with the one local network, active. */
  networks(): NetworkRegistry;
  /** Ocean's contracts on the chain, as publishAsset takes them. */
  contracts(): IOceanContracts;
  stop(): Promise<void>;
}

/** A test chain, our node on it (unless `node: false`) and a provider. */
export async function startLocalStack(
  options: {
    node?: boolean;
    /** Added to the provider's options (a test's batch size, say). */
    provider?: JsonRpcApiProviderOptions;
  } = {}
): Promise<ILocalStack> {
  const chain = await startTestChain();
  let node: OceanNode | undefined;
  try {
    node = options.node === false ? undefined : await startTestNode(chain);
  } catch (error) {
    await chain.stop();
    throw error;
  }
  const provider = new JsonRpcProvider(chain.rpcUrl, Network.from(CHAIN_ID), {
    staticNetwork: true,
    cacheTimeout: -1,
    ...options.provider
  });
  return {
    chain,
    node,
    provider,
    networks() {
      const registry = new NetworkRegistry();
      registry.update(
        [
          {
            key: 'local',
            name: 'Local',
            chainId: CHAIN_ID,
            rpcUrl: chain.rpcUrl,
            nodeUrl: node?.url ?? NO_NODE,
            oceanTokenAddress: chain.addresses.Ocean,
            nativeSymbol: 'ETH'
          }
        ],
        'local'
      );
      return registry;
    },
    contracts() {
      return {
        nftFactory: chain.addresses.ERC721Factory,
        fixedRateExchange: chain.addresses.FixedPrice,
        dispenser: chain.addresses.Dispenser,
        ocean: chain.addresses.Ocean
      };
    },
    async stop() {
      provider.destroy();
      await node?.stop();
      await chain.stop();
    }
  };
}

/** The key the wallet holds: an imported private key or a recovery phrase. */
export type WalletSecret = { privateKey: string } | { phrase: string };

/**
 * The real wallet on the stack's networks holding `secret`, unlocked for good; its dialog
 * answers `answer` and every confirmation it was asked to show lands in `shown`.
 */
export async function walletWith(
  stack: ILocalStack,
  secret: WalletSecret,
  answer = true
): Promise<{
  wallet: OceanWallet;
  client: OceanClient;
  shown: IConfirmation[];
}> {
  const shown: IConfirmation[] = [];
  const networks = stack.networks();
  const wallet = await openTestWallet({
    networks,
    confirm: async confirmation => {
      shown.push(confirmation);
      return answer;
    }
  });
  if ('phrase' in secret) {
    await wallet.create(secret.phrase, 'a long password');
  } else {
    await wallet.importKey(
      { privateKey: secret.privateKey },
      'a long password',
      'Tests'
    );
  }
  const client = new OceanClient({ networks, wallet });
  return { wallet, client, shown };
}
