/**
 * POST /api/services/decrypt: how another Ocean Node reads a DDO this node encrypted. The
 * indexing node asks our nonce route, signs (transactionId or NFT address) + its address +
 * chainId + nonce, and posts either the transaction that set the metadata or the encrypted
 * document itself with its flags and hash. We answer the DDO text exactly as it was hashed on
 * chain, so the caller's own hash check passes.
 *
 * The checks follow the real node's (address, chain, Ocean NFT, metadata state, DID, hash,
 * signature) with one difference on purpose: a nonce must exceed the last one the decrypter
 * used, where the real node only refuses the same nonce twice (a replay there needs only a
 * different old nonce).
 */
import type { ServerResponse } from 'node:http';
import {
  Contract,
  getAddress,
  getBytes,
  isAddress,
  toUtf8String
} from 'ethers';
import { ERC721_ABI, FACTORY_ABI } from './chain.js';
import type { NodeContext } from './context.js';
import { makeDid, recoverRequestSigners, sha256Hex } from './crypto.js';
import { NodeError, badRequest, forbidden } from './errors.js';
import { sendText, type Request } from './http.js';

const REQUIRED = ['decrypterAddress', 'chainId', 'nonce', 'signature'];

/** Metadata states a DDO may be handed out in: active, ordering disabled, unlisted. */
const READABLE_STATES = new Set([0, 4, 5]);
/** End of life, deprecated, revoked: the owner withdrew it. */
const WITHDRAWN_STATES = new Set([1, 2, 3]);

const refuse = (message: string, code: string): NodeError =>
  badRequest(`Decrypt DDO: ${message}`, code);

interface Sealed {
  flags: number;
  document: Uint8Array;
  documentHash: string;
}

async function sealedFromTransaction(
  context: NodeContext,
  transactionId: string,
  nftAddress: string
): Promise<Sealed> {
  const created = ERC721_ABI.getEvent('MetadataCreated')!.topicHash;
  const updated = ERC721_ABI.getEvent('MetadataUpdated')!.topicHash;
  let receipt;
  try {
    receipt = await context.provider.getTransactionReceipt(transactionId);
  } catch {
    receipt = null;
  }
  // Only a metadata event the NFT itself emitted counts: another contract in the same
  // transaction could emit a look-alike.
  const log = receipt?.logs.find(
    entry =>
      entry.address.toLowerCase() === nftAddress.toLowerCase() &&
      (entry.topics[0] === created || entry.topics[0] === updated)
  );
  if (!log)
    throw refuse(
      `transaction ${transactionId} set no metadata on ${nftAddress}.`,
      'INVALID_TRANSACTION'
    );
  const event = ERC721_ABI.parseLog({
    topics: [...log.topics],
    data: log.data
  })!;
  const flagBytes = getBytes(String(event.args.flags));
  return {
    flags: flagBytes.length > 0 ? flagBytes[0] : 0,
    document: getBytes(String(event.args.data)),
    documentHash: String(event.args.metaDataHash)
  };
}

function sealedFromBody(body: Record<string, unknown>): Sealed {
  try {
    const flags = Number(body.flags ?? 0);
    if (!Number.isInteger(flags) || flags < 0 || flags > 255)
      throw new Error('flags');
    return {
      flags,
      document: getBytes(String(body.encryptedDocument)),
      documentHash: String(body.documentHash ?? '')
    };
  } catch {
    throw refuse(
      'encryptedDocument must be hex bytes and flags a number 0..255.',
      'INVALID_PARAMETER'
    );
  }
}

