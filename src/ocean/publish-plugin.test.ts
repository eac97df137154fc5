import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { publishRequestFromArgs } from './publish-plugin';

describe('publish arguments from kernels', () => {
  it('turns base64 bytes, a price and trusted algorithm code into a publish request', async () => {
    const code = 'console.log(1)';
    const request = await publishRequestFromArgs({
      name: 'Table',
      description: 'rows',
      author: 'me',
      license: 'CC-BY-4.0',
      data_base64: Buffer.from('a,b\n1,2\n').toString('base64'),
      file_name: 'table.csv',
      content_type: 'text/csv',
      price: 2,
      access: 'compute',
      trusted_algorithms: [{ did: 'did:op:' + 'a'.repeat(64), code }]
    });
    assert.deepEqual(request.pricing, { type: 'fixed', priceInOcean: '2' });
    assert.equal(request.access, 'compute');
    assert.ok('bytes' in request.file);
    assert.equal(new TextDecoder().decode(request.file.bytes), 'a,b\n1,2\n');
    const sha = (text: string) =>
      createHash('sha256').update(text).digest('hex');
    assert.equal(request.trustedAlgorithms![0].filesChecksum, sha(code));
    assert.equal(
      request.trustedAlgorithms![0].containerSectionChecksum,
      sha(`deno run $ALGO` + `sha256:${sha('deno@2.9.6')}`)
    );
  });

  it('is free without a price, and refuses a missing name', async () => {
    const base = {
      description: 'd',
      author: 'a',
      url: 'https://example.org/x.csv'
    };
    const request = await publishRequestFromArgs({ ...base, name: 'x' });
    assert.deepEqual(request.pricing, { type: 'free' });
    assert.deepEqual(request.file, { url: 'https://example.org/x.csv' });
    await assert.rejects(publishRequestFromArgs(base), /"name" is required/);
  });
});
