// Mapping templates: JSON data (never code) that says how a ticket row becomes an eTicket v1.
//
// A template file (templates/mappings/<name>.json) is
//   { "name": "generic-scale-ticket",          // = the file name
//     "description": "…", "vendor"?: "…",      // vendor goes to eTicket source.vendor
//     "layout": "single-table" | "header-lines",
//     "ticket": { …eTicket shape, each leaf an expression… },
//     "lines":  [ { …line shape, each leaf an expression… } ],
//     "linesSource": { … } }                   // header-lines only
// single-table: one row is one ticket, `lines` has one entry per eTicket line (usually one).
// header-lines (COMMANDseries-style TICK header + TKTL lines): the profile's table holds one header
//   row per ticket; its lines live in linesSource.table:
//     "linesSource": { "table": "TKTL", "key": ["tkt_line_num"],           // line key columns
//                      "join": { "tkt_code": "tkt_code", "order_date": "order_date" },  // line col → header col
//                      "orderBy"?: ["tkt_line_num"] }                       // default: key
//   `lines` then has exactly one entry, applied to every line row: each line row becomes one eTicket
//   line. Its expressions read the line row's columns; a column the line row does not have is read
//   from the header row (so a line can use the header's unit of measure). core/mapping/lines.ts
//   (attachLines) fetches a page's lines in one query and hangs them on each header row under
//   LINES_PROPERTY ("__lines"). A ticket without lines is filtered ("the ticket has no lines in TKTL").
//   Line problems name the line: "line 2 (tkt_line_num 20) quantity is empty".
// The ticket/line shapes are the eTicket v1 fields of core/mapping/catalog.ts, nested as in the
// eTicket (plant: {id, name}, lines[].quantity: {value, unit}, …). Outpost fills schemaVersion,
// ticketId, revision, issuedAtLocal, plantTimeZone and source itself. `trailers` is a list of {id}.
//
// An expression is one of
//   { "column": "Net" }                       the row's value (exact name, else a case-insensitive match)
//   { "const": 42 }                           text, number, true/false or null
//   { "concat": [expr | "literal", …], "separator"?: ", " }
//        joins text; empty when every expression in it is empty; with a separator, empty parts are skipped
//   { "lookup": { "table": "customers", "on": {"id": expr}, "column": "name", "default"?: expr } }
//        a column of another table by a key of this row (lookups.ts: one query per page and lookup)
//   { "when": [ { "if": condition, "use": expr }, … ], "else"?: expr }   (conditions.ts)
//   { "dateTime": { "date": expr, "time"?: expr, "dateFormat"?, "timeFormat"? } }   (datetime.ts)
// and a template may have "skip": [ {"if"|"unless": condition, "reason"?: "…"} ] row rules.
// docs/mapping.md documents every expression, condition and transform with an example.
// each optionally with "then": [transform, …] applied in order, and "label": "net weight", the
// words used in messages about this field (default: the field's own label, e.g. "quantity").
//
// Transforms (a fixed set; no eval, no user code). Empty values pass through all but `default`/`map`:
//   "trim"                                     trims text
//   {"case": "upper"|"lower"}
//   {"number": {"decimalComma"?: true, "impliedDecimals"?: 2}}   number from text: "1,234.5" ("1.234,5" with decimalComma);
//                                              never NaN/Infinity/hex
//   {"convertUnit": {"from": expr|"CODE", "to": "LBR"|"STN"|"TNE"|"KGM"|"MTQ"|"YDQ", "unitMap"?: {"LB": "LBR", …}}}
//        converts the number from the unit `from` gives (mapped through unitMap, case-insensitively,
//        else taken as a UN/ECE code) with exact factors; rounded to 0.01 lb/kg, 0.0001 t, m³, yd³
//   {"localDateTime": {"format"?: "MM/DD/YYYY hh:mm A"}}
//        a plant-local time (see time.ts for accepted text, Date objects and the DST rule)
//   {"map": {"Y": "voided", "N": "issued"}, "default"?: v, "caseInsensitive"?: true}
//        exact lookup of the trimmed text; `default` answers unmatched AND empty input; without a
//        default, unmatched input is a problem and empty stays empty
//   {"prefixMap": {"HMA": "asphalt", …}, "default"?: v, "caseInsensitive"?: true}
//        the longest matching prefix wins; `default` as for map
//   {"default": value | expr}                  replaces an empty value
// Every leaf's final value is coerced to the field's type: text is cleaned (control characters
// dropped, trimmed, whitespace-only = empty), numbers accept numeric text, enum fields match
// case-insensitively. Empty optional fields are omitted; an empty required one filters the row.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { LINE_FIELDS, TICKET_FIELDS, type FieldSpec } from './catalog.js';
import { CONVERTIBLE_UNITS, type ConvertibleUnit } from './units.js';
import { formatIssues, issuePath } from '../zod-issues.js';

