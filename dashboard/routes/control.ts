// Live status and the daemon's controls: the status snapshot, the last hour per profile (for the
// overview's small chart) and the actions (sync now, pause, resume, and whatever else the daemon
// offers). Actions are admin-only mutations.
import express from 'express';
import type { Request, Response } from 'express';
import type { StatusFeed } from '../../core/engine/status.js';
import type { ResendSelector } from '../../core/engine/resend.js';
import type { ReconcileReport } from '../../core/state/reconcile.js';
import type { LocalGuard } from '../auth.js';
import { allow, badRequest, failed, intParam, jsonOnly, mutation, noSuchProfile, notAvailable, queryOf } from './common.js';
import type { History } from '../history.js';

export interface DashboardActions {
  syncNow?(profile: string): Promise<void>;
  pause?(profile: string): Promise<void>;
  resume?(profile: string): Promise<void>;
  /** Queue parked tickets again (core/engine/resend.ts through the daemon). */
  resend?(profile: string, sel: ResendSelector): Promise<{ message: string }>;
  /** Source rows vs ledger (core/state/reconcile.ts through the daemon). */
  reconcile?(profile: string, opts: { days?: number }): Promise<ReconcileReport>;
}

/** How long a reconcile summary is reused (it scans the ticket table). */
const RECONCILE_CACHE_MS = 120_000;

const ACTION_METHODS = { sync: 'syncNow', pause: 'pause', resume: 'resume' } as const;
type ActionRoute = keyof typeof ACTION_METHODS;

export function controlRoutes(deps: { guard: LocalGuard; feed: StatusFeed; actions: DashboardActions; history: History }): express.Router {
  const { guard, feed, actions, history } = deps;
  const r = express.Router();

  r.get('/api/status', (_req: Request, res: Response) => {
    res.json(feed.snapshot());
  });

  const known = (name: string) => feed.snapshot().profiles.some((p) => p.name === name);

  r.get('/api/profiles/:name/history', (req: Request, res: Response) => {
    const name = req.params.name as string;
    if (!known(name)) return noSuchProfile(res, name);
    try {
      res.json(history.lastHour(name));
    } catch (err) {
      failed(res, 500, err);
    }
  });

  // Today's reconcile summary: every source row of today in exactly one bucket, or the gaps.
  const cache = new Map<string, { at: number; report: Promise<ReconcileReport> }>();
  r.get('/api/profiles/:name/reconcile', async (req: Request, res: Response) => {
    if (!actions.reconcile) return notAvailable(res, 'Reconcile is not available in this process.');
    const name = req.params.name as string;
    if (!known(name)) return noSuchProfile(res, name);
    const q = queryOf(req.url);
    const days = intParam(q, 'days', 1, 31, 1);
    const fresh = intParam(q, 'fresh', 0, 1, 0);
    if (days instanceof Error) return badRequest(res, days.message);
    if (fresh instanceof Error) return badRequest(res, fresh.message);
    const key = `${name}\u0000${days}`;
    let hit = cache.get(key);
    if (!hit || fresh === 1 || Date.now() - hit.at > RECONCILE_CACHE_MS) {
      hit = { at: Date.now(), report: actions.reconcile(name, { days }) };
      cache.set(key, hit);
      hit.report.catch(() => cache.delete(key));
    }
    try {
      const report = await hit.report;
      res.json({ ...report, checkedAt: new Date(hit.at).toISOString() });
    } catch (err) {
      failed(res, 502, err);
    }
  });

  // Resend parked tickets (admin): a kind, or some tickets by number or id.
  r.all(
    '/api/profiles/:name/resend',
    allow('admin'),
    mutation(guard),
    jsonOnly('Send what to resend as JSON.'),
    express.json({ limit: '64kb', strict: true }),
    async (req: Request, res: Response) => {
      if (!actions.resend) return notAvailable(res, 'Resend is not available in this process.');
      const name = req.params.name as string;
      if (!known(name)) return noSuchProfile(res, name);
      const sel = resendSelector(req.body);
      if (sel instanceof Error) return badRequest(res, sel.message);
      try {
        res.status(202).json(await actions.resend(name, sel));
      } catch (err) {
        failed(res, 400, err);
      }
    },
  );

  r.all(
    '/api/profiles/:name/:action',
    (req: Request, res: Response, next) => {
      // Not an action: leave it to the other routes (parked lists live in reports.ts).
      if (!Object.hasOwn(ACTION_METHODS, req.params.action as string)) return next('route');
      next();
    },
    allow('admin'),
    mutation(guard),
    async (req: Request, res: Response) => {
      const name = req.params.name as string;
      const method = actions[ACTION_METHODS[req.params.action as ActionRoute]];
      if (!method) return notAvailable(res, 'This action is not available here.');
      if (!known(name)) return noSuchProfile(res, name);
      try {
        await method.call(actions, name);
        res.status(202).json({ ok: true });
      } catch (err) {
        failed(res, 500, err);
      }
    },
  );

  return r;
}

/** {kind: 'filtered'|'skipped'|'rejected'} or {tickets: ['1001', …]}: nothing else. */
function resendSelector(body: unknown): ResendSelector | Error {
  const b = body as { kind?: unknown; tickets?: unknown } | null;
  if (!b || typeof b !== 'object' || Array.isArray(b)) return new Error('Say what to resend.');
  const keys = Object.keys(b);
  if (keys.some((k) => k !== 'kind' && k !== 'tickets') || keys.length !== 1)
    return new Error('Say what to resend: one kind of parked ticket, or some tickets.');
  if (b.kind !== undefined) {
    if (b.kind !== 'filtered' && b.kind !== 'skipped' && b.kind !== 'rejected')
      return new Error('The kind must be filtered, skipped or rejected.');
    return { [b.kind]: true };
  }
  const t = b.tickets;
  if (
    !Array.isArray(t) ||
    t.length === 0 ||
    t.length > 500 ||
    t.some((x) => typeof x !== 'string' || x.length === 0 || x.length > 300 || /[\u0000-\u001f\u007f]/.test(x))
  ) {
    return new Error('Give from 1 to 500 ticket numbers or ids.');
  }
  return { tickets: t as string[] };
}
