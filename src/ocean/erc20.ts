/**
 * The ERC-20 functions this extension calls, decodes or encodes: OCEAN,
 * datatokens and any token a person sends. Human-readable ABI text only (no
 * ethers import), so the modules that import it stay free of ethers until
 * they load it themselves.
 */

/** What an ERC-20 answers without a transaction. */
export const ERC20_READS = [
  'function balanceOf(address) view returns (uint256)',
  'function allowance(address owner, address spender) view returns (uint256)',
  'function decimals() view returns (uint8)',
  'function symbol() view returns (string)',
  'function name() view returns (string)'
] as const;

/** What a wallet signs for an ERC-20. */
export const ERC20_WRITES = [
  'function approve(address spender, uint256 amount) returns (bool)',
  'function transfer(address to, uint256 amount) returns (bool)',
  'function transferFrom(address from, address to, uint256 amount) returns (bool)'
] as const;

export const ERC20_ABI: readonly string[] = [...ERC20_READS, ...ERC20_WRITES];
