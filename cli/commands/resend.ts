// `outpost resend`: a way back for parked tickets. Queues them to be read again by key, evaluated
// with the current mapping and sent again (with a fresh Idempotency-Key) on the next pass — through
// the running daemon when there is one, else into the state database for the next start or sync.
import type { Command } from 'commander';
import { askDaemon, home, profilesOrExit, withStateStore } from '../context.js';
import { EXIT, fail, printJson } from '../output.js';

interface Opts {
  config?: string;
  profile?: string;
  rejected?: boolean;
  filtered?: boolean;
  skipped?: boolean;
  tickets?: string;
  since?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('resend')
    .description('queue parked tickets (rejected, filtered, skipped, by number or by day) to be evaluated and sent again')
    .requiredOption('--profile <name>', 'the profile')
    .option('--rejected', 'tickets the API rejected')
    .option('--filtered', 'rows the mapping filtered as invalid')
    .option('--skipped', 'rows a skip rule of the mapping skipped')
    .option('--tickets <list>', 'ticket numbers (as printed) or keys, separated by commas')
    .option('--since <date>', 'every ticket with a ticket date on or after YYYY-MM-DD, whatever its verdict')
    .option('--config <file>', 'config file (default: <home>/outpost.json)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  outpost resend --profile plant1 --rejected\n  outpost resend --profile plant1 --tickets 100234,100240\n  outpost resend --profile plant1 --since 2026-11-01\n\nExit codes: 0 queued, 1 failed, 2 usage.',
    )
    .action(async (opts: Opts) => {
      const { resend, selectorProblem } = await import('../../core/engine/resend.js');
      const select = {
        rejected: opts.rejected,
        filtered: opts.filtered,
        skipped: opts.skipped,
        tickets: opts.tickets === undefined ? undefined : opts.tickets.split(','),
        since: opts.since,
      };
      const problem = selectorProblem(select);
      if (problem) fail(problem, EXIT.usage);
      const dir = home();
      const reply = await askDaemon(dir, { op: 'resend', profile: opts.profile, select });
      if (reply) {
        if (opts.json) printJson(reply);
        else process.stdout.write(`${reply.message}\n`);
        process.exit(reply.ok ? EXIT.ok : EXIT.failure);
      }
      const { profiles } = await profilesOrExit(opts);
      let r;
      try {
        r = await withStateStore(dir, (store) => resend(store, profiles[0], select));
      } catch (e) {
        fail((e as Error).message);
      }
      if (opts.json) printJson({ ok: true, ...r });
      else
        process.stdout.write(
          `${r.message}\nThe daemon is not running: they are sent when it starts ("outpost start") or with "outpost sync".\n`,
        );
      process.exit(EXIT.ok);
    });
}
