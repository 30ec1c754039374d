// Private database servers for chaos tests and the benchmark: a PostgreSQL (initdb + pg_ctl) and a
// MariaDB (mariadb-install-db + mariadbd), each in its own temp folder on a free loopback port, that
// the test can stop (gracefully or with SIGKILL) and start again on the same data and port.
//
// Running as root: PostgreSQL refuses to run as root, so its cluster is owned by and run as the
// `postgres` OS user (`runuser -u postgres --`); MariaDB is started with `--user=root`, which it
// accepts when asked explicitly. As any other user both run as that user.
// Binaries are found by absolute path (binaries.ts), so a PATH without /usr/sbin works.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import type { SourceConfig } from '../../core/config/schema.js';
import { findBinary, postgresBinDir, requireBinary } from './binaries.js';
import { closedPort } from './databases.js';
import { waitFor } from './wait.js';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** A free loopback port (databases.ts's closedPort: bound, then released). */
export const freePort = closedPort;

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ port, host: '127.0.0.1' });
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

async function waitPort(port: number, open: boolean, timeoutMs: number, what: string, logFile?: string): Promise<void> {
  const tail = () => (logFile && existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n') : '');
  await waitFor(
    () => `${what} to ${open ? 'start' : 'stop'}${tail() ? `:\n${tail()}` : ''}`,
    async () => (await portOpen(port)) === open,
    timeoutMs,
  );
}

export interface PrivateServer {
  readonly kind: 'postgres' | 'mariadb';
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  readonly dir: string;
  /** Start (or start again after stop) on the same data folder and port. */
  start(): Promise<void>;
  /** Stop: 'fast' asks the server to shut down; 'kill' is SIGKILL (a crash). */
  stop(mode?: 'fast' | 'kill'): Promise<void>;
  /** Stop and remove the data folder. */
  destroy(): Promise<void>;
}

/** Why a server kind cannot run here, or null when its binaries exist. */
export function unavailableReason(kind: 'postgres' | 'mariadb'): string | null {
  if (kind === 'postgres') {
    if (!postgresBinDir())
      return 'PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin, /usr/pgsql-*/bin or on the PATH';
    if (isRoot && !findBinary('runuser')) return 'running as root needs runuser (util-linux) to start PostgreSQL as the postgres user';
    return null;
  }
  const ok = findBinary('mariadbd') && (findBinary('mariadb-install-db') || findBinary('mysql_install_db'));
  return ok ? null : 'MariaDB server binaries (mariadbd, mariadb-install-db) not found on the PATH or in /usr/sbin, /usr/bin';
}

function run(argv: string[], what: string): void {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0)
    throw new Error(`${what} failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout || String(r.error ?? '')).slice(-2000)}`);
}

/** argv prefix that runs a PostgreSQL binary as a non-root user. */
function asPostgres(argv: string[]): string[] {
  return isRoot ? [requireBinary('runuser', 'install util-linux'), '-u', 'postgres', '--', ...argv] : argv;
}

