// Lookups, conditions, skip rules, split date/time and implied decimals against a real SQLite file
// with a normalised schema (master tables by surrogate id, a product → supplier chain, a 1:1
// weighment table): one bound query per lookup step and page, cached for the pass.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  LookupCache,
  createMapper,
  lookupQuery,
  mapSamples,
  parseTemplate,
  prepareRows,
  templateJsonSchema,
  type Template,
} from '../../core/mapping/index.js';
import { SqliteSource } from '../../core/sources/sqlite.js';
import type { Row, SourceAdapter } from '../../core/sources/types.js';

function fixture() {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-lookups-'));
  const file = join(dir, 'plant.db');
  const db = new Database(file);
  db.exec(`
    CREATE TABLE suppliers (id INTEGER PRIMARY KEY, supplier_name TEXT NOT NULL);
    CREATE TABLE products (id INTEGER PRIMARY KEY, code TEXT, name TEXT, supplier_id INTEGER REFERENCES suppliers(id));
    CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);
    CREATE TABLE tickets (id INTEGER PRIMARY KEY, ticket_no TEXT, ticket_date TEXT, ticket_time CHAR(8), customer_id INTEGER REFERENCES customers,
      manual_customer TEXT, product_id INTEGER REFERENCES products(id), status TEXT, net_cwt INTEGER, direction TEXT, truck TEXT);
    CREATE TABLE weighments (ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id), gross REAL, tare REAL);
    INSERT INTO suppliers VALUES (1, 'Quarry North'), (2, 'Bitumen Co');
    INSERT INTO products VALUES (10, 'AGG-57', '#57 Stone', 1), (11, 'HMA-SP', 'Superpave', 2);
    INSERT INTO customers VALUES (100, 'Hill County Paving'), (101, 'Acme Roads');
  `);
  const ins = db.prepare(`INSERT INTO tickets VALUES (?, ?, '2026-06-15', ?, ?, ?, ?, ?, ?, ?, 'T-1')`);
  const w = db.prepare(`INSERT INTO weighments VALUES (?, ?, ?)`);
  for (let i = 1; i <= 12; i++) {
    ins.run(
      i,
      ` ${1000 + i}`,
      `${String(6 + (i % 10)).padStart(2, '0')}:05:09`,
      i === 3 ? null : 100 + (i % 2),
      i === 3 ? 'Walk-in Cash' : null,
      10 + (i % 2),
      i === 5 ? 'OPEN' : 'DONE',
      2250 + i,
      i % 3 === 0 ? 'IN' : 'OUT',
    );
    w.run(i, 60000 + i, 20000);
  }
  db.close();
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The fixture plant, connected; file and connection go when the test ends. */
async function plantSource(t: TestContext): Promise<SqliteSource> {
  const fx = fixture();
  t.after(fx.cleanup);
  const src = new SqliteSource({ driver: 'sqlite', file: fx.file } as never);
  await src.connect();
  t.after(() => src.close());
  return src;
}

/** A source that counts the queries it is sent. */
function counting(src: SourceAdapter): SourceAdapter & { sql: string[] } {
  const sql: string[] = [];
  return Object.assign(Object.create(src) as SourceAdapter, {
    sql,
    query: (s: string, p?: unknown[]) => {
      sql.push(s);
      return src.query(s, p);
    },
  });
}

const lookup = (table: string, on: Record<string, unknown>, column: string, extra: Record<string, unknown> = {}) => ({
  lookup: { table, on, column, ...extra },
});

export const TEMPLATE = parseTemplate({
  name: 'normalised-test',
  description: 'tickets by surrogate ids',
  layout: 'single-table',
  skip: [{ unless: { column: 'status', equals: 'DONE' } }],
  ticket: {
    ticketNumber: { column: 'ticket_no', then: ['trim'] },
    issuedAt: { dateTime: { date: { column: 'ticket_date' }, time: { column: 'ticket_time' } } },
    plant: { id: { const: 'P1' }, name: { const: 'Riverside' } },
    supplier: { name: lookup('suppliers', { id: lookup('products', { id: { column: 'product_id' } }, 'supplier_id') }, 'supplier_name') },
    customer: { name: lookup('customers', { id: { column: 'customer_id' } }, 'name', { default: { column: 'manual_customer' } }) },
    truck: { id: { column: 'truck' } },
    notes: {
      when: [{ if: { column: 'direction', in: ['IN', 'INBOUND'], caseInsensitive: true }, use: { const: 'inbound load' } }],
      else: { const: 'outbound load' },
    },
  },
  lines: [
    {
      productCode: lookup('products', { id: { column: 'product_id' } }, 'code'),
      productDescription: lookup('products', { id: { column: 'product_id' } }, 'name'),
      materialCategory: {
        ...lookup('products', { id: { column: 'product_id' } }, 'code'),
        then: [{ prefixMap: { HMA: 'asphalt', AGG: 'aggregate' }, default: 'other' }],
      },
      quantity: { value: { column: 'net_cwt', then: [{ number: { impliedDecimals: 2 } }] }, unit: { const: 'STN' } },
      weighMethod: { const: 'scale' },
      grossWeight: { value: lookup('weighments', { ticket_id: { column: 'id' } }, 'gross'), unit: { const: 'LBR' } },
      tareWeight: { value: lookup('weighments', { ticket_id: { column: 'id' } }, 'tare'), unit: { const: 'LBR' } },
    },
  ],
}) as Template;

test('lookups: one bound query per lookup step per page, cached for the pass; chain, default, 1:1 detail, when, skip', async (t) => {
  const src = await plantSource(t);
  const mapper = createMapper({ template: TEMPLATE, timezone: 'America/Chicago' });
  // products (shared by supplier chain, code, name, category), suppliers, customers, weighments.
  assert.equal(mapper.lookups.length, 4);
  const rows = await src.query('SELECT * FROM tickets ORDER BY id');
  const spy = counting(src);
  const cache = new LookupCache();
  const page1 = await prepareRows(spy, mapper, rows.slice(0, 6), cache);
  assert.equal(spy.sql.length, 4, spy.sql.join('\n'));
  assert.ok(
    spy.sql.every((s) => /^SELECT \* FROM "\w+" WHERE "\w+" IN \(\?(, \?)*\)$/.test(s)),
    spy.sql.join('\n'),
  );
  // Second page, same pass: masters are cached; only the 1:1 weighment rows are new keys.
  spy.sql.length = 0;
  const page2 = await prepareRows(spy, mapper, rows.slice(6), cache);
  assert.deepEqual(spy.sql, ['SELECT * FROM "weighments" WHERE "ticket_id" IN (?, ?, ?, ?, ?, ?)']);
  const results = [...page1, ...page2].map((r, i) => mapper.map(r, { ticketId: `p:${i + 1}`, recordKey: String(i + 1), table: 'tickets' }));
  const one = results[0];
  assert.ok(one.ok, JSON.stringify(one));
  assert.equal(one.ticket.ticketNumber, '1001');
  assert.equal(one.ticket.issuedAt, '2026-06-15T07:05:09-05:00');
  assert.equal(one.ticket.customer.name, 'Acme Roads');
  assert.equal(one.ticket.supplier.name, 'Bitumen Co');
  assert.equal(one.ticket.notes, 'outbound load');
  assert.deepEqual(one.ticket.lines[0].quantity, { value: 22.51, unit: 'STN' });
  assert.equal(one.ticket.lines[0].productCode, 'HMA-SP');
  assert.equal(one.ticket.lines[0].materialCategory, 'asphalt');
  assert.deepEqual(one.ticket.lines[0].grossWeight, { value: 60001, unit: 'LBR' });
  const three = results[2];
  assert.ok(three.ok);
  assert.equal(three.ticket.customer.name, 'Walk-in Cash'); // no customer_id: the default
  assert.equal(three.ticket.notes, 'inbound load');
  assert.equal(three.ticket.supplier.name, 'Bitumen Co');
  assert.ok(
    results[1].ok && results[1].ticket.supplier.name === 'Quarry North' && results[1].ticket.lines[0].materialCategory === 'aggregate',
  );
  assert.deepEqual(results[4], { ok: false, problems: ['skipped: status is OPEN, not "DONE"'], skipped: true });
  const sources = mapper.sources();
  assert.equal(sources['customer.name'], 'customer_id → customers.name, manual_customer');
  assert.equal(sources['supplier.name'], 'product_id → products.supplier_id → suppliers.supplier_name');
  assert.equal(sources['lines.0.grossWeight.value'], 'id → weighments.gross');
  const refs = mapper.sourceRefs()['customer.name'];
  assert.equal(refs[0].read(page1[0]), 'Acme Roads');
});

test('lookups: a missing master row filters with its reason; a row that was not prepared says so', async (t) => {
  const src = await plantSource(t);
  const mapper = createMapper({ template: TEMPLATE, timezone: 'UTC' });
  const [row] = await src.query('SELECT * FROM tickets WHERE id = 2');
  const [prepared] = await prepareRows(src, mapper, [{ ...row, customer_id: 999, product_id: 77 }]);
  const r = mapper.map(prepared, { ticketId: 'x', recordKey: '2', table: 'tickets' });
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.problems.includes('supplier name is not found: no row in products has id 77'), JSON.stringify(r));
  // customer falls back to manual_customer, which is empty here: the customer is empty.
  assert.ok(!r.ok && r.problems.some((p) => p.startsWith('customer is empty')), JSON.stringify(r));
  const raw = mapper.map(row, { ticketId: 'x', recordKey: '2', table: 'tickets' });
  assert.ok(!raw.ok && raw.problems.some((p) => /was not looked up in customers/.test(p)));
});

