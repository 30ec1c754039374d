// Every source row accounted for, on a table whose columns match no shipped template: a wrong
// mapping fixed while the daemon runs, a wrong API URL fixed by `reload`, tickets rejected by the
// API sent again with resend, a refused config file, a changed table refused until reset, exact
// 2^53 keys, and each state of the honest status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../core/config/load.js';
import type { ProfileInput } from '../../core/config/schema.js';
import { Daemon } from '../../core/engine/daemon.js';
import { resend } from '../../core/engine/resend.js';
import { ShapeChangedError } from '../../core/engine/runner.js';
import type { ProfileStatus } from '../../core/engine/status.js';
import { startSandbox } from '../../core/sandbox/server.js';
import { StateStore } from '../../core/state/store.js';
import { sandboxTickets, startFakeApi } from '../helpers/fake-api.js';
import { SLIPS_TIMEZONE, createSlipsPlant, slipsFields } from '../helpers/slips.js';
import { waitFor } from '../helpers/wait.js';

const TOKEN = 'accounting-token-123';

async function setup(t: import('node:test').TestContext, rows = 12) {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-acct-'));
  const plantFile = join(dir, 'plant.db');
  const plant = createSlipsPlant(plantFile);
  t.after(() => plant.close());
  for (let i = 0; i < rows; i++) plant.add({ day: i % 2 ? '2026-11-29' : '2026-11-30' });
  const sandbox = await startSandbox({
    dbFile: join(dir, 'sandbox.db'),
    accounts: [{ token: TOKEN, accountId: 'a1', accountName: 'Test', environment: 'sandbox' }],
  });
  t.after(() => sandbox.close());
  const configFile = join(dir, 'outpost.json');
  const profile = (over: Partial<ProfileInput> & { net?: string; url?: string } = {}): ProfileInput => {
    const { net, url, ...rest } = over;
    return {
      name: 'slips',
      api: { url: url ?? sandbox.url, token: TOKEN },
      source: { driver: 'sqlite', file: plantFile },
      table: 'WeighSlips',
      key: ['SlipNo'],
      change: { mode: 'timestamp', column: 'Changed', timezone: SLIPS_TIMEZONE, lookbackSeconds: 60 },
      mapping: { template: 'generic-scale-ticket', fields: slipsFields(net) },
      schedule: { every: '1s' },
      batchSize: 5,
      ...rest,
    };
  };
  const write = (p: ProfileInput | Record<string, unknown>) => writeFileSync(configFile, JSON.stringify({ profiles: [p] }, null, 2));
  const daemonFor = (p: ProfileInput, extra: Partial<ConstructorParameters<typeof Daemon>[0]> = {}) => {
    write(p);
    const d = new Daemon({
      profiles: parseConfig({ profiles: [p] }).profiles,
      home: dir,
      heartbeatMs: 0,
      configFile,
      watchConfigMs: 0,
      ...extra,
    });
    return d;
  };
  return { dir, plant, plantFile, sandbox, configFile, profile, write, daemonFor };
}

const status = (d: Daemon): ProfileStatus => d.board.snapshot().profiles.find((p) => p.name === 'slips')!;

test('a wrong mapping parks every row in "mapping problem"; fixing the config file while the daemon runs delivers them all', async (t) => {
  const s = await setup(t);
  const daemon = s.daemonFor(s.profile({ net: 'NetTon' }), { watchConfigMs: 100 });
  daemon.start();
  t.after(() => daemon.stop());
  const st = await waitFor('mapping problem', () => (status(daemon).state === 'mapping problem' ? status(daemon) : null), 20_000);
  assert.match(st.reason ?? '', /filtered all of the last 12 rows it mapped/);
  assert.match(st.reason ?? '', /the row has no column NetTon/);
  assert.equal(st.lastError, st.reason, 'lastError is set while not healthy');
  assert.equal(st.filtered, 12);
  assert.equal(s.sandbox.stats().tickets, 0);
  // Polls go on (200 ms); the state keeps its since-when and lastError stays set in between.
  const seen = Date.now();
  await waitFor('a few polls later', () => Date.now() - seen > 1200, 5000);
  const later = await waitFor('mapping problem again', () => (status(daemon).state === 'mapping problem' ? status(daemon) : null), 5000);
  assert.equal(later.since, st.since);
  assert.ok(status(daemon).lastError);
  // The user fixes the column name in the config file; the daemon sees the change by itself.
  s.write(s.profile());
  await waitFor('all 12 delivered after the fix', () => s.sandbox.stats().tickets === 12, 30_000);
  await waitFor('idle again', () => status(daemon).state === 'idle', 10_000);
  assert.equal(status(daemon).filtered, 0);
  assert.equal(status(daemon).lastError, null);
  assert.equal(daemon.board.snapshot().config?.error, null);
  const led = daemon.store.ledgerRows('slips');
  assert.equal(led.filter((e) => e.action === 'created').length, 12);
  assert.ok(led.every((e) => e.ticketDate === '2026-11-29' || e.ticketDate === '2026-11-30'));
});

