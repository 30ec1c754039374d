// The dashboard's security rules (docs/design.md §5), checked over real HTTP and WebSocket connections
// with headers a browser would never let a page forge (Host) and ones an attacker's page would
// send (foreign Origin, no cookie). Also the report, log and review routes: same cookie, strict
// parameters, the sign-off behind Origin + CSRF, and log lines over the status WebSocket.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { WebSocket } from 'ws';
import { StatusBoard, emptyProfileStatus } from '../../core/engine/status.js';
import { LogTap, registerSecret, type Level, type LogRecord } from '../../core/log.js';
import { StateStore } from '../../core/state/store.js';
import { startDashboard, type DashboardHandle } from '../../dashboard/server.js';
import { rawRequest, type RawReply } from '../helpers/raw-http.js';
import type { DashboardReview, ReviewSamplesRequest, ReviewSignOff } from '../../dashboard/review.js';

const SECRET = `unit-${randomBytes(24).toString('base64url')}`;
/** A database password the process knows (registered with the logger): it must be masked everywhere. */
const DB_SECRET = `dbpw-${randomBytes(12).toString('hex')}`;
/** Everything any response or message carried, checked for the secret at the end. */
const seen: string[] = [];

/** A raw request whose reply is kept in `seen`. */
async function request(port: number, opts: Parameters<typeof rawRequest>[1] = {}): Promise<RawReply> {
  const r = await rawRequest(port, opts);
  seen.push(r.body, JSON.stringify(r.headers));
  return r;
}

const json = (r: RawReply) => JSON.parse(r.body);

type WsMessage = { type: string; data?: any; records?: LogRecord[]; available?: boolean; dropped?: number };

/** A log record from a line "ISO level message" (how these tests write them). */
function rec(line: string): LogRecord {
  const m = /^(\S+)\s+(debug|info|warn|error)\s+(.*)$/s.exec(line)!;
  return { time: m[1], level: m[2] as Level, msg: m[3] };
}
/** The records of a log message, back as such lines. */
function linesOf(m: WsMessage): string[] | undefined {
  return m.records?.map((r) => `${r.time} ${r.level.padEnd(5)} ${r.msg}`);
}
type WsResult = { ok: true; first: WsMessage; ws: WebSocket; collected: ReturnType<typeof collect> } | { ok: false; status?: number };

function tryWebSocket(port: number, opts: { origin?: string; cookie?: string; host?: string }): Promise<WsResult> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = {};
    if (opts.cookie) headers.cookie = opts.cookie;
    if (opts.host) headers.host = opts.host;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { origin: opts.origin, headers });
    ws.on('error', () => resolve({ ok: false }));
    ws.on('unexpected-response', (req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        seen.push(Buffer.concat(chunks).toString('utf8'), JSON.stringify(res.headers));
        resolve({ ok: false, status: res.statusCode });
        req.destroy();
      });
    });
    // Collect from the start: the status and the recent log lines arrive back to back.
    const collected = collect(ws);
    ws.once('message', (data) => resolve({ ok: true, first: JSON.parse(String(data)), ws, collected }));
  });
}

/** Collects every message on an open socket; `until` waits for a matching one. */
function collect(ws: WebSocket) {
  const messages: WsMessage[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data) => {
    const text = String(data);
    seen.push(text);
    messages.push(JSON.parse(text));
    for (const w of waiters.splice(0)) w();
  });
  return {
    messages,
    async until(pred: (m: WsMessage) => boolean, ms = 5000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!messages.some(pred)) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error('timed out waiting for a WebSocket message');
        await new Promise<void>((r) => {
          const timer = setTimeout(r, left);
          waiters.push(() => {
            clearTimeout(timer);
            r();
          });
        });
      }
    },
  };
}

