// Posts batches to the ingest API (docs/design.md §2.3) and turns every answer into one of: results, a
// retryable failure (with the server's Retry-After when given), a split (413, or 400 to find the
// one bad ticket) or a stop (401/403). TLS is always verified; proxies and an extra CA are set up
// process-wide by network.ts.
import { createHash, hash } from 'node:crypto';
// Default imports: the module objects themselves, whose globalAgent configureNetwork may replace
// (a namespace import would keep the agent of the moment it was loaded).
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';

export interface TicketResult {
  ticketId: string;
  revision: string;
  targetId: string | null;
  action: 'created' | 'updated' | 'unchanged' | 'rejected';
  error?: string;
}

/** The actions a result may carry; anything else is a protocol error. */
export const KNOWN_ACTIONS: ReadonlySet<string> = new Set(['created', 'updated', 'unchanged', 'rejected']);

/** The largest answer body read; a bigger one is refused as a protocol error (16 MiB). */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export interface ConnectorInfo {
  id: string;
  version: string;
  profile: string;
}

/** The API refused the token (401/403): stop this profile until the token changes. */
export class TokenRejectedError extends Error {
  constructor(readonly status: number) {
    super(
      status === 401
        ? 'The API rejected the account token; check the token in the profile.'
        : 'The account token is not allowed to post tickets (403); ask the e-ticketing service to enable it.',
    );
    this.name = 'TokenRejectedError';
  }
}

/** A failure worth retrying with the same Idempotency-Key: 408/429/5xx, timeout, reset, offline. */
export class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'RetryableError';
  }
}

/**
 * The API answered something that is not a valid answer to what was sent: a request-level failure
 * (404/405/other 4xx on the route, HTML, non-JSON, a body without `results`), or results that do not
 * name exactly the (ticketId, revision) pairs of the batch with a known action. Nothing of the batch
 * is committed; it is retried with the same Idempotency-Key and backoff. Never a per-ticket verdict.
 */
export class ProtocolError extends RetryableError {
  constructor(message: string, status: number | null = null) {
    super(message, null, status);
    this.name = 'ProtocolError';
  }
}

/** The caller's abort signal fired (stop, sync, reload) while a request was in flight. */
export class RequestAbortedError extends Error {
  constructor() {
    super('The request was interrupted.');
    this.name = 'RequestAbortedError';
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
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(`The API refused the batch with ${status}${detail ? `: ${detail}` : ''}.`);
    this.name = 'BatchRefusedError';
  }
}

/**
 * Deterministic per (profile, ticketId, revision, recordModifiedAt) and the body's envelope, so a
 * retry after a crash re-sends the same body under the same key; a body that differs in anything
 * (a touched row, a new connector version) gets a new key instead of a 422 "key reused".
 */