test('a wrong API URL answers 404: "API protocol error", nothing rejected; after the URL is fixed and reloaded all arrive', async (t) => {
  const s = await setup(t);
  const daemon = s.daemonFor(s.profile({ url: `${s.sandbox.url}/wrong-base` }));
  daemon.start();
  t.after(() => daemon.stop());
  const st = await waitFor('API protocol error', () => (status(daemon).state === 'API protocol error' ? status(daemon) : null), 20_000);
  assert.match(st.reason ?? '', /answered 404 \(no such route\) to POST .*\/wrong-base\/v1\/tickets:batch; check the API URL/);
  assert.ok(st.lastError);
  assert.equal(daemon.store.parked('slips').rejected, 0, 'a request-level failure never becomes a per-ticket rejection');
  assert.equal(daemon.store.ledgerRows('slips').length, 0);
  s.write(s.profile());
  const r = await daemon.reload();
  assert.equal(r.ok, true, r.message);
  assert.deepEqual(r.changed, ['slips']);
  await waitFor('all 12 delivered after the URL fix', () => s.sandbox.stats().tickets === 12, 30_000);
  assert.equal(s.sandbox.stats().duplicates, 0);
});

test('an invalid config file is refused with its key path in the log and the status; the old config keeps running', async (t) => {
  const s = await setup(t, 4);
  const lines: string[] = [];
  const daemon = s.daemonFor(s.profile(), { log: (level, msg) => lines.push(`${level} ${msg}`) });
  daemon.start();
  t.after(() => daemon.stop());
  await waitFor('first 4', () => s.sandbox.stats().tickets === 4, 20_000);
  s.write({ ...s.profile(), batchSize: 'many' });
  const r = await daemon.reload();
  assert.equal(r.ok, false);
  assert.match(r.message, /profiles\[0\]\.batchSize/);
  assert.match(daemon.board.snapshot().config?.error ?? '', /profiles\[0\]\.batchSize/);
  assert.ok(lines.some((l) => l.startsWith('warn') && /refused.*profiles\[0\]\.batchSize/.test(l)));
  s.plant.add({ day: '2026-11-30' });
  await waitFor('a new row still delivered by the old config', () => s.sandbox.stats().tickets === 5, 20_000);
});

test('tickets rejected by the API are parked with a count; resend --rejected sends them again with a fresh key', async (t) => {
  const s = await setup(t, 6);
  const fake = await startFakeApi(s.sandbox.url, 'rejectAll');
  t.after(() => fake.close());
  const daemon = s.daemonFor(s.profile({ url: fake.url }));
  daemon.start();
  t.after(() => daemon.stop());
  const st = await waitFor(
    'tickets rejected',
    () => (status(daemon).state === 'tickets rejected by the API' ? status(daemon) : null),
    20_000,
  );
  assert.match(st.reason ?? '', /^6 ticket\(s\) parked: the API rejected them \(latest: "plant North is not set up for this account"\)/);
  assert.match(st.reason ?? '', /outpost resend --profile slips --rejected/);
  assert.equal(st.rejected, 6);
  assert.ok(st.lastError);
  // The account is fixed at the API; the user sends the parked tickets again.
  fake.mode = 'pass';
  const rejectedKeys = new Set(fake.requests.map((r) => r.key));
  const res = daemon.resend('slips', { rejected: true });
  assert.equal(res.queued, 6);
  await waitFor('the 6 delivered', () => s.sandbox.stats().tickets === 6, 20_000);
  await waitFor('idle', () => status(daemon).state === 'idle', 10_000);
  assert.equal(status(daemon).rejected, 0);
  const passKeys = fake.requests.filter((r) => r.mode === 'pass').map((r) => r.key);
  assert.ok(
    passKeys.every((k) => !rejectedKeys.has(k)),
    'a resend uses a new Idempotency-Key',
  );
});

