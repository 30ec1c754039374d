// SQL Server source (mssql over tedious), SQL Server 2012 and later.
//
// - SQL authentication only: a connector runs as a service without a Windows session, so a
//   `DOMAIN\user` login is refused up front with the explanation that a SQL login is required.
// - Server names as plant IT writes them: `HOST\INSTANCE`, `HOST,PORT`, `tcp:HOST`, `(local)`, `.`;
//   options.instanceName, encrypt (default true) and trustServerCertificate (default false).
// - Every parameter is bound with an explicit type (bindParam): ASCII text as varchar so an index on
//   a varchar key is usable, other text as nvarchar, integers as int/bigint, 8-byte buffers as
//   binary(8); `typed(value, 'datetime2(7)')` binds the exact column type.
// - Cursor precision (DESIGN §7): tedious turns datetime/datetime2 into a JS Date. The change modes
//   read the cursor as server-side text — `cursorText` (CONVERT(varchar(33), col, 126)) and
//   typedParam(), which casts the bound text to the column's exact type in SQL (CAST(@p1 AS
//   datetime2(7)) or CAST(@p1 AS datetime), never the one for the other: a datetime compared with a
//   datetime2 parameter is off by up to 1/300 s). Values in rows are also turned back into text
//   exactly (tedious keeps the sub-millisecond part of datetime2 in `nanosecondsDelta`), so every
//   row looks the same whatever the driver: ISO text with the column's own precision.
import sql from 'mssql';
import type { SourceConfig } from '../config/schema.js';
import { resolveSecret } from '../config/secrets.js';
import { toSourceError, type ErrorContext } from './errors.js';
import {
  SourceError,
  TypedValue,
  splitIdent,
  type AccessReport,
  type ColumnInfo,
  type Dialect,
  type DiscoveredTable,
  type IndexInfo,
  type PingResult,
  type Row,
  type SourceAdapter,
  type TableDetail,
} from './types.js';

// ---------------------------------------------------------------------------------------------
// Dialect

/** datetime/datetime2/… with its scale, validated (only catalog type names get into a CAST). */
function temporalType(columnType: string): { base: string; scale: number | null } | null {
  const m = /^(datetime2|datetimeoffset|time|datetime|smalldatetime|date)\s*(?:\((\d)\))?$/.exec(columnType.toLowerCase().trim());
  return m ? { base: m[1], scale: m[2] === undefined ? null : Number(m[2]) } : null;
}

export const mssqlDialect: Dialect = {
  ident: (name) => splitIdent(name).map((p) => `[${p}]`).join('.'),
  param: (i) => `@p${Math.trunc(i)}`,
  limit: (stmt, n) => {
    const m = /^\s*SELECT\s+(DISTINCT\s+)?/i.exec(stmt);
    if (!m) throw new Error('limit() needs a SELECT statement');
    return `SELECT ${m[1] ?? ''}TOP (${Math.trunc(n)}) ${stmt.slice(m[0].length)}`;
  },
  // Text, truncated to milliseconds: converts to both datetime (3 digits at most) and datetime2.
  now: () => 'CONVERT(varchar(23), SYSDATETIME(), 126)',
  // A plain placeholder is cast to datetime2(7) first (DATEADD on text would try datetime and fail
  // on 7 fractional digits); a typed one keeps its type, so the column is compared with its own type.
  minusSeconds: (p, s) => `DATEADD(second, -${Math.trunc(s)}, ${/^@p\d+$/.test(p) ? `CAST(${p} AS datetime2(7))` : p})`,
  typedParam: (p, columnType) => {
    const t = columnType.toLowerCase().trim();
    const tt = temporalType(t);
    if (tt) return `CAST(${p} AS ${tt.base}${tt.scale === null ? '' : `(${tt.scale})`})`;
    if (t === 'rowversion' || t === 'timestamp' || t === 'binary(8)') return `CONVERT(binary(8), ${p}, 1)`;
    return p;
  },
  nowFor: (columnType) => {
    const tt = temporalType(columnType);
    if (!tt) return mssqlDialect.now();
    switch (tt.base) {
      case 'datetime':
        return 'CONVERT(varchar(23), GETDATE(), 126)';
      case 'smalldatetime':
        return 'CONVERT(varchar(19), CAST(GETDATE() AS smalldatetime), 126)';
      case 'date':
        return 'CONVERT(varchar(10), CAST(GETDATE() AS date), 126)';
      case 'datetimeoffset':
        return `CONVERT(varchar(40), SYSDATETIMEOFFSET(), 126)`;
      default:
        return `CONVERT(varchar(33), CAST(SYSDATETIME() AS ${tt.base}(${tt.scale ?? 7})), 126)`;
    }
  },
};

