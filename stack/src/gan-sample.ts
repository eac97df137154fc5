/**
 * The GAN sample: the pixel-art generator trained by gan/train.py (CC0
 * training data), published as an Ocean *algorithm* asset priced in OCEAN.
 * The model file is paid content; its SHA-256 and size are in the DDO so
 * the browser can refuse a corrupted or swapped download.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { FileServer } from './file-server.ts';
import {
  publishAsset,
  type PublishedAsset,
  type PublishRequest
} from './publish.ts';
import type { SampleFile } from './sample-data.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Where `npm run train:gan` writes the shipped model. */
export const GAN_MODEL_DIR = path.resolve(here, '..', '..', 'gan', 'model');

/** Price of one access to the generator, in OCEAN. */
export const GAN_PRICE_OCEAN = '3';

export interface GanSampleFiles {
  model: SampleFile;
  preview: SampleFile;
  /** The training figures (gan/model/training.json), for the description. */
  training: {
    images: number;
    epochs: number;
    generator_parameters: number;
    train_seconds: number;
  };
}

async function copyInto(
  dir: string,
  source: string,
  name: string,
  contentType: string,
  isPublic: boolean
): Promise<SampleFile> {
  const target = path.join(dir, name);
  await copyFile(source, target);
  const bytes = await readFile(target);
  return {
    name,
    contentType,
    bytes: (await stat(target)).size,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    public: isPublic
  };
}

/** Copies the shipped model and its sample grid into the samples folder; null when no model was trained. */
export async function writeGanFiles(
  dir: string,
  modelDir = GAN_MODEL_DIR
): Promise<GanSampleFiles | null> {
  const onnx = path.join(modelDir, 'generator.onnx');
  if (!existsSync(onnx)) return null;
  const model = await copyInto(
    dir,
    onnx,
    'pixel-art-gan.onnx',
    'application/octet-stream',
    false
  );
  const preview = await copyInto(
    dir,
    path.join(modelDir, 'samples.png'),
    'pixel-art-gan-samples.png',
    'image/png',
    true
  );
  const training = JSON.parse(
    await readFile(path.join(modelDir, 'training.json'), 'utf8')
  );
  return { model, preview, training };
}

/** Publishes the generator; resolves once mined (not yet indexed). */
export async function publishGanModel(
  base: Pick<
    PublishRequest,
    'signer' | 'addresses' | 'nodeUrl' | 'providerAddress'
  >,
  fileServer: FileServer,
  files: GanSampleFiles,
  author: string
): Promise<PublishedAsset> {
  const { model, preview, training } = files;
  return publishAsset({
    ...base,
    nftName: 'Pixel-art avatar GAN',
    nftSymbol: 'PXGAN',
    pricing: { type: 'fixed', priceInOcean: GAN_PRICE_OCEAN },
    files: [
      {
        url: fileServer.privateUrl(model.name),
        headers: fileServer.privateHeaders
      }
    ],
    metadata: {
      type: 'algorithm',
      name: 'Pixel-art avatar generator (DCGAN, ONNX)',
      description: `A small DCGAN generator (${training.generator_parameters.toLocaleString('en')} parameters, ONNX opset 17, ${model.bytes.toLocaleString('en')} bytes) that turns a 100-number latent vector into a 16x16 pixel-art avatar. Trained for ${training.epochs} epochs on ${training.images.toLocaleString('en')} avatars rendered from the DiceBear "Pixel Art" style (design CC0 1.0), on a 2-core CPU. Runs in the browser: use it from a notebook with %ocean gan <did>. The public link is a grid of 64 samples.`,
      author,
      license: 'CC0-1.0',
      tags: ['gan', 'onnx', 'generator', 'pixel-art', 'images', 'synthetic'],
      links: [fileServer.publicUrl(preview.name)],
      additionalInformation: {
        contentType: 'application/onnx',
        // What the browser checks every download and cache read against.
        sha256: model.sha256,
        size: model.bytes,
        model: {
          format: 'onnx',
          opset: 17,
          input: { name: 'z', shape: ['batch', 100], dtype: 'float32' },
          output: {
            name: 'images',
            shape: ['batch', 16, 16, 3],
            dtype: 'float32',
            range: [0, 1]
          },
          latent:
            'standard normal; seed → mulberry32 + Box-Muller (src/gan/latent.ts)'
        },
        trainingData:
          '@dicebear/pixel-art avatars (design CC0 1.0, code MIT), rendered offline'
      }
    }
  });
}
