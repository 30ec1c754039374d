// Customer reviews of sample tickets, kept in the state database next to the ledger: who reviewed,
// when, and per ticket either "approved" or the flagged fields with a comment. The ticket as it was
// reviewed is stored with the verdict, so the export still shows what was signed off after the plant
// data changes.
//
// This module owns its tables (created with CREATE TABLE IF NOT EXISTS on the handle it is given,
// normally StateStore.db); it does not touch the state store's migrations.
import type Database from 'better-sqlite3';
import type { ETicket } from '../mapping/eticket.js';
import { localIso } from '../state/store.js';

export type Verdict = 'approved' | 'flagged';

export interface ReviewFlag {
  /** eTicket field path ("customer.name", "lines.0.quantity.value"), or "ticket" for the whole ticket. */
  field: string;
  comment: string;
}

export interface ReviewTicketInput {
  ticketNumber: string;
  ticketId?: string | null;
  verdict: Verdict;
  /** At least one for a flagged ticket; none for an approved one. */
  flags?: ReviewFlag[];
  comment?: string | null;
  /** The mapped ticket as the reviewer saw it (null when the row was filtered). */
  ticket?: ETicket | null;
  /** Why the row was filtered, when it was. */
  problems?: string[];
}

export interface ReviewInput {
  profile: string;
  reviewer: string;
  template?: string | null;
  /** Default: now. */
  reviewedAt?: Date;
  tickets: ReviewTicketInput[];
}

export interface ReviewTicket {
  ticketNumber: string;
  ticketId: string | null;
  verdict: Verdict;
  flags: ReviewFlag[];
  comment: string | null;
  ticket: ETicket | null;
  problems: string[];
}

export interface Review {
  id: number;
  profile: string;
  reviewer: string;
  /** ISO 8601 in the reviewing machine's local time with its offset. */
  reviewedAt: string;
  template: string | null;
  tickets: ReviewTicket[];
}

