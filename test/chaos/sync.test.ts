// Chaos suite (issue 3 §6): against a private PostgreSQL, a private MariaDB (both started here in a
// temp folder on free ports, stopped and restarted by the test) and SQLite, concurrent writers
// insert and edit tickets while
//   a) the daemon — a real `outpost run` child process — is killed -9 at random points, and also
//      kills itself after the API's 2xx and before the local commit (OUTPOST_TEST_CRASH_AFTER_ACK);
//   b) the database is crash-stopped in the middle of reads and started again (servers only);
//   c) the sandbox answers 503, 429 with Retry-After, drops connections and loses 2xx answers;
//   d) a transaction that wrote an earlier timestamp commits after later rows were delivered;
//   e) 5,000 rows share one timestamp and the daemon is killed inside the group;
//   f) the engine runs with its host clock skewed +10 and −10 minutes from the database clock;
//   g) a local-time cursor column crosses the DST fall-back hour (America/Chicago, 2026-11-01).
// At the end every source row must be in the sandbox at its latest revision: `lost`, `stale` and
// `duplicate deliveries` are printed per database; the test fails unless lost = 0 and stale = 0.
// The seed is printed; OUTPOST_CHAOS_SEED=<n> replays the same decisions.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../core/config/load.js';
import { Daemon } from '../../core/engine/daemon.js';
import { startSandbox, type SandboxHandle } from '../../core/sandbox/server.js';
import { createSource } from '../../core/sources/index.js';
import { skipOrFail } from '../helpers/chromium.js';
import { startPrivateMariaDb, startPrivatePostgres, unavailableReason, type PrivateServer } from '../helpers/private-db.js';
import { DaemonProcess, TOKEN, Writers, account, chaosSeed, ddl, openDb, prng, profileJson, sleep, wallClock, type Db } from './harness.js';
import { waitedFor } from '../helpers/wait.js';

const SEED = chaosSeed();
console.log(`# chaos seed=${SEED} (replay with OUTPOST_CHAOS_SEED=${SEED})`);

/** Phase lengths: long enough to hit every fault many times, short enough for CI (3 databases < 5 min). */
const CHAOS_MS = Number(process.env.OUTPOST_CHAOS_MS ?? 18_000);
const CONVERGE_MS = 120_000;

const results: Record<string, { lost: number; stale: number; duplicates: number; rows: number }> = {};

