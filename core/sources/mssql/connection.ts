// Connection settings: the profile's source → the mssql library's config. SQL authentication only (a
// connector runs as a service without a Windows session); encrypt defaults to true,
// trustServerCertificate to false.
import type sql from 'mssql';
import type { SourceConfig } from '../../config/schema.js';
import { checkOptions } from '../options.js';
import { SourceError } from '../types.js';
import { parseServer, type MssqlTarget } from './server-name.js';

const KNOWN_OPTIONS = new Set(['instanceName', 'encrypt', 'trustServerCertificate', 'connectTimeoutMs', 'requestTimeoutMs', 'appName']);

/** The SQL-authentication login check: Windows accounts cannot be used by a service connector. */
export function checkSqlLogin(user: string | undefined): string {
  if (!user)
    throw new SourceError(
      'SQL Server needs a SQL login: set "user" and "password" in the profile (Windows authentication is not supported).',
      'ENOUSER',
      'auth',
    );
  if (user.includes('\\')) {
    throw new SourceError(
      `"${user}" is a Windows domain account; Outpost connects with SQL Server authentication, so it needs a database login, not a Windows user — ask the DBA to create a SQL login (CREATE LOGIN … WITH PASSWORD) with SELECT on the ticket table and put it in the profile.`,
      'EDOMAINUSER',
      'auth',
    );
  }
  return user;
}

export function buildMssqlConfig(source: SourceConfig, password: string | undefined): sql.config & { target: MssqlTarget } {
  const o = source.options ?? {};
  checkOptions(o, KNOWN_OPTIONS, 'SQL Server');
  for (const k of ['encrypt', 'trustServerCertificate'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'boolean')
      throw new SourceError(`source.options.${k} must be true or false.`, 'EOPTION', 'other');
  }
  const user = checkSqlLogin(source.user);
  const target = parseServer(source.host ?? 'localhost', source.port, o.instanceName === undefined ? undefined : String(o.instanceName));
  return {
    target,
    server: target.server,
    ...(target.port ? { port: target.port } : {}),
    database: source.database,
    user,
    password: password ?? '',
    connectionTimeout: Number(o.connectTimeoutMs ?? 15_000),
    requestTimeout: Number(o.requestTimeoutMs ?? 60_000),
    pool: { max: 2, min: 0, idleTimeoutMillis: 60_000 },
    options: {
      encrypt: o.encrypt === undefined ? true : Boolean(o.encrypt),
      trustServerCertificate: o.trustServerCertificate === true,
      ...(target.instance ? { instanceName: target.instance } : {}),
      appName: String(o.appName ?? 'outpost'),
      useUTC: true,
      enableArithAbort: true,
    },
  };
}
