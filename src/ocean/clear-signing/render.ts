/**
 * An ERC-7730 reader: the words a wallet shows for a contract call, taken
 * from a descriptor (intent, interpolated intent, labelled fields) instead
 * of written in code. Pure: the token facts and names it needs come from a
 * data provider the caller fills first (the wallet from the chain, the
 * registry-format tests from their `dataProvider`).
 *
 * Supported: paths into the call's arguments (tuples, `.[i]` array items),
 * `@.to/@.from/@.value/@.chainId`, `$.metadata.constants/maps`; formats raw,
 * addressName, tokenAmount, amount, unit, date, duration, enum; `visible`
 * rules; `$ref` to display definitions; `includes` (merged by the caller).
 */
import { FunctionFragment, getAddress, Interface, type Result } from 'ethers';
import { formatAmount } from '../wallet-decode';
import { visibleText } from '../visible-text';

export interface IDescriptorField {
  path?: string;
  value?: string | number | boolean;
  label?: string;
  format?: string;
  params?: Record<string, any>;
  visible?: string | { ifNotIn?: unknown[]; mustBe?: unknown[] };
  $ref?: string;
  fields?: IDescriptorField[];
}

export interface IDescriptorFormat {
  $id?: string;
  intent: string | Record<string, string>;
  interpolatedIntent?: string;
  fields: IDescriptorField[];
}

export interface IDescriptor {
  $schema?: string;
  $comment?: string;
  includes?: string;
  context?: {
    $id?: string;
    contract?: {
      deployments?: Array<{ chainId: number; address: string }>;
      factory?: {
        deployEvent: string;
        deployments: Array<{ chainId: number; address: string }>;
      };
    };
  };
  metadata?: {
    owner?: string;
    contractName?: string;
    info?: { url?: string };
    token?: { name: string; ticker: string; decimals: number };
    constants?: Record<string, unknown>;
    enums?: Record<string, Record<string, string>>;
    maps?: Record<string, { values: Record<string, unknown> }>;
  };
  display: {
    definitions?: Record<string, IDescriptorField>;
    formats: Record<string, IDescriptorFormat>;
  };
}

export interface ITokenFacts {
  symbol: string;
  decimals: number;
  name: string;
}

/** What rendering needs besides the call: filled before, read synchronously. */
export interface IDataProvider {
  /** ERC-20 facts of a token (lower-case address keys). */
  tokens: Record<string, ITokenFacts | undefined>;
  /** Local names of addresses (lower-case keys): the wallet's own and the flow's. */
  addressNames?: Record<string, string | undefined>;
  /** The chain's coin, for the `amount` format. */
  nativeSymbol?: string;
}

/** A transaction as ERC-7730 sees it (`@.` paths). */
export interface IClearTransaction {
  to: string;
  data: string;
  from?: string;
  value?: bigint;
  chainId: number;
}

export interface IRenderedField {
  label: string;
  value: string;
  /** The address behind an addressName, for the dialog to show beside the name. */
  address?: string;
}

/** The registry-format output: `transaction → intent and fields`. */
export interface IRendered {
  intent: string;
  interpolatedIntent?: string;
  owner?: string;
  fields: IRenderedField[];
}

/** A descriptor's format keys → ethers fragments, with their selectors. */
export function formatFragments(
  descriptor: IDescriptor
): Array<{ key: string; fragment: FunctionFragment; selector: string }> {
  return Object.keys(descriptor.display.formats).map(key => {
    const fragment = FunctionFragment.from(`function ${key}`);
    return { key, fragment, selector: fragment.selector };
  });
}

/** The format entry and decoded arguments for `data`, or null. */
export function matchFormat(
  descriptor: IDescriptor,
  data: string
): { format: IDescriptorFormat; args: Record<string, unknown> } | null {
  const selector = data.slice(0, 10).toLowerCase();
  for (const { key, fragment } of formatFragments(descriptor)) {
    if (fragment.selector.toLowerCase() !== selector) continue;
    try {
      const decoded = new Interface([fragment]).decodeFunctionData(
        fragment,
        data
      );
      return {
        format: descriptor.display.formats[key],
        args: plain(fragment.inputs, decoded)
      };
    } catch {
      return null;
    }
  }
  return null;
}

/** Decoded arguments as plain objects keyed by parameter name. */
function plain(
  params: ReadonlyArray<{
    name: string;
    type: string;
    components?: ReadonlyArray<any> | null;
    arrayChildren?: any;
  }>,
  values: Result | unknown[]
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  params.forEach((param, i) => {
    out[param.name || String(i)] = toPlain(param, (values as any[])[i]);
  });
  return out;
}

