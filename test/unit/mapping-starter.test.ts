// The generated starter on synthetic schemas: name styles and abbreviations, foreign keys to name
// columns, units by magnitude, status codes → voided and a skip rule, and fields nothing was found
// for. (Real databases: test/integration/mapping-normalised.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createMapper,
  generateStarter,
  lookupsThroughForeignKeys,
  nameColumn,
  words,
  type StarterInput,
} from '../../core/mapping/index.js';
import type { ColumnInfo } from '../../core/sources/types.js';

const col = (name: string, type = 'varchar'): ColumnInfo => ({ name, type, nullable: true });

test('words: snake_case, camelCase, PascalCase and abbreviations', () => {
  assert.deepEqual(words('TktNo'), ['ticket', 'number']);
  assert.deepEqual(words('tix_num'), ['ticket', 'number']);
  assert.deepEqual(words('net_wgt_lbs'), ['net', 'weight', 'pound']);
  assert.deepEqual(words('VehRegNo'), ['truck', 'registration', 'number']);
  assert.deepEqual(words('custPONumber'), ['customer', 'purchase', 'order', 'number']);
  assert.deepEqual(words('prod_qty_uom'), ['product', 'quantity', 'unit']);
  assert.deepEqual(words('GrossWT'), ['gross', 'weight']);
  assert.deepEqual(words('created_at'), ['created', 'date', 'time']);
});

test('nameColumn: name, *_name, description', () => {
  assert.equal(nameColumn({ name: 'c', primaryKey: ['id'], columns: [col('id', 'int'), col('code'), col('cust_name')] }), 'cust_name');
  assert.equal(nameColumn({ name: 'p', primaryKey: ['id'], columns: [col('id', 'int'), col('code'), col('descr')] }), 'descr');
  assert.equal(nameColumn({ name: 'x', primaryKey: ['id'], columns: [col('id', 'int'), col('code')] }), undefined);
});

const wide: StarterInput = {
  table: {
    name: 'dbo.TICKETS',
    primaryKey: ['TKT_ID'],
    columns: [
      col('TKT_ID', 'int'),
      col('TKT_NUM'),
      col('TKT_DT', 'datetime'),
      col('CUST_ID', 'int'),
      col('PROD_CD'),
      col('PROD_DESC'),
      col('GROSS_WT', 'decimal'),
      col('TARE_WT', 'decimal'),
      col('NET_WT', 'decimal'),
      col('TRK_NO'),
      col('STATUS_CD'),
      col('LOAD_TEMP', 'int'),
      col('TRAILER1'),
      col('TRAILER2'),
      col('PLANT_CD'),
    ],
  },
  foreignKeys: [
    { name: 'FK_C', table: 'dbo.TICKETS', columns: ['CUST_ID'], referencedTable: 'dbo.CUSTOMER', referencedColumns: ['CUST_ID'] },
  ],
  related: { 'dbo.CUSTOMER': { name: 'dbo.CUSTOMER', primaryKey: ['CUST_ID'], columns: [col('CUST_ID', 'int'), col('CUST_NAME')] } },
  samples: [
    {
      TKT_ID: 1,
      TKT_NUM: ' 9001',
      TKT_DT: '2026-06-15 07:00:00',
      CUST_ID: 1,
      PROD_CD: 'HMA-1',
      PROD_DESC: 'Surface',
      GROSS_WT: 64000,
      TARE_WT: 28000,
      NET_WT: 36000,
      TRK_NO: '12',
      STATUS_CD: 'C',
      LOAD_TEMP: 305,
      TRAILER1: 'A',
      TRAILER2: null,
      PLANT_CD: 'P1',
    },
    {
      TKT_ID: 2,
      TKT_NUM: ' 9002',
      TKT_DT: '2026-06-15 08:00:00',
      CUST_ID: 1,
      PROD_CD: 'AGG-57',
      PROD_DESC: 'Stone',
      GROSS_WT: 70000,
      TARE_WT: 28000,
      NET_WT: 42000,
      TRK_NO: '14',
      STATUS_CD: 'VOID',
      LOAD_TEMP: null,
      TRAILER1: null,
      TRAILER2: null,
      PLANT_CD: 'P1',
    },
    {
      TKT_ID: 3,
      TKT_NUM: ' 9003',
      TKT_DT: '2026-06-15 09:00:00',
      CUST_ID: 1,
      PROD_CD: 'AGG-57',
      PROD_DESC: 'Stone',
      GROSS_WT: 30000,
      TARE_WT: 28000,
      NET_WT: null,
      TRK_NO: '15',
      STATUS_CD: 'OPEN',
      LOAD_TEMP: null,
      TRAILER1: null,
      TRAILER2: null,
      PLANT_CD: 'P1',
    },
  ],
};

