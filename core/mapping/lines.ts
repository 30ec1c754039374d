// Header + lines layouts (COMMANDseries-style TICK header table + TKTL line table): the change mode
// reads header rows; attachLines fetches the lines of a whole page of headers in one bound query and
// hangs each header's lines on it under LINES_PROPERTY, where the mapper (layout "header-lines")
// makes one eTicket line per line row.
//
// The query: SELECT * FROM <lines> WHERE <join col> IN (?, …)            (one join column)
//                                   or (<c1> = ? AND <c2> = ?) OR (…)   (several)
//            ORDER BY <join cols>, <orderBy>
// Identifiers go through source.dialect.ident, values are always bound. Pages larger than
// MAX_BOUND_VALUES values (SQL Server takes at most 2100 parameters) are split into as few queries as
// that allows; at the default batch size a page is one query.
import type { Row, SourceAdapter } from '../sources/types.js';
import type { LinesSource, Template } from './template.js';

/**
 * The property of a header row that holds its line rows (an array, in line order). Enumerable, so
 * it survives `{...row}`; anything hashing a raw row must hash its content (JSON), not String() it.
 */
export const LINES_PROPERTY = '__lines';

/** A header row with its lines attached. */
export type HeaderRow = Row & { [LINES_PROPERTY]: Row[] };

/** Bound values per query, under SQL Server's 2100-parameter limit with room to spare. */
export const MAX_BOUND_VALUES = 2000;

/**
 * A join value as a comparable text. Databases compare CHAR values ignoring trailing spaces (and a
 * header's CHAR(10) may meet a line's VARCHAR), numbers may come back as numbers on one side and
 * text on the other: compare the text form without trailing spaces.
 */
export function joinText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v.replace(/ +$/, '');
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return Number.isFinite(v.getTime()) ? v.toISOString() : null;
  if (v instanceof Uint8Array) return `0x${Buffer.from(v).toString('hex')}`;
  return null;
}

function columnOf(row: Row, name: string): unknown {
  if (name in row) return row[name];
  // Drivers differ in identifier case (PostgreSQL folds to lower case).
  const lower = name.toLowerCase();
  for (const k in row) if (k.toLowerCase() === lower) return row[k];
  return undefined;
}

/**
 * Fetches the lines of a page of header rows and returns the header rows (shallow copies, in the same
 * order) with their lines under LINES_PROPERTY. A single-table template returns the rows unchanged,
 * so the pipeline can call this for every profile. A header whose join columns are empty gets no lines
 * (the mapper then filters it with a reason). Database errors propagate, like a failed page read.
 */
export async function attachLines(source: SourceAdapter, template: Template, headerRows: Row[]): Promise<Row[]> {
  if (template.layout !== 'header-lines' || !template.linesSource || headerRows.length === 0) return headerRows;
  const ls = template.linesSource;
  const lineCols = Object.keys(ls.join);
  const headerCols = lineCols.map((c) => ls.join[c]);

  // Distinct join tuples of the page (the bound values), and each header's tuple id.
  const tuples = new Map<string, unknown[]>();
  const tupleOf: (string | null)[] = headerRows.map((row) => {
    const values = headerCols.map((c) => columnOf(row, c));
    const texts = values.map(joinText);
    if (texts.some((t) => t === null)) return null;
    const id = JSON.stringify(texts);
    if (!tuples.has(id)) tuples.set(id, values);
    return id;
  });

  const byTuple = new Map<string, Row[]>();
  const all = [...tuples.values()];
  const perQuery = Math.max(1, Math.floor(MAX_BOUND_VALUES / lineCols.length));
  for (let i = 0; i < all.length; i += perQuery) {
    const chunk = all.slice(i, i + perQuery);
    const rows = await source.query(linesQuery(source, ls, chunk.length), chunk.flat());
    for (const line of rows) {
      const texts = lineCols.map((c) => joinText(columnOf(line, c)));
      const id = JSON.stringify(texts);
      let list = byTuple.get(id);
      if (!list) byTuple.set(id, (list = []));
      list.push(line);
    }
  }
  return headerRows.map((row, i) => {
    const id = tupleOf[i];
    return { ...row, [LINES_PROPERTY]: id === null ? [] : (byTuple.get(id) ?? []) };
  });
}

/** The SELECT for `count` join tuples, built through the source's dialect. Exported for tests. */
export function linesQuery(source: Pick<SourceAdapter, 'dialect'>, ls: LinesSource, count: number): string {
  const d = source.dialect;
  const lineCols = Object.keys(ls.join).map((c) => d.ident(c));
  let p = 0;
  let where: string;
  if (lineCols.length === 1) {
    where = `${lineCols[0]} IN (${Array.from({ length: count }, () => d.param(++p)).join(', ')})`;
  } else {
    const one = () => `(${lineCols.map((c) => `${c} = ${d.param(++p)}`).join(' AND ')})`;
    where = Array.from({ length: count }, one).join(' OR ');
  }
  const order = [...new Set([...lineCols, ...(ls.orderBy ?? ls.key).map((c) => d.ident(c))])].join(', ');
  return `SELECT * FROM ${d.ident(ls.table)} WHERE ${where} ORDER BY ${order}`;
}
