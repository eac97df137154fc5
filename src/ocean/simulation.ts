/**
 * What a transaction would do, found out before anyone signs it.
 *
 * The wallet asks the connected chain to run the transaction without
 * keeping it, and reads from the run what the account gains and loses, which
 * contracts it reaches and, when it would fail, why. Three ways, best first:
 *   - `eth_simulateV1` (geth, Nethermind, Reth, Erigon and the big RPC
 *     providers): logs of every token transfer, native ones too;
 *   - `debug_traceCall` on the local chain (Hardhat's EDR has no
 *     eth_simulateV1 and only the step-by-step tracer): the calls and the
 *     Transfer events are read from the steps;
 *   - `eth_call` anywhere else: whether it would fail and why, but no
 *     balance changes, and the dialog says so.
 * A network that refuses all three is said to be unsimulated; it never
 * blocks signing on its own.
 */
import { AbiCoder, dataSlice, getAddress, toBeHex } from 'ethers';
import { postJsonRpc } from './chain';

/** The part of a JSON-RPC provider this needs (ethers' JsonRpcProvider). */
export interface IRpc {
  send(method: string, params: unknown[]): Promise<any>;
}

export interface ISimulatedCall {
  from: string;
  to: string | null;
  data: string;
  value: bigint;
  gas?: bigint;
}

export type SimulationMethod =
  'eth_simulateV1' | 'debug_traceCall' | 'eth_call';

/** One asset's change for the account: native coin, an ERC-20, or ERC-721 ids. */
export interface IBalanceChange {
  /** Token contract (checksummed); null for the chain's own coin. */
  token: string | null;
  standard: 'native' | 'erc20' | 'erc721';
  /** Net change in the token's smallest unit (ERC-721: tokens gained minus lost). */
  delta: bigint;
  /** ERC-721 ids that arrive (+) or leave (−). */
  tokenIds?: string[];
  /** Some transfer of this token had an amount the trace did not show. */
  partial?: boolean;
}

export interface ISimulation {
  /** success: it would go through; revert: it would fail; unavailable: nobody could tell. */
  outcome: 'success' | 'revert' | 'unavailable';
  method: SimulationMethod | null;
  /** The account's changes (gas aside); null when the method cannot see them. */
  changes: IBalanceChange[] | null;
  /** Contracts the transaction reaches, in order (null when not known). */
  touched: string[] | null;
  /** Why it would fail, in the contract's words when it gave any. */
  revertReason?: string;
  /** Why the simulation is missing or partial, in words. */
  note?: string;
}

/** keccak256("Transfer(address,address,uint256)"), ERC-20 and ERC-721 alike. */
export const TRANSFER_TOPIC =
  '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';
/** Where eth_simulateV1 puts native transfers when traceTransfers is on. */
export const NATIVE_TRANSFER_ADDRESS =
  '0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee';

const ERROR_STRING = '0x08c379a0';
const PANIC = '0x4e487b71';

const PANIC_WORDS: Record<number, string> = {
  0x01: 'an internal check failed (assert)',
  0x11: 'an arithmetic overflow or underflow',
  0x12: 'a division by zero',
  0x21: 'a value out of range for its type',
  0x31: 'pop from an empty list',
  0x32: 'an index out of bounds',
  0x41: 'out of memory'
};

/** The words a contract gave for failing, from its revert data. */
export function revertReason(data: string | null | undefined): string {
  if (!data || data === '0x') {
    return 'the contract stopped without giving a reason';
  }
  try {
    if (data.startsWith(ERROR_STRING)) {
      const [text] = AbiCoder.defaultAbiCoder().decode(
        ['string'],
        dataSlice(data, 4)
      );
      return String(text).slice(0, 300);
    }
    if (data.startsWith(PANIC)) {
      const [code] = AbiCoder.defaultAbiCoder().decode(
        ['uint256'],
        dataSlice(data, 4)
      );
      const words = PANIC_WORDS[Number(code)];
      return `the contract panicked: ${words ?? `code ${code}`}`;
    }
  } catch {
    // Malformed revert data: show the selector below.
  }
  return `the contract refused with error ${data.slice(0, 10)} (a custom error the wallet cannot name)`;
}

