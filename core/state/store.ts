// The local state database: watermark, per-ticket ledger, runs and run records. SQLite in WAL mode
// with synchronous=FULL so a commit survives a power cut; the watermark only moves inside the same
// transaction that records the acknowledged tickets (DESIGN §3).
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Watermark {
  cursor: string;
  /** Key values of the last row at `cursor`, JSON so numbers stay numbers. */
  key: unknown[];
}

export interface LedgerEntry {
  ticketId: string;
  revision: string;
  targetId: string | null;
  action: 'created' | 'updated' | 'unchanged' | 'rejected' | 'filtered';
  error: string | null;
  ticketNumber: string | null;
}

export type RunType = 'scheduled' | 'manual' | 'startup';
export interface RunCounts {
  read: number;
  filtered: number;
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
  processorAction: 'new' | 'changed' | 'unchanged' | 'invalid';
  writerAction: 'created' | 'updated' | 'skipped' | 'rejected' | 'failed';
  error: string | null;
}
export interface RunRow extends RunCounts {
  id: number;
  profile: string;
  type: RunType;
  status: 'running' | 'complete' | 'error';
  startedAt: string;
  endedAt: string | null;
  errorText: string | null;
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
];

export class StateStore {
  readonly db: Database.Database;

  constructor(readonly file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
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
    const row = this.db.prepare('SELECT cursor, key_json FROM watermarks WHERE profile = ?').get(profile) as
      | { cursor: string; key_json: string }
      | undefined;
    return row ? { cursor: row.cursor, key: JSON.parse(row.key_json) as unknown[] } : null;
  }

  /** Ledger entries for these tickets, by ticketId. */
  ledgerFor(profile: string, ticketIds: string[]): Map<string, LedgerEntry> {
    const out = new Map<string, LedgerEntry>();
    const stmt = this.db.prepare(
      `SELECT ticket_id, revision, target_id, action, error, ticket_number FROM ledger WHERE profile = ? AND ticket_id IN (SELECT value FROM json_each(?))`,
    );
    const rows = stmt.all(profile, JSON.stringify(ticketIds)) as Array<{
      ticket_id: string; revision: string; target_id: string | null; action: LedgerEntry['action']; error: string | null; ticket_number: string | null;
    }>;
    for (const r of rows) {
      out.set(r.ticket_id, { ticketId: r.ticket_id, revision: r.revision, targetId: r.target_id, action: r.action, error: r.error, ticketNumber: r.ticket_number });
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
    watermark?: Watermark | null;
  }): void {
    const now = new Date().toISOString();
    const upsert = this.db.prepare(
      `INSERT INTO ledger (profile, ticket_id, revision, target_id, action, error, ticket_number, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (profile, ticket_id) DO UPDATE SET revision = excluded.revision, target_id = COALESCE(excluded.target_id, ledger.target_id),
       action = excluded.action, error = excluded.error, ticket_number = excluded.ticket_number, updated_at = excluded.updated_at`,
    );
    const rec = this.db.prepare(
      `INSERT INTO run_records (run_id, ticket_number, source_id, target_id, processor_action, writer_action, error) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      let delivered = 0;
      let filtered = 0;
      for (const e of args.entries) {
        upsert.run(args.profile, e.ticketId, e.revision, e.targetId, e.action, e.error, e.ticketNumber, now);
        if (e.action === 'created' || e.action === 'updated' || e.action === 'unchanged') delivered++;
        if (e.action === 'filtered') filtered++;
      }
      if (delivered || filtered) {
        this.db
          .prepare(
            `INSERT INTO profile_stats (profile, delivered, filtered, last_success_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (profile) DO UPDATE SET delivered = delivered + excluded.delivered, filtered = filtered + excluded.filtered,
             last_success_at = COALESCE(excluded.last_success_at, profile_stats.last_success_at)`,
          )
          .run(args.profile, delivered, filtered, delivered ? now : null);
      }
      if (args.runId !== undefined) {
        const c = args.counts ?? {};
        this.db
          .prepare(
            `UPDATE runs SET read = read + ?, filtered = filtered + ?, created = created + ?, updated = updated + ?, unchanged = unchanged + ?,
             rejected = rejected + ?, errors = errors + ? WHERE id = ?`,
          )
          .run(c.read ?? 0, c.filtered ?? 0, c.created ?? 0, c.updated ?? 0, c.unchanged ?? 0, c.rejected ?? 0, c.errors ?? 0, args.runId);
        for (const r of args.records ?? []) {
          rec.run(args.runId, r.ticketNumber, r.sourceId, r.targetId, r.processorAction, r.writerAction, r.error);
        }
      }
      if (args.watermark) {
        this.db
          .prepare(
            `INSERT INTO watermarks (profile, cursor, key_json, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (profile) DO UPDATE SET cursor = excluded.cursor, key_json = excluded.key_json, updated_at = excluded.updated_at`,
          )
          .run(args.profile, args.watermark.cursor, JSON.stringify(args.watermark.key), now);
      }
    })();
  }

  startRun(profile: string, type: RunType): number {
    const r = this.db.prepare(`INSERT INTO runs (profile, type, status, started_at) VALUES (?, ?, 'running', ?)`).run(profile, type, new Date().toISOString());
    return Number(r.lastInsertRowid);
  }

  endRun(id: number, status: 'complete' | 'error', errorText: string | null = null): void {
    this.db.prepare(`UPDATE runs SET status = ?, ended_at = ?, error_text = ? WHERE id = ?`).run(status, new Date().toISOString(), errorText, id);
  }

  /** A run left 'running' by a killed process is closed as an error on the next start. */
  closeAbandonedRuns(profile: string): void {
    this.db
      .prepare(`UPDATE runs SET status = 'error', ended_at = ?, error_text = 'the process stopped during this run' WHERE profile = ? AND status = 'running'`)
      .run(new Date().toISOString(), profile);
  }

  runs(profile: string | null, limit = 50): RunRow[] {
    const rows = this.db
      .prepare(
        `SELECT id, profile, type, status, started_at AS startedAt, ended_at AS endedAt, read, filtered, created, updated, unchanged, rejected, errors,
         error_text AS errorText FROM runs WHERE (? IS NULL OR profile = ?) ORDER BY id DESC LIMIT ?`,
      )
      .all(profile, profile, limit) as RunRow[];
    return rows;
  }

  runRecords(runId: number): RunRecord[] {
    return this.db
      .prepare(
        `SELECT ticket_number AS ticketNumber, source_id AS sourceId, target_id AS targetId, processor_action AS processorAction,
         writer_action AS writerAction, error FROM run_records WHERE run_id = ? ORDER BY rowid`,
      )
      .all(runId) as RunRecord[];
  }

  stats(profile: string): { delivered: number; filtered: number; lastSuccessAt: string | null } {
    const r = this.db.prepare(`SELECT delivered, filtered, last_success_at AS lastSuccessAt FROM profile_stats WHERE profile = ?`).get(profile) as
      | { delivered: number; filtered: number; lastSuccessAt: string | null }
      | undefined;
    return r ?? { delivered: 0, filtered: 0, lastSuccessAt: null };
  }

  /** Drop runs older than `days` (their records go with them). */
  pruneRuns(days: number): number {
    const cutoff = new Date(Date.now() - days * 86_400_000).toISOString();
    return this.db.prepare(`DELETE FROM runs WHERE status != 'running' AND started_at < ?`).run(cutoff).changes;
  }

  close(): void {
    this.db.close();
  }
}
