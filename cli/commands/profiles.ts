// `outpost profiles list | show | remove`: the profiles in the config file. Secrets are shown only
// as `env:NAME` references or masked, never in clear.
import type { Command } from 'commander';
import { askDaemon, configFile, configOrExit, home, namedProfileOrExit, withStateStore } from '../context.js';
import { EXIT, fail, printJson } from '../output.js';

function masked(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value.startsWith('env:') ? value : '•••• (inline)';
}

export function register(program: Command): void {
  const profiles = program.command('profiles').description('list, show or remove the profiles in the config file');

  profiles
    .command('list')
    .description('one line per profile')
    .option('--config <file>', 'config file (default: <home>/outpost.json)')
    .option('--json', 'print as JSON')
    .action(async (opts: { config?: string; json?: boolean }) => {
      const config = await configOrExit(configFile(opts));
      const rows = config.profiles.map((p) => ({
        name: p.name,
        environment: p.environment,
        driver: p.source.driver,
        table: p.table,
        mode: p.change.mode,
        every: p.schedule.every,
        enabled: p.enabled,
      }));
      if (opts.json) return printJson(rows);
      if (rows.length === 0) return void process.stdout.write('No profiles; run "outpost setup".\n');
      for (const r of rows)
        process.stdout.write(
          `${r.name}\t${r.environment}\t${r.driver}\t${r.table}\t${r.mode} every ${r.every}${r.enabled ? '' : '\t(disabled)'}\n`,
        );
    });

  profiles
    .command('show <name>')
    .description('the whole profile, secrets masked')
    .option('--config <file>', 'config file (default: <home>/outpost.json)')
    .action(async (name: string, opts: { config?: string }) => {
      const { profile: p } = await namedProfileOrExit(configFile(opts), name);
      printJson({ ...p, api: { ...p.api, token: masked(p.api.token) }, source: { ...p.source, password: masked(p.source.password) } });
    });

  profiles
    .command('remove <name>')
    .description('remove a profile from the config file (its sync state is kept)')
    .option('--config <file>', 'config file (default: <home>/outpost.json)')
    .action(async (name: string, opts: { config?: string }) => {
      const file = configFile(opts);
      const { config } = await namedProfileOrExit(file, name);
      const { saveConfig } = await import('../../core/config/load.js');
      try {
        saveConfig(file, { ...config, profiles: config.profiles.filter((p) => p.name !== name) });
      } catch (e) {
        fail((e as Error).message, EXIT.usage);
      }
      process.stdout.write(
        `Removed profile "${name}" from ${file}. Restart the daemon ("outpost stop" then "outpost start") for it to take effect.\n`,
      );
    });

  profiles
    .command('reset <name>')
    .description("rewind a profile's watermark (to the beginning, or --from a date) so its table is read again")
    .option('--from <date>', "rewind to this date (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, the change column's time); timestamp mode only")
    .option('--yes', 'do not ask for confirmation')
    .option('--config <file>', 'config file (default: <home>/outpost.json)')
    .addHelpText(
      'after',
      '\nThe ledger is kept: tickets already delivered with the same content are not sent twice.\nExit codes: 0 reset, 1 failed or not confirmed, 2 usage.',
    )
    .action(async (name: string, opts: { from?: string; yes?: boolean; config?: string }) => {
      const { profile } = await namedProfileOrExit(configFile(opts), name);
      if (opts.from !== undefined) {
        if (profile.change.mode !== 'timestamp')
          fail(
            `--from works with change mode timestamp; profile "${name}" uses ${profile.change.mode}, so it can only be rewound to the beginning.`,
            EXIT.usage,
          );
        if (!/^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(opts.from) || Number.isNaN(Date.parse(opts.from.slice(0, 10)))) {
          fail(`--from takes a date as YYYY-MM-DD (or YYYY-MM-DD HH:MM:SS), not "${opts.from}".`, EXIT.usage);
        }
      }
      const what = `Rewind profile "${name}" ${opts.from ? `to ${opts.from}` : 'to the beginning'}: every row of ${profile.table}${opts.from ? ` changed since then` : ''} is read and evaluated again (tickets already delivered with the same content are not sent twice).`;
      if (!opts.yes) {
        if (!process.stdin.isTTY) fail(`${what} Add --yes to confirm without a prompt.`, EXIT.usage);
        const { createInterface } = await import('node:readline/promises');
        const rl = createInterface({ input: process.stdin, output: process.stdout });
        const answer = (await rl.question(`${what}\nContinue? [y/N] `)).trim().toLowerCase();
        rl.close();
        if (answer !== 'y' && answer !== 'yes') fail('Not reset.', EXIT.failure);
      }
      const dir = home();
      const reply = await askDaemon(dir, { op: 'reset', profile: name, from: opts.from }, 60_000);
      if (reply) {
        if (!reply.ok) fail(reply.message);
        process.stdout.write(`${reply.message}\n`);
        process.exit(EXIT.ok);
      }
      const { shapeOf } = await import('../../core/engine/runner.js');
      await withStateStore(dir, (store) => store.resetProfile(name, { cursor: opts.from, shape: shapeOf(profile) }));
      process.stdout.write(
        `Profile ${name} rewound ${opts.from ? `to ${opts.from}` : 'to the beginning'}; it is read again when the daemon starts ("outpost start") or with "outpost sync".\n`,
      );
      process.exit(EXIT.ok);
    });
}
