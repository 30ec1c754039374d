// `outpost dashboard`: print (and open) the dashboard link of this home folder. The port and the
// link are kept per home folder (dashboard/link.ts), so the link works across daemon restarts.
// --new-link rotates the secret (every open admin page is signed out at once); --review-link prints
// the reviewer link (review and reports pages only), created on first use.
import type { Command } from 'commander';
import { join } from 'node:path';
import { observedHome } from '../context.js';
import { EXIT, fail, printJson } from '../output.js';
import { hasDisplay } from './demo.js';

interface Options {
  open: boolean;
  newLink?: boolean;
  reviewLink?: boolean;
  port?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('dashboard')
    .description('print and open the local dashboard link (admin, or --review-link for plant staff)')
    .option('--no-open', 'only print the link')
    .option('--review-link', 'the reviewer link: only the review and reports pages, no control, no settings')
    .option('--new-link', 'rotate the secret of the link (with --review-link: of the reviewer link); old links stop working at once')
    .option('--port <port>', 'keep the dashboard on this port for this home folder (applies at the next daemon start)')
    .option('--json', 'print the link as JSON')
    .action(async (opts: Options) => {
      const runtime = await import('../../core/engine/runtime.js');
      const link = await import('../../dashboard/link.js');
      const dir = await observedHome();
      const role = opts.reviewLink ? 'reviewer' : 'admin';
      const notes: string[] = [];
      if (opts.port !== undefined) {
        const port = /^[1-9][0-9]{0,4}$/.test(opts.port) ? Number(opts.port) : NaN;
        if (!(port > 0 && port < 65536)) fail('--port must be a port number from 1 to 65535.', EXIT.usage);
        link.setPort(dir, port);
        notes.push(`The dashboard will listen on port ${port} from the next daemon start ("outpost stop" then "outpost start").`);
      }
      let l = role === 'reviewer' ? link.ensureReviewer(dir) : link.ensureLink(dir);
      if (opts.newLink) {
        l = link.rotateSecret(dir, role);
        notes.push(`A new ${role} link was made; the old one no longer works and its open pages are signed out.`);
      }
      const info = runtime.readDaemonInfo(dir);
      const runningPort = info?.dashboardUrl ? Number(new URL(info.dashboardUrl).port) : null;
      const port = runningPort ?? l.port;
      const secret = role === 'reviewer' ? l.reviewer! : l.admin;
      const url = port ? link.launchUrl(port, secret, role) : null;
      if (opts.json) {
        printJson({ role, url, running: Boolean(info?.dashboardUrl), port, notes });
        process.exit(url && info?.dashboardUrl ? EXIT.ok : EXIT.notRunning);
      }
      for (const n of notes) process.stderr.write(n + '\n');
      if (!info?.dashboardUrl) {
        if (url) process.stdout.write(url + '\n');
        fail(
          info
            ? 'The daemon runs without a dashboard (--no-dashboard); restart it without that option.'
            : `The daemon is not running in ${dir}; start it with "outpost start"${url ? ' and the link above will work' : ''}.`,
          EXIT.notRunning,
        );
      }
      process.stdout.write(url + '\n');
      if (opts.open && hasDisplay()) {
        // The secret never goes on a command line: the browser opens a 0600 redirect file (core/browser-open.ts).
        const { openInBrowser } = await import('../../core/browser-open.js');
        await openInBrowser(url!, join(dir, 'run')).catch(() =>
          process.stderr.write('Could not open a browser; open the URL above yourself.\n'),
        );
      }
    });
}
