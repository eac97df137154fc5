/**
 * The local node's compute-to-data engine: one environment that runs JavaScript/TypeScript
 * algorithms in the Deno sandbox (compute-sandbox.ts), a queue that runs one job at a time (the
 * machines this stack targets have two cores), and the status progression Ocean Node's Docker
 * engine reports: 0 Job started → 20 Configuring volumes → 30 Provisioning data → 40 Running
 * algorithm → 50 Filtering results → 60 Publishing results → 70 Job finished, or a final
 * failure (31 data provisioning, 32 algorithm provisioning, 41 algorithm failed/stopped by a
 * limit). Job records live in SQLite, results and logs under `<dataDir>/compute/<jobId>/`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import {
  copyFile,
  mkdir,
  readdir,
  rm,
  stat,
  writeFile
} from 'node:fs/promises';
import { arch } from 'node:os';
import { join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { NodeContext } from './context.js';
import {
  DEFAULT_LIMITS,
  detectIsolation,
  runInSandbox,
  type SandboxLimits,
  type SandboxRunning
} from './compute-sandbox.js';
import {
  ComputeStore,
  FINAL_STATUSES,
  STATUS,
  type ComputeJobRecord,
  type ComputeResultFile
} from './compute-store.js';
import { NodeError } from './errors.js';
import { deadline, fetchFailure, originTimeout } from './file-fetch.js';
import { parseFileObject, type FileObject } from './storage.js';

export interface ComputeOptions {
  /** Longest paid job, in seconds (default 600). */
  maxJobDuration?: number;
  /** Longest free job, in seconds (default 60). */
  freeMaxJobDuration?: number;
  /** Memory limit per job, in bytes (default 256 MiB). */
  memoryBytes?: number;
  /** Largest input file fetched for a job, in bytes (default 512 MiB). */
  maxInputBytes?: number;
  /** Longest the fetch of one input file may take, in ms (default 10 minutes). */
  inputTimeoutMs?: number;
  /** How long results are kept, in seconds (reported as storageExpiry). */
  storageExpiry?: number;
}

export interface ComputeEnvironmentInfo {
  id: string;
  description: string;
  consumerAddress: string;
  platform: { architecture: string; os: string };
  fees: Record<
    string,
    { feeToken: string; prices: { id: string; price: number }[] }[]
  >;
  storageExpiry: number;
  minJobDuration: number;
  maxJobDuration: number;
  maxJobs: number;
  runningJobs: number;
  runningfreeJobs: number;
  queuedJobs: number;
  queuedFreeJobs: number;
  resources: {
    id: string;
    total: number;
    max: number;
    min: number;
    inUse: number;
    description: string;
  }[];
  free: {
    maxJobDuration: number;
    maxJobs: number;
    resources: { id: string; max: number; inUse: number }[];
  };
  /** Not in Ocean Node's schema: how this engine isolates algorithms. */
  sandbox: { runtime: 'deno'; isolation: string; languages: string[] };
}

/** What a job needs fetched before it can run, resolved by the routes at start time. */
export interface JobInputs {
  datasets: { did: string; files: FileObject[] }[];
  algorithm: { files: FileObject[] } | { rawcode: string };
}

export class ComputeEngine {
  readonly store: ComputeStore;
  readonly #context: NodeContext;
  readonly #root: string;
  readonly #options: Required<ComputeOptions>;
  readonly #envId: string;
  readonly #queue: { job: ComputeJobRecord; inputs: JobInputs }[] = [];
  readonly #running = new Map<string, SandboxRunning | null>();
  #busy = false;
  #closed = false;
  /** Aborts input fetches in flight when the node stops. */
  readonly #closing = new AbortController();
  readonly #log: (message: string) => void;

