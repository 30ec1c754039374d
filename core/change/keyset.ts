// The page loop shared by the single-cursor modes (rowversion, increasing): read a page after the
// cursor, yield it with the cursor of its last row as the watermark to commit, stop on a short page.
import type { Row, SourceAdapter } from '../sources/types.js';
import type { Watermark } from '../state/store.js';
import type { Page } from './types.js';

export async function* keysetPages(
  src: SourceAdapter,
  wm: Watermark | null,
  pageSize: number,
  pageSql: (pos: Watermark | null) => { sql: string; params: unknown[] },
  cursorOf: (last: Row) => string,
): AsyncGenerator<Page> {
  let pos = wm;
  for (;;) {
    const { sql, params } = pageSql(pos);
    const rows = await src.query(sql, params);
    if (rows.length === 0) return;
    pos = { cursor: cursorOf(rows[rows.length - 1]), key: [] };
    yield { rows, next: pos };
    if (rows.length < pageSize) return;
  }
}
