// Catalogue rows (one per key column, in key order) grouped into ForeignKey entries. Each driver's
// catalogue names the columns its own way; `read` says where each part is.
import type { ForeignKey, Row } from './types.js';

/** One key-column row as the grouping needs it; `key` tells the constraints apart (table + name). */
export interface ForeignKeyColumnRow {
  key: string;
  name: string;
  table: string;
  referencedTable: string;
  column: string;
  referencedColumn: string;
}

/** Rows → foreign keys in first-seen order, columns in row order. */
export function groupForeignKeys(rows: Row[], read: (r: Row) => ForeignKeyColumnRow): ForeignKey[] {
  const out = new Map<string, ForeignKey>();
  for (const r of rows) {
    const c = read(r);
    let fk = out.get(c.key);
    if (!fk)
      out.set(c.key, (fk = { name: c.name, table: c.table, columns: [], referencedTable: c.referencedTable, referencedColumns: [] }));
    fk.columns.push(c.column);
    fk.referencedColumns.push(c.referencedColumn);
  }
  return [...out.values()];
}
