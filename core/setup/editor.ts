// The mapping editor's model: every eTicket field a mapping can set, its source expression (the
// template with the profile's overrides applied), its value on every sample and a mark per sample
// (mapped / empty / problem), plus how many samples map as a whole. The whole-ticket verdict comes
// from the real mapper (createMapper), so "N of M samples map" is exactly what the daemon will do;
// the per-field values come from the same compiled expressions (compileExpression).
//
// Edits are plain functions over the profile's override map (config mapping.fields): pick a column,
// a constant, add a transform, unmap, reset. No second mapping language: the overrides are the
// mapping layer's own expressions (core/mapping/template.ts).
import type { Profile } from '../config/schema.js';
import { mapSamples } from '../mapping/api.js';
import { ENUMS, LINE_FIELDS, TICKET_FIELDS, type FieldSpec, type LeafType } from '../mapping/catalog.js';
import { compileExpression } from '../mapping/compile.js';
import { LINES_PROPERTY } from '../mapping/lines.js';
import { LOOKUPS_PROPERTY, LookupRegistry, type LookupStep } from '../mapping/lookups.js';
import { applyOverrides } from '../mapping/overrides.js';
import type { Condition, Expression, LookupSpec, Scalar, SkipRule, Template, Transform } from '../mapping/template.js';
import type { SourceAdapter } from '../sources/types.js';
import { TimeZone, Zoned, toZoned } from '../mapping/time.js';
import { Fail, dateWallText, isEmpty, toNumber, toText } from '../mapping/values.js';

export type Mark = 'mapped' | 'empty' | 'problem';

export interface EditorField {
  /** The override path: "customer.name", "lines.quantity.value". */
  path: string;
  label: string;
  required: boolean;
  type: LeafType;
  /** The expression in force (template + overrides), or null when the field is not mapped. */
  expression: Expression | null;
  /** Set by the profile's overrides rather than the template. */
  overridden: boolean;
}

export interface FieldCell {
  mark: Mark;
  /** The value as shown (already coerced to the field's type), '' when empty. */
  value: string;
  /** Why the value cannot be used ('' unless mark is problem). */
  problem: string;
}

export interface FieldRow {
  field: EditorField;
  cells: FieldCell[];
  /** How many samples have a problem in this field. */
  failing: number;
}

export interface SampleVerdict {
  ticketNumber: string;
  ok: boolean;
  skipped: boolean;
  problems: string[];
}

export interface MappingEval {
  template: string;
  /** Required fields with problems first, then the rest of the required ones, then optional. */
  fields: FieldRow[];
  samples: SampleVerdict[];
  mapped: number;
  total: number;
  /** A mistake in the overrides themselves (the editor shows it and keeps the previous model). */
  error?: string;
}

interface Leaf {
  path: string;
  line: boolean;
  group?: string;
  key: string;
  label: string;
  required: boolean;
  type: LeafType;
}

function leaves(): Leaf[] {
  const out: Leaf[] = [];
  const walk = (fields: readonly FieldSpec[], line: boolean) => {
    for (const f of fields) {
      const prefix = line ? 'lines.' : '';
      if (f.kind === 'leaf')
        out.push({ path: prefix + f.key, line, key: f.key, label: f.label, required: f.required && f.key !== 'status', type: f.type });
      else
        for (const l of f.leaves) {
          const required = f.required && l.required && !(l.key === 'unit' && f.quantity);
          out.push({ path: `${prefix}${f.key}.${l.key}`, line, group: f.key, key: l.key, label: l.label, required, type: l.type });
        }
    }
  };
  walk(TICKET_FIELDS, false);
  walk(LINE_FIELDS, true);
  return out;
}

const LEAVES = leaves();

/** Every field path the editor lists, in eTicket order. */
export function editorPaths(): string[] {
  return LEAVES.map((l) => l.path);
}

function expressionAt(t: Template, l: Leaf): Expression | null {
  const holder = (l.line ? t.lines[0] : t.ticket) as Record<string, unknown> | undefined;
  if (!holder) return null;
  const v = l.group ? (holder[l.group] as Record<string, unknown> | undefined)?.[l.key] : holder[l.key];
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Expression) : null;
}

function rowForLine(row: Record<string, unknown>): Record<string, unknown> {
  const lines = row[LINES_PROPERTY];
  if (Array.isArray(lines) && lines[0] && typeof lines[0] === 'object')
    return Object.assign(Object.create(row) as Record<string, unknown>, lines[0]);
  return row;
}