export type Scalar = string | number | boolean | null;

export type Transform =
  | 'trim'
  | { case: 'upper' | 'lower' }
  | { number: { decimalComma?: boolean; impliedDecimals?: number } }
  | { convertUnit: { from: Expression | string; to: ConvertibleUnit; unitMap?: Record<string, string> } }
  | { localDateTime: { format?: string } }
  | { map: Record<string, Scalar>; default?: Scalar; caseInsensitive?: boolean }
  | { prefixMap: Record<string, Scalar>; default?: Scalar; caseInsensitive?: boolean }
  | { default: Scalar | Expression };

interface ExpressionCommon {
  then?: Transform[];
  label?: string;
}
export interface ColumnExpression extends ExpressionCommon {
  column: string;
}
export interface ConstExpression extends ExpressionCommon {
  const: Scalar;
}
export interface ConcatExpression extends ExpressionCommon {
  concat: (Expression | string)[];
  separator?: string;
}
/**
 * A column of another table, found by a key of this row: one bound IN (…) query per page and lookup
 * (core/mapping/lookups.ts), cached for the pass. `on`: lookup-table column → expression of this row
 * (which may itself be a lookup: product → supplier). `default` answers when the key is empty, no row
 * matches or the looked-up value is empty.
 */
export interface LookupSpec {
  table: string;
  on: Record<string, Expression>;
  column: string;
  default?: Expression | Scalar;
}
export interface LookupExpression extends ExpressionCommon {
  lookup: LookupSpec;
}
/** The first branch whose condition holds gives the value; else `else` (or empty). */
export interface WhenExpression extends ExpressionCommon {
  when: { if: Condition; use: Expression }[];
  else?: Expression;
}
/** A plant-local date-time from a date column and a time column (or one text column per part). */
export interface DateTimeExpression extends ExpressionCommon {
  dateTime: { date: Expression; time?: Expression; dateFormat?: string; timeFormat?: string };
}
export type Expression = ColumnExpression | ConstExpression | ConcatExpression | LookupExpression | WhenExpression | DateTimeExpression;

/** One comparison: exactly one of equals, in, empty, prefix, lessThan, atMost, greaterThan, atLeast. */
export interface Comparison {
  equals?: Scalar;
  in?: Scalar[];
  empty?: boolean;
  prefix?: string | string[];
  lessThan?: string | number;
  atMost?: string | number;
  greaterThan?: string | number;
  atLeast?: string | number;
  caseInsensitive?: boolean;
}
export const COMPARISONS = ['equals', 'in', 'empty', 'prefix', 'lessThan', 'atMost', 'greaterThan', 'atLeast'] as const;
export type Condition =
  | (Comparison & { column: string })
  | (Comparison & { value: Expression })
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

/** A row rule: when it holds, the row is skipped (never sent, counted apart from filtered) with `reason`. */
export type SkipRule = ({ if: Condition } | { unless: Condition }) & { reason?: string };

