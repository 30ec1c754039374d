// A reviewer's decisions on the loaded samples, per ticket: each checked field marked as matching
// the paper or flagged with what the paper says, a comment, and the verdict that follows.
import type { DashboardSample, ReviewSignOffTicket } from '../../review.js';

export interface Decision {
  /** Checked field path → true (matches the paper). */
  ok: Record<string, true>;
  /** Flagged field path → what is wrong (the comment). */
  flags: Record<string, string>;
  comment: string;
}

export const EMPTY: Decision = { ok: {}, flags: {}, comment: '' };

export const keyOf = (s: DashboardSample) => `${s.ticketId}\u0000${s.revision ?? ''}`;

export type Verdict = 'approved' | 'flagged' | 'open';

/** Flagged when any field is; approved when every checked field matches; open otherwise. */
export function verdictOf(s: DashboardSample, d: Decision): Verdict {
  if (Object.keys(d.flags).length > 0) return 'flagged';
  if (s.paper && s.checks.length > 0 && s.checks.every((c) => d.ok[c.path])) return 'approved';
  return 'open';
}

export function setCheck(d: Decision, path: string, to: 'ok' | 'flag' | 'none'): Decision {
  const ok = { ...d.ok };
  const flags = { ...d.flags };
  delete ok[path];
  if (to !== 'flag') delete flags[path];
  if (to === 'ok') ok[path] = true;
  if (to === 'flag') flags[path] = flags[path] ?? '';
  return { ...d, ok, flags };
}

export function approveAll(s: DashboardSample, d: Decision): Decision {
  const ok: Record<string, true> = {};
  for (const c of s.checks) ok[c.path] = true;
  return { ...d, ok, flags: {} };
}

/** The ticket as sent on sign-off, or null when it has no verdict yet. */
export function signOffTicket(s: DashboardSample, d: Decision): ReviewSignOffTicket | null {
  const v = verdictOf(s, d);
  if (v === 'open') return null;
  const flags = Object.entries(d.flags).map(([field, comment]) => ({ field, comment: comment.trim() }));
  return { ticketId: s.ticketId, revision: s.revision, verdict: v, flags, comment: d.comment.trim() || null };
}
