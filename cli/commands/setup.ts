// `outpost setup`: the wizard against a real plant database. Values given as flags (or env for
// secrets) prefill the fields; without a terminal, `--yes` runs the same steps non-interactively.
import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SetupDraft } from '../../core/setup/services.js';
import { configFile, home } from '../context.js';
import { EXIT, fail } from '../output.js';

interface SetupOptions {
  profile: string;
  config?: string;
  apiUrl?: string;
  driver: 'sqlite' | 'postgres' | 'mysql' | 'mssql';
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  file?: string;
  table?: string;
  key?: string;
  changeColumn?: string;
  template: string;
  timezone: string;
  every: string;
  yes?: boolean;
  plain?: boolean;
  start: boolean;
}

export function register(program: Command): void {
  program
    .command('setup')
    .description('set up a profile: token, database connection, table, samples, mapping review, then start the daemon')
    .option('--profile <name>', 'profile name', 'plant')
    .option('--config <file>', 'config file to write (default: <home>/outpost.json)')
    .option('--api-url <url>', 'e-ticketing API URL')
    .option('--driver <driver>', 'sqlite | postgres | mysql | mssql', 'sqlite')
    .option('--host <host>', 'database host')
    .option('--port <port>', 'database port', (v) => Number(v))
    .option('--database <name>', 'database name')
    .option('--user <user>', 'database login (a SQL login, read-only)')
    .option('--file <path>', 'SQLite database file')
    .option('--table <name>', 'ticket table')
    .option('--key <columns>', 'key column(s), comma separated')
    .option('--change-column <column>', 'last-modified column')
    .option('--template <name>', 'mapping template (default: the best match for the table\'s columns)', 'auto')
    .option('--timezone <zone>', 'plant time zone (IANA)', Intl.DateTimeFormat().resolvedOptions().timeZone)
    .option('--every <duration>', 'poll interval', '5s')
    .option('--plain', 'line-by-line prompts instead of the full-screen wizard')
    .option('--yes', 'no terminal: accept every step without prompts')
    .option('--no-start', 'save the profile but do not start the daemon')
    .addHelpText('after', '\nSecrets are never taken from the command line: the token comes from OUTPOST_TOKEN (or the wizard), the database password from OUTPOST_DB_PASSWORD.')
    .action(async (opts: SetupOptions) => {
      const { createLiveServices, draftToProfile } = await import('../../core/setup/live.js');
      const { upsertProfile } = await import('../../core/config/load.js');
      const runtime = await import('../../core/engine/runtime.js');
      const wizard = await import('../wizard/index.js');
      const file = configFile(opts);
      const dir = home();
      const env = process.env;
      const draft: SetupDraft = {
        profileName: opts.profile,
        apiUrl: opts.apiUrl ?? '',
        token: env.OUTPOST_TOKEN ?? '',
        source: {
          driver: opts.driver,
          host: opts.host,
          port: opts.port,
          database: opts.database,
          user: opts.user,
          password: env.OUTPOST_DB_PASSWORD ? 'env:OUTPOST_DB_PASSWORD' : undefined,
          file: opts.file,
          options: {},
        },
        table: opts.table ?? '',
        key: opts.key ? opts.key.split(',').map((s) => s.trim()) : [],
        changeColumn: opts.changeColumn ?? null,
        template: opts.template,
      };
      const handoff = async (d: SetupDraft) => {
        const token = env.OUTPOST_TOKEN && d.token === env.OUTPOST_TOKEN ? 'env:OUTPOST_TOKEN' : d.token;
        const profile = draftToProfile({ ...d, token }, { change: { mode: 'timestamp', column: d.changeColumn ?? undefined, lookbackSeconds: 300, timezone: opts.timezone }, schedule: { every: opts.every } });
        upsertProfile(file, profile);
        if (!opts.start) return { dashboardUrl: '(daemon not started: run "outpost start")', configPath: file };
        if (runtime.readDaemonInfo(dir)) return { dashboardUrl: runtime.readLaunchUrl(dir) ?? '(run "outpost stop" then "outpost start" to load the new profile)', configPath: file };
        mkdirSync(join(dir, 'logs'), { recursive: true, mode: 0o700 });
        // The daemon writes its own rotating log (logs/outpost.log); its stdout/stderr only hold a crash.
        const out = openSync(join(dir, 'logs', 'outpost.stderr.log'), 'w', 0o600);
        const child = spawn(process.execPath, [...runtime.DAEMON_NODE_FLAGS, fileURLToPath(new URL('../main.js', import.meta.url)), 'run', '--config', file], { detached: true, stdio: ['ignore', out, out], env: { ...env, OUTPOST_HOME: dir }, windowsHide: true });
        child.unref();
        const deadline = Date.now() + 20_000;
        while (Date.now() < deadline) {
          const url = runtime.readLaunchUrl(dir);
          if (url && runtime.readDaemonInfo(dir)?.pid === child.pid) return { dashboardUrl: url, configPath: file };
          if (child.exitCode !== null) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`The daemon did not start; see "outpost logs" and ${join(dir, 'logs', 'outpost.stderr.log')}.`);
      };
      const services = createLiveServices({ handoff, timezone: opts.timezone });
      if (opts.plain && process.stdin.isTTY) {
        const { runPlain, SetupCancelled } = await import('../plain/prompts.js');
        try {
          const r = await runPlain({ services, draft, log: (l) => process.stdout.write(l + '\n') });
          process.stdout.write(`Saved profile "${r.draft.profileName}" to ${r.configPath}.\nDashboard: ${r.dashboardUrl}\n`);
          process.exit(EXIT.ok);
        } catch (e) {
          if (e instanceof SetupCancelled) fail(`${e.message} Nothing was saved.`);
          fail((e as Error).message);
        }
      }
      if (!opts.plain && wizard.canRunInk()) {
        const r = await wizard.runWizard({ services, initial: draft });
        if (r.status !== 'done') {
          process.stdout.write('Setup cancelled; nothing was saved.\n');
          process.exit(EXIT.failure);
        }
        process.stdout.write(`Saved profile "${r.draft.profileName}" to ${r.configPath}.\nDashboard: ${r.dashboardUrl}\n`);
        return;
      }
      if (!opts.yes) fail('No terminal detected: pass every value as flags (secrets in OUTPOST_TOKEN / OUTPOST_DB_PASSWORD) and add --yes to run setup non-interactively.', EXIT.usage);
      if (!draft.apiUrl || !draft.token) fail('--api-url and the OUTPOST_TOKEN environment variable are required with --yes.', EXIT.usage);
      const { runHeadless } = await import('../plain/headless.js');
      try {
        const r = await runHeadless({ services, draft, log: (l) => process.stdout.write(l + '\n') });
        process.stdout.write(`Saved profile "${draft.profileName}" to ${r.configPath}.\nDashboard: ${r.dashboardUrl}\n`);
        process.exit(EXIT.ok);
      } catch (e) {
        fail((e as Error).message);
      }
    });
}
