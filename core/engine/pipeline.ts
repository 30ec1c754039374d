// One profile's sync: read → map → deliver → commit, page by page. A pass reads the pages its
// change mode yields; each page is mapped, checked against the ledger (a row already delivered at
// this revision is not sent again), delivered in batches, and committed durably — ledger rows, run
// counters and, after the page's last batch, the watermark — in one transaction per batch.
import { createHash } from 'node:crypto';
import type { Profile } from '../config/schema.js';
import type { ChangeReader } from '../change/types.js';
import type { ApiClient, ConnectorInfo, TicketResult } from '../delivery/client.js';
import { PayloadTooLargeError, RetryableError, TokenRejectedError, idempotencyKey } from '../delivery/client.js';
import type { ETicket } from '../mapping/eticket.js';
import type { Mapper } from '../mapping/index.js';
import type { Row, SourceAdapter } from '../sources/types.js';
import type { LedgerEntry, RunCounts, RunRecord, RunType, StateStore, Watermark } from '../state/store.js';
import { backoffMs, sleep } from './backoff.js';
import type { EngineState } from './status.js';

export interface PipelineDeps {
  profile: Profile;
  store: StateStore;
  source: SourceAdapter;
  reader: ChangeReader;
  mapper: Mapper;
  api: ApiClient;
  connector: ConnectorInfo;
  /** Reports state changes and progress; never throws. */
  onState(state: EngineState, reason: string | null): void;
  onProgress(p: { delivered: number; backlog: number }): void;
  signal: AbortSignal;
  random?: () => number;
}

export interface PassSummary extends RunCounts {
  runId: number;
}

export function ticketIdFor(profile: Profile, row: Row): string {
  return `${profile.name}:${profile.key.map((k) => String(row[k] ?? '')).join('/')}`;
}

/** A filtered row has no eTicket revision; a hash of its raw content tells when it changed. */
function filteredRevision(row: Row): string {
  const h = createHash('sha256');
  for (const k of Object.keys(row).sort()) h.update(`${k}\u0000${String(row[k])}\u0001`);
  return 'f-' + h.digest('hex').slice(0, 32);
}

export class StoppedError extends Error {
  constructor() {
    super('stopped');
  }
}

export async function runPass(deps: PipelineDeps, type: RunType): Promise<PassSummary> {
  const { profile, store, reader, source } = deps;
  const runId = store.startRun(profile.name, type);
  const totals: RunCounts = { read: 0, filtered: 0, created: 0, updated: 0, unchanged: 0, rejected: 0, errors: 0 };
  try {
    deps.onState('reading', null);
    let wm = store.getWatermark(profile.name);
    const { count } = await reader.backlog(source, wm);
    let backlog = count;
    deps.onProgress({ delivered: 0, backlog });
    for await (const page of reader.pages(source, wm, profile.batchSize)) {
      if (deps.signal.aborted) throw new StoppedError();
      const handled = await handlePage(deps, runId, page.rows, page.next, totals);
      if (page.next) wm = page.next;
      backlog = Math.max(0, backlog - handled);
      deps.onProgress({ delivered: 0, backlog });
      deps.onState('reading', null);
    }
    store.endRun(runId, 'complete');
    return { runId, ...totals };
  } catch (e) {
    store.endRun(runId, 'error', (e as Error).message);
    throw e;
  }
}

