// The sandbox ingest API (docs/design.md §2.3): auth, upsert rules, idempotency, limits, faults, persistence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type SandboxAccount, type SandboxHandle, type SandboxOptions } from '../../core/sandbox/server.js';
import { FaultPlan } from '../../core/sandbox/faults.js';
import { accountsFromTokens, loadAccounts } from '../../core/sandbox/accounts.js';
import { ETICKET_EXAMPLE, type ETicket } from '../../core/mapping/index.js';
import { waitFor } from '../helpers/wait.js';

const TOKEN = 'tok_alpha_0123456789';
const TOKEN_B = 'tok_bravo_0123456789';
const TOKEN_OFF = 'tok_disabled_012345';
const accounts: SandboxAccount[] = [
  { token: TOKEN, accountId: 'acct_a', accountName: 'Plant A', environment: 'sandbox' },
  { token: TOKEN_B, accountId: 'acct_b', accountName: 'Plant B', environment: 'uat' },
  { token: TOKEN_OFF, accountId: 'acct_off', accountName: 'Gone', environment: 'sandbox', disabled: true },
];

/** A valid ticket (the documented example) under another id and revision: the sandbox only checks its shape. */
function ticket(id: string, revision: string, recordModifiedAt?: string): ETicket {
  const { source: _s, ...example } = structuredClone(ETICKET_EXAMPLE) as unknown as ETicket;
  return {
    ...example,
    ticketId: id,
    revision,
    ticketNumber: id.toUpperCase(),
    ...(recordModifiedAt ? { source: { table: 'dbo.Tickets', recordKey: id, recordModifiedAt } } : {}),
  };
}

const connector = { id: 'outpost-test', version: '0.1.0', profile: 'plant-12' };
let keySeq = 0;
const newKey = () => `key-${process.pid}-${++keySeq}`;

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'outpost-sandbox-'));
}

async function start(extra: Partial<SandboxOptions> = {}, logs: string[] = []): Promise<SandboxHandle> {
  return startSandbox({ dbFile: ':memory:', accounts, log: (l) => logs.push(l), ...extra });
}

