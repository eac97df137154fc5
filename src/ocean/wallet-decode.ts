/**
 * What a signature request means, in words: contract calls decoded against
 * ERC-20/721 and Ocean's contract ABIs, Ocean Node request hashes matched to
 * their command, EIP-712 typed data flattened into fields, and the warnings
 * a person should see before saying yes. Pure functions: no chain access.
 */
import {
  getAddress,
  Interface,
  keccak256,
  toUtf8Bytes,
  type ParamType,
  type Result
} from 'ethers';
import { ERC20_WRITES } from './erc20';
import { OCEAN_CALL_ABI } from './wallet-abis';
import nodeCommands from './clear-signing/node-commands.json';
import { errorWords } from '../errors';

/** Token functions every wallet knows (ERC-20 and ERC-721 share approve). */
const TOKEN_ABI = [
  ...ERC20_WRITES,
  'function increaseAllowance(address spender, uint256 addedValue)',
  'function setApprovalForAll(address operator, bool approved)',
  'function safeTransferFrom(address from, address to, uint256 tokenId)'
];

function buildInterface(): Interface {
  const token = new Interface(TOKEN_ABI);
  const seen = new Set(token.fragments.map(f => f.format('sighash')));
  const fragments: unknown[] = [...token.fragments];
  for (const fragment of new Interface(OCEAN_CALL_ABI).fragments) {
    const key = fragment.format('sighash');
    if (!seen.has(key)) {
      seen.add(key);
      fragments.push(fragment);
    }
  }
  return new Interface(fragments as never);
}

let known: Interface | null = null;
/** The one interface that knows every function the dialog decodes. */
export function knownCalls(): Interface {
  known ??= buildInterface();
  return known;
}

/** A decoded argument; nested for tuples and arrays. */
export interface IDecodedValue {
  name: string;
  type: string;
  /** Decimal for integers, checksummed for addresses, 0x-hex for bytes. */
  value: string | IDecodedValue[];
}

export interface IDecodedCall {
  name: string;
  /** e.g. `approve(address,uint256)`. */
  signature: string;
  selector: string;
  args: IDecodedValue[];
}

function toDecoded(
  param: ParamType,
  value: unknown,
  index: number
): IDecodedValue {
  const name = param.name || `#${index}`;
  if (param.isTuple() && param.components) {
    const result = value as Result;
    return {
      name,
      type: 'tuple',
      value: param.components.map((component, i) =>
        toDecoded(component, result[i], i)
      )
    };
  }
  if (param.isArray() && param.arrayChildren) {
    const child = param.arrayChildren;
    return {
      name,
      type: param.type,
      value: Array.from(value as Result).map((item, i) =>
        toDecoded(child, item, i)
      )
    };
  }
  if (param.type === 'address') {
    return { name, type: 'address', value: getAddress(String(value)) };
  }
  return { name, type: param.type, value: String(value) };
}

/** The call `data` makes, or null when no known ABI matches it. */
export function decodeCall(
  data: string | undefined | null
): IDecodedCall | null {
  if (!data || data.length < 10) {
    return null;
  }
  try {
    const parsed = knownCalls().parseTransaction({ data });
    if (!parsed) {
      return null;
    }
    return {
      name: parsed.name,
      signature: parsed.signature,
      selector: parsed.selector,
      args: parsed.fragment.inputs.map((input, i) =>
        toDecoded(input, parsed.args[i], i)
      )
    };
  } catch {
    return null;
  }
}

/** The first argument called `name` at any depth. */
export function argValue(call: IDecodedCall, name: string): string | undefined {
  const walk = (values: IDecodedValue[]): string | undefined => {
    for (const value of values) {
      if (value.name === name && typeof value.value === 'string') {
        return value.value;
      }
      if (Array.isArray(value.value)) {
        const found = walk(value.value);
        if (found !== undefined) {
          return found;
        }
      }
    }
    return undefined;
  };
  return walk(call.args);
}

