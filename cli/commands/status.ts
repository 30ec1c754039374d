// `outpost status`: what the daemon is doing — also when it is down (from the state database).
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { observedHome } from '../context.js';
import { EXIT, chalk, printJson } from '../output.js';

export function register(program: Command): void {
  program
    .command('status')
    .description('show the daemon state per profile (also when it is not running)')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const runtime = await import('../../core/engine/runtime.js');
      const { homePaths } = await import('../../core/paths.js');
      const dir = await observedHome();
      const { formatDateTime, formatSeconds, hostTimeZone } = await import('../../core/format/time.js');
      const info = runtime.readDaemonInfo(dir);
      const snapshot = info ? runtime.readStatus(dir) : null;
      const paths = homePaths(dir);
      let lastRuns: unknown[] = [];
      let offline: Array<{ name: string; delivered: number; filtered: number; skipped: number; rejected: number; lastSuccessAt: string | null }> = [];
      if (existsSync(paths.state)) {
        const { StateStore } = await import('../../core/state/store.js');
        const store = new StateStore(paths.state);
        lastRuns = store.runs(null, 5);
        const names = info?.profiles ?? [...new Set((lastRuns as Array<{ profile: string }>).map((r) => r.profile))];
        offline = names.map((name) => ({ name, ...store.stats(name), ...store.parked(name) }));
        store.close();
      }
      const timeZone = await plantZone(info?.configFile ?? homePaths(dir).config, hostTimeZone());
      const pausedAt = info ? {} : (await import('../../core/engine/paused.js')).readPaused(dir);
      const result = {
        running: Boolean(info),
        pid: info?.pid ?? null,
        startedAt: info?.startedAt ?? null,
        dashboardUrl: info?.dashboardUrl ?? null,
        // A stopped daemon's profiles: still say which ones stay paused when it starts.
        profiles: snapshot?.profiles ?? offline.map((p) => ({ ...p, state: 'stopped', ...(pausedAt[p.name] ? { paused: true, pausedAt: pausedAt[p.name], reason: `Paused since ${formatDateTime(pausedAt[p.name], { timeZone })}; it stays paused when the daemon starts ("outpost resume" to undo).` } : {}) })),
        config: snapshot?.config ?? null,
        lastRuns,
      };
      if (opts.json) {
        printJson(result);
        process.exit(info ? EXIT.ok : EXIT.notRunning);
      }
      const at = (iso: unknown) => formatDateTime(typeof iso === 'string' ? iso : null, { timeZone }, 'never');
      {
        process.stdout.write(info ? `${chalk.green('●')} daemon running (pid ${info.pid}) since ${at(info.startedAt)}\n` : `${chalk.dim('○')} daemon not running\n`);
        if (info?.dashboardUrl) process.stdout.write(`  dashboard: ${info.dashboardUrl} (run "outpost dashboard" to open it)\n`);
        if (result.config?.error) process.stdout.write(`  ${chalk.red('config refused')}: ${result.config.error}\n`);
        for (const p of result.profiles as Array<Record<string, unknown>>) {
          process.stdout.write(
            `  ${p.name}: ${p.state}${typeof p.since === 'string' ? ` since ${at(p.since)}` : ''}\n` +
              (p.reason ? `    ${p.reason}\n` : '') +
              `    delivered ${p.delivered}; parked: filtered ${p.filtered ?? 0}, skipped ${p.skipped ?? 0}, rejected ${p.rejected ?? 0}` +
              `${p.backlog !== undefined ? `; backlog ${p.backlog === null ? 'unknown' : p.backlog}` : ''}` +
              `${p.lagSeconds !== undefined ? `, lag ${p.lagSeconds === null ? 'unknown' : typeof p.lagSeconds === 'number' && p.lagSeconds > 0 ? formatSeconds(p.lagSeconds) : 'none'}` : ''}; last success ${at(p.lastSuccessAt)}\n`,
          );
        }
        if (result.profiles.length === 0) process.stdout.write('  no profiles have run yet; run "outpost setup" or "outpost demo"\n');
      }
      process.exit(info ? EXIT.ok : EXIT.notRunning);
    });
}

/** The plant's zone (the first profile naming one), for the one time format; the host's otherwise. */
async function plantZone(file: string, fallback: string): Promise<string> {
  try {
    const { loadConfig } = await import('../../core/config/load.js');
    return loadConfig(file).profiles.find((p) => p.change.timezone)?.change.timezone ?? fallback;
  } catch {
    return fallback;
  }
}
