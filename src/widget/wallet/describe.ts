/**
 * Turns a wallet request into the words of the confirmation dialog. Reads
 * the chain (token symbols and decimals, whether an address is a contract)
 * but never signs anything.
 */
import {
  Contract,
  formatUnits,
  getBytes,
  isHexString,
  toUtf8String,
  type JsonRpcProvider
} from 'ethers';
import {
  argValue,
  decodeCall,
  formatAmount,
  matchNodeRequest,
  NODE_COMMANDS,
  transactionWarnings,
  typedDataFields,
  verifyNodeHint,
  type IDecodedCall,
  type IDecodedValue,
  type INodeRequestHint
} from '../../ocean/wallet-decode';
import type { IOceanNetwork } from '../../tokens';
import {
  descriptorFor,
  renderTransaction,
  tokensNeeded,
  matchFormat,
  type IDescriptor,
  type IRendered,
  type ITokenFacts
} from '../../ocean/clear-signing';
import type { ISimulation } from '../../ocean/simulation';
import type { IConfirmationRow } from './confirmation';
import { ERC20_READS } from '../../ocean/erc20';
import { visibleText } from '../../ocean/visible-text';

export interface ITokenInfo {
  symbol: string;
  decimals: number | null;
  name: string;
}

/** Reads symbol, decimals and name; ERC-721 has no decimals. */
export async function tokenInfo(
  provider: JsonRpcProvider,
  address: string
): Promise<ITokenInfo | null> {
  const token = new Contract(address, ERC20_READS, provider);
  const [symbol, decimals, name] = await Promise.all([
    token.symbol().catch(() => null),
    token.decimals().catch(() => null),
    token.name().catch(() => null)
  ]);
  if (symbol === null && decimals === null && name === null) {
    return null;
  }
  return {
    // Token metadata is chosen by whoever deployed the token: keep it short.
    // Its hidden characters (a U+202E reversing the rest of the line) are
    // shown as tags, so the dialog reads as the bytes do.
    symbol: visibleText(String(symbol ?? '?').slice(0, 24)),
    decimals: decimals === null ? null : Number(decimals),
    name: visibleText(String(name ?? '').slice(0, 64))
  };
}

async function isAccount(
  provider: JsonRpcProvider,
  address: string
): Promise<boolean> {
  try {
    return (await provider.getCode(address)) === '0x';
  } catch {
    return false;
  }
}

/** What the dialog reads of a fixed-rate exchange: its base token. */
const EXCHANGE_READS = [
  'function getExchange(bytes32 exchangeId) view returns (address exchangeOwner, address datatoken, uint256 dtDecimals, address baseToken, uint256 btDecimals, uint256 fixedRate, bool active, uint256 dtSupply, uint256 btSupply, uint256 dtBalance, uint256 btBalance, bool withMint)'
];

export function shortAddress(address: string): string {
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}

/** What the dialog needs to name addresses. */
export interface INameBook {
  /** lower-case address → name */
  names: Record<string, string>;
}

function named(address: string, book: INameBook): string {
  const name = book.names[address.toLowerCase()];
  return name ? `${address} (${visibleText(name)})` : address;
}

/** Integer argument names that carry token amounts (18-decimal datatokens unless paired). */
const AMOUNT_NAME =
  /amount|fee$|price|cap$|maxBalance|maxTokens|value$|addedValue/i;

/** Calls whose amounts are in the called token's own units. */
const TOKEN_CALLS = new Set([
  'approve',
  'transfer',
  'transferFrom',
  'increaseAllowance',
  'decreaseAllowance',
  'mint'
]);

