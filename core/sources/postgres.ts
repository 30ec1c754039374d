// PostgreSQL source (pg). One client per adapter; values always bound ($1…), identifiers validated
// and double-quoted.
//
// Cursor precision (docs/design.md §7): pg would parse timestamp/timestamptz into a JS Date and drop the
// microseconds, so this client — only this client, not pg's global registry — returns date/time
// types as the server's own text. timestamptz text gets a full "+hh:mm" offset so any ISO parser
// reads it. Comparisons happen in SQL: a cursor string is bound untyped (the server infers the
// column's type) or cast to the column's exact type via typedParam(), never compared as a JS Date.
//
// The session keeps the server's default TimeZone (the zone the plant's software writes local
// `timestamp` values in), so now() = LOCALTIMESTAMP is in the same text form and zone as a
// `timestamp` column; nowFor('timestamp with time zone') is CURRENT_TIMESTAMP.
import pg from 'pg';
import type { SourceConfig } from '../config/schema.js';
import { resolveSecret } from '../config/secrets.js';
import { toSourceError, type ErrorContext } from './errors.js';
import { attachIndexes, groupIndexes as groupIndexRows } from './indexes.js';
import { checkOptions, sslOption } from './options.js';
import { boundedCount } from './row-count.js';
import {
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

/**
 * OIDs whose text is kept as is: date, time, timestamp, timestamptz, timetz — and int8 and numeric,
 * so a bigint key or cursor is exact (a global pg.types override elsewhere cannot turn it lossy).
 */
const RAW_TEXT_OIDS = new Set([1082, 1083, 1114, 1184, 1266, 20, 1700]);
const TZ_OIDS = new Set([1184, 1266]);

/** '+00' → '+00:00' so the value is ISO 8601 (pg prints whole-hour offsets short). */
export function fullOffset(text: string): string {
  return /[+-]\d\d$/.test(text) ? `${text}:00` : text;
}

/** Per-client parsers: date/time types stay text at full precision; everything else as pg does it. */
export const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (RAW_TEXT_OIDS.has(oid)) return TZ_OIDS.has(oid) ? (v: string) => fullOffset(v) : (v: string) => v;
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
} as unknown as pg.CustomTypesConfig;

/** Only simple type names (from the catalog) go into a CAST. */
const SAFE_TYPE = /^[a-z][a-z0-9 _]*(\(\d+(,\s*\d+)?\))?( with(out)? time zone)?$/;

export const postgresDialect: Dialect = {
  ident: (name) =>
    splitIdent(name)
      .map((p) => `"${p}"`)
      .join('.'),
  param: (i) => `$${Math.trunc(i)}`,
  rowValues: true,
  limit: (sql, n) => `${sql} LIMIT ${Math.trunc(n)}`,
  now: () => 'LOCALTIMESTAMP',
  // timestamptz keeps a cursor's offset; compared with a `timestamp` column it is read in the
  // session zone, the zone the column is written in (monotonic, so nothing at or after it is lost).
  minusSeconds: (p, s) => `(${/^\$\d+$/.test(p) ? `CAST(${p} AS timestamptz)` : p} - INTERVAL '${Math.trunc(s)} seconds')`,
  typedParam: (p, columnType) => {
    const t = columnType.toLowerCase().trim();
    return SAFE_TYPE.test(t) && /^(timestamp|date|time|integer|bigint|smallint|numeric)/.test(t) ? `CAST(${p} AS ${t})` : p;
  },
  nowFor: (columnType) => {
    const t = columnType.toLowerCase();
    if (/^timestamp.*with time zone|^timestamptz/.test(t)) return 'CURRENT_TIMESTAMP';
    if (/^date$/.test(t)) return 'CURRENT_DATE';
    return 'LOCALTIMESTAMP';
  },
};

const KNOWN_OPTIONS = new Set(['ssl', 'connectTimeoutMs', 'statementTimeoutMs', 'applicationName']);

