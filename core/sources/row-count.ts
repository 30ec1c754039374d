// A table's size when the catalogue statistics do not know it yet (a new or never-analysed table):
// counted exactly, but only up to a bound, so describing a huge table stays cheap.
import type { SourceAdapter } from './types.js';

/** Rows counted up to 10,001 ("more than 10,000"); null when the count cannot be read. */
export async function boundedCount(
  source: Pick<SourceAdapter, 'query' | 'dialect'>,
  table: string,
  count = 'COUNT(*)',
): Promise<number | null> {
  try {
    const sample = source.dialect.limit(`SELECT 1 FROM ${source.dialect.ident(table)}`, 10001);
    const rows = await source.query(`SELECT ${count} AS n FROM (${sample}) AS s`);
    return Number(rows[0].n);
  } catch {
    return null;
  }
}
