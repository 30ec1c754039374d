// Overview: per profile the honest state (colour follows the state, never the process) with its
// reason and since-when, lag, backlog, throughput with the last hour's chart, last success, next
// run, what is parked, and the Sync now / Pause / Resume actions.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ProfileStatus, StatusSnapshot } from '../../core/engine/status.js';
import type { HistoryReply } from '../history.js';
import { getJson, postJson, useCsrf, useJson, type Features } from './api.js';
import { LastHourChart } from './Chart.js';
import { formatCount, formatLag, formatRate, formatStamp } from './format.js';
import { parkedHref, runsHref } from './route.js';
import type { ReconcileReport } from '../../core/state/reconcile.js';

type Action = 'sync' | 'pause' | 'resume';

const DONE_TEXT: Record<Action, string> = {
  sync: 'Sync requested.',
  pause: 'Paused; it stays paused across restarts until resumed.',
  resume: 'Resumed.',
};

export type Tone = 'ok' | 'warn' | 'bad' | 'neutral';

/** The colour of a state: green healthy, amber needs a look, red not delivering. Never the process's. */
export function stateTone(state: string): Tone {
  switch (state) {
    case 'idle':
    case 'reading':
    case 'delivering':
      return 'ok';
    case 'paused':
    case 'mapping problem':
    case 'tickets rejected by the API':
      return 'warn';
    case 'starting':
    case 'stopped':
      return 'neutral';
    default:
      return 'bad'; // waiting for database, offline, API protocol error, rejected token, local disk full
  }
}

/** Kept for older call sites: the CSS class of a state. */
export const stateClass = stateTone;

export function OverviewPage({ snapshot, features }: { snapshot: StatusSnapshot | null; features?: Features }) {
  const csrf = useCsrf();
  const [pending, setPending] = useState<Record<string, Action | undefined>>({});
  const [notes, setNotes] = useState<Record<string, string>>({});

  const act = useCallback(
    async (profile: string, action: Action) => {
      setPending((p) => ({ ...p, [profile]: action }));
      let note: string;
      try {
        await postJson(csrf, `/api/profiles/${encodeURIComponent(profile)}/${action}`);
        note = DONE_TEXT[action];
      } catch (err) {
        note = err instanceof Error ? err.message : 'The request failed.';
      }
      setPending((p) => ({ ...p, [profile]: undefined }));
      setNotes((n) => ({ ...n, [profile]: note }));
    },
    [csrf],
  );

  return (
    <>
      <h2 className="visually-hidden">Overview</h2>
      {snapshot && snapshot.profiles.length === 0 && <p className="empty">No profiles yet. Run `outpost setup` to add one.</p>}
      <div className="cards">
        {snapshot?.profiles.map((p) => (
          <ProfileCard
            key={p.name}
            profile={p}
            features={features}
            pending={pending[p.name]}
            note={notes[p.name]}
            onAction={(a) => void act(p.name, a)}
          />
        ))}
      </div>
    </>
  );
}

/** The last hour, fetched when the profile delivers (or its backlog moves), at most every 10 s. */
function useHistory(p: ProfileStatus): HistoryReply | null {
  const [data, setData] = useState<HistoryReply | null>(null);
  const last = useRef(0);
  const key = `${p.lastSuccessAt ?? ''}|${(p as { backlog: number | null }).backlog ?? ''}`;
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), 60_000); // the hour moves on by itself
    return () => clearInterval(t);
  }, []);
  useEffect(() => {
    const wait = Math.max(0, last.current + 10_000 - Date.now());
    const abort = new AbortController();
    const timer = setTimeout(() => {
      last.current = Date.now();
      getJson<HistoryReply>(`/api/profiles/${encodeURIComponent(p.name)}/history`, abort.signal)
        .then(setData)
        .catch(() => {});
    }, wait);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [p.name, key, tick]);
  return data;
}

function nextRunText(p: ProfileStatus): string {
  if (p.state === 'paused') return 'none while paused';
  if (!p.nextRunAt) return p.state === 'reading' || p.state === 'delivering' ? 'running now' : '—';
  const due = new Date(p.nextRunAt).getTime();
  if (due < Date.now() - 5_000) return `overdue since ${formatStamp(p.nextRunAt)}`;
  return formatStamp(p.nextRunAt);
}

