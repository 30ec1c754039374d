// Unit conversion with exact factors. Each unit is an integer count of a small base unit
// (mass: 1e-8 kg, volume: 1e-12 m³), so every ratio is a ratio of integers that we reduce once:
// LBR→STN is exactly ×1/2000, LBR→KGM ×45359237/1e8 (1 lb = 0.45359237 kg by definition),
// YDQ→MTQ ×0.764554857984 (1 yd = 0.9144 m). Results are then rounded to the unit's sensible precision.
import { Fail } from './values.js';

export const CONVERTIBLE_UNITS = ['LBR', 'STN', 'TNE', 'KGM', 'MTQ', 'YDQ'] as const;
export type ConvertibleUnit = (typeof CONVERTIBLE_UNITS)[number];

const BASE: Record<ConvertibleUnit, { dim: 'mass' | 'volume'; n: number }> = {
  LBR: { dim: 'mass', n: 45_359_237 },
  KGM: { dim: 'mass', n: 100_000_000 },
  TNE: { dim: 'mass', n: 100_000_000_000 },
  STN: { dim: 'mass', n: 90_718_474_000 }, // 2000 × LBR
  MTQ: { dim: 'volume', n: 1_000_000_000_000 },
  YDQ: { dim: 'volume', n: 764_554_857_984 },
};

/** Decimals kept after a conversion: 0.01 lb/kg, 0.0001 t (0.2 lb), 0.0001 m³/yd³. */
const DECIMALS: Record<ConvertibleUnit, number> = { LBR: 2, KGM: 2, STN: 4, TNE: 4, MTQ: 4, YDQ: 4 };

export function isConvertible(code: string): code is ConvertibleUnit {
  return Object.hasOwn(BASE, code);
}

export function sameDimension(a: ConvertibleUnit, b: ConvertibleUnit): boolean {
  return BASE[a].dim === BASE[b].dim;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Rounds to `d` decimals by the decimal value the number was written as (1.005 → 1.01, not 1.00). */
export function roundTo(v: number, d: number): number {
  if (!Number.isFinite(v) || v === 0) return v === 0 ? 0 : v;
  // Already the double nearest to a d-decimal number (the usual case): nothing to round.
  const p = 10 ** d;
  if (Math.abs(v) < 1e9 && Math.round(v * p) / p === v) return v;
  // Drop binary noise such as 22.680000000000003 (15 significant digits keep every wanted decimal below 1e10).
  const clean = Math.abs(v) < 1e10 ? Number(v.toPrecision(15)) : v;
  const [m, e] = clean.toExponential().split('e');
  const shifted = Number(`${m}e${Number(e) + d}`);
  if (Math.abs(shifted) >= Number.MAX_SAFE_INTEGER) return clean;
  const r = Math.round(Math.abs(shifted));
  if (r === 0) return 0;
  return Math.sign(shifted) * Number(`${r}e-${d}`);
}

/** A converter from one unit to another; a Fail fragment when the units measure different things. */
export function converter(from: ConvertibleUnit, to: ConvertibleUnit): ((v: number) => number) | Fail {
  if (from === to) return (v) => v;
  if (BASE[from].dim !== BASE[to].dim) return new Fail(`unit ${from} cannot be converted to ${to}`, 'unit');
  const g = gcd(BASE[from].n, BASE[to].n);
  const num = BASE[from].n / g;
  const den = BASE[to].n / g;
  const d = DECIMALS[to];
  return num === 1 ? (v) => roundTo(v / den, d) : (v) => roundTo((v * num) / den, d);
}

const cache = new Map<string, ((v: number) => number) | Fail>();
export function convert(v: number, from: ConvertibleUnit, to: ConvertibleUnit): number | Fail {
  const k = from + to;
  let c = cache.get(k);
  if (!c) cache.set(k, (c = converter(from, to)));
  return c instanceof Fail ? c : c(v);
}
