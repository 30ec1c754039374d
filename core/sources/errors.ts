// Driver errors → one plain sentence that says what to check, plus the driver's own code for support.
// Plant IT people read these during the setup call, so each names the setting to look at. Driver text
// can carry connection strings or passwords: it is scrubbed before any of it is kept.
import type { Driver } from '../config/schema.js';
import { scrub } from '../log.js';
import { SourceError } from './types.js';

export interface ErrorContext {
  driver: Driver;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  /** SQL Server named instance, when one is used. */
  instance?: string;
  /** The table being read, when the error came from a statement about it. */
  table?: string;
  /** Connect timeout in ms (to say how long Outpost waited). */
  timeoutMs?: number;
  /** Values that must never appear in the text (the password). */
  secrets?: Array<string | undefined>;
  /** SQL Server: the server's error number seen during login (tedious keeps only the message). */
  loginErrorNumber?: number;
}

const PRODUCT: Record<Driver, string> = { postgres: 'PostgreSQL', mysql: 'MySQL/MariaDB', mssql: 'SQL Server', sqlite: 'SQLite' };

interface DriverError {
  code?: string | number;
  errno?: number;
  number?: number;
  message?: string;
  cause?: unknown;
  originalError?: unknown;
  sqlMessage?: string;
}

/** Every error in a chain (mssql wraps tedious wraps node's socket error; AggregateError from happy-eyeballs). */
function chain(e: unknown): DriverError[] {
  const out: DriverError[] = [];
  const seen = new Set<unknown>();
  const walk = (x: unknown, depth: number) => {
    if (!x || typeof x !== 'object' || seen.has(x) || depth > 6) return;
    seen.add(x);
    out.push(x as DriverError);
    const d = x as DriverError & { errors?: unknown[] };
    walk(d.originalError, depth + 1);
    walk(d.cause, depth + 1);
    if (Array.isArray(d.errors)) for (const inner of d.errors) walk(inner, depth + 1);
  };
  walk(e, 0);
  return out;
}

const NET = {
  refused: new Set(['ECONNREFUSED']),
  dns: new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL']),
  unreachable: new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']),
  timeout: new Set(['ETIMEDOUT', 'ETIMEOUT', 'ESOCKETTIMEDOUT']),
  reset: new Set(['ECONNRESET', 'EPIPE', 'PROTOCOL_CONNECTION_LOST']),
};

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_UNSUPPORTED_PROTOCOL',
  'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
  'ERR_SSL_NO_PROTOCOLS_AVAILABLE',
  'EPROTO',
  'HANDSHAKE_NO_SSL_SUPPORT',
  'HANDSHAKE_SSL_ERROR',
]);

function where(ctx: ErrorContext): string {
  if (ctx.driver === 'mssql' && ctx.instance && !ctx.port) return `${ctx.host}\\${ctx.instance}`;
  return `${ctx.host ?? 'localhost'}:${ctx.port ?? ''}`.replace(/:$/, '');
}

function seconds(ctx: ErrorContext): string {
  return ctx.timeoutMs ? `${Math.round(ctx.timeoutMs / 100) / 10} s` : 'the connect timeout';
}