/** Expression selecting a cursor column as full-precision text (style 126, ISO 8601). */
export function cursorText(quotedColumn: string): string {
  return `CONVERT(varchar(33), ${quotedColumn}, 126)`;
}

// ---------------------------------------------------------------------------------------------
// Every statement the adapter sends by itself (the change modes add theirs through the dialect).

export const MSSQL_SQL = {
  ping: `SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS version, CAST(SERVERPROPERTY('Edition') AS nvarchar(128)) AS edition, SUSER_SNAME() AS login_name, USER_NAME() AS user_name`,
  tables: `SELECT o.object_id, s.name AS schema_name, o.name AS table_name, o.type AS kind FROM sys.objects o JOIN sys.schemas s ON s.schema_id = o.schema_id WHERE o.type IN ('U', 'V') AND o.is_ms_shipped = 0 ORDER BY s.name, o.name`,
  columns: `SELECT c.object_id, c.name AS column_name, TYPE_NAME(c.system_type_id) AS type_name, c.max_length, c.precision, c.scale, c.is_nullable FROM sys.columns c JOIN sys.objects o ON o.object_id = c.object_id WHERE o.type IN ('U', 'V') AND o.is_ms_shipped = 0 ORDER BY c.object_id, c.column_id`,
  indexes: `SELECT i.object_id, i.name AS index_name, i.is_unique, i.is_primary_key, c.name AS column_name FROM sys.indexes i JOIN sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id JOIN sys.objects o ON o.object_id = i.object_id WHERE o.is_ms_shipped = 0 AND ic.key_ordinal > 0 AND i.has_filter = 0 ORDER BY i.object_id, i.index_id, ic.key_ordinal`,
  rowCounts: `SELECT p.object_id, SUM(p.rows) AS row_count FROM sys.partitions p WHERE p.index_id IN (0, 1) GROUP BY p.object_id`,
  // Catalog views show only what the login may see; CHANGE_TRACKING_CURRENT_VERSION() is NULL exactly
  // when the database has Change Tracking off, whoever asks.
  changeTrackedTables: `SELECT t.object_id FROM sys.change_tracking_tables t`,
  objectId: `SELECT OBJECT_ID(@p1) AS object_id, OBJECTPROPERTY(OBJECT_ID(@p1), 'IsView') AS is_view`,
  tableColumns: `SELECT c.name AS column_name, TYPE_NAME(c.system_type_id) AS type_name, c.max_length, c.precision, c.scale, c.is_nullable FROM sys.columns c WHERE c.object_id = @p1 ORDER BY c.column_id`,
  tableIndexes: `SELECT i.name AS index_name, i.is_unique, i.is_primary_key, c.name AS column_name FROM sys.indexes i JOIN sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id WHERE i.object_id = @p1 AND ic.key_ordinal > 0 AND i.has_filter = 0 ORDER BY i.index_id, ic.key_ordinal`,
  tableRowCount: `SELECT SUM(p.rows) AS row_count FROM sys.partitions p WHERE p.object_id = @p1 AND p.index_id IN (0, 1)`,
  changeTracking: `SELECT CASE WHEN CHANGE_TRACKING_CURRENT_VERSION() IS NULL THEN 0 ELSE 1 END AS db_on, CASE WHEN EXISTS (SELECT 1 FROM sys.change_tracking_tables t WHERE t.object_id = @p1) THEN 1 ELSE 0 END AS table_on, HAS_PERMS_BY_NAME(@p2, 'OBJECT', 'VIEW CHANGE TRACKING') AS can_view`,
  columnType: `SELECT TYPE_NAME(c.system_type_id) AS type_name, c.max_length, c.precision, c.scale FROM sys.columns c WHERE c.object_id = OBJECT_ID(@p1) AND c.name = @p2`,
  access: `SELECT SUSER_SNAME() AS login_name, USER_NAME() AS user_name, HAS_PERMS_BY_NAME(@p1, 'OBJECT', 'SELECT') AS can_select, HAS_PERMS_BY_NAME(@p1, 'OBJECT', 'INSERT') AS can_insert, HAS_PERMS_BY_NAME(@p1, 'OBJECT', 'UPDATE') AS can_update, HAS_PERMS_BY_NAME(@p1, 'OBJECT', 'DELETE') AS can_delete, HAS_PERMS_BY_NAME(@p1, 'OBJECT', 'ALTER') AS can_alter, IS_SRVROLEMEMBER('sysadmin') AS is_sysadmin, IS_ROLEMEMBER('db_owner') AS is_db_owner, IS_ROLEMEMBER('db_datawriter') AS is_datawriter, IS_ROLEMEMBER('db_ddladmin') AS is_ddladmin`,
  myPermissions: `SELECT permission_name FROM fn_my_permissions(@p1, 'OBJECT') WHERE subentity_name = ''`,
  grants: `SELECT dp.permission_name, dp.class_desc, pr.name AS grantee FROM sys.database_permissions dp JOIN sys.database_principals pr ON pr.principal_id = dp.grantee_principal_id WHERE dp.state IN ('G', 'W') AND dp.permission_name IN ('INSERT', 'UPDATE', 'DELETE', 'ALTER', 'CONTROL') AND ((dp.class = 1 AND dp.major_id = @p1) OR (dp.class = 3 AND dp.major_id = SCHEMA_ID(@p2)) OR dp.class = 0) AND (pr.name = USER_NAME() OR pr.name = 'public' OR IS_MEMBER(pr.name) = 1)`,
  newest: (quotedTable: string, quotedColumn: string) => `SELECT MAX(${quotedColumn}) AS newest FROM ${quotedTable}`,
  probeSelect: (quotedTable: string) => `SELECT TOP (0) * FROM ${quotedTable}`,
} as const;

