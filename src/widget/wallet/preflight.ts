/**
 * What the wallet learns about a transaction before its dialog: the
 * simulation (what the account gains and loses), the gas estimate, and
 * whether the network says it would fail. A transaction that would fail is
 * shown as such, with its reason and nothing to approve, even inside a
 * grant: nobody pays gas for a certain failure.
 */
import type { JsonRpcProvider, TransactionRequest } from 'ethers';
import type { TranslationBundle } from '@jupyterlab/translation';
import { simulateTransaction, type ISimulation } from '../../ocean/simulation';
import type { IOceanNetwork, IWalletRequester } from '../../tokens';
import type { IConfirmation } from './confirmation';
import type { ITransactionDescription } from './describe';
import { networkReason } from './wallet-requests';

/** What the network said before the dialog: it would go through (with its gas), or why not. */
export type PreflightResult =
  | { simulation: ISimulation; gasLimit: bigint; blocked: null }
  | { simulation: ISimulation; gasLimit?: bigint; blocked: string };

/** Simulates `tx` beside the gas estimate (skipped when the caller set a gas limit). */
export async function preflight(
  provider: JsonRpcProvider,
  network: IOceanNetwork,
  tx: { from: string; to: string | null; data: string; value: bigint },
  gasLimit: bigint | undefined,
  trans: TranslationBundle
): Promise<PreflightResult> {
  const simulating = simulateTransaction(provider, tx, {
    local: network.key === 'local'
  });
  let estimateFailure: string | null = null;
  if (gasLimit === undefined) {
    try {
      gasLimit = await provider.estimateGas({
        ...tx,
        chainId: network.chainId
      } as TransactionRequest);
    } catch (error) {
      estimateFailure = networkReason(error, 200);
    }
  }
  const simulation = await simulating;
  const refusal =
    simulation.outcome === 'revert'
      ? (simulation.revertReason ?? trans.__('no reason given'))
      : estimateFailure;
  if (refusal !== null || gasLimit === undefined) {
    return {
      simulation,
      gasLimit,
      blocked: refusal ?? trans.__('the network gave no gas estimate')
    };
  }
  return { simulation, gasLimit, blocked: null };
}

/** The dialog that shows a transaction the network says would fail: nothing to approve. */
export function wouldFail(
  trans: TranslationBundle,
  facts: {
    requester: IWalletRequester;
    network: IOceanNetwork;
    account: string;
    accountName: string;
    description: Pick<
      ITransactionDescription,
      'summary' | 'rows' | 'warnings' | 'raw'
    >;
    blocked: string;
  }
): IConfirmation {
  const { network, description } = facts;
  return {
    kind: 'transaction',
    title: trans.__('This transaction would fail'),
    requester: facts.requester,
    summary: description.summary,
    rows: description.rows,
    warnings: description.warnings,
    checks: [],
    raw: description.raw,
    blocked: facts.blocked,
    networkName: network.name,
    chainId: network.chainId,
    account: facts.account,
    accountName: facts.accountName
  };
}

/** The most a transaction may cost in fees, in the dialog's words. */
export function feeWords(
  trans: TranslationBundle,
  gasLimit: bigint,
  perGas: bigint,
  nativeSymbol: string
): string {
  return trans.__(
    'at most %1 %2 (gas %3 × %4 gwei)',
    formatNative(gasLimit * perGas),
    nativeSymbol,
    gasLimit.toLocaleString('en'),
    formatGwei(perGas)
  );
}

function formatNative(wei: bigint): string {
  const text = (Number(wei) / 1e18).toPrecision(4);
  return String(Number(text));
}

function formatGwei(wei: bigint): string {
  return String(Number((Number(wei) / 1e9).toPrecision(4)));
}
