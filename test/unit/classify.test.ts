// The pipeline's decisions without a database or an API: classify (a page's mapped rows against
// the ledger) on plain data, and deliverWithRetry's splits, single-ticket verdicts and in-flight
// guard against a stub API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify, filteredRevision, type ClassifyContext, type MappedRow } from '../../core/engine/classify.js';
import { InFlightError, deliverWithRetry, type PipelineDeps } from '../../core/engine/pipeline.js';
import { BatchRefusedError, PayloadTooLargeError } from '../../core/delivery/client.js';
import type { ETicket } from '../../core/mapping/eticket.js';
import type { LedgerEntry } from '../../core/state/store.js';

const HASH = 'm-test';
const ctx = (extra: Partial<ClassifyContext> = {}): ClassifyContext => ({
  profile: { key: ['Id'] },
  mapper: { sources: () => ({ ticketNumber: 'No', issuedAt: 'Day' }) },
  mappingHash: HASH,
  ...extra,
});

function ticket(id: number, revision: string, modifiedAt?: string): ETicket {
  return {
    ticketId: `p:${id}`,
    revision,
    ticketNumber: String(100 + id),
    issuedAt: '2026-11-20T08:00:00-06:00',
    ...(modifiedAt ? { source: { recordModifiedAt: modifiedAt } } : {}),
  } as unknown as ETicket;
}
const good = (id: number, revision: string, modifiedAt?: string): MappedRow => ({
  ticketId: `p:${id}`,
  row: { Id: id, No: ` ${100 + id} `, Day: '2026-11-19' },
  // classify passes the mapper's serialisation through untouched; its content does not matter here.
  result: { ok: true, ticket: ticket(id, revision, modifiedAt), canonical: { text: `{"ticketId":"p:${id}"}`, revision, slots: {} } },
});
const bad = (id: number, skipped = false): MappedRow => ({
  ticketId: `p:${id}`,
  row: { Id: id, No: ` ${100 + id} `, Day: '2026-11-19' },
  result: { ok: false, problems: ['net weight is empty', 'unit is empty'], skipped },
});
const entry = (ticketId: string, revision: string, action: LedgerEntry['action'], extra: Partial<LedgerEntry> = {}): LedgerEntry => ({
  ticketId,
  revision,
  targetId: null,
  action,
  error: null,
  ticketNumber: null,
  ...extra,
});
const ledgerOf = (...entries: LedgerEntry[]) => new Map(entries.map((e) => [e.ticketId, e]));

test('classify: a row never seen is sent as new, with its key, its day and no resend tag', () => {
  const c = classify([good(1, 'r1')], new Map(), ctx());
  assert.deepEqual(c.parked, []);
  assert.equal(c.unchanged, 0);
  assert.equal(c.send.length, 1);
  const row = good(1, 'r1');
  assert.equal(
    classify([row], new Map(), ctx()).send[0].canonical,
    row.result.ok && row.result.canonical,
    "the mapper's serialisation, passed on",
  );
  const { canonical: _c, ...sent } = c.send[0];
  void _c;
  assert.deepEqual(
    { ...sent, ticket: sent.ticket.ticketId },
    {
      ticket: 'p:1',
      isNew: true,
      keyJson: '[1]',
      ticketDate: '2026-11-20',
      resendTag: undefined,
    },
  );
});

test('classify: the revision delivered (or rejected) before is left alone; a changed one is sent as changed', () => {
  for (const action of ['created', 'updated', 'unchanged', 'rejected'] as const) {
    const c = classify([good(1, 'r1')], ledgerOf(entry('p:1', 'r1', action)), ctx());
    assert.equal(c.unchanged, 1, action);
    assert.equal(c.send.length, 0, action);
  }
  const changed = classify([good(1, 'r2')], ledgerOf(entry('p:1', 'r1', 'updated')), ctx());
  assert.equal(changed.send.length, 1);
  assert.equal(changed.send[0].isNew, false);
});