async function handlePage(deps: PipelineDeps, runId: number, rows: Row[], next: Watermark | null, totals: RunCounts): Promise<number> {
  const { profile, store, mapper } = deps;
  const prepared = rows.map((row) => {
    const ticketId = ticketIdFor(profile, row);
    const recordKey = profile.key.map((k) => String(row[k] ?? '')).join('/');
    const modified = profile.change.column ? row[profile.change.column] : undefined;
    const result = mapper.map(row, {
      ticketId,
      recordKey,
      table: profile.table,
      recordModifiedAt: modified === undefined || modified === null ? undefined : String(modified),
    });
    return { ticketId, row, result };
  });
  const ledger = store.ledgerFor(profile.name, prepared.map((p) => p.ticketId));
  const filtered: LedgerEntry[] = [];
  const filteredRecords: RunRecord[] = [];
  const toSend: Array<{ ticket: ETicket; isNew: boolean }> = [];
  let unchanged = 0;
  for (const p of prepared) {
    const prev = ledger.get(p.ticketId);
    if (!p.result.ok) {
      const revision = filteredRevision(p.row);
      if (prev?.revision === revision) continue;
      const error = p.result.problems.join('; ');
      const ticketNumber = String(p.row[mapper.sources()['ticketNumber'] ?? ''] ?? '').trim() || null;
      filtered.push({ ticketId: p.ticketId, revision, targetId: prev?.targetId ?? null, action: 'filtered', error, ticketNumber });
      filteredRecords.push({ ticketNumber, sourceId: p.ticketId, targetId: null, processorAction: 'invalid', writerAction: 'skipped', error });
      continue;
    }
    if (prev?.revision === p.result.ticket.revision) {
      unchanged++;
      continue;
    }
    toSend.push({ ticket: p.result.ticket, isNew: !prev || prev.action === 'filtered' });
  }
  totals.read += rows.length;
  totals.filtered += filtered.length;
  totals.unchanged += unchanged;
  const pageCounts = { read: rows.length, filtered: filtered.length, unchanged };
  if (toSend.length === 0) {
    store.commit({ profile: profile.name, entries: filtered, runId, counts: pageCounts, records: filteredRecords, watermark: next });
    return rows.length;
  }
  store.commit({ profile: profile.name, entries: filtered, runId, counts: pageCounts, records: filteredRecords });
  deps.onState('delivering', null);
  for (let i = 0; i < toSend.length; i += profile.batchSize) {
    const batch = toSend.slice(i, i + profile.batchSize);
    const results = await deliverWithRetry(deps, batch.map((b) => b.ticket));
    const byId = new Map(results.map((r) => [r.ticketId, r]));
    const entries: LedgerEntry[] = [];
    const records: RunRecord[] = [];
    const counts = { created: 0, updated: 0, unchanged: 0, rejected: 0, errors: 0 };
    for (const b of batch) {
      const r = byId.get(b.ticket.ticketId);
      if (!r) {
        // The API skipped a ticket it was sent: treat as an error of this batch; it is retried next pass.
        counts.errors++;
        records.push({ ticketNumber: b.ticket.ticketNumber, sourceId: b.ticket.ticketId, targetId: null, processorAction: b.isNew ? 'new' : 'changed', writerAction: 'failed', error: 'the API returned no result for this ticket' });
        continue;
      }
      counts[r.action]++;
      entries.push({ ticketId: b.ticket.ticketId, revision: b.ticket.revision, targetId: r.targetId ?? null, action: r.action, error: r.error ?? null, ticketNumber: b.ticket.ticketNumber });
      records.push({
        ticketNumber: b.ticket.ticketNumber,
        sourceId: b.ticket.ticketId,
        targetId: r.targetId ?? null,
        processorAction: b.isNew ? 'new' : 'changed',
        writerAction: r.action === 'unchanged' ? 'skipped' : r.action,
        error: r.error ?? null,
      });
    }
    totals.created += counts.created;
    totals.updated += counts.updated;
    totals.unchanged += counts.unchanged;
    totals.rejected += counts.rejected;
    totals.errors += counts.errors;
    const last = i + profile.batchSize >= toSend.length;
    // A ticket the API did not answer for holds the watermark back so it is read again.
    store.commit({ profile: profile.name, entries, runId, counts, records, watermark: last && counts.errors === 0 ? next : null });
    deps.onProgress({ delivered: entries.length - counts.rejected, backlog: -1 });
    if (counts.errors) throw new RetryableError(`${counts.errors} ticket(s) got no result from the API; they are retried.`);
  }
  return rows.length;
}

/** Posts one batch until it is answered: retries transient failures, splits on 413, stops on 401/403. */
async function deliverWithRetry(deps: PipelineDeps, tickets: ETicket[]): Promise<TicketResult[]> {
  const key = idempotencyKey(deps.profile.name, tickets);
  for (let attempt = 0; ; attempt++) {
    if (deps.signal.aborted) throw new StoppedError();
    try {
      const results = await deps.api.postBatch(deps.connector, tickets, key);
      if (attempt > 0) deps.onState('delivering', null);
      return results;
    } catch (e) {
      if (e instanceof PayloadTooLargeError) {
        if (tickets.length === 1) {
          return [{ ticketId: tickets[0].ticketId, revision: tickets[0].revision, targetId: null, action: 'rejected', error: 'the ticket is larger than the API accepts (413)' }];
        }
        const mid = Math.ceil(tickets.length / 2);
        return [...(await deliverWithRetry(deps, tickets.slice(0, mid))), ...(await deliverWithRetry(deps, tickets.slice(mid)))];
      }
      if (e instanceof TokenRejectedError) throw e;
      if (!(e instanceof RetryableError)) throw e;
      const wait = Math.max(e.retryAfterMs ?? 0, backoffMs(attempt, 500, 30_000, deps.random));
      deps.onState('offline', `${e.message} Next try in ${Math.ceil(wait / 1000)} s.`);
      await sleep(wait, deps.signal);
    }
  }
}
