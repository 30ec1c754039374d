// A small HTTP server in front of the sandbox API that answers batches wrongly on purpose: each
// mode is one way a real API (or a proxy, or a wrong base URL) answers something that is not a
// valid answer to the batch. `pass` forwards to the sandbox, which stores what it accepts, so a test
// can compare the connector's ledger with what the API really holds.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeMode =
  | 'pass'
  | 'wrongRevision'
  | 'unknownAction'
  | 'nullResult'
  | 'duplicateResult'
  | 'foreignResult'
  | 'route404'
  | 'route405'
  | 'html200'
  | 'emptyObject'
  | 'html400'
  | 'rejectAll'
  | 'keyReused';

export interface FakeApi {
  url: string;
  mode: FakeMode;
  /** Batch requests seen, with their Idempotency-Key and ticket count, in order. */
  requests: Array<{ mode: FakeMode; key: string; tickets: number }>;
  /** After this many wrong answers the mode switches to `pass` by itself (Infinity = never). */
  switchAfter: number;
  close(): Promise<void>;
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startFakeApi(upstream: string, mode: FakeMode = 'pass', switchAfter = Infinity): Promise<FakeApi> {
  const api: FakeApi = { url: '', mode, requests: [], switchAfter, close: async () => {} };
  let wrong = 0;
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const isBatch = req.method === 'POST' && req.url === '/v1/tickets:batch';
      if (isBatch && api.mode !== 'pass') {
        const parsed = JSON.parse(body.toString('utf8')) as { tickets: Array<{ ticketId: string; revision: string }> };
        const t = parsed.tickets;
        api.requests.push({ mode: api.mode, key: String(req.headers['idempotency-key'] ?? ''), tickets: t.length });
        const m = api.mode;
        if (++wrong >= api.switchAfter) api.mode = 'pass';
        const ok = (x: { ticketId: string; revision: string }) => ({
          ticketId: x.ticketId,
          revision: x.revision,
          targetId: `tgt-${x.ticketId}`,
          action: 'created',
        });
        switch (m) {
          case 'wrongRevision':
            return json(res, 200, { results: t.map((x) => ({ ...ok(x), revision: 'r-never-sent' })) });
          case 'unknownAction':
            return json(res, 200, { results: t.map((x) => ({ ...ok(x), action: 'queued' })) });
          case 'nullResult':
            return json(res, 200, { results: [null, ...t.slice(1).map(ok)] });
          case 'duplicateResult':
            return json(res, 200, { results: [...t.map(ok), ok(t[0])] });
          case 'foreignResult':
            return json(res, 200, { results: [...t.slice(1).map(ok), { ...ok(t[0]), ticketId: 'p1:not-in-this-batch' }] });
          case 'route404':
            return json(res, 404, { error: 'Not found.' });
          case 'route405':
            return json(res, 405, { error: 'Use GET for this path.' });
          case 'html200':
            res.writeHead(200, { 'Content-Type': 'text/html' });
            return res.end('<html><body>Welcome to nginx!</body></html>');
          case 'html400':
            res.writeHead(400, { 'Content-Type': 'text/html' });
            return res.end('<html><body>400 Bad Request</body></html>');
          case 'rejectAll':
            return json(res, 200, {
              results: t.map((x) => ({
                ...ok(x),
                targetId: null,
                action: 'rejected',
                error: 'plant North is not set up for this account',
              })),
            });
          case 'keyReused':
            return json(res, 422, { error: 'This Idempotency-Key was already used with a different body; use a new key for a new batch.' });
          case 'emptyObject':
            return json(res, 200, {});
        }
      }
      if (isBatch) api.requests.push({ mode: 'pass', key: String(req.headers['idempotency-key'] ?? ''), tickets: -1 });
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
      const up = await fetch(upstream + (req.url ?? '/'), {
        method: req.method,
        headers,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
      });
      const text = Buffer.from(await up.arrayBuffer());
      res.writeHead(up.status, { 'Content-Type': up.headers.get('content-type') ?? 'application/json', 'Content-Length': text.length });
      res.end(text);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  api.close = () => new Promise<void>((r) => server.close(() => r()));
  return api;
}

/** Every ticket the sandbox stores: ticketId → revision. */
export async function sandboxTickets(url: string, token: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let offset = 0; ; offset += 1000) {
    const r = (await (
      await fetch(`${url}/v1/_sandbox/tickets?limit=1000&offset=${offset}`, { headers: { Authorization: `Bearer ${token}` } })
    ).json()) as {
      total: number;
      tickets: Array<{ ticketId: string; revision: string }>;
    };
    for (const t of r.tickets) out.set(t.ticketId, t.revision);
    if (offset + 1000 >= r.total) return out;
  }
}
