/**
 * Publishing compute-to-data assets through the real `@oceanprotocol/lib`: algorithms (a JS or
 * TS file for the node's Deno engine) and datasets offered for compute only, with the list of
 * algorithms they trust (DID + files checksum + container checksum, as Ocean Node checks them).
 * Used by the stack's samples and by the compute tests.
 */
import { createHash } from 'node:crypto';
import {
  Aquarius,
  Nft,
  NftFactory,
  ProviderInstance,
  generateDid,
  getEventFromTx,
  type DatatokenCreateParams,
  type NftCreateData
} from '@oceanprotocol/lib';
import { sha256, toUtf8Bytes, type Signer } from 'ethers';

import { CHAIN_ID } from './chain.ts';
import type { DevelopmentAddresses } from './deploy.ts';

const ZERO = '0x0000000000000000000000000000000000000000';

/**
 * The container section of a Deno algorithm. The node runs its own deno binary, so the image is
 * descriptive; the checksum names the runtime so that a trusted-algorithm entry pins it too.
 */
export const DENO_CONTAINER = {
  entrypoint: 'deno run $ALGO',
  image: 'denoland/deno',
  tag: '2.9.6',
  checksum: `sha256:${createHash('sha256').update('deno@2.9.6').digest('hex')}`
};

export type ComputePricing =
  | { type: 'fixed'; priceInOcean: string }
  | { type: 'free' }
  /** No exchange: the publisher mints datatokens to whoever should use the asset. */
  | { type: 'mint' };

export interface ComputeDatasetOptions {
  /** Trusted algorithms (see trustEntry); an empty list trusts none. */
  trustedAlgorithms: TrustedAlgorithm[];
  /** Publisher addresses whose algorithms are trusted ('*' for any); default none. */
  trustedPublishers?: string[];
  allowRawAlgorithm?: boolean;
}

export interface TrustedAlgorithm {
  did: string;
  filesChecksum: string;
  containerSectionChecksum: string;
}

export interface ComputeAssetRequest {
  signer: Signer;
  addresses: DevelopmentAddresses;
  nodeUrl: string;
  name: string;
  symbol: string;
  description: string;
  author: string;
  license: string;
  tags: string[];
  /** File objects (url or nodePersistentStorage), encrypted by the node. */
  files: Record<string, unknown>[];
  pricing: ComputePricing;
  /** An algorithm (runs in compute jobs) or a compute-only dataset. */
  kind:
    | { type: 'algorithm'; language: 'javascript' | 'typescript' }
    | ({ type: 'dataset' } & ComputeDatasetOptions);
  additionalInformation?: Record<string, unknown>;
  links?: string[];
}

export interface PublishedComputeAsset {
  did: string;
  nftAddress: string;
  datatokenAddress: string;
  serviceId: string;
  exchangeId?: string;
}

/** What a dataset's publisherTrustedAlgorithms entry holds for an algorithm with these bytes. */
export function trustEntry(
  did: string,
  fileBytes: Uint8Array | string,
  container = DENO_CONTAINER
): TrustedAlgorithm {
  const hex = (data: Uint8Array | string) =>
    createHash('sha256').update(data).digest('hex');
  return {
    did,
    filesChecksum: hex(fileBytes),
    containerSectionChecksum: hex(
      `${container.entrypoint}${container.checksum}`
    )
  };
}

async function mined(tx: unknown, what: string) {
  const receipt =
    tx && typeof tx === 'object' && 'wait' in tx
      ? await (tx as { wait(): Promise<unknown> }).wait()
      : null;
  if (!receipt)
    throw new Error(`${what} failed (the lib returned no transaction).`);
  return receipt as never;
}

