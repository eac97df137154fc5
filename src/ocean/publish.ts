/**
 * Publishing from the notebook: a data NFT + datatoken with a price (fixed rate in OCEAN or
 * free through the dispenser), the file kept in the node's storage (or given as a URL), the
 * files object and the DDO encrypted by the Ocean Node, `setMetadata`, then waiting until the
 * node has indexed the asset. Every transaction and signature is made by the Signer the
 * wallet hands out, so each one passes the wallet's confirmation dialog.
 *
 * Contract addresses come from the chain itself: any indexed asset's datatoken names its
 * FactoryRouter, which lists the NFT factory, the fixed-rate exchanges, the dispensers and the
 * approved base tokens. That works on the local stack and on real networks alike.
 */
import type { IOceanNetwork } from '../tokens';
import { buildSearchQuery, searchDocuments } from './asset';
import { errorWords, OceanError } from '../errors';
import { FlowSteps, withFlow } from './flow';
import { waitForReceipt } from './chain';
import { libConfig, loadEthers, loadOceanLib } from './lib';
import { NodeApi, refusalFrom } from './node-api';
import { pollDdo } from './polling';

export type PublishStep =
  'check' | 'upload' | 'create' | 'encrypt' | 'metadata' | 'index' | 'done';

export interface IPublishProgress {
  step: PublishStep;
  message: string;
  txHash?: string;
}

export type PublishProgressCallback = (progress: IPublishProgress) => void;

/** The licences offered in the publish form (SPDX ids). */
export const LICENSES = [
  'CC0-1.0',
  'CC-BY-4.0',
  'CC-BY-SA-4.0',
  'CC-BY-NC-4.0',
  'CC-BY-ND-4.0',
  'CC-BY-NC-ND-4.0',
  'ODbL-1.0',
  'PDDL-1.0',
  'MIT',
  'Apache-2.0',
  'Proprietary'
] as const;

export interface ITrustedAlgorithm {
  did: string;
  filesChecksum: string;
  containerSectionChecksum: string;
}

export interface IPublishRequest {
  name: string;
  description: string;
  author: string;
  license: string;
  tags?: string[];
  type?: 'dataset' | 'algorithm';
  /** Bytes kept in the node's storage, or a URL the node fetches from. */
  file:
    | { bytes: Uint8Array; fileName: string; contentType?: string }
    | { url: string };
  pricing: { type: 'fixed'; priceInOcean: string } | { type: 'free' };
  /** `compute`: the data never leaves the node; only trusted algorithms run on it. */
  access?: 'download' | 'compute';
  trustedAlgorithms?: ITrustedAlgorithm[];
  /** For algorithms: how the node runs it (default: JavaScript on Deno). */
  algorithm?: {
    language: string;
    container: {
      entrypoint: string;
      image: string;
      tag: string;
      checksum: string;
    };
  };
  /** A public preview link shown on the asset card. */
  sampleUrl?: string;
  /** Seconds an order stays valid (0 = forever). */
  timeout?: number;
  /**
   * More of `metadata.additionalInformation`: a notebook's publish puts its
   * sources there (`derivedFrom`, `lineageDigest`, see src/provenance/).
   */
  additionalInformation?: Record<string, unknown>;
}

export interface IPublished {
  did: string;
  nftAddress: string;
  datatoken: string;
  serviceId: string;
  exchangeId?: string;
  metadataTxHash: string;
}

export interface IOceanContracts {
  nftFactory: string;
  fixedRateExchange: string;
  dispenser: string;
  ocean: string;
}

/**
 * The container section of a Deno algorithm, as the local node's engine expects it: the node
 * runs its own deno, so the checksum names the runtime ("deno@2.9.6") rather than an image.
 */
export async function denoContainer(): Promise<{
  entrypoint: string;
  image: string;
  tag: string;
  checksum: string;
}> {
  return {
    entrypoint: 'deno run $ALGO',
    image: 'denoland/deno',
    tag: '2.9.6',
    checksum: `sha256:${await sha256Hex('deno@2.9.6')}`
  };
}

function hex(buffer: ArrayBuffer | Uint8Array): string {
  return Array.from(new Uint8Array(buffer), byte =>
    byte.toString(16).padStart(2, '0')
  ).join('');
}

