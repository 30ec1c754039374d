// The local dashboard: a page showing live status, served on loopback only, locked down per the
// dashboard rules of docs/design.md (enforced in auth.ts; see there for why loopback alone is not
// enough).
//
// Request order: security headers on everything → exact Host (403) → secret exchange on GET / →
// session cookie (401) → routes (routes/*.ts, one express.Router per area). Mutations also need an
// exact Origin and the CSRF token; control and settings also need the admin role (403 for the
// reviewer link).
//
// Pages: overview (live status and the daemon's controls), runs and run records (reports from the
// state database, injected as `reports`), logs (the live tail, pushed over the same WebSocket as
// the status), review (injected as `review`) and settings. Everything but the overview is
// optional: without its source the API answers 501 and the page says the view is not available.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { WebSocketServer, type WebSocket } from 'ws';
import type { StatusFeed } from '../core/engine/status.js';
import { hostTimeZone } from '../core/format/time.js';
import { LocalGuard, randomToken, securityHeaders, type Role, type Secrets } from './auth.js';
import { History } from './history.js';
import { LivePush, type LogSource } from './live.js';
import { launchUrl } from './link.js';
import type { DashboardReview } from './review.js';
import { notFound, sessionOf } from './routes/common.js';
import { controlRoutes, type DashboardActions } from './routes/control.js';
import { reportRoutes, type DashboardReports } from './routes/reports.js';
import { reviewRoutes } from './routes/review.js';
import { settingsRoutes, type DashboardSettings } from './routes/settings.js';

export type { LogSource } from './live.js';
export type { DashboardReview } from './review.js';
export type { DashboardActions } from './routes/control.js';
export type { DashboardReports } from './routes/reports.js';
export type { DashboardSettings } from './routes/settings.js';
export { MAX_RUNS_LIMIT, MAX_RECORDS_LIMIT } from './routes/reports.js';

export interface DashboardOptions {
  feed: StatusFeed;
  reports?: DashboardReports;
  /** The live log tail (core/log.ts LogTap); lines are already scrubbed of secrets by the logger. */
  logs?: LogSource;
  /** The sample review page (dashboard/review-service.ts reviewService). */
  review?: DashboardReview;
  /** Settings page source (admin only). */
  settings?: () => DashboardSettings;
  /** 0 = a free port (the default). */
  port?: number;
  /** The admin secret. Default: 32 random bytes, base64url. Ignored when `secrets` is given. */
  secret?: string;
  /** The reviewer secret (no reviewer link without one). Ignored when `secrets` is given. */
  reviewerSecret?: string;
  /** Both secrets, asked on every check (link.ts fileSecrets: a rotation by the CLI applies at once). */
  secrets?: () => Secrets;
  /** The plant's IANA zone: how the page shows times and reads date filters. Default: the host's. */
  timeZone?: string;
  actions?: DashboardActions;
  /** Folder holding the built index.html, app.js and style.css. Default: dist/dashboard/web. */
  webRoot?: string;
}

