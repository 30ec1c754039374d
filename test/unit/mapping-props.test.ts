// Property-based tests (fast-check) of the transforms and the revision hash: number parsing (decimal
// comma and grouping included), unit conversions (exact round trips, bounded error, monotonic),
// local time → ISO 8601 with offset (consistent, DST rules), and the revision (independent of key
// order, sensitive to every field that says something about the ticket).
// A failure prints the seed and the counterexample; FC_SEED=<n> replays a run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Fail, toNumber } from '../../core/mapping/values.js';
import { convert, roundTo, type ConvertibleUnit } from '../../core/mapping/units.js';
import { TimeZone, Zoned, toZoned } from '../../core/mapping/time.js';
import { wallClock } from '../../core/demo/plant.js';
import { ETICKET_EXAMPLE, canonicalJson, createMapper, revisionOf, ticketJson, type ETicket } from '../../core/mapping/index.js';

const params = { numRuns: 2000, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) };
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

// ---------------------------------------------------------------------------------------------
// Numbers

test('number: any finite double written by JavaScript parses back to itself', () => {
  fc.assert(
    fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
      const r = toNumber(String(n));
      assert.ok(typeof r === 'number' && r === n, `${String(n)} → ${String(r)}`);
      assert.ok(toNumber(n) === n);
    }),
    params,
  );
});

// Decimal amounts as scale houses write them: up to 12 integer digits, up to 4 decimals.
const amount = fc.record({
  int: fc.integer({ min: 0, max: 999_999_999_999 }),
  frac: fc.integer({ min: 0, max: 9999 }),
  decimals: fc.integer({ min: 0, max: 4 }),
  negative: fc.boolean(),
});
const plainText = (a: { int: number; frac: number; decimals: number; negative: boolean }) =>
  `${a.negative ? '-' : ''}${a.int}${a.decimals ? `.${pad(a.frac % 10 ** a.decimals, a.decimals)}` : ''}`;

test('number: grouped text ("1,234,567.89") and decimal-comma text ("1.234.567,89") give the plain value', () => {
  fc.assert(
    fc.property(amount, (a) => {
      const expected = Number(plainText(a));
      const opts = { minimumFractionDigits: a.decimals, maximumFractionDigits: a.decimals };
      const us = Number(plainText(a)).toLocaleString('en-US', opts);
      const de = Number(plainText(a)).toLocaleString('de-DE', opts);
      assert.equal(toNumber(us), expected, us);
      assert.equal(toNumber(de, true), expected, de);
      assert.equal(toNumber(plainText(a).replace('.', ','), true), expected);
      assert.equal(toNumber(`  ${us}  `), expected, 'surrounding spaces are ignored');
    }),
    params,
  );
});

test('number: text that is not a number is a Fail (never NaN, never a throw)', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.string({ unit: 'binary' }),
        fc.constantFrom('0x1F', '1e400', 'NaN', 'Infinity', '1.2.3', '1,23', '--1', '1 000,5'),
      ),
      fc.boolean(),
      (s, dc) => {
        const r = toNumber(s, dc);
        assert.ok(r === null || r instanceof Fail || (typeof r === 'number' && Number.isFinite(r)));
        if (typeof r === 'number') assert.match(s.trim(), /\d/);
        if (r === null) assert.equal(s.trim(), '');
      },
    ),
    params,
  );
});

// ---------------------------------------------------------------------------------------------
// Units

const withDecimals = (max: number, decimals: number) =>
  fc.integer({ min: 0, max: max * 10 ** decimals }).map((n) => Number((n / 10 ** decimals).toFixed(decimals)));

test('units: STN↔LBR and TNE↔KGM round trips are exact', () => {
  fc.assert(
    fc.property(withDecimals(100_000, 4), (t) => {
      assert.equal(convert(convert(t, 'STN', 'LBR') as number, 'LBR', 'STN'), t);
      assert.equal(convert(convert(t, 'TNE', 'KGM') as number, 'KGM', 'TNE'), t);
      assert.equal(convert(t, 'STN', 'LBR'), roundTo(t * 2000, 2));
    }),
    params,
  );
});

test('units: LBR→STN is the net weight / 2000 rounded to 0.0001, and round trips stay within the rounding', () => {
  // Half the target unit's rounding step, expressed in the source unit, plus half the source's own step.
  const tolerance: Record<string, number> = { 'LBR>STN': 0.105, 'LBR>TNE': 0.12, 'LBR>KGM': 0.017, 'KGM>STN': 0.051, 'KGM>LBR': 0.0073 };
  fc.assert(
    fc.property(
      withDecimals(10_000_000, 2),
      fc.constantFrom<[ConvertibleUnit, ConvertibleUnit]>(['LBR', 'STN'], ['LBR', 'TNE'], ['LBR', 'KGM'], ['KGM', 'STN'], ['KGM', 'LBR']),
      (v, [from, to]) => {
        const there = convert(v, from, to) as number;
        const back = convert(there, to, from) as number;
        assert.ok(Math.abs(back - v) <= tolerance[`${from}>${to}`] + 1e-9, `${v} ${from} → ${there} ${to} → ${back} ${from}`);
        if (from === 'LBR' && to === 'STN') assert.equal(there, roundTo(v / 2000, 4));
      },
    ),
    params,
  );
});

