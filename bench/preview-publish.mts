/**
 * Publishes extra assets on a running local stack, through the stack's own
 * publishing code (the real lib and contracts), for the Ocean UI tests and
 * the preview benchmark.
 *
 *   node --import tsx bench/preview-publish.mts <stack.json> <specs.json>
 *
 * specs.json: [{ name, description, tags?, pricing: {type:'free'} |
 * {type:'fixed', priceInOcean}, files: [{url, headers?}], links?,
 * contentType?, timeout?, publisher?: 'publisher' | 'consumer2', license? }].
 * Prints one JSON line: the dids, in order, once the node has indexed them.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ACCOUNTS } from '../stack/src/accounts.ts';
import {
  localProvider,
  readDevelopmentAddresses
} from '../stack/src/deploy.ts';
import { publishAsset, waitUntilIndexed } from '../stack/src/publish.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The stack's own ethers, so the lib sees the Signer class it knows.
const { Wallet } = createRequire(join(root, 'stack', 'package.json'))(
  'ethers'
) as typeof import('ethers');

interface Spec {
  name: string;
  description: string;
  tags?: string[];
  pricing: { type: 'free' } | { type: 'fixed'; priceInOcean: string };
  files: { url: string; headers?: Record<string, string> }[];
  links?: string[];
  contentType?: string;
  timeout?: number;
  publisher?: 'publisher' | 'consumer2';
  license?: string;
}

const [stackFile, specsFile] = process.argv.slice(2);
const info = JSON.parse(readFileSync(stackFile, 'utf8'));
const specs: Spec[] = JSON.parse(readFileSync(specsFile, 'utf8'));
const addresses = await readDevelopmentAddresses(info.addressFile);
if (!addresses)
  throw new Error(`No development addresses in ${info.addressFile}.`);
const provider = localProvider(info.rpcUrl);
const nodeInfo = (await (await fetch(info.nodeUrl)).json()) as {
  providerAddress: string;
};
const dids: string[] = [];
try {
  for (const [index, spec] of specs.entries()) {
    const signer = new Wallet(
      ACCOUNTS[spec.publisher ?? 'publisher'].privateKey,
      provider
    );
    const asset = await publishAsset({
      signer: signer as any,
      addresses,
      nodeUrl: info.nodeUrl,
      providerAddress: nodeInfo.providerAddress,
      nftName: `Test asset ${Date.now()}-${index}`,
      nftSymbol: `T${index}`,
      pricing: spec.pricing,
      files: spec.files,
      timeout: spec.timeout,
      metadata: {
        name: spec.name,
        description: spec.description,
        author: 'jupyterlab-ocean tests',
        license: spec.license ?? 'CC0-1.0',
        tags: spec.tags ?? ['test'],
        links: spec.links,
        additionalInformation: spec.contentType
          ? { contentType: spec.contentType }
          : undefined
      }
    });
    dids.push(asset.did);
  }
  for (const did of dids) await waitUntilIndexed(info.nodeUrl, did);
} finally {
  provider.destroy();
}
console.log(JSON.stringify({ dids }));
