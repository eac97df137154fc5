/**
 * The wallet's side of notebook grants (grants.ts holds the rules): whether
 * a live grant covers a request before any dialog, what a kernel's dialog
 * may offer, the grant made from the person's answer, what was spent under
 * it, and `%ocean grant`. The wallet keeps its desk in a private field and
 * hands it its confirmation dialog per call, so only that dialog's answer
 * makes a grant.
 */
import { Contract, parseUnits, type JsonRpcProvider } from 'ethers';
import type { ISignal } from '@lumino/signaling';
import type { TranslationBundle } from '@jupyterlab/translation';
import { OceanError } from '../../errors';
import type { IOceanNetwork, IWalletRequester } from '../../tokens';
import type {
  IConfirmAnswer,
  IConfirmation,
  IGrantOffer
} from './confirmation';
import { pinnedOceanContracts } from '../../ocean/clear-signing';
import { tokenInfo } from './describe';
import {
  GrantBook,
  grantScopeWords,
  type GrantRequest,
  type IGrantChain,
  type IGrantContracts,
  type IGrantUse,
  type INotebookGrant
} from './grants';
import { unsupported } from './wallet-requests';

/** A confirmation as the wallet's callers write it (the wallet adds network and account). */
export type WalletConfirmation = Omit<
  IConfirmation,
  'networkName' | 'chainId' | 'account' | 'accountName'
>;

/** What the wallet asks of its dialog: resolves approved, rejects (4001) otherwise. */
export type AskPerson = (
  confirmation: WalletConfirmation
) => Promise<IConfirmAnswer>;

/** Whether a request was covered by a grant (use) and whether a dialog showed. */
export interface IApproval {
  use: IGrantUse | null;
  asked: boolean;
}

export interface IGrantDeskOptions {
  trans: TranslationBundle;
  /** The wallet's active network and its read-only provider, now. */
  network: () => IOceanNetwork;
  provider: () => JsonRpcProvider;
  /** Grants are for the built-in keys; a browser wallet asks in its own dialogs. */
  builtin: () => boolean;
  /** Ocean's contracts on a network; without it no grant is offered. */
  oceanContracts?: (
    network: IOceanNetwork,
    provider: JsonRpcProvider
  ) => Promise<IGrantContracts>;
  notify?: (kind: 'info', message: string) => void;
}

/** What a grant needs to know besides its terms. */
interface IGrantFacts {
  networkName: string;
  contracts: IGrantContracts;
  nodes: string[];
  tokenSymbol: string;
  tokenDecimals: number;
}

export class GrantDesk {
  // Private: a grant is made only from the wallet's own dialog's answer.
  #book: GrantBook;
  private _contracts = new Map<string, Promise<IGrantContracts>>();

  constructor(private readonly _options: IGrantDeskOptions) {
    this.#book = new GrantBook(() => this._chain(), Date.now, _options.trans);
  }

  /** Live notebook grants with what they spent (for the panel). */
  list(): INotebookGrant[] {
    return this.#book.list();
  }

  get changed(): ISignal<GrantBook, void> {
    return this.#book.changed;
  }

  revoke(id: string): void {
    this.#book.revoke(id);
  }

  /** Ends every grant (lock, another account or network, a browser wallet). */
  clear(): void {
    this.#book.clear();
  }

  /** `ocean_grants`: the asking notebook's live grants as a kernel may see them. */
  listFor(requester: IWalletRequester): Record<string, unknown>[] {
    return this.#book.listFor(requester).map(grantJson);
  }

