// Values in rows turned back into text exactly: tedious turns datetime/datetime2 into a JS Date and
// keeps the sub-millisecond part of datetime2 in `nanosecondsDelta`, so every row looks the same
// whatever the driver: ISO text with the column's own precision; binary(8) (rowversion) as 0x hex.
import type { Row } from '../types.js';
import { temporalType } from './dialect.js';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Date (+ tedious' nanosecondsDelta) → ISO text with the column's precision, exactly. */
export function temporalText(d: Date & { nanosecondsDelta?: number }, base: string, scale = 7): string {
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (base === 'date') return date;
  const hms = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  let frac = '';
  if (base === 'datetime') {
    if (d.getUTCMilliseconds()) frac = '.' + pad(d.getUTCMilliseconds(), 3);
  } else if (base !== 'smalldatetime') {
    // 100 ns units within the second: the ms from the Date plus the rest tedious set aside.
    const units = d.getUTCMilliseconds() * 10_000 + Math.round((d.nanosecondsDelta ?? 0) * 1e7);
    const s = Math.max(0, Math.min(7, scale));
    if (units && s) frac = '.' + pad(units, 7).slice(0, s);
  }
  if (base === 'time') return hms + frac;
  return `${date}T${hms}${frac}${base === 'datetimeoffset' ? '+00:00' : ''}`;
}

export interface MssqlColumnMeta {
  type?: { declaration?: string } | ((...a: never[]) => unknown);
  scale?: number;
  length?: number;
}

/** One value as Outpost hands it on: temporal types as exact text, binary(8) (rowversion) as 0x hex. */
export function renderValue(v: unknown, meta: MssqlColumnMeta | undefined): unknown {
  if (v === null || v === undefined) return v ?? null;
  const decl = String((meta?.type as { declaration?: string } | undefined)?.declaration ?? '').toLowerCase();
  if (v instanceof Date) {
    const base = temporalType(decl)?.base ?? 'datetime2';
    return temporalText(v, base, meta?.scale ?? (base === 'datetime2' || base === 'time' || base === 'datetimeoffset' ? 7 : 3));
  }
  if (Buffer.isBuffer(v) && v.length === 8 && (decl === 'binary' || decl === 'timestamp' || decl === 'rowversion' || decl === ''))
    return '0x' + v.toString('hex').toUpperCase();
  return v;
}

export function renderRow(row: Row, columns: Record<string, MssqlColumnMeta> | undefined): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) out[k] = renderValue(v, columns?.[k]);
  return out;
}
