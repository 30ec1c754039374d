// The mapping layer end to end: golden tickets from the shipped templates, filtered rows with their
// exact reasons, profile overrides, revisions and sources().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalJson,
  createMapper,
  eticketSchema,
  loadTemplate,
  revisionOf,
  ticketJson,
  type ETicket,
  type MapContext,
  type MapResult,
  type Template,
} from '../../core/mapping/index.js';

const CHICAGO = 'America/Chicago';

/** A well-formed row of the demo Tickets table. */
function scaleRow(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    TicketID: 1001,
    TicketNo: '   100234',
    TicketDate: '2026-06-15 07:42:10',
    PlantCode: 'P12',
    Customer: 'Acme Paving Co.',
    JobNo: 'J-2291',
    OrderNo: 'SO-5521',
    ProductCode: 'HMA-12.5',
    ProductDesc: '12.5mm Superpave PG 64-22',
    MixID: 'JMF-2026-014',
    Gross: 80000,
    Tare: 30000,
    Net: 50000,
    UOM: 'LB',
    TruckNo: 'T-14',
    Hauler: 'Smith Trucking',
    Driver: 'Bob Jones',
    VoidFlag: 'N',
    VoidReason: null,
    LoadTemp: 305,
    DOTProject: 'DOT-IL-88-101',
    PayItem: '406-1',
    DeliveryAddress: '1200 County Rd 9, Riverside IL',
    LastModified: '2026-06-15 12:42:11.120',
    ...over,
  };
}

const ctx = (over: Partial<MapContext> = {}): MapContext => ({
  ticketId: 'P12:1001',
  recordKey: '1001',
  table: 'Tickets',
  recordModifiedAt: '2026-06-15 12:42:11.120',
  ...over,
});

function mapped(r: MapResult): ETicket {
  if (!r.ok) assert.fail(`expected a ticket, got problems: ${r.problems.join('; ')}`);
  const parsed = eticketSchema.safeParse(r.ticket);
  assert.ok(parsed.success, `the ticket must pass eticketSchema: ${parsed.error?.message}`);
  assert.equal(r.ticket.revision, revisionOf(r.ticket));
  return r.ticket;
}

function problems(r: MapResult): string[] {
  if (r.ok) assert.fail(`expected problems, got a ticket ${JSON.stringify(r.ticket)}`);
  return r.problems;
}

/** The ticket without its hash, for golden comparisons. */
function golden(t: ETicket): Omit<ETicket, 'revision'> {
  assert.match(t.revision, /^r1-[0-9a-f]{64}$/);
  const { revision: _r, ...rest } = t;
  return rest;
}

const scale = createMapper({ template: 'generic-scale-ticket', timezone: CHICAGO });

test('generic-scale-ticket: a normal asphalt ticket in pounds', () => {
  const t = mapped(scale.map(scaleRow(), ctx()));
  assert.deepEqual(golden(t), {
    schemaVersion: 'eticket/v1',
    ticketId: 'P12:1001',
    status: 'issued',
    ticketNumber: '100234',
    issuedAt: '2026-06-15T07:42:10-05:00',
    issuedAtLocal: '2026-06-15T07:42:10',
    plantTimeZone: 'America/Chicago',
    plant: { id: 'P12', name: 'P12' },
    supplier: { name: 'P12' },
    customer: { name: 'Acme Paving Co.' },
    truck: { id: 'T-14' },
    lines: [
      {
        lineNumber: 1,
        productCode: 'HMA-12.5',
        productDescription: '12.5mm Superpave PG 64-22',
        materialCategory: 'asphalt',
        quantity: { value: 25, unit: 'STN' },
        weighMethod: 'scale',
        grossWeight: { value: 80000, unit: 'LBR' },
        tareWeight: { value: 30000, unit: 'LBR' },
        netWeight: { value: 50000, unit: 'LBR' },
        mixDesignId: 'JMF-2026-014',
        temperature: { value: 305, unit: 'FAH' },
        payItem: '406-1',
      },
    ],
    dotProjectCode: 'DOT-IL-88-101',
    jobNumber: 'J-2291',
    orderNumber: 'SO-5521',
    hauler: { name: 'Smith Trucking' },
    driver: { name: 'Bob Jones' },
    deliveryLocation: { address: '1200 County Rd 9, Riverside IL' },
    source: { vendor: 'generic', table: 'Tickets', recordKey: '1001', recordModifiedAt: '2026-06-15 12:42:11.120' },
  });
});

