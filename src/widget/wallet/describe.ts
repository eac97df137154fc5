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
  nodeCommandWords,
  transactionWarnings,
  typedDataFields,
  verifyNodeHint,
  type IDecodedCall,
  type IDecodedValue,
  type INodeRequestHint
} from '../../ocean/wallet-decode';
import {
  nullTranslator,
  type TranslationBundle
} from '@jupyterlab/translation';
import type { IOceanNetwork } from '../../tokens';
import {
  descriptorFor,
  renderTransaction,
  tokensNeeded,
  matchFormat,
  pinnedOceanContracts,
  type IDescriptor,
  type IRendered,
  type ITokenFacts
} from '../../ocean/clear-signing';
import type { ISimulation } from '../../ocean/simulation';
import type { IConfirmationRow } from './confirmation';
import { ERC20_READS } from '../../ocean/erc20';
import {
  hasInvisible,
  visibleLines,
  visibleText
} from '../../ocean/visible-text';

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

/** The words when a caller (a test, a script) brings no translator. */
const ENGLISH = nullTranslator.load('jupyterlab_ocean');

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
  trans: TranslationBundle,
  /** The token amounts belong to when nothing pairs them (ERC-20 calls). */
  fallback: ITokenInfo | null = null
): void {
  for (const value of values) {
    if (Array.isArray(value.value)) {
      rows.push({ label: value.name, value: value.type, depth });
      // Pair "xToken" with "xAmount" inside one tuple to format with decimals.
      flattenArgs(value.value, depth + 1, book, tokens, rows, trans, fallback);
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
        text = trans.__(
          '%1 (18 decimals; raw %2)',
          formatAmount(raw, 18),
          String(raw)
        );
      }
    } else if (value.type === 'string') {
      // The caller's words inside the call: hidden characters made visible.
      text = visibleText(text);
    } else if (value.type.startsWith('bytes') && text.length > 132) {
      text = trans.__(
        '%1… (%2 bytes)',
        text.slice(0, 130),
        (text.length - 2) / 2
      );
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
  trans?: TranslationBundle;
}): Promise<ITransactionDescription> {
  const { provider, network, to, value, data, book } = options;
  const trans = options.trans ?? ENGLISH;
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
    label: trans.__('To'),
    value: to ? named(to, book) : trans.__('(new contract)'),
    mono: true
  });
  if (targetInfo) {
    rows.push({
      label: trans.__('Token'),
      value: `${targetInfo.name || targetInfo.symbol} (${targetInfo.symbol})`
    });
  }
  if (value > 0n) {
    rows.push({
      label: trans.__('Sends'),
      value: `${formatUnits(value, 18)} ${symbol}`
    });
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
    : summarise(decoded, to, value, symbol, targetInfo, book, trans);
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
    rows.push({
      label: trans.__('Function'),
      value: decoded.signature,
      mono: true
    });
  }
  if (decoded && !clear) {
    flattenArgs(
      decoded.args,
      1,
      book,
      tokens,
      rows,
      trans,
      TOKEN_CALLS.has(decoded.name) && targetInfo?.decimals !== null
        ? targetInfo
        : null
    );
  }
  const impostor =
    to && targetInfo
      ? impostorWarning(targetInfo.symbol, to, network, trans)
      : null;
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
  if (impostor) {
    warnings.unshift(impostor);
  }
  return {
    summary,
    rows,
    warnings,
    raw: data && data !== '0x' ? data : undefined
  };
}

/**
 * A token's symbol is whatever its deployer chose: one that calls itself
 * OCEAN at another address than the network's OCEAN, or takes the name of
 * the network's own coin, reads in the dialog ("spend 100 OCEAN") as the
 * real thing. Null when the symbol claims neither.
 */
