// Lookups: {"lookup": {"table": "customers", "on": {"id": {"column": "customer_id"}}, "column": "name",
// "default"?: expr}} reads a column of another table by a key of this row. A 1:1 detail table
// (weights beside a gate-entry header) is a lookup too; `on` may hold a lookup (product → supplier).
//
// Mapper.map stays synchronous: the compiler registers every distinct (table, on) pair as a
// LookupStep; prepareRows (per page, before mapping) resolves each step with ONE bound query
//   SELECT * FROM <table> WHERE <col> IN (?, …)          (one key column)
//                      or (<c1> = ? AND <c2> = ?) OR …   (several)
// for the page's distinct keys not already in the pass's LookupCache, and attaches the result to each
// row under LOOKUPS_PROPERTY; the compiled expression then reads it. Several fields reading the same
// table by the same key share one step (one query). Chained lookups resolve in depth order.
// Identifiers go through source.dialect.ident (validated and quoted), values are always bound, pages
// above MAX_BOUND_VALUES values are split.
//
// What a row carries under LOOKUPS_PROPERTY (plain JSON, so a filtered row's content hash sees a
// changed master row): per step id, null (the key is empty), {row} (the match), {missing: "id 77"}
// (no row has that key), {failed: reason} (the key itself could not be computed) or
// {ambiguous: n, key} (several rows have that key: the lookup is not 1:1).
import { attachLines, joinText, LINES_PROPERTY, MAX_BOUND_VALUES } from './lines.js';
import { columnGetter, compileExpression, mergeRefs, type CompileEnv, type Compiled, type Row, type Run } from './compile.js';
import { canonicalJson } from './revision.js';
import type { LookupSpec } from './template.js';
import { Fail, isEmpty, show } from './values.js';
import type { Dialect, SourceAdapter } from '../sources/types.js';

export const LOOKUPS_PROPERTY = '__lookups';

export type LookupEntry = null | { row: Row } | { missing: string } | { failed: string } | { ambiguous: number; key: string };

/** One (table, key) the template reads: one query per page for all the fields that use it. */
export interface LookupStep {
  /** "1", "2", …: the key under LOOKUPS_PROPERTY. */
  readonly id: string;
  readonly table: string;
  /** Columns of the lookup table matched against the keys. */
  readonly keyColumns: string[];
  /** The key values of a row, in keyColumns order (may read earlier steps' results). */
  readonly keys: Run[];
  /** 0 when the keys read only the row's columns; 1 + the deepest step the keys read otherwise. */
  readonly depth: number;
  /** 'line': the keys read a line row of a header-lines template; resolved per line row. */
  readonly scope: 'ticket' | 'line';
  /** The key's source, for labels: "customer_id", "product_id → products.supplier_id". */
  readonly keyLabel: string;
}

/** Collects a template's lookup steps while it compiles. */
export class LookupRegistry {
  readonly steps: LookupStep[] = [];
  private readonly byKey = new Map<string, LookupStep>();

  step(spec: LookupSpec, keys: Compiled[], depth: number, scope: 'ticket' | 'line'): LookupStep {
    const keyColumns = Object.keys(spec.on);
    const k = canonicalJson({
      t: spec.table.toLowerCase(),
      c: keyColumns.map((c) => c.toLowerCase()),
      on: keyColumns.map((c) => spec.on[c]),
      scope,
    });
    let s = this.byKey.get(k);
    if (!s) {
      s = {
        id: String(this.steps.length + 1),
        table: spec.table,
        keyColumns,
        keys: keys.map((c) => c.run),
        depth,
        scope,
        keyLabel: keys.map((c) => c.refs.map((r) => r.label).join(', ') || '(constant)').join(' + '),
      };
      this.byKey.set(k, s);
      this.steps.push(s);
    }
    return s;
  }
}

/** Depth of the steps an expression's value depends on (-1: none). */
const depthOf = new WeakMap<Compiled, number>();

