// Setup without a terminal (piped, service, CI): the wizard's steps in order, no prompts, one log
// line per step, every choice taken from the flags or the suggestion. The first failing step stops
// it with a plain Error saying what to fix.
import type { HandoffAction, HandoffResult, SetupDraft, SetupServices, TableInfo } from '../../core/setup/services.js';
import { failureReasons, mappedCountText } from '../../core/setup/editor.js';
import { suggestZone } from '../../core/setup/zones.js';
import {
  DAEMON_TEXT,
  changeLabel,
  changeOptions,
  errorText,
  stepIndex,
  stepTitle,
  keyFor,
  mappingSummary,
  redact,
  stepLabel,
  tableSummary,
  type StepId,
} from '../wizard/format.js';

export async function runHeadless(opts: {
  services: SetupServices;
  draft: SetupDraft;
  log: (line: string) => void;
  action?: HandoffAction;
}): Promise<HandoffResult> {
  const { services, log } = opts;
  let draft: SetupDraft = { ...opts.draft };
  const secrets = () => [draft.token, draft.source.password];
  const ok = (id: StepId, result: string) => log(`✔ ${stepLabel(id).replace(':', ',')}: ${result}`);
  const fail = (id: StepId, message: string): never => {
    throw new Error(`Setup stopped at step ${stepIndex(id) + 1} (${stepTitle(id)}): ${redact(message, secrets())}`);
  };
  // A service that throws is a failed step like one that answers "not ok".
  const attempt = async <T>(id: StepId, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      return fail(id, errorText(err));
    }
  };

  log('No terminal detected: running setup non-interactively.');

  const who = await attempt('token', () => services.checkToken(draft.apiUrl, draft.token));
  if (!who.ok) fail('token', who.message);
  else {
    if (draft.environment && who.environment && who.environment.toLowerCase() !== draft.environment) {
      fail(
        'token',
        `this token belongs to the ${who.environment} environment, not ${draft.environment}; pass --environment ${who.environment} or use a ${draft.environment} token.`,
      );
    }
    draft = { ...draft, environment: draft.environment ?? ((who.environment?.toLowerCase() as SetupDraft['environment']) || 'sandbox') };
    ok('token', `${who.accountName} (${who.environment})${who.clock && who.clock.status !== 'pass' ? `; ${who.clock.detail}` : ''}`);
  }

  const conn = await attempt('database', () => services.testConnection(draft.source));
  if (!conn.ok) return fail('database', conn.message);
  ok(
    'database',
    `Connected: ${conn.serverVersion} in ${conn.latencyMs} ms${conn.clock && conn.clock.status !== 'pass' ? `; ${conn.clock.detail}` : ''}`,
  );

  const table = pickTable(conn.tables, draft.table);
  if (!table) {
    return fail(
      'table',
      draft.table
        ? `the table "${draft.table}" was not found on this connection; give the table name as the database lists it.`
        : "no tables were found on this connection; check the database name and the user's read rights.",
    );
  }
  const k = keyFor(table, draft);
  draft = { ...draft, table: table.name, key: k.key, changeColumn: k.changeColumn, changeMode: k.changeMode };
  ok('table', tableSummary(table, k.key, k.changeColumn));
  const change = changeOptions(table, draft).find(
    (o) => o.mode === draft.changeMode && (o.column ?? null) === (draft.changeColumn ?? null),
  );
  ok(
    'change',
    `${changeLabel({ mode: draft.changeMode ?? 'timestamp', column: draft.changeColumn })}${change?.needs ? `; from a DBA: ${change.needs}` : ''}`,
  );

  const zone = suggestZone({ draft: draft.timezone, database: conn.timezone });
  draft = { ...draft, timezone: zone.zone };
  ok('zone', `${zone.zone} (${zone.why})`);

  const spec = draft.samples ?? { latest: 5 };
  const sample = await attempt('samples', () => services.pullSample(draft, spec));
  ok(
    'samples',
    `${sample.rows.length} rows from ${draft.table}${sample.notFound?.length ? `; not found: ${sample.notFound.join(', ')}` : ''}`,
  );

  if (services.evaluateMapping) {
    const m = await attempt('mapping', () => services.evaluateMapping!(draft, sample.rows));
    if (m.error) fail('mapping', m.error);
    const why = failureReasons(m)[0];
    ok('mapping', `${mappedCountText(m)}${why ? `; ${m.total - m.mapped} filtered (${why.reason})` : ''}`);
  } else {
    const mapped = await attempt('mapping', () => services.previewMapping(draft, sample.rows));
    ok('mapping', mappingSummary(mapped));
  }
  ok(
    'secrets',
    draft.token.startsWith('env:') || draft.token.startsWith('secret:')
      ? 'given as references'
      : 'kept in the secrets file beside the config',
  );

  const result = await attempt('handoff', () => services.handoff(draft, opts.action ?? 'start'));
  ok(
    'handoff',
    `${result.daemon ? DAEMON_TEXT[result.daemon].toLowerCase() : 'saved'}; config saved to ${result.configPath}${result.dashboardUrl ? `; dashboard: ${result.dashboardUrl}` : ''}`,
  );
  for (const n of result.notes ?? []) log(`  ${n}`);
  return result;
}

/** The named table (exact, then case-insensitive), or the first listed when none was named. */
function pickTable(tables: TableInfo[], name: string): TableInfo | undefined {
  if (!name) return tables[0];
  return tables.find((t) => t.name === name) ?? tables.find((t) => t.name.toLowerCase() === name.toLowerCase());
}