/** sha256 hex of `data`, as Ocean Node's checksums are written. */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes =
    typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return hex(await crypto.subtle.digest('SHA-256', bytes as BufferSource));
}

/** The entry a dataset's trusted list needs for an algorithm with these bytes. */
export async function trustedAlgorithm(
  did: string,
  algorithmBytes: Uint8Array | string,
  container?: { entrypoint: string; checksum: string }
): Promise<ITrustedAlgorithm> {
  const section = container ?? (await denoContainer());
  return {
    did,
    filesChecksum: await sha256Hex(algorithmBytes),
    containerSectionChecksum: await sha256Hex(
      `${section.entrypoint}${section.checksum}`
    )
  };
}

const ROUTER_ABI = [
  'function factory() view returns (address)',
  'function getFixedRatesContracts() view returns (address[])',
  'function getDispensersContracts() view returns (address[])',
  'function getApprovedTokens() view returns (address[])'
];

/** Ocean's contracts on `network`, found through an indexed asset's datatoken router. */
export async function discoverContracts(
  network: IOceanNetwork,
  provider: unknown
): Promise<IOceanContracts> {
  const ethers = await loadEthers();
  // A chainId term is the one query every node accepts (a real node answers
  // 500 to `q` without `filter_by`, and to match_all).
  const answer: unknown = await new NodeApi(network.nodeUrl)
    .query(buildSearchQuery(network.chainId))
    .catch(() => undefined);
  const candidates: any[] = searchDocuments(answer);
  const datatoken = candidates
    .map(ddo => ddo.services?.[0]?.datatokenAddress)
    .find(address => typeof address === 'string');
  if (typeof datatoken !== 'string' || !ethers.isAddress(datatoken)) {
    throw new OceanError(
      'OCEAN_NODE_UNREACHABLE',
      errorWords.__(
        'The Ocean Node lists no asset yet, so Ocean’s contracts on this network cannot be found. Check that the node is running and indexing.'
      )
    );
  }
  const token = new ethers.Contract(
    datatoken,
    ['function router() view returns (address)'],
    provider as never
  );
  const router = new ethers.Contract(
    await token.router(),
    ROUTER_ABI,
    provider as never
  );
  const [factory, fixedRates, dispensers, approved] = await Promise.all([
    router.factory(),
    router.getFixedRatesContracts(),
    router.getDispensersContracts(),
    router.getApprovedTokens()
  ]);
  const ocean =
    network.oceanTokenAddress ??
    (approved as string[]).find(Boolean) ??
    ethers.ZeroAddress;
  return {
    nftFactory: String(factory),
    fixedRateExchange: String((fixedRates as string[])[0]),
    dispenser: String((dispensers as string[])[0]),
    ocean: String(ocean)
  };
}

async function nodeRequest(
  network: IOceanNetwork,
  signer: any,
  command: string
): Promise<{ consumerAddress: string; nonce: string; signature: string }> {
  const lib = await loadOceanLib();
  const consumerAddress: string = await signer.getAddress();
  const nonce = String(
    (await lib.ProviderInstance.getNonce(network.nodeUrl, consumerAddress)) + 1
  );
  const signature = await lib.signRequest(
    signer,
    `${consumerAddress}${nonce}${command}`
  );
  return { consumerAddress, nonce, signature };
}

/** Keeps `bytes` in a bucket of the node's storage; returns the file object for the DDO. */
export async function storeOnNode(
  network: IOceanNetwork,
  signer: any,
  fileName: string,
  bytes: Uint8Array,
  contentType = 'application/octet-stream'
): Promise<Record<string, unknown>> {
  const node = new NodeApi(network.nodeUrl);
  const create = await node.createBucket({
    ...(await nodeRequest(network, signer, 'persistentStorageCreateBucket')),
    accessLists: [],
    // The bucket's name on the node, not shown in the lab. i18n-ignore
    label: 'jupyterlab-ocean uploads'
  });
  if (!create.ok)
    throw new OceanError(
      'OCEAN_PUBLISH_FAILED',
      errorWords.__(
        'The Ocean Node refused to create a storage bucket (HTTP %1).',
        create.status
      )
    );
  const { bucketId } = (await create.json()) as { bucketId: string };
  const upload = await node.uploadToBucket(
    bucketId,
    fileName,
    await nodeRequest(network, signer, 'persistentStorageUploadFile'),
    bytes,
    contentType
  );
  if (!upload.ok) {
    // The node says why (a stale nonce, a refused signature…): keep its words.
    const reason = (await upload.text().catch(() => '')).slice(0, 300);
    throw new OceanError(
      'OCEAN_PUBLISH_FAILED',
      reason
        ? errorWords.__(
            'The Ocean Node did not store the file (HTTP %1): %2. Nothing was published; press Publish again.',
            upload.status,
            reason
          )
        : errorWords.__(
            'The Ocean Node did not store the file (HTTP %1). Nothing was published; press Publish again.',
            upload.status
          )
    );
  }
  return { type: 'nodePersistentStorage', bucketId, fileName };
}

