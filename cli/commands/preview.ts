// `outpost preview`: sample tickets from the plant database mapped as the daemon would, side by side
// with their raw rows and source columns, filtered ones with their reasons, and each drawn as a paper
// ticket. --json for scripts, --html FILE for a printable page.
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadProfiles } from '../context.js';
import { EXIT, UsageError, chalk, exitCodeFor, printJson, sayingErrors } from '../output.js';

export interface PreviewCliOptions {
  profile?: string;
  config?: string;
  tickets?: string;
  latest?: string;
  json?: boolean;
  html?: string;
}

/** Ticket numbers from "1001,1002 1003": commas or spaces between them. */
export function parseTicketList(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function parseCount(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 200) throw new UsageError(`${what} must be a whole number from 1 to 200.`);
  return n;
}

/** The one profile a command works on: --profile, or the only enabled one. */
export async function oneProfile(opts: { profile?: string; config?: string }) {
  const { profiles } = await loadProfiles(opts);
  if (profiles.length > 1) {
    throw new UsageError(`The config has several profiles (${profiles.map((p) => p.name).join(', ')}); pick one with --profile.`);
  }
  return profiles[0];
}

export function register(program: Command): void {
  program
    .command('preview')
    .description('map sample tickets and show them beside their raw rows and as paper tickets (exit 1 when a ticket number is not found)')
    .option('--profile <name>', 'the profile to preview (default: the only one)')
    .option('--config <file>', 'config file (default: outpost.json in the Outpost home)')
    .option('--tickets <numbers>', 'ticket numbers as printed on paper, e.g. 1001,1002 (padding does not matter)')
    .option('--latest <n>', 'the newest N tickets (default 5 when --tickets is not given)')
    .option('--json', 'print the side by side as JSON')
    .option('--html <file>', 'also write a printable HTML page of the preview')
    .action(
      sayingErrors(async (opts: PreviewCliOptions) => {
        const ticketNumbers = parseTicketList(opts.tickets);
        const latest = parseCount(opts.latest, '--latest');
        if (opts.tickets !== undefined && ticketNumbers.length === 0)
          throw new Error('--tickets needs at least one ticket number, e.g. --tickets 1001,1002.');
        const profile = await oneProfile(opts);
        const review = await import('../../core/review/index.js');
        const p = await review.previewProfile(profile, { latest, ticketNumbers });
        if (opts.html) {
          const file = resolve(opts.html);
          writeFileSync(file, review.previewToHtml(p));
          if (!opts.json) process.stdout.write(`Wrote ${file}\n`);
        }
        if (opts.json) printJson(p);
        else {
          const width = process.stdout.columns ?? 100;
          const text = review.previewToText(p, width, (s) => review.renderTicketText(s.ticket!, { width: Math.min(56, width) }));
          process.stdout.write(
            text
              .replace(/^(── Ticket .*FILTERED.*)$/gm, (l) => chalk.red(l))
              .replace(/^(── Ticket .*mapped.*)$/gm, (l) => chalk.green(l))
              .replace(/^(Not found: .*)$/gm, (l) => chalk.yellow(l)),
          );
        }
        process.exitCode = p.notFound.length ? EXIT.failure : EXIT.ok;
      }, exitCodeFor),
    );
}