export function impostorWarning(
  symbol: string,
  address: string,
  network: Pick<IOceanNetwork, 'chainId' | 'name' | 'nativeSymbol'> & {
    oceanTokenAddress?: string;
  },
  trans: TranslationBundle = ENGLISH
): string | null {
  const claimed = symbol.trim().toUpperCase();
  const ocean =
    network.oceanTokenAddress ?? pinnedOceanContracts(network.chainId)?.ocean;
  if (
    claimed === 'OCEAN' &&
    ocean &&
    ocean.toLowerCase() !== address.toLowerCase()
  ) {
    return trans.__(
      'This token calls itself %1, but the OCEAN token on %2 is %3: this one (%4) is another token.',
      symbol,
      network.name,
      ocean,
      address
    );
  }
  if (claimed === network.nativeSymbol.toUpperCase()) {
    return trans.__(
      'This token calls itself %1, the name of the network’s own coin, but it is a token contract (%2), not %1.',
      symbol,
      address
    );
  }
  return null;
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
  book: INameBook,
  trans: TranslationBundle = ENGLISH
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
        return trans._n(
          '%2%1 NFT of %3 (%4)',
          '%2%1 NFTs of %3 (%4)',
          Number(size),
          sign,
          info?.name || info?.symbol || change.token,
          (change.tokenIds ?? []).join(', ')
        );
      }
      const amount =
        info && info.decimals !== null
          ? `${formatAmount(size, info.decimals)} ${info.symbol}`
          : trans.__('%1 units of %2', String(size), change.token);
      const name =
        info?.name && info.name !== info.symbol ? ` (${info.name})` : '';
      return change.partial
        ? trans.__(
            '%1%2%3 and an amount the simulation could not read',
            sign,
            amount,
            name
          )
        : `${sign}${amount}${name}`;
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
        ? trans.__('Your balances do not change, apart from the network fee.')
        : undefined)
  };
}

function tokenAmount(
  raw: string | undefined,
  info: ITokenInfo | null,
  trans: TranslationBundle
): string {
  const amount = BigInt(raw ?? '0');
  if (!info) {
    return trans.__('%1 tokens', formatAmount(amount, 18));
  }
  if (info.decimals === null) {
    return trans.__('NFT #%1 of %2', String(amount), info.symbol);
  }
  return `${formatAmount(amount, info.decimals)} ${info.symbol}`;
}

