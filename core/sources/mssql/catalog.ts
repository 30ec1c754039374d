// Every statement the adapter sends by itself (the change modes add theirs through the dialect), and
// how the catalogue's rows read as columns and indexes.
import { groupIndexes as groupIndexRows } from '../indexes.js';
import type { ColumnInfo, IndexInfo, Row } from '../types.js';

export const MSSQL_SQL = {
  ping: `SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS version, CAST(SERVERPROPERTY('Edition') AS nvarchar(128)) AS edition, SUSER_SNAME() AS login_name, USER_NAME() AS user_name`,
  tables: `SELECT o.object_id, s.name AS schema_name, o.name AS table_name, o.type AS kind FROM sys.objects o JOIN sys.schemas s ON s.schema_id = o.schema_id WHERE o.type IN ('U', 'V') AND o.is_ms_shipped = 0 ORDER BY s.name, o.name`,
  columns: `SELECT c.object_id, c.name AS column_name, TYPE_NAME(c.system_type_id) AS type_name, c.max_length, c.precision, c.scale, c.is_nullable FROM sys.columns c JOIN sys.objects o ON o.object_id = c.object_id WHERE o.type IN ('U', 'V') AND o.is_ms_shipped = 0 ORDER BY c.object_id, c.column_id`,
  indexes: `SELECT i.object_id, i.name AS index_name, i.is_unique, i.is_primary_key, c.name AS column_name FROM sys.indexes i JOIN sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id JOIN sys.objects o ON o.object_id = i.object_id WHERE o.is_ms_shipped = 0 AND ic.key_ordinal > 0 AND i.has_filter = 0 ORDER BY i.object_id, i.index_id, ic.key_ordinal`,
  rowCounts: `SELECT p.object_id, SUM(p.rows) AS row_count FROM sys.partitions p WHERE p.index_id IN (0, 1) GROUP BY p.object_id`,
  // Catalog views show only what the login may see; CHANGE_TRACKING_CURRENT_VERSION() is NULL exactly
  // when the database has Change Tracking off, whoever asks.
  changeTrackedTables: `SELECT t.object_id FROM sys.change_tracking_tables t`,
  objectId: `SELECT OBJECT_ID(@p1) AS object_id, OBJECTPROPERTY(OBJECT_ID(@p1), 'IsView') AS is_view`,
  tableColumns: `SELECT c.name AS column_name, TYPE_NAME(c.system_type_id) AS type_name, c.max_length, c.precision, c.scale, c.is_nullable FROM sys.columns c WHERE c.object_id = @p1 ORDER BY c.column_id`,
  tableIndexes: `SELECT i.name AS index_name, i.is_unique, i.is_primary_key, c.name AS column_name FROM sys.indexes i JOIN sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id WHERE i.object_id = @p1 AND ic.key_ordinal > 0 AND i.has_filter = 0 ORDER BY i.index_id, ic.key_ordinal`,
  tableRowCount: `SELECT SUM(p.rows) AS row_count FROM sys.partitions p WHERE p.object_id = @p1 AND p.index_id IN (0, 1)`,
  changeTracking: `SELECT CASE WHEN CHANGE_TRACKING_CURRENT_VERSION() IS NULL THEN 0 ELSE 1 END AS db_on, CASE WHEN EXISTS (SELECT 1 FROM sys.change_tracking_tables t WHERE t.object_id = @p1) THEN 1 ELSE 0 END AS table_on, HAS_PERMS_BY_NAME(@p2, 'OBJECT', 'VIEW CHANGE TRACKING') AS can_view`,
  columnType: `SELECT TYPE_NAME(c.system_type_id) AS type_name, c.max_length, c.precision, c.scale FROM sys.columns c WHERE c.object_id = OBJECT_ID(@p1) AND c.name = @p2`,
  access: `SELECT SUSER_SNAME() AS login_name, USER_NAME() AS user_name, HAS_PERMS_BY_NAME(@p1, 'OBJECT', 'SELECT') AS can_select, HAS_PERMS_BY_NAME(@p1, 'OBJECT', 'INSERT') AS can_insert, HAS_PERMS_BY_NAME(@p1, 'OBJECT', 'UPDATE') AS can_update, HAS_PERMS_BY_NAME(@p1, 'OBJECT', 'DELETE') AS can_delete, HAS_PERMS_BY_NAME(@p1, 'OBJECT', 'ALTER') AS can_alter, IS_SRVROLEMEMBER('sysadmin') AS is_sysadmin, IS_ROLEMEMBER('db_owner') AS is_db_owner, IS_ROLEMEMBER('db_datawriter') AS is_datawriter, IS_ROLEMEMBER('db_ddladmin') AS is_ddladmin`,
  myPermissions: `SELECT permission_name FROM fn_my_permissions(@p1, 'OBJECT') WHERE subentity_name = ''`,
  grants: `SELECT dp.permission_name, dp.class_desc, pr.name AS grantee FROM sys.database_permissions dp JOIN sys.database_principals pr ON pr.principal_id = dp.grantee_principal_id WHERE dp.state IN ('G', 'W') AND dp.permission_name IN ('INSERT', 'UPDATE', 'DELETE', 'ALTER', 'CONTROL') AND ((dp.class = 1 AND dp.major_id = @p1) OR (dp.class = 3 AND dp.major_id = SCHEMA_ID(@p2)) OR dp.class = 0) AND (pr.name = USER_NAME() OR pr.name = 'public' OR IS_MEMBER(pr.name) = 1)`,
  foreignKeys: `SELECT fk.name AS fk_name, ps.name AS schema_name, pt.name AS table_name, pc.name AS column_name, rs.name AS ref_schema, rt.name AS ref_table, rc.name AS ref_column FROM sys.foreign_keys fk JOIN sys.foreign_key_columns fkc ON fkc.constraint_object_id = fk.object_id JOIN sys.tables pt ON pt.object_id = fkc.parent_object_id JOIN sys.schemas ps ON ps.schema_id = pt.schema_id JOIN sys.columns pc ON pc.object_id = fkc.parent_object_id AND pc.column_id = fkc.parent_column_id JOIN sys.tables rt ON rt.object_id = fkc.referenced_object_id JOIN sys.schemas rs ON rs.schema_id = rt.schema_id JOIN sys.columns rc ON rc.object_id = fkc.referenced_object_id AND rc.column_id = fkc.referenced_column_id ORDER BY ps.name, pt.name, fk.name, fkc.constraint_column_id`,
  newest: (quotedTable: string, quotedColumn: string) => `SELECT MAX(${quotedColumn}) AS newest FROM ${quotedTable}`,
  probeSelect: (quotedTable: string) => `SELECT TOP (0) * FROM ${quotedTable}`,
} as const;