/** A nested eTicket object ({id, name}, {value, unit}, …): one expression per leaf. */
export type TemplateGroup = { [leaf: string]: Expression | undefined };
export type TemplateTicket = {
  [field: string]: Expression | TemplateGroup | { id: Expression }[] | undefined;
};
export type TemplateLine = { [field: string]: Expression | TemplateGroup | undefined };

export const LAYOUTS = ['single-table', 'header-lines'] as const;

/** Where a header-lines template reads its lines (see the header comment). */
export interface LinesSource {
  /** The lines table, schema-qualified where the database has schemas ("dbo.TKTL"). */
  table: string;
  /** Columns that identify a line within its ticket (named in problems, default order). */
  key: string[];
  /** Line column → header column; a line belongs to the header whose columns equal these. */
  join: Record<string, string>;
  /** Columns ordering the lines of one ticket; default `key`. */
  orderBy?: string[];
}

export interface Template {
  $schema?: string;
  name: string;
  description: string;
  vendor?: string;
  layout: (typeof LAYOUTS)[number];
  ticket: TemplateTicket;
  lines: TemplateLine[];
  linesSource?: LinesSource;
  /** Row rules: a row matching any of them is skipped with the rule's reason. */
  skip?: SkipRule[];
}

// ---------------------------------------------------------------------------------------------
// The zod schema (also the source of templates/mapping-template.schema.json).

const scalarSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const common = {
  then: z.array(z.lazy(() => transformSchema)).max(20).optional(),
  label: z.string().min(1).max(80).optional().describe('words naming this field in messages, e.g. "net weight"'),
};

// The union carries the $defs id; the lazy wrapper lets it refer to itself (concat, default).
export const expressionSchema: z.ZodType<Expression> = z.lazy(() => expressionUnion);
const expressionUnion: z.ZodType<Expression> = z
  .union(
    [
      z.strictObject({ column: z.string().min(1).max(128).describe('source column name'), ...common }),
      z.strictObject({ const: scalarSchema.describe('a fixed value'), ...common }),
      z.strictObject({
        concat: z
          .array(z.union([z.string(), expressionSchema], { error: 'must be literal text or an expression' }))
          .min(1)
          .max(20)
          .describe('parts joined into one text; strings are literal text'),
        separator: z.string().max(10).optional().describe('put between non-empty parts; empty parts are skipped'),
        ...common,
      }),
      z.strictObject({
        lookup: z
          .strictObject({
            table: z.lazy(() => tableName).describe('the table to read, e.g. "customers" or "dbo.Customers"'),
            on: z
              .record(z.lazy(() => columnName), expressionSchema)
              .refine((o) => Object.keys(o).length >= 1 && Object.keys(o).length <= 4, 'needs 1 to 4 key columns')
              .describe('lookup-table column → expression of this row, e.g. {"id": {"column": "customer_id"}}'),
            column: z.lazy(() => columnName).describe('the column of the looked-up row to read, e.g. "name"'),
            default: z
              .union([scalarSchema, expressionSchema], { error: 'must be a value or an expression' })
              .optional()
              .describe('used when the key is empty, no row matches or the value is empty'),
          })
          .describe('a column of another table found by a key of this row (one query per page, cached for the pass)'),
        ...common,
      }),
      z.strictObject({
        when: z
          .array(z.strictObject({ if: z.lazy(() => conditionSchema), use: expressionSchema }))
          .min(1)
          .max(20)
          .describe('branches tried in order: the first whose `if` holds gives the value'),
        else: expressionSchema.optional().describe('the value when no branch holds (default: empty)'),
        ...common,
      }),
      z.strictObject({
        dateTime: z
          .strictObject({
            date: expressionSchema.describe('the date part (a date column, "YYYY-MM-DD", "YYYYMMDD" or dateFormat)'),
            time: expressionSchema.optional().describe('the time part ("HH:MM[:SS]", "hh:mm AM", char(8) "14:05:09", "140509"); default midnight'),
            dateFormat: z.string().min(1).max(32).optional().describe('format of a text date, e.g. "MM/DD/YYYY"'),
            timeFormat: z.enum(['HH:mm:ss', 'HHmmss', 'HHmm']).optional().describe('how a number or digit-only time is read (default HHmmss for 5–6 digits, HHmm for 3–4)'),
          })
          .describe('a plant-local date-time from a date and a time column'),
        ...common,
      }),
    ],
    {
      error:
        'is not an expression: use {"column": "Name"}, {"const": value}, {"concat": [...]}, {"lookup": {...}}, {"when": [...]} or {"dateTime": {...}}',
    },
  )
  .meta({ id: 'expression', description: 'where a value comes from, then how it is transformed' });