async function batch(h: SandboxHandle, tickets: unknown[], opts: { key?: string; token?: string; body?: string } = {}) {
  const body = opts.body ?? JSON.stringify({ connector, tickets });
  const res = await fetch(`${h.url}/v1/tickets:batch`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${opts.token ?? TOKEN}`,
      'Content-Type': 'application/json',
      'User-Agent': 'outpost/0.1.0',
      ...(opts.key === '' ? {} : { 'Idempotency-Key': opts.key ?? newKey() }),
    },
    body,
  });
  const text = await res.text();
  return { res, status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function get(h: SandboxHandle, path: string, token = TOKEN) {
  const res = await fetch(h.url + path, { headers: { Authorization: `Bearer ${token}` } });
  const text = await res.text();
  return { res, status: res.status, json: text ? JSON.parse(text) : undefined };
}

test('whoami: 200 for a known token, 401 missing/unknown, 403 disabled; token never echoed', async () => {
  const h = await start();
  try {
    const ok = await get(h, '/v1/whoami');
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json, { accountId: 'acct_a', accountName: 'Plant A', environment: 'sandbox' });
    assert.equal((await get(h, '/v1/whoami', TOKEN_B)).json.environment, 'uat');

    const missing = await fetch(`${h.url}/v1/whoami`);
    assert.equal(missing.status, 401);
    assert.ok(((await missing.json()) as { error?: string }).error);

    const unknown = await get(h, '/v1/whoami', 'tok_not_a_real_token');
    assert.equal(unknown.status, 401);
    assert.ok(!JSON.stringify(unknown.json).includes('tok_not_a_real_token'));

    const off = await get(h, '/v1/whoami', TOKEN_OFF);
    assert.equal(off.status, 403);
    assert.ok(!JSON.stringify(off.json).includes(TOKEN_OFF));
    assert.equal(off.res.headers.get('access-control-allow-origin'), null);
  } finally {
    await h.close();
  }
});

test('batch: created, updated, unchanged (duplicate) in input order, stable targetId', async () => {
  const logs: string[] = [];
  const h = await start({}, logs);
  try {
    const first = await batch(h, [ticket('t1', 'r1'), ticket('t2', 'r1')]);
    assert.equal(first.status, 200);
    assert.deepEqual(
      first.json.results.map((r: { ticketId: string; action: string }) => [r.ticketId, r.action]),
      [
        ['t1', 'created'],
        ['t2', 'created'],
      ],
    );
    const target1 = first.json.results[0].targetId;
    assert.match(target1, /^tkt_/);

    const second = await batch(h, [ticket('t2', 'r1'), ticket('t1', 'r2')]);
    assert.deepEqual(
      second.json.results.map((r: { ticketId: string; revision: string; action: string }) => [r.ticketId, r.revision, r.action]),
      [
        ['t2', 'r1', 'unchanged'],
        ['t1', 'r2', 'updated'],
      ],
    );
    assert.equal(second.json.results[1].targetId, target1);

    const s = h.stats();
    assert.equal(s.tickets, 2);
    assert.equal(s.created, 2);
    assert.equal(s.updated, 1);
    assert.equal(s.unchanged, 1);
    assert.equal(s.duplicates, 1);
    assert.equal(s.deliveries, 4);
    assert.equal(s.batches, 2);
    assert.equal(s.replays, 0);
    assert.equal(logs.filter((l) => l.startsWith('batch ')).length, 2);
    assert.ok(logs.every((l) => !l.includes(TOKEN)));

    // Accounts are separate: the same ticketId in another account is a new ticket.
    const other = await batch(h, [ticket('t1', 'r2')], { token: TOKEN_B });
    assert.equal(other.json.results[0].action, 'created');
    assert.notEqual(other.json.results[0].targetId, target1);
  } finally {
    await h.close();
  }
});

test('batch: never goes back to an older revision (by source.recordModifiedAt)', async () => {
  const h = await start();
  try {
    await batch(h, [ticket('t1', 'r2', '2026-11-03T08:20:00.000')]);
    const stale = await batch(h, [ticket('t1', 'r1', '2026-11-03T08:10:00.000')]);
    assert.equal(stale.json.results[0].action, 'unchanged');
    const stored = await get(h, '/v1/_sandbox/tickets/t1');
    assert.equal(stored.json.revision, 'r2');
    assert.equal(h.stats().staleRefused, 1);
    assert.equal(h.stats().duplicates, 0);

    const newer = await batch(h, [ticket('t1', 'r3', '2026-11-03T08:30:00.000')]);
    assert.equal(newer.json.results[0].action, 'updated');
    assert.equal((await get(h, '/v1/_sandbox/tickets/t1')).json.revision, 'r3');
  } finally {
    await h.close();
  }
});

test('idempotency: same key + same body replays without re-applying; different body → 422', async () => {
  const h = await start();
  try {
    const key = newKey();
    const body = JSON.stringify({ connector, tickets: [ticket('t1', 'r1')] });
    const a = await batch(h, [], { key, body });
    const b = await batch(h, [], { key, body });
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.deepEqual(b.json, a.json);
    assert.equal(b.json.results[0].action, 'created');
    const s = h.stats();
    assert.equal(s.replays, 1);
    assert.equal(s.duplicates, 0);
    assert.equal(s.deliveries, 1);
    assert.equal(s.batches, 1);

    const c = await batch(h, [ticket('t1', 'r9')], { key });
    assert.equal(c.status, 422);
    assert.equal((await get(h, '/v1/_sandbox/tickets/t1')).json.revision, 'r1');

    // The key is scoped to the account.
    const other = await batch(h, [], { key, body, token: TOKEN_B });
    assert.equal(other.json.results[0].action, 'created');
  } finally {
    await h.close();
  }
});

test('batch: 400 without Idempotency-Key, bad JSON or bad shape; 413 above maxBodyBytes', async () => {
  const h = await start({ maxBodyBytes: 4096 });
  try {
    const noKey = await batch(h, [ticket('t1', 'r1')], { key: '' });
    assert.equal(noKey.status, 400);
    assert.match(noKey.json.error, /Idempotency-Key/);
    const badJson = await batch(h, [], { body: '{"connector":' });
    assert.equal(badJson.status, 400);
    const badShape = await batch(h, [], { body: JSON.stringify({ tickets: 'nope' }) });
    assert.equal(badShape.status, 400);
    assert.match(badShape.json.error, /connector|tickets/);

    const big = Array.from({ length: 20 }, (_, i) => ticket(`t${i}`, 'r1'));
    const tooBig = await batch(h, big);
    assert.equal(tooBig.status, 413);
    assert.equal(h.stats().tickets, 0);
    // The connection is still usable afterwards.
    assert.equal((await batch(h, [ticket('t1', 'r1')])).status, 200);
  } finally {
    await h.close();
  }
});

test('batch: an invalid ticket is rejected with a reason naming the field; the others go through', async () => {
  const h = await start();
  try {
    const bad = ticket('t2', 'r1') as unknown as { lines: Array<{ quantity: { unit: string } }> };
    bad.lines[0].quantity.unit = 'BOGUS';
    const r = await batch(h, [ticket('t1', 'r1'), bad, 42, ticket('t3', 'r1')]);
    assert.equal(r.status, 200);
    const [a, b, c, d] = r.json.results;
    assert.equal(a.action, 'created');
    assert.equal(b.action, 'rejected');
    assert.equal(b.ticketId, 't2');
    assert.match(b.error, /lines\[0\]\.quantity\.unit/);
    assert.equal(c.action, 'rejected');
    assert.equal(d.action, 'created');
    assert.equal(h.stats().rejected, 2);
    assert.equal(h.stats().tickets, 2);
    assert.equal((await get(h, '/v1/_sandbox/tickets/t2')).status, 404);
  } finally {
    await h.close();
  }
});

test('faults: throttle → 429 + Retry-After, error → 503, drop → connection reset, nothing stored', async () => {
  const h = await start({ faults: { throttleRate: 1, retryAfter: '7' } });
  try {
    const t = await batch(h, [ticket('t1', 'r1')]);
    assert.equal(t.status, 429);
    assert.equal(t.res.headers.get('retry-after'), '7');

    h.setFaults({ errorRate: 1 });
    assert.equal((await batch(h, [ticket('t1', 'r1')])).status, 503);

    h.setFaults({ dropRate: 1 });
    await assert.rejects(batch(h, [ticket('t1', 'r1')]));

    assert.equal(h.stats().tickets, 0);
    // Faults never touch the other endpoints.
    assert.equal((await get(h, '/v1/whoami')).status, 200);

    h.setFaults({});
    assert.equal((await batch(h, [ticket('t1', 'r1')])).status, 200);
  } finally {
    await h.close();
  }
});

test('faults: timeout stores the batch but never answers; a retry with the same key replays', async () => {
  const h = await start({ faults: { timeoutRate: 1 } });
  try {
    const key = newKey();
    const body = JSON.stringify({ connector, tickets: [ticket('t1', 'r1')] });
    await assert.rejects(
      fetch(`${h.url}/v1/tickets:batch`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${TOKEN}`, 'Idempotency-Key': key },
        body,
        signal: AbortSignal.timeout(300),
      }),
    );
    await waitFor('the held batch to be stored', () => h.stats().created === 1, 5000, 10);
    h.setFaults({});
    const retry = await batch(h, [], { key, body });
    assert.equal(retry.status, 200);
    assert.equal(retry.json.results[0].action, 'created');
    assert.equal(h.stats().replays, 1);
  } finally {
    await h.close();
  }
});

