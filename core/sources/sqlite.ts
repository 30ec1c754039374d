// SQLite source, opened read-only: the connector must never be able to change a plant's data.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import type { SourceConfig } from '../config/schema.js';
import { SourceError, splitIdent, type Dialect, type DiscoveredTable, type Row, type SourceAdapter } from './types.js';

// Timestamps in SQLite are text; the cursor column is compared as text in this exact form.
const TS = `'%Y-%m-%d %H:%M:%f'`;

export const sqliteDialect: Dialect = {
  ident: (name) => splitIdent(name).map((p) => `"${p}"`).join('.'),
  param: () => '?',
  limit: (sql, n) => `${sql} LIMIT ${Math.trunc(n)}`,
  now: () => `strftime(${TS}, 'now')`,
  minusSeconds: (p, s) => `strftime(${TS}, ${p}, '-${Math.trunc(s)} seconds')`,
};

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
    } catch (e) {
      throw new SourceError(`The file ${file} could not be opened as a SQLite database; check it is one and readable.`, (e as { code?: string }).code ?? 'SQLITE', 'other');
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
    const tables = db.prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`).all() as { name: string }[];
    return tables.map(({ name }) => {
      const cols = db.prepare(`select name, type, "notnull" as nn, pk from pragma_table_info(?)`).all(name) as { name: string; type: string; nn: number; pk: number }[];
      const count = db.prepare(`select count(*) as n from ${sqliteDialect.ident(name)}`).get() as { n: number };
      return {
        name,
        columns: cols.map((c) => ({ name: c.name, type: c.type.toLowerCase(), nullable: c.nn === 0 && c.pk === 0 })),
        primaryKey: cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name),
        rowCount: count.n,
      };
    });
  }

  async query(sql: string, params: unknown[] = []): Promise<Row[]> {
    try {
      return this.handle.prepare(sql).all(...(params as never[])) as Row[];
    } catch (e) {
      const err = e as { code?: string; message: string };
      if (err.code === 'SQLITE_BUSY') throw new SourceError('The database is busy (locked by a writer); Outpost will retry.', err.code, 'timeout');
      if (/no such table/.test(err.message)) throw new SourceError(`${err.message}; check the "table" in the profile.`, err.code ?? 'SQLITE_ERROR', 'missing');
      throw e;
    }
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = null;
  }
}
