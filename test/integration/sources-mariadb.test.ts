// MySQL/MariaDB adapter against a real MariaDB: discovery, DATETIME(6) cursors through the timestamp
// change mode, the read-only verdict for a read-only and a read-write login, the plain errors
// (wrong password, missing table, no SELECT, closed port), and `outpost validate`.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Profile } from '../../core/config/schema.js';
import { readOnlyCheck } from '../../core/sources/access.js';
import { discover } from '../../core/sources/discovery.js';
import { MysqlSource } from '../../core/sources/mysql.js';
import { validateProfile } from '../../core/validate.js';
import { closedPort, runValidate } from '../helpers/databases.js';
import { timestampProfile } from '../helpers/profiles.js';
import { adapterTests, checkMicrosecondPages, sourceError } from '../helpers/sources.js';
import { testSandbox } from '../helpers/sandbox.js';

const SETUP = [
  `CREATE TABLE tickets (
    TicketID INT PRIMARY KEY,
    TicketNo VARCHAR(20) NOT NULL,
    TicketDate DATETIME,
    PlantCode VARCHAR(10) NOT NULL,
    Customer VARCHAR(80), ProductCode VARCHAR(20), ProductDesc VARCHAR(80),
    Gross DECIMAL(10,2), Tare DECIMAL(10,2), Net DECIMAL(10,2), UOM VARCHAR(4),
    TruckNo VARCHAR(20), VoidFlag CHAR(1) NOT NULL DEFAULT 'N',
    BigCounter BIGINT,
    LastModified DATETIME(6) NOT NULL,
    KEY ix_tickets_lastmodified (LastModified, TicketID)
  )`,
  `CREATE TABLE scale_log (id INT AUTO_INCREMENT PRIMARY KEY, note TEXT)`,
  `INSERT INTO tickets VALUES
    (1, 'T-1001', '2024-05-01 07:00:00', 'P12', 'Hill County Paving', 'HMA-12.5', 'Superpave 12.5mm', 60000, 20000, 40000, 'LB', 'TR-7', 'N', 9007199254740993, '2024-05-01 07:00:00.123456'),
    (2, 'T-1002', '2024-05-01 07:01:00', 'P12', 'Hill County Paving', 'AGG-57', '#57 Stone', 61000, 20000, 41000, 'LB', 'TR-8', 'N', NULL, '2024-05-01 07:00:00.123457'),
    (3, 'T-1003', '2024-05-01 07:02:00', 'P12', 'Hill County Paving', 'AGG-57', '#57 Stone', 62000, 20000, 42000, 'LB', 'TR-9', 'N', NULL, '2024-05-01 07:00:00.123458')`,
];

const { setup, source, connected } = adapterTests<MysqlSource>('mysql', SETUP, 'tickets');

