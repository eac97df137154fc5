/**
 * The kernel bridge protocol: every message that crosses between a kernel
 * and the browser, in one place.
 *
 * The kernel-side clients (python/ocean_bridge.py, deno/ocean_bridge.ts)
 * cannot import this file, so they restate these shapes; the constants below
 * are repeated there verbatim and a unit test checks they still agree.
 *
 * Transport: a kernel request travels as the `prompt` of a stdin
 * `input_request` (Python `kernel.raw_input`, Deno `prompt()`), prefixed by
 * BRIDGE_PREFIX; the browser answers with the `value` of the `input_reply`,
 * prefixed the same way. Why stdin is explained in transport.ts.
 */

import { base64ToBytes, bytesToBase64 } from '../base64';

/** `{"$bytes": …}` is base64 as src/base64.ts writes it. */
export { base64ToBytes, bytesToBase64 };

/** Bumped when a message changes shape; both sides refuse other versions. */
export const BRIDGE_PROTOCOL_VERSION = 1;

/** Marks a stdin prompt (and its answer) as a bridge message, not a question to a person. */
export const BRIDGE_PREFIX = 'jupyterlab-ocean-bridge/1:';

/**
 * Longest message text sent in one stdin message. Longer requests and
 * replies travel in parts, so a large payload (a dataset to publish, a file
 * loaded into a data frame) never hits a websocket or zmq frame limit.
 */
export const BRIDGE_CHUNK_CHARS = 256 * 1024;

/** The most a whole (reassembled) message may weigh; larger ones are refused. */
export const BRIDGE_MAX_MESSAGE_CHARS = 64 * 1024 * 1024;

/**
 * The live wallet widget (`%ocean wallet`, `ocean.wallet()`): a Jupyter
 * widget model the kernel opens on the `jupyter.widget` comm target,
 * protocol 2.1. The browser sends the kernel the whole initial state, so
 * these names live only here.
 */
export const WALLET_WIDGET = {
  module: 'jupyterlab-ocean',
  version: '0.1.0',
  range: '^0.1.0',
  model: 'OceanWalletModel',
  view: 'OceanWalletView'
} as const;

/** Identifies one kernel request; unique within one kernel process. */
export type BridgeRequestId = string;

/** JSON-RPC params as EIP-1193 allows them. */
export type RpcParams = ReadonlyArray<unknown> | Record<string, unknown>;

interface IKernelMessageBase {
  v: typeof BRIDGE_PROTOCOL_VERSION;
  id: BridgeRequestId;
}

/** First message of a kernel client: says who it is, gets the wallet state. */
export interface IHelloRequest extends IKernelMessageBase {
  op: 'hello';
  kernel: 'python' | 'deno';
  /** The client's version string. */
  client: string;
}

/** An EIP-1193 request. */
export interface IRpcRequest extends IKernelMessageBase {
  op: 'rpc';
  method: string;
  params?: RpcParams;
}

/**
 * A registered command. Python magics send the raw `line` (the browser
 * parses it, see args.ts, so both kernels share one parser); function calls
 * send `args` already structured. Binary values are encoded, see EncodedBytes.
 */
export interface ICommandRequest extends IKernelMessageBase {
  op: 'command';
  name: string;
  args?: Record<string, unknown>;
  line?: string;
  /** The body of a `%%ocean` cell magic. */
  body?: string;
}

/** Long poll: keep waiting for request `id` (sent after each progress reply). */
export interface IWaitRequest extends IKernelMessageBase {
  op: 'wait';
}

/** Ask for the next part of a reply that came in parts. */
export interface IMoreRequest extends IKernelMessageBase {
  op: 'more';
}

/** One part of a request too long for one stdin message. */
export interface IPartRequest extends IKernelMessageBase {
  op: 'part';
  data: string;
  last: boolean;
}

export type KernelRequest =
  | IHelloRequest
  | IRpcRequest
  | ICommandRequest
  | IWaitRequest
  | IMoreRequest
  | IPartRequest;

/**
 * What the kernel may know of the wallet (EIP-1193's view of a dapp):
 * `accounts` is empty until this kernel session was granted accounts.
 */
export interface IKernelWalletState {
  accounts: string[];
  /** Hex chain id, as `eth_chainId` and `chainChanged` give it. */
  chainId: string;
  status: 'none' | 'locked' | 'unlocked';
  /**
   * The active network's JSON-RPC URL, given only where the kernel may send
   * DIRECT_READ_METHODS there itself (see KernelBridge.sharedRpcUrl): the
   * page would read from it too and it is on loopback. Absent: every
   * request goes through the page.
   */
  rpcUrl?: string;
}

