// A way back for everything parked: `outpost resend` (and the dashboard) queue tickets to be read
// again by key and evaluated anew on the next pass — mapped again and, when valid, sent again with a
// fresh Idempotency-Key so the API judges them anew instead of replaying its old answer. The queue
// lives in the state database (table requeue), so a queued resend survives a restart.
import type { Profile } from '../config/schema.js';
import type { LedgerAction, StateStore } from '../state/store.js';

export interface ResendSelector {
  /** Tickets the API rejected. */
  rejected?: boolean;
  /** Rows the mapping filtered as invalid. */
  filtered?: boolean;
  /** Rows a skip rule of the mapping skipped. */
  skipped?: boolean;
  /** Ticket numbers (as printed), ticket ids (`profile:key`) or key values. */
  tickets?: string[];
  /** Every ticket the ledger knows with a ticket day on or after this date (YYYY-MM-DD), whatever its verdict. */
  since?: string;
}

export interface ResendResult {
  profile: string;
  /** Tickets queued now (a ticket already queued is not counted twice). */
  queued: number;
  /** Tickets waiting in the queue now (this and earlier requests). */
  waiting: number;
  /** --tickets values the ledger does not know; queued by key (single-column keys) to be read if they exist. */
  byKey: string[];
  message: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Checks a selector; returns the one-sentence problem or null. */
export function selectorProblem(sel: ResendSelector): string | null {
  const n = [sel.rejected, sel.filtered, sel.skipped, sel.tickets !== undefined, sel.since !== undefined].filter(Boolean).length;
  if (n === 0) return 'Say what to send again: --rejected, --filtered, --skipped, --tickets N,… or --since YYYY-MM-DD.';
  if (sel.tickets !== undefined && sel.tickets.filter((t) => t.trim()).length === 0)
    return '--tickets needs one or more ticket numbers, separated by commas.';
  if (sel.since !== undefined && (!DAY.test(sel.since) || Number.isNaN(Date.parse(sel.since))))
    return `--since takes a date as YYYY-MM-DD, not "${sel.since}".`;
  return null;
}

/** Queues the selected tickets of one profile for re-evaluation. Throws on a bad selector. */
export function resend(store: StateStore, profile: Profile, sel: ResendSelector): ResendResult {
  const problem = selectorProblem(sel);
  if (problem) throw new Error(problem);
  const name = profile.name;
  let queued = 0;
  const actions: LedgerAction[] = [];
  if (sel.rejected) actions.push('rejected');
  if (sel.filtered) actions.push('filtered');
  if (sel.skipped) actions.push('skipped');
  if (actions.length) queued += store.requeue(name, { actions }, `resend --${actions.join(' --')}`);
  if (sel.since) queued += store.requeue(name, { sinceDay: sel.since }, `resend --since ${sel.since}`);
  const byKey: string[] = [];
  if (sel.tickets) {
    const wanted = [...new Set(sel.tickets.map((t) => t.trim()).filter(Boolean))];
    const asIds = wanted.map((t) => (t.startsWith(`${name}:`) ? t : `${name}:${t}`));
    queued += store.requeue(name, { tickets: [...wanted, ...asIds] }, 'resend --tickets');
    const known = store.knownTickets(name, [...wanted, ...asIds]);
    const unknown = wanted.filter((t, i) => !known.has(t) && !known.has(asIds[i]));
    if (unknown.length && profile.key.length === 1) {
      const items = unknown.map((t) => {
        const k = t.replace(`${name}:`, '');
        return { ticketId: `${name}:${k}`, keyJson: JSON.stringify([k]) };
      });
      queued += store.requeueKeys(name, items, 'resend --tickets (not in the ledger)');
    }
    byKey.push(...unknown);
  }
  const waiting = store.queuedCount(name);
  const message =
    `${queued} ticket(s) of ${name} queued to be evaluated and sent again on the next pass (${waiting} waiting)` +
    (byKey.length ? `; not in the ledger, ${profile.key.length === 1 ? 'looked up by key' : 'not found'}: ${byKey.join(', ')}` : '') +
    '.';
  return { profile: name, queued, waiting, byKey, message };
}
