// Hash routes, no router library: #/ (overview), #/runs[?profile=P&problems=1&type=T&date=D],
// #/runs/<id>[?problems=1], #/parked?profile=P&kind=K, #/logs, #/review, #/settings. The hash never reaches the server, so
// these are page state only.
import { useEffect, useState } from 'react';

export interface RunsFilter {
  profile: string | null;
  problems: boolean;
  type: 'scheduled' | 'manual' | 'startup' | null;
  date: string | null;
}

export type Route =
  | { page: 'overview' }
  | ({ page: 'runs' } & RunsFilter)
  | { page: 'run'; id: number; problems: boolean }
  | { page: 'logs' }
  | { page: 'review' }
  | { page: 'settings' }
  | { page: 'parked'; profile: string; kind: ParkedKind }
  | { page: 'missing'; hash: string };

const TYPES = ['scheduled', 'manual', 'startup'] as const;
export const PARKED_KINDS = ['filtered', 'skipped', 'rejected'] as const;
export type ParkedKind = (typeof PARKED_KINDS)[number];

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const q = raw.indexOf('?');
  const path = (q < 0 ? raw : raw.slice(0, q)).replace(/\/+$/, '') || '/';
  const params = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  if (path === '/') return { page: 'overview' };
  if (path === '/runs') {
    const type = params.get('type');
    const date = params.get('date');
    return {
      page: 'runs',
      profile: params.get('profile') || null,
      problems: params.get('problems') === '1',
      type: (TYPES as readonly string[]).includes(type ?? '') ? (type as RunsFilter['type']) : null,
      date: date && /^\d{4}-\d{2}-\d{2}$/.test(date) ? date : null,
    };
  }
  const m = /^\/runs\/([1-9][0-9]{0,14})$/.exec(path);
  if (m) return { page: 'run', id: Number(m[1]), problems: params.get('problems') === '1' };
  if (path === '/logs') return { page: 'logs' };
  if (path === '/review') return { page: 'review' };
  if (path === '/settings') return { page: 'settings' };
  if (path === '/parked') {
    const kind = params.get('kind') ?? 'filtered';
    const profile = params.get('profile');
    if (profile && (PARKED_KINDS as readonly string[]).includes(kind)) return { page: 'parked', profile, kind: kind as ParkedKind };
  }
  return { page: 'missing', hash: raw };
}

export function runsHref(profile: string | null, filter: Partial<Omit<RunsFilter, 'profile'>> = {}): string {
  const q = new URLSearchParams();
  if (profile) q.set('profile', profile);
  if (filter.problems) q.set('problems', '1');
  if (filter.type) q.set('type', filter.type);
  if (filter.date) q.set('date', filter.date);
  const s = q.toString();
  return s ? `#/runs?${s}` : '#/runs';
}

export function parkedHref(profile: string, kind: ParkedKind): string {
  return `#/parked?${new URLSearchParams({ profile, kind })}`;
}

export function runHref(id: number, problems = false): string {
  return `#/runs/${id}${problems ? '?problems=1' : ''}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseHash(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** Changes the hash without adding a history entry (filters), or with one (navigation). */
export function go(href: string, replace = false): void {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}
