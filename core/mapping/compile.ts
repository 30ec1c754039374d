// Compiles template expressions into closures once (createMapper), so mapping a row is only
// function calls: no template parsing, no zod, no lookups by name per row. Static mistakes the
// schema cannot see (bad unit codes, date formats) are refused here with the JSON path.
import type { Expression, Scalar, Transform } from './template.js';
import { Fail, isEmpty, show, toNumber, toText } from './values.js';
import { compileCondition } from './conditions.js';
import { compileDateTime } from './datetime.js';
import { compileLookupExpression, type LookupRegistry } from './lookups.js';
import { CONVERTIBLE_UNITS, convert, isConvertible, sameDimension, type ConvertibleUnit } from './units.js';
import { compileFormat, toZoned, type TimeZone, type WallParser } from './time.js';

export type Row = Record<string, unknown>;
/** A compiled expression: the row in, a value (null = empty) or a Fail out. */
export type Run = (row: Row) => unknown;

/** Where a value comes from, for the review: "Net", or "customer_id → customers.name" for a lookup. */
export interface SourceRef {
  label: string;
  /** The raw value of that source in this row (the looked-up value for a lookup). */
  read: Run;
}

export interface Compiled {
  run: Run;
  /** Source labels the value comes from (for Mapper.sources()): column names, or lookup paths. */
  columns: string[];
  /** The same sources with a way to read their raw value from a (prepared) row. */
  refs: SourceRef[];
  /** The single column when the expression is exactly {"column": …} (for "no such column" hints). */
  column?: string;
  label?: string;
  /** The unit the value is in when the last transform is convertUnit. */
  convertTo?: ConvertibleUnit;
  /** Every value the expression can produce, when known statically (const, map, prefixMap). */
  outputs?: Scalar[];
}

export interface CompileEnv {
  zone: TimeZone;
  /** Collects the lookups the template uses (resolved per page by prepareRows). */
  lookups: LookupRegistry;
  /** 'line': the expression reads a line row of a header-lines template (lookups resolve per line row). */
  scope: 'ticket' | 'line';
}

/** Merges source refs, first label wins. */
export function mergeRefs(...lists: SourceRef[][]): SourceRef[] {
  const out: SourceRef[] = [];
  for (const l of lists) for (const r of l) if (!out.some((o) => o.label === r.label)) out.push(r);
  return out;
}

/** Thrown for template mistakes found while compiling; the message already names the path. */
export class TemplateError extends Error {}

export function columnGetter(name: string): Run {
  let key = name;
  const lower = name.toLowerCase();
  return (row) => {
    const v = row[key];
    if (v !== undefined || key in row) return v;
    // Drivers differ in identifier case (PostgreSQL folds to lower case): match case-insensitively once.
    for (const k in row) {
      if (k.toLowerCase() === lower) {
        key = k;
        return row[k];
      }
    }
    return undefined;
  };
}

export function compileExpression(e: Expression, where: string, env: CompileEnv): Compiled {
  let base: Compiled;
  if ('column' in e) {
    const run = columnGetter(e.column);
    base = { run, columns: [e.column], refs: [{ label: e.column, read: run }], column: e.column };
  } else if ('const' in e) {
    const v = e.const;
    base = { run: () => v, columns: [], refs: [], outputs: [v] };
  } else if ('concat' in e) {
    base = compileConcat(e.concat, e.separator, where, env);
  } else if ('lookup' in e) {
    base = compileLookupExpression(e.lookup, `${where}.lookup`, env);
  } else if ('when' in e) {
    base = compileWhen(e, where, env);
  } else {
    base = compileDateTime(e.dateTime, `${where}.dateTime`, env);
  }
  base.label = e.label;
  const then = e.then ?? [];
  if (then.length === 0) return base;
  let run = base.run;
  let outputs = base.outputs;
  let convertTo: ConvertibleUnit | undefined;
  const columns = [...base.columns];
  let refs = base.refs;
  then.forEach((t, i) => {
    const step = compileTransform(t, `${where}.then[${i}]`, env);
    const prev = run;
    const f = step.apply;
    run = (row) => f(prev(row), row);
    outputs = step.outputs ? step.outputs(outputs) : undefined;
    convertTo = step.convertTo;
    for (const c of step.columns) if (!columns.includes(c)) columns.push(c);
    if (step.refs) refs = mergeRefs(refs, step.refs);
  });
  return { run, columns, refs, column: base.column, label: e.label, convertTo, outputs };
}

