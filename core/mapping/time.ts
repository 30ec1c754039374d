// Plant-local wall-clock times → ISO 8601 instants with the plant zone's offset, without Temporal.
//
// Zone offsets come from Intl.DateTimeFormat (the ICU time-zone database Node ships). The rule for
// local times that do not map to exactly one instant, fixed here and tested:
//  - DST fall-back (the local hour happens twice, e.g. America/Chicago 2026-11-01 01:30): take the
//    EARLIER instant, i.e. the daylight-time offset (01:30-05:00).
//  - DST spring-forward gap (the local time never happens, e.g. 2026-03-08 02:30): shift forward by
//    the gap length, i.e. read it with the offset in force before the gap (02:30 → 03:30-05:00),
//    like Temporal's 'compatible' disambiguation.
//
// Accepted inputs: text 'YYYY-MM-DD HH:MM[:SS[.fff…]]' or with 'T' (plant local time); the same
// with 'Z' or '±HH:MM' (already an instant: shown in the plant zone); text in a template-given
// format (localDateTime.format); JS Date objects, whose UTC fields are taken as the wall clock (a
// driver reading a zone-less column builds the Date as if the wall clock were UTC).
import { WALL_CLOCK } from '../format/time.js';
import { Fail, dateWallText, show } from './values.js';

const MIN_YEAR = 1970;
const MAX_YEAR = 2199;
const DAY = 86_400_000;
const BUCKET = 900_000; // 15 minutes: offsets are cached per bucket when constant across it

/** A wall-clock reading (no zone). `frac` is the fraction-of-second digits, trailing zeros removed. */
export interface Wall {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  frac: string;
}

/** A resolved time: `text` is ISO 8601 with offset (issuedAt), `local` the wall clock (issuedAtLocal). */
export class Zoned {
  constructor(
    readonly text: string,
    readonly local: string,
  ) {}
}

const pad2 = (n: number) => (n < 10 ? '0' : '') + n;
const pad4 = (n: number) => String(n).padStart(4, '0');

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in month `mo` (1–12) of year `y` by Date.UTC's calendar, which reads years 0–99 as 1900–1999. */
function daysInMonth(y: number, mo: number): number {
  if (mo !== 2) return MONTH_DAYS[mo - 1];
  const yy = y >= 0 && y <= 99 ? 1900 + y : y;
  return (yy % 4 === 0 && yy % 100 !== 0) || yy % 400 === 0 ? 29 : 28;
}

/** Checks the ranges; returns null when fine, or the Fail fragment. */
function checkWall(w: Wall, raw: unknown): Fail | null {
  if (w.mo < 1 || w.mo > 12 || w.d < 1 || w.d > daysInMonth(w.y, w.mo) || w.h > 23 || w.mi > 59 || w.s > 59) {
    return new Fail(`${show(raw)} is not a date`);
  }
  if (w.y < MIN_YEAR || w.y > MAX_YEAR) return new Fail(`${show(raw)} is not a plausible date (year ${w.y})`);
  return null;
}

function wallMs(w: Wall): number {
  const t = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s);
  // Date.UTC maps years 0–99 to 1900–1999; our range check keeps years ≥ 1970, so no fix-up needed.
  return t;
}

const trimFrac = (f: string | undefined) => (f ? f.replace(/0+$/, '') : '');

export const IANA_NAME = /^(UTC|GMT|[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)+)$/;

/** One IANA zone: validated on construction, offsets cached. */
export class TimeZone {
  private readonly fmt: Intl.DateTimeFormat;
  private readonly cache = new Map<number, number>();
  /** Per 15-minute bucket of wall-clock time: the offset that resolves all of it plainly (plainOffset), or NaN. */
  private readonly wallCache = new Map<number, number>();
  private suffixOffset = NaN;
  private suffixText = '';

  constructor(readonly name: string) {
    if (typeof name !== 'string' || !IANA_NAME.test(name)) {
      throw new Error(`timezone ${JSON.stringify(String(name))} is not an IANA time zone name (e.g. America/Chicago)`);
    }
    try {
      this.fmt = new Intl.DateTimeFormat('en-US', { ...WALL_CLOCK, timeZone: name });
    } catch {
      throw new Error(`timezone ${JSON.stringify(name)} is not a known IANA time zone (e.g. America/Chicago)`);
    }
  }