test('mapSamples: compile + map samples with lookups in one call; a template mistake is an error, not a throw', async (t) => {
  const src = await plantSource(t);
  const rows = await src.query('SELECT * FROM tickets ORDER BY id');
  const r = await mapSamples(src, rows, {
    template: TEMPLATE,
    timezone: 'UTC',
    key: ['id'],
    table: 'tickets',
    skip: [{ if: { column: 'truck', prefix: 'X' }, reason: 'test trucks' }],
  });
  assert.equal(r.error, null);
  assert.deepEqual([r.mapped, r.skipped, r.filtered], [11, 1, 0]);
  assert.equal(r.lookupQueries, 4);
  const bad = await mapSamples(src, rows, {
    template: { ...TEMPLATE, ticket: { ...TEMPLATE.ticket, notes: { when: [] } } } as Template,
    timezone: 'UTC',
  });
  assert.match(bad.error ?? '', /ticket\.notes/);
  const badSkip = await mapSamples(src, rows, {
    template: TEMPLATE,
    timezone: 'UTC',
    skip: [{ unless: { column: 'status', equals: 'A', in: ['B'] } }],
  });
  assert.match(badSkip.error ?? '', /mapping\.skip: \[0\]\.unless needs exactly one comparison/);
});

test('conditions: equals/in/empty/prefix/order comparisons and all/any/not; dateTime and impliedDecimals edge cases', () => {
  const base = TEMPLATE;
  const m = (notes: unknown, row: Row) => {
    const t = {
      ...base,
      skip: [],
      lines: base.lines.map((l) => ({
        ...l,
        productCode: { const: 'X' },
        productDescription: { const: 'X' },
        materialCategory: { const: 'other' },
        grossWeight: undefined,
        tareWeight: undefined,
      })),
      ticket: { ...base.ticket, supplier: { name: { const: 'S' } }, customer: { name: { const: 'C' } }, notes },
    } as Template;
    const r = createMapper({ template: t, timezone: 'UTC' }).map(
      { ticket_no: '1', ticket_date: '2026-06-15', ticket_time: '14:05', truck: 'T', net_cwt: 100, ...row },
      { ticketId: 'a', recordKey: '1', table: 't' },
    );
    return r.ok ? (r.ticket.notes ?? null) : r.problems.join('; ');
  };
  const yes = (cond: unknown) => ({ when: [{ if: cond, use: { const: 'yes' } }], else: { const: 'no' } });
  assert.equal(m(yes({ column: 'v', equals: 5 }), { v: '5.0' }), 'yes');
  assert.equal(m(yes({ column: 'v', equals: 'GXT' }), { v: ' GXT ' }), 'yes');
  assert.equal(m(yes({ column: 'v', equals: 'gxt' }), { v: 'GXT' }), 'no');
  assert.equal(m(yes({ column: 'v', equals: 'gxt', caseInsensitive: true }), { v: 'GXT' }), 'yes');
  assert.equal(m(yes({ column: 'v', empty: true }), { v: '  ' }), 'yes');
  assert.equal(m(yes({ column: 'v', prefix: ['HMA', 'AGG'] }), { v: 'AGG-57' }), 'yes');
  assert.equal(m(yes({ column: 'v', lessThan: '2026-03-01' }), { v: '2026-02-28 23:59:59' }), 'yes');
  assert.equal(m(yes({ column: 'v', atLeast: 10 }), { v: 9.99 }), 'no');
  assert.equal(m(yes({ column: 'v', atLeast: 10 }), { v: 'abc' }), 'notes v abc is not a number to compare with 10');
  assert.equal(m(yes({ all: [{ column: 'v', equals: 1 }, { not: { column: 'w', empty: true } }] }), { v: 1, w: 'x' }), 'yes');
  assert.equal(
    m(
      yes({
        any: [
          { column: 'v', equals: 1 },
          { column: 'w', equals: 2 },
        ],
      }),
      { v: 0, w: 2 },
    ),
    'yes',
  );
  // dateTime parts: char(8) time, digits, AM/PM, Date objects, YYYYMMDD.
  const at = (row: Row, spec: Record<string, unknown> = {}) => {
    const t = {
      ...base,
      skip: [],
      ticket: {
        ...base.ticket,
        issuedAt: { dateTime: { date: { column: 'd' }, time: { column: 'tm' }, ...spec } },
        supplier: { name: { const: 'S' } },
        customer: { name: { const: 'C' } },
      },
      lines: [
        {
          productCode: { const: 'X' },
          productDescription: { const: 'X' },
          materialCategory: { const: 'other' },
          quantity: { value: { const: 1 }, unit: { const: 'STN' } },
          weighMethod: { const: 'scale' },
        },
      ],
    } as Template;
    const r = createMapper({ template: t, timezone: 'UTC' }).map(
      { ticket_no: '1', truck: 'T', ...row },
      { ticketId: 'a', recordKey: '1', table: 't' },
    );
    return r.ok ? r.ticket.issuedAtLocal : r.problems.join('; ');
  };
  assert.equal(at({ d: '2026-06-15', tm: '14:05:09' }), '2026-06-15T14:05:09');
  assert.equal(at({ d: '20260615', tm: ' 2:05 PM' }), '2026-06-15T14:05:00');
  assert.equal(at({ d: 20260615, tm: 90509 }), '2026-06-15T09:05:09');
  assert.equal(at({ d: 20260615, tm: 930 }), '2026-06-15T09:30:00');
  assert.equal(at({ d: new Date(Date.UTC(2026, 5, 15)), tm: new Date(Date.UTC(1970, 0, 1, 23, 59, 58)) }), '2026-06-15T23:59:58');
  assert.equal(at({ d: '06/15/2026', tm: '1405' }, { dateFormat: 'MM/DD/YYYY' }), '2026-06-15T14:05:00');
  assert.equal(at({ d: '2026-06-15 00:00:00', tm: '1899-12-30 07:42:10' }), '2026-06-15T07:42:10');
  assert.equal(at({ d: '2026-06-15', tm: '' }), 'ticket date time is empty (the date is 2026-06-15)');
  assert.equal(at({ d: '2026-06-15', tm: '25:00' }), 'ticket date 25:00 is not a time');
  // impliedDecimals
  const q = (v: unknown) => {
    const t = {
      ...base,
      skip: [],
      ticket: { ...base.ticket, supplier: { name: { const: 'S' } }, customer: { name: { const: 'C' } } },
      lines: [
        {
          productCode: { const: 'X' },
          productDescription: { const: 'X' },
          materialCategory: { const: 'other' },
          quantity: { value: { column: 'q', then: [{ number: { impliedDecimals: 3 } }] }, unit: { const: 'TNE' } },
          weighMethod: { const: 'scale' },
        },
      ],
    } as Template;
    const r = createMapper({ template: t, timezone: 'UTC' }).map(
      { ticket_no: '1', ticket_date: '2026-06-15', ticket_time: '10:00', truck: 'T', q: v },
      { ticketId: 'a', recordKey: '1', table: 't' },
    );
    return r.ok ? r.ticket.lines[0].quantity.value : r.problems.join('; ');
  };
  assert.equal(q('0022510'), 22.51);
  assert.equal(q(22515), 22.515);
  assert.equal(q('22.5'), 'quantity 22.5 already has a decimal point (impliedDecimals expects whole numbers)');
});