export function idempotencyKey(
  profile: string,
  tickets: Array<{ ticketId: string; revision: string; source?: { recordModifiedAt?: string } }>,
  envelope = '',
): string {
  // One string hashed once (the digest of the pieces fed one by one, at a fraction of the calls).
  let text = envelope ? `${profile}\u0002${envelope}` : profile;
  for (const t of tickets) text += `\n${t.ticketId}\u0000${t.revision}\u0000${t.source?.recordModifiedAt ?? ''}`;
  return hash('sha256', text, 'hex').slice(0, 48);
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
  /** Cap of one answer body in bytes (default 16 MiB): a bigger body is a protocol error. */
  maxResponseBytes?: number;
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

  /**
   * One request over node:http / node:https (fetch spent ~2.5 µs more of the main thread per ticket
   * on a 500-ticket batch, README Numbers). `done` must be called when its answer has been read: the
   * timeout covers the body too. One controller per request, aborted by the caller's signal or the
   * timeout and released with `done`. Requests go through the module's global agent at the time of
   * the request: keep-alive, and the proxy that configureNetwork (network.ts) set from the
   * environment; TLS certificates are always verified (the default CAs plus api.caFile).
   * Redirects are not followed: a 3xx is an answer like any other that is not the API's.
   */
  private async request(
    path: string,
    init: { method: string; body?: string | Uint8Array; headers?: Record<string, string>; signal?: AbortSignal },
  ): Promise<{ res: Answer; done: () => void }> {
    if (init.signal?.aborted) throw new RequestAbortedError();
    const url = new URL(this.base + path);
    const mod = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : null;
    if (!mod) throw new RetryableError(`The API URL ${this.base} is not an http or https URL; check the API URL in the profile.`);
    const ac = new AbortController();
    let timedOut = false;
    const onAbort = () => ac.abort(init.signal!.reason);
    init.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => {
      timedOut = true;
      ac.abort(new Error('The API did not answer in time.'));
    }, this.opts.timeoutMs ?? 30_000);
    const done = () => {
      clearTimeout(timer);
      init.signal?.removeEventListener('abort', onAbort);
    };
    const body = init.body;
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.token}`,
      'User-Agent': this.opts.userAgent,
      Accept: 'application/json',
      ...(body !== undefined
        ? {
            'Content-Type': 'application/json',
            'Content-Length': String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength),
          }
        : {}),
      ...init.headers,
    };
    return new Promise((resolve, reject) => {
      const send = (fresh: boolean) => {
        const fail = (e: unknown) => {
          // A kept-alive connection the server closed just as this request went out: sent again at
          // once on a new connection (same body and key), instead of a backoff and an "offline" state.
          const code = (e as { code?: unknown }).code;
          if (!fresh && req?.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE') && !ac.signal.aborted) return send(true);
          done();
          if (init.signal?.aborted) reject(new RequestAbortedError());
          // Timeouts, resets and refused connections: the outcome is unknown, so retry with the same key.
          else reject(new RetryableError(describeNetworkError(timedOut ? TIMED_OUT : e, this.base)));
        };
        let req: http.ClientRequest;
        try {
          req = mod.request(url, { method: init.method, headers, signal: ac.signal, agent: mod.globalAgent }, (message) => {
            // From here an interruption shows while the body is read (readBody).
            req.off('error', fail);
            req.on('error', () => {});
            resolve({ res: new Answer(message, () => timedOut), done });
          });
        } catch (e) {
          // Refused before anything was sent (a header value Node will not write, say).
          done();
          return reject(new RetryableError(describeNetworkError(e, this.base)));
        }
        req.on('error', fail);
        req.end(body);
      };
      send(false);
    });
  }

  async whoami(): Promise<{ accountId: string; accountName: string; environment: string }> {
    const { res, done } = await this.request('/v1/whoami', { method: 'GET' });
    try {
      if (res.status === 401 || res.status === 403) throw new TokenRejectedError(res.status);
      if (!res.ok) {
        res.discard();
        throw new RetryableError(
          `The API answered ${res.status} to /v1/whoami; try again later.`,
          parseRetryAfter(res.header('retry-after')),
          res.status,
        );
      }
      const json = jsonBody(res, await this.readBody(res));
      if (!json.ok) throw new RetryableError(`The API answered /v1/whoami with something that is not JSON; check the API URL.`);
      return json.value as { accountId: string; accountName: string; environment: string };
    } finally {
      done();
    }
  }

  /**
   * Posts one batch, each ticket already serialized (the pipeline measures batch bytes from these).
   * Returns the answer's `results` as the API sent them (the caller matches them to the batch, see
   * matchResults); every failure is one of the error classes above.
   */
  async postBatchJson(
    connector: ConnectorInfo,
    ticketJsons: string[],
    key: string,
    signal?: AbortSignal,
    jsonBytes?: number,
  ): Promise<unknown[]> {
    const body = batchBody(connector, ticketJsons, jsonBytes);
    const { res, done } = await this.request('/v1/tickets:batch', { method: 'POST', body, headers: { 'Idempotency-Key': key }, signal });
    try {
      return await this.batchResults(res, signal);
    } finally {
      done();
    }
  }

  /** What a batch's answer says: its results, or one of the error classes above. */
  private async batchResults(res: Answer, signal?: AbortSignal): Promise<unknown[]> {
    const route = `${this.base}/v1/tickets:batch`;
    if (res.status === 401 || res.status === 403) {
      res.discard();
      throw new TokenRejectedError(res.status);
    }
    if (res.status === 413) {
      res.discard();
      throw new PayloadTooLargeError();
    }
    if (res.status === 408 || res.status === 429 || res.status >= 500) {
      res.discard();
      throw new RetryableError(`The API answered ${res.status}; retrying.`, parseRetryAfter(res.header('retry-after')), res.status);
    }
    const text = await this.readBody(res, signal);
    const json = jsonBody(res, text);
    if (!res.ok) {
      // Only a 400/422 with a JSON error sentence is about the tickets sent (the caller splits the
      // batch to find the one); any other 4xx, or an answer that is not the API's JSON (a proxy's
      // HTML page, an empty body), is about the request and never becomes a ticket's verdict.
      const detail =
        json.ok && json.value && typeof (json.value as { error?: unknown }).error === 'string'
          ? (json.value as { error: string }).error.slice(0, 300)
          : '';
      // …except an error about the request's Idempotency-Key: no ticket is at fault.
      const aboutRequest = /idempotency-key/i.test(detail);
      if ((res.status === 400 || res.status === 422) && detail && !aboutRequest) throw new BatchRefusedError(res.status, detail);
      const what =
        res.status === 404 ? 'no such route' : res.status === 405 ? 'method not allowed on this route' : detail || describeBody(res, text);
      throw new ProtocolError(`The API answered ${res.status} (${what}) to POST ${route}; check the API URL in the profile.`, res.status);
    }
    if (!json.ok)
      throw new ProtocolError(
        `The API answered ${res.status} to POST ${route} with ${describeBody(res, text)}, not the API's JSON; check the API URL in the profile.`,
        res.status,
      );
    const results = (json.value as { results?: unknown } | null)?.results;
    if (!Array.isArray(results))
      throw new ProtocolError(
        `The API answered ${res.status} to POST ${route} without a results list; check the API URL in the profile.`,
        res.status,
      );
    return results;
  }

  /** The answer body as text, at most maxResponseBytes (a bigger one is a protocol error). */
  private async readBody(res: Answer, signal?: AbortSignal): Promise<string> {
    const max = this.opts.maxResponseBytes ?? MAX_RESPONSE_BYTES;
    const declared = Number(res.header('content-length') ?? NaN);
    if (declared > max) {
      res.discard();
      throw new ProtocolError(`The API's answer is ${declared} bytes, more than the ${max} bytes Outpost reads.`, res.status);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res.message as AsyncIterable<Buffer>) {
        size += chunk.byteLength;
        if (size > max) {
          res.message.destroy();
          throw new ProtocolError(`The API's answer is larger than the ${max} bytes Outpost reads.`, res.status);
        }
        chunks.push(chunk);
      }
    } catch (e) {
      if (e instanceof ProtocolError) throw e;
      if (signal?.aborted) throw new RequestAbortedError();
      if (res.timedOut()) throw new RetryableError(describeNetworkError(TIMED_OUT, this.base));
      throw new RetryableError(`The answer from ${this.base} was cut off (${(e as Error).message}); retrying.`);
    }
    return chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
  }

  async heartbeat(body: unknown): Promise<void> {
    const { res, done } = await this.request('/v1/heartbeats', { method: 'POST', body: JSON.stringify(body) });
    try {
      res.discard();
    } finally {
      done();
    }
    if (res.status === 401 || res.status === 403) throw new TokenRejectedError(res.status);
  }
}