export async function decryptDdo(
  context: NodeContext,
  req: Request,
  res: ServerResponse,
  authorizedDecrypters: readonly string[]
): Promise<void> {
  const body = await req.json();
  const missing = REQUIRED.filter(
    name => body[name] === undefined || body[name] === null || body[name] === ''
  );
  if (missing.length > 0)
    throw badRequest(
      `Missing required field(s) for decryptDDO: ${missing.join(', ')} (required: ${REQUIRED.join(', ')}).`,
      'MISSING_PARAMETER'
    );
  if (!isAddress(String(body.decrypterAddress)))
    throw refuse(
      '"decrypterAddress" is not an Ethereum address.',
      'INVALID_ADDRESS'
    );
  const decrypter = getAddress(String(body.decrypterAddress).toLowerCase());
  const nonceText = String(body.nonce);
  if (!/^\d{1,16}$/.test(nonceText))
    throw refuse('nonce must be a whole number.', 'INVALID_NONCE');
  const chainId = String(body.chainId);
  if (chainId !== String(context.chainId))
    throw refuse(
      `this node serves chain ${context.chainId}, not ${chainId}.`,
      'UNSUPPORTED_CHAIN'
    );
  if (
    authorizedDecrypters.length > 0 &&
    decrypter !== context.keys.address &&
    !authorizedDecrypters.some(
      address => address.toLowerCase() === decrypter.toLowerCase()
    )
  )
    throw forbidden(
      'Decrypt DDO: this decrypter is not authorized.',
      'DECRYPTER_NOT_AUTHORIZED'
    );
  if (!isAddress(String(body.dataNftAddress ?? '')))
    throw refuse(
      '"dataNftAddress" must be the address of the data NFT.',
      'INVALID_ADDRESS'
    );
  const nftAddress = getAddress(String(body.dataNftAddress).toLowerCase());
  const factory = new Contract(
    context.addresses.erc721Factory,
    FACTORY_ABI,
    context.provider
  );
  const listed = String(await factory.erc721List(nftAddress));
  if (listed.toLowerCase() !== nftAddress.toLowerCase())
    throw refuse(
      'the asset was not deployed by the data NFT factory.',
      'NOT_OCEAN_NFT'
    );

  const transactionId =
    typeof body.transactionId === 'string' ? body.transactionId : '';
  const sealed = transactionId
    ? await sealedFromTransaction(context, transactionId, nftAddress)
    : sealedFromBody(body);

  const nft = new Contract(nftAddress, ERC721_ABI, context.provider);
  const state = Number((await nft.getMetaData())[2]);
  if (WITHDRAWN_STATES.has(state))
    throw forbidden(
      `Decrypt DDO: the asset is withdrawn (metadata state ${state}).`,
      'ASSET_WITHDRAWN'
    );
  if (!READABLE_STATES.has(state))
    throw refuse(`invalid metadata state ${state}.`, 'INVALID_STATE');

  if (sealed.flags & 1)
    throw refuse(
      'lzma-compressed documents are not supported by this node.',
      'UNSUPPORTED_FLAGS'
    );
  let text: string;
  try {
    text =
      sealed.flags & 2
        ? context.keys.decrypt(sealed.document).toString('utf8')
        : toUtf8String(sealed.document);
  } catch {
    throw refuse(
      'the document was not encrypted for this node.',
      'DECRYPT_FAILED'
    );
  }
  let ddo: { id?: unknown };
  try {
    ddo = JSON.parse(text) as { id?: unknown };
  } catch {
    throw refuse('the decrypted document is not JSON.', 'INVALID_DDO');
  }
  if (String(ddo?.id) !== makeDid(nftAddress, context.chainId))
    throw refuse(
      'the DDO id does not match the NFT and chain.',
      'DID_MISMATCH'
    );
  if (`0x${sha256Hex(text)}` !== sealed.documentHash.toLowerCase())
    throw refuse('checksum does not match.', 'HASH_MISMATCH');

  // Ocean Node's own check signs txId + NFT + decrypter + chainId + nonce; its indexer signs
  // (txId or NFT) + decrypter + chainId + nonce. Both name this request and this decrypter.
  const given = {
    nft: String(body.dataNftAddress),
    decrypter: String(body.decrypterAddress)
  };
  const messages = new Set<string>();
  for (const nftForm of [given.nft, nftAddress])
    for (const decrypterForm of [given.decrypter, decrypter]) {
      messages.add(
        `${transactionId}${nftForm}${decrypterForm}${chainId}${nonceText}`
      );
      messages.add(
        `${transactionId || nftForm}${decrypterForm}${chainId}${nonceText}`
      );
    }
  const signed = [...messages].some(message =>
    recoverRequestSigners(message, String(body.signature)).some(
      signer => signer === decrypter
    )
  );
  if (!signed)
    throw refuse(
      'the signature is not the decrypter\u2019s over this request.',
      'INVALID_SIGNATURE'
    );
  if (!context.db.consumeNonce(decrypter, Number(nonceText)))
    throw refuse(
      `nonce ${nonceText} is not above the last one this decrypter used.`,
      'INVALID_NONCE'
    );
  sendText(res, 200, text);
}
