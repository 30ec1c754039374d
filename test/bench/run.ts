// `npm run bench` (not part of npm test): the docs/design.md §6 numbers, measured in one run.
//   node dist/test/bench/run.js [--rows 1000000] [--idle-seconds 60] [--latency-samples 40]
// A private PostgreSQL (test/helpers/private-db.ts) holds the ticket table; the sandbox runs as a
// separate process (`outpost sandbox`); Outpost runs as `outpost run` (a separate process too).
// Measured: the raw limits (a plain keyset-paged SELECT of the same rows; a plain sequential batch
// POST of the same mapped JSON), Outpost's backfill rate and its ratio to the slower raw limit, the
// daemon's peak RSS while backfilling, new-ticket → acknowledged latency at a 1 s poll, idle CPU and
// RSS, the EXPLAIN of the steady-state poll query, and `outpost --version` start time.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { parseConfig } from '../../core/config/load.js';
import { createChangeReader } from '../../core/change/index.js';
import { DEMO_FIELDS } from '../../core/demo/environment.js';
import { makeTicket, prng } from '../../core/demo/plant.js';
import { createMapper } from '../../core/mapping/index.js';
import { createSource } from '../../core/sources/index.js';
import { StateStore } from '../../core/state/store.js';
import { freePort, startPrivatePostgres, type PrivateServer } from '../helpers/private-db.js';
import { DAEMON_NODE_FLAGS } from '../../core/engine/runtime.js';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const TOKEN = 'bench-token-outpost-1';
const RAW_TOKEN = 'bench-token-raw-post-2';
const BATCH = 500;

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : dflt;
}

const ROWS = arg('rows', 1_000_000);
const IDLE_S = arg('idle-seconds', 60);
const LAT_N = arg('latency-samples', 40);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (s: string) => process.stderr.write(`[bench] ${s}\n`);

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function cpuTicks(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime
  } catch {
    return 0;
  }
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

async function sandboxStats(url: string, token: string): Promise<{ tickets: number }> {
  const r = await fetch(`${url}/v1/_sandbox/stats`, { headers: { Authorization: `Bearer ${token}` } });
  return (await r.json()) as { tickets: number };
}

async function loadRows(server: PrivateServer, rows: number): Promise<void> {
  const c = new pg.Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: server.database });
  await c.connect();
  await c.query(`CREATE TABLE "Tickets" ("TicketID" integer PRIMARY KEY, "TicketNo" text NOT NULL, "TicketDate" text, "PlantCode" text, "Customer" text,
    "JobNo" text, "OrderNo" text, "ProductCode" text, "ProductDesc" text, "MixID" text, "Gross" double precision, "Tare" double precision,
    "Net" double precision, "UOM" text, "TruckNo" text, "Hauler" text, "Driver" text, "VoidFlag" text NOT NULL DEFAULT 'N', "VoidReason" text,
    "LoadTemp" double precision, "DOTProject" text, "PayItem" text, "DeliveryAddress" text, "LastModified" timestamp(6) NOT NULL)`);
  // Generated in SQL so a million rows load in seconds; shaped like the demo plant's tickets.
  for (let from = 1; from <= rows; from += 250_000) {
    const to = Math.min(rows, from + 249_999);
    await c.query(`INSERT INTO "Tickets" SELECT i, lpad((100000 + i)::text, 9, ' '),
      to_char(TIMESTAMP '2026-11-20 06:00:00' + (i % 43200) * INTERVAL '1 second', 'YYYY-MM-DD HH24:MI:SS'), 'P12',
      (ARRAY['Hill County Paving','Baker & Sons Construction','City of Riverside Public Works','Northgate Developers'])[1 + i % 4],
      'J-' || (4000 + i % 900), 'SO-' || (70000 + i % 900),
      (ARRAY['HMA-12.5','HMA-9.5','AGG-57','AGG-ABC','AGG-SAND'])[1 + i % 5], 'Product ' || (i % 5), CASE WHEN i % 5 < 2 THEN 'JMF-22' || (i % 5) END,
      60000 + i % 24000, 27000 + i % 6000, 33000 + i % 18000, 'LB', 'T-' || (100 + i % 300), 'Riverside Trucking', 'Driver ' || (i % 40),
      'N', NULL, CASE WHEN i % 5 < 2 THEN 290 + i % 40 END, NULL, NULL, 'FM 1431 at CR 120',
      TIMESTAMP '2026-11-21 00:00:00' + i * INTERVAL '10 milliseconds'
      FROM generate_series(${from}, ${to}) AS i`);
  }
  await c.query(`CREATE INDEX "IX_Tickets_LM" ON "Tickets" ("LastModified", "TicketID")`);
  await c.query(`ANALYZE "Tickets"`);
  await c.end();
}

