// Timestamp mode: a `(cursor, key)` tuple watermark. Each pass re-reads, inclusively, a lookback
// window below the watermark (late commits, clock skew, DST fall-back) — the ledger drops what was
// already delivered at that revision — and never reads above the database's own clock, so a host
// clock that drifts cannot make Outpost skip rows. Cursor values travel as opaque strings at full
// precision and are bound with the column's exact type when the dialect knows it.
//
// Why each rule (the failures of other incremental DB sources it avoids):
// - the tuple `(cursor, key)`: a kill inside a group of equal timestamps resumes after the last key
//   delivered, not after the whole group (Kafka Connect JDBC PR #1093);
// - the inclusive lookback: a row committed late by a long transaction carries an older timestamp
//   than rows already delivered (JDBC issues #27, #172, #915);
// - the upper bound `<= database now` (for a zone-less column with change.timezone: the plant's wall
//   clock from the database's UTC clock when it is later, so a database in another zone does not
//   hold rows back): a row stamped "in the future" by a skewed writer, or a host
//   clock ahead of the database, can never move the watermark past rows not yet written;
// - DST: when a fall-back transition of the column's zone lies near the window, the re-read widens by
//   the hour that repeats, so rows written in the second 01:xx are not below the window.
import type { Watermark } from '../state/store.js';
import { typed, type Row, type SourceAdapter } from '../sources/types.js';
import { TimeZone } from '../mapping/time.js';
import { rangeAfter } from './keyset.js';
import { systemClock, type ChangeOptions, type ChangeReader, type Page } from './types.js';

type Position = { cursor: string; key: unknown[] };

/** Pages of new rows a pass reads before the lookback re-read (beyond it the backlog goes on after). */
const HOLD_PAGES = 20;

export class TimestampReader implements ChangeReader {
  private columnType: string | null | undefined;

  constructor(private readonly opts: ChangeOptions) {
    if (!opts.column) throw new Error('timestamp mode needs change.column');
  }

  private async typeOf(src: SourceAdapter): Promise<string | null> {
    if (this.columnType === undefined) {
      this.columnType = src.columnType ? await src.columnType(this.opts.table, this.opts.column!).catch(() => null) : null;
    }
    return this.columnType;
  }

  /** A placeholder bound with the cursor column's exact type (SQL Server datetime vs datetime2). */
  private async typed(src: SourceAdapter): Promise<(p: string) => string> {
    const t = await this.typeOf(src);
    const d = src.dialect;
    return (p) => (t && d.typedParam ? d.typedParam(p, t) : p);
  }

  /**
   * A cursor value as a bound parameter: SQL Server binds by type, so it gets the column's exact
   * type (a datetime2(7) string must not pass through a JS Date); the others infer it from the SQL.
   */
  private async bindCursor(src: SourceAdapter): Promise<(v: string) => unknown> {
    const t = await this.typeOf(src);
    return (v) => (t && src.driver === 'mssql' ? typed(v, t) : v);
  }

  /** Seconds to re-read below the watermark this pass: the lookback, widened across a DST fall-back. */
  lookbackFor(wm: Watermark | null): number {
    const base = this.opts.lookbackSeconds;
    if (!this.opts.timezone) return base;
    const now = (this.opts.clock ?? systemClock).now();
    const since = wm?.at ? Date.parse(wm.at) : now;
    return base + fallBackSeconds(this.opts.timezone, (Number.isNaN(since) ? now : Math.min(since, now)) - 86_400_000, now + 86_400_000);
  }

  /** The first page's WHERE: inclusive from (watermark − lookback), capped by the database clock. */
  private async firstWhere(src: SourceAdapter, wm: Watermark | null): Promise<{ where: string; params: unknown[] }> {
    const d = src.dialect;
    const c = d.ident(this.opts.column!);
    const t = await this.typed(src);
    const b = await this.bindCursor(src);
    if (!wm) return { where: `${c} IS NOT NULL AND ${c} <= ${t(d.param(1))}`, params: [] };
    const back = this.lookbackFor(wm);
    const lower = back > 0 ? d.minusSeconds(t(d.param(1)), back) : t(d.param(1));
    return { where: `${c} >= ${lower} AND ${c} <= ${t(d.param(2))}`, params: [b(wm.cursor)] };
  }