/** Which simulation a network supports, learnt once per RPC. */
const SUPPORT = new WeakMap<IRpc, Set<SimulationMethod>>();

function unsupported(error: unknown): boolean {
  const anyError = error as any;
  const code =
    anyError?.error?.code ?? anyError?.info?.error?.code ?? anyError?.code;
  const text = String(
    anyError?.error?.message ??
      anyError?.info?.error?.message ??
      anyError?.shortMessage ??
      anyError?.message ??
      ''
  );
  return (
    code === -32601 ||
    code === -32004 ||
    /not supported|not found|does not exist|not available|unsupported|only supports the default tracer/i.test(
      text
    )
  );
}

/** Revert data carried by a JSON-RPC error, wherever the client put it. */
function revertData(error: unknown): string | null {
  const anyError = error as any;
  for (const candidate of [
    anyError?.data,
    anyError?.error?.data,
    anyError?.info?.error?.data,
    anyError?.error?.data?.data,
    anyError?.info?.error?.data?.data
  ]) {
    if (typeof candidate === 'string' && /^0x[0-9a-f]*$/i.test(candidate)) {
      return candidate;
    }
  }
  return null;
}

function reverted(error: unknown): boolean {
  const anyError = error as any;
  const text = String(
    anyError?.info?.error?.message ??
      anyError?.error?.message ??
      anyError?.message ??
      ''
  );
  return (
    revertData(error) !== null ||
    anyError?.code === 'CALL_EXCEPTION' ||
    /revert|execution reverted|invalid opcode|out of gas/i.test(text)
  );
}

function rpcCall(call: ISimulatedCall): Record<string, string> {
  const out: Record<string, string> = { from: call.from, data: call.data };
  if (call.to) out.to = call.to;
  if (call.value > 0n) out.value = toBeHex(call.value);
  if (call.gas !== undefined) out.gas = toBeHex(call.gas);
  return out;
}

/**
 * Simulates `call` on `rpc`'s chain. `local` allows debug_traceCall (the
 * local Hardhat chain); elsewhere the step tracer's answer is too large to
 * ask for before every dialog.
 */
export async function simulateTransaction(
  rpc: IRpc,
  call: ISimulatedCall,
  options: { local?: boolean; only?: SimulationMethod } = {}
): Promise<ISimulation> {
  const known = SUPPORT.get(rpc) ?? new Set<SimulationMethod>();
  SUPPORT.set(rpc, known);
  const order: SimulationMethod[] = options.only
    ? [options.only]
    : options.local
      ? ['eth_simulateV1', 'debug_traceCall', 'eth_call']
      : ['eth_simulateV1', 'eth_call'];
  const refused: string[] = [];
  for (const method of order) {
    if (known.has(method)) {
      refused.push(method);
      continue;
    }
    try {
      switch (method) {
        case 'eth_simulateV1':
          return await viaSimulateV1(rpc, call);
        case 'debug_traceCall':
          return await viaTrace(rpc, call);
        case 'eth_call':
          return await viaCall(rpc, call);
      }
    } catch (error) {
      if (unsupported(error)) {
        known.add(method);
        refused.push(method);
        continue;
      }
      return {
        outcome: 'unavailable',
        method,
        changes: null,
        touched: null,
        note: `The network could not simulate this transaction (${method}: ${String(
          (error as Error)?.message ?? error
        ).slice(0, 160)}).`
      };
    }
  }
  return {
    outcome: 'unavailable',
    method: null,
    changes: null,
    touched: null,
    note: `This network's RPC simulates no transactions (it refused ${refused.join(', ')}): the wallet cannot show what this one would change.`
  };
}

async function viaCall(rpc: IRpc, call: ISimulatedCall): Promise<ISimulation> {
  const base = {
    method: 'eth_call' as const,
    changes: null,
    touched: null
  };
  try {
    await rpc.send('eth_call', [rpcCall(call), 'latest']);
    return {
      ...base,
      outcome: 'success',
      note: 'This network can only check that the transaction would go through (eth_call): it shows no balance changes.'
    };
  } catch (error) {
    if (unsupported(error)) throw error;
    if (!reverted(error)) throw error;
    return {
      ...base,
      outcome: 'revert',
      revertReason: revertReason(revertData(error))
    };
  }
}

