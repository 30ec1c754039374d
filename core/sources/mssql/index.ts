// SQL Server source (mssql over tedious), SQL Server 2012 and later.
//
// - SQL authentication only: a connector runs as a service without a Windows session, so a
//   `DOMAIN\user` login is refused up front with the explanation that a SQL login is required.
// - Server names as plant IT writes them: `HOST\INSTANCE`, `HOST,PORT`, `tcp:HOST`, `(local)`, `.`;
//   options.instanceName, encrypt (default true) and trustServerCertificate (default false).
// - Every parameter is bound with an explicit type (bindParam): ASCII text as varchar so an index on
//   a varchar key is usable, other text as nvarchar, integers as int/bigint, 8-byte buffers as
//   binary(8); `typed(value, 'datetime2(7)')` binds the exact column type.
// - Cursor precision (docs/design.md §7): tedious turns datetime/datetime2 into a JS Date. The change
//   modes read the cursor as server-side text and bind it through typedParam(), which casts the
//   bound text to the column's exact type in SQL (CAST(@p1 AS datetime2(7)) or CAST(@p1 AS
//   datetime), never the one for the other: a datetime compared with a datetime2 parameter is off by
//   up to 1/300 s). Values in rows are also turned back into text exactly (tedious keeps the
//   sub-millisecond part of datetime2 in `nanosecondsDelta`), so every row looks the same whatever
//   the driver: ISO text with the column's own precision.
//
// One module a concern: dialect.ts, catalog.ts (the SQL catalogue), params.ts (binding), values.ts
// (rendering), server-name.ts, connection.ts, adapter.ts; this index re-exports them.
export { MssqlSource, type MssqlExecutor, type MssqlResult } from './adapter.js';
export { MSSQL_SQL } from './catalog.js';
export { buildMssqlConfig, checkSqlLogin } from './connection.js';
export { mssqlDialect } from './dialect.js';
export { bindParam, declaration, mssqlType, temporalValue, type MssqlParam, type MssqlParamType } from './params.js';
export { parseServer, type MssqlTarget } from './server-name.js';
export { renderRow, renderValue, temporalText, type MssqlColumnMeta } from './values.js';
