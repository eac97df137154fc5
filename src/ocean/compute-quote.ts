/**
 * What a compute job will cost, read before "Pay and start the job" is
 * pressed (issue 16 item 11): the dataset's and the algorithm's datatokens
 * (nothing for one the account holds or a valid order the node knows of,
 * nothing for a dispenser) and the compute environment's fees (the node's
 * provider fees and the escrow payment from initializeCompute). Reads
 * only: the node is asked without a signature, the exchanges through a
 * read provider. The job's dialogs say the same total (compute.ts).
 */
import type { IOceanNetwork } from '../tokens';
import { serviceMarkets } from './asset';
import { readProvider } from './chain';
import { computeDdo, computeEnvironments, initializeOnNode } from './compute';
import { ERC20_ABI } from './erc20';
import { libConfig, loadEthers, loadOceanLib } from './lib';
import { canMintDatatoken } from './own-asset';

export type ComputeCostPart = 'dataset' | 'algorithm' | 'environment';

export interface IComputeCostLine {
  part: ComputeCostPart;
  /** The asset's name, or the host of the node whose environment runs the job. */
  name: string;
  /** Decimal amount of `symbol` ("0" when nothing is paid). */
  amount: string;
  symbol: string;
  /**
   * Why nothing is paid, when nothing is: 'held', 'ordered', 'free', or
   * 'minted' (the account publishes it and mints one: own-asset.ts).
   */
  why?: 'held' | 'ordered' | 'free' | 'minted';
}

export interface IComputeQuote {
  lines: IComputeCostLine[];
  /** The sum, when every line is in one token (else null). */
  total: string | null;
  symbol: string;
}

/** The name the network gives its base token ("OCEAN"), else the token's symbol. */
async function symbolOf(
  network: IOceanNetwork,
  token: string | undefined,
  provider: unknown
): Promise<string> {
  if (
    !token ||
    token.toLowerCase() === network.oceanTokenAddress?.toLowerCase()
  )
    return 'OCEAN';
  const ethers = await loadEthers();
  try {
    const contract = new ethers.Contract(token, ERC20_ABI, provider as any);
    return String(await contract.symbol()).slice(0, 20);
  } catch {
    return token;
  }
}

/**
 * The price of running `algorithm` on `dataset` for `account` (null: no
 * account yet, so nothing held or ordered is known and every datatoken is
 * priced).
 */
export async function quoteComputeJob(
  network: IOceanNetwork,
  account: string | null,
  request: { dataset: string; algorithm: string }
): Promise<IComputeQuote> {
  const [lib, ethers, provider] = await Promise.all([
    loadOceanLib(),
    loadEthers(),
    readProvider(network)
  ]);
  const [environments, datasetDdo, algorithmDdo] = await Promise.all([
    computeEnvironments(network),
    computeDdo(network, request.dataset),
    computeDdo(network, request.algorithm)
  ]);
  const environment = environments[0];
  const consumer = account ?? ethers.ZeroAddress;
  const datasetName = String(datasetDdo.metadata?.name ?? datasetDdo.id);
  const algorithmName = String(algorithmDdo.metadata?.name ?? algorithmDdo.id);
  const init: any = await initializeOnNode(lib, network, environment, {
    datasetDdo,
    algorithmDdo,
    dataset: {
      documentId: datasetDdo.id,
      serviceId: datasetDdo.services[0].id
    },
    algorithm: {
      documentId: algorithmDdo.id,
      serviceId: algorithmDdo.services[0].id
    },
    duration: environment.maxJobDuration ?? 60,
    consumer
  });

  const datatokenLine = async (
    part: ComputeCostPart,
    ddo: any,
    name: string,
    fees: any
  ): Promise<IComputeCostLine> => {
    if (fees?.validOrder)
      return { part, name, amount: '0', symbol: 'OCEAN', why: 'ordered' };
    const service = ddo.services[0];
    if (account) {
      const token = new ethers.Contract(
        service.datatokenAddress,
        ERC20_ABI,
        provider
      );
      if ((await token.balanceOf(account)) >= ethers.parseUnits('1', 18))
        return { part, name, amount: '0', symbol: 'OCEAN', why: 'held' };
    }
    const market = serviceMarkets(ddo).find(
      entry => entry.serviceId === service.id
    );
    if (!market || market.price.type !== 'fixedrate' || !market.contract)
      return { part, name, amount: '0', symbol: 'OCEAN', why: 'free' };
    // The job mints a priced datatoken to its publisher instead of buying
    // it from their own exchange (compute.ts), so the quote says the same.
    if (
      account &&
      (await canMintDatatoken(
        ethers,
        provider,
        service.datatokenAddress,
        account,
        ethers.parseUnits('1', 18)
      ))
    )
      return { part, name, amount: '0', symbol: 'OCEAN', why: 'minted' };
    const exchange = new lib.FixedRateExchange(
      market.contract,
      provider as any,
      network.chainId,
      libConfig(network, { fixedRateExchangeAddress: market.contract })
    );
    // What the exchange asks for one datatoken, its fees included: the
    // amount the job's buy dialog shows.
    const quote: any = await exchange.calcBaseInGivenDatatokensOut(
      market.exchangeId!,
      '1'
    );
    return {
      part,
      name,
      amount: String(quote.baseTokenAmount),
      symbol: await symbolOf(network, market.price.token, provider)
    };
  };

  const lines = [
    await datatokenLine(
      'dataset',
      datasetDdo,
      datasetName,
      init?.datasets?.[0]
    ),
    await datatokenLine(
      'algorithm',
      algorithmDdo,
      algorithmName,
      init?.algorithm
    )
  ];
  // The environment: the node's provider fees for both orders and the
  // payment it wants locked in escrow for the run.
  const environmentFees = new Map<string, bigint>();
  const addFee = (token: string | undefined, wei: unknown) => {
    if (!token || wei === undefined || wei === null) return;
    const key = token.toLowerCase();
    environmentFees.set(
      key,
      (environmentFees.get(key) ?? 0n) + BigInt(String(wei))
    );
  };
  for (const fees of [init?.datasets?.[0], init?.algorithm])
    if (!fees?.validOrder)
      addFee(
        fees?.providerFee?.providerFeeToken,
        fees?.providerFee?.providerFeeAmount
      );
  const payment = init?.payment;
  if (payment?.token && payment.amount !== undefined) {
    // The node states the escrow amount in whole tokens.
    const decimals = 18;
    addFee(
      payment.token,
      ethers.parseUnits(String(payment.amount), decimals).toString()
    );
  }
  // The node that runs it names the environment for people; its id is a hash.
  const environmentName = (() => {
    try {
      return new URL(network.nodeUrl).host;
    } catch {
      return String(environment.id).slice(0, 80);
    }
  })();
  if (environmentFees.size === 0)
    lines.push({
      part: 'environment',
      name: environmentName,
      amount: '0',
      symbol: 'OCEAN'
    });
  for (const [token, wei] of environmentFees)
    lines.push({
      part: 'environment',
      name: environmentName,
      amount: ethers.formatUnits(wei, 18),
      symbol: await symbolOf(network, token, provider)
    });
  const paid = lines.filter(line => Number(line.amount) > 0);
  const symbols = new Set(paid.map(line => line.symbol));
  const symbol = symbols.size === 1 ? [...symbols][0] : 'OCEAN';
  const total =
    symbols.size > 1
      ? null
      : ethers.formatUnits(
          paid.reduce(
            (sum, line) => sum + ethers.parseUnits(line.amount, 18),
            0n
          ),
          18
        );
  return { lines, total, symbol };
}