const lookup = z.record(z.string(), scalarSchema);
const convertUnitTo = z.enum(CONVERTIBLE_UNITS);

export const transformSchema: z.ZodType<Transform> = z
  .union(
    [
      z.literal('trim'),
      z.strictObject({ case: z.enum(['upper', 'lower']) }),
      z.strictObject({
        number: z.strictObject({
          decimalComma: z.boolean().optional(),
          impliedDecimals: z.number().int().min(1).max(6).optional().describe('whole numbers carry this many implied decimals: 123456 with 2 → 1234.56'),
        }),
      }),
      z.strictObject({
        convertUnit: z.strictObject({
          from: z.union([z.string().min(1), expressionSchema], {
            error: 'must be a unit code like "LBR" or an expression like {"column": "UOM"}',
          }),
          to: convertUnitTo,
          unitMap: z.record(z.string(), z.string()).optional(),
        }),
      }),
      z.strictObject({ localDateTime: z.strictObject({ format: z.string().min(1).max(64).optional() }) }),
      z.strictObject({ map: lookup, default: scalarSchema.optional(), caseInsensitive: z.boolean().optional() }),
      z.strictObject({ prefixMap: lookup, default: scalarSchema.optional(), caseInsensitive: z.boolean().optional() }),
      z.strictObject({
        default: z.union([scalarSchema, expressionSchema], { error: 'must be a value or an expression' }),
      }),
    ],
    {
      error:
        'is not a transform: use "trim", {"case": …}, {"number": {}}, {"convertUnit": …}, {"localDateTime": {}}, {"map": …}, {"prefixMap": …} or {"default": …}',
    },
  )
  .meta({ id: 'transform' });

function shapeOf(fields: readonly FieldSpec[]): Record<string, z.ZodType> {
  const shape: Record<string, z.ZodType> = {};
  for (const f of fields) {
    if (f.kind === 'leaf') {
      const e = expressionSchema.describe(f.doc);
      shape[f.key] = f.required && f.key !== 'status' ? e : e.optional();
    } else {
      const inner: Record<string, z.ZodType> = {};
      for (const l of f.leaves) {
        const e = expressionSchema.describe(l.doc);
        // Units may be inferred from convertUnit, so the compiler (not the schema) insists on them.
        inner[l.key] = l.required && !(l.key === 'unit' && f.quantity) ? e : e.optional();
      }
      const obj = z.strictObject(inner).describe(f.doc);
      shape[f.key] = f.required ? obj : obj.optional();
    }
  }
  return shape;
}

