// One daemon per state folder: a lock file holding the owner's pid and the owner's process start
// time. A pid alone is not an identity: after a reboot (or long enough) the pid in a stale lock can
// belong to any unrelated live process. The lock's owner is the process with that pid *and* that
// start time; a lock whose pid is gone, or now names a process that started later, is stale and
// taken over. A lock written by an older release holds only a pid: it is stale when that process
// started after the lock file was written (it cannot have written it).
//
// Start times: Linux reads /proc/PID/stat (clock ticks since boot — exact), macOS/BSD ask `ps`;
// where neither exists (Windows) the pid alone is used, as before.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export class LockHeldError extends Error {
  constructor(
    readonly pid: number,
    file: string,
  ) {
    super(
      `Another Outpost daemon (pid ${pid}) is already running on this state folder (${dirname(dirname(file))}); stop it with "outpost stop" first.`,
    );
    this.name = 'LockHeldError';
  }
}

/** Is a process with this pid alive (or owned by another account)? */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let bootTime: number | null | undefined;
function linuxBootTime(): number | null {
  if (bootTime !== undefined) return bootTime;
  try {
    const m = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    bootTime = m ? Number(m[1]) : null;
  } catch {
    bootTime = null;
  }
  return bootTime;
}

/**
 * A process's start, as an opaque token (equal tokens = the same process) and as epoch ms when
 * known; null when the process does not exist or the OS gives no start time.
 */
export function processStart(pid: number): { token: string; epochMs: number | null } | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name (field 2) may hold spaces and parentheses: fields count from the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = fields[19]; // field 22, starttime
      if (!ticks) return null;
      const boot = linuxBootTime();
      // USER_HZ is 100 on every Linux Node runs on.
      return { token: `linux:${ticks}`, epochMs: boot === null ? null : boot * 1000 + Number(ticks) * 10 };
    } catch {
      return null;
    }
  }
  if (process.platform === 'win32') return null;
  try {
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    }).trim();
    const ms = Date.parse(out);
    return out ? { token: `ps:${out}`, epochMs: Number.isNaN(ms) ? null : ms } : null;
  } catch {
    return null;
  }
}

/** The current process's start token (null where the OS gives none). */
export function ownStart(): string | null {
  return processStart(process.pid)?.token ?? null;
}

/**
 * Is the process that wrote a record (pid + start token) still running? With no start token
 * (an older record, or an OS without start times) `writtenAt` (ms) rules out a pid reused later.
 */
export function isSameProcess(pid: number, start: string | null | undefined, writtenAt?: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return false;
  const now = processStart(pid);
  if (!now) return true; // nothing more to check here (Windows): a live pid counts
  if (start) return now.token === start;
  // 2 s of slack for clock granularity: the owner starts, then writes.
  if (writtenAt !== undefined && now.epochMs !== null) return now.epochMs <= writtenAt + 2000;
  return true;
}

interface LockBody {
  pid: number;
  start: string | null;
}

function readLock(file: string): { body: LockBody | null; mtimeMs: number } {
  const text = readFileSync(file, 'utf8').trim();
  const mtimeMs = statSync(file).mtimeMs;
  if (/^\d+$/.test(text)) return { body: { pid: Number(text), start: null }, mtimeMs }; // an older release's lock
  try {
    const j = JSON.parse(text) as Partial<LockBody>;
    if (typeof j.pid === 'number') return { body: { pid: j.pid, start: typeof j.start === 'string' ? j.start : null }, mtimeMs };
  } catch {
    /* torn or foreign: stale */
  }
  return { body: null, mtimeMs };
}

/** The live owner of a lock file, or null when the lock is missing or stale. */
export function lockOwner(file: string): number | null {
  try {
    const { body, mtimeMs } = readLock(file);
    return body && isSameProcess(body.pid, body.start, mtimeMs) ? body.pid : null;
  } catch {
    return null;
  }
}

export function acquireLock(file: string): () => void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const mine = JSON.stringify({ pid: process.pid, start: ownStart() });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, mine);
      } finally {
        closeSync(fd);
      }
      return () => {
        try {
          if (readFileSync(file, 'utf8').trim() === mine) rmSync(file);
        } catch {
          /* already gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = lockOwner(file);
      if (owner !== null && owner !== process.pid) throw new LockHeldError(owner, file);
      rmSync(file, { force: true }); // stale: its owner is gone (or the pid now names another process)
    }
  }
  throw new Error(`Could not take the lock ${file}; remove it if no Outpost daemon is running.`);
}
