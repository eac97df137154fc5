/**
 * The Ocean client behind IOceanClient.
 *
 * Discovery and file facts are plain HTTP to the active network's Ocean
 * Node. Buying, ordering and signing go through @oceanprotocol/lib (loaded
 * on first use) with a Signer from the wallet, so every transaction and
 * signature passes the wallet's confirmation dialog. Contract addresses
 * (exchange, dispenser, base token) come from what the node indexed, which
 * is what lets the same code work on the local stack and on real networks.
 */
import { Signal } from '@lumino/signaling';
import type { ISignal } from '@lumino/signaling';
import type {
  IOceanAccessGrant,
  IOceanAccessThen,
  IOceanAssetPage,
  IOceanAssetQuery,
  IOceanAssetSummary,
  IOceanClient,
  IOceanDownload,
  IOceanDownloadOptions,
  IOceanFileInfo,
  IOceanRunningFlow,
  IOceanNetwork,
  IOceanServiceSummary,
  IWallet,
  IWalletRequester,
  INetworkRegistry,
  OceanProgressCallback
} from '../tokens';
import {
  buildSearchQuery,
  checkDid,
  searchPage,
  serviceMarkets,
  summariseDdo
} from './asset';
import { errorWords, OceanError } from '../errors';
import {
  batchDone,
  buyCall,
  dispenseCall,
  orderCall,
  sendBatch,
  walletBatches,
  type ICall
} from './batch-calls';
import { readProvider, sendAndWait } from './chain';
import {
  RunningFlows,
  networkChanged,
  switchedMidFlow,
  type SentState
} from './running-flows';
import { FlowSteps, withFlow } from './flow';
import { ERC20_ABI } from './erc20';
import { libConfig, loadEthers, loadOceanLib } from './lib';
import {
  AUTH_TOKEN_MINUTES,
  authTokenNonce,
  authTokens,
  pageTokenDescription,
  signerSign,
  type INodeRequestSigner
} from './auth-token';
import { NodeApi } from './node-api';
import { readRange } from './ranged-read';
import { canMintDatatoken, mintCall } from './own-asset';
import {
  ORDER_EVENTS_ABI,
  ORDER_STARTED_TOPIC,
  OrderMemory,
  orderExpiry,
  pickValidOrder,
  type IChainOrder,
  type IKeyValueStore
} from './orders';

export interface IOceanClientOptions {
  networks: INetworkRegistry;
  wallet: IWallet | null;
  /** Where paid orders are remembered (localStorage in the browser). */
  store?: IKeyValueStore | null;
}

interface IAssetRecord {
  summary: IOceanAssetSummary;
  ddo: unknown;
  /** Block the asset was created in: no order can be older. */
  createdBlock: number;
}

export class OceanClient implements IOceanClient {
  private _networks: INetworkRegistry;
  private _wallet: IWallet | null;
  private _memory: OrderMemory;
  private _nodes = new Map<string, NodeApi>();
  /** Node auth tokens per node and account; bearer secrets, memory only. */
  private _symbols = new Map<string, string>();
  private _records = new Map<
    string,
    { at: number; record: Promise<IAssetRecord> }
  >();
  private _accessChanged = new Signal<IOceanClient, IOceanAccessGrant>(this);
  private _flows = new RunningFlows();

  constructor(options: IOceanClientOptions) {
    this._networks = options.networks;
    this._wallet = options.wallet;
    this._memory = new OrderMemory(options.store ?? null);
  }

  get accessChanged(): ISignal<IOceanClient, IOceanAccessGrant> {
    return this._accessChanged;
  }

  private get _network(): IOceanNetwork {
    return this._networks.active;
  }

  private _node(network = this._network): NodeApi {
    let node = this._nodes.get(network.nodeUrl);
    if (!node) {
      node = new NodeApi(network.nodeUrl);
      this._nodes.set(network.nodeUrl, node);
    }
    return node;
  }

  async search(query: IOceanAssetQuery = {}): Promise<IOceanAssetPage> {
    const network = this._network;
    const answer = await this._node(network).query(
      buildSearchQuery(network.chainId)
    );
    const { documents, page, pageSize, hasMore } = searchPage(
      answer,
      query,
      network.chainId
    );
    const assets: IOceanAssetSummary[] = [];
    for (const document of documents) {
      try {
        assets.push(summariseDdo(document, this._symbols));
      } catch {
        // A malformed DDO on the node is skipped, not fatal to the page.
      }
    }
    return { assets, page, pageSize, hasMore };
  }

