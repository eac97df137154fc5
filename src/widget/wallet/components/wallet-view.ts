import { css, html, LitElement, nothing, type TemplateResult } from 'lit';
import type { IBalances, ITokenBalance } from '../../../ocean/balances';
import type { IOceanNetwork, IWalletState } from '../../../tokens';
import type { IActivityEntry } from '../activity';

/** A browser wallet as the view shows it. */
export interface IInjectedChoice {
  uuid: string;
  name: string;
  icon: string;
}

/** Words the view needs from the controller, translated. */
export type WalletViewLabels = Record<string, string>;

type Mode =
  | 'home'
  | 'create-phrase'
  | 'create-confirm'
  | 'backup-phrase'
  | 'backup-confirm'
  | 'import'
  | 'send'
  | 'sign'
  | 'export'
  | 'rename';

function short(address: string): string {
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}

/**
 * @summary The wallet section of the Ocean panel: create/import, unlock,
 * accounts, balances, send/sign/faucet, activity. It renders what the
 * controller gives it and raises `ocean-wallet` events with an `action`
 * and form values; it never touches keys, the chain or the network.
 * @event ocean-wallet - detail `{ action, ...values }`.
 */
export class OceanWalletView extends LitElement {
  static properties = {
    state: { attribute: false },
    network: { attribute: false },
    balances: { attribute: false },
    activity: { attribute: false },
    injected: { attribute: false },
    phrase: { attribute: false },
    confirmIndexes: { attribute: false },
    busy: { attribute: false },
    error: { attribute: false },
    notice: { attribute: false },
    elsewhere: { attribute: false },
    signature: { attribute: false },
    labels: { attribute: false },
    mode: { state: true },
    _importKind: { state: true }
  };

  state: IWalletState | null = null;
  network: IOceanNetwork | null = null;
  balances: IBalances | null = null;
  activity: IActivityEntry[] = [];
  injected: IInjectedChoice[] = [];
  /** Shown once while creating; the controller clears it afterwards. */
  phrase: string | null = null;
  confirmIndexes: number[] = [];
  busy: string | null = null;
  error: string | null = null;
  notice: string | null = null;
  /** Shown when there is no wallet here: where an earlier one may be. */
  elsewhere: string | null = null;
  signature: string | null = null;
  labels: WalletViewLabels = {};
  mode: Mode = 'home';
  private _importKind: 'mnemonic' | 'privateKey' | 'keystore' = 'mnemonic';

  static styles = css`
    :host {
      display: block;
      color: var(--jp-ui-font-color1);
      font-family: var(--jp-ui-font-family);
      font-size: var(--jp-ui-font-size1);
    }
    button,
    select,
    input,
    textarea {
      font: inherit;
      color: var(--jp-ui-font-color1);
      background: var(--jp-input-background, var(--jp-layout-color1));
      border: var(--jp-border-width) solid var(--jp-border-color1);
      border-radius: var(--jp-border-radius);
      padding: 3px 6px;
    }
    button {
      cursor: pointer;
      background: var(--jp-layout-color2);
    }
    button.primary {
      background: var(--jp-brand-color1);
      color: var(--jp-ui-inverse-font-color1);
      border-color: var(--jp-brand-color1);
    }
    button.danger {
      color: var(--jp-error-color1);
    }
    button:disabled {
      opacity: 0.6;
      cursor: default;
    }
    :is(button, select, input, textarea, a, summary):focus-visible {
      outline: 2px solid var(--jp-brand-color1);
      outline-offset: 1px;
    }
    a {
      color: var(--jp-content-link-color);
    }
    .row {
      display: flex;
      gap: 6px;
      align-items: center;
      flex-wrap: wrap;
      margin: 6px 0;
    }
    form {
      display: flex;
      flex-direction: column;
      gap: 6px;
      margin: 6px 0;
    }
    label {
      display: flex;
      flex-direction: column;
      gap: 2px;
      color: var(--jp-ui-font-color2);
    }
    textarea {
      min-height: 4em;
      resize: vertical;
    }
    .phrase {
      display: grid;
      /* Three columns where they fit, two in a 250 px sidebar. */
      grid-template-columns: repeat(auto-fill, minmax(7.5em, 1fr));
      gap: 4px;
      padding: 8px;
      background: var(--jp-layout-color2);
      border-radius: var(--jp-border-radius);
      font-family: var(--jp-code-font-family);
    }
    .phrase span::before {
      content: attr(data-n) '. ';
      color: var(--jp-ui-font-color3);
    }
    .warn {
      border-left: 4px solid var(--jp-warn-color1);
      background: color-mix(
        in srgb,
        var(--jp-warn-color1) 16%,
        var(--jp-layout-color1)
      );
      color: var(--jp-ui-font-color1);
      padding: 4px 8px;
    }
    .error {
      color: var(--jp-error-color1);
      overflow-wrap: anywhere;
    }
    .notice {
      color: var(--jp-success-color1);
      overflow-wrap: anywhere;
    }
    .mono {
      font-family: var(--jp-code-font-family);
      font-size: var(--jp-code-font-size);
      overflow-wrap: anywhere;
    }
    ul {
      list-style: none;
      margin: 4px 0;
      padding: 0;
    }
    li {
      padding: 3px 0;
      border-bottom: var(--jp-border-width) solid var(--jp-border-color3);
      overflow-wrap: anywhere;
    }
    .amount {
      font-weight: 600;
    }
    .muted {
      color: var(--jp-ui-font-color2);
    }
    h4 {
      margin: 10px 0 2px;
      font-size: var(--jp-ui-font-size1);
      color: var(--jp-ui-font-color2);
    }
    .status-pending {
      color: var(--jp-warn-color1);
    }
    .status-confirmed {
      color: var(--jp-success-color1);
    }
    .status-failed {
      color: var(--jp-error-color1);
    }
    img.icon {
      width: 16px;
      height: 16px;
    }
  `;

