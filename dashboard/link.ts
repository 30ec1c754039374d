// The dashboard's address, kept per home folder in <home>/run/dashboard-link.json (mode 0600): the
// port it listens on and one secret per role. Kept across daemon restarts, so a bookmarked link and
// an open page keep working; `outpost dashboard --new-link` (or --new-review-link) rotates a secret,
// which ends every session of that role at once (sessions are signed with it, see auth.ts).
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomToken, type Role, type Secrets } from './auth.js';

export interface DashboardLink {
  /** The port to listen on; null = none chosen yet (a free one is taken and kept). */
  port: number | null;
  admin: string;
  /** Created by the first `outpost dashboard --review-link`. */
  reviewer?: string;
}

export function linkFile(home: string): string {
  return join(home, 'run', 'dashboard-link.json');
}

function valid(x: unknown): x is DashboardLink {
  const l = x as DashboardLink;
  return (
    typeof l === 'object' &&
    l !== null &&
    typeof l.admin === 'string' &&
    l.admin.length >= 32 &&
    (l.reviewer === undefined || (typeof l.reviewer === 'string' && l.reviewer.length >= 32)) &&
    (l.port === null || (Number.isInteger(l.port) && l.port > 0 && l.port < 65536))
  );
}

export function readLink(home: string): DashboardLink | null {
  try {
    const parsed = JSON.parse(readFileSync(linkFile(home), 'utf8')) as unknown;
    return valid(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

export function saveLink(home: string, link: DashboardLink): void {
  const file = linkFile(home);
  mkdirSync(join(file, '..'), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(link, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** The home's link, created (admin secret, no port yet) when there is none or it is unreadable. */
export function ensureLink(home: string): DashboardLink {
  const have = readLink(home);
  if (have) return have;
  const link: DashboardLink = { port: null, admin: randomToken() };
  saveLink(home, link);
  return link;
}

/** A new secret for the role; every session of that role ends. Returns the updated link. */
export function rotateSecret(home: string, role: Role): DashboardLink {
  const link = ensureLink(home);
  const next = { ...link, [role]: randomToken() };
  saveLink(home, next);
  return next;
}

/** The reviewer secret, created on first use. */
export function ensureReviewer(home: string): DashboardLink {
  const link = ensureLink(home);
  if (link.reviewer) return link;
  const next = { ...link, reviewer: randomToken() };
  saveLink(home, next);
  return next;
}

export function setPort(home: string, port: number | null): DashboardLink {
  const next = { ...ensureLink(home), port };
  saveLink(home, next);
  return next;
}

/** The secrets as the file holds them now: re-read whenever the file changes (a rotation by the CLI). */
export function fileSecrets(home: string, initial: DashboardLink): () => Secrets {
  let stamp = stampOf(home);
  let current: Secrets = { admin: initial.admin, reviewer: initial.reviewer };
  return () => {
    const s = stampOf(home);
    if (s !== stamp) {
      stamp = s;
      const l = readLink(home);
      // A deleted or broken file changes nothing: the running dashboard keeps its link.
      if (l) current = { admin: l.admin, reviewer: l.reviewer };
    }
    return current;
  };
}

function stampOf(home: string): string {
  try {
    const st = statSync(linkFile(home), { bigint: true });
    return `${st.mtimeNs}:${st.size}:${st.ino}`;
  } catch {
    return '';
  }
}

/** The URL a person opens: the secret goes once in the query and is swapped for a cookie. */
export function launchUrl(port: number, secret: string, role: Role = 'admin'): string {
  return `http://127.0.0.1:${port}/?secret=${encodeURIComponent(secret)}${role === 'reviewer' ? '#/review' : ''}`;
}
