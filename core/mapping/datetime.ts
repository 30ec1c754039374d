// {"dateTime": {"date": expr, "time"?: expr, "dateFormat"?: "MM/DD/YYYY", "timeFormat"?: "HHmmss"}}:
// one plant-local wall-clock time from a date part and a time part kept in separate columns.
// The result is the text "YYYY-MM-DD HH:MM:SS[.fff]", read in the profile's zone by issuedAt (or a
// following localDateTime transform) like any other local time.
//
// Date part: a date or datetime column (its date is used), text "YYYY-MM-DD…", "YYYYMMDD" (also a
// number 20260615), or text in dateFormat. Time part: a time column ("14:05:09", a driver Date whose
// UTC clock is the time), text "H:MM[:SS[.fff]]" with an optional AM/PM (a char(8) "14:05:09" or
// " 2:05 PM"), digits "140509" / "1405", or numbers (140509 → 14:05:09; 930 → 09:30; timeFormat says
// which when it matters), or a datetime whose date is a placeholder (1899-12-30 14:05:09). A time
// that is given but empty is a problem (the ticket would get midnight); no time part means midnight.
import { compileExpression, mergeRefs, TemplateError, type CompileEnv, type Compiled } from './compile.js';
import { compileFormat, type WallParser } from './time.js';
import type { DateTimeExpression } from './template.js';
import { Fail, isEmpty, show } from './values.js';

const pad2 = (n: number) => (n < 10 ? '0' : '') + n;

function datePart(v: unknown, parser: WallParser | undefined): string | Fail {
  if (v instanceof Date) {
    if (!Number.isFinite(v.getTime())) return new Fail('(an invalid date) is not a date');
    return `${String(v.getUTCFullYear()).padStart(4, '0')}-${pad2(v.getUTCMonth() + 1)}-${pad2(v.getUTCDate())}`;
  }
  if (typeof v === 'number' || typeof v === 'bigint') v = String(v);
  if (typeof v !== 'string') return new Fail(`${show(v)} is not a date`);
  const s = v.trim();
  if (parser) {
    const w = parser(s);
    return w ? `${String(w.y).padStart(4, '0')}-${pad2(w.mo)}-${pad2(w.d)}` : new Fail(`${show(v)} is not a date`);
  }
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[ T])/.exec(s);
  if (!m) m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (!m) return new Fail(`${show(v)} is not a date (YYYY-MM-DD, YYYYMMDD, or set dateFormat)`);
  return `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
}

type TimeFormat = NonNullable<DateTimeExpression['dateTime']['timeFormat']>;

function timePart(v: unknown, format: TimeFormat | undefined): string | Fail {
  if (v instanceof Date) {
    if (!Number.isFinite(v.getTime())) return new Fail('(an invalid time) is not a time');
    const ms = v.getUTCMilliseconds();
    return `${pad2(v.getUTCHours())}:${pad2(v.getUTCMinutes())}:${pad2(v.getUTCSeconds())}${ms ? `.${String(ms).padStart(3, '0')}` : ''}`;
  }
  let s: string;
  if (typeof v === 'number' || typeof v === 'bigint') {
    if (typeof v === 'number' && (!Number.isInteger(v) || v < 0)) return new Fail(`${show(v)} is not a time`);
    s = String(v);
    const width = format === 'HHmm' ? 4 : format === 'HHmmss' ? 6 : s.length > 4 ? 6 : 4;
    s = s.padStart(width, '0');
  } else if (typeof v === 'string') s = v.trim();
  else return new Fail(`${show(v)} is not a time`);
  // A datetime holding only a time (placeholder date): take the clock part.
  const dt = /^\d{4}-\d\d-\d\d[ T](.*)$/.exec(s);
  if (dt) s = dt[1].replace(/(Z|[+-]\d\d:?\d\d)$/, '');
  let h: number, mi: number, sec: number;
  let frac = '';
  let m = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*([AaPp][Mm])?$/.exec(s);
  if (m) {
    h = Number(m[1]);
    mi = Number(m[2]);
    sec = Number(m[3] ?? 0);
    frac = (m[4] ?? '').replace(/0+$/, '');
    if (m[5]) {
      if (h < 1 || h > 12) return new Fail(`${show(v)} is not a time`);
      h = (h % 12) + (m[5].toUpperCase() === 'PM' ? 12 : 0);
    }
  } else if ((m = /^(\d{2})(\d{2})(\d{2})?$/.exec(s))) {
    if (format === 'HHmm' && m[3] !== undefined) return new Fail(`${show(v)} is not a time in HHmm`);
    h = Number(m[1]);
    mi = Number(m[2]);
    sec = Number(m[3] ?? 0);
  } else return new Fail(`${show(v)} is not a time (HH:MM[:SS], hh:mm AM, HHMMSS)`);
  if (h > 23 || mi > 59 || sec > 59) return new Fail(`${show(v)} is not a time`);
  return `${pad2(h)}:${pad2(mi)}:${pad2(sec)}${frac ? `.${frac}` : ''}`;
}

export function compileDateTime(spec: DateTimeExpression['dateTime'], where: string, env: CompileEnv): Compiled {
  let parser: WallParser | undefined;
  if (spec.dateFormat !== undefined) {
    try {
      // compileFormat needs YYYY, MM and DD: exactly what a date part has.
      parser = compileFormat(spec.dateFormat);
    } catch (e) {
      throw new TemplateError(`${where}.dateFormat: ${(e as Error).message}`);
    }
  }
  const date = compileExpression(spec.date, `${where}.date`, env);
  const time = spec.time ? compileExpression(spec.time, `${where}.time`, env) : undefined;
  const format = spec.timeFormat;
  return {
    run: (row) => {
      const dv = date.run(row);
      if (dv instanceof Fail) return dv;
      if (isEmpty(dv)) return null;
      const d = datePart(dv, parser);
      if (d instanceof Fail) return d;
      if (!time) return `${d} 00:00:00`;
      const tv = time.run(row);
      if (tv instanceof Fail) return tv;
      if (isEmpty(tv)) return new Fail(`time is empty (the date is ${d})`);
      const t = timePart(tv, format);
      return t instanceof Fail ? t : `${d} ${t}`;
    },
    columns: [...new Set([...date.columns, ...(time?.columns ?? [])])],
    refs: mergeRefs(date.refs, time?.refs ?? []),
  };
}
