/**
 * The dialog that asks whether a kernel may see a wallet account: it names
 * the notebook, the account (name and address) and, after a switch, the
 * accounts the kernel was given before. Only a person's real click answers
 * it (ApprovalDialog).
 */
import { Dialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { ApprovalDialog } from '../approval-dialog';
import type { IWalletRequester } from '../tokens';
import type { IAccountToShare } from './bridge';

/** The once-per-account-and-kernel-session question: may this notebook see the account? */
export async function askToShareAccount(
  requester: IWalletRequester,
  account: IAccountToShare,
  trans: TranslationBundle
): Promise<boolean> {
  const body = document.createElement('div');
  body.className = 'jp-OceanShareAccount';
  const first = document.createElement('p');
  first.textContent = trans.__(
    '%1 asks to see your wallet account:',
    requester.label
  );
  // Names and addresses as text: the notebook label and account name are the user's own,
  // but nothing here is markup.
  const which = document.createElement('p');
  which.className = 'jp-OceanShareAccount-account';
  const name = document.createElement('strong');
  name.textContent = account.name ?? trans.__('Account');
  const address = document.createElement('code');
  address.textContent = account.address;
  which.append(name, ' ', address);
  body.append(first, which);
  if (account.sharedBefore.length > 0) {
    const again = document.createElement('p');
    again.className = 'jp-OceanShareAccount-again';
    again.textContent = trans.__(
      'It was given %1 before. You now use another account, and each account is shared only when you agree.',
      account.sharedBefore.join(', ')
    );
    body.append(again);
  }
  const second = document.createElement('p');
  second.textContent = trans.__(
    'Its code will know this address and may ask for signatures and transactions; each one still needs your approval in the wallet dialog. This lasts until the kernel restarts.'
  );
  body.append(second);
  if (requester.inView === false) {
    const warning = document.createElement('p');
    warning.className = 'jp-OceanShareAccount-warning';
    warning.textContent = trans.__(
      'This notebook is not in view. If you did not just run code there, do not share.'
    );
    body.append(warning);
  }
  const dialog = new ApprovalDialog<void>({
    approveIndex: 1,
    title: trans.__('Share your account with a notebook?'),
    body: new Widget({ node: body }),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Don’t share') }),
      Dialog.okButton({ label: trans.__('Share account') })
    ],
    defaultButton: 0
  });
  // The cell ended or the notebook closed while asking: stop asking.
  const onAbort = () => dialog.reject();
  requester.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await dialog.launch();
    return result.button.accept && !requester.signal?.aborted;
  } finally {
    requester.signal?.removeEventListener('abort', onAbort);
    dialog.dispose();
  }
}
