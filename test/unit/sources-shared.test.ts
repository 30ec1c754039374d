// The pieces the server drivers share (core/sources): option checks, the ssl option, catalogue rows
// grouped into foreign keys and indexes, the bounded row count; and SQL Server's parameter types,
// declared and built from one table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sql from 'mssql';
import { groupForeignKeys } from '../../core/sources/foreign-keys.js';
import { attachIndexes } from '../../core/sources/indexes.js';
import { declaration, mssqlType, type MssqlParamType } from '../../core/sources/mssql/params.js';
import { checkOptions, sslOption } from '../../core/sources/options.js';
import { boundedCount } from '../../core/sources/row-count.js';
import { SourceError, type DiscoveredTable, type SourceAdapter } from '../../core/sources/types.js';

test('checkOptions: an unknown option is refused by name with the known ones listed', () => {
  const known = new Set(['ssl', 'connectTimeoutMs']);
  checkOptions({}, known, 'PostgreSQL');
  checkOptions({ ssl: true }, known, 'PostgreSQL');
  assert.throws(
    () => checkOptions({ ssl: true, sslmode: 'require' }, known, 'PostgreSQL'),
    (e: Error) =>
      e instanceof SourceError && e.message === 'source.options.sslmode is not a PostgreSQL option; known: ssl, connectTimeoutMs.',
  );
});

test('sslOption: off, on, or the certificate check with a CA file read now; anything else refused', () => {
  assert.equal(sslOption({}), undefined);
  assert.equal(sslOption({ ssl: false }), undefined);
  assert.equal(sslOption({ ssl: true }), true);
  assert.deepEqual(sslOption({ ssl: {} }), { rejectUnauthorized: true });
  assert.deepEqual(sslOption({ ssl: { rejectUnauthorized: false } }), { rejectUnauthorized: false });
  const ca = join(mkdtempSync(join(tmpdir(), 'outpost-ssl-')), 'ca.pem');
  writeFileSync(ca, 'PEM TEXT');
  assert.deepEqual(sslOption({ ssl: { caFile: ca } }), { rejectUnauthorized: true, ca: 'PEM TEXT' });
  assert.throws(() => sslOption({ ssl: 'require' }), /source\.options\.ssl must be true, false or/);
});

test('groupForeignKeys: one entry per constraint in first-seen order, composite columns in row order', () => {
  const rows = [
    { k: 'a', c: 'x1', rc: 'y1' },
    { k: 'b', c: 'z', rc: 'w' },
    { k: 'a', c: 'x2', rc: 'y2' },
  ];
  assert.deepEqual(
    groupForeignKeys(rows, (r) => ({
      key: String(r.k),
      name: `fk_${r.k}`,
      table: 't',
      referencedTable: `r${r.k}`,
      column: String(r.c),
      referencedColumn: String(r.rc),
    })),
    [
      { name: 'fk_a', table: 't', columns: ['x1', 'x2'], referencedTable: 'ra', referencedColumns: ['y1', 'y2'] },
      { name: 'fk_b', table: 't', columns: ['z'], referencedTable: 'rb', referencedColumns: ['w'] },
    ],
  );
});

test('attachIndexes: listed tables get their indexes and the primary key from them; others are left alone', () => {
  const table = (name: string): DiscoveredTable => ({ name, columns: [], primaryKey: [], rowCount: null, indexes: [] });
  const tables = new Map([
    ['1', table('a')],
    ['2', table('b')],
  ]);
  const pk = { name: 'pk', columns: ['id', 'n'], unique: true, primary: true };
  const ix = { name: 'ix', columns: ['d'], unique: false, primary: false };
  attachIndexes(
    tables,
    new Map([
      ['1', [ix, pk]],
      ['9', [pk]],
    ]),
  );
  assert.deepEqual(tables.get('1')!.indexes, [ix, pk]);
  assert.deepEqual(tables.get('1')!.primaryKey, ['id', 'n']);
  assert.deepEqual(tables.get('2')!.indexes, []);
  attachIndexes(tables, new Map([['2', [ix]]]));
  assert.deepEqual(tables.get('2')!.primaryKey, [], 'no primary index: no primary key');
});

test('boundedCount: counts through the dialect up to 10,001 rows; a failing count is null', async () => {
  const seen: string[] = [];
  const source = {
    dialect: { ident: (n: string) => `"${n}"`, limit: (s: string, n: number) => `${s} LIMIT ${n}` },
    query: async (text: string) => (seen.push(text), [{ n: '42' }]),
  } as unknown as SourceAdapter;
  assert.equal(await boundedCount(source, 'T', 'COUNT(*)::int'), 42);
  assert.deepEqual(seen, ['SELECT COUNT(*)::int AS n FROM (SELECT 1 FROM "T" LIMIT 10001) AS s']);
  const failing = { ...source, query: async () => Promise.reject(new Error('no')) } as unknown as SourceAdapter;
  assert.equal(await boundedCount(failing, 'T'), null);
});

test('SQL Server parameter types: every type has a declaration and an mssql type of the same kind and size', () => {
  // A Record over the union: a type added to MssqlParamType without an entry here fails to compile.
  const cases: Record<MssqlParamType, [declared: string, type: unknown, size?: Record<string, unknown>]> = {
    varchar: ['varchar(8000)', sql.VarChar, { length: 8000 }],
    nvarchar: ['nvarchar(max)', sql.NVarChar, { length: sql.MAX }],
    binary: ['binary(8)', sql.Binary, { length: 8 }],
    varbinary: ['varbinary(16)', sql.VarBinary, { length: 16 }],
    int: ['int', sql.Int],
    bigint: ['bigint', sql.BigInt],
    float: ['float', sql.Float],
    bit: ['bit', sql.Bit],
    datetime: ['datetime', sql.DateTime],
    smalldatetime: ['smalldatetime', sql.SmallDateTime],
    date: ['date', sql.Date],
    datetime2: ['datetime2(7)', sql.DateTime2, { scale: 7 }],
    datetimeoffset: ['datetimeoffset(3)', sql.DateTimeOffset, { scale: 3 }],
    time: ['time(7)', sql.Time, { scale: 7 }],
    decimal: ['decimal(38, 4)', sql.Decimal, { precision: 38, scale: 4 }],
  };
  const params: Record<MssqlParamType, { length?: number | 'max'; scale?: number; precision?: number }> = {
    varchar: { length: 8000 },
    nvarchar: {},
    binary: { length: 8 },
    varbinary: { length: 16 },
    int: {},
    bigint: {},
    float: {},
    bit: {},
    datetime: {},
    smalldatetime: {},
    date: {},
    datetime2: {},
    datetimeoffset: { scale: 3 },
    time: {},
    decimal: { precision: 38, scale: 4 },
  };
  for (const type of Object.keys(cases) as MssqlParamType[]) {
    const [declared, ctor, size] = cases[type];
    const p = { type, value: null, ...params[type] };
    assert.equal(declaration(p), declared);
    const t = mssqlType(p) as unknown as Record<string, unknown>;
    assert.equal(t.type, ctor, type);
    for (const [k, v] of Object.entries(size ?? {})) assert.equal(t[k], v, `${type} ${k}`);
  }
});