  /**
   * The asset as the node indexed it. Reads within `maxAgeMs` share one
   * request (a preview asks several times in a row); buying always reads
   * afresh, so prices and exchanges are current.
   */
  private async _record(did: string, maxAgeMs = 5_000): Promise<IAssetRecord> {
    const network = this._network;
    const key = `${network.nodeUrl}|${network.chainId}|${checkDid(did)}`;
    const cached = this._records.get(key);
    if (cached && Date.now() - cached.at < maxAgeMs) {
      return cached.record;
    }
    const record = this._fetchRecord(did, network);
    this._records.set(key, { at: Date.now(), record });
    record.catch(() => this._records.delete(key));
    return record;
  }

  private async _fetchRecord(
    did: string,
    network: IOceanNetwork
  ): Promise<IAssetRecord> {
    const ddo = await this._node(network).ddo(checkDid(did));
    const summary = summariseDdo(ddo, this._symbols);
    if (summary.chainId !== network.chainId) {
      throw new OceanError(
        'OCEAN_WRONG_NETWORK',
        errorWords.__(
          'This asset lives on chain %1, but the active network "%2" is chain %3. Switch network in the Ocean panel.',
          summary.chainId,
          network.name,
          network.chainId
        )
      );
    }
    const event = (ddo as any)?.indexedMetadata?.event ?? {};
    const createdBlock = Number(event.block);
    return {
      summary,
      ddo,
      createdBlock: Number.isSafeInteger(createdBlock) ? createdBlock : 0
    };
  }

  async getAsset(did: string): Promise<IOceanAssetSummary> {
    return (await this._record(did)).summary;
  }

  async files(did: string, serviceId?: string): Promise<IOceanFileInfo[]> {
    const { summary } = await this._record(did);
    const service = this._service(summary, serviceId);
    const infos = await this._node().fileInfo(summary.did, service.id);
    return infos.map((info: any, index) => ({
      index: typeof info?.index === 'number' ? info.index : index,
      contentType:
        typeof info?.contentType === 'string' ? info.contentType : null,
      contentLength:
        info?.contentLength !== undefined &&
        Number.isFinite(Number(info.contentLength))
          ? Number(info.contentLength)
          : null,
      name: typeof info?.name === 'string' ? info.name : undefined,
      available: info?.valid !== false
    }));
  }

  private _service(
    summary: IOceanAssetSummary,
    serviceId?: string
  ): IOceanServiceSummary {
    const service = serviceId
      ? summary.services.find(entry => entry.id === serviceId)
      : summary.services[0];
    if (!service) {
      throw new OceanError(
        'OCEAN_BAD_ASSET',
        serviceId
          ? errorWords.__('The asset has no service "%1".', serviceId)
          : errorWords.__('The asset offers no service to consume.')
      );
    }
    return service;
  }

  async findAccess(
    did: string,
    account?: string,
    serviceId?: string
  ): Promise<IOceanAccessGrant | null> {
    const consumer = account ?? this._wallet?.state.account ?? null;
    if (!consumer) {
      return null;
    }
    const record = await this._record(did);
    return this._findOrder(
      record,
      this._service(record.summary, serviceId),
      consumer
    );
  }

  private async _findOrder(
    record: IAssetRecord,
    service: IOceanServiceSummary,
    consumer: string
  ): Promise<IOceanAccessGrant | null> {
    const network = this._network;
    const provider = await readProvider(network);
    const { summary } = record;
    // Remembered orders first: one receipt lookup instead of a log scan.
    for (const grant of this._memory.find(
      network.chainId,
      summary.did,
      service.id,
      consumer
    )) {
      const receipt = await provider.getTransactionReceipt(grant.orderTxId);
      if (receipt && receipt.status === 1) {
        return { ...grant, reused: true };
      }
      this._memory.forget(grant.orderTxId);
    }
    const ethers = await loadEthers();
    const events = new ethers.Interface(ORDER_EVENTS_ABI);
    let logs: any[];
    try {
      logs = await provider.getLogs({
        address: service.datatoken,
        topics: [ORDER_STARTED_TOPIC, ethers.zeroPadValue(consumer, 32)],
        fromBlock: record.createdBlock,
        toBlock: 'latest'
      });
    } catch (error) {
      throw chainError(network, error);
    }
    const orders: IChainOrder[] = [];
    for (const log of logs) {
      const started = events.parseLog(log);
      if (!started) {
        continue;
      }
      const receipt = await provider.getTransactionReceipt(log.transactionHash);
      let feeValidUntil = 0;
      for (const other of receipt?.logs ?? []) {
        const parsed = (() => {
          try {
            return events.parseLog(other);
          } catch {
            return null;
          }
        })();
        if (parsed?.name === 'ProviderFee') {
          feeValidUntil = Number(parsed.args.validUntil);
        }
      }
      orders.push({
        txHash: log.transactionHash,
        serviceIndex: Number(started.args.serviceIndex),
        timestamp: Number(started.args.timestamp),
        feeValidUntil
      });
    }
    const latest = await provider.getBlock('latest');
    const order = pickValidOrder(
      orders,
      service.index,
      service.timeout,
      Number(latest?.timestamp ?? Math.floor(Date.now() / 1000))
    );
    if (!order) {
      return null;
    }
    const grant: IOceanAccessGrant = {
      did: summary.did,
      chainId: network.chainId,
      serviceId: service.id,
      serviceIndex: service.index,
      datatoken: service.datatoken,
      consumer: ethers.getAddress(consumer),
      orderTxId: order.txHash,
      reused: true,
      validUntil: orderExpiry(order, service.timeout)
    };
    this._memory.remember(grant);
    return grant;
  }

