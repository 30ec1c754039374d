// The built-in demo plant: a SQLite scale-house database shaped like the real thing — a space-padded
// ticket number, a local ticket time without a zone, pounds and tons, voids, edited tickets and a few
// rows missing what an e-ticket needs. LastModified is kept by a trigger in UTC, as the database
// writes it, so any edit (the simulator's, a test's, yours with sqlite3) is picked up.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { prng } from '../random.js';

export const DEMO_TABLE = 'Tickets';
export const DEMO_TIMEZONE = 'America/Chicago';
export const DEMO_PLANT = { code: 'P12', name: 'Riverside Asphalt & Aggregates', supplier: 'Riverside Materials Co.' };

const SCHEMA = `
CREATE TABLE IF NOT EXISTS Tickets (
  TicketID INTEGER PRIMARY KEY,
  TicketNo TEXT NOT NULL,
  TicketDate TEXT,
  PlantCode TEXT NOT NULL,
  Customer TEXT,
  JobNo TEXT, OrderNo TEXT,
  ProductCode TEXT, ProductDesc TEXT, MixID TEXT,
  Gross REAL, Tare REAL, Net REAL, UOM TEXT,
  TruckNo TEXT, Hauler TEXT, Driver TEXT,
  VoidFlag TEXT NOT NULL DEFAULT 'N', VoidReason TEXT,
  LoadTemp REAL, DOTProject TEXT, PayItem TEXT, DeliveryAddress TEXT,
  LastModified TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX IF NOT EXISTS IX_Tickets_LastModified ON Tickets (LastModified, TicketID);
CREATE TRIGGER IF NOT EXISTS Tickets_touch AFTER UPDATE ON Tickets
  WHEN NEW.LastModified = OLD.LastModified
BEGIN
  UPDATE Tickets SET LastModified = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE TicketID = NEW.TicketID;
END;
`;

const PRODUCTS = [
  { code: 'HMA-12.5', desc: 'Superpave 12.5mm PG 64-22', mix: 'JMF-2231', temp: true },
  { code: 'HMA-9.5', desc: 'Superpave 9.5mm Surface', mix: 'JMF-2207', temp: true },
  { code: 'AGG-57', desc: '#57 Washed Stone', mix: null, temp: false },
  { code: 'AGG-ABC', desc: 'Aggregate Base Course', mix: null, temp: false },
  { code: 'AGG-SAND', desc: 'Concrete Sand', mix: null, temp: false },
];
const CUSTOMERS = [
  { name: 'Hill County Paving', job: 'J-4410', dot: 'DOT-22-0114', pay: '406-0012' },
  { name: 'Baker & Sons Construction', job: 'J-3902', dot: null, pay: null },
  { name: 'City of Riverside Public Works', job: 'J-5120', dot: 'DOT-23-0871', pay: '304-0100' },
  { name: 'Northgate Developers', job: 'J-6001', dot: null, pay: null },
];
const TRUCKS = ['T-101', 'T-114', 'T-208', 'T-233', 'T-310', 'T-402'];
const HAULERS = ['Riverside Trucking', 'J&M Hauling', 'Own fleet'];
const DRIVERS = ['M. Alvarez', 'K. Johnson', 'D. Nguyen', 'S. Patel', 'R. Okafor'];
const ADDRESSES = ['FM 1431 at CR 120, Hill County', '1200 Main St, Riverside', 'Northgate Blvd Phase 2'];

export { prng };

// One formatter per zone: building an Intl.DateTimeFormat costs far more than formatting with it,
// and the demo seeding and the time property tests call this thousands of times.
const wallClockFormats = new Map<string, Intl.DateTimeFormat>();

/** Wall-clock text 'YYYY-MM-DD HH:MM:SS' of an instant in a zone. */
export function wallClock(at: Date, timeZone: string): string {
  let format = wallClockFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    wallClockFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
}

function utcText(at: Date): string {
  return at.toISOString().replace('T', ' ').replace('Z', '');
}

export interface TicketRow {
  TicketNo: string;
  TicketDate: string | null;
  PlantCode: string;
  Customer: string | null;
  JobNo: string | null;
  OrderNo: string | null;
  ProductCode: string;
  ProductDesc: string;
  MixID: string | null;
  Gross: number | null;
  Tare: number | null;
  Net: number | null;
  UOM: string;
  TruckNo: string;
  Hauler: string;
  Driver: string;
  VoidFlag: string;
  VoidReason: string | null;
  LoadTemp: number | null;
  DOTProject: string | null;
  PayItem: string | null;
  DeliveryAddress: string | null;
}