// ---------------------------------------------------------------------------------------------
// Parameters

export type MssqlParamType = 'varchar' | 'nvarchar' | 'int' | 'bigint' | 'float' | 'bit' | 'datetime' | 'datetime2' | 'datetimeoffset' | 'smalldatetime' | 'date' | 'time' | 'binary' | 'varbinary' | 'decimal';

/** A parameter as it goes on the wire: the exact SQL Server type and the value tedious writes. */
export interface MssqlParam {
  type: MssqlParamType;
  length?: number | 'max';
  scale?: number;
  precision?: number;
  value: unknown;
}

/** Declaration as SQL Server sees it, e.g. 'datetime2(7)', 'varchar(8000)' (tests, messages). */
export function declaration(p: MssqlParam): string {
  if (p.type === 'varchar' || p.type === 'nvarchar' || p.type === 'binary' || p.type === 'varbinary') return `${p.type}(${p.length ?? 'max'})`;
  if (p.type === 'datetime2' || p.type === 'datetimeoffset' || p.type === 'time') return `${p.type}(${p.scale ?? 7})`;
  if (p.type === 'decimal') return `decimal(${p.precision ?? 18}, ${p.scale ?? 0})`;
  return p.type;
}

const TEMPORAL_TEXT = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,7}))?)?)?\s*(Z|[+-]\d\d:?\d\d)?$/;

