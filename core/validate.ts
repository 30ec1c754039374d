// `outpost validate`: every check a profile needs before it can sync, as plain async functions that
// each return one line — pass / warn / fail, what was found, and what to do. The order follows what
// depends on what: token, API, database login, read-only, table, key, change mode, one mapped row.
import type { Profile, SourceConfig } from './config/schema.js';
import { MissingSecretError, resolveSecret } from './config/secrets.js';
import { createChangeReader } from './change/index.js';
import { ApiClient, RetryableError, TokenRejectedError } from './delivery/client.js';
import { mapContextFor } from './mapping/context.js';
import { createMapper, prepareRows } from './mapping/index.js';
import { cursorText, databaseClocks, isZoneless, secondsBetween } from './change/timestamp.js';
import { createIndexSql, enableChangeTrackingSql, readOnlyCheck } from './sources/access.js';
import { isIndexed, rankTables, suggestChangeModes } from './sources/discovery.js';
import { createSource } from './sources/index.js';
import type { SourceAdapter, TableDetail } from './sources/types.js';
import { USER_AGENT } from './version.js';

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface CheckLine {
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

export interface ValidateOptions {
  env?: NodeJS.ProcessEnv;
  /** Swap the adapter factory (tests). */
  createSource?: (source: SourceConfig, env: NodeJS.ProcessEnv) => Promise<SourceAdapter>;
  apiTimeoutMs?: number;
}

const line = (name: string, status: CheckStatus, detail: string, fix?: string): CheckLine =>
  fix ? { name, status, detail, fix } : { name, status, detail };

/** Token and API reach from one GET /v1/whoami. */
export async function checkApi(profile: Profile, opts: ValidateOptions = {}): Promise<CheckLine[]> {
  const env = opts.env ?? process.env;
  let token: string;
  try {
    token = resolveSecret(profile.api.token, env)!;
  } catch (e) {
    const msg = e instanceof MissingSecretError ? e.message : (e as Error).message;
    return [
      line(
        'token',
        'fail',
        msg,
        'Set the variable in the environment Outpost runs in (for a service: its environment), or put the token in the config file.',
      ),
      line('api', 'warn', 'Not checked: no token to ask the API with.'),
    ];
  }
  const client = new ApiClient({ url: profile.api.url, token, userAgent: USER_AGENT, timeoutMs: opts.apiTimeoutMs ?? 10_000 });
  const t0 = performance.now();
  try {
    const who = await client.whoami();
    const ms = Math.round(performance.now() - t0);
    const api = line('api', 'pass', `${profile.api.url} answered in ${ms} ms.`);
    if (who.environment && who.environment !== profile.environment) {
      return [
        line(
          'token',
          'warn',
          `The token belongs to account "${who.accountName}" in the ${who.environment} environment, but the profile says ${profile.environment}.`,
          `Use a ${profile.environment} token, or set "environment": "${who.environment}" in the profile.`,
        ),
        api,
      ];
    }
    return [line('token', 'pass', `Accepted for account "${who.accountName}" (${who.accountId}), environment ${who.environment}.`), api];
  } catch (e) {
    if (e instanceof TokenRejectedError) {
      return [
        line(
          'token',
          'fail',
          e.status === 401 ? 'The API rejected the token (401).' : 'The token may not post tickets (403).',
          'Copy the token again from the account page of the e-ticketing service, or ask the service to enable it.',
        ),
        line('api', 'pass', `${profile.api.url} answered.`),
      ];
    }
    if (e instanceof RetryableError && e.status !== null) {
      return [
        line('token', 'warn', 'Not checked: the API did not answer normally.'),
        line(
          'api',
          'fail',
          `${profile.api.url} answered ${e.status} to /v1/whoami.`,
          'Check api.url (the base URL, without /v1), then try again later; if it persists contact the e-ticketing service.',
        ),
      ];
    }
    return [
      line('token', 'warn', 'Not checked: the API cannot be reached.'),
      line(
        'api',
        'fail',
        (e as Error).message.replace(/;? ?retrying\.?$/, '.'),
        'Check api.url, that this computer can open HTTPS connections to it (firewall, proxy: HTTPS_PROXY), and its DNS name.',
      ),
    ];
  }
}

/** Connects and pings; returns the open adapter (the caller closes it) or null on failure. */
export async function checkDatabaseLogin(
  profile: Profile,
  opts: ValidateOptions = {},
): Promise<{ line: CheckLine; source: SourceAdapter | null }> {
  const env = opts.env ?? process.env;
  let src: SourceAdapter | null = null;
  try {
    src = await (opts.createSource ?? createSource)(profile.source, env);
    await src.connect();
    const ping = await src.ping();
    const s = profile.source;
    const where = s.driver === 'sqlite' ? s.file : `${s.host}${s.port ? `:${s.port}` : ''}${s.database ? `/${s.database}` : ''}`;
    const as = ping.login ? ` as "${ping.login}"` : '';
    return {
      line: line('database login', 'pass', `${ping.serverVersion} at ${where}${as}, round trip ${ping.latencyMs} ms.`),
      source: src,
    };
  } catch (e) {
    await src?.close().catch(() => {});
    const err = e as Error & { code?: string };
    return { line: line('database login', 'fail', `${err.message}${err.code ? ` [${err.code}]` : ''}`), source: null };
  }
}

export async function checkReadOnlyLine(src: SourceAdapter, profile: Profile): Promise<CheckLine> {
  const v = await readOnlyCheck(src, profile.source, profile.table, { changeTracking: profile.change.mode === 'changeTracking' });
  return line('read-only', v.status, v.detail, v.fix);
}

export async function checkTable(src: SourceAdapter, profile: Profile): Promise<{ line: CheckLine; table: TableDetail | null }> {
  let t: TableDetail | null;
  try {
    t = await src.describeTable(profile.table);
  } catch (e) {
    const err = e as Error & { code?: string };
    return { line: line('table', 'fail', `${err.message}${err.code ? ` [${err.code}]` : ''}`), table: null };
  }
  if (!t) {
    let hint =
      'Set "table" in the profile to the ticket table (schema-qualified where the database has schemas), or run "outpost setup" to pick it.';
    try {
      const likely = rankTables(await src.listTables(), src.driver)
        .slice(0, 3)
        .filter((c) => c.score > 0);
      if (likely.length)
        hint = `Tables that look like tickets: ${likely.map((c) => c.name).join(', ')} — set "table" in the profile to one of them.`;
    } catch {
      // the hint stays generic
    }
    return { line: line('table', 'fail', `There is no table or view "${profile.table}" that this login can see.`, hint), table: null };
  }
  const rows = t.rowCount === null ? 'row count unknown' : `about ${t.rowCount.toLocaleString('en-US')} row${t.rowCount === 1 ? '' : 's'}`;
  return {
    line: line('table', 'pass', `${t.kind === 'view' ? 'View' : 'Table'} ${t.name}: ${t.columns.length} columns, ${rows}.`),
    table: t,
  };
}

export function checkKey(t: TableDetail, profile: Profile): CheckLine {
  const names = new Map(t.columns.map((c) => [c.name, c]));
  const missing = profile.key.filter((k) => !names.has(k));
  if (missing.length) {
    const near = missing.map((k) => t.columns.find((c) => c.name.toLowerCase() === k.toLowerCase())?.name).filter(Boolean);
    const pk = t.primaryKey.length ? ` The table's primary key is ${t.primaryKey.join(', ')}.` : '';
    return line(
      'key',
      'fail',
      `Key column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not in ${t.name}.${pk}`,
      near.length
        ? `Names are case-sensitive: did you mean ${near.join(', ')}?`
        : `Set "key" in the profile to the column(s) that identify one ticket.`,
    );
  }
  const keySet = new Set(profile.key);
  const unique = (t.indexes ?? []).find((i) => i.unique && i.columns.length && i.columns.every((c) => keySet.has(c)));
  if (unique)
    return line('key', 'pass', `${profile.key.join(', ')} ${unique.primary ? 'is the primary key' : `is unique (index ${unique.name})`}.`);
  if (t.kind === 'view')
    return line(
      'key',
      'warn',
      `${profile.key.join(', ')} exists; ${t.name} is a view, so uniqueness cannot be checked.`,
      'Make sure no two rows of the view share the key, or one ticket would overwrite another.',
    );
  return line(
    'key',
    'warn',
    `No primary key or unique index makes ${profile.key.join(', ')} unique in ${t.name}; two rows with the same key would be sent as one ticket.`,
    t.primaryKey.length
      ? `Use the primary key (${t.primaryKey.join(', ')}) as "key", or ask the DBA for a unique index on the key.`
      : 'Ask the DBA for a unique index on the key columns, or choose columns that are unique.',
  );
}

const TEMPORAL = /date|time/i;

export async function checkChange(src: SourceAdapter, t: TableDetail, profile: Profile): Promise<CheckLine> {
  const mode = profile.change.mode;
  try {
    createChangeReader(profile);
  } catch (e) {
    return line('change', 'fail', (e as Error).message);
  }
  const suggestions = suggestChangeModes(t, src.driver, profile.key, { database: profile.source.database });
  const better = suggestions.find((s) => s.ready && s.mode !== mode);
  const betterNote =
    better && suggestions.indexOf(better) < suggestions.findIndex((s) => s.mode === mode)
      ? ` A better mode is available: ${better.mode}${better.column ? ` on ${better.column}` : ''} (${better.reason}).`
      : '';
  const col = profile.change.column ? t.columns.find((c) => c.name === profile.change.column) : undefined;
  if ((mode === 'timestamp' || mode === 'rowversion' || mode === 'snapshot') && !col) {
    const near = t.columns.find((c) => c.name.toLowerCase() === String(profile.change.column).toLowerCase());
    const suggest = suggestions.find((s) => s.ready && s.column);
    return line(
      'change',
      'fail',
      `The change column "${profile.change.column}" is not in ${t.name}.`,
      near
        ? `Names are case-sensitive: did you mean ${near.name}?`
        : suggest
          ? `Suggested: change.mode "${suggest.mode}" with column "${suggest.column}" — ${suggest.reason}.`
          : 'Set change.column to a column that changes on every write.',
    );
  }
  switch (mode) {
    case 'changeTracking': {
      if (src.driver !== 'mssql')
        return line(
          'change',
          'fail',
          'Change Tracking is a SQL Server feature.',
          'Use change.mode "timestamp" with a last-modified column.',
        );
      const d = t.changeTrackingDetail;
      if (!d?.database || !d.table)
        return line(
          'change',
          'fail',
          `Change Tracking is off for ${d?.database ? 'the table' : 'the database'}.`,
          `Ask the DBA to run:\n${enableChangeTrackingSql(t.name, profile.source.database, profile.source.user)}`,
        );
      if (!d.canView)
        return line(
          'change',
          'fail',
          `The login may not read Change Tracking on ${t.name}.`,
          `Ask the DBA to run: GRANT VIEW CHANGE TRACKING ON ${t.name} TO [${profile.source.user}];`,
        );
      return line('change', 'pass', `Change Tracking is on for ${t.name} and the login may read it.`);
    }
    case 'rowversion':
      if (col!.type !== 'rowversion')
        return line(
          'change',
          'fail',
          `${col!.name} is ${col!.declared ?? col!.type}, not a rowversion column.`,
          'Use change.mode "timestamp" for a date/time column, or name the rowversion column.',
        );
      return isIndexed(t, col!.name)
        ? line('change', 'pass', `rowversion column ${col!.name}, indexed.${betterNote}`)
        : line(
            'change',
            'warn',
            `rowversion column ${col!.name} has no index: every poll reads the whole table.`,
            `Ask the DBA to run: ${createIndexSql(src.driver, t.name, [col!.name], profile.source.database)}`,
          );
    case 'timestamp': {
      const type = col!.declared ?? col!.type;
      let clock: string;
      try {
        const d = src.dialect;
        const rows = await src.query(`SELECT ${d.nowFor ? d.nowFor(type) : d.now()} AS now`);
        clock = `; database clock ${String(rows[0]?.now)}`;
      } catch (e) {
        return line('change', 'fail', `Reading the database clock failed: ${(e as Error).message}`);
      }
      if (!TEMPORAL.test(col!.type) && src.driver !== 'sqlite') {
        return line(
          'change',
          'warn',
          `${col!.name} is ${type}, not a date/time type; it is compared as stored, so it must sort in time order.`,
          'Prefer a datetime column set on every insert and update.',
        );
      }
      const ahead = await newestAhead(src, t, profile, col!.name, type);
      if (ahead) return ahead;
      if (!isIndexed(t, col!.name)) {
        return line(
          'change',
          'warn',
          `${col!.name} (${type}) is not the first column of any index: every poll reads the whole table${clock}.`,
          `Ask the DBA to run: ${createIndexSql(src.driver, t.name, [col!.name], profile.source.database)}`,
        );
      }
      return line('change', 'pass', `${col!.name} (${type}), indexed${clock}.${betterNote}`);
    }
    case 'increasing': {
      const k = profile.change.column ?? profile.key[0];
      if (!t.columns.some((c) => c.name === k)) return line('change', 'fail', `The increasing column "${k}" is not in ${t.name}.`);
      return line(
        'change',
        'warn',
        `Increasing key ${k}: new tickets are seen, edits and voids after a ticket is written are not.${betterNote}`,
        better
          ? `Prefer change.mode "${better.mode}"${better.column ? ` with column "${better.column}"` : ''}.`
          : 'Ask for a last-modified column set on every write.',
      );
    }
    case 'snapshot':
      return line(
        'change',
        isIndexed(t, col!.name) ? 'pass' : 'warn',
        `Snapshot: recent tickets are re-read by ${col!.name} and compared each pass${isIndexed(t, col!.name) ? '' : ' (not indexed: each pass scans the table)'}.${betterNote}`,
      );
  }
}

/**
 * The newest change value ahead of the database clock: the column holds plant-local time in a zone
 * ahead of the database's (or a writer's clock is wrong). Rows stamped ahead wait until the bound
 * catches up, unless change.timezone names the plant's zone (the bound is then the plant's clock).
 */
async function newestAhead(src: SourceAdapter, t: TableDetail, profile: Profile, column: string, type: string): Promise<CheckLine | null> {
  const d = src.dialect;
  const c = d.ident(column);
  let rows;
  try {
    rows = await src.query(`SELECT MAX(${c}) AS newest, ${d.nowFor ? d.nowFor(type) : d.now()} AS now FROM ${d.ident(t.name)}`);
  } catch {
    return null;
  }
  const newest = rows[0]?.newest;
  if (newest === null || newest === undefined) return null;
  const n = cursorText(newest);
  const now = cursorText(rows[0].now);
  const ahead = secondsBetween(now, n);
  if (ahead <= 120) return null;
  const by = ahead >= 3600 ? `${Math.round((ahead / 3600) * 10) / 10} h` : `${Math.round(ahead / 60)} min`;
  const zone = profile.change.timezone;
  if (zone && isZoneless(type)) {
    const clocks = await databaseClocks(src, d.nowFor ? d.nowFor(type) : d.now(), zone).catch(() => null);
    const plantAhead = clocks?.plant ? secondsBetween(clocks.plant, n) : ahead;
    if (plantAhead <= 120) {
      return line(
        'change',
        'warn',
        `The newest ${column} (${n}) is ${by} ahead of the database clock (${now}): it holds plant-local time in ${zone}, ahead of the database's zone. Outpost bounds reads by the plant's clock (${clocks?.plant}), so these rows are read.`,
        `Check that change.timezone "${zone}" is the zone the plant's software writes ${column} in.`,
      );
    }
  }
  return line(
    'change',
    'warn',
    `The newest ${column} (${n}) is ${by} ahead of the database clock (${now}): rows stamped ahead of the clock are held back until it catches up.`,
    zone
      ? `The plant's clock in ${zone} is behind ${n} too: check the clock of the machine that writes ${column}, and that change.timezone is the plant's zone.`
      : `If ${column} holds the plant's local time, set change.timezone to the plant's IANA zone (e.g. "Asia/Kolkata"): reads are then bounded by the plant's clock.`,
  );
}

export async function checkMapping(src: SourceAdapter, t: TableDetail, profile: Profile): Promise<CheckLine> {
  let mapper;
  try {
    mapper = createMapper({
      template: profile.mapping.template,
      fields: profile.mapping.fields,
      skip: profile.mapping.skip,
      timezone: profile.change.timezone ?? 'UTC',
    });
  } catch (e) {
    return line('mapping', 'fail', (e as Error).message, 'Check mapping.template and mapping.fields in the profile.');
  }
  const d = src.dialect;
  const orderCol = [profile.change.column, ...profile.key].find((c) => c && t.columns.some((x) => x.name === c) && isIndexed(t, c));
  const sql = d.limit(`SELECT * FROM ${d.ident(profile.table)}${orderCol ? ` ORDER BY ${d.ident(orderCol)} DESC` : ''}`, 1);
  let rows;
  try {
    rows = await src.query(sql);
  } catch (e) {
    const err = e as Error & { code?: string };
    return line('mapping', 'fail', `Reading a sample row failed: ${err.message}${err.code ? ` [${err.code}]` : ''}`);
  }
  if (!rows.length)
    return line(
      'mapping',
      'warn',
      `${t.name} has no rows to try the mapping on.`,
      'Run "outpost validate" again once a ticket has been written.',
    );
  let row = rows[0];
  try {
    [row] = await prepareRows(src, mapper, rows);
  } catch (e) {
    return line(
      'mapping',
      'fail',
      `Reading the lines or lookups of a sample row failed: ${(e as Error).message}`,
      'Check the tables the template reads (lookup tables, linesSource) and that the login may read them.',
    );
  }
  const r = mapper.map(row, mapContextFor(profile, row));
  const keyText = profile.key.map((k) => `${k}=${String(row[k])}`).join(', ');
  if (!r.ok && r.skipped)
    return line(
      'mapping',
      'warn',
      `The newest row (${keyText}) is skipped by a row rule: ${r.problems[0]}. Its mapping is not checked.`,
      'Run "outpost preview" to see mapped tickets.',
    );
  if (r.ok)
    return line(
      'mapping',
      'pass',
      `The newest row (${keyText}) maps to a valid eTicket: ticket ${r.ticket.ticketNumber}, ${r.ticket.lines.length} line(s).`,
    );
  return line(
    'mapping',
    'fail',
    `The newest row (${keyText}) does not map: ${r.problems.slice(0, 5).join('; ')}${r.problems.length > 5 ? `; and ${r.problems.length - 5} more` : ''}.`,
    'Adjust mapping.fields in the profile (or run "outpost setup" to review the mapping with sample tickets).',
  );
}

/** Every check for one profile, in order. Never throws: a broken step becomes a fail line. */
export async function validateProfile(profile: Profile, opts: ValidateOptions = {}): Promise<CheckLine[]> {
  const out: CheckLine[] = [...(await checkApi(profile, opts))];
  const login = await checkDatabaseLogin(profile, opts);
  out.push(login.line);
  const skipped = (name: string) => line(name, 'warn', 'Not checked: no database connection.');
  if (!login.source) {
    out.push(skipped('read-only'), skipped('table'), skipped('key'), skipped('change'), skipped('mapping'));
    return out;
  }
  const src = login.source;
  try {
    out.push(await guard('read-only', () => checkReadOnlyLine(src, profile)));
    const table = await checkTable(src, profile).catch((e: Error) => ({ line: line('table', 'fail', e.message), table: null }));
    out.push(table.line);
    if (!table.table) {
      const none = (name: string) => line(name, 'warn', 'Not checked: the table was not found.');
      out.push(none('key'), none('change'), none('mapping'));
      return out;
    }
    const t = table.table;
    out.push(checkKey(t, profile));
    out.push(await guard('change', () => checkChange(src, t, profile)));
    out.push(await guard('mapping', () => checkMapping(src, t, profile)));
    return out;
  } finally {
    await src.close().catch(() => {});
  }
}

async function guard(name: string, f: () => Promise<CheckLine>): Promise<CheckLine> {
  try {
    return await f();
  } catch (e) {
    const err = e as Error & { code?: string };
    return line(name, 'fail', `${err.message}${err.code ? ` [${err.code}]` : ''}`);
  }
}
