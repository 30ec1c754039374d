// The clock checks `outpost doctor` and the setup's environment step share (core/doctor.ts): the
// skew verdict, the database clock read through the dialect, and the API's Date header.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiClockCheck, dbClockCheck, skewCheck } from '../../core/doctor.js';
import type { SourceAdapter } from '../../core/sources/types.js';

test('skewCheck: within 60 s a pass saying by how much, beyond a warn that says what to do', () => {
  assert.deepEqual(skewCheck('c', 61_000, 1_000, 'the API'), {
    name: 'c',
    status: 'pass',
    detail: 'the API clock is 60 s ahead of this machine',
  });
  const warn = skewCheck('c', 0, 90_000, 'the database');
  assert.equal(warn.status, 'warn');
  assert.match(warn.detail, /^the database clock is 90 s behind this machine; sync the clocks \(NTP\)\./);
});

function stubSource(value: unknown): SourceAdapter {
  return {
    dialect: { now: () => 'NOW()' },
    query: async (sql: string) => {
      assert.equal(sql, 'SELECT NOW() AS now');
      return [{ now: value }];
    },
  } as unknown as SourceAdapter;
}

test('dbClockCheck: the database time as text with or without a zone (zone-less is UTC), or a Date; unreadable text is a warn', async () => {
  const now = new Date();
  const iso = now.toISOString();
  for (const v of [iso, iso.replace('T', ' ').replace('Z', ''), iso.replace('Z', '+00:00'), now]) {
    const c = await dbClockCheck('database clock', stubSource(v));
    assert.equal(c.status, 'pass', String(v));
    assert.match(c.detail, /^the database clock is [01] s (ahead of|behind) this machine$/);
  }
  assert.deepEqual(await dbClockCheck('database clock', stubSource('soon')), {
    name: 'database clock',
    status: 'warn',
    detail: 'the database time "soon" could not be compared',
  });
  const failing = { dialect: { now: () => 'NOW()' }, query: async () => Promise.reject(new Error('gone')) } as unknown as SourceAdapter;
  await assert.rejects(dbClockCheck('database clock', failing), /gone/);
});

test("apiClockCheck: the API's Date header against this machine; no header is a warn", async (t) => {
  let date: string | null = new Date(Date.now() - 120_000).toUTCString();
  const server = createServer((req, res) => {
    assert.equal(req.url, '/v1/whoami');
    res.sendDate = false;
    res.writeHead(401, date ? { Date: date } : {});
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const behind = await apiClockCheck('API clock', url);
  assert.equal(behind.status, 'warn');
  assert.match(behind.detail, /^the API clock is 1(19|20|21) s behind this machine; sync the clocks/);
  date = null;
  assert.deepEqual(await apiClockCheck('API clock', url), {
    name: 'API clock',
    status: 'warn',
    detail: 'the API sends no Date header; clock skew unknown',
  });
});
