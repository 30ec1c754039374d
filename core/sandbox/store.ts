// SQLite persistence for the sandbox: current ticket per (account, ticketId), a deliveries log,
// idempotency records, last heartbeat per connector and counters. Everything a test or the demo reads
// back survives a restart on the same file.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import type { SandboxStats } from './server.js';

export type TicketAction = 'created' | 'updated' | 'unchanged' | 'rejected';

export interface StoredTicket {
  ticketId: string;
  revision: string;
  targetId: string;
  /** The last change applied to this ticket (created or updated); duplicates do not overwrite it. */
  action: 'created' | 'updated';
  receivedAt: string;
  recordModifiedAt: string | null;
  ticket: unknown;
}

export interface IdempotencyRecord {
  bodySha256: string;
  status: number;
  response: unknown;
}

export interface StoredHeartbeat {
  connectorId: string;
  receivedAt: string;
  heartbeat: unknown;
}

/** Counter names kept per account; `tickets` is counted from the tickets table instead. */
export type CounterName = Exclude<keyof SandboxStats, 'tickets'>;

const COUNTERS: CounterName[] = [
  'deliveries',
  'created',
  'updated',
  'unchanged',
  'rejected',
  'replays',
  'duplicates',
  'staleRefused',
  'batches',
  'heartbeats',
];

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tickets (
  seq                INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id         TEXT NOT NULL,
  ticket_id          TEXT NOT NULL,
  revision           TEXT NOT NULL,
  target_id          TEXT NOT NULL,
  last_action        TEXT NOT NULL,
  ticket_json        TEXT NOT NULL,
  received_at        TEXT NOT NULL,
  record_modified_at TEXT,
  UNIQUE (account_id, ticket_id)
);
CREATE TABLE IF NOT EXISTS deliveries (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  at              TEXT NOT NULL,
  account_id      TEXT NOT NULL,
  ticket_id       TEXT NOT NULL,
  revision        TEXT NOT NULL,
  action          TEXT NOT NULL,
  idempotency_key TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency (
  account_id    TEXT NOT NULL,
  key           TEXT NOT NULL,
  body_sha256   TEXT NOT NULL,
  status        INTEGER NOT NULL,
  response_json TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  PRIMARY KEY (account_id, key)
);
CREATE TABLE IF NOT EXISTS heartbeats (
  account_id   TEXT NOT NULL,
  connector_id TEXT NOT NULL,
  received_at  TEXT NOT NULL,
  body_json    TEXT NOT NULL,
  PRIMARY KEY (account_id, connector_id)
);
CREATE TABLE IF NOT EXISTS counters (
  account_id TEXT NOT NULL,
  name       TEXT NOT NULL,
  value      INTEGER NOT NULL,
  PRIMARY KEY (account_id, name)
);
`;

interface TicketRow {
  ticket_id: string;
  revision: string;
  target_id: string;
  last_action: 'created' | 'updated';
  ticket_json: string;
  received_at: string;
  record_modified_at: string | null;
}

function toTicket(r: TicketRow): StoredTicket {
  return {
    ticketId: r.ticket_id,
    revision: r.revision,
    targetId: r.target_id,
    action: r.last_action,
    receivedAt: r.received_at,
    recordModifiedAt: r.record_modified_at,
    ticket: JSON.parse(r.ticket_json),
  };
}

/** Stable per (account, ticket): the same ticket keeps its id across updates and restarts. */
export function targetIdFor(accountId: string, ticketId: string): string {
  return 'tkt_' + createHash('sha256').update(accountId).update('\0').update(ticketId).digest('hex').slice(0, 16);
}

export class SandboxStore {
  private readonly db: Database.Database;
  private readonly q;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
    const db = this.db;
    this.q = {
      getTicket: db.prepare<[string, string], TicketRow>(
        'SELECT ticket_id, revision, target_id, last_action, ticket_json, received_at, record_modified_at FROM tickets WHERE account_id = ? AND ticket_id = ?',
      ),
      insertTicket: db.prepare(
        `INSERT INTO tickets (account_id, ticket_id, revision, target_id, last_action, ticket_json, received_at, record_modified_at)
         VALUES (@accountId, @ticketId, @revision, @targetId, 'created', @json, @at, @rma)`,
      ),
      updateTicket: db.prepare(
        `UPDATE tickets SET revision = @revision, last_action = 'updated', ticket_json = @json, received_at = @at, record_modified_at = @rma
         WHERE account_id = @accountId AND ticket_id = @ticketId`,
      ),
      listTickets: db.prepare<[string, number, number], TicketRow>(
        'SELECT ticket_id, revision, target_id, last_action, ticket_json, received_at, record_modified_at FROM tickets WHERE account_id = ? ORDER BY seq LIMIT ? OFFSET ?',
      ),
      countTickets: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM tickets WHERE account_id = ?'),
      countAllTickets: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM tickets'),
      logDelivery: db.prepare(
        'INSERT INTO deliveries (at, account_id, ticket_id, revision, action, idempotency_key) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      getIdem: db.prepare<[string, string], { body_sha256: string; status: number; response_json: string }>(
        'SELECT body_sha256, status, response_json FROM idempotency WHERE account_id = ? AND key = ?',
      ),
      putIdem: db.prepare(
        'INSERT INTO idempotency (account_id, key, body_sha256, status, response_json, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      putHeartbeat: db.prepare(
        `INSERT INTO heartbeats (account_id, connector_id, received_at, body_json) VALUES (?, ?, ?, ?)
         ON CONFLICT (account_id, connector_id) DO UPDATE SET received_at = excluded.received_at, body_json = excluded.body_json`,
      ),
      listHeartbeats: db.prepare<[string], { connector_id: string; received_at: string; body_json: string }>(
        'SELECT connector_id, received_at, body_json FROM heartbeats WHERE account_id = ? ORDER BY connector_id',
      ),
      bump: db.prepare(
        `INSERT INTO counters (account_id, name, value) VALUES (?, ?, ?)
         ON CONFLICT (account_id, name) DO UPDATE SET value = value + excluded.value`,
      ),
      countersFor: db.prepare<[string], { name: string; value: number }>('SELECT name, value FROM counters WHERE account_id = ?'),
      countersAll: db.prepare<[], { name: string; value: number }>('SELECT name, SUM(value) AS value FROM counters GROUP BY name'),
    };
  }

  /** Run `fn` in one transaction: a batch is applied entirely or not at all. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  getTicket(accountId: string, ticketId: string): StoredTicket | undefined {
    const row = this.q.getTicket.get(accountId, ticketId);
    return row ? toTicket(row) : undefined;
  }

  insertTicket(
    accountId: string,
    t: { ticketId: string; revision: string; targetId: string; json: string; at: string; rma: string | null },
  ): void {
    this.q.insertTicket.run({ accountId, ...t });
  }

  updateTicket(accountId: string, t: { ticketId: string; revision: string; json: string; at: string; rma: string | null }): void {
    this.q.updateTicket.run({ accountId, ...t });
  }

  listTickets(accountId: string, limit: number, offset: number): { total: number; tickets: StoredTicket[] } {
    const total = this.q.countTickets.get(accountId)?.n ?? 0;
    return { total, tickets: this.q.listTickets.all(accountId, limit, offset).map(toTicket) };
  }

  logDelivery(at: string, accountId: string, ticketId: string, revision: string, action: TicketAction, key: string): void {
    this.q.logDelivery.run(at, accountId, ticketId, revision, action, key);
  }

  getIdempotency(accountId: string, key: string): IdempotencyRecord | undefined {
    const r = this.q.getIdem.get(accountId, key);
    return r ? { bodySha256: r.body_sha256, status: r.status, response: JSON.parse(r.response_json) } : undefined;
  }

  putIdempotency(accountId: string, key: string, rec: IdempotencyRecord, at: string): void {
    this.q.putIdem.run(accountId, key, rec.bodySha256, rec.status, JSON.stringify(rec.response), at);
  }

  putHeartbeat(accountId: string, connectorId: string, at: string, body: unknown): void {
    this.q.putHeartbeat.run(accountId, connectorId, at, JSON.stringify(body));
  }

  listHeartbeats(accountId: string): StoredHeartbeat[] {
    return this.q.listHeartbeats.all(accountId).map((r) => ({
      connectorId: r.connector_id,
      receivedAt: r.received_at,
      heartbeat: JSON.parse(r.body_json),
    }));
  }

  bump(accountId: string, name: CounterName, by = 1): void {
    if (by !== 0) this.q.bump.run(accountId, name, by);
  }

  /** Stats for one account, or summed over all accounts when `accountId` is omitted. */
  stats(accountId?: string): SandboxStats {
    const rows = accountId === undefined ? this.q.countersAll.all() : this.q.countersFor.all(accountId);
    const tickets = accountId === undefined ? (this.q.countAllTickets.get()?.n ?? 0) : (this.q.countTickets.get(accountId)?.n ?? 0);
    const s = { tickets } as SandboxStats;
    for (const c of COUNTERS) s[c] = 0;
    for (const r of rows) if ((COUNTERS as string[]).includes(r.name)) s[r.name as CounterName] = Number(r.value);
    return s;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
