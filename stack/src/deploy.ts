/**
 * Deploys Ocean's v4 contract set from the `@oceanprotocol/contracts`
 * artifacts and writes an address file in the package's own
 * `addresses/address.json` format, under a `development` entry (chainId 8996),
 * so `@oceanprotocol/lib` can read it through `ADDRESS_FILE`.
 *
 * The order and constructor arguments reproduce Ocean's development network:
 * deployed from account 0 of the dev mnemonic on a fresh chain, every address
 * is the same on every run.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

import {
  Contract,
  ContractFactory,
  JsonRpcProvider,
  NonceManager,
  Wallet,
  getCreateAddress,
  parseUnits,
  type InterfaceAbi
} from 'ethers';

import { ACCOUNTS, DEV_ACCOUNTS } from './accounts.ts';
import { CHAIN_ID } from './chain.ts';

const require = createRequire(import.meta.url);

/** The network name the lib's ConfigHelper looks up for chainId 8996. */
export const DEVELOPMENT_NETWORK = 'development';

/** OCEAN minted to each dev account at deploy time (the deployer gets more: it pays the faucet). */
export const OCEAN_PER_DEV_ACCOUNT = parseUnits('10000', 18);
export const OCEAN_FOR_DEPLOYER = parseUnits('1000000', 18);

/** Ocean's FactoryRouter takes a pool template it never uses on v4; Ocean passes the dead address. */
const UNUSED_POOL_TEMPLATE = '0x000000000000000000000000000000000000dEaD';
const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

export interface DevelopmentAddresses {
  chainId: number;
  Ocean: string;
  MockDAI: string;
  MockUSDC: string;
  OPFCommunityFeeCollector: string;
  EnterpriseFeeCollector: string;
  Router: string;
  FixedPrice: string;
  FixedPriceEnterprise: string;
  ERC20Template: Record<string, string>;
  ERC721Template: Record<string, string>;
  Dispenser: string;
  ERC721Factory: string;
  BatchPayments: string;
  Escrow: string;
  EnterpriseEscrow: string;
  AccessList: string;
  AccessListFactory: string;
  startBlock: number;
}

interface Artifact {
  contractName: string;
  abi: InterfaceAbi;
  bytecode: string;
}

const ARTIFACT_PATHS = {
  OceanToken: 'utils/OceanToken.sol/OceanToken',
  MockERC20Decimals: 'utils/mock/MockERC20Decimals.sol/MockERC20Decimals',
  OPFCommunityFeeCollector:
    'communityFee/OPFCommunityFeeCollector.sol/OPFCommunityFeeCollector',
  EnterpriseFeeCollector:
    'communityFee/EnterpriseFeeCollector.sol/EnterpriseFeeCollector',
  FactoryRouter: 'pools/FactoryRouter.sol/FactoryRouter',
  FixedRateExchange: 'pools/fixedRate/FixedRateExchange.sol/FixedRateExchange',
  FixedRateExchangeEnterprise:
    'pools/fixedRate/FixedRateExchangeEnterprise.sol/FixedRateExchangeEnterprise',
  ERC20Template: 'templates/ERC20Template.sol/ERC20Template',
  ERC20TemplateEnterprise:
    'templates/ERC20TemplateEnterprise.sol/ERC20TemplateEnterprise',
  ERC20Template3: 'templates/ERC20Template3.sol/ERC20Template3',
  ERC20Template4: 'templates/ERC20Template4.sol/ERC20Template4',
  ERC721Template: 'templates/ERC721Template.sol/ERC721Template',
  Dispenser: 'pools/dispenser/Dispenser.sol/Dispenser',
  ERC721Factory: 'ERC721Factory.sol/ERC721Factory',
  BatchPayments: 'rewards/BatchPayments.sol/BatchPayments',
  Escrow: 'escrow/Escrow.sol/Escrow',
  EnterpriseEscrow: 'escrow/EnterpriseEscrow.sol/EnterpriseEscrow',
  AccessList: 'accesslists/AccessList.sol/AccessList',
  AccessListFactory: 'accesslists/AccessListFactory.sol/AccessListFactory'
} as const;

export type ArtifactName = keyof typeof ARTIFACT_PATHS;

/** Loads one of Ocean's compiled contract artifacts (ABI + bytecode). */
export function loadArtifact(name: ArtifactName): Artifact {
  return require(
    `@oceanprotocol/contracts/artifacts/contracts/${ARTIFACT_PATHS[name]}.json`
  ) as Artifact;
}

