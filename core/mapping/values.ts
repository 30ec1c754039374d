// Row values as the compiled expressions see them, and the few coercions every transform shares.
// Nothing here throws on odd input: a value that cannot be used becomes a Fail carrying the end of a
// plain sentence ("abc is not a number"); the leaf that owns it prefixes its label ("net weight").

/** A value that could not be used, with the end of the sentence saying why. */
export class Fail {
  constructor(
    readonly reason: string,
    /** The part of the field the reason is about ("unit"), so one field is not reported twice. */
    readonly about?: string,
  ) {}
}

/** Empty is `null`/`undefined`, or text that is only whitespace. */
export function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'string') return v.length === 0 || v.trim().length === 0;
  return false;
}

// C0 controls except tab, newline and carriage return, plus DEL: never meaningful in a ticket field
// and a hazard downstream (NUL bytes, terminal escapes).
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
const HAS_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** Cleans text for output: drops control characters, replaces lone surrogates, trims. */
export function cleanText(s: string): string {
  // Most fields are short printable ASCII: no controls, no surrogates, and the only character trim
  // could drop is a space at either end. One pass over the codes settles it without the RegExp.
  const n = s.length;
  if (n > 0 && n <= 256) {
    let i = 0;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e) break;
      i++;
    }
    if (i === n) return s.charCodeAt(0) === 0x20 || s.charCodeAt(n - 1) === 0x20 ? s.trim() : s;
  }
  if (HAS_CONTROL.test(s)) s = s.replace(CONTROL, '');
  if (!s.isWellFormed()) s = s.toWellFormed();
  return s.trim();
}

const pad2 = (n: number) => (n < 10 ? '0' : '') + n;

/**
 * A JS Date from a driver for a zone-less column holds the wall clock as if it were UTC (mssql with
 * useUTC, better-sqlite3 never makes Dates): its UTC fields ARE the plant's wall clock.
 */
export function dateWallText(d: Date, sep = ' '): string | null {
  const t = d.getTime();
  if (!Number.isFinite(t)) return null;
  const y = d.getUTCFullYear();
  if (y < 0 || y > 9999) return null;
  const ms = d.getUTCMilliseconds();
  return (
    `${String(y).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}${sep}` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}` +
    (ms ? `.${String(ms).padStart(3, '0')}` : '')
  );
}

/** Something with a text form of its own (a zoned date-time made by localDateTime). */
export interface HasText {
  readonly text: string;
}
export function hasText(v: unknown): v is HasText {
  return typeof v === 'object' && v !== null && typeof (v as HasText).text === 'string' && !(v instanceof Fail);
}

/** The text form of a value, or a Fail when it has none (binary, objects, NaN). Empty input → null. */
export function toText(v: unknown): string | Fail | null {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return Number.isFinite(v) ? String(v) : new Fail(`${String(v)} is not a usable value`);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      if (v instanceof Fail) return v;
      if (v instanceof Date) return dateWallText(v) ?? new Fail('(an invalid date) is not usable');
      if (hasText(v)) return v.text;
      if (v instanceof Uint8Array) return new Fail('(binary data) is not text');
      return new Fail('(an object) is not text');
    default:
      return new Fail(`(a ${typeof v}) is not text`);
  }
}

/** A short, safe rendering of a value for a message: never huge, never control characters. */
export function show(v: unknown): string {
  let s: string;
  if (typeof v === 'string') s = v;
  else if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') s = String(v);
  else if (v instanceof Date) s = dateWallText(v) ?? 'Invalid Date';
  else if (hasText(v)) s = v.text;
  else if (v instanceof Uint8Array) s = '(binary data)';
  else if (v === null || v === undefined) s = '(empty)';
  else s = `(${typeof v === 'object' ? 'an object' : `a ${typeof v}`})`;
  if (s.length > 60) s = s.slice(0, 40);
  s = s
    .replace(/[\u0000-\u001F\u007F]/g, ' ')
    .toWellFormed()
    .trim();
  return s.length > 40 ? `${s.slice(0, 40)}…` : s === '' ? '(blank)' : s;
}

const PLAIN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const GROUPED = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/;
const GROUPED_EU = /^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$/;
const PLAIN_EU = /^[+-]?(\d+,?\d*|,\d+)$/;
const SPACES = /[\s\u00A0\u2009\u202F']/g;

/**
 * A number from a cell: numbers as-is, text parsed strictly ("1,234.5"; with decimalComma
 * "1.234,5"), never hex, never NaN/Infinity. Empty → null.
 */
export function toNumber(v: unknown, decimalComma = false): number | Fail | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : new Fail(`${String(v)} is not a number`);
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Fail) return v;
  if (typeof v !== 'string') return new Fail(`${show(v)} is not a number`);
  let s = v.trim();
  if (s === '') return null;
  if (s.length > 64) return new Fail(`${show(v)} is not a number`);
  // Space, no-break space, thin space and apostrophe group digits in some locales.
  if (/\d[\s\u00A0\u2009\u202F']\d/.test(s)) s = s.replace(SPACES, '');
  let n: number;
  if (decimalComma) {
    if (GROUPED_EU.test(s)) n = Number(s.replace(/\./g, '').replace(',', '.'));
    else if (PLAIN_EU.test(s)) n = Number(s.replace(',', '.'));
    else return new Fail(`${show(v)} is not a number`);
  } else if (PLAIN.test(s)) n = Number(s);
  else if (GROUPED.test(s)) n = Number(s.replace(/,/g, ''));
  else return new Fail(`${show(v)} is not a number`);
  return Number.isFinite(n) ? n : new Fail(`${show(v)} is not a number`);
}