interface ILog {
  address: string;
  topics: string[];
  /** 0x data, or null when the trace did not show it. */
  data: string | null;
}

/** The account's changes from Transfer logs (and native movements). */
export function balanceChanges(
  account: string,
  logs: ILog[],
  native: Array<{ from: string; to: string; value: bigint }> = []
): IBalanceChange[] {
  const me = account.toLowerCase();
  const byToken = new Map<string, IBalanceChange>();
  const entry = (
    token: string | null,
    standard: IBalanceChange['standard']
  ): IBalanceChange => {
    const key = token ? token.toLowerCase() : 'native';
    let change = byToken.get(key);
    if (!change) {
      change = {
        token: token ? getAddress(token) : null,
        standard,
        delta: 0n
      };
      byToken.set(key, change);
    }
    return change;
  };
  const topicAddress = (topic: string) => `0x${topic.slice(-40)}`.toLowerCase();
  for (const move of native) {
    const sign =
      (move.to.toLowerCase() === me ? 1n : 0n) -
      (move.from.toLowerCase() === me ? 1n : 0n);
    if (sign !== 0n) entry(null, 'native').delta += sign * move.value;
  }
  for (const log of logs) {
    if (log.topics[0]?.toLowerCase() !== TRANSFER_TOPIC) continue;
    if (log.address.toLowerCase() === NATIVE_TRANSFER_ADDRESS) {
      if (log.topics.length >= 3 && log.data) {
        const from = topicAddress(log.topics[1]);
        const to = topicAddress(log.topics[2]);
        const sign = (to === me ? 1n : 0n) - (from === me ? 1n : 0n);
        if (sign !== 0n) entry(null, 'native').delta += sign * BigInt(log.data);
      }
      continue;
    }
    if (log.topics.length === 3) {
      const from = topicAddress(log.topics[1]);
      const to = topicAddress(log.topics[2]);
      const sign = (to === me ? 1n : 0n) - (from === me ? 1n : 0n);
      if (sign === 0n) continue;
      const change = entry(log.address, 'erc20');
      if (log.data === null || log.data === '0x') {
        change.partial = true;
      } else {
        change.delta += sign * BigInt(log.data);
      }
    } else if (log.topics.length === 4) {
      const from = topicAddress(log.topics[1]);
      const to = topicAddress(log.topics[2]);
      const sign = (to === me ? 1n : 0n) - (from === me ? 1n : 0n);
      if (sign === 0n) continue;
      const change = entry(log.address, 'erc721');
      change.delta += sign;
      change.tokenIds = [
        ...(change.tokenIds ?? []),
        `${sign > 0n ? '+' : '−'}${BigInt(log.topics[3])}`
      ];
    }
  }
  return [...byToken.values()].filter(
    change => change.delta !== 0n || change.partial
  );
}

async function viaSimulateV1(
  rpc: IRpc,
  call: ISimulatedCall
): Promise<ISimulation> {
  const answer = await rpc.send('eth_simulateV1', [
    {
      blockStateCalls: [{ calls: [rpcCall(call)] }],
      traceTransfers: true,
      validation: false
    },
    'latest'
  ]);
  const result = answer?.[0]?.calls?.[0];
  if (!result) {
    throw new Error('eth_simulateV1 answered without a call result');
  }
  return simulateV1Result(call, result);
}

/** Reads one call result of eth_simulateV1 (exported for its unit test). */
export function simulateV1Result(
  call: ISimulatedCall,
  result: {
    status?: string;
    returnData?: string;
    logs?: Array<{ address: string; topics: string[]; data: string }>;
    error?: { message?: string; data?: string };
  }
): ISimulation {
  if (Number(result.status) !== 1) {
    return {
      outcome: 'revert',
      method: 'eth_simulateV1',
      changes: null,
      touched: null,
      revertReason: revertReason(result.error?.data ?? result.returnData)
    };
  }
  const logs = (result.logs ?? []).map(log => ({
    address: log.address,
    topics: log.topics,
    data: log.data
  }));
  const touched: string[] = [];
  const seen = new Set<string>();
  for (const address of [call.to, ...logs.map(log => log.address)]) {
    if (
      address &&
      address.toLowerCase() !== NATIVE_TRANSFER_ADDRESS &&
      !seen.has(address.toLowerCase())
    ) {
      seen.add(address.toLowerCase());
      touched.push(getAddress(address));
    }
  }
  return {
    outcome: 'success',
    method: 'eth_simulateV1',
    // Native transfers are among the logs (traceTransfers), the top-level
    // value included.
    changes: balanceChanges(call.from, logs),
    touched,
    note: 'Contracts shown are the ones that emitted events.'
  };
}