function flattenArgs(
  values: IDecodedValue[],
  depth: number,
  book: INameBook,
  tokens: Map<string, ITokenInfo | null>,
  rows: IConfirmationRow[],
  /** The token amounts belong to when nothing pairs them (ERC-20 calls). */
  fallback: ITokenInfo | null = null
): void {
  for (const value of values) {
    if (Array.isArray(value.value)) {
      rows.push({ label: value.name, value: value.type, depth });
      // Pair "xToken" with "xAmount" inside one tuple to format with decimals.
      flattenArgs(value.value, depth + 1, book, tokens, rows, fallback);
      continue;
    }
    let text = value.value;
    if (value.type === 'address') {
      text = named(text, book);
    } else if (/^uint/.test(value.type) && AMOUNT_NAME.test(value.name)) {
      const raw = BigInt(value.value);
      const pair = values.find(
        other =>
          other.type === 'address' &&
          typeof other.value === 'string' &&
          other.name.replace(/Token(Address)?$/i, '') ===
            value.name.replace(/Amount$/i, '')
      );
      const info = pair
        ? tokens.get(String(pair.value).toLowerCase())
        : fallback;
      if (info && info.decimals !== null) {
        text = `${formatAmount(raw, info.decimals)} ${info.symbol}`;
      } else if (raw !== 0n) {
        text = `${formatAmount(raw, 18)} (18 decimals; raw ${raw})`;
      }
    } else if (value.type.startsWith('bytes') && text.length > 132) {
      text = `${text.slice(0, 130)}… (${(text.length - 2) / 2} bytes)`;
    }
    rows.push({
      label: value.name,
      value: text,
      mono: value.type === 'address' || value.type.startsWith('bytes'),
      depth
    });
  }
}

function collectTokenAddresses(
  values: IDecodedValue[],
  out: Set<string>
): void {
  for (const value of values) {
    if (Array.isArray(value.value)) {
      collectTokenAddresses(value.value, out);
    } else if (value.type === 'address' && /token/i.test(value.name)) {
      out.add(value.value.toLowerCase());
    }
  }
}

export interface ITransactionDescription {
  summary: string;
  rows: IConfirmationRow[];
  warnings: string[];
  raw?: string;
}

/** Describes an eth_sendTransaction for the dialog. */
export async function describeTransaction(options: {
  provider: JsonRpcProvider;
  network: IOceanNetwork;
  account: string;
  to: string | null;
  value: bigint;
  data: string;
  requestedChainId?: number;
  book: INameBook;
}): Promise<ITransactionDescription> {
  const { provider, network, to, value, data, book } = options;
  const decoded = decodeCall(data);
  const rows: IConfirmationRow[] = [];
  const tokenAddresses = new Set<string>();
  if (decoded) {
    collectTokenAddresses(decoded.args, tokenAddresses);
  }
  const [targetInfo, toIsAccount] = await Promise.all([
    to && decoded ? tokenInfo(provider, to) : Promise.resolve(null),
    to ? isAccount(provider, to) : Promise.resolve(false)
  ]);
  const tokens = new Map<string, ITokenInfo | null>();
  await Promise.all(
    [...tokenAddresses].map(async address =>
      tokens.set(address, await tokenInfo(provider, address))
    )
  );
  if (to && targetInfo) {
    tokens.set(to.toLowerCase(), targetInfo);
  }
  let spenderIsAccount: boolean | undefined;
  if (
    decoded &&
    (decoded.name === 'approve' ||
      decoded.name === 'increaseAllowance' ||
      decoded.name === 'setApprovalForAll')
  ) {
    spenderIsAccount = await isAccount(provider, String(decoded.args[0].value));
  }

  const symbol = network.nativeSymbol;
  rows.push({
    label: 'To',
    value: to ? named(to, book) : '(new contract)',
    mono: true
  });
  if (targetInfo) {
    rows.push({
      label: 'Token',
      value: `${targetInfo.name || targetInfo.symbol} (${targetInfo.symbol})`
    });
  }
  if (value > 0n) {
    rows.push({ label: 'Sends', value: `${formatUnits(value, 18)} ${symbol}` });
  }
  const clear =
    to && data && data.length >= 10
      ? await clearSign(
          provider,
          network,
          { to, data, value, from: options.account },
          book
        )
      : null;
  const summary = clear
    ? `${clear.interpolatedIntent ?? clear.intent}.`
    : summarise(decoded, to, value, symbol, targetInfo, book);
  if (clear) {
    // The descriptor's fields: its labels, its formats, the wallet's names.
    for (const field of clear.fields) {
      const nameOnly = field.address && field.value !== field.address;
      rows.push({
        label: field.label,
        value: nameOnly ? `${field.value} (${field.address})` : field.value,
        mono: !nameOnly && /^0x/.test(field.value)
      });
    }
  }
  if (decoded) {
    rows.push({ label: 'Function', value: decoded.signature, mono: true });
  }
  if (decoded && !clear) {
    flattenArgs(
      decoded.args,
      1,
      book,
      tokens,
      rows,
      TOKEN_CALLS.has(decoded.name) && targetInfo?.decimals !== null
        ? targetInfo
        : null
    );
  }
  const warnings = transactionWarnings({
    account: options.account,
    to,
    value,
    chainId: network.chainId,
    requestedChainId: options.requestedChainId,
    decoded,
    toIsAccount,
    spenderIsAccount,
    tokenSymbol: targetInfo?.symbol
  });
  return {
    summary,
    rows,
    warnings,
    raw: data && data !== '0x' ? data : undefined
  };
}

