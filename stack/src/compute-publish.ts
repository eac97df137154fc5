/**
 * Publishing compute-to-data assets through the real `@oceanprotocol/lib`: algorithms (a JS or
 * TS file for the node's Deno engine) and datasets offered for compute only, with the list of
 * algorithms they trust (DID + files checksum + container checksum, as Ocean Node checks them).
 * Used by the stack's samples and by the compute tests.
 */
import { createHash } from 'node:crypto';
import { Aquarius, ProviderInstance, generateDid } from '@oceanprotocol/lib';
import { sha256, toUtf8Bytes, type Signer } from 'ethers';

import { CHAIN_ID } from './chain.ts';
import type { DevelopmentAddresses } from './deploy.ts';
import {
  createAssetTokens,
  setEncryptedMetadata,
  type TokenPricing
} from './publish.ts';

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

export type ComputePricing = TokenPricing;

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

/** Publishes one asset with a single service; resolves once setMetadata is mined. */
export async function publishComputeAsset(
  request: ComputeAssetRequest
): Promise<PublishedComputeAsset> {
  const { signer, addresses, nodeUrl, pricing, kind } = request;
  const { nftAddress, datatokenAddress, exchangeId } = await createAssetTokens(
    signer,
    addresses,
    request.name,
    request.symbol,
    pricing,
    '10'
  );

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
  await setEncryptedMetadata(signer, nodeUrl, nftAddress, ddo, validation.hash);
  return { did, nftAddress, datatokenAddress, serviceId, exchangeId };
}