/** Network-level problems shared by every driver. */
function networkError(e: DriverError[], ctx: ErrorContext): SourceError | null {
  const product = PRODUCT[ctx.driver];
  for (const x of e) {
    const code = typeof x.code === 'string' ? x.code : '';
    if (NET.refused.has(code)) {
      const extra = ctx.driver === 'mssql' ? ', that TCP/IP is enabled in SQL Server Configuration Manager' : '';
      return new SourceError(
        `Nothing accepts connections on ${where(ctx)}; check the "port" in the profile, that the ${product} service is running${extra} and that it listens on the network, not only locally.`,
        code,
        'network',
      );
    }
    if (NET.dns.has(code)) {
      return new SourceError(
        `The server name "${ctx.host}" cannot be found (DNS); check the "host" in the profile, or use the server's IP address.`,
        code,
        'network',
      );
    }
    if (NET.unreachable.has(code)) {
      return new SourceError(
        `There is no network route to ${ctx.host}; check the "host" in the profile and that this computer can reach the server's network (VPN, VLAN, firewall).`,
        code,
        'network',
      );
    }
    if (TLS_CODES.has(code)) return tlsError(x, ctx);
    if (NET.timeout.has(code)) {
      return new SourceError(
        `No answer from ${where(ctx)} within ${seconds(ctx)}; a firewall may be dropping the port, or the host or port is wrong — check both, and that the firewall allows this computer.`,
        code,
        'timeout',
      );
    }
  }
  for (const x of e) {
    if (/certificate|SSL routines|self[- ]signed|TLS/i.test(x.message ?? '')) return tlsError(x, ctx);
  }
  for (const x of e) {
    const code = typeof x.code === 'string' ? x.code : '';
    if (NET.reset.has(code)) {
      return new SourceError(
        `The connection to ${where(ctx)} was closed by the server or a firewall; check that the port belongs to ${product} and that nothing in between (proxy, firewall) cuts the connection.`,
        code,
        'network',
      );
    }
  }
  return null;
}

function tlsError(x: DriverError, ctx: ErrorContext): SourceError {
  const code = typeof x.code === 'string' && x.code ? x.code : 'TLS';
  const msg = x.message ?? '';
  const selfSigned = /self[- ]signed|DEPTH_ZERO|SELF_SIGNED|unable to verify|issuer/i.test(`${code} ${msg}`);
  const hint =
    ctx.driver === 'mssql'
      ? selfSigned
        ? 'install a certificate the computer trusts on SQL Server, or set "trustServerCertificate": true in source.options if the plant accepts an unverified certificate'
        : 'check "encrypt" and "trustServerCertificate" in source.options and the server\'s certificate (name, expiry)'
      : ctx.driver === 'postgres'
        ? 'check "ssl" in source.options (true, false, or {"rejectUnauthorized": false} for a self-signed certificate) and the server\'s certificate'
        : 'check "ssl" in source.options (true, false, or {"rejectUnauthorized": false} for a self-signed certificate) and the server\'s certificate';
  const reason = selfSigned
    ? "the server's certificate is not trusted by this computer"
    : /expired/i.test(`${code} ${msg}`)
      ? "the server's certificate has expired"
      : /altname|hostname/i.test(`${code} ${msg}`)
        ? 'the certificate is for another host name'
        : 'the TLS handshake failed';
  return new SourceError(`The encrypted connection to ${where(ctx)} failed: ${reason}; ${hint}.`, code, 'tls');
}

function missingTable(ctx: ErrorContext, named?: string): string {
  const t = ctx.table ?? named ?? 'the table';
  return `The table "${t}" does not exist, or the login "${ctx.user ?? ''}" cannot see it; check "table" in the profile (schema-qualified, e.g. dbo.Tickets) or run "outpost setup" to pick it.`;
}

function missingColumn(ctx: ErrorContext, msg: string): string {
  return `A column in the profile does not exist in "${ctx.table ?? 'the table'}" (${scrub(msg, ctx.secrets)}); check "key", "change.column" and the mapping fields.`;
}

function noSelect(ctx: ErrorContext, named?: string): string {
  const t = ctx.table ?? named ?? 'the table';
  return `The login "${ctx.user ?? ''}" may not read "${t}"; ask the DBA to grant SELECT on it (see "outpost validate" for the statement).`;
}

function other(e: DriverError, ctx: ErrorContext, code: string): SourceError {
  const text = scrub(e.sqlMessage ?? e.message ?? String(e), ctx.secrets)
    .replace(/\s+/g, ' ')
    .trim();
  return new SourceError(
    `${PRODUCT[ctx.driver]} reported: ${text.replace(/[.;:]+$/, '')}; check the profile's source settings, or send this message and code to support.`,
    code,
    'other',
  );
}

