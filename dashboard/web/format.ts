// Formatting shared by the pages: times in the browser's (= the daemon's, on loopback) local zone.

/** Local time, with the date only when it is not today. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const sameDay = d.toDateString() === new Date().toDateString();
  return sameDay ? d.toLocaleTimeString() : d.toLocaleString();
}

// 24-hour time: compact in tables and never ambiguous in a report.
const TIME_PARTS = { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'short' } as const;
const STAMP = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', ...TIME_PARTS });
const STAMP_YEAR = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', ...TIME_PARTS });
const TIME_ONLY = new Intl.DateTimeFormat(undefined, TIME_PARTS);

/** Date, time and zone (docs/design.md §4: run times in local time with the zone); the year only when not this year. */
export function formatStamp(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return (d.getFullYear() === new Date().getFullYear() ? STAMP : STAMP_YEAR).format(d);
}

/** An end time: only the time (with the zone) when it is the same day as the start. */
export function formatEnd(startIso: string, endIso: string | null): string {
  if (!endIso) return '—';
  const a = new Date(startIso);
  const b = new Date(endIso);
  if (Number.isNaN(b.getTime())) return endIso;
  return a.toDateString() === b.toDateString() ? TIME_ONLY.format(b) : formatStamp(endIso);
}

const CLOCK = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

/** HH:MM:SS in local time, for log lines. */
export function formatClock(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : CLOCK.format(d);
}

export function formatDuration(fromIso: string, toIso: string | null): string {
  if (!toIso) return '';
  const ms = new Date(toIso).getTime() - new Date(fromIso).getTime();
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

export function formatLag(seconds: number | null): string {
  if (seconds === null) return 'unknown';
  if (seconds <= 0) return 'caught up';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

export function formatRate(perSecond: number): string {
  const digits = perSecond > 0 && perSecond < 10 ? 1 : 0;
  return `${perSecond.toFixed(digits)} tickets/s`;
}

export function formatCount(n: number): string {
  return n.toLocaleString();
}
