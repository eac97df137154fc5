/**
 * Notebook grants: "allow this notebook, for N minutes, up to X OCEAN, to
 * Ocean's contracts and Ocean Node requests" (issue 17 item 1).
 *
 * A grant is made only from a person's approval in the wallet dialog, for
 * one kernel session of one notebook, and lives only here, in the page's
 * memory: never in the notebook file, never in the kernel (which only hears
 * that a request was approved). It ends on expiry, kernel restart, notebook
 * close, lock, network switch, or revoke in the panel.
 *
 * What a grant may cover is narrow on purpose, and decided from the decoded
 * call (wallet-decode.ts), never from what the caller says:
 *   - transactions with no native value to Ocean's own contracts on the
 *     grant's network (the fixed-rate exchange, the dispenser, the data NFT
 *     factory, the grant's token for approvals to those, and the datatokens
 *     and data NFTs the factory made, checked on chain), and only the
 *     functions a buy, order, dispense or publish uses;
 *   - Ocean Node requests (a signed hash the wallet verified is exactly a
 *     node command) to the grant's nodes.
 * Everything else (another contract or function, more than the cap, any
 * other message or typed data, another chain or account, an expired grant)
 * is outside and opens the full dialog.
 *
 * Spending is counted in the grant's token (OCEAN by default): an approval
 * counts its amount, since that much may leave; a purchase counts its
 * maximum base-token amount, less what an approval made under the same
 * grant to the same exchange already counted, so approve + buy is not
 * counted twice; fees paid in the token count too.
 */
import { Signal, type ISignal } from '@lumino/signaling';
import {
  nullTranslator,
  type TranslationBundle
} from '@jupyterlab/translation';
import {
  argValue,
  decodeCall,
  formatAmount,
  type IDecodedCall
} from '../../ocean/wallet-decode';
import type { IWalletRequester } from '../../tokens';

/** The words when a caller (a test, a script) brings no translator. */
const ENGLISH = nullTranslator.load('jupyterlab_ocean');

/** Ocean's fixed contracts on a network (as publish.ts discovers them). */
export interface IGrantContracts {
  nftFactory: string;
  fixedRateExchange: string;
  dispenser: string;
  /** The token a grant's cap is counted in (OCEAN). */
  ocean: string;
}

/** The chain reads a grant needs; the wallet answers them from its provider. */
export interface IGrantChain {
  /** True when `factory` made the datatoken at `address`. */
  isDatatoken(factory: string, address: string): Promise<boolean>;
  /** True when `factory` made the data NFT at `address`. */
  isDataNft(factory: string, address: string): Promise<boolean>;
  /** The base token of an exchange, or null when it cannot be read. */
  exchangeBaseToken(
    exchange: string,
    exchangeId: string
  ): Promise<string | null>;
}

/** Node commands a grant may sign: reading, buying, computing and publishing. */
export const GRANT_NODE_COMMANDS: ReadonlySet<string> = new Set([
  'download',
  'createAuthToken',
  'initializeCompute',
  'startCompute',
  'freeStartCompute',
  'stopCompute',
  'getComputeStatus',
  'getComputeResult',
  'getComputeStreamableLogs',
  'encrypt',
  'encryptFile',
  'decryptDDO',
  'fileInfo',
  'validateDDO',
  'persistentStorageCreateBucket',
  'persistentStorageUploadFile',
  'persistentStorageListFiles',
  'persistentStorageGetBuckets',
  'persistentStorageGetFileObject'
]);

/** What the person chose in the dialog. */
export interface IGrantTerms {
  minutes: number;
  /** The cap in the token's smallest unit. */
  cap: bigint;
}

/** A live grant, as the panel and the kernel may see it (no secrets in it). */
export interface INotebookGrant {
  id: string;
  /** The notebook's words, e.g. "analysis.ipynb (Python 3)". */
  label: string;
  path?: string;
  chainId: number;
  networkName: string;
  account: string;
  tokenSymbol: string;
  tokenDecimals: number;
  cap: bigint;
  spent: bigint;
  /** Requests signed under it so far. */
  uses: number;
  createdAt: number;
  expiresAt: number;
  contracts: IGrantContracts;
  nodes: string[];
}

