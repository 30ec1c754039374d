// One profile's sync: read → map → deliver → commit, page by page. A pass reads the pages its
// change mode yields; each page is mapped, checked against the ledger (classify.ts: a row already
// delivered at this revision is not sent again), delivered in batches bounded by count and bytes,
// and committed durably — ledger rows, run counters and records and, after the page's last batch,
// the watermark — in one transaction per acknowledged batch.
//
// Ordering: one batch per profile is in flight at a time and a ticket appears at most once in it, so
// the API never sees an older revision of a ticket after a newer one.
import { createHash } from 'node:crypto';
import type { Profile } from '../config/schema.js';
import type { ChangeReader } from '../change/types.js';
import type { ApiClient, ConnectorInfo, TicketResult } from '../delivery/client.js';
import {
  BatchRefusedError,
  PayloadTooLargeError,
  ProtocolError,
  RequestAbortedError,
  RetryableError,
  TokenRejectedError,
  idempotencyKey,
  matchResults,
} from '../delivery/client.js';
import type { ETicket } from '../mapping/eticket.js';
import { mapContextFor, ticketIdFor } from '../mapping/context.js';
import type { Mapper } from '../mapping/index.js';
import { LookupCache, prepareRows } from '../mapping/lookups.js';
import { revisionOf, sizedTicketJson } from '../mapping/revision.js';
import type { Row, SourceAdapter } from '../sources/types.js';
import {
  RUN_RECORD_SAMPLE,
  type LedgerEntry,
  type QueuedTicket,
  type RunCounts,
  type RunRecord,
  type RunType,
  type StateStore,
  type Watermark,
} from '../state/store.js';
import { backoffMs, sleep } from './backoff.js';
import { classify, type MappedResult, type MappedRow, type MappedTicket, type ToSend } from './classify.js';
import type { EngineState } from './status.js';
import { rowFingerprint, type UnchangedRows } from './unchanged-rows.js';

/** Default byte bound of one batch body; the sandbox refuses above 5 MiB, real APIs often lower. */
export const DEFAULT_MAX_BATCH_BYTES = 1024 * 1024;

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
  /** `backlog` / `oldestAgeSeconds`: undefined = unchanged, null = unknown in this change mode. */
  onProgress(p: { delivered: number; backlog?: number | null; oldestAgeSeconds?: number | null }): void;
  signal: AbortSignal;
  /** Aborts a request in flight; defaults to `signal`. The daemon fires it after a stop's grace period. */
  requestSignal?: AbortSignal;
  random?: () => number;
  /** Upper bound of one batch body in bytes (count is bounded by profile.batchSize). */
  maxBatchBytes?: number;
  /**
   * Test-only kill point, called after the API acknowledged a batch and before the local commit
   * (test/helpers/crash-cli.ts injects one for the chaos suite). Never set in production.
   */
  afterAck?: () => void;
  /** Cap of one retry wait, ms (default 30 s). */
  maxRetryWaitMs?: number;
  /** Hash of the mapping in use (see mappingHash); computed from the mapper when not given. */
  mappingHash?: string;
  /**
   * The runner's rows last found unchanged (unchanged-rows.ts): a change page's row read again as
   * it was is counted unchanged without being mapped. Only for a runner whose mapping is fixed.
   */
  unchanged?: UnchangedRows;
}

export interface PassSummary extends RunCounts {
  /** 0 when the pass changed nothing and was not recorded as a run (a quiet scheduled poll). */
  runId: number;
}

/** Key values of a ledger or queue entry: its key_json, or (rows written before it existed) parsed from the ticketId. */
export function keyValuesOf(profile: Profile, ticketId: string, keyJson: string | null | undefined): unknown[] {
  if (keyJson) return JSON.parse(keyJson) as unknown[];
  const rest = ticketId.slice(profile.name.length + 1);
  return profile.key.length === 1 ? [rest] : rest.split('/');
}

const hashes = new WeakMap<Mapper, string>();
/**
 * Which mapping produced a verdict: a hash of the compiled template (overrides applied) and the
 * time zone. A filtered or skipped row recorded under another hash is re-evaluated by key.
 */
