// The dashboard page (docs/design.md, dashboard rules): overview, runs, run detail, logs, review
// and settings, switched by hash routes (no router library). One WebSocket carries the live status
// and log lines (no polling). The CSP forbids inline scripts and styles, so all styling is by class
// name in style.css. The reviewer link sees only the review and reports (runs) pages.
import { StrictMode, useEffect, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { SIGNED_OUT_TEXT, fetchSession, type SessionInfo } from './api.js';
import { formatStamp, setPlantZone } from './format.js';
import { useLive } from './live.js';
import { LogsPage } from './Logs.js';
import { OverviewPage } from './Overview.js';
import { ReviewPage } from './review/ReviewPage.js';
import { go, useRoute, type Route } from './route.js';
import { RunDetailPage, RunsPage } from './Runs.js';
import { SettingsPage } from './Settings.js';
import { ParkedPage } from './Parked.js';

interface NavItem {
  href: string;
  label: string;
  pages: Route['page'][];
  reviewer: boolean;
}

const NAV: NavItem[] = [
  { href: '#/', label: 'Overview', pages: ['overview'], reviewer: false },
  { href: '#/runs', label: 'Runs', pages: ['runs', 'run', 'parked'], reviewer: true },
  { href: '#/logs', label: 'Logs', pages: ['logs'], reviewer: false },
  { href: '#/review', label: 'Review', pages: ['review'], reviewer: true },
  { href: '#/settings', label: 'Settings', pages: ['settings'], reviewer: false },
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
    case 'settings':
      return 'Settings · Outpost';
    case 'parked':
      return `Parked ${route.kind} of ${route.profile} · Outpost`;
    default:
      return 'Not found · Outpost';
  }
}

function App() {
  const { snapshot, connection, logs, logsAvailable } = useLive();
  const route = useRoute();
  const mainRef = useRef<HTMLElement>(null);
  const firstRoute = useRef(true);
  const [session, setSession] = useState<SessionInfo | null>(null);

  // Asked again whenever the live connection comes (back) up.
  const live = connection === 'live';
  useEffect(() => {
    void fetchSession().then((s) => {
      if (!s) return;
      setPlantZone(s.timeZone);
      setSession(s);
    });
  }, [live]);

  // A new page: new title, and keyboard/screen-reader focus moves to it (not on first load).
  const title = titleOf(route);
  const page = route.page === 'run' ? `run ${route.id}` : route.page;
  useEffect(() => {
    document.title = title;
  }, [title]);
  useEffect(() => {
    if (firstRoute.current) {
      firstRoute.current = false;
      return;
    }
    mainRef.current?.focus({ preventScroll: false });
  }, [page]);

  const reviewer = session?.role === 'reviewer';
  // The reviewer link's home page is the review.
  useEffect(() => {
    if (reviewer && route.page === 'overview') go('#/review', true);
  }, [reviewer, route.page]);
  const nav = NAV.filter((n) => !reviewer || n.reviewer);
  const allowed = !reviewer || nav.some((n) => n.pages.includes(route.page)) || route.page === 'missing';

  return (
    <>
      <a className="skip" href="#main" onClick={(e) => (e.preventDefault(), mainRef.current?.focus())}>
        Skip to content
      </a>
      <header className="top">
        <div className="brand">
          <h1>Outpost{reviewer && <span className="role"> · review</span>}</h1>
          {snapshot && !reviewer && (
            <p className="connector">
              Connector {snapshot.connector.id} · v{snapshot.connector.version} · started {formatStamp(snapshot.connector.startedAt)}
            </p>
          )}
        </div>
        <nav aria-label="Dashboard pages" className="nav">
          {nav.map((n) => (
            <a key={n.href} href={n.href} aria-current={n.pages.includes(route.page) ? 'page' : undefined}>
              {n.label}
            </a>
          ))}
        </nav>
        <span
          className={`conn conn-${connection.replace(' ', '-')}`}
          data-testid="connection"
          role="status"
          aria-live="polite"
          aria-label={`Connection: ${connection}`}
        >
          {connection}
        </span>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1} className={connection === 'live' ? '' : 'stale'}>
        {connection === 'signed out' && <p className="banner">{SIGNED_OUT_TEXT}</p>}
        {connection === 'reconnecting' && snapshot && (
          <p className="banner">Connection lost; showing the last known status while reconnecting.</p>
        )}
        {!snapshot && connection !== 'signed out' && route.page === 'overview' && !reviewer && <p className="empty">Waiting for status…</p>}
        {session && allowed && (
          <Page
            route={route}
            snapshot={snapshot}
            logs={logs}
            logsAvailable={logsAvailable}
            connection={connection}
            reviewer={reviewer}
            features={session.features}
          />
        )}
        {session && !allowed && (
          <section data-testid="not-for-reviewer">
            <h2>Not on the reviewer link</h2>
            <p>
              This link opens only the <a href="#/review">review</a> and <a href="#/runs">reports</a> pages. The daemon&apos;s controls and
              settings need the admin link (<code>outpost dashboard</code>).
            </p>
          </section>
        )}
      </main>
      {snapshot && route.page === 'overview' && !reviewer && <footer className="updated">Updated {formatStamp(snapshot.updatedAt)}</footer>}
    </>
  );
}

function Page(props: {
  route: Route;
  snapshot: ReturnType<typeof useLive>['snapshot'];
  logs: ReturnType<typeof useLive>['logs'];
  logsAvailable: boolean | null;
  connection: ReturnType<typeof useLive>['connection'];
  reviewer: boolean;
  features: SessionInfo['features'] | undefined;
}) {
  const { route, snapshot } = props;
  switch (route.page) {
    case 'overview':
      return <OverviewPage snapshot={snapshot} features={props.features} />;
    case 'runs':
      return <RunsPage snapshot={snapshot} filter={route} />;
    case 'run':
      return <RunDetailPage key={route.id} snapshot={snapshot} id={route.id} problems={route.problems} />;
    case 'logs':
      return <LogsPage logs={props.logs} available={props.logsAvailable} connection={props.connection} />;
    case 'review':
      return <ReviewPage profiles={snapshot?.profiles.map((p) => p.name) ?? []} />;
    case 'settings':
      return <SettingsPage />;
    case 'parked':
      return <ParkedPage profile={route.profile} kind={route.kind} reviewer={props.reviewer} />;
    default:
      return (
        <>
          <h2>Page not found</h2>
          <p>
            There is no page here. <a href={props.reviewer ? '#/review' : '#/'}>Back to the {props.reviewer ? 'review' : 'overview'}</a>.
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
