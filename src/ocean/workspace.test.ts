import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Contents } from '@jupyterlab/services';
import { base64ToBytes } from '../base64';
import { readWorkspaceFile, writeWorkspaceFile } from './workspace';

/** The Contents API as the writer uses it: folders, files and chunked saves. */
function fakeContents() {
  const folders = new Set<string>(['']);
  const files = new Map<string, Uint8Array>();
  const saves: Array<{ path: string; chunk?: number }> = [];
  const contents = {
    async get(path: string) {
      if (folders.has(path)) {
        return { type: 'directory', name: path.split('/').pop() };
      }
      const file = files.get(path);
      if (!file) {
        throw new Error(`No such file: ${path}`);
      }
      return {
        type: 'file',
        name: path.split('/').pop(),
        format: 'base64',
        // Jupyter wraps base64 at 76 columns.
        content: Buffer.from(file).toString('base64').replace(/.{76}/g, '$&\n')
      };
    },
    async save(path: string, model: Partial<Contents.IModel>) {
      const chunk = (model as { chunk?: number }).chunk;
      saves.push({ path, chunk });
      if (model.type === 'directory') {
        folders.add(path);
        return;
      }
      const bytes = base64ToBytes(String(model.content));
      const before = chunk && chunk !== 1 ? files.get(path)! : new Uint8Array();
      const joined = new Uint8Array(before.length + bytes.length);
      joined.set(before);
      joined.set(bytes, before.length);
      files.set(path, joined);
    }
  };
  return {
    contents: contents as unknown as Contents.IManager,
    folders,
    files,
    saves
  };
}

describe('workspace files', () => {
  it('creates missing folders, then saves a small file at once', async () => {
    const fake = fakeContents();
    fake.folders.add('notebooks');
    await writeWorkspaceFile(
      fake.contents,
      'notebooks/ocean-data/x.csv',
      new TextEncoder().encode('a,b\n1,2\n')
    );
    assert.deepEqual(fake.saves, [
      { path: 'notebooks/ocean-data', chunk: undefined },
      { path: 'notebooks/ocean-data/x.csv', chunk: undefined }
    ]);
    const read = await readWorkspaceFile(
      fake.contents,
      'notebooks/ocean-data/x.csv'
    );
    assert.equal(new TextDecoder().decode(read.bytes), 'a,b\n1,2\n');
    assert.equal(read.contentType, 'text/csv');
  });

  it('saves a large file in numbered chunks, the last one -1', async () => {
    const fake = fakeContents();
    const size = 8 * 1024 * 1024 * 2 + 5;
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i += 4099) {
      bytes[i] = i % 251;
    }
    await writeWorkspaceFile(fake.contents, 'big.bin', bytes);
    assert.deepEqual(
      fake.saves.map(save => save.chunk),
      [1, 2, -1]
    );
    assert.deepEqual(fake.files.get('big.bin'), bytes);
  });
});
