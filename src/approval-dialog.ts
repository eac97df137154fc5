/**
 * A JupyterLab Dialog whose approving button only a person can press.
 *
 * Code in the page (a notebook output's JavaScript, an `<img onerror>`
 * that slipped through, a browser extension) can dispatch clicks and key
 * presses, but those events carry `isTrusted === false`; a real pointer or
 * key press carries true. So the approving button:
 *   - ignores untrusted clicks and key presses (refusing stays open to
 *     anything: a script that rejects does no harm);
 *   - starts disabled and arms only ARM_MS after the dialog appears, so a
 *     double-click or a held Enter meant for the previous dialog can never
 *     approve the next one that opens in the same place;
 *   - counts a click only when its pointer press also began on it after
 *     arming (a press that started elsewhere, or earlier, is dropped);
 *   - answers "approved" only after such a press: a script that reaches the
 *     dialog object itself (JupyterLab's Dialog.tracker, through the module
 *     cache of any extension's webpack runtime) and calls resolve(), or
 *     resolves its promise, gets a refusal, and so does one that calls
 *     handleEvent with an object dressed as a trusted event.
 */
import { Dialog } from '@jupyterlab/apputils';

/** How long the approving button stays disabled after the dialog appears. */
export const ARM_MS = 600;

/**
 * Event.prototype's eventPhase getter, taken when this module loads: a
 * brand check (it throws on anything but a real Event) that an object
 * dressed as an event with `isTrusted: true` cannot pass.
 */
const eventPhase = Object.getOwnPropertyDescriptor(
  globalThis.Event?.prototype ?? {},
  'eventPhase'
)?.get;

/** Ids for the dialogs' labels (the class is frozen: no static counter). */
let dialogCount = 0;

/** A real input event the browser is dispatching, from a person. */
function fromPerson(event: Event): boolean {
  try {
    return (
      !!eventPhase && eventPhase.call(event) !== 0 && event.isTrusted === true
    );
  } catch {
    return false;
  }
}

export class ApprovalDialog<T> extends Dialog<T> {
  constructor(
    options: Partial<Dialog.IOptions<T>> & {
      /** Index in `buttons` of the approving button. */
      approveIndex: number;
    }
  ) {
    super(options);
    this._describe();
    this._approveIndex = options.approveIndex;
    this._defaultIndex =
      options.defaultButton ?? (options.buttons?.length ?? 2) - 1;
    this.addClass('jp-OceanApprovalDialog');
  }

  /** The approving button's node, once the dialog is built. */
  get approveButton(): HTMLButtonElement | null {
    const buttons = this.node.querySelectorAll<HTMLButtonElement>(
      '.jp-Dialog-footer button'
    );
    return buttons[this._approveIndex] ?? null;
  }

  launch(): Promise<Dialog.IResult<T>> {
    const result = super.launch();
    this._disarm();
    // The approving answer stands only on a person's press of the approving
    // button; any other accept (resolve() from a script) is a refusal.
    return result.then(answer =>
      answer.button.accept && !this.#pressed
        ? { ...answer, button: { ...answer.button, accept: false } }
        : answer
    );
  }

  handleEvent(event: Event): void {
    if (this._tabsIntoBody(event)) {
      return;
    }
    if (this._blocks(event)) {
      event.stopPropagation();
      event.preventDefault();
      return;
    }
    if (this._approves(event)) {
      this.#pressed = true;
    }
    super.handleEvent(event);
  }

  dispose(): void {
    clearTimeout(this._armTimer);
    super.dispose();
  }

  /**
   * Names the dialog for screen readers: a modal dialog labelled by its
   * title and described by its body (JupyterLab's Dialog sets neither).
   */
  private _describe(): void {
    const id = `jp-OceanApproval-${++dialogCount}`;
    const content = this.node.querySelector('.jp-Dialog-content');
    const header = this.node.querySelector('.jp-Dialog-header');
    const body = this.node.querySelector('.jp-Dialog-body');
    if (!content) return;
    content.setAttribute('role', 'dialog');
    content.setAttribute('aria-modal', 'true');
    if (header) {
      header.id ||= `${id}-title`;
      content.setAttribute('aria-labelledby', header.id);
    }
    if (body) {
      body.id ||= `${id}-body`;
      content.setAttribute('aria-describedby', body.id);
    }
  }

