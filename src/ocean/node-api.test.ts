/**
 * The node routes every caller reaches through NodeApi (no URL is built by
 * hand elsewhere): what each request asks for, seen by a stand-in fetch.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NodeApi } from './node-api';

const DID = `did:op:${'ab'.repeat(32)}`;

function recordingNode() {
  const calls: Array<{ url: string; method: string; body?: unknown }> = [];
  const fetchImpl = (async (url: string, init: RequestInit = {}) => {
    calls.push({
      url,
      method: init.method ?? 'GET',
      body: typeof init.body === 'string' ? JSON.parse(init.body) : init.body
    });
    const path = new URL(url).pathname;
    if (path === '/') {
      return Response.json({
        chainIds: ['8996'],
        providerAddress: '0x0',
        // A node may list its routes elsewhere; the listed path wins.
        serviceEndpoints: { computeResult: ['GET', '/v2/computeResult'] }
      });
    }
    if (path.endsWith('/fileInfo')) {
      return Response.json([{ index: 0, checksum: 'c0ffee' }]);
    }
    return Response.json({ id: DID });
  }) as typeof fetch;
  return { calls, node: new NodeApi('http://node/', { fetchImpl }) };
}

describe('NodeApi routes', () => {
  it('reads a DDO as the node answers it', async () => {
    const { calls, node } = recordingNode();
    const response = await node.ddoResponse(DID);
    assert.equal(response.ok, true);
    assert.deepEqual(await response.json(), { id: DID });
    assert.equal(
      calls[0].url,
      `http://node/api/aquarius/assets/ddo/${encodeURIComponent(DID)}`
    );
  });

  it('asks for file checksums only when told to', async () => {
    const { calls, node } = recordingNode();
    await node.fileInfo(DID, 's1');
    const infos = await node.fileInfo(DID, 's1', { checksum: true });
    assert.deepEqual(infos, [{ index: 0, checksum: 'c0ffee' }]);
    const posts = calls.filter(call => call.method === 'POST');
    assert.deepEqual(
      posts.map(call => call.body),
      [
        { did: DID, serviceId: 's1' },
        { did: DID, serviceId: 's1', checksum: true }
      ]
    );
  });

  it('creates a bucket and uploads into it with the signed query', async () => {
    const { calls, node } = recordingNode();
    await node.createBucket({ consumerAddress: '0x1', nonce: '2' });
    await node.uploadToBucket(
      'b 1',
      'data.csv',
      { consumerAddress: '0x1', nonce: '3', signature: '0xs' },
      new Uint8Array([1, 2]),
      'text/csv'
    );
    assert.deepEqual(calls[0], {
      url: 'http://node/api/services/persistentStorage/buckets',
      method: 'POST',
      body: { consumerAddress: '0x1', nonce: '2' }
    });
    assert.equal(
      calls[1].url,
      'http://node/api/services/persistentStorage/buckets/b%201/files/data.csv?consumerAddress=0x1&nonce=3&signature=0xs'
    );
  });

  it('finds compute routes in the node’s list, else at their defaults', async () => {
    const { node } = recordingNode();
    assert.equal(
      await node.computeLogsPath('job 1'),
      '/api/services/computeStreamableLogs?jobId=job%201'
    );
    assert.equal(
      await node.computeResultPath('0xA', 'job', 2),
      '/v2/computeResult?consumerAddress=0xA&jobId=job&index=2'
    );
  });
});