function coerce(v: unknown, type: LeafType, zone: TimeZone): { value: string } | Fail | null {
  if (v instanceof Fail) return v;
  if (v instanceof Zoned) return { value: v.text };
  if (isEmpty(v)) return null;
  switch (type) {
    case 'number':
    case 'integer': {
      const n = toNumber(v);
      if (n instanceof Fail || n === null) return n;
      if (type === 'integer' && !Number.isInteger(n)) return new Fail(`${n} is not a whole number`);
      return { value: String(n) };
    }
    case 'datetime': {
      const z = toZoned(v, zone);
      if (z instanceof Fail || z === null) return z;
      return { value: z.text };
    }
    case 'text': {
      const t = toText(v instanceof Date ? dateWallText(v) : v);
      if (t instanceof Fail || t === null) return t;
      return { value: t };
    }
    default: {
      const allowed = ENUMS[type] ?? [];
      const t = toText(v);
      if (t instanceof Fail || t === null) return t;
      const hit = allowed.find((a) => a.toLowerCase() === t.toLowerCase());
      return hit ? { value: hit } : new Fail(`"${t}" is not one of ${allowed.join(', ')}`);
    }
  }
}

/** Evaluates the mapping (template + overrides + skip rules) on every sample row. Never throws. */
export async function evaluateMapping(args: {
  /** Where lookups are read (null: no lookups possible). */
  source: SourceAdapter | null;
  template: Template;
  fields: Record<string, unknown>;
  skip?: SkipRule[];
  rows: Record<string, unknown>[];
  profile: Profile;
  home?: string;
}): Promise<MappingEval> {
  const { rows, profile } = args;
  const total = rows.length;
  const failed = (error: string): MappingEval => ({ template: args.template.name, fields: [], samples: [], mapped: 0, total, error });
  let effective: Template;
  let zone: TimeZone;
  try {
    effective = applyOverrides(args.template, args.fields, new Map());
    zone = new TimeZone(profile.change.timezone ?? 'UTC');
  } catch (e) {
    return failed((e as Error).message);
  }
  const r = await mapSamples(args.source, rows, {
    template: args.template,
    fields: args.fields,
    skip: args.skip?.length ? args.skip : undefined,
    timezone: zone.name,
    key: profile.key,
    table: profile.table,
    home: args.home,
  });
  if (r.error || !r.mapper) return failed(r.error ?? 'the mapping could not be compiled');
  const numbers = r.results.map((x) => (x.ok ? x.ticket.ticketNumber : ''));
  const samples: SampleVerdict[] = r.results.map((x, i) =>
    x.ok
      ? { ticketNumber: numbers[i], ok: true, skipped: false, problems: [] }
      : { ticketNumber: '', ok: false, skipped: Boolean(x.skipped), problems: x.problems },
  );

  // Per-field expressions compile into their own lookup registry; its steps are matched to the
  // mapper's (same table, key columns, key source and scope) so they read the lookups mapSamples fetched.
  const registry = new LookupRegistry();
  const headerLines = effective.layout === 'header-lines';
  const overridden = new Set(Object.keys(args.fields).map((k) => k.trim()));
  const compiled = LEAVES.map((l) => {
    const expression = expressionAt(effective, l);
    let run: ((row: Record<string, unknown>) => unknown) | null = null;
    let compileError = '';
    if (expression) {
      try {
        run = compileExpression(expression, l.path, { zone, lookups: registry, scope: l.line && headerLines ? 'line' : 'ticket' }).run;
      } catch (e) {
        compileError = (e as Error).message;
      }
    }
    return { l, expression, run, compileError };
  });
  const sameStep = (a: LookupStep, b: LookupStep) =>
    a.table.toLowerCase() === b.table.toLowerCase() &&
    a.scope === b.scope &&
    a.keyLabel === b.keyLabel &&
    a.keyColumns.join('|').toLowerCase() === b.keyColumns.join('|').toLowerCase();
  const idMap = new Map<string, string>();
  for (const st of registry.steps) {
    const m = r.mapper.lookups.find((x) => sameStep(x, st));
    if (m) idMap.set(st.id, m.id);
  }
  const remap = (row: Record<string, unknown>): Record<string, unknown> => {
    const got = row[LOOKUPS_PROPERTY] as Record<string, unknown> | undefined;
    if (!got || idMap.size === 0) return row;
    const mine: Record<string, unknown> = {};
    for (const [my, theirs] of idMap) mine[my] = got[theirs];
    return { ...row, [LOOKUPS_PROPERTY]: mine };
  };
  const prepared = r.rows.map(remap);

  const out: FieldRow[] = compiled.map(({ l, expression, run, compileError }) => {
    const field: EditorField = {
      path: l.path,
      label: l.label,
      required: l.required,
      type: l.type,
      expression,
      overridden: overridden.has(l.path),
    };
    const cells: FieldCell[] = prepared.map((row, i) => {
      if (compileError) return { mark: 'problem', value: '', problem: compileError };
      if (!run)
        return l.required ? { mark: 'problem', value: '', problem: `${l.label} is not mapped` } : { mark: 'empty', value: '', problem: '' };
      let v: unknown;
      try {
        v = run(l.line ? rowForLine(row) : row);
      } catch (e) {
        v = new Fail((e as Error).message);
      }
      const c = coerce(v, l.type, zone);
      if (c instanceof Fail) return { mark: 'problem', value: '', problem: `${l.label} ${c.reason}` };
      if (c === null) {
        // The mapper may still fill it (status defaults to issued); a required empty field filters the row.
        if (l.required && !samples[i].ok && !samples[i].skipped) return { mark: 'problem', value: '', problem: `${l.label} is empty` };
        return { mark: 'empty', value: '', problem: '' };
      }
      return { mark: 'mapped', value: c.value, problem: '' };
    });
    return { field, cells, failing: cells.filter((c) => c.mark === 'problem').length };
  });
  const numberRow = out.find((f) => f.field.path === 'ticketNumber');
  samples.forEach((s, i) => {
    if (!s.ticketNumber) s.ticketNumber = numberRow?.cells[i]?.value || String(rows[i]?.[profile.key[0]] ?? '(no number)');
  });
  const rank = (f: FieldRow) => (f.field.required ? (f.failing > 0 ? 0 : 1) : f.failing > 0 ? 2 : f.field.expression ? 3 : 4);
  const order = new Map(out.map((f, i) => [f.field.path, i]));
  out.sort((a, b) => rank(a) - rank(b) || order.get(a.field.path)! - order.get(b.field.path)!);
  return { template: args.template.name, fields: out, samples, mapped: r.mapped, total };
}

