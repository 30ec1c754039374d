// Compiles template expressions into closures once (createMapper), so mapping a row is only
// function calls: no template parsing, no zod, no lookups by name per row. Static mistakes the
// schema cannot see (bad unit codes, date formats) are refused here with the JSON path.
import type { Expression, Scalar, Transform } from './template.js';
import { Fail, isEmpty, show, toNumber, toText } from './values.js';
import { CONVERTIBLE_UNITS, convert, isConvertible, sameDimension, type ConvertibleUnit } from './units.js';
import { compileFormat, toZoned, type TimeZone, type WallParser } from './time.js';

export type Row = Record<string, unknown>;
/** A compiled expression: the row in, a value (null = empty) or a Fail out. */
export type Run = (row: Row) => unknown;

export interface Compiled {
  run: Run;
  /** Source columns the value comes from (for Mapper.sources()). */
  columns: string[];
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
}

/** Thrown for template mistakes found while compiling; the message already names the path. */
export class TemplateError extends Error {}

function columnGetter(name: string): Run {
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
    base = { run: columnGetter(e.column), columns: [e.column], column: e.column };
  } else if ('const' in e) {
    const v = e.const;
    base = { run: () => v, columns: [], outputs: [v] };
  } else {
    base = compileConcat(e.concat, e.separator, where, env);
  }
  base.label = e.label;
  const then = e.then ?? [];
  if (then.length === 0) return base;
  let run = base.run;
  let outputs = base.outputs;
  let convertTo: ConvertibleUnit | undefined;
  const columns = [...base.columns];
  then.forEach((t, i) => {
    const step = compileTransform(t, `${where}.then[${i}]`, env);
    const prev = run;
    const f = step.apply;
    run = (row) => f(prev(row), row);
    outputs = step.outputs ? step.outputs(outputs) : undefined;
    convertTo = step.convertTo;
    for (const c of step.columns) if (!columns.includes(c)) columns.push(c);
  });
  return { run, columns, column: base.column, label: e.label, convertTo, outputs };
}

function compileConcat(items: (Expression | string)[], separator: string | undefined, where: string, env: CompileEnv): Compiled {
  const parts = items.map((it, i) => (typeof it === 'string' ? it : compileExpression(it, `${where}.concat[${i}]`, env)));
  const columns = [...new Set(parts.flatMap((p) => (typeof p === 'string' ? [] : p.columns)))];
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
  return { run, columns };
}

interface Step {
  apply: (v: unknown, row: Row) => unknown;
  columns: string[];
  convertTo?: ConvertibleUnit;
  /** How the set of possible outputs changes (undefined: unknown afterwards). */
  outputs?: (prev: Scalar[] | undefined) => Scalar[] | undefined;
}

function compileTransform(t: Transform, where: string, env: CompileEnv): Step {
  if (t === 'trim') {
    return {
      apply: (v) => (typeof v === 'string' ? (v.trim() === '' ? null : v.trim()) : v),
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
    return { apply: (v) => (v instanceof Fail ? v : toNumber(v, dc)), columns: [] };
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
    return { apply: (v, row) => (isEmpty(v) ? inner.run(row) : v), columns: inner.columns };
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
  if (typeof c.from === 'string') {
    const u = resolveUnit(c.from);
    if (!u) throw new TemplateError(`${where}.from: ${JSON.stringify(c.from)} is not a unit Outpost converts (${CONVERTIBLE_UNITS.join(', ')})`);
    if (!sameDimension(u, to)) throw new TemplateError(`${where}: ${u} cannot be converted to ${to}`);
    fromRun = () => u;
  } else {
    const inner = compileExpression(c.from, `${where}.from`, env);
    columns = inner.columns;
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
    convertTo: to,
  };
}