  private _requireWallet(): IWallet {
    if (!this._wallet) {
      throw new OceanError(
        4100,
        errorWords.__(
          'There is no wallet in this JupyterLab: install or enable the Ocean wallet to get access to assets.'
        )
      );
    }
    return this._wallet;
  }

  /** The wallet's account, on the active network's chain. */
  private async _account(requester: IWalletRequester): Promise<string> {
    const wallet = this._requireWallet();
    const account = await wallet.ensureUnlocked(requester);
    const network = this._network;
    if (wallet.state.chainId && wallet.state.chainId !== network.chainId) {
      throw new OceanError(
        'OCEAN_WRONG_NETWORK',
        errorWords.__(
          'The wallet is on chain %1, but the active network "%2" is chain %3. Switch the wallet\'s network, then try again.',
          wallet.state.chainId,
          network.name,
          network.chainId
        )
      );
    }
    return account;
  }

  get runningFlows(): ReadonlyArray<IOceanRunningFlow> {
    return this._flows.running;
  }

  async getAccess(
    did: string,
    requester: IWalletRequester,
    onProgress: OceanProgressCallback = () => undefined,
    serviceId?: string,
    then: IOceanAccessThen = {}
  ): Promise<IOceanAccessGrant> {
    return this._flows.run(
      this._network,
      errorWords.__('buying access to %1', did),
      onProgress,
      async (run, track) => {
        try {
          return await this._getAccess(
            run,
            did,
            requester,
            track,
            serviceId,
            then
          );
        } catch (error) {
          throw await this._stoppedBySwitch(run, error);
        }
      }
    );
  }

  /** The run's error, or what a network switch under it did. */
  private async _stoppedBySwitch(
    run: IOceanRunningFlow,
    error: unknown
  ): Promise<unknown> {
    const now = this._network;
    if (!networkChanged(run, now)) {
      return error;
    }
    // Each hash's fate, read on the network it was sent to.
    const provider = await readProvider(run.network).catch(() => null);
    const states = await Promise.all(
      run.sent.map(async ({ hash }): Promise<SentState> => {
        if (!provider) {
          return 'unknown';
        }
        try {
          const receipt = await Promise.race([
            provider.getTransactionReceipt(hash),
            new Promise<'late'>(resolve =>
              setTimeout(() => resolve('late'), 5000)
            )
          ]);
          if (receipt === 'late') {
            return 'unknown';
          }
          return !receipt
            ? 'not mined yet'
            : receipt.status === 1
              ? 'mined'
              : 'failed';
        } catch {
          return 'unknown';
        }
      })
    );
    return switchedMidFlow(run, now, states, error);
  }

