// rowversion mode (SQL Server): every write stamps the row with the database-wide, ever-increasing
// rowversion, so `rv > @last` finds every change without a clock. The upper bound
// `rv < MIN_ACTIVE_ROWVERSION()` stops below the oldest rowversion still held by an open
// transaction: a long transaction's rows are read after it commits, never skipped. The cursor is
// the binary(8) value as '0x…' hex text, bound back with CONVERT(binary(8), @p, 1) so no driver
// type guessing is involved. rowversion values are unique, so the cursor alone orders the rows.
import type { Watermark } from '../state/store.js';
import type { SourceAdapter } from '../sources/types.js';
import type { ChangeOptions, ChangeReader, Page } from './types.js';
import { keysetPages } from './keyset.js';

/** Column alias carrying the row's rowversion as hex text (the raw column is binary). */
export const RV_ALIAS = '__outpost_rv';

const HEX8 = /^0x[0-9A-Fa-f]{16}$/;

export class RowversionReader implements ChangeReader {
  constructor(private readonly opts: ChangeOptions) {
    if (!opts.column) throw new Error('rowversion mode needs change.column (the rowversion column)');
  }

  /** The page statement; exported for tests so the T-SQL text can be checked without a server. */
  pageSql(src: SourceAdapter, wm: Watermark | null, pageSize: number): { sql: string; params: unknown[] } {
    const d = src.dialect;
    const rv = d.ident(this.opts.column!);
    if (wm && !HEX8.test(wm.cursor))
      throw new Error(`The stored rowversion cursor "${wm.cursor}" is not binary(8) hex; reset the profile's watermark.`);
    const lower = wm ? `${rv} > CONVERT(binary(8), ${d.param(1)}, 1) AND ` : '';
    const sql = d.limit(
      `SELECT *, CONVERT(varchar(18), ${rv}, 1) AS ${d.ident(RV_ALIAS)} FROM ${d.ident(this.opts.table)} ` +
        `WHERE ${lower}${rv} < MIN_ACTIVE_ROWVERSION() ORDER BY ${rv}`,
      pageSize,
    );
    return { sql, params: wm ? [wm.cursor] : [] };
  }

  async pollSql(src: SourceAdapter, wm: Watermark, pageSize: number) {
    return this.pageSql(src, wm, pageSize);
  }

  pages(src: SourceAdapter, wm: Watermark | null, pageSize: number): AsyncGenerator<Page> {
    return keysetPages(
      src,
      wm,
      pageSize,
      (pos) => this.pageSql(src, pos, pageSize),
      (last) => {
        const cursor = String(last[RV_ALIAS] ?? '')
          .toUpperCase()
          .replace(/^0X/, '0x');
        if (!HEX8.test(cursor))
          throw new Error(
            `The rowversion column ${this.opts.column} did not read back as binary(8); check change.column names a rowversion column.`,
          );
        // rowversion values are unique: the cursor alone is the position (`rv > @p1` is an index seek).
        return { cursor, key: [] };
      },
    );
  }

  async backlog(src: SourceAdapter, wm: Watermark | null) {
    const d = src.dialect;
    const rv = d.ident(this.opts.column!);
    const where = wm ? `${rv} > CONVERT(binary(8), ${d.param(1)}, 1) AND ` : '';
    const rows = await src.query(
      `SELECT COUNT(*) AS n FROM ${d.ident(this.opts.table)} WHERE ${where}${rv} < MIN_ACTIVE_ROWVERSION()`,
      wm ? [wm.cursor] : [],
    );
    // rowversion carries no time: the age of the oldest change is not known in this mode.
    return { count: Number(rows[0]?.n ?? 0), oldestAgeSeconds: null };
  }
}
