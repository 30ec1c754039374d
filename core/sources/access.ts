// The read-only check and the SQL a DBA runs to fix what it finds. Outpost never writes to a plant's
// database; a login that could is not blocked (plants often start with the admin login during the
// setup call) but warned about, with the exact statements for a login that can only read the ticket
// table. Nothing here connects by itself except readOnlyCheck, which asks the adapter.
import type { Driver, SourceConfig } from '../config/schema.js';
import { SourceError, splitIdent, type AccessReport, type SourceAdapter } from './types.js';

export const DEFAULT_READER = 'outpost_reader';
const PASSWORD_PLACEHOLDER = 'choose-a-strong-password';

const quote: Record<Exclude<Driver, 'sqlite'>, (p: string) => string> = {
  postgres: (p) => `"${p}"`,
  mysql: (p) => `\`${p}\``,
  mssql: (p) => `[${p}]`,
};

/** Table parts with the driver's default schema filled in: [database?, schema?, table]. */
function parts(driver: Driver, table: string, database?: string): { db?: string; schema?: string; name: string } {
  const p = splitIdent(table);
  const name = p[p.length - 1];
  if (driver === 'mysql') return { db: p.length > 1 ? p[p.length - 2] : database, name };
  if (driver === 'postgres') return { db: p.length === 3 ? p[0] : database, schema: p.length > 1 ? p[p.length - 2] : 'public', name };
  return { db: p.length === 3 ? p[0] : database, schema: p.length > 1 ? p[p.length - 2] : 'dbo', name };
}

function qualified(driver: Exclude<Driver, 'sqlite'>, table: string, database?: string): string {
  const q = quote[driver];
  const t = parts(driver, table, database);
  if (driver === 'mysql') return t.db ? `${q(t.db)}.${q(t.name)}` : q(t.name);
  return `${q(t.schema!)}.${q(t.name)}`;
}

function checkLogin(login: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(login)) throw new Error(`"${login}" is not a plain login name; use letters, digits and _.`);
  return login;
}

/** GRANT SELECT on just this table (what a login without read access needs). */
export function grantSelectSql(driver: Driver, table: string, login: string, database?: string): string {
  if (driver === 'sqlite') return '';
  const t = qualified(driver, table, database);
  if (driver === 'mysql') return `GRANT SELECT ON ${t} TO '${login.replace(/'/g, "''")}'@'%';`;
  if (driver === 'postgres') {
    const { schema } = parts(driver, table, database);
    return `GRANT USAGE ON SCHEMA "${schema}" TO "${login}";\nGRANT SELECT ON ${t} TO "${login}";`;
  }
  return `GRANT SELECT ON ${t} TO [${login}];`;
}

/**
 * Statements a DBA runs to create a login that can only read `table` (one statement a line, with a
 * comment saying who runs them). The password is a placeholder the DBA replaces.
 */
export function readOnlyLoginSql(
  driver: Driver,
  opts: { table: string; database?: string; login?: string; changeTracking?: boolean },
): string {
  const login = checkLogin(opts.login ?? DEFAULT_READER);
  const { table, database } = opts;
  switch (driver) {
    case 'sqlite':
      return '-- SQLite: Outpost opens the file read-only; no login is needed.';
    case 'postgres': {
      const { schema, db } = parts(driver, table, database);
      return [
        `-- PostgreSQL: run as a superuser or the table's owner${db ? `, connected to database "${db}"` : ''}.`,
        `CREATE ROLE "${login}" LOGIN PASSWORD '${PASSWORD_PLACEHOLDER}';`,
        db ? `GRANT CONNECT ON DATABASE "${db}" TO "${login}";` : null,
        `GRANT USAGE ON SCHEMA "${schema}" TO "${login}";`,
        `GRANT SELECT ON ${qualified(driver, table, database)} TO "${login}";`,
      ]
        .filter(Boolean)
        .join('\n');
    }
    case 'mysql':
      return [
        `-- MySQL/MariaDB: run as root or a user with CREATE USER and GRANT OPTION.`,
        `CREATE USER '${login}'@'%' IDENTIFIED BY '${PASSWORD_PLACEHOLDER}';`,
        `GRANT SELECT ON ${qualified(driver, table, database)} TO '${login}'@'%';`,
      ].join('\n');
    case 'mssql': {
      const { db } = parts(driver, table, database);
      const t = qualified(driver, table, database);
      return [
        `-- SQL Server: run as sysadmin (or securityadmin plus db_owner of the ticket database). A SQL login, not a Windows account.`,
        `CREATE LOGIN [${login}] WITH PASSWORD = N'${PASSWORD_PLACEHOLDER}', CHECK_POLICY = ON${db ? `, DEFAULT_DATABASE = [${db}]` : ''};`,
        db ? `USE [${db}];` : null,
        `CREATE USER [${login}] FOR LOGIN [${login}];`,
        `GRANT SELECT ON ${t} TO [${login}];`,
        opts.changeTracking ? `GRANT VIEW CHANGE TRACKING ON ${t} TO [${login}];` : null,
      ]
        .filter(Boolean)
        .join('\n');
    }
  }
}

