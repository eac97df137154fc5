/**
 * One Ocean Node auth token for reading compute jobs. Without it, every live-log stream and
 * every result file of a job is a signed request, so a job would open one wallet dialog per
 * fetch. With it, the person signs once: the dialog says what the token allows and until when.
 *
 * The token is kept in this page's memory only (never sent to a kernel), per node, account and
 * asker (the notebook or view named in the dialog), reused until a minute before it expires,
 * and asked for again when the node says it has expired or was invalidated.
 */
import { getBytes } from 'ethers';
import type { IOceanNetwork, IWalletRequester } from '../tokens';
import { OceanError } from '../errors';
import { NodeApi, parseNonce } from './node-api';
import { nodeRequestHash, type INodeRequestHint } from './wallet-decode';

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

/** The Signer the wallet hands out (WalletSigner), as far as this file needs it. */
interface ISigner {
  getAddress(): Promise<string>;
  signMessage(message: Uint8Array | string): Promise<string>;
  withNodeRequest?(hint: INodeRequestHint): ISigner;
}

function clock(time: number): string {
  return new Date(time).toLocaleTimeString('en-GB', {
    hour: '2-digit',
    minute: '2-digit'
  });
}

export class NodeAuth {
  private readonly _node: NodeApi;
  private readonly _signer: ISigner;

  /** `signer`: what IWallet.getSigner gave for `asker`. */
  constructor(
    readonly network: IOceanNetwork,
    signer: unknown,
    private readonly _asker: Pick<IWalletRequester, 'label' | 'kernelId'>
  ) {
    this._node = new NodeApi(network.nodeUrl);
    this._signer = signer as ISigner;
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
    const { nonce: last } = await this._node.json<{ nonce?: unknown }>(
      `/api/services/nonce?userAddress=${account}`
    );
    // Any nonce above the last one will do: skip those whose hash starts with a zero byte.
    // Ocean Node checks toBeArray(hash), which drops that byte, while the wallet (rightly)
    // signs and describes all 32; 1 nonce in 256 would otherwise be refused by real nodes.
    let next = Number(parseNonce(last)) + 1;
    while (nodeRequestHash(account, next, 'createAuthToken').startsWith('0x00'))
      next++;
    const nonce = String(next);
    const validUntil = Date.now() + COMPUTE_TOKEN_MINUTES * 60_000;
    const hint: INodeRequestHint = {
      command: 'createAuthToken',
      nonce,
      // Honest about the scope: the node accepts the token for any request in this account's
      // name, not only for reading jobs.
      description: `a token valid ${COMPUTE_TOKEN_MINUTES} minutes (until ${clock(validUntil)}) so the logs and results of your compute jobs are fetched without asking each time; the node accepts it for your other requests until then`
    };
    const signer = this._signer.withNodeRequest?.(hint) ?? this._signer;
    const signature = await signer.signMessage(
      getBytes(nodeRequestHash(account, nonce, 'createAuthToken'))
    );
    const path = await this._node.endpoint(
      'generateAuthToken',
      '/api/services/auth/token'
    );
    const answer = await this._node.json<{ token?: unknown }>(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ address: account, signature, nonce, validUntil })
    });
    if (typeof answer?.token !== 'string' || !answer.token)
      throw new OceanError(
        'OCEAN_NODE_REFUSED',
        'The Ocean Node did not issue a token; nothing else was signed.'
      );
    return { token: answer.token, validUntil };
  }
}