function ProfileCard(props: {
  profile: ProfileStatus;
  features?: Features;
  pending: Action | undefined;
  note: string | undefined;
  onAction: (a: Action) => void;
}) {
  const { profile: p, pending, note, onAction } = props;
  const paused = p.state === 'paused';
  const tone = stateTone(p.state);
  const history = useHistory(p);
  const extra = p as ProfileStatus & { skipped?: number; rejected?: number; backlog: number | null; lagSeconds: number | null };
  const parked: Array<{ kind: 'filtered' | 'skipped' | 'rejected'; n: number | undefined; what: string }> = [
    { kind: 'filtered', n: p.filtered, what: 'could not be mapped' },
    { kind: 'skipped', n: extra.skipped, what: 'skipped by a rule' },
    { kind: 'rejected', n: extra.rejected, what: 'refused by the API' },
  ];
  return (
    <section className={`card card-${tone}`} data-testid={`card-${p.name}`} data-tone={tone} aria-labelledby={`title-${p.name}`}>
      <div className="card-head">
        <h3 id={`title-${p.name}`}>{p.name}</h3>
        <span className={`state state-${tone}`} data-testid={`state-${p.name}`}>
          {p.state}
        </span>
      </div>
      <p className="since">since {formatStamp(p.since)}</p>
      {p.reason && <p className="reason">{p.reason}</p>}
      <dl className="facts">
        <div>
          <dt>Delivered</dt>
          <dd>
            <span className="big" data-testid={`delivered-${p.name}`}>
              {p.delivered}
            </span>{' '}
            tickets
          </dd>
        </div>
        <div>
          <dt>Backlog</dt>
          <dd data-testid={`backlog-${p.name}`}>{extra.backlog === null ? 'unknown' : `${formatCount(extra.backlog)} waiting`}</dd>
        </div>
        <div>
          <dt>Lag</dt>
          <dd>{formatLag(extra.lagSeconds)}</dd>
        </div>
        <div>
          <dt>Throughput</dt>
          <dd>{formatRate(p.throughput)}</dd>
        </div>
        <div>
          <dt>Last success</dt>
          <dd>{p.lastSuccessAt ? formatStamp(p.lastSuccessAt) : 'not yet'}</dd>
        </div>
        <div>
          <dt>Next run</dt>
          <dd data-testid={`next-${p.name}`}>{nextRunText(p)}</dd>
        </div>
      </dl>
      {history && <LastHourChart minutes={history.minutes} label={p.name} />}
      <div className="parked" data-testid={`parked-${p.name}`}>
        <span className="label">Parked</span>
        {parked
          .filter((x) => x.n !== undefined)
          .map((x) => (
            <a
              key={x.kind}
              className={x.n ? 'parked-item parked-some' : 'parked-item'}
              href={props.features?.parked === false ? runsHref(p.name, { problems: true }) : parkedHref(p.name, x.kind)}
              data-testid={`parked-${p.name}-${x.kind}`}
            >
              {formatCount(x.n)} {x.kind}
              <span className="visually-hidden"> ({x.what})</span>
            </a>
          ))}
      </div>
      {props.features?.reconcile && <ReconcileToday profile={p.name} />}
      {p.lastError && p.lastError !== p.reason && !(p.reason ?? '').startsWith(p.lastError) && (
        <div className="last-error">
          <span className="label">Last error</span> {p.lastError}
        </div>
      )}
      <div className="actions">
        <button type="button" className="primary" disabled={pending !== undefined} onClick={() => onAction('sync')}>
          Sync now
        </button>
        <button type="button" disabled={pending !== undefined || paused} onClick={() => onAction('pause')}>
          Pause
        </button>
        <button type="button" disabled={pending !== undefined || !paused} onClick={() => onAction('resume')}>
          Resume
        </button>
        <a className="card-link" href={runsHref(p.name)} aria-label={`Runs of ${p.name}`}>
          Runs →
        </a>
      </div>
      <p className="note" aria-live="polite">
        {pending ? 'Working…' : (note ?? '')}
      </p>
    </section>
  );
}

type ReconcileReply = ReconcileReport & { checkedAt: string };

/** Today's reconcile: every source row of today delivered, parked or not yet read — or the gaps. */
function ReconcileToday({ profile }: { profile: string }) {
  const [nonce, setNonce] = useState(0);
  const { data, error } = useJson<ReconcileReply>(
    `/api/profiles/${encodeURIComponent(profile)}/reconcile?days=1${nonce ? '&fresh=1' : ''}`,
    nonce,
    'Reconcile failed.',
  );
  if (!data && !error) return <p className="reconcile muted">Reconciling today…</p>;
  if (!data) return <p className="reconcile reconcile-bad">Today’s reconcile: {error?.message}</p>;
  const t = data.totals;
  return (
    <p className={`reconcile ${data.balanced ? 'reconcile-ok' : 'reconcile-bad'}`} data-testid={`reconcile-${profile}`}>
      <span className="label">Today</span> {formatCount(t.source)} at the source: {formatCount(t.delivered)} delivered,{' '}
      {formatCount(t.filtered + t.skipped + t.rejected)} parked, {formatCount(t.notYetRead)} not yet read
      {t.deleted ? `, ${formatCount(t.deleted)} deleted at the source` : ''} ·{' '}
      <span className="reconcile-verdict">{data.balanced ? 'all accounted for' : `${formatCount(t.gaps)} missing`}</span>
      <span className="muted"> (checked {formatStamp(data.checkedAt)})</span>
      <button type="button" onClick={() => setNonce((n) => n + 1)}>
        Check again
      </button>
    </p>
  );
}