interface IStep {
  op: string;
  depth: number;
  stack?: string[];
}

/** The address a frame runs as: shared by a DELEGATECALL with its caller. */
interface IContext {
  address: string | null;
}

interface IFrame {
  context: IContext;
  kind: 'call' | 'create';
  logs: Array<{ context: IContext; topics: string[]; data: string | null }>;
  native: Array<{ from: IContext; to: IContext; value: bigint }>;
  /** Memory words written by MSTORE, by offset (what LOG data is read from). */
  memory: Map<number, string>;
}

const word = (hex: string | undefined): bigint => BigInt(`0x${hex || '0'}`);
const asAddress = (hex: string | undefined): string =>
  getAddress(`0x${(hex ?? '').padStart(64, '0').slice(-40)}`);
/** The n-th stack entry from the top (1 = top): struct logs list it last. */
const fromTop = (stack: string[] | undefined, n: number): string | undefined =>
  stack?.[stack.length - n];

function forget(memory: Map<number, string>, from: number, size: number) {
  for (const offset of [...memory.keys()]) {
    if (offset > from - 32 && offset < from + size) memory.delete(offset);
  }
}

async function viaTrace(rpc: IRpc, call: ISimulatedCall): Promise<ISimulation> {
  // Stack only: memory and storage would make the answer ten times larger
  // (a publish is 17,000 steps). LOG data is read from the MSTOREs instead.
  const params = [
    rpcCall(call),
    'latest',
    { disableStorage: true, disableMemory: true }
  ];
  // A buy's trace is 5 MB, a publish's 26 MB: read by the browser's own
  // JSON parser (postJsonRpc), not ethers', which takes seconds per MB.
  const url = (
    rpc as { _getConnection?: () => { url?: string } }
  )._getConnection?.().url;
  const trace =
    url && /^https?:\/\//.test(url)
      ? await postJsonRpc(url, 'debug_traceCall', params)
      : await rpc.send('debug_traceCall', params);
  return traceResult(call, trace);
}

