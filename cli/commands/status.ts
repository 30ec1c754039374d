// `outpost status`: what the daemon is doing — also when it is down (from the state database).
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { home } from '../context.js';
import { EXIT, chalk, printJson } from '../output.js';

export function register(program: Command): void {
  program
    .command('status')
    .description('show the daemon state per profile (also when it is not running)')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const runtime = await import('../../core/engine/runtime.js');
      const { homePaths } = await import('../../core/paths.js');
      const dir = home();
      const info = runtime.readDaemonInfo(dir);
      const snapshot = info ? runtime.readStatus(dir) : null;
      const paths = homePaths(dir);
      let lastRuns: unknown[] = [];
      let offline: Array<{ name: string; delivered: number; filtered: number; lastSuccessAt: string | null }> = [];
      if (existsSync(paths.state)) {
        const { StateStore } = await import('../../core/state/store.js');
        const store = new StateStore(paths.state);
        lastRuns = store.runs(null, 5);
        const names = info?.profiles ?? [...new Set((lastRuns as Array<{ profile: string }>).map((r) => r.profile))];
        offline = names.map((name) => ({ name, ...store.stats(name) }));
        store.close();
      }
      const result = {
        running: Boolean(info),
        pid: info?.pid ?? null,
        startedAt: info?.startedAt ?? null,
        dashboardUrl: info?.dashboardUrl ?? null,
        profiles: snapshot?.profiles ?? offline.map((p) => ({ ...p, state: 'stopped' })),
        lastRuns,
      };
      if (opts.json) {
        printJson(result);
      } else {
        process.stdout.write(info ? `${chalk.green('●')} daemon running (pid ${info.pid}) since ${info.startedAt}\n` : `${chalk.dim('○')} daemon not running\n`);
        if (info?.dashboardUrl) process.stdout.write(`  dashboard: ${info.dashboardUrl} (run "outpost dashboard" to open it)\n`);
        for (const p of result.profiles as Array<Record<string, unknown>>) {
          process.stdout.write(
            `  ${p.name}: ${p.state}${p.reason ? ` — ${p.reason}` : ''}; delivered ${p.delivered}, filtered ${p.filtered}` +
              `${p.backlog !== undefined ? `, backlog ${p.backlog}, lag ${p.lagSeconds}s` : ''}; last success ${p.lastSuccessAt ?? 'never'}\n`,
          );
        }
        if (result.profiles.length === 0) process.stdout.write('  no profiles have run yet; run "outpost setup" or "outpost demo"\n');
      }
      process.exit(info ? EXIT.ok : EXIT.notRunning);
    });
}
