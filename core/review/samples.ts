// Sample review: pull a few tickets from the plant database — the latest N, or the exact numbers
// typed from paper tickets — map them as the daemon would, and lay out, per ticket, the raw row, the
// mapped eTicket, where each field came from and what is wrong.
//
// Ticket numbers: scale-house software often stores them space-padded ('   100234') or as numbers.
// A typed number matches when the column's text, trimmed, equals it: the comparison is done in SQL
// on the trimmed text form, with the typed numbers bound as values (never spliced into the SQL).
// That comparison cannot use an index; it is meant for a handful of tickets at setup time.
import type { Profile } from '../config/schema.js';
import { mapContextFor } from '../mapping/context.js';
import type { ETicket } from '../mapping/eticket.js';
import { LINES_PROPERTY } from '../mapping/lines.js';
import { LOOKUPS_PROPERTY, prepareRows } from '../mapping/lookups.js';
import { createMapper, type Mapper } from '../mapping/mapper.js';
import type { Driver } from '../config/schema.js';
import type { Row, SourceAdapter } from '../sources/types.js';
import { dateWallText } from '../mapping/values.js';

export interface SampleOptions {
  /** The newest N tickets (by the change column, else the key). Default 5 when no numbers are given. */
  latest?: number;
  /** Ticket numbers as printed on paper ('100234'); matched against the trimmed column text. */
  ticketNumbers?: string[];
  /** The profile's mapper, when the caller has one already. */
  mapper?: Mapper;
  /** The column typed numbers are matched against, when the mapping does not say yet (setup, before the mapping step). */
  numberColumn?: string;
}

export interface PulledSamples {
  /** Rows in the order asked for (typed numbers first to last; latest newest first), lines attached. */
  rows: Row[];
  /** Typed numbers no row matched. */
  notFound: string[];
  /** For each row, the typed number it matched (null for --latest rows). */
  requested: (string | null)[];
}

export const MAX_SAMPLES = 200;

export function mapperForProfile(profile: Profile): Mapper {
  return createMapper({
    template: profile.mapping.template,
    fields: profile.mapping.fields,
    skip: profile.mapping.skip,
    timezone: profile.change.timezone ?? 'UTC',
  });
}

/** The column the ticket number comes from, when it is exactly one column. */
export function ticketNumberColumn(mapper: Mapper): string | null {
  const e = mapper.template.ticket.ticketNumber as { column?: unknown } | undefined;
  return e && typeof e.column === 'string' ? e.column : null;
}

/** SQL for the trimmed text form of a column, per driver (numbers and CHAR(n) both become plain text). */
export function trimmedText(driver: Driver, column: string): string {
  switch (driver) {
    case 'mssql':
      return `LTRIM(RTRIM(CAST(${column} AS NVARCHAR(4000))))`;
    case 'postgres':
      return `BTRIM(CAST(${column} AS TEXT))`;
    case 'mysql':
      return `TRIM(CAST(${column} AS CHAR))`;
    default:
      return `TRIM(CAST(${column} AS TEXT))`;
  }
}

/**
 * SQL for the number as typed from paper: trimmed text without leading zeros, so `5006` matches
 * '005006' and '   5006'. Compared with the typed numbers stripped the same way (`numberKeyOf`).
 */
export function numberKey(driver: Driver, column: string): string {
  const t = trimmedText(driver, column);
  switch (driver) {
    case 'mssql':
      return `SUBSTRING(${t}, PATINDEX('%[^0]%', ${t} + '.'), 4000)`;
    case 'mysql':
      return `TRIM(LEADING '0' FROM ${t})`;
    default:
      return `LTRIM(${t}, '0')`;
  }
}

export function numberKeyOf(typed: string): string {
  return typed.trim().replace(/^0+/, '');
}

/** Cleans typed numbers: trimmed, empty ones and repeats dropped; refuses an unreasonable list. */
export function normalizeTicketNumbers(input: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of input) {
    const n = String(raw).trim();
    if (n && !out.includes(n)) out.push(n);
  }
  if (out.length > MAX_SAMPLES) throw new Error(`Ask for at most ${MAX_SAMPLES} ticket numbers at a time.`);
  for (const n of out) if (n.length > 64 || /[\u0000-\u001f]/.test(n)) throw new Error(`"${n.slice(0, 20)}" is not a ticket number.`);
  return out;
}

const textOf = (v: unknown): string =>
  typeof v === 'string' ? v : v === null || v === undefined ? '' : v instanceof Date ? (dateWallText(v) ?? '') : String(v);

