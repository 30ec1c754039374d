// PostgreSQL adapter against a real server: discovery, full-precision cursors through the timestamp
// change mode, the read-only verdict for a read-only and a read-write login, the plain errors, and
// `outpost validate` end to end (with the sandbox API).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Profile, SourceConfig } from '../../core/config/schema.js';
import { readOnlyCheck } from '../../core/sources/access.js';
import { discover } from '../../core/sources/discovery.js';
import { PostgresSource } from '../../core/sources/postgres.js';
import { validateProfile } from '../../core/validate.js';
import { closedPort, runValidate, silentPort, skipOrFail, type ScratchOn } from '../helpers/databases.js';
import { startPrivatePostgres, unavailableReason } from '../helpers/private-db.js';
import { timestampProfile } from '../helpers/profiles.js';
import { adapterTests, checkMicrosecondPages, sourceError } from '../helpers/sources.js';
import { testSandbox } from '../helpers/sandbox.js';

const TICKETS = `CREATE TABLE public.tickets (
  "TicketID" integer PRIMARY KEY,
  "TicketNo" text NOT NULL,
  "TicketDate" timestamp(0) without time zone,
  "PlantCode" text NOT NULL,
  "Customer" text,
  "ProductCode" text,
  "ProductDesc" text,
  "Gross" numeric(10,2), "Tare" numeric(10,2), "Net" numeric(10,2),
  "UOM" text,
  "TruckNo" text,
  "VoidFlag" char(1) NOT NULL DEFAULT 'N',
  "Stamped" timestamptz,
  "BigCounter" bigint,
  "LastModified" timestamp(6) without time zone NOT NULL
)`;

const SETUP = [
  TICKETS,
  `CREATE INDEX ix_tickets_lastmodified ON public.tickets ("LastModified", "TicketID")`,
  `CREATE TABLE public.audit_log (id serial PRIMARY KEY, note text)`,
  `INSERT INTO public.tickets VALUES
    (1, 'T-1001', '2024-05-01 07:00:00', 'P12', 'Hill County Paving', 'HMA-12.5', 'Superpave 12.5mm', 60000, 20000, 40000, 'LB', 'TR-7', 'N', '2024-05-01 12:00:00.000001+00', 9007199254740993, '2024-05-01 07:00:00.123456'),
    (2, 'T-1002', '2024-05-01 07:01:00', 'P12', 'Hill County Paving', 'AGG-57', '#57 Stone', 61000, 20000, 41000, 'LB', 'TR-8', 'N', NULL, NULL, '2024-05-01 07:00:00.123457'),
    (3, 'T-1003', '2024-05-01 07:02:00', 'P12', 'Hill County Paving', 'AGG-57', '#57 Stone', 62000, 20000, 42000, 'LB', 'TR-9', 'N', NULL, NULL, '2024-05-01 07:00:00.123458')`,
];

const { setup, source, connected } = adapterTests<PostgresSource>('postgres', SETUP, 'public.tickets');

