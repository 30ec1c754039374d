// Talking to the dashboard server: JSON reads with the session cookie, and mutations with the
// CSRF token (the server also checks Origin, which the browser sets by itself).
import { useCallback, useEffect, useRef, useState } from 'react';

export const SIGNED_OUT_TEXT = 'This dashboard session has ended. Open the URL printed by `outpost dashboard`.';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function errorOf(res: Response): Promise<ApiError> {
  if (res.status === 401) return new ApiError(SIGNED_OUT_TEXT, 401);
  const body = (await res.json().catch(() => ({}))) as { error?: unknown };
  const text = typeof body.error === 'string' ? body.error : `The request failed (HTTP ${res.status}).`;
  return new ApiError(text, res.status);
}

export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { Accept: 'application/json' }, signal });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError('The dashboard does not answer; is Outpost still running?', 0);
  }
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as T;
}

/**
 * A JSON read while mounted, again when `url` or `key` changes (the previous read is aborted). The
 * last data stays while a new read runs or after it fails; an error that is not the server's says
 * `fallback`.
 */
export function useJson<T>(url: string, key: unknown, fallback: string): { data: T | null; error: ApiError | null; loading: boolean } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  useEffect(() => {
    const abort = new AbortController();
    setLoading(true);
    getJson<T>(url, abort.signal)
      .then((d) => {
        setData(d);
        setError(null);
      })
      .catch((e: unknown) => {
        if (abort.signal.aborted) return;
        setError(e instanceof ApiError ? e : new ApiError(fallback, 0));
      })
      .finally(() => {
        if (!abort.signal.aborted) setLoading(false);
      });
    return () => abort.abort();
  }, [url, key, fallback]);
  return { data, error, loading };
}

/** The CSRF token for mutations, fetched once and again after a refusal. */
export function useCsrf(): { token(): Promise<string | null>; forget(): void } {
  const token = useRef<string | null>(null);
  const get = useCallback(async () => {
    if (token.current) return token.current;
    const res = await fetch('/api/session', { headers: { Accept: 'application/json' } });
    if (!res.ok) return null;
    const body = (await res.json()) as { csrf?: string };
    token.current = body.csrf ?? null;
    return token.current;
  }, []);
  const forget = useCallback(() => {
    token.current = null;
  }, []);
  return { token: get, forget };
}

/** POST with the CSRF token; a 403 (stale token) is retried once with a fresh one. */
export async function postJson<T>(csrf: { token(): Promise<string | null>; forget(): void }, url: string, body?: unknown): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const token = await csrf.token();
    if (!token) throw new ApiError(SIGNED_OUT_TEXT, 401);
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'X-Outpost-CSRF': token,
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.ok) return (await res.json().catch(() => ({}))) as T;
    if (res.status === 403 && attempt === 0) {
      csrf.forget();
      continue;
    }
    throw await errorOf(res);
  }
}

export type Role = 'admin' | 'reviewer';
export interface Features {
  reconcile: boolean;
  resend: boolean;
  parked: boolean;
}

export interface SessionInfo {
  role: Role;
  timeZone: string;
  features: Features;
}

/** Who this page is (admin or reviewer link) and the plant's zone; null until known. */
export async function fetchSession(): Promise<SessionInfo | null> {
  try {
    const res = await fetch('/api/session', { headers: { Accept: 'application/json' } });
    if (!res.ok) return null;
    const body = (await res.json()) as { role?: unknown; timeZone?: unknown; features?: Partial<Features> };
    const f = body.features ?? {};
    return {
      role: body.role === 'reviewer' ? 'reviewer' : 'admin',
      timeZone: typeof body.timeZone === 'string' ? body.timeZone : 'UTC',
      features: { reconcile: f.reconcile === true, resend: f.resend === true, parked: f.parked === true },
    };
  } catch {
    return null;
  }
}