test('resend selectors: --tickets by printed number, --since by ticket day, --filtered; bad selectors say what to do', async (t) => {
  const s = await setup(t, 6);
  const store = new StateStore(join(s.dir, 'state.db'));
  t.after(() => store.close());
  const p = parseConfig({ profiles: [s.profile()] }).profiles[0];
  store.commit({
    profile: 'slips',
    entries: [1, 2, 3].map((k) => ({
      ticketId: `slips:${k}`,
      revision: 'r',
      targetId: null,
      action: 'created' as const,
      error: null,
      ticketNumber: `S-${k}`,
      keyJson: `[${k}]`,
      ticketDate: k === 1 ? '2026-11-28' : '2026-11-30',
    })),
  });
  assert.equal(resend(store, p, { tickets: ['S-2'] }).queued, 1);
  assert.equal(resend(store, p, { since: '2026-11-29' }).queued, 1, 'S-3 (S-2 is already queued)');
  const r = resend(store, p, { tickets: ['77'] });
  assert.deepEqual(r.byKey, ['77']);
  assert.equal(store.queuedCount('slips'), 3);
  assert.throws(() => resend(store, p, {}), /--rejected, --filtered, --skipped, --tickets/);
  assert.throws(() => resend(store, p, { since: '30.11.2026' }), /YYYY-MM-DD/);
});

test('a profile whose table or change column changed refuses to start, naming "profiles reset"; after the reset it reads again', async (t) => {
  const s = await setup(t, 3);
  const d1 = s.daemonFor(s.profile());
  const [r1] = await d1.runOnce();
  assert.equal(r1.summary?.created, 3);
  await d1.stop();
  s.plant.db.exec(`CREATE TABLE Slips2 AS SELECT * FROM WeighSlips`);
  const moved = s.profile({ table: 'Slips2' });
  assert.throws(
    () => s.daemonFor(moved),
    (e: Error) => e instanceof ShapeChangedError && /outpost profiles reset slips/.test(e.message) && /table Slips2/.test(e.message),
  );
  const store = new StateStore(join(s.dir, 'state.db'));
  store.resetProfile('slips', { shape: { table: 'Slips2', key: ['SlipNo'], mode: 'timestamp', column: 'Changed' } });
  assert.equal(store.getWatermark('slips'), null);
  store.close();
  const d2 = s.daemonFor(moved);
  const [r2] = await d2.runOnce();
  assert.equal(r2.summary?.read, 3, 'read again from the beginning');
  assert.equal(r2.summary?.created, 0, 'same content: nothing sent twice');
  await d2.stop();
});

test('SQLite keys 2^53 and 2^53+1 are two tickets, both delivered, with exact ids and watermark', async (t) => {
  const s = await setup(t, 0);
  s.plant.add({ key: 2n ** 53n, day: '2026-11-30' });
  s.plant.add({ key: 2n ** 53n + 1n, day: '2026-11-30' });
  const d = s.daemonFor(s.profile());
  const [r] = await d.runOnce();
  assert.equal(r.summary?.created, 2);
  const ids = [...(await sandboxTickets(s.sandbox.url, TOKEN)).keys()].sort();
  assert.deepEqual(ids, ['slips:9007199254740992', 'slips:9007199254740993']);
  assert.deepEqual(d.store.getWatermark('slips')?.key, ['9007199254740993']);
  const [again] = await d.runOnce();
  assert.equal(again.summary?.created, 0);
  await d.stop();
});

