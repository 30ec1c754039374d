// Secrets are given inline or as `env:NAME`. They are resolved only where they are used and never
// logged; `redact` is what every error path uses before text leaves the process.

export class MissingSecretError extends Error {}

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
  return value;
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