test('lookupQuery goes through the dialect; several key columns use an OR of ANDs; the JSON Schema knows the new expressions', () => {
  const d = { ident: (n: string) => `[${n}]`, param: (i: number) => `@p${i}` } as never;
  assert.equal(lookupQuery(d, 'dbo.Customers', ['CustID'], 2), 'SELECT * FROM [dbo.Customers] WHERE [CustID] IN (@p1, @p2)');
  assert.equal(lookupQuery(d, 'W', ['a', 'b'], 2), 'SELECT * FROM [W] WHERE ([a] = @p1 AND [b] = @p2) OR ([a] = @p3 AND [b] = @p4)');
  const schema = JSON.stringify(templateJsonSchema());
  for (const k of ['lookup', 'when', 'dateTime', 'impliedDecimals', 'skip', 'unless', 'prefix', 'atLeast'])
    assert.ok(schema.includes(`"${k}"`), k);
  assert.throws(
    () =>
      parseTemplate({
        ...TEMPLATE,
        ticket: { ...TEMPLATE.ticket, notes: { lookup: { table: 'x; drop', on: { id: { column: 'a' } }, column: 'n' } } },
      }),
    /ticket\.notes\.lookup\.table must be a table name/,
  );
});

test('SQLite foreignKeys(): PRAGMA foreign_key_list, a bare REFERENCES resolved to the primary key', async (t) => {
  const src = await plantSource(t);
  const fks = (await src.foreignKeys()).map((f) => `${f.table}(${f.columns}) → ${f.referencedTable}(${f.referencedColumns})`).sort();
  assert.deepEqual(fks, [
    'products(supplier_id) → suppliers(id)',
    'tickets(customer_id) → customers(id)',
    'tickets(product_id) → products(id)',
    'weighments(ticket_id) → tickets(id)',
  ]);
});

