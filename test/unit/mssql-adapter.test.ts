// SQL Server adapter without a server: every statement it can send parses as T-SQL (node-sql-parser's
// transactsql dialect, plus checks for other dialects' syntax the lenient parser lets through),
// every parameter gets its exact type (down to tedious' wire bytes for datetime2(7)), values in rows
// come back as exact text, and tedious/mssql errors map to the right plain errors. The driver itself
// is exercised against ports with nothing (or something silent) behind them.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { lookupQuery } from '../../core/mapping/lookups.js';
import sql from 'mssql';
import { ChangeTrackingReader } from '../../core/change/change-tracking.js';
import { RowversionReader } from '../../core/change/rowversion.js';
import { TimestampReader } from '../../core/change/timestamp.js';
import type { SourceConfig } from '../../core/config/schema.js';
import { readOnlyCheck, readOnlyLoginSql } from '../../core/sources/access.js';
import { discover } from '../../core/sources/discovery.js';
import { scrub } from '../../core/log.js';
import { toSourceError } from '../../core/sources/errors.js';
import {
  MSSQL_SQL,
  MssqlSource,
  bindParam,
  buildMssqlConfig,
  declaration,
  mssqlDialect,
  mssqlType,
  parseServer,
  renderRow,
  temporalText,
  temporalValue,
  type MssqlParam,
  type MssqlResult,
} from '../../core/sources/mssql/index.js';
import { SourceError, typed, type Row } from '../../core/sources/types.js';
import { validateProfile } from '../../core/validate.js';
import { closedPort, silentPort } from '../helpers/databases.js';
import { timestampProfile } from '../helpers/profiles.js';

const require = createRequire(import.meta.url);
const { Parser } = require('node-sql-parser/build/transactsql.js') as {
  Parser: new () => { astify(s: string, o: { database: string }): unknown };
};
const parser = new Parser();

/** Parses as T-SQL, and carries none of the other dialects' syntax the parser would also accept. */
function assertTsql(statement: string): void {
  try {
    parser.astify(statement, { database: 'transactsql' });
  } catch (e) {
    assert.fail(`not T-SQL: ${statement}\n${(e as Error).message.slice(0, 300)}`);
  }
  const noStrings = statement.replace(/N?'(?:[^']|'')*'/g, "''");
  assert.doesNotMatch(noStrings, /\bLIMIT\b|\$\d|\?|`|::|"|\bNOW\(|\bILIKE\b|\bINTERVAL\b/i, `other dialect's syntax in: ${statement}`);
}

const SRC: SourceConfig = {
  driver: 'mssql',
  host: 'SCALE01',
  port: 1433,
  database: 'Plant',
  user: 'outpost',
  password: 'env:MSSQL_PW',
  options: { trustServerCertificate: true },
};
const ENV = { MSSQL_PW: 'S3cret-Passw0rd!' };

const TS = { type: { declaration: 'datetime' } };
const TS2 = { type: { declaration: 'datetime2' }, scale: 7 };

