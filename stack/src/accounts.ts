/**
 * The local network's development accounts.
 *
 * DEV ONLY. These keys are derived from Ocean's public development mnemonic
 * (the one Ocean's barge and its test suites use). Anyone can derive them, so
 * they must never hold anything of value and never be used on a real network.
 * We use the same mnemonic so that accounts and contract addresses match what
 * Ocean's own docs and tests show for chainId 8996.
 */
import { HDNodeWallet, Mnemonic } from 'ethers';

export const DEV_MNEMONIC =
  'taxi music thumb unique chat sand crew more leg another off lamp';

/** The standard Ethereum HD path prefix; account i is `${HD_PATH}/${i}`. */
export const HD_PATH = "m/44'/60'/0'/0";

/** How many accounts the dev chain derives from the mnemonic and funds. */
export const DEV_ACCOUNT_COUNT = 10;

/** 10,000 ETH each, in wei. */
export const DEV_ACCOUNT_BALANCE_WEI = 10n ** 22n;

export interface DevAccount {
  index: number;
  address: string;
  /** 0x-prefixed private key. DEV ONLY. */
  privateKey: string;
}

const root = HDNodeWallet.fromMnemonic(
  Mnemonic.fromPhrase(DEV_MNEMONIC),
  HD_PATH
);

/** Derives dev account `index` from the dev mnemonic. */
export function devAccount(index: number): DevAccount {
  const wallet = root.deriveChild(index);
  return { index, address: wallet.address, privateKey: wallet.privateKey };
}

/** All funded dev accounts, in HD order. */
export const DEV_ACCOUNTS: readonly DevAccount[] = Array.from(
  { length: DEV_ACCOUNT_COUNT },
  (_, index) => devAccount(index)
);

/**
 * The accounts by role. Roles are fixed so every part of the project (stack,
 * node, tests, UI tests) agrees on who is who.
 */
export const ACCOUNTS = {
  /** Deploys and owns Ocean's contracts; mints OCEAN; pays the faucet. */
  deployer: DEV_ACCOUNTS[0],
  /** Publishes the sample assets. */
  publisher: DEV_ACCOUNTS[1],
  /** A data consumer (the default wallet in the UI on the local network). */
  consumer: DEV_ACCOUNTS[2],
  /** A second consumer, for order-reuse and permission tests. */
  consumer2: DEV_ACCOUNTS[3],
  /** The Ocean Node's provider key: signs provider fees, decrypts DDOs. */
  provider: DEV_ACCOUNTS[9],
  /**
   * The second node's key (`--nodes 2`): its own identity, so the first node sees a different
   * decrypter asking and each node's provider fees name the node that signed them.
   */
  provider2: DEV_ACCOUNTS[8]
} as const;

export type AccountRole = keyof typeof ACCOUNTS;
