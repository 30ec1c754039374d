// One call for setup UIs (the wizard's mapping editor): compile a template object (+ the profile's
// field overrides and skip rules) and map a set of sample rows with their lines and lookups resolved.
// Template mistakes come back as `error` (one plain sentence with the JSON path), never thrown, so an
// editor can show them as the user types.
import type { SourceAdapter, Row } from '../sources/types.js';
import { LookupCache, prepareRows } from './lookups.js';
import { createMapper, type MapResult, type Mapper } from './mapper.js';
import type { Template } from './template.js';

export interface SampleMapOptions {
  template: string | Template;
  fields?: Record<string, unknown>;
  skip?: unknown;
  timezone: string;
  /** The profile's key columns: ticketId / recordKey of each sample (default: none, row index). */
  key?: string[];
  /** The profile's table, for source.table. */
  table?: string;
  home?: string;
}

export interface SampleMapResult {
  /** null when the template does not compile (see `error`). */
  mapper: Mapper | null;
  error: string | null;
  /** The rows as mapped (lines and lookups attached), same order as given. */
  rows: Row[];
  results: MapResult[];
  /** How many samples map / are skipped by a row rule / are filtered. */
  mapped: number;
  skipped: number;
  filtered: number;
  /** Lookup queries sent for this call. */
  lookupQueries: number;
}

/** Compiles and maps samples in one call; lookups are read from `source` (one query per lookup). */
export async function mapSamples(source: SourceAdapter | null, rows: Row[], opts: SampleMapOptions): Promise<SampleMapResult> {
  let mapper: Mapper;
  try {
    mapper = createMapper({ template: opts.template, fields: opts.fields, skip: opts.skip, timezone: opts.timezone, home: opts.home });
  } catch (e) {
    return { mapper: null, error: (e as Error).message, rows, results: [], mapped: 0, skipped: 0, filtered: rows.length, lookupQueries: 0 };
  }
  const cache = new LookupCache();
  const needsSource = mapper.lookups.length > 0 || mapper.template.layout === 'header-lines';
  if (needsSource && !source) {
    return {
      mapper,
      error: 'this template reads other tables (lookups or lines): a database connection is needed to map samples',
      rows,
      results: [],
      mapped: 0,
      skipped: 0,
      filtered: rows.length,
      lookupQueries: 0,
    };
  }
  let prepared: Row[];
  try {
    prepared = source ? await prepareRows(source, mapper, rows, cache) : rows;
  } catch (e) {
    return {
      mapper,
      error: `the lookups could not be read: ${(e as Error).message}`,
      rows,
      results: [],
      mapped: 0,
      skipped: 0,
      filtered: rows.length,
      lookupQueries: cache.queries,
    };
  }
  const key = opts.key ?? [];
  const results = prepared.map((row, i) => {
    const recordKey = key.length ? key.map((k) => String(row[k] ?? '')).join('|') : String(i + 1);
    return mapper.map(row, { ticketId: `sample:${recordKey}`, recordKey, table: opts.table ?? '' });
  });
  const mapped = results.filter((r) => r.ok).length;
  const skipped = results.filter((r) => !r.ok && r.skipped).length;
  return {
    mapper,
    error: null,
    rows: prepared,
    results,
    mapped,
    skipped,
    filtered: results.length - mapped - skipped,
    lookupQueries: cache.queries,
  };
}
