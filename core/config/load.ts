// Reading and writing the config file. Errors name the path of the bad key and say what to do.
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { formatIssues, type IssueLine } from '../zod-issues.js';
import { configSchema, type Config, type Profile } from './schema.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function issueLine(issue: z.core.$ZodIssue): IssueLine {
  if (issue.code === 'unrecognized_keys') return { path: issue.path, keys: issue.keys, message: 'unknown key; remove it or check its spelling' };
  return { path: issue.path, message: issue.message };
}

export function parseConfig(data: unknown, source = 'config'): Config {
  const r = configSchema.safeParse(data);
  if (!r.success) {
    const lines = formatIssues(r.error.issues.map(issueLine), { max: 10, root: '(top level)', more: () => '' });
    throw new ConfigError(`The ${source} has ${r.error.issues.length === 1 ? 'a problem' : 'problems'}: ${lines}.`);
  }
  return r.data;
}

export function loadConfig(file: string): Config {
  if (!existsSync(file)) throw new ConfigError(`There is no config file at ${file}; run "outpost setup" or pass --config FILE.`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`The config file ${file} cannot be read (${(e as NodeJS.ErrnoException).code}); check its permissions.`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`The config file ${file} is not valid JSON (${(e as Error).message}); fix it or run "outpost setup" again.`);
  }
  return parseConfig(data, `config file ${file}`);
}

/** Atomic write (temp file + rename) so a crash never leaves half a config. Mode 0600: it may hold secrets. */
export function saveConfig(file: string, config: Config): void {
  const valid = parseConfig(config);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(valid, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}

/** Insert or replace one profile by name. */
export function upsertProfile(file: string, profile: Profile): Config {
  const config: Config = existsSync(file) ? loadConfig(file) : { profiles: [] };
  const profiles = config.profiles.filter((p) => p.name !== profile.name);
  profiles.push(profile);
  const next = { profiles };
  saveConfig(file, next);
  return next;
}

export function pickProfiles(config: Config, name?: string): Profile[] {
  if (!name) return config.profiles.filter((p) => p.enabled);
  const p = config.profiles.find((x) => x.name === name);
  if (!p) throw new ConfigError(`There is no profile "${name}"; the config has: ${config.profiles.map((x) => x.name).join(', ') || 'none'}.`);
  return [p];
}