/**
 * Chain reads a kernel sends straight to `IKernelWalletState.rpcUrl` when
 * the page shares it: public chain data that needs no account and no
 * signature, so the wallet has nothing to approve and the page nothing to
 * add. Why: a stdin round trip through the lab server and the page costs
 * 1.5 to 2 ms (bench:bridge) and a notebook's traffic is mostly reads.
 * Signatures, transactions, accounts and wallet_* always go to the page.
 * eth_chainId is answered from the state the page sent, after the kernel
 * checked once that the URL serves that chain. Both kernel clients list the
 * same methods (protocol.test.ts).
 */
/**
 * How long a kernel reads directly on the page's last word (a reply, a
 * pushed state, or, in Python, the start of a cell, before which every
 * pushed state has arrived). Past it, the next read goes through the page,
 * whose reply brings the current state: a network switched in the panel
 * while a cell runs reaches that cell's reads within this time, not only
 * at its next signature.
 */
export const DIRECT_READ_FRESH_MS = 2000;

export const DIRECT_READ_METHODS = [
  'eth_blockNumber',
  'eth_call',
  'eth_chainId',
  'eth_estimateGas',
  'eth_feeHistory',
  'eth_gasPrice',
  'eth_getBalance',
  'eth_getBlockByHash',
  'eth_getBlockByNumber',
  'eth_getCode',
  'eth_getLogs',
  'eth_getStorageAt',
  'eth_getTransactionByHash',
  'eth_getTransactionCount',
  'eth_getTransactionReceipt',
  'eth_maxPriorityFeePerGas',
  'net_version'
] as const;

/**
 * An error as the kernel raises it: EIP-1193 code or an OCEAN_* code, and a
 * sentence. `data` is EIP-1193's: the chain's error data for a refused RPC
 * call, else the facts the browser's error carried (OceanError.details,
 * made JSON by errorData).
 */
export interface IBridgeError {
  code: number | string;
  message: string;
  data?: unknown;
}

/** The most characters of error data sent with an error (facts, not payloads). */
export const BRIDGE_MAX_ERROR_DATA_CHARS = 4000;

/**
 * The facts of `error.data` both kernels print under the sentence, in this
 * order, where present: what a person can look up or quote (a transaction,
 * the node's own code and words, a status, an asset, what was expected and
 * found). The rest (raw causes, amounts in wei) stays in `data` for code.
 */
export const SHOWN_ERROR_DETAILS = [
  'txHash',
  'nodeCode',
  'nodeMessage',
  'status',
  'did',
  'expected',
  'actual'
] as const;

/** An error's details as a kernel may receive them: JSON, bounded, or nothing. */
export function errorData(details: unknown): unknown {
  if (details === undefined || details === null) {
    return undefined;
  }
  const encoded = encodeValue(details);
  const text = JSON.stringify(encoded);
  if (text === undefined || text.length <= BRIDGE_MAX_ERROR_DATA_CHARS) {
    return encoded;
  }
  // Too much to send whole: keep the facts the kernels show.
  const shown: Record<string, unknown> = {};
  if (encoded && typeof encoded === 'object' && !Array.isArray(encoded)) {
    for (const key of SHOWN_ERROR_DETAILS) {
      const value = (encoded as Record<string, unknown>)[key];
      if (value !== undefined) {
        shown[key] = typeof value === 'string' ? value.slice(0, 300) : value;
      }
    }
  }
  return Object.keys(shown).length ? shown : undefined;
}

/** Binary data inside any JSON value: `{"$bytes": "<base64>"}`. */
export interface IEncodedBytes {
  $bytes: string;
}

/**
 * A command or RPC result, tagged so each kernel can turn it into the
 * native thing: `json` a plain value; `mime` a rich display (Python
 * `_repr_mimebundle_`, Deno `Symbol.for('Jupyter.display')`) that still
 * carries `value`; `table` a data frame where pandas is importable.
 */
export type EncodedResult =
  | { kind: 'json'; value: unknown }
  | {
      kind: 'mime';
      data: Record<string, unknown>;
      metadata?: Record<string, unknown>;
      value?: unknown;
    }
  | {
      kind: 'table';
      /** `records`: `data` is an array of row objects; `csv`: text; `parquet`: EncodedBytes. */
      format: 'records' | 'csv' | 'parquet';
      data: unknown;
      /** Display name, e.g. the dataset's file name. */
      name?: string;
      /**
       * `dataset`: the caller asked for a Hugging Face `datasets.Dataset`
       * (`%ocean load <did> --dataset`); Python converts where the library is
       * installed and says how to install it otherwise.
       */
      as?: 'dataset';
      /** With `as: 'dataset'`: what the Dataset's `info` carries. */
      info?: IDatasetInfo;
    }
  | {
      /**
       * Files of a multi-file asset (`%ocean load`): all of them (Python a
       * dict keyed by file name, Deno an object; `as: 'dataset'` a Hugging
       * Face Dataset with an Image column for an image set), or the one that
       * `chosen` names, with a line saying which file of how many it is.
       */
      kind: 'files';
      did: string;
      /** How many files the asset has. */
      count: number;
      /** The file index the caller asked for (`--file N`); absent: all of them. */
      chosen?: number;
      files: ReadonlyArray<IEncodedFile>;
      as?: 'dataset';
    };