// Same rule as the source adapters' identifier check (core/sources/types.ts splitIdent), so a
// template that passes here is not refused later when the lines query is built.
const COLUMN = /^[A-Za-z_][A-Za-z0-9_$# ]{0,127}$/;
const columnName = z.string().regex(COLUMN, 'must be a column name (letters, digits, _ $ #)').refine((c) => c === c.trim(), 'must not start or end with a space');
const columnList = z.array(columnName).min(1).max(8);

const tableName = z
  .string()
  .min(1)
  .refine((t) => t.split('.').length <= 3 && t.split('.').every((p) => COLUMN.test(p) && p === p.trim()), 'must be a table name such as "TKTL" or "dbo.TKTL"');

const comparable = z.union([z.string(), z.number()]);
const comparisonShape = {
  equals: scalarSchema.optional().describe('equal to this value (text trimmed; numbers compared as numbers)'),
  in: z.array(scalarSchema).min(1).max(200).optional().describe('equal to one of these values'),
  empty: z.boolean().optional().describe('true: the value is empty (null or blank); false: it is not'),
  prefix: z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(50)]).optional().describe('the text starts with this (or one of these)'),
  lessThan: comparable.optional().describe('below this number, or before this text (dates as "YYYY-MM-DD")'),
  atMost: comparable.optional().describe('at most this number / not after this text'),
  greaterThan: comparable.optional().describe('above this number / after this text'),
  atLeast: comparable.optional().describe('at least this number / not before this text'),
  caseInsensitive: z.boolean().optional().describe('compare text ignoring case'),
};
const oneComparison = (c: Record<string, unknown>, ctx: z.core.$RefinementCtx) => {
  const n = COMPARISONS.filter((k) => c[k] !== undefined).length;
  if (n !== 1) ctx.addIssue({ code: 'custom', message: `needs exactly one comparison (${COMPARISONS.join(', ')})${n ? `, not ${n}` : ''}` });
};
export const conditionSchema: z.ZodType<Condition> = z
  .union(
    [
      z.strictObject({ column: z.lazy(() => columnName).describe('the column compared'), ...comparisonShape }).superRefine(oneComparison),
      z.strictObject({ value: expressionSchema.describe('the value compared (any expression, e.g. a lookup)'), ...comparisonShape }).superRefine(oneComparison),
      z.strictObject({ all: z.array(z.lazy(() => conditionSchema)).min(1).max(20).describe('every condition holds') }),
      z.strictObject({ any: z.array(z.lazy(() => conditionSchema)).min(1).max(20).describe('at least one condition holds') }),
      z.strictObject({ not: z.lazy(() => conditionSchema).describe('the condition does not hold') }),
    ],
    { error: 'is not a condition: use {"column": "Status", "equals": "GXT"}, {"value": expr, "in": [...]}, {"all": [...]}, {"any": [...]} or {"not": {...}}' },
  )
  .meta({ id: 'condition', description: 'a test on a value of the row' }) as unknown as z.ZodType<Condition>;

export const skipRuleSchema: z.ZodType<SkipRule> = z
  .union(
    [
      z.strictObject({ if: conditionSchema.describe('skip the row when this holds'), reason: z.string().min(1).max(200).optional() }),
      z.strictObject({ unless: conditionSchema.describe('skip the row unless this holds'), reason: z.string().min(1).max(200).optional() }),
    ],
    { error: 'is not a skip rule: use {"unless": {"column": "Status", "equals": "GXT"}, "reason": "status is not GXT"} or {"if": …}' },
  )
  .meta({ id: 'skipRule', description: 'a row rule: a matching row is skipped (never sent) with its reason' }) as unknown as z.ZodType<SkipRule>;
export const skipRulesSchema = z.array(skipRuleSchema).max(20);

export const linesSourceSchema = z
  .strictObject({
    table: z
      .string()
      .min(1)
      .refine((t) => t.split('.').length <= 3 && t.split('.').every((p) => COLUMN.test(p) && p === p.trim()), 'must be a table name such as "TKTL" or "dbo.TKTL"')
      .describe('the lines table, e.g. "dbo.TKTL"'),
    key: columnList.describe('line key columns: identify a line within its ticket, e.g. ["tkt_line_num"]'),
    join: z
      .record(columnName, columnName)
      .refine((j) => Object.keys(j).length >= 1 && Object.keys(j).length <= 8, 'needs 1 to 8 columns')
      .describe('line column → header column, e.g. {"tkt_code": "tkt_code", "order_date": "order_date"}'),
    orderBy: columnList.optional().describe('columns ordering the lines of a ticket; default: key'),
  })
  .describe('header-lines only: where the lines of a ticket are read');

