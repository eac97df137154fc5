import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { LOCAL_NETWORK } from './networks';
import { probeNetwork } from './network-status';

/** A port on loopback that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return port;
}

describe('probeNetwork', () => {
  it('says which half is down, in words, when nothing answers', async () => {
    const port = await closedPort();
    const status = await probeNetwork({
      ...LOCAL_NETWORK,
      rpcUrl: `http://127.0.0.1:${port}`,
      nodeUrl: `http://127.0.0.1:${port}`
    });
    assert.equal(status.chain.reachable, false);
    assert.equal(status.node.reachable, false);
    if (!status.chain.reachable && !status.node.reachable) {
      assert.equal(status.chain.error.code, 'OCEAN_NETWORK_UNREACHABLE');
      assert.match(status.chain.error.message, /npm start/);
      assert.equal(status.node.error.code, 'OCEAN_NODE_UNREACHABLE');
    }
  });

  describe('against a server that is not an Ocean Node', () => {
    let server: http.Server;
    let url: string;
    before(async () => {
      // Answers every request with HTML, like a web server on the wrong port.
      server = http.createServer((_, res) => {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end('<html>hello</html>');
      });
      await new Promise<void>(resolve =>
        server.listen(0, '127.0.0.1', resolve)
      );
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => server.close());

    it('does not take an HTML page for a node or a chain', async () => {
      const status = await probeNetwork({
        ...LOCAL_NETWORK,
        rpcUrl: url,
        nodeUrl: url
      });
      assert.equal(status.chain.reachable, false);
      assert.equal(status.node.reachable, false);
    });
  });

  describe('against a node that rate-limits (429, as real nodes do)', () => {
    let server: http.Server;
    let url: string;
    let nodeAsked = 0;
    /** What GET / answers next: a 429 sentence, or the node's identity. */
    let answer: 'identity' | 'limit60' | 'limit1' = 'limit60';
    before(async () => {
      server = http.createServer((req, res) => {
        if (req.method === 'POST') {
          // The chain: answers eth_chainId and eth_blockNumber.
          let raw = '';
          req.on('data', chunk => (raw += chunk));
          req.on('end', () => {
            const { method, id } = JSON.parse(raw);
            const result =
              method === 'eth_chainId'
                ? '0x' + LOCAL_NETWORK.chainId.toString(16)
                : '0x2a';
            res.writeHead(200, { 'Content-Type': 'application/json' });
            res.end(JSON.stringify({ jsonrpc: '2.0', id, result }));
          });
          return;
        }
        nodeAsked++;
        if (answer === 'identity') {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(
            JSON.stringify({
              chainIds: [LOCAL_NETWORK.chainId],
              providerAddress: '0x' + '11'.repeat(20),
              serviceEndpoints: {},
              version: '3.0.6'
            })
          );
          return;
        }
        // Exactly what a real Ocean Node sends past its limit.
        res.writeHead(429, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end(
          `Rate limit exceeded. Try again in ${answer === 'limit1' ? 1 : 60} seconds.`
        );
      });
      await new Promise<void>(resolve =>
        server.listen(0, '127.0.0.1', resolve)
      );
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => server.close());

    it('reads a 429 as up-but-limiting, never as down, and says when it asks again', async () => {
      answer = 'limit60';
      const status = await probeNetwork({
        ...LOCAL_NETWORK,
        rpcUrl: url,
        nodeUrl: `${url}/`
      });
      assert.equal(status.chain.reachable, true);
      assert.equal(status.node.reachable, true, 'a 429 is not "down"');
      assert.ok(status.node.reachable && status.node.rateLimited);
      const limit = status.node.rateLimited;
      assert.match(limit.message, /is up, but it is limiting/);
      assert.match(
        limit.message,
        /before \d{1,2}:\d{2}:\d{2}.*\(in (59|60) s\)/
      );
      assert.ok(limit.until - Date.now() > 55_000);
      assert.ok(limit.until - Date.now() <= 60_000);
    });

    it('backs off: checks within the window do not ask the node again', async () => {
      const before = nodeAsked;
      for (let i = 0; i < 5; i++) {
        const status = await probeNetwork({
          ...LOCAL_NETWORK,
          rpcUrl: url,
          nodeUrl: url
        });
        assert.equal(status.node.reachable, true);
        assert.ok(status.node.reachable && status.node.rateLimited);
      }
      assert.equal(nodeAsked, before, 'the node was asked inside its window');
    });
  });

  describe('against a node whose window ends', () => {
    let server: http.Server;
    let url: string;
    let nodeAsked = 0;
    before(async () => {
      server = http.createServer((_, res) => {
        nodeAsked++;
        if (nodeAsked === 2) {
          res.writeHead(429, { 'Content-Type': 'text/html; charset=utf-8' });
          res.end('Rate limit exceeded. Try again in 1 seconds.');
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            chainIds: [LOCAL_NETWORK.chainId],
            providerAddress: '0x' + '22'.repeat(20),
            serviceEndpoints: {},
            version: '3.0.6'
          })
        );
      });
      await new Promise<void>(resolve =>
        server.listen(0, '127.0.0.1', resolve)
      );
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => server.close());

    it('keeps what the node said of itself while limited, and asks again after the window', async () => {
      const network = { ...LOCAL_NETWORK, nodeUrl: url };
      const first = await probeNetwork(network);
      assert.ok(first.node.reachable && !first.node.rateLimited);
      const limited = await probeNetwork(network);
      assert.ok(limited.node.reachable && limited.node.rateLimited);
      assert.equal(limited.node.version, '3.0.6');
      assert.deepEqual(limited.node.chainIds, [LOCAL_NETWORK.chainId]);
      assert.match(limited.node.rateLimited.message, /\(in 1 s\)/);
      await new Promise(resolve => setTimeout(resolve, 1100));
      const again = await probeNetwork(network);
      assert.ok(again.node.reachable && !again.node.rateLimited);
      assert.equal(nodeAsked, 3);
    });
  });
});