/** Reads a default-tracer (struct log) answer (exported for its test). */
export function traceResult(
  call: ISimulatedCall,
  trace: { failed?: boolean; returnValue?: string; structLogs?: IStep[] }
): ISimulation {
  if (trace.failed) {
    const value = trace.returnValue ?? '';
    return {
      outcome: 'revert',
      method: 'debug_traceCall',
      changes: null,
      touched: call.to ? [getAddress(call.to)] : null,
      revertReason: revertReason(
        value ? (value.startsWith('0x') ? value : `0x${value}`) : null
      )
    };
  }
  const root: IFrame = {
    context: { address: call.to },
    kind: call.to ? 'call' : 'create',
    logs: [],
    native: [],
    memory: new Map()
  };
  const sender: IContext = { address: call.from };
  if (call.value > 0n) {
    root.native.push({ from: sender, to: root.context, value: call.value });
  }
  const frames: IFrame[] = [root];
  const touched: string[] = [];
  const seen = new Set<string>();
  const touch = (address: string | null) => {
    if (address && !seen.has(address.toLowerCase())) {
      seen.add(address.toLowerCase());
      touched.push(getAddress(address));
    }
  };
  touch(call.to);
  // A call or create whose first step (one level deeper) is the next step.
  let entering: {
    frame: IFrame;
    value: bigint;
    from: IContext;
  } | null = null;
  const steps = trace.structLogs ?? [];
  for (const step of steps) {
    // Back from one or more frames: the parent's first step after the call
    // carries the call's result on top of the stack.
    while (frames.length > step.depth && frames.length > 1) {
      const done = frames.pop()!;
      const parent = frames[frames.length - 1];
      const result = fromTop(step.stack, 1);
      let ok = word(result) !== 0n;
      if (done.kind === 'create') {
        done.context.address = ok ? asAddress(result) : null;
        touch(done.context.address);
      }
      if (frames.length > step.depth) {
        // Leaving two levels at once (a frame that ran out of gas): the
        // stack here is the outer parent's, so the inner result is unknown;
        // keep nothing of it.
        ok = false;
      }
      if (ok) {
        parent.logs.push(...done.logs);
        parent.native.push(...done.native);
      }
    }
    if (entering) {
      const { frame, value, from } = entering;
      entering = null;
      if (step.depth === frames.length + 1) {
        frames.push(frame);
        if (value > 0n) frame.native.push({ from, to: frame.context, value });
      } else if (value > 0n && word(fromTop(step.stack, 1)) !== 0n) {
        // A call to an address without code: it did not go a level deeper,
        // its success is already on the stack.
        frames[frames.length - 1].native.push({
          from,
          to: frame.context,
          value
        });
      }
    }
    const frame = frames[frames.length - 1];
    const stack = step.stack;
    switch (step.op) {
      case 'CALL':
      case 'CALLCODE': {
        const target = asAddress(fromTop(stack, 2));
        touch(target);
        entering = {
          frame: {
            context: step.op === 'CALL' ? { address: target } : frame.context,
            kind: 'call',
            logs: [],
            native: [],
            memory: new Map()
          },
          value: step.op === 'CALL' ? word(fromTop(stack, 3)) : 0n,
          from: frame.context
        };
        break;
      }
      case 'STATICCALL':
      case 'DELEGATECALL': {
        const target = asAddress(fromTop(stack, 2));
        touch(target);
        entering = {
          frame: {
            context:
              step.op === 'STATICCALL' ? { address: target } : frame.context,
            kind: 'call',
            logs: [],
            native: [],
            memory: new Map()
          },
          value: 0n,
          from: frame.context
        };
        break;
      }
      case 'CREATE':
      case 'CREATE2':
        entering = {
          frame: {
            context: { address: null },
            kind: 'create',
            logs: [],
            native: [],
            memory: new Map()
          },
          value: word(fromTop(stack, 1)),
          from: frame.context
        };
        break;
      case 'MSTORE': {
        const offset = Number(word(fromTop(stack, 1)));
        forget(frame.memory, offset, 32);
        frame.memory.set(offset, fromTop(stack, 2) ?? '0');
        break;
      }
      case 'MSTORE8':
        forget(frame.memory, Number(word(fromTop(stack, 1))), 1);
        break;
      case 'CALLDATACOPY':
      case 'CODECOPY':
      case 'RETURNDATACOPY':
      case 'MCOPY':
        forget(
          frame.memory,
          Number(word(fromTop(stack, 1))),
          Number(word(fromTop(stack, 3)))
        );
        break;
      case 'EXTCODECOPY':
        forget(
          frame.memory,
          Number(word(fromTop(stack, 2))),
          Number(word(fromTop(stack, 4)))
        );
        break;
      default:
        if (/^LOG[0-4]$/.test(step.op)) {
          const count = Number(step.op.slice(3));
          const offset = Number(word(fromTop(stack, 1)));
          const size = Number(word(fromTop(stack, 2)));
          const topics: string[] = [];
          for (let i = 0; i < count; i++) {
            topics.push(toBeHex(word(fromTop(stack, 3 + i)), 32));
          }
          const stored = frame.memory.get(offset);
          frame.logs.push({
            context: frame.context,
            topics,
            data:
              size === 0
                ? '0x'
                : size === 32 && stored !== undefined
                  ? toBeHex(word(stored), 32)
                  : null
          });
        }
    }
  }
  const logs: ILog[] = root.logs
    .filter(log => log.context.address)
    .map(log => ({
      address: log.context.address!,
      topics: log.topics,
      data: log.data
    }));
  const native = root.native
    .filter(move => move.from.address && move.to.address)
    .map(move => ({
      from: move.from.address!,
      to: move.to.address!,
      value: move.value
    }));
  return {
    outcome: 'success',
    method: 'debug_traceCall',
    changes: balanceChanges(call.from, logs, native),
    touched
  };
}

