// Resolving the home folder, the config file and profiles the same way in every command.
import { resolve } from 'node:path';
import type { Config, Profile } from '../core/config/schema.js';
import { homePaths, outpostHome } from '../core/paths.js';

export interface CommonOptions {
  config?: string;
  profile?: string;
}

export function home(): string {
  return resolve(outpostHome());
}

/**
 * The home a command that looks at a running install (status, dashboard, review, sync, pause,
 * resume, stop) uses: the chosen one (--home / OUTPOST_HOME), else the default one, else — when
 * only the demo has a config or a running daemon — the demo's home (`npm start`), said on stderr.
 * Later calls to home() and configFile() follow it.
 */
export async function observedHome(): Promise<string> {
  if (process.env.OUTPOST_HOME) return home();
  const { findHome } = await import('../core/demo/home.js');
  const found = findHome(home());
  if (found.demo) {
    process.env.OUTPOST_HOME = found.home;
    process.stderr.write(`Using the demo's home folder ${found.home} (pass --home to choose another).\n`);
  }
  return home();
}

export function configFile(opts: CommonOptions): string {
  return opts.config ? resolve(opts.config) : homePaths(home()).config;
}

/** Loads the config (zod is imported here, lazily, to keep `outpost --version` fast). */
export async function loadProfiles(opts: CommonOptions): Promise<{ file: string; config: Config; profiles: Profile[] }> {
  const { loadConfig, pickProfiles } = await import('../core/config/load.js');
  const file = configFile(opts);
  const config = loadConfig(file);
  const profiles = pickProfiles(config, opts.profile);
  if (profiles.length === 0) throw new Error(`The config file ${file} has no enabled profile; run "outpost setup" or enable one.`);
  return { file, config, profiles };
}