/** "3 of 5 samples map", with the first reason when some do not. */
export function mappedCountText(e: Pick<MappingEval, 'mapped' | 'total' | 'samples'>): string {
  const base = `${e.mapped} of ${e.total} samples map`;
  const skipped = e.samples.filter((s) => s.skipped).length;
  return skipped ? `${base} (${skipped} skipped by a rule)` : base;
}

/** Why samples do not map: each distinct problem with how many samples have it, most common first. */
export function failureReasons(e: Pick<MappingEval, 'samples'>): { reason: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const s of e.samples) if (!s.ok) for (const p of new Set(s.problems)) counts.set(p, (counts.get(p) ?? 0) + 1);
  return [...counts].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count);
}

// ---------------------------------------------------------------------------------------------
// Edits: each returns a new override map; the previous one is never changed.

type Fields = Record<string, unknown>;

function current(fields: Fields, path: string, base: Expression | null): Expression | null {
  const v = fields[path];
  if (v === null) return null;
  if (v && typeof v === 'object') return v as Expression;
  return base;
}

/**
 * The value comes from `column`. Transforms the template made for its own column (a date format, a
 * value map, a default) go; the number and unit steps stay, since a quantity needs its unit (the
 * editor's unit choice replaces the unit step).
 */
export function setColumn(fields: Fields, path: string, column: string, base?: Expression | null): Fields {
  const keep = (current(fields, path, base ?? null)?.then ?? []).filter(
    (t) => typeof t === 'object' && ('number' in t || 'convertUnit' in t),
  );
  return { ...fields, [path]: { column, ...(keep.length ? { then: keep } : {}) } };
}

/** A fixed value (text, or a number for number fields); transforms are dropped (a constant needs none). */
export function setConstant(fields: Fields, path: string, value: Scalar): Fields {
  return { ...fields, [path]: { const: value } };
}

/** Appends a transform to the field's expression. */
export function addTransform(fields: Fields, path: string, t: Transform, base: Expression | null): Fields {
  const e = current(fields, path, base);
  if (!e) throw new Error('Pick a column or a constant for this field first; a transform changes a value.');
  let then = e.then ?? [];
  // One unit step: a new unit choice replaces the old one.
  if (typeof t === 'object' && 'convertUnit' in t) then = then.filter((x) => !(typeof x === 'object' && 'convertUnit' in x));
  return { ...fields, [path]: { ...structuredClone(e), then: [...structuredClone(then), t] } };
}