function summarise(
  decoded: IDecodedCall | null,
  to: string | null,
  value: bigint,
  nativeSymbol: string,
  info: ITokenInfo | null,
  book: INameBook,
  trans: TranslationBundle
): string {
  if (!to) {
    return trans.__('Deploy a new contract.');
  }
  const target = named(to, book);
  if (!decoded) {
    return value > 0n
      ? trans.__(
          'Send %1 %2 to %3.',
          formatUnits(value, 18),
          nativeSymbol,
          target
        )
      : trans.__('Call a contract at %1.', target);
  }
  const arg = (i: number) => String(decoded.args[i]?.value ?? '');
  const who = (i: number) => named(arg(i), book);
  const amount = (i: number) => tokenAmount(arg(i), info, trans);
  const units = (i: number) => formatAmount(BigInt(arg(i)), 18);
  switch (decoded.name) {
    case 'approve':
      return info && info.decimals === null
        ? trans.__(
            'Allow %1 to move NFT #%2 of %3.',
            who(0),
            arg(1),
            info.symbol
          )
        : trans.__(
            'Allow %1 to spend %2 from your account.',
            who(0),
            amount(1)
          );
    case 'increaseAllowance':
      return trans.__('Allow %1 to spend %2 more.', who(0), amount(1));
    case 'transfer':
      return trans.__('Send %1 to %2.', amount(1), who(0));
    case 'transferFrom':
    case 'safeTransferFrom':
      return trans.__('Move %1 from %2 to %3.', amount(2), who(0), who(1));
    case 'setApprovalForAll':
      return arg(1) === 'true'
        ? trans.__(
            'Allow %1 to move all your %2 NFTs.',
            who(0),
            info?.symbol ?? ''
          )
        : trans.__("Revoke %1's right to move your NFTs.", who(0));
    case 'buyDT':
      return trans.__(
        'Buy %1 datatoken(s) on a fixed-rate exchange, paying at most %2 of the base token (fees included).',
        units(1),
        units(2)
      );
    case 'sellDT':
      return trans.__(
        'Sell %1 datatoken(s) on a fixed-rate exchange.',
        units(1)
      );
    case 'collectBT':
      return trans.__(
        "Withdraw %1 of your sales earnings (base token) from the fixed-rate exchange %2 to the datatoken's owner.",
        units(1),
        target
      );
    case 'collectDT':
      return trans.__(
        'Withdraw %1 unsold datatoken(s) from the fixed-rate exchange %2.',
        units(1),
        target
      );
    case 'setRate':
      return trans.__(
        'Change the price on the fixed-rate exchange %1 to %2 base tokens per datatoken.',
        target,
        units(1)
      );
    case 'toggleExchangeState':
      return trans.__(
        'Turn sales on or off on the fixed-rate exchange %1.',
        target
      );
    case 'dispense':
      return trans.__(
        'Take %1 free datatoken(s) of %2 from the dispenser.',
        units(1),
        who(0)
      );
    case 'startOrder':
      return trans.__(
        'Order access to %1: spend 1 %2 for service %3, for consumer %4.',
        info?.name || trans.__('a dataset'),
        info?.symbol ?? trans.__('datatoken'),
        arg(1),
        who(0)
      );
    case 'reuseOrder':
      return trans.__(
        'Renew an earlier order of %1 (pays only the provider fee).',
        info?.symbol ?? trans.__('a datatoken')
      );
    case 'buyFromFreAndOrder':
      return trans.__(
        'Buy 1 %1 and order access in one step.',
        info?.symbol ?? trans.__('datatoken')
      );
    case 'buyFromDispenserAndOrder':
      return trans.__(
        'Take 1 free %1 and order access in one step.',
        info?.symbol ?? trans.__('datatoken')
      );
    case 'createNftWithErc20':
    case 'createNftWithErc20WithFixedRate':
    case 'createNftWithErc20WithDispenser':
    case 'createNftWithMetaData':
    case 'deployERC721Contract': {
      const name = (argValue(decoded, 'name') ?? '').slice(0, 64);
      return decoded.name.endsWith('FixedRate')
        ? trans.__(
            'Publish a new data NFT "%1" and its datatoken with a fixed price.',
            name
          )
        : decoded.name.endsWith('Dispenser')
          ? trans.__(
              'Publish a new data NFT "%1" and its datatoken given away free.',
              name
            )
          : trans.__('Publish a new data NFT "%1" and its datatoken.', name);
    }
    case 'setMetaData':
    case 'setMetaDataAndTokenURI':
      return trans.__(
        'Update the metadata (asset description) of the data NFT %1.',
        target
      );
    case 'setMetaDataState':
      return trans.__(
        'Change the state of the data NFT %1 to %2.',
        target,
        arg(0)
      );
    case 'createERC20':
      return trans.__('Create a new datatoken for the data NFT %1.', target);
    case 'mint':
      return trans.__('Mint %1 to %2.', amount(1), who(0));
    default:
      return trans.__('Call %1 on %2.', decoded.name, target);
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
  trans?: TranslationBundle;
}): Promise<IMessageDescription> {
  const { message, account, hint } = options;
  const trans = options.trans ?? ENGLISH;
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
    rows.push({ label: trans.__('Hash'), value: hash, mono: true });
    // The summary and the check are the wallet's own words; what the
    // requester says about the request is a row of its own, never inside
    // the verified part of the dialog.
    const nodeRequest = (
      command: string,
      nonce: string | number,
      requesterSays?: string
    ): IMessageDescription => {
      checks.push(
        shortened
          ? trans.__(
              'Checked: this hash is exactly keccak256(your address + nonce %1 + "%2"), an Ocean Node request (sent without its leading zero byte, which is how Ocean Node checks it).',
              String(nonce),
              command
            )
          : trans.__(
              'Checked: this hash is exactly keccak256(your address + nonce %1 + "%2"), an Ocean Node request.',
              String(nonce),
              command
            )
      );
      const words = nodeCommandWords(command);
      return {
        nodeRequest: { command, nonce: String(nonce) },
        summary: words
          ? trans.__('Ocean Node request: %1.', words)
          : trans.__(
              'Ocean Node request of a kind this wallet does not describe (see Command).'
            ),
        rows: [
          {
            label: trans.__('Node'),
            value: options.network.nodeUrl,
            mono: true
          },
          { label: trans.__('Command'), value: command, mono: true },
          { label: trans.__('Nonce'), value: String(nonce), mono: true },
          ...(requesterSays
            ? [
                {
                  label: trans.__('Requester says'),
                  value: visibleText(requesterSays.slice(0, 200))
                }
              ]
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
        trans.__(
          'The caller says this signature is for "%1", but the hash does not match that request. Reject unless you know why.',
          hint.description ?? hint.command
        )
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
        trans.__(
          'You are signing an opaque 32-byte hash. The wallet cannot tell what it authorises: confirm only if you trust who asked.'
        )
      );
      return {
        summary: trans.__('Sign a 32-byte hash.'),
        rows,
        warnings,
        checks
      };
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
    // What is signed is all of it: hidden characters are made visible, and
    // a message longer than the dialog shows is said to be (a harmless
    // start could hide what follows).
    if (hasInvisible(text.replace(/\n/g, ''))) {
      warnings.push(hiddenCharacters(trans));
    }
    if (text.length > MAX_MESSAGE_SHOWN) {
      warnings.push(cutShort(trans, MAX_MESSAGE_SHOWN, text.length));
    }
    rows.push({
      label: trans.__('Message'),
      value: visibleLines(text.slice(0, MAX_MESSAGE_SHOWN))
    });
    return {
      summary: trans.__(
        'Sign a message. This costs nothing and sends no transaction.'
      ),
      rows,
      warnings,
      checks
    };
  }
  if (message.length > MAX_BYTES_SHOWN) {
    warnings.push(cutShort(trans, MAX_BYTES_SHOWN, message.length));
  }
  rows.push({
    label: trans.__('Bytes'),
    value: message.slice(0, MAX_BYTES_SHOWN),
    mono: true
  });
  warnings.push(
    trans.__(
      'This message is binary data the wallet cannot read: confirm only if you trust who asked.'
    )
  );
  return { summary: trans.__('Sign binary data.'), rows, warnings, checks };
}

/** Describes eth_signTypedData_v4 as fields. */
export function describeTypedData(
  typed: {
    domain?: Record<string, unknown>;
    primaryType?: string;
    message?: Record<string, unknown>;
  },
  chainId: number,
  trans: TranslationBundle = ENGLISH
): IMessageDescription {
  const warnings: string[] = [];
  const domainChain = typed.domain?.chainId;
  if (domainChain !== undefined && Number(domainChain) !== chainId) {
    warnings.push(
      trans.__(
        'Chain mismatch: the data is for chain %1, but the wallet is on chain %2.',
        Number(domainChain),
        chainId
      )
    );
  }
  if (/permit/i.test(String(typed.primaryType ?? ''))) {
    const value = typed.message?.value;
    warnings.push(
      value !== undefined && BigInt(String(value)) >= 1n << 128n
        ? trans.__(
            'This is an unlimited token permit: the spender could take all of this token without another confirmation.'
          )
        : trans.__(
            'This is a token permit: it lets the spender move your tokens without another confirmation.'
          )
    );
  }
  const name = visibleText(
    String(typed.domain?.name ?? trans.__('an application')).slice(0, 64)
  );
  const fields = typedDataFields(typed);
  const rows: IConfirmationRow[] = [];
  let hidden = false;
  for (const field of fields) {
    if (field.omitted) {
      warnings.push(
        trans.__(
          'The data has %1 more fields than the dialog lists; the signature covers them too. Reject unless you know what they say.',
          field.omitted
        )
      );
      continue;
    }
    hidden ||= hasInvisible(field.label) || hasInvisible(field.value);
    if (field.value.length > MAX_FIELD_SHOWN) {
      warnings.push(
        trans.__(
          'The field %1 is %2 characters long and only the first %3 are shown; the signature covers all of it.',
          visibleText(field.label.slice(0, 100)),
          field.value.length,
          MAX_FIELD_SHOWN
        )
      );
    }
    rows.push({
      label: visibleText(field.label),
      value: visibleText(field.value.slice(0, MAX_FIELD_SHOWN)),
      mono: /^0x/.test(field.value)
    });
  }
  if (hidden || hasInvisible(name)) {
    warnings.push(hiddenCharacters(trans));
  }
  return {
    summary: trans.__(
      'Sign structured data (%1) for %2. This costs nothing by itself.',
      visibleText(
        String(typed.primaryType ?? trans.__('unknown type')).slice(0, 64)
      ),
      name
    ),
    rows,
    warnings,
    checks: []
  };
}

/** The most of a message, its bytes and one typed field a dialog shows. */
const MAX_MESSAGE_SHOWN = 4000;
const MAX_BYTES_SHOWN = 2000;
const MAX_FIELD_SHOWN = 500;

/** A signed text longer than the dialog shows. */
function cutShort(
  trans: TranslationBundle,
  shown: number,
  length: number
): string {
  return trans.__(
    'Only the first %1 of its %2 characters are shown, but the signature covers all of them. Reject unless you know what the rest says.',
    shown,
    length
  );
}

/** Hidden or direction-changing characters, tagged ⟨U+…⟩ in the rows. */
function hiddenCharacters(trans: TranslationBundle): string {
  return trans.__(
    'It holds hidden or direction-changing characters (shown as ⟨U+…⟩), which can make text read other than it is. Reject unless you know why they are there.'
  );
}
