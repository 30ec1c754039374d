// The dashboard page (docs/design.md §5): overview, runs, run detail, logs and review, switched by hash
// routes (no router library). One WebSocket carries the live status and log lines (no polling).
// The CSP forbids inline scripts and styles, so all styling is by class name in style.css.
import { StrictMode, useEffect, useRef } from 'react';
import { createRoot } from 'react-dom/client';
import { SIGNED_OUT_TEXT } from './api.js';
import { formatTime } from './format.js';
import { useLive } from './live.js';
import { LogsPage } from './logs.js';
import { OverviewPage } from './overview.js';
import { ReviewPage } from './review.js';
import { useRoute, type Route } from './route.js';
import { RunDetailPage, RunsPage } from './runs.js';

const NAV: Array<{ href: string; label: string; pages: Route['page'][] }> = [
  { href: '#/', label: 'Overview', pages: ['overview'] },
  { href: '#/runs', label: 'Runs', pages: ['runs', 'run'] },
  { href: '#/logs', label: 'Logs', pages: ['logs'] },
  { href: '#/review', label: 'Review', pages: ['review'] },
];

function titleOf(route: Route): string {
  switch (route.page) {
    case 'overview':
      return 'Outpost';
    case 'runs':
      return route.profile ? `Runs of ${route.profile} · Outpost` : 'Runs · Outpost';
    case 'run':
      return `Run ${route.id} · Outpost`;
    case 'logs':
      return 'Logs · Outpost';
    case 'review':
      return 'Review · Outpost';
    default:
      return 'Not found · Outpost';
  }
}

function App() {
  const { snapshot, connection, logs, logsAvailable } = useLive();
  const route = useRoute();
  const mainRef = useRef<HTMLElement>(null);
  const firstRoute = useRef(true);

  // A new page: new title, and keyboard/screen-reader focus moves to it (not on first load).
  useEffect(() => {
    document.title = titleOf(route);
    if (firstRoute.current) {
      firstRoute.current = false;
      return;
    }
    mainRef.current?.focus({ preventScroll: false });
  }, [route.page, route.page === 'run' ? route.id : 0]);

  return (
    <>
      <a className="skip" href="#main" onClick={(e) => (e.preventDefault(), mainRef.current?.focus())}>
        Skip to content
      </a>
      <header className="top">
        <div className="brand">
          <h1>Outpost</h1>
          {snapshot && (
            <p className="connector">
              Connector {snapshot.connector.id} · v{snapshot.connector.version} · started {formatTime(snapshot.connector.startedAt)}
            </p>
          )}
        </div>
        <nav aria-label="Dashboard pages" className="nav">
          {NAV.map((n) => (
            <a key={n.href} href={n.href} aria-current={n.pages.includes(route.page) ? 'page' : undefined}>
              {n.label}
            </a>
          ))}
        </nav>
        <span className={`conn conn-${connection.replace(' ', '-')}`} data-testid="connection" role="status" aria-live="polite" aria-label={`Connection: ${connection}`}>
          {connection}
        </span>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1} className={connection === 'live' ? '' : 'stale'}>
        {connection === 'signed out' && <p className="banner">{SIGNED_OUT_TEXT}</p>}
        {connection === 'reconnecting' && snapshot && <p className="banner">Connection lost; showing the last known status while reconnecting.</p>}
        {!snapshot && connection !== 'signed out' && route.page === 'overview' && <p className="empty">Waiting for status…</p>}
        <Page route={route} snapshot={snapshot} logs={logs} logsAvailable={logsAvailable} connection={connection} />
      </main>
      {snapshot && route.page === 'overview' && <footer className="updated">Updated {formatTime(snapshot.updatedAt)}</footer>}
    </>
  );
}

function Page(props: {
  route: Route;
  snapshot: ReturnType<typeof useLive>['snapshot'];
  logs: ReturnType<typeof useLive>['logs'];
  logsAvailable: boolean | null;
  connection: ReturnType<typeof useLive>['connection'];
}) {
  const { route, snapshot } = props;
  switch (route.page) {
    case 'overview':
      return <OverviewPage snapshot={snapshot} />;
    case 'runs':
      return <RunsPage snapshot={snapshot} profile={route.profile} />;
    case 'run':
      return <RunDetailPage key={route.id} snapshot={snapshot} id={route.id} problems={route.problems} />;
    case 'logs':
      return <LogsPage logs={props.logs} available={props.logsAvailable} connection={props.connection} />;
    case 'review':
      return <ReviewPage profiles={snapshot?.profiles.map((p) => p.name) ?? []} />;
    default:
      return (
        <>
          <h2>Page not found</h2>
          <p>
            There is no page here. <a href="#/">Back to the overview</a>.
          </p>
        </>
      );
  }
}

const rootEl = document.getElementById('root');
if (rootEl) {
  createRoot(rootEl).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
