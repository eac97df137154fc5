/**
 * The node's state on disk: one SQLite file in WAL mode with synchronous=FULL, so a committed
 * transaction survives `kill -9`. The indexer writes each batch of blocks, together with the
 * last indexed block number, in one transaction: after a crash it resumes exactly where the
 * last commit left off, never half a block.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';

export interface DdoRow {
  did: string;
  nftAddress: string;
  chainId: number;
  ddo: string;
  metadataState: number;
  eventTx: string;
  eventBlock: number;
  eventFrom: string;
  eventContract: string;
  eventDatetime: string;
  nftName: string;
  nftSymbol: string;
  nftOwner: string;
  nftTokenUri: string;
  nftCreated: string;
}

export interface OrderRow {
  txHash: string;
  logIndex: number;
  datatoken: string;
  consumer: string;
  payer: string;
  amount: string;
  serviceIndex: number;
  timestamp: number;
  block: number;
  reusedTx: string | null;
}

export interface ExchangeRow {
  exchangeId: string;
  contract: string;
  datatoken: string;
  baseToken: string;
  owner: string;
  rate: string;
  active: number;
}

export interface DispenserRow {
  datatoken: string;
  contract: string;
  owner: string;
  maxTokens: string;
  maxBalance: string;
  active: number;
}

export interface DatatokenRow {
  address: string;
  nftAddress: string;
  name: string;
  symbol: string;
}

export interface AuthTokenRow {
  token: string;
  address: string;
  createdAt: number;
  validUntil: number | null;
  valid: number;
}

export interface BucketRow {
  bucketId: string;
  owner: string;
  label: string | null;
  accessLists: string;
  createdAt: number;
}

export interface StoredFileRow {
  bucketId: string;
  fileName: string;
  path: string;
  size: number;
  sha256: string;
  contentType: string;
  createdAt: number;
}

/** What one indexed batch changes; applied in a single transaction. */
export interface IndexedBatch {
  toBlock: number;
  ddos: DdoRow[];
  stateChanges: { nftAddress: string; state: number }[];
  orders: OrderRow[];
  exchanges: ExchangeRow[];
  exchangeUpdates: { exchangeId: string; rate?: string; active?: number }[];
  dispensers: DispenserRow[];
  dispenserUpdates: { datatoken: string; active: number }[];
  datatokens: DatatokenRow[];
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ddos (
  did TEXT PRIMARY KEY, nftAddress TEXT NOT NULL UNIQUE, chainId INTEGER NOT NULL,
  ddo TEXT NOT NULL, metadataState INTEGER NOT NULL,
  eventTx TEXT NOT NULL, eventBlock INTEGER NOT NULL, eventFrom TEXT NOT NULL,
  eventContract TEXT NOT NULL, eventDatetime TEXT NOT NULL,
  nftName TEXT NOT NULL, nftSymbol TEXT NOT NULL, nftOwner TEXT NOT NULL,
  nftTokenUri TEXT NOT NULL, nftCreated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
  txHash TEXT NOT NULL, logIndex INTEGER NOT NULL, datatoken TEXT NOT NULL,
  consumer TEXT NOT NULL, payer TEXT NOT NULL, amount TEXT NOT NULL,
  serviceIndex INTEGER NOT NULL, timestamp INTEGER NOT NULL, block INTEGER NOT NULL,
  reusedTx TEXT, PRIMARY KEY (txHash, logIndex)
);
CREATE INDEX IF NOT EXISTS orders_by_datatoken ON orders (datatoken);
CREATE TABLE IF NOT EXISTS exchanges (
  exchangeId TEXT PRIMARY KEY, contract TEXT NOT NULL, datatoken TEXT NOT NULL,
  baseToken TEXT NOT NULL, owner TEXT NOT NULL, rate TEXT NOT NULL, active INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS exchanges_by_datatoken ON exchanges (datatoken);
CREATE TABLE IF NOT EXISTS dispensers (
  datatoken TEXT PRIMARY KEY, contract TEXT NOT NULL, owner TEXT NOT NULL,
  maxTokens TEXT NOT NULL, maxBalance TEXT NOT NULL, active INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS datatokens (
  address TEXT PRIMARY KEY, nftAddress TEXT NOT NULL, name TEXT NOT NULL, symbol TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS nonces (address TEXT PRIMARY KEY, nonce INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS auth_tokens (
  token TEXT PRIMARY KEY, address TEXT NOT NULL, createdAt INTEGER NOT NULL,
  validUntil INTEGER, valid INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS buckets (
  bucketId TEXT PRIMARY KEY, owner TEXT NOT NULL, label TEXT, accessLists TEXT NOT NULL,
  createdAt INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS stored_files (
  bucketId TEXT NOT NULL, fileName TEXT NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL,
  sha256 TEXT NOT NULL, contentType TEXT NOT NULL, createdAt INTEGER NOT NULL,
  PRIMARY KEY (bucketId, fileName)
);
`;

export class NodeDatabase {
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

  // --- meta ---------------------------------------------------------------------------------

  getMeta(key: string): string | undefined {
    const row = this.#db
      .prepare('SELECT value FROM meta WHERE key = ?')
      .get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.#db
      .prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'
      )
      .run(key, value);
  }

  /** A secret for signing auth tokens, created once and kept, so tokens survive restarts. */
  jwtSecret(): string {
    const existing = this.getMeta('jwtSecret');
    if (existing) return existing;
    const secret = randomBytes(32).toString('hex');
    this.setMeta('jwtSecret', secret);
    return secret;
  }

  lastIndexedBlock(): number | undefined {
    const value = this.getMeta('lastIndexedBlock');
    return value === undefined ? undefined : Number(value);
  }

  // --- nonces -------------------------------------------------------------------------------

  getNonce(address: string): number {
    const row = this.#db
      .prepare('SELECT nonce FROM nonces WHERE address = ?')
      .get(address.toLowerCase()) as { nonce: number } | undefined;
    return row?.nonce ?? 0;
  }

  /**
   * Stores `nonce` for `address` only if it is greater than the stored one, atomically, so two
   * requests racing with the same nonce cannot both pass. Returns whether it was accepted.
   */
  consumeNonce(address: string, nonce: number): boolean {
    const result = this.#db
      .prepare(
        `INSERT INTO nonces (address, nonce) VALUES (?, ?)
         ON CONFLICT(address) DO UPDATE SET nonce = excluded.nonce WHERE excluded.nonce > nonces.nonce`
      )
      .run(address.toLowerCase(), nonce);
    return result.changes === 1;
  }

  // --- auth tokens --------------------------------------------------------------------------

  insertAuthToken(row: AuthTokenRow): void {
    this.#db
      .prepare(
        'INSERT INTO auth_tokens (token, address, createdAt, validUntil, valid) VALUES (?, ?, ?, ?, ?)'
      )
      .run(
        row.token,
        row.address.toLowerCase(),
        row.createdAt,
        row.validUntil,
        row.valid
      );
  }

  getAuthToken(token: string): AuthTokenRow | undefined {
    return this.#db
      .prepare('SELECT * FROM auth_tokens WHERE token = ?')
      .get(token) as AuthTokenRow | undefined;
  }

  invalidateAuthToken(token: string): boolean {
    return (
      this.#db
        .prepare(
          'UPDATE auth_tokens SET valid = 0 WHERE token = ? AND valid = 1'
        )
        .run(token).changes === 1
    );
  }

  // --- DDOs and chain state -----------------------------------------------------------------

  getDdo(did: string): DdoRow | undefined {
    return this.#db.prepare('SELECT * FROM ddos WHERE did = ?').get(did) as
      DdoRow | undefined;
  }

  getDdoByNft(nftAddress: string): DdoRow | undefined {
    return this.#db
      .prepare('SELECT * FROM ddos WHERE nftAddress = ?')
      .get(nftAddress.toLowerCase()) as DdoRow | undefined;
  }

  getDdoByTx(txHash: string): DdoRow | undefined {
    return this.#db
      .prepare('SELECT * FROM ddos WHERE eventTx = ?')
      .get(txHash.toLowerCase()) as DdoRow | undefined;
  }

  allDdos(): DdoRow[] {
    return this.#db
      .prepare('SELECT * FROM ddos ORDER BY eventBlock DESC')
      .all() as DdoRow[];
  }

  countOrders(datatoken: string): number {
    const row = this.#db
      .prepare('SELECT COUNT(*) AS n FROM orders WHERE datatoken = ?')
      .get(datatoken.toLowerCase()) as {
      n: number;
    };
    return row.n;
  }

  exchangesFor(datatoken: string): ExchangeRow[] {
    return this.#db
      .prepare('SELECT * FROM exchanges WHERE datatoken = ?')
      .all(datatoken.toLowerCase()) as ExchangeRow[];
  }

  dispenserFor(datatoken: string): DispenserRow | undefined {
    return this.#db
      .prepare('SELECT * FROM dispensers WHERE datatoken = ?')
      .get(datatoken.toLowerCase()) as DispenserRow | undefined;
  }

  datatoken(address: string): DatatokenRow | undefined {
    return this.#db
      .prepare('SELECT * FROM datatokens WHERE address = ?')
      .get(address.toLowerCase()) as DatatokenRow | undefined;
  }

  /** Applies one indexed batch and moves the indexer's bookmark, all or nothing. */
  applyBatch(batch: IndexedBatch): void {
    const db = this.#db;
    const upsertDdo = db.prepare(
      `INSERT INTO ddos (did, nftAddress, chainId, ddo, metadataState, eventTx, eventBlock, eventFrom,
         eventContract, eventDatetime, nftName, nftSymbol, nftOwner, nftTokenUri, nftCreated)
       VALUES (@did, @nftAddress, @chainId, @ddo, @metadataState, @eventTx, @eventBlock, @eventFrom,
         @eventContract, @eventDatetime, @nftName, @nftSymbol, @nftOwner, @nftTokenUri, @nftCreated)
       ON CONFLICT(did) DO UPDATE SET ddo = excluded.ddo, metadataState = excluded.metadataState,
         eventTx = excluded.eventTx, eventBlock = excluded.eventBlock, eventFrom = excluded.eventFrom,
         eventContract = excluded.eventContract, eventDatetime = excluded.eventDatetime,
         nftName = excluded.nftName, nftSymbol = excluded.nftSymbol, nftOwner = excluded.nftOwner,
         nftTokenUri = excluded.nftTokenUri`
    );
    const setState = db.prepare(
      'UPDATE ddos SET metadataState = ? WHERE nftAddress = ?'
    );
    const insertOrder = db.prepare(
      `INSERT OR IGNORE INTO orders (txHash, logIndex, datatoken, consumer, payer, amount, serviceIndex,
         timestamp, block, reusedTx)
       VALUES (@txHash, @logIndex, @datatoken, @consumer, @payer, @amount, @serviceIndex, @timestamp, @block, @reusedTx)`
    );
    const upsertExchange = db.prepare(
      `INSERT OR REPLACE INTO exchanges (exchangeId, contract, datatoken, baseToken, owner, rate, active)
       VALUES (@exchangeId, @contract, @datatoken, @baseToken, @owner, @rate, @active)`
    );
    const setRate = db.prepare(
      'UPDATE exchanges SET rate = ? WHERE exchangeId = ?'
    );
    const setExchangeActive = db.prepare(
      'UPDATE exchanges SET active = ? WHERE exchangeId = ?'
    );
    const upsertDispenser = db.prepare(
      `INSERT OR REPLACE INTO dispensers (datatoken, contract, owner, maxTokens, maxBalance, active)
       VALUES (@datatoken, @contract, @owner, @maxTokens, @maxBalance, @active)`
    );
    const setDispenserActive = db.prepare(
      'UPDATE dispensers SET active = ? WHERE datatoken = ?'
    );
    const upsertDatatoken = db.prepare(
      'INSERT OR REPLACE INTO datatokens (address, nftAddress, name, symbol) VALUES (@address, @nftAddress, @name, @symbol)'
    );
    const setBookmark = db.prepare(
      "INSERT INTO meta (key, value) VALUES ('lastIndexedBlock', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"
    );
    db.transaction(() => {
      for (const row of batch.ddos) upsertDdo.run(row);
      for (const change of batch.stateChanges)
        setState.run(change.state, change.nftAddress);
      for (const row of batch.orders) insertOrder.run(row);
      for (const row of batch.exchanges) upsertExchange.run(row);
      for (const update of batch.exchangeUpdates) {
        if (update.rate !== undefined)
          setRate.run(update.rate, update.exchangeId);
        if (update.active !== undefined)
          setExchangeActive.run(update.active, update.exchangeId);
      }
      for (const row of batch.dispensers) upsertDispenser.run(row);
      for (const update of batch.dispenserUpdates)
        setDispenserActive.run(update.active, update.datatoken);
      for (const row of batch.datatokens) upsertDatatoken.run(row);
      setBookmark.run(String(batch.toBlock));
    })();
  }

  // --- node storage (persistent storage buckets) --------------------------------------------

  insertBucket(row: BucketRow): void {
    this.#db
      .prepare(
        'INSERT INTO buckets (bucketId, owner, label, accessLists, createdAt) VALUES (?, ?, ?, ?, ?)'
      )
      .run(
        row.bucketId,
        row.owner.toLowerCase(),
        row.label,
        row.accessLists,
        row.createdAt
      );
  }

  getBucket(bucketId: string): BucketRow | undefined {
    return this.#db
      .prepare('SELECT * FROM buckets WHERE bucketId = ?')
      .get(bucketId) as BucketRow | undefined;
  }

  bucketsOf(owner: string): BucketRow[] {
    return this.#db
      .prepare('SELECT * FROM buckets WHERE owner = ? ORDER BY createdAt')
      .all(owner.toLowerCase()) as BucketRow[];
  }

  upsertStoredFile(row: StoredFileRow): void {
    this.#db
      .prepare(
        `INSERT OR REPLACE INTO stored_files (bucketId, fileName, path, size, sha256, contentType, createdAt)
         VALUES (@bucketId, @fileName, @path, @size, @sha256, @contentType, @createdAt)`
      )
      .run(row);
  }

  getStoredFile(bucketId: string, fileName: string): StoredFileRow | undefined {
    return this.#db
      .prepare('SELECT * FROM stored_files WHERE bucketId = ? AND fileName = ?')
      .get(bucketId, fileName) as StoredFileRow | undefined;
  }

  filesIn(bucketId: string): StoredFileRow[] {
    return this.#db
      .prepare(
        'SELECT * FROM stored_files WHERE bucketId = ? ORDER BY fileName'
      )
      .all(bucketId) as StoredFileRow[];
  }

  deleteStoredFile(bucketId: string, fileName: string): boolean {
    return (
      this.#db
        .prepare('DELETE FROM stored_files WHERE bucketId = ? AND fileName = ?')
        .run(bucketId, fileName).changes === 1
    );
  }
}
