// Service definitions for running the daemon at boot: rendered from templates/service/ (data, not
// code) with absolute paths, so the service finds the same Node, CLI, config and state folder the
// installer used. Registering them with the OS is the CLI's job.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { DAEMON_NODE_FLAGS } from './engine/runtime.js';

export type ServiceKind = 'systemd' | 'launchd' | 'windows-task';

export interface ServiceSpec {
  kind: ServiceKind;
  node: string;
  cli: string;
  home: string;
  config: string;
  /** systemd: a user unit (~/.config/systemd/user) instead of a system one. */
  user?: boolean;
  /** systemd: an EnvironmentFile holding OUTPOST_TOKEN / OUTPOST_DB_PASSWORD (never in the unit). */
  envFile?: string;
}

const FILES: Record<ServiceKind, string> = { systemd: 'outpost.service', launchd: 'com.outpost.daemon.plist', 'windows-task': 'outpost-task.xml' };

export function serviceKindFor(platform: NodeJS.Platform = process.platform): ServiceKind {
  return platform === 'win32' ? 'windows-task' : platform === 'darwin' ? 'launchd' : 'systemd';
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
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function renderService(spec: ServiceSpec): { fileName: string; text: string } {
  for (const [k, v] of Object.entries({ node: spec.node, cli: spec.cli, home: spec.home, config: spec.config })) {
    if (/[\r\n]/.test(v)) throw new Error(`The ${k} path contains a line break; move Outpost to a plain folder.`);
  }
  const escape = spec.kind === 'systemd' ? (s: string) => (/\s/.test(s) ? `"${s.replace(/(["\\])/g, '\\$1')}"` : s) : xmlEscape;
  const values: Record<string, string> = {
    NODE: escape(spec.node),
    CLI: escape(spec.cli),
    HOME: spec.kind === 'systemd' ? spec.home : xmlEscape(spec.home),
    CONFIG: escape(spec.config),
    NODE_FLAGS: DAEMON_NODE_FLAGS.join(' '),
    WANTED_BY: spec.user ? 'default.target' : 'multi-user.target',
    ENV_FILE_LINE: spec.envFile ? `EnvironmentFile=-${spec.envFile}` : '# EnvironmentFile=/etc/outpost/outpost.env  (OUTPOST_TOKEN=…, DB_PASSWORD=…)',
  };
  const text = readFileSync(join(templatesDir(), FILES[spec.kind]), 'utf8').replace(/\{\{([A-Z_]+)\}\}/g, (_, k: string) => values[k] ?? '');
  return { fileName: FILES[spec.kind], text };
}