test('header-lines: lookups on line rows resolve per line (one query per lookup and page), header lookups per ticket; overrides of trailers and linesSource', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-hl-lookups-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'hl.db');
  const db = new Database(file);
  db.exec(`
    CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);
    CREATE TABLE products (id INTEGER PRIMARY KEY, code TEXT, name TEXT);
    CREATE TABLE hdr (id INTEGER PRIMARY KEY, no TEXT, at TEXT, cust_id INTEGER, trailer_a TEXT, trailer_b TEXT);
    CREATE TABLE lns (hdr_id INTEGER, n INTEGER, prod_id INTEGER, qty REAL, PRIMARY KEY (hdr_id, n));
    CREATE TABLE lns_archive (hdr_id INTEGER, n INTEGER, prod_id INTEGER, qty REAL);
    INSERT INTO customers VALUES (1, 'Hill County'), (2, 'Acme');
    INSERT INTO products VALUES (10, 'HMA-1', 'Surface mix'), (11, 'AGG-2', 'Base stone'), (12, 'FUEL', 'Fuel surcharge');
    INSERT INTO hdr VALUES (1, 'A1', '2026-06-15 07:00:00', 1, 'TR-1', NULL), (2, 'A2', '2026-06-15 08:00:00', 2, 'TR-7', 'TR-8');
    INSERT INTO lns VALUES (1, 1, 10, 20.5), (1, 2, 12, 1), (2, 1, 11, 18);
    INSERT INTO lns_archive VALUES (1, 1, 11, 3);
  `);
  db.close();
  const src = new SqliteSource({ driver: 'sqlite', file } as never);
  await src.connect();
  t.after(() => src.close());
  const tpl = parseTemplate({
    name: 'hl',
    description: 'header + lines with lookups',
    layout: 'header-lines',
    linesSource: { table: 'lns', key: ['n'], join: { hdr_id: 'id' } },
    ticket: {
      ticketNumber: { column: 'no' },
      issuedAt: { column: 'at' },
      plant: { id: { const: 'P' }, name: { const: 'P' } },
      supplier: { name: { const: 'P' } },
      customer: { name: lookup('customers', { id: { column: 'cust_id' } }, 'name') },
      truck: { id: { const: 'T' } },
    },
    lines: [
      {
        productCode: lookup('products', { id: { column: 'prod_id' } }, 'code'),
        productDescription: lookup('products', { id: { column: 'prod_id' } }, 'name'),
        materialCategory: { const: 'other' },
        quantity: { value: { column: 'qty' }, unit: { const: 'STN' } },
        weighMethod: { const: 'scale' },
      },
    ],
  });
  const mapper = createMapper({
    template: tpl,
    timezone: 'UTC',
    fields: { trailers: [{ column: 'trailer_a' }, { id: { column: 'trailer_b' } }] },
  });
  const spy = counting(src);
  const prepared = await prepareRows(spy, mapper, await src.query('SELECT * FROM hdr ORDER BY id'));
  // lines, customers (ticket rows), products (line rows): three queries for the page.
  assert.equal(spy.sql.length, 3, spy.sql.join('\n'));
  const [a, b] = prepared.map((r) => mapper.map(r, { ticketId: String(r.id), recordKey: String(r.id), table: 'hdr' }));
  assert.ok(a.ok && b.ok, JSON.stringify([a, b]));
  assert.deepEqual(
    a.ticket.lines.map((l) => [l.productCode, l.productDescription, l.quantity.value]),
    [
      ['HMA-1', 'Surface mix', 20.5],
      ['FUEL', 'Fuel surcharge', 1],
    ],
  );
  assert.equal(a.ticket.customer.name, 'Hill County');
  assert.deepEqual(a.ticket.trailers, [{ id: 'TR-1' }]);
  assert.deepEqual(b.ticket.trailers, [{ id: 'TR-7' }, { id: 'TR-8' }]);
  // The profile points the lines elsewhere (another table of the same shape).
  const archived = createMapper({ template: tpl, timezone: 'UTC', fields: { 'linesSource.table': 'lns_archive' } });
  const [first] = await prepareRows(src, archived, await src.query('SELECT * FROM hdr WHERE id = 1'));
  const r = archived.map(first, { ticketId: '1', recordKey: '1', table: 'hdr' });
  assert.ok(r.ok && r.ticket.lines.length === 1 && r.ticket.lines[0].productCode === 'AGG-2', JSON.stringify(r));
  assert.throws(
    () => createMapper({ template: tpl, timezone: 'UTC', fields: { linesSource: { table: 'x; drop' } } }),
    /mapping\.fields\["linesSource"\]: table must be a table name/,
  );
  assert.throws(
    () => createMapper({ template: TEMPLATE, timezone: 'UTC', fields: { linesSource: { table: 'x' } } }),
    /is single-table; linesSource applies to header-lines templates/,
  );
  assert.throws(
    () => createMapper({ template: tpl, timezone: 'UTC', fields: { trailers: { column: 'x' } } }),
    /must be a list of up to 10 expressions/,
  );
});