/** Removes every transform from the field's expression. */
export function clearTransforms(fields: Fields, path: string, base: Expression | null): Fields {
  const e = current(fields, path, base);
  if (!e) return fields;
  const { then: _then, ...rest } = structuredClone(e);
  return { ...fields, [path]: rest };
}

/** Not mapped at all (optional fields only; the mapping layer refuses it for required ones). */
export function unmap(fields: Fields, path: string): Fields {
  return { ...fields, [path]: null };
}

/** Back to the template's own expression. */
export function resetField(fields: Fields, path: string): Fields {
  const { [path]: _gone, ...rest } = fields;
  return rest;
}

/** The value is looked up in another table through a foreign key (one query per page at run time). */
export function setLookup(fields: Fields, path: string, spec: LookupSpec): Fields {
  return { ...fields, [path]: { lookup: spec } };
}

/** A skip rule: rows where `column` equals `value` (or is empty) are never sent, with the reason. */
export function skipRule(column: string, test: { equals: Scalar } | { empty: true } | { prefix: string }, reason: string): SkipRule {
  const cond = { column, ...test, ...('equals' in test && typeof test.equals === 'string' ? { caseInsensitive: true } : {}) } as Condition;
  return { if: cond, reason };
}

export function describeSkipRule(r: SkipRule): string {
  const c = ('if' in r ? r.if : r.unless) as Record<string, unknown>;
  const col = typeof c.column === 'string' ? c.column : 'a value';
  const test =
    'equals' in c
      ? `is ${JSON.stringify(c.equals)}`
      : 'empty' in c
        ? c.empty
          ? 'is empty'
          : 'is not empty'
        : 'prefix' in c
          ? `starts with ${JSON.stringify(c.prefix)}`
          : 'matches';
  return `${'if' in r ? 'skip when' : 'skip unless'} ${col} ${test}${r.reason ? ` (${r.reason})` : ''}`;
}

/** The field's value before its last value map (the distinct raw values a value map must cover). */
export function distinctInputs(expression: Expression | null, rows: Record<string, unknown>[], line: boolean, timezone = 'UTC'): string[] {
  if (!expression) return [];
  const e = structuredClone(expression);
  const then = e.then ?? [];
  const cut = then.findLastIndex((t) => typeof t === 'object' && ('map' in t || 'prefixMap' in t));
  e.then = cut >= 0 ? then.slice(0, cut) : then;
  let run: (row: Record<string, unknown>) => unknown;
  try {
    run = compileExpression(e, 'field', { zone: new TimeZone(timezone), lookups: new LookupRegistry(), scope: 'ticket' }).run;
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const row of rows) {
    const v = run(line ? rowForLine(row) : row);
    if (v instanceof Fail || isEmpty(v)) continue;
    const t = String(v instanceof Date ? dateWallText(v) : v).trim();
    if (!out.includes(t)) out.push(t);
  }
  return out;
}

/** One-line description of an expression for the editor ("column Cust_Name · trim · default "x""). */
export function describeExpression(e: Expression | null): string {
  if (!e) return '(not mapped)';
  const src =
    'column' in e
      ? `column ${e.column}`
      : 'const' in e
        ? `constant ${JSON.stringify(e.const)}`
        : 'lookup' in e
          ? `${Object.values(e.lookup.on)
              .map((k) => ('column' in k ? k.column : '…'))
              .join('+')} → ${e.lookup.table}.${e.lookup.column}`
          : 'when' in e
            ? `when (${e.when.length} cases)`
            : 'dateTime' in e
              ? 'date + time'
              : `join of ${e.concat.length} parts`;
  const steps = (e.then ?? []).map(describeTransform);
  return [src, ...steps].join(' · ');
}

export function describeTransform(t: Transform): string {
  if (t === 'trim') return 'trim';
  if ('case' in t) return t.case;
  if ('number' in t) return 'number';
  if ('convertUnit' in t) {
    const f = t.convertUnit.from;
    return `unit ${typeof f === 'string' ? f : 'column' in f ? f.column : 'expr'}→${t.convertUnit.to}`;
  }
  if ('localDateTime' in t) return t.localDateTime.format ? `time ${t.localDateTime.format}` : 'local time';
  if ('map' in t) return `map ${Object.keys(t.map).length} values${t.default !== undefined ? ` else ${JSON.stringify(t.default)}` : ''}`;
  if ('prefixMap' in t) return `prefix map ${Object.keys(t.prefixMap).length}`;
  return `default ${JSON.stringify('column' in Object(t.default) ? `column ${(t.default as { column: string }).column}` : t.default)}`;
}
