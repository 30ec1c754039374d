// What the handoff does besides starting processes: put each secret where the installer chose
// (core/config/secrets.ts), build the profile exactly as the wizard chose it (environment, change
// mode, time zone, mapping overrides), ask a running daemon to reload, and read back the first
// tickets the API acknowledged.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { platform } from 'node:os';
import type { Profile } from '../config/schema.js';
import { isSecretRef, secretsFileFor, writeSecret } from '../config/secrets.js';
import { sendControl } from '../engine/control.js';
import { loadTemplateRef, siteTemplatesDir } from '../mapping/files.js';
import { applyOverrides } from '../mapping/overrides.js';
import { parseTemplate } from '../mapping/template.js';
import { homePaths } from '../paths.js';
import type { AckedTicket, SecretPlacement, SetupDraft } from './services.js';

export const DEFAULT_SECRET_NAMES = { token: 'OUTPOST_TOKEN', password: 'OUTPOST_DB_PASSWORD' } as const;

/** The line that sets an environment variable for the service on this platform (value left for the installer). */
export function serviceEnvLine(name: string, os = platform()): string {
  if (os === 'win32') return `setx /M ${name} "<value>"   (then restart the Outpost task)`;
  if (os === 'darwin') return `add <key>${name}</key><string>…</string> under EnvironmentVariables in the launchd plist`;
  return `systemctl edit outpost  →  [Service]  Environment="${name}=<value>"`;
}

/**
 * Resolves where the token and the password go. Values already given as references stay as they
 * are. Returns the config values and the sentences to show (never the secrets themselves).
 */
export function placeSecrets(
  draft: SetupDraft,
  configFile: string,
  env: NodeJS.ProcessEnv = process.env,
): { token: string; password?: string; notes: string[] } {
  const notes: string[] = [];
  const file = secretsFileFor(configFile, env);
  const place = (what: 'token' | 'password', value: string | undefined, p: SecretPlacement | undefined): string | undefined => {
    if (value === undefined || value === '') return value;
    if (isSecretRef(value)) return value;
    const how = p ?? { kind: 'file', name: DEFAULT_SECRET_NAMES[what] };
    const label = what === 'token' ? 'The account token' : 'The database password';
    if (how.kind === 'inline') {
      notes.push(`${label} is written into the config file (chosen); keep that file private.`);
      return value;
    }
    if (how.kind === 'env') {
      notes.push(`${label} is read from the environment variable ${how.name}; set it for the service: ${serviceEnvLine(how.name)}`);
      return `env:${how.name}`;
    }
    writeSecret(file, how.name, value);
    notes.push(`${label} is in ${file} (mode 0600) as ${how.name}; the config refers to it as secret:${how.name}.`);
    return `secret:${how.name}`;
  };
  const token = place('token', draft.token, draft.secrets?.token) ?? '';
  const password = place('password', draft.source.password, draft.secrets?.password);
  return { token, password, notes };
}

/** The profile the draft stands for: every choice saved as chosen. */
export function profileFromDraft(
  d: SetupDraft,
  opts: { token: string; password?: string; every?: string; batchSize?: number; template?: string },
): Profile {
  return {
    name: d.profileName,
    environment: d.environment ?? 'sandbox',
    api: { url: d.apiUrl, token: opts.token },
    source: { ...d.source, password: opts.password },
    table: d.table,
    key: d.key,
    change: { mode: d.changeMode ?? 'timestamp', column: d.changeColumn ?? undefined, lookbackSeconds: 300, timezone: d.timezone ?? 'UTC' },
    mapping: opts.template
      ? { template: opts.template, fields: {} }
      : { template: d.template, fields: d.fields ?? {}, ...(d.skip?.length ? { skip: d.skip } : {}) },
    schedule: { every: opts.every ?? '5s' },
    batchSize: opts.batchSize ?? 200,
    enabled: true,
  };
}

/** The site template name for a profile: "site-<profile>" in lower case. */
export function siteTemplateName(profile: string): string {
  return `site-${profile.toLowerCase().replace(/[^a-z0-9._-]/g, '-')}`.slice(0, 64);
}

/**
 * Saves the mapping as edited (the template with the editor's field edits and skip rules folded in)
 * as the profile's site template <home>/templates/site-<profile>.json, so the profile names it and the
 * next setup for the same plant software starts from it (site templates compete in the suggestion).
 * Returns the template name.
 */
export function saveSiteTemplate(home: string, d: SetupDraft, baseTemplate: string): string {
  const base = loadTemplateRef(baseTemplate, home).template;
  const name = siteTemplateName(d.profileName);
  const merged = applyOverrides(base, d.fields ?? {}, new Map());
  const skip = [...(merged.skip ?? []), ...(d.skip ?? [])];
  const { $schema: _schema, ...rest } = merged;
  const t = parseTemplate(
    {
      ...rest,
      name,
      description: `Saved by "outpost setup" for ${d.table} (profile ${d.profileName}), from ${base.name}${Object.keys(d.fields ?? {}).length ? ` with ${Object.keys(d.fields ?? {}).length} field edits` : ''}.`,
      ...(skip.length ? { skip } : {}),
    },
    name,
  );
  const dir = siteTemplatesDir(home);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(t, null, 2) + '\n');
  renameSync(tmp, file);
  return name;
}

/** Asks the running daemon to load the config again. */
export async function reloadDaemon(home: string): Promise<{ ok: boolean; message: string }> {
  try {
    // 'reload' is answered by daemons that support config reload; an older one says "unknown op".
    const r = await sendControl(home, { op: 'reload' as never });
    return r;
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}

/** Tickets acknowledged for the profile at or after `sinceIso` (UTC ISO), oldest first, from the state database. */
export function recentAcks(home: string, profile: string, sinceIso: string, limit = 10): AckedTicket[] {
  const file = homePaths(home).state;
  if (!existsSync(file)) return [];
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 1000');
    const rows = db
      .prepare(
        `SELECT r.ticket_number AS ticketNumber, r.writer_action AS action, runs.started_at AS at FROM run_records r
         JOIN runs ON runs.id = r.run_id WHERE runs.profile = ? AND runs.started_at >= ? AND r.writer_action IN ('created', 'updated')
         ORDER BY r.rowid LIMIT ?`,
      )
      .all(profile, sinceIso, limit) as { ticketNumber: string | null; action: string; at: string }[];
    return rows.map((r) => ({ ticketNumber: r.ticketNumber ?? '(no number)', action: r.action, at: r.at }));
  } catch {
    return []; // not created yet, or busy: the next poll will see it
  } finally {
    db?.close();
  }
}
