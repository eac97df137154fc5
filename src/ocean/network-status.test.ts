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
});
