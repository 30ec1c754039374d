// Formatting shared by the pages: the one time format of core/format/time.ts (plant-local date
// and time with the zone abbreviation), in the plant's zone as the server says it (/api/session).
import { formatClockTime, formatDateTime, formatEndTime, formatSeconds, formatSpan } from '../../core/format/time.js';

let plantZone: string | undefined;

/** Set once the session says which zone the plant is in. */
export function setPlantZone(tz: string | undefined): void {
  plantZone = tz;
}

export function getPlantZone(): string | undefined {
  return plantZone;
}

/** "Dec 1, 2026 08:03:39 CST". */
export function formatStamp(iso: string | null | undefined): string {
  return formatDateTime(iso ?? null, { timeZone: plantZone });
}

/** The same format everywhere: kept as an alias for older call sites. */
export const formatTime = formatStamp;

/** An end time: only the clock (with the zone) when it is the same plant day as the start. */
export function formatEnd(startIso: string, endIso: string | null): string {
  return formatEndTime(startIso, endIso, { timeZone: plantZone });
}

/** "08:00–08:42 CST" with the date once. */
export function formatRange(fromIso: string, toIso: string): string {
  return formatSpan(fromIso, toIso, { timeZone: plantZone });
}

/** HH:MM:SS with the zone, for log lines. */
export function formatClock(iso: string): string {
  return formatClockTime(iso, { timeZone: plantZone });
}

export function formatDuration(fromIso: string, toIso: string | null): string {
  if (!toIso) return '';
  const ms = new Date(toIso).getTime() - new Date(fromIso).getTime();
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${ms} ms`;
  return formatSeconds(ms / 1000);
}

/** Lag in words; null = the change mode cannot know it. */
export function formatLag(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return 'unknown';
  if (seconds <= 0) return 'none';
  return formatSeconds(seconds);
}

export function formatRate(perSecond: number): string {
  const perMinute = perSecond * 60;
  const digits = perMinute > 0 && perMinute < 10 ? 1 : 0;
  return `${perMinute.toFixed(digits)} tickets/min`;
}

export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? 'unknown' : n.toLocaleString('en-US');
}
