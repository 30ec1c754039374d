// `outpost sandbox`: the ingest API of docs/design.md §2.3, for tests and the demo. It is a plain node:http
// server (core/ does not import express, docs/design.md §1) with a small router; the rules for a batch live in
// ingest.ts, persistence in store.ts, fault injection in faults.ts.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { makeAuthenticator } from './auth.js';
import { FaultPlan, faultsSchema } from './faults.js';
import { applyBatch, batchBodySchema, describeIssues, heartbeatBodySchema, type BatchResult } from './ingest.js';
import { SandboxStore, type StoredTicket } from './store.js';

export interface SandboxAccount {
  token: string;
  accountId: string;
  accountName: string;
  environment: 'sandbox' | 'uat' | 'production';
  disabled?: boolean /* 403 */;
}
export interface SandboxFaults {
  errorRate?: number /*0..1 → 503*/;
  latencyMs?: number;
  dropRate?: number /* destroy the socket without answering */;
  throttleRate?: number /* 429 */;
  retryAfter?: string /* Retry-After header value, seconds or HTTP date; default '1' */;
  timeoutRate?: number /* accept, process and store the batch, then never answer (hold the socket until client gives up) — simulates "2xx lost" */;
  seed?: number;
}
export interface SandboxOptions {
  port?: number /* 0 = free port; default 0 */;
  host?: string /* default 127.0.0.1 */;
  dbFile: string /* SQLite path; ':memory:' allowed */;
  accounts: SandboxAccount[];
  faults?: SandboxFaults;
  maxBodyBytes?: number /* default 5 MiB → 413 above */;
  log?: (line: string) => void;
}
export interface SandboxStats {
  tickets: number;
  deliveries: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  replays: number;
  duplicates: number;
  staleRefused: number;
  batches: number;
  heartbeats: number;
}
export interface SandboxHandle {
  url: string /* http://127.0.0.1:PORT */;
  port: number;
  setFaults(f: SandboxFaults): void;
  stats(): SandboxStats;
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 5 * 1024 * 1024;
const MAX_KEY_LENGTH = 255;

type Body = { ok: true; bytes: Buffer } | { ok: false; reason: 'tooLarge' };

/** Thrown when the client goes away mid-request; the handler just stops. */
class ClientGone extends Error {}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

/**
 * Read the whole body, up to `max` bytes. Above it the rest is drained (not kept) before answering
 * 413, so the client reads the answer instead of a reset; an absurd body is cut off.
 */
function readBody(req: IncomingMessage, max: number): Promise<Body> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(req.headers['content-length'] ?? 0) > max;
    let done = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) tooLarge = true;
      if (tooLarge) {
        chunks.length = 0;
        if (size > Math.max(max * 4, 64 * 1024 * 1024)) req.socket.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      done = true;
      resolve(tooLarge ? { ok: false, reason: 'tooLarge' } : { ok: true, bytes: Buffer.concat(chunks) });
    });
    req.on('error', () => reject(new ClientGone()));
    req.on('close', () => {
      if (!done) reject(new ClientGone());
    });
  });
}