test('faults: the same seed gives the same sequence of decisions', () => {
  const run = () => {
    const plan = new FaultPlan({ errorRate: 0.3, dropRate: 0.2, throttleRate: 0.2, seed: 42 });
    return Array.from({ length: 50 }, () => plan.decide().kind);
  };
  const a = run();
  assert.deepEqual(run(), a);
  assert.ok(new Set(a).size >= 3, 'a mix of faults');
});

test('persistence: tickets, stats, heartbeats and idempotency survive close + restart', async () => {
  const dir = tmp();
  const dbFile = join(dir, 'sandbox.db');
  try {
    const key = newKey();
    const body = JSON.stringify({ connector, tickets: [ticket('t1', 'r1'), ticket('t2', 'r1')] });
    let h = await start({ dbFile });
    assert.equal((await batch(h, [], { key, body })).status, 200);
    const hb = await fetch(`${h.url}/v1/heartbeats`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        connectorId: 'outpost-test',
        version: '0.1.0',
        profiles: [{ name: 'plant-12', state: 'idle', lagSeconds: 0, backlog: 0, lastSuccessAt: '2026-11-03T14:00:00Z' }],
      }),
    });
    assert.equal(hb.status, 204);
    await h.close();

    h = await start({ dbFile });
    try {
      const list = await get(h, '/v1/_sandbox/tickets');
      assert.equal(list.json.total, 2);
      const stats = (await get(h, '/v1/_sandbox/stats')).json;
      assert.equal(stats.created, 2);
      assert.equal(stats.heartbeats, 1);
      assert.equal((await get(h, '/v1/_sandbox/heartbeats')).json.heartbeats[0].connectorId, 'outpost-test');
      const replay = await batch(h, [], { key, body });
      assert.deepEqual(
        replay.json.results.map((r: { action: string }) => r.action),
        ['created', 'created'],
      );
      assert.equal(h.stats().replays, 1);
      assert.equal(h.stats().created, 2);
    } finally {
      await h.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('read endpoints: paging, one ticket, 404s, per-account stats, heartbeats, faults', async () => {
  const h = await start();
  try {
    await batch(h, [ticket('t1', 'r1'), ticket('t2', 'r1'), ticket('t3', 'r1')]);
    await batch(h, [ticket('t9', 'r1')], { token: TOKEN_B });

    const page = await get(h, '/v1/_sandbox/tickets?limit=2&offset=1');
    assert.equal(page.json.total, 3);
    assert.deepEqual(
      page.json.tickets.map((t: { ticketId: string }) => t.ticketId),
      ['t2', 't3'],
    );
    const one = page.json.tickets[0];
    assert.equal(one.action, 'created');
    assert.equal(one.ticket.ticketNumber, 'T2');
    assert.ok(one.receivedAt && one.targetId);
    assert.equal((await get(h, '/v1/_sandbox/tickets?limit=x')).status, 400);

    assert.equal((await get(h, '/v1/_sandbox/tickets/t1')).json.ticketId, 't1');
    assert.equal((await get(h, '/v1/_sandbox/tickets/t9')).status, 404, 'scoped to the account');
    assert.equal((await get(h, '/v1/_sandbox/tickets/nope')).status, 404);
    assert.equal((await get(h, '/v1/_sandbox/stats')).json.tickets, 3);
    assert.equal((await get(h, '/v1/_sandbox/stats', TOKEN_B)).json.tickets, 1);
    assert.equal(h.stats().tickets, 4);
    assert.deepEqual((await get(h, '/v1/_sandbox/heartbeats')).json, { heartbeats: [] });
    assert.equal((await get(h, '/v1/_sandbox/stats', 'nope-nope-nope')).status, 401);

    const badHb = await fetch(`${h.url}/v1/heartbeats`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ version: 1 }),
    });
    assert.equal(badHb.status, 400);

    const put = await fetch(`${h.url}/v1/_sandbox/faults`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ errorRate: 1 }),
    });
    assert.equal(put.status, 200);
    assert.equal((await batch(h, [ticket('t4', 'r1')])).status, 503);
    const badPut = await fetch(`${h.url}/v1/_sandbox/faults`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ errorRate: 2 }),
    });
    assert.equal(badPut.status, 400);

    const unknown = await get(h, '/v1/nothing-here');
    assert.equal(unknown.status, 404);
    assert.ok(unknown.json.error);
    assert.equal((await get(h, '/v1/tickets:batch')).status, 405);
  } finally {
    await h.close();
  }
});