/** {"when": [{"if": condition, "use": expr}, …], "else": expr}: the first branch that holds. */
function compileWhen(e: Extract<Expression, { when: unknown }>, where: string, env: CompileEnv): Compiled {
  const branches = e.when.map((b, i) => ({
    test: compileCondition(b.if, `${where}.when[${i}].if`, env),
    use: compileExpression(b.use, `${where}.when[${i}].use`, env),
  }));
  const otherwise = e.else ? compileExpression(e.else, `${where}.else`, env) : undefined;
  const run: Run = (row) => {
    for (const b of branches) {
      const ok = b.test.run(row);
      if (ok instanceof Fail) return ok;
      if (ok) return b.use.run(row);
    }
    return otherwise ? otherwise.run(row) : null;
  };
  const parts = [...branches.flatMap((b) => [b.test, b.use]), ...(otherwise ? [otherwise] : [])];
  const outputs =
    branches.every((b) => b.use.outputs) && (!otherwise || otherwise.outputs)
      ? [...branches.flatMap((b) => b.use.outputs!), ...(otherwise ? otherwise.outputs! : [null])]
      : undefined;
  return { run, columns: [...new Set(parts.flatMap((p) => p.columns))], refs: mergeRefs(...parts.map((p) => p.refs)), outputs };
}

function compileConcat(items: (Expression | string)[], separator: string | undefined, where: string, env: CompileEnv): Compiled {
  const parts = items.map((it, i) => (typeof it === 'string' ? it : compileExpression(it, `${where}.concat[${i}]`, env)));
  const columns = [...new Set(parts.flatMap((p) => (typeof p === 'string' ? [] : p.columns)))];
  const refs = mergeRefs(...parts.map((p) => (typeof p === 'string' ? [] : p.refs)));
  const hasExpr = parts.some((p) => typeof p !== 'string');
  const run: Run = (row) => {
    let out = '';
    let anyValue = !hasExpr;
    let first = true;
    for (const p of parts) {
      let s: string;
      if (typeof p === 'string') s = p;
      else {
        const v = p.run(row);
        if (v instanceof Fail) return v;
        if (isEmpty(v)) {
          if (separator !== undefined) continue;
          s = '';
        } else {
          const t = toText(v);
          if (t instanceof Fail) return t;
          s = t ?? '';
          anyValue = true;
        }
      }
      if (separator !== undefined) {
        if (s === '') continue;
        if (!first) out += separator;
        first = false;
      }
      out += s;
    }
    return anyValue ? out : null;
  };
  return { run, columns, refs };
}

interface Step {
  apply: (v: unknown, row: Row) => unknown;
  columns: string[];
  refs?: SourceRef[];
  convertTo?: ConvertibleUnit;
  /** How the set of possible outputs changes (undefined: unknown afterwards). */
  outputs?: (prev: Scalar[] | undefined) => Scalar[] | undefined;
}

function compileTransform(t: Transform, where: string, env: CompileEnv): Step {
  if (t === 'trim') {
    return {
      apply: (v) => {
        if (typeof v !== 'string') return v;
        const t = v.trim();
        return t === '' ? null : t;
      },
      columns: [],
      outputs: (p) => p?.map((x) => (typeof x === 'string' ? x.trim() : x)),
    };
  }
  if ('case' in t) {
    const upper = t.case === 'upper';
    return {
      apply: (v) => {
        if (v === null || v === undefined || v instanceof Fail) return v;
        const s = toText(v);
        if (s === null || s instanceof Fail) return s;
        return upper ? s.toUpperCase() : s.toLowerCase();
      },
      columns: [],
      outputs: (p) => p?.map((x) => (typeof x === 'string' ? (upper ? x.toUpperCase() : x.toLowerCase()) : x)),
    };
  }
  if ('number' in t) {
    const dc = t.number.decimalComma === true;
    const implied = t.number.impliedDecimals;
    if (!implied) return { apply: (v) => (v instanceof Fail ? v : toNumber(v, dc)), columns: [] };
    const div = 10 ** implied;
    return {
      apply: (v) => {
        if (v instanceof Fail) return v;
        if (typeof v === 'string' && /[.,]/.test(v.trim()))
          return new Fail(`${show(v)} already has a decimal point (impliedDecimals expects whole numbers)`);
        const n = toNumber(v, dc);
        if (n === null || n instanceof Fail) return n;
        if (!Number.isInteger(n)) return new Fail(`${show(v)} already has decimals (impliedDecimals expects whole numbers)`);
        return Number((n / div).toFixed(implied));
      },
      columns: [],
    };
  }
  if ('convertUnit' in t) return compileConvert(t.convertUnit, `${where}.convertUnit`, env);
  if ('localDateTime' in t) {
    let parser: WallParser | undefined;
    if (t.localDateTime.format !== undefined) {
      try {
        parser = compileFormat(t.localDateTime.format);
      } catch (e) {
        throw new TemplateError(`${where}.localDateTime.format: ${(e as Error).message}`);
      }
    }
    const zone = env.zone;
    return { apply: (v) => toZoned(v, zone, parser), columns: [] };
  }
  if ('map' in t) return compileLookup(t.map, t.default, t.caseInsensitive === true, false);
  if ('prefixMap' in t) return compileLookup(t.prefixMap, t.default, t.caseInsensitive === true, true);
  // {"default": value | expression}
  const d = t.default;
  if (d !== null && typeof d === 'object') {
    const inner = compileExpression(d, `${where}.default`, env);
    return { apply: (v, row) => (isEmpty(v) ? inner.run(row) : v), columns: inner.columns, refs: inner.refs };
  }
  return {
    apply: (v) => (isEmpty(v) ? d : v),
    columns: [],
    outputs: (p) => (p ? [...p.filter((x) => !isEmpty(x)), d] : undefined),
  };
}

