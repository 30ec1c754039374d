// Header + lines layouts: attachLines reads a page's lines in one bound query from a real SQLite file,
// and the commandseries-tick-tktl template turns a TICK row + its TKTL rows into one multi-line
// eTicket (golden), or filters it with a reason that names the line.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  LINES_PROPERTY,
  MAX_BOUND_VALUES,
  attachLines,
  createMapper,
  eticketSchema,
  linesQuery,
  loadTemplate,
  parseTemplate,
  revisionOf,
  type ETicket,
  type MapResult,
} from '../../core/mapping/index.js';
import { joinText } from '../../core/mapping/lines.js';
import { SqliteSource } from '../../core/sources/sqlite.js';
import { templateMistake } from '../helpers/template-mistakes.js';
import type { Row, SourceAdapter } from '../../core/sources/types.js';

const TICK = `CREATE TABLE TICK (
  order_date TEXT NOT NULL, tkt_code TEXT NOT NULL, tkt_date TEXT, plant_code TEXT, order_code TEXT,
  cust_code TEXT, cust_name TEXT, truck_code TEXT, hauler_code TEXT, hauler_name TEXT, driver_name TEXT,
  load_num TEXT, weighmaster TEXT, proj_code TEXT, state_proj_num TEXT, cust_po_num TEXT,
  delv_addr1 TEXT, delv_city TEXT, delv_state TEXT, tkt_instr TEXT, wgt_uom TEXT,
  tkt_void_flag TEXT NOT NULL DEFAULT 'N', void_rsn_descr TEXT, update_date TEXT NOT NULL,
  PRIMARY KEY (order_date, tkt_code))`;
const TKTL = `CREATE TABLE TKTL (
  order_date TEXT NOT NULL, tkt_code TEXT NOT NULL, tkt_line_num INTEGER NOT NULL,
  prod_code TEXT, prod_descr TEXT, item_cat TEXT, delv_qty REAL, delv_qty_uom TEXT,
  gross_wgt REAL, tare_wgt REAL, net_wgt REAL, mix_code TEXT, load_temp REAL, pay_item TEXT,
  PRIMARY KEY (order_date, tkt_code, tkt_line_num))`;

interface Fixture {
  file: string;
  cleanup(): void;
}