export class DeployError extends Error {
  constructor(
    readonly code: string,
    message: string
  ) {
    super(message);
    this.name = 'DeployError';
  }
}

/**
 * A JSON-RPC provider for the local chain. `cacheTimeout: -1` turns off
 * ethers' 250 ms call cache, which otherwise hands out stale nonces on an
 * automining chain ("nonce too low").
 */
export function localProvider(rpcUrl: string): JsonRpcProvider {
  return new JsonRpcProvider(rpcUrl, CHAIN_ID, {
    cacheTimeout: -1,
    staticNetwork: true,
    pollingInterval: 100
  });
}

/**
 * Deploys the contract set with the dev deployer (account 0) and writes the
 * address file. Returns the whole address file content
 * (`{ development: DevelopmentAddresses }`).
 */
export async function deployContracts(
  rpcUrl: string,
  addressFile: string
): Promise<Record<string, unknown>> {
  const provider = localProvider(rpcUrl);
  try {
    const network = await provider.getNetwork();
    if (Number(network.chainId) !== CHAIN_ID) {
      throw new DeployError(
        'DEPLOY_WRONG_CHAIN',
        `Refusing to deploy: ${rpcUrl} is chain ${network.chainId}, not the local dev chain ${CHAIN_ID}.`
      );
    }
    const deployer = new NonceManager(
      new Wallet(ACCOUNTS.deployer.privateKey, provider)
    );
    const owner = ACCOUNTS.deployer.address;
    const startBlock = await provider.getBlockNumber();
    // One fee quote for the whole run: on an automining dev chain the base fee
    // only falls, and skipping a fee query per transaction halves the time.
    const fees = await provider.getFeeData();
    const overrides = {
      maxFeePerGas: (fees.maxFeePerGas ?? parseUnits('10', 'gwei')) * 2n,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas ?? parseUnits('1', 'gwei')
    };

    const deploy = async (
      name: ArtifactName,
      ...args: unknown[]
    ): Promise<string> => {
      const artifact = loadArtifact(name);
      const factory = new ContractFactory(
        artifact.abi,
        artifact.bytecode,
        deployer
      );
      const contract = await factory.deploy(...args, overrides);
      const receipt = await contract.deploymentTransaction()?.wait();
      if (!receipt || receipt.status !== 1 || !receipt.contractAddress) {
        throw new DeployError(
          'DEPLOY_FAILED',
          `Deploying ${name} failed (transaction ${contract.deploymentTransaction()?.hash}).`
        );
      }
      return receipt.contractAddress;
    };
    const call = async (
      address: string,
      name: ArtifactName,
      method: string,
      ...args: unknown[]
    ): Promise<void> => {
      const contract = new Contract(address, loadArtifact(name).abi, deployer);
      const tx = await contract.getFunction(method)(...args, overrides);
      const receipt = await tx.wait();
      if (!receipt || receipt.status !== 1) {
        throw new DeployError(
          'DEPLOY_CALL_FAILED',
          `${name}.${method} failed (transaction ${tx.hash}).`
        );
      }
    };

    const ocean = await deploy('OceanToken', owner);
    await call(ocean, 'OceanToken', 'mint', owner, OCEAN_FOR_DEPLOYER);
    for (const account of DEV_ACCOUNTS.slice(1)) {
      await call(
        ocean,
        'OceanToken',
        'mint',
        account.address,
        OCEAN_PER_DEV_ACCOUNT
      );
    }
    const dai = await deploy('MockERC20Decimals', 'DAI', 'DAI', 18);
    const usdc = await deploy('MockERC20Decimals', 'USDC', 'USDC', 6);
    const opfCollector = await deploy('OPFCommunityFeeCollector', owner, owner);
    const enterpriseCollector = await deploy(
      'EnterpriseFeeCollector',
      owner,
      owner
    );
    const router = await deploy(
      'FactoryRouter',
      owner,
      ocean,
      UNUSED_POOL_TEMPLATE,
      opfCollector,
      []
    );
    const fixedPrice = await deploy('FixedRateExchange', router);
    const fixedPriceEnterprise = await deploy(
      'FixedRateExchangeEnterprise',
      router,
      enterpriseCollector
    );
    const erc20Template = await deploy('ERC20Template');
    const erc20TemplateEnterprise = await deploy('ERC20TemplateEnterprise');
    const erc20Template3 = await deploy('ERC20Template3');
    const erc20Template4 = await deploy('ERC20Template4');
    const erc721Template = await deploy('ERC721Template');
    const dispenser = await deploy('Dispenser', router);
    const nftFactory = await deploy(
      'ERC721Factory',
      erc721Template,
      erc20Template,
      router
    );
    // Template index 1 is the factory's constructor template; these become 2, 3 and 4.
    for (const template of [
      erc20TemplateEnterprise,
      erc20Template3,
      erc20Template4
    ]) {
      await call(nftFactory, 'ERC721Factory', 'addTokenTemplate', template);
    }
    await call(router, 'FactoryRouter', 'addFactory', nftFactory);
    await call(router, 'FactoryRouter', 'addFixedRateContract', fixedPrice);
    await call(
      router,
      'FactoryRouter',
      'addFixedRateContract',
      fixedPriceEnterprise
    );
    await call(router, 'FactoryRouter', 'addDispenserContract', dispenser);
    const batchPayments = await deploy('BatchPayments');
    const escrow = await deploy('Escrow', router, ZERO_ADDRESS);
    const enterpriseEscrow = await deploy(
      'EnterpriseEscrow',
      enterpriseCollector
    );
    const accessList = await deploy('AccessList');
    const accessListFactory = await deploy('AccessListFactory', accessList);

    const development: DevelopmentAddresses = {
      chainId: CHAIN_ID,
      Ocean: ocean,
      MockDAI: dai,
      MockUSDC: usdc,
      OPFCommunityFeeCollector: opfCollector,
      EnterpriseFeeCollector: enterpriseCollector,
      Router: router,
      FixedPrice: fixedPrice,
      FixedPriceEnterprise: fixedPriceEnterprise,
      ERC20Template: {
        '1': erc20Template,
        '2': erc20TemplateEnterprise,
        '3': erc20Template3,
        '4': erc20Template4
      },
      ERC721Template: { '1': erc721Template },
      Dispenser: dispenser,
      ERC721Factory: nftFactory,
      BatchPayments: batchPayments,
      Escrow: escrow,
      EnterpriseEscrow: enterpriseEscrow,
      AccessList: accessList,
      AccessListFactory: accessListFactory,
      startBlock
    };
    const content = { [DEVELOPMENT_NETWORK]: development };
    await writeAddressFile(addressFile, content);
    return content;
  } finally {
    provider.destroy();
  }
}

