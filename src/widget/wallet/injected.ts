/**
 * EIP-6963: browser wallets announce themselves with an event carrying an
 * EIP-1193 provider and some display info. We listen, ask once, and keep
 * the list; the info is untrusted (names are text, icons only data: URIs).
 */
import { Signal, type ISignal } from '@lumino/signaling';
import type { IEip1193Provider, IInjectedWallet } from './wallet';

interface IAnnounceDetail {
  info?: { uuid?: unknown; name?: unknown; icon?: unknown; rdns?: unknown };
  provider?: IEip1193Provider;
}

export class InjectedWallets {
  private _wallets = new Map<string, IInjectedWallet>();
  private _changed = new Signal<InjectedWallets, void>(this);

  constructor(private readonly _window: Window = window) {
    _window.addEventListener('eip6963:announceProvider', this._onAnnounce);
    this.refresh();
  }

  get changed(): ISignal<InjectedWallets, void> {
    return this._changed;
  }

  get wallets(): IInjectedWallet[] {
    return [...this._wallets.values()];
  }

  get(uuid: string): IInjectedWallet | undefined {
    return this._wallets.get(uuid);
  }

  /** Asks every installed wallet to announce itself (again). */
  refresh(): void {
    this._window.dispatchEvent(new Event('eip6963:requestProvider'));
  }

  dispose(): void {
    this._window.removeEventListener(
      'eip6963:announceProvider',
      this._onAnnounce
    );
  }

  private _onAnnounce = (event: Event): void => {
    const detail = (event as CustomEvent<IAnnounceDetail>).detail;
    const info = detail?.info;
    const provider = detail?.provider;
    if (
      !info ||
      typeof info.uuid !== 'string' ||
      !provider ||
      typeof provider.request !== 'function'
    ) {
      return;
    }
    const icon =
      typeof info.icon === 'string' && /^data:image\//.test(info.icon)
        ? info.icon
        : '';
    this._wallets.set(info.uuid, {
      uuid: info.uuid,
      name: String(info.name ?? 'Browser wallet').slice(0, 40),
      icon,
      rdns: String(info.rdns ?? '').slice(0, 100),
      provider
    });
    this._changed.emit();
  };
}
