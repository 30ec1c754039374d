// What a plant's IT does to a connector, each as real processes (`outpost start/stop/status/run`):
// run --once with no API, stop during a stalled request and during a long Retry-After wait, a stale
// lock whose pid belongs to a live unrelated process, a full disk (a real tmpfs), a 200 MB answer.
// Each checks the state text and that nothing was committed that the API did not acknowledge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoPlant, insertTicket, makeTicket, nextTicketNo, openPlant, prng } from '../../core/demo/plant.js';
import { StateStore } from '../../core/state/store.js';
import { closedPort } from '../helpers/databases.js';
import { runCli } from '../helpers/cli.js';
import { skipOrFail } from '../helpers/skip.js';
import { waitFor } from '../helpers/wait.js';
import { testSandbox } from '../helpers/sandbox.js';
import { demoTableProfile } from '../helpers/profiles.js';

const TOKEN = 'life-token-3c9a7f21e5';

interface Site {
  home: string;
  plantFile: string;
  env: NodeJS.ProcessEnv;
}

function site(apiUrl: string, opts: { home?: string; perDay?: number } = {}): Site {
  const home = opts.home ?? mkdtempSync(join(tmpdir(), 'outpost-life-'));
  const plantFile = join(mkdtempSync(join(tmpdir(), 'outpost-life-plant-')), 'plant.db');
  createDemoPlant(plantFile, { days: 1, perDay: opts.perDay ?? 20, seed: 5 });
  const config = {
    version: 1,
    profiles: [
      demoTableProfile({
        name: 'p1',
        api: { url: apiUrl, token: 'env:LIFE_TOKEN' },
        source: { driver: 'sqlite', file: plantFile },
        batchSize: 25,
      }),
    ],
  };
  writeFileSync(join(home, 'outpost.json'), JSON.stringify(config, null, 2), { mode: 0o600 });
  return { home, plantFile, env: { OUTPOST_HOME: home, LIFE_TOKEN: TOKEN } };
}

/** What the state database holds for the profile (opened after the daemon stopped, or beside it). */
function committed(home: string): { delivered: number; watermark: unknown; ledger: number } {
  const store = new StateStore(join(home, 'state.db'));
  try {
    const ledger = (
      store.db.prepare(`SELECT COUNT(*) AS n FROM ledger WHERE profile = 'p1' AND action IN ('created', 'updated', 'unchanged')`).get() as {
        n: number;
      }
    ).n;
    return { delivered: store.stats('p1').delivered, watermark: store.getWatermark('p1'), ledger };
  } finally {
    store.close();
  }
}

async function statusJson(
  env: NodeJS.ProcessEnv,
): Promise<{ running: boolean; pid: number | null; profiles: Array<{ name: string; state: string; reason: string | null }> }> {
  const r = await runCli(['status', '--json'], env);
  return JSON.parse(r.output.slice(r.output.indexOf('{')));
}

/** `outpost status --json` once profile p1 is in `state` (polled every 250 ms for up to a minute). */
function inState(env: NodeJS.ProcessEnv, state: string): ReturnType<typeof statusJson> {
  return waitFor(
    `the state "${state}"`,
    async () => {
      const st = await statusJson(env);
      return st.profiles[0]?.state === state ? st : null;
    },
    60_000,
    250,
  );
}

function daemonPid(home: string): number {
  return (JSON.parse(readFileSync(join(home, 'run', 'daemon.json'), 'utf8')) as { pid: number }).pid;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function server(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const s = http.createServer(handler);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(s.address() as { port: number }).port}`,
    close: () =>
      new Promise<void>((r) => {
        s.closeAllConnections();
        s.close(() => r());
      }),
  };
}

async function stopDaemon(env: NodeJS.ProcessEnv): Promise<void> {
  await runCli(['stop'], env);
}

test('run --once with no API gives up after its bound with exit 1 and the reason; nothing is committed', async () => {
  const port = await closedPort();
  const s = site(`http://127.0.0.1:${port}`);
  const started = Date.now();
  const r = await runCli(['run', '--once', '--timeout', '3s', '--no-dashboard'], s.env);
  const took = Date.now() - started;
  assert.equal(r.code, 1, r.output);
  assert.match(
    r.output,
    /p1: failed — gave up after 3 s without progress: Nothing answers at http:\/\/127\.0\.0\.1:\d+ \(connection refused\)/,
  );
  assert.ok(took < 30_000, `it gave up in ${took} ms`);
  const c = committed(s.home);
  assert.deepEqual([c.delivered, c.ledger, c.watermark], [0, 0, null]);
});