export function mappingHash(mapper: Mapper, timezone: string): string {
  const cached = hashes.get(mapper);
  if (cached) return cached;
  const h = 'm-' + createHash('sha256').update(JSON.stringify(mapper.template)).update(`\u0000${timezone}`).digest('hex').slice(0, 24);
  hashes.set(mapper, h);
  return h;
}

export class StoppedError extends Error {
  constructor() {
    super('stopped');
  }
}

/** Thrown if a ticket would be put in flight while it already is (an invariant, never expected). */
export class InFlightError extends Error {}

const zero = (): RunCounts => ({ read: 0, filtered: 0, skipped: 0, created: 0, updated: 0, unchanged: 0, rejected: 0, errors: 0 });

function add(a: RunCounts, b: Partial<RunCounts>): void {
  for (const k of Object.keys(b) as Array<keyof RunCounts>) a[k] += b[k] ?? 0;
}

/**
 * A pass's run record is created lazily: a scheduled poll that only re-reads rows already delivered
 * (the lookback window) leaves no run behind, so a 1 s poll does not write a run a second. Startup
 * and manual passes are always recorded. Counts not yet written ride along with the next commit.
 */
class RunTracker {
  id = 0;
  readonly totals = zero();
  private pending = zero();
  /** Delivered tickets listed as records so far (RUN_RECORD_SAMPLE). */
  private listed = 0;

  constructor(
    private readonly store: StateStore,
    private readonly profile: string,
    readonly type: RunType,
  ) {
    if (type !== 'scheduled') this.ensure();
  }

  ensure(): number {
    if (!this.id) this.id = this.store.startRun(this.profile, this.type);
    return this.id;
  }

  count(c: Partial<RunCounts>): void {
    add(this.totals, c);
    add(this.pending, c);
  }

  /**
   * Whether a delivered ticket's record is written: always for a problem, else only for the run's
   * first RUN_RECORD_SAMPLE delivered tickets (the rest are counted as unlisted).
   */
  lists(problem: boolean): boolean {
    if (problem) return true;
    if (this.listed >= RUN_RECORD_SAMPLE) return false;
    this.listed++;
    return true;
  }

  /** Counts to write with the commit being prepared (then considered written). */
  take(): RunCounts {
    const p = this.pending;
    this.pending = zero();
    return p;
  }

  end(status: 'complete' | 'error', error: string | null): void {
    if (status === 'error') this.ensure();
    if (this.id) this.store.endRun(this.id, status, error, this.take());
  }
}

export async function runPass(deps: PipelineDeps, type: RunType): Promise<PassSummary> {
  const { profile, store, reader, source } = deps;
  const run = new RunTracker(store, profile.name, type);
  try {
    deps.onState('reading', null);
    const wm = store.getWatermark(profile.name);
    const { count, oldestAgeSeconds } = await reader.backlog(source, wm);
    // Tickets queued to be evaluated again are waiting too.
    let backlog = count === null ? null : count + store.queuedCount(profile.name);
    deps.onProgress({ delivered: 0, backlog, oldestAgeSeconds });
    const lookupCache = new LookupCache(); // master rows read once per pass
    // Parked rows whose verdict came from another mapping, and tickets queued by `outpost resend`,
    // are read again by key and re-evaluated before the change pages.
    await drainQueue(deps, run, lookupCache);
    if (backlog !== null) deps.onProgress({ delivered: 0, backlog: (backlog = Math.max(0, count! + store.queuedCount(profile.name))) });
    // Read and map run one page ahead of deliver and commit: while a page's batch is in flight, the
    // next page is read, its lines and lookups fetched and its rows mapped (mapping needs no ledger).
    // The ledger check, delivery and commit still go strictly page by page with one batch in flight,
    // so the ordering guarantee holds. At most two pages are in memory, and a page larger than
    // READ_AHEAD_BYTES is delivered before the next one is read.
    const it = reader.pages(source, wm, profile.batchSize);
    const readAndMap = async (): Promise<MappedPage | null> => {
      const r = await it.next();
      if (r.done) return null;
      // Lines (header-lines layouts) and lookups: one bound query each per page (a no-op when the template has neither).
      const rows = await prepareRows(source, deps.mapper, r.value.rows, lookupCache);
      const { prepared, known } = mapPage(deps, rows, deps.unchanged);
      return { read: r.value.rows.length, rows, prepared, known, next: r.value.next };
    };
    let ahead: Promise<MappedPage | null> | null = readAndMap();
    try {
      for (;;) {
        const page: MappedPage | null = await (ahead ?? readAndMap());
        ahead = null;
        if (!page) break;
        if (deps.signal.aborted) throw new StoppedError();
        if (approxBytes(page.rows) <= READ_AHEAD_BYTES) {
          ahead = readAndMap();
          ahead.catch(() => {}); // surfaced when awaited above
        }
        await handlePage(deps, run, page.rows, page.next, undefined, page.prepared, page.known);
        if (backlog !== null) backlog = Math.max(0, backlog - page.read);
        deps.onProgress({ delivered: 0, backlog });
        deps.onState('reading', null);
      }
    } finally {
      // Let a pending read finish before closing the generator (it may hold the connection).
      await ahead?.catch(() => {});
      await it.return(undefined).catch(() => {});
    }
    run.end('complete', null);
    return { runId: run.id, ...run.totals };
  } catch (e) {
    run.end('error', (e as Error).message);
    throw e;
  }
}

