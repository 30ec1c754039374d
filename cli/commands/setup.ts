// `outpost setup`: the wizard against a real plant database. Values given as flags (or env for
// secrets) prefill the fields; the draft (never the secrets) is saved after every step and offered
// for resuming. Without a terminal, `--yes` runs the same steps non-interactively.
import type { Command } from 'commander';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Driver } from '../../core/config/schema.js';
import type { Environment, HandoffAction, HandoffResult, SetupDraft } from '../../core/setup/services.js';
import { configFile, home } from '../context.js';
import { EXIT, fail } from '../output.js';

interface SetupOptions {
  profile: string;
  config?: string;
  environment?: Environment;
  apiUrl?: string;
  driver?: Driver;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  file?: string;
  table?: string;
  key?: string;
  changeColumn?: string;
  template: string;
  timezone?: string;
  samples?: number;
  tickets?: string;
  numberColumn?: string;
  every: string;
  yes?: boolean;
  plain?: boolean;
  screenReader?: boolean;
  fresh?: boolean;
  start: boolean;
  installService?: boolean;
}

const CLI_MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

export function register(program: Command): void {
  program
    .command('setup')
    .description(
      'set up a profile: token, database, table, change detection, time zone, samples, mapping, secrets, then hand off to the daemon',
    )
    .option('--profile <name>', 'profile name', 'plant')
    .option('--config <file>', 'config file to write (default: <home>/outpost.json)')
    .option('--environment <env>', 'sandbox | uat | production')
    .option('--api-url <url>', 'e-ticketing API URL')
    .option('--driver <driver>', 'mssql | postgres | mysql | sqlite')
    .option('--host <host>', 'database host')
    .option('--port <port>', 'database port', (v) => Number(v))
    .option('--database <name>', 'database name')
    .option('--user <user>', 'database login (a SQL login, read-only)')
    .option('--file <path>', 'SQLite database file')
    .option('--table <name>', 'ticket table')
    .option('--key <columns>', 'key column(s), comma separated')
    .option('--change-column <column>', 'last-modified column')
    .option('--template <name>', "mapping template (default: the best match for the table's columns)", 'auto')
    .option('--timezone <zone>', 'plant time zone (IANA; default: suggested from the database or this machine)')
    .option('--samples <n>', 'how many of the latest tickets to check the mapping on', (v) => Number(v))
    .option('--tickets <numbers>', 'ticket numbers from paper tickets to check the mapping on, comma separated')
    .option('--number-column <column>', 'the column those ticket numbers are in')
    .option('--every <duration>', 'poll interval', '5s')
    .option('--plain', 'line-by-line prompts instead of the full-screen wizard')
    .option('--screen-reader', 'plain lines only: numbered choices, no redrawn screens (implies --plain)')
    .option('--fresh', 'do not offer to resume a saved setup')
    .option('--yes', 'no terminal: accept every step without prompts')
    .option('--no-start', 'save the profile but do not start the daemon')
    .option('--install-service', 'with --yes: install the boot service instead of starting the daemon')
    .addHelpText(
      'after',
      '\nSecrets are never taken from the command line: the token comes from OUTPOST_TOKEN (or the wizard), the database password from OUTPOST_DB_PASSWORD.\nThe wizard asks where each typed secret goes: the secrets file beside the config (secret:NAME), an environment variable (env:NAME), or inline.\nThe draft (without secrets) is kept in <home>/setup/ after every step; "outpost setup" offers to resume it.',
    )
    .action(async (opts: SetupOptions) => {
      const { createLiveServices } = await import('../../core/setup/live.js');
      const { upsertProfile } = await import('../../core/config/load.js');
      const { placeSecrets, profileFromDraft, reloadDaemon, saveSiteTemplate } = await import('../../core/setup/handoff.js');
      const { DraftStore } = await import('../../core/setup/draft-store.js');
      const runtime = await import('../../core/engine/runtime.js');
      const file = configFile(opts);
      const dir = home();
      const env = process.env;
      if (opts.environment && !['sandbox', 'uat', 'production'].includes(opts.environment))
        fail('--environment must be sandbox, uat or production.', EXIT.usage);
      if (opts.driver && !['mssql', 'postgres', 'mysql', 'sqlite'].includes(opts.driver))
        fail('--driver must be mssql, postgres, mysql or sqlite.', EXIT.usage);
      const draft: SetupDraft = {
        profileName: opts.profile,
        environment: opts.environment,
        apiUrl: opts.apiUrl ?? '',
        token: env.OUTPOST_TOKEN ? 'env:OUTPOST_TOKEN' : '',
        source: {
          driver: opts.driver ?? 'mssql',
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
        timezone: opts.timezone,
        template: opts.template,
        samples: opts.tickets
          ? {
              ticketNumbers: opts.tickets
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean),
              numberColumn: opts.numberColumn,
            }
          : opts.samples
            ? { latest: opts.samples }
            : undefined,
      };
      const store = new DraftStore(dir);

      const handoff = async (d: SetupDraft, action: HandoffAction = opts.start ? 'start' : 'save'): Promise<HandoffResult> => {
        const placed = placeSecrets(d, file, env);
        // The mapping as edited becomes the profile's site template (<home>/templates/site-<profile>.json).
        const template = saveSiteTemplate(dir, d, d.template);
        upsertProfile(file, profileFromDraft(d, { token: placed.token, password: placed.password, every: opts.every, template }));
        store.clear(d.profileName);
        const notes = [
          ...placed.notes,
          `The mapping is saved as the site template ${template} (${join(dir, 'templates', `${template}.json`)}).`,
        ];
        const running = runtime.readDaemonInfo(dir);
        if (action === 'save') {
          if (running)
            notes.push('A daemon is running with the previous config: run "outpost reload" (or stop and start it) to use this profile.');
          else notes.push('Start it with "outpost start", or "outpost service install" to run at boot.');
          return { configPath: file, daemon: 'not started', notes };
        }
        if (action === 'service') {
          const out = await new Promise<string>((resolve, reject) =>
            execFile(
              process.execPath,
              [CLI_MAIN, 'service', 'install', '--config', file],
              { env: { ...env, OUTPOST_HOME: dir } },
              (err, stdout, stderr) =>
                err ? reject(new Error((stderr || stdout || err.message).trim().replace(/^error: /, ''))) : resolve(stdout),
            ),
          );
          return { configPath: file, daemon: 'service installed', notes: [...notes, ...out.trim().split('\n').filter(Boolean)] };
        }
        if (running) {
          const r = await reloadDaemon(dir);
          const dashboardUrl = runtime.readLaunchUrl(dir) ?? undefined;
          if (r.ok) return { configPath: file, dashboardUrl, daemon: 'reloaded', notes };
          return {
            configPath: file,
            dashboardUrl,
            daemon: 'not reloaded',
            notes: [
              ...notes,
              `The running daemon (pid ${running.pid}) did not reload (${r.message}): run "outpost stop" then "outpost start" to load the new profile.`,
            ],
          };
        }
        mkdirSync(join(dir, 'logs'), { recursive: true, mode: 0o700 });
        // The daemon writes its own rotating log (logs/outpost.log); its stdout/stderr only hold a crash.
        const out = openSync(join(dir, 'logs', 'outpost.stderr.log'), 'w', 0o600);
        const child = spawn(process.execPath, [...runtime.DAEMON_NODE_FLAGS, CLI_MAIN, 'run', '--config', file], {
          detached: true,
          stdio: ['ignore', out, out],
          env: { ...env, OUTPOST_HOME: dir },
          windowsHide: true,
        });
        child.unref();
        const deadline = Date.now() + 20_000;
        while (Date.now() < deadline) {
          const url = runtime.readLaunchUrl(dir);
          if (url && runtime.readDaemonInfo(dir)?.pid === child.pid)
            return { configPath: file, dashboardUrl: url, daemon: 'started', notes };
          if (child.exitCode !== null) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`The daemon did not start; see "outpost logs" and ${join(dir, 'logs', 'outpost.stderr.log')}.`);
      };
      const services = createLiveServices({ handoff, timezone: opts.timezone, home: dir });
      const resume = opts.fresh || opts.yes ? null : store.load(opts.profile);
      const onStep = (d: SetupDraft, step: string) => {
        try {
          store.save(d.profileName, d, step);
        } catch {
          /* a draft that cannot be saved must not stop the setup */
        }
      };
      const closing = (r: { configPath: string; dashboardUrl?: string }, profile: string) =>
        process.stdout.write(`Saved profile "${profile}" to ${r.configPath}.${r.dashboardUrl ? `\nDashboard: ${r.dashboardUrl}` : ''}\n`);

      const wizard = await import('../wizard/index.js');
      if ((opts.plain || opts.screenReader) && process.stdin.isTTY) {
        const { runPlain, SetupCancelled } = await import('../plain/prompts.js');
        try {
          const r = await runPlain({
            services,
            draft,
            resume,
            onStep,
            screenReader: Boolean(opts.screenReader),
            log: (l) => process.stdout.write(l + '\n'),
          });
          closing(r, r.draft.profileName);
          process.exit(EXIT.ok);
        } catch (e) {
          if (e instanceof SetupCancelled)
            fail(`${e.message} The answers so far are saved (without secrets): run "outpost setup --plain" to resume.`);
          fail((e as Error).message);
        }
      }
      if (!opts.plain && !opts.screenReader && wizard.canRunInk()) {
        const r = await wizard.runWizard({ services, initial: draft, resume, onStep });
        if (r.status !== 'done') {
          process.stdout.write('Setup cancelled; the answers so far are saved (without secrets). Run "outpost setup" to resume.\n');
          process.exit(EXIT.failure);
        }
        closing(r, r.draft.profileName);
        process.exit(EXIT.ok);
      }
      if (!opts.yes)
        fail(
          'No terminal detected: pass every value as flags (secrets in OUTPOST_TOKEN / OUTPOST_DB_PASSWORD) and add --yes to run setup non-interactively.',
          EXIT.usage,
        );
      if (!draft.apiUrl || !draft.token) fail('--api-url and the OUTPOST_TOKEN environment variable are required with --yes.', EXIT.usage);
      if (!opts.driver) fail('--driver is required with --yes (mssql, postgres, mysql or sqlite).', EXIT.usage);
      const { runHeadless } = await import('../plain/headless.js');
      try {
        const r = await runHeadless({
          services,
          draft,
          log: (l) => process.stdout.write(l + '\n'),
          action: opts.installService ? 'service' : opts.start ? 'start' : 'save',
        });
        closing(r, draft.profileName);
        process.exit(EXIT.ok);
      } catch (e) {
        fail((e as Error).message);
      }
    });
}