test('status: offline (503) with lastError, backlog still counted; paused keeps measuring; local disk full; snapshot mode says unknown', async (t) => {
  const s = await setup(t, 5);
  await fetch(`${s.sandbox.url}/v1/_sandbox/faults`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ errorRate: 1 }),
  });
  const daemon = s.daemonFor(s.profile());
  daemon.start();
  t.after(() => daemon.stop());
  const off = await waitFor('offline', () => (status(daemon).state === 'offline' ? status(daemon) : null), 20_000);
  assert.match(off.reason ?? '', /The API answered 503; retrying/);
  assert.equal(off.lastError, off.reason);
  assert.equal(off.backlog, 5, 'the backlog is known while offline');
  await fetch(`${s.sandbox.url}/v1/_sandbox/faults`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({}),
  });
  await waitFor('delivered', () => s.sandbox.stats().tickets === 5, 30_000);
  await waitFor('idle', () => status(daemon).state === 'idle', 10_000);
  daemon.pause('slips');
  s.plant.add({ day: '2026-11-30' });
  s.plant.add({ day: '2026-11-30' });
  daemon.pause('slips'); // wakes the paused loop: it measures again
  const paused = await waitFor(
    'paused with backlog 2',
    () => (status(daemon).state === 'paused' && status(daemon).backlog === 2 ? status(daemon) : null),
    10_000,
  );
  assert.ok(paused.lastError);
  assert.notEqual(paused.lagSeconds, null);
  // The state database cannot grow: SQLite says the disk is full.
  const pages = daemon.store.db.pragma('page_count', { simple: true }) as number;
  daemon.store.db.pragma(`max_page_count = ${pages}`);
  for (let i = 0; i < 200; i++) s.plant.add({ day: '2026-11-30' });
  daemon.resume('slips');
  const full = await waitFor('local disk full', () => (status(daemon).state === 'local disk full' ? status(daemon) : null), 20_000);
  assert.match(full.reason ?? '', /The local disk is full/);
  assert.ok(full.lastError);
  daemon.store.db.pragma('max_page_count = 1073741823');
  await waitFor('delivered after space came back', () => s.sandbox.stats().tickets === 207, 30_000);
});

test('status: a snapshot-mode profile reports backlog and lag as unknown (null)', async (t) => {
  const s = await setup(t, 2);
  const d = s.daemonFor(s.profile({ change: { mode: 'snapshot', column: 'Changed', timezone: SLIPS_TIMEZONE } }));
  d.start();
  t.after(() => d.stop());
  await waitFor('delivered', () => s.sandbox.stats().tickets === 2, 20_000);
  const st = await waitFor('idle', () => (status(d).state === 'idle' ? status(d) : null), 10_000);
  assert.equal(st.backlog, null);
  assert.equal(st.lagSeconds, null);
});

test('skip rules: skipped rows are parked apart from filtered, never sent, counted by reconcile, and re-evaluated when the rule changes', async (t) => {
  const s = await setup(t, 6);
  s.plant.db.exec(`UPDATE WeighSlips SET Buyer = 'Internal' WHERE SlipNo IN (2, 4)`);
  const withRule = s.profile({
    mapping: {
      template: 'generic-scale-ticket',
      fields: slipsFields(),
      skip: [{ if: { column: 'Buyer', equals: 'Internal' }, reason: 'internal transfer' }],
    },
  });
  const daemon = s.daemonFor(withRule);
  daemon.start();
  t.after(() => daemon.stop());
  await waitFor('4 delivered', () => s.sandbox.stats().tickets === 4, 20_000);
  const st = await waitFor('idle', () => (status(daemon).state === 'idle' ? status(daemon) : null), 10_000);
  assert.deepEqual([st.filtered, st.skipped, st.rejected], [0, 2, 0]);
  const skipped = daemon.store.ledgerRows('slips', ['skipped']);
  assert.deepEqual(
    skipped.map((e) => [e.ticketId, e.error]),
    [
      ['slips:2', 'internal transfer'],
      ['slips:4', 'internal transfer'],
    ],
  );
  const run = daemon.store.runs('slips').find((r) => r.skipped > 0);
  assert.equal(run?.skipped, 2);
  assert.equal(run?.filtered, 0);
  const r = await daemon.reconcile('slips');
  assert.equal(r.totals.skipped, 2);
  assert.deepEqual(r.reasons.skipped, [{ reason: 'internal transfer', count: 2 }]);
  assert.equal(r.balanced, true);
  // The rule is dropped from the profile: the skipped rows are evaluated again and sent.
  s.write(s.profile());
  assert.equal((await daemon.reload()).ok, true);
  await waitFor('all 6 delivered', () => s.sandbox.stats().tickets === 6, 20_000);
  await waitFor('no skipped left', () => status(daemon).skipped === 0, 10_000);
});