/**
 * The call's words from the Ocean ERC-7730 descriptors (clear-signing/):
 * token facts read from the chain, names from the wallet's book (its
 * accounts, OCEAN, and what the asking flow named). Null for calls no
 * descriptor knows; they are described argument by argument instead.
 */
export async function clearSign(
  provider: JsonRpcProvider,
  network: IOceanNetwork,
  tx: { to: string; data: string; value: bigint; from: string },
  book: INameBook
): Promise<IRendered | null> {
  const found = descriptorFor({ ...tx, chainId: network.chainId });
  if (!found) {
    return null;
  }
  let descriptor: IDescriptor = found.descriptor;
  const baseToken = descriptor.metadata?.maps?.baseToken;
  // An exchange's base token is its state, not calldata: read it from the
  // exchange itself; the network's OCEAN when it cannot be read.
  const exchangeId = matchFormat(descriptor, tx.data)?.args.exchangeId;
  const actualBase =
    baseToken && typeof exchangeId === 'string'
      ? await new Contract(tx.to, EXCHANGE_READS, provider)
          .getExchange(exchangeId)
          .then((exchange: { baseToken: string }) => String(exchange.baseToken))
          .catch(() => null)
      : null;
  const base = actualBase ?? network.oceanTokenAddress;
  if (baseToken && base) {
    descriptor = {
      ...descriptor,
      metadata: {
        ...descriptor.metadata,
        maps: {
          ...descriptor.metadata?.maps,
          baseToken: {
            ...baseToken,
            values: {
              ...baseToken.values,
              [String(network.chainId)]: base
            }
          }
        }
      }
    };
  }
  const match = matchFormat(descriptor, tx.data);
  if (!match) {
    return null;
  }
  const clearTx = { ...tx, chainId: network.chainId };
  const tokens: Record<string, ITokenFacts | undefined> = {};
  let nft = false;
  await Promise.all(
    tokensNeeded(descriptor, match.format, match.args, clearTx).map(
      async address => {
        const info = await tokenInfo(provider, address).catch(() => null);
        if (info && info.decimals !== null) {
          tokens[address] = {
            symbol: info.symbol,
            decimals: info.decimals,
            name: info.name
          };
        } else if (info && address === tx.to.toLowerCase()) {
          nft = true;
        }
      }
    )
  );
  const amountOfTarget = match.format.fields.some(
    field =>
      field.format === 'tokenAmount' && field.params?.tokenPath === '@.to'
  );
  if (nft && amountOfTarget) {
    // An ERC-721 shares approve's selector with ERC-20: its words (move NFT
    // #5) are not the descriptor's (spend an amount).
    return null;
  }
  const addressNames: Record<string, string> = {};
  for (const [address, name] of Object.entries(book.names)) {
    addressNames[address.toLowerCase()] = visibleText(name);
  }
  return renderTransaction(descriptor, clearTx, {
    tokens,
    addressNames,
    nativeSymbol: network.nativeSymbol
  });
}

/** What simulating showed, in words for the dialog. */
export interface ISimulationWords {
  method: string | null;
  /** "−2.002 OCEAN", "+1 WDT (Weather 2024 DT)". */
  changes: string[];
  /** Contracts reached, named where the wallet knows them. */
  touched: string[];
  note?: string;
}