/** What a batch (wallet_sendCalls) would do, its calls in order. */
export interface IBatchSimulation extends ISimulation {
  /** The first call that would fail (from 0), when one would. */
  failedCall?: number;
  /** True when every call ran on the state the ones before it left. */
  chained: boolean;
}

/**
 * Simulates a batch sent one call after the other. eth_simulateV1 runs the
 * calls in one block, each on the state the ones before it left, so the
 * changes are the whole batch's. Elsewhere each call runs alone: a later
 * call that needs an earlier one (a buy after its approve) cannot be judged
 * alone, so only a failing first call counts as a failure, and the note
 * says which calls could not be simulated.
 */
export async function simulateCalls(
  rpc: IRpc,
  calls: ISimulatedCall[],
  options: { local?: boolean } = {}
): Promise<IBatchSimulation> {
  const known = SUPPORT.get(rpc);
  if (!known?.has('eth_simulateV1')) {
    try {
      const answer = await rpc.send('eth_simulateV1', [
        {
          blockStateCalls: [{ calls: calls.map(rpcCall) }],
          traceTransfers: true,
          validation: false
        },
        'latest'
      ]);
      const results: any[] = answer?.[0]?.calls ?? [];
      if (results.length === calls.length) {
        const each = results.map((result, i) =>
          simulateV1Result(calls[i], result)
        );
        const failed = each.findIndex(one => one.outcome === 'revert');
        if (failed >= 0) {
          return {
            ...each[failed],
            failedCall: failed,
            chained: true
          };
        }
        return {
          outcome: 'success',
          method: 'eth_simulateV1',
          chained: true,
          changes: merge(each.map(one => one.changes ?? [])),
          touched: [...new Set(each.flatMap(one => one.touched ?? []))]
        };
      }
    } catch (error) {
      if (unsupported(error)) {
        const set = SUPPORT.get(rpc) ?? new Set<SimulationMethod>();
        set.add('eth_simulateV1');
        SUPPORT.set(rpc, set);
      }
    }
  }
  const each: ISimulation[] = [];
  for (const call of calls) {
    each.push(await simulateTransaction(rpc, call, options));
  }
  if (each[0]?.outcome === 'revert') {
    return { ...each[0], failedCall: 0, chained: false };
  }
  const alone = each
    .map((one, i) => (i > 0 && one.outcome === 'revert' ? i + 1 : 0))
    .filter(Boolean);
  const seen = each.filter(one => one.outcome === 'success');
  return {
    outcome: seen.length ? 'success' : 'unavailable',
    method: each.find(one => one.method)?.method ?? null,
    chained: false,
    changes: seen.some(one => one.changes === null)
      ? null
      : merge(seen.map(one => one.changes ?? [])),
    touched: [...new Set(seen.flatMap(one => one.touched ?? []))],
    note:
      [
        ...new Set(each.map(one => one.note).filter(Boolean) as string[]),
        ...(alone.length
          ? [
              `This network simulates each call alone: call${alone.length > 1 ? 's' : ''} ${alone.join(', ')} need${alone.length > 1 ? '' : 's'} the earlier ones and could not be simulated, so the changes shown leave ${alone.length > 1 ? 'them' : 'it'} out.`
            ]
          : [])
      ].join(' ') || undefined
  };
}

/** Adds up balance changes of several calls, token by token. */
function merge(lists: IBalanceChange[][]): IBalanceChange[] {
  const byToken = new Map<string, IBalanceChange>();
  for (const change of lists.flat()) {
    const key = change.token ? change.token.toLowerCase() : 'native';
    const entry = byToken.get(key);
    if (!entry) {
      byToken.set(key, { ...change, tokenIds: change.tokenIds?.slice() });
      continue;
    }
    entry.delta += change.delta;
    entry.partial ||= change.partial;
    if (change.tokenIds) {
      entry.tokenIds = [...(entry.tokenIds ?? []), ...change.tokenIds];
    }
  }
  return [...byToken.values()].filter(
    change => change.delta !== 0n || change.partial
  );
}