/**
 * What delivery and the commit read of a ticket in a batch. The ticket itself lives on only as its
 * `json`: its object graph can die young instead of being promoted while the batch is in flight.
 */
type SentTicket = Pick<MappedTicket, 'ticketId' | 'revision' | 'ticketNumber' | 'source'>;

interface Outgoing extends Omit<ToSend, 'canonical' | 'ticket'> {
  ticket: SentTicket;
  json: string;
  /** UTF-8 bytes of json, when known (packBatches counts them otherwise). */
  bytes?: number;
}

/** The SentTicket of a full ticket (a void built from the JSON last sent); mapped tickets are lean already. */
function sentTicket(t: SentTicket): SentTicket {
  return {
    ticketId: t.ticketId,
    revision: t.revision,
    ticketNumber: t.ticketNumber,
    source: { recordModifiedAt: t.source?.recordModifiedAt },
  };
}

/** SELECT the rows with these key values (one bound statement; composite keys as OR of ANDs). */
export async function readByKeys(source: SourceAdapter, profile: Profile, keys: unknown[][]): Promise<Row[]> {
  const d = source.dialect;
  const cols = profile.key.map((k) => d.ident(k));
  const out: Row[] = [];
  const per = Math.max(1, Math.floor(1000 / cols.length));
  for (let i = 0; i < keys.length; i += per) {
    const chunk = keys.slice(i, i + per);
    const params: unknown[] = [];
    let where: string;
    if (cols.length === 1) {
      where = `${cols[0]} IN (${chunk.map((k) => (params.push(k[0]), d.param(params.length))).join(', ')})`;
    } else {
      where = chunk
        .map((k) => `(${cols.map((c, j) => (params.push(k[j]), `${c} = ${d.param(params.length)}`)).join(' AND ')})`)
        .join(' OR ');
    }
    out.push(...(await source.query(`SELECT * FROM ${d.ident(profile.table)} WHERE ${where}`, params)));
  }
  return out;
}

/** Per state store and profile, the mapping hash whose stale parked rows were last queued. */
const staleChecked = new WeakMap<StateStore, Map<string, string>>();