/** Publishes one asset with a single service; resolves once setMetadata is mined. */
export async function publishComputeAsset(
  request: ComputeAssetRequest
): Promise<PublishedComputeAsset> {
  const { signer, addresses, nodeUrl, pricing, kind } = request;
  const owner = await signer.getAddress();
  const factory = new NftFactory(addresses.ERC721Factory, signer, CHAIN_ID);
  const nft: NftCreateData = {
    name: request.name,
    symbol: request.symbol,
    templateIndex: 1,
    tokenURI: '',
    transferable: true,
    owner
  };
  const datatoken: DatatokenCreateParams = {
    templateIndex: 1,
    cap: '100000',
    feeAmount: '0',
    paymentCollector: owner,
    feeToken: addresses.Ocean,
    minter: owner,
    mpFeeAddress: ZERO,
    name: `${request.name} access`,
    symbol: `${request.symbol}-DT`
  };
  const created =
    pricing.type === 'fixed'
      ? await factory.createNftWithDatatokenWithFixedRate(nft, datatoken, {
          fixedRateAddress: addresses.FixedPrice,
          baseTokenAddress: addresses.Ocean,
          owner,
          marketFeeCollector: owner,
          baseTokenDecimals: 18,
          datatokenDecimals: 18,
          fixedRate: pricing.priceInOcean,
          marketFee: '0',
          allowedConsumer: ZERO,
          withMint: true
        })
      : pricing.type === 'free'
        ? await factory.createNftWithDatatokenWithDispenser(nft, datatoken, {
            dispenserAddress: addresses.Dispenser,
            maxTokens: '10',
            maxBalance: '10',
            withMint: true,
            allowedSwapper: ZERO
          })
        : await factory.createNftWithDatatoken(nft, datatoken);
  const receipt = await mined(created, `Creating "${request.name}"`);
  const nftAddress: string = getEventFromTx(receipt, 'NFTCreated').args
    .newTokenAddress;
  const datatokenAddress: string = getEventFromTx(receipt, 'TokenCreated').args
    .newTokenAddress;
  const exchangeId: string | undefined =
    pricing.type === 'fixed'
      ? getEventFromTx(receipt, 'NewFixedRate')?.args?.exchangeId
      : undefined;

  const encryptedFiles = await ProviderInstance.encrypt(
    { nftAddress, datatokenAddress, files: request.files },
    CHAIN_ID,
    nodeUrl,
    signer
  );
  const did = generateDid(nftAddress, CHAIN_ID);
  const serviceType = kind.type === 'dataset' ? 'compute' : 'access';
  const serviceId = sha256(
    toUtf8Bytes(`${datatokenAddress}/${serviceType}`)
  ).slice(2);
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
      type: kind.type,
      name: request.name,
      description: request.description,
      author: request.author,
      license: request.license,
      tags: request.tags,
      ...(request.links ? { links: request.links } : {}),
      ...(request.additionalInformation
        ? { additionalInformation: request.additionalInformation }
        : {}),
      ...(kind.type === 'algorithm'
        ? {
            algorithm: {
              language: kind.language,
              version: '1.0.0',
              container: DENO_CONTAINER
            }
          }
        : {})
    },
    services: [
      {
        id: serviceId,
        type: serviceType,
        name: kind.type === 'dataset' ? 'Compute' : 'Algorithm',
        description:
          kind.type === 'dataset'
            ? `Run a trusted algorithm on ${request.name}; the data never leaves the node.`
            : `Use ${request.name} in compute jobs`,
        files: encryptedFiles,
        datatokenAddress,
        serviceEndpoint: nodeUrl,
        timeout: 0,
        ...(kind.type === 'dataset'
          ? {
              compute: {
                allowRawAlgorithm: kind.allowRawAlgorithm ?? false,
                allowNetworkAccess: false,
                publisherTrustedAlgorithmPublishers:
                  kind.trustedPublishers ?? [],
                publisherTrustedAlgorithms: kind.trustedAlgorithms
              }
            }
          : {})
      }
    ]
  };
  const validation = await new Aquarius(nodeUrl).validate(
    ddo as never,
    signer,
    nodeUrl
  );
  if (!validation?.valid || !validation.hash)
    throw new Error(`The node did not validate the DDO of "${request.name}".`);
  const encryptedDdo = await ProviderInstance.encrypt(
    ddo,
    CHAIN_ID,
    nodeUrl,
    signer
  );
  await mined(
    await new Nft(signer, CHAIN_ID).setMetadata(
      nftAddress,
      owner,
      0,
      nodeUrl,
      '',
      '0x02',
      encryptedDdo,
      validation.hash
    ),
    `setMetadata for "${request.name}"`
  );
  return { did, nftAddress, datatokenAddress, serviceId, exchangeId };
}