  /** Offset (ms, local − UTC) in force at instant `t`, straight from ICU. */
  private rawOffset(t: number): number {
    const m = /^(\d+)\/(\d+)\/(\d+),? (\d+):(\d+):(\d+)/.exec(this.fmt.format(t));
    if (!m) throw new Error(`cannot read the time in ${this.name}`);
    const local = Date.UTC(+m[3], +m[1] - 1, +m[2], +m[4] % 24, +m[5], +m[6]);
    return local - Math.floor(t / 1000) * 1000;
  }

  /** The offset over the whole 15-minute bucket `b` of instants when constant across it, else NaN. */
  private bucketOffset(b: number): number {
    let o = this.cache.get(b);
    if (o === undefined) {
      const start = this.rawOffset(b * BUCKET);
      o = start === this.rawOffset(b * BUCKET + BUCKET - 1000) ? start : NaN;
      if (this.cache.size >= 50_000) this.cache.clear();
      this.cache.set(b, o);
    }
    return o;
  }

  /** Offset at instant `t`, cached per 15-minute bucket when constant over the whole bucket. */
  offsetAt(t: number): number {
    const o = this.bucketOffset(Math.floor(t / BUCKET));
    return Number.isNaN(o) ? this.rawOffset(t) : o;
  }

  /**
   * For wall-clock time W (wallMs): the offset o such that instantOf gives W − o and render shows
   * W again with offset o, for every wall time of W's 15-minute bucket — or NaN when the bucket is
   * not that plain (a DST change within a day of it, an offset with seconds). Cached per bucket, so
   * the usual row costs one lookup instead of instantOf's three or four and render's Date.
   */
  private plainOffset(W: number): number {
    const b = Math.floor(W / BUCKET);
    let o = this.wallCache.get(b);
    if (o === undefined) {
      o = this.plainBucket(b);
      if (this.wallCache.size >= 50_000) this.wallCache.clear();
      this.wallCache.set(b, o);
    }
    return o;
  }

  private plainBucket(b: number): number {
    // instantOf reads the offsets a day before and after W: buckets b ∓ 96 (a day is 96 buckets).
    const o = this.bucketOffset(b - DAY / BUCKET);
    if (Number.isNaN(o) || o % 60_000 !== 0 || this.bucketOffset(b + DAY / BUCKET) !== o) return NaN;
    // The one candidate W − o must have offset o for every W of the bucket.
    const first = b * BUCKET - o;
    const last = first + BUCKET - 1;
    for (let k = Math.floor(first / BUCKET); k <= Math.floor(last / BUCKET); k++) if (this.bucketOffset(k) !== o) return NaN;
    return o;
  }

  /** '±HH:MM' for an offset in whole minutes (the last one asked is kept). */
  private suffix(off: number): string {
    if (off !== this.suffixOffset) {
      const a = Math.abs(off) / 60_000;
      this.suffixText = `${off < 0 ? '-' : '+'}${pad2(Math.floor(a / 60))}:${pad2(a % 60)}`;
      this.suffixOffset = off;
    }
    return this.suffixText;
  }

  /** The instant of a local wall-clock time, by the fall-back/gap rule at the top of this file. */
  instantOf(w: Wall): number {
    const W = wallMs(w);
    const before = this.offsetAt(W - DAY);
    const after = this.offsetAt(W + DAY);
    let best: number | undefined;
    for (const o of before === after ? [before] : [before, after]) {
      const t = W - o;
      if (this.offsetAt(t) === o && (best === undefined || t < best)) best = t;
    }
    // No candidate fits: a spring-forward gap. The offset before the gap moves the time forward by the gap.
    return best ?? W - before;
  }

