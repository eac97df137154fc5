/**
 * The live wallet widget behind `%ocean wallet` (Python) and
 * `ocean.wallet()` (Deno): a Jupyter widget (protocol 2.1, built on
 * @jupyter-widgets/base) whose model the kernel opens and the browser keeps
 * current from the wallet itself: account, network, lock state, balances.
 *
 * The model, not the view, follows the wallet, so every view of one model
 * (the same widget shown twice, or inside an ipywidgets HBox) agrees. For
 * Python kernels the model also syncs its state back over the comm, so
 * `w.status` or `w.account` in a later cell is current; Deno cannot receive
 * comm messages, so its models are display-only.
 *
 * The account is put in the model only when the kernel session that made
 * the widget was given it (the share-once permission); the view shows
 * nothing the kernel may not know. Loaded lazily by widget-plugin.ts, so
 * @jupyter-widgets/base is only needed where a widget is shown.
 */
import {
  DOMWidgetModel,
  DOMWidgetView,
  type ExportMap,
  type IBackboneModelOptions
} from '@jupyter-widgets/base';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { INetworkRegistry, IWallet } from '../tokens';
import type { KernelBridge } from '../kernel-bridge/bridge';
import { WALLET_WIDGET } from '../kernel-bridge/protocol';

export interface IWalletWidgetContext {
  wallet: IWallet | null;
  networks: INetworkRegistry | null;
  bridge: KernelBridge | null;
  trans: TranslationBundle;
  /** Balances of `account` on the active network (ocean/balances.ts). */
  readBalances(account: string): Promise<IWidgetBalances>;
}

export interface IWidgetBalances {
  native: string;
  ocean: string | null;
  tokens: Array<{ symbol: string; balance: string; name: string }>;
}

/** How often a shown widget re-reads balances (new blocks, incoming coins). */
const BALANCE_REFRESH_MS = 4000;

