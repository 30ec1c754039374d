// One interface every database driver implements. Change modes (core/change) build their SQL
// through `dialect`, so the same mode works on every driver; values are always bound, identifiers
// always validated and quoted.
import type { Driver } from '../config/schema.js';

export type Row = Record<string, unknown>;

export interface ColumnInfo {
  name: string;
  /** The database's own type name, lower case (e.g. 'datetime2', 'timestamp', 'text'). */
  type: string;
  nullable: boolean;
  /** The declared type with its size or precision where the driver knows it ('datetime2(7)', 'binary(8)'). */
  declared?: string;
}

export interface IndexInfo {
  name: string;
  /** Key columns in index order (expression parts are left out). */
  columns: string[];
  unique: boolean;
  primary: boolean;
}

export interface DiscoveredTable {
  /** Name as the user writes it in the config (schema-qualified where the driver has schemas). */
  name: string;
  columns: ColumnInfo[];
  primaryKey: string[];
  /** Exact or estimated (catalog statistics) row count; null when the database does not know. */
  rowCount: number | null;
  /** Indexes, when the driver lists them (all adapters in core/sources do). */
  indexes?: IndexInfo[];
  /** 'view' for views; absent for tables. */
  kind?: 'table' | 'view';
  /** SQL Server only: Change Tracking is enabled for this table. */
  changeTracking?: boolean;
}

/** One table in detail (validate, discovery); see SourceAdapter.describeTable. */
export interface TableDetail extends DiscoveredTable {
  indexes: IndexInfo[];
  /** SQL Server only: Change Tracking on for the database / the table, and VIEW CHANGE TRACKING held by the login. */
  changeTrackingDetail?: { database: boolean; table: boolean; canView: boolean };
}

/** A foreign key: `table(columns)` references `referencedTable(referencedColumns)`, column by column. */
export interface ForeignKey {
  /** The constraint's name (SQLite: "fk_<table>_<n>"). */
  name: string;
  /** Names as the user writes them in the config (schema-qualified where the driver has schemas). */
  table: string;
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
}

/** What the login may do to one table: the read-only check. */
export interface AccessReport {
  /** The database user the connection runs as. */
  login: string;
  canSelect: boolean;
  canWrite: boolean;
  /** Privileges that allow changing the table or its data (INSERT, UPDATE, DELETE, TRUNCATE, ALTER…). */
  writePrivileges: string[];
  /** Where they come from, in words: 'superuser', 'owner of the table', 'INSERT granted to PUBLIC'… */
  via: string[];
}

export interface Dialect {
  /** Validate and quote an identifier, `schema.table` allowed. Throws on anything odd. */
  ident(name: string): string;
  /** Placeholder for the i-th bound value (1-based). */
  param(i: number): string;
  /**
   * The database compares row values, `(a, b) > (?, ?)` (PostgreSQL, MySQL 8 / MariaDB, SQLite); when
   * absent (SQL Server) keyset pages spell the same order with ORs (core/change/keyset.ts).
   */
  rowValues?: boolean;
  /** `SELECT … LIMIT n` the driver's way: returns the full statement. */
  limit(selectSql: string, n: number): string;
  /** Expression for the database's current time, in the same text form as the cursor column. */
  now(): string;
  /** Expression: the timestamp bound at placeholder `p` minus `seconds`, same text form. */
  minusSeconds(p: string, seconds: number): string;
  /**
   * Optional (change modes): the placeholder `p` bound with the column's exact type, e.g. SQL Server
   * `CAST(@p1 AS datetime2(7))`, so a full-precision cursor string is compared without a lossy
   * conversion. `columnType` is the database's own type name, lower case, with its precision
   * (e.g. 'datetime2(7)'). Default: `p` unchanged.
   */
  typedParam?(p: string, columnType: string): string;
  /**
   * Optional (change modes): the database's current time in the form and precision of a column of
   * this type (SQL Server: GETDATE() for datetime, SYSDATETIME() for datetime2). Default: now().
   */
  nowFor?(columnType: string): string;
}

export interface PingResult {
  serverVersion: string;
  latencyMs: number;
  /** The user the server says this connection runs as (when the driver can ask). */
  login?: string;
}

export interface SourceAdapter {
  readonly driver: Driver;
  readonly dialect: Dialect;
  connect(): Promise<void>;
  ping(): Promise<PingResult>;
  listTables(): Promise<DiscoveredTable[]>;
  /** Rows as plain objects; timestamp-like values come back as strings at full precision. */
  query(sql: string, params?: unknown[]): Promise<Row[]>;
  /**
   * Optional (change modes): the type of one column as the database names it, lower case with its
   * precision when it has one ('datetime2(7)', 'timestamp without time zone', 'datetime(6)'), or
   * null when the column does not exist. Lets a change mode bind its cursor with the exact type.
   */
  columnType?(table: string, column: string): Promise<string | null>;
  /** Columns, keys, indexes and a row estimate of one table or view; null when it does not exist or the login cannot see it. */
  describeTable(table: string): Promise<TableDetail | null>;
  /**
   * The foreign keys the login can see, every table of the database (PostgreSQL pg_constraint,
   * MySQL information_schema, SQL Server sys.foreign_keys, SQLite PRAGMA foreign_key_list). The
   * mapping starter follows them to master tables' name columns and to 1:1 detail tables.
   */
  foreignKeys?(): Promise<ForeignKey[]>;
  /** The read-only check: whether the login can read the table and whether (and through what) it can change it. */
  checkAccess(table: string): Promise<AccessReport>;
  close(): Promise<void>;
}

/**
 * A bound value with the exact column type it must be sent as ('datetime2(7)', 'datetime', 'binary(8)').
 * SQL Server binds parameters by type, so a cursor is sent without a lossy guess; drivers that let the
 * server infer the type from the SQL (pg, mysql, sqlite) bind the plain value.
 */
export class TypedValue {
  constructor(
    readonly value: unknown,
    readonly type: string,
  ) {}
}

export function typed(value: unknown, type: string): TypedValue {
  return new TypedValue(value, type);
}

/** A connection problem in one plain sentence that says what to check, plus the driver's code. */
export class SourceError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly kind: 'auth' | 'network' | 'tls' | 'missing' | 'permission' | 'timeout' | 'other' = 'other',
  ) {
    super(message);
    this.name = 'SourceError';
  }
}

const IDENT_PART = /^[A-Za-z_][A-Za-z0-9_$# ]{0,127}$/;

/** Shared identifier check: letters, digits, _ $ # and inner spaces; at most schema.table. */
export function splitIdent(name: string): string[] {
  const parts = name.split('.');
  if (parts.length > 3 || parts.some((p) => !IDENT_PART.test(p) || p !== p.trim())) {
    throw new Error(`"${name}" is not a valid table or column name.`);
  }
  return parts;
}