  async pollSql(src: SourceAdapter, wm: Watermark, pageSize: number): Promise<{ sql: string; params: unknown[] }> {
    const d = src.dialect;
    const { where, params } = await this.firstWhere(src, wm);
    const order = [d.ident(this.opts.column!), ...this.opts.key.map((k) => d.ident(k))].join(', ');
    const upper = await this.dbNow(src);
    const b = await this.bindCursor(src);
    return {
      sql: d.limit(`SELECT * FROM ${d.ident(this.opts.table)} WHERE ${where} ORDER BY ${order}`, pageSize),
      params: [...params, b(upper)],
    };
  }

  async *pages(src: SourceAdapter, wm: Watermark | null, pageSize: number): AsyncGenerator<Page> {
    const d = src.dialect;
    const { table, key } = this.opts;
    const c = d.ident(this.opts.column!);
    const t = await this.typed(src);
    const b = await this.bindCursor(src);
    const cols = [c, ...key.map((k) => d.ident(k))];
    const select = (where: string) => d.limit(`SELECT * FROM ${d.ident(table)} WHERE ${where} ORDER BY ${cols.join(', ')}`, pageSize);
    const positionOf = (row: Row): Position => ({ cursor: cursorText(row[this.opts.column!]), key: key.map((k) => row[k]) });
    /** Rows strictly after `pos` (an index range, core/change/keyset.ts) up to `upper`, inclusive. */
    const after = (pos: Position, upper: string): Promise<Row[]> => {
      const r = rangeAfter(d, cols, [b(pos.cursor), ...pos.key], 1, t);
      return src.query(select(`${r.sql} AND ${c} <= ${t(d.param(1 + r.params.length))}`), [...r.params, b(upper)]);
    };
    // One upper bound per read, from the database's clock: rows stamped later wait for a later read.
    let upper = await this.dbNow(src);

    if (!wm) {
      // First pass (backfill): the whole table in order, the watermark moving with every page.
      let pos: Position | null = null;
      for (;;) {
        const rows = pos ? await after(pos, upper) : await src.query(select(`${c} IS NOT NULL AND ${c} <= ${t(d.param(1))}`), [b(upper)]);
        if (rows.length === 0) return;
        pos = positionOf(rows[rows.length - 1]);
        yield { rows, next: pos };
        if (rows.length < pageSize) return;
      }
    }

    // Later passes read the new rows first — strictly after the watermark — so a ticket written since
    // the last pass is not held up by the lookback re-read; then the lookback window below the
    // watermark, inclusive, for late commits. The watermark is held until that re-read is done, so a
    // crash in between re-reads the whole window next time (the ledger drops what was delivered).
    let fwd: Position = { cursor: wm.cursor, key: wm.key };
    const forward = async function* (this: void, maxPages: number, hold: boolean): AsyncGenerator<Page, boolean> {
      for (let i = 0; i < maxPages; i++) {
        const rows = await after(fwd, upper);
        if (rows.length) fwd = positionOf(rows[rows.length - 1]);
        if (rows.length) yield { rows, next: hold ? null : fwd };
        if (rows.length < pageSize) return true;
      }
      return false;
    };
    // A larger backlog than this is not a latency matter: the window is re-read, then it goes on.
    let caughtUp = yield* forward(HOLD_PAGES, true);
    const first = await this.firstWhere(src, wm);
    let back: Position | null = null;
    for (;;) {
      const rows = back ? await after(back, wm.cursor) : await src.query(select(first.where), [...first.params, b(wm.cursor)]);
      if (rows.length) {
        back = positionOf(rows[rows.length - 1]);
        yield { rows, next: null };
      }
      if (rows.length < pageSize) break;
      // Between pages of a long window: tickets written meanwhile go first again.
      if (caughtUp) {
        upper = await this.dbNow(src);
        caughtUp = yield* forward(HOLD_PAGES, true);
      }
    }
    // The watermark moves to the furthest row this pass read, now that the window is re-read.
    if (comparePos(fwd, wm) > 0) yield { rows: [], next: fwd };
    if (!caughtUp) yield* forward(Infinity, false);
  }

