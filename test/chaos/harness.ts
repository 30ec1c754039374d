// The chaos suite's moving parts: a ticket table on each database (private PostgreSQL, private
// MariaDB, SQLite), concurrent writers, the daemon as a real child process that is killed -9, and
// the final accounting — lost, stale and duplicate deliveries — against the sandbox.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SandboxHandle } from '../../core/sandbox/server.js';
import { makeTicket, prng, wallClock, DEMO_COLUMNS, DEMO_TIMEZONE, type TicketRow } from '../../core/demo/plant.js';
import { DEMO_FIELDS } from '../../core/demo/environment.js';
import { createMapper } from '../../core/mapping/index.js';
import { createSource, type SourceAdapter } from '../../core/sources/index.js';
import type { SourceConfig } from '../../core/config/schema.js';
import type { PrivateServer } from '../helpers/private-db.js';

/** The CLI through the test-only entry point that adds the crash-after-acknowledgement hook. */
export const CLI = fileURLToPath(new URL('../helpers/crash-cli.js', import.meta.url));
export const TOKEN = 'chaos-token-0123456789';
export const TEMPLATE = 'generic-scale-ticket';

export function chaosSeed(): number {
  const env = process.env.OUTPOST_CHAOS_SEED;
  return env && /^\d+$/.test(env) ? Number(env) : 20261125;
}

const COLUMNS = DEMO_COLUMNS;
const NUMERIC = new Set(['Gross', 'Tare', 'Net', 'LoadTemp']);

/** A writer connection to one database: plain SQL with `?` placeholders, and transactions. */
export interface Db {
  kind: 'sqlite' | 'postgres' | 'mariadb';
  source: SourceConfig;
  exec(sql: string, params?: unknown[]): Promise<void>;
  /** A second connection, for a transaction held open while others write. */
  open(): Promise<Db>;
  begin(): Promise<void>;
  commit(): Promise<void>;
  /** The database clock in the cursor column's text form. */
  now(): Promise<string>;
  close(): Promise<void>;
  q(name: string): string;
  /** Is this error a lost connection (database restarting)? Writers just retry then. */
  transient(e: unknown): boolean;
}

export function ddl(db: Db, table: string): string[] {
  const q = db.q;
  const text = db.kind === 'mariadb' ? 'VARCHAR(200)' : 'TEXT';
  const num = db.kind === 'postgres' ? 'DOUBLE PRECISION' : db.kind === 'mariadb' ? 'DOUBLE' : 'REAL';
  const ts = db.kind === 'postgres' ? 'TIMESTAMP(6)' : db.kind === 'mariadb' ? 'DATETIME(6)' : 'TEXT';
  const cols = COLUMNS.map((c) => `${q(c)} ${NUMERIC.has(c) ? num : text}`);
  return [
    `CREATE TABLE ${q(table)} (${q('TicketID')} INTEGER PRIMARY KEY, ${cols.join(', ')}, ${q('LastModified')} ${ts} NOT NULL)`,
    `CREATE INDEX ${q(`IX_${table}_LM`)} ON ${q(table)} (${q('LastModified')}, ${q('TicketID')})`,
  ];
}

/** Placeholders: `?` in the harness SQL, `$n` for PostgreSQL. */
function pgSql(sql: string): string {
  let i = 0;
  return sql.replace(/\?/g, () => `$${++i}`);
}

