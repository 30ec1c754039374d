// Service definitions for running the daemon at boot: rendered from templates/service/ (data, not
// code) with absolute paths, so the service finds the same Node, CLI, config and state folder the
// installer used. Registering them with the OS is the CLI's job (cli/commands/service.ts).
//
// - systemd (Linux): a system unit running as a dynamic unprivileged user with StateDirectory=
//   /var/lib/outpost and hardening options, or a user unit (--user). Secrets referenced as env:NAME
//   come from an EnvironmentFile (renderEnvFile) — never from the unit.
// - launchd (macOS): a LaunchDaemon / LaunchAgent plist.
// - Windows: a real service under the Service Control Manager through WinSW (an XML file beside the
//   WinSW executable), or the Task Scheduler task as the fallback. The Task Scheduler XML is written
//   as UTF-16 with a byte order mark, as its declaration says (encodeServiceFile).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { SECRETS_FILE_NAME, secretsFileFor } from './config/secrets.js';
import type { Config } from './config/schema.js';
import { DAEMON_NODE_FLAGS } from './engine/runtime.js';

export type ServiceKind = 'systemd' | 'launchd' | 'windows-service' | 'windows-task';

/** The state folder of the system systemd unit (StateDirectory=outpost). */
export const SYSTEMD_STATE_DIR = '/var/lib/outpost';
/** The system unit's EnvironmentFile (root only; systemd reads it before dropping privileges). */
export const SYSTEMD_ENV_FILE = '/etc/outpost/outpost.env';
/** The setup wizard's secrets file (secret:NAME references), beside the config file (config/secrets.ts). */
export const SECRETS_FILE = SECRETS_FILE_NAME;

/** The secrets file that belongs to a config file (OUTPOST_SECRETS_FILE overrides, as for the daemon). */
export function secretsFileBeside(config: string, env: NodeJS.ProcessEnv = process.env): string {
  return secretsFileFor(config, env);
}

export interface ServiceSpec {
  kind: ServiceKind;
  node: string;
  cli: string;
  home: string;
  config: string;
  /** systemd / launchd: a per-user service instead of a system one. */
  user?: boolean;
  /** systemd: the EnvironmentFile holding the env:NAME secrets (never the unit itself). */
  envFile?: string;
  /**
   * systemd: the setup wizard's secrets file (secret:NAME, `secrets.env` beside the config), loaded
   * as a second EnvironmentFile: the daemon reads it itself and falls back to the environment.
   */
  secretsFile?: string;
  /** Extra environment for the daemon (e.g. NODE_OPTIONS); never secrets. */
  env?: Record<string, string>;
  /** Node flags (default DAEMON_NODE_FLAGS). */
  nodeFlags?: string[];
}

const FILES: Record<ServiceKind, string> = {
  systemd: 'outpost.service',
  launchd: 'com.outpost.daemon.plist',
  'windows-service': 'outpost-service.xml',
  'windows-task': 'outpost-task.xml',
};

export function serviceKindFor(platform: NodeJS.Platform = process.platform): ServiceKind {
  return platform === 'win32' ? 'windows-service' : platform === 'darwin' ? 'launchd' : 'systemd';
}

