// The local dashboard: a page showing live status, served on loopback only, locked down per
// DESIGN §5 (rules enforced in auth.ts; see there for why loopback alone is not enough).
//
// Request order: security headers on everything → exact Host (403) → secret exchange on GET / →
// session cookie (401) → routes. Mutations additionally need an exact Origin and the CSRF token.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { WebSocketServer } from 'ws';
import type { StatusFeed } from '../core/engine/status.js';
import { LocalGuard, randomToken, securityHeaders, type Session } from './auth.js';
import { LivePush } from './live.js';

export interface DashboardActions {
  syncNow?(profile: string): Promise<void>;
  pause?(profile: string): Promise<void>;
  resume?(profile: string): Promise<void>;
}

export interface DashboardOptions {
  feed: StatusFeed;
  /** 0 = a free port (the default). */
  port?: number;
  /** Default: 32 random bytes, base64url. */
  secret?: string;
  actions?: DashboardActions;
  /** Folder holding the built index.html, app.js and style.css. Default: dist/dashboard/web. */
  webRoot?: string;
}

export interface DashboardHandle {
  /** http://127.0.0.1:PORT/ */
  url: string;
  /** url + '?secret=<secret>': the one the CLI prints/opens. */
  launchUrl: string;
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

const ACTION_METHODS = { sync: 'syncNow', pause: 'pause', resume: 'resume' } as const;
type ActionRoute = keyof typeof ACTION_METHODS;

const UNAUTHORIZED_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Outpost</title></head>
<body><h1>Outpost dashboard</h1>
<p>You are not signed in to this dashboard. Open the URL printed by <code>outpost dashboard</code>
(run it again for a fresh link).</p></body></html>
`;

export async function startDashboard(opts: DashboardOptions): Promise<DashboardHandle> {
  const secret = opts.secret ?? randomToken();
  if (secret.length === 0) throw new Error('The dashboard secret must not be empty.');
  const webRoot = opts.webRoot ?? DEFAULT_WEB_ROOT;

  // Listen first so the port (needed by the Host/Origin allow-lists and the CSP) is known before
  // any handler exists; requests cannot be dispatched before the handlers below are attached.
  const server = http.createServer();
  await listen(server, opts.port ?? 0);
  const port = (server.address() as AddressInfo).port;

  const guard = new LocalGuard(port, secret);
  const headers = securityHeaders(port);
  const push = new LivePush(opts.feed);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false });

  const app = buildApp({ guard, headers, feed: opts.feed, actions: opts.actions ?? {}, webRoot });
  server.on('request', app);
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (pathnameOf(req.url) !== '/ws') return refuseUpgrade(socket, 404, headers);
    // Browsers do not apply CORS or SameSite-by-origin rules to WebSockets: check all three here.
    const ok =
      guard.hostAllowed(req.headers.host) &&
      guard.originAllowed(req.headers.origin) &&
      guard.sessionFromCookies(req.headers.cookie) !== undefined;
    if (!ok) return refuseUpgrade(socket, 403, headers);
    wss.handleUpgrade(req, socket, head, (ws) => push.add(ws));
  });

  const url = `http://${HOST}:${port}/`;
  let closing: Promise<void> | undefined;
  return {
    url,
    launchUrl: `${url}?secret=${encodeURIComponent(secret)}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
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
  feed: StatusFeed;
  actions: DashboardActions;
  webRoot: string;
}

function buildApp({ guard, headers, feed, actions, webRoot }: AppDeps): express.Express {
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
    if (!guard.secretMatches(candidate)) return unauthorized(res);
    const session = guard.createSession();
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
    const session = res.locals.session as Session;
    res.json({ csrf: session.csrf });
  });

  app.get('/api/status', (_req: Request, res: Response) => {
    res.json(feed.snapshot());
  });

  app.all('/api/profiles/:name/:action', async (req: Request, res: Response) => {
    const route = req.params.action as string;
    if (!Object.hasOwn(ACTION_METHODS, route)) return notFound(res);
    if (req.method !== 'POST') {
      res.set('Allow', 'POST').status(405).json({ error: 'Use POST for this action.' });
      return;
    }
    const session = res.locals.session as Session;
    if (!guard.originAllowed(req.headers.origin) || !guard.csrfValid(session, req.get('x-outpost-csrf'))) {
      res.status(403).json({ error: 'Refused: reload the dashboard page and try again.' });
      return;
    }
    const name = req.params.name as string;
    const method = actions[ACTION_METHODS[route as ActionRoute]];
    if (!method) {
      res.status(501).json({ error: 'This action is not available here.' });
      return;
    }
    if (!feed.snapshot().profiles.some((p) => p.name === name)) {
      res.status(404).json({ error: `There is no profile named ${JSON.stringify(name)}.` });
      return;
    }
    try {
      await method.call(actions, name);
      res.status(202).json({ ok: true });
    } catch (err) {
      res.status(500).json({ error: err instanceof Error ? err.message : String(err) });
    }
  });

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
  app.use((_err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return;
    res.status(500).type('text/plain').send('Internal error.\n');
  });
  return app;
}

function unauthorized(res: Response): void {
  res.status(401).type('text/html; charset=utf-8').send(UNAUTHORIZED_PAGE);
}

function notFound(res: Response): void {
  res.status(404).type('text/plain').send('Not found.\n');
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
        reject(new Error(`Port ${port} is already in use on ${HOST}: choose another port or stop what is using it.`));
      } else reject(err);
    };
    server.once('error', onError);
    server.listen(port, HOST, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
