/**
 * Compute-to-data from the notebook: pick an environment, let the node price the job
 * (initializeCompute), buy and order the dataset's and the algorithm's datatokens where no
 * valid order exists, start the job, follow its status and logs, fetch its results. Speaks
 * Ocean Node's compute API through @oceanprotocol/lib (loaded lazily), so it works against the
 * local stack's Deno engine and against real nodes alike. Every transaction and signed request
 * uses the Signer the wallet hands out, so each passes the wallet's confirmation dialog; logs
 * and results are read with one node auth token (compute-auth.ts) instead of a signature each.
 */
import type { IOceanNetwork, OceanOrderStep } from '../tokens';
import { serviceMarkets } from './asset';
import type { NodeAuth } from './compute-auth';
import { computeRefusal } from './compute-refusal';
import { errorWords, OceanError } from '../errors';
import { FlowSteps, withFlow } from './flow';
import { readProvider, waitForReceipt } from './chain';
import { ERC20_ABI } from './erc20';
import { libConfig, loadEthers, loadOceanLib } from './lib';
import { NodeApi } from './node-api';
import { canMintDatatoken, mintCall } from './own-asset';
import { ORDER_EVENTS_ABI } from './orders';
import { nextPoll } from './polling';

export interface IComputeResultFile {
  filename: string;
  filesize: number;
  type: string;
  index: number;
}

export interface IComputeJob {
  jobId: string;
  owner: string;
  status: number;
  statusText: string;
  dateCreated: string;
  dateFinished: string | null;
  results: IComputeResultFile[];
  terminationDetails?: {
    reason?: string;
    exitCode?: number | null;
    OOMKilled?: boolean;
    message?: string;
  };
  /**
   * Set by startComputeJob: the dataset's order for this job (the consumer
   * is the compute environment), for the notebook's provenance record.
   */
  datasetOrder?: IComputeDatasetOrder;
  /** The node's own words for the data it ran on (Ocean Node's status answer). */
  inputDID?: string[] | null;
  did?: string | null;
  /** The dataset's order transaction. */
  agreementId?: string | null;
}

export interface IComputeDatasetOrder {
  did: string;
  name: string;
  license: string;
  serviceId: string;
  datatoken: string;
  consumer: string;
  tx: string;
  /** True when the node said an earlier order is still valid. */
  reused: boolean;
}

export interface IComputeProgress {
  step: OceanOrderStep | 'start' | 'status';
  message: string;
  txHash?: string;
  status?: number;
}

export type ComputeProgressCallback = (progress: IComputeProgress) => void;

/** Statuses after which a job does not change any more (Ocean Node's C2D numbers). */
export const FINAL_JOB_STATUSES: ReadonlySet<number> = new Set([
  11, 21, 22, 31, 32, 41, 61, 62, 70
]);

export interface IStartComputeRequest {
  /** The compute-only dataset. */
  dataset: string;
  /** The algorithm asset (it must be trusted by the dataset). */
  algorithm: string;
  /** Use the environment's free tier (still needs orders for the assets). */
  free?: boolean;
  /** Longest run in seconds (capped by the environment). */
  maxJobDuration?: number;
}

/** Orders already made in this session, by node, account and DID. */
const ORDERS = new Map<string, string>();

/** The DDO of an asset a job uses, as the node indexed it. */
export async function computeDdo(
  network: IOceanNetwork,
  did: string
): Promise<any> {
  const response = await new NodeApi(network.nodeUrl)
    .ddoResponse(did)
    .catch(() => undefined);
  if (!response?.ok)
    throw new OceanError(
      'OCEAN_NOT_INDEXED',
      errorWords.__(
        'The Ocean Node does not know %1 (not published, or not indexed yet).',
        did
      )
    );
  return response.json();
}

export async function computeEnvironments(
  network: IOceanNetwork
): Promise<any[]> {
  const lib = await loadOceanLib();
  const environments = await lib.ProviderInstance.getComputeEnvironments(
    network.nodeUrl
  );
  if (!Array.isArray(environments) || environments.length === 0)
    throw new OceanError(
      'OCEAN_COMPUTE_REFUSED',
      errorWords.__('This Ocean Node offers no compute environment.')
    );
  return environments;
}

