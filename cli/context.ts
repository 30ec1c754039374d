// Resolving the home folder, the config file and profiles the same way in every command.
import { resolve } from 'node:path';
import type { Config, Profile } from '../core/config/schema.js';
import type { ControlReply, ControlRequest } from '../core/engine/control.js';
import type { StateStore } from '../core/state/store.js';
import { homePaths, outpostHome } from '../core/paths.js';
import { EXIT, fail } from './output.js';

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

export interface LoadedProfiles {
  file: string;
  config: Config;
  profiles: Profile[];
}

/** Loads the config (zod is imported here, lazily, to keep `outpost --version` fast). */
export async function loadProfiles(opts: CommonOptions): Promise<LoadedProfiles> {
  const { loadConfig, pickProfiles } = await import('../core/config/load.js');
  const file = configFile(opts);
  const config = loadConfig(file);
  const profiles = pickProfiles(config, opts.profile);
  if (profiles.length === 0) throw new Error(`The config file ${file} has no enabled profile; run "outpost setup" or enable one.`);
  return { file, config, profiles };
}

/** loadProfiles for a command: a config it cannot use (missing, invalid, no such profile) is bad usage, exit 2. */
export async function profilesOrExit(opts: CommonOptions): Promise<LoadedProfiles> {
  try {
    return await loadProfiles(opts);
  } catch (e) {
    fail((e as Error).message, EXIT.usage);
  }
}

/** The whole config file, whatever its profiles; one it cannot read or parse is bad usage, exit 2. */
export async function configOrExit(file: string): Promise<Config> {
  const { loadConfig } = await import('../core/config/load.js');
  try {
    return loadConfig(file);
  } catch (e) {
    fail((e as Error).message, EXIT.usage);
  }
}

/** The profile a command names (`profiles show <name>`…) and its config; no such profile is bad usage, exit 2. */
export async function namedProfileOrExit(file: string, name: string): Promise<{ config: Config; profile: Profile }> {
  const config = await configOrExit(file);
  const { pickProfiles } = await import('../core/config/load.js');
  try {
    return { config, profile: pickProfiles(config, name)[0] };
  } catch (e) {
    fail((e as Error).message, EXIT.usage);
  }
}

/**
 * Asks the running daemon (so two processes never work on the same state): its reply, or null when
 * no daemon runs. A daemon that runs but does not answer ends the command (exit 1).
 */
export async function askDaemon(dir: string, req: ControlRequest, timeoutMs?: number): Promise<ControlReply | null> {
  const { readDaemonInfo } = await import('../core/engine/runtime.js');
  if (!readDaemonInfo(dir)) return null;
  const { sendControl } = await import('../core/engine/control.js');
  try {
    return await sendControl(dir, req, timeoutMs);
  } catch (e) {
    fail(
      `The daemon is running but its control channel does not answer (${(e as Error).message}); try "outpost stop" then "outpost start".`,
    );
  }
}

/** The home's state database, open for `use` and closed after it, also when it throws. */
export async function withStateStore<T>(dir: string, use: (store: StateStore) => T | Promise<T>): Promise<T> {
  const { StateStore } = await import('../core/state/store.js');
  const store = new StateStore(homePaths(dir).state);
  try {
    return await use(store);
  } finally {
    store.close();
  }
}