/** The account's balance changes and the contracts reached, in words. */
export async function describeSimulation(
  provider: JsonRpcProvider,
  simulation: ISimulation,
  network: IOceanNetwork,
  book: INameBook
): Promise<ISimulationWords> {
  const changes = await Promise.all(
    (simulation.changes ?? []).map(async change => {
      const sign = change.delta < 0n ? '−' : '+';
      const size = change.delta < 0n ? -change.delta : change.delta;
      if (change.token === null) {
        return `${sign}${formatAmount(size, 18)} ${network.nativeSymbol}`;
      }
      const info = await tokenInfo(provider, change.token).catch(() => null);
      if (change.standard === 'erc721') {
        return `${sign}${size} NFT of ${info?.name || info?.symbol || change.token} (${(change.tokenIds ?? []).join(', ')})`;
      }
      const amount =
        info && info.decimals !== null
          ? `${formatAmount(size, info.decimals)} ${info.symbol}`
          : `${size} units of ${change.token}`;
      const name =
        info?.name && info.name !== info.symbol ? ` (${info.name})` : '';
      const partial = change.partial
        ? ' and an amount the simulation could not read'
        : '';
      return `${sign}${amount}${name}${partial}`;
    })
  );
  return {
    method: simulation.method,
    changes,
    touched: await Promise.all(
      (simulation.touched ?? []).map(async address => {
        if (book.names[address.toLowerCase()]) {
          return named(address, book);
        }
        // A token says what it is; other contracts stay addresses.
        const info = await tokenInfo(provider, address).catch(() => null);
        return info
          ? `${address} (${info.name ? `${info.name}, ` : ''}${info.symbol})`
          : address;
      })
    ),
    note:
      simulation.note ??
      (simulation.changes && !changes.length
        ? 'Your balances do not change, apart from the network fee.'
        : undefined)
  };
}

function tokenAmount(raw: string | undefined, info: ITokenInfo | null): string {
  const amount = BigInt(raw ?? '0');
  if (!info) {
    return `${formatAmount(amount, 18)} tokens`;
  }
  if (info.decimals === null) {
    return `NFT #${amount} of ${info.symbol}`;
  }
  return `${formatAmount(amount, info.decimals)} ${info.symbol}`;
}

