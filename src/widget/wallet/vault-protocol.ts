/** The messages between the page and the vault worker. */
import type { IWordsLater, OceanErrorCode } from '../../errors';
import type { KeyVaultOp } from './key-vault';

export interface IVaultRequest {
  id: number;
  op: KeyVaultOp;
  args: unknown[];
}

export type VaultReply =
  | { id: number; ok: true; result: unknown }
  | {
      id: number;
      ok: false;
      error: { code: OceanErrorCode; message: string; words?: IWordsLater };
    };
