// Sample review against real SQLite files: the demo plant database (space-padded ticket numbers) and
// a state database. Pull by typed numbers and latest N, the side by side, paper renderings (terminal
// and HTML), recording a review and exporting it as JSON and as HTML that escapes hostile text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { profileSchema, type Profile } from '../../core/config/schema.js';
import { createDemoPlant, DEMO_PLANT } from '../../core/demo/plant.js';
import { ETICKET_EXAMPLE, LINES_PROPERTY, type ETicket } from '../../core/mapping/index.js';
import {
  ReviewStore,
  checkFlagField,
  previewProfile,
  previewToHtml,
  previewToText,
  pullSamples,
  renderTicketHtml,
  renderTicketText,
  reviewSamples,
  reviewToHtml,
  reviewToJson,
} from '../../core/review/index.js';
import { SqliteSource } from '../../core/sources/sqlite.js';
import type { SourceAdapter } from '../../core/sources/types.js';
import { StateStore } from '../../core/state/store.js';

function tmp(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-review-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function demoProfile(file: string, over: Record<string, unknown> = {}): Profile {
  return profileSchema.parse({
    name: 'demo-plant',
    api: { url: 'http://127.0.0.1:9/', token: 'x' },
    source: { driver: 'sqlite', file },
    table: 'Tickets',
    key: ['TicketID'],
    change: { mode: 'timestamp', column: 'LastModified', timezone: 'America/Chicago' },
    mapping: {
      template: 'generic-scale-ticket',
      fields: { 'plant.name': { const: DEMO_PLANT.name }, 'supplier.name': { const: DEMO_PLANT.supplier } },
    },
    ...over,
  });
}

/** The demo plant (72 tickets, numbers 100200–100271 stored as '   100200') and a connected source that logs its queries. */
async function demo(t: { after(fn: () => void): void }) {
  const dir = tmp(t);
  const file = join(dir, 'plant.db');
  createDemoPlant(file, { now: new Date('2026-06-20T12:00:00Z') });
  const real = new SqliteSource({ driver: 'sqlite', file, options: {} });
  await real.connect();
  t.after(() => real.close());
  const queries: { sql: string; params: unknown[] }[] = [];
  const source = Object.create(real) as SourceAdapter;
  source.query = (sql: string, params: unknown[] = []) => {
    queries.push({ sql, params });
    return real.query(sql, params);
  };
  return { dir, file, source, queries, profile: demoProfile(file) };
}

test('pullSamples: numbers typed from paper tickets match space-padded and zero-padded ones, compared trimmed and bound', async (t) => {
  const { source, queries, profile } = await demo(t);
  // '000100210' is the same paper number as '100210' (leading zeros do not count).
  const r = await pullSamples(source, profile, { ticketNumbers: ['100210', ' 100205 ', '999999', "1' OR '1'='1", '100210', '000100210'] });
  assert.deepEqual(
    r.rows.map((x) => x.TicketNo),
    ['   100210', '   100205'],
  );
  assert.deepEqual(r.notFound, ['999999', "1' OR '1'='1"]);
  assert.deepEqual(r.requested, ['100210', '100205']);
  const q = queries.find((x) => x.sql.includes('WHERE'))!;
  assert.equal(
    q.sql,
    `SELECT * FROM "Tickets" WHERE LTRIM(TRIM(CAST("TicketNo" AS TEXT)), '0') IN (?, ?, ?, ?) ORDER BY "LastModified" DESC, "TicketID" DESC LIMIT 20`,
  );
  assert.deepEqual(
    q.params,
    ['100210', '100205', '999999', "1' OR '1'='1"],
    'typed numbers are bound, trimmed, zeros stripped, without repeats',
  );
});

test('pullSamples: the latest N by the change column, newest first', async (t) => {
  const { source, profile } = await demo(t);
  const r = await pullSamples(source, profile, { latest: 4 });
  assert.equal(r.rows.length, 4);
  const mods = r.rows.map((x) => String(x.LastModified));
  assert.deepEqual(mods, [...mods].sort().reverse());
  assert.deepEqual(r.notFound, []);
  await assert.rejects(pullSamples(source, profile, { ticketNumbers: Array.from({ length: 201 }, (_, i) => String(i)) }), /at most 200/);
});

test('reviewSamples: raw row, mapped eTicket, source column of each field, problems', async (t) => {
  const { file, source, profile } = await demo(t);
  // Make one ticket incomplete, the way scale houses do.
  const db = new Database(file);
  db.prepare(`UPDATE Tickets SET Net = NULL WHERE TRIM(TicketNo) = '100207'`).run();
  db.close();
  const { rows } = await pullSamples(source, profile, { ticketNumbers: ['100206', '100207'] });
  const [ok, bad] = reviewSamples(rows, profile);

  assert.ok(ok.ticket);
  assert.equal(ok.ticketNumber, '100206');
  assert.equal(ok.raw.TicketNo, '   100206', 'the raw row keeps the padding');
  const byPath = new Map(ok.fields.map((f) => [f.path, f]));
  assert.deepEqual(byPath.get('ticketNumber'), { path: 'ticketNumber', value: '100206', source: 'TicketNo', raw: '"   100206"' });
  assert.equal(byPath.get('lines.0.quantity.value')!.source, 'Net, UOM');
  assert.match(byPath.get('lines.0.quantity.value')!.raw!, /^\d+(\.\d+)?, "(LB|TN)"$/);
  assert.equal(byPath.get('plant.name')!.source, '(constant)');
  assert.equal(byPath.get('ticketId')!.source, '(key: TicketID)');
  assert.equal(byPath.get('source.recordModifiedAt')!.source, 'LastModified');
  assert.equal(ok.fields.length, new Set(ok.fields.map((f) => f.path)).size);

  assert.equal(bad.ticket, null);
  assert.equal(bad.ticketNumber, '100207');
  assert.deepEqual(bad.problems, ['net weight is empty']);
  assert.deepEqual(bad.fields, []);
  assert.equal(bad.raw.Net, null);

  const text = previewToText(
    { profile: 'demo-plant', template: 'generic-scale-ticket', table: 'Tickets', samples: [ok, bad], notFound: ['42'] },
    100,
  );
  assert.match(text, /1 mapped, 1 filtered/);
  assert.match(text, /Not found: 42/);
  assert.match(text, /── Ticket 100207 · demo-plant:\d+ · FILTERED/);
  assert.match(text, / {2}- net weight is empty/);
  assert.match(text, /^ticketNumber +100206 +TicketNo +" {3}100206"$/m);
  for (const line of text.split('\n')) assert.ok(line.length <= 100, `too wide: ${line}`);
});

test('reviewSamples on a header-lines template: every line field names its line column and raw value', () => {
  const profile = demoProfile('/nonexistent.db', {
    table: 'TICK',
    key: ['order_date', 'tkt_code'],
    change: { mode: 'timestamp', column: 'update_date', timezone: 'America/Chicago' },
    mapping: { template: 'commandseries-tick-tktl', fields: {} },
  });
  const header = {
    order_date: '2026-06-15',
    tkt_code: '  100234',
    tkt_date: '2026-06-15 07:42:10',
    plant_code: 'P12',
    cust_name: 'Hill County Paving',
    truck_code: 'T-114',
    wgt_uom: 'LB',
    update_date: '2026-06-15 12:00:00',
    [LINES_PROPERTY]: [
      {
        tkt_line_num: 1,
        prod_code: 'HMA-12.5',
        prod_descr: 'Superpave',
        item_cat: 'ASPH',
        delv_qty: 22.5,
        delv_qty_uom: 'TN',
        net_wgt: 45000,
      },
      { tkt_line_num: 2, prod_code: 'FUEL', prod_descr: 'Fuel surcharge', delv_qty: 1, delv_qty_uom: 'EA' },
    ],
  };
  const [s] = reviewSamples([header], profile);
  assert.ok(s.ticket, s.problems.join('; '));
  const f = new Map(s.fields.map((x) => [x.path, x]));
  assert.deepEqual(f.get('lines.1.quantity.value'), { path: 'lines.1.quantity.value', value: 1, source: 'delv_qty', raw: '1' });
  assert.deepEqual(f.get('lines.1.quantity.unit'), { path: 'lines.1.quantity.unit', value: 'EA', source: 'delv_qty_uom', raw: '"EA"' });
  assert.deepEqual(
    f.get('lines.0.netWeight.unit'),
    { path: 'lines.0.netWeight.unit', value: 'LBR', source: 'wgt_uom', raw: '"LB"' },
    'read through the header',
  );
  assert.equal((s.raw[LINES_PROPERTY] as unknown[]).length, 2);
});

test('previewProfile: connects with the profile, maps, closes; its HTML page is self-contained', async (t) => {
  const { file, profile } = await demo(t);
  const p = await previewProfile(profile, { ticketNumbers: ['100210', '5'] });
  assert.equal(p.samples.length, 1);
  assert.equal(p.samples[0].requested, '100210');
  assert.deepEqual(p.notFound, ['5']);
  const html = previewToHtml(p);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  assert.doesNotMatch(html, /<[^>]+\s(src|href)=/i);
  await assert.rejects(previewProfile(demoProfile(join(file, 'missing.db'))), /does not exist/);
});

const hostile = '<script>alert(1)</script>"\'&\u001b[31m\u202Eevil';

function hostileTicket(): ETicket {
  const t = structuredClone(ETICKET_EXAMPLE) as unknown as ETicket;
  t.customer = { name: hostile };
  t.status = 'voided';
  t.voidReason = 'Wrong <b>customer</b>';
  t.notes = 'x'.repeat(300);
  t.lines = [
    ...t.lines,
    {
      productCode: 'AGG-57',
      productDescription: '#57 Washed Stone',
      materialCategory: 'aggregate',
      quantity: { value: 1234567.891, unit: 'TNE' },
      weighMethod: 'scale',
    },
  ];
  return t;
}

test('renderTicketText: a paper ticket within the width, control characters and bidi overrides removed', () => {
  const t = hostileTicket();
  for (const width of [32, 48, 80]) {
    const text = renderTicketText(t, { width });
    for (const line of text.split('\n')) assert.ok(line.length <= width, `width ${width}: ${JSON.stringify(line)}`);
    assert.doesNotMatch(text, /[\u0000-\u0009\u000B-\u001F\u007F\u202E]/);
  }
  const text = renderTicketText(t, { width: 48 });
  assert.match(text, /^ {9}RIVERSIDE ASPHALT & AGGREGATES$/m);
  const lines = text.split('\n');
  const right = (left: string, value: string) => left + value.padStart(48 - left.length);
  assert.ok(lines.includes(right('TICKET 100234', 'Jun 15, 2026 07:42:10 CDT')), 'number left, plant time right (the one time format)');
  assert.ok(lines.includes(right('', 'America/Chicago (UTC-05:00)')));
  assert.match(text, /\*\*\* VOID \*\*\* Wrong <b>customer<\/b>/);
  assert.ok(lines.includes(right('   QUANTITY', '25 ton')), 'quantities right-aligned, in words a reader knows');
  assert.ok(lines.includes(right('   Net', '50,000 lb')));
  assert.ok(lines.includes(right('   QUANTITY', '1,234,567.89 t')), 'rounded as printed (hundredths of a tonne), grouped');
  assert.match(text, /^2 {2}AGG-57 {2}#57 Washed Stone$/m);
});

test('renderTicketHtml: a self-contained printable page with everything escaped', () => {
  const html = renderTicketHtml(hostileTicket(), { flagged: ['customer.name', 'lines.1.quantity.value'] });
  assert.match(html, /^<!doctype html>/);
  assert.doesNotMatch(html, /<script|<b>|\u001b|\u202E/);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;&quot;&#39;&amp;/);
  assert.doesNotMatch(html, /<[^>]+\s(src|href)=|url\(|@import/i, 'no external assets');
  assert.match(html, /@media print/);
  assert.equal((html.match(/class="flagged"/g) ?? []).length, 2, 'the flagged customer and line 2 quantity are highlighted');
});

test('ReviewStore: record in the state database, read back after reopening, export JSON and HTML', (t) => {
  const dir = tmp(t);
  const file = join(dir, 'state.db');
  let state = new StateStore(file);
  let store = new ReviewStore(state.db);
  const ticket = hostileTicket();
  const at = new Date('2026-06-20T15:30:00Z');
  const saved = store.record({
    profile: 'demo-plant',
    reviewer: 'Dana <img src=x onerror=alert(1)>',
    template: 'generic-scale-ticket',
    reviewedAt: at,
    tickets: [
      { ticketNumber: '100234', ticketId: 'demo-plant:1', verdict: 'approved', ticket },
      {
        ticketNumber: '100235',
        ticketId: 'demo-plant:2',
        verdict: 'flagged',
        ticket,
        flags: [{ field: 'customer.name', comment: 'Should be "Hill County" </td><script>x()</script>' }],
      },
      {
        ticketNumber: '100236',
        ticketId: 'demo-plant:3',
        verdict: 'flagged',
        ticket: null,
        problems: ['net weight is empty'],
        flags: [{ field: 'ticket', comment: 'Net weight missing in the scale system' }],
      },
    ],
  });
  assert.equal(saved.id, 1);
  state.close();

  state = new StateStore(file);
  t.after(() => state.close());
  store = new ReviewStore(state.db);
  const back = store.latest('demo-plant')!;
  assert.deepEqual(back, saved);
  assert.equal(new Date(back.reviewedAt).getTime(), at.getTime(), 'reviewedAt is local time with its offset, the same instant');
  assert.match(back.reviewedAt, /[+-]\d{2}:\d{2}$/);
  assert.deepEqual(back.tickets[0].ticket, ticket, 'the ticket is kept as it was reviewed');
  assert.deepEqual(store.list('demo-plant'), [
    { id: 1, profile: 'demo-plant', reviewer: saved.reviewer, reviewedAt: saved.reviewedAt, approved: 1, flagged: 2 },
  ]);
  assert.equal(store.latest('other'), null);
  assert.equal(store.get(99), null);

  const json = reviewToJson(back);
  assert.deepEqual(json.summary, { tickets: 3, approved: 1, flagged: 2 });
  assert.equal(json.kind, 'outpost-review');
  assert.deepEqual(JSON.parse(JSON.stringify(json)), json, 'plain JSON');

  const html = reviewToHtml(back);
  assert.doesNotMatch(html, /<script|<img|<\/td><script/i);
  assert.match(html, /Dana &lt;img src=x onerror=alert\(1\)&gt;/);
  assert.match(html, /Should be &quot;Hill County&quot; &lt;\/td&gt;&lt;script&gt;x\(\)&lt;\/script&gt;/);
  assert.match(html, /sent as “&lt;script&gt;alert\(1\)&lt;\/script&gt;/, 'the flagged field shows the value that was sent');
  assert.match(html, /This row was not mapped to an e-ticket: net weight is empty/);
  assert.match(html, /1 approved, 2 flagged, of 3/);
  assert.doesNotMatch(html, /<[^>]+\s(src|href)=/i, 'no external assets');
});

test('ReviewStore: refuses incomplete or contradictory reviews with a plain sentence', (t) => {
  const db = new Database(join(tmp(t), 'state.db'));
  t.after(() => db.close());
  const store = new ReviewStore(db);
  new ReviewStore(db); // creating the tables twice is harmless
  const base = { profile: 'p', reviewer: 'Dana', tickets: [{ ticketNumber: '1', verdict: 'approved' as const }] };
  assert.equal(store.record(base).tickets[0].verdict, 'approved');
  assert.throws(() => store.record({ ...base, reviewer: ' \u0007 ' }), /^Error: The reviewer name must not be empty\.$/);
  assert.throws(() => store.record({ ...base, tickets: [] }), /at least one ticket/);
  assert.throws(
    () => store.record({ ...base, tickets: [{ ticketNumber: '1', verdict: 'flagged' }] }),
    /Ticket 1 is flagged: say which field is wrong and why/,
  );
  assert.throws(
    () => store.record({ ...base, tickets: [{ ticketNumber: '1', verdict: 'approved', flags: [{ field: 'truck.id', comment: 'x' }] }] }),
    /cannot be both approved and flagged/,
  );
  assert.throws(
    () => store.record({ ...base, tickets: [{ ticketNumber: '1', verdict: 'flagged', flags: [{ field: 'truck.id', comment: '' }] }] }),
    /comment on truck\.id of ticket 1 must not be empty/,
  );
  assert.throws(() => store.record({ ...base, tickets: [base.tickets[0], base.tickets[0]] }), /Ticket 1 is in the review twice/);
  assert.equal(store.list().length, 1, 'a refused review leaves nothing behind');
});

test('checkFlagField: eTicket paths with line indexes, "ticket", and a suggestion for a typo', () => {
  for (const ok of ['customer.name', 'lines.0.quantity.value', 'lines.12.netWeight', 'lines.1', 'trailers.0.id', 'ticket', 'issuedAt'])
    assert.equal(checkFlagField(ok), null, ok);
  assert.match(checkFlagField('custmer.name')!, /"custmer\.name" is not an eTicket field \(did you mean "customer\.name"\?\)/);
  assert.match(checkFlagField('lines.0.quantty.value')!, /did you mean "lines\.0\.quantity\.value"/);
});

test('previewProfile on a header-lines plant: typed numbers match padded TICK numbers, each ticket with its TKTL lines', async (t) => {
  const file = join(tmp(t), 'cs.db');
  const db = new Database(file);
  db.exec(`CREATE TABLE TICK (order_date TEXT, tkt_code TEXT, tkt_date TEXT, plant_code TEXT, cust_name TEXT, truck_code TEXT, wgt_uom TEXT, tkt_void_flag TEXT, update_date TEXT, PRIMARY KEY (order_date, tkt_code));
    CREATE TABLE TKTL (order_date TEXT, tkt_code TEXT, tkt_line_num INTEGER, prod_code TEXT, prod_descr TEXT, item_cat TEXT, delv_qty REAL, delv_qty_uom TEXT, net_wgt REAL);
    INSERT INTO TICK VALUES ('2026-06-15', '  100234', '2026-06-15 07:42:10', 'P12', 'Hill County Paving', 'T-114', 'LB', 'N', '2026-06-15 12:00:00');
    INSERT INTO TICK VALUES ('2026-06-15', '  100235', '2026-06-15 08:00:00', 'P12', 'Hill County Paving', 'T-115', 'LB', 'N', '2026-06-15 12:01:00');
    INSERT INTO TKTL VALUES ('2026-06-15', '  100234', 2, 'FUEL', 'Fuel surcharge', NULL, 1, 'EA', NULL);
    INSERT INTO TKTL VALUES ('2026-06-15', '  100234', 1, 'HMA-12.5', 'Superpave', 'ASPH', 22.5, 'TN', 45000);
    INSERT INTO TKTL VALUES ('2026-06-15', '  100235', 1, 'AGG-57', '#57 Stone', 'AGGR', NULL, 'TN', NULL);`);
  db.close();
  const profile = demoProfile(file, {
    table: 'TICK',
    key: ['order_date', 'tkt_code'],
    change: { mode: 'timestamp', column: 'update_date', timezone: 'America/Chicago' },
    mapping: { template: 'commandseries-tick-tktl', fields: {} },
  });
  const p = await previewProfile(profile, { ticketNumbers: ['100234', '100235'] });
  assert.deepEqual(p.notFound, []);
  const [a, b] = p.samples;
  assert.deepEqual(
    a.ticket?.lines.map((l) => [l.lineNumber, l.productCode, l.quantity.value, l.quantity.unit]),
    [
      [1, 'HMA-12.5', 22.5, 'STN'],
      [2, 'FUEL', 1, 'EA'],
    ],
  );
  assert.equal(a.ticketId, 'demo-plant:2026-06-15/  100234');
  assert.deepEqual(b.problems, ['line 1 (tkt_line_num 1) delivered quantity is empty']);
  assert.match(previewToText(p, 120), /── Ticket 100235 · .* · FILTERED/);
});