function summarise(
  decoded: IDecodedCall | null,
  to: string | null,
  value: bigint,
  nativeSymbol: string,
  info: ITokenInfo | null,
  book: INameBook
): string {
  if (!to) {
    return 'Deploy a new contract.';
  }
  if (!decoded) {
    return value > 0n
      ? `Send ${formatUnits(value, 18)} ${nativeSymbol} to ${named(to, book)}.`
      : `Call a contract at ${named(to, book)}.`;
  }
  const arg = (i: number) => String(decoded.args[i]?.value ?? '');
  switch (decoded.name) {
    case 'approve':
      return info && info.decimals === null
        ? `Allow ${named(arg(0), book)} to move NFT #${arg(1)} of ${info.symbol}.`
        : `Allow ${named(arg(0), book)} to spend ${tokenAmount(arg(1), info)} from your account.`;
    case 'increaseAllowance':
      return `Allow ${named(arg(0), book)} to spend ${tokenAmount(arg(1), info)} more.`;
    case 'transfer':
      return `Send ${tokenAmount(arg(1), info)} to ${named(arg(0), book)}.`;
    case 'transferFrom':
    case 'safeTransferFrom':
      return `Move ${tokenAmount(arg(2), info)} from ${named(arg(0), book)} to ${named(arg(1), book)}.`;
    case 'setApprovalForAll':
      return arg(1) === 'true'
        ? `Allow ${named(arg(0), book)} to move all your ${info?.symbol ?? ''} NFTs.`
        : `Revoke ${named(arg(0), book)}'s right to move your NFTs.`;
    case 'buyDT':
      return `Buy ${formatAmount(BigInt(arg(1)), 18)} datatoken(s) on a fixed-rate exchange, paying at most ${formatAmount(BigInt(arg(2)), 18)} of the base token (fees included).`;
    case 'sellDT':
      return `Sell ${formatAmount(BigInt(arg(1)), 18)} datatoken(s) on a fixed-rate exchange.`;
    case 'collectBT':
      return `Withdraw ${formatAmount(BigInt(arg(1)), 18)} of your sales earnings (base token) from the fixed-rate exchange ${named(to, book)} to the datatoken's owner.`;
    case 'collectDT':
      return `Withdraw ${formatAmount(BigInt(arg(1)), 18)} unsold datatoken(s) from the fixed-rate exchange ${named(to, book)}.`;
    case 'setRate':
      return `Change the price on the fixed-rate exchange ${named(to, book)} to ${formatAmount(BigInt(arg(1)), 18)} base tokens per datatoken.`;
    case 'toggleExchangeState':
      return `Turn sales on or off on the fixed-rate exchange ${named(to, book)}.`;
    case 'dispense':
      return `Take ${formatAmount(BigInt(arg(1)), 18)} free datatoken(s) of ${named(arg(0), book)} from the dispenser.`;
    case 'startOrder':
      return `Order access to ${info?.name || 'a dataset'}: spend 1 ${info?.symbol ?? 'datatoken'} for service ${arg(1)}, for consumer ${named(arg(0), book)}.`;
    case 'reuseOrder':
      return `Renew an earlier order of ${info?.symbol ?? 'a datatoken'} (pays only the provider fee).`;
    case 'buyFromFreAndOrder':
      return `Buy 1 ${info?.symbol ?? 'datatoken'} and order access in one step.`;
    case 'buyFromDispenserAndOrder':
      return `Take 1 free ${info?.symbol ?? 'datatoken'} and order access in one step.`;
    case 'createNftWithErc20':
    case 'createNftWithErc20WithFixedRate':
    case 'createNftWithErc20WithDispenser':
    case 'createNftWithMetaData':
    case 'deployERC721Contract': {
      const name = argValue(decoded, 'name') ?? '';
      const how = decoded.name.endsWith('FixedRate')
        ? ' with a fixed price'
        : decoded.name.endsWith('Dispenser')
          ? ' given away free'
          : '';
      return `Publish a new data NFT "${name.slice(0, 64)}" and its datatoken${how}.`;
    }
    case 'setMetaData':
    case 'setMetaDataAndTokenURI':
      return `Update the metadata (asset description) of the data NFT ${named(to, book)}.`;
    case 'setMetaDataState':
      return `Change the state of the data NFT ${named(to, book)} to ${arg(0)}.`;
    case 'createERC20':
      return `Create a new datatoken for the data NFT ${named(to, book)}.`;
    case 'mint':
      return `Mint ${tokenAmount(arg(1), info)} to ${named(arg(0), book)}.`;
    default:
      return `Call ${decoded.name} on ${named(to, book)}.`;
  }
}

export interface IMessageDescription {
  /** Set when the hash was checked to be exactly this Ocean Node command. */
  nodeRequest?: { command: string; nonce: string };
  summary: string;
  rows: IConfirmationRow[];
  warnings: string[];
  checks: string[];
  raw?: string;
}

function printable(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text);
}

/**
 * Describes a personal_sign. A 32-byte message is matched against Ocean
 * Node's request hashes (consumer + nonce + command) using the node's
 * current nonce, and against the caller's hint if there is one.
 */
