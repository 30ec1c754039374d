// MySQL and MariaDB source (mysql2). One connection per adapter; values bound as server-side
// prepared-statement parameters (execute), identifiers validated and back-quoted.
//
// Cursor precision: `dateStrings` returns DATE/DATETIME/TIMESTAMP as the server's text (DATETIME(6)
// keeps its six digits), `supportBigNumbers` + `bigNumberStrings` keep BIGINT and DECIMAL exact as
// strings. The session keeps the server's time zone (what the plant's software sees), so NOW(6) is
// in the same form and zone as a DATETIME/TIMESTAMP column. Comparisons happen in SQL: a cursor
// string compared with a temporal column is converted to the column's type by the server, or cast
// to it explicitly with typedParam(); never compared as a JS Date.
import mysql from 'mysql2/promise';
import type { SourceConfig } from '../config/schema.js';
import { resolveSecret } from '../config/secrets.js';
import { toSourceError, type ErrorContext } from './errors.js';
import { groupForeignKeys } from './foreign-keys.js';
import { attachIndexes, groupIndexes as groupIndexRows } from './indexes.js';
import { checkOptions, sslOption } from './options.js';
import { boundedCount } from './row-count.js';
import {
  SourceError,
  TypedValue,
  splitIdent,
  type AccessReport,
  type Dialect,
  type DiscoveredTable,
  type ForeignKey,
  type IndexInfo,
  type PingResult,
  type Row,
  type SourceAdapter,
  type TableDetail,
} from './types.js';

function fsp(t: string): number {
  const m = /\((\d)\)/.exec(t);
  return m ? Math.min(6, Number(m[1])) : 0;
}

export const mysqlDialect: Dialect = {
  ident: (name) => {
    const parts = splitIdent(name);
    if (parts.length > 2) throw new Error(`"${name}" has too many parts; MySQL names are database.table.`);
    return parts.map((p) => `\`${p}\``).join('.');
  },
  param: () => '?',
  rowValues: true,
  limit: (sql, n) => `${sql} LIMIT ${Math.trunc(n)}`,
  now: () => 'NOW(6)',
  minusSeconds: (p, s) => `(${p === '?' ? 'CAST(? AS DATETIME(6))' : p} - INTERVAL ${Math.trunc(s)} SECOND)`,
  typedParam: (p, columnType) => {
    const t = columnType.toLowerCase();
    if (/^(datetime|timestamp)\b/.test(t)) return `CAST(${p} AS DATETIME(${fsp(t)}))`;
    if (/^date$/.test(t)) return `CAST(${p} AS DATE)`;
    return p;
  },
  nowFor: (columnType) => {
    const t = columnType.toLowerCase();
    if (/^date$/.test(t)) return 'CURDATE()';
    if (/^(datetime|timestamp)\b/.test(t)) return fsp(t) ? `NOW(${fsp(t)})` : 'NOW()';
    return 'NOW(6)';
  },
};

const KNOWN_OPTIONS = new Set(['ssl', 'connectTimeoutMs', 'charset']);
const WRITE_PRIVILEGES = ['INSERT', 'UPDATE', 'DELETE', 'DROP', 'ALTER'];

export class MysqlSource implements SourceAdapter {
  readonly driver = 'mysql' as const;
  readonly dialect = mysqlDialect;
  private conn: mysql.Connection | null = null;
  private broken: Error | null = null;
  private password: string | undefined;
  private flavour = 'MySQL';

  constructor(
    private readonly config: SourceConfig,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    checkOptions(config.options, KNOWN_OPTIONS, 'MySQL/MariaDB');
  }

  private get timeoutMs(): number {
    return Number(this.config.options?.connectTimeoutMs ?? 10_000);
  }

  private ctx(table?: string): ErrorContext {
    return {
      driver: 'mysql',
      host: this.config.host,
      port: this.config.port ?? 3306,
      database: this.config.database,
      user: this.config.user,
      table,
      timeoutMs: this.timeoutMs,
      secrets: [this.password],
    };
  }

  private ssl(): mysql.SslOptions | undefined {
    const s = sslOption(this.config.options);
    return s === true ? { rejectUnauthorized: true } : s;
  }

  async connect(): Promise<void> {
    this.password = resolveSecret(this.config.password, this.env);
    try {
      const conn = await mysql.createConnection({
        host: this.config.host,
        port: this.config.port ?? 3306,
        user: this.config.user,
        password: this.password ?? '',
        database: this.config.database,
        ssl: this.ssl(),
        connectTimeout: this.timeoutMs,
        dateStrings: true,
        supportBigNumbers: true,
        bigNumberStrings: true,
        decimalNumbers: false,
        charset: String(this.config.options?.charset ?? 'utf8mb4'),
        multipleStatements: false,
      });
      conn.on('error', (e: Error) => {
        this.broken = e;
      });
      this.conn = conn;
      this.broken = null;
      const [rows] = await conn.query('SELECT VERSION() AS v');
      this.flavour = /mariadb/i.test(String((rows as Row[])[0]?.v)) ? 'MariaDB' : 'MySQL';
    } catch (e) {
      await this.close();
      throw toSourceError(e, this.ctx());
    }
  }