function toPlain(param: any, value: any): unknown {
  if (param.baseType === 'tuple' && param.components) {
    return plain(param.components, value);
  }
  if (param.baseType === 'array' && param.arrayChildren) {
    return Array.from(value as any[]).map(item =>
      toPlain(param.arrayChildren, item)
    );
  }
  if (param.type === 'address') return getAddress(String(value));
  if (typeof value === 'bigint') return value;
  return value;
}

/** Every token address a format will ask the data provider about. */
export function tokensNeeded(
  descriptor: IDescriptor,
  format: IDescriptorFormat,
  args: Record<string, unknown>,
  tx: IClearTransaction
): string[] {
  const out = new Set<string>();
  for (const field of flatFields(descriptor, format.fields)) {
    if (field.format === 'tokenAmount') {
      const token = tokenOf(descriptor, field, args, tx);
      if (token) out.add(token.toLowerCase());
    }
    if (field.format === 'addressName') {
      const value = resolve(descriptor, field.path ?? '', args, tx);
      if (typeof value === 'string') out.add(value.toLowerCase());
    }
  }
  return [...out];
}

function flatFields(
  descriptor: IDescriptor,
  fields: IDescriptorField[]
): IDescriptorField[] {
  const out: IDescriptorField[] = [];
  for (const field of fields) {
    if (field.fields) {
      out.push(...flatFields(descriptor, field.fields));
    } else {
      out.push(withDefinition(descriptor, field));
    }
  }
  return out;
}

function withDefinition(
  descriptor: IDescriptor,
  field: IDescriptorField
): IDescriptorField {
  if (!field.$ref) return field;
  const name = field.$ref.replace(/^\$\.display\.definitions\./, '');
  const definition = descriptor.display.definitions?.[name] ?? {};
  return {
    ...definition,
    ...field,
    params: { ...(definition.params ?? {}), ...(field.params ?? {}) },
    $ref: undefined
  };
}

/** A path's value: calldata (`a.b.[0]`), container (`@.to`) or metadata (`$.…`). */
function resolve(
  descriptor: IDescriptor,
  path: string,
  args: Record<string, unknown>,
  tx: IClearTransaction
): unknown {
  if (path.startsWith('@.')) {
    switch (path.slice(2)) {
      case 'to':
        return getAddress(tx.to);
      case 'from':
        return tx.from ? getAddress(tx.from) : undefined;
      case 'value':
        return tx.value ?? 0n;
      case 'chainId':
        return BigInt(tx.chainId);
      default:
        return undefined;
    }
  }
  if (path.startsWith('$.')) {
    let node: any = descriptor;
    for (const part of path.slice(2).split('.')) node = node?.[part];
    return node;
  }
  let node: any = args;
  for (const part of path.replace(/^#\./, '').split('.')) {
    const index = /^\[(-?\d+)\]$/.exec(part);
    if (index) {
      const i = Number(index[1]);
      node = Array.isArray(node)
        ? node[i < 0 ? node.length + i : i]
        : undefined;
    } else {
      node = node?.[part];
    }
  }
  return node;
}

/** A parameter that is a literal, a `$.` path, or `{ map, keyPath }`. */
function parameter(
  descriptor: IDescriptor,
  value: unknown,
  args: Record<string, unknown>,
  tx: IClearTransaction
): unknown {
  if (typeof value === 'string' && value.startsWith('$.')) {
    return resolve(descriptor, value, args, tx);
  }
  if (value && typeof value === 'object' && 'map' in value) {
    const { map, keyPath } = value as { map: string; keyPath: string };
    const table = resolve(descriptor, map, args, tx) as
      { values?: Record<string, unknown> } | undefined;
    const key = resolve(descriptor, keyPath, args, tx);
    return table?.values?.[String(key)];
  }
  return value;
}

function tokenOf(
  descriptor: IDescriptor,
  field: IDescriptorField,
  args: Record<string, unknown>,
  tx: IClearTransaction
): string | null {
  const params = field.params ?? {};
  const token = params.tokenPath
    ? resolve(descriptor, params.tokenPath, args, tx)
    : parameter(descriptor, params.token, args, tx);
  return typeof token === 'string' && /^0x[0-9a-fA-F]{40}$/.test(token)
    ? token
    : null;
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(text).join(', ');
  // Calldata strings are the caller's (a name to publish, a symbol): a bidi
  // override or a newline in one must not reorder or extend the intent.
  return visibleText(String(value));
}

function shown(field: IDescriptorField, value: unknown): boolean {
  const rule = field.visible;
  if (rule === undefined || rule === 'always' || rule === 'optional') {
    return true;
  }
  if (typeof rule === 'string') return rule !== 'never';
  if (rule.ifNotIn) return !rule.ifNotIn.map(String).includes(text(value));
  if (rule.mustBe) return false;
  return true;
}

function formatDate(seconds: bigint): string {
  const date = new Date(Number(seconds) * 1000);
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function formatDuration(seconds: bigint): string {
  let left = Number(seconds);
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60]
  ] as const) {
    if (left >= size) {
      parts.push(`${Math.floor(left / size)}${unit}`);
      left %= size;
    }
  }
  if (left || !parts.length) parts.push(`${left}s`);
  return parts.join(' ');
}