export const templateSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be letters, digits, ".", "_" or "-" (the file name)')
      .describe('the template name, equal to its file name without .json'),
    description: z.string().min(1).describe('what ticket layout this template reads'),
    vendor: z.string().min(1).optional().describe('scale-house software vendor; sent as source.vendor'),
    layout: z
      .enum(LAYOUTS)
      .describe('single-table: one row is one ticket; header-lines: one header row per ticket, its lines read from linesSource.table'),
    ticket: z.strictObject({
      ...shapeOf(TICKET_FIELDS),
      trailers: z
        .array(z.strictObject({ id: expressionSchema }))
        .max(10)
        .optional()
        .describe('trailer ids; empty ones are skipped'),
    }),
    lines: z
      .array(z.strictObject(shapeOf(LINE_FIELDS)))
      .min(1)
      .max(50)
      .describe('single-table: one entry per eTicket line; header-lines: exactly one entry, applied to every line row'),
    linesSource: linesSourceSchema.optional(),
    skip: skipRulesSchema.optional().describe('row rules: a row matching any of them is skipped with the rule\'s reason'),
  })
  .superRefine((t, ctx) => {
    if (t.layout === 'header-lines') {
      if (!t.linesSource) ctx.addIssue({ code: 'custom', path: ['linesSource'], message: 'is required for layout "header-lines"' });
      if (t.lines.length !== 1) {
        ctx.addIssue({ code: 'custom', path: ['lines'], message: 'must have exactly one entry for layout "header-lines" (it applies to every line row)' });
      }
    } else if (t.linesSource) {
      ctx.addIssue({ code: 'custom', path: ['linesSource'], message: 'is only used with layout "header-lines"' });
    }
  })
  .meta({ title: 'Outpost mapping template' }) as unknown as z.ZodType<Template>;

/** The JSON Schema of the template format (shipped as templates/mapping-template.schema.json). */
export function templateJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(templateSchema, { io: 'input' }) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Plain error messages with JSON paths.

type Issue = z.core.$ZodIssue;
interface Flat {
  path: PropertyKey[];
  code: string;
  message: string;
  weight: number;
}

/** A zod path as people write it (the shared formatter's). */
export const formatPath = issuePath;

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
};

const VOCABULARY = [
  ...new Set([
    ...TICKET_FIELDS.flatMap((f) => [f.key, ...(f.kind === 'group' ? f.leaves.map((l) => l.key) : [])]),
    ...LINE_FIELDS.flatMap((f) => [f.key, ...(f.kind === 'group' ? f.leaves.map((l) => l.key) : [])]),
    'trailers', 'column', 'const', 'concat', 'separator', 'then', 'label', 'case', 'number', 'decimalComma',
    'convertUnit', 'from', 'to', 'unitMap', 'localDateTime', 'format', 'map', 'prefixMap', 'default',
    'caseInsensitive', 'name', 'description', 'vendor', 'layout', 'ticket', 'lines',
    'linesSource', 'table', 'key', 'join', 'orderBy', 'lookup', 'on', 'when', 'if', 'use', 'else', 'unless',
    'reason', 'skip', 'dateTime', 'date', 'time', 'dateFormat', 'timeFormat', 'impliedDecimals', 'value', 'all',
    'any', 'not', 'equals', 'in', 'empty', 'prefix', 'lessThan', 'atMost', 'greaterThan', 'atLeast',
  ]),
];

