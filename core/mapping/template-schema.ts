// The zod schema of mapping templates: the single source of truth for validation and for the shipped
// JSON Schema (templates/mapping-template.schema.json, templateJsonSchema()).
import { z } from 'zod';
import { LINE_FIELDS, TICKET_FIELDS, type FieldSpec } from './catalog.js';
import { CONVERTIBLE_UNITS } from './units.js';
import { describeIssues } from './template-errors.js';
import { COMPARISONS, LAYOUTS, type Condition, type Expression, type SkipRule, type Template, type Transform } from './template-types.js';

// ---------------------------------------------------------------------------------------------
// The zod schema (also the source of templates/mapping-template.schema.json).

const scalarSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const common = {
  then: z
    .array(z.lazy(() => transformSchema))
    .max(20)
    .optional(),
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
              .record(
                z.lazy(() => columnName),
                expressionSchema,
              )
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
            time: expressionSchema
              .optional()
              .describe('the time part ("HH:MM[:SS]", "hh:mm AM", char(8) "14:05:09", "140509"); default midnight'),
            dateFormat: z.string().min(1).max(32).optional().describe('format of a text date, e.g. "MM/DD/YYYY"'),
            timeFormat: z
              .enum(['HH:mm:ss', 'HHmmss', 'HHmm'])
              .optional()
              .describe('how a number or digit-only time is read (default HHmmss for 5–6 digits, HHmm for 3–4)'),
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
          impliedDecimals: z
            .number()
            .int()
            .min(1)
            .max(6)
            .optional()
            .describe('whole numbers carry this many implied decimals: 123456 with 2 → 1234.56'),
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
const columnName = z
  .string()
  .regex(COLUMN, 'must be a column name (letters, digits, _ $ #)')
  .refine((c) => c === c.trim(), 'must not start or end with a space');
const columnList = z.array(columnName).min(1).max(8);

const tableName = z
  .string()
  .min(1)
  .refine(
    (t) => t.split('.').length <= 3 && t.split('.').every((p) => COLUMN.test(p) && p === p.trim()),
    'must be a table name such as "TKTL" or "dbo.TKTL"',
  );

const comparable = z.union([z.string(), z.number()]);
const comparisonShape = {
  equals: scalarSchema.optional().describe('equal to this value (text trimmed; numbers compared as numbers)'),
  in: z.array(scalarSchema).min(1).max(200).optional().describe('equal to one of these values'),
  empty: z.boolean().optional().describe('true: the value is empty (null or blank); false: it is not'),
  prefix: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1).max(50)])
    .optional()
    .describe('the text starts with this (or one of these)'),
  lessThan: comparable.optional().describe('below this number, or before this text (dates as "YYYY-MM-DD")'),
  atMost: comparable.optional().describe('at most this number / not after this text'),
  greaterThan: comparable.optional().describe('above this number / after this text'),
  atLeast: comparable.optional().describe('at least this number / not before this text'),
  caseInsensitive: z.boolean().optional().describe('compare text ignoring case'),
};
const oneComparison = (c: Record<string, unknown>, ctx: z.core.$RefinementCtx) => {
  const n = COMPARISONS.filter((k) => c[k] !== undefined).length;
  if (n !== 1)
    ctx.addIssue({ code: 'custom', message: `needs exactly one comparison (${COMPARISONS.join(', ')})${n ? `, not ${n}` : ''}` });
};
export const conditionSchema: z.ZodType<Condition> = z
  .union(
    [
      z.strictObject({ column: z.lazy(() => columnName).describe('the column compared'), ...comparisonShape }).superRefine(oneComparison),
      z
        .strictObject({ value: expressionSchema.describe('the value compared (any expression, e.g. a lookup)'), ...comparisonShape })
        .superRefine(oneComparison),
      z.strictObject({
        all: z
          .array(z.lazy(() => conditionSchema))
          .min(1)
          .max(20)
          .describe('every condition holds'),
      }),
      z.strictObject({
        any: z
          .array(z.lazy(() => conditionSchema))
          .min(1)
          .max(20)
          .describe('at least one condition holds'),
      }),
      z.strictObject({ not: z.lazy(() => conditionSchema).describe('the condition does not hold') }),
    ],
    {
      error:
        'is not a condition: use {"column": "Status", "equals": "GXT"}, {"value": expr, "in": [...]}, {"all": [...]}, {"any": [...]} or {"not": {...}}',
    },
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
  .meta({
    id: 'skipRule',
    description: 'a row rule: a matching row is skipped (never sent) with its reason',
  }) as unknown as z.ZodType<SkipRule>;
export const skipRulesSchema = z.array(skipRuleSchema).max(20);

export const linesSourceSchema = z
  .strictObject({
    table: z
      .string()
      .min(1)
      .refine(
        (t) => t.split('.').length <= 3 && t.split('.').every((p) => COLUMN.test(p) && p === p.trim()),
        'must be a table name such as "TKTL" or "dbo.TKTL"',
      )
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
    skip: skipRulesSchema.optional().describe("row rules: a row matching any of them is skipped with the rule's reason"),
  })
  .superRefine((t, ctx) => {
    if (t.layout === 'header-lines') {
      if (!t.linesSource) ctx.addIssue({ code: 'custom', path: ['linesSource'], message: 'is required for layout "header-lines"' });
      if (t.lines.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['lines'],
          message: 'must have exactly one entry for layout "header-lines" (it applies to every line row)',
        });
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

/** Validates a template object; throws an Error with a plain message and the JSON path. */
export function parseTemplate(input: unknown, where = 'mapping template'): Template {
  const r = templateSchema.safeParse(input);
  if (!r.success) throw new Error(describeIssues(where, r.error, input));
  return r.data;
}
