// Settings (admin only): where this install keeps its files, the dashboard's address and which
// links exist, and each profile's schedule and plant zone. Read only: links are made and rotated
// with `outpost dashboard --new-link / --review-link`, so a secret never travels over HTTP.
import express from 'express';
import type { Request, Response } from 'express';
import { allow, notAvailable } from './common.js';

export interface DashboardSettings {
  home: string;
  configFile: string | null;
  port: number;
  reviewerLink: boolean;
  profiles: Array<{ name: string; every: string; timeZone: string; paused: boolean; table: string; driver: string; template: string }>;
}

export function settingsRoutes(deps: { settings: (() => DashboardSettings) | undefined }): express.Router {
  const r = express.Router();
  r.get('/api/settings', allow('admin'), (_req: Request, res: Response) => {
    if (!deps.settings) return notAvailable(res, 'Settings are not available in this process.');
    res.json(deps.settings());
  });
  return r;
}