export async function openDb(kind: Db['kind'], where: { file?: string; server?: PrivateServer }): Promise<Db> {
  if (kind === 'sqlite') {
    const Database = (await import('better-sqlite3')).default;
    const file = where.file!;
    const mk = (): Db => {
      const h = new Database(file);
      h.pragma('journal_mode = WAL');
      h.pragma('busy_timeout = 10000');
      return {
        kind,
        source: { driver: 'sqlite', file, options: {} },
        exec: async (sql, params = []) => void h.prepare(sql).run(...(params as never[])),
        open: async () => mk(),
        begin: async () => void h.exec('BEGIN IMMEDIATE'),
        commit: async () => void h.exec('COMMIT'),
        now: async () => (h.prepare(`SELECT strftime('%Y-%m-%d %H:%M:%f', 'now') AS n`).get() as { n: string }).n,
        close: async () => void h.close(),
        q: (n) => `"${n}"`,
        transient: () => false,
      };
    };
    return mk();
  }
  const s = where.server!;
  const source: SourceConfig = {
    driver: kind === 'postgres' ? 'postgres' : 'mysql',
    host: s.host,
    port: s.port,
    database: s.database,
    user: s.user,
    password: 'env:CHAOS_DB_PASSWORD',
    options: {},
  };
  if (kind === 'postgres') {
    const pg = (await import('pg')).default;
    return serverDb<InstanceType<typeof pg.Client>>(kind, source, {
      connect: async () => {
        const c = new pg.Client({ host: s.host, port: s.port, user: s.user, password: s.password, database: s.database });
        c.on('error', () => {});
        await c.connect();
        return c;
      },
      query: (c, sql, params) => c.query(pgSql(sql), params),
      end: (c) => c.end(),
      nowSql: `SELECT to_char(LOCALTIMESTAMP, 'YYYY-MM-DD HH24:MI:SS.US') AS n`,
      nowOf: (r) => String((r as { rows: Array<{ n: unknown }> }).rows[0].n),
      q: (n) => `"${n}"`,
    });
  }
  const mysql = (await import('mysql2/promise')).default;
  const opts = { host: s.host, port: s.port, user: s.user, password: s.password, database: s.database, dateStrings: true as const };
  return serverDb<Awaited<ReturnType<typeof mysql.createConnection>>>(kind, source, {
    connect: async () => {
      const c = await mysql.createConnection(opts);
      c.on('error', () => {});
      return c;
    },
    query: (c, sql, params) => c.query(sql, params),
    end: (c) => c.end(),
    nowSql: `SELECT DATE_FORMAT(NOW(6), '%Y-%m-%d %H:%i:%s.%f') AS n`,
    nowOf: (r) => String((r as [Array<{ n: unknown }>])[0][0].n),
    q: (n) => `\`${n}\``,
  });
}

/** How the harness talks to one server kind. */
interface ServerDriver<C> {
  connect(): Promise<C>;
  query(c: C, sql: string, params: unknown[]): Promise<unknown>;
  end(c: C): Promise<unknown>;
  nowSql: string;
  nowOf(result: unknown): string;
  q(name: string): string;
}

/**
 * One connection to a server that survives its restarts: after a transient error it reconnects on
 * the next statement, and a statement outside a transaction is simply retried.
 */
async function serverDb<C>(kind: Db['kind'], source: SourceConfig, d: ServerDriver<C>): Promise<Db> {
  let c = await d.connect();
  let broken = false;
  let inTx = false;
  const run = async (sql: string, params: unknown[] = []): Promise<unknown> => {
    if (broken) {
      c = await d.connect();
      broken = false;
    }
    try {
      return await d.query(c, sql, params);
    } catch (e) {
      if (!isTransient(e)) throw e;
      broken = true;
      if (inTx || sql === 'BEGIN') throw e;
      await sleep(200);
      return run(sql, params);
    }
  };
  return {
    kind,
    source,
    exec: async (sql, params) => void (await run(sql, params)),
    open: () => serverDb(kind, source, d),
    begin: async () => {
      await run('BEGIN');
      inTx = true;
    },
    commit: async () => {
      inTx = false;
      await run('COMMIT');
    },
    now: async () => d.nowOf(await run(d.nowSql)),
    close: async () => void (await Promise.resolve(d.end(c)).catch(() => {})),
    q: d.q,
    transient: isTransient,
  };
}

function isTransient(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return (
    /ECONNREFUSED|ECONNRESET|EPIPE|57P01|57P02|57P03|PROTOCOL_CONNECTION_LOST|ER_SERVER_SHUTDOWN|ETIMEDOUT|ENOTCONN/.test(
      `${err.code} ${err.message}`,
    ) || /Connection terminated|closed state|Can't add new command|terminating connection|not queryable/i.test(err.message ?? '')
  );
}

