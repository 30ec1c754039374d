// SQLite source, opened read-only: the connector must never be able to change a plant's data.
//
// Exact integers: statements run with better-sqlite3's safeIntegers, so an INTEGER beyond 2^53 is
// never rounded (2^53 and 2^53+1 are two keys, two tickets). Values within ±(2^53−1) come back as
// plain numbers, larger ones as their exact decimal text — the form keys, cursors and ticket ids use.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import type { SourceConfig } from '../config/schema.js';
import {
  SourceError,
  TypedValue,
  splitIdent,
  type AccessReport,
  type Dialect,
  type DiscoveredTable,
  type ForeignKey,
  type IndexInfo,
  type Row,
  type SourceAdapter,
  type TableDetail,
} from './types.js';

// Timestamps in SQLite are text; the cursor column is compared as text in this exact form.
const TS = `'%Y-%m-%d %H:%M:%f'`;

export const sqliteDialect: Dialect = {
  ident: (name) =>
    splitIdent(name)
      .map((p) => `"${p}"`)
      .join('.'),
  param: () => '?',
  rowValues: true,
  limit: (sql, n) => `${sql} LIMIT ${Math.trunc(n)}`,
  now: () => `strftime(${TS}, 'now')`,
  minusSeconds: (p, s) => `strftime(${TS}, ${p}, '-${Math.trunc(s)} seconds')`,
  // SQLite has no column types to bind with: text compares as text, in the form above.
  typedParam: (p) => p,
  nowFor: () => `strftime(${TS}, 'now')`,
};

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** bigint values (safeIntegers) → number when exact, else the exact decimal text. */
export function exactIntegers(rows: Row[]): Row[] {
  for (const row of rows) {
    for (const k in row) {
      const v = row[k];
      if (typeof v === 'bigint') row[k] = v <= MAX_SAFE && v >= -MAX_SAFE ? Number(v) : v.toString();
    }
  }
  return rows;
}

export class SqliteSource implements SourceAdapter {
  readonly driver = 'sqlite' as const;
  readonly dialect = sqliteDialect;
  private db: Database.Database | null = null;

  constructor(private readonly config: SourceConfig) {}

  async connect(): Promise<void> {
    const file = this.config.file!;
    if (!existsSync(file)) {
      throw new SourceError(`The database file ${file} does not exist; check the "file" path in the profile.`, 'ENOENT', 'missing');
    }
    try {
      this.db = new Database(file, { readonly: true, fileMustExist: true });
      this.db.pragma('busy_timeout = 5000');
      // SQLite's stock 2 MB page cache, not better-sqlite3's 16 MB: a backfill reads each page of
      // the ticket table once, and what it read would stay resident for the daemon's life (as for
      // the state store, core/state/store.ts; README, Memory).
      this.db.pragma('cache_size = -2000');
    } catch (e) {
      throw new SourceError(
        `The file ${file} could not be opened as a SQLite database; check it is one and readable.`,
        (e as { code?: string }).code ?? 'SQLITE',
        'other',
      );
    }
  }

  private get handle(): Database.Database {
    if (!this.db) throw new Error('not connected');
    return this.db;
  }

  async ping() {
    const t0 = performance.now();
    const row = this.handle.prepare('select sqlite_version() as v').get() as { v: string };
    return { serverVersion: `SQLite ${row.v}`, latencyMs: Math.round((performance.now() - t0) * 100) / 100 };
  }

  async listTables(): Promise<DiscoveredTable[]> {
    const db = this.handle;
    const tables = db
      .prepare(`select name, type from sqlite_master where type in ('table', 'view') and name not like 'sqlite_%' order by name`)
      .all() as { name: string; type: string }[];
    return tables.map(({ name, type }) => this.describe(name, type === 'view'));
  }