  private async _getAccess(
    run: IOceanRunningFlow,
    did: string,
    requester: IWalletRequester,
    onProgress: OceanProgressCallback,
    serviceId?: string,
    then: IOceanAccessThen = {}
  ): Promise<IOceanAccessGrant> {
    const network = run.network;
    onProgress({
      step: 'check',
      message: errorWords.__('Looking up the asset…')
    });
    const record = await this._record(did, 0);
    const { summary } = record;
    run.what = `buying access to "${summary.name}"`;
    const service = this._service(summary, serviceId);
    if (service.type !== 'download') {
      throw new OceanError(
        'OCEAN_NOT_FOR_SALE',
        errorWords.__(
          'This asset is offered for compute-to-data only: its data cannot be downloaded.'
        )
      );
    }
    const account = await this._account(requester);
    onProgress({
      step: 'check',
      message: errorWords.__('Checking for an order you already paid for…')
    });
    const existing = await this._findOrder(record, service, account);
    if (existing) {
      onProgress({
        step: 'done',
        message: errorWords.__(
          'You already have access (earlier order reused, nothing paid).'
        ),
        txHash: existing.orderTxId
      });
      this._accessChanged.emit(existing);
      return existing;
    }
    const market = serviceMarkets(record.ddo).find(
      entry => entry.serviceId === service.id
    );
    if (!market || market.price.type === 'none' || !market.contract) {
      throw new OceanError(
        'OCEAN_NOT_FOR_SALE',
        errorWords.__(
          'This asset has no active price (no exchange or dispenser): its publisher has not put it up for sale.'
        )
      );
    }
    const [lib, ethers, provider] = await Promise.all([
      loadOceanLib(),
      loadEthers(),
      readProvider(network)
    ]);
    let signer = (await this._requireWallet().getSigner(requester)) as any;
    const config = libConfig(network, {
      fixedRateExchangeAddress:
        market.price.type === 'fixedrate' ? market.contract : undefined,
      dispenserAddress:
        market.price.type === 'dispenser' ? market.contract : undefined,
      oceanTokenAddress: market.price.token ?? network.oceanTokenAddress
    });
    const datatoken = new ethers.Contract(
      service.datatoken,
      ERC20_ABI,
      provider
    );
    const one = ethers.parseUnits('1', 18);
    // A datatoken bought earlier (say, before a failed order) is used, not bought again.
    const held: bigint = await datatoken.balanceOf(account);
    // The publisher (the datatoken's minter) mints one to itself instead of
    // buying from its own exchange: network fees only (own-asset.ts).
    const minting =
      held < one &&
      (await canMintDatatoken(
        ethers,
        provider,
        service.datatoken,
        account,
        one
      ));
    // A wallet with EIP-5792 batches gets approve + buy + order (or
    // dispense + order) as one batch, so one approval; others one by one.
    const batch: ICall[] | null = (await walletBatches(
      this._requireWallet(),
      requester,
      network.chainId
    ))
      ? []
      : null;
    // Every dialog of the purchase names the dataset and its exchange, says
    // which step it is and the whole cost, planned before the first one.
    const flow = await this._accessFlow(
      lib,
      ethers,
      provider,
      account,
      summary.name,
      service.datatoken,
      market,
      held >= one,
      batch !== null,
      minting
    );
    signer = withFlow(signer, flow);
    // The download's node sign-in is asked as this requester, not as a step.
    const asker = requester;
    if (batch) {
      // The batch is one request: one step, told through its requester.
      requester = flow.requester(requester);
    }
    if (minting) {
      if (batch) {
        batch.push(mintCall(ethers, service.datatoken, account, one));
      } else {
        onProgress({
          step: 'mint',
          message: errorWords.__(
            'You publish this dataset: minting 1 datatoken to yourself, nothing to pay but network fees (confirm in the wallet)…'
          )
        });
        const mint = mintCall(ethers, service.datatoken, account, one);
        await this._send(signer, mint, 'mint', onProgress, network);
      }
    } else if (held < one) {
      if (market.price.type === 'fixedrate') {
        await this._buyFromExchange(
          lib,
          ethers,
          provider,
          signer,
          config,
          account,
          market,
          onProgress,
          batch ?? undefined
        );
      } else if (batch) {
        batch.push(
          dispenseCall(ethers, market.contract, service.datatoken, one, account)
        );
      } else {
        const dispenser = new lib.Dispenser(
          market.contract,
          signer,
          network.chainId,
          config
        );
        onProgress({
          step: 'dispense',
          message: errorWords.__(
            'Taking 1 free datatoken from the dispenser (confirm in the wallet)…'
          )
        });
        const tx = await guard(network, () =>
          dispenser.dispenseTx(service.datatoken, '1', account)
        );
        await this._send(signer, tx, 'dispense', onProgress, network);
      }
    }
    onProgress({
      step: 'order',
      message: errorWords.__('Asking the Ocean Node for its provider fee…')
    });
    const initialize = await guard(network, () =>
      lib.ProviderInstance.initialize(
        summary.did,
        service.id,
        0,
        account,
        network.nodeUrl
      )
    );
    if (!initialize?.providerFee) {
      throw new OceanError(
        'OCEAN_NODE_UNREACHABLE',
        errorWords.__(
          'The Ocean Node did not return a provider fee, so the order cannot start. Try again; if it persists the node may not serve this asset.'
        )
      );
    }
    let receipt: { hash: string; blockNumber: number };
    if (batch) {
      batch.push(
        orderCall(
          ethers,
          service.datatoken,
          account,
          service.index,
          initialize.providerFee
        )
      );
      onProgress({
        step: 'order',
        message:
          batch.length > 1
            ? errorWords.__(
                'Buying and ordering access: %1 transactions, one approval (confirm in the wallet)…',
                batch.length
              )
            : errorWords.__(
                'Starting the order: this spends the datatoken (confirm in the wallet)…'
              )
      });
      const calls = batch;
      // A caller that downloads next needs a node token: the batch's one
      // dialog names that sign-in too, so it is not a second dialog.
      const signIn = then.download
        ? await this._plannedSignIn(network, account)
        : undefined;
      receipt = await guard(network, () =>
        sendBatch(
          this._requireWallet(),
          requester,
          network.chainId,
          account,
          calls,
          signIn
        )
      ).catch(error => {
        // What the batch did before it stopped belongs to this run: a
        // network switch under it is told with those hashes.
        for (const sent of batchDone(ethers, calls, error)) {
          if (!run.sent.some(known => known.hash === sent.hash)) {
            run.sent.push(sent);
          }
        }
        throw whatABatchStopLeft(error, calls.length);
      });
      if (signIn) {
        onProgress({
          step: 'sign',
          message: errorWords.__(
            'Signing in to the Ocean Node, as approved with the purchase…'
          )
        });
        // The order stands either way: a sign-in that fails here is asked
        // again by the download, in a dialog of its own.
        await this._authToken(network, account, asker).catch(() => undefined);
      }
    } else {
      const dt = new lib.Datatoken(signer, network.chainId, config);
      onProgress({
        step: 'order',
        message: errorWords.__(
          'Starting the order: this spends the datatoken (confirm in the wallet)…'
        )
      });
      const orderTx = await guard(network, () =>
        dt.startOrderTx(
          service.datatoken,
          account,
          service.index,
          initialize.providerFee
        )
      );
      receipt = await this._send(signer, orderTx, 'order', onProgress, network);
    }
    const block = await provider.getBlock(receipt.blockNumber);
    const startedAt = Number(block?.timestamp ?? Math.floor(Date.now() / 1000));
    const feeValidUntil = Number(initialize.providerFee.validUntil ?? 0);
    const grant: IOceanAccessGrant = {
      did: summary.did,
      chainId: network.chainId,
      serviceId: service.id,
      serviceIndex: service.index,
      datatoken: service.datatoken,
      consumer: ethers.getAddress(account),
      orderTxId: receipt.hash,
      reused: false,
      validUntil: orderExpiry(
        {
          txHash: receipt.hash,
          serviceIndex: service.index,
          timestamp: startedAt,
          feeValidUntil
        },
        service.timeout
      )
    };
    this._memory.remember(grant);
    onProgress({
      step: 'done',
      message: errorWords.__('Access granted.'),
      txHash: receipt.hash
    });
    this._accessChanged.emit(grant);
    return grant;
  }

