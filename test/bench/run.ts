// `npm run bench` (not part of npm test): the speed, memory and latency goals, measured in one run.
//   node dist/test/bench/run.js [--rows 1000000] [--idle-seconds 60] [--latency-samples 40] [--sandbox-backfill 1]
// A private PostgreSQL (test/helpers/private-db.ts) holds the ticket table. Two receivers of the
// ingest API run as separate processes: the project's sandbox (`outpost sandbox`, stores every ticket
// in SQLite) and a minimal in-memory receiver (test/bench/receiver.ts, what a fast cloud endpoint
// costs the connector). Outpost runs as `outpost run`, started plainly (no Node flags: the daemon
// bounds its own heap). Measured in the same run: the raw limits (a plain keyset-paged SELECT of the
// same rows; a plain sequential batch POST of the same mapped JSON to each receiver, to the in-memory
// one right before and right after Outpost's backfill into it), Outpost's
// backfill into each receiver and its ratio to the raw limit of that receiver, whether the backfill
// rate holds from the first to the last fifth of the table (linear cost), the daemon's RSS while
// backfilling and idle, new-ticket → acknowledged latency at a 1 s poll right after the backfill,
// idle CPU, the EXPLAIN of the steady-state poll, and `outpost --version` start time.
// Other measurements (e.g. a lookups scenario) plug in as modules called from main() below.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../core/config/load.js';
import { createChangeReader } from '../../core/change/index.js';
import { DEMO_FIELDS } from '../../core/demo/environment.js';
import { makeTicket, prng } from '../../core/demo/plant.js';
import { createMapper, ticketJson } from '../../core/mapping/index.js';
import { createSource } from '../../core/sources/index.js';
import { StateStore } from '../../core/state/store.js';
import { freePort, privateClient, privateSource, startPrivatePostgres, type PrivateServer } from '../helpers/private-db.js';
import { benchLookups } from './lookups.js';
import { loadTicketsTable } from './tickets-table.js';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const RECEIVER = fileURLToPath(new URL('./receiver.js', import.meta.url));
const TOKEN = 'bench-token-outpost-1';
const RAW_TOKEN = 'bench-token-raw-post-2';
/** The raw POST after the backfill posts into an account of its own, so it creates tickets as the first one did. */
const RAW_TOKEN_AFTER = 'bench-token-raw-post-3';
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