  private describe(name: string, view: boolean): TableDetail {
    const db = this.handle;
    const cols = db.prepare(`select name, type, "notnull" as nn, pk from pragma_table_info(?)`).all(name) as {
      name: string;
      type: string;
      nn: number;
      pk: number;
    }[];
    const count = view ? null : (db.prepare(`select count(*) as n from ${sqliteDialect.ident(name)}`).get() as { n: number }).n;
    const indexes: IndexInfo[] = [];
    for (const ix of db.prepare(`select name, "unique" as u, origin from pragma_index_list(?)`).all(name) as {
      name: string;
      u: number;
      origin: string;
    }[]) {
      const ixCols = (db.prepare(`select name from pragma_index_info(?) order by seqno`).all(ix.name) as { name: string | null }[])
        .map((c) => c.name)
        .filter((c): c is string => !!c);
      indexes.push({ name: ix.name, columns: ixCols, unique: ix.u === 1, primary: ix.origin === 'pk' });
    }
    const primaryKey = cols
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name);
    // An INTEGER PRIMARY KEY is the rowid: no index row in index_list, but it is one.
    if (primaryKey.length && !indexes.some((i) => i.primary))
      indexes.push({ name: 'rowid', columns: primaryKey, unique: true, primary: true });
    return {
      name,
      kind: view ? 'view' : 'table',
      columns: cols.map((c) => ({
        name: c.name,
        type: c.type.toLowerCase(),
        declared: c.type.toLowerCase(),
        nullable: c.nn === 0 && c.pk === 0,
      })),
      primaryKey,
      rowCount: count,
      indexes,
    };
  }

  async describeTable(table: string): Promise<TableDetail | null> {
    const name = splitIdent(table).at(-1)!;
    const row = this.handle.prepare(`select type from sqlite_master where type in ('table', 'view') and name = ?`).get(name) as
      { type: string } | undefined;
    return row ? this.describe(name, row.type === 'view') : null;
  }

  async columnType(table: string, column: string): Promise<string | null> {
    const t = await this.describeTable(table);
    return t?.columns.find((c) => c.name === column)?.type ?? null;
  }

  async foreignKeys(): Promise<ForeignKey[]> {
    const db = this.handle;
    const tables = db.prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`).all() as {
      name: string;
    }[];
    const out: ForeignKey[] = [];
    for (const { name } of tables) {
      const rows = db
        .prepare(`select id, seq, "table" as ref, "from" as col, "to" as refcol from pragma_foreign_key_list(?) order by id, seq`)
        .all(name) as { id: number; seq: number; ref: string; col: string; refcol: string | null }[];
      const byId = new Map<number, ForeignKey>();
      for (const r of rows) {
        let fk = byId.get(r.id);
        if (!fk)
          byId.set(r.id, (fk = { name: `fk_${name}_${r.id}`, table: name, columns: [], referencedTable: r.ref, referencedColumns: [] }));
        fk.columns.push(r.col);
        fk.referencedColumns.push(r.refcol ?? '');
      }
      for (const fk of byId.values()) {
        // REFERENCES t without columns means t's primary key.
        if (fk.referencedColumns.some((c) => c === '')) {
          const pk = (
            db.prepare(`select name from pragma_table_info(?) where pk > 0 order by pk`).all(fk.referencedTable) as { name: string }[]
          ).map((c) => c.name);
          fk.referencedColumns = fk.referencedColumns.map((c, i) => c || pk[i] || '');
        }
        out.push(fk);
      }
    }
    return out;
  }

  /** The file is opened read-only, whatever the operating system would allow. */
  async checkAccess(table: string): Promise<AccessReport> {
    if (!(await this.describeTable(table)))
      throw new SourceError(
        `There is no table ${table} in ${this.config.file}; check the "table" in the profile.`,
        'SQLITE_ERROR',
        'missing',
      );
    return { login: '(file)', canSelect: true, canWrite: false, writePrivileges: [], via: [] };
  }

  async query(sql: string, params: unknown[] = []): Promise<Row[]> {
    try {
      const stmt = this.handle.prepare(sql);
      if (stmt.reader) stmt.safeIntegers(true);
      const rows = stmt.all(...(params.map((p) => (p instanceof TypedValue ? p.value : p)) as never[])) as Row[];
      return exactIntegers(rows);
    } catch (e) {
      const err = e as { code?: string; message: string };
      if (err.code === 'SQLITE_BUSY')
        throw new SourceError('The database is busy (locked by a writer); Outpost will retry.', err.code, 'timeout');
      if (/no such table/.test(err.message))
        throw new SourceError(`${err.message}; check the "table" in the profile.`, err.code ?? 'SQLITE_ERROR', 'missing');
      throw e;
    }
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = null;
  }
}
