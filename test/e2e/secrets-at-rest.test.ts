// After a run against a hostile API — one that echoes the bearer token back in a 503 body, a 400
// error and per-ticket rejection reasons — no byte of the token or of the database password is in
// any file under the home folder (state.db and its WAL, logs, run files, status) nor on the
// daemon's command line (/proc/PID/cmdline); every folder there is 0700 and every file 0600.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, lstatSync, writeFileSync, mkdtempSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_COLUMNS, makeTicket, prng } from '../../core/demo/plant.js';
import { ddl, type Db } from '../chaos/harness.js';
import { pgScratch, requirePostgres } from '../helpers/databases.js';
import { runCli } from '../helpers/cli.js';
import { listenLocal } from '../helpers/raw-http.js';
import { waitFor } from '../helpers/wait.js';
import { demoTableProfile } from '../helpers/profiles.js';

const TOKEN = 'tok_hostile_8Fq2Lx9Vw3Zr';

const COLUMNS = DEMO_COLUMNS;

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = lstatSync(p);
    out.push(p);
    if (st.isDirectory()) walk(p, out);
  }
  return out;
}

test('a hostile API echoing the token leaves no token or DB password in any file of the home folder or on the daemon command line; modes 0700/0600', async (t) => {
  const server = await requirePostgres(t);
  if (!server) return;
  const pgDb = { kind: 'postgres', q: (n: string) => `"${n}"` } as unknown as Db;
  const scratch = await pgScratch(server, t, ddl(pgDb, 'Tickets'), '"Tickets"');
  const rand = prng(11);
  for (let i = 1; i <= 30; i++) {
    const row = makeTicket(rand, 200000 + i, new Date(Date.now() - (40 - i) * 60_000));
    const cols = ['TicketID', ...COLUMNS, 'LastModified'].map((c) => `"${c}"`);
    const vals = [
      i,
      ...COLUMNS.map((c) => row[c]),
      new Date(Date.now() - (40 - i) * 60_000).toISOString().replace('T', ' ').replace('Z', ''),
    ];
    await scratch.exec(`INSERT INTO "Tickets" (${cols.join(', ')}) VALUES (${vals.map((_, k) => `$${k + 1}`).join(', ')})`, vals);
  }
  const password = scratch.readOnly.password;

  // The hostile API: every answer repeats the Authorization header it was sent.
  let batches = 0;
  let answered = 0;
  const api = http.createServer((req, res) => {
    const auth = String(req.headers.authorization ?? '');
    const echoed = `${auth} ${auth.replace(/^Bearer /, '')} ${encodeURIComponent(auth)}`;
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      res.setHeader('X-Echo', auth);
      if (req.url !== '/v1/tickets:batch')
        return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: `heartbeat from ${echoed}` }));
      batches++;
      if (batches === 1)
        return void res
          .writeHead(503, { 'Retry-After': '1', 'Content-Type': 'application/json' })
          .end(JSON.stringify({ error: `overloaded; your token ${echoed}` }));
      if (batches === 2)
        return void res
          .writeHead(400, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ error: `token ${echoed} is not valid here` }));
      const tickets = (JSON.parse(body) as { tickets: Array<{ ticketId: string; revision: string }> }).tickets;
      answered += tickets.length;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(
        JSON.stringify({
          results: tickets.map((x, i) =>
            i % 3 === 0
              ? { ticketId: x.ticketId, revision: x.revision, targetId: null, action: 'rejected', error: `ticket refused for ${echoed}` }
              : { ticketId: x.ticketId, revision: x.revision, targetId: `t-${x.ticketId}`, action: 'created' },
          ),
        }),
      );
    });
  });
  const url = `http://127.0.0.1:${await listenLocal(t, api)}`;

  const home = mkdtempSync(join(tmpdir(), 'outpost-secrets-'));
  writeFileSync(
    join(home, 'outpost.json'),
    JSON.stringify({
      version: 1,
      profiles: [
        demoTableProfile({
          name: 'p1',
          api: { url, token: 'env:HOSTILE_TOKEN' },
          source: {
            driver: 'postgres',
            host: server.host,
            port: server.port,
            database: scratch.database,
            user: scratch.readOnly.user,
            password: 'env:HOSTILE_DB_PASSWORD',
          },
          batchSize: 10,
        }),
      ],
    }),
  );
  const env = { OUTPOST_HOME: home, HOSTILE_TOKEN: TOKEN, HOSTILE_DB_PASSWORD: password, OUTPOST_LOG_LEVEL: 'debug' };
  t.after(() => runCli(['stop'], env));
  const start = await runCli(['start'], env);
  assert.equal(start.code, 0, start.output);
  assert.ok(!start.output.includes(TOKEN) && !start.output.includes(password));
  const pid = (JSON.parse(readFileSync(join(home, 'run', 'daemon.json'), 'utf8')) as { pid: number }).pid;
  await waitFor('every ticket answered by the hostile API', () => answered >= 30, 60_000);
  await waitFor(
    'the daemon to commit and report',
    async () => {
      const r = await runCli(['status', '--json'], env);
      const s = JSON.parse(r.output.slice(r.output.indexOf('{'))) as {
        profiles: Array<{ delivered: number; state: string; reason: string | null }>;
      };
      const p = s.profiles[0];
      return p && p.delivered >= 10 && (p.state === 'idle' || p.state === 'tickets rejected by the API') ? s : null;
    },
    30_000,
  );

  // The daemon's command line, while it runs.
  const cmdline = readFileSync(`/proc/${pid}/cmdline`);
  for (const secret of [TOKEN, password]) assert.equal(cmdline.indexOf(secret), -1, 'a secret on the command line');
  // Modes while it runs (the WAL and its index exist now).
  const running = walk(home);
  assert.ok(
    running.some((p) => p.endsWith('state.db-wal')),
    'the WAL exists while the daemon runs',
  );
  const status = await runCli(['status'], env);
  const logs = await runCli(['logs', '-n', '1000', '--level', 'debug'], env);
  assert.match(logs.output, /••••/, 'the echoed token was in the log, masked');
  for (const out of [status.output, logs.output])
    for (const secret of [TOKEN, password]) assert.ok(!out.includes(secret), `a secret in CLI output: ${out.slice(0, 400)}`);

  assert.equal((await runCli(['stop'], env)).code, 0);
  const files = walk(home);
  let checked = 0;
  for (const p of [
    ...new Set([
      ...running.filter((x) => {
        try {
          lstatSync(x);
          return true;
        } catch {
          return false;
        }
      }),
      ...files,
    ]),
  ]) {
    const st = lstatSync(p);
    if (st.isDirectory()) {
      assert.equal(st.mode & 0o777, 0o700, `${p} is ${(st.mode & 0o777).toString(8)}`);
      continue;
    }
    assert.equal(st.mode & 0o777, 0o600, `${p} is ${(st.mode & 0o777).toString(8)}`);
    const bytes = readFileSync(p);
    for (const secret of [TOKEN, password, encodeURIComponent(TOKEN)]) {
      assert.equal(bytes.indexOf(secret), -1, `${p} holds a secret`);
      assert.equal(bytes.indexOf(Buffer.from(secret, 'utf16le')), -1, `${p} holds a secret (UTF-16)`);
    }
    checked++;
  }
  assert.ok(checked >= 5, `${checked} files checked`);
  assert.ok(files.some((p) => p.endsWith('state.db')) && files.some((p) => p.endsWith('outpost.log')));
});
