// Runs (docs/design.md §4): the run reports, newest first, and one run's records. Refreshed when the live
// status says something was delivered or failed (a new last success or a new error), and while a
// shown run is still running, when its profile's state changes: never on a timer.
import { Fragment, useEffect, useMemo, useState } from 'react';
import type { StatusSnapshot } from '../../core/engine/status.js';
import type { RunRecord, RunRow } from '../../core/state/store.js';
import { ApiError, getJson } from './api.js';
import { formatCount, formatDuration, formatEnd, formatStamp, formatTime } from './format.js';
import { go, runHref, runsHref } from './route.js';

const PAGE = 100;
const MAX_LIMIT = 500;

/**
 * What, in the live status, means the reports may have changed: a new last success or error of
 * the profiles shown, and — while a shown run is running — the state (a pass ending).
 */
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

function useReports<T>(url: string, key: string): { data: T | null; error: ApiError | null; loading: boolean; updatedAt: string | null; reload(): void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [updatedAt, setUpdatedAt] = useState<string | null>(null);
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    const abort = new AbortController();
    setLoading(true);
    getJson<T>(url, abort.signal)
      .then((d) => {
        setData(d);
        setError(null);
        setUpdatedAt(new Date().toISOString());
      })
      .catch((e: unknown) => {
        if (abort.signal.aborted) return;
        setError(e instanceof ApiError ? e : new ApiError('The request failed.', 0));
      })
      .finally(() => {
        if (!abort.signal.aborted) setLoading(false);
      });
    return () => abort.abort();
  }, [url, key, nonce]);
  return { data, error, loading, updatedAt, reload: () => setNonce((n) => n + 1) };
}

export function RunsPage({ snapshot, profile }: { snapshot: StatusSnapshot | null; profile: string | null }) {
  const [limit, setLimit] = useState(PAGE);
  const [anyRunning, setAnyRunning] = useState(false);
  const url = `/api/runs?limit=${limit}${profile ? `&profile=${encodeURIComponent(profile)}` : ''}`;
  const key = changeKey(snapshot, profile, anyRunning);
  const { data, error, loading, updatedAt, reload } = useReports<{ runs: RunRow[] }>(url, key);
  const runs = data?.runs ?? null;
  useEffect(() => setAnyRunning(!!runs?.some((r) => r.status === 'running')), [runs]);

  const profiles = useMemo(() => {
    const names = new Set(snapshot?.profiles.map((p) => p.name) ?? []);
    for (const r of runs ?? []) names.add(r.profile);
    if (profile) names.add(profile);
    return [...names].sort();
  }, [snapshot, runs, profile]);

  return (
    <>
      <div className="page-head">
        <h2 id="page-title">Runs</h2>
        <div className="toolbar">
          <label>
            Profile{' '}
            <select value={profile ?? ''} onChange={(e) => go(runsHref(e.target.value || null), true)} data-testid="runs-profile">
              <option value="">All profiles</option>
              {profiles.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={reload} disabled={loading}>
            Refresh
          </button>
        </div>
      </div>
      <p className="hint" aria-live="polite">
        {loading && !runs ? 'Loading runs…' : updatedAt ? `Newest first · updated ${formatTime(updatedAt)} · refreshes when a run delivers or fails` : ''}
      </p>
      {error && <p className="banner">{error.message}</p>}
      {runs && runs.length === 0 && (
        <p className="empty">No runs yet{profile ? ` for ${profile}` : ''}. A run is recorded when a pass reads a changed ticket.</p>
      )}
      {runs && runs.length > 0 && <RunsTable runs={runs} />}
      {runs && runs.length >= limit && limit < MAX_LIMIT && (
        <p>
          <button type="button" onClick={() => setLimit((l) => Math.min(MAX_LIMIT, l + PAGE))}>
            Show older runs
          </button>
        </p>
      )}
    </>
  );
}

const RUN_COLUMNS = 13;

/** One row per run; a run's error text goes in a full-width row under it, so long sentences stay readable. */
function RunsTable({ runs }: { runs: RunRow[] }) {
  return (
    <div className="table-wrap">
      <table className="grid runs" data-testid="runs-table" aria-labelledby="page-title">
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Profile</th>
            <th scope="col">Type</th>
            <th scope="col">Status</th>
            <th scope="col">Started</th>
            <th scope="col">Ended</th>
            <th scope="col" className="num">Read</th>
            <th scope="col" className="num">Filtered</th>
            <th scope="col" className="num">Created</th>
            <th scope="col" className="num">Updated</th>
            <th scope="col" className="num">Unchanged</th>
            <th scope="col" className="num">Rejected</th>
            <th scope="col" className="num">Errors</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <Fragment key={r.id}>
            <tr data-testid={`run-${r.id}`} className={r.errorText ? 'has-error' : undefined}>
              <th scope="row" data-label="Run">
                <a href={runHref(r.id)} aria-label={`Run ${r.id}, ${r.profile}, ${r.status}`}>
                  #{r.id}
                </a>
              </th>
              <td data-label="Profile">{r.profile}</td>
              <td data-label="Type">{r.type}</td>
              <td data-label="Status">
                <span className={`badge badge-${r.status === 'complete' ? 'ok' : r.status === 'error' ? 'bad' : 'neutral'}`}>{r.status}</span>
              </td>
              <td data-label="Started">
                <time dateTime={r.startedAtLocal} title={r.startedAtLocal}>
                  {formatStamp(r.startedAt)}
                </time>
              </td>
              <td data-label="Ended">
                {r.endedAt ? (
                  <time dateTime={r.endedAtLocal ?? r.endedAt} title={r.endedAtLocal ?? r.endedAt}>
                    {formatEnd(r.startedAt, r.endedAt)}
                  </time>
                ) : (
                  '—'
                )}
              </td>
              <Count label="Read" n={r.read} />
              <Count label="Filtered" n={r.filtered} warn />
              <Count label="Created" n={r.created} />
              <Count label="Updated" n={r.updated} />
              <Count label="Unchanged" n={r.unchanged} />
              <Count label="Rejected" n={r.rejected} bad />
              <Count label="Errors" n={r.errors} bad />
            </tr>
            {r.errorText && (
              <tr className="error-row" data-testid={`run-error-${r.id}`}>
                <td colSpan={RUN_COLUMNS} data-label="Error">
                  <span className="error-text">
                    <span className="visually-hidden">Error of run {r.id}: </span>
                    {r.errorText}
                  </span>
                </td>
              </tr>
            )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Count({ label, n, bad, warn }: { label: string; n: number; bad?: boolean; warn?: boolean }) {
  const cls = n > 0 && bad ? 'num count-bad' : n > 0 && warn ? 'num count-warn' : n === 0 ? 'num muted' : 'num';
  return (
    <td data-label={label} className={cls}>
      {formatCount(n)}
    </td>
  );
}

interface RecordsReply {
  run: RunRow;
  records: RunRecord[];
  total: number;
  truncated: boolean;
}

export function RunDetailPage({ snapshot, id, problems }: { snapshot: StatusSnapshot | null; id: number; problems: boolean }) {
  const [running, setRunning] = useState<{ profile: string } | null>(null);
  const url = `/api/runs/${id}/records${problems ? '?problems=1' : ''}`;
  // Only a running run changes: follow its profile's status until it ends.
  const key = running ? changeKey(snapshot, running.profile, true) : '';
  const { data, error, loading } = useReports<RecordsReply>(url, key);
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
                {run.profile} · {run.type}
              </span>{' '}
              <span className={`badge badge-${run.status === 'complete' ? 'ok' : run.status === 'error' ? 'bad' : 'neutral'}`}>{run.status}</span>
            </>
          )}
        </h2>
        <div className="toolbar">
          <label className="check">
            <input type="checkbox" checked={problems} onChange={(e) => go(runHref(id, e.target.checked), true)} data-testid="problems-only" />
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
              ? `Showing the first ${formatCount(data.records.length)} of ${formatCount(data.total)} ${problems ? 'problem records' : 'records'}.`
              : `${formatCount(data.total)} ${problems ? (data.total === 1 ? 'problem record' : 'problem records') : data.total === 1 ? 'record' : 'records'}.`}
            {run.prunedRecords > 0 && ` ${formatCount(run.prunedRecords)} older records of this run were removed to keep the state file within its disk budget; the counts above still include them.`}
          </p>
          {data.records.length === 0 ? (
            <p className="empty">{problems ? 'No problems in this run.' : 'This run has no records.'}</p>
          ) : (
            <RecordsTable records={data.records} />
          )}
        </>
      )}
    </>
  );
}

