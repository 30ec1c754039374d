// The dashboard page: live status per profile over one WebSocket (no polling), and the
// Sync now / Pause / Resume actions. The CSP forbids inline scripts and styles, so all styling is
// by class name in style.css.
import { StrictMode, useCallback, useEffect, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { EngineState, ProfileStatus, StatusSnapshot } from '../../core/engine/status.js';

type Connection = 'connecting' | 'live' | 'reconnecting' | 'signed out';
type Action = 'sync' | 'pause' | 'resume';

const SIGNED_OUT_TEXT = 'This dashboard session has ended. Open the URL printed by `outpost dashboard`.';

/** One socket, reconnected with capped exponential backoff and jitter. */
function useLiveStatus(): { snapshot: StatusSnapshot | null; connection: Connection } {
  const [snapshot, setSnapshot] = useState<StatusSnapshot | null>(null);
  const [connection, setConnection] = useState<Connection>('connecting');

  useEffect(() => {
    let ws: WebSocket | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let stopped = false;

    const open = () => {
      const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
      ws = new WebSocket(`${scheme}://${location.host}/ws`);
      ws.onopen = () => {
        failures = 0;
        setConnection('live');
      };
      ws.onmessage = (event) => {
        try {
          const msg = JSON.parse(String(event.data)) as { type?: string; data?: StatusSnapshot };
          if (msg.type === 'status' && msg.data) setSnapshot(msg.data);
        } catch {
          // Not ours to interpret; the next snapshot replaces everything anyway.
        }
      };
      ws.onclose = () => {
        ws = null;
        if (!stopped) void retry();
      };
    };

    const retry = async () => {
      setConnection('reconnecting');
      failures += 1;
      // A refused upgrade looks like any other failure from here: after a couple of tries, ask
      // whether our session still exists (a restarted dashboard has a new secret).
      if (failures >= 2) {
        const res = await fetch('/api/session').catch(() => null);
        if (stopped) return;
        if (res?.status === 401) {
          setConnection('signed out');
          return;
        }
      }
      const base = Math.min(10_000, 500 * 2 ** (failures - 1));
      timer = setTimeout(open, base / 2 + Math.random() * (base / 2));
    };

    open();
    return () => {
      stopped = true;
      clearTimeout(timer);
      ws?.close();
    };
  }, []);

  return { snapshot, connection };
}

/** The CSRF token for mutations, fetched once and again after a refusal. */
function useCsrf(): () => Promise<string | null> {
  const token = useRef<string | null>(null);
  return useCallback(async () => {
    if (token.current) return token.current;
    const res = await fetch('/api/session', { headers: { Accept: 'application/json' } });
    if (!res.ok) return null;
    const body = (await res.json()) as { csrf?: string };
    token.current = body.csrf ?? null;
    return token.current;
  }, []);
}

function App() {
  const { snapshot, connection } = useLiveStatus();
  const getCsrf = useCsrf();
  const [pending, setPending] = useState<Record<string, Action | undefined>>({});
  const [notes, setNotes] = useState<Record<string, string>>({});

  const act = useCallback(
    async (profile: string, action: Action) => {
      setPending((p) => ({ ...p, [profile]: action }));
      let note: string;
      try {
        const csrf = await getCsrf();
        if (!csrf) throw new Error(SIGNED_OUT_TEXT);
        const res = await fetch(`/api/profiles/${encodeURIComponent(profile)}/${action}`, {
          method: 'POST',
          headers: { 'X-Outpost-CSRF': csrf },
        });
        if (res.ok) note = DONE_TEXT[action];
        else {
          const body = (await res.json().catch(() => ({}))) as { error?: string };
          note = body.error ?? `The request failed (HTTP ${res.status}).`;
        }
      } catch (err) {
        note = err instanceof Error ? err.message : 'The request failed.';
      }
      setPending((p) => ({ ...p, [profile]: undefined }));
      setNotes((n) => ({ ...n, [profile]: note }));
    },
    [getCsrf],
  );

  return (
    <>
      <header className="top">
        <div>
          <h1>Outpost</h1>
          {snapshot && (
            <p className="connector">
              Connector {snapshot.connector.id} · v{snapshot.connector.version} · started{' '}
              {formatTime(snapshot.connector.startedAt)}
            </p>
          )}
        </div>
        <span className={`conn conn-${connection.replace(' ', '-')}`} data-testid="connection" role="status">
          {connection}
        </span>
      </header>
      <main className={connection === 'live' ? '' : 'stale'}>
        {connection === 'signed out' && <p className="banner">{SIGNED_OUT_TEXT}</p>}
        {connection === 'reconnecting' && snapshot && (
          <p className="banner">Connection lost; showing the last known status while reconnecting.</p>
        )}
        {!snapshot && connection !== 'signed out' && <p className="empty">Waiting for status…</p>}
        {snapshot && snapshot.profiles.length === 0 && (
          <p className="empty">No profiles yet. Run `outpost setup` to add one.</p>
        )}
        <div className="cards">
          {snapshot?.profiles.map((p) => (
            <ProfileCard
              key={p.name}
              profile={p}
              pending={pending[p.name]}
              note={notes[p.name]}
              onAction={(a) => void act(p.name, a)}
            />
          ))}
        </div>
      </main>
      {snapshot && (
        <footer className="updated">Updated {formatTime(snapshot.updatedAt)}</footer>
      )}
    </>
  );
}

const DONE_TEXT: Record<Action, string> = {
  sync: 'Sync requested.',
  pause: 'Pause requested.',
  resume: 'Resume requested.',
};

function ProfileCard(props: {
  profile: ProfileStatus;
  pending: Action | undefined;
  note: string | undefined;
  onAction: (a: Action) => void;
}) {
  const { profile: p, pending, note, onAction } = props;
  const paused = p.state === 'paused';
  return (
    <section className="card" data-testid={`card-${p.name}`} aria-labelledby={`title-${p.name}`}>
      <div className="card-head">
        <h2 id={`title-${p.name}`}>{p.name}</h2>
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
          <dd>{p.backlog} waiting</dd>
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
        <button type="button" disabled={pending !== undefined} onClick={() => onAction('sync')}>
          Sync now
        </button>
        <button type="button" disabled={pending !== undefined || paused} onClick={() => onAction('pause')}>
          Pause
        </button>
        <button type="button" disabled={pending !== undefined || !paused} onClick={() => onAction('resume')}>
          Resume
        </button>
      </div>
      <p className="note" aria-live="polite">
        {pending ? 'Working…' : (note ?? '')}
      </p>
    </section>
  );
}

function stateClass(state: EngineState): string {
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

/** Local time, with the date only when it is not today. */
function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const sameDay = d.toDateString() === new Date().toDateString();
  return sameDay ? d.toLocaleTimeString() : d.toLocaleString();
}

function formatLag(seconds: number): string {
  if (seconds <= 0) return 'caught up';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

function formatRate(perSecond: number): string {
  const digits = perSecond > 0 && perSecond < 10 ? 1 : 0;
  return `${perSecond.toFixed(digits)} tickets/s`;
}

const rootEl = document.getElementById('root');
if (rootEl) {
  createRoot(rootEl).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
