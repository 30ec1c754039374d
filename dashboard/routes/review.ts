// Sample review: loading samples reads the plant database (a read, cookie only); the sign-off is a
// mutation (POST, exact Origin, CSRF token), its body parsed only after those checks pass. Both
// roles: the reviewer link exists for exactly this.
import express from 'express';
import type { Request, Response } from 'express';
import type { LocalGuard } from '../auth.js';
import { parseReviewBody, type DashboardReview, type ReviewSamplesRequest } from '../review.js';
import {
  badRequest,
  failed,
  idParam,
  intParam,
  jsonOnly,
  mutation,
  noSuchProfile,
  notAvailable,
  oneParam,
  profileParam,
  queryOf,
} from './common.js';

export function reviewRoutes(deps: { guard: LocalGuard; review: DashboardReview | undefined }): express.Router {
  const { guard, review } = deps;
  const r = express.Router();

  r.get('/api/review/samples', async (req: Request, res: Response) => {
    if (!review) return notAvailable(res, 'Sample review is not available in this process.');
    const parsed = samplesRequest(queryOf(req.url));
    if (parsed instanceof Error) return badRequest(res, parsed.message);
    if (!review.profiles().includes(parsed.profile)) return noSuchProfile(res, parsed.profile);
    try {
      res.json(await review.samples(parsed));
    } catch (err) {
      failed(res, 502, err);
    }
  });

  // The printable export of one recorded review (HTML the browser can print or save as PDF).
  r.get('/api/review/:id/export', async (req: Request, res: Response) => {
    if (!review?.exportHtml) return notAvailable(res, 'Review export is not available in this process.');
    const id = idParam(req.params.id as string);
    if (id === undefined) return badRequest(res, 'The review id must be a positive whole number.');
    try {
      const html = await review.exportHtml(id);
      if (html === null) {
        res.status(404).json({ error: `There is no review ${id}.` });
        return;
      }
      // A self-contained page with its own <style> and no script: its own, stricter CSP.
      res.set(
        'Content-Security-Policy',
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
      );
      res.type('text/html; charset=utf-8').send(html);
    } catch (err) {
      failed(res, 500, err);
    }
  });

  r.get('/api/review', async (req: Request, res: Response) => {
    if (!review) return notAvailable(res, 'Sample review is not available in this process.');
    const profile = profileParam(queryOf(req.url));
    if (profile instanceof Error) return badRequest(res, profile.message);
    try {
      res.json({ profiles: review.profiles(), reviews: await review.list(profile, 20) });
    } catch {
      res.status(500).json({ error: 'The recorded reviews could not be read from the state database.' });
    }
  });

  r.all(
    '/api/review',
    mutation(guard, 'GET, POST'),
    (_req: Request, res: Response, next) => (review ? next() : notAvailable(res, 'Sample review is not available in this process.')),
    jsonOnly('Send the review as JSON.'),
    express.json({ limit: '512kb', strict: true }),
    async (req: Request, res: Response) => {
      const input = parseReviewBody(req.body);
      if (input instanceof Error) return badRequest(res, input.message);
      try {
        res.status(201).json(await review!.record(input));
      } catch (err) {
        // The review store refuses bad input with one plain sentence; say it as it is.
        failed(res, 400, err);
      }
    },
  );

  return r;
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
  const ticketNumbers = [
    ...new Set(
      numbers
        .split(/[\s,;]+/)
        .map((n) => n.trim())
        .filter(Boolean),
    ),
  ];
  if (ticketNumbers.length > 50) return new Error('Ask for at most 50 ticket numbers at a time.');
  if (ticketNumbers.some((n) => n.length > 64 || /[\u0000-\u001f\u007f]/.test(n)))
    return new Error('That is not a list of ticket numbers.');
  return { profile, ticketNumbers };
}