test('mariadb: discovery, details and DATETIME(6) cursors at full precision', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const src = await connected(t, source(s.server, s.db.database, s.db.readOnly));
  const ping = await src.ping();
  assert.match(ping.serverVersion, /^MariaDB \d+\.\d+/);
  assert.match(ping.login!, new RegExp(`^${s.db.readOnly.user}@`));

  const d = await src.describeTable('tickets');
  assert.ok(d);
  assert.deepEqual(d.primaryKey, ['TicketID']);
  assert.equal(d.columns.find((c) => c.name === 'LastModified')!.declared, 'datetime(6)');
  assert.ok(d.indexes.some((i) => i.name === 'ix_tickets_lastmodified' && i.columns[0] === 'LastModified' && !i.unique));
  assert.equal(d.rowCount, 3);
  assert.equal(await src.describeTable('nope'), null);
  assert.equal(await src.describeTable(`${s.db.database}.tickets`).then((x) => x?.name), `${s.db.database}.tickets`);
  assert.equal(await src.columnType('tickets', 'LastModified'), 'datetime(6)');

  const rows = await src.query('SELECT TicketID, LastModified, TicketDate, BigCounter, Net FROM tickets ORDER BY TicketID');
  assert.deepEqual(
    rows.map((r) => r.LastModified),
    ['2024-05-01 07:00:00.123456', '2024-05-01 07:00:00.123457', '2024-05-01 07:00:00.123458'],
  );
  assert.equal(rows[0].TicketDate, '2024-05-01 07:00:00');
  assert.equal(rows[0].BigCounter, '9007199254740993');
  assert.equal(rows[0].Net, '40000.00');

  const dl = src.dialect;
  const p = dl.typedParam!('?', 'datetime(6)');
  assert.equal(p, 'CAST(? AS DATETIME(6))');
  assert.deepEqual(
    (await src.query(`SELECT TicketID FROM tickets WHERE LastModified = ${p}`, ['2024-05-01 07:00:00.123457'])).map((r) => r.TicketID),
    [2],
  );
  assert.deepEqual(
    (await src.query(`SELECT TicketID FROM tickets WHERE LastModified > ${p} ORDER BY 1`, ['2024-05-01 07:00:00.123457'])).map(
      (r) => r.TicketID,
    ),
    [3],
  );
  const now = String((await src.query(`SELECT ${dl.nowFor!('datetime(6)')} AS now`))[0].now);
  assert.match(now, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);

  await checkMicrosecondPages(src, 'tickets', () =>
    s.db.exec(
      `INSERT INTO tickets (TicketID, TicketNo, PlantCode, LastModified) VALUES (4, 'T-1004', 'P12', '2024-05-01 07:00:00.123459')`,
    ),
  );

  const admin = await connected(t, source(s.server, s.db.database, { user: s.server.user, password: s.server.password }));
  const ranked = await discover(admin);
  assert.equal(ranked[0].name, 'tickets');
  assert.equal(ranked[0].recommended?.mode, 'timestamp');
  assert.equal(ranked[0].recommended?.column, 'LastModified');
  assert.equal(ranked[0].newest, '2024-05-01 07:00:00.123459');
});

test('mariadb: read-only verdicts for a read-only, a read-write and a no-SELECT login', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const roCfg = source(s.server, s.db.database, s.db.readOnly);
  const ro = await connected(t, roCfg);
  const a = await ro.checkAccess('tickets');
  assert.deepEqual(
    { canSelect: a.canSelect, canWrite: a.canWrite, writePrivileges: a.writePrivileges },
    { canSelect: true, canWrite: false, writePrivileges: [] },
  );
  assert.equal((await readOnlyCheck(ro, roCfg, 'tickets')).status, 'pass');

  const rwCfg = source(s.server, s.db.database, s.db.readWrite);
  const rw = await connected(t, rwCfg);
  const b = await rw.checkAccess('tickets');
  assert.equal(b.canWrite, true);
  assert.deepEqual(b.writePrivileges, ['INSERT', 'UPDATE']);
  assert.ok(
    b.via.some((v) => v.includes('on the table') && v.includes(s.db.readWrite.user)),
    b.via.join(' | '),
  );
  const v = await readOnlyCheck(rw, rwCfg, 'tickets');
  assert.equal(v.status, 'warn');
  assert.match(v.fix!, /CREATE USER 'outpost_reader'@'%' IDENTIFIED BY/);
  assert.match(v.fix!, new RegExp(`GRANT SELECT ON \`${s.db.database}\`\\.\`tickets\` TO 'outpost_reader'@'%';`));

  const root = await connected(t, source(s.server, s.db.database, { user: s.server.user, password: s.server.password }));
  const c = await root.checkAccess('tickets');
  assert.equal(c.canWrite, true);
  assert.ok(
    c.via.some((x) => x.includes('on every database')),
    c.via.join(' | '),
  );

  const noneCfg = source(s.server, s.db.database, s.db.noSelect);
  const none = await connected(t, noneCfg);
  const d = await none.checkAccess('tickets');
  assert.equal(d.canSelect, false);
  assert.equal((await readOnlyCheck(none, noneCfg, 'tickets')).status, 'fail');
});

