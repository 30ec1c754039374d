// Conditions (the `if` of a `when` branch and of a skip rule), compiled once into closures:
//   {"column": "transaction_type", "equals": "Inbound"}     or {"value": <expression>, …}
//   comparisons (exactly one per condition): equals, in, empty, prefix, lessThan, atMost,
//   greaterThan, atLeast; "caseInsensitive": true compares text ignoring case
//   {"all": [c, …]}, {"any": [c, …]}, {"not": c}
// Text is compared trimmed; a number compared with a number (or numeric text) is compared as a
// number; dates compare as their wall-clock text "YYYY-MM-DD HH:MM:SS", so "2026-03-01" works as a
// go-live date. An empty value equals only null/"" and is never below, above or prefixed by anything.
import { compileExpression, mergeRefs, type CompileEnv, type Compiled, type Row, type SourceRef } from './compile.js';
import { COMPARISONS, type Comparison, type Condition, type Scalar } from './template.js';
import { Fail, isEmpty, show, toNumber, toText } from './values.js';

export interface CompiledCondition {
  /** true / false, or a Fail when the value cannot be compared (e.g. "abc" against a number). */
  run: (row: Row) => boolean | Fail;
  columns: string[];
  refs: SourceRef[];
  /** A plain sentence saying what holds (negated: what does not), with the row's value where it helps. */
  describe: (row: Row, negated: boolean) => string;
}

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)$/;

function text(v: unknown, ci: boolean): string | null {
  const t = toText(v);
  if (t === null || t instanceof Fail) return null;
  let s = t.trim();
  // Dates: "2026-06-15T10:00:00-05:00" and "2026-06-15 10:00:00" compare alike.
  if (/^\d{4}-\d\d-\d\dT/.test(s)) s = `${s.slice(0, 10)} ${s.slice(11)}`;
  return ci ? s.toLowerCase() : s;
}

function same(v: unknown, x: Scalar, ci: boolean): boolean {
  if (isEmpty(v)) return x === null || (typeof x === 'string' && x.trim() === '');
  if (x === null) return false;
  if (typeof x === 'number' || (typeof x === 'string' && NUMERIC.test(x.trim()) && (typeof v === 'number' || typeof v === 'bigint'))) {
    const n = toNumber(v);
    return typeof n === 'number' && n === Number(x);
  }
  return text(v, ci) === text(x, ci);
}

type Order = 'lessThan' | 'atMost' | 'greaterThan' | 'atLeast';
const ORDER_WORDS: Record<Order, [string, string]> = {
  lessThan: ['below', 'before'],
  atMost: ['at most', 'not after'],
  greaterThan: ['above', 'after'],
  atLeast: ['at least', 'not before'],
};
const NEGATED_ORDER: Record<Order, Order> = { lessThan: 'atLeast', atMost: 'greaterThan', greaterThan: 'atMost', atLeast: 'lessThan' };

function compare(v: unknown, x: string | number, op: Order, ci: boolean): boolean | Fail {
  if (isEmpty(v)) return false;
  let c: number;
  if (typeof x === 'number') {
    const n = toNumber(v);
    if (n === null) return false;
    if (n instanceof Fail) return new Fail(`${show(v)} is not a number to compare with ${x}`);
    c = n < x ? -1 : n > x ? 1 : 0;
  } else {
    const a = text(v, ci);
    const b = text(x, ci)!;
    if (a === null) return new Fail(`${show(v)} cannot be compared with ${JSON.stringify(x)}`);
    c = a < b ? -1 : a > b ? 1 : 0;
  }
  switch (op) {
    case 'lessThan':
      return c < 0;
    case 'atMost':
      return c <= 0;
    case 'greaterThan':
      return c > 0;
    default:
      return c >= 0;
  }
}

const quote = (x: Scalar) => (typeof x === 'string' ? JSON.stringify(x) : String(x));