  async backlog(src: SourceAdapter, wm: Watermark | null) {
    const d = src.dialect;
    const c = d.ident(this.opts.column!);
    const t = await this.typed(src);
    const b = await this.bindCursor(src);
    const where = wm ? `${c} > ${t(d.param(1))}` : `${c} IS NOT NULL`;
    const rows = await src.query(
      `SELECT COUNT(*) AS n, MIN(${c}) AS oldest, ${await this.nowExpr(src)} AS now FROM ${d.ident(this.opts.table)} WHERE ${where}`,
      wm ? [b(wm.cursor)] : [],
    );
    const r = rows[0] ?? {};
    const count = Number(r.n ?? 0);
    // Lag is measured on the database's clock, the same clock the cursor column is written with.
    const age = count > 0 ? secondsBetween(cursorText(r.oldest), cursorText(r.now)) : 0;
    return { count, oldestAgeSeconds: age };
  }

  private async nowExpr(src: SourceAdapter): Promise<string> {
    const t = await this.typeOf(src);
    return t && src.dialect.nowFor ? src.dialect.nowFor(t) : src.dialect.now();
  }

  private skewWarned = false;

  /**
   * The pass's upper bound. A zone-less change column with change.timezone set holds the plant's
   * wall clock, which may run ahead of the database's own zone (a server on UTC, a plant in
   * Asia/Kolkata: rows would wait 5.5 h): the bound is then the later of the database's local clock
   * and the plant's wall clock computed from the database's UTC clock (never the host's).
   */
  private async dbNow(src: SourceAdapter): Promise<string> {
    const type = await this.typeOf(src);
    const zone = this.opts.timezone;
    if (!zone || !isZoneless(type)) {
      const rows = await src.query(`SELECT ${await this.nowExpr(src)} AS now`);
      return cursorText(rows[0].now);
    }
    const clocks = await databaseClocks(src, await this.nowExpr(src), zone);
    if (clocks.plant && clocks.aheadSeconds > 0) {
      if (clocks.aheadSeconds > 900 && !this.skewWarned) {
        this.skewWarned = true;
        this.opts.warn?.(
          `the database clock (${clocks.local}) is ${hours(clocks.aheadSeconds)} behind the plant's clock in ${zone} (${clocks.plant}): reads of ${this.opts.column} are bounded by the plant's clock`,
        );
      }
      return clocks.plant;
    }
    return clocks.local;
  }
}

/** A column type without a zone (timestamp, datetime, datetime2, SQLite text): holds a wall clock. */
export function isZoneless(type: string | null | undefined): boolean {
  if (!type) return true;
  return !/with time zone|timestamptz|datetimeoffset|^date$/i.test(type.trim());
}

const UTC_NOW: Record<SourceAdapter['driver'], string> = {
  postgres: `to_char(CURRENT_TIMESTAMP AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')`,
  mysql: `DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%d %H:%i:%s.%f')`,
  mssql: 'CONVERT(varchar(27), SYSUTCDATETIME(), 121)',
  sqlite: `strftime('%Y-%m-%d %H:%M:%f', 'now')`,
};

const hours = (s: number) => (s >= 3600 ? `${Math.round((s / 3600) * 10) / 10} h` : `${Math.round(s / 60)} min`);

/**
 * The database's local clock (in the column's text form), its UTC clock, and the plant's wall clock
 * in `zone` derived from the UTC one, in the same text form as the local clock; `aheadSeconds`: how
 * far the plant's clock is ahead of the database's local one (negative: behind).
 */
export async function databaseClocks(
  src: SourceAdapter,
  localExpr: string,
  zone: string,
): Promise<{ local: string; utc: string | null; plant: string | null; aheadSeconds: number }> {
  const rows = await src.query(`SELECT ${localExpr} AS now, ${UTC_NOW[src.driver]} AS utc`);
  const local = cursorText(rows[0]?.now);
  const utcRaw = rows[0]?.utc;
  const utc = utcRaw === null || utcRaw === undefined ? null : cursorText(utcRaw);
  const plant = utc ? wallIn(utc, zone, local) : null;
  const a = plant ? naiveMs(plant) : NaN;
  const b = naiveMs(local);
  return { local, utc, plant, aheadSeconds: Number.isNaN(a) || Number.isNaN(b) ? 0 : Math.round((a - b) / 1000) };
}

function naiveMs(s: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?/.exec(s);
  if (!m) return NaN;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0), Number(`0.${m[7] ?? '0'}`) * 1000);
}

