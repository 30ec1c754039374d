// Every row accounted for: `outpost reconcile` compares the source table with the ledger, day by
// ticket date. For each day, rows at the source = delivered + filtered + skipped + rejected + not
// yet read; a row in none of these (not in the ledger, and not among the rows the next pass will
// read) is a gap and is listed. Ledger tickets whose row is gone from the source are reported as
// hard-deleted; with change.deletes "void" they are queued to be sent as status voided, voidReason
// "deleted at the source" (the runner sends them on its next pass).
import type { Profile } from '../config/schema.js';
import { createChangeReader } from '../change/index.js';
import { keyAfter, keyParams } from '../change/timestamp.js';
import { ticketDayOf } from '../engine/classify.js';
import { mapContextFor, ticketIdFor } from '../mapping/context.js';
import { createMapper, type Mapper } from '../mapping/index.js';
import { LookupCache, prepareRows } from '../mapping/lookups.js';
import { createSource } from '../sources/index.js';
import type { Row, SourceAdapter } from '../sources/types.js';
import type { LedgerAction, StateStore } from './store.js';

export interface ReconcileOptions {
  /** Only the last N days (by ticket date, counting today); default: every day. */
  days?: number;
  /** "Today" for --days (tests pin it); default the host clock. */
  now?: Date;
  /** An open source to use (tests, the daemon); default one is opened from the profile and closed. */
  source?: SourceAdapter;
  /** Page size of the source scan (default 1000). */
  pageSize?: number;
}

export interface DayAccount {
  /** YYYY-MM-DD (plant local), or "(no date)" for rows without a readable ticket date. */
  day: string;
  /** Rows at the source with this ticket day. */
  source: number;
  delivered: number;
  filtered: number;
  skipped: number;
  rejected: number;
  /** Not in the ledger yet, but among the rows the next pass reads (new or changed since the watermark). */
  notYetRead: number;
  /** At the source, in none of the above: should have been read and was not. */
  gaps: number;
  /** In the ledger, gone from the source (hard-deleted). Not part of `source`. */
  deleted: number;
}

export interface ReconcileTicket {
  ticketId: string;
  ticketNumber: string | null;
  day: string;
  /** The ledger verdict (deleted rows) or null (gaps). */
  action: LedgerAction | null;
}

export interface ReconcileReport {
  profile: string;
  table: string;
  generatedAt: string;
  days: DayAccount[];
  totals: Omit<DayAccount, 'day'>;
  /** True when every row is accounted for: source = delivered + filtered + skipped + rejected + notYetRead, no gaps. */
  balanced: boolean;
  gaps: ReconcileTicket[];
  deleted: ReconcileTicket[];
  /** How many deleted rows were queued now to be sent as voided (change.deletes "void"). */
  voidsQueued: number;
  /**
   * Tickets waiting in the re-evaluation queue (resend, a changed mapping): until the next pass they
   * still count under their last verdict above.
   */
  queued: number;
  /** Parked reasons and how many rows have each, per verdict. */
  reasons: {
    filtered: Array<{ reason: string; count: number }>;
    skipped: Array<{ reason: string; count: number }>;
    rejected: Array<{ reason: string; count: number }>;
  };
  watermark: { cursor: string; at?: string } | null;
}

const NO_DATE = '(no date)';
const DELIVERED = new Set<string>(['created', 'updated', 'unchanged']);

function emptyDay(day: string): DayAccount {
  return { day, source: 0, delivered: 0, filtered: 0, skipped: 0, rejected: 0, notYetRead: 0, gaps: 0, deleted: 0 };
}

/** Every row of the table in key order, a page at a time (keyset on the profile's key). */
async function* scanByKey(source: SourceAdapter, profile: Profile, pageSize: number): AsyncGenerator<Row[]> {
  const d = source.dialect;
  const order = profile.key.map((k) => d.ident(k)).join(', ');
  let last: unknown[] | null = null;
  for (;;) {
    const where = last ? ` WHERE ${keyAfter(source, profile.key, 1)}` : '';
    const rows = await source.query(
      d.limit(`SELECT * FROM ${d.ident(profile.table)}${where} ORDER BY ${order}`, pageSize),
      last ? keyParams(last) : [],
    );
    if (rows.length === 0) return;
    yield rows;
    const tail = rows[rows.length - 1];
    last = profile.key.map((k) => tail[k]);
    if (rows.length < pageSize) return;
  }
}

