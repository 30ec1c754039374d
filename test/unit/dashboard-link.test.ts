// The dashboard's stable address and its two roles: the link file kept per home folder (0600),
// signed sessions that survive a restart and end when the role's secret rotates, the reviewer link
// refused control and settings, quiet passes grouped on the runs page, the one time format, and a
// pause kept across daemon restarts with Sync now running one pass while paused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatusBoard, emptyProfileStatus } from '../../core/engine/status.js';
import { formatDateTime, formatEndTime, formatSpan, startOfPlantDay } from '../../core/format/time.js';
import { paperChecks, printedQuantity } from '../../core/review/checks.js';
import type { RunRow } from '../../core/state/store.js';
import { LocalGuard } from '../../dashboard/auth.js';
import { rawRequest as request } from '../helpers/raw-http.js';
import { ensureLink, ensureReviewer, fileSecrets, linkFile, readLink, rotateSecret, setPort } from '../../dashboard/link.js';
import { groupRuns } from '../../dashboard/routes/reports.js';
import { startDashboard } from '../../dashboard/server.js';
import { readPaused, setPaused } from '../../core/engine/paused.js';
import { findHome } from '../../core/demo/home.js';
import type { ETicket } from '../../core/mapping/eticket.js';

async function signIn(port: number, secret: string): Promise<{ cookie: string; csrf: string; role: string }> {
  const r = await request(port, { path: `/?secret=${encodeURIComponent(secret)}` });
  assert.equal(r.status, 303);
  const cookie = r.headers['set-cookie']![0].split(';')[0];
  const s = JSON.parse((await request(port, { path: '/api/session', headers: { cookie } })).body) as { csrf: string; role: string };
  return { cookie, csrf: s.csrf, role: s.role };
}

test('the link file: created once per home (0600), port and secrets kept, a rotation changes only its role', () => {
  const home = mkdtempSync(join(tmpdir(), 'outpost-link-'));
  const a = ensureLink(home);
  assert.equal(a.port, null);
  assert.ok(a.admin.length >= 32);
  assert.equal(a.reviewer, undefined);
  if (process.platform !== 'win32') assert.equal(statSync(linkFile(home)).mode & 0o777, 0o600);
  assert.deepEqual(ensureLink(home), a, 'kept, not made again');
  setPort(home, 41234);
  const r = ensureReviewer(home);
  assert.equal(r.port, 41234);
  assert.equal(r.admin, a.admin);
  assert.ok(r.reviewer && r.reviewer !== r.admin);
  const rotated = rotateSecret(home, 'admin');
  assert.notEqual(rotated.admin, a.admin);
  assert.equal(rotated.reviewer, r.reviewer, 'the reviewer link is untouched');
  assert.deepEqual(readLink(home), rotated);
});

