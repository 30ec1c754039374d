// Live status and the daemon's controls: the status snapshot, the last hour per profile (for the
// overview's small chart) and the actions (sync now, pause, resume, and whatever else the daemon
// offers). Actions are admin-only mutations.
import express from 'express';
import type { Request, Response } from 'express';
import type { StatusFeed } from '../../core/engine/status.js';
import type { LocalGuard } from '../auth.js';
import { allow, failed, mutation, notFound } from './common.js';
import type { History } from '../history.js';

export interface DashboardActions {
  syncNow?(profile: string): Promise<void>;
  pause?(profile: string): Promise<void>;
  resume?(profile: string): Promise<void>;
}

const ACTION_METHODS = { sync: 'syncNow', pause: 'pause', resume: 'resume' } as const;
type ActionRoute = keyof typeof ACTION_METHODS;

export function controlRoutes(deps: { guard: LocalGuard; feed: StatusFeed; actions: DashboardActions; history: History }): express.Router {
  const { guard, feed, actions, history } = deps;
  const r = express.Router();

  r.get('/api/status', (_req: Request, res: Response) => {
    res.json(feed.snapshot());
  });

  r.get('/api/profiles/:name/history', (req: Request, res: Response) => {
    const name = req.params.name as string;
    if (!feed.snapshot().profiles.some((p) => p.name === name)) {
      res.status(404).json({ error: `There is no profile named ${JSON.stringify(name)}.` });
      return;
    }
    try {
      res.json(history.lastHour(name));
    } catch (err) {
      failed(res, 500, err);
    }
  });

  r.all('/api/profiles/:name/:action', (req: Request, res: Response, next) => {
    if (!Object.hasOwn(ACTION_METHODS, req.params.action as string)) return notFound(res);
    next();
  }, allow('admin'), mutation(guard), async (req: Request, res: Response) => {
    const name = req.params.name as string;
    const method = actions[ACTION_METHODS[req.params.action as ActionRoute]];
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
      failed(res, 500, err);
    }
  });

  return r;
}
