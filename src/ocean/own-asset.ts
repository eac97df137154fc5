/**
 * Access to a dataset the account publishes. The publisher of an Ocean asset
 * holds its datatoken's minter role (ocean.js and our publish make the owner
 * the minter), so buying a datatoken from their own exchange would only move
 * their own money round in a circle, less the exchange's fees. Instead they
 * mint one datatoken to themselves and start the order with it: Ocean Nodes
 * check the order (an OrderStarted event of the datatoken for this consumer
 * and service), not where the datatoken came from. It costs network fees
 * only (and the node's provider fee, which is zero unless the node charges
 * one).
 */
import type { ICall } from './batch-calls';
import type { Ethers } from './lib';

const MINTER_ABI = [
  'function isMinter(address account) view returns (bool)',
  'function cap() view returns (uint256)',
  'function totalSupply() view returns (uint256)',
  'function mint(address account, uint256 value)'
];

/**
 * True when `account` may mint `amount` of `datatoken` (it holds the minter
 * role and the cap leaves room). Any failure to read it (an unusual
 * template) answers false: the caller then buys as anyone would.
 */
export async function canMintDatatoken(
  ethers: Ethers,
  provider: unknown,
  datatoken: string,
  account: string,
  amount: bigint
): Promise<boolean> {
  try {
    const token = new ethers.Contract(datatoken, MINTER_ABI, provider as never);
    if (!(await token.isMinter(account))) {
      return false;
    }
    const [cap, supply]: [bigint, bigint] = await Promise.all([
      token.cap(),
      token.totalSupply()
    ]);
    return supply + amount <= cap;
  } catch {
    return false;
  }
}

/** The call that mints `amount` of `datatoken` to `account`. */
export function mintCall(
  ethers: Ethers,
  datatoken: string,
  account: string,
  amount: bigint
): ICall {
  const calls = new ethers.Interface(MINTER_ABI);
  return {
    to: datatoken,
    data: calls.encodeFunctionData('mint', [account, amount])
  };
}
