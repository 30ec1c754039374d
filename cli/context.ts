// Resolving the home folder, the config file and profiles the same way in every command.
import { resolve } from 'node:path';
import { loadConfig, pickProfiles } from '../core/config/load.js';
import type { Config, Profile } from '../core/config/schema.js';
import { homePaths, outpostHome } from '../core/paths.js';

export interface CommonOptions {
  config?: string;
  profile?: string;
}

export function home(): string {
  return resolve(outpostHome());
}

export function configFile(opts: CommonOptions): string {
  return opts.config ? resolve(opts.config) : homePaths(home()).config;
}

export function loadProfiles(opts: CommonOptions): { file: string; config: Config; profiles: Profile[] } {
  const file = configFile(opts);
  const config = loadConfig(file);
  const profiles = pickProfiles(config, opts.profile);
  if (profiles.length === 0) throw new Error(`The config file ${file} has no enabled profile; run "outpost setup" or enable one.`);
  return { file, config, profiles };
}
