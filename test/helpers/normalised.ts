// Two normalised plant schemas of our own design (no shipped template matches either), in the SQL of
// PostgreSQL, MariaDB/MySQL and SQLite, with the tickets every complete row must map to.
//
// A "yard" (snake_case): master tables by surrogate id — plants, customers, suppliers, products
//   (→ suppliers: the product → supplier chain), haulers, trucks (→ haulers), drivers — and a
//   tickets table holding only ids, weights in pounds (net_lbs), a void flag and a typed customer
//   name for walk-in sales (customer_id NULL).
// B "gate" (PascalCase): a GateEntry header (ticket number char(10), date + char(8) time, a status id,
//   Inbound/Outbound), a 1:1 Weighment table (kg, unit column), a TicketStatus table (OPEN, GXT,
//   VOID), a Material master by natural key, and a PartyID that is a SupplierMaster id on inbound
//   loads and a CompanyMaster id on outbound ones (no foreign key: the `when` override).
export type Flavour = 'postgres' | 'mysql' | 'sqlite';

const q = (f: Flavour, n: string) => (f === 'mysql' ? `\`${n}\`` : `"${n}"`);
const bool = (f: Flavour, v: boolean) => (f === 'postgres' ? String(v) : v ? '1' : '0');
const s = (v: string | null) => (v === null ? 'NULL' : `'${v.replace(/'/g, "''")}'`);

export function yardSchema(f: Flavour): string[] {
  const ts = f === 'postgres' ? 'timestamp(0)' : f === 'mysql' ? 'DATETIME' : 'TEXT';
  const boolean = f === 'postgres' ? 'boolean' : f === 'mysql' ? 'TINYINT(1)' : 'INTEGER';
  const out = [
    `CREATE TABLE plants (id INTEGER PRIMARY KEY, code VARCHAR(8) NOT NULL, name VARCHAR(60) NOT NULL)`,
    `CREATE TABLE customers (id INTEGER PRIMARY KEY, code VARCHAR(12) NOT NULL, name VARCHAR(80) NOT NULL)`,
    `CREATE TABLE suppliers (id INTEGER PRIMARY KEY, name VARCHAR(80) NOT NULL)`,
    `CREATE TABLE products (id INTEGER PRIMARY KEY, code VARCHAR(20) NOT NULL, description VARCHAR(80), category VARCHAR(20), supplier_id INTEGER, FOREIGN KEY (supplier_id) REFERENCES suppliers(id))`,
    `CREATE TABLE haulers (id INTEGER PRIMARY KEY, name VARCHAR(80) NOT NULL)`,
    `CREATE TABLE trucks (id INTEGER PRIMARY KEY, plate VARCHAR(12) NOT NULL, hauler_id INTEGER, FOREIGN KEY (hauler_id) REFERENCES haulers(id))`,
    `CREATE TABLE drivers (id INTEGER PRIMARY KEY, full_name VARCHAR(80) NOT NULL)`,
    `CREATE TABLE tickets (id INTEGER PRIMARY KEY, ticket_no VARCHAR(12) NOT NULL, ticket_at ${ts} NOT NULL, plant_id INTEGER NOT NULL,
       customer_id INTEGER, manual_customer VARCHAR(80), product_id INTEGER, truck_id INTEGER, driver_id INTEGER,
       gross_lbs INTEGER, tare_lbs INTEGER, net_lbs INTEGER, is_void ${boolean} NOT NULL, void_reason VARCHAR(80),
       job_no VARCHAR(20), po_number VARCHAR(20), updated_at ${ts} NOT NULL,
       FOREIGN KEY (plant_id) REFERENCES plants(id), FOREIGN KEY (customer_id) REFERENCES customers(id),
       FOREIGN KEY (product_id) REFERENCES products(id), FOREIGN KEY (truck_id) REFERENCES trucks(id), FOREIGN KEY (driver_id) REFERENCES drivers(id))`,
    `INSERT INTO plants VALUES (1, 'P12', 'Riverside Asphalt'), (2, 'P14', 'Hilltop Quarry')`,
    `INSERT INTO customers VALUES (1, 'C-100', 'Hill County Paving'), (2, 'C-200', 'Acme Roads')`,
    `INSERT INTO suppliers VALUES (1, 'Riverside Materials LLC'), (2, 'Bitumen Supply Co')`,
    `INSERT INTO products VALUES (1, 'HMA-12.5', '12.5mm Superpave HMA', 'Asphalt', 2), (2, 'AGG-57', '#57 Stone', 'Aggregate', 1), (3, 'RMC-4000', '4000 psi Ready Mix', 'Concrete', 1)`,
    `INSERT INTO haulers VALUES (1, 'Riverside Trucking'), (2, 'Lone Star Haul')`,
    `INSERT INTO trucks VALUES (1, 'TX-4411', 1), (2, 'TX-9902', 2)`,
    `INSERT INTO drivers VALUES (1, 'Maria Alvarez'), (2, 'Sam Lee')`,
  ];
  for (const t of YARD_ROWS) {
    out.push(
      `INSERT INTO tickets VALUES (${t.id}, ${s(t.no)}, ${s(t.at)}, ${t.plant}, ${t.customer ?? 'NULL'}, ${s(t.manual)}, ${t.product}, ${t.truck ?? 'NULL'}, ${t.driver}, ${t.gross ?? 'NULL'}, ${t.tare ?? 'NULL'}, ${t.net ?? 'NULL'}, ${bool(f, t.void)}, ${s(t.reason)}, ${s(t.job)}, ${s(t.po)}, ${s(t.at)})`,
    );
  }
  return out;
}

