// Run reports (docs/design.md, runs and reports): the runs page, paged and filtered, with quiet
// passes grouped, and one run's records. Reads only, for both roles: the session cookie is enough
// (SameSite=Strict keeps other sites' requests from carrying it, and without CORS no other origin
// can read the answer).
import express from 'express';
import type { Request, Response } from 'express';
import { RUN_RECORD_SAMPLE, type ParkedTicket, type RunQuery, type RunRecord, type RunRow, type RunType } from '../../core/state/store.js';
import { nextDay, startOfPlantDay } from '../../core/format/time.js';
import { scrub } from '../../core/log.js';
import { badRequest, dateParam, enumParam, idParam, intParam, noSuchProfile, notAvailable, profileParam, queryOf } from './common.js';

/** Run reports, normally the daemon's StateStore. */
export interface DashboardReports {
  /** Newest first; `profile` null = every profile. */
  runs(profile: string | null, limit: number): RunRow[];
  runRecords(runId: number): RunRecord[];
  /** One run or null. Without it, a run is looked up among the newest MAX_RUNS_LIMIT runs. */
  run?(id: number): RunRow | null;
  /** Filtered and paged (StateStore.queryRuns). Without it, filters apply to the newest runs only. */
  queryRuns?(q: RunQuery): RunRow[];
  /** Tickets written per minute (StateStore.writtenPerMinute), for the overview's chart. */
  writtenPerMinute?(profile: string, sinceIso: string): Map<string, number>;
  /** One page of a profile's parked tickets with their reasons (StateStore.parkedPage). */
  parkedPage?(profile: string, kind: ParkedKind, limit: number, offset: number): { total: number; tickets: ParkedTicket[] };
  /** The profiles there are (parked lists are asked by profile name). */
  profiles?(): string[];
}

export const PARKED_KINDS = ['filtered', 'skipped', 'rejected'] as const;
export type ParkedKind = (typeof PARKED_KINDS)[number];
const PARKED_PAGE = 100;

/** Bounds of the report queries: a page never asks the state database for an unbounded answer. */
export const MAX_RUNS_LIMIT = 500;
const DEFAULT_RUNS_LIMIT = 50;
export const MAX_RECORDS_LIMIT = 10_000;
const DEFAULT_RECORDS_LIMIT = 2_000;
/** Runs read to fill one page of the grouped list (a long quiet stretch is one row). */
const MAX_SCAN = 5_000;
const SCAN_CHUNK = 500;
/** Run ids listed in one group (its count is exact either way). */
const MAX_GROUP_IDS = 200;

export interface RunGroup {
  kind: 'group';
  profile: string;
  type: RunType;
  count: number;
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Newest run first, oldest last. */
  newestId: number;
  oldestId: number;
  startedAt: string;
  endedAt: string | null;
  ids: number[];
}

export type RunItem = { kind: 'run'; run: RunRow } | RunGroup;

export interface RunsPage {
  items: RunItem[];
  /** Pass as `before` for the next (older) page; null when there is none. */
  nextBefore: number | null;
  runsShown: number;
}

/** A pass that needs no one's attention: scheduled, complete, nothing parked, no error. */
export function isQuiet(r: RunRow): boolean {
  const skipped = (r as { skipped?: number }).skipped ?? 0;
  return (
    r.type === 'scheduled' &&
    r.status === 'complete' &&
    r.filtered === 0 &&
    r.rejected === 0 &&
    r.errors === 0 &&
    skipped === 0 &&
    !r.errorText
  );
}

