import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCHEMA_VERSION, StateStore } from '../../core/state/store.js';
import { acquireLock, LockHeldError } from '../../core/engine/lock.js';

test('state store: watermark, ledger and run counters commit together and survive reopening', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'outpost-state-')), 'state.db');
  let s = new StateStore(file);
  assert.equal(s.db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(s.getWatermark('p'), null);
  const run = s.startRun('p', 'startup');
  s.commit({
    profile: 'p',
    entries: [
      { ticketId: 'p:1', revision: 'r1', targetId: 't1', action: 'created', error: null, ticketNumber: '100' },
      { ticketId: 'p:2', revision: 'f-x', targetId: null, action: 'filtered', error: 'net weight is empty', ticketNumber: '101' },
    ],
    runId: run,
    counts: { read: 3, created: 1, filtered: 1, skipped: 1 },
    records: [{ ticketNumber: '100', sourceId: 'p:1', targetId: 't1', processorAction: 'new', writerAction: 'created', error: null }],
    watermark: { cursor: '2026-11-25 10:00:00.123456', key: [2] },
  });
  s.endRun(run, 'complete');
  s.close();
  s = new StateStore(file);
  const wm = s.getWatermark('p');
  assert.deepEqual(
    { cursor: wm?.cursor, key: wm?.key },
    { cursor: '2026-11-25 10:00:00.123456', key: [2] },
    'cursor kept at full precision as text',
  );
  const ledger = s.ledgerFor('p', ['p:1', 'p:2', 'p:3']);
  assert.equal(ledger.get('p:1')?.revision, 'r1');
  assert.equal(ledger.get('p:2')?.action, 'filtered');
  assert.equal(ledger.has('p:3'), false);
  const [r] = s.runs('p');
  assert.equal(r.status, 'complete');
  assert.equal(r.created, 1);
  assert.equal(r.filtered, 1);
  assert.equal(r.skipped, 1);
  // The dashboard's filtered, paged list reads the same counters as runs().
  const [q] = s.queryRuns({ profile: 'p', limit: 10 });
  assert.deepEqual(q, r);
  assert.equal(s.runRecords(r.id).length, 1);
  assert.deepEqual({ ...s.stats('p'), lastSuccessAt: null }, { delivered: 1, filtered: 1, lastSuccessAt: null });
  s.close();
});

test('state store: a run left running by a killed process is closed as an error', () => {
  const s = new StateStore(':memory:');
  s.startRun('p', 'scheduled');
  s.closeAbandonedRuns('p');
  assert.equal(s.runs('p')[0].status, 'error');
  assert.match(s.runs('p')[0].errorText ?? '', /stopped during this run/);
});

test('lock: a second daemon on the same state folder is refused; a stale lock is taken over', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-lock-'));
  const file = join(dir, 'run', 'daemon.lock');
  const release = acquireLock(file);
  // Same pid re-acquiring models "another live process": fake it by writing the parent's pid.
  release();
  const { writeFileSync, mkdirSync } = fs;
  mkdirSync(join(dir, 'run'), { recursive: true });
  writeFileSync(file, String(process.ppid));
  assert.throws(
    () => acquireLock(file),
    (e: Error) => e instanceof LockHeldError && /already running/.test(e.message),
  );
  writeFileSync(file, '999999999');
  const r2 = acquireLock(file);
  r2();
});

test('state store: a version-1 file is migrated forward in order, keeping its data; a newer file is refused', async () => {
  const Database = (await import('better-sqlite3')).default;
  const file = join(mkdtempSync(join(tmpdir(), 'outpost-state-')), 'state.db');
  // A state file as the first release wrote it (schema 1).
  let s = new StateStore(file);
  s.commit({
    profile: 'p',
    entries: [{ ticketId: 'p:1', revision: 'r1', targetId: 't1', action: 'created', error: null, ticketNumber: '1' }],
    watermark: { cursor: 'c1', key: [1] },
  });
  s.db.exec(`DROP INDEX ledger_action; DROP TABLE requeue; DROP TABLE profile_shape; ALTER TABLE runs DROP COLUMN skipped;
    ALTER TABLE ledger DROP COLUMN key_json; ALTER TABLE ledger DROP COLUMN mapping_hash; ALTER TABLE ledger DROP COLUMN ticket_date;
    ALTER TABLE ledger DROP COLUMN ticket_json; ALTER TABLE ledger DROP COLUMN deleted_at;`);
  s.db.exec(`ALTER TABLE runs DROP COLUMN unlisted_records;`);
  s.db.exec(`DROP INDEX runs_started; ALTER TABLE runs DROP COLUMN pruned_records; ALTER TABLE ledger DROP COLUMN modified_at;`);
  s.db.pragma('user_version = 1');
  s.close();
  s = new StateStore(file);
  assert.equal(s.schemaVersion, SCHEMA_VERSION);
  assert.equal(s.getWatermark('p')?.cursor, 'c1');
  assert.equal(s.ledgerFor('p', ['p:1']).get('p:1')?.revision, 'r1');
  assert.equal(s.runs('p').length, 0);
  s.close();
  const raw = new Database(file);
  raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  raw.close();
  assert.throws(() => new StateStore(file), /newer Outpost/);
});

