// `outpost reload`: the running daemon reads its config file again (it also watches the file). An
// invalid file is refused — the reply names the key path — and the running config stays.
import type { Command } from 'commander';
import { askDaemon, home } from '../context.js';
import { EXIT, fail, printJson } from '../output.js';

export function register(program: Command): void {
  program
    .command('reload')
    .description('make the running daemon read its config file again (refused, with the reason, when the file is invalid)')
    .option('--json', 'print the reply as JSON')
    .addHelpText('after', '\nExit codes: 0 reloaded, 1 refused (the old config keeps running), 3 no daemon running.')
    .action(async (opts: { json?: boolean }) => {
      const reply = await askDaemon(home(), { op: 'reload' }, 60_000);
      if (!reply) fail('No daemon is running; the config file is read when it starts ("outpost start").', EXIT.notRunning);
      if (opts.json) printJson(reply);
      else (reply.ok ? process.stdout : process.stderr).write(`${reply.message}\n`);
      process.exit(reply.ok ? EXIT.ok : EXIT.failure);
    });
}
