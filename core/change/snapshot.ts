// snapshot mode: the table has no change column at all. Each pass re-reads a recent window of
// tickets by their date column (change.column, e.g. the ticket date) and the pipeline compares each
// row's content hash (the eTicket revision) with the ledger: only new or changed tickets are sent.
// The window is change.lookbackSeconds, at least one day: an edit to a ticket older than the window
// is not seen, which is this mode's stated limit. Pages go by key so the window is read once per pass.
import type { Watermark } from '../state/store.js';
import type { SourceAdapter } from '../sources/types.js';
import { keyAfter, keyParams } from './timestamp.js';
import type { ChangeOptions, ChangeReader, Page } from './types.js';

export const MIN_SNAPSHOT_WINDOW_SECONDS = 86_400;

export class SnapshotReader implements ChangeReader {
  readonly windowSeconds: number;

  constructor(private readonly opts: ChangeOptions) {
    if (!opts.column) throw new Error('snapshot mode needs change.column (the ticket date column that bounds the window)');
    this.windowSeconds = Math.max(opts.lookbackSeconds, MIN_SNAPSHOT_WINDOW_SECONDS);
  }

  pageSql(src: SourceAdapter, after: unknown[] | null, pageSize: number): { sql: string; params: unknown[] } {
    const d = src.dialect;
    const c = d.ident(this.opts.column!);
    const order = this.opts.key.map((k) => d.ident(k)).join(', ');
    const where = `${c} >= ${d.minusSeconds(d.now(), this.windowSeconds)}` + (after ? ` AND ${keyAfter(src, this.opts.key, 1)}` : '');
    return {
      sql: d.limit(`SELECT * FROM ${d.ident(this.opts.table)} WHERE ${where} ORDER BY ${order}`, pageSize),
      params: after ? keyParams(after) : [],
    };
  }

  async pollSql(src: SourceAdapter, _wm: Watermark, pageSize: number) {
    return this.pageSql(src, null, pageSize);
  }

  async *pages(src: SourceAdapter, _wm: Watermark | null, pageSize: number): AsyncGenerator<Page> {
    let after: unknown[] | null = null;
    for (;;) {
      const { sql, params } = this.pageSql(src, after, pageSize);
      const rows = await src.query(sql, params);
      if (rows.length === 0) return;
      const last = rows[rows.length - 1];
      after = this.opts.key.map((k) => last[k]);
      // No watermark: the next pass reads the whole window again; the ledger drops what is unchanged.
      yield { rows, next: null };
      if (rows.length < pageSize) return;
    }
  }

  async backlog() {
    // Without a change column the backlog is not known before the window is re-read and hashed.
    return { count: null, oldestAgeSeconds: null };
  }
}