export function compileLookupExpression(spec: LookupSpec, where: string, env: CompileEnv): Compiled {
  const before = env.lookups.steps.length;
  const keys = Object.keys(spec.on).map((c) => compileExpression(spec.on[c], `${where}.on[${JSON.stringify(c)}]`, env));
  // Steps registered while compiling the keys are the ones they read: this step goes after them.
  const inner = env.lookups.steps.slice(before);
  const keyDepth = Math.max(-1, ...keys.map((k) => depthOf.get(k) ?? -1), ...inner.map((s) => s.depth));
  const step = env.lookups.step(spec, keys, keyDepth + 1, env.scope);
  const dflt =
    spec.default === undefined
      ? undefined
      : spec.default !== null && typeof spec.default === 'object'
        ? compileExpression(spec.default, `${where}.default`, env)
        : { run: (() => spec.default) as Run, columns: [], refs: [] };
  const id = step.id;
  const get = columnGetter(spec.column);
  const table = spec.table;
  const read: Run = (row) => {
    const all = row[LOOKUPS_PROPERTY] as Record<string, LookupEntry> | undefined;
    const e = all?.[id];
    if (e === undefined) return new Fail(`was not looked up in ${table} (the row was not prepared)`);
    if (e === null) return null;
    if ('row' in e) return get(e.row);
    if ('missing' in e) return new Fail(`is not found: no row in ${table} has ${e.missing}`);
    if ('failed' in e) return new Fail(e.failed);
    return new Fail(`is ambiguous: ${e.ambiguous} rows in ${table} have ${e.key}`);
  };
  const run: Run = dflt
    ? (row) => {
        const v = read(row);
        if (isEmpty(v) || (v instanceof Fail && isMissing(row, id))) return dflt.run(row);
        return v;
      }
    : read;
  const label = `${step.keyLabel} → ${table}.${spec.column}`;
  const compiled: Compiled = {
    run,
    columns: [label, ...(dflt?.columns ?? [])],
    refs: mergeRefs(
      [
        {
          label,
          read: (row) => {
            const v = read(row);
            return v instanceof Fail ? null : v;
          },
        },
      ],
      dflt?.refs ?? [],
    ),
  };
  depthOf.set(compiled, step.depth);
  return compiled;
}

/** A default answers a key no row has; not a key that could not be computed, several rows, or an unprepared row. */
function isMissing(row: Row, id: string): boolean {
  const e = (row[LOOKUPS_PROPERTY] as Record<string, LookupEntry> | undefined)?.[id];
  return !!e && 'missing' in e;
}

/**
 * Looked-up rows kept for one pass, per step and key. Bounded (a 1:1 detail table has one key per
 * ticket, so a backfill must not keep them all): past MAX entries per step the oldest are dropped.
 */
export class LookupCache {
  static readonly MAX = 10_000;
  private readonly maps = new Map<string, Map<string, LookupEntry>>();
  /** Queries sent (for tests and the bench). */
  queries = 0;

  forStep(step: LookupStep): Map<string, LookupEntry> {
    const k = `${step.table.toLowerCase()}\u0000${step.keyColumns.join('\u0000').toLowerCase()}`;
    let m = this.maps.get(k);
    if (!m) this.maps.set(k, (m = new Map()));
    return m;
  }

  static remember(m: Map<string, LookupEntry>, key: string, entry: LookupEntry): void {
    if (m.size >= LookupCache.MAX) {
      const drop = Math.ceil(LookupCache.MAX / 10);
      let i = 0;
      for (const k of m.keys()) {
        if (i++ >= drop) break;
        m.delete(k);
      }
    }
    m.set(key, entry);
  }
}

/** The mapper parts prepareRows needs. */
export interface Preparable {
  readonly template: { layout: string; linesSource?: unknown } & Parameters<typeof attachLines>[1];
  readonly lookups: readonly LookupStep[];
}

/**
 * Everything a page of rows needs before Mapper.map: the lines of a header-lines template (one
 * query) and every lookup's values (one query per lookup step and page, fewer with the cache).
 * Returns shallow copies, in the same order; rows pass through unchanged when there is nothing to do.
 * `cache`: keep one per pass (the pipeline does) so master rows are read once per pass.
 */
export async function prepareRows(
  source: SourceAdapter,
  mapper: Preparable,
  rows: Row[],
  cache: LookupCache = new LookupCache(),
): Promise<Row[]> {
  let out = await attachLines(source, mapper.template, rows);
  if (mapper.lookups.length === 0 || out.length === 0) return out;
  const ticketSteps = mapper.lookups.filter((s) => s.scope === 'ticket').sort((a, b) => a.depth - b.depth);
  const lineSteps = mapper.lookups.filter((s) => s.scope === 'line').sort((a, b) => a.depth - b.depth);
  out = out.map((r) => ({ ...r, [LOOKUPS_PROPERTY]: {} }));
  await resolveSteps(source, ticketSteps, out, cache);
  if (lineSteps.length) {
    // Line rows see their header behind them (as the mapper reads them); their own results sit on a
    // lookups object inheriting the header's, so a line expression reads both.
    const views: Row[] = [];
    const owners: Row[] = [];
    out = out.map((h) => {
      const lines = h[LINES_PROPERTY];
      if (!Array.isArray(lines)) return h;
      const copies = (lines as Row[]).map((l) => {
        const own = Object.create(h[LOOKUPS_PROPERTY] as object) as Record<string, LookupEntry>;
        const copy: Row = { ...l, [LOOKUPS_PROPERTY]: own };
        views.push(Object.assign(Object.create(h) as Row, copy));
        owners.push(copy);
        return copy;
      });
      return { ...h, [LINES_PROPERTY]: copies };
    });
    await resolveSteps(source, lineSteps, views, cache, owners);
  }
  return out;
}