test('mariadb: plain errors (wrong password, missing table, no SELECT, missing database, closed port)', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const wrong = 'Wr0ng-Secret-Pass';
  const e1 = await sourceError(connected(t, source(s.server, s.db.database, { user: s.db.readOnly.user, password: wrong })));
  assert.equal(e1.kind, 'auth');
  assert.equal(e1.code, 'ER_ACCESS_DENIED_ERROR (1045)');
  assert.match(e1.message, /refused the login ".*_ro": wrong password/);
  assert.ok(!e1.message.includes(wrong));

  // A login with database-wide rights learns the table is missing; one with only table grants is
  // told it may not read it "or it does not exist" (MySQL does not say which).
  const root = await connected(t, source(s.server, s.db.database, { user: s.server.user, password: s.server.password }));
  const e2 = await sourceError(root.query('SELECT * FROM nope'));
  assert.equal(e2.kind, 'missing');
  assert.equal(e2.code, 'ER_NO_SUCH_TABLE (1146)');
  assert.match(e2.message, /"[^"]*nope" does not exist.*check "table"/);
  const ro = await connected(t, source(s.server, s.db.database, s.db.readOnly));
  const e2b = await sourceError(ro.query('SELECT * FROM nope'));
  assert.equal(e2b.kind, 'permission');
  assert.match(e2b.message, /or it does not exist/);

  const none = await connected(t, source(s.server, s.db.database, s.db.noSelect));
  const e3 = await sourceError(none.query('SELECT * FROM tickets'));
  assert.equal(e3.kind, 'permission');
  assert.match(e3.code, /^ER_TABLEACCESS_DENIED_ERROR \(1142\)$/);
  assert.match(e3.message, /may not read/);

  const e4 = await sourceError(
    connected(t, source(s.server, `${s.db.database}_nope`, { user: s.server.user, password: s.server.password })),
  );
  assert.equal(e4.kind, 'missing');
  assert.match(e4.message, /database ".*_nope" does not exist/);

  const e5 = await sourceError(connected(t, source(s.server, s.db.database, s.db.readOnly, { database: `${s.db.database}_nope` })));
  assert.equal(e5.kind, 'permission');
  assert.match(e5.code, /ER_DBACCESS_DENIED_ERROR/);

  const port = await closedPort();
  const e6 = await sourceError(connected(t, source(s.server, s.db.database, s.db.readOnly, { port })));
  assert.equal(e6.kind, 'network');
  assert.equal(e6.code, 'ECONNREFUSED');
  assert.match(e6.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
});

test('mariadb: outpost validate passes for the read-only login and warns for the read-write one', async (t) => {
  const s = await setup(t);
  if (!s) return;
  const token = 'tok-validate-maria-123456';
  const api = await testSandbox(t, { token, accountId: 'acct-2', accountName: 'Quarry Co' });
  const profile = (login: { user: string; password: string }): Profile =>
    timestampProfile({
      name: 'maria-plant',
      api: { url: api.url, token },
      source: source(s.server, s.db.database, login),
      table: 'tickets',
    });
  const ro = await validateProfile(profile(s.db.readOnly));
  for (const l of ro) assert.equal(l.status, 'pass', `${l.name}: ${l.detail} ${l.fix ?? ''}`);
  const rw = await validateProfile(profile(s.db.readWrite));
  assert.equal(rw.find((l) => l.name === 'read-only')!.status, 'warn');
  assert.equal(rw.filter((l) => l.status === 'fail').length, 0);

  const dir = mkdtempSync(join(tmpdir(), 'outpost-validate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'outpost.json');
  writeFileSync(
    file,
    JSON.stringify({
      profiles: [
        {
          ...profile(s.db.readWrite),
          api: { url: api.url, token: 'env:OUTPOST_TOKEN' },
          source: { ...source(s.server, s.db.database, s.db.readWrite), password: 'env:DB_PASSWORD' },
        },
      ],
    }),
  );
  const out = await runValidate(['--config', file, '--profile', 'maria-plant'], {
    OUTPOST_TOKEN: token,
    DB_PASSWORD: s.db.readWrite.password,
  });
  assert.equal(out.code, 0, out.output);
  assert.match(out.output, /! warn {2}read-only +The login ".*_rw@%" can change tickets: INSERT, UPDATE/);
  assert.match(out.output, /GRANT SELECT ON `.*`\.`tickets` TO 'outpost_reader'@'%';/);
  assert.ok(!out.output.includes(s.db.readWrite.password));
  const wrongProfile = await runValidate(['--config', file, '--profile', 'nope'], { OUTPOST_TOKEN: token });
  assert.equal(wrongProfile.code, 2, wrongProfile.output);
});