test('site templates: a name finds <home>/templates first; a path is read from <home>; mistakes say where to look', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'outpost-site-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const { mkdirSync, writeFileSync } = await import('node:fs');
  mkdirSync(join(home, 'templates'));
  writeFileSync(join(home, 'templates', 'my-yard.json'), JSON.stringify({ ...TEMPLATE, name: 'my-yard' }));
  writeFileSync(join(home, 'templates', 'wrong-name.json'), JSON.stringify({ ...TEMPLATE, name: 'other' }));
  writeFileSync(join(home, 'elsewhere.json'), JSON.stringify({ ...TEMPLATE, name: 'anything' }));
  assert.equal(createMapper({ template: 'my-yard', timezone: 'UTC', home }).templateName, 'my-yard');
  assert.equal(createMapper({ template: './elsewhere.json', timezone: 'UTC', home }).templateName, 'anything');
  assert.equal(createMapper({ template: 'generic-scale-ticket', timezone: 'UTC', home }).templateName, 'generic-scale-ticket');
  assert.throws(
    () => createMapper({ template: 'wrong-name', timezone: 'UTC', home }),
    /name is "other" but must match the file name "wrong-name"/,
  );
  assert.throws(
    () => createMapper({ template: 'my-yrd', timezone: 'UTC', home }),
    /does not exist \(did you mean "my-yard"\?\).*site templates go in/,
  );
  assert.throws(
    () => createMapper({ template: 'missing.json', timezone: 'UTC', home }),
    /missing\.json does not exist; check mapping\.template/,
  );
  const { listAllTemplates } = await import('../../core/mapping/index.js');
  const all = listAllTemplates(home);
  assert.deepEqual(
    all.filter((x) => x.origin === 'site').map((x) => x.name),
    ['my-yard', 'wrong-name'],
  );
  assert.ok(all.some((x) => x.name === 'generic-scale-ticket' && x.origin === 'shipped'));
});
