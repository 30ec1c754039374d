// 10,000 malformed rows through the shipped templates: map() must never throw, every ticket it
// returns must pass eticketSchema (and carry the right revision), every problem must be a short
// plain sentence. The PRNG is seeded: the seed is printed, and MAPPING_FUZZ_SEED=<n> replays a run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LINES_PROPERTY, createMapper, eticketSchema, revisionOf, ticketJson, type Mapper } from '../../core/mapping/index.js';
import { sizedTicketJson, slowCanonicalTicket } from '../../core/mapping/revision.js';
import { prng } from '../../core/random.js';
import { READY_MIX_COLUMNS, SCALE_COLUMNS, TICK_COLUMNS, TKTL_COLUMNS } from '../helpers/template-columns.js';

const seed = process.env.MAPPING_FUZZ_SEED ? Number(process.env.MAPPING_FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const rnd = prng(seed);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
const int = (n: number) => Math.floor(rnd() * n);

function randomText(): string {
  const alphabet = [
    'a',
    'Z',
    '0',
    '9',
    ' ',
    '-',
    '.',
    ',',
    '\u0000',
    '\u001b',
    '\u007f',
    '\t',
    '\n',
    '\uD800',
    '\uDC00',
    '😀',
    'é',
    '"',
    '\\',
    '\u2028',
    '\u00a0',
  ];
  let s = '';
  for (let i = int(20); i > 0; i--) s += pick(alphabet);
  return s;
}

const throwingToString = {
  toString() {
    throw new Error('no text');
  },
};

/** A malformed (or sometimes fine) value for any column. */
function junk(): unknown {
  switch (int(34)) {
    case 0:
      return null;
    case 1:
      return undefined;
    case 2:
      return '';
    case 3:
      return '   ';
    case 4:
      return NaN;
    case 5:
      return Infinity;
    case 6:
      return -Infinity;
    case 7:
      return -0;
    case 8:
      return (rnd() - 0.5) * 10 ** int(30);
    case 9:
      return 1e308 * (rnd() < 0.5 ? 1 : -1);
    case 10:
      return pick(['1,234.5', '12abc', '0x1F', '1e400', '-', '.', '1.2.3', '٣', '12 345', ' 42 ', '+7', '1e-400']);
    case 11:
      return 'x'.repeat(int(3) === 0 ? 100_000 : 5000);
    case 12:
      return randomText();
    case 13:
      return '\uD800\uD800lone';
    case 14:
      return pick([
        '2026-02-30 25:61:00',
        '0000-00-00 00:00:00',
        '2026-13-01',
        '9999-12-31 23:59:59',
        '2026-03-08 02:30',
        '2026-11-01 01:30:00',
        '2026-06-01T12:00:00Z',
        '2026-06-01 12:00:00+14:00',
        '1969-12-31 23:59:59',
        '2026-06-01 12:00:00.1234567891',
      ]);
    case 15:
      return new Date(NaN);
    case 16:
      return new Date(rnd() * 8.64e15 * (rnd() < 0.5 ? 1 : -1));
    case 17:
      return new Date(Date.UTC(2026, int(12), 1 + int(28), int(24), int(60)));
    case 18:
      return BigInt(int(1e9)) * 10n ** BigInt(int(30));
    case 19:
      return rnd() < 0.5;
    case 20:
      return new Uint8Array([1, 2, 3]);
    case 21:
      return [1, 2, 3];
    case 22:
      return { a: 1 };
    case 23:
      return Object.create(null);
    case 24:
      return throwingToString;
    case 25:
      return Symbol('s');
    case 26:
      return () => 1;
    case 27:
      return pick(['Y', 'N', 'y', 'n', 'X', 'VOID', 'true', '']);
    case 28:
      return pick(['LB', 'TN', 'lb', 'KG', 'LBR', 'STN', 'TNE', 'YDQ', 'CY', 'M3', 'EA', '']);
    case 29:
      return pick(['HMA-12.5', 'AGG-57', 'RMC-4000', 'hma', 'X', '   AGG', '']);
    case 30:
      return '2026-06-15 07:42:10';
    case 31:
      return int(100000);
    case 32:
      return pick(['Active', 'Void', 'Cancelled', 'bogus']);
    default:
      return '03/14/2026 07:45 AM';
  }
}

const SCALE_GOOD: Record<string, unknown> = {
  TicketID: 1,
  TicketNo: '  1001',
  TicketDate: '2026-06-15 07:42:10',
  PlantCode: 'P12',
  Customer: 'Acme',
  JobNo: 'J1',
  OrderNo: 'O1',
  ProductCode: 'HMA-12.5',
  ProductDesc: 'Mix',
  MixID: 'JMF',
  Gross: 80000,
  Tare: 30000,
  Net: 50000,
  UOM: 'LB',
  TruckNo: 'T1',
  Hauler: 'H',
  Driver: 'D',
  VoidFlag: 'N',
  VoidReason: null,
  LoadTemp: 300,
  DOTProject: 'DOT',
  PayItem: 'PI',
  DeliveryAddress: 'Addr',
  LastModified: '2026-06-15 12:42:11.120',
};
const RM_GOOD: Record<string, unknown> = {
  TicketNum: 'RM-1',
  LoadTime: '03/14/2026 07:45 AM',
  PlantNum: '7',
  PlantName: 'North',
  CustCode: 'C1',
  CustName: 'Cust',
  ProjectNum: 'P',
  OrderNum: 'O',
  CustPO: 'PO',
  MixCode: '4000',
  MixDesc: 'd',
  LoadQty: 10,
  QtyUOM: 'CY',
  DeliveredToDate: 30,
  LoadNum: 3,
  TruckNum: 9,
  DriverName: 'Ana',
  DelivAddr1: 'A',
  DelivCity: 'B',
  DelivState: 'CO',
  TicketStatus: 'Active',
  VoidReason: null,
  Slump: 4,
};

const CS_GOOD: Record<string, unknown> = {
  order_date: '2026-06-15',
  tkt_code: '  100234',
  tkt_date: '2026-06-15 07:42:10',
  plant_code: 'P12',
  order_code: 'SO-1',
  cust_code: 'C1',
  cust_name: 'Cust',
  truck_code: 'T1',
  hauler_code: 'H',
  hauler_name: 'Hauler',
  driver_name: 'D',
  load_num: '3',
  weighmaster: 'W',
  proj_code: 'J',
  state_proj_num: 'DOT',
  cust_po_num: 'PO',
  delv_addr1: 'A',
  delv_city: 'B',
  delv_state: 'IL',
  tkt_instr: null,
  wgt_uom: 'LB',
  tkt_void_flag: 'N',
  void_rsn_descr: null,
  update_date: '2026-06-15 12:00:00',
};
const CSL_GOOD: Record<string, unknown> = {
  order_date: '2026-06-15',
  tkt_code: '  100234',
  tkt_line_num: 1,
  prod_code: 'HMA-12.5',
  prod_descr: 'Mix',
  item_cat: 'ASPH',
  delv_qty: 22.5,
  delv_qty_uom: 'TN',
  gross_wgt: 75000,
  tare_wgt: 30000,
  net_wgt: 45000,
  mix_code: 'JMF',
  load_temp: 305,
  pay_item: '406',
};

/** A header row with junk or a few (junk or good) line rows under LINES_PROPERTY. */
function randomHeaderRow(): Record<string, unknown> {
  const row = randomRow(TICK_COLUMNS, CS_GOOD);
  const r = rnd();
  if (r < 0.05) row[LINES_PROPERTY] = junk();
  else if (r < 0.1) delete row[LINES_PROPERTY];
  else
    row[LINES_PROPERTY] = Array.from({ length: int(5) }, (_, i) =>
      rnd() < 0.03 ? junk() : rnd() < 0.6 ? { ...CSL_GOOD, tkt_line_num: i + 1 } : randomRow(TKTL_COLUMNS, CSL_GOOD),
    );
  return row;
}

function randomRow(columns: string[], good: Record<string, unknown>): Record<string, unknown> {
  const mode = rnd();
  const row: Record<string, unknown> = {};
  for (const c of columns) {
    if (mode < 0.4)
      row[c] = rnd() < 0.15 ? junk() : good[c]; // mostly good: some rows map
    else if (mode < 0.9)
      row[c] = junk(); // all junk
    else if (rnd() < 0.7) row[c] = good[c]; // columns missing entirely
  }
  if (rnd() < 0.05) row[pick(columns).toUpperCase()] = junk(); // case-variant duplicates
  return row;
}

const seen = new Map<string, number>();

function run(mapper: Mapper, columns: string[], good: Record<string, unknown>, count: number, make = () => randomRow(columns, good)) {
  let mappedCount = 0;
  let filtered = 0;
  for (let i = 0; i < count; i++) {
    const row = make();
    const ctx = {
      ticketId: `t${i}`,
      recordKey: String(i),
      table: 'Tickets',
      recordModifiedAt: rnd() < 0.5 ? '2026-06-15 12:00:00' : undefined,
    };
    let r;
    try {
      r = mapper.map(row, ctx);
    } catch (e) {
      assert.fail(`map threw on row ${i} (seed ${seed}): ${(e as Error).message}`);
    }
    if (r.ok) {
      mappedCount++;
      const parsed = eticketSchema.safeParse(r.ticket);
      assert.ok(parsed.success, `row ${i} (seed ${seed}) mapped to an invalid ticket: ${parsed.error?.message}`);
      assert.equal(r.ticket.revision, revisionOf(r.ticket), `row ${i} (seed ${seed}): revision`);
      // The body sent is the canonical text with revision and recordModifiedAt spliced in: it must
      // carry what JSON.stringify of the ticket carries (-0 becomes 0 in both).
      const json = ticketJson(r.canonical, r.ticket.source?.recordModifiedAt);
      // The native fast path (a sorted copy through JSON.stringify) equals the exact shape walk.
      const slow = slowCanonicalTicket(r.ticket);
      assert.equal(r.canonical.text, slow.text, `row ${i} (seed ${seed}): canonical text`);
      assert.equal(json, ticketJson(slow, r.ticket.source?.recordModifiedAt), `row ${i} (seed ${seed}): body`);
      // Batches are bounded by the byte count counted from the parts (the fuzz has multi-byte text).
      assert.equal(
        sizedTicketJson(r.canonical, r.ticket.source?.recordModifiedAt).bytes,
        Buffer.byteLength(json),
        `row ${i} (seed ${seed}): bytes`,
      );
      assert.deepEqual(JSON.parse(json), JSON.parse(JSON.stringify(r.ticket)), `row ${i} (seed ${seed}): body`);
      assert.doesNotMatch(json, /\\u0000|\\u001b|\\ud800/i, `row ${i} (seed ${seed}): control characters or lone surrogates leaked`);
      assert.ok(json.length < 60_000, `row ${i} (seed ${seed}): huge ticket`);
    } else {
      filtered++;
      assert.ok(r.problems.length > 0, `row ${i} (seed ${seed}): filtered without a reason`);
      for (const p of r.problems) {
        assert.equal(typeof p, 'string');
        assert.ok(p.length > 0 && p.length < 300, `row ${i} (seed ${seed}): problem too long: ${p.slice(0, 100)}`);
        assert.doesNotMatch(p, /[\u0000-\u001f\u007f]/, `row ${i} (seed ${seed}): control character in a problem`);
        assert.ok(p.isWellFormed(), `row ${i} (seed ${seed}): lone surrogate in a problem`);
        // The mapper's own checks must catch everything: neither a crash nor a late schema rejection.
        assert.doesNotMatch(p, /^this row could not be mapped|^[\w.[\]]+: /, `row ${i} (seed ${seed}): ${p}`);
        seen.set(p.replace(/ .*/, ''), (seen.get(p.replace(/ .*/, '')) ?? 0) + 1);
      }
    }
  }
  return { mapped: mappedCount, filtered };
}

test('fuzz: 10,000 malformed rows through generic-scale-ticket never throw and map only valid tickets', () => {
  const m = createMapper({
    template: 'generic-scale-ticket',
    timezone: 'America/Chicago',
    fields: { 'plant.name': { const: 'Riverside' } },
  });
  const counts = run(m, SCALE_COLUMNS, SCALE_GOOD, 10_000);
  console.log(`mapping fuzz (generic-scale-ticket): seed ${seed}, mapped ${counts.mapped}, filtered ${counts.filtered}`);
  assert.ok(counts.mapped > 100, 'the fuzz should map some rows');
  assert.ok(counts.filtered > 100, 'the fuzz should filter some rows');
});

test('fuzz: 2,000 malformed rows through ready-mix-single-table', () => {
  const m = createMapper({ template: 'ready-mix-single-table', timezone: 'America/Denver' });
  const counts = run(m, READY_MIX_COLUMNS, RM_GOOD, 2_000);
  console.log(`mapping fuzz (ready-mix-single-table): seed ${seed}, mapped ${counts.mapped}, filtered ${counts.filtered}`);
  assert.ok(counts.mapped > 20 && counts.filtered > 20);
});

test('fuzz: 3,000 malformed header rows with random lines through commandseries-tick-tktl', () => {
  const m = createMapper({ template: 'commandseries-tick-tktl', timezone: 'America/Chicago' });
  const counts = run(m, TICK_COLUMNS, CS_GOOD, 3_000, randomHeaderRow);
  console.log(`mapping fuzz (commandseries-tick-tktl): seed ${seed}, mapped ${counts.mapped}, filtered ${counts.filtered}`);
  assert.ok(counts.mapped > 20 && counts.filtered > 20);
});