export class PostgresSource implements SourceAdapter {
  readonly driver = 'postgres' as const;
  readonly dialect = postgresDialect;
  private client: pg.Client | null = null;
  private broken: Error | null = null;
  private password: string | undefined;

  constructor(
    private readonly config: SourceConfig,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    checkOptions(config.options, KNOWN_OPTIONS, 'PostgreSQL');
  }

  private ctx(table?: string): ErrorContext {
    return {
      driver: 'postgres',
      host: this.config.host,
      port: this.config.port ?? 5432,
      database: this.config.database ?? this.config.user,
      user: this.config.user,
      table,
      timeoutMs: this.timeoutMs,
      secrets: [this.password],
    };
  }

  private get timeoutMs(): number {
    return Number(this.config.options?.connectTimeoutMs ?? 10_000);
  }

  async connect(): Promise<void> {
    this.password = resolveSecret(this.config.password, this.env);
    const client = new pg.Client({
      host: this.config.host,
      port: this.config.port ?? 5432,
      database: this.config.database,
      user: this.config.user,
      password: this.password,
      ssl: sslOption(this.config.options),
      connectionTimeoutMillis: this.timeoutMs,
      statement_timeout: this.config.options?.statementTimeoutMs === undefined ? undefined : Number(this.config.options.statementTimeoutMs),
      application_name: String(this.config.options?.applicationName ?? 'outpost'),
      types: pgTypes,
    });
    // An idle connection that dies (server restart) must not crash the process; the next query reports it.
    client.on('error', (e) => {
      this.broken = e;
    });
    try {
      await client.connect();
      // ISO output whatever the server's default, so date/time text has one parseable form.
      await client.query(`SET DateStyle = 'ISO, YMD'`);
    } catch (e) {
      await client.end().catch(() => {});
      throw toSourceError(e, this.ctx());
    }
    this.client = client;
    this.broken = null;
  }

  private get handle(): pg.Client {
    if (this.broken) throw toSourceError(this.broken, this.ctx());
    if (!this.client) throw new Error('not connected');
    return this.client;
  }

  async query(sql: string, params: unknown[] = [], table?: string): Promise<Row[]> {
    try {
      const res = await this.handle.query({ text: sql, values: params.map(plain) });
      return res.rows as Row[];
    } catch (e) {
      throw toSourceError(e, this.ctx(table));
    }
  }

  async ping(): Promise<PingResult> {
    const t0 = performance.now();
    const rows = await this.query(`SELECT current_setting('server_version') AS v, current_user AS u`);
    const latencyMs = Math.round((performance.now() - t0) * 100) / 100;
    return { serverVersion: `PostgreSQL ${String(rows[0].v).split(' ')[0]}`, latencyMs, login: String(rows[0].u) };
  }

  async listTables(): Promise<DiscoveredTable[]> {
    const rels = await this.query(
      `SELECT c.oid::int8 AS oid, n.nspname AS schema_name, c.relname AS table_name, c.relkind AS kind, c.reltuples::int8 AS estimate
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
         AND has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT')
       ORDER BY n.nspname, c.relname`,
    );
    const cols = await this.query(
      `SELECT a.attrelid::int8 AS oid, a.attname AS name, format_type(a.atttypid, NULL) AS type, format_type(a.atttypid, a.atttypmod) AS declared, NOT a.attnotnull AS nullable
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
       ORDER BY a.attrelid, a.attnum`,
    );
    const idx = await this.query(indexSql("n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'"));
    const byRel = new Map<string, DiscoveredTable>();
    for (const r of rels) {
      const est = Number(r.estimate);
      byRel.set(String(r.oid), {
        name: `${r.schema_name}.${r.table_name}`,
        kind: r.kind === 'v' || r.kind === 'm' ? 'view' : 'table',
        columns: [],
        primaryKey: [],
        rowCount: est >= 0 && !(r.kind === 'v') ? est : null,
        indexes: [],
      });
    }
    for (const c of cols)
      byRel
        .get(String(c.oid))
        ?.columns.push({ name: String(c.name), type: String(c.type), declared: String(c.declared), nullable: Boolean(c.nullable) });
    attachIndexes(byRel, groupIndexes(idx));
    return [...byRel.values()];
  }

