import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { OceanError } from '../errors';
import {
  BRIDGE_CHUNK_CHARS,
  BRIDGE_MAX_ERROR_DATA_CHARS,
  BRIDGE_MAX_MESSAGE_CHARS,
  BRIDGE_PREFIX,
  BRIDGE_PROTOCOL_VERSION,
  decodeValue,
  DIRECT_READ_FRESH_MS,
  DIRECT_READ_METHODS,
  encodeValue,
  errorData,
  formatReply,
  isBridgePrompt,
  parseKernelMessage,
  splitReply,
  SHOWN_ERROR_DETAILS,
  type BridgeReply
} from './protocol';
import { encodeResult, mimeResult, tableResult } from './results';
import { toBridgeError } from './session';

const read = (path: string) =>
  readFileSync(new URL(path, import.meta.url), 'utf8');

describe('bridge protocol', () => {
  it('accepts each well-formed kernel request', () => {
    for (const message of [
      { v: 1, id: '1-1', op: 'hello', kernel: 'python', client: '0.1.0' },
      { v: 1, id: '1-2', op: 'rpc', method: 'eth_chainId' },
      {
        v: 1,
        id: '1-3',
        op: 'rpc',
        method: 'eth_call',
        params: [{}, 'latest']
      },
      { v: 1, id: '1-4', op: 'command', name: 'sign', line: 'hello world' },
      { v: 1, id: '1-5', op: 'command', name: 'load', args: { _: ['x'] } },
      { v: 1, id: '1-6', op: 'wait' },
      { v: 1, id: '1-7', op: 'part', data: '{', last: false }
    ]) {
      const parsed = parseKernelMessage(JSON.stringify(message));
      assert.ok(parsed.ok, JSON.stringify(message));
    }
  });

  it('refuses malformed requests with a bridge error, never an exception', () => {
    const cases: Array<[string, RegExp]> = [
      ['not json', /not valid JSON/],
      ['[1,2]', /not a JSON object/],
      ['{"v":1,"op":"rpc","method":"x"}', /without a request id/],
      ['{"v":2,"id":"a","op":"rpc","method":"x"}', /protocol version 2/],
      ['{"v":1,"id":"a","op":"explode"}', /Unknown bridge operation/],
      ['{"v":1,"id":"a","op":"rpc"}', /needs a method/],
      [
        '{"v":1,"id":"a","op":"rpc","method":"x","params":7}',
        /array or an object/
      ],
      [
        '{"v":1,"id":"a","op":"command","name":"x","args":[1]}',
        /must be an object/
      ],
      ['{"v":1,"id":"a","op":"command","name":"x","line":3}', /must be text/],
      ['{"v":1,"id":"a","op":"part","data":1,"last":true}', /text data/],
      ['{"v":1,"id":"a","op":"hello","kernel":"r"}', /python or deno/]
    ];
    for (const [text, pattern] of cases) {
      const parsed = parseKernelMessage(text);
      assert.equal(parsed.ok, false, text);
      if (!parsed.ok) {
        assert.equal(parsed.error.code, 'OCEAN_BRIDGE_BAD_MESSAGE');
        assert.match(parsed.error.message, pattern);
      }
    }
    const huge = parseKernelMessage('x'.repeat(BRIDGE_MAX_MESSAGE_CHARS + 1));
    assert.equal(huge.ok, false);
    if (!huge.ok) assert.equal(huge.error.code, 'OCEAN_BRIDGE_TOO_LARGE');
  });

  it('survives random garbage (fuzz): every input yields ok or a coded error', () => {
    let seed = 42;
    const random = () =>
      (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pieces = [
      '{',
      '}',
      '"v":1',
      '"id":"x"',
      '"op":"rpc"',
      ',',
      ':',
      'null',
      '[',
      ']',
      '"method"',
      '1e999',
      '"\\u0000"'
    ];
    for (let i = 0; i < 2000; i++) {
      let text = '';
      const n = Math.floor(random() * 12);
      for (let j = 0; j < n; j++)
        text += pieces[Math.floor(random() * pieces.length)];
      const parsed = parseKernelMessage(text);
      if (!parsed.ok) assert.ok(parsed.error.code && parsed.error.message);
    }
  });

  it('splits long replies into parts that reassemble to the original', () => {
    const reply: BridgeReply = {
      v: BRIDGE_PROTOCOL_VERSION,
      id: '9-1',
      status: 'done',
      result: { kind: 'json', value: 'é'.repeat(2500) }
    };
    const parts = splitReply(reply, 1000);
    assert.ok(parts.length > 2);
    assert.ok(parts.every(p => p.status === 'part' && p.id === '9-1'));
    assert.deepEqual(
      parts.map(p => (p.status === 'part' ? p.last : null)),
      parts.map((_, i) => i === parts.length - 1)
    );
    const text = parts.map(p => (p.status === 'part' ? p.data : '')).join('');
    assert.deepEqual(JSON.parse(text), reply);
    assert.deepEqual(splitReply(reply), [reply]);
    assert.ok(formatReply(reply).startsWith(BRIDGE_PREFIX));
    assert.ok(isBridgePrompt(formatReply(reply)));
    assert.equal(isBridgePrompt('Your name? '), false);
  });

  it('round-trips binary values and encodes bigints and odd values', () => {
    const bytes = new Uint8Array(70_000).map((_, i) => i % 256);
    const encoded = encodeValue({
      file: bytes,
      n: 10n ** 20n,
      f: () => 1,
      u: undefined,
      list: [undefined, 1]
    });
    assert.deepEqual(Object.keys(encoded as object).sort(), [
      'file',
      'list',
      'n'
    ]);
    assert.equal((encoded as any).n, '100000000000000000000');
    assert.deepEqual((encoded as any).list, [null, 1]);
    const decoded = decodeValue(JSON.parse(JSON.stringify(encoded))) as any;
    assert.deepEqual(decoded.file, bytes);
  });

  it('tags rich and table results so kernels can make native values', () => {
    assert.deepEqual(encodeResult('0xabc'), { kind: 'json', value: '0xabc' });
    assert.deepEqual(encodeResult(undefined), { kind: 'json', value: null });
    const mime = encodeResult(
      mimeResult({ 'text/plain': 'hi' }, { value: { a: 1 } })
    );
    assert.deepEqual(mime, {
      kind: 'mime',
      data: { 'text/plain': 'hi' },
      metadata: undefined,
      value: { a: 1 }
    });
    const table = encodeResult(
      tableResult('csv', 'a,b\n1,2\n', { name: 'x.csv' })
    );
    assert.deepEqual(table, {
      kind: 'table',
      format: 'csv',
      data: 'a,b\n1,2\n',
      name: 'x.csv'
    });
  });

  it('kernel clients speak the same constants', () => {
    const python = read('./python/ocean_bridge.py');
    const deno = read('./deno/ocean_bridge.ts');
    assert.ok(python.includes(`PREFIX = "${BRIDGE_PREFIX}"`));
    assert.ok(deno.includes(`const PREFIX = '${BRIDGE_PREFIX}';`));
    assert.ok(python.includes(`PROTOCOL = ${BRIDGE_PROTOCOL_VERSION}\n`));
    assert.ok(deno.includes(`const PROTOCOL = ${BRIDGE_PROTOCOL_VERSION};`));
    assert.equal(BRIDGE_CHUNK_CHARS, 256 * 1024);
    assert.ok(python.includes('CHUNK_CHARS = 256 * 1024'));
    assert.ok(deno.includes('const CHUNK_CHARS = 256 * 1024;'));
  });

  it('kernel clients print the same error details', () => {
    const listed = (text: string, pattern: RegExp) =>
      [...(pattern.exec(text)?.[1] ?? '').matchAll(/['"](\w+)['"]/g)].map(
        match => match[1]
      );
    const python = read('./python/ocean_bridge.py');
    const deno = read('./deno/ocean_bridge.ts');
    assert.deepEqual(listed(python, /\nSHOWN_ERROR_DETAILS = \(([^)]*)\)/), [
      ...SHOWN_ERROR_DETAILS
    ]);
    assert.deepEqual(listed(deno, /const SHOWN_ERROR_DETAILS = \[([^\]]*)\]/), [
      ...SHOWN_ERROR_DETAILS
    ]);
  });

  it('kernel clients read the same methods directly', () => {
    const listed = (text: string, pattern: RegExp) =>
      [...(pattern.exec(text)?.[1] ?? '').matchAll(/['"](\w+)['"]/g)].map(
        match => match[1]
      );
    const python = read('./python/ocean_bridge.py');
    const deno = read('./deno/ocean_bridge.ts');
    assert.deepEqual(listed(python, /\nDIRECT_READ_METHODS = \(([^)]*)\)/), [
      ...DIRECT_READ_METHODS
    ]);
    assert.deepEqual(listed(deno, /const DIRECT_READ_METHODS = \[([^\]]*)\]/), [
      ...DIRECT_READ_METHODS
    ]);
    assert.ok(
      python.includes(`\nDIRECT_READ_FRESH_MS = ${DIRECT_READ_FRESH_MS}\n`)
    );
    assert.ok(
      deno.includes(`const DIRECT_READ_FRESH_MS = ${DIRECT_READ_FRESH_MS};`)
    );
  });

  it('sends an error’s details to the kernel as its data', () => {
    const error = new OceanError(
      'OCEAN_TX_REVERTED',
      'The chain rejected the transaction.',
      { txHash: '0xabc', cause: 'execution reverted', cost: 10n ** 18n }
    );
    assert.deepEqual(toBridgeError(error), {
      code: 'OCEAN_TX_REVERTED',
      message: 'The chain rejected the transaction.',
      data: {
        txHash: '0xabc',
        cause: 'execution reverted',
        cost: '1000000000000000000'
      }
    });
    // A refused RPC call's own data (revert bytes) is what EIP-1193 means.
    assert.deepEqual(
      toBridgeError({ code: 3, message: 'reverted', data: '0x08c379a0' }),
      { code: 3, message: 'reverted', data: '0x08c379a0' }
    );
    assert.deepEqual(toBridgeError(new OceanError(4001, 'No.')), {
      code: 4001,
      message: 'No.'
    });
    // Too much to send: the facts the kernels print survive, bounded.
    const huge = errorData({
      nodeMessage: 'n'.repeat(1000),
      status: 500,
      cause: 'x'.repeat(BRIDGE_MAX_ERROR_DATA_CHARS)
    });
    assert.deepEqual(huge, { nodeMessage: 'n'.repeat(300), status: 500 });
    assert.equal(errorData({ cause: 'x'.repeat(10_000) }), undefined);
  });
});
