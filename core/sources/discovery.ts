// Discovery: which table holds the scale tickets, which columns identify a ticket, and how Outpost
// should see changes. Ranking uses names (ticket/tick/tkt/scale), ticket-shaped columns (net,
// gross, tare, truck, ticket number), the row count and how recent the newest row is. Change modes
// are suggested best first — Change Tracking > rowversion > indexed timestamp column > increasing
// key > snapshot — each with its reason and what it needs from a DBA.
import type { ChangeMode, Driver } from '../config/schema.js';
import { createIndexSql, enableChangeTrackingSql } from './access.js';
import type { ColumnInfo, DiscoveredTable, SourceAdapter, TableDetail } from './types.js';

export interface ChangeSuggestion {
  mode: ChangeMode;
  column?: string;
  /** Works with what the database has today (a DBA may still improve it, see `needs`). */
  ready: boolean;
  reason: string;
  /** What to ask the DBA for (SQL where it helps), or null. */
  needs: string | null;
}

export interface TableCandidate {
  name: string;
  kind: 'table' | 'view';
  score: number;
  /** Why it ranks where it does, in words. */
  reasons: string[];
  rowCount: number | null;
  /** Newest value of the change (or ticket date) column, when it could be read cheaply. */
  newest: string | null;
  columns: string[];
  suggestedKey: string[];
  keyReason: string;
  /** Change modes that fit, best first. */
  change: ChangeSuggestion[];
  /** The first ready suggestion (what the wizard preselects). */
  recommended: ChangeSuggestion | null;
}