test('postgres: discovery, details and full-precision cursor values', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const src = await connected(t, source(s.server, s.db.database, s.db.readOnly));

  const ping = await src.ping();
  assert.match(ping.serverVersion, /^PostgreSQL \d+/);
  assert.equal(ping.login, s.db.readOnly.user);

  // The read-only login sees only what it may read: the ticket table, not audit_log.
  const tables = await src.listTables();
  assert.deepEqual(
    tables.map((x) => x.name),
    ['public.tickets'],
  );
  assert.deepEqual(tables[0].primaryKey, ['TicketID']);
  assert.ok(tables[0].indexes!.some((i) => i.columns[0] === 'LastModified'));

  const d = await src.describeTable('public.tickets');
  assert.ok(d);
  assert.equal(d.columns.find((c) => c.name === 'LastModified')!.declared, 'timestamp(6) without time zone');
  assert.equal(d.rowCount, 3, 'bounded count when statistics do not know yet');
  assert.equal(await src.describeTable('public.nope'), null);
  assert.equal(await src.columnType('public.tickets', 'LastModified'), 'timestamp(6) without time zone');
  assert.equal(await src.columnType('public.tickets', 'Nope'), null);

  // Microseconds survive: values are the server's own text, not a JS Date.
  const rows = await src.query(
    `SELECT "TicketID", "LastModified", "Stamped", "TicketDate", "BigCounter", "Net" FROM public.tickets ORDER BY "TicketID"`,
  );
  assert.deepEqual(
    rows.map((r) => r.LastModified),
    ['2024-05-01 07:00:00.123456', '2024-05-01 07:00:00.123457', '2024-05-01 07:00:00.123458'],
  );
  assert.match(String(rows[0].Stamped), /^2024-05-01 \d\d:00:00\.000001[+-]\d\d:\d\d$/);
  assert.equal(rows[0].TicketDate, '2024-05-01 07:00:00');
  assert.equal(rows[0].BigCounter, '9007199254740993');
  assert.equal(rows[0].Net, '40000.00');

  // Bound back with the column's exact type, the value finds exactly its row (no µs lost).
  const dl = src.dialect;
  const t2 = dl.typedParam!(dl.param(1), 'timestamp(6) without time zone');
  assert.deepEqual(
    (await src.query(`SELECT "TicketID" FROM public.tickets WHERE "LastModified" = ${t2}`, ['2024-05-01 07:00:00.123457'])).map(
      (r) => r.TicketID,
    ),
    [2],
  );
  assert.deepEqual(
    (await src.query(`SELECT "TicketID" FROM public.tickets WHERE "LastModified" > ${t2} ORDER BY 1`, ['2024-05-01 07:00:00.123457'])).map(
      (r) => r.TicketID,
    ),
    [3],
  );
  // Untyped, the server infers the column's type: same answer.
  assert.deepEqual(
    (await src.query(`SELECT "TicketID" FROM public.tickets WHERE "LastModified" > $1 ORDER BY 1`, ['2024-05-01 07:00:00.123457'])).map(
      (r) => r.TicketID,
    ),
    [3],
  );
  // The pg client's global parsers are untouched (per-client type parsers only).
  const pg = (await import('pg')).default;
  assert.notEqual(pg.types.getTypeParser(1114, 'text')('2024-05-01 07:00:00'), '2024-05-01 07:00:00');

  // The clock in the same text form as the column.
  const now = String((await src.query(`SELECT ${dl.nowFor!('timestamp(6) without time zone')} AS now`))[0].now);
  assert.match(now, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?$/);
  const nowTz = String((await src.query(`SELECT ${dl.nowFor!('timestamp with time zone')} AS now`))[0].now);
  assert.match(nowTz, /[+-]\d\d:\d\d$/);

  // The timestamp change mode pages through rows 1 µs apart, one per page, without looping or skipping.
  const { reader, wm } = await checkMicrosecondPages(src, 'public.tickets', () =>
    s.db.exec(
      `INSERT INTO public.tickets ("TicketID", "TicketNo", "PlantCode", "LastModified") VALUES (4, 'T-1004', 'P12', '2024-05-01 07:00:00.123459')`,
    ),
  );
  const backlog = await reader.backlog(src, { ...wm });
  assert.equal(backlog.count, 1);

  // Discovery ranks the ticket table first and suggests the indexed last-modified column.
  const admin = await connected(t, source(s.server, s.db.database, { user: s.server.user, password: s.server.password }));
  const ranked = await discover(admin);
  assert.equal(ranked[0].name, 'public.tickets');
  assert.deepEqual(ranked[0].suggestedKey, ['TicketID']);
  assert.equal(ranked[0].recommended?.mode, 'timestamp');
  assert.equal(ranked[0].recommended?.column, 'LastModified');
  assert.equal(ranked[0].recommended?.needs, null);
  assert.equal(ranked[0].newest, '2024-05-01 07:00:00.123459');
  assert.ok(ranked.findIndex((c) => c.name === 'public.audit_log') > 0);
  assert.ok(ranked[0].change.some((c) => c.mode === 'increasing'));
});

