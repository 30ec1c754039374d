// The pipeline on real parts: the demo plant (SQLite), the sandbox API (in process) with faults,
// the state store. Every ticket arrives at its latest revision; nothing is sent twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../core/config/load.js';
import { Daemon } from '../../core/engine/daemon.js';
import { createDemoPlant, openPlant, DEMO_TIMEZONE } from '../../core/demo/plant.js';
import { DEMO_FIELDS } from '../../core/demo/environment.js';
import { startSandbox } from '../../core/sandbox/server.js';
import { waitFor } from '../helpers/wait.js';

const TOKEN = 'engine-test-token-123';

async function setup(t: import('node:test').TestContext, faults = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-engine-'));
  const plantFile = join(dir, 'plant.db');
  const seed = createDemoPlant(plantFile, { days: 2, perDay: 30, seed: 7 })!;
  const sandbox = await startSandbox({ dbFile: join(dir, 'sandbox.db'), accounts: [{ token: TOKEN, accountId: 'a1', accountName: 'Test', environment: 'sandbox' }], faults });
  t.after(() => sandbox.close());
  const config = parseConfig({
    profiles: [
      {
        name: 'p1',
        api: { url: sandbox.url, token: 'env:ENGINE_TEST_TOKEN' },
        source: { driver: 'sqlite', file: plantFile },
        table: 'Tickets',
        key: ['TicketID'],
        change: { mode: 'timestamp', column: 'LastModified', timezone: DEMO_TIMEZONE },
        mapping: { template: 'generic-scale-ticket', fields: DEMO_FIELDS },
        schedule: { every: '200ms' },
        batchSize: 25,
      },
    ],
  });
  const env = { ...process.env, ENGINE_TEST_TOKEN: TOKEN };
  return { dir, plantFile, seed, sandbox, profiles: config.profiles, env };
}

test('one pass delivers every valid ticket, filters the incomplete ones with reasons, and a second pass sends nothing', async (t) => {
  const s = await setup(t);
  const daemon = new Daemon({ profiles: s.profiles, home: s.dir, env: s.env, heartbeatMs: 0 });
  const [r1] = await daemon.runOnce();
  assert.equal(r1.ok, true, r1.error);
  assert.equal(r1.summary!.read, s.seed.tickets);
  assert.equal(r1.summary!.filtered, s.seed.incomplete);
  assert.equal(r1.summary!.created, s.seed.tickets - s.seed.incomplete);
  const records = daemon.store.runRecords(r1.summary!.runId);
  const invalid = records.filter((r) => r.processorAction === 'invalid');
  assert.equal(invalid.length, s.seed.incomplete);
  for (const r of invalid) assert.match(r.error ?? '', /empty|not a date/);
  const [r2] = await daemon.runOnce();
  assert.equal(r2.summary!.created + r2.summary!.updated, 0, 'nothing new: nothing sent');
  await daemon.stop();
  assert.equal(s.sandbox.stats().duplicates, 0);
  assert.equal(s.sandbox.stats().tickets, s.seed.tickets - s.seed.incomplete);
});

test('through 503s, 429s with Retry-After, dropped connections and lost answers, every ticket arrives once per revision', async (t) => {
  const s = await setup(t, { errorRate: 0.25, throttleRate: 0.15, retryAfter: '0', dropRate: 0.1, timeoutRate: 0.05, seed: 42 });
  const daemon = new Daemon({ profiles: s.profiles, home: s.dir, env: s.env, heartbeatMs: 0 });
  daemon.start();
  t.after(() => daemon.stop());
  const want = s.seed.tickets - s.seed.incomplete;
  await waitFor('all tickets in the sandbox', () => s.sandbox.stats().tickets === want, 120_000);
  // An edit while faults go on arrives as one update.
  const plant = openPlant(s.plantFile);
  plant.prepare(`UPDATE Tickets SET TruckNo = 'T-555' WHERE TicketID = (SELECT MIN(TicketID) FROM Tickets WHERE Net IS NOT NULL AND TRIM(Customer) != '' AND TicketDate NOT LIKE '%-13-%')`).run();
  plant.close();
  await waitFor('the edit as an update', () => s.sandbox.stats().updated >= 1, 60_000);
  const st = s.sandbox.stats();
  assert.equal(st.staleRefused, 0);
  assert.equal(st.duplicates, 0, `duplicates: ${JSON.stringify(st)}`);
});

test('a wrong token stops the profile in state "rejected token" and says so', async (t) => {
  const s = await setup(t);
  const daemon = new Daemon({ profiles: s.profiles, home: s.dir, env: { ...s.env, ENGINE_TEST_TOKEN: 'wrong-token-xyz' }, heartbeatMs: 0 });
  daemon.start();
  t.after(() => daemon.stop());
  const p = await waitFor('state rejected token', () => daemon.board.snapshot().profiles.find((x) => x.state === 'rejected token'), 20_000);
  assert.match(p.reason ?? '', /rejected the account token/);
  assert.ok(!JSON.stringify(daemon.board.snapshot()).includes('wrong-token-xyz'), 'the token never reaches the status');
});

test('the database going away puts the profile in "waiting for database" and it resumes by itself', async (t) => {
  const s = await setup(t);
  const { renameSync } = await import('node:fs');
  renameSync(s.plantFile, s.plantFile + '.away');
  const daemon = new Daemon({ profiles: s.profiles, home: s.dir, env: s.env, heartbeatMs: 0 });
  daemon.start();
  t.after(() => daemon.stop());
  const p = await waitFor('waiting for database', () => daemon.board.snapshot().profiles.find((x) => x.state === 'waiting for database'), 20_000);
  assert.match(p.reason ?? '', /does not exist/);
  renameSync(s.plantFile + '.away', s.plantFile);
  daemon.syncNow('p1');
  await waitFor('tickets delivered after the database came back', () => s.sandbox.stats().tickets === s.seed.tickets - s.seed.incomplete, 30_000);
});
