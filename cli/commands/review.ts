// `outpost review record | export | list`: the customer's sign-off on sample tickets, kept in the state
// database (core/review/store.ts) and exported as JSON or as a printable HTML page to keep.
import type { Command } from 'commander';
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { configFile, home, observedHome, withStateStore } from '../context.js';
import { EXIT, chalk, printJson, sayingErrors } from '../output.js';
import { oneProfile, parseTicketList } from './preview.js';

interface RecordOptions {
  profile?: string;
  config?: string;
  reviewer?: string;
  approve?: string;
  flag?: string[];
}

interface ExportOptions {
  profile?: string;
  id?: string;
  json?: boolean;
  html?: string;
}

/** "1003:customer.name:Wrong customer" → ticket number, field, comment (the comment may hold colons). */
export function parseFlag(text: string): { ticketNumber: string; field: string; comment: string } {
  const m = /^([^:]+):([^:]+):(.*)$/s.exec(text);
  if (!m || !m[1].trim() || !m[2].trim() || !m[3].trim()) {
    throw new Error(`--flag "${text.slice(0, 60)}" must be TICKET:FIELD:COMMENT, e.g. --flag "1003:customer.name:Wrong customer".`);
  }
  return { ticketNumber: m[1].trim(), field: m[2].trim(), comment: m[3].trim() };
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The reviews kept in the home's state database, open for `use` only. */
async function withReviews<T>(use: (reviews: import('../../core/review/store.js').ReviewStore) => T | Promise<T>): Promise<T> {
  const { ReviewStore } = await import('../../core/review/store.js');
  return withStateStore(home(), (state) => use(new ReviewStore(state.db)));
}

export function register(program: Command): void {
  const review = program.command('review').description("record and export the customer's review of sample tickets");

  review
    .command('record')
    .description('record a review: approve tickets or flag fields, by the numbers printed on the paper tickets')
    .option('--profile <name>', 'the profile reviewed (default: the only one)')
    .option('--config <file>', 'config file (default: outpost.json in the Outpost home)')
    .requiredOption('--reviewer <name>', 'who reviewed (name as it should appear on the export)')
    .option('--approve <numbers>', 'ticket numbers that match their paper ticket, e.g. 1001,1002')
    .option('--flag <ticket:field:comment>', 'a wrong field, e.g. "1003:customer.name:Wrong customer" (repeat for more)', collect)
    .action(
      sayingErrors(async (opts: RecordOptions) => {
        await observedHome();
        const approve = parseTicketList(opts.approve);
        const flags = (opts.flag ?? []).map(parseFlag);
        if (approve.length === 0 && flags.length === 0)
          throw new Error('Nothing to record: give --approve 1001,1002 and/or --flag "1003:customer.name:Wrong customer".');
        const r = await import('../../core/review/index.js');
        for (const f of flags) {
          const bad = r.checkFlagField(f.field);
          if (bad) throw new Error(`--flag for ticket ${f.ticketNumber}: ${bad}`);
        }
        const both = approve.filter((n) => flags.some((f) => f.ticketNumber === n));
        if (both.length) throw new Error(`Ticket ${both[0]} is both approved and flagged; do one or the other.`);
        const profile = await oneProfile(opts);
        const numbers = [...new Set([...approve, ...flags.map((f) => f.ticketNumber)])];
        // Map the tickets now, so the review keeps the e-ticket exactly as it was approved.
        const p = await r.previewProfile(profile, { ticketNumbers: numbers });
        if (p.notFound.length)
          throw new Error(
            `Ticket${p.notFound.length > 1 ? 's' : ''} ${p.notFound.join(', ')} ${p.notFound.length > 1 ? 'were' : 'was'} not found in ${profile.table}; check the numbers on the paper tickets.`,
          );
        const tickets = numbers.map((n) => {
          // Several rows can carry one number (a void and its reprint): the newest is reviewed.
          const s = p.samples.find((x) => x.requested === n)!;
          const myFlags = flags.filter((f) => f.ticketNumber === n).map((f) => ({ field: f.field, comment: f.comment }));
          if (!s.ticket && myFlags.length === 0) {
            throw new Error(`Ticket ${n} is filtered (${s.problems.join('; ')}), so it cannot be approved; flag it or fix the mapping.`);
          }
          return {
            ticketNumber: n,
            ticketId: s.ticketId,
            verdict: myFlags.length ? ('flagged' as const) : ('approved' as const),
            flags: myFlags,
            ticket: s.ticket,
            problems: s.problems,
          };
        });
        const saved = await withReviews((reviews) =>
          reviews.record({ profile: profile.name, reviewer: opts.reviewer!, template: p.template, tickets }),
        );
        const approved = saved.tickets.filter((t) => t.verdict === 'approved').length;
        process.stdout.write(
          `${chalk.green('✔')} Review ${saved.id} recorded for ${profile.name} by ${saved.reviewer} at ${saved.reviewedAt}: ${approved} approved, ${saved.tickets.length - approved} flagged.\n` +
            `  Export it: outpost review export --profile ${profile.name} --html review.html\n`,
        );
      }),
    );

  review
    .command('export')
    .description('export a recorded review (the latest, or --id) as JSON or as a printable HTML page')
    .requiredOption('--profile <name>', 'the profile reviewed')
    .option('--id <n>', 'the review number (default: the latest)')
    .option('--json', 'print the review as JSON')
    .option('--html <file>', 'write a printable HTML page the customer can keep')
    .action(
      sayingErrors(async (opts: ExportOptions) => {
        await observedHome();
        const { formatDateTime } = await import('../../core/format/time.js');
        const { homePaths } = await import('../../core/paths.js');
        if (!existsSync(homePaths(home()).state))
          throw new Error(`No review has been recorded in ${home()}; record one with "outpost review record".`);
        await withReviews(async (reviews) => {
          const id = opts.id === undefined ? undefined : Number(opts.id);
          if (id !== undefined && !Number.isInteger(id)) throw new Error('--id must be a review number.');
          const rv = id !== undefined ? reviews.get(id) : reviews.latest(opts.profile!);
          if (!rv || rv.profile !== opts.profile) {
            throw new Error(
              `No review${id !== undefined ? ` ${id}` : ''} is recorded for profile ${opts.profile}; record one with "outpost review record --profile ${opts.profile} …".`,
            );
          }
          const { reviewToHtml, reviewToJson } = await import('../../core/review/export.js');
          const timeZone = await profileZone(rv.profile);
          if (opts.html) {
            const file = resolve(opts.html);
            writeFileSync(file, reviewToHtml(rv, { timeZone }));
            if (!opts.json)
              process.stdout.write(`Wrote ${file} (review ${rv.id}, ${rv.tickets.length} tickets); open it in a browser to print.\n`);
          }
          if (opts.json) printJson(reviewToJson(rv));
          else if (!opts.html) {
            process.stdout.write(`Review ${rv.id} of ${rv.profile} by ${rv.reviewer} at ${formatDateTime(rv.reviewedAt, { timeZone })}\n`);
            for (const t of rv.tickets) {
              process.stdout.write(
                `  ${t.ticketNumber}: ${t.verdict === 'approved' ? chalk.green('approved') : chalk.red('flagged')}${t.flags.map((f) => `\n    ${f.field}: ${f.comment}`).join('')}\n`,
              );
            }
            process.stdout.write('  (--json or --html FILE to export it)\n');
          }
        });
      }),
    );

  review
    .command('list')
    .description('list recorded reviews')
    .option('--profile <name>', 'only this profile')
    .option('--json', 'print as JSON')
    .action(async (opts: { profile?: string; json?: boolean }) => {
      await observedHome();
      const { formatDateTime } = await import('../../core/format/time.js');
      const { homePaths } = await import('../../core/paths.js');
      if (!existsSync(homePaths(home()).state)) {
        if (opts.json) printJson([]);
        else process.stdout.write('No reviews recorded yet.\n');
        return;
      }
      await withReviews(async (reviews) => {
        const list = reviews.list(opts.profile, 50);
        if (opts.json) printJson(list);
        else if (list.length === 0) process.stdout.write('No reviews recorded yet.\n');
        else
          for (const r of list)
            process.stdout.write(
              `  ${r.id}  ${r.profile}  ${r.reviewer}  ${formatDateTime(r.reviewedAt, { timeZone: await profileZone(r.profile) })}  ${r.approved} approved, ${r.flagged} flagged\n`,
            );
      });
      process.exitCode = EXIT.ok;
    });
}

/** The profile's plant zone from the config file (the one time format); undefined = the host's. */
async function profileZone(profile: string): Promise<string | undefined> {
  try {
    const { loadConfig } = await import('../../core/config/load.js');
    return loadConfig(configFile({})).profiles.find((p) => p.name === profile)?.change.timezone;
  } catch {
    return undefined;
  }
}