/** An index that lets the steady-state poll seek instead of scanning the ticket table. */
export function createIndexSql(driver: Driver, table: string, columns: string[], database?: string): string {
  const name = `ix_outpost_${parts(driver, table, database).name}_${columns.join('_')}`.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 60);
  if (driver === 'sqlite')
    return `CREATE INDEX "${name}" ON ${splitIdent(table)
      .map((p) => `"${p}"`)
      .join('.')} (${columns.map((c) => `"${c}"`).join(', ')});`;
  const q = quote[driver];
  return `CREATE INDEX ${q(name)} ON ${qualified(driver, table, database)} (${columns.map((c) => q(splitIdent(c)[0])).join(', ')});`;
}

/** SQL Server Change Tracking for one table, and the permission to read it. */
export function enableChangeTrackingSql(table: string, database: string | undefined, login: string = DEFAULT_READER): string {
  const { db } = parts('mssql', table, database);
  const t = qualified('mssql', table, database);
  return [
    db
      ? `ALTER DATABASE [${db}] SET CHANGE_TRACKING = ON (CHANGE_RETENTION = 7 DAYS, AUTO_CLEANUP = ON);`
      : `-- ALTER DATABASE <ticket database> SET CHANGE_TRACKING = ON (CHANGE_RETENTION = 7 DAYS, AUTO_CLEANUP = ON);`,
    `ALTER TABLE ${t} ENABLE CHANGE_TRACKING;`,
    `GRANT VIEW CHANGE TRACKING ON ${t} TO [${checkLogin(login)}];`,
  ].join('\n');
}

export interface ReadOnlyVerdict {
  status: 'pass' | 'warn' | 'fail';
  detail: string;
  fix?: string;
  report: AccessReport | null;
}

/** The read-only check for one table: pass (read only), warn (can write: SQL for a reader), fail (cannot read). */
export async function readOnlyCheck(
  src: SourceAdapter,
  source: SourceConfig,
  table: string,
  opts: { changeTracking?: boolean } = {},
): Promise<ReadOnlyVerdict> {
  if (source.driver === 'sqlite') {
    return { status: 'pass', detail: 'SQLite files are opened read-only; Outpost cannot change them.', report: null };
  }
  let report: AccessReport;
  try {
    report = await src.checkAccess(table);
  } catch (e) {
    const err = e as SourceError;
    return { status: 'warn', detail: `The read-only check could not run: ${err.message}`, report: null };
  }
  const login = report.login || source.user || '?';
  if (!report.canSelect) {
    return {
      status: 'fail',
      detail: `The login "${login}" may not read ${table}.`,
      fix: `Ask the DBA to run:\n${grantSelectSql(source.driver, table, login, source.database)}`,
      report,
    };
  }
  if (report.canWrite) {
    const how = report.via.length ? ` (${report.via.join('; ')})` : '';
    return {
      status: 'warn',
      detail: `The login "${login}" can change ${table}: ${report.writePrivileges.join(', ')}${how}. Outpost only reads, but a login that can write is a risk if this computer is compromised.`,
      fix: `Ask the DBA to create a read-only login for just this table, then put it in the profile (password as env:NAME):\n${readOnlyLoginSql(source.driver, { table, database: source.database, changeTracking: opts.changeTracking })}`,
      report,
    };
  }
  return { status: 'pass', detail: `The login "${login}" can read ${table} and cannot change it.`, report };
}
