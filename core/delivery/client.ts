// Posts batches to the ingest API (DESIGN §2.3) and turns every answer into one of: results, a
// retryable failure (with the server's Retry-After when given), a split (413, or 400 to find the
// one bad ticket) or a stop (401/403). TLS is always verified; proxies and an extra CA are set up
// process-wide by network.ts.
import { createHash } from 'node:crypto';
import type { ETicket } from '../mapping/eticket.js';

export interface TicketResult {
  ticketId: string;
  revision: string;
  targetId: string | null;
  action: 'created' | 'updated' | 'unchanged' | 'rejected';
  error?: string;
}

export interface ConnectorInfo {
  id: string;
  version: string;
  profile: string;
}

/** The API refused the token (401/403): stop this profile until the token changes. */
export class TokenRejectedError extends Error {
  constructor(readonly status: number) {
    super(status === 401 ? 'The API rejected the account token; check the token in the profile.' : 'The account token is not allowed to post tickets (403); ask the e-ticketing service to enable it.');
    this.name = 'TokenRejectedError';
  }
}

/** A failure worth retrying with the same Idempotency-Key: 408/429/5xx, timeout, reset, offline. */
export class RetryableError extends Error {
  constructor(message: string, readonly retryAfterMs: number | null = null, readonly status: number | null = null) {
    super(message);
    this.name = 'RetryableError';
  }
}

/** The batch was too large for the API (413): the caller splits it. */
export class PayloadTooLargeError extends Error {
  constructor() {
    super('The API refused the batch as too large (413).');
  }
}

/** The API refused the batch as a whole (400, 422, other 4xx): the caller splits it to find the bad ticket. */
export class BatchRefusedError extends Error {
  constructor(readonly status: number, readonly detail: string) {
    super(`The API refused the batch with ${status}${detail ? `: ${detail}` : ''}.`);
    this.name = 'BatchRefusedError';
  }
}

/**
 * Deterministic per (profile, ticketId, revision, recordModifiedAt) and the body's envelope, so a
 * retry after a crash re-sends the same body under the same key; a body that differs in anything
 * (a touched row, a new connector version) gets a new key instead of a 422 "key reused".
 */
export function idempotencyKey(profile: string, tickets: Array<{ ticketId: string; revision: string; source?: { recordModifiedAt?: string } }>, envelope = ''): string {
  const h = createHash('sha256');
  h.update(profile);
  if (envelope) h.update(`\u0002${envelope}`);
  for (const t of tickets) h.update(`\n${t.ticketId}\u0000${t.revision}\u0000${t.source?.recordModifiedAt ?? ''}`);
  return h.digest('hex').slice(0, 48);
}

/** Retry-After in seconds or as an HTTP date → milliseconds from now (never negative). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export interface ApiClientOptions {
  url: string;
  token: string;
  userAgent: string;
  timeoutMs?: number;
}

export class ApiClient {
  private readonly base: string;
  private token: string;

  constructor(private readonly opts: ApiClientOptions) {
    this.base = opts.url.replace(/\/+$/, '');
    this.token = opts.token;
  }

  /** A fingerprint of the token in use (never the token): tells when it changed. */
  get tokenFingerprint(): string {
    return fingerprint(this.token);
  }

  setToken(token: string): void {
    this.token = token;
  }

  private async request(path: string, init: { method: string; body?: string; headers?: Record<string, string> }): Promise<Response> {
    try {
      return await fetch(this.base + path, {
        method: init.method,
        body: init.body,
        headers: {
          Authorization: `Bearer ${this.token}`,
          'User-Agent': this.opts.userAgent,
          Accept: 'application/json',
          ...(init.body ? { 'Content-Type': 'application/json' } : {}),
          ...init.headers,
        },
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
        redirect: 'error',
      });
    } catch (e) {
      // Timeouts, resets and refused connections: the outcome is unknown, so retry with the same key.
      throw new RetryableError(describeNetworkError(e, this.base));
    }
  }

  async whoami(): Promise<{ accountId: string; accountName: string; environment: string }> {
    const res = await this.request('/v1/whoami', { method: 'GET' });
    if (res.status === 401 || res.status === 403) throw new TokenRejectedError(res.status);
    if (!res.ok) throw new RetryableError(`The API answered ${res.status} to /v1/whoami; try again later.`, parseRetryAfter(res.headers.get('retry-after')), res.status);
    return (await res.json()) as { accountId: string; accountName: string; environment: string };
  }

  async postBatch(connector: ConnectorInfo, tickets: ETicket[], key: string): Promise<TicketResult[]> {
    return this.postBatchJson(connector, tickets.map((t) => JSON.stringify(t)), key);
  }

  /** The same, with each ticket already serialized (the pipeline measures batch bytes from these). */
  async postBatchJson(connector: ConnectorInfo, ticketJsons: string[], key: string): Promise<TicketResult[]> {
    const body = `{"connector":${JSON.stringify(connector)},"tickets":[${ticketJsons.join(',')}]}`;
    const res = await this.request('/v1/tickets:batch', { method: 'POST', body, headers: { 'Idempotency-Key': key } });
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw new TokenRejectedError(res.status);
    }
    if (res.status === 413) {
      await res.body?.cancel();
      throw new PayloadTooLargeError();
    }
    if (res.status === 408 || res.status === 429 || res.status >= 500) {
      await res.body?.cancel();
      throw new RetryableError(`The API answered ${res.status}; retrying.`, parseRetryAfter(res.headers.get('retry-after')), res.status);
    }
    if (!res.ok) {
      let detail = '';
      try {
        const j = (await res.json()) as { error?: unknown };
        detail = typeof j.error === 'string' ? j.error.slice(0, 300) : '';
      } catch {
        /* not JSON */
      }
      throw new BatchRefusedError(res.status, detail);
    }
    let parsed: { results?: TicketResult[] };
    try {
      parsed = (await res.json()) as { results?: TicketResult[] };
    } catch {
      throw new RetryableError('The API answered 200 with a body that is not JSON; retrying.');
    }
    if (!Array.isArray(parsed.results)) throw new RetryableError('The API answered 200 without results; retrying.');
    return parsed.results;
  }

  async heartbeat(body: unknown): Promise<void> {
    const res = await this.request('/v1/heartbeats', { method: 'POST', body: JSON.stringify(body) });
    await res.body?.cancel();
    if (res.status === 401 || res.status === 403) throw new TokenRejectedError(res.status);
  }
}

export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16);
}

function describeNetworkError(e: unknown, base: string): string {
  const err = e as { name?: string; cause?: { code?: string } };
  if (err.name === 'TimeoutError') return `The API at ${base} did not answer in time; retrying.`;
  const code = err.cause?.code;
  if (code === 'ECONNREFUSED') return `Nothing answers at ${base} (connection refused); check the API URL and the network.`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `The API host in ${base} cannot be resolved; check the URL and DNS.`;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return `The connection to ${base} was reset; retrying.`;
  if (code && /CERT|SSL|TLS/.test(code)) return `The API's TLS certificate at ${base} is not trusted (${code}); check the URL or configure the CA file (api.caFile).`;
  return `The API at ${base} cannot be reached (${code ?? err.name ?? 'network error'}); retrying.`;
}
