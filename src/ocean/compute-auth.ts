/**
 * One Ocean Node auth token for reading compute jobs. Without it, every live-log stream and
 * every result file of a job is a signed request, so a job would open one wallet dialog per
 * fetch. With it, the person signs once: the dialog says what the token allows and until when.
 *
 * The token is kept in this page's memory only (never sent to a kernel), per node, account and
 * asker (the notebook or view named in the dialog), reused until a minute before it expires,
 * and asked for again when the node says it has expired or was invalidated.
 */
import type { IOceanNetwork, IWalletRequester } from '../tokens';
import {
  requestAuthToken,
  signerSign,
  type INodeRequestSigner
} from './auth-token';
import { NodeApi } from './node-api';

/** How long a token lives; the node is told, and this page forgets it then too. */
export const COMPUTE_TOKEN_MINUTES = 30;
/** A token this close to its end is not reused: a long result download could outlive it. */
const RENEW_MARGIN_MS = 60_000;

interface IGrant {
  token: string;
  validUntil: number;
}

/** Pending or issued tokens; a pending one is shared so parallel fetches ask only once. */
const GRANTS = new Map<string, Promise<IGrant>>();

function clock(time: number): string {
  return new Date(time).toLocaleTimeString('en-GB', {
    hour: '2-digit',
    minute: '2-digit'
  });
}

export class NodeAuth {
  private readonly _node: NodeApi;
  private readonly _signer: INodeRequestSigner;

  /** `signer`: what IWallet.getSigner gave for `asker`. */
  constructor(
    readonly network: IOceanNetwork,
    signer: unknown,
    private readonly _asker: Pick<IWalletRequester, 'label' | 'kernelId'>
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

  private async _key(): Promise<string> {
    const account = (await this._signer.getAddress()).toLowerCase();
    return `${this._node.url}|${account}|${this._asker.kernelId ?? ''}|${this._asker.label}`;
  }

  /** A valid token: the one already granted, or a new one (one wallet dialog). */
  async token(): Promise<string> {
    const key = await this._key();
    const known = GRANTS.get(key);
    if (known) {
      const grant = await known.catch(() => null);
      if (grant && grant.validUntil - Date.now() > RENEW_MARGIN_MS)
        return grant.token;
      // Expired, or the request failed or was rejected: only drop what is still ours.
      if (GRANTS.get(key) === known) GRANTS.delete(key);
      else return this.token();
    }
    const pending = this._create();
    GRANTS.set(key, pending);
    try {
      return (await pending).token;
    } catch (error) {
      if (GRANTS.get(key) === pending) GRANTS.delete(key);
      throw error;
    }
  }

  /** Forgets `token` (the node refused it), so the next fetch asks for a new one. */
  async forget(token: string): Promise<void> {
    const key = await this._key();
    const known = GRANTS.get(key);
    const grant = await known?.catch(() => null);
    if (grant?.token === token && GRANTS.get(key) === known) GRANTS.delete(key);
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

  private async _create(): Promise<IGrant> {
    const account = await this._signer.getAddress();
    const validUntil = Date.now() + COMPUTE_TOKEN_MINUTES * 60_000;
    const { token } = await requestAuthToken(this._node, {
      account,
      validUntil,
      // Honest about the scope: the node accepts the token for any request in this account's
      // name, not only for reading jobs.
      description: `a token valid ${COMPUTE_TOKEN_MINUTES} minutes (until ${clock(validUntil)}) so the logs and results of your compute jobs are fetched without asking each time; the node accepts it for your other requests until then`,
      sign: signerSign(this._signer)
    });
    return { token, validUntil };
  }
}
