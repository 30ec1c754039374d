// outpost reconcile on the demo plant (SQLite) and on a PostgreSQL plant: per ticket day, rows at
// the source = delivered + filtered + skipped + rejected + not yet read; a gap (a row the watermark
// already passed and the ledger does not have) is listed; a hard-deleted row is reported and, with
// change.deletes "void", sent as voided with voidReason "deleted at the source".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../core/config/load.js';
import type { ProfileInput } from '../../core/config/schema.js';
import { Daemon } from '../../core/engine/daemon.js';
import { createDemoPlant, openPlant, DEMO_TIMEZONE } from '../../core/demo/plant.js';
import { DEMO_FIELDS } from '../../core/demo/environment.js';
import { formatReconcile, type ReconcileReport } from '../../core/state/reconcile.js';
import { scratchDatabase } from '../helpers/databases.js';
import { SLIPS_TIMEZONE, slipsFields } from '../helpers/slips.js';
import { scratchSource } from '../helpers/sources.js';
import { testSandbox } from '../helpers/sandbox.js';

const TOKEN = 'reconcile-token-123';

/** Each day adds up: source = delivered + filtered + skipped + rejected + not yet read + gaps. */
function assertAddsUp(r: ReconcileReport): void {
  for (const d of [...r.days, { ...r.totals, day: 'total' }]) {
    assert.equal(d.source, d.delivered + d.filtered + d.skipped + d.rejected + d.notYetRead + d.gaps, `day ${d.day}: ${JSON.stringify(d)}`);
  }
  assert.equal(r.totals.gaps, r.gaps.length);
  assert.equal(r.totals.deleted, r.deleted.length);
}

test('reconcile on the demo plant: counts add up per day, a gap is listed and a hard delete reported; resend closes the gap', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-reconcile-'));
  const plantFile = join(dir, 'plant.db');
  const seed = createDemoPlant(plantFile, { days: 3, perDay: 20, seed: 5 })!;
  const api = await testSandbox(t, { token: TOKEN, dbFile: join(dir, 'sandbox.db') });
  const input: ProfileInput = {
    name: 'demo',
    api: { url: api.url, token: TOKEN },
    source: { driver: 'sqlite', file: plantFile },
    table: 'Tickets',
    key: ['TicketID'],
    change: { mode: 'timestamp', column: 'LastModified', timezone: DEMO_TIMEZONE, lookbackSeconds: 60 },
    mapping: { template: 'generic-scale-ticket', fields: DEMO_FIELDS },
  };
  const profiles = parseConfig({ profiles: [input] }).profiles;
  const daemon = new Daemon({ profiles, home: dir, heartbeatMs: 0 });
  t.after(() => daemon.stop());
  const [first] = await daemon.runOnce();
  assert.equal(first.ok, true, first.error);

  const plant = openPlant(plantFile);
  const cols = Object.keys(plant.prepare('SELECT * FROM Tickets LIMIT 1').get() as object).filter(
    (c) => c !== 'TicketID' && c !== 'TicketNo' && c !== 'LastModified',
  );
  const copy = (id: number, no: string, modified: string) =>
    plant
      .prepare(
        `INSERT INTO Tickets (TicketID, TicketNo, LastModified, ${cols.join(', ')}) SELECT ?, ?, ?, ${cols.join(', ')} FROM Tickets WHERE TicketID = (SELECT MIN(TicketID) FROM Tickets WHERE Net IS NOT NULL AND TRIM(Customer) != '' AND TicketDate NOT LIKE '%-13-%')`,
      )
      .run(id, no, modified);
  // A gap: a row stamped long before the watermark (a writer with a skewed clock); the next pass does not read it.
  copy(900001, 'G-1', '2001-01-01 00:00:00.000');
  // Not yet read: a fresh row.
  copy(900002, 'N-1', new Date(Date.now() - 2000).toISOString().replace('T', ' ').replace('Z', ''));
  // A hard delete of a delivered ticket.
  const gone = plant.prepare(`SELECT TicketID, TicketNo FROM Tickets WHERE TicketID < 900000 ORDER BY TicketID LIMIT 1`).get() as {
    TicketID: number;
    TicketNo: string;
  };
  plant.prepare('DELETE FROM Tickets WHERE TicketID = ?').run(gone.TicketID);
  plant.close();

  const r = await daemon.reconcile('demo');
  assertAddsUp(r);
  assert.equal(r.totals.source, seed.tickets + 1);
  assert.equal(r.totals.filtered, seed.incomplete);
  assert.equal(r.totals.delivered, seed.tickets - seed.incomplete - 1);
  assert.equal(r.totals.notYetRead, 1);
  assert.deepEqual(
    r.gaps.map((g) => [g.ticketId, g.ticketNumber]),
    [['demo:900001', 'G-1']],
  );
  assert.deepEqual(
    r.deleted.map((g) => [g.ticketId, g.action]),
    [[`demo:${gone.TicketID}`, 'created']],
  );
  assert.equal(r.balanced, false);
  assert.ok(r.reasons.filtered.length > 0 && r.reasons.filtered.every((x) => x.count > 0 && x.reason.length > 0));
  const text = formatReconcile(r);
  assert.match(text, /1 row\(s\) are in none of delivered/);
  assert.match(text, /G-1\s+demo:900001/);
  assert.match(text, /Deleted at the source/);
  assert.ok(r.days.length >= 3);
  // --days 1 keeps only today's rows (and rows without a date).
  const today = await daemon.reconcile('demo', { days: 1 });
  assertAddsUp(today);
  assert.ok(today.totals.source < r.totals.source);

  // The gap is sent by key; afterwards everything is accounted for.
  const res = daemon.resend('demo', { tickets: ['G-1'] });
  assert.deepEqual(res.byKey, ['G-1']);
  const res2 = daemon.resend('demo', { tickets: ['900001'] });
  assert.equal(res2.queued, 1);
  assert.equal((await daemon.reconcile('demo')).queued, 2, 'reconcile says what is queued (G-1 looked up as a key too)');
  await daemon.runOnce();
  const after = await daemon.reconcile('demo');
  assertAddsUp(after);
  assert.equal(after.totals.gaps, 0);
  assert.equal(after.totals.notYetRead, 0);
  assert.equal(after.balanced, true);
});

