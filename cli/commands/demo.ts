// `outpost demo` (= `npm start`): the whole product on the built-in demo plant — sandbox API, demo
// plant with a scale-house simulator, the setup wizard, then the daemon and its dashboard.
import type { Command } from 'commander';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { home } from '../context.js';
import { EXIT, fail } from '../output.js';

export function hasDisplay(env = process.env): boolean {
  if (process.platform === 'win32' || process.platform === 'darwin') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('run the whole product end to end on a built-in demo plant (what `npm start` runs)')
    .option('--no-open', 'do not open the dashboard in a browser')
    .option('--reset', 'start over: delete the demo plant, sandbox and sync state first')
    .option('--every <duration>', 'how often the daemon polls the demo plant', '2s')
    .option('--simulate-every <ms>', 'how often the scale house writes a ticket (0: never)', (v) => Number(v), 4000)
    .action(async (opts: { open: boolean; reset?: boolean; every: string; simulateEvery: number }) => {
      const { DemoEnvironment } = await import('../../core/demo/environment.js');
      const { createLiveServices } = await import('../../core/setup/live.js');
      const { DEMO_TIMEZONE } = await import('../../core/demo/plant.js');
      const { DEMO_FIELDS } = await import('../../core/demo/environment.js');
      const { readStatus, DAEMON_NODE_FLAGS } = await import('../../core/engine/runtime.js');
      const demoHome = join(home(), 'demo');
      if (opts.reset) rmSync(demoHome, { recursive: true, force: true });
      const say = (line: string) => process.stdout.write(line + '\n');
      const env = new DemoEnvironment({
        home: demoHome,
        daemonCommand: [process.execPath, ...DAEMON_NODE_FLAGS, fileURLToPath(new URL('../main.js', import.meta.url)), 'run'],
        simulatorEveryMs: opts.simulateEvery,
        every: opts.every,
        log: say,
      });
      let stopping = false;
      const stop = async (code: number) => {
        if (stopping) return;
        stopping = true;
        say('Stopping the demo: daemon, simulator and sandbox…');
        await env.stop();
        say('Stopped. Run it again to resume where it left off; nothing is sent twice.');
        process.exit(code);
      };
      process.on('SIGINT', () => void stop(EXIT.ok));
      process.on('SIGTERM', () => void stop(EXIT.ok));

      try {
        await env.start();
      } catch (e) {
        await env.stop().catch(() => {});
        fail((e as Error).message);
      }
      say(`Outpost demo — data in ${demoHome}`);
      say(
        env.seed
          ? `Demo plant created: ${env.seed.tickets} tickets over 3 days (${env.seed.voided} voided, ${env.seed.edited} edited, ${env.seed.incomplete} incomplete).`
          : 'Demo plant found: resuming with its tickets.',
      );
      say(
        `Sandbox API listening on ${env.sandboxUrl}; ${opts.simulateEvery > 0 ? `the scale house writes a ticket every ${opts.simulateEvery / 1000} s` : 'the scale-house simulator is off'}.`,
      );

      const services = createLiveServices({
        // The demo runs its own daemon (restarted when it dies); it never installs a service or saves only.
        handoff: (d, action) =>
          action && action !== 'start'
            ? Promise.reject(new Error('The demo runs its own daemon: choose "Start the daemon now".'))
            : env.handoff(d),
        timezone: DEMO_TIMEZONE,
        fields: DEMO_FIELDS,
        home: demoHome,
      });
      let dashboardUrl: string;
      try {
        const wizard = await import('../wizard/index.js');
        if (wizard.canRunInk()) {
          const r = await wizard.runWizard({ services, initial: env.draft(), demo: true });
          if (r.status !== 'done') {
            say('Setup cancelled.');
            return void stop(EXIT.ok);
          }
          dashboardUrl = r.dashboardUrl;
        } else {
          const { runHeadless } = await import('../plain/headless.js');
          dashboardUrl = (await runHeadless({ services, draft: env.draft(), log: say })).dashboardUrl ?? '';
          say(`Dashboard: ${dashboardUrl}`);
        }
      } catch (e) {
        process.stderr.write(`error: ${(e as Error).message}\n`);
        return void stop(EXIT.failure);
      }

      if (opts.open && hasDisplay()) {
        // The secret never goes on a command line: the browser opens a 0600 redirect file (core/browser-open.ts).
        const { openInBrowser } = await import('../../core/browser-open.js');
        await openInBrowser(dashboardUrl, join(demoHome, 'run')).catch(() =>
          say('Could not open a browser; open the dashboard URL above yourself.'),
        );
      }
      say('The daemon is syncing. Press Ctrl+C to stop everything.');
      say('In another shell, `outpost status`, `outpost dashboard` and `outpost review` find this demo by themselves.');
      const { formatClockTime } = await import('../../core/format/time.js');
      let last = '';
      setInterval(() => {
        const s = readStatus(demoHome);
        const p = s?.profiles[0];
        if (!p) return;
        const line = `[${formatClockTime(new Date(), { timeZone: DEMO_TIMEZONE })}] ${p.state}${p.reason ? ` (${p.reason})` : ''} · delivered ${p.delivered} · filtered ${p.filtered} · backlog ${p.backlog}`;
        const key = `${p.state}|${p.delivered}|${p.filtered}|${p.backlog}`;
        if (key !== last) say(line);
        last = key;
      }, 2000);
    });
}
