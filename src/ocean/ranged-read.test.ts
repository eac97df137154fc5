import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { MAX_IGNORED_RANGE_SKIP, readRange } from './ranged-read';

const FILE_BYTES = 50 * 1024 * 1024;
const CHUNK = 64 * 1024;

/** Byte i of the generated file, so any slice can be checked. */
const byteAt = (i: number) => (i * 31 + 7) & 0xff;

/**
 * A file server like a real Ocean Node's download route: it ignores Range
 * and sends all 50 MB with 200, made on the fly, paced so that what it
 * managed to send is what the client chose to read (not socket buffers).
 */
async function wholeFileServer(): Promise<{
  url: string;
  sent: () => number;
  ranges: (string | undefined)[];
  close: () => Promise<void>;
}> {
  let sent = 0;
  const ranges: (string | undefined)[] = [];
  const server: Server = createServer((req, res) => {
    ranges.push(req.headers.range);
    res.writeHead(200, {
      'Content-Type': 'text/csv',
      'Content-Length': String(FILE_BYTES)
    });
    let offset = 0;
    const next = () => {
      if (res.destroyed || offset >= FILE_BYTES) {
        res.end();
        return;
      }
      const chunk = Buffer.alloc(CHUNK);
      for (let i = 0; i < CHUNK; i++) chunk[i] = byteAt(offset + i);
      offset += CHUNK;
      res.write(chunk, error => {
        if (!error) sent += CHUNK;
      });
      setTimeout(next, 2);
    };
    next();
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/services/download`,
    sent: () => sent,
    ranges,
    close: () =>
      new Promise(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
}

test('a 1 MB read from a node that ignores Range stops the transfer near 1 MB', async t => {
  const server = await wholeFileServer();
  try {
    const budget = 1024 * 1024;
    const result = await readRange(server.url, {}, 0, budget, undefined);
    assert.equal(result.bytes.length, budget);
    assert.equal(result.rangeIgnored, true);
    assert.equal(result.totalSize, FILE_BYTES);
    assert.equal(server.ranges[0], `bytes=0-${budget - 1}`);
    for (const i of [0, 1, 4095, budget - 1]) {
      assert.equal(result.bytes[i], byteAt(i));
    }
    // Let the server notice the dropped connection.
    await new Promise(resolve => setTimeout(resolve, 200));
    const sent = server.sent();
    t.diagnostic(`server sent ${sent} of ${FILE_BYTES} bytes`);
    assert.ok(sent <= 1.5 * 1024 * 1024, `server sent ${sent} bytes`);
  } finally {
    await server.close();
  }
});

test('a read starting past the skip limit is refused rather than downloading the file', async () => {
  const server = await wholeFileServer();
  try {
    await assert.rejects(
      readRange(server.url, {}, FILE_BYTES - 1000, FILE_BYTES, undefined),
      (error: any) =>
        error.code === 'OCEAN_DOWNLOAD_REFUSED' &&
        /ignores HTTP Range/.test(error.message)
    );
    await new Promise(resolve => setTimeout(resolve, 200));
    assert.ok(server.sent() <= 1.5 * 1024 * 1024);
  } finally {
    await server.close();
  }
});

test('a small offset on a node that ignores Range is skipped in the stream', async () => {
  const server = await wholeFileServer();
  try {
    const start = MAX_IGNORED_RANGE_SKIP / 4;
    const result = await readRange(
      server.url,
      {},
      start,
      start + 1000,
      undefined
    );
    assert.equal(result.bytes.length, 1000);
    assert.equal(result.bytes[0], byteAt(start));
    assert.equal(result.bytes[999], byteAt(start + 999));
  } finally {
    await server.close();
  }
});
