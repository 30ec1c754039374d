// A minimal in-memory receiver of the ingest API for the benchmark: what a fast cloud endpoint costs
// the connector, without the project's sandbox storing every ticket in SQLite. It parses each batch,
// answers created / updated / unchanged per ticket (by revision), replays an Idempotency-Key's answer,
// and serves the two read-backs the benchmark polls (stats and one ticket). No validation beyond the
// fields it answers with: the sandbox is where the API's rules are tested.
//   node dist/test/bench/receiver.js --port 0 --token T[,T2]   (prints {"port": N} on stdout)
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Stored {
  revision: string;
  targetId: string;
}

export interface Receiver {
  port: number;
  close(): Promise<void>;
}

export async function startReceiver(opts: { port?: number; tokens: string[] }): Promise<Receiver> {
  const accounts = new Map<string, { tickets: Map<string, Stored>; answers: Map<string, string> }>();
  for (const t of opts.tokens) accounts.set(t, { tickets: new Map(), answers: new Map() });
  let nextTarget = 1;
  const send = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const account = accounts.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (!account) return send(res, 401, '{"error":"unknown token"}');
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && path === '/v1/whoami')
        return send(res, 200, '{"accountId":"bench","accountName":"Bench","environment":"sandbox"}');
      if (req.method === 'GET' && path === '/v1/_sandbox/stats') return send(res, 200, JSON.stringify({ tickets: account.tickets.size }));
      if (req.method === 'GET' && path.startsWith('/v1/_sandbox/tickets/')) {
        const t = account.tickets.get(decodeURIComponent(path.slice('/v1/_sandbox/tickets/'.length)));
        return t ? send(res, 200, JSON.stringify(t)) : send(res, 404, '{"error":"not found"}');
      }
      if (req.method === 'POST' && path === '/v1/heartbeats') return send(res, 200, '{}');
      if (req.method === 'POST' && path === '/v1/tickets:batch') {
        const key = String(req.headers['idempotency-key'] ?? '');
        const replay = key ? account.answers.get(key) : undefined;
        if (replay) return send(res, 200, replay);
        let body: { tickets?: Array<{ ticketId?: unknown; revision?: unknown }> };
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return send(res, 400, '{"error":"the body is not JSON"}');
        }
        if (!Array.isArray(body.tickets)) return send(res, 400, '{"error":"tickets must be an array"}');
        const results = body.tickets.map((t) => {
          const ticketId = String(t?.ticketId ?? '');
          const revision = String(t?.revision ?? '');
          if (!ticketId || !revision)
            return { ticketId, revision, targetId: null, action: 'rejected', error: 'ticketId and revision are required' };
          const prev = account.tickets.get(ticketId);
          if (prev?.revision === revision) return { ticketId, revision, targetId: prev.targetId, action: 'unchanged' };
          const targetId = prev?.targetId ?? `tk_${(nextTarget++).toString(36)}`;
          account.tickets.set(ticketId, { revision, targetId });
          return { ticketId, revision, targetId, action: prev ? 'updated' : 'created' };
        });
        const answer = JSON.stringify({ results });
        if (key) account.answers.set(key, answer);
        return send(res, 200, answer);
      }
      send(res, 404, '{"error":"no such route"}');
    });
  });
  await new Promise<void>((done) => server.listen(opts.port ?? 0, '127.0.0.1', done));
  return {
    port: (server.address() as { port: number }).port,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

// Run as a process of its own (the benchmark does), like the sandbox.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--port');
  const j = process.argv.indexOf('--token');
  const tokens = j > 0 ? process.argv[j + 1].split(',') : [];
  if (!tokens.length) {
    process.stderr.write('usage: receiver.js --port N --token T[,T2]\n');
    process.exit(2);
  }
  const r = await startReceiver({ port: i > 0 ? Number(process.argv[i + 1]) : 0, tokens });
  process.stdout.write(JSON.stringify({ port: r.port }) + '\n');
}
