// `outpost schema`: the eTicket v1 JSON Schema (the same as templates/eticket-v1.schema.json), or the
// field reference (docs/eticket-v1.md) with --markdown.
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('schema')
    .description('print the eTicket v1 JSON Schema (or, with --markdown, the field reference)')
    .option('--markdown', 'print the field reference as Markdown instead')
    .action(async (opts: { markdown?: boolean }) => {
      const docs = await import('../../core/mapping/eticket-docs.js');
      process.stdout.write(opts.markdown ? docs.eticketMarkdown() : `${JSON.stringify(docs.eticketJsonSchema(), null, 2)}\n`);
    });
}