async function writeAddressFile(
  addressFile: string,
  content: Record<string, unknown>
): Promise<void> {
  await mkdir(path.dirname(addressFile), { recursive: true });
  // Write then rename, so a reader (the node, the lib) never sees half a file.
  const temporary = `${addressFile}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(content, null, 2) + '\n');
  await rename(temporary, addressFile);
}

/** Reads the `development` entry of an address file, or null when absent or unreadable. */
export async function readDevelopmentAddresses(
  addressFile: string
): Promise<DevelopmentAddresses | null> {
  try {
    const content = JSON.parse(await readFile(addressFile, 'utf8'));
    const development = content?.[DEVELOPMENT_NETWORK];
    return development && development.chainId === CHAIN_ID ? development : null;
  } catch {
    return null;
  }
}

/**
 * Every contract address recorded in an address file, flattened
 * (template maps included), for checks such as "is there code at each?".
 */
export function contractAddresses(addresses: DevelopmentAddresses): string[] {
  const found: string[] = [];
  for (const [key, value] of Object.entries(addresses)) {
    if (key === 'chainId' || key === 'startBlock') continue;
    if (typeof value === 'string') found.push(value);
    else if (value && typeof value === 'object')
      found.push(...Object.values(value as Record<string, string>));
  }
  return found;
}

/**
 * True when the chain at `rpcUrl` is the dev chain and has contract code at
 * every address the file records (i.e. the file describes this chain).
 */
export async function isDeployedOn(
  rpcUrl: string,
  addresses: DevelopmentAddresses
): Promise<boolean> {
  const provider = localProvider(rpcUrl);
  try {
    const network = await provider.getNetwork();
    if (Number(network.chainId) !== CHAIN_ID) return false;
    const codes = await Promise.all(
      contractAddresses(addresses).map(address => provider.getCode(address))
    );
    return codes.every(code => code !== '0x');
  } catch {
    return false;
  } finally {
    provider.destroy();
  }
}

/** The address the deployer's first contract (OCEAN) gets on a fresh chain. */
export const EXPECTED_OCEAN_ADDRESS = getCreateAddress({
  from: ACCOUNTS.deployer.address,
  nonce: 0
});