async function rawSelect(server: PrivateServer, rows: number): Promise<number> {
  const src = await createSource({ driver: 'postgres', host: server.host, port: server.port, database: server.database, user: server.user, password: server.password, options: {} });
  await src.connect();
  const t0 = performance.now();
  let n = 0;
  let pos: [string, number] | null = null;
  for (;;) {
    const page: Array<Record<string, unknown>> = pos
      ? await src.query(`SELECT * FROM "Tickets" WHERE ("LastModified", "TicketID") > ($1::timestamp, $2) ORDER BY "LastModified", "TicketID" LIMIT ${BATCH}`, pos)
      : await src.query(`SELECT * FROM "Tickets" ORDER BY "LastModified", "TicketID" LIMIT ${BATCH}`);
    n += page.length;
    if (page.length < BATCH) break;
    const last = page[page.length - 1];
    pos = [String(last.LastModified), Number(last.TicketID)];
  }
  const s = (performance.now() - t0) / 1000;
  await src.close();
  if (n !== rows) throw new Error(`raw select read ${n} rows, expected ${rows}`);
  return n / s;
}

async function rawPost(url: string, server: PrivateServer, count: number): Promise<number> {
  // The same JSON Outpost sends: rows read and mapped up front, then posted back to back.
  const src = await createSource({ driver: 'postgres', host: server.host, port: server.port, database: server.database, user: server.user, password: server.password, options: {} });
  await src.connect();
  const rows = await src.query(`SELECT * FROM "Tickets" ORDER BY "TicketID" LIMIT ${count}`);
  await src.close();
  const mapper = createMapper({ template: 'generic-scale-ticket', fields: DEMO_FIELDS, timezone: 'America/Chicago' });
  const jsons = rows.map((r) => {
    const m = mapper.map(r, { ticketId: `raw:${r.TicketID}`, recordKey: String(r.TicketID), table: 'Tickets', recordModifiedAt: String(r.LastModified) });
    if (!m.ok) throw new Error(m.problems.join('; '));
    return JSON.stringify(m.ticket);
  });
  const t0 = performance.now();
  for (let i = 0; i < jsons.length; i += BATCH) {
    const body = `{"connector":{"id":"raw","version":"0","profile":"raw"},"tickets":[${jsons.slice(i, i + BATCH).join(',')}]}`;
    const r = await fetch(`${url}/v1/tickets:batch`, { method: 'POST', body, headers: { Authorization: `Bearer ${RAW_TOKEN}`, 'Content-Type': 'application/json', 'Idempotency-Key': `raw-${i}` } });
    if (r.status !== 200) throw new Error(`raw POST got ${r.status}`);
    await r.arrayBuffer();
  }
  return jsons.length / ((performance.now() - t0) / 1000);
}