/**
 * The body of a batch POST: `{"connector":…,"tickets":[…]}`. With the tickets' UTF-8 size known
 * (the pipeline counts it from each ticket's parts), the JSON is written straight into one buffer
 * instead of being joined into one big string that is then encoded again; the bytes are the same.
 */
export function batchBody(connector: ConnectorInfo, ticketJsons: string[], jsonBytes?: number): string | Buffer {
  const head = `{"connector":${JSON.stringify(connector)},"tickets":[`;
  if (jsonBytes === undefined || ticketJsons.length === 0) return `${head}${ticketJsons.join(',')}]}`;
  const expected = Buffer.byteLength(head) + jsonBytes + ticketJsons.length - 1 + 2;
  // Room to spare: a size that was counted wrong shows as a length other than the expected one
  // (a write that does not fit is cut short, and would fill the spare room), never as a cut body.
  const buf = Buffer.allocUnsafe(expected + 16);
  let off = buf.write(head, 0);
  for (let i = 0; i < ticketJsons.length; i++) {
    if (i) buf[off++] = 0x2c; // ,
    off += buf.write(ticketJsons[i], off);
  }
  off += buf.write(']}', off);
  return off === expected ? buf.subarray(0, off) : `${head}${ticketJsons.join(',')}]}`;
}

/**
 * Matches an answer's results to the batch sent: exactly one result per ticket, naming its
 * ticketId and the revision sent, with a known action. Returns the results in batch order, or
 * throws a ProtocolError naming the first thing wrong (nothing of the batch may then be committed).
 */
export function matchResults(sent: Array<{ ticketId: string; revision: string }>, results: unknown[]): TicketResult[] {
  return resultsInOrder(sent, results) ?? matchAnyOrder(sent, results);
}

/**
 * The usual answer, one valid result per ticket in the order sent, checked without building maps;
 * null for anything else (matchAnyOrder then matches it or names what is wrong).
 */
