// Reading and writing the config file. Errors name the path of the bad key and say what to do.
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { formatIssues, type IssueLine } from '../zod-issues.js';
import { CONFIG_VERSION, configSchema, type Config, type ConfigInput, type Profile } from './schema.js';
import { ConfigVersionError, migrateConfig } from './migrate.js';
import { useSecretsFileFor } from './secrets.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function issueLine(issue: z.core.$ZodIssue): IssueLine {
  if (issue.code === 'unrecognized_keys')
    return { path: issue.path, keys: issue.keys, message: 'unknown key; remove it or check its spelling' };
  return { path: issue.path, message: issue.message };
}

export function parseConfig(data: unknown, source = 'config'): Config {
  let migrated: unknown;
  try {
    migrated = migrateConfig(data).data;
  } catch (e) {
    if (e instanceof ConfigVersionError) throw new ConfigError(`The ${source} has a problem: ${e.message}.`);
    throw e;
  }
  const r = configSchema.safeParse(migrated);
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
  } catch {
    // Never the parser's message: it quotes the text around the error, which may be a secret.
    const { line, column } = jsonErrorAt(text);
    throw new ConfigError(
      `The config file ${file} is not valid JSON (at line ${line}, column ${column}); fix it or run "outpost setup" again.`,
    );
  }
  const config = parseConfig(data, `config file ${file}`);
  // secret:NAME references in this config resolve from the secrets file beside it.
  useSecretsFileFor(file);
  return config;
}

/** Atomic write (temp file + rename) so a crash never leaves half a config. Mode 0600: it may hold secrets. */
export function saveConfig(file: string, config: Config | ConfigInput): void {
  const valid = parseConfig({ ...config, version: config.version ?? CONFIG_VERSION });
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(valid, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}

/** Insert or replace one profile by name. */
export function upsertProfile(file: string, profile: Profile): Config {
  const config: Config = existsSync(file) ? loadConfig(file) : { version: CONFIG_VERSION, profiles: [] };
  const profiles = config.profiles.filter((p) => p.name !== profile.name);
  profiles.push(profile);
  const next: Config = { ...config, version: CONFIG_VERSION, profiles };
  saveConfig(file, next);
  return next;
}

export function pickProfiles(config: Config, name?: string): Profile[] {
  if (!name) return config.profiles.filter((p) => p.enabled);
  const p = config.profiles.find((x) => x.name === name);
  if (!p)
    throw new ConfigError(`There is no profile "${name}"; the config has: ${config.profiles.map((x) => x.name).join(', ') || 'none'}.`);
  return [p];
}

/** Where a JSON text first goes wrong (1-based line and column), found without quoting any of it. */
export function jsonErrorAt(text: string): { line: number; column: number } {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const lit = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const str = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text.charCodeAt(i) < 0x20) fail();
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const num = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) fail();
    i += m![0].length;
  };
  // An object's members or an array's items: `item` each, separated by commas, up to `close`.
  const list = (close: string, item: () => void): void => {
    i++;
    ws();
    if (text[i] === close) return void i++;
    for (;;) {
      item();
      ws();
      if (text[i] === ',') i++;
      else if (text[i] === close) return void i++;
      else fail();
    }
  };
  const member = () => {
    ws();
    if (text[i] !== '"') fail();
    str();
    ws();
    if (text[i] !== ':') fail();
    i++;
    value();
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') return list('}', member);
    if (c === '[') return list(']', value);
    if (c === '"') return str();
    if (c === 't') return lit('true');
    if (c === 'f') return lit('false');
    if (c === 'n') return lit('null');
    return num();
  };
  let at = text.length;
  try {
    value();
    ws();
    if (i < text.length) at = i;
  } catch (pos) {
    at = typeof pos === 'number' ? pos : i;
  }
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return { line, column: at - before.lastIndexOf('\n') };
}
