// Catalogue rows (one per index column, in key order) grouped into IndexInfo lists per table. Each
// driver's catalogue names the columns its own way; `read` says where each part is.
import type { DiscoveredTable, IndexInfo, Row } from './types.js';

/** One index-column row as the grouping needs it. */
export interface IndexColumnRow {
  index: string;
  column: string;
  unique: boolean;
  primary: boolean;
}

/** Rows → index lists keyed by `keyOf(row)` (the table), columns in row order. */
export function groupIndexes(rows: Row[], keyOf: (r: Row) => string, read: (r: Row) => IndexColumnRow): Map<string, IndexInfo[]> {
  const out = new Map<string, Map<string, IndexInfo>>();
  for (const r of rows) {
    const key = keyOf(r);
    if (!out.has(key)) out.set(key, new Map());
    const m = out.get(key)!;
    const c = read(r);
    if (!m.has(c.index)) m.set(c.index, { name: c.index, columns: [], unique: c.unique, primary: c.primary });
    m.get(c.index)!.columns.push(c.column);
  }
  return new Map([...out].map(([k, v]) => [k, [...v.values()]]));
}

/** Sets each listed table's indexes (from groupIndexes, same keys) and its primary key from them. */
export function attachIndexes(tables: Map<string, DiscoveredTable>, groups: Map<string, IndexInfo[]>): void {
  for (const [key, list] of groups) {
    const t = tables.get(key);
    if (!t) continue;
    t.indexes = list;
    t.primaryKey = list.find((i) => i.primary)?.columns ?? [];
  }
}
