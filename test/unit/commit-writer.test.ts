// The daemon's state store writes large commits in a worker thread (core/state/commit-writer.ts):
// what it reads is what was committed, commits land in order, a failed one drops those after it and
// is thrown at the next use of the store, error text is scrubbed of secrets, and close writes all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateStore, type LedgerEntry } from '../../core/state/store.js';
import { MIN_DEFERRED_ENTRIES } from '../../core/state/commit-writer.js';
import { registerSecret } from '../../core/scrub.js';

const N = MIN_DEFERRED_ENTRIES;

function entries(from: number, n: number, over: Partial<LedgerEntry> = {}): LedgerEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    ticketId: `p:${from + i}`,
    revision: `r-${from + i}`,
    targetId: `t${from + i}`,
    action: 'created' as const,
    error: null,
    ticketNumber: String(from + i),
    ...over,
  }));
}

function stateFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'outpost-commit-writer-')), 'state.db');
}

test('commit worker: a large commit is read back by every read of the store, in order, with its watermark', (t) => {
  const file = stateFile();
  const s = new StateStore(file, { commitWorker: true });
  t.after(() => s.close());
  const run = s.startRun('p', 'startup');
  s.commit({ profile: 'p', entries: entries(0, N), runId: run, counts: { created: N }, unlisted: N, watermark: { cursor: 'a', key: [1] } });
  // The same tickets again at new revisions, then a page of others: applied one after the other.
  s.commit({
    profile: 'p',
    entries: entries(0, N, { revision: 'second', action: 'updated' }),
    runId: run,
    counts: { updated: N },
    unlisted: N,
    watermark: { cursor: 'b', key: [2] },
  });
  s.commit({ profile: 'p', entries: entries(N, N), runId: run, counts: { created: N }, unlisted: N, watermark: { cursor: 'c', key: [3] } });
  // No explicit flush: every read waits for what was posted.
  assert.equal(s.getWatermark('p')?.cursor, 'c');
  assert.equal(s.stats('p').delivered, 3 * N);
  const ledger = s.ledgerFor('p', ['p:0', `p:${N}`]);
  assert.equal(ledger.get('p:0')?.revision, 'second');
  assert.equal(ledger.get(`p:${N}`)?.revision, `r-${N}`);
  s.endRun(run, 'complete');
  assert.deepEqual([s.run(run)?.created, s.run(run)?.updated, s.run(run)?.unlistedRecords], [2 * N, N, 3 * N]);
});

test('commit worker: the ledger read of tickets in a commit not yet written waits for it', () => {
  const s = new StateStore(stateFile(), { commitWorker: true });
  try {
    for (let round = 0; round < 5; round++) {
      s.commit({ profile: 'p', entries: entries(0, N, { revision: `round-${round}` }) });
      // Read right after posting: the ledger holds this round's revision, never the one before.
      assert.equal(s.ledgerFor('p', [`p:${N - 1}`]).get(`p:${N - 1}`)?.revision, `round-${round}`);
    }
  } finally {
    s.close();
  }
});

test('commit worker: a failed commit drops the ones after it and is thrown once at the next use; later commits are written', () => {
  const file = stateFile();
  const s = new StateStore(file, { commitWorker: true });
  try {
    s.commit({ profile: 'p', entries: entries(0, N), watermark: { cursor: 'first', key: [] } });
    // Records of a run that does not exist: the foreign key fails this commit in the worker.
    s.commit({
      profile: 'p',
      entries: entries(N, N),
      runId: 999_999,
      records: [{ ticketNumber: '1', sourceId: 'p:1', targetId: null, processorAction: 'new', writerAction: 'created', error: null }],
      watermark: { cursor: 'failed', key: [] },
    });
    // Posted after the failure: dropped, so no watermark lands past the ledger rows that failed.
    s.commit({ profile: 'p', entries: entries(2 * N, N), watermark: { cursor: 'after', key: [] } });
    assert.throws(
      () => s.flush(),
      (e: Error & { code?: string }) => /FOREIGN KEY/.test(e.message) && e.code === 'SQLITE_CONSTRAINT_FOREIGNKEY',
    );
    assert.equal(s.getWatermark('p')?.cursor, 'first', 'thrown once; the store reads on');
    const ledger = s.ledgerFor('p', ['p:0', `p:${N}`, `p:${2 * N}`]);
    assert.deepEqual([ledger.has('p:0'), ledger.has(`p:${N}`), ledger.has(`p:${2 * N}`)], [true, false, false]);
    s.commit({ profile: 'p', entries: entries(2 * N, N), watermark: { cursor: 'again', key: [] } });
    assert.equal(s.getWatermark('p')?.cursor, 'again');
    assert.equal(s.ledgerFor('p', [`p:${2 * N}`]).has(`p:${2 * N}`), true);
  } finally {
    s.close();
  }
});

test('commit worker: a full state file fails the worker commit with SQLITE_FULL (setMaxPageCount reaches its connection)', () => {
  const s = new StateStore(stateFile(), { commitWorker: true });
  try {
    s.commit({ profile: 'p', entries: entries(0, N) });
    s.flush();
    s.setMaxPageCount(s.db.pragma('page_count', { simple: true }) as number);
    s.commit({ profile: 'p', entries: entries(N, 20 * N, { ticketNumber: 'x'.repeat(200) }) });
    assert.throws(
      () => s.flush(),
      (e: Error & { code?: string }) => e.code === 'SQLITE_FULL',
    );
    s.setMaxPageCount(1_073_741_823);
    s.commit({ profile: 'p', entries: entries(N, 20 * N) });
    assert.equal(s.stats('p').delivered, 21 * N);
  } finally {
    s.close();
  }
});

test('commit worker: error text is scrubbed of the secrets this process knows; close writes what was posted', () => {
  const file = stateFile();
  registerSecret('tok-commit-writer-secret');
  const s = new StateStore(file, { commitWorker: true });
  s.commit({ profile: 'p', entries: entries(0, N, { action: 'rejected', error: 'the API said: bad token tok-commit-writer-secret' }) });
  s.close();
  const again = new StateStore(file);
  try {
    const e = again.ledgerFor('p', ['p:0']).get('p:0');
    assert.equal(e?.action, 'rejected');
    assert.ok(e?.error && !e.error.includes('tok-commit-writer-secret'), `stored: ${e?.error}`);
    assert.equal(again.ledgerRows('p').length, N);
  } finally {
    again.close();
  }
});
