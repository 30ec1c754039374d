// `outpost service install | uninstall`: run the daemon at boot as a systemd unit (Linux), a
// launchd job (macOS) or a Task Scheduler task (Windows). `--dry-run` prints what would be done.
import type { Command } from 'commander';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configFile, home } from '../context.js';
import { EXIT, fail } from '../output.js';

interface Plan {
  file: string;
  text: string | null;
  commands: string[][];
}

async function plan(op: 'install' | 'uninstall', opts: { config?: string; user?: boolean; envFile?: string }): Promise<Plan> {
  const { renderService, serviceKindFor } = await import('../../core/service.js');
  const kind = serviceKindFor();
  const spec = { kind, node: process.execPath, cli: fileURLToPath(new URL('../main.js', import.meta.url)), home: home(), config: configFile(opts), user: opts.user, envFile: opts.envFile };
  const rendered = renderService(spec);
  if (kind === 'systemd') {
    const dir = opts.user ? join(homedir(), '.config', 'systemd', 'user') : '/etc/systemd/system';
    const sc = opts.user ? ['systemctl', '--user'] : ['systemctl'];
    return op === 'install'
      ? { file: join(dir, rendered.fileName), text: rendered.text, commands: [[...sc, 'daemon-reload'], [...sc, 'enable', '--now', 'outpost.service']] }
      : { file: join(dir, rendered.fileName), text: null, commands: [[...sc, 'disable', '--now', 'outpost.service'], [...sc, 'daemon-reload']] };
  }
  if (kind === 'launchd') {
    const file = opts.user ? join(homedir(), 'Library', 'LaunchAgents', rendered.fileName) : join('/Library/LaunchDaemons', rendered.fileName);
    return op === 'install' ? { file, text: rendered.text, commands: [['launchctl', 'load', '-w', file]] } : { file, text: null, commands: [['launchctl', 'unload', '-w', file]] };
  }
  const file = join(home(), 'service', rendered.fileName);
  return op === 'install'
    ? { file, text: rendered.text, commands: [['schtasks', '/Create', '/XML', file, '/TN', 'Outpost', '/F'], ['schtasks', '/Run', '/TN', 'Outpost']] }
    : { file, text: null, commands: [['schtasks', '/End', '/TN', 'Outpost'], ['schtasks', '/Delete', '/TN', 'Outpost', '/F']] };
}

function execute(p: Plan, op: 'install' | 'uninstall'): void {
  if (op === 'install' && p.text !== null) {
    mkdirSync(dirname(p.file), { recursive: true });
    writeFileSync(p.file, p.text, { mode: 0o644 });
    process.stdout.write(`Wrote ${p.file}\n`);
  }
  for (const cmd of p.commands) {
    try {
      execFileSync(cmd[0], cmd.slice(1), { stdio: 'inherit' });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      fail(`"${cmd.join(' ')}" failed${code === 'ENOENT' ? ` (${cmd[0]} is not installed)` : ''}; run it yourself as an administrator, or use --dry-run to see every step.`);
    }
  }
  if (op === 'uninstall' && existsSync(p.file)) {
    rmSync(p.file);
    process.stdout.write(`Removed ${p.file}\n`);
  }
}

export function register(program: Command): void {
  const service = program.command('service').description('install or remove the daemon as a service that starts at boot');
  for (const op of ['install', 'uninstall'] as const) {
    service
      .command(op)
      .description(op === 'install' ? 'install and start the service (systemd, launchd or Task Scheduler)' : 'stop and remove the service')
      .option('--config <file>', 'config file the service runs (default: <home>/outpost.json)')
      .option('--user', 'a per-user service instead of a system one (systemd --user, LaunchAgents)')
      .option('--env-file <file>', 'systemd: EnvironmentFile with OUTPOST_TOKEN and DB passwords (keep it mode 0600)')
      .option('--dry-run', 'print the service file and the commands; change nothing')
      .action(async (opts: { config?: string; user?: boolean; envFile?: string; dryRun?: boolean }) => {
        let p: Plan;
        try {
          p = await plan(op, opts);
        } catch (e) {
          fail((e as Error).message, EXIT.usage);
        }
        if (opts.dryRun) {
          if (p.text !== null) process.stdout.write(`# ${p.file}\n${p.text}\n`);
          else process.stdout.write(`# would remove ${p.file}\n`);
          for (const c of p.commands) process.stdout.write(`$ ${c.join(' ')}\n`);
          return;
        }
        execute(p, op);
        process.stdout.write(op === 'install' ? 'Service installed; "outpost status" shows the daemon.\n' : 'Service removed.\n');
      });
  }
}