// --- PostgreSQL (SQLSTATE codes) -----------------------------------------------------------------

function pgError(e: DriverError[], ctx: ErrorContext): SourceError | null {
  const top = e[0];
  const state = e.map((x) => x.code).find((c): c is string => typeof c === 'string' && /^(?=.*\d)[0-9A-Z]{5}$/.test(c));
  const msg = top.message ?? '';
  switch (state) {
    case '28P01':
      return new SourceError(
        `PostgreSQL refused the password for user "${ctx.user}"; check "user" and "password" in the profile (or the environment variable it names).`,
        state,
        'auth',
      );
    case '28000':
      if (/pg_hba/i.test(msg)) {
        return new SourceError(
          `PostgreSQL does not accept logins for "${ctx.user}" from this computer (no pg_hba.conf entry${/SSL off|no encryption/i.test(msg) ? ' for unencrypted connections' : ''}); ask the DBA to add a "host" line for this computer's address, or set "ssl" in source.options.`,
          state,
          'auth',
        );
      }
      if (/role .* does not exist/i.test(msg)) {
        return new SourceError(
          `PostgreSQL has no login "${ctx.user}"; check the user name in the profile or ask the DBA to create the login.`,
          state,
          'auth',
        );
      }
      return new SourceError(
        `PostgreSQL refused the login "${ctx.user}"; check the user name and that the login may connect (LOGIN, pg_hba.conf).`,
        state,
        'auth',
      );
    case '3D000':
      return new SourceError(
        `The database "${ctx.database}" does not exist on ${where(ctx)}; check "database" in the profile (names are case-sensitive).`,
        state,
        'missing',
      );
    case '42P01':
      return new SourceError(missingTable(ctx, /relation "([^"]+)"/.exec(msg)?.[1]), state, 'missing');
    case '42703':
      return new SourceError(missingColumn(ctx, msg), state, 'missing');
    case '42501':
      if (/database/i.test(msg) && /CONNECT/i.test(msg)) {
        return new SourceError(
          `The login "${ctx.user}" may not connect to database "${ctx.database}"; ask the DBA to run GRANT CONNECT ON DATABASE.`,
          state,
          'permission',
        );
      }
      if (/schema/i.test(msg)) {
        return new SourceError(
          `The login "${ctx.user}" may not use the table's schema; ask the DBA to GRANT USAGE ON SCHEMA to it.`,
          state,
          'permission',
        );
      }
      return new SourceError(noSelect(ctx, /(?:table|relation|view) "?([^"\s]+)"?/.exec(msg)?.[1]), state, 'permission');
    case '53300':
      return new SourceError(
        `PostgreSQL has no free connections (too many clients); ask the DBA to raise max_connections or close idle sessions, Outpost will retry.`,
        state,
        'other',
      );
    case '57P03':
      return new SourceError(
        `PostgreSQL is starting up or shutting down; Outpost will retry — wait a minute and run the check again.`,
        state,
        'other',
      );
    case '57014':
      return new SourceError(
        `The query was cancelled by a statement timeout on the server; ask the DBA to check the timeout for this login, or lower batchSize.`,
        state,
        'timeout',
      );
  }
  if (/does not support SSL|server does not support SSL/i.test(msg)) {
    return new SourceError(
      `The PostgreSQL server at ${where(ctx)} does not accept encrypted connections; set "ssl": false in source.options or ask the DBA to enable SSL.`,
      'NO_SSL',
      'tls',
    );
  }
  if (/timeout expired|connection timeout|Connection terminated due to connection timeout/i.test(msg)) {
    return new SourceError(
      `No answer from ${where(ctx)} within ${seconds(ctx)}; a firewall may be dropping the port, or the host or port is wrong — check both, and that the firewall allows this computer.`,
      'ETIMEDOUT',
      'timeout',
    );
  }
  if (/Connection terminated unexpectedly/i.test(msg)) {
    return new SourceError(
      `The server at ${where(ctx)} closed the connection during login; check that the port belongs to PostgreSQL and the server's log for the reason.`,
      'ECONNRESET',
      'network',
    );
  }
  if (/SASL|SCRAM|password must be a string|client password must be/i.test(msg)) {
    return new SourceError(
      `PostgreSQL asks for a password for "${ctx.user}" and none usable was given; set "password" in the profile (inline or env:NAME).`,
      'NO_PASSWORD',
      'auth',
    );
  }
  return state ? other(top, ctx, state) : null;
}

