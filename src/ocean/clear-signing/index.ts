/**
 * Clear signing for Ocean: the ERC-7730 descriptors of every contract call
 * the extension makes (descriptors/, in the registry's schema), the
 * descriptor-like table of the Ocean Node requests a person signs
 * (node-commands.json), and the reader that turns a call into the dialog's
 * intent and fields (render.ts). The dialog's words come from these files;
 * tests/ holds their registry-format tests (`transaction → intent and fields`).
 */
import { FunctionFragment } from 'ethers';
import type { IClearTransaction, IDescriptor } from './render';
import { mergeIncludes } from './render';
import erc20 from './descriptors/common-erc20.json';
import oceanToken from './descriptors/calldata-OceanToken.json';
import datatoken from './descriptors/calldata-ERC20Template.json';
import dataNft from './descriptors/calldata-ERC721Template.json';
import factory from './descriptors/calldata-ERC721Factory.json';
import exchange from './descriptors/calldata-FixedRateExchange.json';
import dispenser from './descriptors/calldata-Dispenser.json';
import nodeCommands from './node-commands.json';

export * from './render';

const INCLUDES: Record<string, IDescriptor> = {
  'common-erc20.json': erc20 as unknown as IDescriptor
};

function load(descriptor: unknown): IDescriptor {
  const file = descriptor as IDescriptor;
  return file.includes && INCLUDES[file.includes]
    ? mergeIncludes(file, INCLUDES[file.includes])
    : file;
}

/** The Ocean descriptors by file name, includes merged. */
export const OCEAN_DESCRIPTORS: Record<string, IDescriptor> = {
  'calldata-OceanToken.json': load(oceanToken),
  'calldata-ERC20Template.json': load(datatoken),
  'calldata-ERC721Template.json': load(dataNft),
  'calldata-ERC721Factory.json': load(factory),
  'calldata-FixedRateExchange.json': load(exchange),
  'calldata-Dispenser.json': load(dispenser)
};

/** Whether `descriptor` lists `to` among its deployments on `chainId`. */
export function deployedAt(
  descriptor: IDescriptor,
  chainId: number,
  to: string
): boolean {
  return (descriptor.context?.contract?.deployments ?? []).some(
    entry =>
      entry.chainId === chainId &&
      entry.address.toLowerCase() === to.toLowerCase()
  );
}

/**
 * The descriptor for a call: one that names `to` among its deployments
 * first, then one bound to the factory's clones (datatokens, data NFTs),
 * then any whose formats know the selector.
 */
export function descriptorFor(
  tx: Pick<IClearTransaction, 'to' | 'data' | 'chainId'>
): { name: string; descriptor: IDescriptor; deployed: boolean } | null {
  const selector = tx.data.slice(0, 10).toLowerCase();
  const knows = (descriptor: IDescriptor) =>
    Object.keys(descriptor.display.formats).some(key =>
      selectorOf(key).startsWith(selector)
    );
  const entries = Object.entries(OCEAN_DESCRIPTORS);
  for (const [name, descriptor] of entries) {
    if (deployedAt(descriptor, tx.chainId, tx.to) && knows(descriptor)) {
      return { name, descriptor, deployed: true };
    }
  }
  for (const [name, descriptor] of entries) {
    if (descriptor.context?.contract?.factory && knows(descriptor)) {
      return { name, descriptor, deployed: false };
    }
  }
  for (const [name, descriptor] of entries) {
    if (knows(descriptor)) return { name, descriptor, deployed: false };
  }
  return null;
}

/** Ocean's own contracts, as a grant names them. */
export interface IPinnedOceanContracts {
  nftFactory?: string;
  fixedRateExchange?: string;
  dispenser?: string;
  ocean?: string;
}

/**
 * Ocean's contracts on `chainId` as its published deployments list them
 * (the descriptors' `deployments`, from @oceanprotocol/contracts' address
 * file): what an Ocean Node's DDOs point to is checked against these.
 * Null for a chain no descriptor lists.
 */
export function pinnedOceanContracts(
  chainId: number
): IPinnedOceanContracts | null {
  const at = (file: string) =>
    OCEAN_DESCRIPTORS[file].context?.contract?.deployments?.find(
      entry => entry.chainId === chainId
    )?.address;
  const pinned: IPinnedOceanContracts = {
    nftFactory: at('calldata-ERC721Factory.json'),
    fixedRateExchange: at('calldata-FixedRateExchange.json'),
    dispenser: at('calldata-Dispenser.json'),
    ocean: at('calldata-OceanToken.json')
  };
  return Object.values(pinned).some(Boolean) ? pinned : null;
}

const SELECTORS = new Map<string, string>();
function selectorOf(key: string): string {
  let selector = SELECTORS.get(key);
  if (!selector) {
    selector = FunctionFragment.from(`function ${key}`).selector.toLowerCase();
    SELECTORS.set(key, selector);
  }
  return selector;
}

export interface INodeCommandFormat {
  intent: string;
  interpolatedIntent: string;
  fields: Array<{ path: string; label: string; format: string }>;
}

/** The Ocean Node commands a person may sign, in the table's words. */
export const NODE_COMMAND_TABLE = nodeCommands as unknown as {
  metadata: { owner: string };
  display: { formats: Record<string, INodeCommandFormat> };
};

/** The registry-format output for a node request (the data the table's paths read). */
export function renderNodeCommand(request: {
  node: string;
  command: string;
  nonce: string | number;
}): {
  intent: string;
  interpolatedIntent: string;
  owner: string;
  fields: Array<{ label: string; value: string }>;
} | null {
  const format = NODE_COMMAND_TABLE.display.formats[request.command];
  if (!format) return null;
  const values: Record<string, string> = {
    node: request.node,
    command: request.command,
    nonce: String(request.nonce)
  };
  return {
    intent: format.intent,
    interpolatedIntent: format.interpolatedIntent.replace(
      /\{(\w+)\}/g,
      (_m, path: string) => values[path] ?? ''
    ),
    owner: NODE_COMMAND_TABLE.metadata.owner,
    fields: format.fields.map(field => ({
      label: field.label,
      value: values[field.path] ?? ''
    }))
  };
}