/** One realistic ticket issued at `at`. */
export function makeTicket(rand: () => number, ticketNo: number, at: Date): TicketRow {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const p = pick(PRODUCTS);
  const c = pick(CUSTOMERS);
  const inTons = rand() < 0.3;
  const tareLb = 26000 + Math.round(rand() * 6000);
  const netLb = 30000 + Math.round(rand() * 24000);
  const toUnit = (lb: number) => (inTons ? Math.round((lb / 2000) * 100) / 100 : lb);
  return {
    TicketNo: String(ticketNo).padStart(9, ' '),
    TicketDate: wallClock(at, DEMO_TIMEZONE),
    PlantCode: DEMO_PLANT.code,
    Customer: c.name,
    JobNo: c.job,
    OrderNo: `SO-${70000 + Math.floor(rand() * 900)}`,
    ProductCode: p.code,
    ProductDesc: p.desc,
    MixID: p.mix,
    Gross: toUnit(tareLb + netLb),
    Tare: toUnit(tareLb),
    Net: toUnit(netLb),
    UOM: inTons ? 'TN' : 'LB',
    TruckNo: pick(TRUCKS),
    Hauler: pick(HAULERS),
    Driver: pick(DRIVERS),
    VoidFlag: 'N',
    VoidReason: null,
    LoadTemp: p.temp ? 290 + Math.round(rand() * 40) : null,
    DOTProject: c.dot,
    PayItem: c.pay,
    DeliveryAddress: pick(ADDRESSES),
  };
}

/** The demo ticket table's data columns (besides TicketID and LastModified), in insert order. */
export const DEMO_COLUMNS = [
  'TicketNo',
  'TicketDate',
  'PlantCode',
  'Customer',
  'JobNo',
  'OrderNo',
  'ProductCode',
  'ProductDesc',
  'MixID',
  'Gross',
  'Tare',
  'Net',
  'UOM',
  'TruckNo',
  'Hauler',
  'Driver',
  'VoidFlag',
  'VoidReason',
  'LoadTemp',
  'DOTProject',
  'PayItem',
  'DeliveryAddress',
] as const;

export function insertTicket(db: Database.Database, t: TicketRow, lastModified?: Date): number {
  const cols = [...DEMO_COLUMNS, ...(lastModified ? ['LastModified'] : [])];
  const values = [...DEMO_COLUMNS.map((c) => t[c]), ...(lastModified ? [utcText(lastModified)] : [])];
  const r = db.prepare(`INSERT INTO Tickets (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...values);
  return Number(r.lastInsertRowid);
}

export function openPlant(file: string): Database.Database {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  return db;
}

export interface SeedSummary {
  tickets: number;
  voided: number;
  edited: number;
  incomplete: number;
}

/**
 * Creates the demo plant database with `days` of history, unless it already exists (a second
 * `outpost demo` resumes with the same data). Returns null when nothing was created.
 */
export function createDemoPlant(
  file: string,
  opts: { days?: number; perDay?: number; seed?: number; now?: Date } = {},
): SeedSummary | null {
  const existed = existsSync(file);
  const db = openPlant(file);
  try {
    const count = (db.prepare('SELECT COUNT(*) AS n FROM Tickets').get() as { n: number }).n;
    if (existed && count > 0) return null;
    const rand = prng(opts.seed ?? 12);
    const days = opts.days ?? 3;
    const perDay = opts.perDay ?? 24;
    const now = opts.now ?? new Date();
    const summary: SeedSummary = { tickets: 0, voided: 0, edited: 0, incomplete: 0 };
    let no = 100200;
    db.transaction(() => {
      for (let d = days; d >= 1; d--) {
        for (let i = 0; i < perDay; i++) {
          // Tickets spread over a 6:00–18:00 working day, d days ago.
          const at = new Date(now.getTime() - d * 86_400_000 + (i / perDay) * 12 * 3_600_000 - 6 * 3_600_000);
          const t = makeTicket(rand, no++, at);
          const r = rand();
          let modified = new Date(at.getTime() + 60_000);
          if (r < 0.06) {
            t.VoidFlag = 'Y';
            t.VoidReason = rand() < 0.5 ? 'Wrong customer selected' : 'Truck reweighed';
            modified = new Date(at.getTime() + 20 * 60_000);
            summary.voided++;
          } else if (r < 0.14) {
            t.TruckNo = 'T-999';
            t.Net = t.Net !== null ? Math.round(t.Net * 0.98 * 100) / 100 : null;
            modified = new Date(at.getTime() + 45 * 60_000);
            summary.edited++;
          } else if (r < 0.18) {
            // What the scale house sometimes leaves behind: no net weight, no customer, a bad date.
            const which = Math.floor(rand() * 3);
            if (which === 0) t.Net = null;
            if (which === 1) t.Customer = '  ';
            if (which === 2) t.TicketDate = '2026-13-01 07:00:00';
            summary.incomplete++;
          }
          insertTicket(db, t, modified);
          summary.tickets++;
        }
      }
    })();
    return summary;
  } finally {
    db.close();
  }
}

export function nextTicketNo(db: Database.Database): number {
  const r = db.prepare(`SELECT MAX(CAST(TRIM(TicketNo) AS INTEGER)) AS n FROM Tickets`).get() as { n: number | null };
  return (r.n ?? 100199) + 1;
}