export async function pullSamples(source: SourceAdapter, profile: Profile, opts: SampleOptions = {}): Promise<PulledSamples> {
  const mapper = opts.mapper ?? mapperForProfile(profile);
  const d = source.dialect;
  const table = d.ident(profile.table);
  const order = [...(profile.change.column ? [profile.change.column] : []), ...profile.key]
    .filter((c, i, a) => a.indexOf(c) === i)
    .map((c) => `${d.ident(c)} DESC`)
    .join(', ');
  let rows: Row[];
  let notFound: string[] = [];
  let requested: (string | null)[];
  const numbers = opts.ticketNumbers ? normalizeTicketNumbers(opts.ticketNumbers) : [];
  if (numbers.length) {
    const col = opts.numberColumn ?? ticketNumberColumn(mapper);
    if (!col) {
      throw new Error(
        `Tickets cannot be looked up by number: the template "${mapper.templateName}" does not take ticketNumber from one column; use --latest instead.`,
      );
    }
    const real = await realColumnName(source, profile.table, col);
    const keys = [...new Set(numbers.map(numberKeyOf))];
    const params = keys.map((_, i) => d.param(i + 1));
    const sql = `SELECT * FROM ${table} WHERE ${numberKey(source.driver, d.ident(real))} IN (${params.join(', ')}) ORDER BY ${order}`;
    // Reprints and voids can share a number: keep a few rows per number, newest first.
    const found = await source.query(d.limit(sql, keys.length * 5), keys);
    const byNumber = new Map<string, Row[]>();
    for (const r of found) {
      const n = numberKeyOf(textOf(r[real] ?? r[col]));
      byNumber.set(n, [...(byNumber.get(n) ?? []), r]);
    }
    const seen = new Set<string>();
    const rowsFor = (n: string) => {
      const k = numberKeyOf(n);
      if (seen.has(k)) return [];
      seen.add(k);
      return byNumber.get(k) ?? [];
    };
    requested = [];
    rows = numbers.flatMap((n) => {
      const rs = rowsFor(n);
      requested.push(...rs.map(() => n));
      return rs;
    });
    notFound = numbers.filter((n) => !byNumber.has(numberKeyOf(n)));
  } else {
    const latest = Math.max(1, Math.min(MAX_SAMPLES, Math.floor(opts.latest ?? 5)));
    rows = await source.query(d.limit(`SELECT * FROM ${table} ORDER BY ${order}`, latest));
    requested = rows.map(() => null);
  }
  rows = await prepareRows(source, mapper, rows);
  return { rows, notFound, requested };
}

/** The column's name as the database spells it (PostgreSQL folds unquoted names to lower case). */
async function realColumnName(source: SourceAdapter, table: string, column: string): Promise<string> {
  const detail = await source.describeTable(table).catch(() => null);
  if (!detail) return column;
  const exact = detail.columns.find((c) => c.name === column);
  if (exact) return exact.name;
  const near = detail.columns.find((c) => c.name.toLowerCase() === column.toLowerCase());
  if (!near) throw new Error(`The table ${table} has no column ${column} (the template's ticket number); check the profile's mapping.`);
  return near.name;
}

// ---------------------------------------------------------------------------------------------

export type DisplayValue = string | number | boolean | null;

export interface ReviewField {
  /** Dotted eTicket path ("customer.name", "lines.1.quantity.value"). */
  path: string;
  value: DisplayValue;
  /** The source column(s) of the field ("Net, UOM"), "(constant)", or what Outpost derives it from. */
  source: string;
  /** The raw value(s) of those columns in this row, as text ("50000, LB"); absent for constants. */
  raw?: string;
}

export interface ReviewSample {
  ticketId: string;
  /** The mapped number, or the trimmed raw one when the row is filtered. */
  ticketNumber: string;
  /** The row as read, made printable (dates as wall-clock text, binary as hex); lines under "__lines". */
  raw: Record<string, unknown>;
  ticket: ETicket | null;
  /** Every field of the mapped ticket with its source column: the side by side. Empty when filtered. */
  fields: ReviewField[];
  /** Why the row is filtered, or skipped by a row rule (empty when it maps). */
  problems: string[];
  /** A row rule of the template or profile matched: the row is not meant to be sent (problems[0] says why). */
  skipped?: boolean;
  /** The ticket number typed to find this row, when it was looked up by number. */
  requested?: string;
}

const MAX_RAW_TEXT = 500;