function send(tx: unknown, what: string): Promise<any> {
  return waitForReceipt(tx, {
    unsent: () =>
      new OceanError(
        'OCEAN_TX_REVERTED',
        errorWords.__(
          '%1: the transaction could not be prepared; nothing was sent.',
          what
        )
      ),
    reverted: () =>
      new OceanError(
        'OCEAN_TX_REVERTED',
        errorWords.__(
          '%1: the transaction was reverted; only gas was spent.',
          what
        )
      )
  });
}

/**
 * Whether `account` may mint `amount` of the service's datatoken itself (it
 * publishes the asset, own-asset.ts): then the job mints one instead of
 * buying it from its own exchange. Planning and acquiring ask it alike.
 */
function publisherMints(
  ethers: any,
  signer: any,
  service: any,
  account: string,
  amount: bigint
): Promise<boolean> {
  return canMintDatatoken(
    ethers,
    signer.provider,
    service.datatokenAddress,
    account,
    amount
  );
}

/**
 * What getting one datatoken of `ddo` will ask, read before the first
 * dialog: how many transactions (approve?, buy; dispense; none when one is
 * held) and what it costs, so every dialog of the job can say "step 2 of 5"
 * and the whole price.
 */
async function planDatatoken(
  network: IOceanNetwork,
  signer: any,
  ddo: any
): Promise<{
  steps: number;
  cost: bigint;
  decimals: number;
  exchange?: string;
}> {
  const [lib, ethers] = await Promise.all([loadOceanLib(), loadEthers()]);
  const account: string = await signer.getAddress();
  const service = ddo.services[0];
  const token = new ethers.Contract(
    service.datatokenAddress,
    ERC20_ABI,
    signer.provider
  );
  const one = ethers.parseUnits('1', 18);
  if ((await token.balanceOf(account)) >= one)
    return { steps: 0, cost: 0n, decimals: 18 };
  const market = serviceMarkets(ddo).find(
    entry => entry.serviceId === service.id
  );
  if (!market || market.price.type === 'none' || !market.contract)
    return { steps: 0, cost: 0n, decimals: 18 };
  // Its publisher mints one (own-asset.ts): network fees only.
  if (
    market.price.type === 'dispenser' ||
    (await publisherMints(ethers, signer, service, account, one))
  )
    return { steps: 1, cost: 0n, decimals: 18 };
  const exchange = new lib.FixedRateExchange(
    market.contract,
    signer,
    network.chainId,
    libConfig(network, { fixedRateExchangeAddress: market.contract })
  );
  const quote: any = await exchange.calcBaseInGivenDatatokensOut(
    market.exchangeId!,
    '1'
  );
  const base = new ethers.Contract(market.price.token!, ERC20_ABI, signer);
  const decimals = Number(await base.decimals());
  const cost: bigint = ethers.parseUnits(
    String(quote.baseTokenAmount),
    decimals
  );
  const approve = (await base.allowance(account, market.contract)) < cost;
  return {
    steps: approve ? 2 : 1,
    cost,
    decimals,
    exchange: market.contract
  };
}