function tally(map: Map<string, number>, reason: string | null): void {
  const r = (reason ?? '(no reason recorded)').slice(0, 300);
  map.set(r, (map.get(r) ?? 0) + 1);
}

function sorted(map: Map<string, number>): Array<{ reason: string; count: number }> {
  return [...map].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

export async function reconcile(
  args: { store: StateStore; profile: Profile; env?: NodeJS.ProcessEnv; mapper?: Mapper } & ReconcileOptions,
): Promise<ReconcileReport> {
  const { store, profile } = args;
  const pageSize = args.pageSize ?? 1000;
  const mapper =
    args.mapper ??
    createMapper({
      template: profile.mapping.template,
      fields: profile.mapping.fields,
      skip: profile.mapping.skip,
      timezone: profile.change.timezone ?? 'UTC',
    });
  const now = args.now ?? new Date();
  const fromDay = args.days && args.days > 0 ? new Date(now.getTime() - (args.days - 1) * 86_400_000).toISOString().slice(0, 10) : null;
  const inRange = (day: string) => !fromDay || day === NO_DATE || day >= fromDay;
  const source = args.source ?? (await createSource(profile.source, args.env ?? process.env));
  const own = !args.source;
  if (own) await source.connect();
  try {
    const wm = store.getWatermark(profile.name);
    // What the next pass will read: rows not in the ledger among these are "not yet read", not gaps.
    const pending = new Set<string>();
    const reader = createChangeReader(profile);
    for await (const page of reader.pages(source, wm, pageSize)) for (const r of page.rows) pending.add(ticketIdFor(profile, r));

    const days = new Map<string, DayAccount>();
    const dayOf = (d: string) => {
      let a = days.get(d);
      if (!a) days.set(d, (a = emptyDay(d)));
      return a;
    };
    const seen = new Set<string>();
    const gaps: ReconcileTicket[] = [];
    const reasons = { filtered: new Map<string, number>(), skipped: new Map<string, number>(), rejected: new Map<string, number>() };
    const numberColumn = mapper.sources()['ticketNumber'] ?? '';
    const cache = new LookupCache();
    for await (const raw of scanByKey(source, profile, pageSize)) {
      const rows = await prepareRows(source, mapper, raw, cache);
      const ids = rows.map((r) => ticketIdFor(profile, r));
      const ledger = store.ledgerFor(profile.name, ids);
      rows.forEach((row, i) => {
        const id = ids[i];
        seen.add(id);
        const entry = ledger.get(id);
        let day = entry?.ticketDate ?? null;
        if (!day) {
          const m = mapper.map(row, mapContextFor(profile, row, id));
          day = ticketDayOf(mapper, row, m.ok ? m.ticket : undefined);
        }
        const d = day ?? NO_DATE;
        if (!inRange(d)) return;
        const acc = dayOf(d);
        acc.source++;
        if (entry && DELIVERED.has(entry.action)) acc.delivered++;
        else if (entry && (entry.action === 'filtered' || entry.action === 'skipped' || entry.action === 'rejected')) {
          acc[entry.action]++;
          tally(reasons[entry.action], entry.error);
        } else if (pending.has(id)) acc.notYetRead++;
        else {
          acc.gaps++;
          gaps.push({ ticketId: id, ticketNumber: String(row[numberColumn] ?? '').trim() || null, day: d, action: null });
        }
      });
    }
    // Hard deletes: in the ledger, gone from the source.
    const deleted: ReconcileTicket[] = [];
    const toVoid: Array<{ ticketId: string; keyJson: string }> = [];
    for (const e of store.ledgerRows(profile.name)) {
      if (seen.has(e.ticketId)) continue;
      const d = e.ticketDate ?? NO_DATE;
      if (!inRange(d)) continue;
      dayOf(d).deleted++;
      deleted.push({ ticketId: e.ticketId, ticketNumber: e.ticketNumber, day: d, action: e.action });
      if (profile.change.deletes === 'void' && DELIVERED.has(e.action) && !e.deletedAt)
        toVoid.push({ ticketId: e.ticketId, keyJson: e.keyJson ?? JSON.stringify([e.ticketId.slice(profile.name.length + 1)]) });
    }
    const voidsQueued = toVoid.length ? store.requeueKeys(profile.name, toVoid, 'deleted at the source') : 0;
    const list = [...days.values()].sort((a, b) => (a.day === NO_DATE ? 1 : b.day === NO_DATE ? -1 : a.day.localeCompare(b.day)));
    const totals = emptyDay('');
    for (const a of list)
      for (const k of Object.keys(totals) as Array<keyof DayAccount>) if (k !== 'day') (totals[k] as number) += a[k] as number;
    const { day: _omit, ...t } = totals;
    void _omit;
    const balanced = t.gaps === 0 && t.source === t.delivered + t.filtered + t.skipped + t.rejected + t.notYetRead;
    return {
      profile: profile.name,
      table: profile.table,
      generatedAt: now.toISOString(),
      days: list,
      totals: t,
      balanced,
      gaps,
      deleted,
      voidsQueued,
      queued: store.queuedCount(profile.name),
      reasons: { filtered: sorted(reasons.filtered), skipped: sorted(reasons.skipped), rejected: sorted(reasons.rejected) },
      watermark: wm ? { cursor: wm.cursor, at: wm.at } : null,
    };
  } finally {
    if (own) await source.close().catch(() => {});
  }
}

/** The report as text: one line per day, the totals, then gaps and deleted rows. */
export function formatReconcile(r: ReconcileReport): string {
  const head = ['day', 'source', 'delivered', 'filtered', 'skipped', 'rejected', 'not yet read', 'gaps', 'deleted'];
  const rows = r.days.map((d) =>
    [d.day, d.source, d.delivered, d.filtered, d.skipped, d.rejected, d.notYetRead, d.gaps, d.deleted].map(String),
  );
  rows.push(
    [
      'total',
      r.totals.source,
      r.totals.delivered,
      r.totals.filtered,
      r.totals.skipped,
      r.totals.rejected,
      r.totals.notYetRead,
      r.totals.gaps,
      r.totals.deleted,
    ].map(String),
  );
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  const out = [`Reconcile of profile ${r.profile} (table ${r.table}) at ${r.generatedAt}`, '', line(head), ...rows.map(line), ''];
  out.push(
    r.balanced
      ? `Every row is accounted for: ${r.totals.source} at the source = ${r.totals.delivered} delivered + ${r.totals.filtered} filtered + ${r.totals.skipped} skipped + ${r.totals.rejected} rejected + ${r.totals.notYetRead} not yet read.`
      : `${r.totals.gaps} row(s) are in none of delivered, filtered, skipped, rejected or not yet read (gaps, listed below).`,
  );
  if (r.queued)
    out.push(
      `${r.queued} ticket(s) are queued to be evaluated and sent again on the next pass (they still count under their last verdict).`,
    );
  for (const [label, list, hint] of [
    ['Filtered', r.reasons.filtered, `fix the mapping, or "outpost resend --profile ${r.profile} --filtered"`],
    ['Skipped', r.reasons.skipped, `a skip rule matched; "outpost resend --profile ${r.profile} --skipped" after changing it`],
    ['Rejected by the API', r.reasons.rejected, `"outpost resend --profile ${r.profile} --rejected" once the cause is fixed`],
  ] as const) {
    if (!list.length) continue;
    out.push('', `${label} (${hint}):`);
    for (const x of list.slice(0, 20)) out.push(`  ${String(x.count).padStart(6)}  ${x.reason}`);
    if (list.length > 20) out.push(`  … and ${list.length - 20} more reasons`);
  }
  if (r.gaps.length) {
    out.push('', `Gaps (send them with "outpost resend --profile ${r.profile} --tickets …"):`);
    for (const g of r.gaps.slice(0, 200)) out.push(`  ${g.day}  ${g.ticketNumber ?? '-'}  ${g.ticketId}`);
    if (r.gaps.length > 200) out.push(`  … and ${r.gaps.length - 200} more (see --json)`);
  }
  if (r.deleted.length) {
    out.push(
      '',
      `Deleted at the source (in the ledger, no longer in ${r.table})${r.voidsQueued ? `; ${r.voidsQueued} queued to be sent as voided` : ''}:`,
    );
    for (const g of r.deleted.slice(0, 200)) out.push(`  ${g.day}  ${g.ticketNumber ?? '-'}  ${g.ticketId}  (was ${g.action})`);
    if (r.deleted.length > 200) out.push(`  … and ${r.deleted.length - 200} more (see --json)`);
  }
  return out.join('\n') + '\n';
}