function parseJson(bytes: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(bytes.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

function nonNegativeInt(v: string | null, fallback: number): number | undefined {
  if (v === null || v === '') return fallback;
  return /^\d{1,9}$/.test(v) ? Number(v) : undefined;
}

function ticketView(t: StoredTicket) {
  return { ticketId: t.ticketId, revision: t.revision, targetId: t.targetId, action: t.action, receivedAt: t.receivedAt, ticket: t.ticket };
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startSandbox(opts: SandboxOptions): Promise<SandboxHandle> {
  const host = opts.host ?? '127.0.0.1';
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const log = opts.log ?? (() => {});
  const store = new SandboxStore(opts.dbFile);
  const faults = new FaultPlan(opts.faults);
  const authenticate = makeAuthenticator(opts.accounts);
  const closing = new AbortController();
  const inflight = new Set<Promise<void>>();

  function auth(req: IncomingMessage, res: ServerResponse): SandboxAccount | undefined {
    const out = authenticate(req.headers.authorization);
    if (out.ok) return out.account;
    sendJson(res, out.status, { error: out.error }, out.status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {});
    return undefined;
  }

  /** Read a JSON body for the small endpoints; answers 413/400 itself and returns undefined then. */
  async function jsonBody(req: IncomingMessage, res: ServerResponse): Promise<{ value: unknown } | undefined> {
    const body = await readBody(req, maxBody);
    if (!body.ok) {
      sendJson(res, 413, { error: `The body is larger than ${maxBody} bytes; send less per request.` });
      return undefined;
    }
    const parsed = parseJson(body.bytes);
    if (!parsed.ok) {
      sendJson(res, 400, { error: 'The body is not valid JSON.' });
      return undefined;
    }
    return { value: parsed.value };
  }

  async function postBatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const ua = String(req.headers['user-agent'] ?? '-').slice(0, 80);
    const line = (account: string, outcome: string) => log(`batch account=${account} ua="${ua}" ${outcome} ${Date.now() - started}ms`);

    const account = auth(req, res);
    if (!account) return line('-', `→ ${res.statusCode} unauthenticated`);
    const key = req.headers['idempotency-key'];
    if (typeof key !== 'string' || key.trim() === '' || key.length > MAX_KEY_LENGTH) {
      sendJson(res, 400, { error: `The Idempotency-Key header is required (1-${MAX_KEY_LENGTH} characters).` });
      return line(account.accountId, '→ 400 missing Idempotency-Key');
    }
    const body = await readBody(req, maxBody);
    if (!body.ok) {
      sendJson(res, 413, { error: `The batch is larger than ${maxBody} bytes; split it into smaller batches.` });
      return line(account.accountId, `key=${key} → 413 too large`);
    }

    // Faults, in the documented order: latency, then drop, throttle, error, timeout.
    const latency = faults.latencyMs();
    if (latency > 0) await delay(latency, undefined, { signal: closing.signal });
    const fault = faults.decide();
    if (fault.kind === 'drop') {
      req.socket.destroy();
      return line(account.accountId, `key=${key} → dropped (fault)`);
    }
    if (fault.kind === 'throttle') {
      sendJson(res, 429, { error: 'Too many requests; retry after the Retry-After delay.' }, { 'Retry-After': fault.retryAfter });
      return line(account.accountId, `key=${key} → 429 (fault)`);
    }
    if (fault.kind === 'error') {
      sendJson(res, 503, { error: 'The service is unavailable; retry later.' });
      return line(account.accountId, `key=${key} → 503 (fault)`);
    }

    const parsed = parseJson(body.bytes);
    if (!parsed.ok) {
      sendJson(res, 400, { error: 'The body is not valid JSON.' });
      return line(account.accountId, `key=${key} → 400 bad JSON`);
    }
    const shape = batchBodySchema.safeParse(parsed.value);
    if (!shape.success) {
      sendJson(res, 400, { error: `The batch body is not valid: ${describeIssues(shape.error)}.` });
      return line(account.accountId, `key=${key} → 400 bad shape`);
    }
    if (closing.signal.aborted) return;

    // From here to the answer there is no await: the idempotency check and the apply are atomic.
    const bodySha256 = createHash('sha256').update(body.bytes).digest('hex');
    const now = new Date().toISOString();
    const previous = store.getIdempotency(account.accountId, key);
    let answer: { status: number; response: unknown; outcome: string };
    if (previous) {
      if (previous.bodySha256 !== bodySha256) {
        sendJson(res, 422, { error: 'This Idempotency-Key was already used with a different body; use a new key for a new batch.' });
        return line(account.accountId, `key=${key} → 422 key reused`);
      }
      store.bump(account.accountId, 'replays');
      answer = { status: previous.status, response: previous.response, outcome: `→ ${previous.status} replay` };
    } else {
      answer = store.transaction(() => {
        const id = account.accountId;
        const { results, counts } = applyBatch(store, id, key, shape.data.tickets, now);
        const response: { results: BatchResult[] } = { results };
        store.putIdempotency(id, key, { bodySha256, status: 200, response }, now);
        store.bump(id, 'batches');
        store.bump(id, 'deliveries', results.length);
        for (const name of ['created', 'updated', 'unchanged', 'rejected', 'duplicates', 'staleRefused'] as const) {
          store.bump(id, name, counts[name]);
        }
        const outcome =
          `→ 200 tickets=${results.length} created=${counts.created} updated=${counts.updated} ` +
          `unchanged=${counts.unchanged} rejected=${counts.rejected} stale=${counts.staleRefused}`;
        return { status: 200, response, outcome };
      });
    }
    const connector = shape.data.connector;
    const prefix = `key=${key} connector=${connector.id}/${connector.profile}`;
    if (fault.kind === 'timeout') {
      // Stored, but the answer is "lost": keep the socket open until the client gives up.
      return line(account.accountId, `${prefix} ${answer.outcome} then held (timeout fault)`);
    }
    sendJson(res, answer.status, answer.response);
    line(account.accountId, `${prefix} ${answer.outcome}`);
  }

  async function postHeartbeat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const account = auth(req, res);
    if (!account) return;
    const body = await jsonBody(req, res);
    if (!body || closing.signal.aborted) return;
    const hb = heartbeatBodySchema.safeParse(body.value);
    if (!hb.success) return sendJson(res, 400, { error: `The heartbeat is not valid: ${describeIssues(hb.error)}.` });
    store.transaction(() => {
      store.putHeartbeat(account.accountId, hb.data.connectorId, new Date().toISOString(), body.value);
      store.bump(account.accountId, 'heartbeats');
    });
    if (!res.headersSent) {
      res.writeHead(204, { 'Cache-Control': 'no-store' });
      res.end();
    }
  }

  async function putFaults(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const account = auth(req, res);
    if (!account) return;
    const body = await jsonBody(req, res);
    if (!body) return;
    const f = faultsSchema.safeParse(body.value);
    if (!f.success) return sendJson(res, 400, { error: `The faults are not valid: ${describeIssues(f.error)}.` });
    faults.set(f.data);
    log(`faults set by account=${account.accountId}: ${JSON.stringify(f.data)}`);
    sendJson(res, 200, { faults: faults.get() });
  }

  function getRoute(req: IncomingMessage, res: ServerResponse, path: string, url: URL): void {
    const account = auth(req, res);
    if (!account) return;
    const id = account.accountId;
    if (path === '/v1/whoami') {
      return sendJson(res, 200, { accountId: id, accountName: account.accountName, environment: account.environment });
    }
    if (path === '/v1/_sandbox/tickets') {
      const limit = nonNegativeInt(url.searchParams.get('limit'), 100);
      const offset = nonNegativeInt(url.searchParams.get('offset'), 0);
      if (limit === undefined || offset === undefined) {
        return sendJson(res, 400, { error: 'limit and offset must be whole numbers of 0 or more.' });
      }
      const page = store.listTickets(id, Math.min(limit, 1000), offset);
      return sendJson(res, 200, { total: page.total, tickets: page.tickets.map(ticketView) });
    }
    if (path.startsWith('/v1/_sandbox/tickets/')) {
      let ticketId: string;
      try {
        ticketId = decodeURIComponent(path.slice('/v1/_sandbox/tickets/'.length));
      } catch {
        return sendJson(res, 400, { error: 'The ticket id in the path is not valid.' });
      }
      const t = store.getTicket(id, ticketId);
      return t ? sendJson(res, 200, ticketView(t)) : sendJson(res, 404, { error: 'No ticket with that ticketId in this account.' });
    }
    if (path === '/v1/_sandbox/stats') return sendJson(res, 200, store.stats(id));
    if (path === '/v1/_sandbox/heartbeats') return sendJson(res, 200, { heartbeats: store.listHeartbeats(id) });
    if (path === '/v1/_sandbox/faults') return sendJson(res, 200, { faults: faults.get() });
  }

  /** Exact routes; `tickets:batch` is matched literally (also percent-encoded), no pattern router. */
  function route(path: string): { methods: string[] } | undefined {
    if (path === '/v1/whoami' || path === '/v1/_sandbox/tickets' || path === '/v1/_sandbox/stats' || path === '/v1/_sandbox/heartbeats') {
      return { methods: ['GET'] };
    }
    if (/^\/v1\/_sandbox\/tickets\/[^/]+$/.test(path)) return { methods: ['GET'] };
    if (path === '/v1/tickets:batch' || path.toLowerCase() === '/v1/tickets%3abatch') return { methods: ['POST'] };
    if (path === '/v1/heartbeats') return { methods: ['POST'] };
    if (path === '/v1/_sandbox/faults') return { methods: ['GET', 'PUT'] };
    return undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const path = url.pathname;
    const r = route(path);
    if (!r) return sendJson(res, 404, { error: 'Not found.' });
    const method = req.method ?? 'GET';
    if (!r.methods.includes(method)) {
      return sendJson(res, 405, { error: `Use ${r.methods.join(' or ')} for this path.` }, { Allow: r.methods.join(', ') });
    }
    if (method === 'GET') return getRoute(req, res, path, url);
    if (path === '/v1/heartbeats') return postHeartbeat(req, res);
    if (path === '/v1/_sandbox/faults') return putFaults(req, res);
    return postBatch(req, res);
  }

  const server = createServer((req, res) => {
    const p = handle(req, res)
      .catch((err: unknown) => {
        if (err instanceof ClientGone || closing.signal.aborted) return;
        log(`error: ${err instanceof Error ? err.message : String(err)}`);
        sendJson(res, 500, { error: 'The sandbox hit an internal error; see its log.' });
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    store.close();
    throw err;
  }

  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  let finalStats: SandboxStats | undefined;
  return {
    url: `http://${hostForUrl(host)}:${port}`,
    port,
    setFaults: (f) => faults.set(f),
    stats: () => finalStats ?? store.stats(),
    close: () => {
      closed ??= (async () => {
        closing.abort();
        const done = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections(); // includes sockets held by the timeout fault
        await done;
        await Promise.allSettled([...inflight]);
        finalStats = store.stats();
        store.close();
      })();
      return closed;
    },
  };
}