/** Gets one datatoken of `did`'s first service into the account (exchange or dispenser). */
async function acquireDatatoken(
  network: IOceanNetwork,
  signer: any,
  ddo: any,
  onProgress: ComputeProgressCallback
): Promise<void> {
  const [lib, ethers] = await Promise.all([loadOceanLib(), loadEthers()]);
  const account: string = await signer.getAddress();
  const service = ddo.services[0];
  const token = new ethers.Contract(
    service.datatokenAddress,
    ERC20_ABI,
    signer.provider
  );
  const one = ethers.parseUnits('1', 18);
  if ((await token.balanceOf(account)) >= one) return;
  const market = serviceMarkets(ddo).find(
    entry => entry.serviceId === service.id
  );
  if (!market || market.price.type === 'none' || !market.contract)
    throw new OceanError(
      'OCEAN_NOT_FOR_SALE',
      errorWords.__(
        '%1 has no active price: its publisher has not put it up for sale.',
        String(ddo.metadata?.name ?? ddo.id)
      )
    );
  if (
    market.price.type !== 'dispenser' &&
    (await publisherMints(ethers, signer, service, account, one))
  ) {
    // The account publishes it: a datatoken minted to itself, not bought from its own exchange.
    onProgress({
      step: 'mint',
      message: errorWords.__(
        'You publish %1: minting 1 datatoken to yourself, nothing to pay but network fees (confirm in the wallet)…',
        String(ddo.metadata?.name)
      )
    });
    await send(
      await signer.sendTransaction(
        mintCall(ethers, service.datatokenAddress, account, one)
      ),
      errorWords.__('Minting the datatoken')
    );
    return;
  }
  const config = libConfig(network, {
    fixedRateExchangeAddress: market.contract,
    dispenserAddress: market.contract
  });
  if (market.price.type === 'dispenser') {
    onProgress({
      step: 'dispense',
      message: errorWords.__(
        'Taking 1 free datatoken of %1 (confirm in the wallet)…',
        String(ddo.metadata?.name)
      )
    });
    const dispenser = new lib.Dispenser(
      market.contract,
      signer,
      network.chainId,
      config
    );
    await send(
      await dispenser.dispense(service.datatokenAddress, '1', account),
      errorWords.__('Dispensing')
    );
    return;
  }
  const exchange = new lib.FixedRateExchange(
    market.contract,
    signer,
    network.chainId,
    config
  );
  const quote: any = await exchange.calcBaseInGivenDatatokensOut(
    market.exchangeId!,
    '1'
  );
  const base = new ethers.Contract(market.price.token!, ERC20_ABI, signer);
  const decimals = Number(await base.decimals());
  const cost: bigint = ethers.parseUnits(
    String(quote.baseTokenAmount),
    decimals
  );
  if ((await base.balanceOf(account)) < cost)
    throw new OceanError(
      'OCEAN_INSUFFICIENT_FUNDS',
      errorWords.__(
        'Using %1 costs %2 OCEAN, more than the account holds. Top up and try again; nothing was spent.',
        String(ddo.metadata?.name),
        ethers.formatUnits(cost, decimals)
      )
    );
  if ((await base.allowance(account, market.contract)) < cost) {
    onProgress({
      step: 'approve',
      message: errorWords.__(
        'Allowing the exchange to take %1 OCEAN (confirm in the wallet)…',
        ethers.formatUnits(cost, decimals)
      )
    });
    await send(
      await base.approve(market.contract, cost),
      errorWords.__('Approving OCEAN')
    );
  }
  onProgress({
    step: 'buy',
    message: errorWords.__(
      'Buying 1 datatoken of %1 for %2 OCEAN (confirm in the wallet)…',
      String(ddo.metadata?.name),
      ethers.formatUnits(cost, decimals)
    )
  });
  await send(
    await exchange.buyDatatokens(
      market.exchangeId!,
      '1',
      ethers.formatUnits(cost, decimals)
    ),
    errorWords.__('Buying the datatoken')
  );
}

/** One asset of a compute job as the node's initializeCompute takes it. */
interface IComputeAssetRef {
  documentId: string;
  serviceId: string;
  transferTxId?: string;
}

/**
 * Asks the node what running `job.algorithm` on `job.dataset` in
 * `environment` takes (provider fees, which orders are still valid); a
 * refusal becomes an OceanError naming both assets. The quote
 * (compute-quote.ts) and the job ask it the same way.
 */