  private get handle(): mysql.Connection {
    if (this.broken) throw toSourceError(this.broken, this.ctx());
    if (!this.conn) throw new Error('not connected');
    return this.conn;
  }

  async query(sql: string, params: unknown[] = [], table?: string): Promise<Row[]> {
    try {
      const values = params.map(plain);
      const [rows] = values.length ? await this.handle.execute(sql, values as never[]) : await this.handle.query(sql);
      return rows as Row[];
    } catch (e) {
      throw toSourceError(e, this.ctx(table));
    }
  }

  async ping(): Promise<PingResult> {
    const t0 = performance.now();
    const rows = await this.query('SELECT VERSION() AS v, CURRENT_USER() AS u');
    const latencyMs = Math.round((performance.now() - t0) * 100) / 100;
    const v = String(rows[0].v);
    return { serverVersion: `${this.flavour} ${v.replace(/-MariaDB.*$/i, '')}`, latencyMs, login: String(rows[0].u) };
  }

  /** Tables of the profile's database (unqualified names), or of every user database (qualified) without one. */
  async listTables(): Promise<DiscoveredTable[]> {
    const db = this.config.database;
    const scope = db ? 'TABLE_SCHEMA = ?' : `TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')`;
    const args = db ? [db] : [];
    const tables = await this.query(
      `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, TABLE_TYPE AS k, TABLE_ROWS AS n FROM information_schema.TABLES WHERE ${scope} ORDER BY TABLE_SCHEMA, TABLE_NAME`,
      args,
    );
    const cols = await this.query(
      `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, COLUMN_NAME AS c, DATA_TYPE AS dt, COLUMN_TYPE AS ct, IS_NULLABLE AS nl FROM information_schema.COLUMNS WHERE ${scope} ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION`,
      args,
    );
    const idx = await this.query(
      `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, INDEX_NAME AS i, NON_UNIQUE AS nu, COLUMN_NAME AS c FROM information_schema.STATISTICS WHERE ${scope} AND COLUMN_NAME IS NOT NULL ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
      args,
    );
    const name = (s: unknown, t: unknown) => (db ? String(t) : `${s}.${t}`);
    const out = new Map<string, DiscoveredTable>();
    for (const t of tables) {
      const view = /VIEW/i.test(String(t.k));
      out.set(name(t.s, t.t), {
        name: name(t.s, t.t),
        kind: view ? 'view' : 'table',
        columns: [],
        primaryKey: [],
        rowCount: view || t.n === null ? null : Number(t.n),
        indexes: [],
      });
    }
    for (const c of cols) out.get(name(c.s, c.t))?.columns.push(column(c));
    attachIndexes(
      out,
      groupIndexes(idx, (r) => name(r.s, r.t)),
    );
    return [...out.values()];
  }

  /** [database, table] for information_schema lookups. */
  private where(table: string): [string, string] {
    const p = splitIdent(table);
    if (p.length > 2) throw new SourceError(`"${table}" has too many parts; MySQL names are database.table.`, 'EIDENT', 'other');
    const db = p.length === 2 ? p[0] : this.config.database;
    if (!db)
      throw new SourceError(
        `"${table}" names no database; write it as database.table or set "database" in the profile.`,
        'EIDENT',
        'other',
      );
    return [db, p[p.length - 1]];
  }

  async describeTable(table: string): Promise<TableDetail | null> {
    const [db, t] = this.where(table);
    const meta = await this.query(
      `SELECT TABLE_TYPE AS k, TABLE_ROWS AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`,
      [db, t],
      table,
    );
    if (!meta.length) return null;
    const cols = await this.query(
      `SELECT COLUMN_NAME AS c, DATA_TYPE AS dt, COLUMN_TYPE AS ct, IS_NULLABLE AS nl FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
      [db, t],
      table,
    );
    const idx = await this.query(
      `SELECT INDEX_NAME AS i, NON_UNIQUE AS nu, COLUMN_NAME AS c FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME IS NOT NULL ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
      [db, t],
      table,
    );
    const indexes = groupIndexes(idx, () => 'x').get('x') ?? [];
    const view = /VIEW/i.test(String(meta[0].k));
    let rowCount: number | null = view || meta[0].n === null ? null : Number(meta[0].n);
    if (!(rowCount !== null && rowCount > 0)) rowCount = await boundedCount(this, table);
    return {
      name: table,
      kind: view ? 'view' : 'table',
      columns: cols.map(column),
      primaryKey: indexes.find((i) => i.primary)?.columns ?? [],
      rowCount,
      indexes,
    };
  }

  async columnType(table: string, columnName: string): Promise<string | null> {
    const [db, t] = this.where(table);
    const rows = await this.query(
      `SELECT COLUMN_TYPE AS ct FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME = ?`,
      [db, t, columnName],
      table,
    );
    return rows[0] ? String(rows[0].ct).toLowerCase() : null;
  }

  async checkAccess(table: string): Promise<AccessReport> {
    const [db, t] = this.where(table);
    const who = (await this.query(`SELECT CURRENT_USER() AS u`))[0];
    const login = String(who.u);
    // A SELECT that reads nothing proves read access whatever grants it (roles, wildcards).
    let canSelect = true;
    try {
      await this.query(`SELECT 1 FROM ${this.dialect.ident(`${db}.${t}`)} WHERE 1 = 0`, [], table);
    } catch (e) {
      const err = e as SourceError;
      if (err.kind === 'missing') throw err;
      canSelect = false;
    }
    // Writes are never tried: privileges come from the grant tables the server shows this user.
    const at = login.lastIndexOf('@');
    const grantees = [`'${login.slice(0, at)}'@'${login.slice(at + 1)}'`];
    const roles = await this.query(`SELECT ROLE_NAME AS r FROM information_schema.ENABLED_ROLES`).catch(() => [] as Row[]);
    for (const r of roles) grantees.push(`'${r.r}'`, `'${r.r}'@''`, `'${r.r}'@'%'`);
    const marks = grantees.map(() => '?').join(', ');
    const privs = await this.query(
      `SELECT PRIVILEGE_TYPE AS p, GRANTEE AS g, 'on every database' AS lvl FROM information_schema.USER_PRIVILEGES WHERE GRANTEE IN (${marks})
       UNION ALL SELECT PRIVILEGE_TYPE, GRANTEE, CONCAT('on database ', TABLE_SCHEMA) FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE IN (${marks}) AND (TABLE_SCHEMA = ? OR ? LIKE TABLE_SCHEMA)
       UNION ALL SELECT PRIVILEGE_TYPE, GRANTEE, 'on the table' FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE IN (${marks}) AND TABLE_SCHEMA = ? AND TABLE_NAME = ?
       UNION ALL SELECT PRIVILEGE_TYPE, GRANTEE, CONCAT('on column ', COLUMN_NAME) FROM information_schema.COLUMN_PRIVILEGES WHERE GRANTEE IN (${marks}) AND TABLE_SCHEMA = ? AND TABLE_NAME = ?`,
      [...grantees, ...grantees, db, db, ...grantees, db, t, ...grantees, db, t],
      table,
    );
    const write = privs.filter((p) => WRITE_PRIVILEGES.includes(String(p.p).toUpperCase()));
    const writePrivileges = WRITE_PRIVILEGES.filter((w) => write.some((p) => String(p.p).toUpperCase() === w));
    const byLevel = new Map<string, Set<string>>();
    for (const p of write) {
      const k = `${p.lvl} to ${p.g}`;
      if (!byLevel.has(k)) byLevel.set(k, new Set());
      byLevel.get(k)!.add(String(p.p).toUpperCase());
    }
    const via = [...byLevel].map(([k, ps]) => `${[...ps].join(', ')} ${k}`);
    return { login, canSelect, canWrite: writePrivileges.length > 0, writePrivileges, via };
  }

  /** Foreign keys of the profile's database (unqualified names), or of every user database (qualified) without one. */
  async foreignKeys(): Promise<ForeignKey[]> {
    const db = this.config.database;
    const scope = db ? 'TABLE_SCHEMA = ?' : `TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys')`;
    const rows = await this.query(
      `SELECT CONSTRAINT_NAME AS n, TABLE_SCHEMA AS s, TABLE_NAME AS t, COLUMN_NAME AS c, REFERENCED_TABLE_SCHEMA AS rs, REFERENCED_TABLE_NAME AS rt, REFERENCED_COLUMN_NAME AS rc
       FROM information_schema.KEY_COLUMN_USAGE WHERE ${scope} AND REFERENCED_TABLE_NAME IS NOT NULL
       ORDER BY TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`,
      db ? [db] : [],
    );
    const name = (s: unknown, t: unknown) => (db && String(s) === db ? String(t) : `${s}.${t}`);
    return groupForeignKeys(rows, (r) => ({
      key: `${r.s}.${r.t}.${r.n}`,
      name: String(r.n),
      table: name(r.s, r.t),
      referencedTable: name(r.rs, r.rt),
      column: String(r.c),
      referencedColumn: String(r.rc),
    }));
  }

  async close(): Promise<void> {
    const c = this.conn;
    this.conn = null;
    await c?.end().catch(() => c.destroy());
  }
}

function column(c: Row) {
  return { name: String(c.c), type: String(c.dt).toLowerCase(), declared: String(c.ct).toLowerCase(), nullable: String(c.nl) === 'YES' };
}

function plain(v: unknown): unknown {
  const x = v instanceof TypedValue ? v.value : v;
  if (x === undefined) return null;
  return typeof x === 'bigint' ? x.toString() : x;
}

/** information_schema.STATISTICS rows as selected here: i (index), c (column), nu (NON_UNIQUE). */
function groupIndexes(rows: Row[], keyOf: (r: Row) => string): Map<string, IndexInfo[]> {
  return groupIndexRows(rows, keyOf, (r) => ({
    index: String(r.i),
    column: String(r.c),
    unique: Number(r.nu) === 0,
    primary: String(r.i) === 'PRIMARY',
  }));
}
