import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateStore } from '../../core/state/store.js';
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
    counts: { read: 2, created: 1, filtered: 1 },
    records: [{ ticketNumber: '100', sourceId: 'p:1', targetId: 't1', processorAction: 'new', writerAction: 'created', error: null }],
    watermark: { cursor: '2026-11-25 10:00:00.123456', key: [2] },
  });
  s.endRun(run, 'complete');
  s.close();
  s = new StateStore(file);
  assert.deepEqual(s.getWatermark('p'), { cursor: '2026-11-25 10:00:00.123456', key: [2] }, 'cursor kept at full precision as text');
  const ledger = s.ledgerFor('p', ['p:1', 'p:2', 'p:3']);
  assert.equal(ledger.get('p:1')?.revision, 'r1');
  assert.equal(ledger.get('p:2')?.action, 'filtered');
  assert.equal(ledger.has('p:3'), false);
  const [r] = s.runs('p');
  assert.equal(r.status, 'complete');
  assert.equal(r.created, 1);
  assert.equal(r.filtered, 1);
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
  assert.throws(() => acquireLock(file), (e: Error) => e instanceof LockHeldError && /already running/.test(e.message));
  writeFileSync(file, '999999999');
  const r2 = acquireLock(file);
  r2();
});

