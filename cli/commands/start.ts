// `outpost start` / `outpost stop`: the daemon in the background, its output in <home>/logs.
import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configFile, home } from '../context.js';
import { EXIT, fail } from '../output.js';

export function register(program: Command): void {
  program
    .command('start')
    .description('start the daemon in the background')
    .option('--config <file>', 'config file (default: <home>/outpost.json)')
    .option('--profile <name>', 'run only this profile')
    .action(async (opts: { config?: string; profile?: string }) => {
      const runtime = await import('../../core/engine/runtime.js');
      const { loadConfig } = await import('../../core/config/load.js');
      const dir = home();
      const running = runtime.readDaemonInfo(dir);
      if (running) fail(`The daemon is already running (pid ${running.pid}); use "outpost status" to see it or "outpost stop" first.`);
      const file = configFile(opts);
      try {
        loadConfig(file);
      } catch (e) {
        fail((e as Error).message, EXIT.usage);
      }
      const logs = join(dir, 'logs');
      mkdirSync(logs, { recursive: true });
      const out = openSync(join(logs, 'outpost.log'), 'a');
      const args = [fileURLToPath(new URL('../main.js', import.meta.url)), 'run', '--config', file, ...(opts.profile ? ['--profile', opts.profile] : [])];
      const child = spawn(process.execPath, [...runtime.DAEMON_NODE_FLAGS, ...args], { detached: true, stdio: ['ignore', out, out], env: { ...process.env, OUTPOST_HOME: dir }, windowsHide: true });
      child.unref();
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        const info = runtime.readDaemonInfo(dir);
        if (info && info.pid === child.pid) {
          process.stdout.write(`Daemon started (pid ${info.pid}); log: ${join(logs, 'outpost.log')}\n`);
          if (info.dashboardUrl) process.stdout.write(`Dashboard: run "outpost dashboard" to open it.\n`);
          process.exit(EXIT.ok);
        }
        if (child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      fail(`The daemon did not start; see ${join(logs, 'outpost.log')}.`);
    });

  program
    .command('stop')
    .description('stop the background daemon')
    .action(async () => {
      const runtime = await import('../../core/engine/runtime.js');
      const dir = home();
      const info = runtime.readDaemonInfo(dir);
      if (!info) {
        process.stdout.write('The daemon is not running.\n');
        process.exit(EXIT.ok);
      }
      process.kill(info.pid, 'SIGTERM');
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && runtime.isAlive(info.pid)) await new Promise((r) => setTimeout(r, 100));
      if (runtime.isAlive(info.pid)) fail(`The daemon (pid ${info.pid}) did not stop within 20 s; stop it with your system's task manager.`);
      process.stdout.write(`Daemon stopped (pid ${info.pid}).\n`);
    });
}