/** 'datetime2(7)', 'varchar(20)', 'decimal(10,2)', 'rowversion' from sys.columns. */
export function declared(c: Row): string {
  const t = String(c.type_name).toLowerCase();
  const len = Number(c.max_length);
  if (t === 'timestamp') return 'rowversion';
  if (t === 'datetime2' || t === 'datetimeoffset' || t === 'time') return `${t}(${c.scale})`;
  if (t === 'varchar' || t === 'char' || t === 'varbinary' || t === 'binary') return `${t}(${len === -1 ? 'max' : len})`;
  if (t === 'nvarchar' || t === 'nchar') return `${t}(${len === -1 ? 'max' : len / 2})`;
  if (t === 'decimal' || t === 'numeric') return `${t}(${c.precision},${c.scale})`;
  return t;
}

export function columnInfo(c: Row): ColumnInfo {
  const t = String(c.type_name).toLowerCase();
  return {
    name: String(c.column_name),
    type: t === 'timestamp' ? 'rowversion' : t,
    declared: declared(c),
    nullable: c.is_nullable === true || Number(c.is_nullable) === 1,
  };
}

/** sys.indexes × sys.index_columns rows (MSSQL_SQL.indexes / tableIndexes) grouped per table. */
export function groupIndexes(rows: Row[], keyOf: (r: Row) => string): Map<string, IndexInfo[]> {
  const flag = (v: unknown) => v === true || Number(v) === 1;
  return groupIndexRows(rows, keyOf, (r) => ({
    index: String(r.index_name),
    column: String(r.column_name),
    unique: flag(r.is_unique),
    primary: flag(r.is_primary_key),
  }));
}