  constructor(
    context: NodeContext,
    dataDir: string,
    options: ComputeOptions = {},
    log: (message: string) => void = () => {}
  ) {
    this.#context = context;
    this.#root = join(dataDir, 'compute');
    this.#log = log;
    this.#options = {
      maxJobDuration: options.maxJobDuration ?? 600,
      freeMaxJobDuration: options.freeMaxJobDuration ?? 60,
      memoryBytes: options.memoryBytes ?? DEFAULT_LIMITS.memoryBytes,
      maxInputBytes: options.maxInputBytes ?? 512 * 1024 * 1024,
      inputTimeoutMs: options.inputTimeoutMs ?? 10 * 60_000,
      storageExpiry: options.storageExpiry ?? 7 * 24 * 3600
    };
    // Ocean Node ids are "<engine hash>-<environment>"; clients treat them as opaque.
    const hash = createHash('sha256')
      .update(`deno-sandbox:${context.keys.address}:${context.chainId}`)
      .digest('hex');
    this.#envId = `0x${hash}-deno`;
    this.store = new ComputeStore(join(dataDir, 'node.db'));
    // Jobs that were mid-way when the previous process ended cannot be resumed honestly.
    for (const job of this.store.unfinished()) {
      this.#finish(job, STATUS.AlgorithmFailed, {
        reason: 'error',
        exitCode: null,
        OOMKilled: false,
        message:
          'The node restarted while this job was running; start it again.'
      });
    }
  }

  get environmentId(): string {
    return this.#envId;
  }

  maxDuration(isFree: boolean): number {
    return isFree
      ? this.#options.freeMaxJobDuration
      : this.#options.maxJobDuration;
  }

  environments(): ComputeEnvironmentInfo[] {
    const active = [...this.#running.keys()]
      .map(id => this.store.get(id))
      .filter((job): job is ComputeJobRecord => !!job);
    const queued = this.#queue.map(entry => entry.job);
    const ramGb = this.#options.memoryBytes / 1024 ** 3;
    const count = (jobs: ComputeJobRecord[], free: boolean) =>
      jobs.filter(job => job.isFree === free).length;
    return [
      {
        id: this.#envId,
        description:
          'JavaScript/TypeScript algorithms in a Deno sandbox: reads only its inputs, writes only /data/outputs, no network.',
        consumerAddress: this.#context.keys.address,
        platform: { architecture: arch(), os: 'linux' },
        fees: {
          [String(this.#context.chainId)]: [
            {
              feeToken: this.#context.addresses.ocean,
              prices: [
                { id: 'cpu', price: 0 },
                { id: 'ram', price: 0 },
                { id: 'disk', price: 0 }
              ]
            }
          ]
        },
        storageExpiry: this.#options.storageExpiry,
        minJobDuration: 1,
        maxJobDuration: this.#options.maxJobDuration,
        maxJobs: 8,
        runningJobs: active.length,
        runningfreeJobs: count(active, true),
        queuedJobs: queued.length,
        queuedFreeJobs: count(queued, true),
        resources: [
          {
            id: 'cpu',
            total: 1,
            max: 1,
            min: 1,
            inUse: active.length,
            description: 'cores'
          },
          {
            id: 'ram',
            total: ramGb,
            max: ramGb,
            min: ramGb,
            inUse: active.length * ramGb,
            description: 'GB'
          },
          { id: 'disk', total: 1, max: 1, min: 0, inUse: 0, description: 'GB' }
        ],
        free: {
          maxJobDuration: this.#options.freeMaxJobDuration,
          maxJobs: 4,
          resources: [
            { id: 'cpu', max: 1, inUse: count(active, true) },
            { id: 'ram', max: ramGb, inUse: count(active, true) * ramGb },
            { id: 'disk', max: 1, inUse: 0 }
          ]
        },
        sandbox: {
          runtime: 'deno',
          isolation: detectIsolation(),
          languages: ['javascript', 'typescript']
        }
      }
    ];
  }

  /** Records the job (status 0) and queues it; returns the record as Ocean Node answers it. */
  submit(
    job: Omit<
      ComputeJobRecord,
      | 'jobId'
      | 'status'
      | 'statusText'
      | 'dateCreated'
      | 'dateFinished'
      | 'results'
      | 'stopRequested'
      | 'terminationDetails'
      | 'environment'
    >,
    inputs: JobInputs
  ): ComputeJobRecord {
    const record: ComputeJobRecord = {
      ...job,
      jobId: `${this.#envId.split('-')[0]}-${randomUUID()}`,
      environment: this.#envId,
      status: STATUS.JobStarted[0],
      statusText: STATUS.JobStarted[1],
      dateCreated: (Date.now() / 1000).toFixed(3),
      dateFinished: null,
      results: [],
      stopRequested: false,
      terminationDetails: null
    };
    this.store.save(record);
    this.#queue.push({ job: record, inputs });
    // Answer first (status 0, as Ocean Node does), then start working.
    setImmediate(() => void this.#drain());
    return { ...record };
  }

  /** Stops a queued or running job; answers the record as it stands after the request. */
  stop(jobId: string): ComputeJobRecord | undefined {
    const job = this.store.get(jobId);
    if (!job || FINAL_STATUSES.has(job.status)) return job;
    const queuedAt = this.#queue.findIndex(entry => entry.job.jobId === jobId);
    if (queuedAt >= 0) {
      this.#queue.splice(queuedAt, 1);
      this.#finish(job, STATUS.JobFinished, {
        reason: 'stopped',
        exitCode: null,
        OOMKilled: false,
        message: 'The job was stopped before it started.'
      });
      return this.store.get(jobId);
    }
    job.stopRequested = true;
    this.store.save(job);
    this.#running.get(jobId)?.stop();
    return job;
  }

  isRunning(jobId: string): boolean {
    return (
      this.#running.has(jobId) || this.#queue.some(e => e.job.jobId === jobId)
    );
  }

  jobDir(jobId: string): string {
    return join(this.#root, jobId.replace(/[^0-9a-zA-Z-]/g, '_'));
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#closing.abort(new Error('The node is stopping.'));
    this.#queue.splice(0);
    for (const running of this.#running.values()) running?.stop();
    const deadline = Date.now() + 5000;
    while (this.#busy && Date.now() < deadline)
      await new Promise(resolve => setTimeout(resolve, 50));
    this.store.close();
  }

  async #drain(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      while (!this.#closed && this.#queue.length > 0) {
        const next = this.#queue.shift()!;
        this.#running.set(next.job.jobId, null);
        try {
          await this.#run(next.job, next.inputs);
        } catch (error) {
          const current = this.store.get(next.job.jobId) ?? next.job;
          if (!FINAL_STATUSES.has(current.status))
            this.#finish(current, STATUS.AlgorithmFailed, {
              reason: 'error',
              exitCode: null,
              OOMKilled: false,
              message: `The engine failed: ${(error as Error).message}`
            });
        } finally {
          this.#running.delete(next.job.jobId);
        }
      }
    } finally {
      this.#busy = false;
    }
  }

  #setStatus(job: ComputeJobRecord, status: readonly [number, string]): void {
    job.status = status[0];
    job.statusText = status[1];
    this.store.save(job);
  }

  #finish(
    job: ComputeJobRecord,
    status: readonly [number, string],
    details: ComputeJobRecord['terminationDetails']
  ): void {
    job.status = status[0];
    job.statusText =
      details && details.reason !== 'completed'
        ? `${status[1]}: ${details.message}`
        : status[1];
    job.dateFinished = (Date.now() / 1000).toFixed(3);
    job.terminationDetails = details;
    this.store.save(job);
    this.#log(`compute job ${job.jobId}: ${job.statusText}`);
  }

  async #run(job: ComputeJobRecord, inputs: JobInputs): Promise<void> {
    const dir = this.jobDir(job.jobId);
    const configLog: string[] = [];
    const note = (line: string) =>
      configLog.push(`${new Date().toISOString()} ${line}`);
    const paths = {
      inputs: join(dir, 'inputs'),
      algorithm: join(dir, 'transformations'),
      outputs: join(dir, 'outputs'),
      logs: join(dir, 'logs'),
      root: join(dir, 'root')
    };
    const writeConfigLog = () =>
      writeFile(
        join(paths.logs, 'configurationLog.txt'),
        configLog.join('\n') + '\n'
      );

    this.#setStatus(job, STATUS.ConfiguringVolumes);
    for (const path of Object.values(paths))
      await mkdir(path, { recursive: true });
    note(`environment ${job.environment}, isolation ${detectIsolation()}`);

    this.#setStatus(job, STATUS.Provisioning);
    try {
      for (const dataset of inputs.datasets) {
        const folder = join(paths.inputs, dataset.did);
        await mkdir(folder, { recursive: true });
        for (const [index, file] of dataset.files.entries()) {
          const size = await this.#fetchTo(file, join(folder, String(index)));
          note(`input ${dataset.did} file ${index}: ${size} bytes`);
        }
      }
    } catch (error) {
      note(`data provisioning failed: ${(error as Error).message}`);
      await writeConfigLog();
      this.#finish(job, STATUS.DataProvisioningFailed, {
        reason: 'error',
        exitCode: null,
        OOMKilled: false,
        message: 'The dataset could not be fetched.'
      });
      await this.#publish(job, paths);
      return;
    }
    try {
      const target = join(paths.algorithm, job.algorithm.fileName);
      if ('rawcode' in inputs.algorithm)
        await writeFile(target, inputs.algorithm.rawcode);
      else await this.#fetchTo(inputs.algorithm.files[0], target);
      note(`algorithm ${job.algorithm.documentId ?? '(raw code)'} provisioned`);
    } catch (error) {
      note(`algorithm provisioning failed: ${(error as Error).message}`);
      await writeConfigLog();
      this.#finish(job, STATUS.AlgorithmProvisioningFailed, {
        reason: 'error',
        exitCode: null,
        OOMKilled: false,
        message: 'The algorithm could not be fetched.'
      });
      await this.#publish(job, paths);
      return;
    }
    if (job.stopRequested) {
      await writeConfigLog();
      this.#finish(job, STATUS.JobFinished, {
        reason: 'stopped',
        exitCode: null,
        OOMKilled: false,
        message: 'The job was stopped before the algorithm ran.'
      });
      await this.#publish(job, paths);
      return;
    }

    this.#setStatus(job, STATUS.RunningAlgorithm);
    const limits: SandboxLimits = {
      ...DEFAULT_LIMITS,
      wallTimeMs: job.maxJobDuration * 1000,
      memoryBytes: this.#options.memoryBytes
    };
    note(
      `limits: ${job.maxJobDuration} s wall time, ${Math.round(limits.memoryBytes / 1024 ** 2)} MB memory`
    );
    const running = await runInSandbox({
      inputsDir: paths.inputs,
      algorithmDir: paths.algorithm,
      algorithmFile: job.algorithm.fileName,
      outputsDir: paths.outputs,
      logFile: join(paths.logs, 'algorithmLog.txt'),
      rootDir: paths.root,
      limits
    });
    this.#running.set(job.jobId, running);
    const outcome = await running.done;
    note(
      `algorithm ended: ${outcome.end} (exit ${outcome.exitCode ?? outcome.signal}) after ${outcome.durationMs} ms, peak RSS ${Math.round(outcome.peakRssBytes / 1024 ** 2)} MB`
    );
    await rm(paths.root, { recursive: true, force: true });
    await writeConfigLog();
    this.#setStatus(job, STATUS.FilteringResults);
    this.#setStatus(job, STATUS.PublishingResults);
    await this.#publish(job, paths);
    const details = {
      reason: outcome.end,
      exitCode: outcome.exitCode,
      OOMKilled: outcome.end === 'memory',
      message: outcome.message,
      durationMs: outcome.durationMs,
      peakRssBytes: outcome.peakRssBytes
    };
    const final =
      outcome.end === 'completed' || outcome.end === 'stopped'
        ? STATUS.JobFinished
        : STATUS.AlgorithmFailed;
    this.#finish(job, final, details);
    // Inputs are the data owner's bytes: they do not outlive the job.
    await rm(paths.inputs, { recursive: true, force: true });
  }

  /** Lists logs and output files as the job's results (index = position in this list). */
  async #publish(
    job: ComputeJobRecord,
    paths: { outputs: string; logs: string }
  ): Promise<void> {
    const results: ComputeResultFile[] = [];
    for (const [name, type] of [
      ['configurationLog.txt', 'configurationLog'],
      ['algorithmLog.txt', 'algorithmLog']
    ] as const) {
      const info = await stat(join(paths.logs, name)).catch(() => undefined);
      if (info)
        results.push({
          filename: name,
          filesize: info.size,
          type,
          index: results.length
        });
    }
    for (const file of await listFiles(paths.outputs)) {
      const info = await stat(file);
      results.push({
        filename: relative(paths.outputs, file),
        filesize: info.size,
        type: 'output',
        index: results.length
      });
    }
    job.results = results;
    this.store.save(job);
  }

  /** The path of result `index` of a job, or undefined. */
  resultPath(job: ComputeJobRecord, index: number): string | undefined {
    const result = job.results.find(entry => entry.index === index);
    if (!result) return undefined;
    const dir = this.jobDir(job.jobId);
    return result.type === 'output'
      ? join(dir, 'outputs', result.filename)
      : join(dir, 'logs', result.filename);
  }

  async #fetchTo(file: FileObject, target: string): Promise<number> {
    const parsed = parseFileObject(file);
    if (parsed.type === 'nodePersistentStorage') {
      const row = this.#context.files.stored(parsed);
      await copyFile(row.path, target);
      return row.size;
    }
    // Through the node's guarded fetcher (no loopback or private targets, redirects checked),
    // bounded in bytes (maxInputBytes) and time (inputTimeoutMs), and let go when the node stops.
    const limit = this.#options.maxInputBytes;
    const bound = deadline(
      this.#options.inputTimeoutMs,
      originTimeout(
        `did not send the file within ${Math.round(this.#options.inputTimeoutMs / 1000)} s`
      ),
      this.#closing.signal
    );
    let size = 0;
    try {
      const opened = await this.#context.files.fetcher.open(parsed, {
        signal: bound.signal
      });
      if (opened.status < 200 || opened.status > 299) {
        opened.body.destroy();
        throw new NodeError(
          502,
          'ORIGIN_FAILED',
          `The origin answered HTTP ${opened.status}.`
        );
      }
      await pipeline(
        opened.body,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            size += chunk.length;
            if (size > limit)
              throw new Error(`The file is larger than ${limit} bytes.`);
            yield chunk;
          }
        },
        createWriteStream(target),
        { signal: bound.signal }
      );
    } catch (error) {
      throw fetchFailure(error, bound.signal);
    } finally {
      bound.dispose();
    }
    return size;
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    // Symlinks could point anywhere on the host: only plain files are results.
    if (entry.isDirectory()) found.push(...(await listFiles(path)));
    else if (entry.isFile()) found.push(path);
  }
  return found.sort();
}