test('generic-scale-ticket: a voided aggregate ticket in tons keeps its reason and is not dropped', () => {
  const t = mapped(
    scale.map(
      scaleRow({
        TicketNo: '100235',
        ProductCode: 'AGG-57',
        ProductDesc: '#57 Stone',
        MixID: null,
        Gross: 36.5,
        Tare: 13.82,
        Net: 22.68,
        UOM: 'TN',
        VoidFlag: 'y',
        VoidReason: 'Wrong truck ',
        LoadTemp: null,
        DOTProject: '',
        PayItem: '  ',
        Hauler: null,
        Driver: null,
        DeliveryAddress: null,
      }),
      ctx({ recordModifiedAt: undefined }),
    ),
  );
  assert.deepEqual(golden(t), {
    schemaVersion: 'eticket/v1',
    ticketId: 'P12:1001',
    status: 'voided',
    voidReason: 'Wrong truck',
    ticketNumber: '100235',
    issuedAt: '2026-06-15T07:42:10-05:00',
    issuedAtLocal: '2026-06-15T07:42:10',
    plantTimeZone: 'America/Chicago',
    plant: { id: 'P12', name: 'P12' },
    supplier: { name: 'P12' },
    customer: { name: 'Acme Paving Co.' },
    truck: { id: 'T-14' },
    lines: [
      {
        lineNumber: 1,
        productCode: 'AGG-57',
        productDescription: '#57 Stone',
        materialCategory: 'aggregate',
        quantity: { value: 22.68, unit: 'STN' },
        weighMethod: 'scale',
        grossWeight: { value: 36.5, unit: 'STN' },
        tareWeight: { value: 13.82, unit: 'STN' },
        netWeight: { value: 22.68, unit: 'STN' },
      },
    ],
    jobNumber: 'J-2291',
    orderNumber: 'SO-5521',
    source: { vendor: 'generic', table: 'Tickets', recordKey: '1001' },
  });
});

test('generic-scale-ticket: pounds and tons of the same load give the same quantity', () => {
  const lb = mapped(scale.map(scaleRow({ Net: 45360, Gross: 75360, Tare: 30000, UOM: 'LB' }), ctx()));
  const tn = mapped(scale.map(scaleRow({ Net: 22.68, Gross: 37.68, Tare: 15, UOM: 'tn' }), ctx()));
  assert.deepEqual(lb.lines[0].quantity, { value: 22.68, unit: 'STN' });
  assert.deepEqual(tn.lines[0].quantity, { value: 22.68, unit: 'STN' });
  assert.deepEqual(lb.lines[0].netWeight, { value: 45360, unit: 'LBR' });
  assert.deepEqual(tn.lines[0].netWeight, { value: 22.68, unit: 'STN' });
  // Odd pound values round to 0.0001 ton.
  assert.equal(mapped(scale.map(scaleRow({ Net: 45361 }), ctx())).lines[0].quantity.value, 22.6805);
  // Numbers stored as text are read too.
  assert.equal(mapped(scale.map(scaleRow({ Net: '45,360' }), ctx())).lines[0].quantity.value, 22.68);
});

