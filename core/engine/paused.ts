// Which profiles are paused, kept in <home>/run/paused.json so a pause survives a daemon restart
// (a schedule cancelled stays cancelled until someone resumes it). Written by the daemon when it
// pauses or resumes; read once at start. Small on purpose: a list of names and since-when.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PausedProfiles {
  /** Profile name → ISO time it was paused. */
  [profile: string]: string;
}

export function pausedFile(home: string): string {
  return join(home, 'run', 'paused.json');
}

export function readPaused(home: string): PausedProfiles {
  try {
    const v = JSON.parse(readFileSync(pausedFile(home), 'utf8')) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
    const out: PausedProfiles = {};
    for (const [k, at] of Object.entries(v)) if (typeof at === 'string') out[k] = at;
    return out;
  } catch {
    return {};
  }
}

/** Marks a profile paused (with its time) or not; durable before it returns. */
export function setPaused(home: string, profile: string, pausedAt: string | null): void {
  const all = readPaused(home);
  if (pausedAt) all[profile] = all[profile] ?? pausedAt;
  else delete all[profile];
  const file = pausedFile(home);
  mkdirSync(join(file, '..'), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(all, null, 2) + '\n');
  renameSync(tmp, file);
}