test('generateStarter: upper-case abbreviations, a foreign key to the name column, pounds by magnitude, status codes, trailers', () => {
  const s = generateStarter(wide);
  const f = Object.fromEntries(s.fields.map((x) => [x.path, x]));
  assert.deepEqual(f.ticketNumber.expression, { column: 'TKT_NUM', then: ['trim'] });
  assert.deepEqual(f['customer.name'].expression, {
    lookup: { table: 'CUSTOMER', on: { CUST_ID: { column: 'CUST_ID' } }, column: 'CUST_NAME' },
  });
  assert.match(f['customer.name'].reason, /CUST_ID → CUSTOMER\.CUST_NAME/);
  assert.deepEqual(f['lines.grossWeight.unit'].expression, { const: 'LBR' });
  assert.match(f['lines.grossWeight.unit'].reason, /look like pounds/);
  assert.deepEqual(f['lines.temperature.unit'].expression, { const: 'FAH' });
  assert.equal(f['supplier.name'].confidence, 0.4);
  assert.match(f['truck.id'].reason, /TRK_NO/);
  assert.deepEqual(s.template.ticket.trailers, [{ id: { column: 'TRAILER1' } }, { id: { column: 'TRAILER2' } }]);
  assert.equal(s.skip.length, 1);
  assert.deepEqual(s.template.skip, [
    {
      unless: { value: { column: 'STATUS_CD' }, in: ['C', 'VOID'], caseInsensitive: true },
      reason: 'the ticket is not finished (status is not C, VOID)',
    },
  ]);
  // The starter compiles and maps the samples (lookups attached by hand here).
  const m = createMapper({ template: s.template, timezone: 'America/Chicago' });
  const withLookup = (r: Record<string, unknown>) => ({ ...r, __lookups: { '1': { row: { CUST_ID: 1, CUST_NAME: 'Hill County' } } } });
  const [a, b, c] = wide.samples.map((r) =>
    m.map(withLookup(r), { ticketId: String(r.TKT_ID), recordKey: String(r.TKT_ID), table: 'TICKETS' }),
  );
  assert.ok(a.ok, JSON.stringify(a));
  assert.equal(a.ticket.customer.name, 'Hill County');
  assert.deepEqual(a.ticket.lines[0].quantity, { value: 18, unit: 'STN' });
  assert.equal(a.ticket.lines[0].materialCategory, 'asphalt');
  assert.ok(b.ok && b.ticket.status === 'voided');
  assert.deepEqual(c, { ok: false, problems: ['the ticket is not finished (status is not C, VOID)'], skipped: true });
});

test('generateStarter: nothing found for a required field says what to set, and the row is filtered with that reason', () => {
  const s = generateStarter({
    table: { name: 'weights', primaryKey: ['id'], columns: [col('id', 'int'), col('net', 'int'), col('when', 'datetime')] },
    foreignKeys: [],
    related: {},
    samples: [{ id: 1, net: 20, when: '2026-06-15 07:00:00' }],
  });
  const f = Object.fromEntries(s.fields.map((x) => [x.path, x]));
  assert.equal(f['customer.name'].confidence, 0);
  assert.match(f['customer.name'].reason, /set customer\.name in mapping\.fields/);
  assert.match(f.ticketNumber.reason, /the key id is used/);
  assert.match(f['lines.quantity.value'].reason, /look like tons/);
  const r = createMapper({ template: s.template, timezone: 'UTC' }).map(
    { id: 1, net: 20, when: '2026-06-15 07:00:00' },
    { ticketId: '1', recordKey: '1', table: 'weights' },
  );
  assert.ok(!r.ok && r.problems.some((p) => p.startsWith('customer is empty')), JSON.stringify(r));
});

test('lookupsThroughForeignKeys: the columns a foreign key offers, the name column first', () => {
  const list = lookupsThroughForeignKeys('dbo.TICKETS', 'CUST_ID', wide.foreignKeys, wide.related);
  assert.deepEqual(
    list.map((l) => [l.label, l.nameColumn]),
    [['CUST_ID → CUSTOMER.CUST_NAME', true]],
  );
  assert.deepEqual(lookupsThroughForeignKeys('dbo.TICKETS', 'PROD_CD', wide.foreignKeys, wide.related), []);
});