/** A raw cell made JSON-safe and printable, without pretending: padding is kept, long text is cut with a note. */
export function displayValue(v: unknown): DisplayValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string')
    return v.length > MAX_RAW_TEXT ? `${v.slice(0, MAX_RAW_TEXT).toWellFormed()}… (${v.length} characters)` : v.toWellFormed();
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return dateWallText(v) ?? 'Invalid Date';
  if (v instanceof Uint8Array) return `0x${Buffer.from(v.subarray(0, 64)).toString('hex')}${v.length > 64 ? '…' : ''}`;
  return `(${typeof v})`;
}

function displayRow(row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(row)) {
    // Looked-up rows are shown per field (source "customer_id → customers.name" and its value), not as a column.
    if (k === LOOKUPS_PROPERTY) continue;
    const v = row[k];
    out[k] =
      k === LINES_PROPERTY && Array.isArray(v)
        ? v.map((l) => (l && typeof l === 'object' ? displayRow(l as Row) : displayValue(l)))
        : displayValue(v);
  }
  return out;
}

const DERIVED: Record<string, string> = {
  schemaVersion: '(Outpost)',
  revision: '(content hash)',
  plantTimeZone: '(profile zone)',
};

function columnValue(row: Row, column: string): unknown {
  if (column in row) return row[column];
  const lower = column.toLowerCase();
  for (const k in row) if (k.toLowerCase() === lower) return row[k];
  return undefined;
}

function safeRead(read: (row: Row) => unknown, row: Row): unknown {
  try {
    const v = read(row);
    return v !== null && typeof v === 'object' && 'reason' in (v as object) ? null : v;
  } catch {
    return null;
  }
}

function flatten(v: unknown, prefix: string, out: [string, DisplayValue][]): void {
  if (Array.isArray(v)) v.forEach((x, i) => flatten(x, `${prefix}${i}.`, out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) flatten(x, `${prefix}${k}.`, out);
  else out.push([prefix.slice(0, -1), v as DisplayValue]);
}

/** Maps pulled rows as the daemon would and lays them out side by side. Never throws on odd rows. */
export function reviewSamples(rows: Row[], profile: Profile, mapper: Mapper = mapperForProfile(profile)): ReviewSample[] {
  const sources = mapper.sources();
  const refs = mapper.sourceRefs();
  const headerLines = mapper.template.layout === 'header-lines';
  const numberColumn = ticketNumberColumn(mapper);
  return rows.map((row) => {
    const ctx = mapContextFor(profile, row);
    const { ticketId } = ctx;
    const r = mapper.map(row, ctx);
    const raw = displayRow(row);
    if (!r.ok) {
      const n = numberColumn ? textOf(columnValue(row, numberColumn)).trim() : '';
      return { ticketId, ticketNumber: n, raw, ticket: null, fields: [], problems: r.problems, ...(r.skipped ? { skipped: true } : {}) };
    }
    const leaves: [string, DisplayValue][] = [];
    flatten(r.ticket, '', leaves);
    const lineRows = headerLines && Array.isArray(row[LINES_PROPERTY]) ? (row[LINES_PROPERTY] as Row[]) : null;
    const fields: ReviewField[] = leaves.map(([path, value]) => {
      const m = /^lines\.(\d+)\.(.*)$/.exec(path);
      // header-lines: every line comes from the one line entry of the template ("lines.0.…").
      const key = m && headerLines ? `lines.0.${m[2]}` : path;
      let source = sources[key] ?? DERIVED[path];
      if (!source) {
        if (path === 'ticketId' || path === 'source.recordKey') source = `(key: ${profile.key.join(', ')})`;
        else if (path === 'source.recordModifiedAt') source = profile.change.column ?? '(Outpost)';
        else if (path.startsWith('source.')) source = '(Outpost)';
        else if (m && m[2] === 'lineNumber') source = '(line order)';
        else source = '(Outpost)';
      }
      const field: ReviewField = { path, value, source };
      if (!source.startsWith('(')) {
        const from = m && lineRows ? Object.assign(Object.create(row) as Row, lineRows[Number(m[1])]) : row;
        // Each source's raw value: a column's cell, a lookup's looked-up value ("customer_id → customers.name").
        const readers = refs[key];
        field.raw = (readers?.length ? readers.map((r) => safeRead(r.read, from)) : source.split(', ').map((c) => columnValue(from, c)))
          .map((raw) => {
            const v = displayValue(raw);
            return v === null ? '(empty)' : typeof v === 'string' ? JSON.stringify(v) : String(v);
          })
          .join(', ');
      }
      return field;
    });
    return { ticketId, ticketNumber: r.ticket.ticketNumber, raw, ticket: r.ticket, fields, problems: [] };
  });
}