/** A COMMANDseries-style plant: ticket 100234 has three lines (asphalt, aggregate, a fee). */
function plant(): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-lines-'));
  const file = join(dir, 'cs.db');
  const db = new Database(file);
  db.exec(TICK);
  db.exec(TKTL);
  const tick =
    db.prepare(`INSERT INTO TICK (order_date, tkt_code, tkt_date, plant_code, order_code, cust_code, cust_name, truck_code, hauler_code, hauler_name,
    driver_name, load_num, weighmaster, proj_code, state_proj_num, cust_po_num, delv_addr1, delv_city, delv_state, tkt_instr, wgt_uom, tkt_void_flag, void_rsn_descr, update_date)
    VALUES (@order_date, @tkt_code, @tkt_date, 'P12  ', 'SO-5521', 'C-1040', @cust_name, 'T-114', 'RT', 'Riverside Trucking', 'M. Alvarez', '7', 'J. Smith',
    'J-4410', 'DOT-22-0114', 'PO-88172', '1200 Main St', 'Riverside', 'IL', NULL, 'LB', @void, @reason, '2026-06-15 12:42:11.120')`);
  const line = db.prepare(
    `INSERT INTO TKTL VALUES (@order_date, @tkt_code, @n, @prod, @descr, @cat, @qty, @uom, @gross, @tare, @net, @mix, @temp, @pay)`,
  );
  const base = { void: 'N', reason: null, cust_name: 'Hill County Paving' };
  // Inserted out of order on purpose: attachLines must order lines by tkt_line_num.
  tick.run({ ...base, order_date: '2026-06-15', tkt_code: '  100235', tkt_date: '2026-06-15 08:05:00' });
  tick.run({ ...base, order_date: '2026-06-15', tkt_code: '  100234', tkt_date: '2026-06-15 07:42:10' });
  tick.run({
    ...base,
    order_date: '2026-06-16',
    tkt_code: '  100234',
    tkt_date: '2026-06-16 09:00:00',
    void: 'Y',
    reason: 'Wrong customer',
  }); // same number, next day
  tick.run({ ...base, order_date: '2026-06-15', tkt_code: '  100236', tkt_date: '2026-06-15 09:10:00' }); // no lines
  const l = { mix: null, temp: null, pay: null, gross: null, tare: null, net: null };
  line.run({
    ...l,
    order_date: '2026-06-15',
    tkt_code: '  100234',
    n: 3,
    prod: 'FUEL',
    descr: 'Fuel surcharge',
    cat: null,
    qty: 1,
    uom: 'EA',
  });
  line.run({
    ...l,
    order_date: '2026-06-15',
    tkt_code: '  100234',
    n: 1,
    prod: 'HMA-12.5',
    descr: 'Superpave 12.5mm PG 64-22',
    cat: 'ASPH',
    qty: 22.5,
    uom: 'TN',
    gross: 75000,
    tare: 30000,
    net: 45000,
    mix: 'JMF-2231',
    temp: 305,
    pay: '406-0012',
  });
  line.run({
    ...l,
    order_date: '2026-06-15',
    tkt_code: '  100234',
    n: 2,
    prod: 'AGG-57',
    descr: '#57 Washed Stone',
    cat: 'aggr',
    qty: 2.25,
    uom: 'tn',
  });
  line.run({
    ...l,
    order_date: '2026-06-15',
    tkt_code: '  100235',
    n: 1,
    prod: 'HMA-9.5',
    descr: 'Superpave 9.5mm Surface',
    cat: 'ASPH',
    qty: 20,
    uom: 'TN',
  });
  line.run({
    ...l,
    order_date: '2026-06-15',
    tkt_code: '  100235',
    n: 2,
    prod: 'AGG-ABC',
    descr: 'Aggregate Base Course',
    cat: 'AGGR',
    qty: null,
    uom: 'TN',
  }); // no quantity
  line.run({
    ...l,
    order_date: '2026-06-16',
    tkt_code: '  100234',
    n: 1,
    prod: 'AGG-SAND',
    descr: 'Concrete Sand',
    cat: 'AGGR',
    qty: 18,
    uom: 'TN',
  });
  db.close();
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A SqliteSource that counts its queries. */
async function countingSource(file: string): Promise<{ source: SourceAdapter; queries: { sql: string; params: unknown[] }[] }> {
  const real = new SqliteSource({ driver: 'sqlite', file, options: {} });
  await real.connect();
  const queries: { sql: string; params: unknown[] }[] = [];
  const source = Object.create(real) as SourceAdapter;
  source.query = (sql: string, params: unknown[] = []) => {
    queries.push({ sql, params });
    return real.query(sql, params);
  };
  return { source, queries };
}

const template = loadTemplate('commandseries-tick-tktl');
const mapper = createMapper({
  template: 'commandseries-tick-tktl',
  timezone: 'America/Chicago',
  fields: { 'plant.name': { const: 'Riverside Asphalt' } },
});

/** The plant's TICK rows with their lines attached, and the queries attaching them; file and connection go when the test ends. */
async function plantHeaders(t: TestContext): Promise<{ rows: Row[]; queries: { sql: string; params: unknown[] }[] }> {
  const fx = plant();
  t.after(fx.cleanup);
  const { source, queries } = await countingSource(fx.file);
  t.after(() => source.close());
  const page = await source.query('SELECT * FROM TICK ORDER BY update_date, order_date, tkt_code');
  queries.length = 0;
  const rows = await attachLines(source, template, page);
  return { rows, queries };
}

