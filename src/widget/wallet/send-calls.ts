/**
 * EIP-5792 batches for the built-in keys (wallet_sendCalls,
 * wallet_getCapabilities, wallet_getCallsStatus): every call described and
 * simulated for one dialog (or covered as a whole by the notebook's
 * grant), then signed, sent and mined one after the other. batch.ts holds
 * the rules (parsing, statuses, what a stop leaves done); this is the
 * wallet's side. The dialog and the keys are lent by the wallet for each
 * batch (IBatchHands), never kept here.
 */
import { toBeHex, type JsonRpcProvider, type TransactionRequest } from 'ethers';
import type { TranslationBundle } from '@jupyterlab/translation';
import { OceanError } from '../../errors';
import { waitForReceipt } from '../../ocean/chain';
import { simulateCalls } from '../../ocean/simulation';
import type { IOceanNetwork, IWalletRequester } from '../../tokens';
import {
  BatchBook,
  capabilities,
  parseSendCalls,
  runSequentially,
  type IBatchCall,
  type IBatchReceipt,
  type IBatchRequest,
  type IStepOutcome
} from './batch';
import type { IConfirmation } from './confirmation';
import {
  describeSimulation,
  describeTransaction,
  type INameBook
} from './describe';
import { SIGN_IN_COMMAND, type INodeSignIn } from './flow-sign-in';
import type { IApproval, WalletConfirmation } from './grant-desk';
import type { GrantRequest } from './grants';
import type { SignableTransaction } from './key-vault';
import { wouldFail } from './preflight';
import { networkReason, unsupported } from './wallet-requests';

export interface IBatchDeskOptions {
  trans: TranslationBundle;
  /** The wallet's active network and its read-only provider, now. */
  network: () => IOceanNetwork;
  provider: () => JsonRpcProvider;
  builtin: () => boolean;
  /** The wallet's accounts and the configured networks' chain ids. */
  accounts: () => ReadonlyArray<{ address: string }>;
  chainIds: () => number[];
}

/** What the wallet lends one batch: its names, its dialog, its keys, its activity log. */
export interface IBatchHands {
  book: INameBook;
  accountName: string;
  /** Shows a dialog with nothing to approve (a batch that would fail). */
  show: (confirmation: IConfirmation) => Promise<unknown>;
  /** The dialog, unless the notebook's grant covers every call. */
  approve: (
    confirmation: WalletConfirmation,
    requests: GrantRequest[]
  ) => Promise<IApproval>;
  /** Records what was signed under a grant; its words for the activity list. */
  used: (approval: IApproval, summary: string) => string | undefined;
  /** Signs one complete transaction with the account's key. */
  sign: (tx: SignableTransaction) => Promise<string>;
  /** Records a sent transaction and follows it until it is mined. */
  track: (
    hash: string,
    network: IOceanNetwork,
    summary: string,
    extra: { grant?: string }
  ) => void;
  /** The error when a step's transaction vanished unsent. */
  unsent: () => OceanError;
  /** Records the node sign-in this batch's dialog named (flow-sign-in.ts). */
  approveSignIn: (signIn: INodeSignIn, network: IOceanNetwork) => void;
}

export class BatchDesk {
  private _batches = new BatchBook();

  constructor(private readonly _options: IBatchDeskOptions) {}

  /** wallet_getCallsStatus. */
  status(id: unknown): ReturnType<BatchBook['status']> {
    return this._batches.status(id);
  }

  /**
   * EIP-5792 for the built-in keys: calls run one after the other, never
   * atomically. A browser wallet is asked one transaction at a time, so the
   * capability is refused there (4200) and callers fall back.
   */
  capabilities(params: unknown[]): Record<string, unknown> {
    const trans = this._options.trans;
    if (!this._options.builtin()) {
      throw unsupported(
        trans,
        'wallet_getCapabilities',
        trans.__(
          'The browser wallet in use is asked one transaction at a time.'
        )
      );
    }
    const [address, chains] = params as [unknown, unknown];
    if (
      address !== undefined &&
      !this._options
        .accounts()
        .some(a => a.address.toLowerCase() === String(address).toLowerCase())
    ) {
      throw new OceanError(
        4100,
        trans.__(
          '%1 is not an account of this wallet.',
          String(address).slice(0, 42)
        )
      );
    }
    const known = this._options.chainIds();
    const wanted = Array.isArray(chains)
      ? chains.map(c => Number(BigInt(String(c))))
      : known;
    return capabilities(wanted.filter(id => known.includes(id)));
  }