  private async relation(table: string): Promise<string | null> {
    // to_regclass: NULL instead of an error when the name does not resolve (or is not visible).
    const rows = await this.query(`SELECT to_regclass($1)::oid::int8 AS oid`, [this.dialect.ident(table)], table);
    return rows[0]?.oid === null || rows[0]?.oid === undefined ? null : String(rows[0].oid);
  }

  async describeTable(table: string): Promise<TableDetail | null> {
    const oid = await this.relation(table);
    if (!oid) return null;
    const meta = await this.query(
      `SELECT c.relkind AS kind, c.reltuples::int8 AS estimate FROM pg_class c WHERE c.oid = $1::oid`,
      [oid],
      table,
    );
    const cols = await this.query(
      `SELECT a.attname AS name, format_type(a.atttypid, NULL) AS type, format_type(a.atttypid, a.atttypmod) AS declared, NOT a.attnotnull AS nullable
       FROM pg_attribute a WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [oid],
      table,
    );
    const indexes = groupIndexes(await this.query(indexSql('x.indrelid = $1::oid'), [oid], table)).get(oid) ?? [];
    const kind = meta[0]?.kind === 'v' || meta[0]?.kind === 'm' ? 'view' : 'table';
    let rowCount: number | null = Number(meta[0]?.estimate ?? -1);
    if (!(rowCount > 0)) rowCount = await boundedCount(this, table, 'COUNT(*)::int');
    return {
      name: table,
      kind,
      columns: cols.map((c) => ({
        name: String(c.name),
        type: String(c.type),
        declared: String(c.declared),
        nullable: Boolean(c.nullable),
      })),
      primaryKey: indexes.find((i) => i.primary)?.columns ?? [],
      rowCount,
      indexes,
    };
  }

  async columnType(table: string, column: string): Promise<string | null> {
    const oid = await this.relation(table);
    if (!oid) return null;
    const rows = await this.query(
      `SELECT format_type(a.atttypid, a.atttypmod) AS t FROM pg_attribute a WHERE a.attrelid = $1::oid AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped`,
      [oid, column],
      table,
    );
    return rows[0] ? String(rows[0].t) : null;
  }

  async checkAccess(table: string): Promise<AccessReport> {
    const oid = await this.relation(table);
    if (!oid) throw toSourceError({ code: '42P01', message: `relation "${table}" does not exist` }, this.ctx(table));
    const r = (
      await this.query(
        `SELECT current_user AS login,
           has_table_privilege($1::oid, 'SELECT') AS can_select,
           has_any_column_privilege($1::oid, 'INSERT') AS can_insert,
           has_any_column_privilege($1::oid, 'UPDATE') AS can_update,
           has_table_privilege($1::oid, 'DELETE') AS can_delete,
           has_table_privilege($1::oid, 'TRUNCATE') AS can_truncate,
           (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS is_super,
           pg_has_role(c.relowner, 'USAGE') AS is_owner,
           pg_get_userbyid(c.relowner) AS owner_name,
           EXISTS (SELECT 1 FROM pg_roles w WHERE w.rolname = 'pg_write_all_data' AND pg_has_role(w.oid, 'USAGE')) AS write_all
         FROM pg_class c WHERE c.oid = $1::oid`,
        [oid],
        table,
      )
    )[0];
    const privileges = [
      ['INSERT', r.can_insert],
      ['UPDATE', r.can_update],
      ['DELETE', r.can_delete],
      ['TRUNCATE', r.can_truncate],
    ]
      .filter(([, v]) => v)
      .map(([p]) => String(p));
    const via: string[] = [];
    if (r.is_super) via.push(`"${r.login}" is a superuser`);
    if (r.is_owner) via.push(r.owner_name === r.login ? `"${r.login}" owns the table` : `member of the owner role "${r.owner_name}"`);
    if (r.write_all) via.push('member of pg_write_all_data');
    if (privileges.length) {
      const grants = await this.query(
        `SELECT DISTINCT a.privilege_type AS p, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END AS grantee, NULL::text AS col
           FROM pg_class c, aclexplode(c.relacl) a
          WHERE c.oid = $1::oid AND a.privilege_type IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE') AND (a.grantee = 0 OR pg_has_role(a.grantee, 'USAGE'))
         UNION ALL
         SELECT DISTINCT a.privilege_type, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, att.attname::text
           FROM pg_attribute att, aclexplode(att.attacl) a
          WHERE att.attrelid = $1::oid AND att.attnum > 0 AND a.privilege_type IN ('INSERT', 'UPDATE') AND (a.grantee = 0 OR pg_has_role(a.grantee, 'USAGE'))`,
        [oid],
        table,
      );
      const byGrantee = new Map<string, Set<string>>();
      for (const g of grants) {
        const key = String(g.grantee);
        if (!byGrantee.has(key)) byGrantee.set(key, new Set());
        byGrantee.get(key)!.add(g.col ? `${g.p} (${g.col})` : String(g.p));
      }
      const rank = (p: string) => ['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE'].indexOf(p.split(' ')[0]);
      for (const [grantee, ps] of byGrantee) {
        via.push(
          `GRANT ${[...ps].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)).join(', ')} ${grantee === 'PUBLIC' ? 'TO PUBLIC' : grantee === r.login ? `TO "${grantee}"` : `TO "${grantee}" (a role the login is in)`}`,
        );
      }
    }
    return { login: String(r.login), canSelect: Boolean(r.can_select), canWrite: privileges.length > 0, writePrivileges: privileges, via };
  }

  async foreignKeys(): Promise<ForeignKey[]> {
    const rows = await this.query(
      `SELECT c.conname AS name, sn.nspname AS s, st.relname AS t, tn.nspname AS rs, tt.relname AS rt,
              ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) AS cols,
              ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i) AS refcols
       FROM pg_constraint c
       JOIN pg_class st ON st.oid = c.conrelid JOIN pg_namespace sn ON sn.oid = st.relnamespace
       JOIN pg_class tt ON tt.oid = c.confrelid JOIN pg_namespace tn ON tn.oid = tt.relnamespace
       WHERE c.contype = 'f' AND sn.nspname NOT IN ('pg_catalog', 'information_schema') AND has_table_privilege(c.conrelid, 'SELECT')
       ORDER BY sn.nspname, st.relname, c.conname`,
    );
    return rows.map((r) => ({
      name: String(r.name),
      table: `${r.s}.${r.t}`,
      columns: (r.cols as string[]).map(String),
      referencedTable: `${r.rs}.${r.rt}`,
      referencedColumns: (r.refcols as string[]).map(String),
    }));
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => {});
  }
}

/** Bound values: TypedValue unwrapped (the server infers or the SQL casts), bigint as text. */
function plain(v: unknown): unknown {
  const x = v instanceof TypedValue ? v.value : v;
  return typeof x === 'bigint' ? x.toString() : x;
}

function indexSql(filter: string): string {
  return `SELECT x.indrelid::int8 AS oid, ic.relname AS index_name, x.indisunique AS is_unique, x.indisprimary AS is_primary, a.attname AS column_name, k.ord AS ord
    FROM pg_index x
    JOIN pg_class ic ON ic.oid = x.indexrelid
    JOIN pg_class c ON c.oid = x.indrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
    WHERE ${filter} AND x.indpred IS NULL AND k.ord <= x.indnkeyatts
    ORDER BY x.indrelid, ic.relname, k.ord`;
}

function groupIndexes(rows: Row[]): Map<string, IndexInfo[]> {
  return groupIndexRows(
    rows,
    (r) => String(r.oid),
    (r) => ({ index: String(r.index_name), column: String(r.column_name), unique: Boolean(r.is_unique), primary: Boolean(r.is_primary) }),
  );
}