export async function describeMessage(options: {
  message: string;
  account: string;
  network: IOceanNetwork;
  hint?: INodeRequestHint;
  fetchNodeNonce: () => Promise<number | null>;
}): Promise<IMessageDescription> {
  const { message, account, hint } = options;
  const bytes = isHexString(message) ? getBytes(message) : null;
  const rows: IConfirmationRow[] = [];
  const warnings: string[] = [];
  const checks: string[] = [];
  // ocean.js signs toBeArray(hash), which drops a leading zero byte, so a
  // node request whose hash starts with 0x00 arrives as 31 bytes.
  const shortened = bytes?.length === 31;
  const hash =
    bytes && (bytes.length === 32 || shortened)
      ? (shortened ? '0x00' + message.slice(2) : message).toLowerCase()
      : null;
  if (hash) {
    rows.push({ label: 'Hash', value: hash, mono: true });
    // The summary and the check are the wallet's own words; what the
    // requester says about the request is a row of its own, never inside
    // the verified part of the dialog.
    const nodeRequest = (
      command: string,
      nonce: string | number,
      requesterSays?: string
    ): IMessageDescription => {
      checks.push(
        `Checked: this hash is exactly keccak256(your address + nonce ${nonce} + "${command}"), an Ocean Node request${
          shortened
            ? ' (sent without its leading zero byte, which is how Ocean Node checks it)'
            : ''
        }.`
      );
      const words = NODE_COMMANDS[command];
      return {
        nodeRequest: { command, nonce: String(nonce) },
        summary: words
          ? `Ocean Node request: ${words}.`
          : 'Ocean Node request of a kind this wallet does not describe (see Command).',
        rows: [
          { label: 'Node', value: options.network.nodeUrl, mono: true },
          { label: 'Command', value: command, mono: true },
          { label: 'Nonce', value: String(nonce), mono: true },
          ...(requesterSays
            ? [{ label: 'Requester says', value: requesterSays.slice(0, 200) }]
            : []),
          ...rows
        ],
        warnings,
        checks
      };
    };
    if (hint) {
      if (verifyNodeHint(hash, account, hint)) {
        return nodeRequest(hint.command, hint.nonce, hint.description);
      }
      warnings.push(
        `The caller says this signature is for "${hint.description ?? hint.command}", but the hash does not match that request. Reject unless you know why.`
      );
    }
    const nonce = await options.fetchNodeNonce().catch(() => null);
    const candidates =
      nonce === null
        ? []
        : [nonce + 1, nonce, nonce + 2, nonce + 3].filter(n => n >= 0);
    const match = matchNodeRequest(hash, account, candidates);
    if (match) {
      return nodeRequest(match.command, match.nonce);
    }
    if (!shortened) {
      warnings.push(
        'You are signing an opaque 32-byte hash. The wallet cannot tell what it authorises: confirm only if you trust who asked.'
      );
      return { summary: 'Sign a 32-byte hash.', rows, warnings, checks };
    }
    // 31 bytes that are no node request: described as any other bytes.
    rows.pop();
  }
  let text: string | null = null;
  if (bytes) {
    try {
      const decoded = toUtf8String(bytes);
      text = printable(decoded) ? decoded : null;
    } catch {
      text = null;
    }
  } else {
    text = message;
  }
  if (text !== null) {
    rows.push({ label: 'Message', value: text.slice(0, 4000) });
    return {
      summary: 'Sign a message. This costs nothing and sends no transaction.',
      rows,
      warnings,
      checks
    };
  }
  rows.push({ label: 'Bytes', value: message.slice(0, 2000), mono: true });
  warnings.push(
    'This message is binary data the wallet cannot read: confirm only if you trust who asked.'
  );
  return { summary: 'Sign binary data.', rows, warnings, checks };
}

/** Describes eth_signTypedData_v4 as fields. */
export function describeTypedData(
  typed: {
    domain?: Record<string, unknown>;
    primaryType?: string;
    message?: Record<string, unknown>;
  },
  chainId: number
): IMessageDescription {
  const warnings: string[] = [];
  const domainChain = typed.domain?.chainId;
  if (domainChain !== undefined && Number(domainChain) !== chainId) {
    warnings.push(
      `Chain mismatch: the data is for chain ${Number(domainChain)}, but the wallet is on chain ${chainId}.`
    );
  }
  if (/permit/i.test(String(typed.primaryType ?? ''))) {
    const value = typed.message?.value;
    warnings.push(
      value !== undefined && BigInt(String(value)) >= 1n << 128n
        ? 'This is an unlimited token permit: the spender could take all of this token without another confirmation.'
        : 'This is a token permit: it lets the spender move your tokens without another confirmation.'
    );
  }
  const name = String(typed.domain?.name ?? 'an application').slice(0, 64);
  return {
    summary: `Sign structured data (${String(typed.primaryType ?? 'unknown type').slice(0, 64)}) for ${name}. This costs nothing by itself.`,
    rows: typedDataFields(typed).map(field => ({
      label: field.label,
      value: field.value.slice(0, 500),
      mono: /^0x/.test(field.value)
    })),
    warnings,
    checks: []
  };
}