/** A fake server: answers each statement the adapter sends from a catalog of one ticket table. */
function fakeServer(opts: { writer?: boolean; changeTracking?: boolean } = {}) {
  const calls: Array<{ sql: string; params: MssqlParam[] }> = [];
  const ticketRows: Row[] = [
    {
      TicketID: 1,
      TicketNo: 'T-1',
      TicketDate: at('2024-05-01T07:00:00.000Z'),
      PlantCode: 'P12',
      Customer: 'Hill',
      ProductCode: 'HMA-12.5',
      Net: 40000,
      UOM: 'LB',
      TruckNo: 'TR-7',
      VoidFlag: 'N',
      LastModified: at('2024-05-01T07:00:00.003Z'),
      Precise: at('2024-05-01T07:00:00.123Z', 0.0004567),
      rv: Buffer.from('00000000000007d1', 'hex'),
    },
  ];
  const exec = async (statement: string, params: MssqlParam[]): Promise<MssqlResult> => {
    calls.push({ sql: statement, params });
    switch (statement) {
      case MSSQL_SQL.ping:
        return { rows: [{ version: '16.0.4135.4', edition: 'Developer Edition (64-bit)', login_name: 'outpost', user_name: 'outpost' }] };
      case MSSQL_SQL.tables:
        return {
          rows: [
            { object_id: 10, schema_name: 'dbo', table_name: 'Tickets', kind: 'U ' },
            { object_id: 11, schema_name: 'dbo', table_name: 'AuditLog', kind: 'U ' },
          ],
        };
      case MSSQL_SQL.columns:
        return {
          rows: [
            ...catalogColumns().map((c) => ({ object_id: 10, ...c })),
            { object_id: 11, column_name: 'id', type_name: 'int', max_length: 4, precision: 10, scale: 0, is_nullable: false },
          ],
        };
      case MSSQL_SQL.indexes:
        return { rows: catalogIndexes().map((i) => ({ object_id: 10, ...i })) };
      case MSSQL_SQL.rowCounts:
        return {
          rows: [
            { object_id: 10, row_count: '125000' },
            { object_id: 11, row_count: '3' },
          ],
        };
      case MSSQL_SQL.changeTrackedTables:
        return { rows: opts.changeTracking ? [{ object_id: 10 }] : [] };
      case MSSQL_SQL.objectId:
        return {
          rows: [
            { object_id: /Tickets/.test(String(params[0].value)) ? 10 : /AuditLog/.test(String(params[0].value)) ? 11 : null, is_view: 0 },
          ],
        };
      case MSSQL_SQL.tableColumns:
        return { rows: catalogColumns() };
      case MSSQL_SQL.tableIndexes:
        return { rows: catalogIndexes() };
      case MSSQL_SQL.tableRowCount:
        return { rows: [{ row_count: '125000' }] };
      case MSSQL_SQL.changeTracking:
        return { rows: [{ db_on: opts.changeTracking ? 1 : 0, table_on: opts.changeTracking ? 1 : 0, can_view: 0 }] };
      case MSSQL_SQL.columnType: {
        const c = catalogColumns().find((x) => x.column_name === params[1].value);
        return { rows: c ? [c] : [] };
      }
      case MSSQL_SQL.access:
        return {
          rows: [
            {
              login_name: 'outpost',
              user_name: 'outpost',
              can_select: 1,
              can_insert: opts.writer ? 1 : 0,
              can_update: opts.writer ? 1 : 0,
              can_delete: opts.writer ? 1 : 0,
              can_alter: 0,
              is_sysadmin: 0,
              is_db_owner: 0,
              is_datawriter: opts.writer ? 1 : 0,
              is_ddladmin: 0,
            },
          ],
        };
      case MSSQL_SQL.myPermissions:
        return {
          rows: [
            { permission_name: 'SELECT' },
            ...(opts.writer ? [{ permission_name: 'INSERT' }, { permission_name: 'UPDATE' }, { permission_name: 'DELETE' }] : []),
          ],
        };
      case MSSQL_SQL.foreignKeys:
        return {
          rows: [
            {
              fk_name: 'FK_T_C',
              schema_name: 'dbo',
              table_name: 'Tickets',
              column_name: 'CustID',
              ref_schema: 'dbo',
              ref_table: 'Customers',
              ref_column: 'ID',
            },
            {
              fk_name: 'FK_T_P',
              schema_name: 'dbo',
              table_name: 'Tickets',
              column_name: 'Plant',
              ref_schema: 'dbo',
              ref_table: 'Plants',
              ref_column: 'Region',
            },
            {
              fk_name: 'FK_T_P',
              schema_name: 'dbo',
              table_name: 'Tickets',
              column_name: 'PlantNo',
              ref_schema: 'dbo',
              ref_table: 'Plants',
              ref_column: 'No',
            },
          ],
        };
      case MSSQL_SQL.grants:
        return { rows: opts.writer ? [{ permission_name: 'INSERT', class_desc: 'SCHEMA', grantee: 'scale_app' }] : [] };
    }
    if (/^SELECT CONVERT\(varchar\(\d+\), (GETDATE|SYSDATETIME|CAST)/.test(statement))
      return { rows: [{ now: '2024-05-01T08:00:00.003' }] };
    if (/^SELECT MAX\(/.test(statement)) return { rows: [{ newest: at('2024-05-01T07:00:00.003Z') }], columns: { newest: TS } };
    if (/^SELECT COUNT\(\*\) AS n/.test(statement)) return { rows: [{ n: 0, oldest: null, now: '2024-05-01T08:00:00.003' }] };
    if (/^SELECT (TOP \(\d+\) )?\*/.test(statement) || /^SELECT TOP \(\d+\) \*, CONVERT/.test(statement)) {
      const rows = /WHERE/.test(statement) && params.length && /> CAST\(@p1/.test(statement) ? [] : ticketRows;
      return { rows, columns: { TicketDate: TS, LastModified: TS, Precise: TS2, rv: { type: { declaration: 'binary' }, length: 8 } } };
    }
    throw new Error(`the fake server does not know: ${statement}`);
  };
  return { calls, exec };
}

/** A bound cursor as text: the string itself, or the typed Date rendered exactly as its column type. */
function paramText(p: MssqlParam): string {
  if (typeof p.value === 'string') return p.value;
  const d = p.value as Date & { nanosecondDelta?: number };
  return temporalText(at(d.toISOString(), d.nanosecondDelta ?? 0), p.type, p.scale ?? 3);
}

function at(iso: string, nanosecondsDelta?: number): Date {
  const d = new Date(iso) as Date & { nanosecondsDelta?: number };
  if (nanosecondsDelta !== undefined) Object.defineProperty(d, 'nanosecondsDelta', { value: nanosecondsDelta, enumerable: false });
  return d;
}

function catalogColumns() {
  const c = (name: string, type: string, max = 0, precision = 0, scale = 0, nullable = true) => ({
    column_name: name,
    type_name: type,
    max_length: max,
    precision,
    scale,
    is_nullable: nullable,
  });
  return [
    c('TicketID', 'int', 4, 10, 0, false),
    c('TicketNo', 'varchar', 20),
    c('TicketDate', 'datetime', 8, 23, 3),
    c('PlantCode', 'varchar', 10),
    c('Customer', 'nvarchar', 160),
    c('ProductCode', 'varchar', 20),
    c('Net', 'decimal', 9, 10, 2),
    c('UOM', 'varchar', 4),
    c('TruckNo', 'varchar', 20),
    c('VoidFlag', 'char', 1),
    c('LastModified', 'datetime', 8, 23, 3, false),
    c('Precise', 'datetime2', 8, 27, 7),
    c('rv', 'timestamp', 8, 0, 0, false),
  ];
}

function catalogIndexes() {
  return [
    { index_name: 'PK_Tickets', is_unique: true, is_primary_key: true, column_name: 'TicketID' },
    { index_name: 'IX_Tickets_LastModified', is_unique: false, is_primary_key: false, column_name: 'LastModified' },
    { index_name: 'IX_Tickets_LastModified', is_unique: false, is_primary_key: false, column_name: 'TicketID' },
  ];
}

async function adapter(opts: { writer?: boolean; changeTracking?: boolean } = {}) {
  const fake = fakeServer(opts);
  const src = new MssqlSource(SRC, { env: ENV, executor: fake.exec });
  await src.connect();
  return { src, calls: fake.calls };
}

test('mssql: every statement the adapter and its dialect send parses as T-SQL', async () => {
  for (const [name, s] of Object.entries(MSSQL_SQL)) {
    const text =
      typeof s === 'function'
        ? s.length === 2
          ? (s as (a: string, b: string) => string)('[dbo].[Tickets]', '[LastModified]')
          : (s as (a: string) => string)('[dbo].[Tickets]')
        : s;
    assert.doesNotThrow(() => assertTsql(text), name);
  }
  // Everything the adapter, discovery, the read-only check, validate and the timestamp mode send.
  const { src, calls } = await adapter({ writer: true });
  await src.ping();
  await src.listTables();
  await src.describeTable('dbo.Tickets');
  await src.columnType('dbo.Tickets', 'LastModified');
  await src.checkAccess('dbo.Tickets');
  await discover(src);
  assert.deepEqual(await src.foreignKeys(), [
    { name: 'FK_T_C', table: 'dbo.Tickets', columns: ['CustID'], referencedTable: 'dbo.Customers', referencedColumns: ['ID'] },
    {
      name: 'FK_T_P',
      table: 'dbo.Tickets',
      columns: ['Plant', 'PlantNo'],
      referencedTable: 'dbo.Plants',
      referencedColumns: ['Region', 'No'],
    },
  ]);
  // The lookup queries of the mapping layer, through this dialect.
  assertTsql(lookupQuery(src.dialect, 'dbo.Customers', ['ID'], 3));
  assertTsql(lookupQuery(src.dialect, 'dbo.Plants', ['Region', 'No'], 2));
  const reader = new TimestampReader({
    table: 'dbo.Tickets',
    key: ['TicketID'],
    column: 'LastModified',
    lookbackSeconds: 300,
    timezone: 'America/Chicago',
  });
  for await (const page of reader.pages(src, null, 200)) assert.equal(page.rows.length, 1);
  for await (const _ of reader.pages(src, { cursor: '2024-05-01T07:00:00.003', key: [1], at: new Date().toISOString() } as never, 200))
    void _;
  await reader.backlog(src, { cursor: '2024-05-01T07:00:00.003', key: [1] } as never);
  const precise = new TimestampReader({ table: 'dbo.Tickets', key: ['TicketID'], column: 'Precise', lookbackSeconds: 60 });
  for await (const _ of precise.pages(src, { cursor: '2024-05-01T07:00:00.1234567', key: [1], at: new Date().toISOString() } as never, 200))
    void _;
  assert.ok(calls.length > 20);
  for (const c of calls) assertTsql(c.sql);
  // The rowversion mode's statements through this dialect (Change Tracking's CHANGETABLE(CHANGES …)
  // is beyond the parser's grammar; its versions query is checked).
  const rv = new RowversionReader({ table: 'dbo.Tickets', key: ['TicketID'], column: 'rv', lookbackSeconds: 0 });
  assertTsql(rv.pageSql(src, null, 100).sql);
  assertTsql(rv.pageSql(src, { cursor: '0x00000000000007D1', key: [] } as never, 100).sql);
  assertTsql(new ChangeTrackingReader({ table: 'dbo.Tickets', key: ['TicketID'], lookbackSeconds: 0 }).versionsSql(src));
  // The timestamp mode compares the cursor with the column's own type: datetime is not datetime2.
  const page = calls.find((c) => /FROM \[dbo\]\.\[Tickets\] WHERE \[LastModified\] >= DATEADD/.test(c.sql))!;
  assert.match(page.sql, /DATEADD\(second, -\d+, CAST\(@p1 AS datetime\)\) AND \[LastModified\] <= CAST\(@p2 AS datetime\)/);
  assert.match(page.sql, /^SELECT TOP \(200\) \* FROM \[dbo\]\.\[Tickets\]/);
  const precisePage = calls.find((c) => /\[Precise\] >= DATEADD/.test(c.sql))!;
  assert.match(precisePage.sql, /CAST\(@p1 AS datetime2\(7\)\)/);
  // The cursor goes out as text (converted by the CAST) or bound as the column's own type, exactly.
  for (const p of precisePage.params) assert.match(declaration(p), /^(varchar\(8000\)|datetime2\(7\))$/);
  assert.equal(paramText(precisePage.params[0]), '2024-05-01T07:00:00.1234567');
  const dtPage = calls.find((c) => /\[LastModified\] >= DATEADD/.test(c.sql))!;
  for (const p of dtPage.params) assert.match(declaration(p), /^(varchar\(8000\)|datetime)$/);
  assert.equal(paramText(dtPage.params[0]), '2024-05-01T07:00:00.003');
});

test('mssql: parameters are bound with exact types', () => {
  const d = (v: unknown) => declaration(bindParam(v));
  assert.equal(d('T-1001'), 'varchar(8000)');
  assert.equal(d('Böhm Asphalt'), 'nvarchar(4000)');
  assert.equal(d('x'.repeat(9000)), 'varchar(max)');
  assert.equal(d(42), 'int');
  assert.equal(d(2 ** 40), 'bigint');
  assert.equal(bindParam(2 ** 40).value, String(2 ** 40));
  assert.equal(d(12.5), 'float');
  assert.equal(d(123n), 'bigint');
  assert.equal(d(true), 'bit');
  assert.equal(d(Buffer.alloc(8)), 'binary(8)');
  assert.equal(d(Buffer.alloc(16)), 'varbinary(8000)');
  assert.equal(d(null), 'nvarchar(4000)');
  assert.equal(d(new Date(0)), 'datetime2(3)');
  // Declared types: datetime vs datetime2(n) vs binary(8), as the column says.
  assert.equal(d(typed('2024-05-01T07:00:00.003', 'datetime')), 'datetime');
  assert.equal(d(typed('2024-05-01T07:00:00.1234567', 'datetime2(7)')), 'datetime2(7)');
  assert.equal(d(typed('2024-05-01T07:00:00.123', 'datetime2(3)')), 'datetime2(3)');
  assert.equal(d(typed('2024-05-01T07:00:00.1234567+00:00', 'datetimeoffset(7)')), 'datetimeoffset(7)');
  assert.equal(d(typed('0x00000000000007D1', 'rowversion')), 'binary(8)');
  assert.equal(d(typed('0x00000000000007D1', 'binary(8)')), 'binary(8)');
  assert.equal(d(typed('T-1', 'varchar(20)')), 'varchar(20)');
  assert.equal(d(typed('T-1', 'nvarchar(max)')), 'nvarchar(max)');
  assert.equal(d(typed('12.50', 'decimal(10,2)')), 'decimal(10, 2)');
  assert.deepEqual(bindParam(typed('0x00000000000007D1', 'rowversion')).value, Buffer.from('00000000000007d1', 'hex'));
  assert.throws(() => bindParam(typed('not a date', 'datetime')), SourceError);

  // The mssql library types they become (what tedious declares on the wire).
  const req = new sql.Request();
  const inputs: Array<[string, unknown]> = [
    ['a', typed('2024-05-01T07:00:00.1234567', 'datetime2(7)')],
    ['b', typed('2024-05-01T07:00:00.003', 'datetime')],
    ['c', typed('0x00000000000007D1', 'rowversion')],
    ['d', 'T-1001'],
  ];
  for (const [name, v] of inputs) {
    const p = bindParam(v);
    req.input(name, mssqlType(p), p.value);
  }
  const params = (req as unknown as { parameters: Record<string, { type: unknown; scale?: number; length?: number }> }).parameters;
  assert.equal(params.a.type, sql.DateTime2);
  assert.equal(params.a.scale, 7);
  assert.equal(params.b.type, sql.DateTime);
  assert.equal(params.c.type, sql.Binary);
  assert.equal(params.c.length, 8);
  assert.equal(params.d.type, sql.VarChar);
  assert.equal(params.d.length, 8000);
});

test('mssql: datetime2(7) and datetime values go on the wire exactly (tedious writers)', () => {
  const Writable = require('tedious/lib/tracking-buffer/writable-tracking-buffer.js') as new () => { data: Buffer };
  const DateTime2 = require('tedious/lib/data-types/datetime2.js') as { writeValue(b: unknown, p: unknown, o: unknown): void };
  const DateTime = require('tedious/lib/data-types/datetime.js') as { writeValue(b: unknown, p: unknown, o: unknown): void };
  const v = bindParam(typed('2024-05-01T07:00:00.1234567', 'datetime2(7)'));
  const b = new Writable();
  DateTime2.writeValue(b, { value: v.value, scale: 7 }, { useUTC: true });
  const bytes = b.data;
  assert.equal(bytes[0], 8, 'length: 5 bytes of time + 3 of date');
  const units = bytes.readUIntLE(1, 5);
  assert.equal(units, 7 * 3600 * 1e7 + 1234567, '100 ns units since midnight, all seven digits');
  const days = bytes.readUIntLE(6, 3);
  assert.equal(days, Math.round((Date.UTC(2024, 4, 1) - Date.UTC(2000, 0, 1)) / 86_400_000) + 730119);
  // datetime: .003 is tick 1 of 1/300 s, exactly what SQL Server stores for '…07:00:00.003'.
  const w = new Writable();
  DateTime.writeValue(w, { value: bindParam(typed('2024-05-01T07:00:00.003', 'datetime')).value }, { useUTC: true });
  assert.equal(w.data.readUInt32LE(5), 7 * 3600 * 300 + 1);
});

test('mssql: values in rows are exact text, not JS Dates', () => {
  // Dates as tedious builds them (UTC fields = the stored wall clock, sub-ms in nanosecondsDelta).
  assert.equal(temporalText(at('2024-05-01T07:00:00.123Z', 0.0004567), 'datetime2', 7), '2024-05-01T07:00:00.1234567');
  assert.equal(temporalText(at('2024-05-01T07:00:00.120Z', 0), 'datetime2', 3), '2024-05-01T07:00:00.120');
  assert.equal(temporalText(at('2024-05-01T07:00:00.000Z', 0), 'datetime2', 7), '2024-05-01T07:00:00');
  assert.equal(temporalText(at('2024-05-01T07:00:00.003Z'), 'datetime'), '2024-05-01T07:00:00.003');
  assert.equal(temporalText(at('2024-05-01T07:00:00.007Z'), 'datetime'), '2024-05-01T07:00:00.007');
  assert.equal(temporalText(at('2024-05-01T00:00:00.000Z'), 'date'), '2024-05-01');
  assert.equal(temporalText(at('1970-01-01T13:45:10.500Z', 0.00001), 'time', 7), '13:45:10.5000100');
  assert.equal(temporalText(at('2024-05-01T12:00:00.000Z', 0), 'datetimeoffset', 7), '2024-05-01T12:00:00+00:00');
  assert.equal(temporalText(at('0001-01-01T00:00:00.000Z', 0), 'datetime2', 7), '0001-01-01T00:00:00');
  // Text → bound value → tedious' reading of it → text: the round trip is the identity.
  for (const s of ['2024-05-01T07:00:00.1234567', '2024-12-31T23:59:59.9999999', '2024-05-01T07:00:00.0000001']) {
    const d = temporalValue(s);
    const asRead = at(new Date(d.getTime()).toISOString(), (d as { nanosecondDelta?: number }).nanosecondDelta ?? 0);
    assert.equal(temporalText(asRead, 'datetime2', 7), s);
  }
  const row = renderRow(
    {
      a: at('2024-05-01T07:00:00.003Z'),
      b: at('2024-05-01T07:00:00.123Z', 0.0004567),
      rv: Buffer.from('00000000000007d1', 'hex'),
      n: 5,
      s: 'x',
      z: null,
    },
    { a: TS, b: TS2, rv: { type: { declaration: 'binary' }, length: 8 } },
  );
  assert.deepEqual(row, {
    a: '2024-05-01T07:00:00.003',
    b: '2024-05-01T07:00:00.1234567',
    rv: '0x00000000000007D1',
    n: 5,
    s: 'x',
    z: null,
  });
});

test('mssql: dialect', () => {
  const d = mssqlDialect;
  assert.equal(d.ident('dbo.Tickets'), '[dbo].[Tickets]');
  assert.equal(d.ident('Plant.dbo.Ticket Lines'), '[Plant].[dbo].[Ticket Lines]');
  assert.throws(() => d.ident('dbo.Tickets]; DROP TABLE x;--'));
  assert.equal(d.param(3), '@p3');
  assert.equal(d.limit('SELECT * FROM [t] ORDER BY [a]', 5), 'SELECT TOP (5) * FROM [t] ORDER BY [a]');
  assert.equal(d.limit('SELECT DISTINCT [a] FROM [t]', 5), 'SELECT DISTINCT TOP (5) [a] FROM [t]');
  assert.equal(d.typedParam!('@p1', 'datetime'), 'CAST(@p1 AS datetime)');
  assert.equal(d.typedParam!('@p1', 'datetime2(7)'), 'CAST(@p1 AS datetime2(7))');
  assert.equal(d.typedParam!('@p1', 'rowversion'), 'CONVERT(binary(8), @p1, 1)');
  assert.equal(d.typedParam!('@p1', 'int'), '@p1');
  assert.equal(d.typedParam!('@p1', 'datetime2(7); DROP TABLE x'), '@p1');
  assert.equal(d.nowFor!('datetime'), 'CONVERT(varchar(23), GETDATE(), 126)');
  assert.equal(d.nowFor!('datetime2(7)'), 'CONVERT(varchar(33), CAST(SYSDATETIME() AS datetime2(7)), 126)');
  assert.equal(d.now(), 'CONVERT(varchar(23), SYSDATETIME(), 126)');
  assert.equal(d.minusSeconds('@p1', 300), 'DATEADD(second, -300, CAST(@p1 AS datetime2(7)))');
  assert.equal(d.minusSeconds('CAST(@p1 AS datetime)', 300), 'DATEADD(second, -300, CAST(@p1 AS datetime))');
});

test('mssql: server names, instances, TLS options and SQL logins', async () => {
  assert.deepEqual(parseServer('SCALE01\\SQLEXPRESS'), { server: 'SCALE01', instance: 'SQLEXPRESS' });
  assert.deepEqual(parseServer('SCALE01\\SQLEXPRESS', 1450), { server: 'SCALE01', port: 1450 });
  assert.deepEqual(parseServer('tcp:scale01.plant.local,1533'), { server: 'scale01.plant.local', port: 1533 });
  assert.deepEqual(parseServer('(local)'), { server: 'localhost', port: 1433 });
  assert.deepEqual(parseServer('.\\SQLEXPRESS'), { server: 'localhost', instance: 'SQLEXPRESS' });
  assert.deepEqual(parseServer('SCALE01', undefined, 'TICKETS'), { server: 'SCALE01', instance: 'TICKETS' });

  const c = buildMssqlConfig({ ...SRC, host: 'SCALE01\\SQLEXPRESS', port: undefined, options: {} }, 'pw');
  assert.equal(c.server, 'SCALE01');
  assert.equal(c.port, undefined);
  assert.equal(c.options!.instanceName, 'SQLEXPRESS');
  assert.equal(c.options!.encrypt, true, 'encrypted by default');
  assert.equal(c.options!.trustServerCertificate, false, 'certificates verified by default');
  assert.equal(c.options!.useUTC, true);
  const c2 = buildMssqlConfig({ ...SRC, options: { encrypt: false, trustServerCertificate: true, requestTimeoutMs: 5000 } }, 'pw');
  assert.deepEqual([c2.port, c2.options!.encrypt, c2.options!.trustServerCertificate, c2.requestTimeout], [1433, false, true, 5000]);
  assert.throws(() => buildMssqlConfig({ ...SRC, options: { encrypt: 'yes' } }, 'pw'), /encrypt must be true or false/);
  assert.throws(
    () => buildMssqlConfig({ ...SRC, options: { integratedSecurity: true } }, 'pw'),
    /integratedSecurity is not a SQL Server option/,
  );

  // A Windows account is refused before any connection, with the reason.
  const domain = new MssqlSource({ ...SRC, user: 'PLANT\\scaleadmin' }, { env: ENV });
  await assert.rejects(domain.connect(), (e: SourceError) => {
    assert.equal(e.code, 'EDOMAINUSER');
    assert.equal(e.kind, 'auth');
    assert.match(e.message, /Windows domain account.*SQL Server authentication.*database login, not a Windows user/);
    return true;
  });
  await assert.rejects(new MssqlSource({ ...SRC, user: undefined }, { env: ENV }).connect(), /needs a SQL login/);
  await assert.rejects(new MssqlSource(SRC, { env: {} }).connect(), /MSSQL_PW is not set/);
});

test('mssql: tedious and mssql errors map to plain errors', () => {
  const tedious = require('tedious') as {
    ConnectionError: new (m: string, c?: string, o?: { cause?: unknown }) => Error;
    RequestError: new (m: string, c?: string) => Error & { number?: number };
  };
  const ctx = {
    driver: 'mssql' as const,
    host: 'SCALE01',
    port: 1433,
    database: 'Plant',
    user: 'outpost',
    table: 'dbo.Tickets',
    timeoutMs: 15000,
    secrets: [ENV.MSSQL_PW],
  };
  const conn = (msg: string, code: string, cause?: unknown) =>
    new sql.ConnectionError(new tedious.ConnectionError(msg, code, cause ? { cause } : undefined) as never);
  const req = (msg: string, num: number) => {
    const e = new tedious.RequestError(msg, 'EREQUEST');
    e.number = num;
    return new sql.RequestError(e as never);
  };
  const sysErr = (code: string, message = code) => Object.assign(new Error(message), { code });
  const cases: Array<[unknown, Partial<typeof ctx> & { loginErrorNumber?: number }, string, string, RegExp]> = [
    [
      conn("Login failed for user 'outpost'.", 'ELOGIN'),
      {},
      'auth',
      'ELOGIN (18456)',
      /refused the login "outpost": wrong password, no such SQL login/,
    ],
    [conn("Login failed for user 'outpost'.", 'ELOGIN'), { loginErrorNumber: 18456 }, 'auth', 'ELOGIN (18456)', /wrong password/],
    [
      conn('Cannot open database "Plant" requested by the login. The login failed.', 'ELOGIN'),
      {},
      'missing',
      'ELOGIN (4060)',
      /cannot open database "Plant"/,
    ],
    [
      conn('Login failed. The login is from an untrusted domain and cannot be used with Integrated authentication.', 'ELOGIN'),
      {},
      'auth',
      'ELOGIN (18452)',
      /accepts only Windows logins/,
    ],
    [conn("Login failed for user 'outpost'. Reason: The account is disabled.", 'ELOGIN'), {}, 'auth', 'ELOGIN (18470)', /is disabled/],
    [
      conn('Failed to connect to SCALE01:1433 - connect ECONNREFUSED 10.0.0.5:1433', 'ESOCKET', sysErr('ECONNREFUSED')),
      {},
      'network',
      'ECONNREFUSED',
      /Nothing accepts connections on SCALE01:1433.*TCP\/IP is enabled/,
    ],
    [
      conn('Failed to connect to SCALE01:1433 - getaddrinfo ENOTFOUND SCALE01', 'ESOCKET', sysErr('ENOTFOUND')),
      {},
      'network',
      'ENOTFOUND',
      /"SCALE01" cannot be found/,
    ],
    [
      conn('Failed to connect to SCALE01:1433 in 15000ms', 'ETIMEOUT'),
      {},
      'timeout',
      'ETIMEOUT',
      /did not complete the login within 15 s.*firewall allows TCP 1433/,
    ],
    [
      conn('Failed to connect to SCALE01\\SQLEXPRESS in 15000ms', 'ETIMEOUT'),
      { port: undefined, instance: 'SQLEXPRESS' } as never,
      'timeout',
      'ETIMEOUT',
      /SCALE01\\SQLEXPRESS.*instance name/,
    ],
    [
      conn('Failed to get response from SQL Server Browser on SCALE01', 'EINSTLOOKUP'),
      { port: undefined, instance: 'SQLEXPRESS' } as never,
      'network',
      'EINSTLOOKUP',
      /SQL Server Browser on SCALE01 did not answer for instance "SQLEXPRESS".*"port"/,
    ],
    [
      conn(
        'Failed to connect to SCALE01:1433 - self-signed certificate',
        'ESOCKET',
        sysErr('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'),
      ),
      {},
      'tls',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      /not trusted.*"trustServerCertificate": true/,
    ],
    [
      conn("Server requires encryption, set 'encrypt' config option to `true`.", 'EENCRYPT'),
      {},
      'tls',
      'EENCRYPT',
      /requires encryption; set "encrypt": true/,
    ],
    [req("Invalid object name 'dbo.Tickets'.", 208), {}, 'missing', '208', /"dbo\.Tickets" does not exist/],
    [
      req("The SELECT permission was denied on the object 'Tickets', database 'Plant', schema 'dbo'.", 229),
      {},
      'permission',
      '229',
      /may not read "dbo\.Tickets"/,
    ],
    [req("Invalid column name 'LastModifed'.", 207), {}, 'missing', '207', /column in the profile does not exist/],
    [
      req('The server principal "outpost" is not able to access the database "Plant" under the current security context.', 916),
      {},
      'permission',
      '916',
      /no access to database "Plant"/,
    ],
    [
      req("VIEW CHANGE TRACKING permission denied on object 'Tickets', database 'Plant'.", 297),
      {},
      'permission',
      '297',
      /VIEW CHANGE TRACKING/,
    ],
    [
      new sql.RequestError(new tedious.RequestError('Timeout: Request failed to complete in 15000ms', 'ETIMEOUT') as never),
      {},
      'timeout',
      'ETIMEOUT',
      /request timeout.*requestTimeoutMs/,
    ],
  ];
  for (const [err, extra, kind, code, re] of cases) {
    const e = toSourceError(err, { ...ctx, ...extra });
    assert.ok(e instanceof SourceError);
    assert.equal(e.kind, kind, e.message);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, re);
    assert.doesNotMatch(e.message, /undefined/);
  }
  // Driver text with credentials in it is scrubbed.
  const leak = toSourceError(req(`Something odd; Server=SCALE01;User Id=outpost;Password=${ENV.MSSQL_PW};`, 50000), ctx);
  assert.ok(!leak.message.includes(ENV.MSSQL_PW), leak.message);
  assert.equal(scrub('postgres://u:hunter22@h/db and pwd=abc;x', []), 'postgres://u:••••@h/db and pwd=••••;x');
});

test('mssql: the real driver against a closed port, a silent port and an unknown host', async (t) => {
  const port = await closedPort();
  const refused = new MssqlSource({ ...SRC, host: '127.0.0.1', port }, { env: ENV });
  await assert.rejects(refused.connect(), (e: SourceError) => {
    assert.equal(e.kind, 'network', e.message);
    assert.equal(e.code, 'ECONNREFUSED');
    assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
    return true;
  });
  const hung = new MssqlSource({ ...SRC, host: '127.0.0.1', port: await silentPort(t), options: { connectTimeoutMs: 500 } }, { env: ENV });
  await assert.rejects(hung.connect(), (e: SourceError) => {
    assert.equal(e.kind, 'timeout', e.message);
    assert.match(e.message, /within 0\.5 s/);
    return true;
  });
  const dns = new MssqlSource({ ...SRC, host: 'no-such-host.invalid' }, { env: ENV });
  await assert.rejects(dns.connect(), (e: SourceError) => {
    assert.equal(e.kind, 'network', e.message);
    assert.match(e.message, /"no-such-host\.invalid" cannot be found/);
    return true;
  });
});

test('mssql: read-only check, discovery and validate on the fake server', async () => {
  const ro = await adapter();
  const a = await ro.src.checkAccess('dbo.Tickets');
  assert.deepEqual({ canSelect: a.canSelect, canWrite: a.canWrite }, { canSelect: true, canWrite: false });
  assert.equal((await readOnlyCheck(ro.src, SRC, 'dbo.Tickets')).status, 'pass');

  const rw = await adapter({ writer: true });
  const b = await rw.src.checkAccess('dbo.Tickets');
  assert.deepEqual(b.writePrivileges, ['INSERT', 'UPDATE', 'DELETE']);
  assert.ok(b.via.includes('member of db_datawriter'));
  assert.ok(b.via.includes('INSERT on schema dbo granted to scale_app'));
  const v = await readOnlyCheck(rw.src, SRC, 'dbo.Tickets', { changeTracking: true });
  assert.equal(v.status, 'warn');
  assert.match(v.fix!, /CREATE LOGIN \[outpost_reader\] WITH PASSWORD = N'.*', CHECK_POLICY = ON, DEFAULT_DATABASE = \[Plant\];/);
  assert.match(
    v.fix!,
    /USE \[Plant\];\nCREATE USER \[outpost_reader\] FOR LOGIN \[outpost_reader\];\nGRANT SELECT ON \[dbo\]\.\[Tickets\] TO \[outpost_reader\];\nGRANT VIEW CHANGE TRACKING/,
  );
  assert.match(readOnlyLoginSql('mssql', { table: 'Tickets', database: 'Plant' }), /GRANT SELECT ON \[dbo\]\.\[Tickets\]/);

  // Discovery: the ticket table first; rowversion beats the timestamp column; with Change Tracking on, it wins.
  const ranked = await discover(ro.src);
  assert.equal(ranked[0].name, 'dbo.Tickets');
  assert.deepEqual(ranked[0].change.map((c) => c.mode).slice(0, 3), ['changeTracking', 'rowversion', 'timestamp']);
  assert.equal(ranked[0].change[0].ready, false, 'Change Tracking is off: suggested with the SQL to enable it');
  assert.match(ranked[0].change[0].needs!, /ALTER TABLE \[dbo\]\.\[Tickets\] ENABLE CHANGE_TRACKING;/);
  assert.equal(ranked[0].recommended?.mode, 'rowversion');
  assert.equal(ranked[0].newest, '2024-05-01T07:00:00.003');
  const ct = await adapter({ changeTracking: true });
  const rankedCt = await discover(ct.src);
  assert.equal(rankedCt[0].change[0].mode, 'changeTracking');
  assert.equal(rankedCt[0].change[0].ready, false, 'on, but the login lacks VIEW CHANGE TRACKING');
  assert.match(rankedCt[0].change[0].needs!, /GRANT VIEW CHANGE TRACKING ON dbo\.Tickets/);

  // validate end to end on the fake server (the API unreachable here: only database lines matter).
  const profile = timestampProfile({
    name: 'mssql-plant',
    api: { url: `http://127.0.0.1:${await closedPort()}`, token: 'tok' },
    source: SRC,
    table: 'dbo.Tickets',
  });
  const lines = await validateProfile(profile, {
    env: ENV,
    createSource: async (s, env) => new MssqlSource(s, { env, executor: fakeServer().exec }),
  });
  const by = Object.fromEntries(lines.map((l) => [l.name, l]));
  assert.equal(by.api.status, 'fail');
  for (const n of ['database login', 'read-only', 'table', 'key', 'change', 'mapping'])
    assert.equal(by[n].status, 'pass', `${n}: ${by[n].detail}`);
  assert.match(by['database login'].detail, /SQL Server 16\.0\.4135\.4 Developer Edition/);
  assert.match(
    by.change.detail,
    /LastModified \(datetime\), indexed; database clock 2024-05-01T08:00:00\.003\. A better mode is available: rowversion on rv/,
  );
});