// --- MySQL / MariaDB (mysql2 codes) --------------------------------------------------------------

function mysqlError(e: DriverError[], ctx: ErrorContext): SourceError | null {
  const top = e[0];
  const code = typeof top.code === 'string' ? top.code : '';
  const label = top.errno ? `${code} (${top.errno})` : code;
  const msg = top.sqlMessage ?? top.message ?? '';
  switch (code) {
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
      return new SourceError(
        `MySQL/MariaDB refused the login "${ctx.user}": wrong password, or no such user for this computer's address; check "user" and "password" in the profile.`,
        label,
        'auth',
      );
    case 'ER_HOST_NOT_PRIVILEGED':
      return new SourceError(
        `MySQL/MariaDB does not let "${ctx.user}" log in from this computer; ask the DBA for a user with host '%' or this computer's address.`,
        label,
        'auth',
      );
    case 'ER_DBACCESS_DENIED_ERROR':
      return new SourceError(
        `The login "${ctx.user}" may not open database "${ctx.database}"; ask the DBA to grant SELECT on the ticket table in it.`,
        label,
        'permission',
      );
    case 'ER_BAD_DB_ERROR':
      return new SourceError(
        `The database "${ctx.database}" does not exist on ${where(ctx)}; check "database" in the profile.`,
        label,
        'missing',
      );
    case 'ER_NO_SUCH_TABLE':
      return new SourceError(missingTable(ctx, /Table '([^']+)'/.exec(msg)?.[1]), label, 'missing');
    case 'ER_TABLEACCESS_DENIED_ERROR':
    case 'ER_COLUMNACCESS_DENIED_ERROR': {
      // MySQL answers the same for a table that does not exist when the login has no database-wide grant.
      const t = ctx.table ?? /table '([^']+)'/i.exec(msg)?.[1] ?? 'the table';
      return new SourceError(
        `The login "${ctx.user ?? ''}" may not read "${t}" (or it does not exist); check "table" in the profile and ask the DBA to grant SELECT on it (see "outpost validate" for the statement).`,
        label,
        'permission',
      );
    }
    case 'ER_BAD_FIELD_ERROR':
      return new SourceError(missingColumn(ctx, msg), label, 'missing');
    case 'ER_CON_COUNT_ERROR':
    case 'ER_TOO_MANY_USER_CONNECTIONS':
      return new SourceError(
        `MySQL/MariaDB has no free connections; ask the DBA to raise max_connections, Outpost will retry.`,
        label,
        'other',
      );
    case 'ER_NOT_SUPPORTED_AUTH_MODE':
    case 'AUTH_SWITCH_PLUGIN_ERROR':
      return new SourceError(
        `The server asks for an authentication method this client does not support for "${ctx.user}"; ask the DBA to use mysql_native_password or caching_sha2_password for this user.`,
        label,
        'auth',
      );
    case 'ER_MUST_CHANGE_PASSWORD_LOGIN':
    case 'ER_MUST_CHANGE_PASSWORD':
      return new SourceError(
        `The password of "${ctx.user}" has expired; ask the DBA to set a new one and put it in the profile.`,
        label,
        'auth',
      );
    case 'HANDSHAKE_NO_SSL_SUPPORT':
      return new SourceError(
        `The server at ${where(ctx)} does not accept encrypted connections; remove "ssl" from source.options or ask the DBA to enable TLS.`,
        label,
        'tls',
      );
  }
  if (/^ER_/.test(code)) return other(top, ctx, label);
  return null;
}

