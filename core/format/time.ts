// One time format for every place a person reads a time (dashboard, CLI, review exports): the
// plant's local date and time with the zone's abbreviation, 24-hour clock, e.g.
// "Dec 1, 2026 08:03:39 CST". Machines get ISO 8601 instead (`--json`, API answers); this module
// never changes what is stored, only what is shown (docs/design.md, dashboard rules).
//
// Pure Intl: used by core, the CLI and the dashboard page bundle alike.

export interface TimeFormatOptions {
  /** IANA zone of the plant (profile `change.timezone`); default: the host's zone. */
  timeZone?: string;
  /** Seconds on the clock (default true). */
  seconds?: boolean;
}

const cache = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string | undefined, seconds: boolean): Intl.DateTimeFormat {
  const key = `${timeZone ?? ''}|${seconds}`;
  let f = cache.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        year: 'numeric',
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        ...(seconds ? { second: '2-digit' } : {}),
        hourCycle: 'h23',
        timeZoneName: 'short',
      });
    } catch {
      // An unknown zone name: the host's zone, rather than no time at all.
      f = formatter(undefined, seconds);
    }
    cache.set(key, f);
  }
  return f;
}

interface Parts {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
  zone: string;
  /** Calendar day in the zone, for "same day" checks. */
  ymd: string;
}

function parts(d: Date, opts: TimeFormatOptions): Parts {
  const p: Record<string, string> = {};
  for (const x of formatter(opts.timeZone, opts.seconds !== false).formatToParts(d)) p[x.type] = x.value;
  return {
    year: p.year ?? '',
    month: p.month ?? '',
    day: p.day ?? '',
    hour: p.hour === '24' ? '00' : (p.hour ?? ''),
    minute: p.minute ?? '',
    second: p.second ?? '',
    zone: p.timeZoneName ?? '',
    ymd: `${p.year}-${p.month}-${p.day}`,
  };
}

function toDate(value: string | number | Date | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

function clock(p: Parts, seconds: boolean): string {
  return seconds ? `${p.hour}:${p.minute}:${p.second}` : `${p.hour}:${p.minute}`;
}

/** "Dec 1, 2026 08:03:39 CST"; `fallback` (default "—") for no time, the input itself when unreadable. */
export function formatDateTime(value: string | number | Date | null | undefined, opts: TimeFormatOptions = {}, fallback = '—'): string {
  const d = toDate(value);
  if (!d) return value === null || value === undefined || value === '' ? fallback : String(value);
  const p = parts(d, opts);
  return `${p.month} ${p.day}, ${p.year} ${clock(p, opts.seconds !== false)} ${p.zone}`.trim();
}

/** "08:03:39 CST": the clock with its zone (for a time on a day already shown). */
export function formatClockTime(value: string | number | Date | null | undefined, opts: TimeFormatOptions = {}, fallback = '—'): string {
  const d = toDate(value);
  if (!d) return value === null || value === undefined || value === '' ? fallback : String(value);
  const p = parts(d, opts);
  return `${clock(p, opts.seconds !== false)} ${p.zone}`.trim();
}

/** An end (or any second) time: only the clock when it falls on the same plant day as `start`. */
export function formatEndTime(
  start: string | number | Date | null | undefined,
  end: string | number | Date | null | undefined,
  opts: TimeFormatOptions = {},
  fallback = '—',
): string {
  const a = toDate(start);
  const b = toDate(end);
  if (!b) return formatDateTime(end, opts, fallback);
  if (a && sameDay(a, b, opts)) return formatClockTime(b, opts);
  return formatDateTime(b, opts);
}

/** A span "Dec 1, 2026 08:00–08:42 CST" (the date once when both ends are on one plant day). */
export function formatSpan(start: string | number | Date, end: string | number | Date, opts: TimeFormatOptions = {}): string {
  const a = toDate(start);
  const b = toDate(end);
  if (!a || !b) return formatDateTime(a ?? b, opts);
  const seconds = opts.seconds === true;
  const pa = parts(a, { ...opts, seconds });
  const pb = parts(b, { ...opts, seconds });
  if (pa.ymd === pb.ymd) {
    const ends =
      pa.zone === pb.zone
        ? `${clock(pa, seconds)}–${clock(pb, seconds)} ${pb.zone}`
        : `${clock(pa, seconds)} ${pa.zone}–${clock(pb, seconds)} ${pb.zone}`;
    return `${pa.month} ${pa.day}, ${pa.year} ${ends}`;
  }
  return `${formatDateTime(a, { ...opts, seconds })} – ${formatDateTime(b, { ...opts, seconds })}`;
}

export function sameDay(a: Date, b: Date, opts: TimeFormatOptions = {}): boolean {
  return parts(a, opts).ymd === parts(b, opts).ymd;
}

/** The plant's calendar date of an instant, "2026-12-01" (for date filters and reconcile days). */
export function plantDate(value: string | number | Date, timeZone?: string): string {
  const d = toDate(value);
  if (!d) return '';
  const p: Record<string, string> = {};
  for (const x of new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(d))
    p[x.type] = x.value;
  return `${p.year}-${p.month}-${p.day}`;
}

/** The zone's abbreviation at an instant ("CST", "CDT"; "GMT+1" where there is no common one). */
export function zoneAbbreviation(timeZone?: string, at: Date = new Date()): string {
  return parts(at, { timeZone }).zone;
}

/** The host's IANA zone (the default plant zone when a profile names none). */
export function hostTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** A duration in words a person reads: "42 s", "3 min 5 s", "2 h 10 min", "1 d 4 h". */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/** A zone's wall clock as numbers (en-US order M/D/Y, 24 h): what an offset is read from. */
export const WALL_CLOCK: Intl.DateTimeFormatOptions = {
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
};

/** Offset of the zone from UTC at an instant, in minutes (east positive). */
function offsetMinutes(ms: number, timeZone?: string): number {
  const p: Record<string, string> = {};
  for (const x of new Intl.DateTimeFormat('en-US', { ...WALL_CLOCK, timeZone }).formatToParts(new Date(ms))) p[x.type] = x.value;
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour) % 24, Number(p.minute), Number(p.second));
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** The instant (ISO) the plant day "YYYY-MM-DD" starts in the zone: midnight there. */
export function startOfPlantDay(date: string, timeZone?: string): string {
  const [y, m, d] = date.split('-').map(Number);
  const guess = Date.UTC(y, m - 1, d);
  let t = guess - offsetMinutes(guess, timeZone) * 60_000;
  // Once more with the offset at the found instant (a DST change near midnight).
  t = guess - offsetMinutes(t, timeZone) * 60_000;
  return new Date(t).toISOString();
}

/** The plant day after "YYYY-MM-DD". */
export function nextDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}
