// Files a running daemon leaves in <home>/run so other commands (status, stop, dashboard) can find
// it: daemon.json (pid, dashboard address — no secret), dashboard.json (the launch URL with the
// per-launch secret), status.json (the latest status snapshot). Every file 0600, the folder 0700.
// A daemon is identified by pid *and* process start time (lock.ts), so a file left by a killed
// daemon whose pid now belongs to another process is not mistaken for a running daemon.
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, isSameProcess, ownStart } from './lock.js';
import type { StatusSnapshot } from './status.js';

/**
 * Node flags of a daemon process. `outpost run` re-executes itself with them when started without
 * them (cli/launcher.ts), and Outpost's own launchers (start, service, demo, setup) pass them, so
 * memory stays bounded however the daemon is started. A capped young generation keeps the resident
 * memory of a long backfill under 200 MB instead of ~350 MB on a machine with lots of RAM; a fixed
 * old-generation growing factor of 2 (V8 picks up to 4 for a small heap that collects fast) lets the
 * old space reach twice the live heap (~25 MB during a backfill) before a full GC instead of ~70 MB.
 * The semi-space size trades CPU for peak memory: interleaved `npm run bench` runs at 200,000 rows
 * measured 4 MiB at 88–95 µs of daemon CPU per ticket and a 164–168 MB peak, 8 MiB at 59–79 µs and
 * 178–180 MB, 16 MiB at 58 µs and 188 MB (196 MB at 1,000,000 rows, too close to the goal); a page
 * of 500 rows and its mapping fit the 8 MiB young generation, so fewer of them are copied and
 * promoted. `--optimize-for-size` cost 65 % more CPU. No allocation-site pretenuring: during a
 * backfill V8 learns that the objects made by mapping and row parsing survive (a page lives while
 * the next one is read) and from then on allocates them straight in the old generation, for good;
 * after the backfill each 1 s poll's mapped rows went there as garbage, which no GC collects before
 * the old generation has doubled (README, Memory: its growth while polling halved without it).
 */
export const DAEMON_NODE_FLAGS = ['--max-semi-space-size=8', '--heap-growing-percent=100', '--no-allocation-site-pretenuring'];

/**
 * Environment of a daemon process (set by the same re-exec): glibc's malloc keeps up to 8 arenas per
 * core and rarely returns their memory; two are plenty for one event loop and a few driver threads.
 * glibc also raises its mmap threshold (up to 32 MiB) each time a large block is freed, after which
 * large buffers (socket reads, batch bodies) come from the main heap and leave it fragmented at its
 * high-water mark; fixed at glibc's starting value (128 KiB) they keep their own mappings and go
 * back to the system when freed (measured: idle RSS after a backfill ~4–5 MB lower).
 */
export const DAEMON_ENV: Record<string, string> =
  process.platform === 'linux' ? { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' } : {};

/** How long a stop lets the batch in flight finish by default (OUTPOST_STOP_GRACE_MS overrides). */
export const DEFAULT_STOP_GRACE_MS = 15_000;

export function stopGraceMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.OUTPOST_STOP_GRACE_MS;
  return v !== undefined && v !== '' && Number(v) >= 0 ? Number(v) : DEFAULT_STOP_GRACE_MS;
}

export interface DaemonInfo {
  pid: number;
  /** The process start token (lock.ts processStart); absent in files of older releases. */
  start?: string | null;
  startedAt: string;
  version: string;
  configFile: string;
  dashboardUrl: string | null;
  profiles: string[];
}

function runDir(home: string): string {
  return join(home, 'run');
}

/** Temp file + rename, 0600. Throws the write error (ENOSPC…): callers decide what it means. */
function writeAtomic(file: string, text: string): void {
  mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

function mtime(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** Whether a process with this pid exists (EPERM: it does, under another user). */
/** Is a process with this pid alive (or owned by another account)? One definition: lock.ts. */
export { isAlive };

export function writeDaemonInfo(home: string, info: DaemonInfo, launchUrl: string | null): void {
  const start = info.start ?? (info.pid === process.pid ? ownStart() : null);
  writeAtomic(join(runDir(home), 'daemon.json'), JSON.stringify({ ...info, start }, null, 2));
  if (launchUrl) writeAtomic(join(runDir(home), 'dashboard.json'), JSON.stringify({ pid: info.pid, start, launchUrl }));
}

/** The running daemon's info, or null when none runs (a file left by a killed one is ignored). */
export function readDaemonInfo(home: string): DaemonInfo | null {
  const file = join(runDir(home), 'daemon.json');
  const info = readJson<DaemonInfo>(file);
  return info && isSameProcess(info.pid, info.start, mtime(file)) ? info : null;
}

export function readLaunchUrl(home: string): string | null {
  const file = join(runDir(home), 'dashboard.json');
  const d = readJson<{ pid: number; start?: string | null; launchUrl: string }>(file);
  return d && isSameProcess(d.pid, d.start, mtime(file)) ? d.launchUrl : null;
}

export function writeStatus(home: string, s: StatusSnapshot): void {
  writeAtomic(join(runDir(home), 'status.json'), JSON.stringify(s));
}

export function readStatus(home: string): StatusSnapshot | null {
  return readJson<StatusSnapshot>(join(runDir(home), 'status.json'));
}

export function clearRuntime(home: string, pid: number): void {
  const info = readJson<DaemonInfo>(join(runDir(home), 'daemon.json'));
  if (info && info.pid !== pid) return;
  for (const f of ['daemon.json', 'dashboard.json']) rmSync(join(runDir(home), f), { force: true });
}