test('generic-scale-ticket: space-padded ticket numbers are trimmed; numeric ones become text', () => {
  assert.equal(mapped(scale.map(scaleRow({ TicketNo: '   100234' }), ctx())).ticketNumber, '100234');
  assert.equal(mapped(scale.map(scaleRow({ TicketNo: '100234   ' }), ctx())).ticketNumber, '100234');
  assert.equal(mapped(scale.map(scaleRow({ TicketNo: 100234 }), ctx())).ticketNumber, '100234');
  assert.deepEqual(problems(scale.map(scaleRow({ TicketNo: '     ' }), ctx())), ['ticket number is empty']);
});

test('generic-scale-ticket: missing Net, TicketDate and Customer give one reason each', () => {
  assert.deepEqual(problems(scale.map(scaleRow({ Net: null, TicketDate: null, Customer: '  ' }), ctx())), [
    'ticket date is empty',
    'customer is empty',
    'net weight is empty',
  ]);
  assert.deepEqual(problems(scale.map(scaleRow({ Net: null }), ctx())), ['net weight is empty']);
  assert.deepEqual(problems(scale.map(scaleRow({ TicketDate: '2026-13-01' }), ctx())), ['ticket date 2026-13-01 is not a date']);
  assert.deepEqual(problems(scale.map(scaleRow({ TicketDate: '2026-02-30 10:00:00' }), ctx())), [
    'ticket date 2026-02-30 10:00:00 is not a date',
  ]);
  assert.deepEqual(problems(scale.map(scaleRow({ Net: 'abc' }), ctx())), ['net weight abc is not a number']);
  assert.deepEqual(problems(scale.map(scaleRow({ UOM: 'KG' }), ctx())), [
    'net weight unit KG is not a known unit (LB, LBS, TN, TON or a UN/ECE code)',
    'gross weight unit KG is not one of LB, LBS, TN, TON',
    'tare weight unit KG is not one of LB, LBS, TN, TON',
  ]);
  // Net feeds the quantity and the net weight: its problem is said once.
  assert.deepEqual(problems(scale.map(scaleRow({ Net: 'abc' }), ctx())), ['net weight abc is not a number']);
  assert.deepEqual(problems(scale.map(scaleRow({ VoidFlag: 'X' }), ctx())), ['void flag X is not one of Y, N']);
  // A column the table does not have at all is named.
  const { Customer: _c, ...noCustomer } = scaleRow();
  assert.deepEqual(problems(scale.map(noCustomer, ctx())), ['customer is empty (the row has no column Customer)']);
});

test('generic-scale-ticket: optional fields that are empty are omitted, not sent as empty strings', () => {
  const t = mapped(scale.map(scaleRow({ JobNo: '', OrderNo: null, Hauler: '   ', Driver: undefined, LoadTemp: null, MixID: '' }), ctx()));
  assert.equal('jobNumber' in t, false);
  assert.equal('orderNumber' in t, false);
  assert.equal('hauler' in t, false);
  assert.equal('driver' in t, false);
  assert.equal('temperature' in t.lines[0], false);
  assert.equal('mixDesignId' in t.lines[0], false);
  assert.equal('voidReason' in t, false);
  // A void reason on a ticket that is not voided is not sent.
  assert.equal('voidReason' in mapped(scale.map(scaleRow({ VoidReason: 'stale text' }), ctx())), false);
});

test('generic-scale-ticket: material category by product-code prefix, description falls back to the code', () => {
  const cat = (code: string) => mapped(scale.map(scaleRow({ ProductCode: code }), ctx())).lines[0].materialCategory;
  assert.equal(cat('HMA-9.5'), 'asphalt');
  assert.equal(cat('hma-19'), 'asphalt');
  assert.equal(cat('AGG-57'), 'aggregate');
  assert.equal(cat('RMC-4000'), 'concrete');
  assert.equal(cat('SAND-FINE'), 'other');
  const t = mapped(scale.map(scaleRow({ ProductDesc: null }), ctx()));
  assert.equal(t.lines[0].productDescription, 'HMA-12.5');
});

