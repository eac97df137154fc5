/**
 * What the node reads from the chain: Ocean contract addresses (from Ocean's address.json
 * format), contract ABIs from @oceanprotocol/contracts, and the order checks a download needs.
 * Orders are verified from transaction receipts, not from the indexer, so a download never
 * waits for indexing and never trusts anything but the chain.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  Contract,
  Interface,
  JsonRpcProvider,
  Network,
  getAddress,
  toUtf8String
} from 'ethers';
import type { Log, TransactionReceipt } from 'ethers';
import { orderRefused } from './errors.js';

const require = createRequire(import.meta.url);
const artifact = (path: string): { abi: unknown[] } =>
  require(`@oceanprotocol/contracts/artifacts/contracts/${path}`) as {
    abi: unknown[];
  };

export const ERC721_ABI = new Interface(
  artifact('templates/ERC721Template.sol/ERC721Template.json').abi as never
);
export const ERC20_ABI = new Interface(
  artifact('templates/ERC20Template.sol/ERC20Template.json').abi as never
);
export const FACTORY_ABI = new Interface(
  artifact('ERC721Factory.sol/ERC721Factory.json').abi as never
);
export const FIXED_RATE_ABI = new Interface(
  artifact('pools/fixedRate/FixedRateExchange.sol/FixedRateExchange.json')
    .abi as never
);
export const DISPENSER_ABI = new Interface(
  artifact('pools/dispenser/Dispenser.sol/Dispenser.json').abi as never
);

export interface OceanAddresses {
  chainId: number;
  ocean: string;
  erc721Factory: string;
  fixedRateExchanges: string[];
  dispenser: string;
  /** Ocean's Escrow contract (paid compute), when the address file has one. */
  escrow?: string;
  startBlock: number;
}

/**
 * Reads Ocean's address.json shape: `{ "<network>": { chainId, Ocean, ERC721Factory,
 * FixedPrice, Dispenser, startBlock, ... } }` (a bare entry without the network level works too).
 */
export function loadAddresses(file: string, chainId: number): OceanAddresses {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<
    string,
    unknown
  >;
  const entries = Object.values(parsed).filter(
    (value): value is Record<string, unknown> =>
      !!value && typeof value === 'object'
  );
  const entry =
    entries.find(candidate => Number(candidate.chainId) === chainId) ??
    (Number(parsed.chainId) === chainId ? parsed : undefined);
  if (!entry)
    throw new Error(
      `No Ocean contract addresses for chain ${chainId} in ${file}.`
    );
  const pick = (...names: string[]): string | undefined => {
    for (const name of names)
      if (typeof entry[name] === 'string') return entry[name] as string;
    return undefined;
  };
  const need = (...names: string[]): string => {
    const value = pick(...names);
    if (!value)
      throw new Error(
        `The address file ${file} has no ${names[0]} for chain ${chainId}.`
      );
    return getAddress(value);
  };
  const fixedRate = [
    pick('FixedPrice', 'FixedRateExchange'),
    pick('FixedPriceEnterprise', 'FixedRateExchangeEnterprise')
  ]
    .filter((value): value is string => !!value)
    .map(value => getAddress(value));
  return {
    chainId,
    ocean: need('Ocean', 'OceanToken'),
    erc721Factory: need('ERC721Factory'),
    fixedRateExchanges: fixedRate,
    dispenser: need('Dispenser'),
    escrow: pick('Escrow') ? getAddress(pick('Escrow')!) : undefined,
    startBlock: Number(entry.startBlock ?? 0) || 0
  };
}

/** ethers' JsonRpcProvider caches calls for 250 ms by default; a node must see fresh state. */
export function makeProvider(rpcUrl: string, chainId: number): JsonRpcProvider {
  return new JsonRpcProvider(rpcUrl, Network.from(chainId), {
    staticNetwork: Network.from(chainId),
    cacheTimeout: -1,
    pollingInterval: 250
  });
}

/** Chain time (the latest block's timestamp), the clock that orders and fees are judged by. */
export async function chainNow(provider: JsonRpcProvider): Promise<number> {
  const block = await provider.getBlock('latest');
  return block ? block.timestamp : Math.floor(Date.now() / 1000);
}

function parseLogs(
  receipt: TransactionReceipt,
  iface: Interface,
  name: string,
  emitter?: string
) {
  const parsed = [];
  for (const log of receipt.logs as readonly Log[]) {
    if (emitter && log.address.toLowerCase() !== emitter.toLowerCase())
      continue;
    try {
      const description = iface.parseLog({
        topics: [...log.topics],
        data: log.data
      });
      if (description?.name === name) parsed.push({ log, description });
    } catch {
      // a log from some other contract: not ours to read
    }
  }
  return parsed;
}