interface YardRow {
  id: number;
  no: string;
  at: string;
  plant: number;
  customer: number | null;
  manual: string | null;
  product: number;
  truck: number | null;
  driver: number;
  gross: number | null;
  tare: number | null;
  net: number | null;
  void: boolean;
  reason: string | null;
  job: string | null;
  po: string | null;
}

const YARD_ROWS: YardRow[] = [
  {
    id: 1,
    no: '100231',
    at: '2026-06-15 06:58:12',
    plant: 1,
    customer: 1,
    manual: null,
    product: 1,
    truck: 1,
    driver: 1,
    gross: 74200,
    tare: 28400,
    net: 45800,
    void: false,
    reason: null,
    job: 'J-4410',
    po: 'PO-88172',
  },
  {
    id: 2,
    no: '100232',
    at: '2026-06-15 07:12:40',
    plant: 1,
    customer: 2,
    manual: null,
    product: 2,
    truck: 2,
    driver: 2,
    gross: 70100,
    tare: 27900,
    net: 42200,
    void: false,
    reason: null,
    job: null,
    po: 'PO-1',
  },
  {
    id: 3,
    no: '100233',
    at: '2026-06-15 07:30:05',
    plant: 2,
    customer: null,
    manual: 'Walk-in Cash',
    product: 2,
    truck: 1,
    driver: 1,
    gross: 52000,
    tare: 28400,
    net: 23600,
    void: false,
    reason: null,
    job: null,
    po: null,
  },
  {
    id: 4,
    no: '100234',
    at: '2026-06-15 07:42:10',
    plant: 1,
    customer: 1,
    manual: null,
    product: 3,
    truck: 2,
    driver: 2,
    gross: 68000,
    tare: 27900,
    net: 40100,
    void: true,
    reason: 'wrong customer',
    job: 'J-4410',
    po: null,
  },
  {
    id: 5,
    no: '100235',
    at: '2026-06-15 08:05:00',
    plant: 1,
    customer: 2,
    manual: 'Acme (typed)',
    product: 1,
    truck: 1,
    driver: 1,
    gross: 75020,
    tare: 28400,
    net: 46620,
    void: false,
    reason: null,
    job: 'J-77',
    po: null,
  },
  // Incomplete: the truck and the weights are not recorded yet (filtered, with its reasons).
  {
    id: 6,
    no: '100236',
    at: '2026-06-15 08:20:00',
    plant: 1,
    customer: 1,
    manual: null,
    product: 1,
    truck: null,
    driver: 1,
    gross: null,
    tare: null,
    net: null,
    void: false,
    reason: null,
    job: null,
    po: null,
  },
];