test('generic-scale-ticket: DST fall-back takes the earlier instant, spring-forward moves past the gap', () => {
  const back = mapped(scale.map(scaleRow({ TicketDate: '2026-11-01 01:30:00' }), ctx()));
  assert.equal(back.issuedAt, '2026-11-01T01:30:00-05:00');
  assert.equal(back.issuedAtLocal, '2026-11-01T01:30:00');
  const forward = mapped(scale.map(scaleRow({ TicketDate: '2026-03-08 02:30:00' }), ctx()));
  assert.equal(forward.issuedAt, '2026-03-08T03:30:00-05:00');
  assert.equal(forward.issuedAtLocal, '2026-03-08T03:30:00');
  assert.equal(forward.plantTimeZone, 'America/Chicago');
});

test('generic-scale-ticket: column names match case-insensitively (PostgreSQL folds them)', () => {
  const lower = Object.fromEntries(Object.entries(scaleRow()).map(([k, v]) => [k.toLowerCase(), v]));
  assert.deepEqual(golden(mapped(scale.map(lower, ctx()))), golden(mapped(scale.map(scaleRow(), ctx()))));
});

test('ready-mix-single-table: golden fixture', () => {
  const rm = createMapper({ template: 'ready-mix-single-table', timezone: 'America/Denver' });
  const fixture = {
    TicketNum: 'RM-5521',
    LoadTime: '03/14/2026 07:45 AM',
    PlantNum: '7',
    PlantName: 'North Yard',
    CustCode: 'C100',
    CustName: 'Front Range Builders',
    ProjectNum: 'P-88',
    OrderNum: 'O-3310',
    CustPO: 'PO-77',
    MixCode: '4000-AE',
    MixDesc: '4000 psi air entrained',
    LoadQty: 7.65,
    QtyUOM: 'M3',
    DeliveredToDate: '22.94',
    LoadNum: 3,
    TruckNum: 412,
    DriverName: 'Ana Ruiz',
    DelivAddr1: '12 Elm St',
    DelivCity: 'Golden',
    DelivState: 'CO',
    TicketStatus: 'Active',
    VoidReason: null,
    Slump: 4,
  };
  const t = mapped(rm.map(fixture, { ticketId: '7:RM-5521', recordKey: 'RM-5521', table: 'DeliveryTickets' }));
  assert.deepEqual(golden(t), {
    schemaVersion: 'eticket/v1',
    ticketId: '7:RM-5521',
    status: 'issued',
    ticketNumber: 'RM-5521',
    issuedAt: '2026-03-14T07:45:00-06:00',
    issuedAtLocal: '2026-03-14T07:45:00',
    plantTimeZone: 'America/Denver',
    plant: { id: '7', name: 'North Yard' },
    supplier: { name: 'North Yard' },
    customer: { id: 'C100', name: 'Front Range Builders' },
    truck: { id: '412' },
    lines: [
      {
        lineNumber: 1,
        productCode: '4000-AE',
        productDescription: '4000 psi air entrained',
        materialCategory: 'concrete',
        // 7.65 m³ / 0.764554857984 = 10.00582… yd³; 22.94 m³ = 30.00439… yd³
        quantity: { value: 10.0058, unit: 'YDQ' },
        weighMethod: 'volume',
        mixDesignId: '4000-AE',
        cumulativeQuantity: { value: 30.0044, unit: 'YDQ' },
      },
    ],
    loadNumber: '3',
    jobNumber: 'P-88',
    orderNumber: 'O-3310',
    purchaseOrder: 'PO-77',
    driver: { name: 'Ana Ruiz' },
    deliveryLocation: { address: '12 Elm St, Golden, CO' },
    notes: 'Slump 4 in',
    source: { vendor: 'generic-ready-mix', table: 'DeliveryTickets', recordKey: 'RM-5521' },
  });

  const c = { ticketId: '7:1', recordKey: '1', table: 'DeliveryTickets' };
  const v = mapped(
    rm.map(
      { ...fixture, TicketStatus: 'CANCELLED', VoidReason: 'Customer called off', QtyUOM: 'CY', LoadQty: 10, Slump: null, DelivCity: null },
      c,
    ),
  );
  assert.equal(v.status, 'voided');
  assert.equal(v.voidReason, 'Customer called off');
  assert.deepEqual(v.lines[0].quantity, { value: 10, unit: 'YDQ' });
  assert.equal(v.notes, undefined);
  assert.deepEqual(v.deliveryLocation, { address: '12 Elm St, CO' });
  assert.equal(mapped(rm.map({ ...fixture, LoadTime: '03/14/2026 12:05 PM' }, c)).issuedAtLocal, '2026-03-14T12:05:00');
  assert.equal(mapped(rm.map({ ...fixture, LoadTime: '03/14/2026 12:05 AM' }, c)).issuedAtLocal, '2026-03-14T00:05:00');
  assert.deepEqual(problems(rm.map({ ...fixture, LoadTime: '2026-03-14 07:45', CustName: null, QtyUOM: 'GAL' }, c)), [
    'load time 2026-03-14 07:45 is not a date',
    'customer is empty',
    'load quantity unit GAL is not a known unit (CY, YD3, M3 or a UN/ECE code)',
    'delivered to date unit GAL is not a known unit (CY, YD3, M3 or a UN/ECE code)',
  ]);
});

