// `outpost doctor`: machine checks (node, clocks, disk, proxy, egress). Exit 1 when any check fails.
import type { Command } from 'commander';
import { configFile, home } from '../context.js';
import { EXIT, chalk, printJson } from '../output.js';

export function register(program: Command): void {
  program
    .command('doctor')
    .description('check node version, clock skew vs database and API, disk, proxy and egress')
    .option('--config <file>', 'config file (default: <home>/outpost.json)')
    .option('--json', 'print as JSON')
    .action(async (opts: { config?: string; json?: boolean }) => {
      const { runDoctor } = await import('../../core/doctor.js');
      const { loadConfig } = await import('../../core/config/load.js');
      const { existsSync } = await import('node:fs');
      const file = configFile(opts);
      let profiles: import('../../core/config/schema.js').Profile[] = [];
      let configNote: string | null = null;
      if (existsSync(file)) {
        try {
          profiles = loadConfig(file).profiles.filter((p) => p.enabled);
        } catch (e) {
          configNote = (e as Error).message;
        }
      } else configNote = `no config file at ${file}: only machine checks were run`;
      const checks = await runDoctor({ home: home(), profiles });
      if (configNote) checks.push({ name: 'config', status: existsSync(file) ? 'fail' : 'warn', detail: configNote });
      if (opts.json) printJson(checks);
      else {
        const mark = { pass: chalk.green('pass'), warn: chalk.yellow('warn'), fail: chalk.red('FAIL') };
        for (const c of checks) process.stdout.write(`${mark[c.status]}  ${c.name.padEnd(26)} ${c.detail}\n`);
      }
      process.exit(checks.some((c) => c.status === 'fail') ? EXIT.failure : EXIT.ok);
    });
}
