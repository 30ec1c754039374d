// `outpost mapping init`: generate a site template for a profile's ticket table from its columns,
// types, foreign keys and sample values (core/mapping/starter.ts), write it to <home>/templates/, and
// say per field what was chosen, how sure, and why; then map the samples with it ("N of M map").
// `outpost mapping list`: the templates a profile can name (site ones first, then shipped).
import type { Command } from 'commander';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { home } from '../context.js';
import { EXIT, UsageError, chalk, exitCodeFor, fail, printJson, sayingErrors } from '../output.js';
import { oneProfile } from './preview.js';

interface InitOptions {
  profile?: string;
  config?: string;
  out?: string;
  name?: string;
  samples?: string;
  force?: boolean;
  json?: boolean;
}

const fit = (s: string, w: number) => (s.length > w ? `${s.slice(0, Math.max(1, w - 1))}…` : s.padEnd(w));

export function register(program: Command): void {
  const mapping = program
    .command('mapping')
    .description('mapping templates: generate a site template for a table (init), list templates (list)');

  mapping
    .command('init')
    .description(
      "generate a site template for the profile's table from its columns, foreign keys and sample values (exit 2 when the file exists)",
    )
    .option('--profile <name>', 'the profile whose table is mapped (default: the only one)')
    .option('--config <file>', 'config file (default: outpost.json in the Outpost home)')
    .option('--name <name>', 'template name (default: the profile name); written to <home>/templates/<name>.json')
    .option('--out <file>', 'write the template to this file instead')
    .option('--samples <n>', 'sample rows to read (default 50)')
    .option('--force', 'overwrite an existing template file')
    .option('--json', 'print the result as JSON')
    .action(
      sayingErrors(async (opts: InitOptions) => {
        const samplesN = opts.samples === undefined ? 50 : Number(opts.samples);
        if (!Number.isInteger(samplesN) || samplesN < 1 || samplesN > 500)
          throw new UsageError('--samples must be a whole number from 1 to 500.');
        const profile = await oneProfile(opts);
        const name = opts.name ?? profile.name.replace(/[^A-Za-z0-9._-]+/g, '-');
        if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name))
          throw new UsageError(`"${name}" is not a template name (letters, digits, ".", "_", "-"); pass --name.`);
        const file = opts.out ? resolve(opts.out) : join(home(), 'templates', `${name}.json`);
        if (existsSync(file) && !opts.force) {
          fail(`${file} exists; pass --force to overwrite it, or --name / --out to write another.`, EXIT.usage);
        }
        const { createSource } = await import('../../core/sources/index.js');
        const m = await import('../../core/mapping/index.js');
        const source = await createSource(profile.source);
        let starter: ReturnType<typeof m.generateStarter>;
        let result: Awaited<ReturnType<typeof m.mapSamples>>;
        try {
          await source.connect();
          const order = [...(profile.change.column ? [profile.change.column] : []), ...profile.key].filter((c, i, a) => a.indexOf(c) === i);
          const input = await m.readStarterInputs(source, profile.table, { samples: samplesN, order });
          starter = m.generateStarter({ ...input, name });
          // The samples as the daemon would map them: the profile's own overrides and rules on top.
          result = await m.mapSamples(source, input.samples, {
            template: starter.template,
            fields: profile.mapping.fields,
            skip: profile.mapping.skip,
            timezone: profile.change.timezone ?? 'UTC',
            key: profile.key,
            table: profile.table,
          });
        } finally {
          await source.close().catch(() => {});
        }
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, `${JSON.stringify(starter.template, null, 2)}\n`);
        const problems = new Map<string, number>();
        for (const r of result.results) if (!r.ok && !r.skipped) for (const p of r.problems) problems.set(p, (problems.get(p) ?? 0) + 1);
        const use = opts.out ? file : name;
        if (opts.json) {
          printJson({
            file,
            template: starter.template,
            fields: starter.fields,
            skip: starter.skip,
            samples: {
              total: result.rows.length,
              mapped: result.mapped,
              skipped: result.skipped,
              filtered: result.filtered,
              error: result.error,
              problems: [...problems].map(([problem, count]) => ({ problem, count })),
            },
            next: `set "mapping": {"template": ${JSON.stringify(use)}} in profile ${profile.name}`,
          });
        } else {
          const W = Math.max(80, Math.min(180, process.stdout.columns ?? 120));
          const out: string[] = [`Wrote ${file} (template "${name}") for ${profile.table}.`, ''];
          out.push(`${fit('field', 28)}  ${fit('sure', 4)}  why`);
          for (const f of starter.fields) {
            if (!f.expression && f.confidence === 0 && /optional/.test(f.reason)) continue;
            const sure = `${Math.round(f.confidence * 100)}%`.padStart(4);
            const line = `${fit(f.path, 28)}  ${f.confidence < 0.5 ? chalk.yellow(sure) : sure}  ${f.reason}`;
            out.push(line.length > W + 20 ? `${line.slice(0, W + 19)}…` : line);
          }
          for (const s of starter.skip) out.push('', `Row rule: ${s.reason}.`);
          out.push('');
          if (result.error) out.push(chalk.red(`The samples could not be mapped: ${result.error}`));
          else {
            out.push(
              `${result.mapped} of ${result.rows.length} sample tickets map${result.skipped ? `, ${result.skipped} skipped by a row rule` : ''}${result.filtered ? `, ${result.filtered} filtered` : ''}.`,
            );
            for (const [p, n] of [...problems].slice(0, 8)) out.push(`  - ${p}${n > 1 ? ` (${n} tickets)` : ''}`);
          }
          out.push(
            '',
            `Next: set "mapping": {"template": ${JSON.stringify(use)}} in profile ${profile.name}, fix low-confidence fields in mapping.fields (or in the file), then run "outpost preview".`,
          );
          process.stdout.write(`${out.join('\n')}\n`);
        }
        process.exitCode = EXIT.ok;
      }, exitCodeFor),
    );

  mapping
    .command('list')
    .description('the mapping templates a profile can name: site templates (<home>/templates) and shipped ones')
    .option('--json', 'print the list as JSON')
    .action(
      sayingErrors(async (opts: { json?: boolean }) => {
        const m = await import('../../core/mapping/index.js');
        const list = m.listAllTemplates(home());
        if (opts.json) printJson(list);
        else
          process.stdout.write(
            `${list.map((t) => `${fit(t.name, 32)}  ${t.origin === 'site' ? 'site   ' : 'shipped'}  ${t.file}`).join('\n')}\n`,
          );
      }),
    );
}