const byNumber = (rows: Row[], date: string, no: string) => rows.find((r) => r.order_date === date && String(r.tkt_code).trim() === no)!;
const ctx = (row: Row) => ({
  ticketId: `cs:${row.order_date}/${String(row.tkt_code).trim()}`,
  recordKey: `${row.order_date}/${row.tkt_code}`,
  table: 'TICK',
  recordModifiedAt: String(row.update_date),
});

function mapped(r: MapResult): ETicket {
  if (!r.ok) assert.fail(`expected a ticket, got: ${r.problems.join('; ')}`);
  assert.ok(eticketSchema.safeParse(r.ticket).success);
  assert.equal(r.ticket.revision, revisionOf(r.ticket));
  return r.ticket;
}

test('attachLines: one bound query per page, lines in order, headers unchanged and in order', async (t) => {
  const { rows, queries } = await plantHeaders(t);
  assert.equal(queries.length, 1, 'one query for the whole page');
  assert.equal(
    queries[0].sql,
    'SELECT * FROM "TKTL" WHERE ("order_date" = ? AND "tkt_code" = ?) OR ("order_date" = ? AND "tkt_code" = ?) OR ("order_date" = ? AND "tkt_code" = ?) OR ("order_date" = ? AND "tkt_code" = ?) ORDER BY "order_date", "tkt_code", "tkt_line_num"',
  );
  assert.equal(queries[0].params.length, 8, 'values are bound, never spliced into the SQL');
  assert.deepEqual(
    rows.map((r) => `${r.order_date} ${String(r.tkt_code).trim()}`),
    ['2026-06-15 100234', '2026-06-15 100235', '2026-06-15 100236', '2026-06-16 100234'],
  );
  const lines = (r: Row) => (r[LINES_PROPERTY] as Row[]).map((l) => `${l.tkt_line_num}:${l.prod_code}`);
  assert.deepEqual(lines(byNumber(rows, '2026-06-15', '100234')), ['1:HMA-12.5', '2:AGG-57', '3:FUEL']);
  assert.deepEqual(lines(byNumber(rows, '2026-06-16', '100234')), ['1:AGG-SAND'], 'the join uses every join column');
  assert.deepEqual(lines(byNumber(rows, '2026-06-15', '100236')), []);
});

test('attachLines: a single-table template passes rows through; empty join values get no lines and no bound value', async (t) => {
  const fx = plant();
  t.after(fx.cleanup);
  const { source, queries } = await countingSource(fx.file);
  t.after(() => source.close());
  const rows = [{ TicketNo: '1' }];
  assert.equal(await attachLines(source, loadTemplate('generic-scale-ticket'), rows), rows);
  assert.deepEqual(await attachLines(source, template, []), []);
  assert.equal(queries.length, 0);
  const out = await attachLines(source, template, [
    { order_date: null, tkt_code: '  100234' },
    { order_date: '2026-06-15', tkt_code: '  100234' },
    { order_date: '2026-06-15', tkt_code: '  100234' },
  ]);
  assert.equal(queries.length, 1);
  assert.deepEqual(queries[0].params, ['2026-06-15', '  100234'], 'duplicate headers share one bound tuple; NULL is never bound');
  assert.deepEqual(out[0][LINES_PROPERTY], []);
  assert.equal((out[1][LINES_PROPERTY] as Row[]).length, 3);
  assert.equal((out[2][LINES_PROPERTY] as Row[]).length, 3);
});

