// Exact acknowledgement: a ticket is committed only on a result naming exactly the (ticketId,
// revision) sent with a known action. Each wrong answer below comes from a fake API in front of the
// sandbox; the test asserts from the ledger and the sandbox's store that nothing was committed the
// API did not store, that the batch was retried with the same key, and that everything arrives once
// the API answers properly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient, ProtocolError, RetryableError, batchBody, matchResults } from '../../core/delivery/client.js';
import { runPass } from '../../core/engine/pipeline.js';
import type { EngineState } from '../../core/engine/status.js';
import { createDemoPlant } from '../../core/demo/plant.js';
import type { StateStore } from '../../core/state/store.js';
import { sandboxTickets, startFakeApi, type FakeMode } from '../helpers/fake-api.js';
import { demoPipelineDeps } from '../helpers/pipeline.js';
import { testSandbox } from '../helpers/sandbox.js';

const TOKEN = 'ack-test-token-123';

/** Delivered ledger rows (created / updated / unchanged): ticketId → revision. */
function deliveredInLedger(store: StateStore): Map<string, string> {
  const rows = store.db
    .prepare(`SELECT ticket_id AS id, revision FROM ledger WHERE profile = 'p1' AND action IN ('created','updated','unchanged')`)
    .all() as Array<{ id: string; revision: string }>;
  return new Map(rows.map((r) => [r.id, r.revision]));
}

async function setup(t: import('node:test').TestContext, mode: FakeMode, switchAfter: number) {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-ack-'));
  const plantFile = join(dir, 'plant.db');
  const seed = createDemoPlant(plantFile, { days: 1, perDay: 20, seed: 3 })!;
  const sandbox = await testSandbox(t, { token: TOKEN, dbFile: join(dir, 'sandbox.db') });
  const fake = await startFakeApi(sandbox.url, mode, switchAfter);
  t.after(() => fake.close());
  const states: Array<{ state: EngineState; reason: string | null }> = [];
  const deps = {
    ...(await demoPipelineDeps(t, { dir, plantFile, api: { url: fake.url, token: TOKEN }, batchSize: 8 })),
    onState: (state: EngineState, reason: string | null) => states.push({ state, reason }),
    maxRetryWaitMs: 20,
    random: () => 1,
  };
  const store = deps.store;
  return { seed, sandbox, fake, store, deps, states };
}

