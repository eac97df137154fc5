/**
 * Publishing an asset through the real `@oceanprotocol/lib`, the way a
 * market or ocean.js user does: NFT + datatoken (+ fixed-rate exchange or
 * dispenser) in one factory call, the files object and the DDO encrypted by
 * the Ocean Node, then `setMetadata` on the NFT. The node's indexer picks the
 * asset up from the chain like any other.
 *
 * Exported for the sample assets and for later publishers (the GAN model).
 */
import {
  Aquarius,
  Nft,
  NftFactory,
  ProviderInstance,
  generateDid,
  type DatatokenCreateParams,
  type NftCreateData
} from '@oceanprotocol/lib';
import {
  Interface,
  sha256,
  toUtf8Bytes,
  type Signer,
  type TransactionReceipt
} from 'ethers';

import { CHAIN_ID } from './chain.ts';
import { loadArtifact, type DevelopmentAddresses } from './deploy.ts';

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

export interface AssetMetadata {
  name: string;
  description: string;
  author: string;
  license: string;
  tags: string[];
  type?: 'dataset' | 'algorithm';
  /** Public sample links (previews anyone may open). */
  links?: string[];
  additionalInformation?: Record<string, unknown>;
}

export interface AssetFile {
  url: string;
  headers?: Record<string, string>;
}

export type Pricing =
  { type: 'fixed'; priceInOcean: string } | { type: 'free' };

export interface PublishRequest {
  signer: Signer;
  addresses: DevelopmentAddresses;
  nodeUrl: string;
  /** The node's provider address, recorded as the metadata decryptor. */
  providerAddress: string;
  metadata: AssetMetadata;
  files: AssetFile[];
  pricing: Pricing;
  /** Token names; short and unique per asset. */
  nftName: string;
  nftSymbol: string;
  /** Seconds an order stays valid (0 = forever). */
  timeout?: number;
}

export interface PublishedAsset {
  did: string;
  nftAddress: string;
  datatokenAddress: string;
  /** The fixed-rate exchange id, for priced assets. */
  exchangeId?: string;
  metadataTxHash: string;
}

const EVENT_SOURCES = [
  new Interface(loadArtifact('ERC721Factory').abi),
  new Interface(loadArtifact('FixedRateExchange').abi),
  new Interface(loadArtifact('Dispenser').abi)
];

/** The first log in `receipt` that decodes as `eventName` under one of Ocean's ABIs. */
function findEvent(
  receipt: TransactionReceipt,
  eventName: string
): Record<string, unknown> | undefined {
  for (const log of receipt.logs) {
    for (const source of EVENT_SOURCES) {
      const parsed = source.parseLog({
        topics: [...log.topics],
        data: log.data
      });
      if (parsed?.name === eventName) return parsed.args.toObject();
    }
  }
  return undefined;
}

/** The lib returns a sent transaction, or null/undefined on failure (it logs instead of throwing). */
async function mined(tx: unknown, what: string): Promise<TransactionReceipt> {
  const receipt =
    tx && typeof tx === 'object' && 'wait' in tx
      ? await (tx as { wait(): Promise<TransactionReceipt | null> }).wait()
      : null;
  if (!receipt || receipt.status !== 1)
    throw new PublishError('PUBLISH_TX_FAILED', `${what} failed.`);
  return receipt;
}

export class PublishError extends Error {
  constructor(
    readonly code: string,
    message: string
  ) {
    super(message);
    this.name = 'PublishError';
  }
}

/**
 * How the datatoken is had: bought at a fixed rate in OCEAN, taken from a
 * free dispenser, or (no exchange) minted by the publisher to whoever should
 * use the asset.
 */
export type TokenPricing = Pricing | { type: 'mint' };

export interface AssetTokens {
  nftAddress: string;
  datatokenAddress: string;
  /** The fixed-rate exchange id, for priced assets. */
  exchangeId?: string;
}

/**
 * The data NFT and its datatoken, in one factory call with the exchange or
 * dispenser the pricing needs; resolves once mined. `dispenserMax` is the
 * most datatokens the dispenser gives one account.
 */
export async function createAssetTokens(
  signer: Signer,
  addresses: DevelopmentAddresses,
  name: string,
  symbol: string,
  pricing: TokenPricing,
  dispenserMax = '1'
): Promise<AssetTokens> {
  const owner = await signer.getAddress();
  const factory = new NftFactory(addresses.ERC721Factory, signer, CHAIN_ID);
  const nftParams: NftCreateData = {
    name,
    symbol,
    templateIndex: 1,
    tokenURI: '',
    transferable: true,
    owner
  };
  const datatokenParams: DatatokenCreateParams = {
    templateIndex: 1,
    cap: '100000',
    feeAmount: '0',
    paymentCollector: owner,
    feeToken: addresses.Ocean,
    minter: owner,
    mpFeeAddress: ZERO_ADDRESS,
    name: `${name} access`,
    symbol: `${symbol}-DT`
  };
  // The lib logs and returns null/undefined instead of throwing on a failed
  // transaction, so every result is checked.
  const created =
    pricing.type === 'fixed'
      ? await factory.createNftWithDatatokenWithFixedRate(
          nftParams,
          datatokenParams,
          {
            fixedRateAddress: addresses.FixedPrice,
            baseTokenAddress: addresses.Ocean,
            owner,
            marketFeeCollector: owner,
            baseTokenDecimals: 18,
            datatokenDecimals: 18,
            fixedRate: pricing.priceInOcean,
            marketFee: '0',
            allowedConsumer: ZERO_ADDRESS,
            withMint: true
          }
        )
      : pricing.type === 'free'
        ? await factory.createNftWithDatatokenWithDispenser(
            nftParams,
            datatokenParams,
            {
              dispenserAddress: addresses.Dispenser,
              maxTokens: dispenserMax,
              maxBalance: dispenserMax,
              withMint: true,
              allowedSwapper: ZERO_ADDRESS
            }
          )
        : await factory.createNftWithDatatoken(nftParams, datatokenParams);
  const receipt = await mined(
    created,
    `Creating the NFT and datatoken for "${name}"`
  );
  const nftAddress = findEvent(receipt, 'NFTCreated')?.newTokenAddress as
    string | undefined;
  const datatokenAddress = findEvent(receipt, 'TokenCreated')
    ?.newTokenAddress as string | undefined;
  const exchangeId =
    pricing.type === 'fixed'
      ? (findEvent(receipt, 'NewFixedRate')?.exchangeId as string | undefined)
      : undefined;
  if (!nftAddress || !datatokenAddress) {
    throw new PublishError(
      'PUBLISH_NO_EVENTS',
      `The factory transaction for "${name}" emitted no NFT/token events.`
    );
  }
  return { nftAddress, datatokenAddress, exchangeId };
}