const TICKET_NAME = /ticket|tkt|tick/i;
const SCALE_NAME = /scale|weigh|haul|load|transaction/i;
const NOT_LIVE = /(^|_)(hist|history|archive|arch|audit|log|bak|backup|old|copy|temp|tmp|test)(_|$|\d)/i;
const WEIGHT = /^(net|gross|tare)(_?(wt|weight|lbs?|kgs?|tons?|qty|amount))?$/i;
const TICKET_NO = /^(ticket|tkt|tick)_?(no|num|number|nbr|#)$/i;
const TRUCK = /truck|vehicle|hauler|carrier/i;
const BUSINESS = /^(customer|cust|product|prod|material|mix|job|order|po|plant)(_?(id|no|code|name|num))?$/i;
const VOID = /void|cancel/i;
const MODIFIED =
  /^(last_?)?(modified|modify|updated?|changed?|edit(ed)?)(_?(at|on|date|time|datetime|ts|dt|stamp))?$|^(last_?(mod|upd|change|edit)\w*|date_?(modified|updated|changed)|ts_?(modified|updated)|row_?(modified|updated)|dt_?(mod|upd)\w*)$/i;
const TICKET_DATE =
  /^(ticket_?)?(date|datetime|time|dt)$|^(issued|weighed|created|entry|trans(action)?)_?(at|on|date|time|dt)?$|^(ticket|tkt)_?(date|time|dt)$/i;
const ID = /^(id|ticket_?id|tkt_?id|tick_?id|row_?id)$/i;

const TEMPORAL: Record<Driver, RegExp> = {
  postgres: /^(timestamp|date$)/,
  mysql: /^(datetime|timestamp|date$)/,
  mssql: /^(datetime|datetime2|smalldatetime|datetimeoffset|date)$/,
  sqlite: /date|time|text/,
};
const INTEGER = /^(int|integer|bigint|smallint|int2|int4|int8|serial|bigserial|mediumint|tinyint)$/;

function isTemporal(driver: Driver, c: ColumnInfo): boolean {
  if (driver === 'sqlite') return /date|time/i.test(c.type) || (c.type === 'text' && (MODIFIED.test(c.name) || TICKET_DATE.test(c.name)));
  return TEMPORAL[driver].test(c.type.toLowerCase());
}

/** True when `column` leads some index (the poll can seek on it). */
export function isIndexed(t: DiscoveredTable, column: string): boolean {
  return (t.indexes ?? []).some((i) => i.columns[0]?.toLowerCase() === column.toLowerCase());
}

/** Score and reasons for how likely a table holds scale tickets. */
export function scoreTable(t: DiscoveredTable, newest?: string | null, today: Date = new Date()): { score: number; reasons: string[] } {
  const reasons: string[] = [];
  let score = 0;
  const base = t.name.split('.').at(-1) ?? t.name;
  if (TICKET_NAME.test(base)) {
    score += 6;
    reasons.push('name says ticket');
  } else if (SCALE_NAME.test(base)) {
    score += 3;
    reasons.push('name says scale/load');
  }
  if (NOT_LIVE.test(base)) {
    score -= 4;
    reasons.push('looks like a history/backup copy');
  }
  const names = t.columns.map((c) => c.name);
  const weights = names.filter((n) => WEIGHT.test(n));
  if (weights.length) {
    score += 2 * Math.min(3, weights.length);
    reasons.push(`weight columns ${weights.join(', ')}`);
  }
  const number = names.find((n) => TICKET_NO.test(n));
  if (number) {
    score += 3;
    reasons.push(`ticket number column ${number}`);
  }
  const truck = names.find((n) => TRUCK.test(n));
  if (truck) {
    score += 1;
    reasons.push(`truck column ${truck}`);
  }
  const business = names.filter((n) => BUSINESS.test(n));
  if (business.length) score += Math.min(3, business.length);
  if (names.some((n) => VOID.test(n))) score += 1;
  if (t.rowCount === 0) {
    score -= 3;
    reasons.push('empty');
  } else if (t.rowCount !== null && t.rowCount >= 100) {
    score += t.rowCount >= 10_000 ? 2 : 1;
    reasons.push(`${t.rowCount.toLocaleString('en-US')} rows`);
  }
  if (newest) {
    const at = Date.parse(newest.slice(0, 10) + 'T00:00:00Z');
    if (!Number.isNaN(at)) {
      const days = (today.getTime() - at) / 86_400_000;
      if (days <= 31) {
        score += 3;
        reasons.push(`newest row ${newest.slice(0, 10)}`);
      } else if (days > 366) {
        score -= 2;
        reasons.push(`nothing newer than ${newest.slice(0, 10)}`);
      }
    }
  }
  if (t.kind === 'view') score -= 1;
  return { score, reasons };
}

/** The key: primary key, else a unique index, else an id-looking column (to be confirmed). */
export function suggestKey(t: DiscoveredTable): { key: string[]; reason: string } {
  if (t.primaryKey.length) return { key: t.primaryKey, reason: 'the primary key' };
  const unique = (t.indexes ?? []).filter((i) => i.unique && i.columns.length).sort((a, b) => a.columns.length - b.columns.length)[0];
  if (unique) return { key: unique.columns, reason: `unique index ${unique.name}` };
  const id = t.columns.find((c) => ID.test(c.name)) ?? t.columns.find((c) => TICKET_NO.test(c.name));
  if (id) return { key: [id.name], reason: `no primary key or unique index; ${id.name} looks like an id — confirm it is unique` };
  return { key: [], reason: 'no primary key, unique index or id column; pick the columns that identify one ticket' };
}

/** Change modes that fit this table, best first (docs/design.md §3). */
export function suggestChangeModes(
  t: DiscoveredTable | TableDetail,
  driver: Driver,
  key: string[],
  opts: { database?: string; login?: string } = {},
): ChangeSuggestion[] {
  const out: ChangeSuggestion[] = [];
  const detail = (t as TableDetail).changeTrackingDetail;
  if (driver === 'mssql') {
    if (t.changeTracking || detail?.table) {
      const canView = detail ? detail.canView : true;
      out.push({
        mode: 'changeTracking',
        ready: canView,
        reason: 'Change Tracking is on for this table: every insert, update and delete is recorded by SQL Server, no change column needed',
        needs: canView ? null : `GRANT VIEW CHANGE TRACKING ON ${t.name} TO <the Outpost login>;`,
      });
    } else if (t.kind !== 'view' && t.primaryKey.length) {
      out.push({
        mode: 'changeTracking',
        ready: false,
        reason: 'Change Tracking would record every change without relying on a change column, but it is off for this table',
        needs: enableChangeTrackingSql(t.name, opts.database, opts.login),
      });
    }
  }
  const rv = t.columns.find((c) => c.type === 'rowversion' || (driver === 'mssql' && c.type === 'timestamp'));
  if (rv) {
    const indexed = isIndexed(t, rv.name);
    out.push({
      mode: 'rowversion',
      column: rv.name,
      ready: true,
      reason: `${rv.name} is a rowversion: SQL Server changes it on every insert and update, no clock involved`,
      needs: indexed ? null : `an index so polls do not scan the table: ${createIndexSql(driver, t.name, [rv.name], opts.database)}`,
    });
  }
  const modified = t.columns.filter((c) => MODIFIED.test(c.name) && isTemporal(driver, c));
  modified.sort((a, b) => Number(isIndexed(t, b.name)) - Number(isIndexed(t, a.name)));
  for (const c of modified) {
    const indexed = isIndexed(t, c.name);
    out.push({
      mode: 'timestamp',
      column: c.name,
      ready: true,
      reason: `${c.name} looks like a last-modified time${indexed ? ' and is indexed' : ''}; it must be set on every insert and update`,
      needs: indexed ? null : `an index so polls do not scan the table: ${createIndexSql(driver, t.name, [c.name], opts.database)}`,
    });
  }
  const intKey = key.length === 1 ? t.columns.find((c) => c.name === key[0] && INTEGER.test(c.type.toLowerCase())) : undefined;
  if (intKey) {
    out.push({
      mode: 'increasing',
      column: intKey.name,
      ready: true,
      reason: `${intKey.name} is an increasing number: new tickets are seen, but edits and voids after a ticket is written are NOT`,
      needs: 'a last-modified column set on every write (or Change Tracking on SQL Server) to see edits and voids',
    });
  }
  const dateCol =
    t.columns.find((c) => TICKET_DATE.test(c.name) && isTemporal(driver, c)) ??
    t.columns.find((c) => isTemporal(driver, c) && !MODIFIED.test(c.name));
  out.push({
    mode: 'snapshot',
    column: dateCol?.name,
    ready: Boolean(dateCol),
    reason: dateCol
      ? `no reliable change column: re-read and compare the recent tickets by ${dateCol.name} every pass (sees edits, costs a read of the window)`
      : 'no change column and no ticket date column to bound a re-read window',
    needs: dateCol
      ? isIndexed(t, dateCol.name)
        ? null
        : `an index on the ticket date: ${createIndexSql(driver, t.name, [dateCol.name], opts.database)}`
      : 'a last-modified or ticket date column',
  });
  return out;
}

function candidate(
  t: DiscoveredTable | TableDetail,
  driver: Driver,
  newest: string | null,
  today: Date,
  opts: { database?: string; login?: string },
): TableCandidate {
  const { score, reasons } = scoreTable(t, newest, today);
  const { key, reason } = suggestKey(t);
  const change = suggestChangeModes(t, driver, key, opts);
  return {
    name: t.name,
    kind: t.kind ?? 'table',
    score,
    reasons,
    rowCount: t.rowCount,
    newest,
    columns: t.columns.map((c) => c.name),
    suggestedKey: key,
    keyReason: reason,
    change,
    recommended: change.find((c) => c.ready) ?? null,
  };
}

/** Rank tables from listTables() without touching the database again (the wizard's first answer). */
export function rankTables(
  tables: DiscoveredTable[],
  driver: Driver,
  opts: { database?: string; login?: string; today?: Date } = {},
): TableCandidate[] {
  const today = opts.today ?? new Date();
  return tables
    .map((t) => candidate(t, driver, null, today, opts))
    .sort((a, b) => b.score - a.score || (b.rowCount ?? 0) - (a.rowCount ?? 0) || a.name.localeCompare(b.name));
}

/**
 * Full discovery: rank every table, then look closer at the best few — details (Change Tracking,
 * indexes, row count) and the newest change/ticket date, read only through an index so a big table
 * is never scanned — and rank again.
 */
export async function discover(
  src: SourceAdapter,
  opts: { top?: number; database?: string; login?: string; today?: Date } = {},
): Promise<TableCandidate[]> {
  const today = opts.today ?? new Date();
  const tables = await src.listTables();
  const first = rankTables(tables, src.driver, opts);
  const top = first.slice(0, opts.top ?? 5);
  const rest = first.slice(top.length);
  const closer: TableCandidate[] = [];
  for (const c of top) {
    let t: DiscoveredTable | TableDetail = tables.find((x) => x.name === c.name)!;
    try {
      t = (await src.describeTable(c.name)) ?? t;
    } catch {
      // keep the listing's view of it
    }
    // Recency from a date/time column (a rowversion or key says nothing about when).
    const col = c.change.find((s) => (s.mode === 'timestamp' || s.mode === 'snapshot') && s.column)?.column;
    let newest: string | null = null;
    if (col && (isIndexed(t, col) || (t.rowCount !== null && t.rowCount <= 100_000))) {
      try {
        const d = src.dialect;
        const rows = await src.query(`SELECT MAX(${d.ident(col)}) AS newest FROM ${d.ident(t.name)}`);
        newest = rows[0]?.newest === null || rows[0]?.newest === undefined ? null : String(rows[0].newest);
      } catch {
        newest = null;
      }
    }
    closer.push(candidate(t, src.driver, newest, today, opts));
  }
  closer.sort((a, b) => b.score - a.score || (b.rowCount ?? 0) - (a.rowCount ?? 0) || a.name.localeCompare(b.name));
  return [...closer, ...rest];
}
