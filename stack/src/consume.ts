/**
 * One consumer journey through the real `@oceanprotocol/lib`: resolve the
 * DDO from the node, order (buy from the fixed-rate exchange or take from the
 * dispenser, then startOrder with the node-signed provider fee), get a signed
 * download URL and fetch the file. Used by the end-to-end test and the bench.
 */
import {
  Aquarius,
  ConfigHelper,
  Datatoken,
  ProviderInstance,
  orderAsset
} from '@oceanprotocol/lib';
import { Wallet } from 'ethers';

import { CHAIN_ID } from './chain.ts';
import { localProvider } from './deploy.ts';

export interface Download {
  did: string;
  orderTxHash: string;
  bytes: Uint8Array;
  contentType: string | null;
}

export async function buyAndDownload(options: {
  rpcUrl: string;
  nodeUrl: string;
  addressFile: string;
  did: string;
  consumerPrivateKey: string;
  fileIndex?: number;
}): Promise<Download> {
  // The lib reads the address file from the environment when building its config.
  process.env.ADDRESS_FILE = options.addressFile;
  const config = new ConfigHelper().getConfig(CHAIN_ID);
  if (!config)
    throw new Error('CONSUME_NO_CONFIG: the lib has no config for chain 8996.');
  config.oceanNodeUri = options.nodeUrl;
  const provider = localProvider(options.rpcUrl);
  try {
    const consumer = new Wallet(options.consumerPrivateKey, provider);
    const asset = await new Aquarius(options.nodeUrl).resolve(options.did);
    if (!asset?.services?.length)
      throw new Error(
        `CONSUME_NOT_FOUND: the node does not know ${options.did}.`
      );
    const service = asset.services[0];
    const datatoken = new Datatoken(consumer, CHAIN_ID, config);
    const orderTx = await orderAsset(
      asset,
      consumer,
      config,
      datatoken,
      options.nodeUrl
    );
    if (!orderTx)
      throw new Error(
        'CONSUME_ORDER_FAILED: the lib returned no order transaction.'
      );
    const receipt = await orderTx.wait();
    if (!receipt || receipt.status !== 1)
      throw new Error(`CONSUME_ORDER_FAILED: order ${orderTx.hash} reverted.`);
    const download = await ProviderInstance.getDownloadUrl(
      asset.id,
      service.id,
      options.fileIndex ?? 0,
      orderTx.hash,
      options.nodeUrl,
      consumer
    );
    if (typeof download !== 'string') {
      return {
        did: asset.id,
        orderTxHash: orderTx.hash,
        bytes: new Uint8Array(download.data),
        contentType: null
      };
    }
    const response = await fetch(download);
    if (!response.ok)
      throw new Error(
        `CONSUME_DOWNLOAD_FAILED: the node answered ${response.status}: ${await response.text()}`
      );
    return {
      did: asset.id,
      orderTxHash: orderTx.hash,
      bytes: new Uint8Array(await response.arrayBuffer()),
      contentType: response.headers.get('content-type')
    };
  } finally {
    provider.destroy();
  }
}