/**
 * ISO text → a Date whose UTC fields are the wall-clock value (tedious runs with useUTC), plus the
 * sub-millisecond part as `nanosecondDelta` (the property tedious' writer reads), so datetime2(7)
 * goes on the wire exactly.
 */
export function temporalValue(text: string): Date & { nanosecondDelta?: number } {
  const m = TEMPORAL_TEXT.exec(text.trim());
  if (!m) throw new SourceError(`"${text}" is not a date/time value like 2024-05-01T13:45:00.1234567.`, 'EPARAM', 'other');
  const frac = (m[7] ?? '').padEnd(7, '0');
  const ms = Number(frac.slice(0, 3));
  const sub = Number(frac.slice(3));
  let t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), ms);
  if (Number(m[1]) < 100) {
    const d = new Date(t);
    d.setUTCFullYear(Number(m[1]));
    t = d.getTime();
  }
  if (m[8] && m[8] !== 'Z') {
    const off = /([+-])(\d\d):?(\d\d)/.exec(m[8])!;
    t -= (off[1] === '-' ? -1 : 1) * (Number(off[2]) * 60 + Number(off[3])) * 60_000;
  }
  const d = new Date(t) as Date & { nanosecondDelta?: number };
  if (sub) d.nanosecondDelta = sub / 1e7;
  return d;
}

function hexBuffer(v: unknown): Buffer {
  if (Buffer.isBuffer(v)) return v;
  const s = String(v);
  if (!/^0x[0-9a-f]*$/i.test(s) || s.length % 2) throw new SourceError(`"${s}" is not a binary value like 0x00000000000007D1.`, 'EPARAM', 'other');
  return Buffer.from(s.slice(2), 'hex');
}

/** A value bound with a declared column type (`typed(v, 'datetime2(7)')`). */
function bindTyped(v: TypedValue): MssqlParam {
  const t = v.type.toLowerCase().trim();
  if (v.value === null || v.value === undefined) return { ...bindPlain(null), value: null };
  const tt = temporalType(t);
  if (tt) {
    const val = v.value instanceof Date ? v.value : temporalValue(String(v.value));
    if (tt.base === 'datetime' || tt.base === 'smalldatetime' || tt.base === 'date') return { type: tt.base, value: val };
    return { type: tt.base as 'datetime2' | 'datetimeoffset' | 'time', scale: tt.scale ?? 7, value: val };
  }
  const bin = /^(rowversion|timestamp|binary|varbinary)(?:\((\d+|max)\))?$/.exec(t);
  if (bin) {
    const buf = hexBuffer(v.value);
    if (bin[1] === 'varbinary') return { type: 'varbinary', length: bin[2] === 'max' || !bin[2] ? 'max' : Number(bin[2]), value: buf };
    return { type: 'binary', length: bin[1] === 'binary' && bin[2] ? Number(bin[2]) : 8, value: buf };
  }
  const str = /^(n?)(var)?char(?:\((\d+|max)\))?$/.exec(t);
  if (str) {
    const len = str[3] === 'max' ? 'max' : Number(str[3] ?? (str[1] ? 4000 : 8000));
    return { type: str[1] ? 'nvarchar' : 'varchar', length: len, value: String(v.value) };
  }
  if (/^(int|smallint|tinyint)$/.test(t)) return { type: 'int', value: Number(v.value) };
  if (t === 'bigint') return { type: 'bigint', value: String(v.value) };
  if (t === 'bit') return { type: 'bit', value: Boolean(v.value) && v.value !== '0' };
  const dec = /^(decimal|numeric)\((\d+)(?:,\s*(\d+))?\)$/.exec(t);
  if (dec) return { type: 'decimal', precision: Number(dec[2]), scale: Number(dec[3] ?? 0), value: String(v.value) };
  if (/^(float|real)$/.test(t)) return { type: 'float', value: Number(v.value) };
  return bindPlain(v.value);
}

