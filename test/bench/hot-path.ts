// The daemon's work per ticket, for comparing two builds (not part of npm test):
//   node dist/test/bench/hot-path.js [--rows 100000] [--runs 8] [--against ../other-checkout]
// A full `npm run bench` run differs from the next by about ±10 % on a shared 2-core machine, too
// much to see a change of a few per cent. This runs only the hot path — one startup pass
// (`runPass`, core/engine/pipeline.ts) over the bench's ticket table in a private PostgreSQL, into
// the bench's in-memory receiver — in a fresh child process per run, with the daemon's own Node
// flags and environment, and reports the main thread's busy time per ticket (event-loop
// utilisation: what bounds the backfill), the process's CPU per ticket and its young/full GCs.
// With --against, each run is paired with a run of the other checkout's built `dist` (build it
// first), alternating, and the mean of the pairwise ratios is printed.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import { freePort, privateSource, startPrivatePostgres } from '../helpers/private-db.js';
import { loadTicketsTable } from './tickets-table.js';

const SELF = fileURLToPath(import.meta.url);
/** This checkout: dist/test/bench/hot-path.js → the folder holding dist/. */
const HERE = resolve(SELF, '../../../..');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

interface RunFigures {
  tickets: number;
  /** Main-thread busy time per ticket, µs (event-loop utilisation: includes waiting for a core). */
  mainUs: number;
  /** The main thread's own CPU time per ticket, µs (Linux; null elsewhere): what another process's load does not move. */
  threadUs: number | null;
  /** Process CPU (user + system, every thread) per ticket, µs. */
  cpuUs: number;
  wallUs: number;
  minorGcs: number;
  minorGcMs: number;
  majorGcs: number;
  majorGcMs: number;
}

/** CPU time (user + system) of this process's main thread so far in µs, from /proc (Linux), else null. */
function mainThreadCpuUs(): number | null {
  try {
    // Fields after the command name: state is field 3, utime 14 and stime 15, in clock ticks (100 a second).
    const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10_000;
  } catch {
    return null;
  }
}

