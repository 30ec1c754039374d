// Setup without a terminal (piped, service, CI): the wizard's six steps in order, no prompts, one log
// line per step. The first failing step stops it with a plain Error saying what to fix.
import type { SetupDraft, SetupServices, TableInfo } from '../../core/setup/services.js';
import { STEP_TITLES, errorText, keyFor, mappingSummary, redact, tableSummary } from '../wizard/format.js';

export async function runHeadless(opts: {
  services: SetupServices;
  draft: SetupDraft;
  log: (line: string) => void;
}): Promise<{ dashboardUrl: string; configPath: string }> {
  const { services, log } = opts;
  let draft: SetupDraft = { ...opts.draft };
  const secrets = () => [draft.token, draft.source.password];
  const ok = (i: number, result: string) => log(`✔ Step ${i + 1} of 6, ${STEP_TITLES[i]}: ${result}`);
  const fail = (i: number, message: string): never => {
    throw new Error(`Setup stopped at step ${i + 1} (${STEP_TITLES[i]}): ${redact(message, secrets())}`);
  };
  // A service that throws is a failed step like one that answers "not ok".
  const attempt = async <T>(i: number, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      return fail(i, errorText(err));
    }
  };

  log('No terminal detected: running setup non-interactively.');

  const who = await attempt(0, () => services.checkToken(draft.apiUrl, draft.token));
  if (!who.ok) fail(0, who.message);
  else ok(0, `${who.accountName} (${who.environment})`);

  const conn = await attempt(1, () => services.testConnection(draft.source));
  if (!conn.ok) return fail(1, conn.message);
  ok(1, `Connected: ${conn.serverVersion} in ${conn.latencyMs} ms`);

  const table = pickTable(conn.tables, draft.table);
  if (!table) {
    return fail(
      2,
      draft.table
        ? `the table "${draft.table}" was not found on this connection; give the table name as the database lists it.`
        : 'no tables were found on this connection; check the database name and the user\'s read rights.',
    );
  }
  const k = keyFor(table, draft);
  draft = { ...draft, table: table.name, key: k.key, changeColumn: k.changeColumn, changeMode: k.changeMode };
  ok(2, tableSummary(table, k.key, k.changeColumn));

  const sample = await attempt(3, () => services.pullSample(draft, 5));
  ok(3, `${sample.rows.length} rows from ${draft.table}`);

  const mapped = await attempt(4, () => services.previewMapping(draft, sample.rows));
  ok(4, mappingSummary(mapped));

  const result = await attempt(5, () => services.handoff(draft));
  ok(5, `daemon started; config saved to ${result.configPath}; dashboard: ${result.dashboardUrl}`);
  return result;
}

/** The named table (exact, then case-insensitive), or the first listed when none was named. */
function pickTable(tables: TableInfo[], name: string): TableInfo | undefined {
  if (!name) return tables[0];
  return tables.find((t) => t.name === name) ?? tables.find((t) => t.name.toLowerCase() === name.toLowerCase());
}
