/**
 * Follows the chain: metadata events of Ocean NFTs (created, updated, state), orders, and the
 * fixed-rate exchange and dispenser events that give an asset its price. DDOs published
 * encrypted with this node's key are decrypted here; a DDO another node encrypted is asked of
 * that node (the event's decryptorUrl) through its /api/services/decrypt, as Ocean Node's
 * indexer does (remote-decrypt.ts), and indexed when its hash matches the event's.
 * Each polled range of blocks is committed in one SQLite transaction with its last block.
 */
import { Contract, getAddress, getBytes, toUtf8String } from 'ethers';
import type { JsonRpcProvider, Log } from 'ethers';
import {
  DISPENSER_ABI,
  ERC20_ABI,
  ERC721_ABI,
  FACTORY_ABI,
  FIXED_RATE_ABI,
  type OceanAddresses
} from './chain.js';
import { makeDid, sha256Hex, type NodeKeys } from './crypto.js';
import type { DdoRow, IndexedBatch, NodeDatabase } from './db.js';
import { decryptThroughNode } from './remote-decrypt.js';

const METADATA_EVENTS = [
  'MetadataCreated',
  'MetadataUpdated',
  'MetadataState'
] as const;
const ORDER_EVENTS = ['OrderStarted'] as const;
const EXCHANGE_EVENTS = [
  'ExchangeCreated',
  'ExchangeRateChanged',
  'ExchangeActivated',
  'ExchangeDeactivated'
] as const;
const DISPENSER_EVENTS = [
  'DispenserCreated',
  'DispenserActivated',
  'DispenserDeactivated'
] as const;

const topicOf = (iface: typeof ERC721_ABI, name: string): string =>
  iface.getEvent(name)!.topicHash;

const TOPICS = new Map<string, { iface: typeof ERC721_ABI; name: string }>();
for (const name of METADATA_EVENTS)
  TOPICS.set(topicOf(ERC721_ABI, name), { iface: ERC721_ABI, name });
for (const name of ORDER_EVENTS)
  TOPICS.set(topicOf(ERC20_ABI, name), { iface: ERC20_ABI, name });
for (const name of EXCHANGE_EVENTS)
  TOPICS.set(topicOf(FIXED_RATE_ABI, name), { iface: FIXED_RATE_ABI, name });
for (const name of DISPENSER_EVENTS)
  TOPICS.set(topicOf(DISPENSER_ABI, name), { iface: DISPENSER_ABI, name });

/** Blocks per getLogs call: large enough to catch up fast, small enough for one transaction. */
const MAX_RANGE = 2000;

export interface IndexerOptions {
  db: NodeDatabase;
  provider: JsonRpcProvider;
  keys: NodeKeys;
  addresses: OceanAddresses;
  chainId: number;
  pollIntervalMs: number;
  log?: (message: string) => void;
}

export class Indexer {
  readonly #options: IndexerOptions;
  readonly #factory: Contract;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #stopped = true;
  #current: Promise<void> = Promise.resolve();
  /** Aborted on stop(), so a wait for another node's decrypt does not hold the stop up. */
  #abort = new AbortController();