/** The handle both kinds return: login outpost/<password> on database outpost; destroy() crash-stops and removes the folder. */
function privateServer(
  kind: PrivateServer['kind'],
  dir: string,
  port: number,
  password: string,
  control: Pick<PrivateServer, 'start' | 'stop'>,
): PrivateServer {
  const server: PrivateServer = {
    kind,
    host: '127.0.0.1',
    port,
    user: 'outpost',
    password,
    database: 'outpost',
    dir,
    start: () => control.start(),
    stop: (mode) => control.stop(mode),
    async destroy() {
      // The data is thrown away: no need for a clean shutdown.
      await server.stop('kill').catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/** The source config for a private server's login; `password` as a config file would hold it (e.g. 'env:NAME'). */
export function privateSource(server: PrivateServer, password = server.password): SourceConfig {
  const { host, port, database, user } = server;
  return { driver: server.kind === 'postgres' ? 'postgres' : 'mysql', host, port, database, user, password, options: {} };
}

/** A pg client connected to a private PostgreSQL as its login; the caller ends it. */
export async function privateClient(server: PrivateServer): Promise<pg.Client> {
  const { default: pgModule } = await import('pg');
  const { host, port, user, password, database } = server;
  const c = new pgModule.Client({ host, port, user, password, database });
  await c.connect();
  return c;
}

export async function startPrivatePostgres(opts: { port?: number } = {}): Promise<PrivateServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(unavailableReason('postgres')!);
  const dir = mkdtempSync(join(tmpdir(), 'outpost-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const port = opts.port ?? (await freePort());
  const password = 'chaos-pg-pass';
  if (isRoot) {
    // The postgres user must own the folder and reach it through /tmp.
    const id = requireBinary('id', 'install coreutils');
    const ids = spawnSync(id, ['-u', 'postgres'], { encoding: 'utf8' });
    const gids = spawnSync(id, ['-g', 'postgres'], { encoding: 'utf8' });
    if (ids.status !== 0) throw new Error('running as root but there is no "postgres" OS user to run PostgreSQL as');
    chownSync(dir, Number(ids.stdout.trim()), Number(gids.stdout.trim()));
    chmodSync(dir, 0o755);
  }
  const pwFile = join(dir, 'pw');
  writeFileSync(pwFile, password + '\n', { mode: 0o644 });
  run(
    asPostgres([
      join(bin, 'initdb'),
      '-D',
      data,
      '-U',
      'outpost',
      '--auth=scram-sha-256',
      `--pwfile=${pwFile}`,
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]),
    'initdb',
  );
  rmSync(pwFile, { force: true });
  const conf = [
    `port = ${port}`,
    `listen_addresses = '127.0.0.1'`,
    `unix_socket_directories = '${dir}'`,
    // A test server: durability of the test data itself does not matter, speed does.
    'fsync = off',
    'synchronous_commit = off',
    'full_page_writes = off',
    'shared_buffers = 128MB',
    'max_connections = 50',
    `timezone = 'UTC'`,
  ].join('\n');
  writeFileSync(join(data, 'postgresql.auto.conf'), conf + '\n');
  if (isRoot) spawnSync(requireBinary('chown', 'install coreutils'), ['postgres:postgres', join(data, 'postgresql.auto.conf')]);
  const pgctl = (args: string[]) => asPostgres([join(bin, 'pg_ctl'), '-D', data, ...args]);
  const server = privateServer('postgres', dir, port, password, {
    async start() {
      run(pgctl(['-l', logFile, '-w', '-t', '60', 'start']), 'pg_ctl start');
      await waitPort(port, true, 30_000, 'PostgreSQL', logFile);
    },
    async stop(mode = 'fast') {
      // 'immediate' is PostgreSQL's crash stop: no checkpoint, recovery on the next start.
      const argv = pgctl(['-m', mode === 'kill' ? 'immediate' : 'fast', '-w', 'stop']);
      spawnSync(argv[0], argv.slice(1), { timeout: 60_000 });
      await waitPort(port, false, 30_000, 'PostgreSQL');
    },
  });
  await server.start();
  // The database the tests use, created by the superuser over TCP with a password.
  const pg = (await import('pg')).default;
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'outpost', password, database: 'postgres' });
  await c.connect();
  await c.query('CREATE DATABASE outpost');
  await c.end();
  return server;
}

export async function startPrivateMariaDb(opts: { port?: number } = {}): Promise<PrivateServer> {
  const reason = unavailableReason('mariadb');
  if (reason) throw new Error(reason);
  const dir = mkdtempSync(join(tmpdir(), 'outpost-maria-'));
  const data = join(dir, 'data');
  mkdirSync(data);
  const socket = join(dir, 'mysqld.sock');
  const logFile = join(dir, 'server.log');
  const port = opts.port ?? (await freePort());
  const password = 'chaos-maria-pass';
  const userArg = isRoot ? ['--user=root'] : [];
  const installer = findBinary('mariadb-install-db') ?? findBinary('mysql_install_db')!;
  run(
    [installer, '--no-defaults', `--datadir=${data}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...userArg],
    'mariadb-install-db',
  );
  const args = [
    '--no-defaults',
    `--datadir=${data}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--socket=${socket}`,
    `--pid-file=${join(dir, 'mysqld.pid')}`,
    `--log-error=${logFile}`,
    '--skip-log-bin',
    '--innodb-buffer-pool-size=128M',
    '--innodb-log-file-size=48M',
    '--innodb-flush-log-at-trx-commit=2',
    '--default-time-zone=+00:00',
    '--skip-name-resolve',
    ...userArg,
  ];
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const server = privateServer('mariadb', dir, port, password, {
    async start() {
      const c = spawn(findBinary('mariadbd')!, args, { stdio: 'ignore', detached: false });
      child = c;
      exited = new Promise((r) => c.once('exit', () => r()));
      await waitPort(port, true, 60_000, 'MariaDB', logFile);
    },
    async stop(mode = 'fast') {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      c.kill(mode === 'kill' ? 'SIGKILL' : 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 60_000))]);
      child = null;
      await waitPort(port, false, 30_000, 'MariaDB');
    },
  });
  await server.start();
  // A password login reachable over TCP (root@localhost only works on the socket with skip-name-resolve).
  const mysql = (await import('mysql2/promise')).default;
  const c = await mysql.createConnection({ socketPath: socket, user: 'root', password: '' });
  await c.query('CREATE DATABASE outpost');
  await c.query(`CREATE USER 'outpost'@'%' IDENTIFIED BY '${password}'`);
  await c.query(`GRANT ALL PRIVILEGES ON *.* TO 'outpost'@'%'`);
  await c.end();
  return server;
}
