// The shared database servers integration tests use: PostgreSQL at 127.0.0.1:5432 (user postgres,
// trust) and MariaDB at 127.0.0.1:3306 (user root, empty password), overridable with
// OUTPOST_TEST_PG_{HOST,PORT,USER,PASSWORD} and OUTPOST_TEST_MARIADB_{HOST,PORT,USER,PASSWORD}.
//
// A server that is not reachable skips the test with a printed reason on a laptop, and FAILS it
// when CI=true, so a broken CI image never turns database tests into silent passes.
//
// Each test gets its own uniquely named database and logins (scratch*), dropped when it ends.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { skipOrFail } from './skip.js';

export interface DbServer {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** Skip with a printed reason, or throw when CI=true. */
export { skipOrFail };

/** A test server's admin settings from <prefix>_HOST/_PORT/_USER/_PASSWORD, with loopback defaults. */
function serverFromEnv(env: NodeJS.ProcessEnv, prefix: string, port: number, user: string): DbServer {
  return {
    host: env[`${prefix}_HOST`] ?? '127.0.0.1',
    port: Number(env[`${prefix}_PORT`] ?? port),
    user: env[`${prefix}_USER`] ?? user,
    password: env[`${prefix}_PASSWORD`] ?? '',
  };
}

/** OUTPOST_TEST_PG_HOST/PORT/USER/PASSWORD, default postgres@127.0.0.1:5432. */
export function postgresServer(env: NodeJS.ProcessEnv = process.env): DbServer {
  return serverFromEnv(env, 'OUTPOST_TEST_PG', 5432, 'postgres');
}

/** OUTPOST_TEST_MARIADB_HOST/PORT/USER/PASSWORD, default root@127.0.0.1:3306. */
export function mariaDbServer(env: NodeJS.ProcessEnv = process.env): DbServer {
  return serverFromEnv(env, 'OUTPOST_TEST_MARIADB', 3306, 'root');
}

/** The PostgreSQL admin settings, or undefined after skipping (the caller returns). */
export async function requirePostgres(t: TestContext): Promise<DbServer | undefined> {
  const s = postgresServer();
  const c = new pg.Client({
    host: s.host,
    port: s.port,
    user: s.user,
    password: s.password || undefined,
    database: 'postgres',
    connectionTimeoutMillis: 3000,
  });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return s;
  } catch (e) {
    skipOrFail(t, `PostgreSQL is not reachable at ${s.host}:${s.port} as ${s.user} (${(e as Error).message})`);
    return undefined;
  } finally {
    await c.end().catch(() => {});
  }
}

/** The MariaDB/MySQL admin settings, or undefined after skipping (the caller returns). */
export async function requireMariaDb(t: TestContext): Promise<DbServer | undefined> {
  const s = mariaDbServer();
  try {
    const c = await mysql.createConnection({ host: s.host, port: s.port, user: s.user, password: s.password, connectTimeout: 3000 });
    await c.query('SELECT 1');
    await c.end();
    return s;
  } catch (e) {
    skipOrFail(t, `MariaDB is not reachable at ${s.host}:${s.port} as ${s.user} (${(e as Error).message})`);
    return undefined;
  }
}