  private _l(key: string): string {
    return this.labels[key] ?? key;
  }

  /**
   * A form's password (8 characters at least) and, for a new password, the
   * field that repeats it.
   */
  private _passwordFields(
    label: string,
    isNew: boolean,
    repeat = isNew
  ): TemplateResult {
    return html`<label
        >${this._l(label)}
        <input
          name="password"
          type="password"
          autocomplete=${isNew ? 'new-password' : 'current-password'}
          minlength="8"
          required
      /></label>
      ${
        repeat
          ? html`<label
              >${this._l('repeatPassword')}
              <input
                name="repeat"
                type="password"
                autocomplete="new-password"
                required
            /></label>`
          : nothing
      }`;
  }

  /** A form's buttons: the primary submit and, where there is one, the way back. */
  private _formButtons(
    submit: string,
    back?: string,
    backTo?: Mode
  ): TemplateResult {
    return html`<div class="row">
      <button class="primary" type="submit" ?disabled=${!!this.busy}>
        ${this._l(submit)}
      </button>
      ${
        back && backTo
          ? html`<button type="button" @click=${() => (this.mode = backTo)}>
              ${this._l(back)}
            </button>`
          : nothing
      }
    </div>`;
  }

  private _emit(action: string, values: Record<string, unknown> = {}): void {
    this.dispatchEvent(
      new CustomEvent('ocean-wallet', {
        detail: { action, ...values },
        bubbles: true,
        composed: true
      })
    );
  }