const wrongAnswers: Array<[FakeMode, RegExp]> = [
  ['wrongRevision', /names revision r-never-sent, but .* was sent/i],
  ['unknownAction', /unknown action "queued"/i],
  ['nullResult', /result 0 of the answer is null/i],
  ['duplicateResult', /two results for p1:/i],
  ['foreignResult', /result for p1:not-in-this-batch, which was not in the batch/i],
  ['route404', /answered 404 \(no such route\)/i],
  ['route405', /answered 405/i],
  ['html200', /with an HTML page/i],
  ['html400', /answered 400 \(an HTML page\)/i],
  ['emptyObject', /without a results list/i],
  ['keyReused', /answered 422 \(This Idempotency-Key was already used/i],
];

for (const [mode, detail] of wrongAnswers) {
  test(`a ${mode} answer commits nothing, is retried with the same key in "API protocol error", and all arrive once the API is fixed`, async (t) => {
    const s = await setup(t, mode, 3);
    const want = s.seed.tickets - s.seed.incomplete;
    // The first batch is answered wrongly three times, then the fake forwards to the sandbox.
    const summary = await runPass(s.deps, 'manual');
    const wrong = s.fake.requests.filter((r) => r.mode !== 'pass');
    assert.equal(wrong.length, 3);
    assert.equal(new Set(wrong.map((r) => r.key)).size, 1, 'retried with the same Idempotency-Key');
    assert.equal(s.fake.requests[3].key, wrong[0].key, 'the good attempt reuses the key too');
    assert.equal(wrong[0].tickets, 8, 'never split into single tickets');
    const pe = s.states.filter((x) => x.state === 'API protocol error');
    assert.equal(pe.length, 3);
    assert.match(pe[0].reason ?? '', detail);
    assert.match(pe[0].reason ?? '', /Nothing of this batch of 8 was committed/);
    // Nothing rejected, nothing filtered beyond the incomplete rows: the wrong answers left no verdict.
    assert.equal(summary.rejected, 0);
    assert.equal(summary.created, want);
    const inApi = await sandboxTickets(s.sandbox.url, TOKEN);
    const inLedger = deliveredInLedger(s.store);
    assert.equal(inApi.size, want);
    assert.deepEqual([...inLedger].sort(), [...inApi].sort(), 'the ledger holds exactly what the API stored, at the same revisions');
    assert.equal(s.sandbox.stats().duplicates, 0);
  });
}

test('while the API keeps answering wrongly, the ledger and the watermark do not move', async (t) => {
  const s = await setup(t, 'wrongRevision', Infinity);
  const stop = new AbortController();
  const deps = { ...s.deps, signal: stop.signal };
  const pass = runPass(deps, 'manual').catch((e: Error) => e);
  while (s.fake.requests.length < 5) await new Promise((r) => setTimeout(r, 20));
  assert.equal(deliveredInLedger(s.store).size, 0);
  assert.equal(s.store.getWatermark('p1'), null);
  assert.equal((await sandboxTickets(s.sandbox.url, TOKEN)).size, 0);
  stop.abort();
  assert.match(String(((await pass) as Error).message), /stopped/);
  // Fixed: the next pass delivers everything.
  s.fake.mode = 'pass';
  const again = await runPass({ ...s.deps, signal: new AbortController().signal }, 'manual');
  assert.equal(again.created, s.seed.tickets - s.seed.incomplete);
  assert.deepEqual([...deliveredInLedger(s.store)].sort(), [...(await sandboxTickets(s.sandbox.url, TOKEN))].sort());
});

test('matchResults: one known result per ticket at the revision sent, in batch order', () => {
  const sent = [
    { ticketId: 'a', revision: '1' },
    { ticketId: 'b', revision: '2' },
  ];
  const r = matchResults(sent, [
    { ticketId: 'b', revision: '2', targetId: 7, action: 'updated' },
    { ticketId: 'a', revision: '1', targetId: null, action: 'rejected', error: 'bad' },
  ]);
  assert.deepEqual(
    r.map((x) => [x.ticketId, x.action, x.targetId]),
    [
      ['a', 'rejected', null],
      ['b', 'updated', '7'],
    ],
  );
  assert.throws(
    () => matchResults(sent, [{ ticketId: 'a', revision: '1', action: 'created' }]),
    (e: Error) => e instanceof ProtocolError && /no result for b/.test(e.message),
  );
  assert.throws(() => matchResults(sent, ['x', null]), /result 0 of the answer is string/);
  assert.throws(() => matchResults(sent, [{ revision: '1', action: 'created' }]), /has no ticketId/);
  // In the order sent (the quick check) the same results, and the same errors when one is wrong.
  const inOrder = matchResults(sent, [
    { ticketId: 'a', revision: '1', targetId: null, action: 'rejected', error: 'bad' },
    { ticketId: 'b', revision: '2', targetId: 7, action: 'updated' },
  ]);
  assert.deepEqual(inOrder, r);
  assert.throws(
    () =>
      matchResults(sent, [
        { ticketId: 'a', revision: '1', action: 'created' },
        { ticketId: 'b', revision: '9', action: 'created' },
      ]),
    /names revision 9, but 2 was sent/,
  );
  assert.throws(
    () =>
      matchResults(sent, [
        { ticketId: 'a', revision: '1', action: 'created' },
        { ticketId: 'b', revision: '2', action: 'stored' },
      ]),
    /unknown action "stored"/,
  );
  assert.throws(
    () =>
      matchResults(sent, [
        { ticketId: 'a', revision: '1', action: 'created' },
        { ticketId: 'a', revision: '1', action: 'created' },
      ]),
    /two results for a/,
  );
});

test('batchBody: the tickets written into one buffer are the bytes of the joined text; a size counted wrong falls back to the text', () => {
  const connector = { id: 'c', version: '1', profile: 'p' };
  const jsons = ['{"ticketId":"a","n":"Größe ½ t"}', '{"ticketId":"b","n":"😀"}', '{"ticketId":"c"}'];
  const text = `{"connector":${JSON.stringify(connector)},"tickets":[${jsons.join(',')}]}`;
  const bytes = jsons.reduce((n, j) => n + Buffer.byteLength(j), 0);
  const body = batchBody(connector, jsons, bytes);
  assert.ok(Buffer.isBuffer(body));
  assert.equal(body.toString('utf8'), text);
  assert.equal(body.length, Buffer.byteLength(text));
  for (const wrong of [bytes - 1, bytes + 1, bytes - 20, bytes + 40]) assert.equal(batchBody(connector, jsons, wrong), text);
  assert.equal(batchBody(connector, jsons), text, 'no size: the text');
  assert.equal(batchBody(connector, [], 0), `{"connector":${JSON.stringify(connector)},"tickets":[]}`);
});

test('the client: an answer body over the cap is a protocol error, and an abort interrupts the request', async (t) => {
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    if (req.url === '/slow/v1/tickets:batch') return; // never answers
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ results: [], pad: 'x'.repeat(4096) }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as import('node:net').AddressInfo).port;
  const small = new ApiClient({ url: `http://127.0.0.1:${port}`, token: 't', userAgent: 'outpost/test', maxResponseBytes: 1024 });
  await assert.rejects(
    small.postBatchJson({ id: 'c', version: '0', profile: 'p' }, [], 'k'),
    (e: Error) => e instanceof ProtocolError && /than the 1024 bytes Outpost reads/.test(e.message),
  );
  const slow = new ApiClient({ url: `http://127.0.0.1:${port}/slow`, token: 't', userAgent: 'outpost/test', timeoutMs: 60_000 });
  const ac = new AbortController();
  const started = Date.now();
  const p = slow.postBatchJson({ id: 'c', version: '0', profile: 'p' }, [], 'k', ac.signal);
  setTimeout(() => ac.abort(), 100);
  await assert.rejects(p, (e: Error) => e.name === 'RequestAbortedError');
  assert.ok(Date.now() - started < 10_000);
  server.closeAllConnections();
});

test('the client: no answer within timeoutMs is a retryable "did not answer in time"; an answered request leaves no timer behind', async (t) => {
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    if (req.url === '/slow/v1/tickets:batch') return; // never answers
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ results: [] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as import('node:net').AddressInfo).port;
  const slow = new ApiClient({ url: `http://127.0.0.1:${port}/slow`, token: 't', userAgent: 'outpost/test', timeoutMs: 300 });
  await assert.rejects(
    slow.postBatchJson({ id: 'c', version: '0', profile: 'p' }, [], 'k'),
    (e: Error) => e instanceof RetryableError && /did not answer in time/.test(e.message),
  );
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const ok = new ApiClient({ url: `http://127.0.0.1:${port}`, token: 't', userAgent: 'outpost/test', timeoutMs: 60_000 });
  const signal = new AbortController().signal;
  const before = timers();
  for (let i = 0; i < 5; i++) assert.deepEqual(await ok.postBatchJson({ id: 'c', version: '0', profile: 'p' }, [], `k${i}`, signal), []);
  assert.equal(timers(), before, 'each request clears its timeout once answered');
  server.closeAllConnections();
});
