/**
 * Shared steps for the Ocean Node tests, all through the real @oceanprotocol/lib: publish an
 * asset (NFT + datatoken + fixed rate or dispenser, files and DDO encrypted by the node, DDO
 * validated by the node, setMetadata), wait for the indexer, order, download.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Aquarius,
  Datatoken,
  Nft,
  NftFactory,
  ProviderInstance,
  getEventFromTx,
  type DatatokenCreateParams,
  type NftCreateData
} from '@oceanprotocol/lib';
import { JsonRpcProvider, Network, Wallet, sha256, toUtf8Bytes } from 'ethers';
import { join } from 'node:path';
import type { DevelopmentAddresses } from '../src/deploy.ts';
import {
  startOceanNode,
  type OceanNode,
  type OceanNodeOptions
} from '../src/node/index.ts';
import { ACCOUNTS, type TestChain } from './helpers.ts';

export const CHAIN_ID = 8996;
const ZERO = '0x0000000000000000000000000000000000000000';

export function wallet(privateKey: string, rpcUrl: string): Wallet {
  const provider = new JsonRpcProvider(rpcUrl, Network.from(CHAIN_ID), {
    staticNetwork: Network.from(CHAIN_ID),
    cacheTimeout: -1,
    pollingInterval: 100
  });
  return new Wallet(privateKey, provider);
}

/**
 * Our Ocean Node on `chain`, as the tests run it: the provider account's key, a free port, a
 * fast indexer, no log. `overrides` add what one test needs (allowed file origins, limits).
 */
export function startTestNode(
  chain: TestChain,
  overrides: Partial<OceanNodeOptions> = {}
): Promise<OceanNode> {
  return startOceanNode({
    rpcUrl: chain.rpcUrl,
    chainId: CHAIN_ID,
    addressFile: chain.addressFile,
    dataDir: join(chain.dir, 'node'),
    privateKey: ACCOUNTS.provider.privateKey,
    port: 0,
    // Our tests make far more than a real node's 30 requests a minute.
    rateLimitPerMinute: 100_000,
    indexerPollMs: 100,
    log: () => {},
    ...overrides
  });
}

export interface Published {
  did: string;
  nftAddress: string;
  datatokenAddress: string;
  serviceId: string;
  exchangeId?: string;
}

export interface PublishOptions {
  publisher: Wallet;
  addresses: DevelopmentAddresses;
  /** Validates and encrypts the DDO; its URL goes on chain as the decryptor. */
  nodeUrl: string;
  /**
   * The node that serves the files (their encryption key, the serviceEndpoint); nodeUrl when
   * not given. Only the node that sealed the files can read them to serve a download.
   */
  serviceNodeUrl?: string;
  files: Record<string, unknown>[];
  pricing: 'fixed' | 'free';
  name: string;
  timeout?: number;
}