  /**
   * Tab from the last button goes to the body's first stop, looked up
   * through shadow roots: Dialog's own trap jumps to the first focusable it
   * finds in the light DOM (a button), so the details and the raw data
   * drawn by a Lit view would never be reached from the keyboard.
   */
  private _tabsIntoBody(event: Event): boolean {
    const key = event as KeyboardEvent;
    if (event.type !== 'keydown' || key.key !== 'Tab' || key.shiftKey) {
      return false;
    }
    const buttons = this.node.querySelectorAll('.jp-Dialog-footer button');
    if (document.activeElement !== buttons[buttons.length - 1]) {
      return false;
    }
    const body = this.node.querySelector('.jp-Dialog-body');
    const first = body ? firstFocusable(body) : null;
    if (!first) {
      return false;
    }
    event.preventDefault();
    event.stopPropagation();
    first.focus();
    return true;
  }

  /** Disables the approving button and arms it again after ARM_MS. */
  private _disarm(): void {
    const button = this.approveButton;
    if (!button) return;
    this._armedAt = Number.POSITIVE_INFINITY;
    // aria-disabled, not `disabled`: a disabled last button drops out of
    // the tab order and Tab would leave the dialog's focus trap. Presses
    // before arming are refused in _blocks either way.
    button.setAttribute('aria-disabled', 'true');
    button.classList.add('jp-mod-arming');
    clearTimeout(this._armTimer);
    this._armTimer = setTimeout(() => {
      this._armedAt = performance.now();
      button.removeAttribute('aria-disabled');
      button.classList.remove('jp-mod-arming');
    }, ARM_MS);
  }

  private _blocks(event: Event): boolean {
    const button = this.approveButton;
    if (!button) return false;
    const onButton =
      event.target instanceof Node && button.contains(event.target);
    switch (event.type) {
      case 'mousedown':
        if (onButton) {
          this._pressedAt =
            fromPerson(event) && performance.now() >= this._armedAt
              ? performance.now()
              : -1;
        }
        return false;
      case 'click':
        if (!onButton) return false;
        // A real click whose press began on the armed button, or a real key
        // press activating the focused button (detail 0: no pointer).
        return !(
          fromPerson(event) &&
          performance.now() >= this._armedAt &&
          ((event as MouseEvent).detail === 0 ||
            this._pressedAt >= this._armedAt)
        );
      case 'keydown':
        return (
          this._keyPresses(event) &&
          (!fromPerson(event) ||
            performance.now() < this._armedAt ||
            (event as KeyboardEvent).repeat)
        );
      default:
        return false;
    }
  }

  /** After _blocks let it through: whether `event` presses the approving button. */
  private _approves(event: Event): boolean {
    const button = this.approveButton;
    if (!button || !fromPerson(event)) return false;
    if (event.type === 'click') {
      return event.target instanceof Node && button.contains(event.target);
    }
    return (
      event.type === 'keydown' &&
      (event as KeyboardEvent).key === 'Enter' &&
      this._keyPresses(event)
    );
  }

  /**
   * Whether a key press would press the approving button. A space presses
   * only the focused button. Enter presses the focused button too, or, when
   * no button has the focus (the password field of a prompt, say), the
   * default one: so Enter on a focused Reject still refuses.
   */
  private _keyPresses(event: Event): boolean {
    const key = (event as KeyboardEvent).key;
    if (key !== 'Enter' && key !== ' ') return false;
    const focused = document.activeElement;
    const onAnyButton =
      focused instanceof HTMLButtonElement &&
      this.node.contains(focused) &&
      focused.closest('.jp-Dialog-footer') !== null;
    return (
      focused === this.approveButton ||
      (key === 'Enter' &&
        !onAnyButton &&
        this._defaultIndex === this._approveIndex)
    );
  }

  private _approveIndex: number;
  /** The button Enter presses when no button has the focus (Dialog's rule). */
  private _defaultIndex: number;
  private _armedAt = Number.POSITIVE_INFINITY;
  private _pressedAt = -1;
  private _armTimer: ReturnType<typeof setTimeout> | undefined;
  /** A person pressed the approving button (runtime-private: see the header). */
  #pressed = false;
}

// A script holding the class must not swap its methods for ones that skip
// the checks above.
Object.freeze(ApprovalDialog.prototype);
Object.freeze(ApprovalDialog);

const FOCUSABLE =
  'summary, a[href], button:not([disabled]), input, select, textarea, [tabindex]:not([tabindex="-1"])';

/** The first keyboard stop under `root`, in document order, through open shadow roots. */
function firstFocusable(root: Element | ShadowRoot): HTMLElement | null {
  for (const child of Array.from(root.children)) {
    if (child.matches(FOCUSABLE)) {
      return child as HTMLElement;
    }
    const inside =
      (child.shadowRoot && firstFocusable(child.shadowRoot)) ||
      firstFocusable(child);
    if (inside) {
      return inside;
    }
  }
  return null;
}
