// Timestamp mode: a `(cursor, key)` tuple watermark. Each pass re-reads, inclusively, a lookback
// window below the watermark (late commits, clock skew, DST fall-back) — the ledger drops what was
// already delivered at that revision — and never reads above the database's own clock, so a host
// clock that drifts cannot make Outpost skip rows. Cursor values travel as opaque strings.
import type { Watermark } from '../state/store.js';
import type { Row, SourceAdapter } from '../sources/types.js';
import type { ChangeOptions, ChangeReader, Page } from './types.js';

export class TimestampReader implements ChangeReader {
  constructor(private readonly opts: ChangeOptions) {
    if (!opts.column) throw new Error('timestamp mode needs change.column');
  }

  /** `(k1, k2) > (?, ?)` spelled out so every database understands it. */
  private keyAfter(src: SourceAdapter, keys: string[], first: number): string {
    const d = src.dialect;
    const parts: string[] = [];
    for (let i = 0; i < keys.length; i++) {
      const eqs = keys.slice(0, i).map((k, j) => `${d.ident(k)} = ${d.param(first + j)}`);
      parts.push([...eqs, `${d.ident(keys[i])} > ${d.param(first + i)}`].join(' AND '));
    }
    return `(${parts.map((p) => `(${p})`).join(' OR ')})`;
  }

  private keyParams(keyValues: unknown[]): unknown[] {
    const out: unknown[] = [];
    for (let i = 0; i < keyValues.length; i++) out.push(...keyValues.slice(0, i), keyValues[i]);
    return out;
  }

  async *pages(src: SourceAdapter, wm: Watermark | null, pageSize: number): AsyncGenerator<Page> {
    const d = src.dialect;
    const { table, key } = this.opts;
    const c = d.ident(this.opts.column!);
    const order = [c, ...key.map((k) => d.ident(k))].join(', ');
    const upper = await this.dbNow(src);
    let pos: { cursor: string; key: unknown[] } | null = null;
    let committed = wm;
    for (;;) {
      let where: string;
      let params: unknown[];
      if (!pos) {
        // First page of the pass: inclusive re-read from (watermark − lookback).
        where = wm ? `${c} >= ${d.minusSeconds(d.param(1), this.opts.lookbackSeconds)} AND ${c} <= ${d.param(2)}` : `${c} IS NOT NULL AND ${c} <= ${d.param(1)}`;
        params = wm ? [wm.cursor, upper] : [upper];
      } else {
        const n = 2 + this.keyParams(pos.key).length;
        where = `(${c} > ${d.param(1)} OR (${c} = ${d.param(2)} AND ${this.keyAfter(src, key, 3)})) AND ${c} <= ${d.param(n + 1)}`;
        params = [pos.cursor, pos.cursor, ...this.keyParams(pos.key), upper];
      }
      const sql = d.limit(`SELECT * FROM ${d.ident(table)} WHERE ${where} ORDER BY ${order}`, pageSize);
      const rows = await src.query(sql, params);
      if (rows.length === 0) return;
      const last = rows[rows.length - 1];
      pos = { cursor: String(last[this.opts.column!]), key: key.map((k) => last[k]) };
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
    const where = wm ? `${c} > ${d.param(1)}` : `${c} IS NOT NULL`;
    const rows = await src.query(
      `SELECT COUNT(*) AS n, MIN(${c}) AS oldest, ${d.now()} AS now FROM ${d.ident(this.opts.table)} WHERE ${where}`,
      wm ? [wm.cursor] : [],
    );
    const r = rows[0] ?? {};
    const count = Number(r.n ?? 0);
    const age = count > 0 ? secondsBetween(String(r.oldest), String(r.now)) : 0;
    return { count, oldestAgeSeconds: age };
  }

  private async dbNow(src: SourceAdapter): Promise<string> {
    const rows = await src.query(`SELECT ${src.dialect.now()} AS now`);
    return String(rows[0].now);
  }
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

function secondsBetween(from: string, to: string): number {
  const parse = (s: string) => Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s.replace(' ', 'T') : s.replace(' ', 'T') + 'Z');
  const a = parse(from);
  const b = parse(to);
  return Number.isNaN(a) || Number.isNaN(b) ? 0 : Math.max(0, Math.round((b - a) / 1000));
}