/** One loaded file of a `files` result. */
export interface IEncodedFile {
  index: number;
  /** The file's name (the key in Python's dict and Deno's object). */
  name: string;
  /** Where it is saved, relative to the notebook. */
  path: string;
  /** `image`, `csv`, … as the preview detects it; null when unknown. */
  format: string | null;
  result: EncodedResult;
}

/**
 * A Hugging Face `datasets.DatasetInfo`'s fields from the asset's DDO, and
 * the notebook's lineage entry for the load (`ocean_provenance`, JSON), so
 * a Dataset says where it came from wherever it goes.
 */
export interface IDatasetInfo {
  description?: string;
  license?: string;
  citation?: string;
  homepage?: string;
  provenance?: unknown;
}

interface IReplyBase {
  v: typeof BRIDGE_PROTOCOL_VERSION;
  id: BridgeRequestId;
  /** The wallet as this kernel may see it; the client raises events when it changes. */
  state?: IKernelWalletState;
}

export interface IDoneReply extends IReplyBase {
  status: 'done';
  result: EncodedResult;
}

export interface IErrorReply extends IReplyBase {
  status: 'error';
  error: IBridgeError;
}

/** Progress of a long request; the kernel shows it in the cell, then sends `wait`. */
export interface IProgressReply extends IReplyBase {
  status: 'progress';
  message: string;
  fraction?: number;
}

/** One part of a long reply; the kernel sends `more` until `last`. */
export interface IPartReply extends IReplyBase {
  status: 'part';
  data: string;
  last: boolean;
}

/** A request part was received; send the next one. */
export interface IAckReply extends IReplyBase {
  status: 'ack';
}

export type BridgeReply =
  IDoneReply | IErrorReply | IProgressReply | IPartReply | IAckReply;

/** EIP-1193 provider error codes used across the bridge. */
export const EIP1193 = {
  userRejected: 4001,
  unauthorized: 4100,
  unsupportedMethod: 4200,
  disconnected: 4900,
  chainDisconnected: 4901
} as const;

/** Bridge-specific error codes (strings, never clashing with EIP-1193 numbers). */
export const BRIDGE_ERRORS = {
  badMessage: 'OCEAN_BRIDGE_BAD_MESSAGE',
  tooLarge: 'OCEAN_BRIDGE_TOO_LARGE',
  throttled: 'OCEAN_BRIDGE_THROTTLED',
  unknownCommand: 'OCEAN_BRIDGE_UNKNOWN_COMMAND',
  badArguments: 'OCEAN_BRIDGE_BAD_ARGUMENTS',
  cancelled: 'OCEAN_BRIDGE_CANCELLED',
  commandFailed: 'OCEAN_BRIDGE_COMMAND_FAILED'
} as const;

/** True when a stdin prompt is a bridge message. */
export function isBridgePrompt(prompt: unknown): prompt is string {
  return typeof prompt === 'string' && prompt.startsWith(BRIDGE_PREFIX);
}

/** The outcome of reading one kernel message: the message or a reason it is unusable. */
export type ParsedKernelMessage =
  | { ok: true; message: KernelRequest }
  | { ok: false; id: BridgeRequestId; error: IBridgeError };

const OPS = new Set(['hello', 'rpc', 'command', 'wait', 'more', 'part']);

/**
 * Reads and validates one kernel message (the prompt without its prefix).
 * Never throws: malformed input yields an error the kernel can be told about,
 * so a broken or hostile client gets an answer instead of hanging the cell.
 */