/** What each complete yard ticket must map to (America/Chicago), field by field. */
export const YARD_EXPECTED: Record<string, Record<string, unknown>> = {
  '100231': {
    status: 'issued',
    issuedAt: '2026-06-15T06:58:12-05:00',
    'plant.id': 'P12',
    'plant.name': 'Riverside Asphalt',
    'supplier.name': 'Bitumen Supply Co',
    'customer.id': 'C-100',
    'customer.name': 'Hill County Paving',
    'truck.id': 'TX-4411',
    'hauler.name': 'Riverside Trucking',
    'driver.name': 'Maria Alvarez',
    jobNumber: 'J-4410',
    purchaseOrder: 'PO-88172',
    'lines.0.productCode': 'HMA-12.5',
    'lines.0.productDescription': '12.5mm Superpave HMA',
    'lines.0.materialCategory': 'asphalt',
    'lines.0.quantity.value': 22.9,
    'lines.0.quantity.unit': 'STN',
    'lines.0.weighMethod': 'scale',
    'lines.0.grossWeight.value': 74200,
    'lines.0.grossWeight.unit': 'LBR',
    'lines.0.tareWeight.value': 28400,
    'lines.0.netWeight.value': 45800,
    'lines.0.netWeight.unit': 'LBR',
  },
  '100232': {
    status: 'issued',
    issuedAt: '2026-06-15T07:12:40-05:00',
    'plant.id': 'P12',
    'supplier.name': 'Riverside Materials LLC',
    'customer.id': 'C-200',
    'customer.name': 'Acme Roads',
    'truck.id': 'TX-9902',
    'hauler.name': 'Lone Star Haul',
    'driver.name': 'Sam Lee',
    jobNumber: undefined,
    purchaseOrder: 'PO-1',
    'lines.0.productCode': 'AGG-57',
    'lines.0.productDescription': '#57 Stone',
    'lines.0.materialCategory': 'aggregate',
    'lines.0.quantity.value': 21.1,
    'lines.0.netWeight.value': 42200,
  },
  '100233': {
    status: 'issued',
    'plant.id': 'P14',
    'plant.name': 'Hilltop Quarry',
    'customer.id': undefined,
    'customer.name': 'Walk-in Cash',
    'supplier.name': 'Riverside Materials LLC',
    'lines.0.quantity.value': 11.8,
    'lines.0.materialCategory': 'aggregate',
  },
  '100234': {
    status: 'voided',
    voidReason: 'wrong customer',
    'customer.name': 'Hill County Paving',
    'lines.0.materialCategory': 'concrete',
    'lines.0.productCode': 'RMC-4000',
    'lines.0.quantity.value': 20.05,
  },
  '100235': { status: 'issued', 'customer.name': 'Acme Roads', 'customer.id': 'C-200', 'lines.0.quantity.value': 23.31, jobNumber: 'J-77' },
};
export const YARD_INCOMPLETE = ['100236'];

