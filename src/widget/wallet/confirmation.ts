/**
 * The shape of what the one confirmation dialog shows. The wallet builds it
 * (describe.ts), the dialog only renders it: every string here is plain text
 * and may come from untrusted callers or networks.
 */
import type { IWalletRequester } from '../../tokens';

export interface IConfirmationRow {
  label: string;
  value: string;
  /** Render in a monospace font (addresses, hashes, raw values). */
  mono?: boolean;
  /** Indentation depth for nested values (tuples). */
  depth?: number;
}

export interface IConfirmation {
  kind: 'transaction' | 'message' | 'typedData' | 'switchNetwork';
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
}

/** Shows a confirmation; resolves true only when the person confirmed. */
export type Confirmer = (confirmation: IConfirmation) => Promise<boolean>;
