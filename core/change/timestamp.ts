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
// - the upper bound `<= database now`: a row stamped "in the future" by a skewed writer, or a host
//   clock ahead of the database, can never move the watermark past rows not yet written;
// - DST: when a fall-back transition of the column's zone lies near the window, the re-read widens by
//   the hour that repeats, so rows written in the second 01:xx are not below the window.
import type { Watermark } from '../state/store.js';
import { typed, type SourceAdapter } from '../sources/types.js';
import { systemClock, type ChangeOptions, type ChangeReader, type Page } from './types.js';

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
    return { sql: d.limit(`SELECT * FROM ${d.ident(this.opts.table)} WHERE ${where} ORDER BY ${order}`, pageSize), params: [...params, b(upper)] };
  }

  async *pages(src: SourceAdapter, wm: Watermark | null, pageSize: number): AsyncGenerator<Page> {
    const d = src.dialect;
    const { table, key } = this.opts;
    const c = d.ident(this.opts.column!);
    const t = await this.typed(src);
    const b = await this.bindCursor(src);
    const order = [c, ...key.map((k) => d.ident(k))].join(', ');
    // One upper bound per pass, from the database's clock: rows stamped later wait for the next pass.
    const upper = await this.dbNow(src);
    let pos: { cursor: string; key: unknown[] } | null = null;
    let committed = wm;
    for (;;) {
      let where: string;
      let params: unknown[];
      if (!pos) {
        const first = await this.firstWhere(src, wm);
        where = first.where;
        params = [...first.params, b(upper)];
      } else {
        const kp = keyParams(pos.key);
        where = `(${c} > ${t(d.param(1))} OR (${c} = ${t(d.param(2))} AND ${keyAfter(src, key, 3)})) AND ${c} <= ${t(d.param(3 + kp.length))}`;
        params = [b(pos.cursor), b(pos.cursor), ...kp, b(upper)];
      }
      const sql = d.limit(`SELECT * FROM ${d.ident(table)} WHERE ${where} ORDER BY ${order}`, pageSize);
      const rows = await src.query(sql, params);
      if (rows.length === 0) return;
      const last = rows[rows.length - 1];
      pos = { cursor: cursorText(last[this.opts.column!]), key: key.map((k) => last[k]) };
      // Only move forward: a page inside the lookback window leaves the watermark where it is.
      const next = !committed || comparePos(pos, committed) > 0 ? pos : null;
      if (next) committed = next;
      yield { rows, next };
      if (rows.length < pageSize) return;
    }
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

  private async dbNow(src: SourceAdapter): Promise<string> {
    const rows = await src.query(`SELECT ${await this.nowExpr(src)} AS now`);
    return cursorText(rows[0].now);
  }
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

/** Order of two positions: cursor text first (same fixed-width form), then key values. */
export function comparePos(a: { cursor: string; key: unknown[] }, b: { cursor: string; key: unknown[] }): number {
  if (a.cursor !== b.cursor) return a.cursor < b.cursor ? -1 : 1;
  for (let i = 0; i < Math.max(a.key.length, b.key.length); i++) {
    const x = a.key[i];
    const y = b.key[i];
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : 1;
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

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** UTC offset of `zone` at instant `ms`, in minutes. */
export function zoneOffsetMinutes(zone: string, ms: number): number {
  let f = offsetFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    offsetFormats.set(zone, f);
  }
  const name = f.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d\d):?(\d\d)?/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : 0;
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