test('overrides from the profile (mapping.fields) replace template fields', () => {
  const m = createMapper({
    template: 'generic-scale-ticket',
    timezone: CHICAGO,
    vendor: 'Acme ScaleSoft',
    fields: {
      'plant.name': { const: 'Riverside Asphalt' },
      'supplier.name': { const: 'Riverside Materials LLC' },
      'supplier.id': { const: 'RM-01' },
      'lines.productDescription': { column: 'ProductDesc', then: [{ case: 'upper' }] },
      'hauler.name': null,
      notes: { concat: ['Job ', { column: 'JobNo' }] },
    },
  });
  const t = mapped(m.map(scaleRow(), ctx()));
  assert.deepEqual(t.plant, { id: 'P12', name: 'Riverside Asphalt' });
  assert.deepEqual(t.supplier, { id: 'RM-01', name: 'Riverside Materials LLC' });
  assert.equal(t.lines[0].productDescription, '12.5MM SUPERPAVE PG 64-22');
  assert.equal(t.hauler, undefined);
  assert.equal(t.notes, 'Job J-2291');
  assert.equal(t.source?.vendor, 'Acme ScaleSoft');
  assert.equal(m.sources()['plant.name'], '(constant)');
  assert.equal(m.sources()['hauler.name'], undefined);
  assert.equal(m.sources()['notes'], 'JobNo');
});