test('postgres: read-only verdicts for a read-only, a read-write, a superuser and a no-SELECT login', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const ro = await connected(t, source(s.server, s.db.database, s.db.readOnly));
  const a = await ro.checkAccess('public.tickets');
  assert.deepEqual(
    { canSelect: a.canSelect, canWrite: a.canWrite, writePrivileges: a.writePrivileges },
    { canSelect: true, canWrite: false, writePrivileges: [] },
  );
  const roVerdict = await readOnlyCheck(ro, source(s.server, s.db.database, s.db.readOnly), 'public.tickets');
  assert.equal(roVerdict.status, 'pass');

  const rwCfg = source(s.server, s.db.database, s.db.readWrite);
  const rw = await connected(t, rwCfg);
  const b = await rw.checkAccess('public.tickets');
  assert.equal(b.canSelect, true);
  assert.equal(b.canWrite, true);
  assert.deepEqual(b.writePrivileges, ['INSERT', 'UPDATE']);
  assert.ok(
    b.via.some((v) => v.includes(`TO "${s.db.readWrite.user}"`) && v.includes('INSERT')),
    b.via.join(' | '),
  );
  const rwVerdict = await readOnlyCheck(rw, rwCfg, 'public.tickets');
  assert.equal(rwVerdict.status, 'warn');
  assert.match(rwVerdict.fix!, /CREATE ROLE "outpost_reader" LOGIN PASSWORD/);
  assert.match(rwVerdict.fix!, /GRANT SELECT ON "public"\."tickets" TO "outpost_reader";/);
  assert.match(rwVerdict.fix!, new RegExp(`GRANT CONNECT ON DATABASE "${s.db.database}"`));

  const su = await connected(t, source(s.server, s.db.database, { user: s.server.user, password: s.server.password }));
  const c = await su.checkAccess('public.tickets');
  assert.equal(c.canWrite, true);
  assert.deepEqual(c.writePrivileges, ['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']);
  assert.ok(
    c.via.some((v) => /superuser/.test(v)),
    c.via.join(' | '),
  );

  const noneCfg = source(s.server, s.db.database, s.db.noSelect);
  const none = await connected(t, noneCfg);
  const d = await none.checkAccess('public.tickets');
  assert.equal(d.canSelect, false);
  assert.equal(d.canWrite, false);
  assert.equal((await readOnlyCheck(none, noneCfg, 'public.tickets')).status, 'fail');
  // PUBLIC grants count too.
  await s.db.exec(`GRANT DELETE ON public.tickets TO PUBLIC`);
  const e = await ro.checkAccess('public.tickets');
  assert.deepEqual(e.writePrivileges, ['DELETE']);
  assert.ok(e.via.includes('GRANT DELETE TO PUBLIC'), e.via.join(' | '));
});

test('postgres: plain errors (missing table, no SELECT, missing database, unknown login, closed port, unknown host, no answer)', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const ro = await connected(t, source(s.server, s.db.database, s.db.readOnly));
  const missing = await sourceError(ro.query('SELECT * FROM public.nope'));
  assert.equal(missing.kind, 'missing');
  assert.equal(missing.code, '42P01');
  assert.match(missing.message, /does not exist.*check "table"/);
  await sourceError(ro.checkAccess('public.nope')).then((e) => assert.equal(e.kind, 'missing'));

  const none = await connected(t, source(s.server, s.db.database, s.db.noSelect));
  const denied = await sourceError(none.query('SELECT * FROM public.tickets'));
  assert.equal(denied.kind, 'permission');
  assert.equal(denied.code, '42501');
  assert.match(denied.message, /may not read .*tickets.*GRANT SELECT|grant SELECT/);

  const noDb = await sourceError(connected(t, source(s.server, `${s.db.database}_nope`, s.db.readOnly)));
  assert.equal(noDb.kind, 'missing');
  assert.equal(noDb.code, '3D000');
  assert.match(noDb.message, /database ".*_nope" does not exist/);

  const noRole = await sourceError(connected(t, source(s.server, s.db.database, { user: `${s.db.readOnly.user}_nope`, password: 'x' })));
  assert.equal(noRole.kind, 'auth');
  assert.equal(noRole.code, '28000');

  const port = await closedPort();
  const closed = await sourceError(connected(t, source(s.server, s.db.database, s.db.readOnly, { port })));
  assert.equal(closed.kind, 'network');
  assert.equal(closed.code, 'ECONNREFUSED');
  assert.match(closed.message, new RegExp(`${port}.*check the "port"`));

  const dns = await sourceError(connected(t, source(s.server, s.db.database, s.db.readOnly, { host: 'no-such-host.invalid' })));
  assert.equal(dns.kind, 'network');
  assert.match(dns.code, /ENOTFOUND|EAI_AGAIN/);
  assert.match(dns.message, /"no-such-host\.invalid" cannot be found/);

  // A port that accepts and never answers (what a filtering firewall or a hung server looks like).
  const hung = await sourceError(
    connected(t, source(s.server, s.db.database, s.db.readOnly, { port: await silentPort(t), options: { connectTimeoutMs: 500 } })),
  );
  assert.equal(hung.kind, 'timeout');
  assert.match(hung.message, /No answer from .* within 0\.5 s/);

  const badOption = await sourceError(connected(t, source(s.server, s.db.database, s.db.readOnly, { options: { sslmode: 'x' } })));
  assert.match(badOption.message, /source\.options\.sslmode is not a PostgreSQL option/);
});