const ASCII = /^[\x00-\x7f]*$/;

function bindPlain(v: unknown): MssqlParam {
  if (v === null || v === undefined) return { type: 'nvarchar', length: 4000, value: null };
  if (typeof v === 'string') {
    // ASCII text as varchar: compared with a varchar column no conversion lands on the column side
    // (an nvarchar parameter would make SQL Server scan a varchar index). Fixed lengths keep one plan.
    if (ASCII.test(v)) return { type: 'varchar', length: v.length <= 8000 ? 8000 : 'max', value: v };
    return { type: 'nvarchar', length: v.length <= 4000 ? 4000 : 'max', value: v };
  }
  if (typeof v === 'number') {
    if (Number.isInteger(v) && Math.abs(v) <= 2147483647) return { type: 'int', value: v };
    if (Number.isSafeInteger(v)) return { type: 'bigint', value: String(v) };
    return { type: 'float', value: v };
  }
  if (typeof v === 'bigint') return { type: 'bigint', value: v.toString() };
  if (typeof v === 'boolean') return { type: 'bit', value: v };
  if (Buffer.isBuffer(v)) return v.length === 8 ? { type: 'binary', length: 8, value: v } : { type: 'varbinary', length: v.length <= 8000 ? 8000 : 'max', value: v };
  if (v instanceof Date) return { type: 'datetime2', scale: 3, value: v };
  return bindPlain(String(v));
}

/** The exact SQL Server type for one bound value. */
export function bindParam(v: unknown): MssqlParam {
  return v instanceof TypedValue ? bindTyped(v) : bindPlain(v);
}

/** MssqlParam → the mssql library's type object. */
export function mssqlType(p: MssqlParam): sql.ISqlType {
  const len = (l: number | 'max' | undefined) => (l === 'max' || l === undefined ? sql.MAX : l);
  switch (p.type) {
    case 'varchar':
      return sql.VarChar(len(p.length));
    case 'nvarchar':
      return sql.NVarChar(len(p.length));
    case 'int':
      return sql.Int();
    case 'bigint':
      return sql.BigInt();
    case 'float':
      return sql.Float();
    case 'bit':
      return sql.Bit();
    case 'datetime':
      return sql.DateTime();
    case 'smalldatetime':
      return sql.SmallDateTime();
    case 'date':
      return sql.Date();
    case 'datetime2':
      return sql.DateTime2(p.scale ?? 7);
    case 'datetimeoffset':
      return sql.DateTimeOffset(p.scale ?? 7);
    case 'time':
      return sql.Time(p.scale ?? 7);
    case 'binary':
      // The typings omit it, but mssql's Binary takes a length like VarBinary (binary(8) for rowversion).
      return (sql.Binary as unknown as (l: number) => sql.ISqlType)(len(p.length));
    case 'varbinary':
      return sql.VarBinary(len(p.length));
    case 'decimal':
      return sql.Decimal(p.precision ?? 18, p.scale ?? 0);
  }
}

