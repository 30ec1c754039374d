// The dashboard's security rules (DESIGN §5), checked over real HTTP and WebSocket connections
// with headers a browser would never let a page forge (Host) and ones an attacker's page would
// send (foreign Origin, no cookie).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { WebSocket } from 'ws';
import { StatusBoard, emptyProfileStatus } from '../../core/engine/status.js';
import { startDashboard, type DashboardHandle } from '../../dashboard/server.js';

const SECRET = `unit-${randomBytes(24).toString('base64url')}`;
/** Everything any response or message carried, checked for the secret at the end. */
const seen: string[] = [];

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(
  port: number,
  opts: { method?: string; path?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: opts.method ?? 'GET',
        path: opts.path ?? '/',
        headers: { host: `127.0.0.1:${port}`, ...opts.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          seen.push(body, JSON.stringify(res.headers));
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

type WsResult = { ok: true; first: { type: string; data: any }; ws: WebSocket } | { ok: false; status?: number };

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
    ws.once('message', (data) => {
      const text = String(data);
      seen.push(text);
      resolve({ ok: true, first: JSON.parse(text), ws });
    });
  });
}

/** Collects every message on an open socket; `until` waits for a matching one. */
function collect(ws: WebSocket) {
  const messages: Array<{ type: string; data: any }> = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data) => {
    const text = String(data);
    seen.push(text);
    messages.push(JSON.parse(text));
    for (const w of waiters.splice(0)) w();
  });
  return {
    messages,
    async until(pred: (m: { type: string; data: any }) => boolean, ms = 5000): Promise<void> {
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
    dash = await startDashboard({
      feed: board,
      secret: SECRET,
      webRoot,
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
    for (const p of ['/', '/app.js', '/style.css', '/api/status', '/api/session', '/nope', '/ws']) {
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
    const live = collect(r.ws);
    board.update('plant-12', { delivered: 4 });
    await live.until((m) => m.data.profiles[0].delivered === 4);

    // A burst of 200 updates: far fewer messages than updates, and the last one is the latest.
    const before = live.messages.length;
    for (let i = 1; i <= 200; i++) board.update('plant-12', { delivered: 1000 + i });
    await live.until((m) => m.data.profiles[0].delivered === 1200);
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
  });
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