/**
 * Encrypts `ddo` with the node and records it on the data NFT (flag 0x02:
 * encrypted) with `hash`; resolves with the mined receipt.
 */
export async function setEncryptedMetadata(
  signer: Signer,
  nodeUrl: string,
  nftAddress: string,
  ddo: { metadata: { name: string } },
  hash: string,
  providerAddress = ''
): Promise<TransactionReceipt> {
  const encryptedDdo = await ProviderInstance.encrypt(
    ddo,
    CHAIN_ID,
    nodeUrl,
    signer
  );
  if (!encryptedDdo) {
    throw new PublishError(
      'PUBLISH_ENCRYPT_DDO_FAILED',
      `The node did not encrypt the DDO of "${ddo.metadata.name}".`
    );
  }
  const metadataTx = await new Nft(signer, CHAIN_ID).setMetadata(
    nftAddress,
    await signer.getAddress(),
    0,
    nodeUrl,
    providerAddress,
    '0x02',
    encryptedDdo,
    hash
  );
  return mined(metadataTx, `setMetadata for "${ddo.metadata.name}"`);
}

/** Publishes one asset; resolves once the metadata transaction is mined (not yet indexed). */
export async function publishAsset(
  request: PublishRequest
): Promise<PublishedAsset> {
  const { signer, addresses, nodeUrl, metadata, pricing } = request;
  const { nftAddress, datatokenAddress, exchangeId } = await createAssetTokens(
    signer,
    addresses,
    request.nftName,
    request.nftSymbol,
    pricing
  );

  const encryptedFiles = await ProviderInstance.encrypt(
    {
      nftAddress,
      datatokenAddress,
      files: request.files.map(file => ({
        type: 'url',
        url: file.url,
        method: 'GET',
        ...(file.headers ? { headers: file.headers } : {})
      }))
    },
    CHAIN_ID,
    nodeUrl,
    signer
  );
  if (!encryptedFiles) {
    throw new PublishError(
      'PUBLISH_ENCRYPT_FILES_FAILED',
      `The node did not encrypt the files of "${metadata.name}".`
    );
  }

  const did = generateDid(nftAddress, CHAIN_ID);
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const ddo = {
    '@context': ['https://w3id.org/did/v1'],
    id: did,
    version: '4.1.0',
    chainId: CHAIN_ID,
    nftAddress,
    metadata: {
      created: now,
      updated: now,
      type: metadata.type ?? 'dataset',
      name: metadata.name,
      description: metadata.description,
      author: metadata.author,
      license: metadata.license,
      tags: metadata.tags,
      ...(metadata.links ? { links: metadata.links } : {}),
      ...(metadata.additionalInformation
        ? { additionalInformation: metadata.additionalInformation }
        : {})
    },
    services: [
      {
        id: sha256(toUtf8Bytes(`${datatokenAddress}/access`)).slice(2),
        type: 'access',
        name: 'Download',
        description: `Download ${metadata.name}`,
        files: encryptedFiles,
        datatokenAddress,
        serviceEndpoint: nodeUrl,
        timeout: request.timeout ?? 0
      }
    ]
  };
  const metadataReceipt = await setEncryptedMetadata(
    signer,
    nodeUrl,
    nftAddress,
    ddo,
    sha256(toUtf8Bytes(JSON.stringify(ddo))),
    request.providerAddress
  );
  return {
    did,
    nftAddress,
    datatokenAddress,
    exchangeId,
    metadataTxHash: metadataReceipt.hash
  };
}

/** Waits until the node's indexer serves the DDO of `did` (polls every 150 ms). */
export async function waitUntilIndexed(
  nodeUrl: string,
  did: string,
  timeoutMs = 30_000
): Promise<unknown> {
  const aquarius = new Aquarius(nodeUrl);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${nodeUrl}/api/aquarius/assets/ddo/${did}`);
      if (response.ok) return await aquarius.resolve(did);
    } catch {
      // the node may be busy starting; try again
    }
    await new Promise(resolve => setTimeout(resolve, 150));
  }
  throw new PublishError(
    'PUBLISH_NOT_INDEXED',
    `The node had not indexed ${did} after ${timeoutMs / 1000} s.`
  );
}