test('bad overrides are refused with a plain message naming the path', () => {
  const bad = (fields: Record<string, unknown>) => () => createMapper({ template: 'generic-scale-ticket', timezone: CHICAGO, fields });
  assert.throws(bad({ 'plant.nme': { const: 'x' } }), {
    message: 'mapping.fields["plant.nme"]: "plant.nme" is not an eTicket field a mapping can set (did you mean "plant.name"?)',
  });
  assert.throws(
    bad({ 'temperature.value': { const: 1 } }),
    /"temperature\.value" is not an eTicket field a mapping can set \(did you mean "lines\.temperature\.value"\?\)/,
  );
  assert.throws(bad({ 'lines.productCod': { const: 1 } }), /did you mean "lines\.productCode"\?/);
  assert.throws(
    bad({ plant: { const: 'x' } }),
    /mapping\.fields\["plant"\]: plant is an object; override its fields instead \(plant\.id, plant\.name\)/,
  );
  assert.throws(bad({ issuedAtLocal: { const: 'x' } }), /issuedAtLocal is set by Outpost and cannot be overridden/);
  assert.throws(bad({ 'source.vendor': { const: 'x' } }), /source is set by Outpost/);
  assert.throws(bad({ 'customer.name': null }), /customer\.name is required by eTicket v1 and cannot be removed/);
  assert.throws(
    bad({ 'plant.name': 'Riverside' }),
    /mapping\.fields\["plant\.name"\] must be an expression such as \{"const": "Riverside Asphalt"\}/,
  );
  assert.throws(bad({ 'plant.name': { colum: 'X' } }), /mapping\.fields\["plant\.name"\]: is not an expression/);
  assert.throws(bad({ 'plant.name': { column: 'X', then: [{ case: 'title' }] } }), {
    message: 'mapping.fields["plant.name"]: then[0].case must be "upper" or "lower"',
  });
  assert.throws(bad({ status: { const: 'void' } }), /mapping\.fields\["status"\]: "void" is not a status Outpost knows \(issued, voided\)/);
  assert.throws(
    bad({ 'lines.quantity.value': { column: 'Net', then: [{ convertUnit: { from: 'XX', to: 'STN' } }] } }),
    /mapping\.fields\["lines\.quantity\.value"\]\.then\[0\]\.convertUnit\.from: "XX" is not a unit Outpost converts/,
  );
  assert.throws(bad({ 'lines.quantity.unit': { const: 'LBR' } }), /is "LBR" but quantity\.value is converted to STN/);
});

test('createMapper refuses a bad timezone and a missing template', () => {
  assert.throws(
    () => createMapper({ template: 'generic-scale-ticket', timezone: 'Mars/Olympus' }),
    /timezone "Mars\/Olympus" is not a known IANA time zone/,
  );
  assert.throws(() => createMapper({ template: 'generic-scale-ticket', timezone: '+05:00' }), /is not an IANA time zone name/);
  assert.throws(
    () => createMapper({ template: 'generic-scale-tiket', timezone: CHICAGO }),
    /mapping template "generic-scale-tiket" does not exist \(did you mean "generic-scale-ticket"\?\)/,
  );
});

test('a template object can be passed directly, and its mistakes are reported with the JSON path', () => {
  const t: Template = structuredClone(loadTemplate('generic-scale-ticket'));
  const m = createMapper({ template: t, timezone: 'UTC' });
  assert.equal(m.templateName, 'generic-scale-ticket');
  assert.equal(mapped(m.map(scaleRow(), ctx())).issuedAt, '2026-06-15T07:42:10+00:00');

  const noUnit = structuredClone(t);
  (noUnit.lines[0].grossWeight as Record<string, unknown>).unit = undefined;
  assert.throws(
    () => createMapper({ template: noUnit, timezone: CHICAGO }),
    /mapping template "generic-scale-ticket": lines\[0\]\.grossWeight\.unit is required \(or end grossWeight\.value with a convertUnit transform\)/,
  );
  const badFormat = structuredClone(t);
  badFormat.ticket.issuedAt = { column: 'TicketDate', then: [{ localDateTime: { format: 'YYYY-MM-DD QQ' } }] };
  assert.throws(
    () => createMapper({ template: badFormat, timezone: CHICAGO }),
    /ticket\.issuedAt\.then\[0\]\.localDateTime\.format: format token "QQ" is not supported/,
  );
});

