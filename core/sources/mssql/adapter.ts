// The SQL Server source adapter (mssql over tedious): connects, discovers, describes and checks
// access with the statements in catalog.ts, binding every parameter (params.ts) and rendering every
// value (values.ts).
import sql from 'mssql';
import type { SourceConfig } from '../../config/schema.js';
import { resolveSecret } from '../../config/secrets.js';
import { toSourceError, type ErrorContext } from '../errors.js';
import { groupForeignKeys } from '../foreign-keys.js';
import { attachIndexes } from '../indexes.js';
import {
  splitIdent,
  type AccessReport,
  type DiscoveredTable,
  type ForeignKey,
  type PingResult,
  type Row,
  type SourceAdapter,
  type TableDetail,
} from '../types.js';
import { MSSQL_SQL, columnInfo, declared, groupIndexes } from './catalog.js';
import { buildMssqlConfig } from './connection.js';
import { mssqlDialect } from './dialect.js';
import { bindParam, mssqlType, type MssqlParam } from './params.js';
import { parseServer, type MssqlTarget } from './server-name.js';
import { renderRow, type MssqlColumnMeta } from './values.js';

export interface MssqlResult {
  rows: Row[];
  columns?: Record<string, MssqlColumnMeta>;
}

/** Runs one statement; injectable so tests can see every statement and parameter without a server. */
export type MssqlExecutor = (statement: string, params: MssqlParam[]) => Promise<MssqlResult>;

const WRITE_PERMISSIONS = ['INSERT', 'UPDATE', 'DELETE', 'ALTER'];

export class MssqlSource implements SourceAdapter {
  readonly driver = 'mssql' as const;
  readonly dialect = mssqlDialect;
  private pool: sql.ConnectionPool | null = null;
  private password: string | undefined;
  private loginErrorNumber: number | undefined;
  private target: MssqlTarget | null = null;

  constructor(
    private readonly config: SourceConfig,
    private readonly opts: { env?: NodeJS.ProcessEnv; executor?: MssqlExecutor } = {},
  ) {}

  private ctx(table?: string): ErrorContext {
    const t =
      this.target ??
      (() => {
        try {
          return parseServer(this.config.host ?? 'localhost', this.config.port);
        } catch {
          return null;
        }
      })();
    return {
      driver: 'mssql',
      host: t?.server ?? this.config.host,
      port: t?.port,
      instance: t?.instance,
      database: this.config.database,
      user: this.config.user,
      table,
      timeoutMs: Number(this.config.options?.connectTimeoutMs ?? 15_000),
      secrets: [this.password],
      loginErrorNumber: this.loginErrorNumber,
    };
  }

  async connect(): Promise<void> {
    this.password = resolveSecret(this.config.password, this.opts.env ?? process.env);
    const cfg = buildMssqlConfig(this.config, this.password);
    this.target = cfg.target;
    if (this.opts.executor) return;
    const { target: _t, ...config } = cfg;
    // tedious keeps only the message of a login error; the server's number (18456, 4060…) is in the
    // ERROR token it emits first.
    (config as sql.config & { beforeConnect?: (c: unknown) => void }).beforeConnect = (conn: unknown) => {
      (conn as { on(ev: string, f: (t: { number?: number }) => void): void }).on('errorMessage', (t) => {
        if (typeof t.number === 'number') this.loginErrorNumber = t.number;
      });
    };
    const pool = new sql.ConnectionPool(config);
    pool.on('error', () => {});
    try {
      await pool.connect();
    } catch (e) {
      await pool.close().catch(() => {});
      throw toSourceError(e, this.ctx());
    }
    this.pool = pool;
  }

  private async exec(statement: string, params: unknown[] = [], table?: string): Promise<Row[]> {
    const bound = params.map(bindParam);
    try {
      const res = this.opts.executor ? await this.opts.executor(statement, bound) : await this.run(statement, bound);
      return res.rows.map((r) => renderRow(r, res.columns));
    } catch (e) {
      throw toSourceError(e, this.ctx(table));
    }
  }

  private async run(statement: string, params: MssqlParam[]): Promise<MssqlResult> {
    if (!this.pool) throw new Error('not connected');
    const req = this.pool.request();
    params.forEach((p, i) => req.input(`p${i + 1}`, mssqlType(p), p.value));
    const r = await req.query(statement);
    const rs = r.recordset as (sql.IRecordSet<Row> & { columns?: Record<string, MssqlColumnMeta> }) | undefined;
    return { rows: rs ? [...rs] : [], columns: rs?.columns };
  }

  query(statement: string, params: unknown[] = []): Promise<Row[]> {
    return this.exec(statement, params);
  }

  async ping(): Promise<PingResult> {
    const t0 = performance.now();
    const r = (await this.exec(MSSQL_SQL.ping))[0] ?? {};
    const latencyMs = Math.round((performance.now() - t0) * 100) / 100;
    return {
      serverVersion: `SQL Server ${r.version ?? '?'} ${r.edition ?? ''}`.trim(),
      latencyMs,
      login: String(r.login_name ?? this.config.user),
    };
  }