export interface DashboardHandle {
  /** http://127.0.0.1:PORT/ */
  url: string;
  /** The admin link: url + '?secret=<admin secret>', the one `outpost dashboard` prints/opens. */
  launchUrl: string;
  /** The reviewer link, when a reviewer secret exists. */
  reviewUrl: string | null;
  port: number;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
/** Next to the compiled server file: dist/dashboard/server.js → dist/dashboard/web/. */
const DEFAULT_WEB_ROOT = fileURLToPath(new URL('./web/', import.meta.url));

/** The only files served; nothing else in webRoot (source maps, stray files) is reachable. */
const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

/** How often open WebSockets are checked against the current secrets (a rotation closes them). */
const RECHECK_MS = 2_000;

const UNAUTHORIZED_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Outpost</title></head>
<body><h1>Outpost dashboard</h1>
<p>You are not signed in to this dashboard. Open the URL printed by <code>outpost dashboard</code>
(run it again for a fresh link).</p></body></html>
`;

export async function startDashboard(opts: DashboardOptions): Promise<DashboardHandle> {
  let secrets = opts.secrets;
  if (!secrets) {
    const fixed: Secrets = { admin: opts.secret ?? randomToken(), reviewer: opts.reviewerSecret };
    secrets = () => fixed;
  }
  if (!secrets().admin) throw new Error('The dashboard secret must not be empty.');
  const webRoot = opts.webRoot ?? DEFAULT_WEB_ROOT;
  const timeZone = opts.timeZone ?? hostTimeZone();

  // Listen first so the port (needed by the Host/Origin allow-lists and the CSP) is known before
  // any handler exists; requests cannot be dispatched before the handlers below are attached.
  const server = http.createServer();
  await listen(server, opts.port ?? 0);
  const port = (server.address() as AddressInfo).port;

  const guard = new LocalGuard(port, secrets);
  const headers = securityHeaders(port);
  const push = new LivePush(opts.feed, 100, opts.logs);
  const history = new History(opts.feed, opts.reports?.writtenPerMinute?.bind(opts.reports));
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false });
  const sockets = new Map<WebSocket, string | undefined>();

  const app = buildApp({ guard, headers, opts, timeZone, history, webRoot });
  server.on('request', app);
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (pathnameOf(req.url) !== '/ws') return refuseUpgrade(socket, 404, headers);
    // Browsers do not apply CORS or SameSite-by-origin rules to WebSockets: check all three here.
    const session =
      guard.hostAllowed(req.headers.host) && guard.originAllowed(req.headers.origin)
        ? guard.sessionFromCookies(req.headers.cookie)
        : undefined;
    if (!session) return refuseUpgrade(socket, 403, headers);
    const cookie = req.headers.cookie;
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.set(ws, cookie);
      ws.on('close', () => sockets.delete(ws));
      // The reviewer link gets the status (profile names, states) but not the daemon's log.
      push.add(ws, { logs: session.role === 'admin' });
    });
  });
  // A rotated secret ends its sessions, open pages included.
  const recheck = setInterval(() => {
    for (const [ws, cookie] of sockets) if (!guard.sessionFromCookies(cookie)) ws.close(4401, 'signed out');
  }, RECHECK_MS);
  recheck.unref();

  const url = `http://${HOST}:${port}/`;
  let closing: Promise<void> | undefined;
  const s = secrets();
  return {
    url,
    launchUrl: launchUrl(port, s.admin, 'admin'),
    reviewUrl: s.reviewer ? launchUrl(port, s.reviewer, 'reviewer') : null,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(recheck);
        history.close();
        push.close();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

interface AppDeps {
  guard: LocalGuard;
  headers: Record<string, string>;
  opts: DashboardOptions;
  timeZone: string;
  history: History;
  webRoot: string;
}

function buildApp({ guard, headers, opts, timeZone, history, webRoot }: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', false);

  app.use((req: Request, res: Response, next: NextFunction) => {
    res.set(headers);
    if (!guard.hostAllowed(req.headers.host)) {
      res.status(403).type('text/plain').send('Forbidden: this dashboard only answers on 127.0.0.1 or localhost.\n');
      return;
    }
    next();
  });

  // The secret arrives once in the address bar; swap it for a cookie and redirect so it leaves
  // the address bar and history. A wrong secret is treated like no session at all.
  app.get('/', (req: Request, res: Response, next: NextFunction) => {
    const candidate = secretParam(req.url);
    if (candidate === undefined) return next();
    const role = guard.roleForSecret(candidate);
    if (!role) return unauthorized(res);
    const session = guard.createSession(role);
    res.set('Set-Cookie', guard.setCookieHeader(session));
    res.redirect(303, '/');
  });

  app.use((req: Request, res: Response, next: NextFunction) => {
    const session = guard.sessionFromCookies(req.headers.cookie);
    if (!session) return unauthorized(res);
    res.locals.session = session;
    next();
  });

  app.get('/api/session', (_req: Request, res: Response) => {
    const session = sessionOf(res);
    const role: Role = session.role;
    // What this process offers, so the page asks only for what exists.
    const features = {
      reconcile: Boolean(opts.actions?.reconcile),
      resend: Boolean(opts.actions?.resend),
      parked: Boolean(opts.reports?.parkedPage),
    };
    res.json({ csrf: session.csrf, role, timeZone, features });
  });

  app.use(controlRoutes({ guard, feed: opts.feed, actions: opts.actions ?? {}, history }));
  app.use(reportRoutes({ reports: opts.reports, timeZone }));
  app.use(reviewRoutes({ guard, review: opts.review }));
  app.use(settingsRoutes({ settings: opts.settings }));

  app.get(Object.keys(ASSETS), async (req: Request, res: Response) => {
    const asset = Object.hasOwn(ASSETS, req.path) ? ASSETS[req.path] : undefined;
    if (!asset) return notFound(res); // e.g. '/app.js/' or '/APP.JS', which Express also routes here
    try {
      // Read on every request: the files are small and a rebuild shows up without a restart.
      const body = await readFile(path.join(webRoot, asset.file));
      res.type(asset.type).send(body);
    } catch {
      res.status(500).type('text/plain').send('The dashboard page is not built: run `npm run build`.\n');
    }
  });

  app.use((_req: Request, res: Response) => notFound(res));

  // Never Express's default handler: it would echo details (and the request) back.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return;
    // body-parser's refusals (bad JSON, too large) carry a 4xx status; say so without echoing.
    const status = (err as { status?: unknown } | null)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({ error: status === 413 ? 'The request is too large.' : 'The request could not be read.' });
      return;
    }
    res.status(500).type('text/plain').send('Internal error.\n');
  });
  return app;
}

function unauthorized(res: Response): void {
  res.status(401).type('text/html; charset=utf-8').send(UNAUTHORIZED_PAGE);
}

function secretParam(rawUrl: string): string | undefined {
  try {
    return new URL(rawUrl, 'http://localhost').searchParams.get('secret') ?? undefined;
  } catch {
    return undefined;
  }
}

function pathnameOf(rawUrl: string | undefined): string | undefined {
  try {
    return new URL(rawUrl ?? '', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

function refuseUpgrade(socket: Duplex, status: 403 | 404, headers: Record<string, string>): void {
  const text = status === 403 ? 'Forbidden' : 'Not Found';
  const lines = [
    `HTTP/1.1 ${status} ${text}`,
    'Connection: close',
    'Content-Type: text/plain',
    `Content-Length: ${Buffer.byteLength(text)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.once('finish', () => socket.destroy());
  socket.end(`${lines.join('\r\n')}\r\n\r\n${text}`);
}

function listen(server: http.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(
          Object.assign(new Error(`Port ${port} is already in use on ${HOST}: choose another port or stop what is using it.`), {
            code: 'EADDRINUSE',
          }),
        );
      } else reject(err);
    };
    server.once('error', onError);
    server.listen(port, HOST, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