test('units: MTQ↔YDQ round trips within 0.0002 and conversion is monotonic', () => {
  fc.assert(
    fc.property(withDecimals(100_000, 4), withDecimals(100_000, 4), fc.constantFrom<ConvertibleUnit>('MTQ', 'YDQ'), (a, b, from) => {
      const to: ConvertibleUnit = from === 'MTQ' ? 'YDQ' : 'MTQ';
      const back = convert(convert(a, from, to) as number, to, from) as number;
      assert.ok(Math.abs(back - a) <= 0.0002, `${a} ${from} → ${back}`);
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      assert.ok((convert(lo, from, to) as number) <= (convert(hi, from, to) as number));
      assert.ok(convert(a, from, 'LBR') instanceof Fail, 'volume never converts to mass');
    }),
    params,
  );
});

// ---------------------------------------------------------------------------------------------
// Local time → ISO 8601 with offset

const ZONES = [
  'America/Chicago',
  'America/New_York',
  'America/Denver',
  'Europe/Berlin',
  'Australia/Lord_Howe',
  'America/St_Johns',
  'Asia/Kolkata',
  'Pacific/Chatham',
  'UTC',
];
const zones = new Map(ZONES.map((z) => [z, new TimeZone(z)]));
/** The wall clock of instant t in zone z, 'YYYY-MM-DDTHH:MM:SS', straight from ICU (not through core/mapping/time). */
const wallOf = (t: number, z: string): string => wallClock(new Date(t), z).replace(' ', 'T');

const wall = fc.record({
  y: fc.integer({ min: 1990, max: 2099 }),
  mo: fc.integer({ min: 1, max: 12 }),
  d: fc.integer({ min: 1, max: 28 }),
  // Bias towards the hours DST moves (00–03) so gaps and overlaps are hit often.
  h: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 23 })),
  mi: fc.constantFrom(0, 15, 29, 30, 45, 59),
  s: fc.integer({ min: 0, max: 59 }),
});

test('local time: issuedAt and issuedAtLocal agree; the fall-back hour takes the earlier instant; a gap moves forward', () => {
  // Search on the DST transition days too: pick dates near them.
  const transitionDays = fc.constantFrom(
    '2026-03-08',
    '2026-11-01',
    '2026-03-29',
    '2026-10-25',
    '2026-04-05',
    '2026-10-04',
    '2026-03-08',
    '2026-11-01',
  );
  const onTransition = fc
    .tuple(transitionDays, fc.integer({ min: 0, max: 3 }), fc.constantFrom(0, 15, 30, 45, 59), fc.integer({ min: 0, max: 59 }))
    .map(([date, h, mi, s]) => {
      const [y, mo, d] = date.split('-').map(Number);
      return { y, mo, d, h, mi, s };
    });
  fc.assert(
    fc.property(fc.oneof(wall, onTransition), fc.constantFrom(...ZONES), (w, z) => {
      const input = `${w.y}-${pad(w.mo)}-${pad(w.d)}T${pad(w.h)}:${pad(w.mi)}:${pad(w.s)}`;
      const r = toZoned(input.replace('T', ' '), zones.get(z)!);
      assert.ok(r instanceof Zoned, `${input} ${z} → ${r instanceof Fail ? r.reason : String(r)}`);
      assert.match(r.text, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}([+-]\d{2}:\d{2})$/);
      const t = Date.parse(r.text);
      assert.equal(wallOf(t, z), r.local, `${r.text} is ${wallOf(t, z)} in ${z}, not ${r.local}`);
      if (r.local === input) {
        // The earliest instant showing this wall clock: nothing 30, 60 or 120 minutes earlier shows it too.
        for (const back of [30, 60, 120]) assert.notEqual(wallOf(t - back * 60_000, z), input, `${input} ${z}: an earlier instant exists`);
      } else {
        // A spring-forward gap: the input never happens; the result is later by the gap (≤ 2 h).
        const shift = Date.parse(`${r.local}Z`) - Date.parse(`${input}Z`);
        assert.ok(shift > 0 && shift <= 2 * 3_600_000, `${input} ${z} → ${r.local}`);
        for (let m = -180; m <= 180; m += 15)
          assert.notEqual(wallOf(t + m * 60_000, z).slice(0, 16), input.slice(0, 16), `${input} does exist in ${z}`);
      }
      // issuedAt read again (it carries its offset) is the same instant, the same text.
      const again = toZoned(r.text, zones.get(z)!);
      assert.ok(again instanceof Zoned && again.text === r.text && again.local === r.local);
    }),
    { ...params, numRuns: 3000 },
  );
});

