// What every route module shares: the request context (session, role), the refusals, the strict
// query-parameter readers and the mutation check (POST, exact Origin, CSRF token).
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { LocalGuard, Role, Session } from '../auth.js';
import { scrub } from '../../core/log.js';

export function sessionOf(res: Response): Session {
  return res.locals.session as Session;
}

export function badRequest(res: Response, error: string): void {
  res.status(400).json({ error });
}

export function notAvailable(res: Response, error: string): void {
  res.status(501).json({ error });
}

export function noSuchProfile(res: Response, name: string): void {
  res.status(404).json({ error: `There is no profile named ${JSON.stringify(name)}.` });
}

export function notFound(res: Response): void {
  res.status(404).type('text/plain').send('Not found.\n');
}

export function failed(res: Response, status: number, err: unknown): void {
  res.status(status).json({ error: scrub(err instanceof Error ? err.message : String(err)) });
}

/** Only these roles; the reviewer link is refused control and settings with a plain 403. */
export function allow(...roles: Role[]): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    if (roles.includes(sessionOf(res).role)) return next();
    res
      .status(403)
      .json({ error: 'The reviewer link opens only the review and reports pages; use the admin link (`outpost dashboard`) for this.' });
  };
}

/** A mutation: POST only (405 otherwise), then exact Origin and the session's CSRF token (403). */
export function mutation(guard: LocalGuard, allowOther = 'POST'): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST') {
      res.set('Allow', allowOther).status(405).json({ error: 'Use POST for this action.' });
      return;
    }
    if (!guard.originAllowed(req.headers.origin) || !guard.csrfValid(sessionOf(res), req.get('x-outpost-csrf'))) {
      res.status(403).json({ error: 'Refused: reload the dashboard page and try again.' });
      return;
    }
    next();
  };
}

/** A JSON body only (415 with `error` otherwise); goes before the body parser, so nothing else is parsed. */
export function jsonOnly(error: string): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.is('application/json')) {
      res.status(415).json({ error });
      return;
    }
    next();
  };
}

export function queryOf(rawUrl: string): URLSearchParams {
  try {
    return new URL(rawUrl, 'http://localhost').searchParams;
  } catch {
    return new URLSearchParams();
  }
}

/** One value of a query parameter; a repeated one is refused rather than guessed at. */
export function oneParam(q: URLSearchParams, name: string): string | undefined | Error {
  const all = q.getAll(name);
  if (all.length > 1) return new Error(`Give "${name}" once.`);
  return all[0];
}

/** A whole number within bounds, written plainly (no signs, exponents or leading zeros). */
export function intParam(q: URLSearchParams, name: string, min: number, max: number, fallback: number): number | Error {
  const v = oneParam(q, name);
  if (v instanceof Error) return v;
  if (v === undefined || v === '') return fallback;
  const n = /^(0|[1-9][0-9]{0,14})$/.test(v) ? Number(v) : NaN;
  if (!(n >= min && n <= max)) return new Error(`"${name}" must be a whole number from ${min} to ${max}.`);
  return n;
}

/** Profile names as the config allows them: printable, bounded. Empty or absent = every profile. */
export function profileParam(q: URLSearchParams): string | null | Error {
  const v = oneParam(q, 'profile');
  if (v instanceof Error) return v;
  if (v === undefined || v === '') return null;
  return checkProfileName(v);
}

export function checkProfileName(v: string): string | Error {
  if (v.length > 100 || /[\u0000-\u001f\u007f]/.test(v)) return new Error('"profile" is not a profile name.');
  return v;
}

/** One of a fixed set of words, or undefined when absent. */
export function enumParam<T extends string>(q: URLSearchParams, name: string, values: readonly T[]): T | undefined | Error {
  const v = oneParam(q, name);
  if (v instanceof Error) return v;
  if (v === undefined || v === '') return undefined;
  if (!(values as readonly string[]).includes(v)) return new Error(`"${name}" must be one of: ${values.join(', ')}.`);
  return v as T;
}

/** A calendar date YYYY-MM-DD, or undefined when absent. */
export function dateParam(q: URLSearchParams, name: string): string | undefined | Error {
  const v = oneParam(q, name);
  if (v instanceof Error) return v;
  if (v === undefined || v === '') return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`)))
    return new Error(`"${name}" must be a date like 2026-12-01.`);
  return v;
}

export function idParam(v: string): number | undefined {
  if (!/^[1-9][0-9]{0,14}$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}