test('sessions are signed: they survive a restart with the same link and end when the secret rotates', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'outpost-link-'));
  const link = ensureReviewer(home);
  const board = new StatusBoard({ id: 'c', version: '0', startedAt: new Date().toISOString(), pid: 1 }, [
    emptyProfileStatus('p1', { state: 'idle' }),
  ]);
  const calls: string[] = [];
  const actions = { syncNow: async (p: string) => void calls.push(`sync:${p}`) };
  let dash = await startDashboard({ feed: board, secrets: fileSecrets(home, link), actions });
  const port = dash.port;
  const admin = await signIn(port, link.admin);
  const reviewer = await signIn(port, link.reviewer!);
  assert.equal(admin.role, 'admin');
  assert.equal(reviewer.role, 'reviewer');
  assert.notEqual(admin.csrf, reviewer.csrf);

  // A restart on the same port with the same link: the same cookies still work.
  await dash.close();
  dash = await startDashboard({ feed: board, secrets: fileSecrets(home, link), actions, port });
  t.after(() => dash.close());
  assert.equal((await request(port, { path: '/api/status', headers: { cookie: admin.cookie } })).status, 200);
  const post = (who: { cookie: string; csrf: string }, path: string) =>
    request(port, {
      method: 'POST',
      path,
      headers: { cookie: who.cookie, origin: `http://127.0.0.1:${port}`, 'x-outpost-csrf': who.csrf },
    });
  assert.equal((await post(admin, '/api/profiles/p1/sync')).status, 202);
  assert.deepEqual(calls, ['sync:p1']);

  // The reviewer link: review and reports yes; control and settings no (403), even with its CSRF token.
  const refused = await post(reviewer, '/api/profiles/p1/sync');
  assert.equal(refused.status, 403);
  assert.match(JSON.parse(refused.body).error, /reviewer link/);
  assert.deepEqual(calls, ['sync:p1'], 'the action never ran');
  for (const a of ['pause', 'resume']) assert.equal((await post(reviewer, `/api/profiles/p1/${a}`)).status, 403);
  assert.equal((await request(port, { path: '/api/settings', headers: { cookie: reviewer.cookie } })).status, 403);
  assert.equal(
    (await request(port, { path: '/api/settings', headers: { cookie: admin.cookie } })).status,
    501,
    'admin passes the role check (no settings source here)',
  );
  // A reviewer cookie cannot be turned into an admin one by editing its role.
  const forged = reviewer.cookie.replace('=reviewer.', '=admin.');
  assert.equal((await request(port, { path: '/api/status', headers: { cookie: forged } })).status, 401);

  // Rotating the admin secret (what `outpost dashboard --new-link` does) ends admin sessions at once.
  rotateSecret(home, 'admin');
  assert.equal((await request(port, { path: '/api/status', headers: { cookie: admin.cookie } })).status, 401);
  assert.equal((await request(port, { path: `/?secret=${encodeURIComponent(link.admin)}` })).status, 401, 'the old link is refused');
  assert.equal(
    (await request(port, { path: '/api/review', headers: { cookie: reviewer.cookie } })).status,
    501,
    'the reviewer session is untouched',
  );
});

test('a guard without a reviewer secret accepts no reviewer session', () => {
  const g = new LocalGuard(1234, () => ({ admin: 'a'.repeat(40) }));
  assert.equal(g.roleForSecret('a'.repeat(40)), 'admin');
  assert.equal(g.roleForSecret(''), undefined);
  const s = g.createSession('admin');
  const cookie = g.setCookieHeader(s).split(';')[0];
  assert.equal(g.sessionFromCookies(cookie)?.role, 'admin');
  assert.equal(g.sessionFromCookies(cookie.replace('=admin.', '=reviewer.')), undefined);
});

const run = (id: number, patch: Partial<RunRow> = {}): RunRow => ({
  id,
  profile: 'p1',
  type: 'scheduled',
  status: 'complete',
  startedAt: `2026-12-01T14:${String(id).padStart(2, '0')}:00.000Z`,
  endedAt: `2026-12-01T14:${String(id).padStart(2, '0')}:01.000Z`,
  startedAtLocal: '',
  endedAtLocal: null,
  read: 1,
  filtered: 0,
  skipped: 0,
  created: 1,
  updated: 0,
  unchanged: 0,
  rejected: 0,
  errors: 0,
  written: 1,
  prunedRecords: 0,
  unlistedRecords: 0,
  errorText: null,
  ...patch,
});

test('runs: consecutive quiet scheduled passes become one group; anything with a problem stays its own row', () => {
  // Newest first, as the store returns them.
  const items = groupRuns([
    run(9),
    run(8),
    run(7, { filtered: 1 }),
    run(6),
    run(5),
    run(4),
    run(3, { type: 'manual' }),
    run(2, { profile: 'p2' }),
  ]);
  assert.deepEqual(
    items.map((i) => (i.kind === 'group' ? `group ${i.newestId}-${i.oldestId} x${i.count} created ${i.created}` : `run ${i.run.id}`)),
    ['group 9-8 x2 created 2', 'run 7', 'group 6-4 x3 created 3', 'run 3', 'run 2'],
  );
  const g = items[2];
  assert.ok(g.kind === 'group');
  assert.equal(g.startedAt, run(4).startedAt);
  assert.equal(g.endedAt, run(6).endedAt);
  assert.equal(formatSpan(g.startedAt, g.endedAt!, { timeZone: 'America/Chicago' }), 'Dec 1, 2026 08:04–08:06 CST');
});

