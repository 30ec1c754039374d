// `outpost service install | uninstall`: run the daemon at boot.
// - Linux: a systemd system unit (a dynamic unprivileged user, state in /var/lib/outpost — the
//   config, connector id, secrets file and state database are copied there — and the env:NAME
//   secrets in the root-only EnvironmentFile /etc/outpost/outpost.env), or `--user` for a user unit.
// - macOS: a launchd job. Windows: a service through WinSW (`--winsw PATH` to its executable), or
//   `--task` for the Task Scheduler task; the home folder gets an ACL for SYSTEM and Administrators.
// `--dry-run` prints every file and step and changes nothing.
import type { Command } from 'commander';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configFile, home } from '../context.js';
import { EXIT, fail } from '../output.js';

interface Step {
  /** What a person reads (also in --dry-run). */
  text: string;
  run(): void;
}

interface Plan {
  files: Array<{ path: string; text: string }>;
  steps: Step[];
  notes: string[];
}

interface Opts {
  config?: string;
  user?: boolean;
  envFile?: string;
  dryRun?: boolean;
  winsw?: string;
  task?: boolean;
}

function cmdStep(cmd: string[]): Step {
  return {
    text: `$ ${cmd.join(' ')}`,
    run() {
      try {
        execFileSync(cmd[0], cmd.slice(1), { stdio: 'inherit' });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        fail(
          `"${cmd.join(' ')}" failed${code === 'ENOENT' ? ` (${cmd[0]} is not installed)` : ''}; run it yourself as an administrator, or use --dry-run to see every step.`,
        );
      }
    },
  };
}

function writeStep(path: string, data: string | Buffer, mode: number, shown = true): Step {
  return {
    text: `write ${path} (mode ${mode.toString(8).padStart(4, '0')})${shown ? '' : ' — secrets, not shown'}`,
    run() {
      mkdirSync(dirname(path), { recursive: true, mode: mode & 0o004 ? 0o755 : 0o700 });
      writeFileSync(path, data, { mode });
      chmodSync(path, mode); // the process umask (0077) must not narrow a unit file systemd reads
    },
  };
}

function copyStep(from: string, to: string): Step {
  return {
    text: `copy ${from} → ${to} (mode 0600)`,
    run() {
      mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
      copyFileSync(from, to);
      chmodSync(to, 0o600);
    },
  };
}

