// What a page's mapped rows mean against the ledger, decided without a database or an API: each
// row is parked (filtered by the mapping, or skipped by a skip rule), left alone (the same revision,
// or the same parked verdict, as before) or sent (new, or changed). handlePage in pipeline.ts reads
// the ledger, calls classify, and commits and delivers what it decided.
import { createHash } from 'node:crypto';
import type { Profile } from '../config/schema.js';
import type { ETicket } from '../mapping/eticket.js';
import type { Mapper } from '../mapping/index.js';
import type { CanonicalTicket } from '../mapping/revision.js';
import type { Row } from '../sources/types.js';
import type { LedgerEntry, QueuedTicket, RunRecord } from '../state/store.js';

/**
 * What classify and delivery read of a mapped ticket; the rest of it lives on only in its canonical
 * text (the pipeline keeps just this much of a page mapped ahead, see pipeline.ts leanResult).
 */
export type MappedTicket = Pick<ETicket, 'ticketId' | 'revision' | 'ticketNumber' | 'issuedAt' | 'issuedAtLocal'> & {
  source?: { recordModifiedAt?: string };
};

/** A mapping result as classify reads it: a full one from the mapper, or its lean form. */
export type MappedResult =
  Exclude<ReturnType<Mapper['map']>, { ok: true }> | { ok: true; ticket: MappedTicket; canonical: CanonicalTicket };

/** A row of a page with its ticket id and what the mapper made of it. */
export interface MappedRow {
  ticketId: string;
  row: Row;
  result: MappedResult;
  /** The row's fingerprint (unchanged-rows.ts), when mapPage computed it (its ticket was remembered). */
  fingerprint?: string;
}

/** A ticket to deliver, as classify decided it (handlePage adds the body it sends). */
export interface ToSend {
  ticket: MappedTicket;
  /** The mapper's serialisation of the ticket (the body is built from it, see ticketJson). */
  canonical: CanonicalTicket;
  /** Never delivered before (no ledger row, or only a parked verdict): "new" in the run records, else "changed". */
  isNew: boolean;
  keyJson: string;
  ticketDate: string | null;
  /** Set for a ticket sent again on request: a new Idempotency-Key (the old answer is not replayed). */
  resendTag?: string;
}

export interface Classified {
  /** Filtered and skipped rows: ledger entries and run records to commit (they are never sent). */
  parked: LedgerEntry[];
  parkedRecords: RunRecord[];
  send: ToSend[];
  /** Rows left alone: the revision delivered before, or the parked verdict given before. */
  unchanged: number;
  /** How many of `parked` are skipped (the rest are filtered). */
  skipped: number;
}

export interface ClassifyContext {
  profile: Pick<Profile, 'key'>;
  /** Where each field comes from (ticket number and date columns are read from parked rows). */
  mapper: Pick<Mapper, 'sources'>;
  /** Hash of the mapping in use (pipeline.ts mappingHash): a parked verdict is recorded with it. */
  mappingHash: string;
  /** Tickets queued to be evaluated and sent again (resend, a changed mapping), by ticket id. */
  forced?: ReadonlyMap<string, Pick<QueuedTicket, 'queuedAt'>>;
}

/** The row's key values as JSON, exactly as read (big integers arrive as strings). */
export function keyJsonFor(profile: Pick<Profile, 'key'>, row: Row): string {
  return JSON.stringify(profile.key.map((k) => (typeof row[k] === 'bigint' ? String(row[k]) : (row[k] ?? null))));
}

/** The ticket's day (plant local, YYYY-MM-DD) from the mapped ticket, or from the raw date column. */
export function ticketDayOf(
  mapper: Pick<Mapper, 'sources'>,
  row: Row,
  ticket?: Pick<ETicket, 'issuedAt' | 'issuedAtLocal'>,
): string | null {
  const local = ticket?.issuedAtLocal ?? ticket?.issuedAt;
  if (typeof local === 'string' && /^\d{4}-\d{2}-\d{2}/.test(local)) return local.slice(0, 10);
  const src = mapper.sources();
  for (const field of ['issuedAtLocal', 'issuedAt']) {
    for (const col of (src[field] ?? '')
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean)) {
      const v = row[col];
      if (v instanceof Date && !Number.isNaN(v.getTime())) return v.toISOString().slice(0, 10);
      if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v.trim())) return v.trim().slice(0, 10);
    }
  }
  return null;
}