  /** Refuses a browser wallet, before anything is unlocked. */
  checkBuiltin(): void {
    if (!this._options.builtin()) {
      const trans = this._options.trans;
      throw unsupported(
        trans,
        'wallet_sendCalls',
        trans.__(
          'The browser wallet in use is asked one transaction at a time.'
        )
      );
    }
  }

  /** The calls as sent, checked (batch.ts), for `account` on the active network. */
  parse(params: unknown[], account: string): IBatchRequest {
    return parseSendCalls(params, account, this._options.network().chainId);
  }

  /**
   * wallet_sendCalls: every call described in one dialog (or covered as a
   * whole by the notebook's grant), then sent one after the other, each
   * mined before the next; resolves with the batch id once all are mined,
   * or stops at the first failure naming what was done (batch.ts).
   */
  async send(
    request: IBatchRequest,
    account: string,
    requester: IWalletRequester,
    hands: IBatchHands,
    signIn?: INodeSignIn
  ): Promise<{ id: string }> {
    const trans = this._options.trans;
    const network = this._options.network();
    const provider = this._options.provider();
    const descriptions = await Promise.all(
      request.calls.map(call =>
        describeTransaction({
          provider,
          network,
          account,
          to: call.to,
          value: call.value,
          data: call.data,
          book: hands.book,
          trans
        })
      )
    );
    const total = request.calls.length;
    // The whole batch simulated before its one dialog (simulation.ts):
    // chained where the network has eth_simulateV1, call by call elsewhere.
    const simulation = await simulateCalls(
      provider,
      request.calls.map(call => ({ from: account, ...call })),
      { local: network.key === 'local' }
    );
    if (simulation.failedCall !== undefined) {
      const step = simulation.failedCall;
      const why = trans.__(
        'step %1 of %2 would fail: %3',
        step + 1,
        total,
        simulation.revertReason ?? trans.__('no reason given')
      );
      await hands.show(
        wouldFail(trans, {
          requester,
          network,
          account,
          accountName: hands.accountName,
          description: {
            summary: descriptions[step].summary,
            rows: descriptions[step].rows,
            warnings: [],
            raw: request.calls[step].data
          },
          blocked: why
        })
      );
      throw new OceanError(
        'OCEAN_TX_REVERTED',
        trans.__('The network says %1. Nothing was sent.', why),
        { reason: simulation.revertReason, step: step + 1 }
      );
    }
    const simulated = await describeSimulation(
      provider,
      simulation,
      network,
      hands.book,
      trans
    );
    const rows = descriptions.flatMap((description, index) => [
      {
        label: trans.__('Step %1 of %2', index + 1, total),
        value: description.summary
      },
      ...description.rows.map(row => ({
        ...row,
        depth: (row.depth ?? 0) + 1
      }))
    ]);
    const warnings = descriptions.flatMap((description, index) =>
      description.warnings.map(w => trans.__('Step %1: %2', index + 1, w))
    );
    const summaries = descriptions.map(d => d.summary);
    const summary =
      total === 1
        ? summaries[0]
        : trans.__(
            '%1 transactions, sent one after the other after this one approval: %2',
            total,
            summaries.map((s, i) => `${i + 1}. ${s}`).join(' ')
          );
    if (signIn) {
      rows.push({
        label: trans.__('Then'),
        value: trans.__(
          'Sign in to the Ocean Node at %1 to download (%2, nonce %3): one signature, no transaction and no cost. The node accepts the token it gives for requests in your account’s name until it expires.',
          network.nodeUrl,
          SIGN_IN_COMMAND,
          signIn.nonce
        )
      });
    }
    const approval = await hands.approve(
      {
        kind: 'transaction',
        title: signIn
          ? trans._n(
              'Confirm a transaction and sign in to the Ocean Node',
              'Confirm %1 transactions and sign in to the Ocean Node',
              total
            )
          : trans._n('Confirm a transaction', 'Confirm %1 transactions', total),
        requester,
        summary: signIn
          ? trans.__(
              '%1 Then, with this same approval, sign in to the Ocean Node at %2 to download.',
              summary,
              network.nodeUrl
            )
          : summary,
        rows,
        warnings: [
          ...(total > 1
            ? [
                trans.__(
                  'They are not atomic: each is sent once the one before is mined. If one fails, the later ones are not sent and the earlier ones stay done.'
                )
              ]
            : []),
          ...warnings
        ],
        checks: [],
        fee: trans.__(
          'each step pays its own network fee, estimated when it is sent'
        ),
        raw: request.calls.map(c => c.data).join('\n'),
        simulation: simulated
      },
      request.calls.map(call => ({ kind: 'transaction' as const, ...call }))
    );
    this._batches.start(request);
    const grantUsed = hands.used(
      approval,
      total === 1
        ? summaries[0]
        : trans.__('%1 transactions: %2', total, summaries.join(' '))
    );
    await runSequentially(
      this._batches,
      request,
      summaries,
      (call, index) =>
        this._step(call, account, network, provider, hands, {
          summary:
            total === 1
              ? summaries[0]
              : trans.__('Step %1/%2: %3', index + 1, total, summaries[index]),
          requester,
          grant: approval.asked ? undefined : grantUsed
        }),
      trans
    );
    // Only once the person read it in this dialog and every call was
    // mined; under a grant the sign-in is the grant's to cover.
    if (signIn && approval.asked) {
      hands.approveSignIn(signIn, network);
    }
    return { id: request.id };
  }