function RunSummary({ run }: { run: RunRow }) {
  const facts: Array<[string, string]> = [
    ['Started', formatStamp(run.startedAt)],
    ['Ended', run.endedAt ? `${formatEnd(run.startedAt, run.endedAt)} (${formatDuration(run.startedAt, run.endedAt)})` : 'still running'],
    ['Read', formatCount(run.read)],
    ['Written', `${formatCount(run.written)} (${formatCount(run.created)} created, ${formatCount(run.updated)} updated)`],
    ['Unchanged', formatCount(run.unchanged)],
    ['Filtered', formatCount(run.filtered)],
    ['Rejected', formatCount(run.rejected)],
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

const PROCESSOR_TONE: Record<RunRecord['processorAction'], string> = { new: 'ok', changed: 'ok', unchanged: 'neutral', invalid: 'bad' };
const WRITER_TONE: Record<RunRecord['writerAction'], string> = { created: 'ok', updated: 'ok', skipped: 'neutral', rejected: 'bad', failed: 'bad' };

function RecordsTable({ records }: { records: RunRecord[] }) {
  return (
    <div className="table-wrap">
      <table className="grid records" data-testid="records-table" aria-labelledby="page-title">
        <thead>
          <tr>
            <th scope="col">Ticket</th>
            <th scope="col">Source id</th>
            <th scope="col">Target id</th>
            <th scope="col">Processor</th>
            <th scope="col">Writer</th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {records.map((r, i) => (
            <tr key={i}>
              <th scope="row" data-label="Ticket">
                {r.ticketNumber ?? '—'}
              </th>
              <td data-label="Source id" className="mono">
                {r.sourceId}
              </td>
              <td data-label="Target id" className="mono">
                {r.targetId ?? '—'}
              </td>
              <td data-label="Processor">
                <span className={`badge badge-${PROCESSOR_TONE[r.processorAction] ?? 'neutral'}`}>{r.processorAction}</span>
              </td>
              <td data-label="Writer">
                <span className={`badge badge-${WRITER_TONE[r.writerAction] ?? 'neutral'}`}>{r.writerAction}</span>
              </td>
              <td data-label="Error" className={r.error ? 'error-text' : 'muted'}>
                {r.error ?? ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