/** A name no other test run uses: lower case, safe to inline as an identifier. */
export function uniqueName(prefix = 'outpost_t'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A loopback port that accepts connections and never answers (what a filtering firewall or a hung
 * server looks like); server and sockets go when the test ends.
 */
export async function silentPort(t: TestContext): Promise<number> {
  const sockets: Socket[] = [];
  const silent = createServer((sock) => sockets.push(sock));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  t.after(() => {
    sockets.forEach((x) => x.destroy());
    silent.close();
  });
  return (silent.address() as { port: number }).port;
}

export interface Scratch {
  /** The database created for this test. */
  database: string;
  /** Logins: can read the ticket table / can read and write it / can connect but not read it. */
  readOnly: { user: string; password: string };
  readWrite: { user: string; password: string };
  noSelect: { user: string; password: string };
  /** Run admin SQL inside the scratch database. */
  exec(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  cleanup(): Promise<void>;
}

/**
 * A scratch PostgreSQL database with the ticket table made by `setup` (admin SQL run inside it) and
 * three logins. `table` is what the read-only/read-write grants are on.
 */
export async function pgScratch(server: DbServer, t: TestContext, setup: string[], table: string): Promise<Scratch> {
  const name = uniqueName();
  const password = `pw-${randomBytes(6).toString('hex')}`;
  const roles = { ro: `${name}_ro`, rw: `${name}_rw`, none: `${name}_none` };
  const admin = (database: string) =>
    new pg.Client({ host: server.host, port: server.port, user: server.user, password: server.password || undefined, database });
  const root = admin('postgres');
  await root.connect();
  await root.query(`CREATE DATABASE "${name}"`);
  for (const r of Object.values(roles)) await root.query(`CREATE ROLE "${r}" LOGIN PASSWORD '${password}'`);
  await root.end();
  const db = admin(name);
  await db.connect();
  for (const s of setup) await db.query(s);
  await db.query(`GRANT SELECT ON ${table} TO "${roles.ro}"`);
  await db.query(`GRANT SELECT, INSERT, UPDATE ON ${table} TO "${roles.rw}"`);
  const cleanup = async () => {
    await db.end().catch(() => {});
    const c = admin('postgres');
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    for (const r of Object.values(roles)) await c.query(`DROP ROLE IF EXISTS "${r}"`);
    await c.end();
  };
  t.after(cleanup);
  return scratch(name, password, roles, async (sql, params = []) => (await db.query(sql, params)).rows, cleanup);
}

/** A Scratch from its database, the three logins' names and password, and how to run SQL and clean up. */
function scratch(
  database: string,
  password: string,
  logins: { ro: string; rw: string; none: string },
  exec: Scratch['exec'],
  cleanup: Scratch['cleanup'],
): Scratch {
  return {
    database,
    readOnly: { user: logins.ro, password },
    readWrite: { user: logins.rw, password },
    noSelect: { user: logins.none, password },
    exec,
    cleanup,
  };
}

/** The same for MariaDB/MySQL: users 'x'@'%'; the no-SELECT login may read another table only. */
export async function mariaDbScratch(server: DbServer, t: TestContext, setup: string[], table: string): Promise<Scratch> {
  const name = uniqueName();
  const password = `pw-${randomBytes(6).toString('hex')}`;
  const users = { ro: `${name}_ro`.slice(-32), rw: `${name}_rw`.slice(-32), none: `${name}_no`.slice(-32) };
  const c = await mysql.createConnection({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  await c.query(`CREATE DATABASE \`${name}\``);
  await c.query(`USE \`${name}\``);
  for (const s of setup) await c.query(s);
  await c.query(`CREATE TABLE \`${name}\`.outpost_other (id INT PRIMARY KEY)`);
  for (const u of Object.values(users)) await c.query(`CREATE USER '${u}'@'%' IDENTIFIED BY '${password}'`);
  await c.query(`GRANT SELECT ON \`${name}\`.\`${table}\` TO '${users.ro}'@'%'`);
  await c.query(`GRANT SELECT, INSERT, UPDATE ON \`${name}\`.\`${table}\` TO '${users.rw}'@'%'`);
  await c.query(`GRANT SELECT ON \`${name}\`.outpost_other TO '${users.none}'@'%'`);
  const cleanup = async () => {
    await c.query(`DROP DATABASE IF EXISTS \`${name}\``).catch(() => {});
    for (const u of Object.values(users)) await c.query(`DROP USER IF EXISTS '${u}'@'%'`).catch(() => {});
    await c.end().catch(() => {});
  };
  t.after(cleanup);
  return scratch(
    name,
    password,
    users,
    async (sql, params = []) => {
      const [rows] = await c.query(sql, params);
      return rows as Record<string, unknown>[];
    },
    cleanup,
  );
}

/** A scratch database and the shared server it is on. */
export interface ScratchOn {
  server: DbServer;
  db: Scratch;
}

/**
 * A scratch database with the ticket table made by `setup` on the shared server for a source
 * driver ('postgres': PostgreSQL, 'mysql': MariaDB), or undefined after skipping (the caller returns).
 */
export async function scratchDatabase(
  t: TestContext,
  driver: 'postgres' | 'mysql',
  setup: string[],
  table: string,
): Promise<ScratchOn | undefined> {
  const server = driver === 'postgres' ? await requirePostgres(t) : await requireMariaDb(t);
  if (!server) return undefined;
  const db = driver === 'postgres' ? await pgScratch(server, t, setup, table) : await mariaDbScratch(server, t, setup, table);
  return { server, db };
}

/** Runs `validate` through its register() on a bare commander program, as the CLI does. */
export async function runValidate(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const mod = fileURLToPath(new URL('../../cli/commands/validate.js', import.meta.url));
  const script = `const { Command } = await import('commander'); const { register } = await import(${JSON.stringify(mod)}); const p = new Command(); p.exitOverride(); register(p); await p.parseAsync(process.argv.slice(1), { from: 'user' });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, '--', 'validate', ...args], {
    cwd: fileURLToPath(new URL('../../..', import.meta.url)),
    env: { ...process.env, NO_COLOR: '1', OUTPOST_HOME: tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  return { code, output };
}