function resultsInOrder(sent: Array<{ ticketId: string; revision: string }>, results: unknown[]): TicketResult[] | null {
  if (results.length !== sent.length) return null;
  const out: TicketResult[] = new Array<TicketResult>(sent.length);
  for (let i = 0; i < sent.length; i++) {
    const r = results[i] as Partial<TicketResult> | null;
    const t = sent[i];
    if (r === null || typeof r !== 'object' || r.ticketId !== t.ticketId || r.revision !== t.revision) return null;
    if (typeof r.action !== 'string' || !KNOWN_ACTIONS.has(r.action)) return null;
    const targetId = r.targetId === undefined || r.targetId === null ? null : String(r.targetId);
    out[i] =
      typeof r.error === 'string'
        ? { ticketId: t.ticketId, revision: t.revision, targetId, action: r.action, error: r.error.slice(0, 1000) }
        : { ticketId: t.ticketId, revision: t.revision, targetId, action: r.action };
  }
  // A ticket sent twice would be matched twice here; such a batch is left to the full check.
  return new Set(sent.map((t) => t.ticketId)).size === sent.length ? out : null;
}

function matchAnyOrder(sent: Array<{ ticketId: string; revision: string }>, results: unknown[]): TicketResult[] {
  const want = new Map(sent.map((t) => [t.ticketId, t.revision]));
  const got = new Map<string, TicketResult>();
  for (let i = 0; i < results.length; i++) {
    const r = results[i] as Partial<TicketResult> | null;
    if (r === null || typeof r !== 'object' || Array.isArray(r))
      throw new ProtocolError(`result ${i} of the answer is ${r === null ? 'null' : typeof r}, not a ticket result`);
    if (typeof r.ticketId !== 'string') throw new ProtocolError(`result ${i} of the answer has no ticketId`);
    const rev = want.get(r.ticketId);
    if (rev === undefined) throw new ProtocolError(`the answer has a result for ${r.ticketId}, which was not in the batch`);
    if (got.has(r.ticketId)) throw new ProtocolError(`the answer has two results for ${r.ticketId}`);
    if (r.revision !== rev)
      throw new ProtocolError(`the answer for ${r.ticketId} names revision ${String(r.revision)}, but ${rev} was sent`);
    if (typeof r.action !== 'string' || !KNOWN_ACTIONS.has(r.action))
      throw new ProtocolError(`the answer for ${r.ticketId} has the unknown action ${JSON.stringify(r.action ?? null)}`);
    const targetId = r.targetId === undefined || r.targetId === null ? null : String(r.targetId);
    got.set(r.ticketId, {
      ticketId: r.ticketId,
      revision: rev,
      targetId,
      action: r.action,
      ...(typeof r.error === 'string' ? { error: r.error.slice(0, 1000) } : {}),
    });
  }
  const out: TicketResult[] = [];
  for (const t of sent) {
    const r = got.get(t.ticketId);
    if (!r) throw new ProtocolError(`the answer has no result for ${t.ticketId}`);
    out.push(r);
  }
  return out;
}

/** What the client reads of an answer: node:http's IncomingMessage underneath. */
class Answer {
  readonly status: number;
  readonly ok: boolean;
  constructor(
    readonly message: IncomingMessage,
    /** Whether the request's timeout fired (an interrupted body then says so). */
    readonly timedOut: () => boolean,
  ) {
    this.status = message.statusCode ?? 0;
    this.ok = this.status >= 200 && this.status < 300;
  }

  header(name: string): string | null {
    const v = this.message.headers[name.toLowerCase()];
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
  }

  /** The body is not needed: read and dropped, so the connection can serve the next request. */
  discard(): void {
    this.message.on('error', () => {});
    this.message.resume();
  }
}

function jsonBody(res: Answer, text: string): { ok: true; value: unknown } | { ok: false } {
  const type = res.header('content-type') ?? '';
  if (/html/i.test(type) || /^\s*</.test(text)) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function describeBody(res: Answer, text: string): string {
  const type = res.header('content-type') ?? '';
  if (!text.trim()) return 'an empty body';
  if (/html/i.test(type) || /^\s*</.test(text)) return 'an HTML page';
  return `a body that is not JSON (${type || 'no content type'})`;
}

export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16);
}

/** What a request's own timeout reports (describeNetworkError words it). */
const TIMED_OUT = { name: 'TimeoutError' };

function describeNetworkError(e: unknown, base: string): string {
  const err = e as { name?: string; code?: string; cause?: { code?: string } };
  if (err.name === 'TimeoutError') return `The API at ${base} did not answer in time; retrying.`;
  const code = err.code ?? err.cause?.code;
  if (code === 'ECONNREFUSED') return `Nothing answers at ${base} (connection refused); check the API URL and the network.`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `The API host in ${base} cannot be resolved; check the URL and DNS.`;
  if (code === 'ECONNRESET') return `The connection to ${base} was reset; retrying.`;
  if (code && /CERT|SSL|TLS|UNABLE_TO_(GET|VERIFY)/.test(code))
    return `The API's TLS certificate at ${base} is not trusted (${code}); check the URL or configure the CA file (api.caFile).`;
  return `The API at ${base} cannot be reached (${code ?? err.name ?? 'network error'}); retrying.`;
}