export function gateSchema(f: Flavour): string[] {
  const Q = (n: string) => q(f, n);
  const date = f === 'sqlite' ? 'TEXT' : 'DATE';
  const dt = f === 'postgres' ? 'timestamp(0)' : f === 'mysql' ? 'DATETIME' : 'TEXT';
  const out = [
    `CREATE TABLE ${Q('TicketStatus')} (${Q('StatusID')} INTEGER PRIMARY KEY, ${Q('StatusCode')} VARCHAR(8) NOT NULL, ${Q('Descr')} VARCHAR(40))`,
    `CREATE TABLE ${Q('Material')} (${Q('MatCode')} VARCHAR(12) PRIMARY KEY, ${Q('MatDesc')} VARCHAR(60) NOT NULL, ${Q('MatType')} VARCHAR(20))`,
    `CREATE TABLE ${Q('SupplierMaster')} (${Q('SupplierID')} INTEGER PRIMARY KEY, ${Q('SupplierName')} VARCHAR(80) NOT NULL)`,
    `CREATE TABLE ${Q('CompanyMaster')} (${Q('CompanyID')} INTEGER PRIMARY KEY, ${Q('CompanyName')} VARCHAR(80) NOT NULL)`,
    `CREATE TABLE ${Q('GateEntry')} (${Q('EntryID')} INTEGER PRIMARY KEY, ${Q('TktNo')} CHAR(10) NOT NULL, ${Q('EntryDate')} ${date} NOT NULL, ${Q('EntryTime')} CHAR(8) NOT NULL,
       ${Q('StatusID')} INTEGER NOT NULL, ${Q('TransactionType')} VARCHAR(10) NOT NULL, ${Q('PartyID')} INTEGER, ${Q('VehNo')} VARCHAR(12), ${Q('MatCode')} VARCHAR(12),
       ${Q('Remarks')} VARCHAR(200), ${Q('ModifiedOn')} ${dt} NOT NULL,
       FOREIGN KEY (${Q('StatusID')}) REFERENCES ${Q('TicketStatus')}(${Q('StatusID')}), FOREIGN KEY (${Q('MatCode')}) REFERENCES ${Q('Material')}(${Q('MatCode')}))`,
    `CREATE TABLE ${Q('Weighment')} (${Q('EntryID')} INTEGER PRIMARY KEY, ${Q('GrossWgt')} INTEGER, ${Q('TareWgt')} INTEGER, ${Q('NetWgt')} INTEGER, ${Q('WgtUom')} VARCHAR(4),
       FOREIGN KEY (${Q('EntryID')}) REFERENCES ${Q('GateEntry')}(${Q('EntryID')}))`,
    `INSERT INTO ${Q('TicketStatus')} VALUES (1, 'OPEN', 'At the gate, not weighed out'), (2, 'GXT', 'Gate exit'), (3, 'VOID', 'Voided')`,
    `INSERT INTO ${Q('Material')} VALUES ('AGG-20', '20mm Crushed Stone', 'Aggregate'), ('SND-01', 'Washed Sand', 'Aggregate'), ('BIT-60', 'Bitumen 60/70', 'Asphalt')`,
    `INSERT INTO ${Q('SupplierMaster')} VALUES (7, 'Deccan Bitumen Pvt'), (8, 'Godavari Sand Co')`,
    `INSERT INTO ${Q('CompanyMaster')} VALUES (51, 'Metro Infra Ltd'), (52, 'Highway Builders')`,
  ];
  for (const g of GATE_ROWS) {
    out.push(
      `INSERT INTO ${Q('GateEntry')} VALUES (${g.id}, ${s(g.no)}, ${s(g.date)}, ${s(g.time)}, ${g.status}, ${s(g.type)}, ${g.party}, ${s(g.veh)}, ${s(g.mat)}, ${s(g.remarks)}, ${s(`${g.date} ${g.time}`)})`,
    );
    if (g.net !== null) out.push(`INSERT INTO ${Q('Weighment')} VALUES (${g.id}, ${g.gross}, ${g.tare}, ${g.net}, 'KG')`);
  }
  return out;
}

interface GateRow {
  id: number;
  no: string;
  date: string;
  time: string;
  status: number;
  type: 'Inbound' | 'Outbound';
  party: number;
  veh: string;
  mat: string;
  remarks: string | null;
  gross: number | null;
  tare: number | null;
  net: number | null;
}

const GATE_ROWS: GateRow[] = [
  {
    id: 1,
    no: 'GE-0001   ',
    date: '2026-06-15',
    time: '06:05:09',
    status: 2,
    type: 'Inbound',
    party: 7,
    veh: 'MH12AB1234',
    mat: 'BIT-60',
    remarks: null,
    gross: 32500,
    tare: 12000,
    net: 20500,
  },
  {
    id: 2,
    no: 'GE-0002   ',
    date: '2026-06-15',
    time: '09:41:00',
    status: 2,
    type: 'Outbound',
    party: 51,
    veh: 'MH14CD5678',
    mat: 'AGG-20',
    remarks: 'site gate 3',
    gross: 41250,
    tare: 14100,
    net: 27150,
  },
  {
    id: 3,
    no: 'GE-0003   ',
    date: '2026-06-15',
    time: '11:15:30',
    status: 2,
    type: 'Inbound',
    party: 8,
    veh: 'MH12EF9012',
    mat: 'SND-01',
    remarks: null,
    gross: 30000,
    tare: 11000,
    net: 19000,
  },
  {
    id: 4,
    no: 'GE-0004   ',
    date: '2026-06-15',
    time: '13:02:44',
    status: 3,
    type: 'Outbound',
    party: 52,
    veh: 'MH14CD5678',
    mat: 'AGG-20',
    remarks: 'driver left',
    gross: 39000,
    tare: 14100,
    net: 24900,
  },
  {
    id: 5,
    no: 'GE-0005   ',
    date: '2026-06-15',
    time: '23:59:58',
    status: 2,
    type: 'Outbound',
    party: 52,
    veh: 'MH12AB1234',
    mat: 'SND-01',
    remarks: null,
    gross: 35550,
    tare: 12000,
    net: 23550,
  },
  // At the gate, not weighed out: skipped by the row rule the starter proposes for OPEN.
  {
    id: 6,
    no: 'GE-0006   ',
    date: '2026-06-16',
    time: '07:00:00',
    status: 1,
    type: 'Outbound',
    party: 51,
    veh: 'MH14CD5678',
    mat: 'AGG-20',
    remarks: null,
    gross: null,
    tare: null,
    net: null,
  },
];