/** Consecutive quiet passes of one profile become one group; everything else stays a run. */
export function groupRuns(runs: RunRow[], into: RunItem[] = []): RunItem[] {
  for (const r of runs) {
    const last = into[into.length - 1];
    if (isQuiet(r)) {
      if (last?.kind === 'group' && last.profile === r.profile) {
        last.count++;
        last.read += r.read;
        last.created += r.created;
        last.updated += r.updated;
        last.unchanged += r.unchanged;
        last.oldestId = r.id;
        last.startedAt = r.startedAt;
        if (last.ids.length < MAX_GROUP_IDS) last.ids.push(r.id);
        continue;
      }
      if (last?.kind === 'run' && isQuiet(last.run) && last.run.profile === r.profile) {
        const a = last.run;
        into[into.length - 1] = {
          kind: 'group',
          profile: a.profile,
          type: a.type,
          count: 2,
          read: a.read + r.read,
          created: a.created + r.created,
          updated: a.updated + r.updated,
          unchanged: a.unchanged + r.unchanged,
          newestId: a.id,
          oldestId: r.id,
          startedAt: r.startedAt,
          endedAt: a.endedAt,
          ids: [a.id, r.id],
        };
        continue;
      }
    }
    into.push({ kind: 'run', run: cleanRun(r) });
  }
  return into;
}

export function reportRoutes(deps: { reports: DashboardReports | undefined; timeZone: string }): express.Router {
  const { reports, timeZone } = deps;
  const r = express.Router();

  r.get('/api/runs', (req: Request, res: Response) => {
    if (!reports) return notAvailable(res, 'Run reports are not available in this process.');
    const q = queryOf(req.url);
    const profile = profileParam(q);
    const limit = intParam(q, 'limit', 1, MAX_RUNS_LIMIT, DEFAULT_RUNS_LIMIT);
    const before = intParam(q, 'before', 0, Number.MAX_SAFE_INTEGER, 0);
    const problems = intParam(q, 'problems', 0, 1, 0);
    const grouped = intParam(q, 'grouped', 0, 1, 0);
    const type = enumParam(q, 'type', ['scheduled', 'manual', 'startup'] as const);
    const date = dateParam(q, 'date');
    for (const v of [profile, limit, before, problems, grouped, type, date]) if (v instanceof Error) return badRequest(res, v.message);
    const query: RunQuery = {
      profile: profile as string | null,
      type: type as RunType | undefined,
      problems: problems === 1,
      beforeId: (before as number) > 0 ? (before as number) : undefined,
      ...(date ? { fromIso: startOfPlantDay(date as string, timeZone), toIso: startOfPlantDay(nextDay(date as string), timeZone) } : {}),
      limit: limit as number,
    };
    try {
      if (grouped !== 1) {
        const runs = fetchRuns(reports, query);
        res.json({ runs: runs.map(cleanRun), limit, nextBefore: runs.length === query.limit ? runs[runs.length - 1].id : null });
        return;
      }
      res.json({ ...groupedPage(reports, query), limit });
    } catch {
      res.status(500).json({ error: 'The run reports could not be read from the state database.' });
    }
  });

  // Parked tickets of one kind, with their reasons: what "12 filtered" on the overview stands for.
  r.get('/api/profiles/:name/parked', (req: Request, res: Response) => {
    if (!reports?.parkedPage) return notAvailable(res, 'Parked tickets are not available in this process.');
    const name = req.params.name as string;
    if (reports.profiles && !reports.profiles().includes(name)) return noSuchProfile(res, name);
    const q = queryOf(req.url);
    const kind = enumParam(q, 'kind', PARKED_KINDS);
    const limit = intParam(q, 'limit', 1, 500, PARKED_PAGE);
    const offset = intParam(q, 'offset', 0, 100_000_000, 0);
    for (const v of [kind, limit, offset]) if (v instanceof Error) return badRequest(res, v.message);
    if (!kind) return badRequest(res, '"kind" must be one of: filtered, skipped, rejected.');
    try {
      const page = reports.parkedPage(name, kind as ParkedKind, limit as number, offset as number);
      res.json({
        profile: name,
        kind,
        offset,
        limit,
        total: page.total,
        tickets: page.tickets.map((t) => (t.reason ? { ...t, reason: scrub(t.reason) } : t)),
      });
    } catch {
      res.status(500).json({ error: 'The parked tickets could not be read from the state database.' });
    }
  });

  r.get('/api/runs/:id/records', (req: Request, res: Response) => {
    if (!reports) return notAvailable(res, 'Run reports are not available in this process.');
    const id = idParam(req.params.id as string);
    if (id === undefined) return badRequest(res, 'The run id must be a positive whole number.');
    const q = queryOf(req.url);
    const limit = intParam(q, 'limit', 1, MAX_RECORDS_LIMIT, DEFAULT_RECORDS_LIMIT);
    const problems = intParam(q, 'problems', 0, 1, 0);
    if (limit instanceof Error) return badRequest(res, limit.message);
    if (problems instanceof Error) return badRequest(res, problems.message);
    try {
      const run = reports.run ? reports.run(id) : (reports.runs(null, MAX_RUNS_LIMIT).find((x) => x.id === id) ?? null);
      if (!run) {
        res.status(404).json({ error: `There is no run ${id} (runs are kept for a limited number of days).` });
        return;
      }
      let records = reports.runRecords(id);
      if (problems === 1) records = records.filter(isProblem);
      const total = records.length;
      // recordSample: how many delivered tickets a run lists (past them they are counted as unlisted).
      res.json({
        run: cleanRun(run),
        records: records.slice(0, limit).map(cleanRecord),
        total,
        truncated: total > limit,
        timeZone,
        recordSample: RUN_RECORD_SAMPLE,
      });
    } catch {
      res.status(500).json({ error: 'The run records could not be read from the state database.' });
    }
  });

  return r;
}

