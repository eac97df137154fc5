import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { after, describe, it } from 'node:test';
import {
  loopbackWebSocketUrl,
  RpcReader,
  type WebSocketClass
} from './rpc-reader';

// Node 20 has no WebSocket of its own; `ws` (the library Hardhat serves
// JSON-RPC over WebSocket with) gives both ends, over real loopback sockets.
const ws = createRequire(import.meta.url)('ws') as {
  WebSocket: WebSocketClass;
  WebSocketServer: new (options: { server: Server }) => {
    on(
      event: 'connection',
      listener: (socket: {
        on(event: 'message', listener: (data: Buffer) => void): void;
        send(text: string): void;
        terminate(): void;
      }) => void
    ): void;
    close(): void;
  };
};

/**
 * A JSON-RPC endpoint on a free loopback port whose eth_blockNumber counts
 * up on every call, so a cached answer would show. With `webSocket`, it
 * also answers over WebSocket on the same port, as Hardhat and Anvil do.
 */
async function endpoint(options: { webSocket: boolean }) {
  const seen = { http: 0, ws: 0 };
  let block = 0;
  const answer = (text: string) => {
    const request = JSON.parse(text) as { id: number; method: string };
    return JSON.stringify(
      request.method === 'eth_blockNumber'
        ? {
            jsonrpc: '2.0',
            id: request.id,
            result: '0x' + (++block).toString(16)
          }
        : {
            jsonrpc: '2.0',
            id: request.id,
            error: { code: -32601, message: `no ${request.method}` }
          }
    );
  };
  const server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', chunk => (body += chunk));
    request.on('end', () => {
      if (request.method !== 'POST') {
        // A WebSocket handshake this server does not take up.
        response.statusCode = 400;
        response.end();
        return;
      }
      seen.http++;
      response.setHeader('Content-Type', 'application/json');
      response.end(answer(body));
    });
  });
  const sockets: { terminate(): void }[] = [];
  let wss: { close(): void } | null = null;
  if (options.webSocket) {
    const socketServer = new ws.WebSocketServer({ server });
    socketServer.on('connection', socket => {
      sockets.push(socket);
      socket.on('message', data => {
        seen.ws++;
        if (String(data).includes('"eth_dropMe"')) {
          // The chain goes away with this read unanswered.
          socket.terminate();
          return;
        }
        socket.send(answer(String(data)));
      });
    });
    wss = socketServer;
  }
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    /** Drops every open WebSocket, as a restarting chain would. */
    dropSockets: () => sockets.splice(0).forEach(s => s.terminate()),
    close: async () => {
      // Upgraded sockets keep the server open until they end.
      sockets.splice(0).forEach(s => s.terminate());
      wss?.close();
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    }
  };
}

describe('RpcReader', () => {
  const readers: RpcReader[] = [];
  const reader = () => {
    const r = new RpcReader({ webSocket: ws.WebSocket });
    readers.push(r);
    return r;
  };
  after(() => readers.forEach(r => r.dispose()));

  it('sends every read over one WebSocket to a loopback chain that has one', async () => {
    const chain = await endpoint({ webSocket: true });
    try {
      const r = reader();
      const results = [];
      for (let i = 0; i < 3; i++) {
        results.push((await r.read(chain.url, 'eth_blockNumber', [])).result);
      }
      assert.deepEqual(results, ['0x1', '0x2', '0x3']);
      assert.deepEqual(chain.seen, { http: 0, ws: 3 });
      // Concurrent reads are matched to their own answers.
      const both = await Promise.all([
        r.read(chain.url, 'eth_blockNumber', []),
        r.read(chain.url, 'eth_nope', [])
      ]);
      assert.equal(both[0].result, '0x4');
      assert.equal(both[1].error?.code, -32601);
    } finally {
      await chain.close();
    }
  });

  it('uses fetch where the endpoint has no WebSocket, and stops trying', async () => {
    const chain = await endpoint({ webSocket: false });
    try {
      const r = reader();
      assert.equal(
        (await r.read(chain.url, 'eth_blockNumber', [])).result,
        '0x1'
      );
      assert.equal(
        (await r.read(chain.url, 'eth_blockNumber', [])).result,
        '0x2'
      );
      assert.deepEqual(chain.seen, { http: 2, ws: 0 });
    } finally {
      await chain.close();
    }
  });

  it('sends a read again over fetch when the socket drops, then reconnects', async () => {
    const chain = await endpoint({ webSocket: true });
    try {
      const r = reader();
      assert.equal(
        (await r.read(chain.url, 'eth_blockNumber', [])).result,
        '0x1'
      );
      chain.dropSockets();
      // Wait for the drop to reach the reader, then read on.
      await new Promise(resolve => setTimeout(resolve, 50));
      assert.equal(
        (await r.read(chain.url, 'eth_blockNumber', [])).result,
        '0x2'
      );
      assert.equal(
        (await r.read(chain.url, 'eth_blockNumber', [])).result,
        '0x3'
      );
      assert.equal(chain.seen.http + chain.seen.ws, 3);
      assert.ok(chain.seen.ws >= 2, JSON.stringify(chain.seen));
    } finally {
      await chain.close();
    }
  });

  it('sends a read the drop caught again over fetch', async () => {
    const chain = await endpoint({ webSocket: true });
    try {
      const r = reader();
      assert.equal(
        (await r.read(chain.url, 'eth_blockNumber', [])).result,
        '0x1'
      );
      const caught = await r.read(chain.url, 'eth_dropMe', []);
      assert.equal(caught.error?.message, 'no eth_dropMe');
      assert.deepEqual(chain.seen, { http: 1, ws: 2 });
    } finally {
      await chain.close();
    }
  });

  it('throws when nothing listens', async () => {
    const chain = await endpoint({ webSocket: false });
    const url = chain.url;
    await chain.close();
    await assert.rejects(reader().read(url, 'eth_blockNumber', []));
  });
});

describe('loopbackWebSocketUrl', () => {
  it('maps loopback http(s) endpoints to ws(s) and leaves others alone', () => {
    assert.equal(
      loopbackWebSocketUrl('http://127.0.0.1:8545'),
      'ws://127.0.0.1:8545/'
    );
    assert.equal(
      loopbackWebSocketUrl('https://localhost:1/rpc'),
      'wss://localhost:1/rpc'
    );
    assert.equal(
      loopbackWebSocketUrl('http://[::1]:8545/'),
      'ws://[::1]:8545/'
    );
    assert.equal(loopbackWebSocketUrl('https://sepolia.infura.io/v3/x'), null);
    assert.equal(loopbackWebSocketUrl('http://10.0.0.1:8545'), null);
    assert.equal(loopbackWebSocketUrl('http://u:p@127.0.0.1:8545'), null);
    assert.equal(loopbackWebSocketUrl('not a url'), null);
  });
});
