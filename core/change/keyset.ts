// Keyset paging shared by the change modes: "the rows strictly after this position, in index order"
// written so the database walks its index as a range from the position instead of from the start.
//
// `(c, k) > ($1, $2)` — a row-value comparison — is what PostgreSQL, MySQL 8 / MariaDB and SQLite
// understand; SQL Server has no row values, so it gets the same order spelled as ORs. An OR is not an
// index bound for most planners (PostgreSQL scans from the index's start and filters, so a backfill's
// database cost grows with the square of the table), and MariaDB does not use a row-value comparison
// as a range either: the redundant leading bound `c >= $1` is what gives every planner its range
// start. Rows examined per page are then the page plus the rows tied with the position on `c`
// (test/integration/keyset-range.test.ts checks it on each real server).
import type { Dialect, Row, SourceAdapter } from '../sources/types.js';
import type { Watermark } from '../state/store.js';
import type { Page } from './types.js';

/**
 * WHERE fragment for "after `values` in the order of `cols`" (quoted column expressions, the leading
 * one first) with placeholders numbered from `first`; `cast` wraps a placeholder of the leading
 * column (its exact type). Fewer values than columns compares the prefix only.
 */
export function rangeAfter(
  d: Dialect,
  cols: string[],
  values: unknown[],
  first: number,
  cast: (p: string) => string = (p) => p,
): { sql: string; params: unknown[] } {
  const n = Math.min(cols.length, values.length);
  if (n === 0) throw new Error('rangeAfter needs at least one column value');
  const params: unknown[] = [];
  let next = first;
  const bind = (col: number): string => {
    params.push(values[col]);
    const p = d.param(next++);
    return col === 0 ? cast(p) : p;
  };
  if (n === 1) return { sql: `${cols[0]} > ${bind(0)}`, params };
  const lead = `${cols[0]} >= ${bind(0)}`;
  if (d.rowValues) {
    const ps = cols.slice(0, n).map((_, j) => bind(j));
    return { sql: `${lead} AND (${cols.slice(0, n).join(', ')}) > (${ps.join(', ')})`, params };
  }
  const ors: string[] = [];
  for (let j = 0; j < n; j++) {
    const parts: string[] = [];
    for (let m = 0; m < j; m++) parts.push(`${cols[m]} = ${bind(m)}`);
    parts.push(`${cols[j]} > ${bind(j)}`);
    ors.push(`(${parts.join(' AND ')})`);
  }
  return { sql: `${lead} AND (${ors.join(' OR ')})`, params };
}

/**
 * The page loop of the single-cursor modes (rowversion, increasing): read a page after the position,
 * yield it with the position of its last row as the watermark to commit, stop on a short page.
 */
export async function* keysetPages(
  src: SourceAdapter,
  wm: Watermark | null,
  pageSize: number,
  pageSql: (pos: Watermark | null) => { sql: string; params: unknown[] },
  positionOf: (last: Row) => Watermark,
): AsyncGenerator<Page> {
  let pos = wm;
  for (;;) {
    const { sql, params } = pageSql(pos);
    const rows = await src.query(sql, params);
    if (rows.length === 0) return;
    pos = positionOf(rows[rows.length - 1]);
    yield { rows, next: pos };
    if (rows.length < pageSize) return;
  }
}
