// Which shipped template fits a table? Given the table's columns, every template is scored by how
// many of the eTicket fields it maps would find their source columns (names compared
// case-insensitively, as the mapper does), required fields weighing three times an optional one.
//
// A field counts as filled when the columns its expression reads first are there: a fallback
// ({"default": …}) does not count, so a table without a void-flag column shows `status` as unfilled
// (its tickets would never be sent as voided) even though the template would still produce "issued".
// A convertUnit whose unit comes from a column needs that column too. Constants fill nothing and
// are not scored (a template of constants would otherwise fit every table).
//
// For a header-lines template, pass the header table's columns followed by the lines table's; with
// only the header's, the line fields count as unfilled.
import { LINE_FIELDS, TICKET_FIELDS, type FieldSpec } from './catalog.js';
import { listTemplates, loadTemplate, type Condition, type Expression, type Template } from './template.js';
import { listAllTemplates, loadTemplateRef } from './files.js';
import { mapSamples } from './api.js';
import type { Row, SourceAdapter } from '../sources/types.js';

export interface TemplateSuggestion {
  template: string;
  /** Where it comes from: a shipped template, a site template, or the one generated for this table. */
  origin?: 'shipped' | 'site' | 'generated';
  /** Sample rows it maps (when samples were given), of `samples`. */
  mapped?: number;
  samples?: number;
  /** 0…1: the weighted share of the template's column-fed fields whose columns exist. */
  score: number;
  /** eTicket fields (dotted paths, "customer.name", "lines.quantity.value") it could not fill. */
  unfilled: string[];
  /** The columns the template reads that the table does not have. */
  missingColumns: string[];
}

interface Fill {
  filled: boolean;
  /** Whether the value comes from the table at all (false for constants). */
  fromTable: boolean;
  missing: string[];
}

function fill(e: Expression, has: (c: string) => boolean): Fill {
  let base: Fill;
  if ('column' in e) base = { filled: has(e.column), fromTable: true, missing: has(e.column) ? [] : [e.column] };
  else if ('const' in e) base = { filled: true, fromTable: false, missing: [] };
  else if ('lookup' in e) {
    // The lookup table is not among the columns: the row's key columns decide.
    const keys = Object.values(e.lookup.on).map((k) => fill(k, has));
    base = { filled: keys.every((k) => k.filled), fromTable: true, missing: keys.flatMap((k) => k.missing) };
  } else if ('when' in e) {
    const conds = e.when.flatMap((b) => conditionColumns(b.if)).map((c) => fill(c, has));
    const values = [...e.when.map((b) => fill(b.use, has)), ...(e.else ? [fill(e.else, has)] : [])];
    base = {
      filled: conds.every((c) => c.filled) && values.some((v) => v.filled),
      fromTable: true,
      missing: [...conds, ...values].flatMap((f) => f.missing),
    };
  } else if ('dateTime' in e) {
    const parts = [fill(e.dateTime.date, has), ...(e.dateTime.time ? [fill(e.dateTime.time, has)] : [])];
    base = { filled: parts.every((p) => p.filled), fromTable: parts.some((p) => p.fromTable), missing: parts.flatMap((p) => p.missing) };
  } else {
    const parts = e.concat.filter((p): p is Expression => typeof p !== 'string').map((p) => fill(p, has));
    const fromTable = parts.some((p) => p.fromTable);
    base = {
      filled: !fromTable || parts.some((p) => p.fromTable && p.filled),
      fromTable,
      missing: parts.flatMap((p) => p.missing),
    };
  }
  for (const t of e.then ?? []) {
    if (typeof t === 'object' && 'convertUnit' in t && typeof t.convertUnit.from === 'object') {
      const u = fill(t.convertUnit.from, has);
      base = { filled: base.filled && u.filled, fromTable: base.fromTable || u.fromTable, missing: [...base.missing, ...u.missing] };
    }
  }
  return base;
}

/** The expressions a condition reads. */
function conditionColumns(c: Condition): Expression[] {
  if ('all' in c) return c.all.flatMap(conditionColumns);
  if ('any' in c) return c.any.flatMap(conditionColumns);
  if ('not' in c) return conditionColumns(c.not);
  return ['column' in c ? { column: c.column } : c.value];
}

interface Scored {
  path: string;
  weight: number;
  fill: Fill;
}