/** A folder on the path that other accounts cannot enter (the service's dynamic user could not run Outpost from there). */
function unreadableByOthers(path: string): string | null {
  let dir = resolve(path);
  for (;;) {
    try {
      const st = statSync(dir);
      const need = st.isDirectory() ? 0o001 : 0o004;
      if ((st.mode & need) === 0) return dir;
    } catch {
      return dir;
    }
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

async function plan(op: 'install' | 'uninstall', opts: Opts): Promise<Plan> {
  const {
    renderService,
    encodeServiceFile,
    serviceKindFor,
    envSecretNames,
    renderEnvFile,
    secretsFileBeside,
    SECRETS_FILE,
    SYSTEMD_ENV_FILE,
    SYSTEMD_STATE_DIR,
  } = await import('../../core/service.js');
  const { loadConfig } = await import('../../core/config/load.js');
  const { windowsAclCommand } = await import('../../core/paths.js');
  const runtime = await import('../../core/engine/runtime.js');
  let kind = serviceKindFor();
  if (kind === 'windows-service' && opts.task) kind = 'windows-task';
  const node = process.execPath;
  const cli = fileURLToPath(new URL('../main.js', import.meta.url));
  const here = home();
  const config = configFile(opts);
  const files: Plan['files'] = [];
  const steps: Step[] = [];
  const notes: string[] = [];
  const loaded = op === 'install' ? loadConfig(config) : null;
  const names = loaded ? envSecretNames(loaded) : [];

  if (kind === 'systemd') {
    const system = !opts.user;
    const sc = system ? ['systemctl'] : ['systemctl', '--user'];
    const unitDir = system ? '/etc/systemd/system' : join(homedir(), '.config', 'systemd', 'user');
    const unit = join(unitDir, 'outpost.service');
    if (op === 'uninstall') {
      steps.push(
        cmdStep([...sc, 'disable', '--now', 'outpost.service']),
        { text: `remove ${unit}`, run: () => rmSync(unit, { force: true }) },
        cmdStep([...sc, 'daemon-reload']),
      );
      notes.push(`The state folder (${system ? SYSTEMD_STATE_DIR : here}) is kept; remove it yourself when it is no longer needed.`);
      return { files, steps, notes };
    }
    const svcHome = system ? SYSTEMD_STATE_DIR : here;
    const svcConfig = system ? join(SYSTEMD_STATE_DIR, 'outpost.json') : config;
    const envFile = opts.envFile ? resolve(opts.envFile) : system ? SYSTEMD_ENV_FILE : join(here, 'outpost.env');
    if (system) {
      for (const p of [node, cli]) {
        const blocked = unreadableByOthers(p);
        if (blocked)
          notes.push(
            `WARNING: ${blocked} cannot be entered by other accounts, so the service's unprivileged user cannot start ${p}; install Node and Outpost under /usr/local or /opt (e.g. "npm install -g"), or use --user.`,
          );
      }
      if (resolve(here) !== SYSTEMD_STATE_DIR) {
        if (runtime.readDaemonInfo(here))
          throw new Error(
            `The daemon is running on ${here}; stop it with "outpost stop" first, so its state can be moved to ${SYSTEMD_STATE_DIR}.`,
          );
        steps.push(copyStep(config, svcConfig));
        // The wizard's secret: file goes beside the copied config, where the daemon looks for it.
        const secrets = secretsFileBeside(config);
        if (existsSync(secrets)) steps.push(copyStep(secrets, join(SYSTEMD_STATE_DIR, SECRETS_FILE)));
        for (const f of ['connector-id', 'state.db']) {
          if (existsSync(join(here, f))) steps.push(copyStep(join(here, f), join(SYSTEMD_STATE_DIR, f)));
        }
        notes.push(
          `The service uses ${SYSTEMD_STATE_DIR} as its state folder (copied from ${here}); run "OUTPOST_HOME=${SYSTEMD_STATE_DIR} outpost status" as root to see it.`,
        );
      }
    }
    if (names.length) {
      const env = renderEnvFile(names, process.env);
      steps.push(writeStep(envFile, env.text, 0o600, false));
      if (env.missing.length)
        notes.push(`Set ${env.missing.join(', ')} in ${envFile} (they were not set here); then "${sc.join(' ')} restart outpost".`);
    }
    const secretsFile = system ? join(SYSTEMD_STATE_DIR, SECRETS_FILE) : secretsFileBeside(config);
    const text = renderService({ kind, node, cli, home: svcHome, config: svcConfig, user: !system, envFile, secretsFile }).text;
    files.push({ path: unit, text });
    steps.push(writeStep(unit, text, 0o644), cmdStep([...sc, 'daemon-reload']), cmdStep([...sc, 'enable', '--now', 'outpost.service']));
    return { files, steps, notes };
  }

  if (kind === 'launchd') {
    const rendered = renderService({ kind, node, cli, home: here, config, user: opts.user });
    const file = opts.user
      ? join(homedir(), 'Library', 'LaunchAgents', rendered.fileName)
      : join('/Library/LaunchDaemons', rendered.fileName);
    if (op === 'uninstall')
      return {
        files,
        steps: [cmdStep(['launchctl', 'unload', '-w', file]), { text: `remove ${file}`, run: () => rmSync(file, { force: true }) }],
        notes,
      };
    files.push({ path: file, text: rendered.text });
    steps.push(writeStep(file, encodeServiceFile(kind, rendered.text), 0o644), cmdStep(['launchctl', 'load', '-w', file]));
    if (names.length)
      notes.push(`launchd passes no secrets: set ${names.join(', ')} with "launchctl setenv" or use secret: references in the config.`);
    return { files, steps, notes };
  }

  const dir = join(here, 'service');
  const acl = windowsAclCommand(here, process.env.USERNAME ?? 'Administrators');
  if (kind === 'windows-task') {
    const rendered = renderService({ kind, node, cli, home: here, config });
    const file = join(dir, rendered.fileName);
    if (op === 'uninstall')
      return {
        files,
        steps: [
          cmdStep(['schtasks', '/End', '/TN', 'Outpost']),
          cmdStep(['schtasks', '/Delete', '/TN', 'Outpost', '/F']),
          { text: `remove ${file}`, run: () => rmSync(file, { force: true }) },
        ],
        notes,
      };
    files.push({ path: file, text: rendered.text });
    steps.push(
      writeStep(file, encodeServiceFile(kind, rendered.text), 0o600),
      cmdStep(acl),
      cmdStep(['schtasks', '/Create', '/XML', file, '/TN', 'Outpost', '/F']),
      cmdStep(['schtasks', '/Run', '/TN', 'Outpost']),
    );
  } else {
    const exe = join(dir, 'outpost-service.exe');
    const xml = join(dir, 'outpost-service.xml');
    if (op === 'uninstall')
      return { files, steps: [cmdStep([exe, 'stop']), cmdStep([exe, 'uninstall'])], notes: [`${dir} and the state folder are kept.`] };
    const winsw = opts.winsw ? resolve(opts.winsw) : existsSync(exe) ? exe : null;
    if (!winsw) {
      throw new Error(
        'A Windows service needs WinSW (one executable from the WinSW project, also bundled by node-windows): pass --winsw PATH-TO-WinSW.exe, or --task for a Task Scheduler task instead.',
      );
    }
    const rendered = renderService({ kind, node, cli, home: here, config });
    files.push({ path: xml, text: rendered.text });
    if (winsw !== exe) steps.push(copyStep(winsw, exe));
    steps.push(
      writeStep(xml, encodeServiceFile(kind, rendered.text), 0o600),
      cmdStep(acl),
      cmdStep([exe, 'install']),
      cmdStep([exe, 'start']),
    );
  }
  if (names.length)
    notes.push(
      `The service reads ${names.join(', ')} from the machine environment (System Properties → Environment Variables) or use secret: references in the config.`,
    );
  return { files, steps, notes };
}

export function register(program: Command): void {
  const service = program.command('service').description('install or remove the daemon as a service that starts at boot');
  for (const op of ['install', 'uninstall'] as const) {
    service
      .command(op)
      .description(
        op === 'install'
          ? 'install and start the service (systemd, launchd, a Windows service or a Task Scheduler task)'
          : 'stop and remove the service',
      )
      .option('--config <file>', 'config file the service runs (default: <home>/outpost.json)')
      .option('--user', 'a per-user service instead of a system one (systemd --user, LaunchAgents)')
      .option(
        '--env-file <file>',
        'systemd: the EnvironmentFile for env:NAME secrets (default /etc/outpost/outpost.env, --user: <home>/outpost.env)',
      )
      .option('--winsw <exe>', 'Windows: the WinSW executable to run the service with')
      .option('--task', 'Windows: a Task Scheduler task instead of a service')
      .option('--dry-run', 'print the service file and the steps; change nothing')
      .action(async (opts: Opts) => {
        let p: Plan;
        try {
          p = await plan(op, opts);
        } catch (e) {
          fail((e as Error).message, EXIT.usage);
        }
        if (opts.dryRun) {
          for (const f of p.files) process.stdout.write(`# ${f.path}\n${f.text}\n`);
          for (const s of p.steps) process.stdout.write(`${s.text.startsWith('$') ? '' : '- '}${s.text}\n`);
          for (const n of p.notes) process.stdout.write(`note: ${n}\n`);
          return;
        }
        const blocking = p.notes.filter((n) => n.startsWith('WARNING'));
        if (blocking.length) fail(blocking.map((n) => n.replace(/^WARNING: /, '')).join(' '));
        for (const s of p.steps) {
          if (!s.text.startsWith('$')) process.stdout.write(`${s.text}\n`);
          s.run();
        }
        for (const n of p.notes) process.stdout.write(`note: ${n}\n`);
        process.stdout.write(op === 'install' ? 'Service installed; "outpost status" shows the daemon.\n' : 'Service removed.\n');
      });
  }
}