test('the ticket is serialised once: the body parses to the ticket, the revision hashes its canonical text, unchanged from before', () => {
  // Pinned: revisions of ledgers written before the single serialisation must stay the same, or every
  // ticket would look changed and be sent again after an upgrade.
  const r = scale.map(scaleRow(), ctx());
  const t = mapped(r);
  assert.ok(r.ok);
  assert.equal(t.revision, 'r1-df67d2eb992c741e27a4a035d26bd44e77693c9f59868fd0dcf767423f89acf3');
  const { revision: _r, source, ...rest } = t;
  const { recordModifiedAt: _m, ...src } = source!;
  assert.equal(r.canonical.text, canonicalJson({ ...rest, source: src }));
  assert.deepEqual(JSON.parse(ticketJson(r.canonical, t.source?.recordModifiedAt)), t);
  // The pipeline may raise recordModifiedAt (kept monotone per ticket): the body carries the value given.
  const raised = JSON.parse(ticketJson(r.canonical, '2030-01-01 00:00:00')) as ETicket;
  assert.deepEqual(raised, { ...t, source: { ...t.source, recordModifiedAt: '2030-01-01 00:00:00' } });
  // Without a change column value, and with text that needs escaping.
  const q = scale.map(scaleRow({ Customer: 'Ünïcode "quoted" \\ back' }), ctx({ recordModifiedAt: undefined }));
  const tq = mapped(q);
  assert.ok(q.ok);
  assert.equal(tq.revision, 'r1-44aa67e9abfba44815020f17ef0a15fb0474938cb758d093fea96812ca51f30b');
  assert.equal(tq.source?.recordModifiedAt, undefined);
  assert.deepEqual(JSON.parse(ticketJson(q.canonical, undefined)), tq);
});

test('revisionOf: stable under key order, changes with content, ignores recordModifiedAt', () => {
  const t = mapped(scale.map(scaleRow(), ctx()));
  const reversed = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(reversed)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .reverse()
              .map(([k, x]) => [k, reversed(x)]),
          )
        : v;
  assert.equal(revisionOf(reversed(t) as ETicket), t.revision);
  assert.equal(revisionOf({ ...t, revision: 'anything' }), t.revision);
  const { revision: _r, ...withoutRevision } = t;
  assert.equal(revisionOf(withoutRevision), t.revision);
  assert.equal(revisionOf({ ...t, source: { ...t.source!, recordModifiedAt: '2030-01-01 00:00:00' } }), t.revision);
  assert.notEqual(revisionOf({ ...t, ticketNumber: '100235' }), t.revision);
  assert.notEqual(revisionOf({ ...t, lines: [{ ...t.lines[0], quantity: { value: 25.0001, unit: 'STN' } }] }), t.revision);
  // Through the mapper: touching the row (LastModified only) keeps the revision; a real change does not.
  const again = mapped(
    scale.map(scaleRow({ LastModified: '2026-06-16 00:00:00.000' }), ctx({ recordModifiedAt: '2026-06-16 00:00:00.000' })),
  );
  assert.equal(again.revision, t.revision);
  assert.notEqual(mapped(scale.map(scaleRow({ Net: 50020 }), ctx())).revision, t.revision);
});

test('sources() names the columns behind each field, for the review page', () => {
  const s = scale.sources();
  assert.equal(s.ticketNumber, 'TicketNo');
  assert.equal(s.issuedAt, 'TicketDate');
  assert.equal(s.issuedAtLocal, 'TicketDate');
  assert.equal(s['customer.name'], 'Customer');
  assert.equal(s['lines.0.quantity.value'], 'Net, UOM');
  assert.equal(s['lines.0.quantity.unit'], '(constant)');
  assert.equal(s['lines.0.materialCategory'], 'ProductCode');
  assert.equal(s['lines.0.weighMethod'], '(constant)');
  // A copy: callers cannot change the mapper.
  s.ticketNumber = 'x';
  assert.equal(scale.sources().ticketNumber, 'TicketNo');
});

test('map never throws on hostile rows', () => {
  const hostile = new Proxy(
    {},
    {
      get: () => {
        throw new Error('boom');
      },
      has: () => true,
    },
  );
  const r = scale.map(hostile as Record<string, unknown>, ctx());
  assert.deepEqual(problems(r), ['this row could not be mapped: boom']);
  assert.deepEqual(problems(scale.map(null as unknown as Record<string, unknown>, ctx())), ['the row is not a record']);
  assert.deepEqual(problems(scale.map(scaleRow(), ctx({ ticketId: '' }))), ['ticket id is empty']);
});