function mined(tx: unknown, what: string): Promise<any> {
  const failed = () =>
    new OceanError(
      'OCEAN_TX_REVERTED',
      errorWords.__(
        '%1 did not go through (the transaction failed or was not sent).',
        what
      )
    );
  return waitForReceipt(tx, { unsent: failed, reverted: failed });
}

const ZERO = '0x0000000000000000000000000000000000000000';
const FILE_NAME = /^[A-Za-z0-9._-][A-Za-z0-9._ -]{0,199}$/;

function checkRequest(request: IPublishRequest): void {
  const fail = (message: string) => {
    throw new OceanError('OCEAN_BAD_REQUEST', message);
  };
  if (!request.name?.trim()) fail(errorWords.__('Give the asset a name.'));
  if (!request.description?.trim())
    fail(errorWords.__('Give the asset a description.'));
  if (!request.author?.trim()) fail(errorWords.__('Say who the author is.'));
  if (!request.license?.trim()) fail(errorWords.__('Choose a licence.'));
  if (request.pricing.type === 'fixed') {
    const price = Number(request.pricing.priceInOcean);
    if (!Number.isFinite(price) || price <= 0)
      fail(errorWords.__('A fixed price must be a positive number of OCEAN.'));
  }
  if ('bytes' in request.file && !FILE_NAME.test(request.file.fileName))
    fail(
      errorWords.__(
        'File names may hold letters, digits, spaces, ".", "_" and "-" (at most 200).'
      )
    );
  if ('url' in request.file && !/^https?:\/\//.test(request.file.url))
    fail(errorWords.__('A file URL must start with http:// or https://.'));
}

/** Publishes one asset and waits until the node serves it. */
export async function publishAsset(
  network: IOceanNetwork,
  signer: any,
  request: IPublishRequest,
  onProgress: PublishProgressCallback = () => undefined,
  contracts?: IOceanContracts
): Promise<IPublished> {
  checkRequest(request);
  // Seven signatures with a file kept on the node (bucket, upload, create,
  // encrypt the files, validate, encrypt the description, write it), five
  // with a URL: each dialog says which one it is.
  const flow = new FlowSteps(
    `Publish “${request.name.slice(0, 60)}”`,
    ('bytes' in request.file ? 2 : 0) + 5,
    'network fees only (publishing costs no OCEAN)'
  );
  signer = withFlow(signer, flow);
  const [lib, ethers] = await Promise.all([loadOceanLib(), loadEthers()]);
  const owner: string = await signer.getAddress();
  onProgress({
    step: 'check',
    message: errorWords.__('Finding Ocean’s contracts…')
  });
  const found =
    contracts ?? (await discoverContracts(network, signer.provider));
  const config = libConfig(network, {
    nftFactoryAddress: found.nftFactory,
    fixedRateExchangeAddress: found.fixedRateExchange,
    dispenserAddress: found.dispenser,
    oceanTokenAddress: found.ocean
  });

  const title = request.name.slice(0, 60);
  flow
    .name(found.nftFactory, 'Ocean’s data NFT factory')
    .name(
      found.fixedRateExchange,
      `the fixed-rate exchange that will sell ${title}`
    )
    .name(found.dispenser, `the dispenser that will give ${title} away`);
  let fileObject: Record<string, unknown>;
  if ('bytes' in request.file) {
    onProgress({
      step: 'upload',
      message: errorWords.__(
        'Storing %1 on the Ocean Node (2 signatures)…',
        request.file.fileName
      )
    });
    fileObject = await storeOnNode(
      network,
      signer,
      request.file.fileName,
      request.file.bytes,
      request.file.contentType
    );
  } else {
    fileObject = { type: 'url', url: request.file.url, method: 'GET' };
  }

  const symbol =
    request.name
      .replace(/[^A-Za-z0-9]/g, '')
      .slice(0, 6)
      .toUpperCase() || 'ASSET';
  const factory = new lib.NftFactory(
    found.nftFactory,
    signer,
    network.chainId,
    config
  );
  const nft = {
    name: request.name.slice(0, 60),
    symbol,
    templateIndex: 1,
    tokenURI: '',
    transferable: true,
    owner
  };
  const datatoken = {
    templateIndex: 1,
    cap: '100000',
    feeAmount: '0',
    paymentCollector: owner,
    feeToken: found.ocean,
    minter: owner,
    mpFeeAddress: ZERO,
    name: `${request.name.slice(0, 50)} access`,
    symbol: `${symbol}-DT`
  };
  onProgress({
    step: 'create',
    message:
      request.pricing.type === 'fixed'
        ? errorWords.__(
            'Creating the data NFT, its datatoken and a fixed price of %1 OCEAN (confirm in the wallet)…',
            request.pricing.priceInOcean
          )
        : errorWords.__(
            'Creating the data NFT, its datatoken and a free dispenser (confirm in the wallet)…'
          )
  });
  const created =
    request.pricing.type === 'fixed'
      ? await factory.createNftWithDatatokenWithFixedRate(nft, datatoken, {
          fixedRateAddress: found.fixedRateExchange,
          baseTokenAddress: found.ocean,
          owner,
          marketFeeCollector: owner,
          baseTokenDecimals: 18,
          datatokenDecimals: 18,
          fixedRate: request.pricing.priceInOcean,
          marketFee: '0',
          allowedConsumer: ZERO,
          withMint: true
        })
      : await factory.createNftWithDatatokenWithDispenser(nft, datatoken, {
          dispenserAddress: found.dispenser,
          maxTokens: '10',
          maxBalance: '10',
          withMint: true,
          allowedSwapper: ZERO
        });
  const receipt = await mined(created, errorWords.__('Creating the data NFT'));
  const nftAddress: string = lib.getEventFromTx(receipt, 'NFTCreated').args
    .newTokenAddress;
  const datatokenAddress: string = lib.getEventFromTx(receipt, 'TokenCreated')
    .args.newTokenAddress;
  const exchangeId: string | undefined =
    request.pricing.type === 'fixed'
      ? lib.getEventFromTx(receipt, 'NewFixedRate')?.args?.exchangeId
      : undefined;

  flow
    .name(nftAddress, `the data NFT of ${title}`)
    .name(datatokenAddress, `the datatoken of ${title}`);
  onProgress({
    step: 'encrypt',
    message: errorWords.__(
      'The Ocean Node encrypts the file location (sign the request)…'
    )
  });
  const encryptedFiles = encryptedBy(
    await lib.ProviderInstance.encrypt(
      { nftAddress, datatokenAddress, files: [fileObject] },
      network.chainId,
      network.nodeUrl,
      signer
    ),
    errorWords.__('the file location')
  );
  const did = lib.generateDid(nftAddress, network.chainId);
  const compute = request.access === 'compute';
  const serviceType = compute ? 'compute' : 'access';
  const serviceId = ethers
    .sha256(ethers.toUtf8Bytes(`${datatokenAddress}/${serviceType}`))
    .slice(2);
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const type = request.type ?? 'dataset';
  const ddo = {
    '@context': ['https://w3id.org/did/v1'],
    id: did,
    version: '4.1.0',
    chainId: network.chainId,
    nftAddress,
    metadata: {
      created: now,
      updated: now,
      type,
      name: request.name,
      description: request.description,
      author: request.author,
      license: request.license,
      tags: request.tags ?? [],
      ...(request.sampleUrl ? { links: [request.sampleUrl] } : {}),
      ...(('bytes' in request.file && request.file.contentType) ||
      request.additionalInformation
        ? {
            additionalInformation: {
              ...request.additionalInformation,
              ...('bytes' in request.file && request.file.contentType
                ? { contentType: request.file.contentType }
                : {})
            }
          }
        : {}),
      ...(type === 'algorithm'
        ? {
            algorithm: request.algorithm ?? {
              language: 'javascript',
              version: '1.0.0',
              container: await denoContainer()
            }
          }
        : {})
    },
    services: [
      {
        id: serviceId,
        type: serviceType,
        files: encryptedFiles,
        datatokenAddress,
        serviceEndpoint: network.nodeUrl,
        timeout: request.timeout ?? 0,
        ...(compute
          ? {
              compute: {
                allowRawAlgorithm: false,
                allowNetworkAccess: false,
                publisherTrustedAlgorithmPublishers: [],
                publisherTrustedAlgorithms: request.trustedAlgorithms ?? []
              }
            }
          : {})
      }
    ]
  };
  const validation = await new lib.Aquarius(network.nodeUrl)
    .validate(ddo as never, signer, network.nodeUrl)
    .catch((error: unknown) => {
      // The lib reads every answer as JSON, so a real node's plain-text
      // refusal arrives here as a SyntaxError with the reason lost.
      throw new OceanError(
        'OCEAN_PUBLISH_FAILED',
        errorWords.__(
          'The Ocean Node refused to check the asset description (it gave no reason the client could read: often a signature or nonce it did not accept). Nothing was published beyond the NFT: try again.'
        ),
        { cause: String(error) }
      );
    });
  if (!validation?.valid || !validation.hash)
    throw new OceanError(
      'OCEAN_PUBLISH_FAILED',
      errorWords.__(
        'The Ocean Node did not accept the asset description (it found it invalid, or refused the signed request). Nothing was published beyond the NFT: check the description and try again.'
      ),
      { errors: validation?.errors }
    );
  const encryptedDdo = encryptedBy(
    await lib.ProviderInstance.encrypt(
      ddo,
      network.chainId,
      network.nodeUrl,
      signer
    ),
    errorWords.__('the asset description')
  );
  onProgress({
    step: 'metadata',
    message: errorWords.__(
      'Writing the encrypted description to the data NFT (confirm in the wallet)…'
    )
  });
  const metadataReceipt = await mined(
    await new lib.Nft(signer, network.chainId, config).setMetadata(
      nftAddress,
      owner,
      0,
      network.nodeUrl,
      '',
      '0x02',
      encryptedDdo,
      validation.hash
    ),
    errorWords.__('Writing the metadata')
  );
  onProgress({
    step: 'index',
    message: errorWords.__('Waiting for the Ocean Node to index the asset…'),
    txHash: metadataReceipt.hash
  });
  await waitForIndexer(network, did);
  onProgress({ step: 'done', message: errorWords.__('Published %1.', did) });
  return {
    did,
    nftAddress,
    datatoken: datatokenAddress,
    serviceId,
    exchangeId,
    metadataTxHash: metadataReceipt.hash
  };
}

/**
 * What the node's encrypt route answered, checked. The lib hands back the
 * body as text whatever the status, so a refusal ("Invalid authentication,
 * …", "nonce: 9 is not a valid nonce") would otherwise be written into
 * the DDO as if it were ciphertext.
 */
export function encryptedBy(answer: unknown, what: string): string {
  const text = typeof answer === 'string' ? answer.trim() : '';
  if (/^0x[0-9a-fA-F]+$/.test(text)) {
    return text;
  }
  const { message } = refusalFrom(text);
  throw new OceanError(
    'OCEAN_PUBLISH_FAILED',
    errorWords.__(
      'The Ocean Node did not encrypt %1: %2. Nothing was published beyond the NFT: try again.',
      what,
      message || errorWords.__('it sent nothing back')
    ),
    { nodeMessage: message }
  );
}

export async function waitForIndexer(
  network: IOceanNetwork,
  did: string,
  timeoutMs = 60_000
): Promise<void> {
  // Paced: a real node allows 30 requests a minute.
  if (await pollDdo(network.nodeUrl, did, timeoutMs)) return;
  throw new OceanError(
    'OCEAN_NOT_INDEXED',
    errorWords.__(
      'The asset was published, but the Ocean Node had not indexed %1 after %2 s. It should appear shortly.',
      did,
      timeoutMs / 1000
    )
  );
}