test('attachLines: pages above the bound-value limit are split; the query goes through the dialect', async () => {
  const calls: { sql: string; params: unknown[] }[] = [];
  const fake = {
    dialect: { ident: (n: string) => `[${n}]`, param: (i: number) => `@p${i}` },
    query: async (sql: string, params: unknown[] = []) => {
      calls.push({ sql, params });
      return params.map((v) => ({ tkt_code: v, tkt_line_num: 1, prod_code: 'X' }));
    },
  } as unknown as SourceAdapter;
  const one = parseTemplate({
    ...structuredClone(template),
    linesSource: { table: 'dbo.TKTL', key: ['tkt_line_num'], join: { tkt_code: 'tkt_code' } },
  });
  const rows = Array.from({ length: MAX_BOUND_VALUES + 500 }, (_, i) => ({ tkt_code: i }));
  const out = await attachLines(fake, one, rows);
  assert.equal(calls.length, 2);
  assert.equal(calls[0].params.length, MAX_BOUND_VALUES);
  assert.match(
    calls[0].sql,
    /^SELECT \* FROM \[dbo\.TKTL\] WHERE \[tkt_code\] IN \(@p1, @p2, .*@p2000\) ORDER BY \[tkt_code\], \[tkt_line_num\]$/,
  );
  assert.equal(calls[1].sql, linesQuery(fake, one.linesSource!, 500));
  assert.ok(
    out.every((r) => (r[LINES_PROPERTY] as Row[]).length === 1),
    'a number key matches its text form',
  );
  assert.throws(
    () =>
      linesQuery(
        {
          dialect: {
            ident: () => {
              throw new Error('"x;--" is not a valid table or column name.');
            },
            param: () => '?',
          },
        } as never,
        one.linesSource!,
        1,
      ),
    /not a valid/,
  );
});

test('joinText: CHAR padding and number/text differences do not break the join', () => {
  assert.equal(joinText('100234   '), '100234');
  assert.equal(joinText('  100234'), '  100234', 'leading spaces are significant');
  assert.equal(joinText(42), joinText('42'));
  assert.equal(joinText(42n), '42');
  assert.equal(joinText(null), null);
  assert.equal(joinText({}), null);
});

test('commandseries-tick-tktl: a multi-line ticket (golden)', async (t) => {
  const { rows } = await plantHeaders(t);
  const row = byNumber(rows, '2026-06-15', '100234');
  const ticket = mapped(mapper.map(row, ctx(row)));
  const { revision: _r, ...rest } = ticket;
  assert.deepEqual(rest, {
    schemaVersion: 'eticket/v1',
    ticketId: 'cs:2026-06-15/100234',
    status: 'issued',
    ticketNumber: '100234',
    issuedAt: '2026-06-15T07:42:10-05:00',
    issuedAtLocal: '2026-06-15T07:42:10',
    plantTimeZone: 'America/Chicago',
    plant: { id: 'P12', name: 'Riverside Asphalt' },
    supplier: { name: 'P12' },
    customer: { id: 'C-1040', name: 'Hill County Paving' },
    truck: { id: 'T-114' },
    lines: [
      {
        lineNumber: 1,
        productCode: 'HMA-12.5',
        productDescription: 'Superpave 12.5mm PG 64-22',
        materialCategory: 'asphalt',
        quantity: { value: 22.5, unit: 'STN' },
        weighMethod: 'scale',
        grossWeight: { value: 75000, unit: 'LBR' },
        tareWeight: { value: 30000, unit: 'LBR' },
        netWeight: { value: 45000, unit: 'LBR' },
        mixDesignId: 'JMF-2231',
        temperature: { value: 305, unit: 'FAH' },
        payItem: '406-0012',
      },
      {
        lineNumber: 2,
        productCode: 'AGG-57',
        productDescription: '#57 Washed Stone',
        materialCategory: 'aggregate',
        quantity: { value: 2.25, unit: 'STN' },
        weighMethod: 'scale',
      },
      {
        lineNumber: 3,
        productCode: 'FUEL',
        productDescription: 'Fuel surcharge',
        materialCategory: 'other',
        quantity: { value: 1, unit: 'EA' },
        weighMethod: 'count',
      },
    ],
    loadNumber: '7',
    weighmaster: 'J. Smith',
    dotProjectCode: 'DOT-22-0114',
    jobNumber: 'J-4410',
    orderNumber: 'SO-5521',
    purchaseOrder: 'PO-88172',
    hauler: { id: 'RT', name: 'Riverside Trucking' },
    driver: { name: 'M. Alvarez' },
    deliveryLocation: { address: '1200 Main St, Riverside, IL' },
    source: { vendor: 'command-alkon', table: 'TICK', recordKey: '2026-06-15/  100234', recordModifiedAt: '2026-06-15 12:42:11.120' },
  });
  // The line weights' unit (wgt_uom) is a TICK column, read through the header.
  assert.equal(mapper.sources()['lines.0.grossWeight.unit'], 'wgt_uom');
  assert.equal(mapper.sources()['lines.0.quantity.value'], 'delv_qty');

  // Same number on another day: another ticket, voided, sent with its reason.
  const other = byNumber(rows, '2026-06-16', '100234');
  const voided = mapped(mapper.map(other, ctx(other)));
  assert.equal(voided.status, 'voided');
  assert.equal(voided.voidReason, 'Wrong customer');
  assert.deepEqual(
    voided.lines.map((l) => l.productCode),
    ['AGG-SAND'],
  );

  // A line changing changes the revision; the header alone does not decide it.
  const changed = {
    ...row,
    [LINES_PROPERTY]: (row[LINES_PROPERTY] as Row[]).map((l) => (l.tkt_line_num === 2 ? { ...l, delv_qty: 2.5 } : l)),
  };
  assert.notEqual(mapped(mapper.map(changed, ctx(changed))).revision, ticket.revision);
});