describe('dashboard security', () => {
  let board: StatusBoard;
  let dash: DashboardHandle;
  let port: number;
  let webRoot: string;
  let cookie: string; // "name=value" as a browser would send it back
  const calls: string[] = [];
  let store: StateStore;
  let runIds: { ok: number; failed: number };
  const tap = new LogTap(50);
  const sampleCalls: ReviewSamplesRequest[] = [];
  const signOffs: ReviewSignOff[] = [];
  const review: DashboardReview = {
    profiles: () => ['plant-12'],
    async samples(req) {
      sampleCalls.push(req);
      return { profile: req.profile, template: 'generic-scale-ticket', table: 'Tickets', samples: [], notFound: req.ticketNumbers ?? [] };
    },
    async record(input) {
      if (input.reviewer === 'refuse me') throw new Error(`Ticket 1001 is not among the samples; the password ${DB_SECRET} is wrong.`);
      signOffs.push(input);
      return {
        id: signOffs.length,
        profile: input.profile,
        reviewer: input.reviewer,
        reviewedAt: new Date().toISOString(),
        approved: 1,
        flagged: 0,
      };
    },
    async list() {
      return [];
    },
  };

  const origin = () => `http://127.0.0.1:${port}`;

  before(async () => {
    webRoot = await mkdtemp(path.join(os.tmpdir(), 'outpost-dash-'));
    await writeFile(path.join(webRoot, 'index.html'), '<!doctype html><title>Outpost</title><div id="root"></div>');
    await writeFile(path.join(webRoot, 'app.js'), 'console.log("app");');
    await writeFile(path.join(webRoot, 'style.css'), 'body{}');
    await writeFile(path.join(webRoot, 'secret-notes.txt'), 'not an asset');
    board = new StatusBoard({ id: 'conn-1', version: '0.1.0', startedAt: new Date().toISOString(), pid: 1 }, [
      emptyProfileStatus('plant-12', { state: 'idle', delivered: 3 }),
    ]);
    registerSecret(DB_SECRET);
    store = new StateStore(':memory:');
    const ok = store.startRun('plant-12', 'startup');
    store.commit({
      profile: 'plant-12',
      entries: [],
      runId: ok,
      counts: { read: 3, created: 2, filtered: 1 },
      records: [
        { ticketNumber: '1001', sourceId: 'plant-12:1', targetId: 'tk-1', processorAction: 'new', writerAction: 'created', error: null },
        { ticketNumber: '1002', sourceId: 'plant-12:2', targetId: 'tk-2', processorAction: 'new', writerAction: 'created', error: null },
        {
          ticketNumber: '1003',
          sourceId: 'plant-12:3',
          targetId: null,
          processorAction: 'invalid',
          writerAction: 'skipped',
          error: 'lines: at least one line',
        },
      ],
    });
    store.endRun(ok, 'complete');
    const failed = store.startRun('quarry-3', 'scheduled');
    // An error text quoting a secret (a careless driver message): the dashboard masks it again.
    store.endRun(failed, 'error', `login failed for user "outpost" with password "${DB_SECRET}"`);
    runIds = { ok, failed };
    tap.push(rec('2026-11-25T10:00:00.000Z info  before any page connected'));
    dash = await startDashboard({
      feed: board,
      secret: SECRET,
      webRoot,
      reports: { runs: (p, n) => store.runs(p, n), runRecords: (id) => store.runRecords(id), run: (id) => store.run(id) },
      logs: tap,
      review,
      actions: {
        async syncNow(p) {
          calls.push(`sync:${p}`);
        },
        async pause(p) {
          calls.push(`pause:${p}`);
        },
        // no resume: the server must answer 501, not crash
      },
    });
    port = dash.port;
  });

  after(async () => {
    await dash.close();
    store.close();
    await rm(webRoot, { recursive: true, force: true });
  });

  test('urls point at loopback and carry the secret only in launchUrl', () => {
    assert.equal(dash.url, `http://127.0.0.1:${port}/`);
    assert.equal(dash.launchUrl, `http://127.0.0.1:${port}/?secret=${encodeURIComponent(SECRET)}`);
  });

  test('listens on loopback only', async (t) => {
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (!external) {
      t.skip('no non-loopback IPv4 interface on this machine');
      return;
    }
    const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      const s = net.connect({ host: external.address, port }, () => {
        s.destroy();
        resolve(null);
      });
      s.on('error', resolve);
    });
    assert.equal(err?.code, 'ECONNREFUSED');
  });

  test('a wrong Host is refused with 403, even with the right secret', async () => {
    for (const host of ['evil.example', `evil.example:${port}`, '127.0.0.1', `127.0.0.1:${port + 1}`, `[::1]:${port}`]) {
      const r = await request(port, { path: `/?secret=${encodeURIComponent(SECRET)}`, headers: { host } });
      assert.equal(r.status, 403, host);
      assert.equal(r.headers['set-cookie'], undefined, host);
    }
  });

  test('no secret and no cookie: 401 for pages, API and assets', async () => {
    for (const p of [
      '/',
      '/app.js',
      '/style.css',
      '/api/status',
      '/api/session',
      '/nope',
      '/ws',
      '/api/runs',
      '/api/runs/1/records',
      '/api/review',
      '/api/review/samples?profile=plant-12',
    ]) {
      const r = await request(port, { path: p });
      assert.equal(r.status, 401, p);
      assert.match(r.body, /outpost dashboard/, p);
    }
    const r = await request(port, { path: '/', headers: { host: `localhost:${port}` } });
    assert.equal(r.status, 401, 'localhost:PORT is an allowed Host');
  });

  test('a wrong secret is 401 and sets no cookie', async () => {
    for (const s of ['wrong', SECRET.slice(0, -1), `${SECRET}x`, '']) {
      const r = await request(port, { path: `/?secret=${encodeURIComponent(s)}` });
      assert.equal(r.status, 401, s);
      assert.equal(r.headers['set-cookie'], undefined);
    }
  });

  test('the right secret gives an HttpOnly SameSite=Strict session cookie and a redirect to /', async () => {
    const r = await request(port, { path: `/?secret=${encodeURIComponent(SECRET)}` });
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, '/');
    const setCookie = r.headers['set-cookie'];
    assert.ok(setCookie && setCookie.length === 1, 'one Set-Cookie');
    const [pair, ...attrs] = setCookie[0].split(';').map((s) => s.trim());
    assert.ok(attrs.includes('HttpOnly'));
    assert.ok(attrs.includes('SameSite=Strict'));
    assert.ok(attrs.includes('Path=/'));
    assert.ok(!pair.includes(SECRET), 'the cookie is a session id, not the secret');
    cookie = pair;
  });

  test('with the cookie, the page, assets, session and status are served', async () => {
    const page = await request(port, { headers: { cookie } });
    assert.equal(page.status, 200);
    assert.match(page.headers['content-type'] ?? '', /text\/html/);
    assert.match(page.body, /<div id="root">/);

    const js = await request(port, { path: '/app.js', headers: { cookie } });
    assert.equal(js.status, 200);
    assert.match(js.headers['content-type'] ?? '', /javascript/);

    const status = await request(port, { path: '/api/status', headers: { cookie } });
    assert.equal(status.status, 200);
    assert.deepEqual(JSON.parse(status.body), board.snapshot());

    const session = await request(port, { path: '/api/session', headers: { cookie } });
    assert.equal(session.status, 200);
    assert.ok(JSON.parse(session.body).csrf.length >= 32);

    // Only the known assets: nothing else in webRoot, no path tricks.
    for (const p of ['/secret-notes.txt', '/index.html/..', '/app.js/', '/../package.json']) {
      const r = await request(port, { path: p, headers: { cookie } });
      assert.equal(r.status, 404, p);
    }
  });

  test('a made-up or foreign cookie is 401', async () => {
    const name = cookie.split('=')[0];
    for (const c of [`${name}=made-up`, `${name}=${SECRET}`, `outpost_session_1=${cookie.split('=')[1]}`]) {
      const r = await request(port, { path: '/api/status', headers: { cookie: c } });
      assert.equal(r.status, 401, c);
    }
  });

  test('WebSocket: foreign Origin, missing Origin, no cookie or wrong Host are refused with 403', async () => {
    const cases: Array<[string, { origin?: string; cookie?: string; host?: string }]> = [
      ['foreign origin', { origin: 'http://evil.example', cookie }],
      ['lookalike origin', { origin: `http://127.0.0.1:${port}.evil.example`, cookie }],
      ['other port', { origin: `http://127.0.0.1:${port + 1}`, cookie }],
      ['no origin', { cookie }],
      ['no cookie', { origin: origin() }],
      ['bad cookie', { origin: origin(), cookie: `${cookie.split('=')[0]}=nope` }],
      ['wrong host', { origin: origin(), cookie, host: `evil.example:${port}` }],
    ];
    for (const [label, opts] of cases) {
      const r = await tryWebSocket(port, opts);
      assert.equal(r.ok, false, label);
      if (!r.ok) assert.equal(r.status, 403, label);
    }
  });

  test('WebSocket with the right Origin and cookie gets the status, then live updates, throttled', async () => {
    for (const o of [origin(), `http://localhost:${port}`]) {
      const r = await tryWebSocket(port, { origin: o, cookie });
      assert.ok(r.ok, o);
      if (!r.ok) return;
      assert.equal(r.first.type, 'status');
      assert.deepEqual(r.first.data, board.snapshot());
      r.ws.close();
    }

    const r = await tryWebSocket(port, { origin: origin(), cookie });
    assert.ok(r.ok);
    if (!r.ok) return;
    const live = r.collected;
    board.update('plant-12', { delivered: 4 });
    await live.until((m) => m.type === 'status' && m.data.profiles[0].delivered === 4);

    // A burst of 200 updates: far fewer messages than updates, and the last one is the latest.
    const before = live.messages.length;
    for (let i = 1; i <= 200; i++) board.update('plant-12', { delivered: 1000 + i });
    await live.until((m) => m.type === 'status' && m.data.profiles[0].delivered === 1200);
    assert.ok(live.messages.length - before <= 5, `sent ${live.messages.length - before} messages for 200 updates`);
    r.ws.close();
  });

  test('mutations: POST only, with exact Origin, cookie and CSRF token', async () => {
    const session = await request(port, { path: '/api/session', headers: { cookie } });
    const csrf = JSON.parse(session.body).csrf as string;
    const post = (p: string, headers: Record<string, string>) => request(port, { method: 'POST', path: p, headers });

    let r = await post('/api/profiles/plant-12/sync', { cookie, origin: origin() });
    assert.equal(r.status, 403, 'no CSRF header');
    r = await post('/api/profiles/plant-12/sync', { cookie, origin: origin(), 'x-outpost-csrf': 'forged' });
    assert.equal(r.status, 403, 'wrong CSRF token');
    r = await post('/api/profiles/plant-12/sync', { cookie, origin: 'http://evil.example', 'x-outpost-csrf': csrf });
    assert.equal(r.status, 403, 'foreign Origin');
    r = await post('/api/profiles/plant-12/sync', { cookie, 'x-outpost-csrf': csrf });
    assert.equal(r.status, 403, 'no Origin');
    r = await post('/api/profiles/plant-12/sync', { origin: origin(), 'x-outpost-csrf': csrf });
    assert.equal(r.status, 401, 'no cookie');
    r = await post('/api/profiles/plant-12/sync', {
      cookie,
      origin: origin(),
      'x-outpost-csrf': csrf,
      host: `evil.example:${port}`,
    });
    assert.equal(r.status, 403, 'wrong Host');
    assert.deepEqual(calls, [], 'no refused request reached the engine');

    const good = { cookie, origin: origin(), 'x-outpost-csrf': csrf };
    r = await post('/api/profiles/plant-12/sync', good);
    assert.equal(r.status, 202);
    r = await post('/api/profiles/plant-12/pause', { ...good, origin: `http://localhost:${port}` });
    assert.equal(r.status, 202);
    assert.deepEqual(calls, ['sync:plant-12', 'pause:plant-12']);

    r = await post('/api/profiles/plant-12/resume', good);
    assert.equal(r.status, 501, 'action not provided');
    r = await post('/api/profiles/nope/sync', good);
    assert.equal(r.status, 404, 'unknown profile');
    r = await post('/api/profiles/plant-12/delete', good);
    assert.equal(r.status, 404, 'unknown action');

    for (const a of ['sync', 'pause', 'resume']) {
      r = await request(port, { path: `/api/profiles/plant-12/${a}`, headers: good });
      assert.ok(r.status === 404 || r.status === 405, `GET ${a} -> ${r.status}`);
    }
    assert.deepEqual(calls, ['sync:plant-12', 'pause:plant-12']);
  });

  test('runs: cookie required, newest first, filtered by profile, bounded limit', async () => {
    assert.equal((await request(port, { path: '/api/runs' })).status, 401);
    let r = await request(port, { path: '/api/runs', headers: { cookie } });
    assert.equal(r.status, 200);
    const all = json(r).runs as Array<{ id: number; profile: string; status: string; errorText: string | null; startedAtLocal: string }>;
    assert.deepEqual(
      all.map((x) => x.id),
      [runIds.failed, runIds.ok],
      'newest first',
    );
    assert.match(all[1].startedAtLocal, /[+-]\d\d:\d\d$/, 'local time with its offset');

    r = await request(port, { path: '/api/runs?profile=plant-12&limit=1', headers: { cookie } });
    assert.equal(r.status, 200);
    assert.deepEqual(
      json(r).runs.map((x: { id: number }) => x.id),
      [runIds.ok],
    );
    r = await request(port, { path: `/api/runs?profile=${encodeURIComponent('no such')}`, headers: { cookie } });
    assert.deepEqual(json(r).runs, []);

    for (const q of [
      'limit=0',
      'limit=501',
      'limit=abc',
      'limit=1e2',
      'limit=-1',
      'limit=01',
      'limit=2.5',
      'limit=1&limit=2',
      'profile=a&profile=b',
      'profile=%00x',
      `profile=${'p'.repeat(101)}`,
    ]) {
      r = await request(port, { path: `/api/runs?${q}`, headers: { cookie } });
      assert.equal(r.status, 400, q);
      assert.equal(typeof json(r).error, 'string', q);
    }
    r = await request(port, { method: 'POST', path: '/api/runs', headers: { cookie, origin: origin() } });
    assert.equal(r.status, 404, 'reports are read-only');
  });

  test('run records: cookie required, integer id, 404 for an unknown run, problems filter and limit', async () => {
    const path = `/api/runs/${runIds.ok}/records`;
    assert.equal((await request(port, { path })).status, 401);
    let r = await request(port, { path, headers: { cookie } });
    assert.equal(r.status, 200);
    let body = json(r);
    assert.equal(body.run.id, runIds.ok);
    assert.equal(body.total, 3);
    assert.equal(body.truncated, false);
    assert.deepEqual(
      body.records.map((x: { ticketNumber: string }) => x.ticketNumber),
      ['1001', '1002', '1003'],
    );

    r = await request(port, { path: `${path}?problems=1`, headers: { cookie } });
    body = json(r);
    assert.deepEqual(
      body.records.map((x: { processorAction: string }) => x.processorAction),
      ['invalid'],
    );
    r = await request(port, { path: `${path}?limit=2`, headers: { cookie } });
    body = json(r);
    assert.equal(body.records.length, 2);
    assert.equal(body.total, 3);
    assert.equal(body.truncated, true);

    r = await request(port, { path: `/api/runs/${runIds.failed}/records`, headers: { cookie } });
    assert.equal(r.status, 200);
    assert.deepEqual(json(r).records, []);

    for (const id of ['999999', '123456789012345']) {
      r = await request(port, { path: `/api/runs/${id}/records`, headers: { cookie } });
      assert.equal(r.status, 404, id);
      assert.match(json(r).error, /no run/);
    }
    for (const id of ['0', '-1', 'abc', '1.5', '01', '1e3', '99999999999999999999', '%201']) {
      r = await request(port, { path: `/api/runs/${id}/records`, headers: { cookie } });
      assert.equal(r.status, 400, id);
    }
    for (const q of ['problems=2', 'problems=yes', 'limit=0', 'limit=10001']) {
      r = await request(port, { path: `${path}?${q}`, headers: { cookie } });
      assert.equal(r.status, 400, q);
    }
  });

  test('error texts from the state database are masked again on the way out', async () => {
    const r = await request(port, { path: '/api/runs?profile=quarry-3', headers: { cookie } });
    const [run] = json(r).runs;
    assert.equal(run.status, 'error');
    assert.ok(!r.body.includes(DB_SECRET), 'the known secret is masked');
    assert.match(run.errorText, /login failed for user "outpost" with password "••••"/);
  });

  test('logs: the recent lines follow the status on connect, then new lines arrive live, coalesced', async () => {
    const r = await tryWebSocket(port, { origin: origin(), cookie });
    assert.ok(r.ok);
    if (!r.ok) return;
    const live = r.collected;
    assert.equal(r.first.type, 'status', 'the status comes first, as before');
    await live.until((m) => m.type === 'log');
    const first = live.messages.find((m) => m.type === 'log')!;
    assert.ok(
      linesOf(first)!.some((l) => l.includes('before any page connected')),
      'recent lines on connect',
    );

    tap.push(rec(`2026-11-25T10:00:01.000Z warn  [plant-12] one live line`));
    await live.until((m) => m.type === 'log' && !!linesOf(m)?.some((l) => l.includes('one live line')));

    // A burst of 300 lines: every line arrives once and in order, in far fewer messages.
    const before = live.messages.filter((m) => m.type === 'log').length;
    for (let i = 1; i <= 300; i++) tap.push(rec(`2026-11-25T10:00:02.000Z info  burst ${i}`));
    await live.until((m) => m.type === 'log' && !!linesOf(m)?.includes('2026-11-25T10:00:02.000Z info  burst 300'));
    const logMessages = live.messages.filter((m) => m.type === 'log').slice(before);
    const burst = logMessages.flatMap((m) => linesOf(m)!).filter((l) => l.includes('burst'));
    assert.deepEqual(
      burst,
      Array.from({ length: 300 }, (_, i) => `2026-11-25T10:00:02.000Z info  burst ${i + 1}`),
    );
    assert.ok(logMessages.length <= 5, `${logMessages.length} messages for 300 lines`);

    // A secret the process knows, if a line ever carried it, is masked here too.
    tap.push(rec(`2026-11-25T10:00:03.000Z error connect failed: password=${DB_SECRET}`));
    await live.until((m) => m.type === 'log' && !!linesOf(m)?.some((l) => l.includes('connect failed')));
    r.ws.close();
  });

  test('logs: a page connecting while lines are pending gets each line once', async () => {
    const a = await tryWebSocket(port, { origin: origin(), cookie });
    assert.ok(a.ok);
    if (!a.ok) return;
    await a.collected.until((m) => m.type === 'log');
    // These are pending (not yet flushed to A) when B connects: B has them in its recent lines.
    const tag = `pending-${Date.now()}`;
    for (let i = 1; i <= 3; i++) tap.push(rec(`2026-11-25T10:00:04.000Z info  ${tag} ${i}`));
    const b = await tryWebSocket(port, { origin: origin(), cookie });
    assert.ok(b.ok);
    if (!b.ok) return;
    tap.push(rec(`2026-11-25T10:00:05.000Z info  ${tag} after`));
    for (const c of [a, b]) await c.collected.until((m) => m.type === 'log' && !!linesOf(m)?.some((l) => l.endsWith(`${tag} after`)));
    for (const [name, c] of [
      ['A', a],
      ['B', b],
    ] as const) {
      const got = c.collected.messages.flatMap((m) => (m.type === 'log' ? linesOf(m)! : [])).filter((l) => l.includes(tag));
      assert.deepEqual(
        got.map((l) => l.split(`${tag} `)[1]),
        ['1', '2', '3', 'after'],
        name,
      );
    }
    a.ws.close();
    b.ws.close();
  });

  test('WebSocket with logs configured still refuses a foreign Origin or a missing cookie', async () => {
    for (const opts of [{ origin: 'http://evil.example', cookie }, { origin: origin() }, { cookie }]) {
      const r = await tryWebSocket(port, opts);
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.status, 403);
    }
  });

  test('review samples: cookie required, strict parameters, unknown profile 404', async () => {
    assert.equal((await request(port, { path: '/api/review/samples?profile=plant-12' })).status, 401);
    let r = await request(port, { path: '/api/review', headers: { cookie } });
    assert.equal(r.status, 200);
    assert.deepEqual(json(r), { profiles: ['plant-12'], reviews: [] });

    r = await request(port, { path: '/api/review/samples?profile=plant-12&latest=3', headers: { cookie } });
    assert.equal(r.status, 200);
    r = await request(port, { path: '/api/review/samples?profile=plant-12&numbers=1001,%201002%20,1001', headers: { cookie } });
    assert.equal(r.status, 200);
    assert.deepEqual(sampleCalls, [
      { profile: 'plant-12', latest: 3 },
      { profile: 'plant-12', ticketNumbers: ['1001', '1002'] },
    ]);
    r = await request(port, { path: '/api/review/samples?profile=nope', headers: { cookie } });
    assert.equal(r.status, 404);
    const many = Array.from({ length: 51 }, (_, i) => String(i)).join(',');
    for (const q of [
      '',
      'profile=plant-12&latest=0',
      'profile=plant-12&latest=51',
      'profile=plant-12&latest=x',
      `profile=plant-12&numbers=${many}`,
      'profile=plant-12&numbers=10%0701',
    ]) {
      r = await request(port, { path: `/api/review/samples?${q}`, headers: { cookie } });
      assert.equal(r.status, 400, q);
    }
    assert.equal(sampleCalls.length, 2, 'refused requests never reached the review source');
  });

  test('review sign-off: POST only, exact Origin, CSRF token, JSON, checked body', async () => {
    const csrf = json(await request(port, { path: '/api/session', headers: { cookie } })).csrf as string;
    const good = {
      profile: 'plant-12',
      reviewer: 'Dana at the scale house',
      tickets: [{ ticketId: 'plant-12:1', revision: 'r1', verdict: 'approved', flags: [] }],
    };
    const post = (headers: Record<string, string>, body: string = JSON.stringify(good)) =>
      request(port, { method: 'POST', path: '/api/review', headers: { 'content-type': 'application/json', ...headers }, body });

    assert.equal((await post({ cookie, origin: origin() })).status, 403, 'no CSRF header');
    assert.equal((await post({ cookie, origin: origin(), 'x-outpost-csrf': 'forged' })).status, 403, 'wrong CSRF');
    assert.equal((await post({ cookie, origin: 'http://evil.example', 'x-outpost-csrf': csrf })).status, 403, 'foreign Origin');
    assert.equal((await post({ cookie, 'x-outpost-csrf': csrf })).status, 403, 'no Origin');
    assert.equal((await post({ origin: origin(), 'x-outpost-csrf': csrf })).status, 401, 'no cookie');
    const ok = { cookie, origin: origin(), 'x-outpost-csrf': csrf };
    assert.equal((await post({ ...ok, 'content-type': 'text/plain' })).status, 415, 'a form post cannot sign off');
    assert.equal((await post(ok, '{not json')).status, 400, 'bad JSON');
    assert.equal((await post(ok, JSON.stringify({ ...good, reviewer: 'x'.repeat(600_000) }))).status, 413, 'too large');
    for (const [label, body] of [
      ['no reviewer', { ...good, reviewer: '  ' }],
      ['no tickets', { ...good, tickets: [] }],
      ['bad verdict', { ...good, tickets: [{ ...good.tickets[0], verdict: 'maybe' }] }],
      ['extra key', { ...good, admin: true }],
      ['control characters', { ...good, reviewer: 'a\u0007b' }],
      ['not an object', [good]],
    ] as const) {
      const r = await post(ok, JSON.stringify(body));
      assert.equal(r.status, 400, label);
      assert.equal(typeof json(r).error, 'string', label);
    }
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const r = await request(port, {
        method,
        path: '/api/review',
        headers: { ...ok, 'content-type': 'application/json' },
        body: method === 'GET' ? undefined : JSON.stringify(good),
      });
      assert.ok(method === 'GET' ? r.status === 200 : r.status === 405, `${method} -> ${r.status}`);
    }
    assert.deepEqual(signOffs, [], 'no refused request reached the review source');

    let r = await post(ok);
    assert.equal(r.status, 201);
    assert.equal(json(r).reviewer, 'Dana at the scale house');
    assert.deepEqual(signOffs, [good]);
    // The source's refusal is one plain sentence, passed on (and masked).
    r = await post(ok, JSON.stringify({ ...good, reviewer: 'refuse me' }));
    assert.equal(r.status, 400);
    assert.match(json(r).error, /not among the samples/);
    assert.ok(!r.body.includes(DB_SECRET));
  });

  test('every response carries the CSP and hardening headers, and never CORS headers', async () => {
    const csp =
      `default-src 'self'; connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; ` +
      "img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; " +
      "base-uri 'none'; form-action 'self'";
    const replies = [
      await request(port, { headers: { cookie, origin: 'http://evil.example' } }), // 200
      await request(port, { path: '/api/status', headers: { origin: 'http://evil.example' } }), // 401
      await request(port, { headers: { host: 'evil.example' } }), // 403
      await request(port, { path: '/nope', headers: { cookie } }), // 404
      await request(port, { path: `/?secret=${encodeURIComponent(SECRET)}` }), // 303
      await request(port, { method: 'OPTIONS', path: '/api/status', headers: { cookie, origin: 'http://evil.example' } }),
    ];
    for (const r of replies) {
      assert.equal(r.headers['content-security-policy'], csp, `status ${r.status}`);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.equal(r.headers['referrer-policy'], 'no-referrer');
      assert.equal(r.headers['cache-control'], 'no-store');
      assert.equal(r.headers['x-powered-by'], undefined);
      for (const h of Object.keys(r.headers)) assert.ok(!h.startsWith('access-control-'), `${h} on ${r.status}`);
    }
  });

  test('each launch gets its own random secret and cookie name', async () => {
    const other = await startDashboard({ feed: board, webRoot });
    try {
      const secret = new URL(other.launchUrl).searchParams.get('secret') ?? '';
      assert.match(secret, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
      const r = await request(other.port, { path: `/?secret=${secret}` });
      assert.equal(r.status, 303);
      assert.notEqual(r.headers['set-cookie']?.[0].split('=')[0], cookie.split('=')[0]);
      // The first dashboard's cookie is worth nothing here.
      const cross = await request(other.port, { path: '/api/status', headers: { cookie } });
      assert.equal(cross.status, 401);
    } finally {
      await other.close();
    }
  });

  test('the secret never appears in any response body, header or message', () => {
    assert.ok(seen.length > 50, 'the other tests ran first');
    for (const text of seen) assert.ok(!text.includes(SECRET), `secret leaked in: ${text.slice(0, 200)}`);
    for (const text of seen) assert.ok(!text.includes(DB_SECRET), `database password leaked in: ${text.slice(0, 200)}`);
  });
});