/** The profile overrides gate needs beside the generated starter: the plant and who is buyer/seller. */
export function gateOverrides(): Record<string, unknown> {
  const plant = 'Pune Stockyard';
  return {
    'plant.id': { const: 'PUNE-1' },
    'plant.name': { const: plant },
    'customer.name': {
      when: [
        {
          if: { column: 'TransactionType', equals: 'Outbound' },
          use: { lookup: { table: 'CompanyMaster', on: { CompanyID: { column: 'PartyID' } }, column: 'CompanyName' } },
        },
      ],
      else: { const: plant },
    },
    'supplier.name': {
      when: [
        {
          if: { column: 'TransactionType', equals: 'Inbound' },
          use: { lookup: { table: 'SupplierMaster', on: { SupplierID: { column: 'PartyID' } }, column: 'SupplierName' } },
        },
      ],
      else: { const: plant },
    },
  };
}

/** Asia/Kolkata: a zone ahead of UTC, where a zone-less change column is held back without care. */
export const GATE_EXPECTED: Record<string, Record<string, unknown>> = {
  'GE-0001': {
    status: 'issued',
    issuedAt: '2026-06-15T06:05:09+05:30',
    'plant.id': 'PUNE-1',
    'plant.name': 'Pune Stockyard',
    'supplier.name': 'Deccan Bitumen Pvt',
    'customer.name': 'Pune Stockyard',
    'truck.id': 'MH12AB1234',
    'lines.0.productCode': 'BIT-60',
    'lines.0.productDescription': 'Bitumen 60/70',
    'lines.0.materialCategory': 'asphalt',
    'lines.0.quantity.value': 20.5,
    'lines.0.quantity.unit': 'TNE',
    'lines.0.grossWeight.value': 32500,
    'lines.0.grossWeight.unit': 'KGM',
    'lines.0.tareWeight.value': 12000,
    'lines.0.netWeight.value': 20500,
    'lines.0.netWeight.unit': 'KGM',
    notes: undefined,
  },
  'GE-0002': {
    status: 'issued',
    issuedAt: '2026-06-15T09:41:00+05:30',
    'supplier.name': 'Pune Stockyard',
    'customer.name': 'Metro Infra Ltd',
    'lines.0.materialCategory': 'aggregate',
    'lines.0.quantity.value': 27.15,
    notes: 'site gate 3',
  },
  'GE-0003': {
    'supplier.name': 'Godavari Sand Co',
    'customer.name': 'Pune Stockyard',
    'lines.0.productDescription': 'Washed Sand',
    'lines.0.quantity.value': 19,
  },
  'GE-0004': { status: 'voided', 'customer.name': 'Highway Builders', notes: 'driver left' },
  'GE-0005': { issuedAt: '2026-06-15T23:59:58+05:30', 'customer.name': 'Highway Builders', 'lines.0.quantity.value': 23.55 },
};
export const GATE_SKIPPED = ['GE-0006'];

/** The value at a dotted path ("lines.0.quantity.value") of a ticket. */
export function at(obj: unknown, path: string): unknown {
  let v: unknown = obj;
  for (const p of path.split('.')) v = v === null || v === undefined ? undefined : (v as Record<string, unknown>)[p];
  return v;
}