  /** Signs, sends and waits for one call of a batch (built-in keys only). */
  private async _step(
    call: IBatchCall,
    account: string,
    network: IOceanNetwork,
    provider: JsonRpcProvider,
    hands: IBatchHands,
    words: { summary: string; requester: IWalletRequester; grant?: string }
  ): Promise<IStepOutcome> {
    const trans = this._options.trans;
    if (this._options.network().chainId !== network.chainId) {
      throw new OceanError(
        4901,
        trans.__('The network changed while the calls were being sent.')
      );
    }
    const tx: TransactionRequest = {
      from: account,
      to: call.to,
      data: call.data,
      value: call.value,
      chainId: network.chainId
    };
    let gasLimit: bigint;
    try {
      gasLimit = await provider.estimateGas(tx);
    } catch (error) {
      throw new OceanError(
        'OCEAN_TX_REVERTED',
        trans.__(
          'the network says it would fail (%1)',
          networkReason(error, 200)
        )
      );
    }
    const fees = await provider.getFeeData();
    const eip1559 = fees.maxFeePerGas !== null;
    const nonce = await provider.getTransactionCount(account, 'pending');
    const raw = await hands.sign({
      type: eip1559 ? 2 : 0,
      to: call.to,
      data: call.data,
      value: call.value,
      chainId: BigInt(network.chainId),
      gasLimit,
      nonce,
      ...(eip1559
        ? {
            maxFeePerGas: fees.maxFeePerGas ?? 0n,
            maxPriorityFeePerGas: fees.maxPriorityFeePerGas ?? 0n
          }
        : { gasPrice: fees.gasPrice ?? 0n })
    });
    let hash: string;
    try {
      hash = (await provider.broadcastTransaction(raw)).hash;
    } catch (error) {
      throw new OceanError(
        'OCEAN_TX_REVERTED',
        trans.__('the network refused it: %1', networkReason(error, 300))
      );
    }
    hands.track(hash, network, words.summary, { grant: words.grant });
    const receipt = await waitForReceipt(
      { hash, provider },
      { unsent: hands.unsent, timeoutMs: 10 * 60_000 }
    );
    const out: IBatchReceipt = {
      transactionHash: hash,
      blockHash: receipt.blockHash,
      blockNumber: toBeHex(receipt.blockNumber),
      gasUsed: toBeHex(receipt.gasUsed),
      status: receipt.status === 1 ? '0x1' : '0x0',
      logs: receipt.logs.map(log => ({
        address: log.address,
        data: log.data,
        topics: [...log.topics]
      }))
    };
    return { hash, receipt: out };
  }
}