export function parseKernelMessage(text: string): ParsedKernelMessage {
  const bad = (
    message: string,
    id: BridgeRequestId = ''
  ): ParsedKernelMessage => ({
    ok: false,
    id,
    error: { code: BRIDGE_ERRORS.badMessage, message }
  });
  if (text.length > BRIDGE_MAX_MESSAGE_CHARS) {
    return {
      ok: false,
      id: '',
      error: {
        code: BRIDGE_ERRORS.tooLarge,
        message: `The kernel sent ${text.length} characters in one request; the bridge accepts at most ${BRIDGE_MAX_MESSAGE_CHARS}.`
      }
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return bad('The kernel sent a bridge message that is not valid JSON.');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return bad('The kernel sent a bridge message that is not a JSON object.');
  }
  const message = value as Record<string, unknown>;
  const id =
    typeof message.id === 'string' && message.id.length <= 200
      ? message.id
      : '';
  if (!id) {
    return bad('The kernel sent a bridge message without a request id.');
  }
  if (message.v !== BRIDGE_PROTOCOL_VERSION) {
    return bad(
      `The kernel's bridge client speaks protocol version ${String(message.v)}, the browser speaks ${BRIDGE_PROTOCOL_VERSION}: restart the kernel so the browser can send it the matching client.`,
      id
    );
  }
  if (typeof message.op !== 'string' || !OPS.has(message.op)) {
    return bad(`Unknown bridge operation ${JSON.stringify(message.op)}.`, id);
  }
  switch (message.op) {
    case 'rpc':
      if (typeof message.method !== 'string' || !message.method) {
        return bad('An RPC request needs a method name.', id);
      }
      if (
        message.params !== undefined &&
        (message.params === null || typeof message.params !== 'object')
      ) {
        return bad('RPC params must be an array or an object.', id);
      }
      break;
    case 'command':
      if (typeof message.name !== 'string' || !message.name) {
        return bad('A command request needs a command name.', id);
      }
      if (
        message.args !== undefined &&
        (message.args === null ||
          typeof message.args !== 'object' ||
          Array.isArray(message.args))
      ) {
        return bad('Command arguments must be an object.', id);
      }
      if (message.line !== undefined && typeof message.line !== 'string') {
        return bad('A command line must be text.', id);
      }
      if (message.body !== undefined && typeof message.body !== 'string') {
        return bad('A cell body must be text.', id);
      }
      break;
    case 'part':
      if (
        typeof message.data !== 'string' ||
        typeof message.last !== 'boolean'
      ) {
        return bad('A request part needs text data and a last flag.', id);
      }
      break;
    case 'hello':
      if (message.kernel !== 'python' && message.kernel !== 'deno') {
        return bad('Hello must say whether the kernel is python or deno.', id);
      }
      break;
  }
  return { ok: true, message: message as unknown as KernelRequest };
}

/** The text of an input_reply carrying `reply`. */
export function formatReply(reply: BridgeReply): string {
  return BRIDGE_PREFIX + JSON.stringify(reply);
}

/**
 * Splits a long reply into `part` replies of at most BRIDGE_CHUNK_CHARS of
 * data each; a reply that fits is returned alone, untouched.
 */
export function splitReply(
  reply: BridgeReply,
  chunkChars = BRIDGE_CHUNK_CHARS
): BridgeReply[] {
  const text = JSON.stringify(reply);
  if (text.length <= chunkChars) {
    return [reply];
  }
  const parts: BridgeReply[] = [];
  for (let start = 0; start < text.length; start += chunkChars) {
    parts.push({
      v: BRIDGE_PROTOCOL_VERSION,
      id: reply.id,
      status: 'part',
      data: text.slice(start, start + chunkChars),
      last: start + chunkChars >= text.length
    });
  }
  return parts;
}

function isEncodedBytes(value: unknown): value is IEncodedBytes {
  return (
    !!value &&
    typeof value === 'object' &&
    typeof (value as IEncodedBytes).$bytes === 'string' &&
    Object.keys(value).length === 1
  );
}

/** Turns `{"$bytes": …}` from a kernel into Uint8Array, deeply. */
export function decodeValue(value: unknown): unknown {
  if (isEncodedBytes(value)) {
    return base64ToBytes(value.$bytes);
  }
  if (Array.isArray(value)) {
    return value.map(decodeValue);
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = decodeValue(item);
    }
    return out;
  }
  return value;
}

/**
 * Makes a value safe to send to a kernel: binary becomes `{"$bytes": …}`,
 * bigint becomes a decimal string, functions and undefined are dropped.
 */
export function encodeValue(value: unknown): unknown {
  if (value instanceof Uint8Array) {
    return { $bytes: bytesToBase64(value) };
  }
  if (value instanceof ArrayBuffer) {
    return { $bytes: bytesToBase64(new Uint8Array(value)) };
  }
  if (typeof value === 'bigint') {
    return value.toString();
  }
  if (Array.isArray(value)) {
    return value.map(item => {
      const encoded = encodeValue(item);
      return encoded === undefined ? null : encoded;
    });
  }
  if (value && typeof value === 'object') {
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
      return encodeValue((value as { toJSON(): unknown }).toJSON());
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const encoded = encodeValue(item);
      if (encoded !== undefined) {
        out[key] = encoded;
      }
    }
    return out;
  }
  if (typeof value === 'function' || typeof value === 'symbol') {
    return undefined;
  }
  return value;
}