export async function initializeOnNode(
  lib: any,
  network: IOceanNetwork,
  environment: any,
  job: {
    datasetDdo: any;
    algorithmDdo: any;
    dataset: IComputeAssetRef;
    algorithm: IComputeAssetRef;
    duration: number;
    consumer: string;
  }
): Promise<any> {
  try {
    return await lib.ProviderInstance.initializeCompute(
      [job.dataset],
      job.algorithm,
      environment.id,
      network.oceanTokenAddress ??
        environment.fees?.[String(network.chainId)]?.[0]?.feeToken,
      job.duration,
      network.nodeUrl,
      job.consumer,
      [{ id: 'cpu', amount: 1 }],
      network.chainId
    );
  } catch (error) {
    throw computeRefusal(error, 'The Ocean Node will not run this job', {
      datasetName: String(job.datasetDdo.metadata?.name ?? job.datasetDdo.id),
      datasetDid: job.datasetDdo.id,
      algorithmName: String(
        job.algorithmDdo.metadata?.name ?? job.algorithmDdo.id
      )
    });
  }
}

/** Prices, orders (reusing orders of this session) and starts one job. */
export async function startComputeJob(
  network: IOceanNetwork,
  signer: any,
  request: IStartComputeRequest,
  onProgress: ComputeProgressCallback = () => undefined
): Promise<IComputeJob> {
  const lib = await loadOceanLib();
  const account: string = await signer.getAddress();
  onProgress({
    step: 'check',
    message: errorWords.__('Looking up the assets and the compute environment…')
  });
  const [environments, datasetDdo, algorithmDdo] = await Promise.all([
    computeEnvironments(network),
    computeDdo(network, request.dataset),
    computeDdo(network, request.algorithm)
  ]);
  const environment =
    environments.find(env => (request.free ? env.free : true)) ??
    environments[0];
  const key = (did: string) =>
    `${network.nodeUrl}|${account.toLowerCase()}|${did}`;
  const dataset: any = {
    documentId: datasetDdo.id,
    serviceId: datasetDdo.services[0].id,
    transferTxId: ORDERS.get(key(datasetDdo.id))
  };
  const algorithm: any = {
    documentId: algorithmDdo.id,
    serviceId: algorithmDdo.services[0].id,
    transferTxId: ORDERS.get(key(algorithmDdo.id))
  };
  const duration = request.maxJobDuration ?? environment.maxJobDuration ?? 60;
  const init: any = await initializeOnNode(lib, network, environment, {
    datasetDdo,
    algorithmDdo,
    dataset,
    algorithm,
    duration,
    consumer: account
  });
  const config = libConfig(network);
  // Every signature of the job, planned before the first: each dialog says
  // which step it is, the whole OCEAN cost, and names the consumer of the
  // orders for what it is (the compute environment, not a bare address).
  const ethers = await loadEthers();
  const datasetName = String(datasetDdo.metadata?.name ?? datasetDdo.id);
  const algorithmName = String(algorithmDdo.metadata?.name ?? algorithmDdo.id);
  let steps = 1;
  let cost = 0n;
  let decimals = 18;
  const exchanges: Array<[string | undefined, string]> = [];
  for (const [ddo, fees, name] of [
    [algorithmDdo, init?.algorithm, algorithmName],
    [datasetDdo, init?.datasets?.[0], datasetName]
  ] as Array<[any, any, string]>) {
    if (fees?.validOrder) continue;
    const plan = await planDatatoken(network, signer, ddo);
    steps += plan.steps + 1;
    cost += plan.cost;
    decimals = plan.decimals;
    exchanges.push([plan.exchange, name]);
  }
  const flow = new FlowSteps(
    `Run ${algorithmName.slice(0, 60)} on ${datasetName.slice(0, 60)}`,
    steps,
    cost > 0n
      ? `${ethers.formatUnits(cost, decimals)} OCEAN and network fees`
      : 'network fees only'
  )
    .name(
      environment.consumerAddress,
      `the compute environment ${String(environment.id).slice(0, 80)} on node ${network.nodeUrl}`
    )
    .name(
      datasetDdo.services[0].datatokenAddress,
      `the dataset ${datasetName.slice(0, 60)}`
    )
    .name(
      algorithmDdo.services[0].datatokenAddress,
      `the algorithm ${algorithmName.slice(0, 60)}`
    );
  for (const [exchange, name] of exchanges) {
    flow.name(exchange, `the fixed-rate exchange selling ${name.slice(0, 60)}`);
  }
  signer = withFlow(signer, flow);
  const orderAsset = async (ddo: any, asset: any, fees: any) => {
    if (fees?.validOrder) {
      asset.transferTxId = fees.validOrder;
      return;
    }
    await acquireDatatoken(network, signer, ddo, onProgress);
    onProgress({
      step: 'order',
      message: errorWords.__(
        'Ordering %1 for this job (confirm in the wallet)…',
        String(ddo.metadata?.name)
      )
    });
    const datatoken = new lib.Datatoken(signer, network.chainId, config);
    const receipt = await send(
      await datatoken.startOrder(
        ddo.services[0].datatokenAddress,
        environment.consumerAddress,
        0,
        fees.providerFee
      ),
      errorWords.__('Starting the order')
    );
    asset.transferTxId = receipt.hash;
    ORDERS.set(key(ddo.id), receipt.hash);
    onProgress({
      step: 'order',
      message: errorWords.__('Order started.'),
      txHash: receipt.hash
    });
  };
  await orderAsset(algorithmDdo, algorithm, init?.algorithm);
  await orderAsset(datasetDdo, dataset, init?.datasets?.[0]);
  onProgress({
    step: 'start',
    message: errorWords.__('Starting the job (sign the request)…')
  });
  let jobs: any;
  try {
    jobs = request.free
      ? await lib.ProviderInstance.freeComputeStart(
          network.nodeUrl,
          signer,
          environment.id,
          [dataset],
          algorithm
        )
      : await lib.ProviderInstance.computeStart(
          network.nodeUrl,
          signer,
          environment.id,
          [dataset],
          algorithm,
          duration,
          init?.payment?.token ?? network.oceanTokenAddress,
          [{ id: 'cpu', amount: 1 }],
          network.chainId
        );
  } catch (error) {
    throw computeRefusal(error, 'The Ocean Node refused to start the job', {
      datasetName,
      datasetDid: datasetDdo.id,
      algorithmName,
      ordered: true
    });
  }
  const job = (Array.isArray(jobs) ? jobs[0] : jobs) as IComputeJob | null;
  if (!job?.jobId)
    throw new OceanError(
      'OCEAN_COMPUTE_FAILED',
      errorWords.__('The Ocean Node did not return a job.')
    );
  return {
    ...job,
    datasetOrder: {
      did: datasetDdo.id,
      name: String(datasetDdo.metadata?.name ?? ''),
      license: String(datasetDdo.metadata?.license ?? ''),
      serviceId: datasetDdo.services[0].id,
      datatoken: datasetDdo.services[0].datatokenAddress,
      consumer: environment.consumerAddress,
      tx: dataset.transferTxId,
      reused: !!init?.datasets?.[0]?.validOrder
    }
  };
}

