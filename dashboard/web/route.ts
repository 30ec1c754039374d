// Hash routes, no router library: #/ (overview), #/runs[?profile=P], #/runs/<id>[?problems=1],
// #/logs, #/review. The hash never reaches the server, so these are page state only.
import { useEffect, useState } from 'react';

export type Route =
  | { page: 'overview' }
  | { page: 'runs'; profile: string | null }
  | { page: 'run'; id: number; problems: boolean }
  | { page: 'logs' }
  | { page: 'review' }
  | { page: 'missing'; hash: string };

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const q = raw.indexOf('?');
  const path = (q < 0 ? raw : raw.slice(0, q)).replace(/\/+$/, '') || '/';
  const params = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  if (path === '/') return { page: 'overview' };
  if (path === '/runs') return { page: 'runs', profile: params.get('profile') || null };
  const m = /^\/runs\/([1-9][0-9]{0,14})$/.exec(path);
  if (m) return { page: 'run', id: Number(m[1]), problems: params.get('problems') === '1' };
  if (path === '/logs') return { page: 'logs' };
  if (path === '/review') return { page: 'review' };
  return { page: 'missing', hash: raw };
}

export function runsHref(profile: string | null): string {
  return profile ? `#/runs?profile=${encodeURIComponent(profile)}` : '#/runs';
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