async function resolveSteps(
  source: SourceAdapter,
  steps: LookupStep[],
  rows: Row[],
  cache: LookupCache,
  owners: Row[] = rows,
): Promise<void> {
  const ci = source.driver === 'mysql' || source.driver === 'mssql'; // their default collations ignore case
  const n = rows.length;
  for (const step of steps) {
    const known = cache.forStep(step);
    const keyOf: (string | null | Fail)[] = new Array(n);
    const wanted: [string, unknown[]][] = [];
    const wantedSet = new Set<string>();
    const single = step.keys.length === 1 ? step.keys[0] : null;
    for (let i = 0; i < n; i++) {
      const row = rows[i];
      let k: string | null | Fail;
      let vals: unknown[];
      if (single) {
        const v = single(row);
        if (v instanceof Fail) {
          keyOf[i] = v;
          continue;
        }
        const t = isEmpty(v) ? null : joinText(v);
        k = t === null ? null : ci ? t.toLowerCase() : t;
        vals = [v];
      } else {
        vals = [];
        k = '';
        for (const run of step.keys) {
          const v = run(row);
          if (v instanceof Fail) {
            k = v;
            break;
          }
          const t = isEmpty(v) ? null : joinText(v);
          if (t === null) {
            k = null;
            break;
          }
          k += `${ci ? t.toLowerCase() : t}\u0000`;
          vals.push(v);
        }
      }
      keyOf[i] = k;
      if (typeof k === 'string' && !known.has(k) && !wantedSet.has(k)) {
        wantedSet.add(k);
        wanted.push([k, vals]);
      }
    }
    const perQuery = Math.max(1, Math.floor(MAX_BOUND_VALUES / step.keyColumns.length));
    for (let i = 0; i < wanted.length; i += perQuery) {
      const chunk = wanted.slice(i, i + perQuery);
      cache.queries++;
      const found = await source.query(
        lookupQuery(source.dialect, step.table, step.keyColumns, chunk.length),
        chunk.flatMap(([, v]) => v),
      );
      const got = new Map<string, Row[]>();
      const getters = step.keyColumns.map((c) => columnGetter(c));
      for (const r of found) {
        let k = '';
        for (const g of getters) {
          const t = joinText(g(r)) ?? '';
          k += step.keyColumns.length === 1 ? (ci ? t.toLowerCase() : t) : `${ci ? t.toLowerCase() : t}\u0000`;
        }
        const list = got.get(k);
        if (list) list.push(r);
        else got.set(k, [r]);
      }
      chunk.forEach(([k, vals]) => {
        const list = got.get(k) ?? [];
        const keyText = () => step.keyColumns.map((c, j) => `${c} ${show(vals[j])}`).join(', ');
        // One entry object per key, shared by every row with that key.
        const entry: LookupEntry =
          list.length === 1 ? { row: list[0] } : list.length === 0 ? { missing: keyText() } : { ambiguous: list.length, key: keyText() };
        LookupCache.remember(known, k, entry);
      });
    }
    for (let i = 0; i < n; i++) {
      const k = keyOf[i];
      const target = owners[i][LOOKUPS_PROPERTY] as Record<string, LookupEntry>;
      if (k === null) target[step.id] = null;
      else if (k instanceof Fail) target[step.id] = { failed: k.reason };
      else target[step.id] = known.get(k) ?? { failed: `was not read from ${step.table}` };
    }
  }
}

/** The SELECT of one lookup step for `count` keys, through the source's dialect. Exported for tests. */
export function lookupQuery(d: Dialect, table: string, keyColumns: string[], count: number): string {
  const cols = keyColumns.map((c) => d.ident(c));
  let p = 0;
  let where: string;
  if (cols.length === 1) where = `${cols[0]} IN (${Array.from({ length: count }, () => d.param(++p)).join(', ')})`;
  else where = Array.from({ length: count }, () => `(${cols.map((c) => `${c} = ${d.param(++p)}`).join(' AND ')})`).join(' OR ');
  return `SELECT * FROM ${d.ident(table)} WHERE ${where}`;
}