/**
 * The dataset order a job ran with, read back from what anyone can read:
 * the node's status answer (its dataset and order transaction), the
 * order's OrderStarted event on chain and the dataset's DDO. For results
 * fetched in a later cell than the job's start, whose order this page did
 * not see being made. Null when the node names no order.
 */
export async function jobDatasetOrder(
  network: IOceanNetwork,
  job: IComputeJob
): Promise<IComputeDatasetOrder | null> {
  const did = job.inputDID?.[0] ?? job.did ?? null;
  const tx = job.agreementId ?? null;
  if (!did || !tx) return null;
  const ddo = await computeDdo(network, did);
  const ethers = await loadEthers();
  const receipt = await (await readProvider(network)).getTransactionReceipt(tx);
  if (!receipt) return null;
  const events = new ethers.Interface(ORDER_EVENTS_ABI);
  for (const log of receipt.logs) {
    const service = (ddo.services ?? []).find(
      (s: any) =>
        String(s.datatokenAddress ?? '').toLowerCase() ===
        log.address.toLowerCase()
    );
    if (!service) continue;
    const parsed = events.parseLog(log);
    if (parsed?.name !== 'OrderStarted') continue;
    return {
      did,
      name: String(ddo.metadata?.name ?? ''),
      license: String(ddo.metadata?.license ?? ''),
      serviceId: String(service.id),
      datatoken: service.datatokenAddress,
      consumer: String(parsed.args.consumer),
      tx,
      // Whether the job's start made this order or found it made is not
      // told later; the verifier checks it was paid either way.
      reused: false
    };
  }
  return null;
}