test('startSandbox rejects when the port is in use', async () => {
  const h = await start();
  try {
    await assert.rejects(start({ port: h.port }), (e: NodeJS.ErrnoException) => e.code === 'EADDRINUSE');
  } finally {
    await h.close();
  }
});

test('accounts: env tokens give stable ids; a missing accounts.json is created 0600 and reused', () => {
  const a = accountsFromTokens(' tok_one_12345, tok_two_12345 ,');
  assert.equal(a.length, 2);
  assert.deepEqual(accountsFromTokens('tok_one_12345')[0].accountId, a[0].accountId);
  assert.equal(loadAccounts('/nonexistent-never-used', { OUTPOST_SANDBOX_TOKENS: 'tok_one_12345' }).accountsFile, null);

  const dir = tmp();
  try {
    const first = loadAccounts(join(dir, 'data'), {});
    assert.equal(first.created, true);
    assert.ok(first.accountsFile);
    if (process.platform !== 'win32') assert.equal(statSync(first.accountsFile).mode & 0o777, 0o600);
    const again = loadAccounts(join(dir, 'data'), {});
    assert.equal(again.created, false);
    assert.equal(again.accounts[0].token, first.accounts[0].token);
    assert.ok(readFileSync(first.accountsFile, 'utf8').includes(first.accounts[0].token));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