/** A UTC wall-clock text as the wall clock of `zone`, formatted like `like` (separator, fraction digits). */
export function wallIn(utc: string, zone: string, like: string): string | null {
  const m = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d+))?/.exec(utc.trim());
  if (!m) return null;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  const d = new Date(ms + zoneOffsetMinutes(zone, ms) * 60_000);
  const p = (n: number) => String(n).padStart(2, '0');
  const sep = like[10] === 'T' ? 'T' : ' ';
  const digits = /\.(\d+)/.exec(like.slice(19))?.[1].length ?? 0;
  const frac = digits ? `.${(m[7] ?? '').padEnd(digits, '0').slice(0, digits)}` : '';
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}${sep}${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${frac}`;
}

/** A cursor value as text. Drivers are asked for strings; a Date that slips through keeps its ms. */
export function cursorText(v: unknown): string {
  if (v instanceof Date) return v.toISOString().replace('T', ' ').replace('Z', '');
  if (Buffer.isBuffer(v)) return '0x' + v.toString('hex').toUpperCase();
  return String(v);
}

/** `(k1, k2) > (?, ?)` spelled out so every database understands it. */
export function keyAfter(src: SourceAdapter, keys: string[], first: number): string {
  const d = src.dialect;
  const parts: string[] = [];
  let n = first;
  for (let i = 0; i < keys.length; i++) {
    const eqs: string[] = [];
    for (let j = 0; j < i; j++) eqs.push(`${d.ident(keys[j])} = ${d.param(n++)}`);
    parts.push([...eqs, `${d.ident(keys[i])} > ${d.param(n++)}`].join(' AND '));
  }
  return `(${parts.map((p) => `(${p})`).join(' OR ')})`;
}

/** The values for keyAfter's placeholders, in order. */
export function keyParams(keyValues: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < keyValues.length; i++) out.push(...keyValues.slice(0, i), keyValues[i]);
  return out;
}

function integerOf(v: unknown): bigint | null {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : null;
  return typeof v === 'string' && /^-?\d{1,40}$/.test(v) ? BigInt(v) : null;
}

/** Order of two positions: cursor text first (same fixed-width form), then key values. */
export function comparePos(a: { cursor: string; key: unknown[] }, b: { cursor: string; key: unknown[] }): number {
  if (a.cursor !== b.cursor) return a.cursor < b.cursor ? -1 : 1;
  for (let i = 0; i < Math.max(a.key.length, b.key.length); i++) {
    const x = a.key[i];
    const y = b.key[i];
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : 1;
    // Exact integer keys arrive as strings when they exceed 2^53 (or always, for pg int8): compare
    // them as integers, not as text ('10' < '9').
    const ix = integerOf(x);
    const iy = integerOf(y);
    if (ix !== null && iy !== null) return ix === iy ? 0 : ix < iy ? -1 : 1;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

export function secondsBetween(from: string, to: string): number {
  const parse = (s: string) => Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s.replace(' ', 'T') : s.replace(' ', 'T') + 'Z');
  const a = parse(from);
  const b = parse(to);
  return Number.isNaN(a) || Number.isNaN(b) ? 0 : Math.max(0, Math.round((b - a) / 1000));
}

const zones = new Map<string, TimeZone>();

/**
 * UTC offset of `zone` at instant `ms`, in minutes: the mapping's TimeZone (core/mapping/time.ts),
 * whose offsets are cached per 15-minute bucket when constant across it (each pass's lookbackFor
 * samples two days of offsets, ~100 ICU calls that were a visible part of a quiet poll's CPU).
 */
export function zoneOffsetMinutes(zone: string, ms: number): number {
  let z = zones.get(zone);
  if (!z) zones.set(zone, (z = new TimeZone(zone)));
  return Math.round(z.offsetAt(ms) / 60_000);
}

/**
 * Seconds by which local wall time of `zone` goes back (DST fall-back) between two instants: the
 * largest single step back, sampled hourly (transitions happen on the hour or half hour). A window
 * longer than 400 days surely holds a fall-back: the largest step a zone takes is assumed (2 h).
 */
export function fallBackSeconds(zone: string, fromMs: number, toMs: number): number {
  if (!(toMs > fromMs)) return 0;
  if (toMs - fromMs > 400 * 86_400_000) return 7200;
  const step = 1_800_000;
  let prev = zoneOffsetMinutes(zone, fromMs);
  let worst = 0;
  for (let t = fromMs + step; ; t += step) {
    const at = Math.min(t, toMs);
    const off = zoneOffsetMinutes(zone, at);
    if (off < prev) worst = Math.max(worst, (prev - off) * 60);
    prev = off;
    if (at >= toMs) break;
  }
  return worst;
}