test('commandseries-tick-tktl: a line with a missing quantity filters the ticket with a reason naming the line', async (t) => {
  const { rows } = await plantHeaders(t);
  const row = byNumber(rows, '2026-06-15', '100235');
  const r = mapper.map(row, ctx(row));
  assert.equal(r.ok, false);
  assert.deepEqual(!r.ok && r.problems, ['line 2 (tkt_line_num 2) delivered quantity is empty']);

  const none = byNumber(rows, '2026-06-15', '100236');
  assert.deepEqual(mapper.map(none, ctx(none)), { ok: false, problems: ['the ticket has no lines in TKTL'] });
  const { [LINES_PROPERTY]: _l, ...bare } = byNumber(rows, '2026-06-15', '100234');
  assert.deepEqual(mapper.map(bare, ctx(bare)), { ok: false, problems: ["the ticket's lines were not read from TKTL"] });

  // Several bad lines: one reason per line and field; an unknown unit is said once per line.
  const bad = {
    ...row,
    [LINES_PROPERTY]: [
      { tkt_line_num: 1, prod_code: 'A', delv_qty: 'abc', delv_qty_uom: 'TN' },
      { tkt_line_num: 2, prod_code: '', delv_qty: 3, delv_qty_uom: 'GAL' },
      null,
    ],
  };
  assert.deepEqual(!mapper.map(bad, ctx(bad)).ok && (mapper.map(bad, ctx(bad)) as { problems: string[] }).problems, [
    'line 1 (tkt_line_num 1) delivered quantity abc is not a number',
    'line 2 (tkt_line_num 2) product code is empty',
    'line 2 (tkt_line_num 2) product description is empty (the row has no column prod_descr)',
    'line 2 (tkt_line_num 2) delivered quantity unit GAL is not one of TN, TON, LB, MT, CY, M3, EA',
    'line 3 is not a record',
  ]);
  // Hundreds of bad lines: the first 20 reasons and a count, not a wall of text.
  const many = {
    ...row,
    [LINES_PROPERTY]: Array.from({ length: 300 }, (_, i) => ({ tkt_line_num: i + 1, prod_code: 'A', delv_qty: null, delv_qty_uom: 'TN' })),
  };
  const m = mapper.map(many, ctx(many));
  assert.ok(!m.ok && m.problems.length === 21 && m.problems[20] === 'and 280 more problems', JSON.stringify(m));
});

