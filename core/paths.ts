// Where Outpost keeps its files. One explicit folder (OUTPOST_HOME, else a per-OS default) so a
// service account and the installer see the same state — never a library's per-user default.
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { homedir, platform } from 'node:os';
import { join } from 'node:path';

export function outpostHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OUTPOST_HOME) return env.OUTPOST_HOME;
  switch (platform()) {
    case 'win32':
      return join(env.PROGRAMDATA ?? join(homedir(), 'AppData', 'Local'), 'Outpost');
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', 'Outpost');
    default:
      return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'outpost');
  }
}

export interface HomePaths {
  home: string;
  config: string;
  state: string;
  runDir: string;
  daemonInfo: string;
  lock: string;
  logs: string;
}

export function homePaths(home: string): HomePaths {
  return {
    home,
    config: join(home, 'outpost.json'),
    state: join(home, 'state.db'),
    runDir: join(home, 'run'),
    daemonInfo: join(home, 'run', 'daemon.json'),
    lock: join(home, 'run', 'daemon.lock'),
    logs: join(home, 'logs'),
  };
}

/** A folder only its owner can enter (0700), created when missing and tightened when it exists. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') {
    try {
      chmodSync(dir, 0o700);
    } catch {
      /* not ours: left as it is */
    }
  }
}

/**
 * Makes the home folder private: folders 0700, files 0600, for everything in it this account owns
 * (a home created by an older release was 0755 with 0644 files). Symbolic links are not followed.
 * On Windows modes mean little; `outpost service install` sets an ACL instead (windowsAclCommand).
 */
export function securePermissions(home: string): void {
  if (process.platform === 'win32') return;
  ensurePrivateDir(home);
  const uid = process.getuid?.();
  const walk = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(dir, name);
      try {
        const st = lstatSync(p);
        if (st.isSymbolicLink() || (uid !== undefined && st.uid !== uid)) continue;
        if (st.isDirectory()) {
          if ((st.mode & 0o777) !== 0o700) chmodSync(p, 0o700);
          if (depth < 4) walk(p, depth + 1);
        } else if (st.isFile() && (st.mode & 0o077) !== 0) chmodSync(p, 0o600);
      } catch {
        /* vanished or not ours */
      }
    }
  };
  walk(home, 0);
}

/** Windows: the ACL for the home folder — SYSTEM, Administrators and the given account only. */
export function windowsAclCommand(home: string, account: string): string[] {
  return [
    'icacls',
    home,
    '/inheritance:r',
    '/grant:r',
    '*S-1-5-18:(OI)(CI)F',
    '/grant:r',
    '*S-1-5-32-544:(OI)(CI)F',
    '/grant:r',
    `${account}:(OI)(CI)F`,
    '/T',
    '/Q',
  ];
}