function templatesDir(): string {
  // dist/core/service.js → ../../templates ; core/service.ts → ../templates
  for (const rel of ['../../templates/service/', '../templates/service/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    try {
      readFileSync(join(dir, FILES.systemd));
      return dir;
    } catch {
      /* next */
    }
  }
  throw new Error('The service templates are missing from this installation; reinstall Outpost.');
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** One systemd word: specifiers (%) and variables ($) escaped, quoted when it has blanks or quotes. */
function systemdWord(s: string): string {
  const e = s.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  return /[\s"'\\;]/.test(e) ? `"${e.replace(/(["\\])/g, '\\$1')}"` : e;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function renderService(spec: ServiceSpec): { fileName: string; text: string } {
  const env = spec.env ?? {};
  for (const [k, v] of Object.entries({
    node: spec.node,
    cli: spec.cli,
    home: spec.home,
    config: spec.config,
    envFile: spec.envFile ?? '',
    ...env,
  })) {
    if (/[\r\n\0]/.test(v)) throw new Error(`The ${k} value contains a line break; move Outpost to a plain folder.`);
  }
  for (const k of Object.keys(env)) if (!ENV_NAME.test(k)) throw new Error(`"${k}" is not a valid environment variable name.`);
  const flags = spec.nodeFlags ?? DAEMON_NODE_FLAGS;
  const kind = spec.kind;
  let values: Record<string, string>;
  let file = FILES[kind];
  if (kind === 'systemd') {
    file = spec.user ? 'outpost-user.service' : 'outpost.service';
    values = {
      NODE: systemdWord(spec.node),
      CLI: systemdWord(spec.cli),
      HOME: systemdWord(spec.home),
      CONFIG: systemdWord(spec.config),
      NODE_FLAGS: flags.map(systemdWord).join(' '),
      HOME_ENV: systemdWord(`OUTPOST_HOME=${spec.home}`),
      ENV_LINES: Object.entries(env)
        .map(([k, v]) => `Environment=${systemdWord(`${k}=${v}`)}`)
        .join('\n'),
      // "-": the unit still starts without the file (a config with inline secrets needs none). A path,
      // not a word: never quoted.
      ENV_FILE_LINE: [
        spec.envFile ?? (spec.user ? join(spec.home, 'outpost.env') : SYSTEMD_ENV_FILE),
        ...(spec.secretsFile ? [spec.secretsFile] : []),
      ]
        .map((f) => `EnvironmentFile=-${f.replace(/%/g, '%%')}`)
        .join('\n'),
    };
  } else if (kind === 'launchd') {
    values = {
      NODE: xmlEscape(spec.node),
      CLI: xmlEscape(spec.cli),
      HOME: xmlEscape(spec.home),
      CONFIG: xmlEscape(spec.config),
      NODE_FLAG_STRINGS: flags.map((f) => `<string>${xmlEscape(f)}</string>`).join(''),
      ENV_LINES: Object.entries(env)
        .map(([k, v]) => `<key>${xmlEscape(k)}</key><string>${xmlEscape(v)}</string>`)
        .join(''),
    };
  } else {
    for (const [k, v] of Object.entries({ node: spec.node, cli: spec.cli, home: spec.home, config: spec.config })) {
      if (v.includes('"'))
        throw new Error(`The ${k} path contains a double quote, which Windows command lines cannot carry; move Outpost to a plain folder.`);
    }
    values = {
      NODE: xmlEscape(spec.node),
      CLI: xmlEscape(spec.cli),
      HOME: xmlEscape(spec.home),
      CONFIG: xmlEscape(spec.config),
      NODE_FLAGS: xmlEscape(flags.join(' ')),
      ENV_LINES: Object.entries(env)
        .map(([k, v]) => `  <env name="${xmlEscape(k)}" value="${xmlEscape(v)}"/>`)
        .join('\n'),
    };
  }
  // A line holding only a placeholder that renders empty (no extra environment) is dropped.
  const text = readFileSync(join(templatesDir(), file), 'utf8')
    .split('\n')
    .flatMap((line) => {
      const only = /^\s*\{\{([A-Z_]+)\}\}\s*$/.exec(line);
      if (only && !values[only[1]]) return [];
      return [line.replace(/\{\{([A-Z_]+)\}\}/g, (_, k: string) => values[k] ?? '')];
    })
    .join('\n');
  return { fileName: FILES[kind], text };
}

/** The bytes to write for a rendered file: UTF-16LE with a BOM for the Task Scheduler XML (as it declares), else UTF-8. */
export function encodeServiceFile(kind: ServiceKind, text: string): Buffer {
  if (kind === 'windows-task') return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'utf16le')]);
  return Buffer.from(kind === 'windows-service' ? text.replace(/\r?\n/g, '\r\n') : text, 'utf8');
}

/** The env:NAME references of a config's secrets (what an EnvironmentFile must define). */
export function envSecretNames(config: Config): string[] {
  const names = new Set<string>();
  for (const p of config.profiles) {
    for (const ref of [p.api.token, p.source.password]) {
      if (typeof ref === 'string' && ref.startsWith('env:')) names.add(ref.slice(4));
    }
  }
  return [...names].sort();
}

/**
 * The EnvironmentFile's text for those names, with the values from `env` (the installer's
 * environment). Names not set there are listed as comments to fill in. systemd's format: one
 * NAME="value" per line, with " \ and $ escaped.
 */
export function renderEnvFile(names: string[], env: NodeJS.ProcessEnv): { text: string; missing: string[] } {
  const missing: string[] = [];
  const lines = ['# Secrets for the Outpost service (env:NAME references in its config). Keep this file mode 0600.'];
  for (const n of names) {
    if (!ENV_NAME.test(n)) continue;
    const v = env[n];
    if (v === undefined || v === '') {
      missing.push(n);
      lines.push(`# ${n}=   (not set when the service was installed: put its value here)`);
      continue;
    }
    if (/[\r\n\0]/.test(v)) throw new Error(`The value of ${n} contains a line break, which an EnvironmentFile cannot hold.`);
    lines.push(`${n}="${v.replace(/(["\\$`])/g, '\\$1')}"`);
  }
  return { text: lines.join('\n') + '\n', missing };
}