test('classify: a row parked before (filtered or skipped) that now maps is sent as new', () => {
  for (const action of ['filtered', 'skipped'] as const) {
    const c = classify([good(1, 'r1')], ledgerOf(entry('p:1', 'f-old', action)), ctx());
    assert.equal(c.send[0].isNew, true, action);
  }
});

test('classify: a forced ticket is sent at the same revision with its queue time as resend tag, a changed one without', () => {
  const forced = new Map([
    ['p:1', { queuedAt: '2026-11-25T10:00:00Z' }],
    ['p:2', { queuedAt: '2026-11-25T10:00:01Z' }],
  ]);
  const c = classify(
    [good(1, 'r1'), good(2, 'r3')],
    ledgerOf(entry('p:1', 'r1', 'rejected'), entry('p:2', 'r2', 'created')),
    ctx({ forced }),
  );
  assert.equal(c.unchanged, 0);
  assert.deepEqual(
    c.send.map((s) => [s.ticket.ticketId, s.isNew, s.resendTag]),
    [
      ['p:1', false, '2026-11-25T10:00:00Z'],
      ['p:2', false, undefined],
    ],
  );
});

test('classify: recordModifiedAt never goes back behind what was sent, and the mapped ticket is not changed in place', () => {
  const older = good(1, 'r2', '2026-11-20T10:00:00.000Z');
  const c = classify(
    [older, good(2, 'r2', '2026-11-20T12:00:00.000Z')],
    ledgerOf(
      entry('p:1', 'r1', 'created', { modifiedAt: '2026-11-20T11:00:00.000Z' }),
      entry('p:2', 'r1', 'created', { modifiedAt: '2026-11-20T11:00:00.000Z' }),
    ),
    ctx(),
  );
  assert.deepEqual(
    c.send.map((s) => s.ticket.source?.recordModifiedAt),
    ['2026-11-20T11:00:00.000Z', '2026-11-20T12:00:00.000Z'],
  );
  assert.equal(older.result.ok && older.result.ticket.source?.recordModifiedAt, '2026-11-20T10:00:00.000Z');
  // A ticket without source times is sent as mapped.
  const none = classify([good(3, 'r2')], ledgerOf(entry('p:3', 'r1', 'created', { modifiedAt: '2026-11-20T11:00:00.000Z' })), ctx());
  assert.equal(none.send[0].ticket.source, undefined);
});

test('classify: an invalid row is parked as filtered with its problems, number, day and the mapping that judged it', () => {
  const c = classify([bad(1)], ledgerOf(entry('p:1', 'r0', 'rejected', { targetId: 't-9' })), ctx());
  assert.equal(c.send.length, 0);
  assert.equal(c.skipped, 0);
  assert.deepEqual(c.parked, [
    {
      ticketId: 'p:1',
      revision: filteredRevision(bad(1).row, HASH),
      targetId: 't-9',
      action: 'filtered',
      error: 'net weight is empty; unit is empty',
      ticketNumber: '101',
      keyJson: '[1]',
      mappingHash: HASH,
      ticketDate: '2026-11-19',
    },
  ]);
  assert.deepEqual(c.parkedRecords, [
    {
      ticketNumber: '101',
      sourceId: 'p:1',
      targetId: null,
      processorAction: 'invalid',
      writerAction: 'skipped',
      error: 'net weight is empty; unit is empty',
    },
  ]);
});

test('classify: a row matching a skip rule is parked as skipped and counted apart', () => {
  const c = classify([bad(1, true), bad(2)], new Map(), ctx());
  assert.equal(c.skipped, 1);
  assert.deepEqual(
    c.parked.map((p) => [p.ticketId, p.action, p.targetId]),
    [
      ['p:1', 'skipped', null],
      ['p:2', 'filtered', null],
    ],
  );
  assert.deepEqual(
    c.parkedRecords.map((r) => r.processorAction),
    ['skipped', 'invalid'],
  );
});

