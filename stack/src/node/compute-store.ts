/**
 * Compute jobs on disk: one row per job in the node's SQLite file (its own table, its own
 * connection; WAL lets it share the file with the indexer), so a restarted node still answers
 * status and result requests for every job it ever ran.
 */
import Database from 'better-sqlite3';

/** Ocean Node's C2D status numbers and texts (C2DStatusNumber / C2DStatusText). */
export const STATUS = {
  JobStarted: [0, 'Job started'],
  ConfiguringVolumes: [20, 'Configuring volumes'],
  Provisioning: [30, 'Provisioning data'],
  DataProvisioningFailed: [31, 'Data provisioning failed'],
  AlgorithmProvisioningFailed: [32, 'Algorithm provisioning failed'],
  RunningAlgorithm: [40, 'Running algorithm '],
  AlgorithmFailed: [41, 'Failed to run algorithm'],
  FilteringResults: [50, 'Filtering results'],
  PublishingResults: [60, 'Publishing results'],
  JobFinished: [70, 'Job finished']
} as const satisfies Record<string, readonly [number, string]>;

/** Statuses after which nothing changes any more. */
export const FINAL_STATUSES: ReadonlySet<number> = new Set([31, 32, 41, 70]);

export interface ComputeResultFile {
  filename: string;
  filesize: number;
  type: 'algorithmLog' | 'configurationLog' | 'output';
  index: number;
}

export interface JobAsset {
  documentId: string;
  serviceId: string;
  transferTxId?: string;
}

export interface JobAlgorithm {
  documentId?: string;
  serviceId?: string;
  transferTxId?: string;
  /** Raw code (only where every dataset allows raw algorithms). */
  rawcode?: string;
  /** algorithm.js or algorithm.ts */
  fileName: string;
}

export interface TerminationDetails {
  reason: 'completed' | 'failed' | 'timeout' | 'memory' | 'stopped' | 'error';
  exitCode: number | null;
  OOMKilled: boolean;
  message: string;
  durationMs?: number;
  peakRssBytes?: number;
}

export interface ComputeJobRecord {
  jobId: string;
  owner: string;
  environment: string;
  status: number;
  statusText: string;
  dateCreated: string;
  dateFinished: string | null;
  isFree: boolean;
  agreementId: string | null;
  maxJobDuration: number;
  stopRequested: boolean;
  algorithm: JobAlgorithm;
  assets: JobAsset[];
  results: ComputeResultFile[];
  additionalViewers: string[];
  metadata: Record<string, unknown> | null;
  resources: { id: string; amount: number }[];
  terminationDetails: TerminationDetails | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS compute_jobs (
  jobId TEXT PRIMARY KEY, owner TEXT NOT NULL, status INTEGER NOT NULL,
  dateCreated TEXT NOT NULL, record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS compute_jobs_by_owner ON compute_jobs (owner);
`;

export class ComputeStore {
  readonly #db: Database.Database;

  constructor(file: string) {
    this.#db = new Database(file);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.exec(SCHEMA);
  }

  close(): void {
    this.#db.close();
  }

  save(job: ComputeJobRecord): void {
    this.#db
      .prepare(
        `INSERT INTO compute_jobs (jobId, owner, status, dateCreated, record) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(jobId) DO UPDATE SET status = excluded.status, record = excluded.record`
      )
      .run(
        job.jobId,
        job.owner.toLowerCase(),
        job.status,
        job.dateCreated,
        JSON.stringify(job)
      );
  }

  get(jobId: string): ComputeJobRecord | undefined {
    const row = this.#db
      .prepare('SELECT record FROM compute_jobs WHERE jobId = ?')
      .get(jobId) as { record: string } | undefined;
    return row ? (JSON.parse(row.record) as ComputeJobRecord) : undefined;
  }

  byOwner(owner: string): ComputeJobRecord[] {
    return (
      this.#db
        .prepare(
          'SELECT record FROM compute_jobs WHERE owner = ? ORDER BY dateCreated'
        )
        .all(owner.toLowerCase()) as { record: string }[]
    ).map(row => JSON.parse(row.record) as ComputeJobRecord);
  }

  /** Jobs that had not reached a final status: they died with the previous process. */
  unfinished(): ComputeJobRecord[] {
    return (
      this.#db
        .prepare(
          `SELECT record FROM compute_jobs WHERE status NOT IN (${[...FINAL_STATUSES].join(',')})`
        )
        .all() as { record: string }[]
    ).map(row => JSON.parse(row.record) as ComputeJobRecord);
  }
}
