// Runs (docs/design.md, runs and reports): the run reports, newest first, quiet scheduled passes
// grouped into one row, with filters (problems only, type, date) and paging; and one run's records
// in words a plant person reads. Refreshed when the live status says something was delivered or
// failed, never on a timer.
import { Fragment, useEffect, useMemo, useState } from 'react';
import type { StatusSnapshot } from '../../core/engine/status.js';
import type { RunRecord, RunRow } from '../../core/state/store.js';
import type { RunItem, RunsPage as RunsReply } from '../routes/reports.js';
import { useJson } from './api.js';
import { ProfileSelect } from './ProfileSelect.js';
import { formatCount, formatDuration, formatEnd, formatRange, formatStamp } from './format.js';
import { go, runHref, runsHref, type RunsFilter } from './route.js';

const PAGE = 25;

/** What, in the live status, means the reports may have changed: a new last success or error. */
function changeKey(snapshot: StatusSnapshot | null, profile: string | null, watchState: boolean): string {
  if (!snapshot) return '';
  return snapshot.profiles
    .filter((p) => profile === null || p.name === profile)
    .map((p) => {
      const busy = p.state === 'reading' || p.state === 'delivering';
      return `${p.name}|${p.lastSuccessAt ?? ''}|${p.lastError ?? ''}${watchState ? `|${busy}` : ''}`;
    })
    .join('\n');
}

const TYPE_WORDS: Record<string, string> = { scheduled: 'scheduled', manual: 'manual (sync now)', startup: 'at start-up' };

export function RunsPage({ snapshot, filter }: { snapshot: StatusSnapshot | null; filter: RunsFilter }) {
  const { profile, problems, type, date } = filter;
  // Older pages: a stack of `before` cursors (the first page has none).
  const [cursors, setCursors] = useState<number[]>([]);
  const filterKey = `${profile}|${problems}|${type}|${date}`;
  useEffect(() => setCursors([]), [filterKey]);
  const before = cursors[cursors.length - 1];
  const q = new URLSearchParams({ grouped: '1', limit: String(PAGE) });
  if (profile) q.set('profile', profile);
  if (problems) q.set('problems', '1');
  if (type) q.set('type', type);
  if (date) q.set('date', date);
  if (before) q.set('before', String(before));
  // Only the first page follows the live status; older pages do not change.
  const key = before ? '' : changeKey(snapshot, profile, false);
  const { data, error, loading } = useJson<RunsReply>(`/api/runs?${q}`, key, 'The request failed.');

  const profiles = useMemo(() => {
    const names = new Set(snapshot?.profiles.map((p) => p.name) ?? []);
    if (profile) names.add(profile);
    return [...names].sort();
  }, [snapshot, profile]);
  const set = (patch: Partial<RunsFilter>) => {
    const next = { ...filter, ...patch };
    go(runsHref(next.profile, next), true);
  };

  return (
    <>
      <div className="page-head">
        <h2 id="page-title">Runs</h2>
      </div>
      <form className="toolbar filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter runs">
        <ProfileSelect
          label="Profile"
          profiles={profiles}
          value={profile ?? ''}
          onChange={(v) => set({ profile: v || null })}
          allText="All profiles"
          data-testid="runs-profile"
        />
        <label>
          Type{' '}
          <select
            value={type ?? ''}
            onChange={(e) => set({ type: (e.target.value || null) as RunsFilter['type'] })}
            data-testid="runs-type"
          >
            <option value="">Any</option>
            <option value="scheduled">Scheduled</option>
            <option value="manual">Manual (sync now)</option>
            <option value="startup">At start-up</option>
          </select>
        </label>
        <label>
          Date <input type="date" value={date ?? ''} onChange={(e) => set({ date: e.target.value || null })} data-testid="runs-date" />
        </label>
        <label className="check">
          <input type="checkbox" checked={problems} onChange={(e) => set({ problems: e.target.checked })} data-testid="runs-problems" />
          Problems only
        </label>
      </form>
      <p className="hint" aria-live="polite">
        {loading && !data
          ? 'Loading runs…'
          : data
            ? `Newest first · ${formatCount(data.runsShown)} runs on this page · quiet scheduled passes are grouped`
            : ''}
      </p>
      {error && <p className="banner">{error.message}</p>}
      {data && data.items.length === 0 && (
        <p className="empty">No runs{problems ? ' with problems' : ''} match. A run is recorded when a pass reads a changed ticket.</p>
      )}
      {data && data.items.length > 0 && <RunsList items={data.items} />}
      <nav className="pager" aria-label="Pages of runs">
        <button type="button" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
          ← Newer
        </button>
        <span className="muted">page {cursors.length + 1}</span>
        <button
          type="button"
          disabled={!data?.nextBefore}
          onClick={() => data?.nextBefore && setCursors((c) => [...c, data.nextBefore!])}
          data-testid="runs-older"
        >
          Older →
        </button>
      </nav>
    </>
  );
}