  /** The steps, cost and names of one purchase (see getAccess). */
  private async _accessFlow(
    lib: any,
    ethers: any,
    provider: any,
    account: string,
    name: string,
    datatoken: string,
    market: { contract?: string; exchangeId?: string; price: any },
    held: boolean,
    batched: boolean,
    /** The account mints its own datatoken (it publishes the dataset). */
    minting = false
  ): Promise<FlowSteps> {
    const title = String(name).slice(0, 60);
    let steps = held ? 1 : 2;
    let total = 'network fees only';
    if (minting) {
      return new FlowSteps(
        `Get access to your own dataset ${title}`,
        batched ? 1 : steps,
        'network fees only: you publish this dataset, so 1 datatoken is minted to you instead of bought from your exchange'
      ).name(datatoken, `the dataset ${title}`);
    }
    if (!held && market.price.type === 'fixedrate') {
      const network = this._network;
      const quote: any = await guard(network, () =>
        new lib.FixedRateExchange(
          market.contract,
          provider,
          network.chainId,
          libConfig(network, { fixedRateExchangeAddress: market.contract })
        ).calcBaseInGivenDatatokensOut(market.exchangeId, '1')
      );
      const base = new ethers.Contract(market.price.token, ERC20_ABI, provider);
      const decimals = Number(await base.decimals());
      const cost: bigint = ethers.parseUnits(
        String(quote.baseTokenAmount),
        decimals
      );
      if ((await base.allowance(account, market.contract)) < cost) {
        steps += 1;
      }
      total = `${ethers.formatUnits(cost, decimals)} ${market.price.symbol ?? 'OCEAN'} and network fees`;
    }
    return new FlowSteps(
      `Get access to ${title}`,
      // A batch is one dialog for all of them.
      batched ? 1 : steps,
      total
    )
      .name(
        market.contract,
        market.price.type === 'fixedrate'
          ? `the fixed-rate exchange selling ${title}`
          : `the dispenser giving ${title} away`
      )
      .name(datatoken, `the dataset ${title}`);
  }

