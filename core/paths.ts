// Where Outpost keeps its files. One explicit folder (OUTPOST_HOME, else a per-OS default) so a
// service account and the installer see the same state — never a library's per-user default.
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