/** A request as the grant checks it. */
export type GrantRequest =
  | { kind: 'transaction'; to: string | null; value: bigint; data: string }
  | { kind: 'nodeRequest'; command: string; node: string }
  /** Raw messages, typed data, network switches: never under a grant. */
  | { kind: 'other'; what: string };

/** The grant that covers a request, and what it would spend. */
export interface IGrantUse {
  grant: INotebookGrant;
  spend: bigint;
  /** Approval credit per spender after this request (see the header). */
  credit: Map<string, bigint>;
  /** Requests it stands for (a batch's calls). */
  count?: number;
}

export type GrantCheck =
  { covered: true; use: IGrantUse } | { covered: false; reason: string };

/** Where the grant is asked from and for what. */
export interface IGrantContext {
  requester: IWalletRequester;
  chainId: number;
  account: string;
}

interface IGrantRecord {
  grant: INotebookGrant;
  sessionId: string;
  /** The session's own signal: a requester made up with a copied id lacks it. */
  ended: AbortSignal;
  /** Approval amounts made under this grant, per spender (lower case). */
  credit: Map<string, bigint>;
  /** Addresses checked on chain: lower case → 'datatoken' | 'nft' | null. */
  verified: Map<string, 'datatoken' | 'nft' | null>;
  stop: () => void;
}

const lower = (address: string) => address.toLowerCase();

/** The grants of this page; the wallet keeps it in a private field. */
export class GrantBook {
  constructor(
    private readonly _chain: () => IGrantChain,
    private readonly _now: () => number = Date.now,
    /** The words of why a request is not covered; English without it. */
    private readonly _trans: TranslationBundle = ENGLISH
  ) {}

  /** Emitted when a grant is made, used, revoked or ends. */
  get changed(): ISignal<GrantBook, void> {
    return this._changed;
  }

  /** Live grants, newest first (expired ones are dropped on the way). */
  list(): INotebookGrant[] {
    this._expire();
    return [...this._records.values()]
      .map(record => ({ ...record.grant }))
      .reverse();
  }

  /** The live grants of the requester's kernel session. */
  listFor(requester: IWalletRequester): INotebookGrant[] {
    const id = requester.session?.id;
    this._expire();
    return [...this._records.values()]
      .filter(
        record =>
          id !== undefined &&
          record.sessionId === id &&
          record.ended === requester.session?.ended
      )
      .map(record => ({ ...record.grant }));
  }

  /**
   * True when the dialog for this request may offer a grant: only a
   * kernel's request, from a live kernel session.
   */
  canOffer(requester: IWalletRequester): boolean {
    return (
      requester.kind === 'kernel' &&
      !!requester.session &&
      !requester.session.ended.aborted
    );
  }

  /**
   * Makes a grant the person approved in the dialog. Only the wallet calls
   * this, after its dialog said yes with these terms.
   */
  create(
    context: IGrantContext,
    terms: IGrantTerms,
    facts: {
      networkName: string;
      contracts: IGrantContracts;
      nodes: string[];
      tokenSymbol: string;
      tokenDecimals: number;
    }
  ): INotebookGrant {
    const session = context.requester.session;
    if (!this.canOffer(context.requester) || !session) {
      throw new Error('A grant is only for a live kernel session.');
    }
    const minutes = Math.min(Math.max(terms.minutes, 1), 24 * 60);
    const now = this._now();
    const grant: INotebookGrant = {
      id: `grant-${++this._count}-${now.toString(36)}`,
      label: context.requester.label.slice(0, 200),
      path: context.requester.path,
      chainId: context.chainId,
      networkName: facts.networkName,
      account: context.account,
      tokenSymbol: facts.tokenSymbol,
      tokenDecimals: facts.tokenDecimals,
      cap: terms.cap < 0n ? 0n : terms.cap,
      spent: 0n,
      uses: 0,
      createdAt: now,
      expiresAt: now + minutes * 60_000,
      contracts: { ...facts.contracts },
      nodes: facts.nodes.map(normaliseNode)
    };
    const onEnd = () => this.revoke(grant.id);
    session.ended.addEventListener('abort', onEnd, { once: true });
    this._records.set(grant.id, {
      grant,
      sessionId: session.id,
      ended: session.ended,
      credit: new Map(),
      verified: new Map(),
      stop: () => session.ended.removeEventListener('abort', onEnd)
    });
    this._changed.emit();
    return { ...grant };
  }

