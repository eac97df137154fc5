/**
 * The wallet's dialogs, built on JupyterLab's Dialog so focus trapping,
 * Escape, arrow keys between buttons and theming behave like the rest of
 * the lab. Reject is the default button: Enter and Escape both refuse.
 */
import { Dialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import type { IConfirmAnswer, IConfirmation } from './confirmation';
import { grantOfferNode, readGrantOffer } from './grant-offer';
import './components/confirmation-view';
import { ApprovalDialog } from '../../approval-dialog';

/** Shows the one confirmation dialog; true only on an explicit Confirm. */
export async function showConfirmation(
  confirmation: IConfirmation,
  trans: TranslationBundle
): Promise<IConfirmAnswer> {
  const body = new Widget();
  body.addClass('jp-OceanConfirmation');
  const requester = confirmation.requester;
  if (requester.signal?.aborted) {
    return { approved: false };
  }
  const view = document.createElement('ocean-confirmation-view');
  view.confirmation =
    requester.inView === false
      ? {
          ...confirmation,
          warnings: [
            trans.__(
              'This comes from %1, which is not in view. If you did not just run code there, reject it.',
              requester.label
            ),
            ...confirmation.warnings
          ]
        }
      : confirmation;
  view.labels = {
    askedBy: trans.__('Asked by'),
    network: trans.__('Network'),
    networkAndChain: trans.__(
      '%1 (chain %2)',
      confirmation.networkName,
      confirmation.chainId
    ),
    account: trans.__('Account'),
    fee: trans.__('Network fee'),
    details: trans.__('Details'),
    raw: trans.__('Raw data'),
    changes: trans.__('If sent now, your account'),
    touched: trans.__('Contracts it reaches'),
    wouldFail: trans.__(
      'This transaction would fail, so it cannot be sent. The contract says:'
    ),
    simulated: trans.__(
      'Simulated with %1',
      confirmation.simulation?.method ?? ''
    ),
    ...(requester.flow
      ? {
          flowStep: trans.__(
            'Step %1 of %2: %3',
            requester.flow.step,
            requester.flow.steps,
            requester.flow.title
          ),
          flowTotal: requester.flow.total
            ? trans.__('The whole flow costs %1.', requester.flow.total)
            : undefined
        }
      : {}),
    kinds: {
      panel: trans.__('Ocean panel'),
      kernel: trans.__('Kernel'),
      renderer: trans.__('Output'),
      magic: trans.__('Magic'),
      extension: trans.__('Extension')
    }
  };
  body.node.appendChild(view);
  const offer = confirmation.grantOffer
    ? grantOfferNode(confirmation.grantOffer, trans)
    : null;
  if (offer) {
    body.node.appendChild(offer);
  }
  // A kernel's request can also be refused for good: a loop that keeps
  // asking is stopped in one press, not one dialog at a time.
  const stopButton = requester.stop
    ? [
        Dialog.createButton({
          label: trans.__('Stop requests from this notebook'),
          className: 'jp-OceanConfirmation-stop',
          accept: false,
          displayType: 'default'
        })
      ]
    : [];
  // A transaction that would fail has nothing to approve: no such button.
  const approveButton = confirmation.blocked
    ? []
    : [
        Dialog.okButton({
          label:
            confirmation.kind === 'transaction'
              ? trans.__('Confirm and send')
              : confirmation.kind === 'switchNetwork'
                ? trans.__('Switch')
                : confirmation.kind === 'grant'
                  ? trans.__('Allow')
                  : trans.__('Sign'),
          className: 'jp-OceanConfirmation-confirm',
          displayType: confirmation.warnings.length ? 'warn' : 'default'
        })
      ];
  // Only a person's own click or key press, after a moment, approves.
  const dialog = new ApprovalDialog<void>({
    approveIndex: confirmation.blocked ? -1 : 1 + stopButton.length,
    title: confirmation.title,
    body,
    buttons: [
      Dialog.cancelButton({
        label: confirmation.blocked ? trans.__('Close') : trans.__('Reject'),
        className: 'jp-OceanConfirmation-reject'
      }),
      ...stopButton,
      ...approveButton
    ],
    defaultButton: 0,
    hasClose: true
  });
  dialog.addClass('jp-OceanConfirmationDialog');
  dialog.node.setAttribute('data-kind', confirmation.kind);
  if (confirmation.blocked) {
    dialog.node.setAttribute('data-blocked', '');
  }
  if (requester.inView === false) {
    dialog.node.setAttribute('data-not-in-view', '');
  }
  // The request was cancelled while the dialog is open (cell interrupted,
  // notebook closed): close it as a rejection.
  const onAbort = () => dialog.reject();
  requester.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await dialog.launch();
    if (result.button.className.includes('jp-OceanConfirmation-stop')) {
      requester.stop?.();
      return { approved: false };
    }
    const approved =
      result.button.accept === true && !requester.signal?.aborted;
    const grant = approved && offer ? readGrantOffer(offer) : undefined;
    return grant ? { approved, grant } : { approved };
  } finally {
    requester.signal?.removeEventListener('abort', onAbort);
    dialog.dispose();
  }
}

/** A password prompt; resolves with the password, or null when cancelled. */
export async function askPassword(
  title: string,
  message: string,
  trans: TranslationBundle,
  error?: string
): Promise<string | null> {
  const body = new PasswordBody(message, trans.__('Password'), error);
  const result = await new Dialog({
    title,
    body,
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.okButton({ label: trans.__('Unlock') })
    ],
    focusNodeSelector: 'input',
    defaultButton: 1
  }).launch();
  return result.button.accept ? (result.value ?? '') : null;
}

/**
 * A password prompt that approves something (a key backup leaving the
 * vault): the approving button is an ApprovalDialog's, so only a person's
 * own click or Enter, after a moment, sends the password.
 */
export async function askPasswordToApprove(
  title: string,
  message: string,
  approveLabel: string,
  trans: TranslationBundle,
  error?: string
): Promise<string | null> {
  const body = new PasswordBody(message, trans.__('Wallet password'), error);
  const dialog = new ApprovalDialog<string>({
    approveIndex: 1,
    title,
    body,
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.warnButton({ label: approveLabel })
    ],
    focusNodeSelector: 'input',
    defaultButton: 1
  });
  dialog.addClass('jp-OceanPasswordApproval');
  try {
    const result = await dialog.launch();
    return result.button.accept ? (result.value ?? '') : null;
  } finally {
    dialog.dispose();
  }
}

class PasswordBody extends Widget implements Dialog.IBodyWidget<string> {
  private _input: HTMLInputElement;

  constructor(message: string, label: string, error?: string) {
    super();
    this.addClass('jp-OceanPasswordPrompt');
    const text = document.createElement('p');
    text.textContent = message;
    const field = document.createElement('label');
    field.textContent = label;
    this._input = document.createElement('input');
    this._input.type = 'password';
    this._input.autocomplete = 'current-password';
    this._input.className = 'jp-mod-styled';
    field.appendChild(this._input);
    this.node.append(text, field);
    if (error) {
      const problem = document.createElement('p');
      problem.className = 'jp-OceanPasswordPrompt-error';
      problem.setAttribute('role', 'alert');
      problem.textContent = error;
      this.node.appendChild(problem);
    }
  }

  getValue(): string {
    return this._input.value;
  }
}
