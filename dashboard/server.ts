// The local dashboard: a page showing live status, served on loopback only, locked down per
// docs/design.md §5 (rules enforced in auth.ts; see there for why loopback alone is not enough).
//
// Request order: security headers on everything → exact Host (403) → secret exchange on GET / →
// session cookie (401) → routes. Mutations additionally need an exact Origin and the CSRF token.
//
// Pages (docs/design.md §5): overview (live status), runs and run records (reports from the state
// database, injected as `reports`), logs (the live tail, pushed over the same WebSocket as the
// status) and the sample review (injected as `review`). Everything but the overview is optional:
// without its source the API answers 501 and the page says the view is not available.
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
import type { RunRecord, RunRow } from '../core/state/store.js';
import { scrub } from '../core/log.js';
import { LocalGuard, randomToken, securityHeaders, type Session } from './auth.js';
import { LivePush, type LogSource } from './live.js';
import { parseReviewBody, type DashboardReview, type ReviewSamplesRequest } from './review.js';

export type { LogSource } from './live.js';
export type { DashboardReview } from './review.js';

export interface DashboardActions {
  syncNow?(profile: string): Promise<void>;
  pause?(profile: string): Promise<void>;
  resume?(profile: string): Promise<void>;
}

/** Run reports (docs/design.md §4), normally the daemon's StateStore. */
export interface DashboardReports {
  /** Newest first; `profile` null = every profile. */
  runs(profile: string | null, limit: number): RunRow[];
  runRecords(runId: number): RunRecord[];
  /** One run or null. Without it, a run is looked up among the newest MAX_RUNS_LIMIT runs. */
  run?(id: number): RunRow | null;
}

export interface DashboardOptions {
  feed: StatusFeed;
  reports?: DashboardReports;
  /** The live log tail (core/log.ts LogTap); lines are already scrubbed of secrets by the logger. */
  logs?: LogSource;
  /** The sample review page (dashboard/review.ts reviewService). */
  review?: DashboardReview;
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

/** Bounds of the report queries: a page never asks the state database for an unbounded answer. */
export const MAX_RUNS_LIMIT = 500;
const DEFAULT_RUNS_LIMIT = 100;
export const MAX_RECORDS_LIMIT = 10_000;
const DEFAULT_RECORDS_LIMIT = 2_000;

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
  const push = new LivePush(opts.feed, 100, opts.logs);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false });

  const app = buildApp({
    guard,
    headers,
    feed: opts.feed,
    actions: opts.actions ?? {},
    reports: opts.reports,
    review: opts.review,
    webRoot,
  });
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
  reports: DashboardReports | undefined;
  review: DashboardReview | undefined;
  webRoot: string;
}