async function rawSelect(server: PrivateServer, rows: number): Promise<number> {
  const src = await createSource(privateSource(server));
  await src.connect();
  const t0 = performance.now();
  let n = 0;
  let pos: [string, number] | null = null;
  for (;;) {
    const page: Array<Record<string, unknown>> = pos
      ? await src.query(
          `SELECT * FROM "Tickets" WHERE ("LastModified", "TicketID") > ($1::timestamp, $2) ORDER BY "LastModified", "TicketID" LIMIT ${BATCH}`,
          pos,
        )
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

/** The same JSON Outpost sends for the first `count` rows, mapped once up front. */
async function mappedJson(server: PrivateServer, count: number): Promise<string[]> {
  const src = await createSource(privateSource(server));
  await src.connect();
  const rows = await src.query(`SELECT * FROM "Tickets" ORDER BY "TicketID" LIMIT ${count}`);
  await src.close();
  const mapper = createMapper({ template: 'generic-scale-ticket', fields: DEMO_FIELDS, timezone: 'America/Chicago' });
  return rows.map((r) => {
    const m = mapper.map(r, {
      ticketId: `raw:${r.TicketID}`,
      recordKey: String(r.TicketID),
      table: 'Tickets',
      recordModifiedAt: String(r.LastModified),
    });
    if (!m.ok) throw new Error(m.problems.join('; '));
    // The bytes Outpost sends for this ticket (its one serialisation, core/mapping/revision.ts).
    return ticketJson(m.canonical, m.ticket.source?.recordModifiedAt);
  });
}

/**
 * Sequential batch POSTs (one in flight, as Outpost does) of prepared ticket JSON: tickets/s. The
 * plainest fast client: node:http on one kept-alive connection, each body one buffer (fetch cost
 * about 2.5 µs more a ticket; Outpost's own client is node:http too, core/delivery/client.ts).
 */
async function rawPost(url: string, jsons: string[], token = RAW_TOKEN): Promise<{ rate: number; cpuUs: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const post = (body: Buffer, key: string) =>
    new Promise<void>((done, fail) => {
      const req = http.request(
        `${url}/v1/tickets:batch`,
        {
          method: 'POST',
          agent,
          headers: {
            Authorization: `Bearer ${token}`,
            'Content-Type': 'application/json',
            'Content-Length': String(body.length),
            'Idempotency-Key': key,
          },
        },
        (res) => {
          if (res.statusCode !== 200) fail(new Error(`raw POST got ${res.statusCode}`));
          res.on('data', () => {});
          res.on('end', () => done());
          res.on('error', fail);
        },
      );
      req.on('error', fail);
      req.end(body);
    });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  try {
    for (let i = 0; i < jsons.length; i += BATCH) {
      const body = Buffer.from(
        `{"connector":{"id":"raw","version":"0","profile":"raw"},"tickets":[${jsons.slice(i, i + BATCH).join(',')}]}`,
      );
      await post(body, `raw-${i}`);
    }
  } finally {
    agent.destroy();
  }
  const c = process.cpuUsage(c0);
  return { rate: jsons.length / ((performance.now() - t0) / 1000), cpuUs: (c.user + c.system) / jsons.length };
}

type Child = ChildProcess & { out: () => string };

function startProcess(cmd: string[], env: NodeJS.ProcessEnv): Child {
  // `outpost run` is started plainly, as a user would; OUTPOST_BENCH_DAEMON_FLAGS adds Node flags to compare.
  const flags = cmd[0] === CLI && cmd[1] === 'run' ? (process.env.OUTPOST_BENCH_DAEMON_FLAGS?.split(' ').filter(Boolean) ?? []) : [];
  const child = spawn(process.execPath, [...flags, ...cmd], {
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out = (out + d).slice(-10_000)));
  child.stderr!.on('data', (d) => (out = (out + d).slice(-10_000)));
  return Object.assign(child, { out: () => out });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(10_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

async function waitReady(url: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (
      await fetch(`${url}/v1/whoami`, { headers: { Authorization: `Bearer ${TOKEN}` } }).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await sleep(100);
  }
  throw new Error(`the receiver at ${url} did not answer`);
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

interface Backfill {
  daemon: Child;
  home: string;
  profile: Record<string, unknown>;
  seconds: number;
  rate: number;
  /** Rate over the first and the last fifth of the table (tickets/s). */
  firstFifth: number;
  lastFifth: number;
  peakRss: number;
  rss: number[];
  /** The daemon's CPU time (user + system) per ticket, µs: the work, less sensitive to a busy machine than rates. */
  cpuUs: number;
}

/** `outpost run` against `url` until the receiver holds every row; the daemon is left running. */
async function backfill(dir: string, name: string, url: string, server: PrivateServer): Promise<Backfill> {
  const home = join(dir, `home-${name}`);
  const configFile = join(dir, `outpost-${name}.json`);
  const profile = {
    name: 'bench',
    api: { url, token: 'env:BENCH_TOKEN' },
    source: privateSource(server, 'env:BENCH_DB_PASSWORD'),
    table: 'Tickets',
    key: ['TicketID'],
    change: { mode: 'timestamp', column: 'LastModified', lookbackSeconds: 300, timezone: 'America/Chicago' },
    mapping: { template: 'generic-scale-ticket', fields: DEMO_FIELDS },
    schedule: { every: '1s' },
    batchSize: BATCH,
  };
  writeFileSync(configFile, JSON.stringify({ profiles: [profile] }));
  const t = performance.now();
  const daemon = startProcess([CLI, 'run', '--config', configFile, '--no-dashboard'], {
    OUTPOST_HOME: home,
    BENCH_TOKEN: TOKEN,
    BENCH_DB_PASSWORD: server.password,
  });
  let peakRss = 0;
  const rss: number[] = [];
  const marks: Array<[number, number]> = [];
  let lastSay = t;
  for (;;) {
    const r = rssMb(daemon.pid!);
    peakRss = Math.max(peakRss, r);
    rss.push(r);
    const st = await sandboxStats(url, TOKEN).catch(() => ({ tickets: 0 }));
    const now = performance.now();
    marks.push([now, st.tickets]);
    if (st.tickets >= ROWS) break;
    if (daemon.exitCode !== null) throw new Error(`the daemon exited: ${daemon.out()}`);
    if (now - lastSay > 15_000) {
      say(`  ${name}: ${st.tickets} of ${ROWS} after ${((now - t) / 1000).toFixed(0)} s, RSS ${r.toFixed(0)} MB`);
      lastSay = now;
    }
    await sleep(250);
  }
  const seconds = (performance.now() - t) / 1000;
  const cpuUs = ((cpuTicks(daemon.pid!) / CLK_TCK) * 1e6) / ROWS;
  // The time the receiver's count crossed a level, interpolated between samples.
  const at = (level: number): number => {
    for (let i = 1; i < marks.length; i++) {
      const [t1, n1] = marks[i];
      const [t0, n0] = marks[i - 1];
      if (n1 >= level) return n1 === n0 ? t1 : t0 + ((level - n0) / (n1 - n0)) * (t1 - t0);
    }
    return marks[marks.length - 1][0];
  };
  const fifth = ROWS / 5;
  const firstFifth = fifth / ((at(fifth) - at(1)) / 1000 || Infinity);
  const lastFifth = fifth / ((at(ROWS) - at(ROWS - fifth)) / 1000 || Infinity);
  return { daemon, home, profile, seconds, rate: ROWS / seconds, firstFifth, lastFifth, peakRss, rss, cpuUs };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-bench-'));
  const children: ChildProcess[] = [];
  let server: PrivateServer | null = null;
  const withSandbox = arg('sandbox-backfill', 1) !== 0;
  try {
    say(
      `${ROWS} tickets; at about 8,000 tickets/s per backfill on a busy 2-core machine this takes ~${Math.ceil(((ROWS / 8_000) * (withSandbox ? 2 : 1)) / 60 + (IDLE_S + LAT_N + 60) / 60)} min (--rows 200000 for a shorter run, --sandbox-backfill 0 to skip the sandbox backfill)`,
    );
    say(`starting a private PostgreSQL and loading ${ROWS} tickets`);
    server = await startPrivatePostgres();
    const t = performance.now();
    await loadTicketsTable(server, ROWS);
    say(`loaded in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const tokens = `${TOKEN},${RAW_TOKEN},${RAW_TOKEN_AFTER}`;
    const sandboxPort = await freePort();
    children.push(
      startProcess([CLI, 'sandbox', '--port', String(sandboxPort), '--data', join(dir, 'sandbox')], { OUTPOST_SANDBOX_TOKENS: tokens }),
    );
    const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
    const receiverPort = await freePort();
    children.push(startProcess([RECEIVER, '--port', String(receiverPort), '--token', tokens], {}));
    const memoryUrl = `http://127.0.0.1:${receiverPort}`;
    await waitReady(sandboxUrl);
    await waitReady(memoryUrl);

    say('raw limits: paged SELECT of every row, then batch POST of the same JSON to the sandbox');
    const selectRate = await rawSelect(server, ROWS);
    const jsons = await mappedJson(server, Math.min(ROWS, 100_000));
    const { rate: postSandbox } = await rawPost(sandboxUrl, jsons);
    say(`raw SELECT ${Math.round(selectRate)} rows/s, raw POST ${Math.round(postSandbox)} tickets/s (sandbox)`);

    let sandboxRun: Backfill | null = null;
    if (withSandbox) {
      say('backfill into the sandbox: outpost run');
      sandboxRun = await backfill(dir, 'sandbox', sandboxUrl, server);
      await stopProcess(sandboxRun.daemon);
      say(`  ${Math.round(sandboxRun.rate)}/s, peak RSS ${sandboxRun.peakRss.toFixed(0)} MB`);
    }
    // The in-memory receiver's raw POST limit is measured right before and right after the backfill
    // (into a fresh account each time, so both create every ticket): the other work on a shared
    // machine moves in minutes, and a limit measured at another moment than the backfill made the
    // ratio swing 0.44–1.07. The ratio uses the mean of the two; both are printed, and their spread
    // says how far the machine's load moved. The CPU ratio (raw client's CPU per ticket / the
    // daemon's) does not depend on that load.
    say('raw POST of the same JSON to the in-memory receiver, right before its backfill');
    const before = await rawPost(memoryUrl, jsons);
    say(`  ${Math.round(before.rate)} tickets/s, ${before.cpuUs.toFixed(1)} µs CPU a ticket`);
    say('backfill into the in-memory receiver: outpost run');
    const mem = await backfill(dir, 'memory', memoryUrl, server);
    const daemon = mem.daemon;
    children.push(daemon);
    say(
      `  ${Math.round(mem.rate)}/s, ${mem.cpuUs.toFixed(0)} µs CPU a ticket (first fifth ${Math.round(mem.firstFifth)}/s, last fifth ${Math.round(mem.lastFifth)}/s), peak RSS ${mem.peakRss.toFixed(0)} MB`,
    );
    // The daemon is idle now (a 1 s poll that finds nothing new): it hardly competes with this.
    say('raw POST of the same JSON to the in-memory receiver, right after its backfill');
    const after = await rawPost(memoryUrl, jsons, RAW_TOKEN_AFTER);
    say(`  ${Math.round(after.rate)} tickets/s, ${after.cpuUs.toFixed(1)} µs CPU a ticket`);
    jsons.length = 0;
    const postMemory = (before.rate + after.rate) / 2;
    const postCpuUs = (before.cpuUs + after.cpuUs) / 2;

    say(`latency: ${LAT_N} new tickets at random moments, 1 s poll, starting right after the backfill`);
    const c = await privateClient(server);
    const rand = prng(7);
    const lat: number[] = [];
    for (let i = 0; i < LAT_N; i++) {
      if (i > 0) await sleep(200 + rand() * 1300);
      const id = ROWS + 1 + i;
      const tk = makeTicket(rand, 900000 + i, new Date());
      const cols = Object.keys(tk);
      await c.query(
        `INSERT INTO "Tickets" ("TicketID", ${cols.map((k) => `"${k}"`).join(', ')}, "LastModified") VALUES ($1, ${cols.map((_, j) => `$${j + 2}`).join(', ')}, LOCALTIMESTAMP)`,
        [id, ...cols.map((k) => (tk as unknown as Record<string, unknown>)[k])],
      );
      const t1 = performance.now();
      for (;;) {
        const r = await fetch(`${memoryUrl}/v1/_sandbox/tickets/${encodeURIComponent(`bench:${id}`)}`, {
          headers: { Authorization: `Bearer ${TOKEN}` },
        });
        await r.arrayBuffer();
        if (r.status === 200) break;
        if (performance.now() - t1 > 30_000) throw new Error(`ticket ${id} did not arrive in 30 s`);
        await sleep(10);
      }
      lat.push(performance.now() - t1);
    }

    say('EXPLAIN of the steady-state poll');
    const store = new StateStore(join(mem.home, 'state.db'));
    const wm = store.getWatermark('bench')!;
    store.close();
    const parsed = parseConfig({ profiles: [mem.profile] }).profiles[0];
    const src = await createSource({ ...parsed.source, password: server.password });
    await src.connect();
    const poll = await createChangeReader(parsed).pollSql!(src, wm, BATCH);
    await src.close();
    const plan = (
      await c.query(
        `EXPLAIN ${poll.sql}`,
        poll.params.map((p) => (p && typeof p === 'object' && 'value' in p ? (p as { value: unknown }).value : p)),
      )
    ).rows.map((r) => String(r['QUERY PLAN']));
    await c.end();
    const usesIndex =
      plan.some((l) => /Index (Only )?Scan|Bitmap Index Scan/.test(l)) && !plan.some((l) => /Seq Scan on "?Tickets"?/i.test(l));

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

    const memRatio = mem.rate / postMemory;
    const cpuRatio = postCpuUs / mem.cpuUs;
    const linear = mem.lastFifth / mem.firstFifth;
    const q = (p: number) => (mem.rss.length ? pct(mem.rss.slice(Math.floor(mem.rss.length / 5)), p) : 0);
    const yes = (ok: boolean) => (ok ? 'yes' : 'NO');
    const rows: Array<[string, string, string, string]> = [
      ['rows backfilled', ROWS.toLocaleString('en-US'), '1,000,000', ROWS >= 1_000_000 ? 'yes' : `partial (${ROWS})`],
      ['raw paged SELECT', `${Math.round(selectRate)} rows/s`, '(limit)', ''],
      [
        'raw batch POST, in-memory receiver (mean of before / after the backfill)',
        `${Math.round(postMemory)} tickets/s (${Math.round(before.rate)} / ${Math.round(after.rate)})`,
        '(limit)',
        '',
      ],
      ['Outpost backfill, in-memory receiver', `${Math.round(mem.rate)} tickets/s (${mem.seconds.toFixed(1)} s)`, '', ''],
      [
        'ratio to raw POST (in-memory)',
        `${memRatio.toFixed(2)} (${(mem.rate / before.rate).toFixed(2)} / ${(mem.rate / after.rate).toFixed(2)} to before / after)`,
        '≥ 0.60',
        yes(memRatio >= 0.6),
      ],
      ['CPU per ticket: daemon / raw POST client', `${mem.cpuUs.toFixed(1)} µs / ${postCpuUs.toFixed(1)} µs`, '', ''],
      ['CPU ratio: raw POST client / daemon, per ticket', cpuRatio.toFixed(2), '(load-independent)', ''],
      [
        'last fifth / first fifth of the table',
        `${linear.toFixed(2)} (${Math.round(mem.lastFifth)} / ${Math.round(mem.firstFifth)} tickets/s)`,
        '≥ 0.85 (linear)',
        yes(linear >= 0.85),
      ],
    ];
    if (sandboxRun) {
      const slower = Math.min(selectRate, postSandbox);
      const r = sandboxRun.rate / slower;
      rows.push(
        ['raw batch POST, sandbox (SQLite)', `${Math.round(postSandbox)} tickets/s`, '(limit)', ''],
        ['Outpost backfill, sandbox', `${Math.round(sandboxRun.rate)} tickets/s (${sandboxRun.seconds.toFixed(1)} s)`, '', ''],
        ['ratio to slower limit (sandbox)', r.toFixed(2), '≥ 0.60', yes(r >= 0.6)],
      );
    }
    rows.push(
      [
        'peak RSS while backfilling (plain `outpost run`)',
        `${mem.peakRss.toFixed(0)} MB (p50 ${q(50).toFixed(0)}, p95 ${q(95).toFixed(0)})`,
        '≤ 200 MB, flat',
        yes(mem.peakRss <= 200),
      ],
      ['new ticket → ack p50', `${Math.round(pct(lat, 50))} ms`, '', ''],
      [
        'new ticket → ack p99 (right after the backfill)',
        `${Math.round(pct(lat, 99))} ms (n=${lat.length})`,
        '≤ 1000 + 500 ms',
        yes(pct(lat, 99) <= 1500),
      ],
      [`idle CPU (${IDLE_S} s)`, `${idleCpu.toFixed(2)} % of a core`, '< 1 %', yes(idleCpu < 1)],
      ['idle RSS after the backfill', `${idleRss.toFixed(0)} MB`, '≤ 120 MB', yes(idleRss <= 120)],
      ['steady-state poll uses an index', usesIndex ? 'yes' : 'no', 'no seq scan', yes(usesIndex)],
      ['outpost --version', `${Math.round(pct(versions, 50))} ms (median of 5)`, '< 300 ms', yes(pct(versions, 50) < 300)],
    );
    // Three lookups vs the same values from columns, at 200,000 rows (test/bench/lookups.ts; --lookups 0 skips it).
    if (arg('lookups', 1) !== 0)
      rows.push(...(await benchLookups({ server, url: memoryUrl, token: TOKEN, rows: Math.min(ROWS, 200_000) })));
    const heads = ['metric', 'measured', 'goal (docs/design.md §6)', 'met'];
    const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length), heads[i].length));
    const line = (r: string[]) => `| ${r.map((x, i) => x.padEnd(w[i])).join(' | ')} |`;
    console.log(
      `\n${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} CPU (${os.cpus()[0]?.model ?? 'unknown'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, PostgreSQL private instance`,
    );
    console.log(line(heads));
    console.log(`|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`);
    for (const r of rows) console.log(line(r));
    console.log('\nEXPLAIN (steady-state poll):');
    for (const l of plan) console.log('  ' + l);
    console.log(`\npoll SQL: ${poll.sql}`);
  } finally {
    await Promise.all(children.map(stopProcess));
    await server?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`bench failed: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