export function closest(word: string, vocabulary: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.min(3, Math.floor(word.length / 2) + 1);
  for (const w of vocabulary) {
    const d = editDistance(word.toLowerCase(), w.toLowerCase());
    if (d < bestD) [best, bestD] = [w, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

function plain(issue: Issue, input: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return input === undefined ? 'is required' : `must be ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return `must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
    case 'unrecognized_keys':
      return issue.keys
        .map((k) => {
          const near = closest(k, VOCABULARY);
          return `has an unknown key ${JSON.stringify(k)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}`;
        })
        .join(', ');
    case 'too_small':
      return issue.origin === 'array' ? `needs at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}` : 'must not be empty';
    case 'too_big':
      return issue.origin === 'array' ? `has more than ${issue.maximum} items` : `is longer than ${issue.maximum} characters`;
    case 'invalid_format':
    default:
      return issue.message;
  }
}

/**
 * Flattens zod issues; for a union, reports the branch the author evidently meant (the one whose
 * kind key is present and whose root type fits), or the union's own message when none fits.
 */
function expand(issue: Issue, base: PropertyKey[], root: unknown): Flat[] {
  const path = [...base, ...issue.path];
  if (issue.code !== 'invalid_union') {
    const weight = issue.code === 'unrecognized_keys' ? issue.keys.length : 1;
    return [{ path, code: issue.code, message: plain(issue, valueAt(root, path)), weight }];
  }
  if (valueAt(root, path) === undefined) return [{ path, code: 'no_branch', message: 'is required', weight: 1 }];
  let best: { mismatch: number; weight: number; flats: Flat[] } | undefined;
  for (const errs of issue.errors) {
    const flats = errs.flatMap((e) => expand(e, path, root));
    let mismatch = 0;
    let weight = 0;
    for (const f of flats) {
      weight += f.weight;
      const atRoot = f.path.length === path.length;
      if (atRoot && (f.code === 'invalid_type' || f.code === 'invalid_value' || f.code === 'no_branch')) mismatch++;
      else if ((f.code === 'invalid_type' || f.code === 'no_branch') && f.path.length === path.length + 1 && valueAt(root, f.path) === undefined) mismatch++;
    }
    if (!best || mismatch < best.mismatch || (mismatch === best.mismatch && weight < best.weight)) best = { mismatch, weight, flats };
  }
  if (!best || best.mismatch > 0) return [{ path, code: 'no_branch', message: issue.message, weight: 1 }];
  return best.flats;
}

/** One plain sentence for a failed parse: "<where>: ticket.status.then[0].case must be "upper" or "lower"". */
export function describeIssues(where: string, error: z.ZodError, input: unknown, base: PropertyKey[] = []): string {
  const flats = error.issues.flatMap((i) => expand(i, base, input));
  return `${where}: ${formatIssues(flats, { separator: ' ', more: (n) => ` (and ${n} more)` })}`;
}

/** Validates a template object; throws an Error with a plain message and the JSON path. */
export function parseTemplate(input: unknown, where = 'mapping template'): Template {
  const r = templateSchema.safeParse(input);
  if (!r.success) throw new Error(describeIssues(where, r.error, input));
  return r.data;
}

// ---------------------------------------------------------------------------------------------
// Files.

let dirCache: string | undefined;

/**
 * The folder holding the mapping templates. This module runs as dist/core/mapping/*.js (clone or
 * npm install: templates/ sits beside dist/) or from core/mapping/*.ts under a TS loader.
 */
export function mappingTemplatesDir(): string {
  if (dirCache) return dirCache;
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '../../../templates/mappings'), resolve(here, '../../templates/mappings')];
  dirCache = candidates.find((c) => existsSync(c)) ?? candidates[0];
  return dirCache;
}

export function listTemplates(): string[] {
  const dir = mappingTemplatesDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Reads and validates templates/mappings/<name>.json. */
export function loadTemplate(name: string): Template {
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9._-]{0,63}$/i.test(name) || name.includes('..')) {
    throw new Error(`mapping template name ${JSON.stringify(String(name))} is not valid (letters, digits, ".", "_", "-")`);
  }
  const file = join(mappingTemplatesDir(), `${name}.json`);
  const shown = `templates/mappings/${name}.json`;
  if (!existsSync(file)) {
    const known = listTemplates();
    const near = closest(name, known);
    throw new Error(
      `mapping template "${name}" does not exist${near ? ` (did you mean "${near}"?)` : ''}; available: ${known.join(', ') || 'none'}`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${shown} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  const t = parseTemplate(data, shown);
  if (t.name !== name) throw new Error(`${shown}: name is "${t.name}" but must match the file name "${name}"`);
  return t;
}