test('one time format: plant-local date and time with the zone abbreviation', () => {
  const tz = { timeZone: 'America/Chicago' };
  assert.equal(formatDateTime('2026-12-01T14:03:39Z', tz), 'Dec 1, 2026 08:03:39 CST');
  assert.equal(formatDateTime('2026-07-01T14:03:39Z', tz), 'Jul 1, 2026 09:03:39 CDT');
  assert.equal(formatDateTime('2026-12-01T06:00:00Z', tz), 'Dec 1, 2026 00:00:00 CST', 'midnight is 00, never 24');
  assert.equal(formatDateTime(null, tz), '—');
  assert.equal(formatDateTime('not a time', tz), 'not a time');
  assert.equal(formatEndTime('2026-12-01T14:00:00Z', '2026-12-01T14:05:00Z', tz), '08:05:00 CST');
  assert.equal(formatEndTime('2026-12-01T14:00:00Z', '2026-12-02T14:05:00Z', tz), 'Dec 2, 2026 08:05:00 CST');
  assert.equal(startOfPlantDay('2026-12-01', 'America/Chicago'), '2026-12-01T06:00:00.000Z');
  assert.equal(startOfPlantDay('2026-07-01', 'America/Chicago'), '2026-07-01T05:00:00.000Z');
  assert.equal(startOfPlantDay('2026-12-01', 'UTC'), '2026-12-01T00:00:00.000Z');
});

test('review checks: the printed fields, time in the plant zone, quantities rounded as printed with their unit', () => {
  assert.equal(printedQuantity({ value: 24.2931, unit: 'STN' }), '24.29 ton');
  assert.equal(printedQuantity({ value: 48586.2, unit: 'LBR' }), '48,586 lb');
  assert.equal(printedQuantity({ value: 9.5, unit: 'YDQ' }), '9.5 yd³');
  const t = {
    ticketNumber: '1001',
    issuedAt: '2026-11-24T09:15:00-06:00',
    plantTimeZone: 'America/Chicago',
    status: 'issued',
    customer: { id: 'C-77', name: 'Smith Construction' },
    jobNumber: 'J-4410',
    truck: { id: 'T-204' },
    lines: [
      {
        productCode: 'SM-9.5',
        productDescription: 'Surface mix',
        quantity: { value: 24.2931, unit: 'STN' },
        netWeight: { value: 48586.2, unit: 'LBR' },
      },
    ],
  } as unknown as ETicket;
  const checks = paperChecks(t, [{ path: 'customer.name', value: 'Smith Construction', source: 'Customer', raw: '"Smith Construction"' }]);
  assert.deepEqual(
    checks.map((c) => [c.label, c.value, c.path]),
    [
      ['Ticket number', '1001', 'ticketNumber'],
      ['Date and time', 'Nov 24, 2026 09:15 CST', 'issuedAt'],
      ['Customer', 'Smith Construction (C-77)', 'customer'],
      ['Job', 'J-4410', 'jobNumber'],
      ['Truck', 'T-204', 'truck'],
      ['Product', 'SM-9.5 — Surface mix', 'lines.0.productCode'],
      ['Quantity', '24.29 ton', 'lines.0.quantity'],
      ['Net weight', '48,586 lb', 'lines.0.netWeight'],
    ],
  );
  assert.equal(checks[2].source, 'Customer');
});

test('pause is kept in run/paused.json; the demo home is found when the default one is empty', () => {
  const home = mkdtempSync(join(tmpdir(), 'outpost-paused-'));
  assert.deepEqual(readPaused(home), {});
  setPaused(home, 'p1', '2026-12-01T14:00:00.000Z');
  setPaused(home, 'p1', '2026-12-01T15:00:00.000Z');
  assert.deepEqual(readPaused(home), { p1: '2026-12-01T14:00:00.000Z' }, 'the first pause time is kept');
  setPaused(home, 'p1', null);
  assert.deepEqual(readPaused(home), {});

  assert.deepEqual(findHome(home), { home, demo: false });
  // Only the demo has a config: a plain `outpost status` looks there.
  const base = mkdtempSync(join(tmpdir(), 'outpost-base-'));
  const demo = join(base, 'demo');
  setPaused(demo, 'x', null); // makes <demo>/run
  writeConfig(join(demo, 'outpost.json'));
  assert.deepEqual(findHome(base), { home: demo, demo: true });
  writeConfig(join(base, 'outpost.json'));
  assert.deepEqual(findHome(base), { home: base, demo: false }, 'the default home wins once it has a config');
});

function writeConfig(file: string): void {
  writeFileSync(file, '{"profiles":[]}');
}