function RunsList({ items }: { items: RunItem[] }) {
  return (
    <ol className="run-list" data-testid="runs-table">
      {items.map((item) =>
        item.kind === 'group' ? (
          <li key={`g${item.newestId}`} className="run-item run-group" data-testid={`group-${item.newestId}`}>
            <div className="run-line">
              <span className="badge badge-ok">quiet</span>
              <strong>
                {formatCount(item.count)} {TYPE_WORDS[item.type] ?? item.type} passes
              </strong>
              <span>
                {formatCount(item.created)} created{item.updated ? `, ${formatCount(item.updated)} updated` : ''}
                {item.unchanged ? `, ${formatCount(item.unchanged)} unchanged` : ''}
              </span>
              <span className="muted">{formatRange(item.startedAt, item.endedAt ?? item.startedAt)}</span>
              <span className="muted">{item.profile}</span>
            </div>
            <details>
              <summary>The {formatCount(item.count)} runs</summary>
              <p className="run-ids">
                {item.ids.map((id, i) => (
                  <Fragment key={id}>
                    {i > 0 && ' '}
                    <a href={runHref(id)}>#{id}</a>
                  </Fragment>
                ))}
                {item.ids.length < item.count && ` … and ${formatCount(item.count - item.ids.length)} more`}
              </p>
            </details>
          </li>
        ) : (
          <RunLine key={item.run.id} run={item.run} />
        ),
      )}
    </ol>
  );
}

function statusTone(r: RunRow): string {
  if (r.status === 'error' || r.rejected > 0 || r.errors > 0) return 'bad';
  if (r.filtered > 0) return 'warn';
  if (r.status === 'running') return 'neutral';
  return 'ok';
}

function RunLine({ run: r }: { run: RunRow }) {
  const counts = [
    [r.created, 'created'],
    [r.updated, 'updated'],
    [r.unchanged, 'unchanged'],
    [r.filtered, 'filtered'],
    [(r as { skipped?: number }).skipped ?? 0, 'skipped'],
    [r.rejected, 'rejected'],
    [r.errors, 'errors'],
  ].filter(([n]) => (n as number) > 0);
  return (
    <li className={`run-item run-${statusTone(r)}`} data-testid={`run-${r.id}`}>
      <div className="run-line">
        <a href={runHref(r.id)} aria-label={`Run ${r.id}, ${r.profile}, ${r.status}`}>
          #{r.id}
        </a>
        <span className={`badge badge-${statusTone(r)}`}>{r.status}</span>
        <span>{TYPE_WORDS[r.type] ?? r.type}</span>
        <span>
          read {formatCount(r.read)}
          {counts.map(([n, w]) => `, ${formatCount(n as number)} ${w}`).join('')}
        </span>
        <span className="muted">
          <time dateTime={r.startedAt}>{formatStamp(r.startedAt)}</time>
          {r.endedAt ? ` – ${formatEnd(r.startedAt, r.endedAt)}` : ' – still running'}
        </span>
        <span className="muted">{r.profile}</span>
      </div>
      {r.errorText && (
        <p className="error-text" data-testid={`run-error-${r.id}`}>
          {r.errorText}
        </p>
      )}
    </li>
  );
}

interface RecordsReply {
  run: RunRow;
  records: RunRecord[];
  total: number;
  truncated: boolean;
  /** Delivered tickets a run lists as records (core/state/store.ts RUN_RECORD_SAMPLE). */
  recordSample: number;
}