  /** Renders an instant in this zone. */
  render(t: number, frac: string): Zoned {
    const off = this.offsetAt(t);
    const d = new Date(t + off);
    const local =
      `${pad4(d.getUTCFullYear())}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}` +
      `T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
    const f = frac ? `.${frac}` : '';
    if (off % 60_000 !== 0) {
      // Local mean time offsets with seconds (pre-1972 in a few zones) cannot be written as ±HH:MM: use UTC.
      return new Zoned(new Date(t).toISOString().slice(0, 19) + f + 'Z', local);
    }
    return new Zoned(`${local}${f}${this.suffix(off)}`, local);
  }

  resolveWall(w: Wall, raw: unknown): Zoned | Fail {
    const bad = checkWall(w, raw);
    if (bad) return bad;
    const o = this.plainOffset(wallMs(w));
    if (Number.isNaN(o)) return this.render(this.instantOf(w), w.frac);
    // What render(W − o) gives: the wall clock itself (checkWall kept it a real time, year 1970–2199).
    const local = `${w.y}-${pad2(w.mo)}-${pad2(w.d)}T${pad2(w.h)}:${pad2(w.mi)}:${pad2(w.s)}`;
    return new Zoned(`${local}${w.frac ? `.${w.frac}` : ''}${this.suffix(o)}`, local);
  }
}

// 'YYYY-MM-DD HH:MM[:SS[.fff…]]' or with 'T', optionally followed by 'Z' or an offset.
const DEFAULT_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Two ASCII digits at s[i], s[i + 1] as a number; -1 when they are not digits. */
function digits2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** 'YYYY-MM-DD HH:MM:SS' (or with T), the form most sources give, read without the RegExp; null for anything else. */
function parsePlain(s: string): Wall | null {
  if (s.length !== 19 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58)
    return null;
  const sep = s.charCodeAt(10);
  if (sep !== 32 && sep !== 84 && sep !== 116) return null; // ' ', 'T', 't' (DEFAULT_RE is case-insensitive)
  const y1 = digits2(s, 0);
  const y2 = digits2(s, 2);
  const mo = digits2(s, 5);
  const d = digits2(s, 8);
  const h = digits2(s, 11);
  const mi = digits2(s, 14);
  const sec = digits2(s, 17);
  if (y1 < 0 || y2 < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0) return null;
  return { y: y1 * 100 + y2, mo, d, h, mi, s: sec, frac: '' };
}

/** Parses text in the default formats. Returns a Wall, or an instant when the text carries an offset. */
function parseDefault(s: string): { wall: Wall; offsetMin: number | null } | null {
  const plain = parsePlain(s);
  if (plain) return { wall: plain, offsetMin: null };
  const m = DEFAULT_RE.exec(s);
  if (!m) return null;
  const wall: Wall = { y: +m[1], mo: +m[2], d: +m[3], h: +m[4], mi: +m[5], s: m[6] ? +m[6] : 0, frac: trimFrac(m[7]) };
  let offsetMin: number | null = null;
  if (m[8]) {
    if (m[8].toUpperCase() === 'Z') offsetMin = 0;
    else {
      const sign = m[8][0] === '-' ? -1 : 1;
      const digits = m[8].slice(1).replace(':', '');
      const hh = +digits.slice(0, 2);
      const mm = digits.length > 2 ? +digits.slice(2) : 0;
      if (hh > 23 || mm > 59) return null;
      offsetMin = sign * (hh * 60 + mm);
    }
  }
  return { wall, offsetMin };
}

export type WallParser = (s: string) => Wall | null;

/**
 * Compiles a localDateTime format such as 'MM/DD/YYYY hh:mm A' into a parser. Tokens: YYYY, MM/M,
 * DD/D, HH/H (0–23), hh/h (1–12, needs A), mm/m, ss/s, S… (fraction digits), A or a (AM/PM);
 * 'quoted text' is literal; whitespace matches any run of whitespace; other characters are literal.
 * Two-letter tokens need two digits, one-letter tokens take one or two. Throws on a bad format.
 */
export function compileFormat(format: string): WallParser {
  const groups: string[] = [];
  let re = '^';
  for (let i = 0; i < format.length;) {
    const c = format[i];
    if (c === "'") {
      const end = format.indexOf("'", i + 1);
      if (end < 0) throw new Error(`format ${JSON.stringify(format)} has an unclosed quote`);
      re += escapeRe(format.slice(i + 1, end));
      i = end + 1;
    } else if (/\s/.test(c)) {
      while (i < format.length && /\s/.test(format[i])) i++;
      re += '\\s+';
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (j < format.length && format[j] === c) j++;
      const run = format.slice(i, j);
      const tok = TOKENS[run] ?? (/^S{1,9}$/.test(run) ? { g: 'frac', re: '(\\d{1,9})' } : undefined);
      if (!tok) {
        throw new Error(
          `format token ${JSON.stringify(run)} is not supported (use YYYY, MM, M, DD, D, HH, H, hh, h, mm, ss, SSS, A; quote literal letters like 'T')`,
        );
      }
      if (groups.includes(tok.g)) throw new Error(`format ${JSON.stringify(format)} has ${run} twice`);
      groups.push(tok.g);
      re += tok.re;
      i = j;
    } else {
      re += escapeRe(c);
      i++;
    }
  }
  re += '$';
  for (const need of ['y', 'mo', 'd']) {
    if (!groups.includes(need)) throw new Error(`format ${JSON.stringify(format)} needs YYYY, MM and DD`);
  }
  if (groups.includes('h12') !== groups.includes('ampm')) {
    throw new Error(`format ${JSON.stringify(format)}: hh (12-hour) and A (AM/PM) go together; use HH for 24-hour time`);
  }
  if (groups.includes('h12') && groups.includes('h')) throw new Error(`format ${JSON.stringify(format)} has two hours`);
  const rx = new RegExp(re, 'i');
  return (s) => {
    const m = rx.exec(s);
    if (!m) return null;
    const get = (g: string) => {
      const k = groups.indexOf(g);
      return k < 0 ? undefined : m[k + 1];
    };
    let h = Number(get('h') ?? 0);
    const h12 = get('h12');
    if (h12 !== undefined) {
      h = Number(h12);
      if (h < 1 || h > 12) return null;
      const pm = get('ampm')!.toUpperCase() === 'PM';
      h = (h % 12) + (pm ? 12 : 0);
    }
    return {
      y: Number(get('y')),
      mo: Number(get('mo')),
      d: Number(get('d')),
      h,
      mi: Number(get('mi') ?? 0),
      s: Number(get('s') ?? 0),
      frac: trimFrac(get('frac')),
    };
  };
}

const TOKENS: Record<string, { g: string; re: string }> = {
  YYYY: { g: 'y', re: '(\\d{4})' },
  MM: { g: 'mo', re: '(\\d{2})' },
  M: { g: 'mo', re: '(\\d{1,2})' },
  DD: { g: 'd', re: '(\\d{2})' },
  D: { g: 'd', re: '(\\d{1,2})' },
  HH: { g: 'h', re: '(\\d{2})' },
  H: { g: 'h', re: '(\\d{1,2})' },
  hh: { g: 'h12', re: '(\\d{2})' },
  h: { g: 'h12', re: '(\\d{1,2})' },
  mm: { g: 'mi', re: '(\\d{2})' },
  m: { g: 'mi', re: '(\\d{1,2})' },
  ss: { g: 's', re: '(\\d{2})' },
  s: { g: 's', re: '(\\d{1,2})' },
  A: { g: 'ampm', re: '(AM|PM)' },
  a: { g: 'ampm', re: '(AM|PM)' },
};

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Any cell value → a Zoned time in `zone`, or a Fail fragment; empty → null. `parser` is a template
 * format; without one the default formats apply. Zoned values pass through.
 */
export function toZoned(v: unknown, zone: TimeZone, parser?: WallParser): Zoned | Fail | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Zoned || v instanceof Fail) return v;
  let s: string;
  if (typeof v === 'string') s = v.trim();
  else if (v instanceof Date) {
    const text = dateWallText(v, 'T');
    if (text === null) return new Fail('Invalid Date is not a date');
    s = text;
    parser = undefined;
  } else return new Fail(`${show(v)} is not a date`);
  if (s === '') return null;
  if (s.length > 64) return new Fail(`${show(v)} is not a date`);
  if (parser) {
    const w = parser(s);
    return w ? zone.resolveWall(w, v) : new Fail(`${show(v)} is not a date`);
  }
  const p = parseDefault(s);
  if (!p) return new Fail(`${show(v)} is not a date`);
  if (p.offsetMin === null) return zone.resolveWall(p.wall, v);
  // An instant already: check the text, then show it in the plant zone.
  const bad = checkWall(p.wall, v);
  if (bad) return bad;
  const t = wallMs(p.wall) - p.offsetMin * 60_000;
  const z = zone.render(t, p.wall.frac);
  const y = Number(z.local.slice(0, 4));
  if (y < MIN_YEAR || y > MAX_YEAR) return new Fail(`${show(v)} is not a plausible date (year ${y})`);
  return z;
}
