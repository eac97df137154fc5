/**
 * A flow of several signatures (approve, buy, order; publish's seven)
 * told to the wallet's dialog as it goes: what the whole flow does, which
 * step this is of how many, its whole cost, and names for the addresses it
 * uses ("the fixed-rate exchange selling Weather 2024"). The flow plans
 * its steps before the first one, so the first dialog already shows the
 * total; each request the flow's signer makes is the next step.
 */
import type { IWalletFlowStep, IWalletRequester } from '../tokens';
import { visibleText } from './visible-text';

export class FlowSteps {
  constructor(
    /** e.g. "Get access to Weather 2024". */
    title: string,
    /** The planned number of signatures. */
    private _steps: number,
    /** The whole cost in words, e.g. "2.002 OCEAN and network fees". */
    readonly total?: string
  ) {
    // Titles and names carry DDO names (a compute job's come from raw
    // DDOs): shown in the signing dialog, so hidden characters are tagged.
    this.title = visibleText(title);
  }

  /** e.g. "Get access to Weather 2024", hidden characters made visible. */
  readonly title: string;

  /** Names the flow gives addresses, lower-case keys. */
  readonly names: Record<string, string> = {};

  /** Calls `address` `words` in this flow's dialogs. */
  name(address: string | undefined | null, words: string): this {
    if (address && /^0x[0-9a-fA-F]{40}$/.test(address)) {
      this.names[address.toLowerCase()] = visibleText(words);
    }
    return this;
  }

  /** Steps taken so far. */
  get taken(): number {
    return this._taken;
  }

  /** The next request's place (a flow that asks more than planned counts on). */
  next(): IWalletFlowStep {
    this._taken += 1;
    this._steps = Math.max(this._steps, this._taken);
    return {
      title: this.title,
      step: this._taken,
      steps: this._steps,
      ...(this.total ? { total: this.total } : {}),
      names: { ...this.names }
    };
  }

  /** `requester` for the next request, carrying its step. */
  requester(requester: IWalletRequester): IWalletRequester {
    return { ...requester, flow: this.next() };
  }

  private _taken = 0;
}

/**
 * `signer` with each of its requests told as the next step of `flow`, when
 * it is the wallet's signer (a plain ethers Wallet in tests has no dialog
 * to tell and is returned as it is).
 */
export function withFlow<T>(signer: T, flow: FlowSteps): T {
  const flowing = signer as unknown as {
    withFlow?: (flow: FlowSteps) => T;
  };
  return typeof flowing?.withFlow === 'function'
    ? flowing.withFlow(flow)
    : signer;
}
