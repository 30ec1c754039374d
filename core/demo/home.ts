// Finding the home folder a command should look at when none was chosen. `npm start` runs the demo
// in <home>/demo (its own config, state and daemon), so a plain `outpost status`, `dashboard` or
// `review` typed in the same shell would otherwise look at the empty <home> and say the daemon is
// not running. An explicit choice (OUTPOST_HOME or --home) always wins.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readDaemonInfo } from '../engine/runtime.js';
import { homePaths } from '../paths.js';

export interface FoundHome {
  home: string;
  /** Set when the demo's home was chosen instead of the default one: say so. */
  demo: boolean;
}

/** `base` is the default home; `<base>/demo` is the demo's. */
export function findHome(base: string): FoundHome {
  const demo = join(base, 'demo');
  if (readDaemonInfo(base)) return { home: base, demo: false };
  if (readDaemonInfo(demo)) return { home: demo, demo: true };
  if (existsSync(homePaths(base).config) || existsSync(homePaths(base).state)) return { home: base, demo: false };
  if (existsSync(homePaths(demo).config)) return { home: demo, demo: true };
  return { home: base, demo: false };
}