test('local time: impossible dates are a Fail with the text, never a throw', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1970, max: 2199 }),
      fc.integer({ min: 0, max: 99 }),
      fc.integer({ min: 0, max: 40 }),
      fc.integer({ min: 0, max: 30 }),
      (y, mo, d, h) => {
        const text = `${y}-${pad(mo)}-${pad(d)} ${pad(h)}:00:00`;
        const r = toZoned(text, zones.get('America/Chicago')!);
        const valid = mo >= 1 && mo <= 12 && d >= 1 && d <= new Date(Date.UTC(y, mo, 0)).getUTCDate() && h <= 23;
        if (valid) assert.ok(r instanceof Zoned, text);
        else assert.ok(r instanceof Fail && r.reason.startsWith(text), text);
      },
    ),
    params,
  );
});

// ---------------------------------------------------------------------------------------------
// Revision

/** A deep copy with every object's keys in an order decided by `rnd`. */
function shuffled(v: unknown, rnd: () => number): unknown {
  if (Array.isArray(v)) return v.map((x) => shuffled(x, rnd));
  if (v === null || typeof v !== 'object') return v;
  const keys = Object.keys(v);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }
  return Object.fromEntries(keys.map((k) => [k, shuffled((v as Record<string, unknown>)[k], rnd)]));
}

function leaves(v: unknown, path: string[] = [], out: string[][] = []): string[][] {
  if (Array.isArray(v)) v.forEach((x, i) => leaves(x, [...path, String(i)], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) leaves(x, [...path, k], out);
  else out.push(path);
  return out;
}

const example = structuredClone(ETICKET_EXAMPLE) as unknown as ETicket;
const exampleLeaves = leaves(example);

test('revision: independent of key order, at every level', () => {
  fc.assert(
    fc.property(fc.integer(), fc.jsonValue(), (seed, json) => {
      let s = seed >>> 0;
      const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
      assert.equal(revisionOf(shuffled(example, rnd) as ETicket), revisionOf(example));
      assert.equal(canonicalJson(shuffled(json, rnd)), canonicalJson(json));
    }),
    params,
  );
});

test('revision: changes when any field of the ticket changes, but not for revision or source.recordModifiedAt', () => {
  const base = revisionOf(example);
  fc.assert(
    fc.property(
      fc.constantFrom(...exampleLeaves),
      fc.oneof(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean()),
      (path, value) => {
        const copy = structuredClone(example) as unknown as Record<string, any>;
        let holder = copy;
        for (const p of path.slice(0, -1)) holder = holder[p];
        const last = path[path.length - 1];
        fc.pre(!Object.is(holder[last], value));
        holder[last] = value;
        const ignored = path.join('.') === 'revision' || path.join('.') === 'source.recordModifiedAt';
        if (ignored) assert.equal(revisionOf(copy as ETicket), base);
        else assert.notEqual(revisionOf(copy as ETicket), base, `changing ${path.join('.')} must change the revision`);
      },
    ),
    params,
  );
  // Adding or removing an optional field changes it too.
  assert.notEqual(revisionOf({ ...example, notes: 'x' }), base);
  const { jobNumber: _j, ...without } = example;
  assert.notEqual(revisionOf(without as ETicket), base);
});

test("revision: the mapper's fast path equals revisionOf for any well-formed row", () => {
  const mapper = createMapper({ template: 'generic-scale-ticket', timezone: 'America/Chicago' });
  const text = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim().length > 0);
  const row = fc.record({
    TicketID: fc.integer({ min: 1 }),
    TicketNo: text,
    TicketDate: fc
      .date({ min: new Date('1990-01-01'), max: new Date('2090-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 19).replace('T', ' ')),
    PlantCode: text,
    Customer: text,
    ProductCode: fc.oneof(text, fc.constantFrom('HMA-12.5', 'AGG-57', 'RMC-4000')),
    ProductDesc: fc.option(text),
    Net: withDecimals(100_000, 2),
    UOM: fc.constantFrom('LB', 'TN', 'lbs'),
    TruckNo: text,
    VoidFlag: fc.constantFrom('Y', 'N', null),
    VoidReason: fc.option(text),
    Hauler: fc.option(text),
    JobNo: fc.option(text),
  });
  fc.assert(
    fc.property(row, (r) => {
      const m = mapper.map(r, { ticketId: `p:${r.TicketID}`, recordKey: String(r.TicketID), table: 'Tickets' });
      assert.ok(m.ok, !m.ok ? m.problems.join('; ') : '');
      assert.equal(m.ticket.revision, revisionOf(m.ticket));
      assert.equal(m.ticket.revision, revisionOf(shuffled(m.ticket, Math.random) as ETicket));
      assert.deepEqual(JSON.parse(ticketJson(m.canonical, m.ticket.source?.recordModifiedAt)), JSON.parse(JSON.stringify(m.ticket)));
    }),
    { ...params, numRuns: 1000 },
  );
});
