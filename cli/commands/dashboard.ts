// `outpost dashboard`: print (and open) the running daemon's dashboard URL with its launch secret.
import type { Command } from 'commander';
import { home } from '../context.js';
import { EXIT, fail } from '../output.js';
import { hasDisplay } from './demo.js';

export function register(program: Command): void {
  program
    .command('dashboard')
    .description('print and open the local dashboard of the running daemon')
    .option('--no-open', 'only print the URL')
    .action(async (opts: { open: boolean }) => {
      const runtime = await import('../../core/engine/runtime.js');
      const url = runtime.readLaunchUrl(home());
      if (!url) fail('The daemon is not running or serves no dashboard; start it with "outpost start".', EXIT.notRunning);
      process.stdout.write(url + '\n');
      if (opts.open && hasDisplay()) {
        const { default: open } = await import('open');
        await open(url).catch(() => process.stderr.write('Could not open a browser; open the URL above yourself.\n'));
      }
    });
}
