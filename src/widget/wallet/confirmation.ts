/**
 * The shape of what the one confirmation dialog shows. The wallet builds it
 * (describe.ts), the dialog only renders it: every string here is plain text
 * and may come from untrusted callers or networks.
 */
import type { IWalletRequester } from '../../tokens';
import type { ISimulationWords } from './describe';

export interface IConfirmationRow {
  label: string;
  value: string;
  /** Render in a monospace font (addresses, hashes, raw values). */
  mono?: boolean;
  /** Indentation depth for nested values (tuples). */
  depth?: number;
}

export interface IConfirmation {
  kind: 'transaction' | 'message' | 'typedData' | 'switchNetwork' | 'grant';
  /** e.g. "Confirm a transaction". */
  title: string;
  requester: IWalletRequester;
  networkName: string;
  chainId: number;
  account: string;
  accountName: string;
  /** One sentence that says what happens. */
  summary: string;
  rows: IConfirmationRow[];
  /** Sentences about risks, shown prominently. */
  warnings: string[];
  /** Facts the wallet checked, shown as reassurance (e.g. a verified hash). */
  checks: string[];
  /** Gas and fee estimate, in words. */
  fee?: string;
  /** The raw request (data, message), shown collapsed. */
  raw?: string;
  /** What simulating the transaction showed (simulation.ts), in words. */
  simulation?: ISimulationWords;
  /**
   * Set when the transaction would fail: why. The dialog then shows it and
   * offers no way to approve: nobody pays gas for a certain failure.
   */
  blocked?: string;
  /** A notebook grant offered beside a kernel's request (grants.ts). */
  grantOffer?: IGrantOffer;
}

/**
 * "Also allow this notebook for N minutes, up to X": shown only for a
 * kernel's request, unticked; the scope is spelled out in words.
 */
export interface IGrantOffer {
  /** Minutes offered by default. */
  minutes: number;
  /** Default cap in the token's units, as decimal text. */
  cap: string;
  tokenSymbol: string;
  /** The scope in sentences (grantScopeWords), every one shown. */
  scope: string[];
  /** The dialog is itself the grant request (%ocean grant): no tick box. */
  explicit?: boolean;
}

/** What the person answered; a grant only when they ticked the offer. */
export interface IConfirmAnswer {
  approved: boolean;
  grant?: { minutes: number; cap: string };
}

/** Shows a confirmation; approved only when the person confirmed. */
export type Confirmer = (
  confirmation: IConfirmation
) => Promise<boolean | IConfirmAnswer>;

/** A Confirmer's answer, either shape, as one. */
export function confirmAnswer(
  answer: boolean | IConfirmAnswer
): IConfirmAnswer {
  return typeof answer === 'boolean' ? { approved: answer } : answer;
}