test('reconcile on a PostgreSQL plant with bigint keys: adds up, reports a hard delete, and change.deletes "void" sends it as voided', async (t) => {
  const s = await scratchDatabase(
    t,
    'postgres',
    [
      `CREATE TABLE public.weigh_slips ("SlipNo" bigint PRIMARY KEY, "SlipNumber" text NOT NULL, "IssuedLocal" timestamp(0), "Site" text, "Buyer" text,
        "Truck" text, "Material" text, "NetTons" numeric(8,2), "Changed" timestamp(6) NOT NULL DEFAULT LOCALTIMESTAMP - INTERVAL '5 seconds')`,
      `INSERT INTO public.weigh_slips ("SlipNo", "SlipNumber", "IssuedLocal", "Site", "Buyer", "Truck", "Material", "NetTons") VALUES
        (9007199254740992, 'S-1', '2026-11-29 08:00', 'North', 'City', 'T1', 'AGG-57', 12.5),
        (9007199254740993, 'S-2', '2026-11-29 09:00', 'North', 'City', 'T2', 'AGG-57', 13.5),
        (9007199254740994, 'S-3', '2026-11-30 08:00', 'North', 'City', 'T3', 'AGG-57', NULL),
        (9007199254740995, 'S-4', '2026-11-30 09:00', 'North', 'City', 'T4', 'AGG-57', 11.0)`,
    ],
    'public.weigh_slips',
  );
  if (!s) return;
  const dir = mkdtempSync(join(tmpdir(), 'outpost-reconcile-pg-'));
  const api = await testSandbox(t, { token: TOKEN, dbFile: join(dir, 'sandbox.db') });
  const input: ProfileInput = {
    name: 'pg',
    api: { url: api.url, token: TOKEN },
    source: scratchSource('postgres', s),
    table: 'public.weigh_slips',
    key: ['SlipNo'],
    change: { mode: 'timestamp', column: 'Changed', timezone: SLIPS_TIMEZONE, lookbackSeconds: 60, deletes: 'void' },
    mapping: { template: 'generic-scale-ticket', fields: slipsFields() },
  };
  const daemon = new Daemon({ profiles: parseConfig({ profiles: [input] }).profiles, home: dir, heartbeatMs: 0 });
  t.after(() => daemon.stop());
  const [first] = await daemon.runOnce();
  assert.equal(first.ok, true, first.error);
  assert.equal(first.summary?.created, 3);
  assert.equal(first.summary?.filtered, 1, 'S-3 has no net weight');
  await s.db.exec(`DELETE FROM public.weigh_slips WHERE "SlipNo" = 9007199254740993`);
  const r = await daemon.reconcile('pg', { now: new Date('2026-11-30T18:00:00Z') });
  assertAddsUp(r);
  assert.deepEqual(
    r.days.map((d) => [d.day, d.source, d.delivered, d.filtered, d.deleted]),
    [
      ['2026-11-29', 1, 1, 0, 1],
      ['2026-11-30', 2, 1, 1, 0],
    ],
  );
  assert.deepEqual(
    r.deleted.map((d) => d.ticketId),
    ['pg:9007199254740993'],
  );
  assert.equal(r.balanced, true, 'a delete is reported, not a gap');
  assert.equal(r.voidsQueued, 1);
  await daemon.runOnce();
  const v = (await (
    await fetch(`${api.url}/v1/_sandbox/tickets/${encodeURIComponent('pg:9007199254740993')}`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    })
  ).json()) as {
    ticket: { status: string; voidReason?: string };
  };
  assert.equal(v.ticket.status, 'voided');
  assert.equal(v.ticket.voidReason, 'deleted at the source');
  const again = await daemon.reconcile('pg');
  assert.equal(again.voidsQueued, 0, 'a void is sent once');
  assert.equal(again.deleted.length, 1, 'still reported as deleted');
});
