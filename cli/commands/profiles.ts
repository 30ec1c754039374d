// `outpost profiles list | show | remove`: the profiles in the config file. Secrets are shown only
// as `env:NAME` references or masked, never in clear.
import type { Command } from 'commander';
import { configFile } from '../context.js';
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
      const { loadConfig } = await import('../../core/config/load.js');
      let config;
      try {
        config = loadConfig(configFile(opts));
      } catch (e) {
        fail((e as Error).message, EXIT.usage);
      }
      const rows = config.profiles.map((p) => ({ name: p.name, environment: p.environment, driver: p.source.driver, table: p.table, mode: p.change.mode, every: p.schedule.every, enabled: p.enabled }));
      if (opts.json) return printJson(rows);
      if (rows.length === 0) return void process.stdout.write('No profiles; run "outpost setup".\n');
      for (const r of rows) process.stdout.write(`${r.name}\t${r.environment}\t${r.driver}\t${r.table}\t${r.mode} every ${r.every}${r.enabled ? '' : '\t(disabled)'}\n`);
    });

  profiles
    .command('show <name>')
    .description('the whole profile, secrets masked')
    .option('--config <file>', 'config file (default: <home>/outpost.json)')
    .action(async (name: string, opts: { config?: string }) => {
      const { loadConfig, pickProfiles } = await import('../../core/config/load.js');
      try {
        const [p] = pickProfiles(loadConfig(configFile(opts)), name);
        printJson({ ...p, api: { ...p.api, token: masked(p.api.token) }, source: { ...p.source, password: masked(p.source.password) } });
      } catch (e) {
        fail((e as Error).message, EXIT.usage);
      }
    });

  profiles
    .command('remove <name>')
    .description('remove a profile from the config file (its sync state is kept)')
    .option('--config <file>', 'config file (default: <home>/outpost.json)')
    .action(async (name: string, opts: { config?: string }) => {
      const { loadConfig, pickProfiles, saveConfig } = await import('../../core/config/load.js');
      const file = configFile(opts);
      try {
        const config = loadConfig(file);
        pickProfiles(config, name);
        saveConfig(file, { profiles: config.profiles.filter((p) => p.name !== name) });
        process.stdout.write(`Removed profile "${name}" from ${file}. Restart the daemon ("outpost stop" then "outpost start") for it to take effect.\n`);
      } catch (e) {
        fail((e as Error).message, EXIT.usage);
      }
    });
}