function compileComparison(c: Comparison, value: Compiled, label: string): CompiledCondition {
  const ci = c.caseInsensitive === true;
  const op = COMPARISONS.find((k) => c[k] !== undefined)!;
  let test: (v: unknown) => boolean | Fail;
  let says: (v: unknown, negated: boolean) => string;
  const actual = (v: unknown) => (isEmpty(v) ? 'empty' : show(v));
  switch (op) {
    case 'equals': {
      const x = c.equals!;
      test = (v) => same(v, x, ci);
      says = (v, neg) => (neg ? `${label} is ${actual(v)}, not ${quote(x)}` : `${label} is ${quote(x)}`);
      break;
    }
    case 'in': {
      const xs = c.in!;
      test = (v) => xs.some((x) => same(v, x, ci));
      const list = xs.slice(0, 6).map(quote).join(', ') + (xs.length > 6 ? ', …' : '');
      says = (v, neg) => (neg ? `${label} is ${actual(v)}, not one of ${list}` : `${label} is ${actual(v)} (one of ${list})`);
      break;
    }
    case 'empty': {
      const want = c.empty!;
      test = (v) => isEmpty(v) === want;
      says = (v, neg) => (want !== neg ? `${label} is empty` : `${label} is not empty (${actual(v)})`);
      break;
    }
    case 'prefix': {
      const ps = (Array.isArray(c.prefix) ? c.prefix : [c.prefix!]).map((p) => (ci ? p.toLowerCase() : p));
      test = (v) => {
        const s = text(v, ci);
        return s !== null && s !== '' && ps.some((p) => s.startsWith(p));
      };
      const list = ps.map((p) => JSON.stringify(p)).join(' or ');
      says = (v, neg) => (neg ? `${label} ${actual(v)} does not start with ${list}` : `${label} ${actual(v)} starts with ${list}`);
      break;
    }
    default: {
      const o = op as Order;
      const x = c[o]!;
      test = (v) => compare(v, x, o, ci);
      says = (v, neg) => `${label} ${actual(v)} is ${ORDER_WORDS[neg ? NEGATED_ORDER[o] : o][typeof x === 'number' ? 0 : 1]} ${quote(x)}`;
    }
  }
  return {
    run: (row) => {
      const v = value.run(row);
      if (v instanceof Fail) return new Fail(`${label} ${v.reason}`);
      const r = test(v);
      return r instanceof Fail ? new Fail(`${label} ${r.reason}`) : r;
    },
    columns: value.columns,
    refs: value.refs,
    describe: (row, negated) => {
      const v = value.run(row);
      return says(v instanceof Fail ? null : v, negated);
    },
  };
}

export function compileCondition(c: Condition, where: string, env: CompileEnv): CompiledCondition {
  if ('all' in c || 'any' in c) {
    const every = 'all' in c;
    const parts = (every ? (c as { all: Condition[] }).all : (c as { any: Condition[] }).any).map((p, i) =>
      compileCondition(p, `${where}.${every ? 'all' : 'any'}[${i}]`, env),
    );
    return {
      run: (row) => {
        for (const p of parts) {
          const r = p.run(row);
          if (r instanceof Fail) return r;
          if (r !== every) return !every;
        }
        return every;
      },
      columns: [...new Set(parts.flatMap((p) => p.columns))],
      refs: mergeRefs(...parts.map((p) => p.refs)),
      // all: say the parts that hold (negated: the first that does not); any: the reverse.
      describe: (row, negated) => {
        const pick = parts.filter((p) => p.run(row) === (every !== negated));
        const shown = (negated === every ? pick.slice(0, 1) : pick).map((p) => p.describe(row, negated));
        return (
          shown.join(every !== negated ? ' and ' : ' or ') ||
          parts.map((p) => p.describe(row, negated)).join(every !== negated ? ' and ' : ' or ')
        );
      },
    };
  }
  if ('not' in c) {
    const inner = compileCondition(c.not, `${where}.not`, env);
    return {
      run: (row) => {
        const r = inner.run(row);
        return r instanceof Fail ? r : !r;
      },
      columns: inner.columns,
      refs: inner.refs,
      describe: (row, negated) => inner.describe(row, !negated),
    };
  }
  const value = 'column' in c ? compileExpression({ column: c.column }, where, env) : compileExpression(c.value, `${where}.value`, env);
  const label = 'column' in c ? c.column : value.refs.map((r) => r.label).join(', ') || 'the value';
  return compileComparison(c, value, label);
}