/** Re-evaluates queued tickets (resend, a changed mapping) by key, a batch at a time. */
async function drainQueue(deps: PipelineDeps, run: RunTracker, lookupCache: LookupCache): Promise<void> {
  const { profile, store, source } = deps;
  const hash = deps.mappingHash ?? mappingHash(deps.mapper, profile.change.timezone ?? 'UTC');
  // Parked rows judged by another mapping are queued once per mapping (not on every poll); a row
  // parked later is judged by this mapping already.
  let checked = staleChecked.get(store);
  if (!checked) staleChecked.set(store, (checked = new Map()));
  if (checked.get(profile.name) !== hash) {
    store.requeue(profile.name, { staleMapping: hash }, 'the mapping changed');
    checked.set(profile.name, hash);
  }
  for (let guard = 0; guard < 1_000_000; guard++) {
    const queued = store.queued(profile.name, profile.batchSize);
    if (queued.length === 0) return;
    if (deps.signal.aborted) throw new StoppedError();
    const raw = await readByKeys(
      source,
      profile,
      queued.map((q) => keyValuesOf(profile, q.ticketId, q.keyJson)),
    );
    // The same per-page preparation (lines, lookups) as the change pages in runPass.
    const rows = await prepareRows(source, deps.mapper, raw, lookupCache);
    const found = new Set(rows.map((r) => ticketIdFor(profile, r)));
    await handlePage(deps, run, rows, null, new Map(queued.filter((q) => found.has(q.ticketId)).map((q) => [q.ticketId, q])));
    // Rows gone from the source: sent as voided when the profile says so (change.deletes "void").
    const missing = queued.filter((q) => !found.has(q.ticketId));
    if (missing.length && profile.change.deletes === 'void') await sendVoids(deps, run, missing);
    // Everything of this batch is handled now; other rows gone from the source are left to reconcile.
    store.dequeue(
      profile.name,
      queued.map((q) => q.ticketId),
      hash,
    );
  }
}

/** The void of a ticket deleted at the source, built from the JSON last sent for it. */
export function voidedTicket(lastSentJson: string): ETicket {
  const t = JSON.parse(lastSentJson) as ETicket & { revision?: string };
  const { revision: _old, ...rest } = t;
  void _old;
  const body = { ...rest, status: 'voided' as const, voidReason: 'deleted at the source' };
  return { ...body, revision: revisionOf(body) } as ETicket;
}

/** Sends tickets whose rows were deleted at the source as status voided (then marked deleted in the ledger). */
async function sendVoids(deps: PipelineDeps, run: RunTracker, missing: QueuedTicket[]): Promise<void> {
  const { profile, store } = deps;
  const ledger = store.ledgerFor(
    profile.name,
    missing.map((m) => m.ticketId),
  );
  const out: Outgoing[] = [];
  for (const m of missing) {
    const e = ledger.get(m.ticketId);
    if (!e || e.deletedAt || !e.ticketJson || !['created', 'updated', 'unchanged'].includes(e.action)) continue;
    const ticket = voidedTicket(e.ticketJson);
    out.push({
      ticket: sentTicket(ticket),
      json: JSON.stringify(ticket),
      isNew: false,
      keyJson: e.keyJson ?? m.keyJson ?? '[]',
      ticketDate: e.ticketDate ?? null,
    });
  }
  if (!out.length) return;
  run.ensure();
  deps.onState('delivering', null);
  for (const batch of packBatches(out, profile.batchSize, deps.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES)) {
    const results = await deliverWithRetry(deps, batch);
    const at = new Date().toISOString();
    const counts = { created: 0, updated: 0, unchanged: 0, rejected: 0 };
    const entries: LedgerEntry[] = batch.map((b, i) => {
      const r = results[i];
      counts[r.action]++;
      return {
        ticketId: b.ticket.ticketId,
        revision: b.ticket.revision,
        targetId: r.targetId,
        action: r.action,
        error: r.error ?? 'deleted at the source',
        ticketNumber: b.ticket.ticketNumber,
        keyJson: b.keyJson,
        ticketDate: b.ticketDate,
        ticketJson: b.json,
        deletedAt: r.action === 'rejected' ? null : at,
      };
    });
    run.count(counts);
    const records: RunRecord[] = batch.map((b, i) => ({
      ticketNumber: b.ticket.ticketNumber,
      sourceId: b.ticket.ticketId,
      targetId: results[i].targetId,
      processorAction: 'changed',
      writerAction: results[i].action === 'unchanged' ? 'skipped' : results[i].action,
      error: results[i].error ?? 'deleted at the source: sent as voided',
    }));
    store.commit({ profile: profile.name, entries, runId: run.id, counts: run.take(), records, dequeue: entries.map((e) => e.ticketId) });
  }
}

/** Bytes of page data held while the next page is read ahead; above it pages go one at a time. */
export const READ_AHEAD_BYTES = 8 * 1024 * 1024;

