// The benchmark's ticket table ("Tickets", shaped like the demo plant's, indexed on (LastModified,
// TicketID)) in a private PostgreSQL: shared by `npm run bench` (run.ts) and the hot-path harness.
import { privateClient, type PrivateServer } from '../helpers/private-db.js';

/** Creates and fills "Tickets" with `rows` rows, generated in SQL so a million load in seconds. */
export async function loadTicketsTable(server: PrivateServer, rows: number): Promise<void> {
  const c = await privateClient(server);
  await c.query(`CREATE TABLE "Tickets" ("TicketID" integer PRIMARY KEY, "TicketNo" text NOT NULL, "TicketDate" text, "PlantCode" text, "Customer" text,
    "JobNo" text, "OrderNo" text, "ProductCode" text, "ProductDesc" text, "MixID" text, "Gross" double precision, "Tare" double precision,
    "Net" double precision, "UOM" text, "TruckNo" text, "Hauler" text, "Driver" text, "VoidFlag" text NOT NULL DEFAULT 'N', "VoidReason" text,
    "LoadTemp" double precision, "DOTProject" text, "PayItem" text, "DeliveryAddress" text, "LastModified" timestamp(6) NOT NULL)`);
  // Generated in SQL so a million rows load in seconds; shaped like the demo plant's tickets.
  for (let from = 1; from <= rows; from += 250_000) {
    const to = Math.min(rows, from + 249_999);
    await c.query(`INSERT INTO "Tickets" SELECT i, lpad((100000 + i)::text, 9, ' '),
      to_char(TIMESTAMP '2026-11-20 06:00:00' + (i % 43200) * INTERVAL '1 second', 'YYYY-MM-DD HH24:MI:SS'), 'P12',
      (ARRAY['Hill County Paving','Baker & Sons Construction','City of Riverside Public Works','Northgate Developers'])[1 + i % 4],
      'J-' || (4000 + i % 900), 'SO-' || (70000 + i % 900),
      (ARRAY['HMA-12.5','HMA-9.5','AGG-57','AGG-ABC','AGG-SAND'])[1 + i % 5], 'Product ' || (i % 5), CASE WHEN i % 5 < 2 THEN 'JMF-22' || (i % 5) END,
      60000 + i % 24000, 27000 + i % 6000, 33000 + i % 18000, 'LB', 'T-' || (100 + i % 300), 'Riverside Trucking', 'Driver ' || (i % 40),
      'N', NULL, CASE WHEN i % 5 < 2 THEN 290 + i % 40 END, NULL, NULL, 'FM 1431 at CR 120',
      TIMESTAMP '2026-11-21 00:00:00' + i * INTERVAL '10 milliseconds'
      FROM generate_series(${from}, ${to}) AS i`);
  }
  await c.query(`CREATE INDEX "IX_Tickets_LM" ON "Tickets" ("LastModified", "TicketID")`);
  await c.query(`ANALYZE "Tickets"`);
  await c.end();
}
