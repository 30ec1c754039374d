// The daemon: one runner (runner.ts) per enabled profile, plus what the process shares: the state
// folder's lock, the state store, the status board UIs observe, heartbeats to the API and run-history
// pruning. UIs control it through syncNow / pause / resume.
//
// Environment knobs (read once, at construction):
// - OUTPOST_HTTP_TIMEOUT_MS: how long one API request may take before it counts as an unknown
//   outcome and is retried with the same key (default 30000).
import type { Profile } from '../config/schema.js';
import { systemClock, type Clock } from '../change/index.js';
import { configureNetwork } from '../delivery/network.js';
import { StateStore, type PruneOptions } from '../state/store.js';
import { silentLogger, type Logger } from '../log.js';
import { homePaths } from '../paths.js';
import { VERSION } from '../version.js';
import { connectorId } from './connector-id.js';
import { acquireLock } from './lock.js';
import type { PassSummary } from './pipeline.js';
import { ProfileRunner, type RunnerContext } from './runner.js';
import { readPaused, setPaused } from './paused.js';
import { StatusBoard, emptyProfileStatus } from './status.js';

export interface DaemonOptions {
  profiles: Profile[];
  home: string;
  log?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Heartbeat period; 0 turns heartbeats off. */
  heartbeatMs?: number;
  /** Host clock (tests skew it); cursors never depend on it, only run times and status. */
  clock?: Clock;
  /** The config file the profiles came from: re-read for a new token after a 401/403. */
  configFile?: string;
  /** Run history bounds (default 30 days, 256 MiB). */
  prune?: PruneOptions;
  /** One API request's time limit, ms (default OUTPOST_HTTP_TIMEOUT_MS or 30 s). */
  httpTimeoutMs?: number;
  /** Upper bound of one batch body in bytes (default 1 MiB). */
  maxBatchBytes?: number;
  /** Called after the API acknowledged a batch and before the local commit. Tests only. */
  afterAck?: () => void;
}

let afterAckHook: (() => void) | undefined;

/**
 * Installs a process-wide `afterAck` for daemons built without one. Only test entry points call it
 * (test/helpers/crash-cli.ts, the chaos suite's crash after the API's 2xx); the CLI never does.
 */
export function installAfterAckHook(hook: (() => void) | undefined): void {
  afterAckHook = hook;
}

export class Daemon {
  readonly board: StatusBoard;
  readonly store: StateStore;
  private readonly runners: ProfileRunner[];
  private readonly stopper = new AbortController();
  private readonly release: () => void;
  private heartbeat: NodeJS.Timeout | null = null;
  private pruner: NodeJS.Timeout | null = null;
  readonly connectorId: string;
  private readonly log: Logger;

  constructor(private readonly opts: DaemonOptions) {
    const paths = homePaths(opts.home);
    this.release = acquireLock(paths.lock);
    try {
      const clock = opts.clock ?? systemClock;
      const env = opts.env ?? process.env;
      const log = (this.log = opts.log ?? silentLogger);
      this.connectorId = connectorId(opts.home);
      this.store = new StateStore(paths.state, { clock });
      this.board = new StatusBoard(
        { id: this.connectorId, version: VERSION, startedAt: new Date(clock.now()).toISOString(), pid: process.pid },
        opts.profiles.map((p) => emptyProfileStatus(p.name)),
        clock,
      );
      const net = configureNetwork({ env, caFiles: opts.profiles.map((p) => p.api.caFile).filter((f): f is string => Boolean(f)) });
      for (const w of net.warnings) log('warn', w);
      if (net.proxy) log('info', `API requests go through the proxy ${net.proxy}${net.noProxy ? ` (not for: ${net.noProxy})` : ''}`);
      const timeout = opts.httpTimeoutMs ?? (Number(env.OUTPOST_HTTP_TIMEOUT_MS) > 0 ? Number(env.OUTPOST_HTTP_TIMEOUT_MS) : 30_000);
      const ctx: Omit<RunnerContext, 'store' | 'board'> = {
        connector: { id: this.connectorId, version: VERSION },
        stopSignal: this.stopper.signal,
        log,
        env,
        clock,
        configFile: opts.configFile,
        httpTimeoutMs: timeout,
        maxBatchBytes: opts.maxBatchBytes,
        afterAck: opts.afterAck ?? afterAckHook,
      };
      const paused = readPaused(opts.home);
      this.runners = opts.profiles.map((p) => {
        this.store.closeAbandonedRuns(p.name);
        return new ProfileRunner(p, { ...ctx, store: this.store, board: this.board }, paused[p.name] ?? null);
      });
    } catch (e) {
      try {
        (this as { store?: StateStore }).store?.close();
      } catch {
        /* not open */
      }
      this.release();
      throw e;
    }
  }

  private runner(name: string): ProfileRunner {
    const r = this.runners.find((x) => x.profile.name === name);
    if (!r) throw new Error(`There is no running profile "${name}".`);
    return r;
  }

  private pruneNow(): void {
    try {
      const r = this.store.prune(this.opts.prune);
      if (r.runsDeleted || r.recordsDeleted) this.log('info', `pruned run history: ${r.runsDeleted} run(s), ${r.recordsDeleted} record(s); state file uses ${Math.round(r.usedBytes / 1048576)} MiB`);
    } catch (e) {
      this.log('warn', `could not prune the run history: ${(e as Error).message}`);
    }
  }

  /** Runs every profile until stop(). */
  start(): void {
    this.pruneNow();
    this.pruner = setInterval(() => this.pruneNow(), 3_600_000);
    this.pruner.unref();
    for (const r of this.runners) r.done = r.loop();
    const every = this.opts.heartbeatMs ?? 30_000;
    if (every > 0) {
      const beat = () => {
        for (const r of this.runners) {
          if (r.tokenRejected) continue;
          r.apiClient.heartbeat({ connectorId: this.connectorId, version: VERSION, profiles: [r.heartbeatBody()] }).catch(() => {});
        }
      };
      this.heartbeat = setInterval(beat, every);
      this.heartbeat.unref();
    }
  }

  /** One full pass of every profile, then return (the daemon's `--once`). */
  async runOnce(): Promise<Array<{ profile: string; ok: boolean; summary?: PassSummary; error?: string }>> {
    const out = [];
    for (const r of this.runners) {
      try {
        const summary = await r.pass('manual');
        out.push({ profile: r.profile.name, ok: summary.errors === 0, summary });
      } catch (e) {
        out.push({ profile: r.profile.name, ok: false, error: (e as Error).message });
      }
    }
    return out;
  }

  syncNow(name: string): void {
    this.runner(name).syncNow();
  }
  /** Pauses the profile's schedule, durably (run/paused.json): it stays paused across restarts. */
  pause(name: string): void {
    const at = this.runner(name).pause();
    setPaused(this.opts.home, name, at);
  }
  resume(name: string): void {
    this.runner(name).resume();
    setPaused(this.opts.home, name, null);
  }
  isPaused(name: string): boolean {
    return this.runner(name).paused;
  }

  async stop(): Promise<void> {
    this.stopper.abort();
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.pruner) clearInterval(this.pruner);
    await Promise.all(this.runners.map((r) => r.done));
    await Promise.all(this.runners.map((r) => r.closeSource()));
    this.store.close();
    this.release();
  }
}
