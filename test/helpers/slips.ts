// A plant table whose columns match no shipped template ("WeighSlips"), mapped with the generic
// template and field overrides the way a user would write them in the profile. `net` names the
// column of the net tons, so a test can start with a wrong mapping and fix it later.
import Database from 'better-sqlite3';

export const SLIPS_TIMEZONE = 'America/Chicago';

export function slipsFields(net = 'NetTons'): Record<string, unknown> {
  return {
    ticketNumber: { column: 'SlipNumber' },
    status: { const: 'issued' },
    voidReason: null,
    issuedAt: { column: 'IssuedLocal', then: [{ localDateTime: {} }] },
    'plant.id': { column: 'Site' },
    'plant.name': { column: 'Site' },
    'supplier.name': { const: 'Acme Aggregates' },
    'customer.name': { column: 'Buyer' },
    'truck.id': { column: 'Truck' },
    jobNumber: null,
    orderNumber: null,
    dotProjectCode: null,
    'hauler.name': null,
    'driver.name': null,
    'deliveryLocation.address': null,
    'lines.productCode': { column: 'Material' },
    'lines.productDescription': { column: 'Material' },
    'lines.materialCategory': { const: 'aggregate' },
    'lines.quantity.value': { column: net },
    'lines.quantity.unit': { const: 'STN' },
    'lines.grossWeight.value': null,
    'lines.tareWeight.value': null,
    'lines.netWeight.value': null,
    'lines.mixDesignId': null,
    'lines.temperature.value': null,
    'lines.payItem': null,
  };
}

export interface SlipsPlant {
  db: Database.Database;
  /** Inserts one slip; returns its key. `day` is YYYY-MM-DD (plant local). */
  add(opts: { key?: bigint | number; day: string; net?: number | null; changed?: string }): bigint | number;
  close(): void;
}

/** Creates the WeighSlips table (INTEGER key, text timestamps in SQLite's own form). */
export function createSlipsPlant(file: string): SlipsPlant {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE IF NOT EXISTS WeighSlips (SlipNo INTEGER PRIMARY KEY, SlipNumber TEXT NOT NULL, IssuedLocal TEXT, Site TEXT, Buyer TEXT,
    Truck TEXT, Material TEXT, NetTons REAL, Changed TEXT NOT NULL)`);
  let n = (db.prepare('SELECT COUNT(*) AS n FROM WeighSlips').get() as { n: number }).n;
  const ins = db.prepare(`INSERT INTO WeighSlips VALUES (?, ?, ?, 'North', 'City of Springfield', 'T-12', 'AGG-57', ?, ?)`);
  return {
    db,
    add({ key, day, net = 12.5, changed }) {
      n++;
      const k = key ?? n;
      // Changed: a few seconds in the past, in the form strftime('%Y-%m-%d %H:%M:%f') compares with.
      const stamp = changed ?? new Date(Date.now() - 5000).toISOString().replace('T', ' ').replace('Z', '');
      ins.run(k, `S-${String(k)}`, `${day} 08:${String(n % 60).padStart(2, '0')}:00`, net, stamp);
      return k;
    },
    close: () => db.close(),
  };
}