test('state store: runs are pruned by age, then records by the disk budget; the ledger is never pruned', () => {
  let now = Date.parse('2026-11-25T12:00:00Z');
  const s = new StateStore(':memory:', { clock: { now: () => now } });
  now -= 40 * 86_400_000;
  const old = s.startRun('p', 'scheduled');
  s.commit({
    profile: 'p',
    entries: [{ ticketId: 'p:1', revision: 'r1', targetId: 't', action: 'created', error: null, ticketNumber: '1' }],
    runId: old,
    counts: { read: 1, created: 1 },
    records: [{ ticketNumber: '1', sourceId: 'p:1', targetId: 't', processorAction: 'new', writerAction: 'created', error: null }],
  });
  s.endRun(old, 'complete');
  now += 39 * 86_400_000;
  const big = 'x'.repeat(2000);
  const recent: number[] = [];
  for (let r = 0; r < 5; r++) {
    const id = s.startRun('p', 'manual');
    recent.push(id);
    const records = Array.from({ length: 200 }, (_, i) => ({
      ticketNumber: String(i),
      sourceId: `p:${i}`,
      targetId: null,
      processorAction: 'invalid' as const,
      writerAction: 'skipped' as const,
      error: big,
    }));
    s.commit({ profile: 'p', entries: [], runId: id, counts: { read: 200, filtered: 200 }, records });
    s.endRun(id, 'complete');
  }
  const before = s.usedBytes();
  const r = s.prune({ maxAgeDays: 30, maxBytes: before / 2 });
  assert.equal(r.runsDeleted, 1, 'the 40-day-old run is gone');
  assert.ok(r.usedBytes <= before / 2 || s.runRecords(recent[4]).length === 0, 'within budget');
  const runs = s.runs('p');
  assert.equal(runs.length, 5, 'recent runs keep their summary');
  const oldest = runs.find((x) => x.id === recent[0])!;
  assert.equal(oldest.prunedRecords, 200, 'the oldest run lost its records first');
  assert.equal(oldest.filtered, 200, 'its counts stay');
  assert.equal(s.runRecords(recent[4]).length, 200, 'the newest run keeps its records');
  assert.equal(s.ledgerFor('p', ['p:1']).get('p:1')?.revision, 'r1', 'the ledger is untouched');
  assert.match(runs[0].startedAtLocal, /T\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d$/, 'local time with its offset');
  assert.equal(runs[0].written, runs[0].created + runs[0].updated);
  s.close();
});

test('state store: a large commit goes in multi-row statements and reads back exactly, in order, upserts included', () => {
  const s = new StateStore(':memory:');
  const run = s.startRun('p', 'startup');
  // 137 = two chunks of 50 and a remainder of 37, so both statement shapes run.
  const n = 137;
  const entries = Array.from({ length: n }, (_, i) => ({
    ticketId: `p:${i}`,
    revision: `r${i}`,
    targetId: `t${i}`,
    action: 'created' as const,
    error: null,
    ticketNumber: String(1000 + i),
    modifiedAt: `2026-11-25 10:00:${String(i % 60).padStart(2, '0')}`,
  }));
  const records = entries.map((e) => ({
    ticketNumber: e.ticketNumber,
    sourceId: e.ticketId,
    targetId: e.targetId,
    processorAction: 'new' as const,
    writerAction: 'created' as const,
    error: null,
  }));
  s.commit({ profile: 'p', entries, runId: run, counts: { read: n, created: n }, records });
  // The same tickets again, changed: an upsert keeps the target id when none is given.
  s.commit({
    profile: 'p',
    entries: entries.map((e) => ({ ...e, revision: `${e.revision}b`, targetId: null, action: 'updated' as const, modifiedAt: null })),
    runId: run,
    counts: { updated: n },
    records: [],
  });
  const ledger = s.ledgerFor(
    'p',
    entries.map((e) => e.ticketId),
  );
  assert.equal(ledger.size, n);
  for (const e of entries) {
    const l = ledger.get(e.ticketId)!;
    assert.deepEqual(
      [l.revision, l.targetId, l.action, l.ticketNumber, l.modifiedAt],
      [`${e.revision}b`, e.targetId, 'updated', e.ticketNumber, e.modifiedAt],
    );
  }
  assert.deepEqual(s.runRecords(run), records, 'every record, in the order given');
  assert.equal(s.stats('p').delivered, 2 * n);
  s.close();
});
