/**
 * The test wallet's one rule that applies from the lab's start: until its
 * phrase is backed up it stays on the local network. Apart from
 * test-wallet.ts, whose dialogs (and the approval dialog under them) load
 * with the wallet, not with the lab: the wallet plugin's network guard
 * needs only this.
 */
import { isLocalNetwork } from '../../ocean/networks';
import type { IOceanNetwork, IWalletState } from '../../tokens';

/** A test wallet whose phrase nobody has written down yet. */
export function needsBackup(state: Pick<IWalletState, 'testWallet'>): boolean {
  return !!state.testWallet && !state.testWallet.backedUp;
}

/**
 * Whether switching from the wallet's state to `target` must wait for the
 * backup: a test wallet never leaves the local network unsaved.
 */
export function backupBlocksSwitch(
  state: Pick<IWalletState, 'testWallet' | 'source'>,
  target: Pick<IOceanNetwork, 'key'>
): boolean {
  return (
    state.source === 'builtin' && needsBackup(state) && !isLocalNetwork(target)
  );
}
