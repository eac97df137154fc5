import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { publishRequestFromArgs } from './publish-commands';

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

describe('publish sources from notebooks', () => {
  const options = { description: 'd', author: 'a' };

  it('reads a workspace path through the reader, named after the file', async () => {
    const asked: string[] = [];
    const request = await publishRequestFromArgs(
      { _: ['data/rain.csv'], ...options, tags: 'weather, rain', price: '3' },
      {
        readFile: async path => {
          asked.push(path);
          return {
            bytes: new TextEncoder().encode('x\n1\n'),
            fileName: 'rain.csv',
            contentType: 'text/csv'
          };
        }
      }
    );
    assert.deepEqual(asked, ['data/rain.csv']);
    assert.equal(request.name, 'rain');
    assert.deepEqual(request.tags, ['weather', 'rain']);
    assert.deepEqual(request.pricing, { type: 'fixed', priceInOcean: '3' });
    assert.ok('bytes' in request.file);
    assert.equal(request.file.fileName, 'rain.csv');
    assert.equal(request.file.contentType, 'text/csv');
  });

  it('takes bytes (a DataFrame as CSV, Deno Uint8Array) and trusted algorithm DIDs', async () => {
    const trusted: string[] = [];
    const request = await publishRequestFromArgs(
      {
        _: [],
        ...options,
        name: 'Frame',
        data: new TextEncoder().encode('a\n1\n'),
        file_name: 'df.csv',
        access: 'compute',
        trusted: 'did:op:1,did:op:2'
      },
      {
        trust: async did => {
          trusted.push(did);
          return { did, filesChecksum: 'f', containerSectionChecksum: 'c' };
        }
      }
    );
    assert.deepEqual(trusted, ['did:op:1', 'did:op:2']);
    assert.equal(request.trustedAlgorithms!.length, 2);
    assert.ok('bytes' in request.file);
    assert.equal(request.file.fileName, 'df.csv');
    const deno = await publishRequestFromArgs({
      _: [new Uint8Array([1, 2])],
      ...options,
      name: 'Bytes',
      fileName: 'b.bin'
    });
    assert.ok('bytes' in deno.file);
    assert.deepEqual([...deno.file.bytes], [1, 2]);
  });

  it('says what to give when there is nothing to publish', async () => {
    await assert.rejects(
      publishRequestFromArgs({ _: [], ...options, name: 'x' }),
      /Say what to publish/
    );
    await assert.rejects(
      publishRequestFromArgs({ _: ['x.csv'], ...options }),
      /needs JupyterLab’s file access/
    );
  });
});