function buildApp({ guard, headers, feed, actions, reports, review, webRoot }: AppDeps): express.Express {
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

  // Run reports. Reads only, so the session cookie is enough (SameSite=Strict keeps other sites'
  // requests from carrying it, and without CORS no other origin can read the answer).
  app.get('/api/runs', (req: Request, res: Response) => {
    if (!reports) return notAvailable(res, 'Run reports are not available in this process.');
    const q = queryOf(req.url);
    const profile = profileParam(q);
    const limit = intParam(q, 'limit', 1, MAX_RUNS_LIMIT, DEFAULT_RUNS_LIMIT);
    if (profile instanceof Error) return badRequest(res, profile.message);
    if (limit instanceof Error) return badRequest(res, limit.message);
    try {
      res.json({ runs: reports.runs(profile, limit).map(cleanRun), limit });
    } catch {
      res.status(500).json({ error: 'The run reports could not be read from the state database.' });
    }
  });

  app.get('/api/runs/:id/records', (req: Request, res: Response) => {
    if (!reports) return notAvailable(res, 'Run reports are not available in this process.');
    const id = idParam(req.params.id as string);
    if (id === undefined) return badRequest(res, 'The run id must be a positive whole number.');
    const q = queryOf(req.url);
    const limit = intParam(q, 'limit', 1, MAX_RECORDS_LIMIT, DEFAULT_RECORDS_LIMIT);
    const problems = intParam(q, 'problems', 0, 1, 0);
    if (limit instanceof Error) return badRequest(res, limit.message);
    if (problems instanceof Error) return badRequest(res, problems.message);
    try {
      const run = reports.run ? reports.run(id) : (reports.runs(null, MAX_RUNS_LIMIT).find((r) => r.id === id) ?? null);
      if (!run) {
        res.status(404).json({ error: `There is no run ${id} (runs are kept for a limited number of days).` });
        return;
      }
      let records = reports.runRecords(id);
      if (problems === 1) records = records.filter(isProblem);
      const total = records.length;
      res.json({ run: cleanRun(run), records: records.slice(0, limit).map(cleanRecord), total, truncated: total > limit });
    } catch {
      res.status(500).json({ error: 'The run records could not be read from the state database.' });
    }
  });

  // Sample review: loading samples reads the plant database (a read, cookie only); the sign-off is
  // a mutation (POST, exact Origin, CSRF token), its body parsed only after those checks pass.
  app.get('/api/review/samples', async (req: Request, res: Response) => {
    if (!review) return notAvailable(res, 'Sample review is not available in this process.');
    const q = queryOf(req.url);
    const parsed = samplesRequest(q);
    if (parsed instanceof Error) return badRequest(res, parsed.message);
    if (!review.profiles().includes(parsed.profile)) {
      res.status(404).json({ error: `There is no profile named ${JSON.stringify(parsed.profile)}.` });
      return;
    }
    try {
      res.json(await review.samples(parsed));
    } catch (err) {
      res.status(502).json({ error: scrub(err instanceof Error ? err.message : String(err)) });
    }
  });

  app.get('/api/review', async (req: Request, res: Response) => {
    if (!review) return notAvailable(res, 'Sample review is not available in this process.');
    const q = queryOf(req.url);
    const profile = profileParam(q);
    if (profile instanceof Error) return badRequest(res, profile.message);
    try {
      res.json({ profiles: review.profiles(), reviews: await review.list(profile, 20) });
    } catch {
      res.status(500).json({ error: 'The recorded reviews could not be read from the state database.' });
    }
  });

  app.all('/api/review', (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST') {
      res.set('Allow', 'GET, POST').status(405).json({ error: 'Use POST to sign off a review.' });
      return;
    }
    if (!review) return notAvailable(res, 'Sample review is not available in this process.');
    const session = res.locals.session as Session;
    if (!guard.originAllowed(req.headers.origin) || !guard.csrfValid(session, req.get('x-outpost-csrf'))) {
      res.status(403).json({ error: 'Refused: reload the dashboard page and try again.' });
      return;
    }
    if (!req.is('application/json')) {
      res.status(415).json({ error: 'Send the review as JSON.' });
      return;
    }
    next();
  }, express.json({ limit: '512kb', strict: true }), async (req: Request, res: Response) => {
    const input = parseReviewBody(req.body);
    if (input instanceof Error) return badRequest(res, input.message);
    try {
      res.status(201).json(await review!.record(input));
    } catch (err) {
      // The review store refuses bad input with one plain sentence; say it as it is.
      res.status(400).json({ error: scrub(err instanceof Error ? err.message : String(err)) });
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

function notFound(res: Response): void {
  res.status(404).type('text/plain').send('Not found.\n');
}

function badRequest(res: Response, error: string): void {
  res.status(400).json({ error });
}

function notAvailable(res: Response, error: string): void {
  res.status(501).json({ error });
}

function queryOf(rawUrl: string): URLSearchParams {
  try {
    return new URL(rawUrl, 'http://localhost').searchParams;
  } catch {
    return new URLSearchParams();
  }
}

/** One value of a query parameter; a repeated one is refused rather than guessed at. */
function oneParam(q: URLSearchParams, name: string): string | undefined | Error {
  const all = q.getAll(name);
  if (all.length > 1) return new Error(`Give "${name}" once.`);
  return all[0];
}

/** A whole number within bounds, written plainly (no signs, exponents or leading zeros). */
function intParam(q: URLSearchParams, name: string, min: number, max: number, fallback: number): number | Error {
  const v = oneParam(q, name);
  if (v instanceof Error) return v;
  if (v === undefined || v === '') return fallback;
  const n = /^(0|[1-9][0-9]{0,8})$/.test(v) ? Number(v) : NaN;
  if (!(n >= min && n <= max)) return new Error(`"${name}" must be a whole number from ${min} to ${max}.`);
  return n;
}

/** Profile names as the config allows them: printable, bounded. Empty or absent = every profile. */
function profileParam(q: URLSearchParams): string | null | Error {
  const v = oneParam(q, 'profile');
  if (v instanceof Error) return v;
  if (v === undefined || v === '') return null;
  if (v.length > 100 || /[\u0000-\u001f\u007f]/.test(v)) return new Error('"profile" is not a profile name.');
  return v;
}

function idParam(v: string): number | undefined {
  if (!/^[1-9][0-9]{0,14}$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

function samplesRequest(q: URLSearchParams): ReviewSamplesRequest | Error {
  const profile = profileParam(q);
  if (profile instanceof Error) return profile;
  if (profile === null) return new Error('Choose a profile.');
  const latest = intParam(q, 'latest', 1, 50, 5);
  if (latest instanceof Error) return latest;
  const numbers = oneParam(q, 'numbers');
  if (numbers instanceof Error) return numbers;
  if (numbers === undefined || numbers.trim() === '') return { profile, latest };
  if (numbers.length > 2000) return new Error('Ask for fewer ticket numbers at a time.');
  const ticketNumbers = [...new Set(numbers.split(/[\s,;]+/).map((n) => n.trim()).filter(Boolean))];
  if (ticketNumbers.length > 50) return new Error('Ask for at most 50 ticket numbers at a time.');
  if (ticketNumbers.some((n) => n.length > 64 || /[\u0000-\u001f\u007f]/.test(n))) return new Error('That is not a list of ticket numbers.');
  return { profile, ticketNumbers };
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