  /** Whether a live grant of the requester's session covers `request`. */
  async check(
    context: IGrantContext,
    request: GrantRequest
  ): Promise<GrantCheck> {
    return this.checkAll(context, [request]);
  }

  /**
   * Whether one live grant covers every request of a batch, counted one
   * after the other (an approval's credit serves the buy after it).
   */
  async checkAll(
    context: IGrantContext,
    requests: ReadonlyArray<GrantRequest>
  ): Promise<GrantCheck> {
    this._expire();
    const session = context.requester.session;
    if (context.requester.kind !== 'kernel' || !session) {
      return {
        covered: false,
        reason: this._trans.__('Only a notebook kernel has grants.')
      };
    }
    const records = [...this._records.values()].filter(
      record =>
        record.sessionId === session.id && record.ended === session.ended
    );
    if (records.length === 0) {
      return {
        covered: false,
        reason: this._trans.__('This notebook has no live grant.')
      };
    }
    let reason = '';
    for (const record of records.reverse()) {
      let state = {
        spent: record.grant.spent,
        credit: new Map(record.credit)
      };
      let spend = 0n;
      let failed: string | null = null;
      for (const request of requests) {
        const result = await this._checkOne(record, context, request, state);
        if (!result.covered) {
          failed = result.reason;
          break;
        }
        spend += result.use.spend;
        state = {
          spent: state.spent + result.use.spend,
          credit: result.use.credit
        };
      }
      if (failed === null) {
        return {
          covered: true,
          use: {
            grant: record.grant,
            spend,
            credit: state.credit,
            count: requests.length
          }
        };
      }
      reason = failed;
    }
    return { covered: false, reason };
  }

  /** Counts a request signed under a grant. */
  record(use: IGrantUse): INotebookGrant | null {
    const record = this._records.get(use.grant.id);
    if (!record) {
      return null;
    }
    record.grant.spent += use.spend;
    record.grant.uses += use.count ?? 1;
    record.credit = use.credit;
    this._changed.emit();
    return { ...record.grant };
  }

  revoke(id: string): void {
    const record = this._records.get(id);
    if (record) {
      record.stop();
      this._records.delete(id);
      this._changed.emit();
    }
  }

  /** Ends every grant (lock, network switch, account switch). */
  clear(): void {
    if (this._records.size === 0) {
      return;
    }
    for (const record of this._records.values()) {
      record.stop();
    }
    this._records.clear();
    this._changed.emit();
  }

  private _expire(): void {
    const now = this._now();
    for (const [id, record] of this._records) {
      if (record.grant.expiresAt <= now) {
        this.revoke(id);
      }
    }
  }

  private async _checkOne(
    record: IGrantRecord,
    context: IGrantContext,
    request: GrantRequest,
    state: { spent: bigint; credit: Map<string, bigint> }
  ): Promise<GrantCheck> {
    const grant = record.grant;
    const trans = this._trans;
    const out = (reason: string): GrantCheck => ({ covered: false, reason });
    if (grant.chainId !== context.chainId) {
      return out(trans.__('The grant is for another network.'));
    }
    if (lower(grant.account) !== lower(context.account)) {
      return out(trans.__('The grant is for another account.'));
    }
    if (request.kind === 'other') {
      return out(trans.__('%1 is never signed under a grant.', request.what));
    }
    if (request.kind === 'nodeRequest') {
      if (!GRANT_NODE_COMMANDS.has(request.command)) {
        return out(
          trans.__(
            'The Ocean Node command "%1" is not one a grant signs.',
            request.command
          )
        );
      }
      if (!grant.nodes.includes(normaliseNode(request.node))) {
        return out(
          trans.__('The grant does not cover the node %1.', request.node)
        );
      }
      return {
        covered: true,
        use: { grant, spend: 0n, credit: new Map(state.credit) }
      };
    }
    if (request.value !== 0n) {
      return out(
        trans.__('It sends the network’s own coin; a grant never does.')
      );
    }
    if (!request.to) {
      return out(trans.__('It deploys a contract; a grant never does.'));
    }
    const decoded = decodeCall(request.data);
    if (!decoded) {
      return out(trans.__('The wallet cannot decode the call.'));
    }
    const spending = await this._spending(
      record,
      request.to,
      decoded,
      state.credit
    );
    if (typeof spending === 'string') {
      return out(spending);
    }
    if (state.spent + spending.spend > grant.cap) {
      return out(
        trans.__(
          'It would spend %1 %2, more than the %3 %2 left in the grant.',
          formatAmount(spending.spend, grant.tokenDecimals),
          grant.tokenSymbol,
          formatAmount(grant.cap - state.spent, grant.tokenDecimals)
        )
      );
    }
    return { covered: true, use: { grant, ...spending } };
  }