export function RunDetailPage({ snapshot, id, problems }: { snapshot: StatusSnapshot | null; id: number; problems: boolean }) {
  const [running, setRunning] = useState<{ profile: string } | null>(null);
  const url = `/api/runs/${id}/records${problems ? '?problems=1' : ''}`;
  // Only a running run changes: follow its profile's status until it ends.
  const key = running ? changeKey(snapshot, running.profile, true) : '';
  const { data, error, loading } = useJson<RecordsReply>(url, key, 'The request failed.');
  const run = data?.run.id === id ? data.run : null;
  useEffect(() => setRunning(run?.status === 'running' ? { profile: run.profile } : null), [run?.status, run?.profile]);

  return (
    <>
      <p className="crumbs">
        <a href={runsHref(run?.profile ?? null)}>← Runs{run ? ` of ${run.profile}` : ''}</a>
      </p>
      <div className="page-head">
        <h2 id="page-title">
          Run #{id}
          {run && (
            <>
              {' '}
              <span className="sub">
                {run.profile} · {TYPE_WORDS[run.type] ?? run.type}
              </span>{' '}
              <span className={`badge badge-${statusTone(run)}`}>{run.status}</span>
            </>
          )}
        </h2>
        <div className="toolbar">
          <label className="check">
            <input
              type="checkbox"
              checked={problems}
              onChange={(e) => go(runHref(id, e.target.checked), true)}
              data-testid="problems-only"
            />
            Problems only
          </label>
        </div>
      </div>
      {error && <p className="banner">{error.message}</p>}
      {loading && !data && <p className="hint">Loading records…</p>}
      {run && <RunSummary run={run} />}
      {data && run && (
        <>
          <p className="hint" aria-live="polite">
            {data.truncated
              ? `Showing the first ${formatCount(data.records.length)} of ${formatCount(data.total)} ${problems ? 'problem tickets' : 'tickets'}.`
              : `${formatCount(data.total)} ${problems ? (data.total === 1 ? 'problem ticket' : 'problem tickets') : data.total === 1 ? 'ticket' : 'tickets'}.`}
            {run.prunedRecords > 0 &&
              ` ${formatCount(run.prunedRecords)} older records of this run were removed to keep the state file within its disk budget; the counts above still include them.`}
            {!problems &&
              run.unlistedRecords > 0 &&
              ` ${formatCount(run.unlistedRecords)} more delivered ${run.unlistedRecords === 1 ? 'ticket is' : 'tickets are'} not listed: a run lists every problem and its first ${formatCount(data.recordSample)} delivered tickets. The counts above include them, and "outpost reconcile" accounts for every row.`}
          </p>
          {data.records.length === 0 ? (
            <p className="empty">{problems ? 'No problems in this run.' : 'This run has no records.'}</p>
          ) : (
            <RecordsList records={data.records} />
          )}
        </>
      )}
    </>
  );
}

function RunSummary({ run }: { run: RunRow }) {
  const facts: Array<[string, string]> = [
    ['Started', formatStamp(run.startedAt)],
    [
      'Ended',
      run.endedAt
        ? `${formatEnd(run.startedAt, run.endedAt)} (took ${formatDuration(run.startedAt, run.endedAt) || 'under a second'})`
        : 'still running',
    ],
    ['Tickets read', formatCount(run.read)],
    ['Sent to the service', `${formatCount(run.written)} (${formatCount(run.created)} new, ${formatCount(run.updated)} updated)`],
    ['Already up to date', formatCount(run.unchanged)],
    ['Could not be mapped', formatCount(run.filtered)],
    ['Refused by the service', formatCount(run.rejected)],
    ['Errors', formatCount(run.errors)],
  ];
  return (
    <>
      <dl className="summary">
        {facts.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      {run.errorText && (
        <p className="last-error">
          <span className="label">Error</span> {run.errorText}
        </p>
      )}
    </>
  );
}

/** What Outpost did with the row (the processor), in words. */
const PROCESSOR: Record<string, [string, string]> = {
  new: ['new ticket', 'ok'],
  changed: ['changed since last sent', 'ok'],
  unchanged: ['no change', 'neutral'],
  invalid: ['could not be mapped', 'bad'],
  skipped: ['skipped by a rule', 'neutral'],
};
/** What happened at the e-ticketing service (the writer), in words. */
const WRITER: Record<string, [string, string]> = {
  created: ['created', 'ok'],
  updated: ['updated', 'ok'],
  skipped: ['not sent', 'neutral'],
  rejected: ['refused by the service', 'bad'],
  failed: ['not delivered yet (will retry)', 'bad'],
};

function RecordsList({ records }: { records: RunRecord[] }) {
  return (
    <div className="table-wrap">
      <table className="grid records" data-testid="records-table" aria-labelledby="page-title">
        <thead>
          <tr>
            <th scope="col">Ticket</th>
            <th scope="col">Outpost</th>
            <th scope="col">Service</th>
            <th scope="col">Row in the plant table</th>
            <th scope="col">E-ticket id</th>
            <th scope="col">Problem</th>
          </tr>
        </thead>
        <tbody>
          {records.map((r, i) => {
            const [pw, pt] = PROCESSOR[r.processorAction] ?? [r.processorAction, 'neutral'];
            const [ww, wt] = WRITER[r.writerAction] ?? [r.writerAction, 'neutral'];
            return (
              <tr key={i}>
                <th scope="row" data-label="Ticket">
                  {r.ticketNumber ?? '—'}
                </th>
                <td data-label="Outpost">
                  <span className={`badge badge-${pt}`}>{pw}</span>
                </td>
                <td data-label="Service">
                  <span className={`badge badge-${wt}`}>{ww}</span>
                </td>
                <td data-label="Plant row" className="mono">
                  {r.sourceId}
                </td>
                <td data-label="E-ticket id" className="mono">
                  {r.targetId ?? '—'}
                </td>
                <td data-label="Problem" className={r.error ? 'error-text' : 'muted'}>
                  {r.error ?? ''}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