/** The model and view classes, bound to this lab's wallet. */
export function walletWidgetExports(context: IWalletWidgetContext): ExportMap {
  const { trans } = context;
  class OceanWalletModel extends DOMWidgetModel {
    defaults() {
      return {
        ...super.defaults(),
        _model_name: WALLET_WIDGET.model,
        _model_module: WALLET_WIDGET.module,
        _model_module_version: WALLET_WIDGET.range,
        _view_name: WALLET_WIDGET.view,
        _view_module: WALLET_WIDGET.module,
        _view_module_version: WALLET_WIDGET.range,
        key: '',
        kernel: 'python',
        account: null,
        account_name: null,
        status: 'none',
        chain_id: 0,
        network: '',
        native_symbol: 'ETH',
        native: null,
        ocean: null,
        tokens: [],
        error: null
      };
    }

    initialize(
      attributes: Record<string, unknown>,
      options: IBackboneModelOptions
    ): void {
      super.initialize(attributes, options);
      context.wallet?.stateChanged.connect(this._onChange, this);
      context.networks?.changed.connect(this._onChange, this);
      this.once('destroy', () => this._dispose());
      this.once('comm:close', () => this._dispose());
      this._onChange();
    }

    /** A view started or stopped showing this model. */
    attachView(delta: 1 | -1): void {
      this._views += delta;
      window.clearInterval(this._timer);
      this._timer = undefined;
      if (this._views > 0 && !this._disposed) {
        this._timer = window.setInterval(
          () => void this._refreshBalances(),
          BALANCE_REFRESH_MS
        );
      }
    }

    private _onChange(): void {
      if (this._disposed) {
        return;
      }
      const wallet = context.wallet?.state;
      const network = context.networks?.active;
      const session = context.bridge?.widgetSession(String(this.get('key')));
      // Only an account shared with this kernel (consent is per account).
      const account =
        wallet?.account && session?.hasShared(wallet.account)
          ? wallet.account
          : null;
      const changed = account !== this.get('account');
      this._set({
        status: wallet?.status ?? 'none',
        account,
        account_name: account
          ? (wallet?.accounts.find(a => a.address === account)?.name ?? null)
          : null,
        chain_id: wallet?.chainId ?? network?.chainId ?? 0,
        network: network?.name ?? '',
        native_symbol: network?.nativeSymbol ?? 'ETH',
        ...(changed || !account
          ? { native: null, ocean: null, tokens: [] }
          : {})
      });
      void this._refreshBalances();
    }

    private async _refreshBalances(): Promise<void> {
      const account = this.get('account') as string | null;
      if (!account || this._disposed || this._reading) {
        return;
      }
      this._reading = true;
      const chainId = this.get('chain_id');
      try {
        const balances = await context.readBalances(account);
        // A switch while reading makes the result stale.
        if (
          this.get('account') === account &&
          this.get('chain_id') === chainId
        ) {
          this._set({
            native: balances.native,
            ocean: balances.ocean,
            tokens: balances.tokens,
            error: null
          });
        }
      } catch (error) {
        this._set({
          error: trans.__(
            'Balances could not be read: %1',
            String((error as Error).message ?? error).slice(0, 200)
          )
        });
      } finally {
        this._reading = false;
      }
    }

    /**
     * Sets attributes and, for Python kernels, sends what changed. JSON
     * comparison keeps unchanged balances from travelling every refresh.
     */
    private _set(values: Record<string, unknown>): void {
      const changed: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(values)) {
        if (JSON.stringify(this.get(name)) !== JSON.stringify(value)) {
          changed[name] = value;
        }
      }
      if (!Object.keys(changed).length) {
        return;
      }
      this.set(changed);
      if (this.get('kernel') === 'python' && this.comm_live) {
        this.save_changes();
      }
    }

    private _dispose(): void {
      this._disposed = true;
      window.clearInterval(this._timer);
      context.wallet?.stateChanged.disconnect(this._onChange, this);
      context.networks?.changed.disconnect(this._onChange, this);
    }

    private _views = 0;
    private _timer: number | undefined;
    private _reading = false;
    private _disposed = false;
  }

  class OceanWalletView extends DOMWidgetView {
    render(): void {
      this.el.classList.add('jp-OceanWalletWidget');
      (this.model as OceanWalletModel).attachView(1);
      this.listenTo(this.model, 'change', () => this._render());
      this._render();
    }

    remove(): this {
      (this.model as OceanWalletModel).attachView(-1);
      return super.remove();
    }

    /** Plain DOM with textContent only: names come from networks and tokens. */
    private _render(): void {
      const get = (name: string) => this.model.get(name);
      const row = (field: string, label: string, value: string) => {
        const dt = document.createElement('dt');
        dt.textContent = label;
        const dd = document.createElement('dd');
        dd.dataset.field = field;
        dd.textContent = value;
        return [dt, dd];
      };
      const status = String(get('status'));
      const account = get('account') as string | null;
      const accountText = account
        ? `${account}${get('account_name') ? ` (${get('account_name')})` : ''}`
        : status === 'none'
          ? trans.__('No wallet yet: create or import one in the Ocean panel.')
          : status === 'locked'
            ? trans.__('Locked: unlock it in the Ocean panel.')
            : trans.__('Not shared with this notebook.');
      const tokens = (get('tokens') ?? []) as IWidgetBalances['tokens'];
      const balanceText = account
        ? get('native') === null
          ? trans.__('reading…')
          : [
              `${get('native')} ${get('native_symbol')}`,
              ...tokens.map(t => `${t.balance} ${t.symbol}`)
            ].join(' · ')
        : '—';
      const title = document.createElement('div');
      title.className = 'jp-OceanWalletWidget-title';
      title.textContent = trans.__('Ocean wallet');
      const badge = document.createElement('span');
      badge.className = 'jp-OceanWalletWidget-status';
      badge.dataset.status = status;
      badge.textContent =
        status === 'unlocked'
          ? trans.__('unlocked')
          : status === 'locked'
            ? trans.__('locked')
            : trans.__('no wallet');
      title.append(' ', badge);
      const list = document.createElement('dl');
      list.append(
        ...row('account', trans.__('Account'), accountText),
        ...row(
          'network',
          trans.__('Network'),
          trans.__('%1 (chain %2)', get('network'), get('chain_id'))
        ),
        ...row('balances', trans.__('Balances'), balanceText)
      );
      const children: HTMLElement[] = [title, list];
      if (get('error')) {
        const error = document.createElement('p');
        error.className = 'jp-OceanWalletWidget-error';
        error.textContent = String(get('error'));
        children.push(error);
      }
      this.el.replaceChildren(...children);
      this.el.dataset.status = status;
    }
  }

  return { OceanWalletModel, OceanWalletView };
}