test('classify: the same parked verdict is left alone; another verdict, another mapping, a changed row or a force parks it again', () => {
  const same = filteredRevision(bad(1).row, HASH);
  assert.equal(classify([bad(1)], ledgerOf(entry('p:1', same, 'filtered')), ctx()).unchanged, 1);
  assert.equal(classify([bad(1, true)], ledgerOf(entry('p:1', same, 'skipped')), ctx()).unchanged, 1);
  assert.equal(classify([bad(1, true)], ledgerOf(entry('p:1', same, 'filtered')), ctx()).parked[0].action, 'skipped');
  assert.equal(classify([bad(1)], ledgerOf(entry('p:1', same, 'filtered')), ctx({ mappingHash: 'm-other' })).parked.length, 1);
  const edited = { ...bad(1), row: { ...bad(1).row, No: '999' } };
  assert.equal(classify([edited], ledgerOf(entry('p:1', same, 'filtered')), ctx()).parked.length, 1);
  const forced = new Map([['p:1', { queuedAt: 'q' }]]);
  assert.equal(classify([bad(1)], ledgerOf(entry('p:1', same, 'filtered')), ctx({ forced })).parked.length, 1);
});

test('classify: a parked row without a number or a readable day says null; big integer keys stay exact', () => {
  const row: MappedRow = { ticketId: 'p:9', row: { Id: 2n ** 63n - 1n, No: '  ', Day: 'soon' }, result: { ok: false, problems: ['x'] } };
  const [p] = classify([row], new Map(), ctx()).parked;
  assert.equal(p.ticketNumber, null);
  assert.equal(p.ticketDate, null);
  assert.equal(p.keyJson, '["9223372036854775807"]');
});

// --- deliverWithRetry against a stub API --------------------------------------------------------

type Outgoing = Parameters<typeof deliverWithRetry>[1][number];
const outgoing = (ids: number[]): Outgoing[] =>
  ids.map((id) => {
    const t = ticket(id, `r${id}`);
    return { ticket: t, json: JSON.stringify(t), isNew: true, keyJson: `[${id}]`, ticketDate: null };
  });

/** A stub API: `answer` decides from the ticket ids of each request; records every request and the most at once. */
function stubDeps(answer: (ids: string[]) => Promise<unknown[]> | unknown[]) {
  const posts: Array<{ ids: string[]; key: string }> = [];
  let open = 0;
  let mostAtOnce = 0;
  const states: Array<[string, string | null]> = [];
  const api = {
    async postBatchJson(_c: unknown, jsons: string[], key: string): Promise<unknown[]> {
      const ids = jsons.map((j) => (JSON.parse(j) as ETicket).ticketId);
      posts.push({ ids, key });
      mostAtOnce = Math.max(mostAtOnce, ++open);
      try {
        return await answer(ids);
      } finally {
        open--;
      }
    },
  };
  const deps = {
    profile: { name: 'p' },
    connector: { id: 'c', version: '0', profile: 'p' },
    api,
    signal: new AbortController().signal,
    onState: (s: string, reason: string | null) => states.push([s, reason]),
    random: () => 0,
    maxRetryWaitMs: 1,
  } as unknown as PipelineDeps;
  return { deps, posts, states, mostAtOnce: () => mostAtOnce };
}
const created = (ids: string[]) => ids.map((id) => ({ ticketId: id, revision: `r${id.slice(2)}`, targetId: `t-${id}`, action: 'created' }));

