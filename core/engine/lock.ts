// One daemon per state folder: a lock file holding the owner's pid. A lock left by a process that no
// longer exists (kill -9, power cut) is taken over; a live owner makes the second daemon refuse.
import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';
import { isAlive } from './runtime.js';

export class LockHeldError extends Error {
  constructor(readonly pid: number, file: string) {
    super(`Another Outpost daemon (pid ${pid}) is already running on this state folder (${dirname(dirname(file))}); stop it with "outpost stop" first.`);
    this.name = 'LockHeldError';
  }
}

export function acquireLock(file: string): () => void {
  mkdirSync(dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file);
        } catch {
          /* already gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (pid && pid !== process.pid && isAlive(pid)) throw new LockHeldError(pid, file);
      rmSync(file, { force: true }); // stale: its owner is gone
    }
  }
  throw new Error(`Could not take the lock ${file}; remove it if no Outpost daemon is running.`);
}