interface MappedPage {
  /** Rows the change mode yielded (before lines were attached). */
  read: number;
  rows: Row[];
  prepared: MappedRow[];
  /** Rows read again exactly as last found unchanged: not mapped, counted unchanged. */
  known: number;
  next: Watermark | null;
}

/** A rough size of rows in memory: string lengths, 16 bytes a value otherwise, attached line rows too. */
export function approxBytes(rows: Row[]): number {
  let n = 0;
  for (const row of rows) {
    for (const k in row) {
      const v = row[k];
      if (typeof v === 'string') n += 2 * v.length + 16;
      else if (Array.isArray(v)) n += approxBytes(v.filter((x): x is Row => x !== null && typeof x === 'object'));
      else n += 16;
    }
  }
  return n;
}

/**
 * Map a page's rows (no ledger needed). A ticket appears once per page: if a row was read twice (it
 * moved while paging), the last wins. With `unchanged`, a row read again exactly as it was last
 * found unchanged is not mapped (`known` counts them).
 */
function mapPage(deps: PipelineDeps, rows: Row[], unchanged?: UnchangedRows): { prepared: MappedRow[]; known: number } {
  const { profile, mapper } = deps;
  const byTicket = new Map<string, Row>();
  for (const row of rows) {
    const id = ticketIdFor(profile, row);
    byTicket.delete(id);
    byTicket.set(id, row);
  }
  const prepared: MappedRow[] = [];
  let known = 0;
  for (const [ticketId, row] of byTicket) {
    // Only a ticket remembered before is fingerprinted here: a backfill's new rows never are.
    const fingerprint = unchanged?.has(ticketId) ? rowFingerprint(row) : undefined;
    if (fingerprint !== undefined && unchanged!.known(ticketId, fingerprint)) {
      known++;
      continue;
    }
    prepared.push({ ticketId, row, result: leanResult(mapper.map(row, mapContextFor(profile, row, ticketId))), fingerprint });
  }
  return { prepared, known };
}

/**
 * A mapping result with only what classify and delivery read of its ticket (MappedTicket). A page
 * is mapped while the one before it is delivered, and every young-generation GC in between copies
 * what it holds: about fifteen objects per ticket that nothing reads again, now garbage at once.
 */
function leanResult(r: ReturnType<Mapper['map']>): MappedResult {
  if (!r.ok) return r;
  const t = r.ticket;
  const ticket: MappedTicket = {
    ticketId: t.ticketId,
    revision: t.revision,
    ticketNumber: t.ticketNumber,
    issuedAt: t.issuedAt,
    issuedAtLocal: t.issuedAtLocal,
  };
  if (t.source) ticket.source = { recordModifiedAt: t.source.recordModifiedAt };
  return { ok: true, ticket, canonical: r.canonical };
}

