// `outpost run`: the daemon in the foreground (what `outpost start` and the service run).
import type { Command } from 'commander';
import { runOnceAndExit } from '../once.js';
import { EXIT, fail } from '../output.js';
import { home, loadProfiles } from '../context.js';

export function register(program: Command): void {
  program
    .command('run')
    .description('run the sync daemon in the foreground (Ctrl+C stops it)')
    .option('--config <file>', 'config file (default: <home>/outpost.json)')
    .option('--profile <name>', 'run only this profile')
    .option('--once', 'one full pass of every profile, then exit 0 (complete) or 1')
    .option('--no-dashboard', 'do not serve the local dashboard')
    .option('--dashboard-port <port>', 'dashboard port on 127.0.0.1 (default: a free port)', (v) => Number(v))
    .option('--json', 'with --once: print the pass summary as JSON')
    .action(async (opts: { config?: string; profile?: string; once?: boolean; dashboard: boolean; dashboardPort?: number; json?: boolean }) => {
      const { Daemon } = await import('../../core/engine/daemon.js');
      const { createLogger, LogTap } = await import('../../core/log.js');
      const runtime = await import('../../core/engine/runtime.js');
      const { VERSION } = await import('../../core/version.js');
      let loaded;
      try {
        loaded = await loadProfiles(opts);
      } catch (e) {
        fail((e as Error).message, EXIT.usage);
      }
      const dir = home();
      // Every line goes to stderr (the service's log) and to the dashboard's live tail.
      const tap = new LogTap();
      const log = createLogger((line) => {
        process.stderr.write(line + '\n');
        tap.push(line);
      }, process.env.OUTPOST_LOG_LEVEL === 'debug' ? 'debug' : 'info');
      if (opts.once) await runOnceAndExit({ profiles: loaded.profiles, home: dir, configFile: loaded.file, json: opts.json, log });
      let daemon: InstanceType<typeof Daemon>;
      try {
        daemon = new Daemon({ profiles: loaded.profiles, home: dir, log, heartbeatMs: 30_000, configFile: loaded.file });
      } catch (e) {
        fail((e as Error).message);
      }

      let dashboard: { url: string; launchUrl: string; close(): Promise<void> } | null = null;
      if (opts.dashboard) {
        const { startDashboard } = await import('../../dashboard/server.js');
        dashboard = await startDashboard({
          feed: daemon.board,
          port: opts.dashboardPort ?? 0,
          actions: {
            syncNow: async (p) => daemon.syncNow(p),
            pause: async (p) => daemon.pause(p),
            resume: async (p) => daemon.resume(p),
          },
          reports: {
            runs: (profile, limit) => daemon.store.runs(profile, limit),
            runRecords: (runId) => daemon.store.runRecords(runId),
            run: (id) => daemon.store.run(id),
          },
          logs: tap,
          review: (await import('../../dashboard/review-service.js')).reviewService({ profiles: loaded.profiles, db: daemon.store.db }),
        });
      }
      // Keep a status file for `outpost status` (throttled: at most one write a second).
      let pending: NodeJS.Timeout | null = null;
      const flush = () => {
        pending = null;
        runtime.writeStatus(dir, daemon.board.snapshot());
      };
      daemon.board.subscribe(() => {
        if (!pending) pending = setTimeout(flush, 1000);
      });
      const { startControlServer } = await import('../../core/engine/control.js');
      const names = loaded.profiles.map((p) => p.name);
      const control = await startControlServer(dir, async (req) => {
        const targets = req.profile ? [req.profile] : names;
        if (req.profile && !names.includes(req.profile)) return { ok: false, message: `The daemon runs no profile "${req.profile}"; it runs: ${names.join(', ')}.` };
        for (const p of targets) {
          if (req.op === 'sync') daemon.syncNow(p);
          else if (req.op === 'pause') daemon.pause(p);
          else if (req.op === 'resume') daemon.resume(p);
          else return { ok: false, message: `unknown request "${String(req.op)}"` };
        }
        return { ok: true, message: `${req.op === 'sync' ? 'Sync requested' : req.op === 'pause' ? 'Paused' : 'Resumed'} for ${targets.join(', ')}; watch it with "outpost status".` };
      });
      runtime.writeDaemonInfo(
        dir,
        { pid: process.pid, startedAt: new Date().toISOString(), version: VERSION, configFile: loaded.file, dashboardUrl: dashboard?.url ?? null, profiles: loaded.profiles.map((p) => p.name) },
        dashboard?.launchUrl ?? null,
      );
      flush();
      log('info', `Outpost ${VERSION} running ${loaded.profiles.length} profile(s) from ${loaded.file}${dashboard ? `; dashboard at ${dashboard.url} (open it with "outpost dashboard")` : ''}`);
      daemon.start();

      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        log('info', `${signal}: stopping`);
        if (pending) clearTimeout(pending);
        await daemon.stop();
        flush();
        await dashboard?.close();
        await control.close();
        runtime.clearRuntime(dir, process.pid);
        process.exit(EXIT.ok);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
    });
}