/** Child: one pass with the modules of the checkout at `root` (its dist/), figures as one JSON line. */
async function child(root: string): Promise<void> {
  const mod = (p: string) => import(pathToFileURL(join(root, 'dist', p)).href);
  const { parseConfig } = await mod('core/config/load.js');
  const { createSource } = await mod('core/sources/index.js');
  const { createChangeReader } = await mod('core/change/index.js');
  const { createMapper } = await mod('core/mapping/index.js');
  const { StateStore } = await mod('core/state/store.js');
  const { ApiClient } = await mod('core/delivery/client.js');
  const { runPass } = await mod('core/engine/pipeline.js');
  const { DEMO_FIELDS } = await mod('core/demo/environment.js');
  const env = process.env;
  const profile = parseConfig({
    profiles: [
      {
        name: 'bench',
        api: { url: env.HOTPATH_URL, token: 'env:HOTPATH_TOKEN' },
        source: JSON.parse(env.HOTPATH_SOURCE!),
        table: 'Tickets',
        key: ['TicketID'],
        change: { mode: 'timestamp', column: 'LastModified', lookbackSeconds: 300, timezone: 'America/Chicago' },
        mapping: { template: 'generic-scale-ticket', fields: DEMO_FIELDS },
        schedule: { every: '1s' },
        batchSize: 500,
      },
    ],
  }).profiles[0];
  const dir = mkdtempSync(join(tmpdir(), 'outpost-hot-path-'));
  const store = new StateStore(join(dir, 'state.db'));
  const source = await createSource(profile.source);
  await source.connect();
  const gc = { minor: 0, minorMs: 0, major: 0, majorMs: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const minor = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR;
      if (minor) {
        gc.minor++;
        gc.minorMs += e.duration;
      } else {
        gc.major++;
        gc.majorMs += e.duration;
      }
    }
  }).observe({ entryTypes: ['gc'] });
  const PROGRESS_READ_MS: number = (await mod('core/engine/runner.js')).PROGRESS_READ_MS ?? 250;
  let progressAt = -Infinity;
  const deps = {
    profile,
    store,
    source,
    reader: createChangeReader(profile, {}),
    mapper: createMapper({ template: profile.mapping.template, fields: profile.mapping.fields, timezone: 'America/Chicago' }),
    api: new ApiClient({ url: env.HOTPATH_URL!, token: env.HOTPATH_TOKEN!, userAgent: 'outpost-hot-path' }),
    connector: { id: 'hot-path', version: '0', profile: 'bench' },
    onState() {},
    // What the runner's progress report reads (core/engine/runner.ts), as often: at most every
    // PROGRESS_READ_MS.
    onProgress() {
      const now = performance.now();
      if (now - progressAt < PROGRESS_READ_MS) return;
      progressAt = now;
      store.stats('bench');
      store.parked('bench');
    },
    signal: new AbortController().signal,
  };
  const t0cpu = mainThreadCpuUs();
  const c0 = process.cpuUsage();
  const e0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  const s = (await runPass(deps, 'startup')) as { created: number };
  const wall = performance.now() - t0;
  const e = performance.eventLoopUtilization(e0);
  const c = process.cpuUsage(c0);
  await new Promise((r) => setTimeout(r, 50)); // the last GC entries
  const n = Math.max(1, s.created);
  const out: RunFigures = {
    tickets: s.created,
    mainUs: (e.active * 1000) / n,
    threadUs: t0cpu === null ? null : (mainThreadCpuUs()! - t0cpu) / n,
    cpuUs: (c.user + c.system) / n,
    wallUs: (wall * 1000) / n,
    minorGcs: gc.minor,
    minorGcMs: gc.minorMs,
    majorGcs: gc.major,
    majorGcMs: gc.majorMs,
  };
  await source.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify(out) + '\n');
}

/** The daemon's Node flags and environment as the build at `root` sets them (core/engine/runtime.ts). */
async function daemonRuntime(root: string): Promise<{ flags: string[]; env: Record<string, string> }> {
  const rt = (await import(pathToFileURL(join(root, 'dist/core/engine/runtime.js')).href)) as {
    DAEMON_NODE_FLAGS: string[];
    DAEMON_ENV: Record<string, string>;
  };
  return { flags: rt.DAEMON_NODE_FLAGS, env: rt.DAEMON_ENV };
}