  /** Values of a form's named fields. */
  private _values(event: Event): Record<string, string> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const values: Record<string, string> = {};
    for (const element of Array.from(form.elements)) {
      const field = element as HTMLInputElement;
      if (field.name) {
        values[field.name] = field.value;
      }
    }
    return values;
  }

  /** Called by the controller after an action succeeded. */
  showHome(): void {
    this.mode = 'home';
  }

  render() {
    const state = this.state;
    if (!state) {
      return nothing;
    }
    return html`
      ${
        this.busy
          ? html`<p class="muted" role="status" aria-live="polite">
              ${this.busy}
            </p>`
          : nothing
      }
      ${
        this.error
          ? html`<p class="error" role="alert">${this.error}</p>`
          : nothing
      }
      ${
        this.notice
          ? html`<p class="notice" role="status">${this.notice}</p>`
          : nothing
      }
      ${this._body(state)}
    `;
  }

  private _body(state: IWalletState): TemplateResult {
    if (this.mode === 'create-phrase' && this.phrase) {
      return this._renderPhrase();
    }
    if (this.mode === 'create-confirm' && this.phrase) {
      return this._renderConfirm();
    }
    if (this.mode === 'backup-phrase' && this.phrase) {
      return this._renderPhrase('backup-confirm');
    }
    if (this.mode === 'backup-confirm' && this.phrase) {
      return this._renderBackupConfirm();
    }
    if (this.mode === 'import') {
      return this._renderImport(state);
    }
    const local = this.network?.key === 'local' && !!this.network.faucetUrl;
    if (state.status === 'none') {
      return html`
        <p>${this._l('noWallet')}</p>
        ${
          local
            ? html`<div class="row">
                  <button
                    class="primary"
                    data-action="test-wallet"
                    ?disabled=${!!this.busy}
                    @click=${() => this._emit('test-wallet')}
                  >
                    ${this._l('testWallet')}
                  </button>
                </div>
                <p class="muted">${this._l('testWalletHelp')}</p>`
            : nothing
        }
        ${
          this.elsewhere
            ? html`<p class="notice" data-ocean="wallet-elsewhere">
                ${this.elsewhere}
              </p>`
            : nothing
        }
        <div class="row">
          <button
            class=${local ? '' : 'primary'}
            data-action="create"
            @click=${() => this._emit('new-phrase')}
          >
            ${this._l('create')}
          </button>
          <button data-action="import" @click=${() => (this.mode = 'import')}>
            ${this._l('import')}
          </button>
        </div>
        ${this._renderInjected(state)}
      `;
    }
    if (state.status === 'locked' && state.testWallet?.passwordSet === false) {
      // Its password lived only in the session that made it.
      return html`
        <p class="warn" data-ocean="test-wallet-lost">
          ${this._l('testWalletLost')}
        </p>
        <div class="row">
          <button
            class="primary"
            data-action="replace-test-wallet"
            ?disabled=${!!this.busy || !local}
            @click=${() => this._emit('replace-test-wallet')}
          >
            ${this._l('newTestWallet')}
          </button>
          <button
            type="button"
            class="danger"
            data-action="reset"
            @click=${() => this._emit('reset')}
          >
            ${this._l('reset')}
          </button>
        </div>
      `;
    }
    if (state.status === 'locked') {
      return html`
        <form
          class="unlock"
          @submit=${(e: Event) => this._emit('unlock', this._values(e))}
        >
          <label
            >${this._l('password')}
            <input
              name="password"
              type="password"
              autocomplete="current-password"
              required
          /></label>
          <div class="row">
            <button class="primary" type="submit" ?disabled=${!!this.busy}>
              ${this._l('unlock')}
            </button>
            <button
              type="button"
              data-action="import"
              @click=${() => (this.mode = 'import')}
            >
              ${this._l('import')}
            </button>
            <button
              type="button"
              class="danger"
              data-action="reset"
              @click=${() => this._emit('reset')}
            >
              ${this._l('reset')}
            </button>
          </div>
        </form>
        ${this._renderInjected(state)}
      `;
    }
    return this._renderUnlocked(state);
  }

  private _renderInjected(
    state: IWalletState
  ): TemplateResult | typeof nothing {
    if (state.source === 'injected') {
      return html`<div class="row">
        <span class="muted">${this._l('usingInjected')}</span>
        <button
          data-action="use-builtin"
          @click=${() => this._emit('use-builtin')}
        >
          ${this._l('useBuiltin')}
        </button>
      </div>`;
    }
    if (!this.injected.length) {
      return nothing;
    }
    return html`<h4>${this._l('browserWallets')}</h4>
      <div class="row">
        ${this.injected.map(
          wallet =>
            html`<button
              data-action="use-injected"
              @click=${() => this._emit('use-injected', { uuid: wallet.uuid })}
            >
              ${
                wallet.icon
                  ? html`<img class="icon" src=${wallet.icon} alt="" />`
                  : nothing
              }
              ${this._l('use')} ${wallet.name}
            </button>`
        )}
      </div>`;
  }

  private _renderPhrase(next: Mode = 'create-confirm'): TemplateResult {
    const words = this.phrase!.split(' ');
    return html`
      <p class="warn">${this._l('phraseWarning')}</p>
      <div class="phrase" aria-label=${this._l('recoveryPhrase')}>
        ${words.map((word, i) => html`<span data-n=${i + 1}>${word}</span>`)}
      </div>
      <div class="row">
        <button
          class="primary"
          data-action="phrase-written"
          @click=${() => (this.mode = next)}
        >
          ${this._l('wroteItDown')}
        </button>
        <button @click=${() => this._emit('cancel-create')}>
          ${this._l('cancel')}
        </button>
      </div>
    `;
  }

  private _renderConfirm(): TemplateResult {
    return html`
      <p>${this._l('confirmPhrase')}</p>
      <form
        class="create"
        @submit=${(e: Event) => this._emit('create', this._values(e))}
      >
        ${this._confirmWordFields()}
        <label
          >${this._l('accountName')}
          <input name="name" value="Account 1" maxlength="64"
        /></label>
        ${this._passwordFields('newPassword', true)}
        ${this._formButtons('createWallet', 'back', 'create-phrase')}
      </form>
    `;
  }

  /** One field per recovery-phrase word asked back (creating or backing up). */
  private _confirmWordFields(): TemplateResult[] {
    return this.confirmIndexes.map(
      index =>
        html`<label
          >${this._l('word')} #${index + 1}
          <input
            name=${`word-${index}`}
            autocomplete="off"
            autocapitalize="off"
            spellcheck="false"
            required
        /></label>`
    );
  }

  /** The test wallet's backup: the words asked for; the password is set already. */
  private _renderBackupConfirm(): TemplateResult {
    return html`
      <p>${this._l('confirmBackup')}</p>
      <form
        class="backup"
        @submit=${(e: Event) => this._emit('backup-confirm', this._values(e))}
      >
        ${this._confirmWordFields()}
        ${this._formButtons('finishBackup', 'back', 'backup-phrase')}
      </form>
    `;
  }

  private _renderImport(state: IWalletState): TemplateResult {
    const kind = this._importKind;
    const creating = state.status === 'none';
    return html`
      <form
        class="import"
        @submit=${(e: Event) =>
          this._emit('import', { ...this._values(e), kind })}
      >
        <label
          >${this._l('importWhat')}
          <select
            name="kind"
            @change=${(e: Event) =>
              (this._importKind = (e.target as HTMLSelectElement)
                .value as typeof kind)}
          >
            <option value="mnemonic" ?selected=${kind === 'mnemonic'}>
              ${this._l('recoveryPhrase')}
            </option>
            <option value="privateKey" ?selected=${kind === 'privateKey'}>
              ${this._l('privateKey')}
            </option>
            <option value="keystore" ?selected=${kind === 'keystore'}>
              ${this._l('keystoreFile')}
            </option>
          </select>
        </label>
        ${
          kind === 'keystore'
            ? html`<label
                  >${this._l('keystoreFile')}
                  <input
                    type="file"
                    accept=".json,application/json"
                    @change=${this._readFile}
                /></label>
                <label
                  >${this._l('keystoreJson')}
                  <textarea
                    name="secret"
                    required
                    spellcheck="false"
                  ></textarea>
                </label>
                <label
                  >${this._l('keystorePassword')}
                  <input name="keystorePassword" type="password" required
                /></label>`
            : html`<label
                >${
                  kind === 'mnemonic'
                    ? this._l('recoveryPhrase')
                    : this._l('privateKey')
                }
                <textarea
                  name="secret"
                  required
                  autocomplete="off"
                  spellcheck="false"
                ></textarea>
              </label>`
        }
        <label
          >${this._l('accountName')}
          <input name="name" value="Imported" maxlength="64"
        /></label>
        ${this._passwordFields(
          creating || kind === 'mnemonic' ? 'newPassword' : 'walletPassword',
          creating
        )}
        ${this._formButtons('importButton', 'cancel', 'home')}
      </form>
    `;
  }

  private async _readFile(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file || file.size > 64 * 1024) {
      return;
    }
    const text = await file.text();
    const area = input
      .closest('form')
      ?.querySelector('textarea[name="secret"]') as HTMLTextAreaElement | null;
    if (area) {
      area.value = text;
    }
  }

  private _renderUnlocked(state: IWalletState): TemplateResult {
    const account = state.account ?? '';
    const current = state.accounts.find(a => a.address === account);
    const test = state.source === 'builtin' ? state.testWallet : null;
    // Lock, import and export need the person's own password.
    const ownPassword = !test || test.passwordSet;
    return html`
      ${
        test && !test.backedUp
          ? html`<div class="warn test-wallet" data-ocean="test-wallet">
              <strong>${this._l('testWalletBadge')}</strong>
              ${this._l('testWalletWarning')}
              <div class="row">
                <button
                  data-action="backup-test"
                  ?disabled=${!!this.busy}
                  @click=${() => this._emit('backup-test')}
                >
                  ${this._l('backUp')}
                </button>
              </div>
            </div>`
          : nothing
      }
      <div class="row">
        <select
          aria-label=${this._l('account')}
          class="account"
          @change=${(e: Event) =>
            this._emit('select', {
              address: (e.target as HTMLSelectElement).value
            })}
        >
          ${state.accounts.map(
            a =>
              html`<option
                value=${a.address}
                ?selected=${a.address === account}
              >
                ${a.name} (${short(a.address)})
              </option>`
          )}
        </select>
        ${
          state.source === 'builtin' && ownPassword
            ? html`<button
                data-action="lock"
                @click=${() => this._emit('lock')}
              >
                ${this._l('lock')}
              </button>`
            : nothing
        }
      </div>
      <div class="row">
        <span class="mono address" title=${account}>${account}</span>
        <button data-action="copy" @click=${() => this._emit('copy')}>
          ${this._l('copy')}
        </button>
      </div>
      ${
        state.source === 'builtin'
          ? html`<div class="row">
              <button
                data-action="add-account"
                @click=${() => this._emit('add-account')}
              >
                ${this._l('addAccount')}
              </button>
              <button
                data-action="rename"
                @click=${() => (this.mode = 'rename')}
              >
                ${this._l('rename')}
              </button>
              ${
                ownPassword
                  ? html`<button
                        data-action="import"
                        @click=${() => (this.mode = 'import')}
                      >
                        ${this._l('import')}
                      </button>
                      <button
                        data-action="export"
                        @click=${() => (this.mode = 'export')}
                      >
                        ${this._l('export')}
                      </button>`
                  : nothing
              }
            </div>`
          : nothing
      }
      ${
        this.mode === 'rename'
          ? html`<form
              @submit=${(e: Event) => this._emit('rename', this._values(e))}
            >
              <label
                >${this._l('accountName')}
                <input name="name" .value=${current?.name ?? ''} maxlength="64"
              /></label>
              <div class="row">
                <button class="primary" type="submit">
                  ${this._l('save')}
                </button>
                <button type="button" @click=${() => (this.mode = 'home')}>
                  ${this._l('cancel')}
                </button>
              </div>
            </form>`
          : nothing
      }
      ${
        this.mode === 'export'
          ? html`<form
              class="export"
              @submit=${(e: Event) => this._emit('export', this._values(e))}
            >
              <p class="muted">${this._l('exportHelp')}</p>
              ${this._passwordFields('exportPassword', true, false)}
              ${this._formButtons('download', 'cancel', 'home')}
            </form>`
          : nothing
      }
      ${this._renderBalances()}
      <div class="row">
        <button
          class="primary"
          data-action="send"
          @click=${() => (this.mode = this.mode === 'send' ? 'home' : 'send')}
        >
          ${this._l('send')}
        </button>
        <button
          data-action="sign"
          @click=${() => (this.mode = this.mode === 'sign' ? 'home' : 'sign')}
        >
          ${this._l('signMessage')}
        </button>
        ${
          this.network?.faucetUrl
            ? html`<button
                data-action="faucet"
                ?disabled=${!!this.busy}
                @click=${() => this._emit('faucet')}
              >
                ${this._l('faucet')}
              </button>`
            : nothing
        }
      </div>
      ${this.mode === 'send' ? this._renderSend() : nothing}
      ${this.mode === 'sign' ? this._renderSign() : nothing}
      ${this._renderActivity()} ${this._renderInjected(state)}
    `;
  }

  private _renderBalances(): TemplateResult {
    const b = this.balances;
    const symbol = this.network?.nativeSymbol ?? 'ETH';
    if (!b) {
      return html`<p class="muted balances">${this._l('loadingBalances')}</p>`;
    }
    const token = (t: ITokenBalance) =>
      html`<li data-token=${t.address} data-kind=${t.kind}>
        <span class="amount">${t.balance}</span> ${t.symbol}
        ${
          t.asset
            ? html`<span class="muted">· ${t.asset.name}</span>`
            : t.name
              ? html`<span class="muted">· ${t.name}</span>`
              : nothing
        }
        ${
          t.kind === 'nft'
            ? html`<span class="muted">(${this._l('dataNft')})</span>`
            : t.kind === 'datatoken'
              ? html`<span class="muted">(${this._l('datatoken')})</span>`
              : nothing
        }
      </li>`;
    return html`
      <h4>${this._l('balances')}</h4>
      <ul class="balances" aria-live="polite">
        <li data-token="native">
          <span class="amount">${b.native}</span> ${symbol}
        </li>
        <li data-token="ocean" data-address=${b.ocean?.address ?? ''}>
          <span class="amount">${b.ocean?.balance ?? '0'}</span>
          <!-- i18n-ignore: the token's symbol -->
          OCEAN
        </li>
        ${b.tokens.map(token)}
      </ul>
    `;
  }

  private _renderSend(): TemplateResult {
    const b = this.balances;
    const symbol = this.network?.nativeSymbol ?? 'ETH';
    const tokens = [
      ...(b?.ocean ? [b.ocean] : []),
      ...(b?.tokens.filter(t => t.kind !== 'nft') ?? [])
    ];
    return html`<form
      class="send"
      @submit=${(e: Event) => this._emit('send', this._values(e))}
    >
      <label
        >${this._l('asset')}
        <select name="token">
          <option value="native">${symbol}</option>
          ${tokens.map(
            t =>
              html`<option value=${t.address}>
                ${t.symbol}${t.asset ? ` · ${t.asset.name}` : ''}
              </option>`
          )}
        </select>
      </label>
      <label
        >${this._l('recipient')}
        <input
          name="to"
          placeholder="0x…"
          autocomplete="off"
          spellcheck="false"
          required
      /></label>
      <label
        >${this._l('amount')} <input name="amount" inputmode="decimal" required
      /></label>
      ${this._formButtons('review', 'cancel', 'home')}
    </form>`;
  }

  private _renderSign(): TemplateResult {
    return html`<form
        class="sign"
        @submit=${(e: Event) => this._emit('sign', this._values(e))}
      >
        <label
          >${this._l('message')}
          <textarea name="message" required></textarea>
        </label>
        ${this._formButtons('sign')}
      </form>
      ${
        this.signature
          ? html`<p>
              ${this._l('signature')}:
              <span class="mono signature">${this.signature}</span>
            </p>`
          : nothing
      }`;
  }

  private _renderActivity(): TemplateResult {
    return html`<h4>${this._l('activity')}</h4>
      ${
        this.activity.length
          ? html`<ul class="activity">
              ${this.activity.map(
                entry =>
                  html`<li data-hash=${entry.hash} data-status=${entry.status}>
                    <span class=${`status-${entry.status}`}
                      >${this._l(entry.status)}</span
                    >
                    ${entry.summary}
                    ${
                      entry.grant
                        ? html`<div class="grant">
                            ${this._l('underGrant')} ${entry.grant}
                          </div>`
                        : nothing
                    }
                    <div class="muted">
                      ${new Date(entry.time).toLocaleString()} ·
                      ${
                        entry.explorerUrl
                          ? html`<a
                              href=${entry.explorerUrl}
                              target="_blank"
                              rel="noopener noreferrer"
                              class="mono"
                              >${short(entry.hash)}</a
                            >`
                          : html`<span class="mono" title=${entry.hash}
                              >${short(entry.hash)}</span
                            >`
                      }
                    </div>
                  </li>`
              )}
            </ul>`
          : html`<p class="muted">${this._l('noActivity')}</p>`
      }`;
  }
}

if (!customElements.get('ocean-wallet-view')) {
  customElements.define('ocean-wallet-view', OceanWalletView);
}

declare global {
  interface HTMLElementTagNameMap {
    'ocean-wallet-view': OceanWalletView;
  }
}
