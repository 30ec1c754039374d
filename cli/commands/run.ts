// `outpost run`: the daemon in the foreground (what `outpost start` and the service run).
import type { Command } from 'commander';
import { runOnceAndExit } from '../once.js';
import { EXIT, fail } from '../output.js';
import { home, profilesOrExit, type LoadedProfiles } from '../context.js';

export function register(program: Command): void {
  program
    .command('run')
    .description('run the sync daemon in the foreground (Ctrl+C stops it)')
    .option('--config <file>', 'config file (default: <home>/outpost.json)')
    .option('--profile <name>', 'run only this profile')
    .option('--once', 'one full pass of every profile, then exit 0 (complete) or 1')
    .option('--no-dashboard', 'do not serve the local dashboard')
    .option(
      '--dashboard-port <port>',
      'dashboard port on 127.0.0.1, kept for this home folder (default: the one used last, else a free port)',
      (v) => Number(v),
    )
    .option('--json', 'with --once: print the pass summary as JSON')
    .option('--timeout <duration>', 'with --once: give up (exit 1, with the reason) after this long without progress', '2m')
    .action(
      async (opts: {
        config?: string;
        profile?: string;
        once?: boolean;
        dashboard: boolean;
        dashboardPort?: number;
        json?: boolean;
        timeout: string;
      }) => {
        const { Daemon } = await import('../../core/engine/daemon.js');
        const { LogTap } = await import('../../core/log.js');
        const { daemonLogger } = await import('../daemon-log.js');
        const { parseDuration } = await import('../../core/config/schema.js');
        let giveUpMs: number;
        try {
          giveUpMs = parseDuration(opts.timeout);
        } catch {
          fail(`--timeout "${opts.timeout}" is not a duration like 30s, 2m or 1h.`, EXIT.usage);
        }
        const runtime = await import('../../core/engine/runtime.js');
        const { VERSION } = await import('../../core/version.js');
        const loaded = await profilesOrExit(opts);
        const dir = home();
        // Records go to the rotating log file, the terminal and the dashboard's live tail. A failing
        // log write is reported to the daemon (a state), never thrown.
        const tap = new LogTap();
        let onWriteError: (code: string | null, where: string) => void = () => {};
        const log = daemonLogger(dir, loaded.config, { tap, onWriteError: (code) => onWriteError(code, `its log in ${dir}`) });
        if (opts.once)
          await runOnceAndExit({ profiles: loaded.profiles, home: dir, configFile: loaded.file, json: opts.json, log, giveUpMs });
        let daemon: InstanceType<typeof Daemon>;
        try {
          daemon = new Daemon({
            profiles: loaded.profiles,
            home: dir,
            log,
            heartbeatMs: 30_000,
            configFile: loaded.file,
            onlyProfiles: opts.profile ? [opts.profile] : undefined,
          });
        } catch (e) {
          fail((e as Error).message);
        }
        onWriteError = (code, where) => daemon.reportLocalWriteProblem(code, where);

        let dashboard: { url: string; launchUrl: string; port: number; close(): Promise<void> } | null = null;
        if (opts.dashboard) {
          dashboard = await serveDashboard({ dir, daemon, loaded, tap, log, port: opts.dashboardPort });
        }
        // Keep a status file for `outpost status` (throttled: at most one write a second). A full disk
        // makes it stale, never kills the daemon: the state says so, and `outpost status` asks the
        // daemon itself over the control channel first.
        let pending: NodeJS.Timeout | null = null;
        let statusWriteFailed: string | null = null;
        const flush = () => {
          pending = null;
          try {
            runtime.writeStatus(dir, daemon.board.snapshot());
            statusWriteFailed = null;
          } catch (e) {
            const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
            if (statusWriteFailed !== code) {
              statusWriteFailed = code;
              log('error', `cannot write ${dir}/run/status.json (${code}); the daemon goes on, "outpost status" asks it directly`);
              daemon.reportLocalWriteProblem(code, `its status file in ${dir}`);
            }
          }
        };
        daemon.board.subscribe(() => {
          if (!pending) pending = setTimeout(flush, 1000);
        });
        const { startControlServer, controlHandler } = await import('../../core/engine/control.js');
        const control = await startControlServer(dir, controlHandler(daemon));
        runtime.writeDaemonInfo(
          dir,
          {
            pid: process.pid,
            startedAt: new Date().toISOString(),
            version: VERSION,
            configFile: loaded.file,
            dashboardUrl: dashboard?.url ?? null,
            profiles: loaded.profiles.map((p) => p.name),
          },
          dashboard?.launchUrl ?? null,
        );
        flush();
        log(
          'info',
          `Outpost ${VERSION} running ${loaded.profiles.length} profile(s) from ${loaded.file}${dashboard ? `; dashboard at ${dashboard.url} (open it with "outpost dashboard")` : ''}`,
        );
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
          log('info', 'stopped');
          log.close();
          process.exit(EXIT.ok);
        };
        process.on('SIGINT', () => void stop('SIGINT'));
        process.on('SIGTERM', () => void stop('SIGTERM'));
        // Windows: a service wrapper's Ctrl+Break.
        if (process.platform === 'win32') process.on('SIGBREAK', () => void stop('SIGBREAK'));
      },
    );
}

