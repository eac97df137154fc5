/**
 * The Ocean client's side of EIP-5792 (issue 17 item 3): when the wallet
 * offers `wallet_sendCalls`, a flow's independent transactions (approve +
 * buy + order, dispense + order) go as one batch, so the person approves
 * them in one dialog; a wallet without it (a browser wallet) gets them one
 * transaction at a time, as before.
 *
 * The calls are encoded here, not by @oceanprotocol/lib's `…Tx` helpers:
 * those estimate gas when they build the transaction, and a buy estimated
 * before its approval is mined (or an order before its datatoken is
 * bought) would fail. The wallet estimates each call just before sending
 * it, once the one before is mined.
 */
import { errorWords, OceanError } from '../errors';
import type { IWallet, IWalletRequester } from '../tokens';
import { OCEAN_CALL_ABI } from './wallet-abis';
import type { Ethers } from './lib';

const ZERO = '0x0000000000000000000000000000000000000000';

export interface ICall {
  to: string;
  data: string;
  value?: string;
}

/** True when the wallet runs batches for this requester (wallet_getCapabilities answers). */
export async function walletBatches(
  wallet: IWallet,
  requester: IWalletRequester,
  chainId: number
): Promise<boolean> {
  try {
    const answer = (await wallet.request(
      { method: 'wallet_getCapabilities', params: [] },
      requester
    )) as Record<string, unknown> | null;
    return !!answer && '0x' + chainId.toString(16) in answer;
  } catch {
    // 4200 from a browser wallet, or anything else: one at a time.
    return false;
  }
}

/** The calls of an exchange purchase of datatokens. */
export function buyCall(
  ethers: Ethers,
  exchange: string,
  exchangeId: string,
  datatokenAmount: bigint,
  maxBaseTokenAmount: bigint
): ICall {
  const calls = new ethers.Interface(OCEAN_CALL_ABI as string[]);
  return {
    to: exchange,
    data: calls.encodeFunctionData('buyDT', [
      exchangeId,
      datatokenAmount,
      maxBaseTokenAmount,
      ZERO,
      0n
    ])
  };
}

/** Taking free datatokens from a dispenser. */
export function dispenseCall(
  ethers: Ethers,
  dispenser: string,
  datatoken: string,
  amount: bigint,
  destination: string
): ICall {
  const calls = new ethers.Interface(OCEAN_CALL_ABI as string[]);
  return {
    to: dispenser,
    data: calls.encodeFunctionData('dispense', [datatoken, amount, destination])
  };
}

/** The node's provider fee as initialize returns it. */
export interface IProviderFee {
  providerFeeAddress: string;
  providerFeeToken: string;
  providerFeeAmount: string | number | bigint;
  v: number | string;
  r: string;
  s: string;
  validUntil: string | number | bigint;
  providerData: string;
}

/** startOrder on the datatoken, with the node's provider fee and no market fee. */
export function orderCall(
  ethers: Ethers,
  datatoken: string,
  consumer: string,
  serviceIndex: number,
  fee: IProviderFee
): ICall {
  const calls = new ethers.Interface(OCEAN_CALL_ABI as string[]);
  return {
    to: datatoken,
    data: calls.encodeFunctionData('startOrder', [
      consumer,
      serviceIndex,
      [
        fee.providerFeeAddress,
        fee.providerFeeToken,
        BigInt(String(fee.providerFeeAmount ?? 0)),
        Number(fee.v),
        fee.r,
        fee.s,
        BigInt(String(fee.validUntil ?? 0)),
        fee.providerData
      ],
      [ZERO, ZERO, 0n]
    ])
  };
}

/** The run-log words (running-flows.ts) for each step a purchase batches. */
const STEP_OF_FUNCTION: Record<string, string> = {
  approve: 'approve',
  buyDT: 'buy',
  dispense: 'dispense',
  mint: 'mint',
  startOrder: 'order'
};

/**
 * The transactions a stopped batch had done, by step: the wallet's
 * OCEAN_BATCH_STOPPED (batch.ts) lists their hashes in call order, and
 * `calls` says what each was. A flow told of a network switch under it
 * names them (the mined approve, say) instead of "nothing was sent".
 */
export function batchDone(
  ethers: Ethers,
  calls: ReadonlyArray<ICall>,
  error: unknown
): Array<{ step: string; hash: string }> {
  const done = (error as { details?: { done?: unknown } })?.details?.done;
  if (!Array.isArray(done)) {
    return [];
  }
  const abi = new ethers.Interface([
    ...(OCEAN_CALL_ABI as string[]),
    'function approve(address spender, uint256 value)'
  ]);
  return done
    .filter((hash): hash is string => typeof hash === 'string')
    .map((hash, index) => {
      let name = '';
      try {
        name = abi.parseTransaction({ data: calls[index]?.data ?? '0x' })
          ?.name as string;
      } catch {
        // Not one of ours: told by its place in the batch.
      }
      return {
        step: STEP_OF_FUNCTION[name] ?? `step ${index + 1}`,
        hash
      };
    });
}

/**
 * Sends `calls` as one batch and waits for all of them; resolves with the
 * last call's transaction hash and block. A failure names the step and
 * what was done (the wallet's OCEAN_BATCH_STOPPED).
 */
export async function sendBatch(
  wallet: IWallet,
  requester: IWalletRequester,
  chainId: number,
  account: string,
  calls: ICall[],
  /** The node sign-in the batch's dialog also names (the wallet's flow-sign-in.ts). */
  signIn?: { nonce: string }
): Promise<{ hash: string; blockNumber: number; hashes: string[] }> {
  const { id } = (await wallet.request(
    {
      method: 'wallet_sendCalls',
      params: [
        {
          version: '2.0.0',
          from: account,
          chainId: '0x' + chainId.toString(16),
          atomicRequired: false,
          calls: calls.map(call => ({
            to: call.to,
            data: call.data,
            value: call.value ?? '0x0'
          })),
          ...(signIn
            ? { capabilities: { oceanNodeSignIn: { nonce: signIn.nonce } } }
            : {})
        }
      ]
    },
    requester
  )) as { id: string };
  const status = (await wallet.request(
    { method: 'wallet_getCallsStatus', params: [id] },
    requester
  )) as {
    status: number;
    receipts?: Array<{ transactionHash: string; blockNumber: string }>;
  };
  const receipts = status.receipts ?? [];
  const last = receipts[receipts.length - 1];
  if (status.status !== 200 || !last || receipts.length !== calls.length) {
    throw new OceanError(
      'OCEAN_TX_REVERTED',
      errorWords.__(
        "The wallet did not finish the %1 transactions (status %2). Check the wallet's activity.",
        calls.length,
        status.status
      ),
      { txHash: last?.transactionHash }
    );
  }
  return {
    hash: last.transactionHash,
    blockNumber: Number(BigInt(last.blockNumber)),
    hashes: receipts.map(r => r.transactionHash)
  };
}