/**
 * Amounts at or above 2^128 are "unlimited" in practice: nobody holds that
 * many of a token, and 2^256-1 is what dapps send to mean "forever".
 */
export const UNLIMITED_THRESHOLD = 1n << 128n;

export function isUnlimited(amount: bigint): boolean {
  return amount >= UNLIMITED_THRESHOLD;
}

/** A decimal token amount, trimmed of trailing zeros. */
export function formatAmount(raw: bigint, decimals: number): string {
  if (isUnlimited(raw)) {
    return 'unlimited';
  }
  const negative = raw < 0n;
  const abs = negative ? -raw : raw;
  const base = 10n ** BigInt(decimals);
  const whole = abs / base;
  let fraction = (abs % base).toString().padStart(decimals, '0');
  fraction = fraction.replace(/0+$/, '');
  const text = fraction ? `${whole}.${fraction}` : `${whole}`;
  return negative ? `-${text}` : text;
}

/** Facts the warnings need besides the call itself. */
export interface ITransactionFacts {
  account: string;
  to: string | null;
  value: bigint;
  /** The chain id the request asked for, if it named one. */
  requestedChainId?: number;
  /** The active network's chain id. */
  chainId: number;
  decoded: IDecodedCall | null;
  /** True when `to` has no contract code (an ordinary account). */
  toIsAccount?: boolean;
  /** True when the spender/operator of an approval has no contract code. */
  spenderIsAccount?: boolean;
  /** Names of addresses the wallet recognises (lower case → name). */
  knownAddresses?: Record<string, string>;
  /** Token symbol of `to`, when it is a token. */
  tokenSymbol?: string;
}

/** Sentences a person should read before confirming, most serious first. */
export function transactionWarnings(facts: ITransactionFacts): string[] {
  const warnings: string[] = [];
  const { decoded } = facts;
  if (
    facts.requestedChainId !== undefined &&
    facts.requestedChainId !== facts.chainId
  ) {
    warnings.push(
      errorWords.__(
        'Chain mismatch: the request is for chain %1, but the wallet is on chain %2. Confirming would send it on chain %2.',
        facts.requestedChainId,
        facts.chainId
      )
    );
  }
  if (decoded?.name === 'approve' || decoded?.name === 'increaseAllowance') {
    const amount = BigInt(
      (decoded.args[1]?.value as string | undefined) ?? '0'
    );
    const spender = String(decoded.args[0]?.value ?? '');
    if (isUnlimited(amount)) {
      warnings.push(
        facts.tokenSymbol
          ? errorWords.__(
              'Unlimited approval: %1 could spend all of your %2, now and later, until you revoke it.',
              spender,
              facts.tokenSymbol
            )
          : errorWords.__(
              'Unlimited approval: %1 could spend all you hold of this token, now and later, until you revoke it.',
              spender
            )
      );
    }
    if (facts.spenderIsAccount) {
      warnings.push(
        facts.tokenSymbol
          ? errorWords.__(
              'The spender %1 is an ordinary account, not a contract: approvals normally go to exchanges or templates. Someone could take your %2.',
              spender,
              facts.tokenSymbol
            )
          : errorWords.__(
              'The spender %1 is an ordinary account, not a contract: approvals normally go to exchanges or templates. Someone could take your tokens.',
              spender
            )
      );
    }
  }
  if (
    decoded?.name === 'setApprovalForAll' &&
    decoded.args[1]?.value === 'true'
  ) {
    warnings.push(
      errorWords.__(
        'This lets %1 move every NFT you hold in this collection.',
        String(decoded.args[0]?.value)
      )
    );
  }
  if (
    (decoded?.name === 'transfer' || decoded?.name === 'transferFrom') &&
    facts.to
  ) {
    const recipient = String(
      decoded.args[decoded.name === 'transfer' ? 0 : 1]?.value ?? ''
    ).toLowerCase();
    if (recipient === facts.to.toLowerCase()) {
      warnings.push(
        errorWords.__(
          'The recipient is the token contract itself: tokens sent there are usually lost for good.'
        )
      );
    }
    if (recipient === '0x0000000000000000000000000000000000000000') {
      warnings.push(
        errorWords.__(
          'The recipient is the zero address: the tokens would be burned.'
        )
      );
    }
  }
  if (facts.to === null) {
    warnings.push(errorWords.__('This deploys a new contract.'));
  }
  if (!decoded && facts.to && !facts.toIsAccount && facts.value === 0n) {
    // Calls the wallet cannot decode are not necessarily bad, but the person
    // should know they are approving something the wallet cannot explain.
    warnings.push(
      errorWords.__(
        'The wallet cannot decode this contract call: confirm only if you trust who asked.'
      )
    );
  }
  return warnings;
}

