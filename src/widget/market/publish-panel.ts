/**
 * The Publish sidebar tab: publish a workspace file or a URL as an Ocean asset, manage what the
 * account published (sales, revenue, price, withdraw, state) and run compute jobs on
 * compute-only datasets. The panel owns the state and does the work through the Ocean client
 * code (src/ocean/publish.ts, manage.ts, compute.ts) with the wallet's Signer, so every
 * signature passes the wallet's confirmation dialog; the Lit elements only render.
 */
import type { Contents } from '@jupyterlab/services';
import {
  nullTranslator,
  type TranslationBundle
} from '@jupyterlab/translation';
import { Signal, type ISignal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import {
  algorithmAssets,
  changePrice,
  listMyAssets,
  setAssetState,
  trustedAlgorithmFromNode,
  waitForNode,
  withdrawEarnings,
  type IMyAsset
} from '../../ocean/manage';
import { readWorkspaceFile } from '../../ocean/workspace';
import {
  publishAsset,
  type IPublished,
  type IPublishRequest
} from '../../ocean/publish';
import type { INetworkRegistry, IWallet, IWalletRequester } from '../../tokens';
import { OceanComputeView } from './compute-view';
import { OceanManageList, type ManageAction } from './manage-list';
import { OceanPurchaseList, type PurchaseAction } from './purchase-list';
import { listMyPurchases } from '../../ocean/purchases';
import { OceanPublishForm, type IPublishFormValues } from './publish-form';

function sentence(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

type Tab = 'publish' | 'manage' | 'compute';

export class OceanPublishPanel extends Widget {
  readonly form: OceanPublishForm;
  readonly manage: OceanManageList;
  /** "My purchases", shown under My assets. */
  readonly purchases: OceanPurchaseList;
  readonly compute: OceanComputeView;
  private _tabs: Record<Tab, HTMLElement>;
  private _sections: Record<Tab, HTMLElement>;
  private _assets: IMyAsset[] = [];
  private _published = new Signal<this, IPublished>(this);
  private readonly _requester: IWalletRequester;

  constructor(
    private readonly _networks: INetworkRegistry,
    private readonly _wallet: IWallet | null,
    private readonly _contents: Contents.IManager,
    private readonly _trans: TranslationBundle = nullTranslator.load(
      'jupyterlab_ocean'
    ),
    /** Adds a cell that loads `did` to the current notebook; its path, or null without one. */
    private readonly _loadInNotebook: (
      did: string
    ) => Promise<string | null> = async () => null
  ) {
    super();
    const trans = _trans;
    this._requester = {
      kind: 'panel',
      label: trans.__('The Ocean Publish panel')
    };
    this.id = 'jupyterlab-ocean-publish';
    this.addClass('jp-OceanPublishPanel');
    this.title.caption = trans.__('Ocean: publish, manage, compute');
    this.node.style.overflowY = 'auto';
    this.node.style.padding = '6px';

    const nav = document.createElement('nav');
    nav.setAttribute('role', 'tablist');
    nav.style.display = 'flex';
    nav.style.gap = '4px';
    nav.style.marginBottom = '6px';
    const makeTab = (tab: Tab, label: string) => {
      const button = document.createElement('button');
      button.textContent = label;
      button.setAttribute('role', 'tab');
      // A narrow sidebar must not break "My assets" over two lines.
      button.style.whiteSpace = 'nowrap';
      button.dataset.oceanTab = tab;
      button.className = 'jp-Button jp-mod-styled jp-mod-minimal';
      button.addEventListener('click', () => this.showTab(tab));
      nav.appendChild(button);
      return button;
    };
    this._tabs = {
      publish: makeTab('publish', trans.__('Publish')),
      manage: makeTab('manage', trans.__('My assets')),
      compute: makeTab('compute', trans.__('Compute'))
    };

    this.form = new OceanPublishForm();
    this.form.trans = trans;
    this.form.addEventListener('ocean-publish', event => {
      void this.publish((event as CustomEvent<IPublishFormValues>).detail);
    });
    this.form.addEventListener(
      'ocean-load-algorithms',
      () => void this.loadAlgorithms()
    );

    this.manage = new OceanManageList();
    this.manage.trans = trans;
    this.manage.addEventListener(
      'ocean-refresh',
      () => void this.refreshAssets()
    );
    this.manage.addEventListener('ocean-manage', event => {
      void this.act((event as CustomEvent<ManageAction>).detail);
    });

    this.purchases = new OceanPurchaseList();
    this.purchases.trans = trans;
    this.purchases.addEventListener(
      'ocean-refresh-purchases',
      () => void this.refreshPurchases()
    );
    this.purchases.addEventListener('ocean-purchase', event => {
      void this.usePurchase((event as CustomEvent<PurchaseAction>).detail);
    });

    this.compute = new OceanComputeView(
      _networks,
      _wallet,
      _contents,
      this._requester,
      undefined,
      trans
    );

    const section = (tab: Tab, ...children: Node[]) => {
      const element = document.createElement('section');
      element.dataset.oceanSection = tab;
      element.append(...children);
      return element;
    };
    this._sections = {
      publish: section('publish', this.form),
      manage: section('manage', this.manage, this.purchases),
      // With no dataset yet, the job view says how to choose one.
      compute: section('compute', this.compute.node)
    };
    this.node.append(
      nav,
      this._sections.publish,
      this._sections.manage,
      this._sections.compute
    );
    this.showTab('publish');
    this._networks.changed.connect(this._onNetworkChanged, this);
    this._wallet?.stateChanged.connect(this._onWalletChanged, this);
  }

  /** Emitted after an asset was published and indexed. */
  get published(): ISignal<this, IPublished> {
    return this._published;
  }

  showTab(tab: Tab): void {
    for (const key of Object.keys(this._tabs) as Tab[]) {
      const selected = key === tab;
      this._tabs[key].setAttribute('aria-selected', String(selected));
      this._tabs[key].style.fontWeight = selected ? '600' : '';
      this._sections[key].hidden = !selected;
    }
    if (tab === 'manage') {
      void this.refreshAssets();
      void this.refreshPurchases();
    }
  }

  /** Opens the form for a workspace file (from the file browser's context menu). */
  publishFile(path: string): void {
    this.showTab('publish');
    this.form.prefillFile(path);
  }

  /** Opens the compute view for a compute-only dataset. */
  async computeOn(did: string): Promise<void> {
    this.showTab('compute');
    await this.compute.showDataset(did);
  }

  async loadAlgorithms(): Promise<void> {
    this.form.algorithmsError = '';
    try {
      this.form.algorithms = await algorithmAssets(this._networks.active);
    } catch (error) {
      this.form.algorithmsError = sentence(error);
      this.form.algorithms = [];
    }
  }

  private async _signer(): Promise<any> {
    if (!this._wallet)
      throw new Error(
        this._trans.__(
          'The Ocean wallet plugin is disabled, so there is nothing to sign with.'
        )
      );
    await this._wallet.ensureUnlocked(this._requester);
    return this._wallet.getSigner(this._requester);
  }

  /** Builds the publish request from the form (reading the workspace file). */
  async requestFromForm(values: IPublishFormValues): Promise<IPublishRequest> {
    const network = this._networks.active;
    let file: IPublishRequest['file'];
    if (values.source === 'url') {
      file = { url: values.url.trim() };
    } else {
      const path = values.path.trim().replace(/^\/+/, '');
      if (!path)
        throw new Error(this._trans.__('Choose a file from the workspace.'));
      try {
        file = await readWorkspaceFile(this._contents, path);
      } catch (error) {
        throw new Error(
          this._trans.__(
            'The file %1 could not be read from the workspace: %2',
            path,
            sentence(error)
          )
        );
      }
    }
    const compute = values.type === 'dataset' && values.access === 'compute';
    if (compute && values.trusted.length === 0)
      throw new Error(
        this._trans.__(
          'A compute-only dataset needs at least one trusted algorithm; otherwise nothing can ever use it.'
        )
      );
    return {
      name: values.name.trim(),
      description: values.description.trim(),
      author: values.author.trim(),
      license: values.license,
      tags: values.tags
        .split(',')
        .map(tag => tag.trim())
        .filter(Boolean)
        .slice(0, 30),
      type: values.type,
      file,
      pricing:
        values.pricing === 'fixed'
          ? { type: 'fixed', priceInOcean: values.price.trim() }
          : { type: 'free' },
      access: compute ? 'compute' : 'download',
      trustedAlgorithms: compute
        ? await Promise.all(
            values.trusted.map(did => trustedAlgorithmFromNode(network, did))
          )
        : [],
      sampleUrl: values.sampleUrl.trim() || undefined
    };
  }

  async publish(values: IPublishFormValues): Promise<IPublished | null> {
    const form = this.form;
    if (form.busy) return null;
    form.busy = true;
    form.error = '';
    form.result = null;
    form.failedStep = '';
    form.step = 'check';
    form.stepMessage = this._trans.__('Reading the form…');
    try {
      const request = await this.requestFromForm(values);
      const signer = await this._signer();
      const published = await publishAsset(
        this._networks.active,
        signer,
        request,
        progress => {
          form.step = progress.step;
          form.stepMessage = progress.message;
        }
      );
      form.step = 'done';
      form.result = { did: published.did, name: request.name };
      this._published.emit(published);
      return published;
    } catch (error) {
      // Everything typed stays in the form: fix and press Publish again.
      form.failedStep = form.step;
      form.error = sentence(error);
      return null;
    } finally {
      form.busy = false;
    }
  }

  async refreshAssets(): Promise<void> {
    const list = this.manage;
    const account = this._wallet?.state.account ?? null;
    list.account = account ?? '';
    list.error = '';
    if (!account) {
      list.assets = [];
      return;
    }
    list.loading = true;
    try {
      this._assets = await listMyAssets(this._networks.active, account);
      list.assets = this._assets;
    } catch (error) {
      list.error = sentence(error);
    } finally {
      list.loading = false;
    }
  }

  /** Reads "My purchases" for the wallet's account from the chain. */
  async refreshPurchases(): Promise<void> {
    const list = this.purchases;
    const account = this._wallet?.state.account ?? null;
    list.account = account ?? '';
    list.error = '';
    if (!account) {
      list.purchases = [];
      return;
    }
    list.loading = true;
    try {
      const { purchases, fromBlock } = await listMyPurchases(
        this._networks.active,
        account
      );
      // The account may have changed while the chain was read.
      if ((this._wallet?.state.account ?? null) !== account) return;
      list.purchases = purchases;
      list.fromBlock = fromBlock;
    } catch (error) {
      list.error = sentence(error);
    } finally {
      list.loading = false;
    }
  }

  /**
   * What a purchase's buttons do: "Load in notebook" adds a cell that loads it to the current
   * notebook (or, with none open, copies that line); "Copy DID" copies its DID.
   */
  async usePurchase(action: PurchaseAction): Promise<void> {
    const trans = this._trans;
    if (action.kind === 'load') {
      const path = await this._loadInNotebook(action.did).catch(() => null);
      if (path) {
        this.purchases.message = trans.__(
          'Added a cell that loads it to %1: run it (Shift+Enter).',
          path
        );
        return;
      }
    }
    const text =
      action.kind === 'load' ? `df = %ocean load ${action.did}` : action.did;
    try {
      await navigator.clipboard.writeText(text);
      this.purchases.message =
        action.kind === 'load'
          ? trans.__(
              'No notebook is open: copied “%1”, paste it into a cell and run it.',
              text
            )
          : trans.__('Copied %1.', text);
    } catch {
      // No clipboard (permission, insecure origin): the text to copy by hand.
      this.purchases.message = trans.__('Copy this: %1', text);
    }
  }

  async act(action: ManageAction): Promise<void> {
    const list = this.manage;
    const asset = this._assets.find(entry => entry.did === action.did);
    if (!asset) return;
    if (action.kind === 'compute') {
      await this.computeOn(asset.did);
      return;
    }
    const network = this._networks.active;
    list.busy = asset.did;
    list.error = '';
    list.message = '';
    try {
      const signer = await this._signer();
      switch (action.kind) {
        case 'price':
          await changePrice(network, signer, asset, action.price);
          list.message = this._trans.__(
            '%1 now costs %2 OCEAN.',
            asset.name,
            action.price
          );
          await waitForNode(network, asset.did, ddo =>
            (ddo.indexedMetadata?.stats ?? []).some((stat: any) =>
              (stat.prices ?? []).some(
                (price: any) => Number(price.price) === Number(action.price)
              )
            )
          ).catch(() => undefined);
          break;
        case 'withdraw':
          await withdrawEarnings(network, signer, asset);
          list.message = this._trans.__(
            'Withdrew %1 OCEAN from %2 to your account.',
            asset.exchange?.withdrawable,
            asset.name
          );
          break;
        case 'state':
          await setAssetState(network, signer, asset, action.state);
          await waitForNode(
            network,
            asset.did,
            ddo => Number(ddo.indexedMetadata?.nft?.state) === action.state
          );
          list.message = this._trans.__(
            'The state of %1 is written to its data NFT.',
            asset.name
          );
          break;
      }
      await this.refreshAssets();
    } catch (error) {
      list.error = sentence(error);
      // The select shows what the chain says, not what was asked for.
      await this.refreshAssets();
    } finally {
      list.busy = '';
    }
  }

  dispose(): void {
    this._networks.changed.disconnect(this._onNetworkChanged, this);
    this._wallet?.stateChanged.disconnect(this._onWalletChanged, this);
    this.compute.dispose();
    super.dispose();
  }

  private _onNetworkChanged(): void {
    this.form.algorithms = null;
    if (!this._sections.manage.hidden) {
      void this.refreshAssets();
      void this.refreshPurchases();
    }
  }

  private _onWalletChanged(): void {
    if (
      !this._sections.manage.hidden &&
      this.manage.account !== (this._wallet?.state.account ?? '')
    ) {
      void this.refreshAssets();
      void this.refreshPurchases();
    }
  }
}