// --- SQL Server (mssql / tedious) ----------------------------------------------------------------

/** SQL Server error numbers → plain sentences (login numbers come from the server's ERROR token). */
function mssqlNumber(n: number, ctx: ErrorContext, msg: string): SourceError | null {
  const code = String(n);
  switch (n) {
    case 18456:
      return new SourceError(
        `SQL Server refused the login "${ctx.user}": wrong password, no such SQL login, or the server allows only Windows authentication; check "user" and "password", and ask the DBA that "SQL Server and Windows Authentication mode" is on.`,
        code,
        'auth',
      );
    case 18452:
      return new SourceError(
        `SQL Server accepts only Windows logins on this instance; ask the DBA to enable "SQL Server and Windows Authentication mode" and create a SQL login for Outpost.`,
        code,
        'auth',
      );
    case 18470:
      return new SourceError(`The SQL login "${ctx.user}" is disabled; ask the DBA to enable it (ALTER LOGIN … ENABLE).`, code, 'auth');
    case 18486:
      return new SourceError(
        `The SQL login "${ctx.user}" is locked out after failed attempts; ask the DBA to unlock it (ALTER LOGIN … WITH PASSWORD … UNLOCK).`,
        code,
        'auth',
      );
    case 18487:
    case 18488:
      return new SourceError(
        `The password of SQL login "${ctx.user}" has expired or must be changed; ask the DBA to set a new one and put it in the profile.`,
        code,
        'auth',
      );
    case 4060:
      return new SourceError(
        `The login "${ctx.user}" cannot open database "${ctx.database}": it does not exist or the login has no user in it; check "database" in the profile or ask the DBA to CREATE USER for the login in that database.`,
        code,
        'missing',
      );
    case 916:
      return new SourceError(
        `The login "${ctx.user}" has no access to database "${ctx.database}"; ask the DBA to CREATE USER for the login in that database.`,
        code,
        'permission',
      );
    case 208:
      return new SourceError(missingTable(ctx, /Invalid object name '([^']+)'/.exec(msg)?.[1]), code, 'missing');
    case 207:
      return new SourceError(missingColumn(ctx, msg), code, 'missing');
    case 229:
    case 230:
      return new SourceError(noSelect(ctx, /object '([^']+)'/.exec(msg)?.[1]), code, 'permission');
    case 297:
    case 300:
      return new SourceError(
        `The login "${ctx.user}" lacks a permission this mode needs (${/'([A-Z ]+)' permission/.exec(msg)?.[1] ?? 'VIEW CHANGE TRACKING'}); ask the DBA to grant it (see "outpost validate").`,
        code,
        'permission',
      );
    case 1222:
      return new SourceError(`The table is locked by another session (lock timeout); Outpost will retry.`, code, 'timeout');
    case 4064:
      return new SourceError(
        `The login's default database cannot be opened; set "database" in the profile or ask the DBA to fix the login's default database.`,
        code,
        'missing',
      );
  }
  return null;
}

const LOGIN_TEXT: Array<[RegExp, number]> = [
  [/Cannot open database .* requested by the login/i, 4060],
  [/untrusted domain/i, 18452],
  [/account is disabled/i, 18470],
  [/account is currently locked/i, 18486],
  [/password .* (has )?expired|must be changed/i, 18487],
  [/Cannot open user default database/i, 4064],
  [/Login failed for user/i, 18456],
];

