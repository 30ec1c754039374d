// The pipeline on real parts: the demo plant (SQLite), the sandbox API (in process) with faults,
// the state store. Every ticket arrives at its latest revision; nothing is sent twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../core/config/load.js';
import { Daemon } from '../../core/engine/daemon.js';
import { createDemoPlant, openPlant } from '../../core/demo/plant.js';
import { RUN_RECORD_SAMPLE } from '../../core/state/store.js';
import { waitFor } from '../helpers/wait.js';

const TOKEN = 'engine-test-token-123';

async function setup(t: import('node:test').TestContext, faults = {}, perDay = 30, batchSize = 25) {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-engine-'));
  const plantFile = join(dir, 'plant.db');
  const seed = createDemoPlant(plantFile, { days: 2, perDay, seed: 7 })!;
  const sandbox = await testSandbox(t, { token: TOKEN, dbFile: join(dir, 'sandbox.db'), faults });
  const config = parseConfig({
    profiles: [
      demoTableProfile({
        name: 'p1',
        api: { url: sandbox.url, token: 'env:ENGINE_TEST_TOKEN' },
        source: { driver: 'sqlite', file: plantFile },
        batchSize,
      }),
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
  plant
    .prepare(
      `UPDATE Tickets SET TruckNo = 'T-555' WHERE TicketID = (SELECT MIN(TicketID) FROM Tickets WHERE Net IS NOT NULL AND TRIM(Customer) != '' AND TicketDate NOT LIKE '%-13-%')`,
    )
    .run();
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
  const p = await waitFor(
    'waiting for database',
    () => daemon.board.snapshot().profiles.find((x) => x.state === 'waiting for database'),
    20_000,
  );
  assert.match(p.reason ?? '', /does not exist/);
  renameSync(s.plantFile + '.away', s.plantFile);
  daemon.syncNow('p1');
  await waitFor(
    'tickets delivered after the database came back',
    () => s.sandbox.stats().tickets === s.seed.tickets - s.seed.incomplete,
    30_000,
  );
});

test('a refused token is not used again: the profile waits in "rejected token" until the config file has a new one', async (t) => {
  const s = await setup(t);
  const { writeFileSync } = await import('node:fs');
  const file = join(s.dir, 'outpost.json');
  const profile = { ...s.profiles[0], api: { ...s.profiles[0].api, token: 'wrong-token-xyz' } };
  writeFileSync(file, JSON.stringify({ profiles: [profile] }));
  const daemon = new Daemon({ profiles: [profile], home: s.dir, env: s.env, heartbeatMs: 0, configFile: file });
  daemon.start();
  t.after(() => daemon.stop());
  await waitFor('state rejected token', () => daemon.board.snapshot().profiles.find((x) => x.state === 'rejected token'), 20_000);
  const batches = s.sandbox.stats().batches;
  writeFileSync(file, JSON.stringify({ profiles: [{ ...profile, api: { ...profile.api, token: TOKEN } }] }));
  await waitFor('tickets delivered with the new token', () => s.sandbox.stats().tickets === s.seed.tickets - s.seed.incomplete, 30_000);
  assert.equal(batches, 0, 'nothing was accepted with the refused token');
});

test('a large run lists every problem and its first RUN_RECORD_SAMPLE delivered tickets, the rest counted as unlisted; a few parked rows in it are no mapping problem', async (t) => {
  const s = await setup(t, {}, 700, 200);
  const daemon = new Daemon({ profiles: s.profiles, home: s.dir, env: s.env, heartbeatMs: 0 });
  t.after(() => daemon.stop());
  const [r1] = await daemon.runOnce();
  assert.equal(r1.ok, true, r1.error);
  const delivered = s.seed.tickets - s.seed.incomplete;
  assert.ok(delivered > RUN_RECORD_SAMPLE + 100, `the plant has more than ${RUN_RECORD_SAMPLE} valid tickets (${delivered})`);
  assert.ok(s.seed.incomplete > 0);
  const run = daemon.store.runs('p1').find((r) => r.id === r1.summary!.runId)!;
  // The counts stay exact…
  assert.equal(run.created, delivered);
  assert.equal(run.filtered, s.seed.incomplete);
  // …every problem is listed, and the delivered tickets up to the sample; the rest are counted.
  const records = daemon.store.runRecords(run.id);
  assert.equal(records.filter((r) => r.processorAction === 'invalid').length, s.seed.incomplete);
  assert.equal(records.filter((r) => r.writerAction === 'created').length, RUN_RECORD_SAMPLE);
  assert.equal(run.unlistedRecords, delivered - RUN_RECORD_SAMPLE);
  assert.equal(s.sandbox.stats().tickets, delivered);
  // About 5 % of the rows are parked as filtered: that is not a mapping problem.
  assert.equal(r1.health?.state, 'idle', r1.health?.reason ?? '');
  assert.equal(daemon.board.snapshot().profiles[0].filtered, s.seed.incomplete);
});

test('quiet scheduled polls leave no run behind; a pass that sends something is recorded with docs/design.md §4 counts', async (t) => {
  const s = await setup(t);
  const daemon = new Daemon({ profiles: s.profiles, home: s.dir, env: s.env, heartbeatMs: 0 });
  daemon.start();
  t.after(() => daemon.stop());
  const want = s.seed.tickets - s.seed.incomplete;
  await waitFor('all delivered', () => s.sandbox.stats().tickets === want, 30_000);
  await waitFor('idle', () => daemon.board.snapshot().profiles[0].state === 'idle', 10_000);
  const runsAfterCatchUp = daemon.store.runs('p1').length;
  // Several 200 ms polls later: still the same runs.
  const since = Date.now();
  await waitFor('a few polls', () => Date.now() - since > 1200 && daemon.board.snapshot().profiles[0].state === 'idle', 10_000);
  assert.equal(daemon.store.runs('p1').length, runsAfterCatchUp);
  const [startup] = daemon.store.runs('p1').slice(-1);
  assert.equal(startup.type, 'startup');
  assert.equal(startup.status, 'complete');
  assert.equal(startup.read, s.seed.tickets);
  assert.equal(startup.written, startup.created + startup.updated);
  assert.equal(startup.created, want);
  assert.equal(startup.filtered, s.seed.incomplete);
  const st = daemon.board.snapshot().profiles[0];
  assert.equal(st.backlog, 0);
  assert.equal(st.lagSeconds, 0);
  assert.ok(Date.parse(st.since) > 0);
});

// ---- change modes: the SQL they send, checked without a server ----

import { RowversionReader } from '../../core/change/rowversion.js';
import { ChangeTrackingReader } from '../../core/change/change-tracking.js';
import { IncreasingReader } from '../../core/change/increasing.js';
import { SnapshotReader } from '../../core/change/snapshot.js';
import { TimestampReader, fallBackSeconds, zoneOffsetMinutes } from '../../core/change/timestamp.js';
import type { Row, SourceAdapter } from '../../core/sources/types.js';
import { testSandbox } from '../helpers/sandbox.js';
import { demoTableProfile } from '../helpers/profiles.js';

/** A SQL Server-like dialect and a source that records statements and answers from a script. */
function fakeMssql(answers: Array<Row[]> = []) {
  const sent: Array<{ sql: string; params: unknown[] }> = [];
  const src = {
    driver: 'mssql',
    dialect: {
      ident: (n: string) =>
        n
          .split('.')
          .map((p) => `[${p}]`)
          .join('.'),
      param: (i: number) => `@p${i}`,
      limit: (sql: string, n: number) => sql.replace(/^SELECT /, `SELECT TOP (${n}) `),
      now: () => 'SYSDATETIME()',
      minusSeconds: (p: string, s: number) => `DATEADD(second, -${s}, ${p})`,
      typedParam: (p: string, type: string) => `CAST(${p} AS ${type})`,
      nowFor: (type: string) => (type === 'datetime' ? 'GETDATE()' : 'SYSDATETIME()'),
    },
    async query(sql: string, params: unknown[] = []) {
      sent.push({ sql, params });
      return answers.shift() ?? [];
    },
    async columnType() {
      return 'datetime2(7)';
    },
  } as unknown as SourceAdapter;
  return { src, sent };
}

test('rowversion: rv > @last AND rv < MIN_ACTIVE_ROWVERSION(), cursor as binary(8) hex', async () => {
  const r = new RowversionReader({ table: 'dbo.Tickets', key: ['TicketID'], column: 'RV', lookbackSeconds: 300 });
  const { src, sent } = fakeMssql([[{ TicketID: 1, __outpost_rv: '0x00000000000007D1' }]]);
  const pages = [];
  for await (const p of r.pages(src, { cursor: '0x00000000000007D0', key: [] }, 100)) pages.push(p);
  assert.equal(
    sent[0].sql,
    'SELECT TOP (100) *, CONVERT(varchar(18), [RV], 1) AS [__outpost_rv] FROM [dbo].[Tickets] WHERE [RV] > CONVERT(binary(8), @p1, 1) AND [RV] < MIN_ACTIVE_ROWVERSION() ORDER BY [RV]',
  );
  assert.deepEqual(sent[0].params, ['0x00000000000007D0']);
  assert.deepEqual(pages[0].next, { cursor: '0x00000000000007D1', key: [] });
  assert.throws(() => r.pageSql(src, { cursor: '2026-01-01', key: [] }, 10), /not binary\(8\) hex/);
});

test('changeTracking: changes after the stored version up to the current one; below the minimum valid version a loud full resync', async () => {
  const warnings: string[] = [];
  const r = new ChangeTrackingReader({ table: 'dbo.Tickets', key: ['TicketID'], lookbackSeconds: 300, warn: (m) => warnings.push(m) });
  // Normal pass: versions, then one short page of changes (one update, one delete).
  let f = fakeMssql([
    [{ cur: 42, minv: 10 }],
    [
      { __outpost_ct_version: 41, __outpost_ct_op: 'U', __outpost_ct_TicketID: 7, TicketID: 7 },
      { __outpost_ct_version: 42, __outpost_ct_op: 'D', __outpost_ct_TicketID: 8, TicketID: null },
    ],
  ]);
  const pages = [];
  for await (const p of r.pages(f.src, { cursor: '40', key: [] }, 100)) pages.push(p);
  assert.match(f.sent[0].sql, /CHANGE_TRACKING_CURRENT_VERSION\(\) AS cur, CHANGE_TRACKING_MIN_VALID_VERSION\(OBJECT_ID\(@p1\)\) AS minv/);
  assert.equal(
    f.sent[1].sql,
    'SELECT TOP (100) ct.SYS_CHANGE_VERSION AS __outpost_ct_version, ct.SYS_CHANGE_OPERATION AS __outpost_ct_op, ct.[TicketID] AS [__outpost_ct_TicketID], t.* ' +
      'FROM CHANGETABLE(CHANGES [dbo].[Tickets], @p1) AS ct LEFT JOIN [dbo].[Tickets] AS t ON t.[TicketID] = ct.[TicketID] WHERE ct.SYS_CHANGE_VERSION <= @p2 ORDER BY ct.SYS_CHANGE_VERSION, ct.[TicketID]',
  );
  assert.deepEqual(f.sent[1].params, ['40', '42']);
  assert.equal(pages[0].rows.length, 1, 'the deleted row has nothing to send');
  assert.deepEqual(pages[0].next, { cursor: '42', key: [] });
  assert.equal(warnings.length, 0);
  // Resuming inside a pass: (base version, [version, key]).
  f = fakeMssql([[{ cur: 50, minv: 10 }], []]);
  for await (const _ of r.pages(f.src, { cursor: '40', key: ['41', 7] }, 100)) void _;
  assert.match(
    f.sent[1].sql,
    /AND \(ct\.SYS_CHANGE_VERSION > @p3 OR \(ct\.SYS_CHANGE_VERSION = @p4 AND \(\(ct\.\[TicketID\] > @p5\)\)\)\)/,
  );
  assert.deepEqual(f.sent[1].params, ['40', '50', '41', '41', 7]);
  // Stored version below the minimum valid one: full resync by key, then the watermark is the start version.
  f = fakeMssql([[{ cur: 900, minv: 500 }], [{ TicketID: 1 }, { TicketID: 2 }]]);
  const resync = [];
  for await (const p of r.pages(f.src, { cursor: '40', key: [] }, 100)) resync.push(p);
  assert.equal(f.sent[1].sql, 'SELECT TOP (100) * FROM [dbo].[Tickets] ORDER BY [TicketID]');
  assert.deepEqual(resync[0].next, { cursor: '900', key: [] });
  assert.match(warnings[0], /FULL RESYNC/);
  // Not enabled: said plainly.
  f = fakeMssql([[{ cur: 5, minv: null }]]);
  await assert.rejects(async () => {
    for await (const _ of r.pages(f.src, null, 10)) void _;
  }, /VIEW CHANGE TRACKING/);
});

test('timestamp on SQL Server: cursor bound with the column type, upper bound from the database clock', async () => {
  const r = new TimestampReader({ table: 'dbo.Tickets', key: ['TicketID'], column: 'LastModified', lookbackSeconds: 300 });
  const { src, sent } = fakeMssql([[{ now: '2026-11-25 10:00:00.1234567' }], []]);
  for await (const _ of r.pages(src, { cursor: '2026-11-25 09:59:00.1234567', key: [5] }, 50)) void _;
  assert.equal(sent[0].sql, 'SELECT SYSDATETIME() AS now');
  // New rows first: strictly after (cursor, key) — SQL Server has no row values, so the OR form with
  // the redundant leading bound that makes it an index range — up to the database clock.
  assert.equal(
    sent[1].sql,
    'SELECT TOP (50) * FROM [dbo].[Tickets] WHERE [LastModified] >= CAST(@p1 AS datetime2(7)) AND (([LastModified] > CAST(@p2 AS datetime2(7))) OR ' +
      '([LastModified] = CAST(@p3 AS datetime2(7)) AND [TicketID] > @p4)) AND [LastModified] <= CAST(@p5 AS datetime2(7)) ORDER BY [LastModified], [TicketID]',
  );
  const fwd = sent[1].params as Array<{ value: string; type: string } | number>;
  assert.deepEqual(
    fwd.map((p) => (typeof p === 'number' ? p : p.value)),
    ['2026-11-25 09:59:00.1234567', '2026-11-25 09:59:00.1234567', '2026-11-25 09:59:00.1234567', 5, '2026-11-25 10:00:00.1234567'],
  );
  // Then the lookback window below the watermark, inclusive, up to the watermark.
  assert.equal(
    sent[2].sql,
    'SELECT TOP (50) * FROM [dbo].[Tickets] WHERE [LastModified] >= DATEADD(second, -300, CAST(@p1 AS datetime2(7))) AND [LastModified] <= CAST(@p2 AS datetime2(7)) ORDER BY [LastModified], [TicketID]',
  );
  const bound = sent[2].params as Array<{ value: string; type: string }>;
  assert.deepEqual([bound[0].value, bound[0].type], ['2026-11-25 09:59:00.1234567', 'datetime2(7)'], 'full precision, typed');
  assert.equal(bound[1].value, '2026-11-25 09:59:00.1234567');
  assert.equal(sent.length, 3, 'nothing new, a short window: two reads and no watermark move');
});

test('increasing warns once that updates are invisible; snapshot re-reads a window of at least a day by key', async () => {
  const warnings: string[] = [];
  new IncreasingReader({ table: 'T1', key: ['ID'], lookbackSeconds: 0, warn: (m) => warnings.push(m) });
  new IncreasingReader({ table: 'T1', key: ['ID'], lookbackSeconds: 0, warn: (m) => warnings.push(m) });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /edit or a void of an existing ticket is NOT sent/);
  const inc = new IncreasingReader({ table: 'T1', key: ['ID'], lookbackSeconds: 0 });
  const { src } = fakeMssql();
  assert.deepEqual(inc.pageSql(src, { cursor: '41', key: [] }, 10), {
    sql: 'SELECT TOP (10) * FROM [T1] WHERE [ID] > @p1 ORDER BY [ID]',
    params: [41],
  });
  const snap = new SnapshotReader({ table: 'T1', key: ['ID'], column: 'TicketDate', lookbackSeconds: 300 });
  assert.equal(snap.windowSeconds, 86_400);
  assert.equal(
    snap.pageSql(src, [7], 10).sql,
    'SELECT TOP (10) * FROM [T1] WHERE [TicketDate] >= DATEADD(second, -86400, SYSDATETIME()) AND (([ID] > @p1)) ORDER BY [ID]',
  );
});

test('DST: the re-read widens by the repeated hour near a fall-back of the column zone, not otherwise', () => {
  const zone = 'America/Chicago';
  assert.equal(zoneOffsetMinutes(zone, Date.parse('2026-11-01T06:30:00Z')), -300);
  assert.equal(zoneOffsetMinutes(zone, Date.parse('2026-11-01T07:30:00Z')), -360);
  assert.equal(fallBackSeconds(zone, Date.parse('2026-10-31T12:00:00Z'), Date.parse('2026-11-02T12:00:00Z')), 3600);
  assert.equal(fallBackSeconds(zone, Date.parse('2026-11-10T00:00:00Z'), Date.parse('2026-11-12T00:00:00Z')), 0);
  assert.equal(
    fallBackSeconds(zone, Date.parse('2026-03-07T00:00:00Z'), Date.parse('2026-03-09T00:00:00Z')),
    0,
    'spring forward repeats nothing',
  );
  const at = (iso: string) => ({ now: () => Date.parse(iso) });
  const near = new TimestampReader({
    table: 'T',
    key: ['ID'],
    column: 'C',
    lookbackSeconds: 300,
    timezone: zone,
    clock: at('2026-11-01T07:10:00Z'),
  });
  assert.equal(near.lookbackFor({ cursor: 'x', key: [], at: '2026-11-01T06:55:00Z' }), 3900);
  const far = new TimestampReader({
    table: 'T',
    key: ['ID'],
    column: 'C',
    lookbackSeconds: 300,
    timezone: zone,
    clock: at('2026-11-20T07:10:00Z'),
  });
  assert.equal(far.lookbackFor({ cursor: 'x', key: [], at: '2026-11-20T06:55:00Z' }), 300);
});