  private async _buyFromExchange(
    lib: any,
    ethers: any,
    provider: any,
    signer: any,
    config: any,
    account: string,
    market: { contract?: string; exchangeId?: string; price: any },
    onProgress: OceanProgressCallback,
    /** Collects the approve and buy calls for a batch instead of sending them. */
    batch?: ICall[]
  ): Promise<void> {
    const network = this._network;
    const exchange = new lib.FixedRateExchange(
      market.contract,
      signer,
      network.chainId,
      config
    );
    const quote: any = await guard(network, () =>
      exchange.calcBaseInGivenDatatokensOut(market.exchangeId, '1')
    );
    const baseToken = new ethers.Contract(
      market.price.token,
      ERC20_ABI,
      provider
    );
    const decimals = Number(await baseToken.decimals());
    const symbol = market.price.symbol ?? 'OCEAN';
    const cost: bigint = ethers.parseUnits(
      String(quote.baseTokenAmount),
      decimals
    );
    const balance: bigint = await baseToken.balanceOf(account);
    if (balance < cost) {
      throw new OceanError(
        'OCEAN_INSUFFICIENT_FUNDS',
        network.faucetUrl
          ? errorWords.__(
              'Access costs %1 %2 (price plus fees) but the account holds %3 %2. Top up the account (the local network has a faucet in the Ocean panel) and try again; nothing was spent.',
              ethers.formatUnits(cost, decimals),
              symbol,
              ethers.formatUnits(balance, decimals)
            )
          : errorWords.__(
              'Access costs %1 %2 (price plus fees) but the account holds %3 %2. Top up the account and try again; nothing was spent.',
              ethers.formatUnits(cost, decimals),
              symbol,
              ethers.formatUnits(balance, decimals)
            ),
        { cost: cost.toString(), balance: balance.toString() }
      );
    }
    const allowance: bigint = await baseToken.allowance(
      account,
      market.contract
    );
    if (batch) {
      if (allowance < cost) {
        const approval = await new ethers.Contract(
          market.price.token,
          ERC20_ABI,
          provider
        ).approve.populateTransaction(market.contract, cost);
        batch.push({ to: String(approval.to), data: String(approval.data) });
      }
      batch.push(
        buyCall(
          ethers,
          String(market.contract),
          String(market.exchangeId),
          ethers.parseUnits('1', 18),
          cost
        )
      );
      return;
    }
    if (allowance < cost) {
      onProgress({
        step: 'approve',
        message: errorWords.__(
          'Allowing the exchange to take %1 %2 (confirm in the wallet)…',
          ethers.formatUnits(cost, decimals),
          symbol
        )
      });
      const approval = await new ethers.Contract(
        market.price.token,
        ERC20_ABI,
        signer
      ).approve.populateTransaction(market.contract, cost);
      await this._send(signer, approval, 'approve', onProgress, network);
    }
    onProgress({
      step: 'buy',
      message: errorWords.__(
        'Buying 1 datatoken for %1 %2 (confirm in the wallet)…',
        ethers.formatUnits(cost, decimals),
        symbol
      )
    });
    const buy = await guard(network, () =>
      exchange.buyDatatokensTx(
        market.exchangeId,
        '1',
        ethers.formatUnits(cost, decimals)
      )
    );
    await this._send(signer, buy, 'buy', onProgress, network);
  }

  /** Sends a prepared transaction through the wallet and waits for 1 block. */
  private _send(
    signer: any,
    request: any,
    step: 'approve' | 'buy' | 'dispense' | 'mint' | 'order',
    onProgress: OceanProgressCallback,
    network: IOceanNetwork
  ): Promise<any> {
    return sendAndWait(signer, request, {
      unsent: () =>
        new OceanError(
          'OCEAN_TX_REVERTED',
          errorWords.__(
            'The transaction could not be prepared (the chain would reject it). Nothing was sent or spent.'
          )
        ),
      sendFailed: error => txError(network, error, false),
      onSent: hash =>
        onProgress({
          step,
          message: errorWords.__('Waiting for the transaction to be mined…'),
          txHash: hash
        }),
      waitFailed: (error, hash) => txError(network, error, true, hash),
      reverted: hash =>
        new OceanError(
          'OCEAN_TX_REVERTED',
          errorWords.__(
            'The transaction %1 was reverted by the chain; only its gas was spent. Nothing else changed: try again.',
            hash
          ),
          { txHash: hash }
        )
    });
  }

