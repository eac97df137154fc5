/**
 * requestAuthToken against a small Ocean Node stand-in on 127.0.0.1: the
 * nonce it picks (skipping hashes with a leading zero byte, which real
 * nodes refuse), what is signed, and what is posted; and that its callers
 * (compute job reads, the kernels' `ocean.auth_token()`) go through it.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { verifyMessage, getBytes, Wallet } from 'ethers';
import { authTokenNonce, requestAuthToken, signerSign } from './auth-token';
import { createNodeToken } from '../commands/wallet-commands';
import type { IKernelCommandContext } from '../tokens';
import { NodeAuth } from './compute-auth';
import { NodeApi } from './node-api';
import { nodeRequestHash } from './wallet-decode';

const wallet = new Wallet(`0x${'11'.repeat(32)}`);

/** The first nonce whose createAuthToken hash for `account` starts with 0x00. */
function zeroByteNonce(account: string): bigint {
  for (let nonce = 1n; ; nonce++) {
    if (
      nodeRequestHash(account, nonce.toString(), 'createAuthToken').startsWith(
        '0x00'
      )
    )
      return nonce;
  }
}

/** A node stand-in whose last nonce is `last`; records each token request. */
async function fakeNode(last: bigint): Promise<{
  url: string;
  posts: Array<Record<string, unknown>>;
  server: Server;
}> {
  const posts: Array<Record<string, unknown>> = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', chunk => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://node');
      response.setHeader('Content-Type', 'application/json');
      if (url.pathname === '/') {
        response.end(
          JSON.stringify({
            chainIds: ['8996'],
            providerAddress: wallet.address,
            serviceEndpoints: {
              nonce: ['GET', '/api/services/nonce'],
              generateAuthToken: ['POST', '/api/services/auth/token']
            }
          })
        );
      } else if (url.pathname === '/api/services/nonce') {
        response.end(JSON.stringify({ nonce: last.toString() }));
      } else if (url.pathname === '/api/services/auth/token') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        posts.push(body);
        response.end(JSON.stringify({ token: `token-${body.nonce}` }));
      } else {
        response.statusCode = 404;
        response.end('{}');
      }
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, posts, server };
}

describe('requestAuthToken', () => {
  const zero = zeroByteNonce(wallet.address);
  let node: Awaited<ReturnType<typeof fakeNode>>;

  before(async () => {
    node = await fakeNode(zero - 1n);
  });
  after(() => node.server.close());

  test('skips a nonce whose signed hash starts with a zero byte', async () => {
    const expected = authTokenNonce(wallet.address, zero - 1n);
    assert.notEqual(expected, zero.toString());
    assert.ok(BigInt(expected) > zero);
    const hints: unknown[] = [];
    const { token, nonce } = await requestAuthToken(new NodeApi(node.url), {
      account: wallet.address,
      validUntil: 1_900_000_000_000,
      description: 'a test token',
      sign: (hash, hint) => {
        hints.push(hint);
        return wallet.signMessage(getBytes(hash));
      }
    });
    assert.equal(nonce, expected);
    assert.equal(token, `token-${expected}`);
    const posted = node.posts.at(-1)!;
    assert.equal(posted.nonce, expected);
    assert.equal(posted.address, wallet.address);
    assert.equal(posted.validUntil, 1_900_000_000_000);
    // The node checks the signature over the hash of the nonce it is sent.
    assert.equal(
      verifyMessage(
        getBytes(nodeRequestHash(wallet.address, expected, 'createAuthToken')),
        posted.signature as string
      ),
      wallet.address
    );
    assert.deepEqual(hints, [
      {
        command: 'createAuthToken',
        nonce: expected,
        description: 'a test token'
      }
    ]);
  });

  test('compute job reads (NodeAuth) go through it', async () => {
    const auth = new NodeAuth({ nodeUrl: node.url } as never, wallet, {
      label: 'auth-token test'
    });
    const expected = authTokenNonce(wallet.address, zero - 1n);
    assert.equal(await auth.token(), `token-${expected}`);
    assert.equal(node.posts.at(-1)!.nonce, expected);
  });

  test('the signer form shows the hint in the wallet dialog', async () => {
    const shown: unknown[] = [];
    const signer = {
      getAddress: () => wallet.getAddress(),
      signMessage: (message: Uint8Array | string) =>
        wallet.signMessage(message),
      withNodeRequest(hint: unknown) {
        shown.push(hint);
        return this;
      }
    };
    const hash = nodeRequestHash(wallet.address, '7', 'createAuthToken');
    const hint = { command: 'createAuthToken', nonce: '7', description: 'x' };
    const signature = await signerSign(signer)(hash, hint);
    assert.deepEqual(shown, [hint]);
    assert.equal(verifyMessage(getBytes(hash), signature), wallet.address);
  });

  test('the kernel token command (ocean.auth_token()) goes through it, described in the dialog', async () => {
    const requests: Array<{ method: string; params: unknown[] }> = [];
    const context = {
      requester: { label: 'Untitled.ipynb', kernelId: 'k1' },
      request: async (method: string, params: unknown[]) => {
        requests.push({ method, params });
        return wallet.signMessage(getBytes(params[0] as string));
      }
    } as unknown as IKernelCommandContext;
    const grant = await createNodeToken(node.url, wallet.address, 30, context);
    const expected = authTokenNonce(wallet.address, zero - 1n);
    assert.notEqual(expected, zero.toString());
    assert.equal(grant.token, `token-${expected}`);
    assert.equal(node.posts.at(-1)!.nonce, expected);
    assert.equal(requests.length, 1);
    const [hash, account, hint] = requests[0].params;
    assert.equal(requests[0].method, 'personal_sign');
    assert.equal(
      hash,
      nodeRequestHash(wallet.address, expected, 'createAuthToken')
    );
    assert.equal(account, wallet.address);
    assert.deepEqual(hint, {
      command: 'createAuthToken',
      nonce: expected,
      description: 'a 30-minute Ocean Node token for Untitled.ipynb'
    });
    assert.equal(
      verifyMessage(
        getBytes(hash as string),
        node.posts.at(-1)!.signature as string
      ),
      wallet.address
    );
  });
});
