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
import {
  AUTH_TOKEN_MINUTES,
  AUTH_TOKEN_RENEW_MARGIN_MS,
  AuthTokenCache,
  authTokenNonce,
  authTokens,
  requestAuthToken,
  signerSign
} from './auth-token';
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

describe('AuthTokenCache: one token per node and account until near its end', () => {
  const account = new Wallet(`0x${'22'.repeat(32)}`);
  const other = new Wallet(`0x${'33'.repeat(32)}`);
  let first: Awaited<ReturnType<typeof fakeNode>>;
  let second: Awaited<ReturnType<typeof fakeNode>>;

  before(async () => {
    first = await fakeNode(5n);
    second = await fakeNode(5n);
  });
  after(() => {
    first.server.close();
    second.server.close();
  });

  /** A cache on a clock the test moves, and a count of signatures per account. */
  function setUp() {
    let now = 1_800_000_000_000;
    const cache = new AuthTokenCache(() => now);
    const signed: string[] = [];
    const ask = (url: string, signer: Wallet, holder?: string) =>
      cache.token(new NodeApi(url), {
        account: signer.address,
        holder,
        describe: (_until, minutes) => `a ${minutes}-minute token`,
        sign: (hash, _hint) => {
          signed.push(signer.address);
          return signer.signMessage(getBytes(hash));
        }
      });
    return {
      cache,
      signed,
      ask,
      advance: (ms: number) => {
        now += ms;
      }
    };
  }

  test('a second request a minute later reuses the token: one signature', async () => {
    const { ask, signed, advance } = setUp();
    const one = await ask(first.url, account);
    advance(60_000);
    const two = await ask(`${first.url}/`, account);
    assert.equal(two.token, one.token);
    assert.equal(signed.length, 1);
    // The node was told when the token ends: 30 minutes after it was asked for.
    assert.equal(
      one.validUntil,
      1_800_000_000_000 + AUTH_TOKEN_MINUTES * 60_000
    );
    assert.equal(first.posts.at(-1)!.validUntil, one.validUntil);
  });

  test('parallel requests share one signature', async () => {
    const { ask, signed } = setUp();
    const [a, b, c] = await Promise.all([
      ask(first.url, account),
      ask(first.url, account),
      ask(first.url, account)
    ]);
    assert.equal(signed.length, 1);
    assert.equal(a.token, b.token);
    assert.equal(b.token, c.token);
  });

  test('another account or another node signs again', async () => {
    const { ask, signed } = setUp();
    await ask(first.url, account);
    await ask(first.url, other);
    await ask(second.url, account);
    assert.deepEqual(signed, [account.address, other.address, account.address]);
    // Each is then reused.
    await ask(first.url, other);
    await ask(second.url, account);
    assert.equal(signed.length, 3);
  });

  test('a token near or past its end is asked for again', async () => {
    const { ask, signed, advance, cache } = setUp();
    await ask(first.url, account);
    advance(AUTH_TOKEN_MINUTES * 60_000 - AUTH_TOKEN_RENEW_MARGIN_MS - 1);
    assert.equal(await cache.has(first.url, account.address), true);
    await ask(first.url, account);
    assert.equal(signed.length, 1);
    advance(2);
    assert.equal(await cache.has(first.url, account.address), false);
    await ask(first.url, account);
    assert.equal(signed.length, 2);
    assert.equal(await cache.has(first.url, account.address), true);
  });

  test('a forgotten (node-refused) or refused token is asked for again', async () => {
    const { ask, signed, cache } = setUp();
    const one = await ask(first.url, account);
    await cache.forget(first.url, account.address, one.token);
    await ask(first.url, account);
    assert.equal(signed.length, 2);
    const refusing = cache.token(new NodeApi(second.url), {
      account: account.address,
      describe: () => 'x',
      sign: () => Promise.reject(new Error('user rejected'))
    });
    await assert.rejects(refusing, /user rejected/);
    await ask(second.url, account);
    assert.equal(signed.length, 3);
  });

  test('a kernel gets a token of its own, never the page one', async () => {
    const { ask, signed } = setUp();
    await ask(first.url, account);
    await ask(first.url, account, 'kernel:k1');
    assert.equal(signed.length, 2);
    await ask(first.url, account, 'kernel:k1');
    await ask(first.url, account, 'kernel:k2');
    assert.equal(signed.length, 3);
  });

  test('compute views and downloads share the page token (NodeAuth of two askers)', async () => {
    const signer = new Wallet(`0x${'44'.repeat(32)}`);
    let signatures = 0;
    const counting = {
      getAddress: () => signer.getAddress(),
      signMessage: (message: Uint8Array | string) => {
        signatures++;
        return signer.signMessage(message);
      }
    };
    const network = { nodeUrl: first.url } as never;
    const view = new NodeAuth(network, counting, { label: 'Compute view' });
    const notebook = new NodeAuth(network, counting, {
      label: 'analysis.ipynb',
      kernelId: 'k9'
    });
    const token = await view.token();
    assert.equal(await notebook.token(), token);
    assert.equal(signatures, 1);
    assert.equal(await authTokens.has(first.url, signer.address), true);
  });
});