  async listTables(): Promise<DiscoveredTable[]> {
    const objects = await this.exec(MSSQL_SQL.tables);
    const cols = await this.exec(MSSQL_SQL.columns);
    const idx = await this.exec(MSSQL_SQL.indexes);
    const counts = await this.exec(MSSQL_SQL.rowCounts);
    const ct = await this.exec(MSSQL_SQL.changeTrackedTables).catch(() => [] as Row[]);
    const byId = new Map<string, DiscoveredTable>();
    for (const o of objects) {
      const view = String(o.kind).trim() === 'V';
      byId.set(String(o.object_id), {
        name: `${o.schema_name}.${o.table_name}`,
        kind: view ? 'view' : 'table',
        columns: [],
        primaryKey: [],
        rowCount: null,
        indexes: [],
        changeTracking: false,
      });
    }
    for (const c of cols) byId.get(String(c.object_id))?.columns.push(columnInfo(c));
    attachIndexes(
      byId,
      groupIndexes(idx, (r) => String(r.object_id)),
    );
    for (const c of counts) {
      const t = byId.get(String(c.object_id));
      if (t && t.kind !== 'view') t.rowCount = Number(c.row_count);
    }
    for (const c of ct) {
      const t = byId.get(String(c.object_id));
      if (t) t.changeTracking = true;
    }
    return [...byId.values()];
  }

  private async objectId(table: string): Promise<{ id: number; view: boolean } | null> {
    const r = (await this.exec(MSSQL_SQL.objectId, [this.dialect.ident(table)], table))[0];
    return r && r.object_id !== null && r.object_id !== undefined ? { id: Number(r.object_id), view: Number(r.is_view) === 1 } : null;
  }

  async describeTable(table: string): Promise<TableDetail | null> {
    const obj = await this.objectId(table);
    if (!obj) return null;
    const cols = await this.exec(MSSQL_SQL.tableColumns, [obj.id], table);
    const indexes = groupIndexes(await this.exec(MSSQL_SQL.tableIndexes, [obj.id], table), () => 'x').get('x') ?? [];
    const count = obj.view ? [] : await this.exec(MSSQL_SQL.tableRowCount, [obj.id], table);
    const ct = (await this.exec(MSSQL_SQL.changeTracking, [obj.id, this.dialect.ident(table)], table).catch(() => []))[0];
    const changeTrackingDetail = ct
      ? { database: Number(ct.db_on) === 1, table: Number(ct.table_on) === 1, canView: Number(ct.can_view) === 1 }
      : undefined;
    return {
      name: table,
      kind: obj.view ? 'view' : 'table',
      columns: cols.map(columnInfo),
      primaryKey: indexes.find((i) => i.primary)?.columns ?? [],
      rowCount: count[0]?.row_count === null || count[0]?.row_count === undefined ? null : Number(count[0].row_count),
      indexes,
      changeTracking: changeTrackingDetail?.table ?? false,
      changeTrackingDetail,
    };
  }

  async columnType(table: string, column: string): Promise<string | null> {
    const r = (await this.exec(MSSQL_SQL.columnType, [this.dialect.ident(table), column], table))[0];
    return r ? declared(r) : null;
  }

  async checkAccess(table: string): Promise<AccessReport> {
    const obj = await this.objectId(table);
    if (!obj) throw toSourceError({ code: 'EREQUEST', number: 208, message: `Invalid object name '${table}'.` }, this.ctx(table));
    const q = this.dialect.ident(table);
    const r = (await this.exec(MSSQL_SQL.access, [q], table))[0] ?? {};
    const mine = new Set(
      (await this.exec(MSSQL_SQL.myPermissions, [q], table).catch(() => [] as Row[])).map((p) => String(p.permission_name).toUpperCase()),
    );
    const flags: Record<string, unknown> = { INSERT: r.can_insert, UPDATE: r.can_update, DELETE: r.can_delete, ALTER: r.can_alter };
    const writePrivileges = WRITE_PERMISSIONS.filter((p) => Number(flags[p]) === 1 || mine.has(p));
    const via: string[] = [];
    if (Number(r.is_sysadmin) === 1) via.push('member of the sysadmin server role');
    if (Number(r.is_db_owner) === 1) via.push('member of db_owner');
    if (Number(r.is_datawriter) === 1) via.push('member of db_datawriter');
    if (Number(r.is_ddladmin) === 1) via.push('member of db_ddladmin');
    if (writePrivileges.length) {
      const schema = splitIdent(table).length > 1 ? splitIdent(table).slice(-2)[0] : 'dbo';
      const grants = await this.exec(MSSQL_SQL.grants, [obj.id, schema], table).catch(() => [] as Row[]);
      for (const g of grants) {
        const on = g.class_desc === 'OBJECT_OR_COLUMN' ? 'the table' : g.class_desc === 'SCHEMA' ? `schema ${schema}` : 'the database';
        via.push(`${g.permission_name} on ${on} granted to ${g.grantee}`);
      }
    }
    return {
      login: String(r.login_name ?? this.config.user ?? ''),
      canSelect: Number(r.can_select) === 1 || mine.has('SELECT'),
      canWrite: writePrivileges.length > 0,
      writePrivileges,
      via,
    };
  }

  /** sys.foreign_keys: every foreign key of the database the login can see. */
  async foreignKeys(): Promise<ForeignKey[]> {
    const rows = await this.exec(MSSQL_SQL.foreignKeys);
    return groupForeignKeys(rows, (r) => {
      const table = `${r.schema_name}.${r.table_name}`;
      return {
        key: `${table}.${r.fk_name}`,
        name: String(r.fk_name),
        table,
        referencedTable: `${r.ref_schema}.${r.ref_table}`,
        column: String(r.column_name),
        referencedColumn: String(r.ref_column),
      };
    });
  }

  async close(): Promise<void> {
    const p = this.pool;
    this.pool = null;
    await p?.close().catch(() => {});
  }
}
