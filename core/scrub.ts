// The secret values this process knows (tokens, database passwords), and `scrub`, which masks them
// in any text before it leaves the process or is stored: log records, stored API and database error
// text, status files, the dashboard. A secret is also masked in its JSON-escaped and URL-encoded
// forms (an API that echoes a request back often encodes it).
import { redact } from './config/secrets.js';

const secrets = new Set<string>();
let forms: string[] = [];

/** Register a secret value so it is masked everywhere from now on (values under 4 characters are not). */
export function registerSecret(value: string | undefined | null): void {
  if (!value || value.length < 4 || secrets.has(value)) return;
  secrets.add(value);
  const all = new Set<string>();
  for (const s of secrets) {
    all.add(s);
    all.add(JSON.stringify(s).slice(1, -1));
    all.add(encodeURIComponent(s));
  }
  // Longest first, so a secret containing another is masked whole.
  forms = [...all].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
}

/**
 * Text made safe to log, show or keep: every registered secret (and its encoded forms) and the
 * `extra` ones masked, and anything shaped like a credential (password=…, user:pass@ in a URL,
 * IDENTIFIED BY '…').
 */
export function scrub(text: string, extra: Array<string | undefined> = []): string {
  return redact(String(text), extra.length ? [...forms, ...extra] : forms)
    .replace(/\b(password|pwd|passwd)\s*([=:])\s*("[^"]*"|'[^']*'|[^;\s,]*)/gi, '$1$2••••')
    .replace(/(\/\/[^:/@\s]+):[^@\s]+@/g, '$1:••••@')
    .replace(/\bIDENTIFIED BY\s+('[^']*'|"[^"]*")/gi, 'IDENTIFIED BY ••••');
}

/** The same for a value that may be null (stored error columns). */
export function scrubNullable(text: string | null | undefined): string | null {
  return text === null || text === undefined ? null : scrub(text);
}