// ---------------------------------------------------------------------------
// Ocean Node request signatures
// ---------------------------------------------------------------------------

/**
 * Commands Ocean Node authenticates with a signed
 * keccak256(utf8(consumer + nonce + command)). The wallet only sees the hash;
 * it matches it against these to say what the signature is for. The words
 * are the node table's (clear-signing/node-commands.json), in lower case
 * after "Ocean Node request: ".
 */
export const NODE_COMMANDS: Record<string, string> = Object.fromEntries(
  Object.entries(
    (nodeCommands as { display: { formats: Record<string, any> } }).display
      .formats
  ).map(([command, format]) => [
    command,
    String(format.interpolatedIntent).replace(/^Ocean Node request: /, '')
  ])
);

/**
 * The same words in the lab's language: one literal per command, so a
 * catalogue can hold them (the table's JSON cannot be extracted). A test
 * keeps them equal to the table's English.
 */
const NODE_COMMAND_WORDS: Record<string, () => string> = {
  download: () => errorWords.__('download a file of a dataset you ordered'),
  createAuthToken: () =>
    errorWords.__(
      'sign in to the Ocean Node (a token for downloads and compute jobs)'
    ),
  invalidateAuthToken: () =>
    errorWords.__('sign out of the Ocean Node (revoke a token)'),
  encrypt: () =>
    errorWords.__('encrypt metadata with the Ocean Node before publishing'),
  encryptFile: () =>
    errorWords.__('encrypt a file reference with the Ocean Node'),
  decryptDDO: () => errorWords.__('decrypt an asset description'),
  initializeCompute: () => errorWords.__('prepare a compute job'),
  startCompute: () => errorWords.__('start a paid compute job'),
  freeStartCompute: () => errorWords.__('start a free compute job'),
  stopCompute: () => errorWords.__('stop a compute job'),
  getComputeStatus: () => errorWords.__('read the status of your compute jobs'),
  getComputeResult: () => errorWords.__('download a compute job result'),
  getComputeStreamableLogs: () =>
    errorWords.__('read the logs of a compute job'),
  fileInfo: () => errorWords.__('read file information from the Ocean Node'),
  validateDDO: () =>
    errorWords.__(
      'have the Ocean Node check an asset description before it is published'
    ),
  persistentStorageCreateBucket: () =>
    errorWords.__(
      'create a storage bucket on the Ocean Node for the files you publish'
    ),
  persistentStorageUploadFile: () =>
    errorWords.__('upload a file into your storage bucket on the Ocean Node'),
  persistentStorageListFiles: () =>
    errorWords.__('list the files in your Ocean Node storage'),
  persistentStorageGetBuckets: () =>
    errorWords.__('list your storage buckets on the Ocean Node'),
  persistentStorageGetFileObject: () =>
    errorWords.__('read where a file of yours is kept on the Ocean Node'),
  persistentStorageDeleteFile: () =>
    errorWords.__('delete a file from your Ocean Node storage'),
  persistentStorageUpdateBucket: () =>
    errorWords.__(
      'change who may read a storage bucket of yours on the Ocean Node'
    )
};

/** What a node command is for, in the lab's language (undefined: unknown). */
export function nodeCommandWords(command: string): string | undefined {
  return NODE_COMMAND_WORDS[command]?.();
}