export interface OrderCheck {
  txHash: string;
  consumer: string;
  datatoken: string;
  nftAddress: string;
  serviceId: string;
  serviceIndex: number;
  serviceTimeout: number;
  providerAddress: string;
}

/**
 * Verifies that `txHash` is a valid order (or a reuse of one) by `consumer` for this datatoken
 * and service, not expired, carrying a provider fee signed by this node that has not expired.
 * Throws the refusal the real Ocean Node gives (HTTP 500 with a message) when it is not.
 */
export async function verifyOrder(
  provider: JsonRpcProvider,
  check: OrderCheck
): Promise<void> {
  const receipt = await provider.getTransactionReceipt(check.txHash);
  if (!receipt || receipt.status !== 1) {
    throw orderRefused(
      'Failed to get transaction receipt (unknown or reverted transaction).',
      'ORDER_TX_NOT_FOUND'
    );
  }
  const now = await chainNow(provider);

  // The provider fee travels with the tx the consumer presents (startOrder or reuseOrder).
  const fees = parseLogs(receipt, ERC20_ABI, 'ProviderFee', check.datatoken);
  let feeFound = false;
  let feeExpired = false;
  for (const { description } of fees) {
    if (
      String(description.args.providerFeeAddress).toLowerCase() !==
      check.providerAddress.toLowerCase()
    )
      continue;
    let data: { dt?: string; id?: string };
    try {
      data = JSON.parse(toUtf8String(description.args.providerData));
    } catch {
      continue;
    }
    if (
      data.id !== check.serviceId ||
      data.dt?.toLowerCase() !== check.datatoken.toLowerCase()
    )
      continue;
    const validUntil = Number(description.args.validUntil);
    if (validUntil !== 0 && validUntil < now) {
      feeExpired = true;
      continue;
    }
    feeFound = true;
    break;
  }
  if (!feeFound) {
    throw orderRefused(
      feeExpired
        ? 'ERROR checking fees: the provider fee has expired.'
        : 'ERROR checking fees: no valid provider fee.',
      feeExpired ? 'PROVIDER_FEE_EXPIRED' : 'PROVIDER_FEE_INVALID'
    );
  }

  const reuses = parseLogs(receipt, ERC20_ABI, 'OrderReused', check.datatoken);
  let started = parseLogs(receipt, ERC20_ABI, 'OrderStarted', check.datatoken);
  if (started.length === 0 && reuses.length > 0) {
    const reuse = reuses[0].description;
    if (
      String(reuse.args.caller).toLowerCase() !== check.consumer.toLowerCase()
    ) {
      throw orderRefused(
        'The reuse transaction was not sent by this consumer.',
        'ORDER_NOT_YOURS'
      );
    }
    const original = await provider.getTransactionReceipt(
      String(reuse.args.orderTxId)
    );
    if (!original || original.status !== 1) {
      throw orderRefused(
        'The reused order transaction cannot be found.',
        'ORDER_TX_NOT_FOUND'
      );
    }
    started = parseLogs(original, ERC20_ABI, 'OrderStarted', check.datatoken);
  }
  if (started.length === 0) {
    throw orderRefused(
      'The transaction holds no order for this datatoken.',
      'ORDER_WRONG_DATATOKEN'
    );
  }
  const order = started.find(
    ({ description }) =>
      String(description.args.consumer).toLowerCase() ===
      check.consumer.toLowerCase()
  );
  if (!order) {
    throw orderRefused(
      'This order was started for another consumer address.',
      'ORDER_NOT_YOURS'
    );
  }
  if (Number(order.description.args.serviceIndex) !== check.serviceIndex) {
    throw orderRefused(
      'The order was started for another service of this asset.',
      'ORDER_WRONG_SERVICE'
    );
  }
  const datatoken = new Contract(check.datatoken, ERC20_ABI, provider);
  const nft = String(await datatoken.getERC721Address());
  if (nft.toLowerCase() !== check.nftAddress.toLowerCase()) {
    throw orderRefused(
      'The datatoken does not belong to this asset.',
      'ORDER_WRONG_DATATOKEN'
    );
  }
  if (check.serviceTimeout > 0) {
    const orderedAt = Number(order.description.args.timestamp);
    if (orderedAt + check.serviceTimeout < now) {
      throw orderRefused(
        'The order has expired (service timeout passed).',
        'ORDER_EXPIRED'
      );
    }
  }
}