function walk(
  fields: readonly FieldSpec[],
  shape: Record<string, unknown>,
  prefix: string,
  required: boolean,
  out: Scored[],
  has: (c: string) => boolean,
): void {
  for (const f of fields) {
    const node = shape[f.key];
    if (node === undefined) continue;
    if (f.kind === 'leaf') {
      out.push({ path: prefix + f.key, weight: required && f.required ? 3 : 1, fill: fill(node as Expression, has) });
      continue;
    }
    const group = node as Record<string, Expression | undefined>;
    for (const l of f.leaves) {
      const e = group[l.key];
      if (e) out.push({ path: `${prefix}${f.key}.${l.key}`, weight: required && f.required && l.required ? 3 : 1, fill: fill(e, has) });
    }
  }
}

/** Scores one template against the columns. */
export function scoreTemplate(template: Template, columns: readonly string[]): TemplateSuggestion {
  const set = new Set(columns.map((c) => c.toLowerCase()));
  const has = (c: string) => set.has(c.toLowerCase());
  const fields: Scored[] = [];
  walk(TICKET_FIELDS, template.ticket, '', true, fields, has);
  (template.ticket.trailers as { id: Expression }[] | undefined)?.forEach((tr, i) =>
    fields.push({ path: `trailers.${i}.id`, weight: 1, fill: fill(tr.id, has) }),
  );
  template.lines.forEach((line, i) => walk(LINE_FIELDS, line, template.lines.length > 1 ? `lines.${i}.` : 'lines.', true, fields, has));
  let total = 0;
  let got = 0;
  const unfilled: string[] = [];
  const missing = new Set<string>();
  for (const f of fields) {
    if (!f.fill.fromTable) continue;
    total += f.weight;
    if (f.fill.filled) got += f.weight;
    else unfilled.push(f.path);
    for (const m of f.fill.missing) missing.add(m);
  }
  return {
    template: template.name,
    score: total === 0 ? 0 : Math.round((got / total) * 1000) / 1000,
    unfilled,
    missingColumns: [...missing],
  };
}

/**
 * Ranks the templates (default: every template in templates/mappings) for a table with these
 * columns, best first; ties keep the template name order. A template that does not load is skipped.
 * With `mapped` (template name → sample rows it maps), the count ranks first: a layout that maps 0
 * of the samples never comes before one that maps more, whatever its column score.
 */
export function suggestTemplate(
  columns: string[],
  templates?: Template[],
  opts: { mapped?: Record<string, number>; samples?: number; origin?: Record<string, TemplateSuggestion['origin']> } = {},
): TemplateSuggestion[] {
  const list =
    templates ??
    listTemplates().flatMap((n) => {
      try {
        return [loadTemplate(n)];
      } catch {
        return [];
      }
    });
  const mapped = opts.mapped;
  return list
    .map((t) => {
      const s = scoreTemplate(t, columns);
      if (opts.origin?.[t.name]) s.origin = opts.origin[t.name];
      if (mapped && mapped[t.name] !== undefined) {
        s.mapped = mapped[t.name];
        if (opts.samples !== undefined) s.samples = opts.samples;
      }
      return s;
    })
    .sort(
      (a, b) =>
        (mapped ? (b.mapped ?? -1) - (a.mapped ?? -1) : 0) ||
        b.score - a.score ||
        a.unfilled.length - b.unfilled.length ||
        a.template.localeCompare(b.template),
    );
}

/**
 * Ranks the shipped and site templates and, when given, the generated one (generateStarter) for a
 * table, by how many of the sample rows each maps (lines and lookups read through `source`), then
 * by column score. What the setup UIs call to pick a template.
 */
export async function suggestTemplates(
  source: SourceAdapter,
  opts: { samples: Row[]; generated?: Template; timezone: string; home?: string; key?: string[]; table?: string },
): Promise<TemplateSuggestion[]> {
  const origin: Record<string, TemplateSuggestion['origin']> = {};
  const list: Template[] = [];
  for (const info of listAllTemplates(opts.home)) {
    try {
      list.push(loadTemplateRef(info.name, opts.home).template);
      origin[info.name] = info.origin;
    } catch {
      // a template that does not load is not suggested
    }
  }
  if (opts.generated) {
    const i = list.findIndex((t) => t.name === opts.generated!.name);
    if (i >= 0) list.splice(i, 1);
    list.push(opts.generated);
    origin[opts.generated.name] = 'generated';
  }
  const mapped: Record<string, number> = {};
  for (const t of list) {
    const r = await mapSamples(source, opts.samples, { template: t, timezone: opts.timezone, key: opts.key, table: opts.table });
    // A row a rule skips is not a failure to map: it counts as understood.
    mapped[t.name] = r.error ? 0 : r.mapped + r.skipped;
  }
  const columns = opts.samples[0] ? Object.keys(opts.samples[0]) : [];
  return suggestTemplate(columns, list, { mapped, samples: opts.samples.length, origin });
}