/** The hash Ocean Node checks, as @oceanprotocol/lib builds it. */
export function nodeRequestHash(
  consumer: string,
  nonce: string | number,
  command: string
): string {
  return keccak256(toUtf8Bytes(`${consumer}${nonce}${command}`));
}

export interface INodeRequestMatch {
  command: string;
  nonce: string;
  /** Words for people. */
  description: string;
}

/**
 * Which command (and nonce) produced `hash` for `consumer`, trying each
 * candidate nonce and each known command (plus `extraCommands`), with the
 * consumer both checksummed and lower case (the lib uses the signer's
 * checksummed address, older clients lower case).
 */
export function matchNodeRequest(
  hash: string,
  consumer: string,
  nonces: ReadonlyArray<string | number>,
  extraCommands: ReadonlyArray<string> = []
): INodeRequestMatch | null {
  const wanted = hash.toLowerCase();
  const commands = [...Object.keys(NODE_COMMANDS), ...extraCommands];
  const consumers = [getAddress(consumer), consumer.toLowerCase()];
  for (const who of consumers) {
    for (const nonce of nonces) {
      for (const command of commands) {
        if (nodeRequestHash(who, nonce, command) === wanted) {
          return {
            command,
            nonce: String(nonce),
            description: NODE_COMMANDS[command] ?? command
          };
        }
      }
    }
  }
  return null;
}

/**
 * What a caller may pass beside a personal_sign to say what it is for.
 * The wallet never trusts it: it recomputes the hash and shows whether the
 * hint matches what is actually signed.
 */
export interface INodeRequestHint {
  command: string;
  nonce: string | number;
  /** e.g. "download dataset Weather 2024". Shown as plain text. */
  description?: string;
}

export function verifyNodeHint(
  hash: string,
  consumer: string,
  hint: INodeRequestHint
): boolean {
  const wanted = hash.toLowerCase();
  return [getAddress(consumer), consumer.toLowerCase()].some(
    who => nodeRequestHash(who, hint.nonce, hint.command) === wanted
  );
}

// ---------------------------------------------------------------------------
// EIP-712 typed data
// ---------------------------------------------------------------------------

export interface ITypedField {
  /** Dotted path, e.g. `message.order.amount`. */
  label: string;
  value: string;
  /**
   * Set on the one closing row when there were more fields than a dialog
   * lists: how many were left out. The signature covers them all, so the
   * dialog must say so (describe.ts).
   */
  omitted?: number;
}

/** The most fields a dialog lists; past it the rest is counted, not shown. */
export const MAX_TYPED_FIELDS = 200;

export function typedDataFields(typed: {
  domain?: Record<string, unknown>;
  primaryType?: string;
  message?: Record<string, unknown>;
}): ITypedField[] {
  const rows: ITypedField[] = [];
  let omitted = 0;
  const walk = (prefix: string, value: unknown, depth: number): void => {
    if (value !== null && typeof value === 'object' && depth < 6) {
      for (const [key, child] of Object.entries(value as object)) {
        walk(prefix ? `${prefix}.${key}` : key, child, depth + 1);
      }
    } else if (rows.length >= MAX_TYPED_FIELDS) {
      // Counted, so the dialog can say what it does not show.
      omitted++;
    } else {
      // Deeper than the walk goes: the rest as JSON, never "[object Object]".
      rows.push({
        label: prefix,
        value:
          value !== null && typeof value === 'object'
            ? JSON.stringify(value)
            : String(value)
      });
    }
  };
  walk('domain', typed.domain ?? {}, 0);
  if (typed.primaryType) {
    // A field path like the others (domain.name), not a word. i18n-ignore
    rows.push({ label: 'type', value: String(typed.primaryType) });
  }
  walk('message', typed.message ?? {}, 0);
  if (omitted > 0) {
    rows.push({ label: '…', value: String(omitted), omitted });
  }
  return rows;
}
