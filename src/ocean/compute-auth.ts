/**
 * Ocean Node auth tokens for reading compute jobs. Without one, every live-log stream and
 * every result file of a job is a signed request, so a job would open one wallet dialog per
 * fetch. With one, the person signs once: the dialog says what the token allows and until when.
 *
 * The token is the page's shared one for the node and account (authTokens in auth-token.ts:
 * downloads use the same), kept in this page's memory only (never sent to a kernel), reused
 * until a minute before it expires, and asked for again when the node says it has expired or
 * was invalidated.
 */
import type { IOceanNetwork, IWalletRequester } from '../tokens';
import {
  AUTH_TOKEN_MINUTES,
  authTokens,
  pageTokenDescription,
  signerSign,
  type INodeRequestSigner
} from './auth-token';
import { NodeApi } from './node-api';

/** How long a token lives; the node is told, and this page forgets it then too. */
export const COMPUTE_TOKEN_MINUTES = AUTH_TOKEN_MINUTES;

export class NodeAuth {
  private readonly _node: NodeApi;
  private readonly _signer: INodeRequestSigner;

  /** `signer`: what IWallet.getSigner gave for `asker` (the dialog names it). */
  constructor(
    readonly network: IOceanNetwork,
    signer: unknown,
    _asker: Pick<IWalletRequester, 'label' | 'kernelId'>
  ) {
    this._node = new NodeApi(network.nodeUrl);
    this._signer = signer as INodeRequestSigner;
  }

  get node(): NodeApi {
    return this._node;
  }

  account(): Promise<string> {
    return this._signer.getAddress();
  }

  /** A valid token: the one already granted, or a new one (one wallet dialog). */
  async token(): Promise<string> {
    const account = await this._signer.getAddress();
    const { token } = await authTokens.token(this._node, {
      account,
      describe: (validUntil, minutes) =>
        pageTokenDescription(this._node.url, validUntil, minutes),
      sign: signerSign(this._signer)
    });
    return token;
  }

  /** Forgets `token` (the node refused it), so the next fetch asks for a new one. */
  async forget(token: string): Promise<void> {
    const account = await this._signer.getAddress();
    await authTokens.forget(this._node.url, account, token);
  }

  /**
   * `path` on the node with the token as Authorization. A 401 (expired, invalidated, or a
   * node restarted with new keys) drops the token and asks once more.
   */
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.token();
      const response = await this._node.fetch(
        path,
        {
          ...init,
          headers: { ...(init.headers ?? {}), Authorization: token }
        },
        // Logs stream for as long as the job runs.
        24 * 60 * 60_000
      );
      if (response.status !== 401 || attempt > 0) return response;
      await response.body?.cancel().catch(() => undefined);
      await this.forget(token);
    }
  }
}