/** Concurrent scale-house writers: inserts and edits with the database's own clock. */
export class Writers {
  private stopped = false;
  private loops: Promise<void>[] = [];
  inserted = 0;
  updated = 0;
  errors = 0;

  constructor(
    private readonly db: Db,
    private readonly table: string,
    private readonly rand: () => number,
    private nextId: { v: number },
  ) {}

  /** SQL for "now" in the cursor column's form, evaluated by the database. */
  nowSql(): string {
    return this.db.kind === 'postgres' ? 'LOCALTIMESTAMP' : this.db.kind === 'mariadb' ? 'NOW(6)' : `strftime('%Y-%m-%d %H:%M:%f', 'now')`;
  }

  async insert(db: Db, id: number, t: TicketRow, lastModified?: string): Promise<void> {
    const q = db.q;
    const cols = [q('TicketID'), ...COLUMNS.map(q), q('LastModified')];
    const vals = [id, ...COLUMNS.map((c) => t[c])];
    const lm = lastModified === undefined ? this.nowSql() : '?';
    if (lastModified !== undefined) vals.push(lastModified);
    await db.exec(`INSERT INTO ${q(this.table)} (${cols.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')}, ?, ${lm})`, vals);
  }

  async update(db: Db, id: number): Promise<void> {
    const q = db.q;
    await db.exec(`UPDATE ${q(this.table)} SET ${q('TruckNo')} = ?, ${q('LastModified')} = ${this.nowSql()} WHERE ${q('TicketID')} = ?`, [
      `T-${Math.floor(this.rand() * 1e6)}`,
      id,
    ]);
  }

  ticket(id: number): TicketRow {
    return makeTicket(this.rand, 100000 + id, new Date(Date.now() - Math.floor(this.rand() * 3_600_000)));
  }

  async seed(n: number): Promise<void> {
    await this.db.begin();
    for (let i = 0; i < n; i++) {
      const id = this.nextId.v++;
      await this.insert(this.db, id, this.ticket(id));
    }
    await this.db.commit();
    this.inserted += n;
  }

  start(writers: number, everyMs: number): void {
    for (let w = 0; w < writers; w++) {
      this.loops.push(
        (async () => {
          const db = await this.db.open();
          try {
            while (!this.stopped) {
              try {
                if (this.rand() < 0.6 || this.nextId.v < 10) {
                  const id = this.nextId.v++;
                  await this.insert(db, id, this.ticket(id));
                  this.inserted++;
                } else {
                  await this.update(db, 1 + Math.floor(this.rand() * (this.nextId.v - 1)));
                  this.updated++;
                }
              } catch (e) {
                this.errors++;
                if (!db.transient(e) && !/SQLITE_BUSY|locked|Duplicate|duplicate key/.test(String((e as Error).message))) throw e;
                await new Promise((r) => setTimeout(r, 200));
              }
              await new Promise((r) => setTimeout(r, everyMs));
            }
          } finally {
            await db.close();
          }
        })(),
      );
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const loops = this.loops;
    this.loops = [];
    await Promise.all(loops);
    this.stopped = false;
  }
}

export interface ProfileSpec {
  name: string;
  table: string;
  every?: string;
  timezone?: string;
}

export function profileJson(db: Db, sandbox: SandboxHandle, spec: ProfileSpec) {
  return {
    name: spec.name,
    api: { url: sandbox.url, token: 'env:CHAOS_TOKEN' },
    source: db.source,
    table: spec.table,
    key: ['TicketID'],
    change: { mode: 'timestamp', column: 'LastModified', lookbackSeconds: 300, timezone: spec.timezone ?? DEMO_TIMEZONE },
    mapping: { template: TEMPLATE, fields: DEMO_FIELDS },
    schedule: { every: spec.every ?? '1s' },
    batchSize: 100,
  };
}

/** The daemon as a real process: `node dist/test/helpers/crash-cli.js run --config …`, killable with SIGKILL. */
export class DaemonProcess {
  child: ChildProcess | null = null;
  starts = 0;
  kills = 0;
  log = '';