function startProcess(args: string[], env: NodeJS.ProcessEnv): ChildProcess & { out: () => string } {
  // The daemon runs with the flags Outpost's own launchers use (OUTPOST_BENCH_DAEMON_FLAGS overrides).
  const flags = args[0] === 'run' ? (process.env.OUTPOST_BENCH_DAEMON_FLAGS?.split(' ').filter(Boolean) ?? DAEMON_NODE_FLAGS) : [];
  const child = spawn(process.execPath, [...flags, CLI, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out = (out + d).slice(-10_000)));
  child.stderr!.on('data', (d) => (out = (out + d).slice(-10_000)));
  return Object.assign(child, { out: () => out });
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-bench-'));
  const children: ChildProcess[] = [];
  let server: PrivateServer | null = null;
  try {
    say(`starting a private PostgreSQL and loading ${ROWS} tickets`);
    server = await startPrivatePostgres();
    let t = performance.now();
    await loadRows(server, ROWS);
    say(`loaded in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const port = await freePort();
    const sandbox = startProcess(['sandbox', '--port', String(port), '--data', join(dir, 'sandbox')], { OUTPOST_SANDBOX_TOKENS: `${TOKEN},${RAW_TOKEN}` });
    children.push(sandbox);
    const url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      if (await fetch(`${url}/v1/whoami`, { headers: { Authorization: `Bearer ${TOKEN}` } }).then((r) => r.ok, () => false)) break;
      await sleep(100);
    }

    say('raw limits: paged SELECT of every row, then batch POST of the same JSON');
    const selectRate = await rawSelect(server, ROWS);
    const postRate = await rawPost(url, server, Math.min(ROWS, 100_000));
    say(`raw SELECT ${Math.round(selectRate)} rows/s, raw POST ${Math.round(postRate)} tickets/s`);

    const home = join(dir, 'home');
    const configFile = join(dir, 'outpost.json');
    const profile = {
      name: 'bench',
      api: { url, token: 'env:BENCH_TOKEN' },
      source: { driver: 'postgres', host: server.host, port: server.port, database: server.database, user: server.user, password: 'env:BENCH_DB_PASSWORD' },
      table: 'Tickets',
      key: ['TicketID'],
      change: { mode: 'timestamp', column: 'LastModified', lookbackSeconds: 300, timezone: 'America/Chicago' },
      mapping: { template: 'generic-scale-ticket', fields: DEMO_FIELDS },
      schedule: { every: '1s' },
      batchSize: BATCH,
    };
    writeFileSync(configFile, JSON.stringify({ profiles: [profile] }));
    say('backfill: outpost run');
    t = performance.now();
    const daemon = startProcess(['run', '--config', configFile, '--no-dashboard'], { OUTPOST_HOME: home, BENCH_TOKEN: TOKEN, BENCH_DB_PASSWORD: server.password });
    children.push(daemon);
    let peakRss = 0;
    const rssSamples: number[] = [];
    for (;;) {
      const r = rssMb(daemon.pid!);
      peakRss = Math.max(peakRss, r);
      rssSamples.push(r);
      const st = await sandboxStats(url, TOKEN).catch(() => ({ tickets: 0 }));
      if (st.tickets >= ROWS) break;
      if (daemon.exitCode !== null) throw new Error(`the daemon exited: ${daemon.out()}`);
      await sleep(500);
    }
    const backfillS = (performance.now() - t) / 1000;
    const outpostRate = ROWS / backfillS;
    const q = (p: number) => rssSamples.length ? pct(rssSamples.slice(Math.floor(rssSamples.length / 5)), p) : 0;
    say(`backfill ${ROWS} in ${backfillS.toFixed(1)} s = ${Math.round(outpostRate)}/s, peak RSS ${peakRss.toFixed(0)} MB`);

    say(`latency: ${LAT_N} new tickets at random moments, 1 s poll`);
    const c = new pg.Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: server.database });
    await c.connect();
    const rand = prng(7);
    const lat: number[] = [];
    for (let i = 0; i < LAT_N; i++) {
      await sleep(200 + rand() * 1300);
      const id = ROWS + 1 + i;
      const tk = makeTicket(rand, 900000 + i, new Date());
      const cols = Object.keys(tk);
      await c.query(
        `INSERT INTO "Tickets" ("TicketID", ${cols.map((k) => `"${k}"`).join(', ')}, "LastModified") VALUES ($1, ${cols.map((_, j) => `$${j + 2}`).join(', ')}, LOCALTIMESTAMP)`,
        [id, ...cols.map((k) => (tk as unknown as Record<string, unknown>)[k])],
      );
      const t1 = performance.now();
      for (;;) {
        const r = await fetch(`${url}/v1/_sandbox/tickets/${encodeURIComponent(`bench:${id}`)}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
        await r.arrayBuffer();
        if (r.status === 200) break;
        if (performance.now() - t1 > 30_000) throw new Error(`ticket ${id} did not arrive in 30 s`);
        await sleep(10);
      }
      lat.push(performance.now() - t1);
    }

    say('EXPLAIN of the steady-state poll');
    const store = new StateStore(join(home, 'state.db'));
    const wm = store.getWatermark('bench')!;
    store.close();
    const src = await createSource({ ...parseConfig({ profiles: [profile] }).profiles[0].source, password: server.password });
    await src.connect();
    const reader = createChangeReader(parseConfig({ profiles: [profile] }).profiles[0]);
    const poll = await reader.pollSql!(src, wm, BATCH);
    await src.close();
    const plan = (await c.query(`EXPLAIN ${poll.sql}`, poll.params.map((p) => (p && typeof p === 'object' && 'value' in p ? (p as { value: unknown }).value : p)))).rows.map((r) => String(r['QUERY PLAN']));
    await c.end();
    const usesIndex = plan.some((l) => /Index (Only )?Scan|Bitmap Index Scan/.test(l)) && !plan.some((l) => /Seq Scan on "?Tickets"?/i.test(l));

    say(`idle: ${IDLE_S} s of CPU and RSS`);
    await sleep(3000);
    const c0 = cpuTicks(daemon.pid!);
    const w0 = performance.now();
    let idleRss = 0;
    while (performance.now() - w0 < IDLE_S * 1000) {
      idleRss = Math.max(idleRss, rssMb(daemon.pid!));
      await sleep(1000);
    }
    const idleCpu = ((cpuTicks(daemon.pid!) - c0) / CLK_TCK / ((performance.now() - w0) / 1000)) * 100;

    const versions: number[] = [];
    for (let i = 0; i < 5; i++) {
      const v0 = performance.now();
      spawnSync(process.execPath, [CLI, '--version']);
      versions.push(performance.now() - v0);
    }

    const slower = Math.min(selectRate, postRate);
    const ratio = outpostRate / slower;
    const rows: Array<[string, string, string, string]> = [
      ['rows backfilled', String(ROWS), '1,000,000', ROWS >= 1_000_000 ? 'yes' : `partial (${ROWS})`],
      ['raw paged SELECT', `${Math.round(selectRate)} rows/s`, '(limit)', ''],
      ['raw batch POST', `${Math.round(postRate)} tickets/s`, '(limit)', ''],
      ['Outpost backfill', `${Math.round(outpostRate)} tickets/s (${backfillS.toFixed(1)} s)`, '≥ 0.6 × slower limit', ratio >= 0.6 ? 'yes' : 'NO'],
      ['ratio to slower limit', ratio.toFixed(2), '≥ 0.60', ratio >= 0.6 ? 'yes' : 'NO'],
      ['peak RSS while backfilling', `${peakRss.toFixed(0)} MB (p50 ${q(50).toFixed(0)}, p95 ${q(95).toFixed(0)})`, '≤ 200 MB, flat', peakRss <= 200 ? 'yes' : 'NO'],
      ['new ticket → ack p50', `${Math.round(pct(lat, 50))} ms`, '', ''],
      ['new ticket → ack p99', `${Math.round(pct(lat, 99))} ms (n=${lat.length})`, '≤ 1000 + 500 ms', pct(lat, 99) <= 1500 ? 'yes' : 'NO'],
      [`idle CPU (${IDLE_S} s)`, `${idleCpu.toFixed(2)} % of a core`, '< 1 %', idleCpu < 1 ? 'yes' : 'NO'],
      ['idle RSS', `${idleRss.toFixed(0)} MB`, '< 120 MB', idleRss < 120 ? 'yes' : 'NO'],
      ['steady-state poll uses an index', usesIndex ? 'yes' : 'no', 'no seq scan', usesIndex ? 'yes' : 'NO'],
      ['outpost --version', `${Math.round(pct(versions, 50))} ms (median of 5)`, '< 300 ms', pct(versions, 50) < 300 ? 'yes' : 'NO'],
    ];
    const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length), ['metric', 'measured', 'goal (docs/design.md §6)', 'met'][i].length));
    const line = (r: string[]) => `| ${r.map((x, i) => x.padEnd(w[i])).join(' | ')} |`;
    console.log(line(['metric', 'measured', 'goal (docs/design.md §6)', 'met']));
    console.log(`|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`);
    for (const r of rows) console.log(line(r));
    console.log('\nEXPLAIN (steady-state poll):');
    for (const l of plan) console.log('  ' + l);
    console.log(`\npoll SQL: ${poll.sql}`);
  } finally {
    for (const ch of children) ch.kill('SIGTERM');
    await sleep(500);
    for (const ch of children) if (ch.exitCode === null) ch.kill('SIGKILL');
    await server?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`bench failed: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