function compileLookup(table: Record<string, Scalar>, dflt: Scalar | undefined, ci: boolean, prefix: boolean): Step {
  const norm = (s: string) => (ci ? s.trim().toLowerCase() : s.trim());
  const entries = Object.entries(table).map(([k, v]) => [norm(k), v] as const);
  const exact = new Map(entries);
  // Longest prefix first, so "HMA-S" beats "HMA".
  const prefixes = [...entries].sort((a, b) => b[0].length - a[0].length);
  const keysShown = Object.keys(table).slice(0, 8).join(', ') + (Object.keys(table).length > 8 ? ', …' : '');
  const hasDefault = dflt !== undefined;
  const apply = (v: unknown): unknown => {
    if (v instanceof Fail) return v;
    if (isEmpty(v)) return hasDefault ? dflt : null;
    const s = toText(v);
    if (s instanceof Fail) return s;
    const k = norm(s ?? '');
    if (prefix) {
      for (const [p, out] of prefixes) if (k.startsWith(p)) return out;
    } else {
      const out = exact.get(k);
      if (out !== undefined) return out;
    }
    if (hasDefault) return dflt;
    return new Fail(`${show(v)} is not one of ${prefix ? 'the prefixes ' : ''}${keysShown}`);
  };
  const values = [...new Set([...entries.map((e) => e[1]), ...(hasDefault ? [dflt] : [])])];
  return { apply, columns: [], outputs: () => values };
}

function compileConvert(
  c: { from: Expression | string; to: ConvertibleUnit; unitMap?: Record<string, string> },
  where: string,
  env: CompileEnv,
): Step {
  const unitMap = new Map<string, ConvertibleUnit>();
  for (const [k, v] of Object.entries(c.unitMap ?? {})) {
    const code = v.trim().toUpperCase();
    if (!isConvertible(code)) {
      throw new TemplateError(
        `${where}.unitMap[${JSON.stringify(k)}]: ${JSON.stringify(v)} is not a unit Outpost converts (${CONVERTIBLE_UNITS.join(', ')})`,
      );
    }
    unitMap.set(k.trim().toUpperCase(), code);
  }
  const resolveUnit = (raw: string): ConvertibleUnit | undefined => {
    const k = raw.trim().toUpperCase();
    const m = unitMap.get(k);
    if (m) return m;
    return isConvertible(k) ? k : undefined;
  };
  const to = c.to;
  let fromRun: (row: Row) => ConvertibleUnit | Fail;
  let columns: string[] = [];
  let refs: SourceRef[] = [];
  if (typeof c.from === 'string') {
    const u = resolveUnit(c.from);
    if (!u)
      throw new TemplateError(`${where}.from: ${JSON.stringify(c.from)} is not a unit Outpost converts (${CONVERTIBLE_UNITS.join(', ')})`);
    if (!sameDimension(u, to)) throw new TemplateError(`${where}: ${u} cannot be converted to ${to}`);
    fromRun = () => u;
  } else {
    const inner = compileExpression(c.from, `${where}.from`, env);
    columns = inner.columns;
    refs = inner.refs;
    const known = [...new Set([...unitMap.keys()])].join(', ');
    fromRun = (row) => {
      const raw = inner.run(row);
      if (raw instanceof Fail) return new Fail(`unit ${raw.reason}`, 'unit');
      if (isEmpty(raw)) return new Fail('unit is empty', 'unit');
      const s = toText(raw);
      if (s === null) return new Fail('unit is empty', 'unit');
      if (s instanceof Fail) return new Fail(`unit ${s.reason}`, 'unit');
      return resolveUnit(s) ?? new Fail(`unit ${show(raw)} is not a known unit (${known ? `${known} or ` : ''}a UN/ECE code)`, 'unit');
    };
  }
  return {
    apply: (v, row) => {
      if (v instanceof Fail) return v;
      const n = toNumber(v);
      if (n === null || n instanceof Fail) return n;
      const u = fromRun(row);
      if (u instanceof Fail) return u;
      return convert(n, u, to);
    },
    columns,
    refs,
    convertTo: to,
  };
}
