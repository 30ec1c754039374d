// `outpost sync`: an on-demand run. Through the running daemon when there is one (so two processes
// never sync the same state); otherwise one manual pass here, like `outpost run --once`.
import type { Command } from 'commander';
import { home, loadProfiles } from '../context.js';
import { runOnceAndExit } from '../once.js';
import { EXIT, fail, printJson } from '../output.js';

export function register(program: Command): void {
  program
    .command('sync')
    .description('sync now: through the running daemon, or one manual pass when none runs')
    .option('--config <file>', 'config file (default: <home>/outpost.json)')
    .option('--profile <name>', 'only this profile')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { config?: string; profile?: string; json?: boolean }) => {
      const runtime = await import('../../core/engine/runtime.js');
      const dir = home();
      if (runtime.readDaemonInfo(dir)) {
        const { sendControl } = await import('../../core/engine/control.js');
        try {
          const reply = await sendControl(dir, { op: 'sync', profile: opts.profile });
          if (opts.json) printJson(reply);
          else process.stdout.write(reply.message + '\n');
          process.exit(reply.ok ? EXIT.ok : EXIT.failure);
        } catch (e) {
          fail(`The daemon is running but its control channel does not answer (${(e as Error).message}); try "outpost stop" then "outpost start".`);
        }
      }
      let loaded;
      try {
        loaded = await loadProfiles(opts);
      } catch (e) {
        fail((e as Error).message, EXIT.usage);
      }
      await runOnceAndExit({ profiles: loaded.profiles, home: dir, configFile: loaded.file, json: opts.json });
    });
}