  /** What a decoded call spends, or why no grant covers it. */
  private async _spending(
    record: IGrantRecord,
    to: string,
    call: IDecodedCall,
    before: Map<string, bigint>
  ): Promise<{ spend: bigint; credit: Map<string, bigint> } | string> {
    const { contracts } = record.grant;
    const credit = new Map(before);
    const target = lower(to);
    const spenders = new Set(
      [
        contracts.fixedRateExchange,
        contracts.dispenser,
        contracts.nftFactory
      ].map(lower)
    );
    const ocean = lower(contracts.ocean);
    const name = call.name;
    const amount = (n: number) => BigInt(String(call.args[n]?.value ?? '0'));
    const trans = this._trans;
    const notHere = trans.__(
      '%1 on %2 is not a call a grant covers.',
      name,
      to
    );

    if (target === ocean) {
      if (name !== 'approve' && name !== 'increaseAllowance') {
        return notHere;
      }
      const spender = lower(String(call.args[0]?.value ?? ''));
      if (!spenders.has(spender)) {
        return notOcean(trans, call);
      }
      const value = amount(1);
      const before = credit.get(spender) ?? 0n;
      credit.set(spender, name === 'approve' ? value : before + value);
      // approve replaces the allowance: only the rise counts as new spending.
      const spend =
        name === 'approve' ? (value > before ? value - before : 0n) : value;
      return { spend, credit };
    }
    if (target === lower(contracts.fixedRateExchange)) {
      if (name !== 'buyDT') {
        return notHere;
      }
      const exchangeId = String(call.args[0]?.value ?? '');
      const base = await this._chain()
        .exchangeBaseToken(to, exchangeId)
        .catch(() => null);
      if (!base || lower(base) !== ocean) {
        return trans.__(
          'The exchange sells for another token than %1.',
          record.grant.tokenSymbol
        );
      }
      const max = amount(2);
      const covered = credit.get(target) ?? 0n;
      const used = covered < max ? covered : max;
      credit.set(target, covered - used);
      return { spend: max - used, credit };
    }
    if (target === lower(contracts.dispenser)) {
      return name === 'dispense' ? { spend: 0n, credit } : notHere;
    }
    if (target === lower(contracts.nftFactory)) {
      return /^createNftWith/.test(name) ? { spend: 0n, credit } : notHere;
    }
    const kind = await this._verify(record, to);
    if (kind === 'datatoken') {
      if (name === 'startOrder' || name === 'reuseOrder') {
        return this._fees(record, call, credit);
      }
      // A publisher's own access (client.ts, own-asset.ts): a datatoken minted
      // to the grant's account costs nothing and is spent by the order.
      if (name === 'mint') {
        return lower(String(call.args[0]?.value ?? '')) ===
          lower(record.grant.account)
          ? { spend: 0n, credit }
          : trans.__(
              'The mint is for %1, not for your account.',
              String(call.args[0]?.value)
            );
      }
      // No approval of a datatoken: no flow needs one, and whether an address
      // is a datatoken is the factory's word, a factory found through the
      // Ocean Node's DDOs (publish.ts discoverContracts): a node's factory
      // that calls any token a datatoken would get it approved uncounted.
      return notHere;
    }
    if (kind === 'nft') {
      return /^setMetaData|^setTokenURI$/.test(name)
        ? { spend: 0n, credit }
        : notHere;
    }
    return trans.__("%1 is not one of Ocean's contracts on this network.", to);
  }

