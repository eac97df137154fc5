/**
 * The test wallet ("Start with a test wallet", issue 16 item 12): one click
 * on the local network makes a fresh key in the vault worker and asks the
 * stack's faucet for test coins.
 *
 * Why its keys stay as safe as any other's: the vault makes the phrase and a
 * random password itself, encrypts the key at rest under that password and
 * keeps the password only in its own memory, for this page's session, while
 * the wallet is open. Nothing a page script can reach ever holds either.
 * Locking, a reload or closing the tab drops the password, so an unsaved test
 * wallet cannot be reopened by anyone (it held only local test coins).
 *
 * The backup turns it into a wallet like any other: the person sets a
 * password (in a dialog only a real click approves, so no script can pick
 * it and read the phrase), writes the 12 words down and types three back.
 * Until then the wallet stays on the local network: switching elsewhere asks
 * for the backup first.
 */
import { Dialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { ApprovalDialog } from '../../approval-dialog';
import { isLocalNetwork } from '../../ocean/networks';

// Only the local stack's network takes a wallet that was never backed up.
// The check lives with the networks, so the wallet uses it without this
// file's dialogs (which Node cannot load in the wallet's unit tests).
export { isLocalNetwork };

// The rule that holds a test wallet on the local network applies from the
// lab's start; it lives apart so the start does not load these dialogs.
export { backupBlocksSwitch, needsBackup } from './backup-guard';

/**
 * The backup's first step: the person's new password, typed twice, in a
 * dialog whose approving button only a real click presses. Null when
 * cancelled.
 */
export async function askTestWalletPassword(
  trans: TranslationBundle,
  error?: string
): Promise<string | null> {
  for (;;) {
    const body = new NewPasswordBody(trans, error);
    const dialog = new ApprovalDialog<{ password: string; repeat: string }>({
      approveIndex: 1,
      title: trans.__('Back up your test wallet'),
      body,
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: trans.__('Set password and show the words') })
      ],
      focusNodeSelector: 'input',
      defaultButton: 1
    });
    dialog.addClass('jp-OceanPasswordApproval');
    let result: Dialog.IResult<{ password: string; repeat: string }>;
    try {
      result = await dialog.launch();
    } finally {
      dialog.dispose();
    }
    if (!result.button.accept || !result.value) {
      return null;
    }
    const { password, repeat } = result.value;
    if (password.length < 8) {
      error = trans.__('Choose a password of at least 8 characters.');
    } else if (password !== repeat) {
      error = trans.__('The two passwords differ.');
    } else {
      return password;
    }
  }
}

class NewPasswordBody
  extends Widget
  implements Dialog.IBodyWidget<{ password: string; repeat: string }>
{
  private _password: HTMLInputElement;
  private _repeat: HTMLInputElement;

  constructor(trans: TranslationBundle, error?: string) {
    super();
    this.addClass('jp-OceanPasswordPrompt');
    const text = document.createElement('p');
    text.textContent = trans.__(
      'Choose a password for this wallet in this browser. Next you will see its 12 recovery words: write them down. After that the wallet can be used on other networks, so only then may it hold real funds.'
    );
    const field = (label: string) => {
      const wrapper = document.createElement('label');
      wrapper.textContent = label;
      const input = document.createElement('input');
      input.type = 'password';
      input.autocomplete = 'new-password';
      input.className = 'jp-mod-styled';
      wrapper.appendChild(input);
      return { wrapper, input };
    };
    const first = field(trans.__('New wallet password (8+ characters)'));
    const second = field(trans.__('Repeat the password'));
    this._password = first.input;
    this._repeat = second.input;
    this.node.append(text, first.wrapper, second.wrapper);
    if (error) {
      const problem = document.createElement('p');
      problem.className = 'jp-OceanPasswordPrompt-error';
      problem.setAttribute('role', 'alert');
      problem.textContent = error;
      this.node.appendChild(problem);
    }
  }

  getValue(): { password: string; repeat: string } {
    return { password: this._password.value, repeat: this._repeat.value };
  }
}