// ---------------------------------------------------------------------------------------------
// Values in rows

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Date (+ tedious' nanosecondsDelta) → ISO text with the column's precision, exactly. */
export function temporalText(d: Date & { nanosecondsDelta?: number }, base: string, scale = 7): string {
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (base === 'date') return date;
  const hms = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  let frac = '';
  if (base === 'datetime') {
    if (d.getUTCMilliseconds()) frac = '.' + pad(d.getUTCMilliseconds(), 3);
  } else if (base !== 'smalldatetime') {
    // 100 ns units within the second: the ms from the Date plus the rest tedious set aside.
    const units = d.getUTCMilliseconds() * 10_000 + Math.round((d.nanosecondsDelta ?? 0) * 1e7);
    const s = Math.max(0, Math.min(7, scale));
    if (units && s) frac = '.' + pad(units, 7).slice(0, s);
  }
  if (base === 'time') return hms + frac;
  return `${date}T${hms}${frac}${base === 'datetimeoffset' ? '+00:00' : ''}`;
}

export interface MssqlColumnMeta {
  type?: { declaration?: string } | ((...a: never[]) => unknown);
  scale?: number;
  length?: number;
}

/** One value as Outpost hands it on: temporal types as exact text, binary(8) (rowversion) as 0x hex. */
export function renderValue(v: unknown, meta: MssqlColumnMeta | undefined): unknown {
  if (v === null || v === undefined) return v ?? null;
  const decl = String((meta?.type as { declaration?: string } | undefined)?.declaration ?? '').toLowerCase();
  if (v instanceof Date) {
    const base = temporalType(decl)?.base ?? 'datetime2';
    return temporalText(v, base, meta?.scale ?? (base === 'datetime2' || base === 'time' || base === 'datetimeoffset' ? 7 : 3));
  }
  if (Buffer.isBuffer(v) && v.length === 8 && (decl === 'binary' || decl === 'timestamp' || decl === 'rowversion' || decl === '')) return '0x' + v.toString('hex').toUpperCase();
  return v;
}

export function renderRow(row: Row, columns: Record<string, MssqlColumnMeta> | undefined): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) out[k] = renderValue(v, columns?.[k]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Connection settings

export interface MssqlTarget {
  server: string;
  port?: number;
  instance?: string;
}

/** Server names the way SSMS shows them: HOST\INSTANCE, HOST,PORT, tcp:HOST, (local), '.'. */
export function parseServer(host: string, port?: number, instanceName?: string): MssqlTarget {
  let h = host.trim().replace(/^tcp:/i, '');
  let p = port;
  let instance = instanceName;
  const comma = /^(.*),(\d+)$/.exec(h);
  if (comma) {
    h = comma[1];
    p = p ?? Number(comma[2]);
  }
  const bs = h.indexOf('\\');
  if (bs >= 0) {
    instance = instance ?? h.slice(bs + 1);
    h = h.slice(0, bs);
  }
  if (h === '.' || /^\(local\)$/i.test(h) || h === '') h = 'localhost';
  // A port reaches the instance directly; the name is only needed to ask SQL Server Browser for it.
  return p ? { server: h, port: p } : instance ? { server: h, instance } : { server: h, port: 1433 };
}

const KNOWN_OPTIONS = new Set(['instanceName', 'encrypt', 'trustServerCertificate', 'connectTimeoutMs', 'requestTimeoutMs', 'appName']);

/** The SQL-authentication login check: Windows accounts cannot be used by a service connector. */
export function checkSqlLogin(user: string | undefined): string {
  if (!user) throw new SourceError('SQL Server needs a SQL login: set "user" and "password" in the profile (Windows authentication is not supported).', 'ENOUSER', 'auth');
  if (user.includes('\\')) {
    throw new SourceError(
      `"${user}" is a Windows domain account; Outpost connects with SQL Server authentication, so it needs a database login, not a Windows user — ask the DBA to create a SQL login (CREATE LOGIN … WITH PASSWORD) with SELECT on the ticket table and put it in the profile.`,
      'EDOMAINUSER',
      'auth',
    );
  }
  return user;
}

export function buildMssqlConfig(source: SourceConfig, password: string | undefined): sql.config & { target: MssqlTarget } {
  const o = source.options ?? {};
  for (const k of Object.keys(o)) {
    if (!KNOWN_OPTIONS.has(k)) throw new SourceError(`source.options.${k} is not a SQL Server option; known: ${[...KNOWN_OPTIONS].join(', ')}.`, 'EOPTION', 'other');
  }
  for (const k of ['encrypt', 'trustServerCertificate'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'boolean') throw new SourceError(`source.options.${k} must be true or false.`, 'EOPTION', 'other');
  }
  const user = checkSqlLogin(source.user);
  const target = parseServer(source.host ?? 'localhost', source.port, o.instanceName === undefined ? undefined : String(o.instanceName));
  return {
    target,
    server: target.server,
    ...(target.port ? { port: target.port } : {}),
    database: source.database,
    user,
    password: password ?? '',
    connectionTimeout: Number(o.connectTimeoutMs ?? 15_000),
    requestTimeout: Number(o.requestTimeoutMs ?? 60_000),
    pool: { max: 2, min: 0, idleTimeoutMillis: 60_000 },
    options: {
      encrypt: o.encrypt === undefined ? true : Boolean(o.encrypt),
      trustServerCertificate: o.trustServerCertificate === true,
      ...(target.instance ? { instanceName: target.instance } : {}),
      appName: String(o.appName ?? 'outpost'),
      useUTC: true,
      enableArithAbort: true,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The adapter

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
    const t = this.target ?? (() => { try { return parseServer(this.config.host ?? 'localhost', this.config.port); } catch { return null; } })();
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
    return { serverVersion: `SQL Server ${r.version ?? '?'} ${r.edition ?? ''}`.trim(), latencyMs, login: String(r.login_name ?? this.config.user) };
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
      byId.set(String(o.object_id), { name: `${o.schema_name}.${o.table_name}`, kind: view ? 'view' : 'table', columns: [], primaryKey: [], rowCount: null, indexes: [], changeTracking: false });
    }
    for (const c of cols) byId.get(String(c.object_id))?.columns.push(columnInfo(c));
    for (const [id, list] of groupIndexes(idx, (r) => String(r.object_id))) {
      const t = byId.get(id);
      if (!t) continue;
      t.indexes = list;
      t.primaryKey = list.find((i) => i.primary)?.columns ?? [];
    }
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
    const changeTrackingDetail = ct ? { database: Number(ct.db_on) === 1, table: Number(ct.table_on) === 1, canView: Number(ct.can_view) === 1 } : undefined;
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
    const mine = new Set((await this.exec(MSSQL_SQL.myPermissions, [q], table).catch(() => [] as Row[])).map((p) => String(p.permission_name).toUpperCase()));
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

  async close(): Promise<void> {
    const p = this.pool;
    this.pool = null;
    await p?.close().catch(() => {});
  }
}

/** 'datetime2(7)', 'varchar(20)', 'decimal(10,2)', 'rowversion' from sys.columns. */
function declared(c: Row): string {
  const t = String(c.type_name).toLowerCase();
  const len = Number(c.max_length);
  if (t === 'timestamp') return 'rowversion';
  if (t === 'datetime2' || t === 'datetimeoffset' || t === 'time') return `${t}(${c.scale})`;
  if (t === 'varchar' || t === 'char' || t === 'varbinary' || t === 'binary') return `${t}(${len === -1 ? 'max' : len})`;
  if (t === 'nvarchar' || t === 'nchar') return `${t}(${len === -1 ? 'max' : len / 2})`;
  if (t === 'decimal' || t === 'numeric') return `${t}(${c.precision},${c.scale})`;
  return t;
}

function columnInfo(c: Row): ColumnInfo {
  const t = String(c.type_name).toLowerCase();
  return { name: String(c.column_name), type: t === 'timestamp' ? 'rowversion' : t, declared: declared(c), nullable: c.is_nullable === true || Number(c.is_nullable) === 1 };
}

function groupIndexes(rows: Row[], keyOf: (r: Row) => string): Map<string, IndexInfo[]> {
  const out = new Map<string, Map<string, IndexInfo>>();
  for (const r of rows) {
    const key = keyOf(r);
    if (!out.has(key)) out.set(key, new Map());
    const m = out.get(key)!;
    const name = String(r.index_name);
    if (!m.has(name)) m.set(name, { name, columns: [], unique: r.is_unique === true || Number(r.is_unique) === 1, primary: r.is_primary_key === true || Number(r.is_primary_key) === 1 });
    m.get(name)!.columns.push(String(r.column_name));
  }
  return new Map([...out].map(([k, v]) => [k, [...v.values()]]));
}