  constructor(
    private readonly configFile: string,
    private readonly home: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static writeConfig(file: string, profiles: unknown[]): void {
    writeFileSync(file, JSON.stringify({ profiles }, null, 2));
  }

  start(extraEnv: NodeJS.ProcessEnv = {}): void {
    const child = spawn(process.execPath, [CLI, 'run', '--config', this.configFile, '--no-dashboard'], {
      // The log tail printed on a failure: the daemon's records as text on stderr too.
      env: { ...process.env, ...this.env, ...extraEnv, OUTPOST_HOME: this.home, NO_COLOR: '1', OUTPOST_LOG_STDERR: 'text' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer) => {
      this.log = (this.log + d.toString()).slice(-20_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.child = child;
    this.starts++;
  }

  alive(): boolean {
    return Boolean(this.child && this.child.exitCode === null && this.child.signalCode === null);
  }

  async kill(): Promise<void> {
    const c = this.child;
    if (!c) return;
    if (c.exitCode === null && c.signalCode === null) {
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await gone;
      this.kills++;
    }
    this.child = null;
  }

  /** Start again if it died on its own (the test-only crash point): what a service manager does. */
  keepAlive(extraEnv: NodeJS.ProcessEnv = {}): void {
    if (!this.alive()) this.start(extraEnv);
  }
}

export interface Accounting {
  rows: number;
  lost: number;
  stale: number;
  duplicates: number;
  examples: string[];
}

/** Every source row must be in the sandbox at the revision its current content maps to. */
export async function account(
  sources: Array<{ source: SourceConfig; table: string; profile: string; timezone?: string }>,
  sandbox: SandboxHandle,
  env: NodeJS.ProcessEnv,
): Promise<Accounting> {
  const held = new Map<string, string>();
  for (let offset = 0; ; offset += 1000) {
    const res = await fetch(`${sandbox.url}/v1/_sandbox/tickets?limit=1000&offset=${offset}`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    const page = (await res.json()) as { total: number; tickets: Array<{ ticketId: string; revision: string }> };
    for (const t of page.tickets) held.set(t.ticketId, t.revision);
    if (page.tickets.length < 1000) break;
  }
  const out: Accounting = { rows: 0, lost: 0, stale: 0, duplicates: sandbox.stats().duplicates, examples: [] };
  for (const s of sources) {
    const mapper = createMapper({ template: TEMPLATE, fields: DEMO_FIELDS, timezone: s.timezone ?? DEMO_TIMEZONE });
    const src: SourceAdapter = await createSource(withEnvPassword(s.source, env));
    await src.connect();
    try {
      const d = src.dialect;
      for (let after = -1; ;) {
        const rows = await src.query(
          d.limit(`SELECT * FROM ${d.ident(s.table)} WHERE ${d.ident('TicketID')} > ${d.param(1)} ORDER BY ${d.ident('TicketID')}`, 2000),
          [after],
        );
        for (const row of rows) {
          const key = String(row.TicketID);
          const ticketId = `${s.profile}:${key}`;
          const m = mapper.map(row, { ticketId, recordKey: key, table: s.table });
          if (!m.ok) throw new Error(`chaos row ${ticketId} does not map: ${m.problems.join('; ')}`);
          out.rows++;
          const got = held.get(ticketId);
          if (got === undefined) {
            out.lost++;
            if (out.examples.length < 5) out.examples.push(`lost ${ticketId} (LastModified ${String(row.LastModified)})`);
          } else if (got !== m.ticket.revision) {
            out.stale++;
            if (out.examples.length < 5) out.examples.push(`stale ${ticketId} (LastModified ${String(row.LastModified)})`);
          }
        }
        if (rows.length < 2000) break;
        after = Number(rows[rows.length - 1].TicketID);
      }
    } finally {
      await src.close();
    }
  }
  return out;
}

export function withEnvPassword(s: SourceConfig, env: NodeJS.ProcessEnv): SourceConfig {
  return s.password?.startsWith('env:') ? { ...s, password: env[s.password.slice(4)] } : s;
}

export { prng, wallClock, makeTicket, DEMO_TIMEZONE };
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const chaosDir = (base: string, name: string) => join(base, name);