  constructor(options: IndexerOptions) {
    this.#options = options;
    this.#factory = new Contract(
      options.addresses.erc721Factory,
      FACTORY_ABI,
      options.provider
    );
  }

  start(): void {
    this.#stopped = false;
    if (this.#abort.signal.aborted) this.#abort = new AbortController();
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort(new Error('the indexer is stopping'));
    if (this.#timer) clearTimeout(this.#timer);
    await this.#current;
  }

  get lastIndexedBlock(): number {
    return (
      this.#options.db.lastIndexedBlock() ??
      this.#options.addresses.startBlock - 1
    );
  }

  #schedule(delay: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#current = this.#loop();
    }, delay);
  }

  async #loop(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    let caughtUp = true;
    try {
      caughtUp = await this.indexOnce();
    } catch (error) {
      this.#options.log?.(`indexer: ${(error as Error).message}`);
    } finally {
      this.#running = false;
      this.#schedule(caughtUp ? this.#options.pollIntervalMs : 0);
    }
  }

  /** Indexes the next range of blocks; returns true when it has caught up with the chain. */
  async indexOnce(): Promise<boolean> {
    const { provider, db } = this.#options;
    const from = this.lastIndexedBlock + 1;
    const latest = await provider.getBlockNumber();
    if (from > latest) return true;
    const to = Math.min(latest, from + MAX_RANGE - 1);
    const logs = await provider.getLogs({
      fromBlock: from,
      toBlock: to,
      topics: [[...TOPICS.keys()]]
    });
    logs.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
    const batch: IndexedBatch = {
      toBlock: to,
      ddos: [],
      stateChanges: [],
      orders: [],
      exchanges: [],
      exchangeUpdates: [],
      dispensers: [],
      dispenserUpdates: [],
      datatokens: []
    };
    const ddosInBatch = new Map<string, DdoRow>();
    for (const log of logs) {
      if (this.#stopped) return true;
      try {
        await this.#handle(log, batch, ddosInBatch);
      } catch (error) {
        this.#options.log?.(
          `indexer: skipped log ${log.transactionHash}#${log.index}: ${(error as Error).message}`
        );
      }
    }
    // A stop mid-range (maybe mid-decrypt) leaves the range for the next start, whole.
    if (this.#stopped) return true;
    batch.ddos = [...ddosInBatch.values()];
    db.applyBatch(batch);
    return to === latest;
  }

  async #handle(
    log: Log,
    batch: IndexedBatch,
    ddosInBatch: Map<string, DdoRow>
  ): Promise<void> {
    const known = TOPICS.get(log.topics[0]);
    if (!known) return;
    const event = known.iface.parseLog({
      topics: [...log.topics],
      data: log.data
    });
    if (!event) return;
    const emitter = log.address.toLowerCase();
    const { addresses } = this.#options;
    switch (known.name) {
      case 'MetadataCreated':
      case 'MetadataUpdated': {
        const row = await this.#metadataRow(
          log,
          event.args,
          ddosInBatch,
          batch
        );
        if (row) ddosInBatch.set(row.nftAddress, row);
        return;
      }
      case 'MetadataState': {
        const state = Number(event.args.state);
        const pending = ddosInBatch.get(emitter);
        if (pending) pending.metadataState = state;
        else batch.stateChanges.push({ nftAddress: emitter, state });
        return;
      }
      case 'OrderStarted': {
        batch.orders.push({
          txHash: log.transactionHash.toLowerCase(),
          logIndex: log.index,
          datatoken: emitter,
          consumer: String(event.args.consumer).toLowerCase(),
          payer: String(event.args.payer).toLowerCase(),
          amount: event.args.amount.toString(),
          serviceIndex: Number(event.args.serviceIndex),
          timestamp: Number(event.args.timestamp),
          block: log.blockNumber,
          reusedTx: null
        });
        return;
      }
    }
    if (
      addresses.fixedRateExchanges.some(
        address => address.toLowerCase() === emitter
      )
    ) {
      const exchangeId = String(event.args.exchangeId);
      if (known.name === 'ExchangeCreated') {
        batch.exchanges.push({
          exchangeId,
          contract: getAddress(emitter),
          datatoken: String(event.args.datatoken).toLowerCase(),
          baseToken: getAddress(String(event.args.baseToken)),
          owner: String(event.args.exchangeOwner).toLowerCase(),
          rate: event.args.fixedRate.toString(),
          active: 1
        });
      } else if (known.name === 'ExchangeRateChanged') {
        batch.exchangeUpdates.push({
          exchangeId,
          rate: event.args.newRate.toString()
        });
      } else {
        batch.exchangeUpdates.push({
          exchangeId,
          active: known.name === 'ExchangeActivated' ? 1 : 0
        });
      }
      return;
    }
    if (emitter === addresses.dispenser.toLowerCase()) {
      const datatoken = String(event.args.datatokenAddress).toLowerCase();
      if (known.name === 'DispenserCreated') {
        batch.dispensers.push({
          datatoken,
          contract: getAddress(emitter),
          owner: String(event.args.owner).toLowerCase(),
          maxTokens: event.args.maxTokens.toString(),
          maxBalance: event.args.maxBalance.toString(),
          active: 1
        });
      } else {
        batch.dispenserUpdates.push({
          datatoken,
          active: known.name === 'DispenserActivated' ? 1 : 0
        });
      }
    }
  }

  async #metadataRow(
    log: Log,
    args: Record<string, unknown> & { [index: number]: unknown },
    ddosInBatch: Map<string, DdoRow>,
    batch: IndexedBatch
  ): Promise<DdoRow | undefined> {
    const { provider, keys, chainId, db } = this.#options;
    const nftAddress = getAddress(log.address);
    // Only NFTs minted by Ocean's factory count; anyone can emit a look-alike event.
    const listed = String(await this.#factory.erc721List(nftAddress));
    if (listed.toLowerCase() !== nftAddress.toLowerCase())
      throw new Error(`${nftAddress} is not an Ocean NFT`);

    const flags = getBytes(String(args.flags));
    const flag = flags.length > 0 ? flags[0] : 0;
    if (flag & 1) throw new Error('lzma-compressed DDOs are not supported');
    let text: string;
    const data = getBytes(String(args.data));
    if (flag & 2) {
      let own: string | undefined;
      try {
        own = keys.decrypt(data).toString('utf8');
      } catch {
        // not sealed with our key: another node published it
      }
      if (own !== undefined) text = own;
      else {
        const decryptorUrl = String(args.decryptorUrl ?? '');
        this.#options.log?.(
          `indexer: the DDO of ${nftAddress} was encrypted by another node; asking ${decryptorUrl} to decrypt it`
        );
        text = await decryptThroughNode({
          decryptorUrl,
          nftAddress,
          transactionId: log.transactionHash,
          chainId,
          keys,
          signal: this.#abort.signal,
          log: this.#options.log
        });
        if (`0x${sha256Hex(text)}` !== String(args.metaDataHash).toLowerCase())
          throw new Error(
            `${decryptorUrl} answered a DDO for ${nftAddress} whose hash is not the event's metadataHash`
          );
        this.#options.log?.(
          `indexer: ${makeDid(nftAddress, chainId)} decrypted by ${decryptorUrl}`
        );
      }
    } else {
      text = toUtf8String(data);
    }
    const expectedHash = String(args.metaDataHash).toLowerCase();
    if (`0x${sha256Hex(text)}` !== expectedHash)
      throw new Error(`metadata hash mismatch for ${nftAddress}`);
    const ddo = JSON.parse(text) as Record<string, unknown>;
    const did = makeDid(nftAddress, chainId);
    if (String(ddo.id).toLowerCase() !== did)
      throw new Error(`DDO id ${String(ddo.id)} is not ${did}`);
    if (
      String(ddo.nftAddress ?? '').toLowerCase() !== nftAddress.toLowerCase()
    ) {
      throw new Error('DDO nftAddress does not match the emitting NFT');
    }
    delete ddo.indexedMetadata;

    const nft = new Contract(nftAddress, ERC721_ABI, provider);
    const [block, tx, name, symbol, tokenUri, owner] = await Promise.all([
      provider.getBlock(log.blockNumber),
      provider.getTransaction(log.transactionHash),
      nft.name().catch(() => ''),
      nft.symbol().catch(() => ''),
      nft.tokenURI(1).catch(() => ''),
      nft.ownerOf(1).catch(() => '')
    ]);
    const datetime = new Date((block?.timestamp ?? 0) * 1000).toISOString();
    const previous =
      ddosInBatch.get(nftAddress.toLowerCase()) ?? db.getDdoByNft(nftAddress);

    const services = Array.isArray(ddo.services)
      ? (ddo.services as Record<string, unknown>[])
      : [];
    for (const service of services) {
      if (typeof service.datatokenAddress !== 'string') continue;
      const datatoken = new Contract(
        service.datatokenAddress,
        ERC20_ABI,
        provider
      );
      const [dtName, dtSymbol] = await Promise.all([
        datatoken.name().catch(() => ''),
        datatoken.symbol().catch(() => '')
      ]);
      batch.datatokens.push({
        address: service.datatokenAddress.toLowerCase(),
        nftAddress: nftAddress.toLowerCase(),
        name: String(dtName),
        symbol: String(dtSymbol)
      });
    }
    return {
      did,
      nftAddress: nftAddress.toLowerCase(),
      chainId,
      ddo: JSON.stringify(ddo),
      metadataState: Number(args.state),
      eventTx: log.transactionHash.toLowerCase(),
      eventBlock: log.blockNumber,
      eventFrom: tx ? getAddress(tx.from) : '',
      eventContract: nftAddress,
      eventDatetime: datetime,
      nftName: String(name),
      nftSymbol: String(symbol),
      nftOwner: owner ? getAddress(String(owner)) : '',
      nftTokenUri: String(tokenUri),
      nftCreated: previous?.nftCreated ?? datetime
    };
  }
}
