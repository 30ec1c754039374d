// Secrets are given inline, as `env:NAME` or as `secret:NAME`. They are resolved only where they are
// used and never logged; `redact` is what every error path uses before text leaves the process.
//
// `secret:NAME` reads NAME from the secrets file beside the config file:
//   location  <folder of the config file>/secrets.env   (e.g. <home>/secrets.env for <home>/outpost.json)
//             OUTPOST_SECRETS_FILE overrides it.
//   mode      0600, written atomically (temp file + rename) by `writeSecret` (the setup wizard).
//   format    one `NAME="value"` per line; NAME is [A-Z_][A-Z0-9_]*; inside the quotes `\` and `"` are
//             escaped with a backslash; lines starting with # and blank lines are ignored. This is the
//             format of a systemd EnvironmentFile= (and of a dotenv file), so a service unit can load
//             the same file: when the file cannot be read, `secret:NAME` falls back to the
//             environment variable NAME.
// Which file `secret:` reads: the one beside the config file loaded last in this process
// (loadConfig calls useSecretsFileFor), else OUTPOST_SECRETS_FILE, else only the environment.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join } from 'node:path';

export class MissingSecretError extends Error {}

export const SECRETS_FILE_NAME = 'secrets.env';
export const SECRET_NAME = /^[A-Z_][A-Z0-9_]{0,63}$/;

let registeredFile: string | null = null;

/** The secrets file that belongs to a config file. */
export function secretsFileFor(configFile: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.OUTPOST_SECRETS_FILE || join(dirname(configFile), SECRETS_FILE_NAME);
}

/** Makes `secret:` references resolve from the secrets file beside this config file. */
export function useSecretsFileFor(configFile: string | null): void {
  registeredFile = configFile ? secretsFileFor(configFile) : null;
}

function currentSecretsFile(env: NodeJS.ProcessEnv): string | null {
  return registeredFile ?? (env.OUTPOST_SECRETS_FILE || null);
}

/** Parses a secrets file (see the header comment for the format). */
export function parseSecretsFile(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    let v = m[2];
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1).replace(/\\(["\\])/g, '$1');
    else if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) v = v.slice(1, -1);
    out.set(m[1], v);
  }
  return out;
}

export function readSecrets(file: string): Map<string, string> {
  if (!existsSync(file)) return new Map();
  return parseSecretsFile(readFileSync(file, 'utf8'));
}

/** Adds or replaces one secret in the file (mode 0600, atomic). Refuses names and values the format cannot hold. */
export function writeSecret(file: string, name: string, value: string): void {
  if (!SECRET_NAME.test(name)) throw new Error(`"${name}" cannot name a secret; use capital letters, digits and _ (like OUTPOST_TOKEN).`);
  if (/[\r\n\u0000]/.test(value)) throw new Error(`The value for ${name} has a line break; a secret must be one line.`);
  const all = readSecrets(file);
  all.set(name, value);
  const body =
    '# Outpost secrets (mode 0600). Referenced from the config as secret:NAME; also a systemd EnvironmentFile.\n' +
    [...all].map(([k, v]) => `${k}="${v.replace(/(["\\])/g, '\\$1')}"`).join('\n') +
    '\n';
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, body, { mode: 0o600 });
  renameSync(tmp, file);
  try {
    chmodSync(file, 0o600);
  } catch {
    /* Windows: ACLs, not modes */
  }
}

export function resolveSecret(value: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (value === undefined) return undefined;
  if (value.startsWith('env:')) {
    const name = value.slice(4);
    const v = env[name];
    if (v === undefined || v === '') {
      throw new MissingSecretError(`The environment variable ${name} is not set; set it or put the value in the config file.`);
    }
    return v;
  }
  if (value.startsWith('secret:')) {
    const name = value.slice(7);
    const file = currentSecretsFile(env);
    let fromFile: string | undefined;
    if (file) {
      try {
        fromFile = readSecrets(file).get(name);
      } catch {
        fromFile = undefined; // unreadable (another user's file): the service may have it in its environment
      }
    }
    const v = fromFile ?? env[name];
    if (v === undefined || v === '') {
      throw new MissingSecretError(
        `The secret ${name} is not in ${file ?? `the secrets file (${SECRETS_FILE_NAME} beside the config)`} nor in the environment; run "outpost setup" again or add ${name}="…" to that file.`,
      );
    }
    return v;
  }
  return value;
}

/** A reference (env:/secret:) rather than an inline secret value. */
export function isSecretRef(value: string | undefined): boolean {
  return value !== undefined && (value.startsWith('env:') || value.startsWith('secret:'));
}

/**
 * Replace every occurrence of the given secrets in `text` with a mask. Values under 4 characters are
 * left alone: they would blank out ordinary words.
 */
export function redact(text: string, secrets: Array<string | undefined>): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join('••••');
  }
  return out;
}