  /**
   * The dialog, unless a live grant of the asking notebook covers
   * `request` (every call of it, for a batch); a kernel's dialog also
   * offers a grant. Resolves with the grant use to record once signed, and
   * whether a dialog was shown.
   */
  async approve(
    ask: AskPerson,
    confirmation: WalletConfirmation,
    account: string,
    request: GrantRequest | GrantRequest[]
  ): Promise<IApproval> {
    const requests = Array.isArray(request) ? request : [request];
    const requester = confirmation.requester;
    const context = {
      requester,
      chainId: this._options.network().chainId,
      account
    };
    let outside: string[] = [];
    if (this._options.builtin()) {
      const check = await this.#book.checkAll(context, requests);
      if (check.covered) {
        return { use: check.use, asked: false };
      }
      outside = this._outside(this.#book.listFor(requester), check.reason);
    }
    // A lone request the wallet cannot tell apart is never offered a grant.
    const offer =
      !Array.isArray(request) && request.kind === 'other'
        ? undefined
        : await this._offer(requester);
    const answer = await ask({
      ...confirmation,
      warnings: [...outside, ...confirmation.warnings],
      grantOffer: offer?.offer
    });
    if (answer.grant && offer) {
      this._make(context, answer.grant, offer.facts);
      const again = await this.#book.checkAll(context, requests);
      return { use: again.covered ? again.use : null, asked: true };
    }
    return { use: null, asked: true };
  }

  /** Records a request signed under a grant, and tells the person when no dialog showed. */
  used(approval: IApproval, summary: string): string | undefined {
    if (!approval.use) {
      return undefined;
    }
    const trans = this._options.trans;
    const grant = this.#book.record(approval.use) ?? approval.use.grant;
    const words = grantWords(grant, trans);
    if (!approval.asked) {
      this._options.notify?.(
        'info',
        trans.__('Signed without asking (%1): %2', words, summary)
      );
    }
    return words;
  }

  /** `%ocean grant`: only a notebook kernel may ask, and only the built-in keys grant. */
  checkAsker(requester: IWalletRequester): void {
    const trans = this._options.trans;
    if (!this.#book.canOffer(requester)) {
      throw unsupported(
        trans,
        'ocean_requestGrant',
        trans.__('Only a notebook kernel can ask for a grant.')
      );
    }
    if (!this._options.builtin()) {
      throw unsupported(
        trans,
        'ocean_requestGrant',
        trans.__(
          'A browser wallet asks in its own dialogs; grants are for the built-in wallet.'
        )
      );
    }
  }

  /** `%ocean grant`'s terms as asked: sane minutes and cap. */
  terms(params: unknown[]): { minutes: number; cap: string } {
    const trans = this._options.trans;
    const asked = (params[0] ?? {}) as { minutes?: unknown; cap?: unknown };
    const minutes = Number(asked.minutes ?? 15);
    if (!Number.isFinite(minutes) || minutes < 1 || minutes > 24 * 60) {
      throw new OceanError(
        'OCEAN_BAD_REQUEST',
        trans.__('A grant lasts between 1 minute and 24 hours (minutes=…).')
      );
    }
    const cap = String(asked.cap ?? '10');
    if (!/^\d+(\.\d+)?$/.test(cap)) {
      throw new OceanError(
        'OCEAN_BAD_REQUEST',
        trans.__(
          'The cap "%1" is not an amount (for example 20 or 2.5).',
          cap.slice(0, 40)
        )
      );
    }
    return { minutes, cap };
  }

  /** `%ocean grant`: the dialog is the grant itself; the kernel gets its terms back. */
  async grant(
    ask: AskPerson,
    terms: { minutes: number; cap: string },
    requester: IWalletRequester,
    account: string
  ): Promise<Record<string, unknown>> {
    const trans = this._options.trans;
    const offer = await this._offer(requester);
    if (!offer) {
      throw new OceanError(
        'OCEAN_NODE_UNREACHABLE',
        trans.__(
          "Ocean's contracts on this network could not be found (the Ocean Node lists no asset yet), so there is nothing a grant could cover."
        )
      );
    }
    const answer = await ask({
      kind: 'grant',
      title: trans.__('Allow this notebook without asking?'),
      requester,
      summary: trans.__(
        '%1 asks to have its Ocean requests signed without a dialog for a while. Read what that covers; you can change the time and the cap.',
        requester.label
      ),
      rows: [],
      warnings: [],
      checks: [],
      grantOffer: {
        ...offer.offer,
        minutes: Math.round(terms.minutes),
        cap: terms.cap,
        explicit: true
      }
    });
    if (!answer.grant) {
      throw new OceanError(
        'OCEAN_BAD_REQUEST',
        trans.__('The cap you typed is not an amount, so no grant was made.')
      );
    }
    const grant = this._make(
      { requester, chainId: this._options.network().chainId, account },
      answer.grant,
      offer.facts
    );
    return grantJson(grant);
  }

  private _make(
    context: { requester: IWalletRequester; chainId: number; account: string },
    terms: { minutes: number; cap: string },
    facts: IGrantFacts
  ): INotebookGrant {
    let cap: bigint;
    try {
      cap = parseUnits(terms.cap, facts.tokenDecimals);
    } catch {
      throw new OceanError(
        'OCEAN_BAD_REQUEST',
        this._options.trans.__(
          'The grant\'s cap "%1" is not an amount of %2.',
          terms.cap.slice(0, 40),
          facts.tokenSymbol
        )
      );
    }
    return this.#book.create(context, { minutes: terms.minutes, cap }, facts);
  }

  /** What the dialog may offer a kernel: nothing for a browser wallet or without Ocean's contracts. */
  private async _offer(
    requester: IWalletRequester
  ): Promise<{ offer: IGrantOffer; facts: IGrantFacts } | undefined> {
    const find = this._options.oceanContracts;
    if (!this._options.builtin() || !find || !this.#book.canOffer(requester)) {
      return undefined;
    }
    const network = this._options.network();
    const provider = this._options.provider();
    try {
      let contracts = this._contracts.get(network.key);
      if (!contracts) {
        contracts = find(network, provider);
        this._contracts.set(network.key, contracts);
        contracts.catch(() => this._contracts.delete(network.key));
      }
      const found = await contracts;
      // Found through the node's DDOs (untrusted): on a chain where Ocean's
      // deployments are known, a grant is only for those very contracts.
      if (!pinnedMatch(network.chainId, found)) {
        return undefined;
      }
      const info = await tokenInfo(provider, found.ocean);
      const facts: IGrantFacts = {
        networkName: network.name,
        contracts: found,
        nodes: [network.nodeUrl],
        tokenSymbol: info?.symbol ?? 'OCEAN',
        tokenDecimals: info?.decimals ?? 18
      };
      return {
        offer: {
          minutes: 15,
          cap: '10',
          tokenSymbol: facts.tokenSymbol,
          scope: grantScopeWords(
            { label: requester.label, ...facts },
            this._options.trans
          )
        },
        facts
      };
    } catch {
      // No contracts found (a node with no assets yet): no offer, the dialog stays as it was.
      return undefined;
    }
  }

  /**
   * Why a notebook with a live grant is asked anyway, in one sentence (none
   * when it has no grant).
   */
  private _outside(live: INotebookGrant[], reason: string): string[] {
    return live.length
      ? [
          this._options.trans.__(
            "This notebook's grant does not cover this, so you are asked: %1",
            reason
          )
        ]
      : [];
  }

  /** What the grant rules read from the chain. */
  private _chain(): IGrantChain {
    const provider = this._options.provider();
    const factory = (address: string) =>
      new Contract(address, GRANT_FACTORY_ABI, provider);
    return {
      isDatatoken: async (at, address) =>
        Boolean(await factory(at).erc20List(address)),
      isDataNft: async (at, address) =>
        String(await factory(at).erc721List(address)).toLowerCase() ===
        address.toLowerCase(),
      exchangeBaseToken: async (exchange, id) => {
        const fre = new Contract(exchange, GRANT_EXCHANGE_ABI, provider);
        const found = await fre.getExchange(id);
        return String(found.baseToken ?? found[3]);
      }
    };
  }
}

/** False when a contract found differs from Ocean's published one on that chain. */
export function pinnedMatch(chainId: number, found: IGrantContracts): boolean {
  const pinned = pinnedOceanContracts(chainId);
  if (!pinned) {
    return true;
  }
  return (Object.keys(pinned) as Array<keyof IGrantContracts>).every(
    key =>
      !pinned[key] ||
      String(found[key]).toLowerCase() === pinned[key]!.toLowerCase()
  );
}

const GRANT_FACTORY_ABI = [
  'function erc20List(address) view returns (bool)',
  'function erc721List(address) view returns (address)'
];

const GRANT_EXCHANGE_ABI = [
  'function getExchange(bytes32 exchangeId) view returns (address exchangeOwner, address datatoken, uint256 dtDecimals, address baseToken, uint256 btDecimals, uint256 fixedRate, bool active, uint256 dtSupply, uint256 btSupply, uint256 dtBalance, uint256 btBalance, bool withMint)'
];

/** A grant in a few words, for toasts and the activity list. */
export function grantWords(
  grant: INotebookGrant,
  trans: TranslationBundle
): string {
  const until = new Date(grant.expiresAt).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit'
  });
  return trans.__('grant for %1, until %2', grant.label, until);
}

/** A grant as a kernel may see it: its terms and spending, nothing more. */
function grantJson(grant: INotebookGrant): Record<string, unknown> {
  return {
    id: grant.id,
    notebook: grant.label,
    network: grant.networkName,
    account: grant.account,
    token: grant.tokenSymbol,
    cap: formatUnitsText(grant.cap, grant.tokenDecimals),
    spent: formatUnitsText(grant.spent, grant.tokenDecimals),
    uses: grant.uses,
    expires: new Date(grant.expiresAt).toISOString(),
    minutesLeft: Math.max(
      0,
      Math.round((grant.expiresAt - Date.now()) / 60_000)
    )
  };
}

function formatUnitsText(raw: bigint, decimals: number): string {
  const base = 10n ** BigInt(decimals);
  const fraction = (raw % base)
    .toString()
    .padStart(decimals, '0')
    .replace(/0+$/, '');
  return fraction ? `${raw / base}.${fraction}` : `${raw / base}`;
}
