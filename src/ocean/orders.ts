/**
 * Finding an order an account already paid for, so nobody pays twice.
 *
 * Two sources, checked in this order: the orders this browser remembers
 * (kept in localStorage, so they survive reloads), and the chain itself
 * (OrderStarted events for the account on the service's datatoken), which
 * also finds orders paid from another machine or before the memory existed.
 * A remembered order is trusted only once its transaction is found on chain:
 * the local chain starts anew with each `npm start`.
 */
import type { IOceanAccessGrant } from '../tokens';

/** keccak256 of the event signatures in Ocean's ERC20 templates. */
export const ORDER_STARTED_TOPIC =
  '0xe1c4fa794edfa8f619b8257a077398950357b9c6398528f94480307352f9afcc';
export const PROVIDER_FEE_TOPIC =
  '0xf8ed11cdaaf10eca2b6c941fb802cb8682afe86cac1eb93f70d0780fa062c544';

export const ORDER_EVENTS_ABI = [
  'event OrderStarted(address indexed consumer, address payer, uint256 amount, uint256 serviceIndex, uint256 timestamp, address indexed publishMarketAddress, uint256 blockNumber)',
  'event ProviderFee(address indexed providerFeeAddress, address indexed providerFeeToken, uint256 providerFeeAmount, bytes providerData, uint8 v, bytes32 r, bytes32 s, uint256 validUntil)'
];

/** The part of Web Storage the memory uses (localStorage in the browser). */
export interface IKeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const STORAGE_KEY = 'jupyterlab-ocean:orders:v1';
/** An order about to expire is not worth reusing: the download might fail. */
export const EXPIRY_MARGIN_MS = 60_000;

/** Orders this browser paid for, per chain, asset, service and account. */
export class OrderMemory {
  constructor(private _store: IKeyValueStore | null) {}

  private _read(): IOceanAccessGrant[] {
    try {
      const raw = this._store?.getItem(STORAGE_KEY);
      const list = raw ? JSON.parse(raw) : [];
      return Array.isArray(list) ? list : [];
    } catch {
      return [];
    }
  }

  private _write(list: IOceanAccessGrant[]): void {
    try {
      this._store?.setItem(STORAGE_KEY, JSON.stringify(list));
    } catch (error) {
      console.warn('jupyterlab-ocean: could not remember an order:', error);
    }
  }

  /** Remembered orders for this account and service, newest first. */
  find(
    chainId: number,
    did: string,
    serviceId: string,
    consumer: string,
    now = Date.now()
  ): IOceanAccessGrant[] {
    return this._read()
      .filter(
        grant =>
          grant.chainId === chainId &&
          grant.did === did &&
          grant.serviceId === serviceId &&
          grant.consumer.toLowerCase() === consumer.toLowerCase() &&
          (grant.validUntil === null ||
            grant.validUntil > now + EXPIRY_MARGIN_MS)
      )
      .reverse();
  }

  remember(grant: IOceanAccessGrant): void {
    const now = Date.now();
    // Expired orders are of no use: keep the list short.
    const kept = this._read().filter(
      entry =>
        entry.orderTxId !== grant.orderTxId &&
        (entry.validUntil === null || entry.validUntil > now)
    );
    kept.push({ ...grant, reused: false });
    this._write(kept.slice(-500));
  }

  forget(orderTxId: string): void {
    this._write(this._read().filter(entry => entry.orderTxId !== orderTxId));
  }
}

/** An order event decoded from the chain. */
export interface IChainOrder {
  txHash: string;
  serviceIndex: number;
  /** Chain seconds the order started. */
  timestamp: number;
  /** Chain seconds the provider fee stops being valid; 0 = never. */
  feeValidUntil: number;
}

/** When an order stops being usable, in epoch ms (null = never). */
export function orderExpiry(
  order: IChainOrder,
  serviceTimeout: number
): number | null {
  const ends: number[] = [];
  if (serviceTimeout > 0) {
    ends.push(order.timestamp + serviceTimeout);
  }
  if (order.feeValidUntil > 0) {
    ends.push(order.feeValidUntil);
  }
  return ends.length ? Math.min(...ends) * 1000 : null;
}

/**
 * The newest order of `consumer` for `serviceIndex` that is still valid at
 * chain time `nowSeconds`, or null.
 */
export function pickValidOrder(
  orders: IChainOrder[],
  serviceIndex: number,
  serviceTimeout: number,
  nowSeconds: number
): IChainOrder | null {
  const usable = orders
    .filter(order => order.serviceIndex === serviceIndex)
    .filter(order => {
      const expiry = orderExpiry(order, serviceTimeout);
      return expiry === null || expiry > nowSeconds * 1000 + EXPIRY_MARGIN_MS;
    })
    .sort((a, b) => b.timestamp - a.timestamp);
  return usable[0] ?? null;
}
