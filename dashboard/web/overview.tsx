// Overview: live status per profile, and the Sync now / Pause / Resume actions.
import { useCallback, useState } from 'react';
import type { EngineState, ProfileStatus, StatusSnapshot } from '../../core/engine/status.js';
import { postJson, useCsrf } from './api.js';
import { formatLag, formatRate, formatTime } from './format.js';
import { runsHref } from './route.js';

type Action = 'sync' | 'pause' | 'resume';

const DONE_TEXT: Record<Action, string> = {
  sync: 'Sync requested.',
  pause: 'Pause requested.',
  resume: 'Resume requested.',
};

export function OverviewPage({ snapshot }: { snapshot: StatusSnapshot | null }) {
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
          <ProfileCard key={p.name} profile={p} pending={pending[p.name]} note={notes[p.name]} onAction={(a) => void act(p.name, a)} />
        ))}
      </div>
    </>
  );
}

function ProfileCard(props: { profile: ProfileStatus; pending: Action | undefined; note: string | undefined; onAction: (a: Action) => void }) {
  const { profile: p, pending, note, onAction } = props;
  const paused = p.state === 'paused';
  return (
    <section className="card" data-testid={`card-${p.name}`} aria-labelledby={`title-${p.name}`}>
      <div className="card-head">
        <h3 id={`title-${p.name}`}>{p.name}</h3>
        <span className={`state state-${stateClass(p.state)}`}>{p.state}</span>
      </div>
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
          <dd>{p.backlog === null ? 'unknown' : `${p.backlog} waiting`}</dd>
        </div>
        <div>
          <dt>Lag</dt>
          <dd>{formatLag(p.lagSeconds)}</dd>
        </div>
        <div>
          <dt>Throughput</dt>
          <dd>{formatRate(p.throughput)}</dd>
        </div>
        <div>
          <dt>Last success</dt>
          <dd>{p.lastSuccessAt ? formatTime(p.lastSuccessAt) : 'not yet'}</dd>
        </div>
        <div>
          <dt>Next run</dt>
          <dd>{p.nextRunAt ? formatTime(p.nextRunAt) : '—'}</dd>
        </div>
        <div>
          <dt>Filtered</dt>
          <dd>{p.filtered} not sent</dd>
        </div>
        <div>
          <dt>State since</dt>
          <dd>{formatTime(p.since)}</dd>
        </div>
      </dl>
      <div className={p.lastError ? 'last-error' : 'last-error none'}>
        <span className="label">Last error</span> {p.lastError ?? 'none'}
      </div>
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

export function stateClass(state: EngineState): string {
  switch (state) {
    case 'idle':
    case 'reading':
    case 'delivering':
      return 'ok';
    case 'starting':
    case 'paused':
    case 'stopped':
      return 'neutral';
    default:
      return 'bad'; // waiting for database, offline, rejected token
  }
}