  /**
   * The createAuthToken nonce the next sign-in of `account` will sign, or
   * nothing when a live token makes it needless or the node cannot say.
   */
  private async _plannedSignIn(
    network: IOceanNetwork,
    account: string
  ): Promise<{ nonce: string } | undefined> {
    const node = this._node(network);
    try {
      if (await authTokens.has(node.url, account)) {
        return undefined;
      }
      return { nonce: authTokenNonce(account, await node.nonce(account)) };
    } catch {
      return undefined;
    }
  }

  /** A node auth token for the account: the page's shared one, or one new signature. */
  private async _authToken(
    network: IOceanNetwork,
    account: string,
    requester: IWalletRequester
  ): Promise<string> {
    const node = this._node(network);
    const { token } = await authTokens.token(node, {
      account,
      describe: (validUntil, minutes) =>
        pageTokenDescription(node.url, validUntil, minutes),
      sign: async (hash, hint) => {
        const signer = await this._requireWallet().getSigner(requester);
        return guard(network, () =>
          signerSign(signer as INodeRequestSigner)(hash, hint)
        );
      }
    });
    return token;
  }

  async download(
    did: string,
    requester: IWalletRequester,
    options: IOceanDownloadOptions = {}
  ): Promise<IOceanDownload> {
    const network = this._network;
    const onProgress = options.onProgress ?? (() => undefined);
    const account = await this._account(requester);
    const record = await this._record(did);
    const service = this._service(record.summary);
    const grant = await this._findOrder(record, service, account);
    if (!grant) {
      throw new OceanError(
        'OCEAN_NO_ACCESS',
        errorWords.__(
          'You have no valid order for this asset: use Get access first (an expired order must be renewed).'
        )
      );
    }
    const fileIndex = options.fileIndex ?? 0;
    const url = await this._node(network).downloadUrl({
      fileIndex,
      documentId: grant.did,
      serviceId: grant.serviceId,
      transferTxId: grant.orderTxId,
      consumerAddress: grant.consumer
    });
    const start = options.range?.start ?? 0;
    const end = options.range?.end;
    let attemptToken = true;
    for (;;) {
      if (!(await authTokens.has(network.nodeUrl, account))) {
        onProgress({
          step: 'sign',
          message: errorWords.__(
            'Sign in to the Ocean Node (one signature, valid %1 minutes)…',
            AUTH_TOKEN_MINUTES
          )
        });
      }
      const token = await this._authToken(network, account, requester);
      try {
        const result = await this._fetchBytes(
          url,
          token,
          start,
          end,
          options.signal,
          onProgress
        );
        return { ...result, fileIndex, grant };
      } catch (error) {
        const nodeCode = (error as OceanError).details?.nodeCode;
        if (
          attemptToken &&
          error instanceof OceanError &&
          (nodeCode === 'INVALID_TOKEN' ||
            nodeCode === 'TOKEN_EXPIRED' ||
            nodeCode === 'TOKEN_INVALIDATED')
        ) {
          // The node forgot or expired our token: sign in once more.
          await authTokens.forget(network.nodeUrl, account, token);
          attemptToken = false;
          continue;
        }
        if (
          error instanceof OceanError &&
          error.code === 'OCEAN_ORDER_EXPIRED'
        ) {
          this._memory.forget(grant.orderTxId);
        }
        throw error;
      }
    }
  }

  /** GET with Range, streaming; stops after `end` even when the node ignores Range. */
  private async _fetchBytes(
    url: string,
    token: string,
    start: number,
    end: number | undefined,
    signal: AbortSignal | undefined,
    onProgress: OceanProgressCallback
  ): Promise<{
    bytes: Uint8Array;
    contentType: string | null;
    totalSize: number | null;
  }> {
    const { bytes, contentType, totalSize } = await readRange(
      url,
      { Authorization: token },
      start,
      end,
      signal,
      onProgress
    );
    return { bytes, contentType, totalSize };
  }
}

/** Runs a lib call, turning its failures into OceanErrors with advice. */
async function guard<T>(
  network: IOceanNetwork,
  call: () => Promise<T>
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof OceanError) {
      throw error;
    }
    throw txError(network, error, false);
  }
}