function formatField(
  descriptor: IDescriptor,
  field: IDescriptorField,
  value: unknown,
  args: Record<string, unknown>,
  tx: IClearTransaction,
  data: IDataProvider
): IRenderedField {
  const label = field.label ?? field.path ?? '';
  const params = field.params ?? {};
  switch (field.format) {
    case 'addressName': {
      const address = getAddress(text(value));
      const lower = address.toLowerCase();
      const token = data.tokens[lower];
      const name =
        data.addressNames?.[lower] ??
        (token && (params.types ?? []).includes('token')
          ? token.name || token.symbol
          : undefined);
      return { label, value: name ?? address, address };
    }
    case 'tokenAmount': {
      const amount = BigInt(text(value) || '0');
      if (
        params.threshold !== undefined &&
        amount >= BigInt(params.threshold)
      ) {
        return { label, value: String(params.message ?? 'unlimited') };
      }
      const token = tokenOf(descriptor, field, args, tx);
      const facts = token ? data.tokens[token.toLowerCase()] : undefined;
      if (!facts) {
        return {
          label,
          value: `${amount} (raw units of ${token ?? 'an unknown token'})`
        };
      }
      return {
        label,
        value: `${formatAmount(amount, facts.decimals)} ${facts.symbol}`
      };
    }
    case 'amount':
      return {
        label,
        value: `${formatAmount(BigInt(text(value) || '0'), 18)} ${data.nativeSymbol ?? 'ETH'}`
      };
    case 'unit': {
      const amount = formatAmount(
        BigInt(text(value) || '0'),
        Number(params.decimals ?? 0)
      );
      return { label, value: `${amount} ${params.base ?? ''}`.trim() };
    }
    case 'date':
      return { label, value: formatDate(BigInt(text(value) || '0')) };
    case 'duration':
      return { label, value: formatDuration(BigInt(text(value) || '0')) };
    case 'enum': {
      const table = resolve(descriptor, String(params.$ref ?? ''), args, tx) as
        Record<string, string> | undefined;
      return { label, value: table?.[text(value)] ?? text(value) };
    }
    default:
      return { label, value: text(value) };
  }
}

/**
 * The intent and fields `tx` shows under `descriptor`, or null when no
 * format of the descriptor matches its selector.
 */
export function renderTransaction(
  descriptor: IDescriptor,
  tx: IClearTransaction,
  data: IDataProvider
): IRendered | null {
  const match = matchFormat(descriptor, tx.data);
  if (!match) return null;
  const { format, args } = match;
  const fields: IRenderedField[] = [];
  const byPath = new Map<string, IRenderedField>();
  for (const field of flatFields(descriptor, format.fields)) {
    const value =
      field.value !== undefined
        ? field.value
        : resolve(descriptor, field.path ?? '', args, tx);
    const rendered = formatField(descriptor, field, value, args, tx, data);
    if (field.path) byPath.set(field.path, rendered);
    if (shown(field, value)) fields.push(rendered);
  }
  const intent =
    typeof format.intent === 'string'
      ? format.intent
      : Object.values(format.intent).join(' ');
  let interpolated: string | undefined;
  if (format.interpolatedIntent) {
    let complete = true;
    interpolated = format.interpolatedIntent.replace(
      /\{([^{}]+)\}/g,
      (_match, path: string) => {
        const field = byPath.get(path);
        if (field) return field.value;
        const value = resolve(descriptor, path, args, tx);
        if (value === undefined) complete = false;
        return text(value);
      }
    );
    // The spec: fall back to the intent when interpolation fails.
    if (!complete) interpolated = undefined;
  }
  return {
    intent,
    ...(interpolated !== undefined ? { interpolatedIntent: interpolated } : {}),
    ...(descriptor.metadata?.owner ? { owner: descriptor.metadata.owner } : {}),
    fields
  };
}

/** Merges an included interface file into a descriptor (the including one wins). */
export function mergeIncludes(
  descriptor: IDescriptor,
  included: IDescriptor
): IDescriptor {
  return {
    ...included,
    ...descriptor,
    metadata: { ...(included.metadata ?? {}), ...(descriptor.metadata ?? {}) },
    display: {
      definitions: {
        ...(included.display.definitions ?? {}),
        ...(descriptor.display.definitions ?? {})
      },
      formats: {
        ...included.display.formats,
        ...descriptor.display.formats
      }
    }
  };
}