  /** Provider and market fees of an order: counted when in the token, else refused. */
  private _fees(
    record: IGrantRecord,
    call: IDecodedCall,
    credit: Map<string, bigint>
  ): { spend: bigint; credit: Map<string, bigint> } | string {
    let spend = 0n;
    for (const [tokenArg, amountArg] of [
      ['providerFeeToken', 'providerFeeAmount'],
      ['consumeMarketFeeToken', 'consumeMarketFeeAmount']
    ]) {
      const value = BigInt(argValue(call, amountArg) ?? '0');
      if (value === 0n) {
        continue;
      }
      const token = lower(argValue(call, tokenArg) ?? '');
      if (token !== lower(record.grant.contracts.ocean)) {
        return this._trans.__(
          'The order pays a fee in another token than %1.',
          record.grant.tokenSymbol
        );
      }
      spend += value;
    }
    return { spend, credit };
  }

  private async _verify(
    record: IGrantRecord,
    address: string
  ): Promise<'datatoken' | 'nft' | null> {
    const key = lower(address);
    if (record.verified.has(key)) {
      return record.verified.get(key) ?? null;
    }
    const chain = this._chain();
    const factory = record.grant.contracts.nftFactory;
    let kind: 'datatoken' | 'nft' | null = null;
    try {
      if (await chain.isDatatoken(factory, address)) {
        kind = 'datatoken';
      } else if (await chain.isDataNft(factory, address)) {
        kind = 'nft';
      }
    } catch {
      // Unreadable: not verified, so not covered (and not remembered).
      return null;
    }
    record.verified.set(key, kind);
    return kind;
  }

  private _changed = new Signal<GrantBook, void>(this);
  private _records = new Map<string, IGrantRecord>();
  private _count = 0;
}

/** An approval to a spender that is none of Ocean's contracts. */
function notOcean(trans: TranslationBundle, call: IDecodedCall): string {
  return trans.__(
    "The approval is for %1, which is not one of Ocean's contracts.",
    String(call.args[0]?.value)
  );
}

function normaliseNode(url: string): string {
  return url.trim().replace(/\/+$/, '').toLowerCase();
}

/** The grant's scope in sentences, for the dialog and the panel. */
export function grantScopeWords(
  facts: {
    label: string;
    minutes?: number;
    /** The cap as text; absent where the person sets it beside the words. */
    cap?: string;
    tokenSymbol: string;
    networkName: string;
    contracts: IGrantContracts;
    nodes: string[];
  },
  trans: TranslationBundle = ENGLISH
): string[] {
  const { contracts } = facts;
  return [
    facts.minutes !== undefined
      ? trans.__(
          'For %1 minutes, requests from %2 (this kernel session only) are signed without asking when they:',
          facts.minutes,
          facts.label
        )
      : trans.__(
          'Requests from %1 (this kernel session only) are signed without asking when they:',
          facts.label
        ),
    facts.cap !== undefined
      ? trans.__(
          '• spend at most %1 %2 in all (approvals, purchases and fees counted);',
          facts.cap,
          facts.tokenSymbol
        )
      : trans.__(
          '• spend at most the %1 amount set above in all (approvals, purchases and fees counted);',
          facts.tokenSymbol
        ),
    trans.__(
      "• call only Ocean's contracts on %1: approvals of %2 (%3) to them, the fixed-rate exchange %4, the dispenser %5, the data NFT factory %6, and the datatokens and data NFTs that factory made;",
      facts.networkName,
      facts.tokenSymbol,
      contracts.ocean,
      contracts.fixedRateExchange,
      contracts.dispenser,
      contracts.nftFactory
    ),
    trans.__(
      '• or are Ocean Node requests (downloads, compute jobs, sign-in, publishing) to %1.',
      facts.nodes.join(', ')
    ),
    trans.__(
      'Anything else asks you again: other contracts, more than the cap, messages of any other kind, another network or account. It ends when the kernel restarts, the notebook closes, the wallet locks, the network changes, or you revoke it in the Ocean panel.'
    )
  ];
}