/** `prepared`: the page's rows already mapped (runPass maps a page while the previous one is delivered). */
async function handlePage(
  deps: PipelineDeps,
  run: RunTracker,
  rows: Row[],
  next: Watermark | null,
  forced?: Map<string, QueuedTicket>,
  prepared: MappedRow[] = mapPage(deps, rows).prepared,
  known = 0,
): Promise<void> {
  const { profile, store, mapper } = deps;
  const hash = deps.mappingHash ?? mappingHash(mapper, profile.change.timezone ?? 'UTC');
  const ledger = store.ledgerFor(
    profile.name,
    prepared.map((p) => p.ticketId),
  );
  const {
    parked: filtered,
    parkedRecords: filteredRecords,
    send,
    unchanged,
    skipped,
  } = classify(prepared, ledger, {
    profile,
    mapper,
    mappingHash: hash,
    forced,
  });
  // The body is the text the revision was hashed from, with the revision and recordModifiedAt (as
  // classify may have raised it) spliced in.
  const toSend: Outgoing[] = send.map((t) => ({
    ticket: t.ticket, // already lean (mapPage, leanResult)
    ...sizedTicketJson(t.canonical, t.ticket.source?.recordModifiedAt),
    isNew: t.isNew,
    keyJson: t.keyJson,
    ticketDate: t.ticketDate,
    resendTag: t.resendTag,
  }));
  // Change-page rows whose revision is the one the ledger holds are remembered as unchanged
  // (unchanged-rows.ts; fingerprinted now if mapPage did not already); any other verdict forgets
  // the ticket's row. Queued tickets (forced) are left out.
  if (deps.unchanged && !forced) {
    for (const p of prepared) {
      if (p.result.ok && ledger.get(p.ticketId)?.revision === p.result.ticket.revision)
        deps.unchanged.remember(p.ticketId, p.fingerprint ?? rowFingerprint(p.row));
      else deps.unchanged.forget(p.ticketId);
    }
  }
  run.count({ read: rows.length, filtered: filtered.length - skipped, skipped, unchanged: unchanged + known });
  // Nothing below needs the mapped results, ledger rows or canonical texts, but the async frames
  // (this one and the caller's) would keep them alive across the POST: the young generation would
  // copy and promote them, and only a full GC would free them. Emptied here (all three are this
  // module's own), they die young. (`rows` is left alone: the change reader still reads it.)
  prepared.length = 0;
  ledger.clear();
  send.length = 0;
  if (filtered.length) run.ensure();
  const parkedIds = filtered.map((f) => f.ticketId);
  if (toSend.length === 0) {
    if (filtered.length || next) {
      store.commit({
        profile: profile.name,
        entries: filtered,
        runId: run.id || undefined,
        counts: run.id ? run.take() : undefined,
        records: filteredRecords,
        watermark: next,
        dequeue: parkedIds,
      });
    }
    return;
  }
  run.ensure();
  if (filtered.length)
    store.commit({
      profile: profile.name,
      entries: filtered,
      runId: run.id,
      counts: run.take(),
      records: filteredRecords,
      dequeue: parkedIds,
    });
  deps.onState('delivering', null);
  const batches = packBatches(toSend, profile.batchSize, deps.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES);
  for (let bi = 0; bi < batches.length; bi++) {
    const batch = batches[bi];
    // Exactly one result per ticket sent, at the revision sent, with a known action (matchResults):
    // anything else was retried inside deliverWithRetry and never reaches this commit.
    const results = await deliverWithRetry(deps, batch);
    const entries: LedgerEntry[] = [];
    const records: RunRecord[] = [];
    const counts = { created: 0, updated: 0, unchanged: 0, rejected: 0, errors: 0 };
    for (let i = 0; i < batch.length; i++) {
      const b = batch[i];
      const r = results[i];
      counts[r.action]++;
      entries.push({
        ticketId: b.ticket.ticketId,
        revision: b.ticket.revision,
        targetId: r.targetId ?? null,
        action: r.action,
        error: r.error ?? null,
        ticketNumber: b.ticket.ticketNumber,
        modifiedAt: b.ticket.source?.recordModifiedAt ?? null,
        keyJson: b.keyJson,
        ticketDate: b.ticketDate,
        // The body is kept only where a deletion must be sent as a void built from it.
        ticketJson: profile.change.deletes === 'void' ? b.json : null,
      });
      if (run.lists(r.action === 'rejected' || r.error !== undefined))
        records.push({
          ticketNumber: b.ticket.ticketNumber,
          sourceId: b.ticket.ticketId,
          targetId: r.targetId ?? null,
          processorAction: b.isNew ? 'new' : 'changed',
          writerAction: r.action === 'unchanged' ? 'skipped' : r.action,
          error: r.error ?? null,
        });
    }
    // The test-only crash point: acknowledged by the API, not yet committed here.
    deps.afterAck?.();
    run.count(counts);
    const last = bi === batches.length - 1;
    store.commit({
      profile: profile.name,
      entries,
      runId: run.id,
      counts: run.take(),
      records,
      unlisted: entries.length - records.length,
      watermark: last ? next : null,
      dequeue: forced ? entries.map((e) => e.ticketId) : undefined,
    });
    deps.onProgress({ delivered: entries.length - counts.rejected });
  }
}

/** Greedy batches of at most `maxCount` tickets and `maxBytes` of ticket JSON (a lone big ticket goes alone). */
export function packBatches<T extends { json: string; bytes?: number }>(items: T[], maxCount: number, maxBytes: number): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let bytes = 0;
  for (const it of items) {
    const size = (it.bytes ?? Buffer.byteLength(it.json)) + 1;
    if (cur.length && (cur.length >= maxCount || bytes + size > maxBytes)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(it);
    bytes += size;
  }
  if (cur.length) out.push(cur);
  return out;
}

