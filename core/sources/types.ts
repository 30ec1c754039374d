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
}

export interface DiscoveredTable {
  /** Name as the user writes it in the config (schema-qualified where the driver has schemas). */
  name: string;
  columns: ColumnInfo[];
  primaryKey: string[];
  rowCount: number | null;
}

export interface Dialect {
  /** Validate and quote an identifier, `schema.table` allowed. Throws on anything odd. */
  ident(name: string): string;
  /** Placeholder for the i-th bound value (1-based). */
  param(i: number): string;
  /** `SELECT … LIMIT n` the driver's way: returns the full statement. */
  limit(selectSql: string, n: number): string;
  /** Expression for the database's current time, in the same text form as the cursor column. */
  now(): string;
  /** Expression: the timestamp bound at placeholder `p` minus `seconds`, same text form. */
  minusSeconds(p: string, seconds: number): string;
}

export interface PingResult {
  serverVersion: string;
  latencyMs: number;
}

export interface SourceAdapter {
  readonly driver: Driver;
  readonly dialect: Dialect;
  connect(): Promise<void>;
  ping(): Promise<PingResult>;
  listTables(): Promise<DiscoveredTable[]>;
  /** Rows as plain objects; timestamp-like values come back as strings at full precision. */
  query(sql: string, params?: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
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