export async function jobStatus(
  network: IOceanNetwork,
  signer: any,
  jobId: string
): Promise<IComputeJob> {
  const job = await findJob(network, signer, jobId);
  if (!job)
    throw new OceanError(
      'OCEAN_COMPUTE_FAILED',
      errorWords.__('No compute job %1.', jobId)
    );
  return job;
}

/**
 * The job as the node shows it to the signer's account, or null when it
 * shows none. The status request carries the account's address and no
 * signature (the lib only asks the signer for its address), so no wallet
 * dialog opens; the node lists only the jobs that account started.
 */
export async function findJob(
  network: IOceanNetwork,
  signer: any,
  jobId: string
): Promise<IComputeJob | null> {
  const lib = await loadOceanLib();
  const answer = await lib.ProviderInstance.computeStatus(
    network.nodeUrl,
    signer,
    jobId
  );
  return ((Array.isArray(answer) ? answer[0] : answer) as IComputeJob) ?? null;
}

/** Polls until the job reaches a final status, reporting each change. */
export async function waitForJob(
  network: IOceanNetwork,
  signer: any,
  jobId: string,
  onProgress: ComputeProgressCallback = () => undefined,
  options: {
    intervalMs?: number;
    timeoutMs?: number;
    signal?: AbortSignal;
  } = {}
): Promise<IComputeJob> {
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  let last = -1;
  let previous: IComputeJob | undefined;
  for (let attempt = 0; ; attempt++) {
    // Paced and budgeted per node: a real node allows 30 requests a minute.
    try {
      await nextPoll(network.nodeUrl, attempt, {
        signal: options.signal,
        minGapMs: options.intervalMs
      });
    } catch (error) {
      // Stopped while waiting: the last status read is the answer.
      if (previous && options.signal?.aborted) return previous;
      throw error;
    }
    const job = await jobStatus(network, signer, jobId);
    previous = job;
    if (job.status !== last) {
      last = job.status;
      onProgress({
        step: 'status',
        message: job.statusText,
        status: job.status
      });
    }
    if (FINAL_JOB_STATUSES.has(job.status)) return job;
    if (options.signal?.aborted || Date.now() > deadline) return job;
  }
}

/**
 * The algorithm's log as it is written (until the job ends), read with the node auth token of
 * `auth` (one wallet dialog for the token, none per stream).
 */
export async function* jobLogs(
  auth: NodeAuth,
  jobId: string
): AsyncIterable<string> {
  const response = await auth.fetch(await auth.node.computeLogsPath(jobId));
  if (!response.ok || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    return;
  }
  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield decoder.decode(value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
}

/** The bytes of result `index` of a job the account owns (with `auth`'s token). */
export async function jobResult(
  auth: NodeAuth,
  jobId: string,
  index: number
): Promise<Uint8Array> {
  const response = await auth.fetch(
    await auth.node.computeResultPath(await auth.account(), jobId, index)
  );
  if (!response.ok) {
    const text = await response.text().catch(() => '');
    let reason = text.slice(0, 300) || response.statusText;
    try {
      const body = JSON.parse(text);
      reason = String(body?.error?.message ?? body?.error ?? reason);
    } catch {
      // plain text: keep it
    }
    throw new OceanError(
      'OCEAN_COMPUTE_FAILED',
      errorWords.__(
        'The result %1 of job %2 could not be fetched (%3): %4',
        index,
        jobId,
        response.status,
        reason
      )
    );
  }
  return new Uint8Array(await response.arrayBuffer());
}

/** Stops a running job (the owner only). */
export async function stopJob(
  network: IOceanNetwork,
  signer: any,
  jobId: string
): Promise<IComputeJob> {
  const lib = await loadOceanLib();
  const answer = await lib.ProviderInstance.computeStop(
    jobId,
    network.nodeUrl,
    signer
  );
  return (Array.isArray(answer) ? answer[0] : answer) as IComputeJob;
}
