// `outpost setup --plain`: the wizard's six steps as line prompts (inquirer) — for terminals where
// a full-screen UI does not work well (old consoles, screen readers, a remote session that lags).
import { confirm, input, password, select } from '@inquirer/prompts';
import type { SourceConfig } from '../../core/config/schema.js';
import type { SetupDraft, SetupServices, TableInfo } from '../../core/setup/services.js';
import { STEP_TITLES, errorText, keyFor, mappedFields, mappingSummary, redact, sampleTableLines, tableSummary } from '../wizard/format.js';

type Io = { log: (line: string) => void };

/** Cancelled with Ctrl+C: inquirer throws ExitPromptError. */
export class SetupCancelled extends Error {}

async function ask<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if ((e as Error).name === 'ExitPromptError') throw new SetupCancelled('Setup cancelled.');
    throw e;
  }
}

export async function runPlain(opts: { services: SetupServices; draft: SetupDraft } & Io): Promise<{ dashboardUrl: string; configPath: string; draft: SetupDraft }> {
  const { services, log } = opts;
  let draft: SetupDraft = { ...opts.draft, source: { ...opts.draft.source } };
  const header = (i: number) => log(`\nStep ${i + 1} of 6: ${STEP_TITLES[i]}`);
  const secrets = () => [draft.token, draft.source.password];

  header(0);
  for (;;) {
    draft.apiUrl = await ask(input({ message: 'API URL', default: draft.apiUrl || undefined, validate: (v) => /^https?:\/\/\S+$/.test(v) || 'Enter a URL like https://api.example.com' }));
    const typed = await ask(password({ message: draft.token ? 'Account token (Enter keeps the one given)' : 'Account token', mask: '•' }));
    if (typed) draft.token = typed;
    const r = await services.checkToken(draft.apiUrl, draft.token).catch((e: unknown) => ({ ok: false as const, message: errorText(e) }));
    if (r.ok) {
      log(`✔ ${r.accountName} (${r.environment})`);
      break;
    }
    log(`✖ ${redact(r.message, secrets())}`);
  }

  header(1);
  let tables: TableInfo[];
  for (;;) {
    draft.source = await askSource(draft.source);
    const r = await services.testConnection(draft.source).catch((e: unknown) => ({ ok: false as const, message: errorText(e) }));
    if (r.ok) {
      log(`✔ Connected: ${r.serverVersion} in ${r.latencyMs} ms`);
      tables = r.tables;
      break;
    }
    log(`✖ ${redact(r.message, secrets())}`);
  }
  if (tables.length === 0) throw new Error('No tables were found on this connection; check the database name and the login\'s read rights.');

  header(2);
  const name = await ask(
    select({
      message: 'Ticket table',
      default: tables.some((t) => t.name === draft.table) ? draft.table : tables[0].name,
      choices: tables.map((t) => ({ name: `${t.name}${t.rowCount === null ? '' : ` (${t.rowCount} rows)`}`, value: t.name, description: t.notes?.join('; ') })),
    }),
  );
  const table = tables.find((t) => t.name === name)!;
  const k = keyFor(table, draft);
  draft = { ...draft, table: table.name, key: k.key, changeColumn: k.changeColumn, changeMode: k.changeMode };
  log(`✔ ${tableSummary(table, k.key, k.changeColumn)}`);

  header(3);
  const sample = await services.pullSample(draft, 5);
  for (const line of sampleTableLines(sample)) log(line);

  header(4);
  const mapped = await services.previewMapping(draft, sample.rows);
  for (const m of mapped) {
    log(`— ticket ${m.ticketNumber}`);
    if (m.ticket) for (const [label, value] of mappedFields(m.ticket)) log(`   ${label.padEnd(14)} ${value}`);
    else for (const p of m.problems) log(`   ! ${p}`);
  }
  log(mappingSummary(mapped));
  if (!(await ask(confirm({ message: 'Accept this mapping?', default: true })))) throw new SetupCancelled('Mapping not accepted: adjust the template or the profile\'s mapping.fields, then run setup again.');

  header(5);
  const r = await services.handoff(draft);
  log(`✔ Profile saved to ${r.configPath}`);
  return { ...r, draft };
}

async function askSource(s: SourceConfig): Promise<SourceConfig> {
  const driver = await ask(
    select({
      message: 'Database',
      default: s.driver,
      choices: [
        { name: 'SQL Server', value: 'mssql' as const },
        { name: 'PostgreSQL', value: 'postgres' as const },
        { name: 'MySQL / MariaDB', value: 'mysql' as const },
        { name: 'SQLite file', value: 'sqlite' as const },
      ],
    }),
  );
  if (driver === 'sqlite') return { driver, file: await ask(input({ message: 'Database file', default: s.file })), options: s.options ?? {} };
  const host = await ask(input({ message: 'Host (HOST, HOST\\INSTANCE or HOST,PORT)', default: s.host, required: true }));
  const portText = await ask(input({ message: 'Port (empty: the default)', default: s.port ? String(s.port) : '', validate: (v) => v === '' || (/^\d+$/.test(v) && Number(v) < 65536) || 'A port is a number up to 65535' }));
  const database = await ask(input({ message: 'Database name', default: s.database, required: true }));
  const user = await ask(input({ message: 'Login (a database login, read-only)', default: s.user, required: true }));
  const typed = await ask(password({ message: s.password ? 'Password (Enter keeps the one given)' : 'Password', mask: '•' }));
  return { driver, host, port: portText ? Number(portText) : undefined, database, user, password: typed || s.password, options: s.options ?? {} };
}