test('deliverWithRetry: a 413 splits the batch in halves sent one after the other; a lone ticket still too large is rejected', async () => {
  const s = stubDeps((ids) => {
    if (ids.length > 2 || ids.includes('p:5')) throw new PayloadTooLargeError();
    return created(ids);
  });
  const results = await deliverWithRetry(s.deps, outgoing([1, 2, 3, 4, 5]));
  assert.deepEqual(
    s.posts.map((p) => p.ids.join(',')),
    ['p:1,p:2,p:3,p:4,p:5', 'p:1,p:2,p:3', 'p:1,p:2', 'p:3', 'p:4,p:5', 'p:4', 'p:5'],
  );
  assert.equal(s.mostAtOnce(), 1, 'never two requests at the same time');
  assert.deepEqual(
    results.map((r) => [r.ticketId, r.action]),
    [
      ['p:1', 'created'],
      ['p:2', 'created'],
      ['p:3', 'created'],
      ['p:4', 'created'],
      ['p:5', 'rejected'],
    ],
  );
  assert.equal(results[4].error, 'the ticket is larger than the API accepts (413)');
  assert.equal(results[4].targetId, null);
});

test("deliverWithRetry: a 400 is bisected down to the ticket it names, which is rejected with the API's sentence", async () => {
  const s = stubDeps((ids) => {
    if (ids.includes('p:3')) throw new BatchRefusedError(400, 'ticket p:3: netWeight must be a number');
    return created(ids);
  });
  const results = await deliverWithRetry(s.deps, outgoing([1, 2, 3, 4]));
  assert.deepEqual(
    s.posts.map((p) => p.ids.length),
    [4, 2, 2, 1, 1],
  );
  const rejected = results.filter((r) => r.action === 'rejected');
  assert.deepEqual(
    rejected.map((r) => r.ticketId),
    ['p:3'],
  );
  assert.equal(rejected[0].error, 'The API refused the batch with 400: ticket p:3: netWeight must be a number.');
  assert.deepEqual(
    results.map((r) => r.ticketId),
    ['p:1', 'p:2', 'p:3', 'p:4'],
  );
});

test('deliverWithRetry: an answer with no result for a ticket sent commits nothing and is retried with the same key', async () => {
  let calls = 0;
  const s = stubDeps((ids) => (++calls === 1 ? created(ids).slice(1) : created(ids)));
  const results = await deliverWithRetry(s.deps, outgoing([1, 2]));
  assert.equal(s.posts.length, 2);
  assert.equal(s.posts[0].key, s.posts[1].key, 'the same Idempotency-Key');
  assert.deepEqual(s.posts[1].ids, ['p:1', 'p:2'], 'not split');
  assert.deepEqual(
    s.states.map(([state]) => state),
    ['API protocol error', 'delivering'],
  );
  assert.match(s.states[0][1] ?? '', /^The answer has no result for p:1\. Nothing of this batch of 2 was committed/);
  assert.deepEqual(
    results.map((r) => r.ticketId),
    ['p:1', 'p:2'],
  );
});

test('deliverWithRetry: a ticket already in a batch in flight is refused; it may go again once the answer is in', async () => {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const s = stubDeps(async (ids) => {
    if (ids.includes('p:1')) await held;
    return created(ids);
  });
  const first = deliverWithRetry(s.deps, outgoing([1, 2]));
  await new Promise((r) => setImmediate(r));
  await assert.rejects(
    deliverWithRetry(s.deps, outgoing([2, 3])),
    (e: Error) => e instanceof InFlightError && /ticket p:2 is already in a batch in flight/.test(e.message),
  );
  // Tickets not in flight are not held up by the guard.
  assert.equal((await deliverWithRetry(s.deps, outgoing([3])))[0].action, 'created');
  release();
  assert.equal((await first).length, 2);
  assert.equal((await deliverWithRetry(s.deps, outgoing([1, 2]))).length, 2, 'the guard is released after the answer');
  // A failure releases it too.
  const failing = stubDeps(() => {
    throw new Error('boom');
  });
  await assert.rejects(deliverWithRetry(failing.deps, outgoing([7])), /boom/);
  const after = stubDeps(created);
  assert.equal((await deliverWithRetry(after.deps, outgoing([7])))[0].action, 'created');
});
