import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoPlant, openPlant, wallClock } from '../../core/demo/plant.js';
import { ScaleHouseSimulator } from '../../core/demo/simulator.js';

test('demo plant: seeded like a real scale house, and created only once', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'outpost-plant-')), 'plant.db');
  const s = createDemoPlant(file, { days: 3, perDay: 24, seed: 12, now: new Date('2026-11-20T18:00:00Z') })!;
  assert.equal(s.tickets, 72);
  assert.ok(s.voided > 0 && s.edited > 0 && s.incomplete > 0, JSON.stringify(s));
  assert.equal(createDemoPlant(file), null, 'a second call keeps the existing plant');
  const db = openPlant(file);
  const rows = db.prepare('SELECT * FROM Tickets ORDER BY TicketID').all() as Array<Record<string, unknown>>;
  assert.match(String(rows[0].TicketNo), /^ +\d+$/, 'ticket numbers are space padded');
  assert.match(String(rows[0].TicketDate), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, 'local time without a zone');
  assert.ok(rows.some((r) => r.UOM === 'TN') && rows.some((r) => r.UOM === 'LB'));
  assert.ok(rows.some((r) => r.VoidFlag === 'Y' && r.VoidReason));
  // The trigger moves LastModified on any edit.
  const before = String(rows[0].LastModified);
  db.prepare(`UPDATE Tickets SET TruckNo = 'T-1' WHERE TicketID = ?`).run(rows[0].TicketID);
  const after = (db.prepare('SELECT LastModified FROM Tickets WHERE TicketID = ?').get(rows[0].TicketID) as { LastModified: string })
    .LastModified;
  assert.ok(after > before, `${after} > ${before}`);
  db.close();
});

test('simulator: inserts tickets and now and then edits or voids one', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'outpost-sim-')), 'plant.db');
  createDemoPlant(file, { days: 1, perDay: 10 });
  const events: string[] = [];
  const sim = new ScaleHouseSimulator({ file, seed: 3, onEvent: (e) => events.push(e.kind) });
  for (let i = 0; i < 60; i++) sim.step();
  sim.stop();
  assert.ok(events.filter((e) => e === 'insert').length > 30);
  assert.ok(
    events.some((e) => e === 'edit'),
    events.join(','),
  );
});

test('wall clock in a zone', () => {
  assert.equal(wallClock(new Date('2026-11-01T06:30:00Z'), 'America/Chicago'), '2026-11-01 01:30:00');
  assert.equal(wallClock(new Date('2026-11-01T07:30:00Z'), 'America/Chicago'), '2026-11-01 01:30:00');
});
