// SQLite adapter on the demo plant's database file: discovery, details, the read-only verdict (the
// file is opened read-only) and `outpost validate`; plus the pure discovery rules.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { createDemoPlant } from '../../core/demo/plant.js';
import { createIndexSql, grantSelectSql, readOnlyCheck, readOnlyLoginSql } from '../../core/sources/access.js';
import { discover, rankTables, suggestChangeModes, suggestKey } from '../../core/sources/discovery.js';
import { createSource } from '../../core/sources/index.js';
import { SourceError, type DiscoveredTable } from '../../core/sources/types.js';
import { validateProfile } from '../../core/validate.js';
import { timestampProfile } from '../helpers/profiles.js';
import { testSandbox } from '../helpers/sandbox.js';

function plant(t: { after(f: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-sqlite-src-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'plant.db');
  createDemoPlant(file, { days: 2, perDay: 20, seed: 7 });
  const db = new Database(file);
  db.exec(
    `CREATE TABLE ticket_history_bak (TicketID INTEGER, TicketNo TEXT, Net REAL); CREATE TABLE Settings (k TEXT PRIMARY KEY, v TEXT);`,
  );
  db.close();
  return file;
}

test('sqlite: discovery finds the ticket table, its key and its indexed change column; the file is read-only', async (t) => {
  const file = plant(t);
  const src = await createSource({ driver: 'sqlite', file, options: {} });
  await src.connect();
  t.after(() => src.close());
  const ranked = await discover(src);
  assert.equal(ranked[0].name, 'Tickets');
  assert.deepEqual(ranked[0].suggestedKey, ['TicketID']);
  assert.equal(ranked[0].recommended?.mode, 'timestamp');
  assert.equal(ranked[0].recommended?.column, 'LastModified');
  assert.equal(ranked[0].recommended?.needs, null, 'LastModified leads an index');
  assert.match(ranked[0].newest!, /^\d{4}-\d\d-\d\d /);
  assert.ok(ranked.findIndex((c) => c.name === 'ticket_history_bak') > 0);
  assert.ok(ranked.at(-1)!.name === 'Settings' || ranked.at(-1)!.score <= ranked[0].score);

  const d = await src.describeTable('Tickets');
  assert.ok(d);
  assert.ok(d.indexes.some((i) => i.columns[0] === 'LastModified'));
  assert.ok(d.indexes.some((i) => i.primary && i.columns[0] === 'TicketID'));
  assert.equal(await src.describeTable('Nope'), null);
  assert.equal(await src.columnType!('Tickets', 'LastModified'), 'text');

  const access = await src.checkAccess('Tickets');
  assert.deepEqual({ canSelect: access.canSelect, canWrite: access.canWrite }, { canSelect: true, canWrite: false });
  assert.equal((await readOnlyCheck(src, { driver: 'sqlite', file, options: {} }, 'Tickets')).status, 'pass');
  await assert.rejects(src.checkAccess('Nope'), SourceError);
  await assert.rejects(src.query('INSERT INTO Settings VALUES (?, ?) RETURNING k', ['a', 'b']), /readonly|read-only/i);
});

test('sqlite: outpost validate on the demo plant', async (t) => {
  const file = plant(t);
  const token = 'tok-validate-sqlite-1234';
  const api = await testSandbox(t, { token, accountId: 'acct-3', accountName: 'Demo' });
  const profile = timestampProfile({
    name: 'demo',
    api: { url: api.url, token },
    source: { driver: 'sqlite', file, options: {} },
    table: 'Tickets',
  });
  const lines = await validateProfile(profile);
  for (const l of lines) assert.equal(l.status, 'pass', `${l.name}: ${l.detail} ${l.fix ?? ''}`);

  const wrong = await validateProfile({ ...profile, key: ['ticketid'], change: { ...profile.change, column: 'Modified' } });
  const by = Object.fromEntries(wrong.map((l) => [l.name, l]));
  assert.equal(by.key.status, 'fail');
  assert.match(by.key.fix!, /did you mean TicketID/);
  assert.equal(by.change.status, 'fail');
  assert.match(by.change.fix!, /"timestamp" with column "LastModified"/);

  const missing = await validateProfile({ ...profile, source: { driver: 'sqlite', file: join(file, '..', 'nope.db'), options: {} } });
  assert.equal(missing.find((l) => l.name === 'database login')!.status, 'fail');
  assert.deepEqual(
    missing.slice(3).map((l) => l.status),
    ['warn', 'warn', 'warn', 'warn', 'warn'],
  );
});

test('discovery rules: ranking, keys and change modes best first', () => {
  const col = (name: string, type: string) => ({ name, type, nullable: true });
  const tickets: DiscoveredTable = {
    name: 'dbo.ScaleTickets',
    columns: [
      col('TicketID', 'int'),
      col('TicketNo', 'varchar'),
      col('NetWeight', 'decimal'),
      col('Gross', 'decimal'),
      col('Tare', 'decimal'),
      col('TruckNo', 'varchar'),
      col('TicketDate', 'datetime'),
      col('ModifiedDate', 'datetime2'),
      col('RV', 'rowversion'),
    ],
    primaryKey: ['TicketID'],
    rowCount: 250_000,
    indexes: [{ name: 'PK', columns: ['TicketID'], unique: true, primary: true }],
  };
  const junk: DiscoveredTable = {
    name: 'dbo.Users',
    columns: [col('id', 'int'), col('name', 'varchar')],
    primaryKey: ['id'],
    rowCount: 12,
  };
  const backup: DiscoveredTable = { ...tickets, name: 'dbo.Tickets_bak', rowCount: 250_000 };
  const ranked = rankTables([junk, backup, tickets], 'mssql');
  assert.deepEqual(
    ranked.map((c) => c.name),
    ['dbo.ScaleTickets', 'dbo.Tickets_bak', 'dbo.Users'],
  );
  assert.ok(ranked[0].reasons.some((r) => /ticket number column TicketNo/.test(r)));
  assert.ok(ranked[1].reasons.some((r) => /history\/backup/.test(r)));

  const modes = suggestChangeModes(tickets, 'mssql', ['TicketID'], { database: 'Plant' });
  assert.deepEqual(
    modes.map((m) => m.mode),
    ['changeTracking', 'rowversion', 'timestamp', 'increasing', 'snapshot'],
  );
  assert.equal(modes[0].ready, false);
  assert.match(modes[0].needs!, /ALTER DATABASE \[Plant\] SET CHANGE_TRACKING = ON/);
  assert.equal(modes[1].column, 'RV');
  assert.match(modes[1].needs!, /CREATE INDEX \[ix_outpost_ScaleTickets_RV\] ON \[dbo\]\.\[ScaleTickets\] \(\[RV\]\);/);
  assert.equal(modes[2].column, 'ModifiedDate');
  assert.match(modes[3].reason, /edits and voids .* are NOT/);
  assert.equal(modes[4].column, 'TicketDate');
  assert.equal(ranked[0].recommended?.mode, 'rowversion');

  // Postgres: no Change Tracking or rowversion; an indexed updated_at wins over an unindexed one.
  const pgT: DiscoveredTable = {
    name: 'public.tickets',
    columns: [
      col('id', 'bigint'),
      col('ticket_no', 'text'),
      col('updated_at', 'timestamp without time zone'),
      col('last_modified', 'timestamp with time zone'),
    ],
    primaryKey: [],
    rowCount: 10,
    indexes: [
      { name: 'ux', columns: ['ticket_no'], unique: true, primary: false },
      { name: 'ix', columns: ['last_modified'], unique: false, primary: false },
    ],
  };
  assert.deepEqual(suggestKey(pgT), { key: ['ticket_no'], reason: 'unique index ux' });
  const pgModes = suggestChangeModes(pgT, 'postgres', ['ticket_no']);
  assert.deepEqual(
    pgModes.map((m) => [m.mode, m.column ?? null]),
    [
      ['timestamp', 'last_modified'],
      ['timestamp', 'updated_at'],
      ['snapshot', null],
    ],
  );
  assert.equal(pgModes[2].ready, false);

  // The DBA's SQL, per driver.
  assert.equal(
    createIndexSql('postgres', 'public.tickets', ['updated_at']),
    'CREATE INDEX "ix_outpost_tickets_updated_at" ON "public"."tickets" ("updated_at");',
  );
  assert.equal(
    createIndexSql('mysql', 'tickets', ['LastModified'], 'plant'),
    'CREATE INDEX `ix_outpost_tickets_LastModified` ON `plant`.`tickets` (`LastModified`);',
  );
  assert.equal(grantSelectSql('mysql', 'tickets', 'reader', 'plant'), "GRANT SELECT ON `plant`.`tickets` TO 'reader'@'%';");
  assert.match(
    readOnlyLoginSql('postgres', { table: 'tickets', database: 'plant' }),
    /GRANT USAGE ON SCHEMA "public" TO "outpost_reader";\nGRANT SELECT ON "public"\."tickets" TO "outpost_reader";$/,
  );
  assert.throws(() => readOnlyLoginSql('postgres', { table: 'tickets', login: "x'; DROP" }), /not a plain login name/);
});