function errorText(error: unknown): string {
  const anyError = error as any;
  return [
    anyError?.shortMessage,
    anyError?.reason,
    anyError?.info?.error?.message,
    anyError?.message,
    String(error)
  ]
    .filter(Boolean)
    .join(' | ');
}

function chainError(network: IOceanNetwork, error: unknown): OceanError {
  return new OceanError(
    'OCEAN_NETWORK_UNREACHABLE',
    errorWords.__(
      'The chain of "%1" (%2) does not answer. Check that it is running, then try again.',
      network.name,
      network.rpcUrl
    ),
    { cause: errorText(error) }
  );
}

/** The chain's refusal of a transaction, whole sentences for translators. */
function rejectedWords(
  txHash: string | undefined,
  mined: boolean,
  reason: string
): string {
  const hash = txHash ? ` ${txHash}` : '';
  return mined
    ? errorWords.__(
        "The chain rejected the transaction%1 (only its gas was spent): %2. Try again; if it repeats, the asset's exchange or dispenser may be closed.",
        hash,
        reason
      )
    : errorWords.__(
        "The chain rejected the transaction%1 before it was sent (nothing was spent): %2. Try again; if it repeats, the asset's exchange or dispenser may be closed.",
        hash,
        reason
      );
}

/** Why a transaction failed, in words, with what it cost. */
export function txError(
  network: IOceanNetwork,
  error: unknown,
  mined: boolean,
  txHash?: string
): OceanError {
  if (error instanceof OceanError) {
    return error;
  }
  const anyError = error as any;
  const text = errorText(error);
  if (
    anyError?.code === 4001 ||
    anyError?.code === 'ACTION_REJECTED' ||
    anyError?.error?.code === 4001 ||
    /user rejected|user denied|rejected by the user/i.test(text)
  ) {
    return new OceanError(
      4001,
      errorWords.__('You declined in the wallet. Nothing was sent or spent.'),
      { cause: text }
    );
  }
  if (/insufficient funds/i.test(text)) {
    return new OceanError(
      'OCEAN_INSUFFICIENT_FUNDS',
      network.faucetUrl
        ? errorWords.__(
            'The account has not enough %1 to pay for gas. Top it up (the local network has a faucet) and try again; nothing was spent.',
            network.nativeSymbol
          )
        : errorWords.__(
            'The account has not enough %1 to pay for gas. Top it up and try again; nothing was spent.',
            network.nativeSymbol
          ),
      { cause: text }
    );
  }
  if (
    anyError?.code === 'NETWORK_ERROR' ||
    /ECONNREFUSED|failed to fetch|fetch failed|network error/i.test(text)
  ) {
    return new OceanError(
      anyError?.config ? 'OCEAN_NODE_UNREACHABLE' : 'OCEAN_NETWORK_UNREACHABLE',
      errorWords.__(
        'The network did not answer (%1 or the Ocean Node). Nothing was spent; try again when it is back.',
        network.rpcUrl
      ),
      { cause: text }
    );
  }
  if (mined || anyError?.code === 'CALL_EXCEPTION' || /revert/i.test(text)) {
    return new OceanError(
      'OCEAN_TX_REVERTED',
      rejectedWords(
        txHash,
        mined,
        anyError?.reason ?? anyError?.shortMessage ?? 'reverted'
      ),
      { cause: text, txHash }
    );
  }
  return new OceanError(
    'OCEAN_TX_REVERTED',
    errorWords.__(
      'The operation failed: %1. Nothing was spent unless a transaction hash was shown.',
      anyError?.shortMessage ?? anyError?.message ?? String(error)
    ),
    { cause: text }
  );
}

/**
 * The buy batch is [approve?, buy or dispense, order]: the wallet says which
 * step stopped it; this adds what that means for the person's money.
 */
function whatABatchStopLeft(error: unknown, steps: number): unknown {
  if (!(error instanceof OceanError) || error.code !== 'OCEAN_TX_REVERTED') {
    return error;
  }
  const failedStep = Number(error.details?.failedStep ?? 0);
  if (!failedStep) {
    return error;
  }
  const meaning =
    failedStep < steps
      ? errorWords.__(
          'No datatoken was bought, so nothing was spent but network fees; a rerun starts where this stopped and does not ask for an approval already given.'
        )
      : errorWords.__(
          'The datatoken you bought stays in your account; a rerun orders with it and does not buy again.'
        );
  return new OceanError(
    error.code,
    `${error.message} ${meaning}`,
    error.details
  );
}