test('without reports, logs or review the routes answer 501 and the socket says there is no log', async () => {
  const board = new StatusBoard({ id: 'c', version: '0', startedAt: new Date().toISOString(), pid: 1 });
  const dash = await startDashboard({ feed: board, secret: 'bare-secret' });
  try {
    const r = await request(dash.port, { path: '/?secret=bare-secret' });
    const cookie = (r.headers['set-cookie']?.[0] ?? '').split(';')[0];
    for (const p of ['/api/runs', '/api/runs/1/records', '/api/review', '/api/review/samples?profile=x']) {
      const res = await request(dash.port, { path: p, headers: { cookie } });
      assert.equal(res.status, 501, p);
      assert.match(json(res).error, /not available/, p);
    }
    const ws = await tryWebSocket(dash.port, { origin: `http://127.0.0.1:${dash.port}`, cookie });
    assert.ok(ws.ok);
    if (!ws.ok) return;
    await ws.collected.until((m) => m.type === 'log');
    assert.deepEqual(
      ws.collected.messages.find((m) => m.type === 'log'),
      { type: 'log', records: [], available: false },
    );
    ws.ws.close();
  } finally {
    await dash.close();
  }
});

test('close() frees the port and ends open sockets', async () => {
  const board = new StatusBoard({ id: 'c', version: '0', startedAt: new Date().toISOString(), pid: 1 });
  const dash = await startDashboard({ feed: board, secret: 'close-test-secret' });
  const r = await request(dash.port, { path: '/?secret=close-test-secret' });
  const cookie = (r.headers['set-cookie']?.[0] ?? '').split(';')[0];
  const ws = await tryWebSocket(dash.port, { origin: `http://127.0.0.1:${dash.port}`, cookie });
  assert.ok(ws.ok);
  const closed = ws.ok ? new Promise((resolve) => ws.ws.once('close', resolve)) : Promise.resolve();
  await dash.close();
  await closed;
  const again = await startDashboard({ feed: board, port: dash.port });
  await again.close();
});
