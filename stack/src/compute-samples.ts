/**
 * The compute-to-data samples: a synthetic greenhouse sensor log offered for compute only
 * (never downloadable), and the one algorithm it trusts, a Deno script that summarises each
 * greenhouse. Both files live in the node's own storage (a persistent-storage bucket), the way
 * a data owner keeps data on their node instead of a public URL.
 */
import { Readable } from 'node:stream';
import { ProviderInstance } from '@oceanprotocol/lib';
import type { Signer } from 'ethers';

import {
  publishComputeAsset,
  trustEntry,
  type PublishedComputeAsset
} from './compute-publish.ts';
import type { DevelopmentAddresses } from './deploy.ts';
import { SAMPLE_AUTHOR } from './samples.ts';

export interface ComputeSamples {
  compute: PublishedComputeAsset;
  algorithm: PublishedComputeAsset;
}

/** Deterministic PRNG (mulberry32) so every stack start publishes the same bytes. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Hourly readings of three imaginary greenhouses over 10 days. */
export function greenhouseCsv(): string {
  const next = random(8996);
  const rows = ['timestamp,greenhouse,temperature_c,humidity_pct,co2_ppm'];
  const start = Date.UTC(2025, 5, 1);
  for (let hour = 0; hour < 240; hour++) {
    const time = new Date(start + hour * 3600_000).toISOString();
    const daylight = Math.sin(((hour % 24) / 24) * 2 * Math.PI - Math.PI / 2);
    for (const [index, name] of ['north', 'south', 'east'].entries()) {
      const temperature = 21 + index + 4 * daylight + (next() - 0.5) * 2;
      const humidity = 70 - 8 * daylight + (next() - 0.5) * 6;
      const co2 = 420 + 180 * (1 - daylight) + next() * 40;
      rows.push(
        `${time},${name},${temperature.toFixed(2)},${humidity.toFixed(1)},${co2.toFixed(0)}`
      );
    }
  }
  return rows.join('\n') + '\n';
}

/**
 * The trusted algorithm. It finds its input under the first argument (each dataset is a folder
 * named by its DID holding files 0, 1, ...) and writes to the second; in the node's sandbox
 * those are /data/inputs and /data/outputs.
 */
export const GREENHOUSE_SUMMARY_JS = `// Per-greenhouse summary of a sensor log: rows, mean temperature and humidity, peak CO2.
const [inputs = '/data/inputs', outputs = '/data/outputs'] = Deno.args;
const stats = {};
for (const dataset of Deno.readDirSync(inputs)) {
  for (const file of Deno.readDirSync(inputs + '/' + dataset.name)) {
    const lines = Deno.readTextFileSync(inputs + '/' + dataset.name + '/' + file.name).trim().split('\\n');
    const header = lines.shift().split(',');
    const column = name => header.indexOf(name);
    for (const line of lines) {
      const cells = line.split(',');
      const key = cells[column('greenhouse')];
      const entry = (stats[key] ??= { rows: 0, temperature: 0, humidity: 0, co2_max: 0 });
      entry.rows += 1;
      entry.temperature += Number(cells[column('temperature_c')]);
      entry.humidity += Number(cells[column('humidity_pct')]);
      entry.co2_max = Math.max(entry.co2_max, Number(cells[column('co2_ppm')]));
    }
  }
}
const summary = Object.entries(stats).map(([greenhouse, s]) => ({
  greenhouse,
  rows: s.rows,
  mean_temperature_c: Number((s.temperature / s.rows).toFixed(3)),
  mean_humidity_pct: Number((s.humidity / s.rows).toFixed(3)),
  co2_max_ppm: s.co2_max
}));
Deno.writeTextFileSync(outputs + '/summary.json', JSON.stringify(summary, null, 2));
Deno.writeTextFileSync(
  outputs + '/summary.csv',
  'greenhouse,rows,mean_temperature_c,mean_humidity_pct,co2_max_ppm\\n' +
    summary.map(s => [s.greenhouse, s.rows, s.mean_temperature_c, s.mean_humidity_pct, s.co2_max_ppm].join(',')).join('\\n') + '\\n'
);
console.log('summarised', summary.reduce((n, s) => n + s.rows, 0), 'rows of', summary.length, 'greenhouses');
`;

async function store(
  nodeUrl: string,
  signer: Signer,
  bucketId: string,
  fileName: string,
  content: string
): Promise<Record<string, unknown>> {
  await ProviderInstance.uploadPersistentStorageFile(
    nodeUrl,
    signer,
    bucketId,
    fileName,
    Readable.from([Buffer.from(content)]) as never
  );
  return (await ProviderInstance.getPersistentStorageFileObject(
    nodeUrl,
    signer,
    bucketId,
    fileName
  )) as unknown as Record<string, unknown>;
}

export async function publishComputeSamples(context: {
  signer: Signer;
  addresses: DevelopmentAddresses;
  nodeUrl: string;
}): Promise<ComputeSamples> {
  const { signer, addresses, nodeUrl } = context;
  const bucket = await ProviderInstance.createPersistentStorageBucket(
    nodeUrl,
    signer,
    { accessLists: [], label: 'compute samples' } as never
  );
  const csv = greenhouseCsv();
  const algorithmFile = await store(
    nodeUrl,
    signer,
    bucket.bucketId,
    'greenhouse-summary.js',
    GREENHOUSE_SUMMARY_JS
  );
  const dataFile = await store(
    nodeUrl,
    signer,
    bucket.bucketId,
    'greenhouse-sensors.csv',
    csv
  );
  const algorithm = await publishComputeAsset({
    signer,
    addresses,
    nodeUrl,
    name: 'Greenhouse summary (Deno algorithm)',
    symbol: 'GHSUM',
    description:
      'A JavaScript algorithm for the node’s Deno compute engine: per greenhouse it counts rows and computes mean temperature, mean humidity and peak CO2, writing summary.json and summary.csv. Free to use.',
    author: SAMPLE_AUTHOR,
    license: 'CC0-1.0',
    tags: ['algorithm', 'javascript', 'compute-to-data', 'synthetic'],
    files: [algorithmFile],
    pricing: { type: 'free' },
    kind: { type: 'algorithm', language: 'javascript' }
  });
  const rows = csv.trim().split('\n').length - 1;
  const compute = await publishComputeAsset({
    signer,
    addresses,
    nodeUrl,
    name: 'Greenhouse sensor log (synthetic, compute only)',
    symbol: 'GHLOG',
    description: `Hourly temperature, humidity and CO2 readings of three imaginary greenhouses over ten days (${rows} rows). Offered for compute-to-data only: the raw file never leaves the node; run the trusted "Greenhouse summary" algorithm on it and receive only its results. All values are synthetic, generated by code with a fixed seed.`,
    author: SAMPLE_AUTHOR,
    license: 'CC0-1.0',
    tags: ['compute-to-data', 'time-series', 'csv', 'synthetic'],
    files: [dataFile],
    pricing: { type: 'fixed', priceInOcean: '1' },
    additionalInformation: { contentType: 'text/csv', rows },
    kind: {
      type: 'dataset',
      trustedAlgorithms: [trustEntry(algorithm.did, GREENHOUSE_SUMMARY_JS)]
    }
  });
  return { compute, algorithm };
}