test('stop during a stalled request waits for it up to the stop bound, then ends it; stop during a Retry-After wait is immediate', async (t) => {
  let stalled = 0;
  let mode: 'stall' | 'retry-after' = 'stall';
  let throttled = 0;
  const api = await server((req, res) => {
    if (req.url !== '/v1/tickets:batch') return void res.writeHead(204).end();
    req.resume();
    if (mode === 'stall') {
      stalled++;
      return; // never answers
    }
    throttled++;
    res.writeHead(503, { 'Retry-After': '600' }).end('{"error":"busy"}');
  });
  t.after(() => api.close());
  const s = site(api.url);
  const env = { ...s.env, OUTPOST_STOP_GRACE_MS: '2000', OUTPOST_HTTP_TIMEOUT_MS: '300000' };
  t.after(() => stopDaemon(env));

  const start = await runCli(['start'], env);
  assert.equal(start.code, 0, start.output);
  const pid = daemonPid(s.home);
  await waitFor('a batch request in flight', () => stalled > 0, 30_000);
  const st = await statusJson(env);
  assert.equal(st.profiles[0].state, 'delivering');
  let t0 = Date.now();
  const stop = await runCli(['stop'], env);
  const took = Date.now() - t0;
  assert.equal(stop.code, 0, stop.output);
  assert.match(stop.output, /Daemon stopped/);
  assert.ok(took >= 1500, `stop waited for the batch in flight (${took} ms)`);
  assert.ok(took < 12_000, `stop took ${took} ms for a 2 s grace`);
  assert.equal(alive(pid), false);
  const log = readFileSync(join(s.home, 'logs', 'outpost.log'), 'utf8');
  assert.match(log, /the batch in flight did not finish within 2 s of the stop/);
  let c = committed(s.home);
  assert.deepEqual([c.delivered, c.ledger, c.watermark], [0, 0, null], 'an unanswered batch is not committed');
  assert.equal((await runCli(['status'], env)).code, 3);

  // A 503 with Retry-After: 600 parks the batch for ten minutes; stop does not wait for that.
  mode = 'retry-after';
  assert.equal((await runCli(['start'], env)).code, 0);
  await waitFor(
    'the daemon waiting out a Retry-After',
    async () => throttled > 0 && (await statusJson(env)).profiles[0]?.state === 'offline',
    30_000,
  );
  const offline = await statusJson(env);
  assert.match(offline.profiles[0].reason ?? '', /503.*Next try in 600 s/);
  t0 = Date.now();
  const stop2 = await runCli(['stop'], env);
  assert.equal(stop2.code, 0, stop2.output);
  assert.ok(Date.now() - t0 < 5_000, `stop during a wait took ${Date.now() - t0} ms`);
  c = committed(s.home);
  assert.deepEqual([c.delivered, c.ledger, c.watermark], [0, 0, null]);
});

test('a stale lock whose pid now belongs to a live unrelated process does not block start; stop stops the daemon, not that process', async (t) => {
  const sandbox = await testSandbox(t, { token: TOKEN });
  const s = site(sandbox.url);
  t.after(() => stopDaemon(s.env));
  const other = spawn('sleep', ['300'], { stdio: 'ignore' });
  t.after(() => other.kill('SIGKILL'));
  const pid = other.pid!;
  // What a power cut leaves behind, with the pid reused after the reboot: files older than that process.
  mkdirSync(join(s.home, 'run'), { recursive: true });
  const lock = join(s.home, 'run', 'daemon.lock');
  const info = join(s.home, 'run', 'daemon.json');
  writeFileSync(lock, String(pid));
  writeFileSync(
    info,
    JSON.stringify({
      pid,
      startedAt: new Date(Date.now() - 3_600_000).toISOString(),
      version: '0.1.0',
      configFile: join(s.home, 'outpost.json'),
      dashboardUrl: null,
      profiles: ['p1'],
    }),
  );
  const hourAgo = new Date(Date.now() - 3_600_000);
  for (const f of [lock, info]) utimesSync(f, hourAgo, hourAgo);

  const before = await runCli(['status'], s.env);
  assert.equal(before.code, 3, before.output);
  assert.match(before.output, /daemon not running/);
  const start = await runCli(['start'], s.env);
  assert.equal(start.code, 0, start.output);
  const daemon = daemonPid(s.home);
  assert.notEqual(daemon, pid);
  await waitFor('tickets delivered', () => sandbox.stats().tickets > 0, 30_000);
  const stop = await runCli(['stop'], s.env);
  assert.equal(stop.code, 0, stop.output);
  assert.equal(alive(daemon), false, 'the daemon stopped');
  assert.equal(alive(pid), true, 'the unrelated process was left alone');

  // The same with this release's lock format: the pid is live but its start time differs.
  writeFileSync(lock, JSON.stringify({ pid, start: 'linux:1' }));
  const again = await runCli(['start'], s.env);
  assert.equal(again.code, 0, again.output);
  assert.equal((await runCli(['stop'], s.env)).code, 0);
  assert.equal(alive(pid), true);
  assert.equal(committed(s.home).delivered, sandbox.stats().tickets, 'every acknowledged ticket is committed, nothing more');
});