function fetchRuns(reports: DashboardReports, q: RunQuery): RunRow[] {
  if (reports.queryRuns) return reports.queryRuns(q);
  // A report source without queries (tests): filter the newest runs here.
  return reports
    .runs(q.profile ?? null, MAX_RUNS_LIMIT)
    .filter((r) => (!q.type || r.type === q.type) && (!q.problems || isProblemRun(r)) && (!q.beforeId || r.id < q.beforeId))
    .filter((r) => (!q.fromIso || r.startedAt >= q.fromIso) && (!q.toIso || r.startedAt < q.toIso))
    .slice(0, q.limit);
}

/** Fills `limit` rows of the grouped list, reading older runs in chunks (at most MAX_SCAN). */
function groupedPage(reports: DashboardReports, q: RunQuery): RunsPage {
  const items: RunItem[] = [];
  let before = q.beforeId;
  let scanned = 0;
  let exhausted = false;
  let cut: number | null = null;
  while (scanned < MAX_SCAN) {
    const chunk = fetchRuns(reports, { ...q, beforeId: before, limit: SCAN_CHUNK });
    if (chunk.length === 0) {
      exhausted = true;
      break;
    }
    for (const run of chunk) {
      scanned++;
      const last = items[items.length - 1];
      // The page is full once `limit` rows exist and this run would start a new one.
      if (items.length >= q.limit && !(isQuiet(run) && last && joins(last, run))) {
        cut = run.id;
        break;
      }
      groupRuns([run], items);
      before = run.id;
    }
    if (cut !== null) break;
    if (chunk.length < SCAN_CHUNK) {
      exhausted = true;
      break;
    }
  }
  const runsShown = items.reduce((n, i) => n + (i.kind === 'run' ? 1 : i.count), 0);
  return { items, nextBefore: exhausted && cut === null ? null : (before ?? null), runsShown };
}

function joins(last: RunItem, run: RunRow): boolean {
  if (last.kind === 'group') return last.profile === run.profile;
  return isQuiet(last.run) && last.run.profile === run.profile;
}

function isProblemRun(r: RunRow): boolean {
  return r.status === 'error' || r.filtered > 0 || r.rejected > 0 || r.errors > 0;
}

function isProblem(r: RunRecord): boolean {
  return r.processorAction === 'invalid' || r.writerAction === 'rejected' || r.writerAction === 'failed' || r.error !== null;
}

/** Error texts come from databases and the API; scrub them again on the way out (defence in depth). */
function cleanRun(r: RunRow): RunRow {
  return r.errorText ? { ...r, errorText: scrub(r.errorText) } : r;
}

function cleanRecord(r: RunRecord): RunRecord {
  return r.error ? { ...r, error: scrub(r.error) } : r;
}
