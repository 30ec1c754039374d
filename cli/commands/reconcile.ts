// `outpost reconcile`: every source row accounted for, day by ticket date — delivered, filtered,
// skipped, rejected, not yet read — with any gap listed and rows deleted at the source reported
// (and, with change.deletes "void", queued to be sent as voided).
import type { Command } from 'commander';
import { askDaemon, home, profilesOrExit, withStateStore } from '../context.js';
import { EXIT, fail, printJson } from '../output.js';

export function register(program: Command): void {
  program
    .command('reconcile')
    .description('compare the source table with what was delivered, day by ticket date; list gaps and deleted rows')
    .requiredOption('--profile <name>', 'the profile')
    .option('--days <n>', 'only the last N days (by ticket date, counting today)', (v) => Number(v))
    .option('--config <file>', 'config file (default: <home>/outpost.json)')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', '\nExit codes: 0 every row accounted for, 1 gaps found or the check failed, 2 usage.')
    .action(async (opts: { profile: string; days?: number; config?: string; json?: boolean }) => {
      if (opts.days !== undefined && !(Number.isInteger(opts.days) && opts.days > 0))
        fail('--days takes a whole number of days, 1 or more.', EXIT.usage);
      const { formatReconcile, reconcile } = await import('../../core/state/reconcile.js');
      type Report = Awaited<ReturnType<typeof reconcile>>;
      const dir = home();
      let report: Report;
      // When the daemon runs it does it, so voids it queues are sent by the runner at once.
      const reply = await askDaemon(dir, { op: 'reconcile', profile: opts.profile, days: opts.days }, 600_000);
      if (reply) {
        if (!reply.ok) fail(reply.message);
        report = reply.data as Report;
      } else {
        const { profiles } = await profilesOrExit(opts);
        try {
          report = await withStateStore(dir, (store) => reconcile({ store, profile: profiles[0], days: opts.days }));
        } catch (e) {
          fail((e as Error).message);
        }
      }
      if (opts.json) printJson(report);
      else process.stdout.write(formatReconcile(report));
      process.exit(report.balanced ? EXIT.ok : EXIT.failure);
    });
}
