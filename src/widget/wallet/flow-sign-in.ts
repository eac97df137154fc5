/**
 * The node sign-in that belongs to a purchase (issue 16 item 12). `%ocean
 * load` buys access and then downloads, and the download needs one more
 * signature: the Ocean Node's createAuthToken. Asking for it in a second
 * dialog a few seconds after the purchase's made six actions of the five
 * the issue allows, and told the person nothing the first dialog could not.
 *
 * So the extension's own purchase flow may name the sign-in in its batch
 * (the `oceanNodeSignIn` capability of wallet_sendCalls, with the nonce it
 * will use): the batch's one dialog then says, in words, that approving it
 * also signs in to the active network's node to download. Once that dialog
 * was approved and the batch was mined, exactly one personal_sign of
 * exactly that request (keccak256(account + nonce + "createAuthToken"),
 * the hash the wallet computes itself) from the same asker, on the same
 * chain and node, within a few minutes, is signed without a second dialog.
 * Any other message, nonce, account, node or asker still asks, as does a
 * sign-in outside a flow (a download on its own, a kernel's auth_token).
 */
import { errorWords, OceanError } from '../../errors';
import { nodeRequestHash } from '../../ocean/wallet-decode';
import type { IWalletRequester } from '../../tokens';

/** The node command a purchase's sign-in signs. */
export const SIGN_IN_COMMAND = 'createAuthToken';

/** How long an approved sign-in waits for its signature. */
export const SIGN_IN_MINUTES = 5;

/** The capability's name in wallet_sendCalls (EIP-5792 `capabilities`). */
export const SIGN_IN_CAPABILITY = 'oceanNodeSignIn';

/** What the batch asks for besides its calls. */
export interface INodeSignIn {
  /** The createAuthToken nonce the flow will sign (decimal). */
  nonce: string;
}

/**
 * Reads the sign-in capability of a wallet_sendCalls request, if any. Only
 * the extension's own flows (a requester with `flow`, which kernels cannot
 * set) may name it: a kernel asks for its token on its own, in its own
 * dialog.
 */
export function parseNodeSignIn(
  request: unknown,
  requester: IWalletRequester
): INodeSignIn | undefined {
  const capabilities = (request as { capabilities?: unknown } | undefined)
    ?.capabilities;
  if (!capabilities || typeof capabilities !== 'object') {
    return undefined;
  }
  const raw = (capabilities as Record<string, unknown>)[SIGN_IN_CAPABILITY];
  if (raw === undefined) {
    return undefined;
  }
  if (!requester.flow) {
    throw new OceanError(
      5700,
      'Only the extension’s own purchase flows may add the Ocean Node sign-in to a batch; ask for a node token on its own (ocean.auth_token()).'
    );
  }
  const nonce = (raw as { nonce?: unknown } | null)?.nonce;
  if (typeof nonce !== 'string' || !/^[0-9]{1,30}$/.test(nonce)) {
    throw new OceanError(
      'OCEAN_BAD_REQUEST',
      errorWords.__(
        'The Ocean Node sign-in needs its nonce as a decimal string.'
      )
    );
  }
  return { nonce };
}

/** Who asked: one kernel session, or one page requester by its words. */
function askerKey(requester: IWalletRequester): string {
  const session = requester.session;
  if (session) {
    return `session ${session.id}`;
  }
  return [
    requester.kind,
    requester.kernelId ?? '',
    requester.path ?? '',
    requester.label
  ].join('|');
}

interface IApprovedSignIn {
  hash: string;
  account: string;
  chainId: number;
  node: string;
  asker: string;
  ended?: AbortSignal;
  expires: number;
}

/** The sign-ins approved with a batch and not signed yet. */
export class ApprovedSignIns {
  constructor(private _now: () => number = Date.now) {}

  /** Records the sign-in a mined batch's dialog described. */
  approve(
    signIn: INodeSignIn,
    context: {
      account: string;
      chainId: number;
      node: string;
      requester: IWalletRequester;
    }
  ): void {
    this._drop();
    this._approved.push({
      hash: nodeRequestHash(
        context.account,
        signIn.nonce,
        SIGN_IN_COMMAND
      ).toLowerCase(),
      account: context.account.toLowerCase(),
      chainId: context.chainId,
      node: trimSlash(context.node),
      asker: askerKey(context.requester),
      ended: context.requester.session?.ended,
      expires: this._now() + SIGN_IN_MINUTES * 60_000
    });
  }

  /**
   * True, once, when `message` is exactly an approved sign-in of this
   * account, chain, node and asker; the approval is used up.
   */
  take(
    message: string,
    context: {
      account: string;
      chainId: number;
      node: string;
      requester: IWalletRequester;
    }
  ): boolean {
    this._drop();
    const hash = message.toLowerCase();
    const index = this._approved.findIndex(
      entry =>
        entry.hash === hash &&
        entry.account === context.account.toLowerCase() &&
        entry.chainId === context.chainId &&
        entry.node === trimSlash(context.node) &&
        entry.asker === askerKey(context.requester) &&
        entry.ended === context.requester.session?.ended
    );
    if (index < 0) {
      return false;
    }
    this._approved.splice(index, 1);
    return true;
  }

  /** Forgets them all (lock, another account, another network). */
  clear(): void {
    this._approved = [];
  }

  get size(): number {
    this._drop();
    return this._approved.length;
  }

  private _drop(): void {
    const now = this._now();
    this._approved = this._approved.filter(
      entry => entry.expires > now && !entry.ended?.aborted
    );
  }

  private _approved: IApprovedSignIn[] = [];
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