test('header-lines template mistakes are refused with the JSON path', () => {
  const refuse = (edit: (t: Record<string, any>) => void) => templateMistake(template, 'cs.json', edit);
  assert.equal(
    refuse(() => {}),
    'accepted',
  );
  assert.equal(
    refuse((t) => delete t.linesSource),
    'cs.json: linesSource is required for layout "header-lines"',
  );
  assert.equal(
    refuse((t) => t.lines.push(t.lines[0])),
    'cs.json: lines must have exactly one entry for layout "header-lines" (it applies to every line row)',
  );
  assert.equal(
    refuse((t) => (t.layout = 'single-table')),
    'cs.json: linesSource is only used with layout "header-lines"',
  );
  assert.equal(
    refuse((t) => (t.linesSource.table = 'TKTL; DROP TABLE TICK')),
    'cs.json: linesSource.table must be a table name such as "TKTL" or "dbo.TKTL"',
  );
  assert.equal(
    refuse((t) => (t.linesSource.key = [])),
    'cs.json: linesSource.key needs at least 1 item',
  );
  assert.equal(
    refuse((t) => (t.linesSource.join = {})),
    'cs.json: linesSource.join needs 1 to 8 columns',
  );
  assert.match(
    refuse((t) => (t.linesSource.joins = {})),
    /^cs\.json: linesSource has an unknown key "joins" \(did you mean "join"\?\)/,
  );
});

test('the daemon delivers header+lines tickets: lines attached per page, a fixed line re-evaluates a filtered ticket', async (t) => {
  const fx = plant();
  t.after(() => fx.cleanup());
  const { startSandbox } = await import('../../core/sandbox/server.js');
  const { Daemon } = await import('../../core/engine/daemon.js');
  const { parseConfig } = await import('../../core/config/load.js');
  const token = 'lines-test-token-1';
  const sandbox = await startSandbox({
    dbFile: ':memory:',
    accounts: [{ token, accountId: 'a', accountName: 'A', environment: 'sandbox' }],
  });
  t.after(() => sandbox.close());
  const [profile] = parseConfig({
    profiles: [
      {
        name: 'cs',
        api: { url: sandbox.url, token },
        source: { driver: 'sqlite', file: fx.file },
        table: 'TICK',
        key: ['order_date', 'tkt_code'],
        change: { mode: 'timestamp', column: 'update_date', timezone: 'America/Chicago' },
        mapping: { template: 'commandseries-tick-tktl', fields: { 'plant.name': { const: 'Riverside Asphalt' } } },
      },
    ],
  }).profiles;
  const home = mkdtempSync(join(tmpdir(), 'outpost-lines-home-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const daemon = new Daemon({ profiles: [profile], home, heartbeatMs: 0 });
  t.after(() => daemon.stop());
  const [r1] = await daemon.runOnce();
  assert.equal(r1.ok, true, r1.error);
  assert.equal(r1.summary!.created, 2, 'two complete tickets');
  assert.equal(r1.summary!.filtered, 2, 'one line without quantity, one ticket without lines');
  const list = (await (await fetch(`${sandbox.url}/v1/_sandbox/tickets`, { headers: { Authorization: `Bearer ${token}` } })).json()) as {
    tickets: { ticketId: string; ticket: ETicket }[];
  };
  const multi = list.tickets.find((x) => x.ticket.lines.length === 3)!;
  assert.ok(multi, 'ticket 100234 arrives with its three lines');
  assert.deepEqual(
    multi.ticket.lines.map((l) => l.productCode),
    ['HMA-12.5', 'AGG-57', 'FUEL'],
  );
  // The scale software fixes the missing quantity and touches the header, as COMMANDseries does.
  const db = new Database(fx.file);
  db.prepare(`UPDATE TKTL SET delv_qty = 12 WHERE tkt_code = '  100235' AND tkt_line_num = 2`).run();
  db.prepare(`UPDATE TICK SET update_date = '2026-06-15 12:50:00.000' WHERE tkt_code = '  100235'`).run();
  db.close();
  const [r2] = await daemon.runOnce();
  assert.equal(r2.summary!.created, 1, 'the fixed ticket is delivered');
  assert.equal(sandbox.stats().duplicates, 0);
});