/** Tickets of this process currently in a request, per profile (the "never twice in flight" guard). */
const inFlight = new Map<string, Set<string>>();

/**
 * Posts one batch until it is answered exactly: retries transient failures and protocol errors with
 * the same key, splits on 413/400/422, stops on 401/403. Only a per-ticket `rejected` result, or a
 * 400/422 with the API's error sentence still coming back for a single ticket, rejects a ticket; a
 * request-level failure (404, 405, HTML, non-JSON, no `results`) is a protocol error and rejects nothing.
 */
export async function deliverWithRetry(deps: PipelineDeps, batch: Outgoing[]): Promise<TicketResult[]> {
  const tickets = batch.map((b) => b.ticket);
  // A ticket sent again on request gets a fresh key, so the API judges it anew instead of replaying.
  const tags = batch.map((b) => b.resendTag ?? '').join('');
  const key = idempotencyKey(deps.profile.name, tickets, `${deps.connector.id}/${deps.connector.version}${tags ? `/resend:${tags}` : ''}`);
  let flying = inFlight.get(deps.profile.name);
  if (!flying) inFlight.set(deps.profile.name, (flying = new Set()));
  for (const t of tickets) {
    if (flying.has(t.ticketId)) throw new InFlightError(`ticket ${t.ticketId} is already in a batch in flight`);
  }
  for (const t of tickets) flying.add(t.ticketId);
  // The tickets' UTF-8 size when every one is known (sizedTicketJson): the body is then written into one buffer.
  const jsonBytes = batch.every((b) => b.bytes !== undefined) ? batch.reduce((n, b) => n + b.bytes!, 0) : undefined;
  let troubled = false;
  try {
    for (let attempt = 0; ; attempt++) {
      if (deps.signal.aborted) throw new StoppedError();
      try {
        const raw = await deps.api.postBatchJson(
          deps.connector,
          batch.map((b) => b.json),
          key,
          deps.requestSignal ?? deps.signal,
          jsonBytes,
        );
        const results = matchResults(tickets, raw);
        if (troubled) deps.onState('delivering', null);
        return results;
      } catch (e) {
        if (e instanceof RequestAbortedError || deps.signal.aborted) throw new StoppedError();
        if (e instanceof PayloadTooLargeError || e instanceof BatchRefusedError) {
          if (batch.length === 1) {
            const error = e instanceof PayloadTooLargeError ? 'the ticket is larger than the API accepts (413)' : e.message;
            return [{ ticketId: tickets[0].ticketId, revision: tickets[0].revision, targetId: null, action: 'rejected', error }];
          }
          // Split: the halves go one after the other, never at the same time.
          for (const t of tickets) flying.delete(t.ticketId);
          const mid = Math.ceil(batch.length / 2);
          const a = await deliverWithRetry(deps, batch.slice(0, mid));
          const b = await deliverWithRetry(deps, batch.slice(mid));
          for (const t of tickets) flying.add(t.ticketId);
          return [...a, ...b];
        }
        if (e instanceof TokenRejectedError) throw e;
        if (!(e instanceof RetryableError)) throw e;
        // Retry-After is honoured (capped at 15 minutes so a bad header cannot park the profile for days).
        const wait = Math.min(900_000, Math.max(e.retryAfterMs ?? 0, backoffMs(attempt, 500, deps.maxRetryWaitMs ?? 30_000, deps.random)));
        troubled = true;
        if (e instanceof ProtocolError) {
          const detail = e.message.replace(/[.;]?$/, '');
          deps.onState(
            'API protocol error',
            `${detail[0].toUpperCase()}${detail.slice(1)}. Nothing of this batch of ${batch.length} was committed; it is sent again with the same key in ${Math.ceil(wait / 1000)} s.`,
          );
        } else {
          deps.onState('offline', `${e.message} Next try in ${Math.ceil(wait / 1000)} s.`);
        }
        await sleep(wait, deps.signal);
      }
    }
  } finally {
    for (const t of tickets) flying.delete(t.ticketId);
  }
}
