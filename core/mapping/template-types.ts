// The mapping template's types (the format itself is described in template.ts and docs/mapping.md).
import type { ConvertibleUnit } from './units.js';

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
