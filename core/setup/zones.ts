// The plant's time zone: ticket times in scale-house databases are wall-clock times without an
// offset, read as local time in this zone. Suggested from the database's own setting when it names
// a real IANA zone (not UTC: servers often run UTC while the plant does not), else this machine's
// zone; chosen from the full IANA list (searchable); shown on a sample time before it is saved.
import { TimeZone, toZoned, Zoned } from '../mapping/time.js';
import type { SourceAdapter } from '../sources/types.js';

/** Every IANA zone this Node knows, plus UTC. */
export function allZones(): string[] {
  const list = Intl.supportedValuesOf('timeZone');
  return list.includes('UTC') ? list : ['UTC', ...list];
}

export function isZone(name: string | null | undefined): name is string {
  if (!name) return false;
  try {
    new TimeZone(name);
    return true;
  } catch {
    return false;
  }
}

const isUtc = (z: string) => /^(Etc\/)?(UTC|GMT|UCT|Universal|Zulu)$/i.test(z);

/** Zones whose name contains every typed word (case-insensitive; "chicago", "new york", "europe/ber"). */
export function searchZones(query: string, zones: string[] = allZones()): string[] {
  const words = query
    .toLowerCase()
    .replace(/_/g, ' ')
    .split(/[\s/]+/)
    .filter(Boolean);
  if (words.length === 0) return zones;
  return zones.filter((z) => {
    const name = z.toLowerCase().replace(/_/g, ' ');
    return words.every((w) => name.includes(w));
  });
}

/** The machine's zone. */
export function machineZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** The database's time zone setting as an IANA name, or null (unknown, not IANA, or not readable). */
export async function databaseZone(src: SourceAdapter): Promise<string | null> {
  const sql: Partial<Record<string, string>> = {
    postgres: "SELECT current_setting('TimeZone') AS tz",
    mysql: "SELECT IF(@@session.time_zone = 'SYSTEM', @@system_time_zone, @@session.time_zone) AS tz",
  };
  const q = sql[src.driver];
  if (!q) return null;
  try {
    const [row] = await src.query(q);
    const tz = row ? String(Object.values(row)[0] ?? '') : '';
    return isZone(tz) ? tz : null;
  } catch {
    return null;
  }
}

export interface ZoneSuggestion {
  zone: string;
  from: 'database' | 'machine' | 'draft';
  why: string;
}

export function suggestZone(opts: { draft?: string; database?: string | null; machine?: string }): ZoneSuggestion {
  if (isZone(opts.draft)) return { zone: opts.draft, from: 'draft', why: 'the zone chosen before' };
  const machine = opts.machine ?? machineZone();
  if (isZone(opts.database) && !isUtc(opts.database))
    return { zone: opts.database, from: 'database', why: `the database's time zone setting is ${opts.database}` };
  if (isZone(machine) && !isUtc(machine)) return { zone: machine, from: 'machine', why: `this machine's time zone is ${machine}` };
  if (isZone(opts.database))
    return { zone: opts.database, from: 'database', why: `the database runs on ${opts.database}; check that the plant really does` };
  return { zone: 'UTC', from: 'machine', why: 'this machine runs on UTC; check that the plant really does' };
}

/** A stored wall-clock time as it will be sent: "2026-11-02 08:15 → 2026-11-02T08:15:00-06:00 (14:15 UTC)". */
export function zoneExample(value: unknown, zone: string): string | null {
  let z: TimeZone;
  try {
    z = new TimeZone(zone);
  } catch {
    return null;
  }
  const r = toZoned(value, z);
  if (!(r instanceof Zoned)) return null;
  const utc = new Date(r.text).toISOString().slice(11, 16);
  return `${r.local.replace('T', ' ').slice(0, 16)} → ${r.text} (${utc} UTC)`;
}

/** Offset now, for the list ("UTC-06:00"). */
export function offsetNow(zone: string, at = Date.now()): string {
  try {
    const off = new TimeZone(zone).offsetAt(at) / 60_000;
    const a = Math.abs(off);
    return `UTC${off < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
  } catch {
    return '';
  }
}
