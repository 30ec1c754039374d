// increasing mode: insert-only tables with an ever-increasing key (or change.column). Rows are read
// strictly after the last value delivered. An UPDATE of an existing row is invisible in this mode —
// said once, loudly, when the reader is created — so choose it only when the table is insert-only.
import type { Watermark } from '../state/store.js';
import type { SourceAdapter } from '../sources/types.js';
import type { ChangeOptions, ChangeReader, Page } from './types.js';
import { keysetPages, rangeAfter } from './keyset.js';

const warned = new Set<string>();

export class IncreasingReader implements ChangeReader {
  private readonly column: string;

  constructor(private readonly opts: ChangeOptions) {
    this.column = opts.column ?? opts.key[0];
    const id = `${opts.table}.${this.column}`;
    if (!warned.has(id)) {
      warned.add(id);
      opts.warn?.(
        `Change mode "increasing" on ${opts.table}: only new rows (${this.column} above the last one sent) are read; ` +
          'an edit or a void of an existing ticket is NOT sent. Use timestamp, rowversion or changeTracking if tickets are ever edited.',
      );
    }
  }

  /** The value is kept as text; numbers are compared as numbers again when bound. */
  private bind(v: string): unknown {
    return /^-?\d{1,15}$/.test(v) ? Number(v) : v;
  }

  /** Order of the pages: the column, then the key columns that are not it (ties broken by key). */
  private order(): string[] {
    return [this.column, ...this.opts.key.filter((k) => k !== this.column)];
  }

  pageSql(src: SourceAdapter, wm: Watermark | null, pageSize: number): { sql: string; params: unknown[] } {
    const d = src.dialect;
    const cols = this.order().map((k) => d.ident(k));
    // A watermark without key values (a single-column order, or one written before ties were keyed)
    // compares the column alone.
    const after = wm
      ? rangeAfter(d, cols, [this.bind(wm.cursor), ...wm.key].slice(0, wm.key.length === cols.length - 1 ? cols.length : 1), 1)
      : null;
    const where = after ? after.sql : `${cols[0]} IS NOT NULL`;
    return {
      sql: d.limit(`SELECT * FROM ${d.ident(this.opts.table)} WHERE ${where} ORDER BY ${cols.join(', ')}`, pageSize),
      params: after?.params ?? [],
    };
  }

  async pollSql(src: SourceAdapter, wm: Watermark, pageSize: number) {
    return this.pageSql(src, wm, pageSize);
  }

  pages(src: SourceAdapter, wm: Watermark | null, pageSize: number): AsyncGenerator<Page> {
    const rest = this.order().slice(1);
    return keysetPages(
      src,
      wm,
      pageSize,
      (pos) => this.pageSql(src, pos, pageSize),
      (last) => ({ cursor: String(last[this.column]), key: rest.map((k) => last[k]) }),
    );
  }

  async backlog(src: SourceAdapter, wm: Watermark | null) {
    const d = src.dialect;
    const c = d.ident(this.column);
    const rows = await src.query(
      `SELECT COUNT(*) AS n FROM ${d.ident(this.opts.table)} WHERE ${wm ? `${c} > ${d.param(1)}` : `${c} IS NOT NULL`}`,
      wm ? [this.bind(wm.cursor)] : [],
    );
    return { count: Number(rows[0]?.n ?? 0), oldestAgeSeconds: null };
  }
}