test('a full disk is the state "local disk full", never a crash; when space is back it resumes and nothing was counted falsely', async (t) => {
  if (process.platform !== 'linux') return skipOrFail(t, 'a tmpfs is Linux-only');
  const mnt = mkdtempSync(join(tmpdir(), 'outpost-full-'));
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=12m,mode=0700', 'tmpfs', mnt], { encoding: 'utf8' });
  if (m.status !== 0) return skipOrFail(t, `cannot mount a tmpfs here (${m.stderr.trim() || 'not root'}); the full-disk case needs one`);
  t.after(() => {
    spawnSync('umount', ['-l', mnt]);
  });
  const sandbox = await testSandbox(t, { token: TOKEN });
  const s = site(sandbox.url, { home: mnt });
  t.after(() => stopDaemon(s.env));
  assert.equal((await runCli(['start'], s.env)).code, 0);
  const pid = daemonPid(s.home);
  await waitFor(
    'the first pass delivered',
    async () => sandbox.stats().tickets > 0 && (await statusJson(s.env)).profiles[0]?.state === 'idle',
    30_000,
  );
  const first = sandbox.stats().tickets;

  // Fill the volume to the last byte.
  const filler = join(mnt, 'filler');
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
  }
  try {
    for (;;) writeSync(fd, Buffer.alloc(512, 1));
  } catch {
    /* full */
  }
  closeSync(fd);
  // New tickets at the plant (its database is on another disk).
  const db = openPlant(s.plantFile);
  const rand = prng(99);
  let no = nextTicketNo(db);
  for (let i = 0; i < 300; i++) insertTicket(db, makeTicket(rand, no++, new Date()), new Date());
  db.close();

  const full = await inState(s.env, 'local disk full');
  // From the state database (a commit that could not be written) or a runtime file (status, log).
  assert.match(
    full.profiles[0].reason ?? '',
    /The local disk is full: Outpost cannot record what was delivered \(.*disk is full.*\)\. Free space|cannot write .* \((ENOSPC|SQLITE_FULL|SQLITE_IOERR[A-Z_]*): .*\); free space or fix the volume/,
  );
  assert.equal(full.running, true);
  assert.equal(alive(pid), true, 'the daemon is still running');
  const during = committed(s.home);
  assert.ok(during.delivered <= sandbox.stats().tickets, 'nothing is counted delivered that the API did not acknowledge');

  rmSync(filler);
  await waitFor(
    'everything delivered after space came back',
    async () => {
      const st = await statusJson(s.env);
      return st.profiles[0]?.state === 'idle' && sandbox.stats().tickets >= first + 300;
    },
    90_000,
    500,
  );
  assert.equal(alive(pid), true, 'the same daemon process throughout');
  assert.equal((await runCli(['stop'], s.env)).code, 0);
  const after = committed(s.home);
  assert.equal(after.delivered, sandbox.stats().tickets, 'the ledger matches what the API holds');
  assert.equal(sandbox.stats().duplicates, 0, 'a batch sent again after the disk was full reused its key');
});

test('a 200 MB answer is refused as an API protocol error at 16 MiB; the daemon stays small and commits nothing', async (t) => {
  let answered = 0;
  const api = await server((req, res) => {
    if (req.url !== '/v1/tickets:batch') return void res.writeHead(204).end();
    req.resume();
    answered++;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    // 200 MB, streamed without a length, so only reading it can tell its size.
    let sent = 0;
    const piece = Buffer.alloc(1024 * 1024, 0x20);
    res.write('{"results":[');
    const pump = () => {
      while (sent < 200 && res.write(piece)) sent++;
      if (sent >= 200) res.end(']}');
    };
    res.on('drain', pump);
    res.on('close', () => res.off('drain', pump));
    pump();
  });
  t.after(() => api.close());
  const s = site(api.url);
  t.after(() => stopDaemon(s.env));
  assert.equal((await runCli(['start'], s.env)).code, 0);
  const pid = daemonPid(s.home);
  const st = await inState(s.env, 'API protocol error');
  assert.match(st.profiles[0].reason ?? '', /larger than the 16777216 bytes Outpost reads/);
  assert.match(st.profiles[0].reason ?? '', /Nothing of this batch of \d+ was committed/);
  const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  assert.ok(answered >= 1);
  assert.ok(hwm > 0 && hwm < 400 * 1024 * 1024, `peak RSS ${Math.round(hwm / 1048576)} MB`);
  assert.equal((await runCli(['stop'], s.env)).code, 0);
  const c = committed(s.home);
  assert.deepEqual([c.delivered, c.ledger, c.watermark], [0, 0, null]);
  assert.ok(existsSync(join(s.home, 'logs', 'outpost.log')));
});
