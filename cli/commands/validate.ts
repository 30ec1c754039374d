// `outpost validate`: token, API reach, database login, read-only check, table, key, change mode and
// one mapped row — one line per check saying pass / warn / fail and what to do. Exit 1 when any
// check fails, 2 on bad usage (unknown option, missing config or profile).
import type { Command } from 'commander';
import { profilesOrExit } from '../context.js';
import { EXIT, chalk, printJson } from '../output.js';

const MARK = { pass: '✓', warn: '!', fail: '✗' } as const;
const PAINT = { pass: chalk.green, warn: chalk.yellow, fail: chalk.red } as const;

export function register(program: Command): void {
  program
    .command('validate')
    .description('check a profile end to end: token, API, database login, read-only, table, key, change mode, mapping')
    .option('--config <file>', 'config file (default: <home>/outpost.json)')
    .option('--profile <name>', 'check only this profile (default: every enabled profile)')
    .option('--json', 'print the check lines as JSON')
    .exitOverride((err) => {
      // Help and version are not errors; anything commander refuses is bad usage.
      process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);
    })
    .action(async (opts: { config?: string; profile?: string; json?: boolean }) => {
      const loaded = await profilesOrExit(opts);
      const { validateProfile } = await import('../../core/validate.js');
      const all: Array<{ profile: string; name: string; status: 'pass' | 'warn' | 'fail'; detail: string; fix?: string }> = [];
      for (const profile of loaded.profiles) {
        const lines = await validateProfile(profile);
        all.push(...lines.map((l) => ({ profile: profile.name, ...l })));
        if (!opts.json) {
          const s = profile.source;
          const where =
            s.driver === 'sqlite' ? s.file : `${s.driver} ${s.host}${s.port ? `:${s.port}` : ''}${s.database ? `/${s.database}` : ''}`;
          process.stdout.write(`${chalk.bold(profile.name)} (${where}, table ${profile.table})\n`);
          const width = Math.max(...lines.map((l) => l.name.length));
          for (const l of lines) {
            process.stdout.write(`  ${PAINT[l.status](`${MARK[l.status]} ${l.status}`)}  ${l.name.padEnd(width)}  ${l.detail}\n`);
            if (l.fix) {
              const pad = ' '.repeat(width + 12);
              process.stdout.write(
                l.fix
                  .split('\n')
                  .map((f, i) => `${pad}${i === 0 ? '→ ' : '  '}${f}`)
                  .join('\n') + '\n',
              );
            }
          }
          const n = (st: string) => lines.filter((l) => l.status === st).length;
          process.stdout.write(`  ${n('fail')} fail, ${n('warn')} warn, ${n('pass')} pass\n\n`);
        }
      }
      if (opts.json) printJson(all);
      process.exit(all.some((l) => l.status === 'fail') ? EXIT.failure : EXIT.ok);
    });
}
