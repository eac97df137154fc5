/**
 * The ethers v6 Signer IWallet.getSigner hands out. It holds no key: every
 * signature and transaction becomes an EIP-1193 request to the wallet, which
 * shows the confirmation dialog naming the requester.
 */
import {
  AbstractSigner,
  getBytes,
  hexlify,
  resolveAddress,
  toBeHex,
  toUtf8Bytes,
  type JsonRpcProvider,
  type Provider,
  type TransactionLike,
  type TransactionRequest,
  type TransactionResponse,
  type TypedDataDomain,
  type TypedDataField
} from 'ethers';
import { errorWords, OceanError } from '../../errors';
import type { FlowSteps } from '../../ocean/flow';
import type { INodeRequestHint } from '../../ocean/wallet-decode';
import type { IWallet, IWalletRequester } from '../../tokens';

export class WalletSigner extends AbstractSigner<JsonRpcProvider> {
  private _hint: INodeRequestHint | undefined;
  private _flow: FlowSteps | undefined;

  constructor(
    private readonly _wallet: IWallet,
    private readonly _requester: IWalletRequester,
    private readonly _address: string,
    provider: JsonRpcProvider
  ) {
    super(provider);
  }

  /**
   * A signer whose next Ocean Node signature carries `hint` ("download
   * dataset X"): the dialog shows it after checking that the signed hash
   * really is that command.
   */
  withNodeRequest(hint: INodeRequestHint): WalletSigner {
    const signer = new WalletSigner(
      this._wallet,
      this._requester,
      this._address,
      this.provider
    );
    signer._hint = hint;
    signer._flow = this._flow;
    return signer;
  }

  /**
   * A signer whose every request is the next step of `flow`: the dialog
   * says which step of how many, the flow's total and its names.
   */
  withFlow(flow: FlowSteps): WalletSigner {
    const signer = new WalletSigner(
      this._wallet,
      this._requester,
      this._address,
      this.provider
    );
    signer._hint = this._hint;
    signer._flow = flow;
    return signer;
  }

  /** Who asks, with the flow's next step when there is a flow. */
  private _next(): IWalletRequester {
    return this._flow ? this._flow.requester(this._requester) : this._requester;
  }

  async getAddress(): Promise<string> {
    return this._address;
  }

  connect(provider: Provider | null): WalletSigner {
    // The wallet always sends on the active network; another provider would
    // only confuse reads and writes.
    if (provider && provider !== this.provider) {
      const signer = new WalletSigner(
        this._wallet,
        this._requester,
        this._address,
        provider as JsonRpcProvider
      );
      signer._hint = this._hint;
      signer._flow = this._flow;
      return signer;
    }
    return this;
  }

  async signTransaction(_tx: TransactionRequest): Promise<string> {
    throw new OceanError(
      4200,
      'The wallet signs transactions only to send them (sendTransaction), so each one is confirmed and tracked.'
    );
  }

  async sendTransaction(tx: TransactionRequest): Promise<TransactionResponse> {
    const request: Record<string, unknown> = {
      from: this._address
    };
    if (tx.to !== undefined && tx.to !== null) {
      request.to = await resolveAddress(tx.to, this.provider);
    }
    if (tx.data) {
      request.data = hexlify(tx.data);
    }
    for (const field of [
      'value',
      'gasLimit',
      'gasPrice',
      'maxFeePerGas',
      'maxPriorityFeePerGas',
      'chainId'
    ] as const) {
      const value = (tx as TransactionLike)[field];
      if (value !== undefined && value !== null) {
        request[field === 'gasLimit' ? 'gas' : field] = toBeHex(
          BigInt(value as bigint)
        );
      }
    }
    const hash = (await this._wallet.request(
      { method: 'eth_sendTransaction', params: [request] },
      this._next()
    )) as string;
    // The node that accepted the transaction knows it at once; a short wait
    // covers RPCs behind load balancers.
    for (let attempt = 0; attempt < 50; attempt++) {
      const response = await this.provider.getTransaction(hash);
      if (response) {
        return response;
      }
      await new Promise(resolve => setTimeout(resolve, 200));
    }
    throw new OceanError(
      'OCEAN_NETWORK_UNREACHABLE',
      errorWords.__(
        "The transaction %1 was sent but the network does not show it yet; check the wallet's activity.",
        hash
      )
    );
  }

  async signMessage(message: string | Uint8Array): Promise<string> {
    const bytes = typeof message === 'string' ? toUtf8Bytes(message) : message;
    const params: unknown[] = [hexlify(bytes), this._address];
    if (this._hint) {
      params.push(this._hint);
    }
    return (await this._wallet.request(
      { method: 'personal_sign', params },
      this._next()
    )) as string;
  }

  /**
   * @oceanprotocol/lib falls back to this on chain 8996; it is the same
   * EIP-191 signature as signMessage.
   */
  async _legacySignMessage(message: string | Uint8Array): Promise<string> {
    return this.signMessage(
      typeof message === 'string' && /^0x/.test(message)
        ? getBytes(message)
        : message
    );
  }

  async signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>
  ): Promise<string> {
    const primaryType = Object.keys(types).find(
      name =>
        !Object.values(types).some(fields =>
          fields.some(field => field.type.replace(/\[\d*\]$/, '') === name)
        )
    );
    const payload = {
      domain: JSON.parse(
        JSON.stringify(domain, (_key, v) =>
          typeof v === 'bigint' ? v.toString() : v
        )
      ),
      types,
      primaryType,
      message: JSON.parse(
        JSON.stringify(value, (_key, v) =>
          typeof v === 'bigint' ? v.toString() : v
        )
      )
    };
    return (await this._wallet.request(
      {
        method: 'eth_signTypedData_v4',
        params: [this._address, JSON.stringify(payload)]
      },
      this._next()
    )) as string;
  }
}
