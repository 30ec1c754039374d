// Everything `outpost demo` runs besides the UI: the demo plant and its simulator, the sandbox API,
// the prefilled setup draft, and the handoff that saves the profile and starts the daemon as a child
// process — restarted if it dies, as a service manager would.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { upsertProfile } from '../config/load.js';
import { draftToProfile } from '../setup/live.js';
import type { SetupDraft } from '../setup/services.js';
import { readDaemonInfo, readLaunchUrl } from '../engine/runtime.js';
import { homePaths } from '../paths.js';
import { startSandbox, type SandboxHandle } from '../sandbox/server.js';
import { createDemoPlant, DEMO_PLANT, DEMO_TABLE, DEMO_TIMEZONE, type SeedSummary } from './plant.js';
import { ScaleHouseSimulator } from './simulator.js';

export const DEMO_PROFILE = 'demo-plant';
export const DEMO_FIELDS = {
  'plant.name': { const: DEMO_PLANT.name },
  'supplier.name': { const: DEMO_PLANT.supplier },
};

export interface DemoOptions {
  home: string;
  /** argv that starts the daemon in the foreground, e.g. [process.execPath, 'dist/cli/main.js', 'run']. */
  daemonCommand: string[];
  simulatorEveryMs?: number;
  /** Poll interval of the demo profile. */
  every?: string;
  log: (line: string) => void;
}

export interface DemoInfo {
  sandboxUrl: string;
  tokenFile: string;
  plantFile: string;
  configFile: string;
}

/** A token for the demo's own sandbox, kept in a 0600 file so it never appears in argv or logs. */
function demoToken(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const t = 'demo_' + randomBytes(18).toString('base64url');
  writeFileSync(file, t + '\n', { mode: 0o600 });
  return t;
}

/** A child killed by a signal has exitCode null too: look at both. */
function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

export class DemoEnvironment {
  readonly paths;
  readonly plantFile: string;
  private sandbox: SandboxHandle | null = null;
  private simulator: ScaleHouseSimulator | null = null;
  private daemon: ChildProcess | null = null;
  private stopping = false;
  private restarts = 0;
  seed: SeedSummary | null = null;
  private token = '';

  constructor(private readonly opts: DemoOptions) {
    this.paths = homePaths(opts.home);
    this.plantFile = join(opts.home, 'plant', 'scalehouse.db');
  }

  async start(): Promise<void> {
    mkdirSync(join(this.opts.home, 'sandbox'), { recursive: true });
    this.seed = createDemoPlant(this.plantFile);
    this.token = demoToken(join(this.opts.home, 'sandbox-token'));
    this.sandbox = await startSandbox({
      dbFile: join(this.opts.home, 'sandbox', 'sandbox.db'),
      accounts: [{ token: this.token, accountId: 'acct-demo', accountName: 'Demo Paving Co.', environment: 'sandbox' }],
    });
    const info: DemoInfo = {
      sandboxUrl: this.sandbox.url,
      tokenFile: join(this.opts.home, 'sandbox-token'),
      plantFile: this.plantFile,
      configFile: this.paths.config,
    };
    writeFileSync(join(this.opts.home, 'demo.json'), JSON.stringify(info, null, 2));
    // 0 turns the simulator off (tests write their own changes).
    if ((this.opts.simulatorEveryMs ?? 4000) > 0) {
      this.simulator = new ScaleHouseSimulator({ file: this.plantFile, everyMs: this.opts.simulatorEveryMs ?? 4000 });
      this.simulator.start();
    }
  }

  get sandboxUrl(): string {
    return this.sandbox!.url;
  }

  /** The wizard's starting point: every field filled for the demo plant. */
  draft(): SetupDraft {
    return {
      profileName: DEMO_PROFILE,
      apiUrl: this.sandbox!.url,
      token: this.token,
      source: { driver: 'sqlite', file: this.plantFile, options: {} },
      table: DEMO_TABLE,
      key: ['TicketID'],
      changeColumn: 'LastModified',
      changeMode: 'timestamp',
      timezone: DEMO_TIMEZONE,
      environment: 'sandbox',
      template: 'generic-scale-ticket',
      // The demo's token lives in its own 0600 file already; the config may hold it as is.
      secrets: { token: { kind: 'inline' } },
    };
  }

  /** Save the profile and start (or restart) the daemon; resolves with the dashboard URL. */
  async handoff(draft: SetupDraft): Promise<{ dashboardUrl: string; configPath: string; daemon: 'started' }> {
    const profile = draftToProfile(draft, {
      change: { mode: 'timestamp', column: draft.changeColumn ?? undefined, lookbackSeconds: 300, timezone: DEMO_TIMEZONE },
      mapping: { template: draft.template, fields: DEMO_FIELDS },
      schedule: { every: this.opts.every ?? '2s' },
      batchSize: 200,
    });
    upsertProfile(this.paths.config, profile);
    await this.startDaemon();
    const url = await this.waitForDashboard();
    return { dashboardUrl: url, configPath: this.paths.config, daemon: 'started' };
  }

  private async startDaemon(): Promise<void> {
    if (this.daemon && running(this.daemon)) return;
    mkdirSync(this.paths.logs, { recursive: true });
    const out = createWriteStream(join(this.paths.logs, 'daemon.log'), { flags: 'a' });
    const [cmd, ...args] = this.opts.daemonCommand;
    const child = spawn(cmd, [...args, '--config', this.paths.config], {
      env: { ...process.env, OUTPOST_HOME: this.opts.home },
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    child.stdout!.pipe(out, { end: false });
    child.stderr!.pipe(out, { end: false });
    this.daemon = child;
    child.on('exit', (code, signal) => {
      if (this.stopping) return;
      this.restarts++;
      this.opts.log(`The daemon stopped (${signal ?? `exit ${code}`}); restarting it (restart ${this.restarts}).`);
      setTimeout(() => {
        if (!this.stopping) void this.startDaemon();
      }, 1000);
    });
  }

  private async waitForDashboard(timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const info = readDaemonInfo(this.opts.home);
      const url = readLaunchUrl(this.opts.home);
      if (info && url && info.pid === this.daemon?.pid) return url;
      if (this.daemon && !running(this.daemon)) {
        throw new Error(
          `The daemon exited at start (${this.daemon.signalCode ?? `code ${this.daemon.exitCode}`}); see ${join(this.paths.logs, 'daemon.log')}.`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`The daemon did not start within ${timeoutMs / 1000} s; see ${join(this.paths.logs, 'daemon.log')}.`);
  }

  get daemonPid(): number | null {
    return this.daemon?.pid ?? null;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.simulator?.stop();
    const d = this.daemon;
    if (d && running(d)) {
      const exited = new Promise((r) => d.once('exit', r));
      d.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (running(d)) d.kill('SIGKILL');
    }
    await this.sandbox?.close();
  }
}
