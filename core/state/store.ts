// The local state database: watermark, per-ticket ledger, runs and run records. SQLite in WAL mode
// with synchronous=FULL so a commit survives a power cut; the watermark only moves inside the same
// transaction that records the acknowledged tickets (docs/design.md §3). The schema is versioned
// (PRAGMA user_version) and migrated forward in order, each step in its own transaction; a state
// file written by a newer Outpost is refused rather than guessed at. Runs and their records are
// pruned by age and by a disk budget; the ledger and watermarks never are (they are the truth).
// Error text is scrubbed of every secret the process knows before it is stored (an API may echo the
// token back in its error text).
import Database from 'better-sqlite3';
import { scrubNullable } from '../scrub.js';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Watermark {
  cursor: string;
  /** Key values of the last row at `cursor`, JSON so numbers stay numbers. */
  key: unknown[];
  /** When it was last moved (host clock, ISO); read back only, never written by callers. */
  at?: string;
}

export interface Clock {
  now(): number;
}

export interface StateStoreOptions {
  clock?: Clock;
}

export interface PruneOptions {
  /** Runs that ended longer ago than this are deleted with their records. Default 30. */
  maxAgeDays?: number;
  /** Bytes the runs and records may use; over it the oldest runs' records go first. Default 256 MiB. */
  maxBytes?: number;
}

export interface LedgerEntry {
  ticketId: string;
  revision: string;
  targetId: string | null;
  /**
   * created / updated / unchanged: delivered. rejected: the API refused the ticket (parked).
   * filtered: the mapping found the row invalid (parked). skipped: a skip rule matched (parked, never sent).
   */
  action: LedgerAction;
  error: string | null;
  ticketNumber: string | null;
  /** The recordModifiedAt last sent for this ticket (kept monotone per ticket, see pipeline.ts). */
  modifiedAt?: string | null;
  /** The row's key values as JSON (exact: big integers as strings), so it can be read again by key. */
  keyJson?: string | null;
  /** Hash of the mapping that gave a filtered/skipped verdict; when it changes the row is re-evaluated. */
  mappingHash?: string | null;
  /** The ticket's day (YYYY-MM-DD, plant local) for reconcile; null when the row has no readable date. */
  ticketDate?: string | null;
  /** The JSON last sent (kept only for profiles with change.deletes "void": the void is built from it). */
  ticketJson?: string | null;
  /** When the row was found deleted at the source and sent as voided (null otherwise). */
  deletedAt?: string | null;
}

export type LedgerAction = 'created' | 'updated' | 'unchanged' | 'rejected' | 'filtered' | 'skipped';
export const DELIVERED_ACTIONS: readonly LedgerAction[] = ['created', 'updated', 'unchanged'];
export const PARKED_ACTIONS: readonly LedgerAction[] = ['filtered', 'skipped', 'rejected'];

/** Tickets parked now, by verdict. */
export interface ParkedCounts {
  filtered: number;
  skipped: number;
  rejected: number;
}

/** A parked ticket as the dashboard lists it. */
export interface ParkedTicket {
  ticketId: string;
  ticketNumber: string | null;
  reason: string | null;
  /** The ticket's day (YYYY-MM-DD, plant local), when known. */
  ticketDate: string | null;
  /** When it was parked (ISO). */
  parkedAt: string;
}

/** What a profile's state was built from: a change here makes the watermark meaningless. */
export interface ProfileShape {
  table: string;
  key: string[];
  mode: string;
  column: string | null;
}

/** A ticket queued to be read again by key and re-evaluated (resend, a changed mapping). */
export interface QueuedTicket {
  ticketId: string;
  keyJson: string | null;
  reason: string;
  /** When it was queued (also makes the Idempotency-Key of a re-send new and stable). */
  queuedAt: string;
}

export type RunType = 'scheduled' | 'manual' | 'startup';
export interface RunCounts {
  read: number;
  filtered: number;
  skipped: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  errors: number;
}
export interface RunRecord {
  ticketNumber: string | null;
  sourceId: string;
  targetId: string | null;
  processorAction: 'new' | 'changed' | 'unchanged' | 'invalid' | 'skipped';
  writerAction: 'created' | 'updated' | 'skipped' | 'rejected' | 'failed';
  error: string | null;
}
/**
 * Delivered tickets a run lists as records; past them a delivered ticket is only counted
 * (runs.unlisted_records). Every problem (filtered, skipped, rejected, failed) is always listed. A
 * backfill of a million rows would otherwise write a million records: SQLite work on every ticket
 * (docs/design.md §6), state-file growth, and a run page reading them all. The ledger keeps every
 * ticket; reconcile accounts for every row from it.
 */