export async function publish(options: PublishOptions): Promise<Published> {
  const { publisher, addresses, nodeUrl } = options;
  const serviceNodeUrl = options.serviceNodeUrl ?? nodeUrl;
  const owner = await publisher.getAddress();
  const factory = new NftFactory(addresses.ERC721Factory, publisher, CHAIN_ID);
  const nftParams: NftCreateData = {
    name: options.name,
    symbol: options.name.slice(0, 4).toUpperCase(),
    templateIndex: 1,
    tokenURI: 'https://example.invalid/nft',
    transferable: true,
    owner
  };
  const dtParams: DatatokenCreateParams = {
    templateIndex: 1,
    cap: '100000',
    feeAmount: '0',
    paymentCollector: owner,
    feeToken: addresses.Ocean,
    minter: owner,
    mpFeeAddress: ZERO,
    name: `${options.name} DT`,
    symbol: 'DT'
  };
  const created =
    options.pricing === 'fixed'
      ? await factory.createNftWithDatatokenWithFixedRate(nftParams, dtParams, {
          fixedRateAddress: addresses.FixedPrice,
          baseTokenAddress: addresses.Ocean,
          owner,
          marketFeeCollector: owner,
          baseTokenDecimals: 18,
          datatokenDecimals: 18,
          fixedRate: '2',
          marketFee: '0',
          allowedConsumer: ZERO,
          withMint: true
        })
      : await factory.createNftWithDatatokenWithDispenser(nftParams, dtParams, {
          dispenserAddress: addresses.Dispenser,
          maxTokens: '10',
          maxBalance: '10',
          withMint: true,
          allowedSwapper: ZERO
        });
  // The lib's helpers return the transaction response (or null on failure, after logging).
  if (!created || typeof created !== 'object')
    throw new Error('factory transaction failed');
  const receipt = await (
    created as unknown as { wait(): Promise<never> }
  ).wait();
  const nftAddress: string = getEventFromTx(receipt, 'NFTCreated').args
    .newTokenAddress;
  const datatokenAddress: string = getEventFromTx(receipt, 'TokenCreated').args
    .newTokenAddress;
  const exchangeId: string | undefined =
    options.pricing === 'fixed'
      ? getEventFromTx(receipt, 'NewFixedRate')?.args?.exchangeId
      : undefined;

  const encryptedFiles = await ProviderInstance.encrypt(
    { nftAddress, datatokenAddress, files: options.files },
    CHAIN_ID,
    serviceNodeUrl,
    publisher
  );
  const did = `did:op:${sha256(toUtf8Bytes(nftAddress + CHAIN_ID)).slice(2)}`;
  const serviceId = sha256(toUtf8Bytes(`${datatokenAddress}/access`)).slice(2);
  const ddo = {
    '@context': ['https://w3id.org/did/v1'],
    id: did,
    version: '4.1.0',
    chainId: CHAIN_ID,
    nftAddress,
    metadata: {
      created: '2026-01-01T00:00:00Z',
      updated: '2026-01-01T00:00:00Z',
      type: 'dataset',
      name: options.name,
      description: `Test asset ${options.name}`,
      author: 'jupyterlab-ocean tests',
      license: 'CC0-1.0',
      tags: ['test']
    },
    services: [
      {
        id: serviceId,
        type: 'access',
        files: encryptedFiles,
        datatokenAddress,
        serviceEndpoint: serviceNodeUrl,
        timeout: options.timeout ?? 0
      }
    ]
  };
  const validation = await new Aquarius(nodeUrl).validate(
    ddo as never,
    publisher,
    nodeUrl
  );
  if (!validation?.valid || !validation.hash)
    throw new Error('the node did not validate the DDO');
  const encryptedDdo = await ProviderInstance.encrypt(
    ddo,
    CHAIN_ID,
    nodeUrl,
    publisher
  );
  const metadataTx = await new Nft(publisher, CHAIN_ID).setMetadata(
    nftAddress,
    owner,
    0,
    nodeUrl,
    '',
    '0x02',
    encryptedDdo,
    validation.hash
  );
  if (!metadataTx || typeof metadataTx !== 'object')
    throw new Error('setMetadata failed');
  await (metadataTx as unknown as { wait(): Promise<unknown> }).wait();
  return { did, nftAddress, datatokenAddress, serviceId, exchangeId };
}

/** Initialize (node-signed provider fee) and startOrder, as a consumer does. Returns the tx hash. */
export async function startOrder(
  consumer: Wallet,
  nodeUrl: string,
  asset: Published,
  validUntil?: number
): Promise<string> {
  const consumerAddress = await consumer.getAddress();
  const init = await ProviderInstance.initialize(
    asset.did,
    asset.serviceId,
    0,
    consumerAddress,
    nodeUrl,
    undefined,
    undefined,
    undefined,
    validUntil
  );
  const tx = await new Datatoken(consumer, CHAIN_ID).startOrder(
    asset.datatokenAddress,
    consumerAddress,
    0,
    init.providerFee
  );
  if (!tx || typeof tx !== 'object') throw new Error('startOrder failed');
  const receipt = await (
    tx as { wait(): Promise<{ hash: string } | null> }
  ).wait();
  if (!receipt) throw new Error('startOrder was not mined');
  return receipt.hash;
}

export async function downloadUrl(
  signerOrToken: Wallet | string,
  nodeUrl: string,
  asset: Published,
  txHash: string
): Promise<string> {
  const url = await ProviderInstance.getDownloadUrl(
    asset.did,
    asset.serviceId,
    0,
    txHash,
    nodeUrl,
    signerOrToken
  );
  if (typeof url !== 'string') throw new Error('getDownloadUrl gave no URL');
  return url;
}

/** A file origin on loopback serving fixed bytes with Range support (node:http's own). */
export async function startOrigin(
  content: Buffer
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      const end = range[2]
        ? Math.min(Number(range[2]), content.length - 1)
        : content.length - 1;
      res.writeHead(206, {
        'Content-Type': 'application/octet-stream',
        'Content-Range': `bytes ${start}-${end}/${content.length}`,
        'Content-Length': end - start + 1,
        'Accept-Ranges': 'bytes'
      });
      res.end(content.subarray(start, end + 1));
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': content.length,
      'Accept-Ranges': 'bytes'
    });
    res.end(content);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/data.bin`,
    server
  };
}

export async function waitForDdo(
  nodeUrl: string,
  did: string
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const response = await fetch(
      `${nodeUrl}/api/aquarius/assets/ddo/${did}`
    ).catch(() => undefined);
    if (response?.ok) return (await response.json()) as Record<string, unknown>;
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  throw new Error(`${did} was not indexed within 30 s`);
}