test('postgres: wrong password is a plain auth error without the password in it', async (t) => {
  const why = unavailableReason('postgres');
  if (why) return skipOrFail(t, why);
  // The shared server trusts every local login; a private one with scram-sha-256 checks passwords.
  const server = await startPrivatePostgres();
  t.after(() => server.destroy());
  const wrong = 'Wr0ng-Secret-Pass';
  const cfg: SourceConfig = {
    driver: 'postgres',
    host: server.host,
    port: server.port,
    database: server.database,
    user: server.user,
    password: 'env:PG_TEST_PW',
    options: {},
  };
  const src = new PostgresSource(cfg, { PG_TEST_PW: wrong });
  const e = await sourceError(src.connect());
  assert.equal(e.kind, 'auth');
  assert.equal(e.code, '28P01');
  assert.match(e.message, /refused the password for user "outpost"/);
  assert.ok(!e.message.includes(wrong));
  // The right password through env: works.
  const ok = new PostgresSource(cfg, { PG_TEST_PW: server.password });
  await ok.connect();
  assert.match((await ok.ping()).serverVersion, /PostgreSQL/);
  await ok.close();
  // A missing variable is said plainly.
  await assert.rejects(new PostgresSource(cfg, {}).connect(), /PG_TEST_PW is not set/);
});

function profileFor(s: ScratchOn, login: { user: string; password: string }, apiUrl: string, token: string): Profile {
  return timestampProfile({
    name: 'pg-plant',
    api: { url: apiUrl, token },
    source: source(s.server, s.db.database, login),
    table: 'public.tickets',
  });
}

test('postgres: outpost validate passes for the read-only login and warns for the read-write one', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const token = 'tok-validate-pg-123456';
  const api = await testSandbox(t, { token, accountId: 'acct-1', accountName: 'Riverside Asphalt' });

  const ro = await validateProfile(profileFor(s, s.db.readOnly, api.url, token));
  const byName = Object.fromEntries(ro.map((l) => [l.name, l]));
  assert.deepEqual(
    ro.map((l) => l.name),
    ['token', 'api', 'database login', 'read-only', 'table', 'key', 'change', 'mapping'],
  );
  for (const l of ro) assert.equal(l.status, 'pass', `${l.name}: ${l.detail} ${l.fix ?? ''}`);
  assert.match(byName.change.detail, /LastModified \(timestamp\(6\) without time zone\), indexed; database clock/);

  const rw = await validateProfile(profileFor(s, s.db.readWrite, api.url, token));
  const rwRead = rw.find((l) => l.name === 'read-only')!;
  assert.equal(rwRead.status, 'warn');
  assert.match(rwRead.detail, /can change public\.tickets: INSERT, UPDATE/);
  assert.equal(rw.filter((l) => l.status === 'fail').length, 0);

  const bad = await validateProfile({ ...profileFor(s, s.db.readOnly, api.url, 'wrong-token-000000'), table: 'public.nope' });
  const badBy = Object.fromEntries(bad.map((l) => [l.name, l]));
  assert.equal(badBy.token.status, 'fail');
  assert.equal(badBy.table.status, 'fail');
  assert.match(badBy.table.fix!, /public\.tickets/);

  // The CLI command (registered on a bare program: exit codes, lines, --json).
  const dir = mkdtempSync(join(tmpdir(), 'outpost-validate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'outpost.json');
  const roProfile = {
    ...profileFor(s, s.db.readOnly, api.url, 'env:OUTPOST_TOKEN'),
    source: { ...source(s.server, s.db.database, s.db.readOnly), password: 'env:DB_PASSWORD' },
  };
  writeFileSync(file, JSON.stringify({ profiles: [roProfile] }));
  const out = await runValidate(['--config', file], { OUTPOST_TOKEN: token, DB_PASSWORD: s.db.readOnly.password });
  assert.equal(out.code, 0, out.output);
  assert.match(out.output, /✓ pass {2}read-only +The login ".*_ro" can read public\.tickets and cannot change it\./);
  assert.ok(!out.output.includes(s.db.readOnly.password));
  const json = await runValidate(['--config', file, '--json'], { OUTPOST_TOKEN: token, DB_PASSWORD: s.db.readOnly.password });
  assert.equal(json.code, 0);
  assert.equal(JSON.parse(json.output).length, 8);
  const failing = await runValidate(['--config', file], { OUTPOST_TOKEN: 'nope-nope-nope', DB_PASSWORD: s.db.readOnly.password });
  assert.equal(failing.code, 1, failing.output);
  const usage = await runValidate(['--config', join(dir, 'missing.json')], {});
  assert.equal(usage.code, 2, usage.output);
  const unknown = await runValidate(['--bogus'], {});
  assert.equal(unknown.code, 2, unknown.output);
});