export const RUN_RECORD_SAMPLE = 1000;
export interface RunRow extends RunCounts {
  id: number;
  profile: string;
  type: RunType;
  status: 'running' | 'complete' | 'error';
  /** UTC ISO instants (sortable)… */
  startedAt: string;
  endedAt: string | null;
  /** …and the same in the host's local time with its offset (docs/design.md §4). */
  startedAtLocal: string;
  endedAtLocal: string | null;
  /** written = created + updated (docs/design.md §4's "written"). */
  written: number;
  /** Records of this run dropped by the disk budget (the counts stay). */
  prunedRecords: number;
  /** Delivered tickets of this run past the first RUN_RECORD_SAMPLE, counted but not listed as records. */
  unlistedRecords: number;
  errorText: string | null;
}

export interface RunQuery {
  profile?: string | null;
  type?: RunType;
  problems?: boolean;
  fromIso?: string;
  toIso?: string;
  beforeId?: number;
  limit: number;
}

const MIGRATIONS: string[] = [
  // 1: first schema
  `CREATE TABLE watermarks (profile TEXT PRIMARY KEY, cursor TEXT NOT NULL, key_json TEXT NOT NULL, updated_at TEXT NOT NULL);
   CREATE TABLE ledger (profile TEXT NOT NULL, ticket_id TEXT NOT NULL, revision TEXT NOT NULL, target_id TEXT,
     action TEXT NOT NULL, error TEXT, ticket_number TEXT, updated_at TEXT NOT NULL, PRIMARY KEY (profile, ticket_id));
   CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, profile TEXT NOT NULL, type TEXT NOT NULL, status TEXT NOT NULL,
     started_at TEXT NOT NULL, ended_at TEXT, read INTEGER NOT NULL DEFAULT 0, filtered INTEGER NOT NULL DEFAULT 0,
     created INTEGER NOT NULL DEFAULT 0, updated INTEGER NOT NULL DEFAULT 0, unchanged INTEGER NOT NULL DEFAULT 0,
     rejected INTEGER NOT NULL DEFAULT 0, errors INTEGER NOT NULL DEFAULT 0, error_text TEXT);
   CREATE INDEX runs_profile ON runs (profile, id);
   CREATE TABLE run_records (run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, ticket_number TEXT, source_id TEXT NOT NULL,
     target_id TEXT, processor_action TEXT NOT NULL, writer_action TEXT NOT NULL, error TEXT);
   CREATE INDEX run_records_run ON run_records (run_id);
   CREATE TABLE profile_stats (profile TEXT PRIMARY KEY, delivered INTEGER NOT NULL DEFAULT 0, filtered INTEGER NOT NULL DEFAULT 0,
     last_success_at TEXT);`,
  // 2: pruning by age uses started_at; the disk budget may drop a run's records but keeps its counts.
  `CREATE INDEX runs_started ON runs (started_at);
   ALTER TABLE runs ADD COLUMN pruned_records INTEGER NOT NULL DEFAULT 0;`,
  // 3: the recordModifiedAt last sent per ticket, so the next one sent is never older.
  `ALTER TABLE ledger ADD COLUMN modified_at TEXT;`,
  // 4: every row accounted for — the key to read a row again, the mapping behind a filtered/skipped
  // verdict, the ticket's day (reconcile); the queue of tickets to re-evaluate; what each profile's
  // state was built from; skipped counts per run.
  `ALTER TABLE ledger ADD COLUMN key_json TEXT;
   ALTER TABLE ledger ADD COLUMN mapping_hash TEXT;
   ALTER TABLE ledger ADD COLUMN ticket_date TEXT;
   ALTER TABLE ledger ADD COLUMN ticket_json TEXT;
   ALTER TABLE ledger ADD COLUMN deleted_at TEXT;
   CREATE INDEX ledger_action ON ledger (profile, action);
   CREATE TABLE requeue (profile TEXT NOT NULL, ticket_id TEXT NOT NULL, key_json TEXT, reason TEXT NOT NULL, queued_at TEXT NOT NULL,
     PRIMARY KEY (profile, ticket_id));
   CREATE TABLE profile_shape (profile TEXT PRIMARY KEY, table_name TEXT NOT NULL, key_json TEXT NOT NULL, mode TEXT NOT NULL,
     change_column TEXT, recorded_at TEXT NOT NULL);
   ALTER TABLE runs ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;`,
  // 5: a run lists every problem and its first RUN_RECORD_SAMPLE delivered tickets; the delivered
  // tickets past those are counted here (the ledger holds every one of them).
  `ALTER TABLE runs ADD COLUMN unlisted_records INTEGER NOT NULL DEFAULT 0;`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** ISO 8601 in the host's local time with its UTC offset, e.g. 2026-11-25T04:10:00.000-06:00. */
export function localIso(iso: string | null): string | null {
  if (!iso) return null;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const off = -d.getTimezoneOffset();
  const local = new Date(d.getTime() + off * 60_000).toISOString().slice(0, -1);
  const sign = off >= 0 ? '+' : '-';
  const a = Math.abs(off);
  return `${local}${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** The run counters as columns of the runs table; `ADD_RUN_COUNTS` adds a commit's counts to a run. */
const RUN_COUNT_COLUMNS: ReadonlyArray<keyof RunCounts> = [
  'read',
  'filtered',
  'skipped',
  'created',
  'updated',
  'unchanged',
  'rejected',
  'errors',
];
const ADD_RUN_COUNTS = RUN_COUNT_COLUMNS.map((k) => `${k} = ${k} + ?`).join(', ');
const runCountValues = (c: Partial<RunCounts>): number[] => RUN_COUNT_COLUMNS.map((k) => c[k] ?? 0);

/** A runs row as read, with the fields derived from it (local start and end times, tickets written). */
function withDerived(r: RunRow): RunRow {
  return { ...r, startedAtLocal: localIso(r.startedAt)!, endedAtLocal: localIso(r.endedAt), written: r.created + r.updated };
}

/** Rows per multi-row INSERT of ledger entries and run records (a remainder goes one statement per row). */
const CHUNK = 50;

const LEDGER_UPSERT = {
  head: 'INSERT INTO ledger (profile, ticket_id, revision, target_id, action, error, ticket_number, updated_at, modified_at, key_json, mapping_hash, ticket_date, ticket_json, deleted_at)',
  row: '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  tail: `ON CONFLICT (profile, ticket_id) DO UPDATE SET revision = excluded.revision, target_id = COALESCE(excluded.target_id, ledger.target_id),
       action = excluded.action, error = excluded.error, ticket_number = excluded.ticket_number, updated_at = excluded.updated_at,
       modified_at = COALESCE(excluded.modified_at, ledger.modified_at), key_json = COALESCE(excluded.key_json, ledger.key_json),
       mapping_hash = excluded.mapping_hash, ticket_date = COALESCE(excluded.ticket_date, ledger.ticket_date),
       ticket_json = COALESCE(excluded.ticket_json, ledger.ticket_json), deleted_at = excluded.deleted_at`,
};
const RECORD_INSERT = {
  head: 'INSERT INTO run_records (run_id, ticket_number, source_id, target_id, processor_action, writer_action, error)',
  row: '(?, ?, ?, ?, ?, ?, ?)',
  tail: '',
};

export class StateStore {
  readonly db: Database.Database;
  private readonly clock: Clock;
  /** Statements are prepared once and kept for the store's life (preparing costs more than running). */
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    readonly file: string,
    opts: StateStoreOptions = {},
  ) {
    this.clock = opts.clock ?? { now: () => Date.now() };
    if (file !== ':memory:') {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      // Created 0600 before SQLite opens it: SQLite gives the -wal and -shm files the database
      // file's mode, so the ledger, run errors and their WAL are readable by this account only.
      closeSync(openSync(file, 'a', 0o600));
      if (process.platform !== 'win32') chmodSync(file, 0o600);
    }
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    // SQLite's stock page cache (2 MB). better-sqlite3 builds SQLite with a 16 MB default
    // (SQLITE_DEFAULT_CACHE_SIZE=-16000), which a backfill fills with ledger pages and which then
    // stays resident for the daemon's life: idle RSS after a 200,000-ticket backfill was ~16 MB
    // higher for it, peak RSS ~14 MB (README, Memory). The ledger's writes and lookups touch the
    // pages next to the keys in flight, and the backfill's CPU per ticket did not rise with 2 MB.
    this.db.pragma('cache_size = -2000');
    this.migrate();
  }

  private stmt(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  private nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(`The state database ${this.file} was written by a newer Outpost (schema ${version}); upgrade Outpost.`);
    }
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  getWatermark(profile: string): Watermark | null {
    const row = this.stmt('SELECT cursor, key_json, updated_at FROM watermarks WHERE profile = ?').get(profile) as
      { cursor: string; key_json: string; updated_at: string } | undefined;
    return row ? { cursor: row.cursor, key: JSON.parse(row.key_json) as unknown[], at: row.updated_at } : null;
  }

  /** Ledger entries for these tickets, by ticketId. */
  ledgerFor(profile: string, ticketIds: string[]): Map<string, LedgerEntry> {
    const out = new Map<string, LedgerEntry>();
    const stmt = this.stmt(
      `SELECT ticket_id, revision, target_id, action, error, ticket_number, modified_at, key_json, mapping_hash, ticket_date, ticket_json, deleted_at FROM ledger
       WHERE profile = ? AND ticket_id IN (SELECT value FROM json_each(?))`,
    );
    const rows = stmt.all(profile, JSON.stringify(ticketIds)) as Array<{
      ticket_id: string;
      revision: string;
      target_id: string | null;
      action: LedgerEntry['action'];
      error: string | null;
      ticket_number: string | null;
      modified_at: string | null;
      key_json: string | null;
      mapping_hash: string | null;
      ticket_date: string | null;
      ticket_json: string | null;
      deleted_at: string | null;
    }>;
    for (const r of rows) {
      out.set(r.ticket_id, {
        ticketId: r.ticket_id,
        revision: r.revision,
        targetId: r.target_id,
        action: r.action,
        error: r.error,
        ticketNumber: r.ticket_number,
        modifiedAt: r.modified_at,
        keyJson: r.key_json,
        mappingHash: r.mapping_hash,
        ticketDate: r.ticket_date,
        ticketJson: r.ticket_json,
        deletedAt: r.deleted_at,
      });
    }
    return out;
  }

  /**
   * One durable transaction: the ledger rows of an acknowledged (or filtered) set of tickets, the run's
   * counters and records, and — when given — the new watermark. Nothing is half-written after a crash.
   */
  commit(args: {
    profile: string;
    entries: LedgerEntry[];
    runId?: number;
    counts?: Partial<RunCounts>;
    records?: RunRecord[];
    /** Delivered tickets of this commit not written as records (see RUN_RECORD_SAMPLE), added to the run's count. */
    unlisted?: number;
    watermark?: Watermark | null;
    /** Tickets to take off the re-evaluation queue in the same transaction (they were handled). */
    dequeue?: string[];
  }): void {
    const now = this.nowIso();
    const deq = this.stmt(`DELETE FROM requeue WHERE profile = ? AND ticket_id = ?`);
    this.db.transaction(() => {
      let delivered = 0;
      let filtered = 0;
      this.insertRows(LEDGER_UPSERT, args.entries, (e, out) =>
        out.push(
          args.profile,
          e.ticketId,
          e.revision,
          e.targetId,
          e.action,
          scrubNullable(e.error),
          e.ticketNumber,
          now,
          e.modifiedAt ?? null,
          e.keyJson ?? null,
          e.mappingHash ?? null,
          e.ticketDate ?? null,
          e.ticketJson ?? null,
          e.deletedAt ?? null,
        ),
      );
      for (const e of args.entries) {
        if (e.action === 'created' || e.action === 'updated' || e.action === 'unchanged') delivered++;
        if (e.action === 'filtered') filtered++;
      }
      if (delivered || filtered) {
        this.stmt(
          `INSERT INTO profile_stats (profile, delivered, filtered, last_success_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (profile) DO UPDATE SET delivered = delivered + excluded.delivered, filtered = filtered + excluded.filtered,
             last_success_at = COALESCE(excluded.last_success_at, profile_stats.last_success_at)`,
        ).run(args.profile, delivered, filtered, delivered ? now : null);
      }
      for (const id of args.dequeue ?? []) deq.run(args.profile, id);
      if (args.runId !== undefined) {
        this.stmt(`UPDATE runs SET ${ADD_RUN_COUNTS}, unlisted_records = unlisted_records + ? WHERE id = ?`).run(
          ...runCountValues(args.counts ?? {}),
          args.unlisted ?? 0,
          args.runId,
        );
        const runId = args.runId;
        this.insertRows(RECORD_INSERT, args.records ?? [], (r, out) =>
          out.push(runId, r.ticketNumber, r.sourceId, r.targetId, r.processorAction, r.writerAction, scrubNullable(r.error)),
        );
      }
      if (args.watermark) {
        this.stmt(
          `INSERT INTO watermarks (profile, cursor, key_json, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (profile) DO UPDATE SET cursor = excluded.cursor, key_json = excluded.key_json, updated_at = excluded.updated_at`,
        ).run(args.profile, args.watermark.cursor, JSON.stringify(args.watermark.key), now);
      }
    })();
  }

  /**
   * Rows in multi-row statements of CHUNK rows (one N-API call and one statement per chunk).
   * `values` appends an item's bound values to `out` (no array per row: a ledger commit binds 14 values a ticket).
   */
  private insertRows<T>(shape: { head: string; row: string; tail: string }, items: T[], values: (item: T, out: unknown[]) => void): void {
    let i = 0;
    if (items.length >= CHUNK) {
      const many = this.stmt(`${shape.head} VALUES ${Array(CHUNK).fill(shape.row).join(', ')} ${shape.tail}`);
      for (; i + CHUNK <= items.length; i += CHUNK) {
        const flat: unknown[] = [];
        for (let j = i; j < i + CHUNK; j++) values(items[j], flat);
        many.run(...flat);
      }
    }
    if (i < items.length) {
      const one = this.stmt(`${shape.head} VALUES ${shape.row} ${shape.tail}`);
      for (; i < items.length; i++) {
        const row: unknown[] = [];
        values(items[i], row);
        one.run(...row);
      }
    }
  }

  startRun(profile: string, type: RunType): number {
    const r = this.stmt(`INSERT INTO runs (profile, type, status, started_at) VALUES (?, ?, 'running', ?)`).run(
      profile,
      type,
      this.nowIso(),
    );
    return Number(r.lastInsertRowid);
  }

  /** Close a run; `counts` not yet written by a commit are added in the same transaction. */
  endRun(id: number, status: 'complete' | 'error', errorText: string | null = null, counts: Partial<RunCounts> = {}): void {
    this.stmt(`UPDATE runs SET status = ?, ended_at = ?, error_text = ?, ${ADD_RUN_COUNTS} WHERE id = ?`).run(
      status,
      this.nowIso(),
      scrubNullable(errorText),
      ...runCountValues(counts),
      id,
    );
  }

  /** A run left 'running' by a killed process is closed as an error on the next start. */
  closeAbandonedRuns(profile: string): void {
    this.stmt(
      `UPDATE runs SET status = 'error', ended_at = ?, error_text = 'the process stopped during this run' WHERE profile = ? AND status = 'running'`,
    ).run(this.nowIso(), profile);
  }

  runs(profile: string | null, limit = 50): RunRow[] {
    const rows = this.stmt(
      `SELECT id, profile, type, status, started_at AS startedAt, ended_at AS endedAt, read, filtered, skipped, created, updated, unchanged, rejected, errors,
         pruned_records AS prunedRecords, unlisted_records AS unlistedRecords, error_text AS errorText FROM runs WHERE (? IS NULL OR profile = ?) ORDER BY id DESC LIMIT ?`,
    ).all(profile, profile, limit) as RunRow[];
    return rows.map(withDerived);
  }

  /**
   * Runs newest first, filtered: by profile, type, problems only (an error, or any filtered,
   * rejected or failed ticket), a start time range [fromIso, toIso) and an id cursor (older than
   * `beforeId`), for the dashboard's paged runs page.
   */
  queryRuns(q: RunQuery): RunRow[] {
    const rows = this.stmt(
      `SELECT id, profile, type, status, started_at AS startedAt, ended_at AS endedAt, read, filtered, skipped, created, updated, unchanged, rejected,
         errors, pruned_records AS prunedRecords, unlisted_records AS unlistedRecords, error_text AS errorText FROM runs
         WHERE (@profile IS NULL OR profile = @profile) AND (@type IS NULL OR type = @type)
           AND (@problems = 0 OR status = 'error' OR filtered > 0 OR rejected > 0 OR errors > 0)
           AND (@fromIso IS NULL OR started_at >= @fromIso) AND (@toIso IS NULL OR started_at < @toIso)
           AND (@beforeId IS NULL OR id < @beforeId)
         ORDER BY id DESC LIMIT @limit`,
    ).all({
      profile: q.profile ?? null,
      type: q.type ?? null,
      problems: q.problems ? 1 : 0,
      fromIso: q.fromIso ?? null,
      toIso: q.toIso ?? null,
      beforeId: q.beforeId ?? null,
      limit: q.limit,
    }) as RunRow[];
    return rows.map(withDerived);
  }

  /** Tickets written (created + updated) per UTC minute ("YYYY-MM-DDTHH:MM") by runs ended since an instant. */
  writtenPerMinute(profile: string, sinceIso: string): Map<string, number> {
    const rows = this.stmt(
      `SELECT substr(ended_at, 1, 16) AS minute, SUM(created + updated) AS n FROM runs WHERE profile = ? AND ended_at >= ? GROUP BY minute`,
    ).all(profile, sinceIso) as Array<{ minute: string; n: number }>;
    return new Map(rows.map((r) => [r.minute, r.n]));
  }

  run(id: number): RunRow | null {
    const r = this.stmt(`SELECT profile FROM runs WHERE id = ?`).get(id) as { profile: string } | undefined;
    if (!r) return null;
    return (
      (
        this.stmt(
          `SELECT id, profile, type, status, started_at AS startedAt, ended_at AS endedAt, read, filtered, skipped, created, updated, unchanged, rejected, errors,
           pruned_records AS prunedRecords, unlisted_records AS unlistedRecords, error_text AS errorText FROM runs WHERE id = ?`,
        ).all(id) as RunRow[]
      ).map(withDerived)[0] ?? null
    );
  }

  runRecords(runId: number): RunRecord[] {
    return this.stmt(
      `SELECT ticket_number AS ticketNumber, source_id AS sourceId, target_id AS targetId, processor_action AS processorAction,
         writer_action AS writerAction, error FROM run_records WHERE run_id = ? ORDER BY rowid`,
    ).all(runId) as RunRecord[];
  }

  stats(profile: string): { delivered: number; filtered: number; lastSuccessAt: string | null } {
    const r = this.stmt(`SELECT delivered, filtered, last_success_at AS lastSuccessAt FROM profile_stats WHERE profile = ?`).get(
      profile,
    ) as { delivered: number; filtered: number; lastSuccessAt: string | null } | undefined;
    return r ?? { delivered: 0, filtered: 0, lastSuccessAt: null };
  }

  /** Tickets parked now, by verdict (current ledger state, not a running total). */
  parked(profile: string): ParkedCounts {
    const rows = this.stmt(
      `SELECT action, COUNT(*) AS n FROM ledger WHERE profile = ? AND action IN ('filtered', 'skipped', 'rejected') GROUP BY action`,
    ).all(profile) as Array<{ action: string; n: number }>;
    const out: ParkedCounts = { filtered: 0, skipped: 0, rejected: 0 };
    for (const r of rows) out[r.action as keyof ParkedCounts] = r.n;
    return out;
  }

  /**
   * The verdicts of the last `n` rows judged under this mapping (true = filtered), oldest first, so
   * a runner that starts (or a `run --once`) with parked rows knows the mapping is the problem
   * without waiting for new rows. Skipped rows are a rule's verdict, not the mapping's.
   */
  recentVerdicts(profile: string, mappingHash: string, n: number): boolean[] {
    const rows = this.stmt(
      `SELECT action FROM ledger WHERE profile = ? AND action <> 'skipped' AND (action <> 'filtered' OR mapping_hash = ?)
       ORDER BY updated_at DESC LIMIT ?`,
    ).all(profile, mappingHash, n) as Array<{ action: string }>;
    return rows.reverse().map((r) => r.action === 'filtered');
  }

  /** One page of the tickets parked with this verdict, newest verdict first, with their reasons (the dashboard's list). */
  parkedPage(
    profile: string,
    action: 'filtered' | 'skipped' | 'rejected',
    limit: number,
    offset: number,
  ): { total: number; tickets: ParkedTicket[] } {
    const total = (
      this.db.prepare(`SELECT COUNT(*) AS n FROM ledger WHERE profile = ? AND action = ?`).get(profile, action) as { n: number }
    ).n;
    const tickets = this.db
      .prepare(
        `SELECT ticket_id AS ticketId, ticket_number AS ticketNumber, error AS reason, ticket_date AS ticketDate, updated_at AS parkedAt
         FROM ledger WHERE profile = ? AND action = ? ORDER BY updated_at DESC, ticket_id LIMIT ? OFFSET ?`,
      )
      .all(profile, action, limit, offset) as ParkedTicket[];
    return { total, tickets };
  }

  /** The reason of the most recent parked verdict of this kind (for the status sentence). */
  lastParkedError(profile: string, action: LedgerAction): string | null {
    const r = this.stmt(`SELECT error FROM ledger WHERE profile = ? AND action = ? ORDER BY updated_at DESC LIMIT 1`).get(
      profile,
      action,
    ) as { error: string | null } | undefined;
    return r?.error ? r.error.slice(0, 200) : null;
  }

  /** Ledger rows of a profile (for reconcile and resend), optionally only some verdicts. */
  ledgerRows(profile: string, actions?: readonly LedgerAction[]): LedgerEntry[] {
    const rows = this.stmt(
      `SELECT ticket_id AS ticketId, revision, target_id AS targetId, action, error, ticket_number AS ticketNumber, modified_at AS modifiedAt,
         key_json AS keyJson, mapping_hash AS mappingHash, ticket_date AS ticketDate, deleted_at AS deletedAt FROM ledger
         WHERE profile = ? AND (? IS NULL OR action IN (SELECT value FROM json_each(?))) ORDER BY ticket_id`,
    ).all(profile, actions ? 1 : null, JSON.stringify(actions ?? [])) as LedgerEntry[];
    return rows;
  }

  /**
   * Queue tickets to be read again by key and re-evaluated on the next pass, even at the same
   * revision. `where` picks ledger rows: by verdicts, by ticket ids/numbers, by ticket day. Returns
   * how many were queued (a ticket already queued counts once).
   */
  requeue(
    profile: string,
    where: { actions?: readonly LedgerAction[]; tickets?: string[]; sinceDay?: string; staleMapping?: string },
    reason: string,
  ): number {
    const conds: string[] = ['profile = ?'];
    const params: unknown[] = [profile];
    if (where.actions) {
      conds.push(`action IN (SELECT value FROM json_each(?))`);
      params.push(JSON.stringify(where.actions));
    }
    if (where.tickets) {
      conds.push(`(ticket_id IN (SELECT value FROM json_each(?)) OR ticket_number IN (SELECT value FROM json_each(?)))`);
      params.push(JSON.stringify(where.tickets), JSON.stringify(where.tickets));
    }
    if (where.sinceDay) {
      conds.push(`(ticket_date >= ? OR (ticket_date IS NULL AND updated_at >= ?))`);
      params.push(where.sinceDay, where.sinceDay);
    }
    if (where.staleMapping !== undefined) {
      conds.push(`action IN ('filtered', 'skipped') AND (mapping_hash IS NULL OR mapping_hash != ?)`);
      params.push(where.staleMapping);
    }
    const r = this.stmt(
      `INSERT INTO requeue (profile, ticket_id, key_json, reason, queued_at) SELECT profile, ticket_id, key_json, ?, ? FROM ledger WHERE ${conds.join(' AND ')}
         ON CONFLICT (profile, ticket_id) DO NOTHING`,
    ).run(reason, this.nowIso(), ...params);
    return r.changes;
  }

  /** Queue rows by key that the ledger may not know (e.g. tickets a reconcile found missing). */
  requeueKeys(profile: string, items: Array<{ ticketId: string; keyJson: string }>, reason: string): number {
    const ins = this.stmt(
      `INSERT INTO requeue (profile, ticket_id, key_json, reason, queued_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (profile, ticket_id) DO NOTHING`,
    );
    let n = 0;
    this.db.transaction(() => {
      for (const it of items) n += ins.run(profile, it.ticketId, it.keyJson, reason, this.nowIso()).changes;
    })();
    return n;
  }

  /** Which of these values name a ledger ticket (by ticket id or printed ticket number). */
  knownTickets(profile: string, values: string[]): Set<string> {
    const rows = this.stmt(
      `SELECT ticket_id AS id, ticket_number AS num FROM ledger WHERE profile = ? AND (ticket_id IN (SELECT value FROM json_each(?)) OR ticket_number IN (SELECT value FROM json_each(?)))`,
    ).all(profile, JSON.stringify(values), JSON.stringify(values)) as Array<{ id: string; num: string | null }>;
    const out = new Set<string>();
    for (const r of rows) {
      out.add(r.id);
      if (r.num) out.add(r.num);
    }
    return out;
  }

  /** The next tickets waiting for re-evaluation, oldest first. */
  queued(profile: string, limit: number): QueuedTicket[] {
    return this.stmt(
      `SELECT ticket_id AS ticketId, key_json AS keyJson, reason, queued_at AS queuedAt FROM requeue WHERE profile = ? ORDER BY queued_at, ticket_id LIMIT ?`,
    ).all(profile, Math.trunc(limit)) as QueuedTicket[];
  }

  queuedCount(profile: string): number {
    return (this.stmt(`SELECT COUNT(*) AS n FROM requeue WHERE profile = ?`).get(profile) as { n: number }).n;
  }

  /** Take tickets off the queue without a verdict (the row no longer exists at the source). */
  dequeue(profile: string, ticketIds: string[], mappingHash?: string): void {
    const del = this.stmt(`DELETE FROM requeue WHERE profile = ? AND ticket_id = ?`);
    const mark = this.stmt(`UPDATE ledger SET mapping_hash = ? WHERE profile = ? AND ticket_id = ? AND action IN ('filtered', 'skipped')`);
    this.db.transaction(() => {
      for (const id of ticketIds) {
        del.run(profile, id);
        if (mappingHash !== undefined) mark.run(mappingHash, profile, id);
      }
    })();
  }

  /** What this profile's state was built from (null before its first pass). */
  shape(profile: string): ProfileShape | null {
    const r = this.stmt(`SELECT table_name, key_json, mode, change_column FROM profile_shape WHERE profile = ?`).get(profile) as
      { table_name: string; key_json: string; mode: string; change_column: string | null } | undefined;
    return r ? { table: r.table_name, key: JSON.parse(r.key_json) as string[], mode: r.mode, column: r.change_column } : null;
  }

  setShape(profile: string, shape: ProfileShape): void {
    this.stmt(
      `INSERT INTO profile_shape (profile, table_name, key_json, mode, change_column, recorded_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (profile) DO UPDATE SET table_name = excluded.table_name, key_json = excluded.key_json, mode = excluded.mode,
         change_column = excluded.change_column, recorded_at = excluded.recorded_at`,
    ).run(profile, shape.table, JSON.stringify(shape.key), shape.mode, shape.column, this.nowIso());
  }

  /**
   * Rewind a profile: the watermark goes (a full re-read) or is set to `cursor`; the shape is
   * recorded anew. The ledger stays, so tickets already delivered at the same revision are not sent
   * again; every row re-read is evaluated again.
   */
  resetProfile(profile: string, opts: { cursor?: string; shape?: ProfileShape }): void {
    this.db.transaction(() => {
      if (opts.cursor === undefined) this.stmt(`DELETE FROM watermarks WHERE profile = ?`).run(profile);
      else {
        this.stmt(
          `INSERT INTO watermarks (profile, cursor, key_json, updated_at) VALUES (?, ?, '[]', ?)
             ON CONFLICT (profile) DO UPDATE SET cursor = excluded.cursor, key_json = excluded.key_json, updated_at = excluded.updated_at`,
        ).run(profile, opts.cursor, this.nowIso());
      }
      if (opts.shape) this.setShape(profile, opts.shape);
      else this.stmt(`DELETE FROM profile_shape WHERE profile = ?`).run(profile);
    })();
  }

  /** Bytes used by live pages of the whole state file (free pages are reused, so this is what grows). */
  usedBytes(): number {
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const free = this.db.pragma('freelist_count', { simple: true }) as number;
    return (pages - free) * pageSize;
  }

  /**
   * Keep run history within bounds: runs older than maxAgeDays go (records with them); then, while
   * the file's live pages exceed maxBytes, the oldest runs' records are dropped (their counts stay,
   * `prunedRecords` says how many went). The ledger and the watermarks are never pruned.
   */
  prune(opts: PruneOptions = {}): { runsDeleted: number; recordsDeleted: number; usedBytes: number } {
    const days = opts.maxAgeDays ?? 30;
    const maxBytes = opts.maxBytes ?? 256 * 1024 * 1024;
    const cutoff = new Date(this.clock.now() - days * 86_400_000).toISOString();
    const oldRuns = this.stmt(`SELECT id FROM runs WHERE status != 'running' AND started_at < ? ORDER BY id`).all(cutoff) as Array<{
      id: number;
    }>;
    let runsDeleted = 0;
    let recordsDeleted = 0;
    const delRecords = this.stmt(`DELETE FROM run_records WHERE run_id = ?`);
    const delRun = this.stmt(`DELETE FROM runs WHERE id = ?`);
    // Small transactions so a busy daemon's commits are never held up for long.
    for (let i = 0; i < oldRuns.length; i += 200) {
      this.db.transaction(() => {
        for (const { id } of oldRuns.slice(i, i + 200)) {
          recordsDeleted += delRecords.run(id).changes;
          runsDeleted += delRun.run(id).changes;
        }
      })();
    }
    const next = this.stmt(
      `SELECT run_id AS id, COUNT(*) AS n FROM run_records WHERE run_id = (SELECT MIN(run_id) FROM run_records) GROUP BY run_id`,
    );
    const mark = this.stmt(`UPDATE runs SET pruned_records = pruned_records + ? WHERE id = ?`);
    for (let guard = 0; guard < 100_000 && this.usedBytes() > maxBytes; guard++) {
      const r = next.get() as { id: number; n: number } | undefined;
      if (!r) break;
      this.db.transaction(() => {
        recordsDeleted += delRecords.run(r.id).changes;
        mark.run(r.n, r.id);
      })();
    }
    return { runsDeleted, recordsDeleted, usedBytes: this.usedBytes() };
  }

  close(): void {
    this.db.close();
  }
}