/**
 * A filtered row has no eTicket revision; a hash of its raw content and of the mapping that judged
 * it tells when it changed (a changed row, or a changed mapping, is evaluated again).
 */
export function filteredRevision(row: Row, mapping = ''): string {
  const h = createHash('sha256');
  if (mapping) h.update(`${mapping}\u0002`);
  for (const k of Object.keys(row).sort()) {
    const v = row[k];
    // Attached line rows are objects: hash their content, so fixing a line is seen as a change.
    h.update(`${k}\u0000${v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : String(v)}\u0001`);
  }
  return 'f-' + h.digest('hex').slice(0, 32);
}

/**
 * Decides each mapped row against its ledger entry (`ledger`: ticket id → entry, absent when never
 * seen). A forced ticket is parked or sent even at the revision or verdict recorded before.
 */
export function classify(rows: readonly MappedRow[], ledger: ReadonlyMap<string, LedgerEntry>, ctx: ClassifyContext): Classified {
  const { profile, mapper, mappingHash: hash, forced } = ctx;
  const out: Classified = { parked: [], parkedRecords: [], send: [], unchanged: 0, skipped: 0 };
  const numberColumn = mapper.sources()['ticketNumber'] ?? '';
  for (const p of rows) {
    const prev = ledger.get(p.ticketId);
    const force = forced?.get(p.ticketId);
    const keyJson = keyJsonFor(profile, p.row);
    if (!p.result.ok) {
      // Filtered (invalid) or skipped (a skip rule): parked with the mapping that judged it.
      const action = p.result.skipped ? 'skipped' : 'filtered';
      const revision = filteredRevision(p.row, hash);
      if (prev?.revision === revision && prev.action === action && !force) {
        out.unchanged++;
        continue;
      }
      const error = p.result.problems.join('; ');
      const ticketNumber = String(p.row[numberColumn] ?? '').trim() || null;
      if (action === 'skipped') out.skipped++;
      out.parked.push({
        ticketId: p.ticketId,
        revision,
        targetId: prev?.targetId ?? null,
        action,
        error,
        ticketNumber,
        keyJson,
        mappingHash: hash,
        ticketDate: ticketDayOf(mapper, p.row),
      });
      out.parkedRecords.push({
        ticketNumber,
        sourceId: p.ticketId,
        targetId: null,
        processorAction: action === 'skipped' ? 'skipped' : 'invalid',
        writerAction: 'skipped',
        error,
      });
      continue;
    }
    // Same revision as delivered (or rejected) before: nothing to send until the row changes, unless
    // the ticket was queued to be sent again.
    if (prev?.revision === p.result.ticket.revision && !force) {
      out.unchanged++;
      continue;
    }
    // recordModifiedAt is kept monotone per ticket: a database whose change column is the
    // transaction's start time (PostgreSQL now()) can stamp the newest content of a row earlier than
    // the content it replaced; the receiver orders revisions by this field, so the newer content must
    // not look older than what was sent before. (The revision hash ignores this field.)
    let ticket = p.result.ticket;
    const rma = ticket.source?.recordModifiedAt;
    if (ticket.source && rma !== undefined && prev?.modifiedAt && rma < prev.modifiedAt) {
      ticket = { ...ticket, source: { ...ticket.source, recordModifiedAt: prev.modifiedAt } };
    }
    out.send.push({
      ticket,
      canonical: p.result.canonical,
      isNew: !prev || prev.action === 'filtered' || prev.action === 'skipped',
      keyJson,
      ticketDate: ticketDayOf(mapper, p.row, ticket),
      resendTag: force && prev?.revision === ticket.revision ? force.queuedAt : undefined,
    });
  }
  return out;
}