export interface ReviewSummary {
  id: number;
  profile: string;
  reviewer: string;
  reviewedAt: string;
  approved: number;
  flagged: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS review_sessions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  profile TEXT NOT NULL,
  reviewer TEXT NOT NULL,
  reviewed_at TEXT NOT NULL,
  template TEXT
);
CREATE INDEX IF NOT EXISTS review_sessions_profile ON review_sessions (profile, id);
CREATE TABLE IF NOT EXISTS review_tickets (
  review_id INTEGER NOT NULL REFERENCES review_sessions (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  ticket_number TEXT NOT NULL,
  ticket_id TEXT,
  verdict TEXT NOT NULL CHECK (verdict IN ('approved', 'flagged')),
  comment TEXT,
  flags_json TEXT NOT NULL,
  ticket_json TEXT,
  problems_json TEXT NOT NULL,
  PRIMARY KEY (review_id, seq)
);
`;

const MAX_TEXT = 2000;
const MAX_TICKETS = 500;

/** One line of text from a person: control characters out, trimmed, bounded. */
function text(v: unknown, what: string, max: number, required: boolean): string | null {
  const s =
    typeof v === 'string'
      ? v
          .toWellFormed()
          .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '')
          .trim()
      : '';
  if (!s) {
    if (required) throw new Error(`The ${what} must not be empty.`);
    return null;
  }
  if (s.length > max) throw new Error(`The ${what} is longer than ${max} characters.`);
  return s;
}

export class ReviewStore {
  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
  }

  /** Records one review; refuses incomplete or contradictory input with a plain sentence. */
  record(input: ReviewInput): Review {
    const profile = text(input.profile, 'profile name', 64, true)!;
    const reviewer = text(input.reviewer, 'reviewer name', 100, true)!;
    if (!Array.isArray(input.tickets) || input.tickets.length === 0)
      throw new Error('A review needs at least one ticket, approved or flagged.');
    if (input.tickets.length > MAX_TICKETS) throw new Error(`A review holds at most ${MAX_TICKETS} tickets.`);
    const at = input.reviewedAt ?? new Date();
    if (!Number.isFinite(at.getTime())) throw new Error('The review time is not a valid date.');
    const seen = new Set<string>();
    const tickets = input.tickets.map((t) => {
      const number = text(t.ticketNumber, 'ticket number', 64, true)!;
      const ticketId = t.ticketId ? text(t.ticketId, 'ticket id', 300, false) : null;
      const id = ticketId ?? number;
      if (seen.has(id)) throw new Error(`Ticket ${number} is in the review twice; approve it or flag it once.`);
      seen.add(id);
      if (t.verdict !== 'approved' && t.verdict !== 'flagged')
        throw new Error(`Ticket ${number}: the verdict must be "approved" or "flagged".`);
      const flags = (t.flags ?? []).map((f) => ({
        field: text(f.field, `flagged field of ticket ${number}`, 200, true)!,
        comment: text(f.comment, `comment on ${String(f.field)} of ticket ${number}`, MAX_TEXT, true)!,
      }));
      if (t.verdict === 'approved' && flags.length) throw new Error(`Ticket ${number} cannot be both approved and flagged.`);
      if (t.verdict === 'flagged' && flags.length === 0) throw new Error(`Ticket ${number} is flagged: say which field is wrong and why.`);
      return {
        ticketNumber: number,
        ticketId,
        verdict: t.verdict,
        flags,
        comment: text(t.comment, `comment on ticket ${number}`, MAX_TEXT, false),
        ticket: t.ticket ?? null,
        problems: (t.problems ?? []).map(String),
      } satisfies ReviewTicket;
    });
    const reviewedAt = localIso(at.toISOString())!;
    const template = input.template ? text(input.template, 'template name', 100, false) : null;
    const insertSession = this.db.prepare('INSERT INTO review_sessions (profile, reviewer, reviewed_at, template) VALUES (?, ?, ?, ?)');
    const insertTicket = this.db.prepare(
      'INSERT INTO review_tickets (review_id, seq, ticket_number, ticket_id, verdict, comment, flags_json, ticket_json, problems_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const id = this.db.transaction(() => {
      const rid = Number(insertSession.run(profile, reviewer, reviewedAt, template).lastInsertRowid);
      tickets.forEach((t, i) =>
        insertTicket.run(
          rid,
          i,
          t.ticketNumber,
          t.ticketId,
          t.verdict,
          t.comment,
          JSON.stringify(t.flags),
          t.ticket ? JSON.stringify(t.ticket) : null,
          JSON.stringify(t.problems),
        ),
      );
      return rid;
    })();
    return { id, profile, reviewer, reviewedAt, template, tickets };
  }

  get(id: number): Review | null {
    const s = this.db
      .prepare('SELECT id, profile, reviewer, reviewed_at AS reviewedAt, template FROM review_sessions WHERE id = ?')
      .get(id) as Omit<Review, 'tickets'> | undefined;
    if (!s) return null;
    const rows = this.db
      .prepare(
        'SELECT ticket_number, ticket_id, verdict, comment, flags_json, ticket_json, problems_json FROM review_tickets WHERE review_id = ? ORDER BY seq',
      )
      .all(id) as {
      ticket_number: string;
      ticket_id: string | null;
      verdict: Verdict;
      comment: string | null;
      flags_json: string;
      ticket_json: string | null;
      problems_json: string;
    }[];
    return {
      ...s,
      tickets: rows.map((r) => ({
        ticketNumber: r.ticket_number,
        ticketId: r.ticket_id,
        verdict: r.verdict,
        flags: JSON.parse(r.flags_json) as ReviewFlag[],
        comment: r.comment,
        ticket: r.ticket_json ? (JSON.parse(r.ticket_json) as ETicket) : null,
        problems: JSON.parse(r.problems_json) as string[],
      })),
    };
  }

  /** The newest review of a profile. */
  latest(profile: string): Review | null {
    const r = this.db.prepare('SELECT MAX(id) AS id FROM review_sessions WHERE profile = ?').get(profile) as { id: number | null };
    return r.id === null ? null : this.get(r.id);
  }

  list(profile?: string, limit = 20): ReviewSummary[] {
    return this.db
      .prepare(
        `SELECT s.id, s.profile, s.reviewer, s.reviewed_at AS reviewedAt,
           COALESCE(SUM(t.verdict = 'approved'), 0) AS approved, COALESCE(SUM(t.verdict = 'flagged'), 0) AS flagged
         FROM review_sessions s LEFT JOIN review_tickets t ON t.review_id = s.id
         WHERE (? IS NULL OR s.profile = ?) GROUP BY s.id ORDER BY s.id DESC LIMIT ?`,
      )
      .all(profile ?? null, profile ?? null, Math.max(1, Math.floor(limit))) as ReviewSummary[];
  }
}