async function chaos(t: TestContext, kind: 'sqlite' | 'postgres' | 'mariadb', seedOffset: number): Promise<void> {
  const rand = prng(SEED + seedOffset);
  const dir = mkdtempSync(join(tmpdir(), `outpost-chaos-${kind}-`));
  let server: PrivateServer | null = null;
  if (kind !== 'sqlite') {
    const reason = unavailableReason(kind);
    if (reason) return skipOrFail(t, reason);
    try {
      server = kind === 'postgres' ? await startPrivatePostgres() : await startPrivateMariaDb();
    } catch (e) {
      return skipOrFail(t, `the private ${kind} server could not start here: ${(e as Error).message.split('\n')[0]}`);
    }
    t.after(() => server?.destroy());
  }
  const db = await openDb(kind, { file: join(dir, 'plant.db'), server: server ?? undefined });
  t.after(() => db.close());
  // The adapter must exist in this build (another part of the project provides it).
  try {
    const probe = await createSource(
      kind === 'sqlite' ? { driver: 'sqlite', file: join(dir, 'plant.db'), options: {} } : { ...db.source, password: server!.password },
    );
    await probe.close().catch(() => {});
  } catch (e) {
    return skipOrFail(t, `the ${kind} source adapter is not available: ${(e as Error).message}`);
  }
  for (const table of ['Tickets', 'TicketsDst']) for (const sql of ddl(db, table)) await db.exec(sql);

  const faultSeed = Math.floor(rand() * 1e9);
  const sandbox: SandboxHandle = await startSandbox({
    dbFile: join(dir, 'sandbox.db'),
    accounts: [{ token: TOKEN, accountId: 'chaos', accountName: 'Chaos', environment: 'sandbox' }],
    // c) 503s, 429 + Retry-After, dropped connections, 2xx lost (stored, never answered).
    faults: { errorRate: 0.1, throttleRate: 0.05, retryAfter: '1', dropRate: 0.05, timeoutRate: 0.05, seed: faultSeed },
  });
  t.after(() => sandbox.close());

  const env: NodeJS.ProcessEnv = { CHAOS_TOKEN: TOKEN, CHAOS_DB_PASSWORD: server?.password ?? '', OUTPOST_HTTP_TIMEOUT_MS: '1500' };
  const home = join(dir, 'home');
  const configFile = join(dir, 'outpost.json');
  const main = profileJson(db, sandbox, { name: 'chaos', table: 'Tickets' });
  DaemonProcess.writeConfig(configFile, [main]);
  const daemon = new DaemonProcess(configFile, home, env);
  t.after(() => daemon.kill());
  const nextId = { v: 1 };
  const writers = new Writers(db, 'Tickets', rand, nextId);
  t.after(() => writers.stop().catch(() => {}));
  await writers.seed(300);

  const crashEnv = { OUTPOST_TEST_CRASH_AFTER_ACK: '0.04', OUTPOST_TEST_CRASH_SEED: String(Math.floor(rand() * 1e9)) };
  daemon.start(crashEnv);
  writers.start(2, 40);
  const events: string[] = [];
  const t0 = Date.now();
  let heldDone = false;
  let dbRestarted = kind === 'sqlite';
  let nextKill = t0 + 1500 + rand() * 2500;
  while (Date.now() - t0 < CHAOS_MS) {
    const elapsed = Date.now() - t0;
    // a) kill -9 at random points; the self-kill after 2xx is restarted like a service manager would.
    if (Date.now() > nextKill) {
      await daemon.kill();
      daemon.start(crashEnv);
      nextKill = Date.now() + 1000 + rand() * 3000;
    }
    daemon.keepAlive(crashEnv);
    // d) a transaction writes an earlier timestamp, later rows are delivered, then it commits.
    if (!heldDone && elapsed > 3000) {
      heldDone = true;
      const id = nextId.v++;
      if (kind === 'sqlite') {
        // SQLite has one writer at a time: a row stamped 5 s in the past arriving late is the same case.
        const before = await db.now();
        const delivered = sandbox.stats().deliveries;
        while (sandbox.stats().deliveries < delivered + 50 && Date.now() - t0 < CHAOS_MS) await sleep(50);
        await writers.insert(db, id, writers.ticket(id), before);
      } else {
        const held = await db.open();
        await held.begin();
        await writers.insert(held, id, writers.ticket(id)); // stamped with the transaction's (earlier) time
        const delivered = sandbox.stats().deliveries;
        while (sandbox.stats().deliveries < delivered + 50 && Date.now() - t0 < CHAOS_MS) await sleep(50);
        await held.commit();
        await held.close();
      }
      events.push(`d) late commit of ticket ${id}`);
    }
    // b) crash-stop the database in the middle of reads, then start it again.
    if (!dbRestarted && elapsed > 7000 && server) {
      dbRestarted = true;
      await server.stop('kill');
      await sleep(1500 + rand() * 1000);
      await server.start();
      events.push('b) database crash-stopped and restarted');
    }
    await sleep(50);
  }
  // e) 5,000 rows with one identical timestamp; the daemon is killed inside the group.
  const stamp = await db.now();
  const groupFirst = nextId.v;
  await db.begin();
  for (let i = 0; i < 5000; i++) {
    const id = nextId.v++;
    await writers.insert(db, id, writers.ticket(id), stamp);
  }
  await db.commit();
  const before = sandbox.stats().tickets;
  await waitedFor(() => sandbox.stats().tickets > before + 300 || !daemon.alive(), 60_000);
  await daemon.kill();
  events.push(`e) 5000 rows at ${stamp} (ids ${groupFirst}..${nextId.v - 1}), killed after ${sandbox.stats().tickets - before} arrived`);
  daemon.start(crashEnv);
  const tGroup = Date.now();
  while (Date.now() - tGroup < 4000) {
    daemon.keepAlive(crashEnv);
    await sleep(50);
  }
  await writers.stop();
  await daemon.kill();

  // f) host clock skewed ±10 minutes from the database clock (in-process daemon, fake clock).
  sandbox.setFaults({ errorRate: 0.05, seed: faultSeed + 1 });
  for (const skew of [+600_000, -600_000]) {
    const parsed = parseConfig({ profiles: [main] });
    const d = new Daemon({
      profiles: parsed.profiles,
      home,
      env: { ...process.env, ...env },
      heartbeatMs: 0,
      clock: { now: () => Date.now() + skew },
      httpTimeoutMs: 1500,
    });
    d.start();
    writers.start(2, 40);
    await sleep(2500);
    await writers.stop();
    await waitedFor(
      async () => (await account([{ source: db.source, table: 'Tickets', profile: 'chaos' }], sandbox, env)).lost === 0,
      30_000,
    );
    await d.stop();
    events.push(`f) host clock ${skew > 0 ? '+' : '-'}10 min: caught up`);
  }

  // g) a local-time cursor column crossing the DST fall-back: 01:40 CDT → 01:20 CST on 2026-11-01,
  // simulated at 120× (the engine's clock is the simulated one).
  const simStart = Date.parse('2026-11-01T06:40:00Z');
  const realStart = Date.now();
  const sim = () => simStart + (Date.now() - realStart) * 120;
  const dst = profileJson(db, sandbox, { name: 'chaos-dst', table: 'TicketsDst' });
  const parsedDst = parseConfig({ profiles: [dst] });
  const dd = new Daemon({
    profiles: parsedDst.profiles,
    home: join(dir, 'home-dst'),
    env: { ...process.env, ...env },
    heartbeatMs: 0,
    clock: { now: sim },
    httpTimeoutMs: 1500,
  });
  dd.start();
  const dstWriter = new Writers(db, 'TicketsDst', rand, { v: 1 });
  let dstRows = 0;
  const wdb = await db.open();
  while (sim() < Date.parse('2026-11-01T07:20:00Z')) {
    const at = new Date(sim());
    const local = `${wallClock(at, 'America/Chicago')}.${String(at.getUTCMilliseconds()).padStart(3, '0')}`;
    const id = ++dstRows;
    await dstWriter.insert(wdb, id, dstWriter.ticket(id), local);
    await sleep(30);
  }
  await wdb.close();
  events.push(`g) ${dstRows} rows written in local time across the fall-back hour`);

  // Calm: faults off, a clean daemon (no self-kill) catches up; then the accounting.
  sandbox.setFaults({});
  daemon.start();
  const sources = [
    { source: db.source, table: 'Tickets', profile: 'chaos' },
    { source: db.source, table: 'TicketsDst', profile: 'chaos-dst' },
  ];
  let acc = await account(sources, sandbox, env);
  const tCalm = Date.now();
  while ((acc.lost > 0 || acc.stale > 0) && Date.now() - tCalm < CONVERGE_MS) {
    await sleep(1000);
    acc = await account(sources, sandbox, env);
  }
  await dd.stop();
  await daemon.kill();
  results[kind] = { lost: acc.lost, stale: acc.stale, duplicates: acc.duplicates, rows: acc.rows };
  const st = sandbox.stats();
  console.log(
    `# chaos ${kind}: rows=${acc.rows} lost=${acc.lost} stale=${acc.stale} duplicate deliveries=${acc.duplicates} ` +
      `(kills=${daemon.kills} starts=${daemon.starts} inserted=${writers.inserted} updated=${writers.updated} writerErrors=${writers.errors} ` +
      `batches=${st.batches} replays=${st.replays} staleRefused=${st.staleRefused})`,
  );
  for (const e of events) console.log(`#   ${e}`);
  if (acc.examples.length) console.log(`#   examples: ${acc.examples.join('; ')}`);
  if (acc.lost || acc.stale)
    console.log(
      `#   daemon log tail:\n${daemon.log
        .split('\n')
        .slice(-30)
        .map((l) => '#     ' + l)
        .join('\n')}`,
    );
  assert.equal(acc.lost, 0, `${kind}: lost tickets (seed ${SEED})`);
  assert.equal(acc.stale, 0, `${kind}: stale tickets (seed ${SEED})`);
  rmSync(dir, { recursive: true, force: true });
}

test('chaos: SQLite — kills, API faults, late commits, a 5,000-row timestamp group, clock skew, DST', { timeout: 300_000 }, (t) =>
  chaos(t, 'sqlite', 1),
);
test('chaos: private PostgreSQL — the same, plus a database crash mid-read', { timeout: 300_000 }, (t) => chaos(t, 'postgres', 2));
test('chaos: private MariaDB — the same, plus a database crash mid-read', { timeout: 300_000 }, (t) => chaos(t, 'mariadb', 3));

test('chaos: summary', () => {
  for (const [kind, r] of Object.entries(results))
    console.log(`# chaos summary ${kind}: lost=${r.lost} stale=${r.stale} duplicate deliveries=${r.duplicates} rows=${r.rows}`);
});

void ({} as Db);
