// `outpost status`: what the daemon is doing — also when it is down (from the state database), and
// the configured profiles that have not run yet with how to start them. A running daemon is asked
// directly over its control channel (live, also when the disk is too full for run/status.json).
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { configFile, observedHome, withStateStore } from '../context.js';
import { EXIT, chalk, printJson } from '../output.js';

type Row = Record<string, unknown> & { name: string; state: string };
type Snapshot = { profiles: Row[]; config?: { error?: string | null } | null };

export function register(program: Command): void {
  program
    .command('status')
    .description('show the daemon state per profile (also when it is not running, exit 3) and the configured profiles not run yet')
    .option('--config <file>', 'config file whose profiles to list (default: <home>/outpost.json)')
    .option('--json', 'print as JSON')
    .action(async (opts: { config?: string; json?: boolean }) => {
      const runtime = await import('../../core/engine/runtime.js');
      const { homePaths } = await import('../../core/paths.js');
      const dir = await observedHome();
      const { formatDateTime, formatSeconds, hostTimeZone } = await import('../../core/format/time.js');
      const info = runtime.readDaemonInfo(dir);
      let snapshot: Snapshot | null = null;
      if (info) {
        const { sendControl } = await import('../../core/engine/control.js');
        const reply = await sendControl(dir, { op: 'status' }, 3000).catch(() => null);
        snapshot = ((reply?.ok ? reply.data : null) ?? runtime.readStatus(dir)) as Snapshot | null;
      }
      // The configured profiles (a broken config is said, not fatal: status always answers).
      const file = info?.configFile ?? configFile(opts);
      let configured: Array<{ name: string; enabled: boolean }> = [];
      let configProblem: string | null = null;
      if (existsSync(file)) {
        try {
          const { loadConfig } = await import('../../core/config/load.js');
          configured = loadConfig(file).profiles.map((p) => ({ name: p.name, enabled: p.enabled }));
        } catch (e) {
          configProblem = (e as Error).message;
        }
      }
      const paths = homePaths(dir);
      let lastRuns: unknown[] = [];
      const offline: Row[] = [];
      const ran = new Set<string>();
      if (existsSync(paths.state)) {
        await withStateStore(dir, (store) => {
          lastRuns = store.runs(null, 5);
          const names = [
            ...new Set([
              ...(info?.profiles ?? []),
              ...(lastRuns as Array<{ profile: string }>).map((r) => r.profile),
              ...configured.map((c) => c.name),
            ]),
          ];
          for (const name of names) {
            const s = { name, ...store.stats(name), ...store.parked(name) };
            if (s.delivered || s.filtered || s.lastSuccessAt || store.runs(name, 1).length || store.getWatermark(name)) {
              ran.add(name);
              offline.push({ ...s, state: 'stopped' });
            }
          }
        });
      }
      const timeZone = await plantZone(file, hostTimeZone());
      const pausedAt = info ? {} : (await import('../../core/engine/paused.js')).readPaused(dir);
      // A stopped daemon's profiles: still say which ones stay paused when it starts.
      const rows: Row[] = snapshot?.profiles
        ? [...snapshot.profiles]
        : offline.map((p) => ({
            ...p,
            ...(pausedAt[p.name]
              ? {
                  paused: true,
                  pausedAt: pausedAt[p.name],
                  reason: `Paused since ${formatDateTime(pausedAt[p.name], { timeZone })}; it stays paused when the daemon starts ("outpost resume" to undo).`,
                }
              : {}),
          }));
      for (const c of configured) {
        if (rows.some((r) => r.name === c.name)) continue;
        rows.push({ name: c.name, state: !c.enabled ? 'disabled' : ran.has(c.name) ? 'not run by this daemon' : 'not run yet' });
      }
      const hint = (r: Row): string | null => {
        if (r.state === 'not run yet')
          return info
            ? 'restart the daemon to load it: "outpost reload", or "outpost stop" then "outpost start"'
            : 'start it with "outpost start" (or one pass: "outpost run --once")';
        if (r.state === 'not run by this daemon') return 'load it into the running daemon: "outpost reload"';
        if (r.state === 'disabled') return 'set "enabled": true in the config file to run it';
        return null;
      };
      const result = {
        running: Boolean(info),
        pid: info?.pid ?? null,
        startedAt: info?.startedAt ?? null,
        dashboardUrl: info?.dashboardUrl ?? null,
        profiles: rows.map((r): Row & { hint: string | null } => ({ ...r, hint: hint(r) })),
        config: snapshot?.config ?? (configProblem ? { file, error: configProblem } : null),
        lastRuns,
      };
      if (opts.json) {
        printJson(result);
        process.exit(info ? EXIT.ok : EXIT.notRunning);
      }
      const at = (iso: unknown) => formatDateTime(typeof iso === 'string' ? iso : null, { timeZone }, 'never');
      {
        process.stdout.write(
          info
            ? `${chalk.green('●')} daemon running (pid ${info.pid}) since ${at(info.startedAt)}\n`
            : `${chalk.dim('○')} daemon not running\n`,
        );
        if (info?.dashboardUrl) process.stdout.write(`  dashboard: ${info.dashboardUrl} (run "outpost dashboard" to open it)\n`);
        if (result.config?.error) process.stdout.write(`  ${chalk.red('config refused')}: ${result.config.error}\n`);
        for (const p of result.profiles) {
          if (p.hint) {
            process.stdout.write(`  ${p.name}: ${p.state} — ${p.hint}\n`);
            continue;
          }
          process.stdout.write(
            `  ${p.name}: ${p.state}${typeof p.since === 'string' ? ` since ${at(p.since)}` : ''}\n` +
              (p.reason ? `    ${p.reason}\n` : '') +
              `    delivered ${p.delivered}; parked: filtered ${p.filtered ?? 0}, skipped ${p.skipped ?? 0}, rejected ${p.rejected ?? 0}` +
              `${p.backlog !== undefined ? `; backlog ${p.backlog === null ? 'unknown' : p.backlog}` : ''}` +
              `${p.lagSeconds !== undefined ? `, lag ${p.lagSeconds === null ? 'unknown' : typeof p.lagSeconds === 'number' && p.lagSeconds > 0 ? formatSeconds(p.lagSeconds) : 'none'}` : ''}; last success ${at(p.lastSuccessAt)}\n`,
          );
        }
        if (result.profiles.length === 0)
          process.stdout.write(`  no profiles configured${existsSync(file) ? ` in ${file}` : ''}; run "outpost setup" or "outpost demo"\n`);
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