async function runChild(root: string, env: NodeJS.ProcessEnv): Promise<RunFigures> {
  // Each build runs with its own daemon flags, so a change of them is compared too.
  const rt = await daemonRuntime(root);
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, [...rt.flags, SELF, '--child', root], {
      env: { ...process.env, ...rt.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('exit', (code) => {
      try {
        if (code !== 0) throw new Error(`the run with ${root} exited with ${code}`);
        done(JSON.parse(out.trim().split('\n').pop()!) as RunFigures);
      } catch (e) {
        fail(e);
      }
    });
  });
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const thread = (fs: RunFigures[]) =>
  fs.every((f) => typeof f.threadUs === 'number')
    ? `, main thread CPU ${mean(fs.map((f) => f.threadUs!)).toFixed(2)} µs (runs ${fs.map((f) => f.threadUs!.toFixed(1)).join(', ')})`
    : '';

async function main(): Promise<void> {
  const rows = Number(arg('rows') ?? 100_000);
  const runs = Number(arg('runs') ?? 8);
  const against = arg('against') ? resolve(arg('against')!) : null;
  if (against && !existsSync(join(against, 'dist/core/engine/pipeline.js'))) {
    throw new Error(`${against} has no built dist/ (run "npm run build" there first)`);
  }
  const roots = against ? [against, HERE] : [HERE];
  const server = await startPrivatePostgres();
  const tokens = Array.from({ length: runs * roots.length }, (_, i) => `hot-path-${i}`);
  const port = await freePort();
  const receiver = spawn(
    process.execPath,
    [join(HERE, 'dist/test/bench/receiver.js'), '--port', String(port), '--token', tokens.join(',')],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    await loadTicketsTable(server, rows);
    await new Promise((r) => receiver.stdout.once('data', r));
    const figures = new Map<string, RunFigures[]>(roots.map((r) => [r, []]));
    let t = 0;
    for (let i = 0; i < runs; i++) {
      for (const root of roots) {
        // Each run posts into an account of its own, so every run creates its tickets.
        const f = await runChild(root, {
          HOTPATH_URL: `http://127.0.0.1:${port}`,
          HOTPATH_TOKEN: tokens[t++],
          HOTPATH_SOURCE: JSON.stringify(privateSource(server)),
        });
        if (f.tickets !== rows) throw new Error(`a run delivered ${f.tickets} of ${rows} tickets`);
        figures.get(root)!.push(f);
        process.stderr.write(
          `[hot-path] ${root === HERE ? 'this' : 'other'}: main ${f.mainUs.toFixed(1)} µs busy${f.threadUs === null ? '' : `, ${f.threadUs.toFixed(1)} µs CPU`}, process cpu ${f.cpuUs.toFixed(1)} µs a ticket; ` +
            `GCs ${f.minorGcs} young (${Math.round(f.minorGcMs)} ms), ${f.majorGcs} full (${Math.round(f.majorGcMs)} ms)\n`,
        );
      }
    }
    for (const root of roots) {
      const fs = figures.get(root)!;
      console.log(
        `${root === HERE ? 'this checkout' : against}: ${rows} tickets × ${runs} runs; main thread ${mean(fs.map((f) => f.mainUs)).toFixed(2)} µs ` +
          `a ticket busy (runs ${fs.map((f) => f.mainUs.toFixed(1)).join(', ')})${thread(fs)}, process CPU ${mean(fs.map((f) => f.cpuUs)).toFixed(2)} µs, ` +
          `young GCs ${mean(fs.map((f) => f.minorGcs)).toFixed(0)} (${mean(fs.map((f) => f.minorGcMs)).toFixed(0)} ms), ` +
          `full GCs ${mean(fs.map((f) => f.majorGcs)).toFixed(0)} (${mean(fs.map((f) => f.majorGcMs)).toFixed(0)} ms)`,
      );
    }
    if (against) {
      const a = figures.get(against)!;
      const b = figures.get(HERE)!;
      const pairs = (of: (f: RunFigures) => number | null, what: string) => {
        if (a.some((f) => of(f) === null) || b.some((f) => of(f) === null)) return;
        const ratios = b.map((f, i) => of(f)! / of(a[i])!);
        console.log(`this / other, ${what} per ticket: ${mean(ratios).toFixed(3)} (pairs: ${ratios.map((r) => r.toFixed(2)).join(', ')})`);
      };
      pairs((f) => f.mainUs, 'main thread busy time');
      // On a machine with other work, busy time includes waiting for a core; the thread's CPU does not.
      pairs((f) => f.threadUs ?? null, 'main thread CPU');
    }
  } finally {
    receiver.kill();
    await server.destroy();
  }
}

if (process.argv.includes('--help')) {
  console.log(`usage: node dist/test/bench/hot-path.js [--rows 100000] [--runs 8] [--against DIR]
  One startup pass over --rows tickets per run, --runs times, in a fresh process each; with --against,
  alternated with the checkout in DIR (its dist/ built) and compared. Needs PostgreSQL's initdb/pg_ctl.`);
} else if (process.argv.includes('--child')) {
  child(process.argv[process.argv.indexOf('--child') + 1]).catch((e) => {
    console.error(`hot-path run failed: ${(e as Error).stack ?? e}`);
    process.exit(1);
  });
} else {
  main().catch((e) => {
    console.error(`hot-path failed: ${(e as Error).stack ?? e}`);
    process.exit(1);
  });
}