function mssqlError(e: DriverError[], ctx: ErrorContext): SourceError | null {
  const top = e[0];
  const codes = e.map((x) => x.code).filter((c): c is string => typeof c === 'string');
  const code = codes.find((c) => /^E[A-Z]+$/.test(c)) ?? codes[0] ?? '';
  const msg = e.map((x) => x.message ?? '').join(' | ');
  const num = e.map((x) => x.number).find((n): n is number => typeof n === 'number');

  if (code === 'ELOGIN') {
    let n = ctx.loginErrorNumber;
    if (!n)
      for (const [re, v] of LOGIN_TEXT)
        if (re.test(msg)) {
          n = v;
          break;
        }
    const mapped = n ? mssqlNumber(n, ctx, msg) : null;
    if (mapped) return new SourceError(mapped.message, `ELOGIN (${n})`, mapped.kind);
    return new SourceError(
      `SQL Server refused the login "${ctx.user}"; check "user", "password" and "database" in the profile.`,
      'ELOGIN',
      'auth',
    );
  }
  if (code === 'EINSTLOOKUP') {
    return new SourceError(
      `The SQL Server Browser on ${ctx.host} did not answer for instance "${ctx.instance}" (UDP port 1434); put the instance's TCP port in "port" instead (SQL Server Configuration Manager shows it), or ask the DBA to start the SQL Server Browser service.`,
      code,
      'network',
    );
  }
  if (code === 'EENCRYPT') {
    return /requires encryption/i.test(msg)
      ? new SourceError(`SQL Server at ${where(ctx)} requires encryption; set "encrypt": true in source.options.`, code, 'tls')
      : new SourceError(
          `SQL Server at ${where(ctx)} does not offer encryption; set "encrypt": false in source.options, or ask the DBA to configure a certificate.`,
          code,
          'tls',
        );
  }
  if (code === 'ETIMEOUT' && /Failed to connect/i.test(msg)) {
    const inst = ctx.instance && !ctx.port ? ' and the instance name' : '';
    return new SourceError(
      `SQL Server at ${where(ctx)} did not complete the login within ${seconds(ctx)}; check the host, port${inst}, and that the firewall allows TCP ${ctx.port ?? 1433} from this computer.`,
      'ETIMEOUT',
      'timeout',
    );
  }
  if (code === 'ETIMEOUT') {
    return new SourceError(
      `A query on SQL Server took longer than the request timeout; lower batchSize, check that the change column is indexed, or raise "requestTimeoutMs" in source.options.`,
      'ETIMEOUT',
      'timeout',
    );
  }
  if (num !== undefined) {
    const mapped = mssqlNumber(num, ctx, msg);
    if (mapped) return mapped;
  }
  if (code === 'ESOCKET' || code === 'ECONNCLOSED' || code === 'ECLOSE') {
    const net = networkError(e.slice(1), ctx);
    if (net) return net;
    return new SourceError(
      `The connection to SQL Server at ${where(ctx)} failed or was closed; check host, port and the firewall, then retry.`,
      code,
      'network',
    );
  }
  if (num !== undefined) return other(top, ctx, String(num));
  return null;
}

/** Turn any driver error into a SourceError with a plain message (already-plain errors pass through). */
export function toSourceError(err: unknown, ctx: ErrorContext): SourceError {
  if (err instanceof SourceError) return new SourceError(scrub(err.message, ctx.secrets), err.code, err.kind);
  const e = chain(err);
  if (e.length === 0) return new SourceError(scrub(String(err), ctx.secrets), 'UNKNOWN', 'other');
  const specific =
    ctx.driver === 'postgres'
      ? pgError(e, ctx)
      : ctx.driver === 'mysql'
        ? mysqlError(e, ctx)
        : ctx.driver === 'mssql'
          ? mssqlError(e, ctx)
          : null;
  const found = specific ?? networkError(e, ctx) ?? other(e[0], ctx, String(e[0].code ?? e[0].errno ?? 'UNKNOWN'));
  return new SourceError(scrub(found.message, ctx.secrets), found.code, found.kind);
}
