// `outpost start` / `outpost stop`: the daemon in the background. It writes its own rotating log
// (<home>/logs/outpost.log, read it with `outpost logs`); its stdout/stderr go to
// logs/outpost.stderr.log, replaced at every start (only a crash writes there).
//
// `stop` ends every wait at once, lets the batch in flight finish for up to the daemon's stop grace
// (OUTPOST_STOP_GRACE_MS, default 15 s) and waits that plus 15 s for the process to exit.
import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configFile, configOrExit, home } from '../context.js';
import { EXIT, fail } from '../output.js';

export function register(program: Command): void {
  program
    .command('start')
    .description('start the daemon in the background')
    .option('--config <file>', 'config file (default: <home>/outpost.json)')
    .option('--profile <name>', 'run only this profile')
    .action(async (opts: { config?: string; profile?: string }) => {
      const runtime = await import('../../core/engine/runtime.js');
      const dir = home();
      const running = runtime.readDaemonInfo(dir);
      if (running) fail(`The daemon is already running (pid ${running.pid}); use "outpost status" to see it or "outpost stop" first.`);
      const file = configFile(opts);
      await configOrExit(file);
      const logs = join(dir, 'logs');
      mkdirSync(logs, { recursive: true, mode: 0o700 });
      const out = openSync(join(logs, 'outpost.stderr.log'), 'w', 0o600);
      const args = [
        fileURLToPath(new URL('../main.js', import.meta.url)),
        'run',
        '--config',
        file,
        ...(opts.profile ? ['--profile', opts.profile] : []),
      ];
      const child = spawn(process.execPath, [...runtime.DAEMON_NODE_FLAGS, ...args], {
        detached: true,
        stdio: ['ignore', out, out],
        env: { ...process.env, OUTPOST_HOME: dir },
        windowsHide: true,
      });
      child.unref();
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        const info = runtime.readDaemonInfo(dir);
        if (info && info.pid === child.pid) {
          process.stdout.write(`Daemon started (pid ${info.pid}); log: ${join(logs, 'outpost.log')} ("outpost logs -f" follows it)\n`);
          if (info.dashboardUrl) process.stdout.write(`Dashboard: run "outpost dashboard" to open it.\n`);
          process.exit(EXIT.ok);
        }
        if (child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      fail(`The daemon did not start; see "outpost logs" and ${join(logs, 'outpost.stderr.log')}.`);
    });

  program
    .command('stop')
    .description('stop the background daemon (a batch in flight may finish for up to 15 s)')
    .action(async () => {
      const runtime = await import('../../core/engine/runtime.js');
      const dir = home();
      const info = runtime.readDaemonInfo(dir);
      if (!info) fail('The daemon is not running; start it with "outpost start".', EXIT.notRunning);
      try {
        process.kill(info.pid, 'SIGTERM');
      } catch (e) {
        fail(
          `Cannot signal the daemon (pid ${info.pid}): ${(e as NodeJS.ErrnoException).code}; stop it as the account that runs it (or "outpost service uninstall").`,
        );
      }
      const boundMs = runtime.stopGraceMs() + 15_000;
      const deadline = Date.now() + boundMs;
      const gone = () => runtime.readDaemonInfo(dir)?.pid !== info.pid && !runtime.isAlive(info.pid);
      while (Date.now() < deadline && !gone()) await new Promise((r) => setTimeout(r, 100));
      if (!gone())
        fail(
          `The daemon (pid ${info.pid}) did not stop within ${Math.round(boundMs / 1000)} s; see "outpost logs", or stop it with your system's task manager.`,
        );
      process.stdout.write(`Daemon stopped (pid ${info.pid}).\n`);
    });
}