/** The dashboard on the home's kept port and link (dashboard/link.ts), with every page's source. */
async function serveDashboard(args: {
  dir: string;
  daemon: import('../../core/engine/daemon.js').Daemon;
  loaded: LoadedProfiles;
  tap: import('../../core/log.js').LogTap;
  log: import('../../core/log.js').Logger;
  port: number | undefined;
}) {
  const { dir, daemon, loaded, tap, log } = args;
  const { startDashboard } = await import('../../dashboard/server.js');
  const link = await import('../../dashboard/link.js');
  const { readPaused } = await import('../../core/engine/paused.js');
  const { hostTimeZone } = await import('../../core/format/time.js');
  const { parseDuration } = await import('../../core/config/schema.js');
  const kept = link.ensureLink(dir);
  if (args.port !== undefined && (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535))
    fail('--dashboard-port must be a port number from 0 to 65535.', EXIT.usage);
  const timeZone = loaded.profiles.find((p) => p.change.timezone)?.change.timezone ?? hostTimeZone();
  const options = {
    feed: daemon.board,
    secrets: link.fileSecrets(dir, kept),
    timeZone,
    actions: {
      syncNow: async (p: string) => daemon.syncNow(p),
      pause: async (p: string) => daemon.pause(p),
      resume: async (p: string) => daemon.resume(p),
      resend: async (p: string, sel: import('../../core/engine/resend.js').ResendSelector) => daemon.resend(p, sel),
      reconcile: (p: string, o: { days?: number }) => daemon.reconcile(p, o),
    },
    reports: {
      runs: (profile: string | null, limit: number) => daemon.store.runs(profile, limit),
      runRecords: (runId: number) => daemon.store.runRecords(runId),
      run: (id: number) => daemon.store.run(id),
      queryRuns: (q: import('../../core/state/store.js').RunQuery) => daemon.store.queryRuns(q),
      writtenPerMinute: (profile: string, since: string) => daemon.store.writtenPerMinute(profile, since),
      parkedPage: (profile: string, kind: 'filtered' | 'skipped' | 'rejected', limit: number, offset: number) =>
        daemon.store.parkedPage(profile, kind, limit, offset),
      profiles: () => daemon.profiles.map((p) => p.name),
    },
    logs: tap,
    review: (await import('../../dashboard/review-service.js')).reviewService({ profiles: loaded.profiles, db: daemon.store.db, timeZone }),
    settings: () => {
      const paused = readPaused(dir);
      return {
        home: dir,
        configFile: loaded.file,
        port: handle.port,
        reviewerLink: Boolean(link.readLink(dir)?.reviewer),
        profiles: loaded.profiles.map((p) => ({
          name: p.name,
          every: `${p.schedule.every} (${Math.round(parseDuration(p.schedule.every) / 1000)} s)`,
          timeZone: p.change.timezone ?? timeZone,
          paused: p.name in paused,
          table: p.table,
          driver: p.source.driver,
          template: p.mapping.template,
        })),
      };
    },
  };
  const wanted = args.port ?? kept.port ?? 0;
  let handle: Awaited<ReturnType<typeof startDashboard>>;
  try {
    handle = await startDashboard({ ...options, port: wanted });
  } catch (e) {
    if ((e as { code?: string }).code !== 'EADDRINUSE' || args.port !== undefined) fail((e as Error).message);
    // The kept port is taken by something else: serve on a free one for now (the kept one stays
    // the preferred, so the bookmark works again once the port is free).
    handle = await startDashboard({ ...options, port: 0 });
    log(
      'warn',
      `The dashboard's usual port ${wanted} is in use; serving on ${handle.port} for now (the link changes until that port is free).`,
    );
  }
  if (kept.port === null || args.port !== undefined) link.setPort(dir, handle.port);
  return handle;
}
