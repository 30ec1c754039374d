// The daemon: one runner (runner.ts) per enabled profile, plus what the process shares: the state
// folder's lock, the state store, the status board UIs observe, heartbeats to the API and run-history
// pruning. UIs control it through syncNow / pause / resume, resend / resetProfile / reconcile and
// reload (the config file is also watched: a changed file is validated and, when valid, replaces the
// profiles it changes; an invalid one is refused with its key path and the old config keeps running).
//
// Environment knobs (read once, at construction):
// - OUTPOST_HTTP_TIMEOUT_MS: how long one API request may take before it counts as an unknown
//   outcome and is retried with the same key (default 30000).
// - OUTPOST_STOP_GRACE_MS: how long a stop lets the batch in flight finish (default 15000). A stop
//   ends every wait (backoff, Retry-After, the schedule) at once; a request still unanswered after
//   this is aborted, and its batch is sent again with the same Idempotency-Key at the next start.
import { unwatchFile, watchFile } from 'node:fs';
import { loadConfig } from '../config/load.js';
import type { Profile } from '../config/schema.js';
import { systemClock, type Clock } from '../change/index.js';
import { configureNetwork } from '../delivery/network.js';
import { StateStore, type ParkedCounts, type PruneOptions } from '../state/store.js';
import { silentLogger, type Logger } from '../log.js';
import { homePaths, securePermissions } from '../paths.js';
import { diskProblemReason } from './disk.js';
import { stopGraceMs } from './runtime.js';
import { VERSION } from '../version.js';
import { connectorId } from './connector-id.js';
import { acquireLock } from './lock.js';
import type { PassSummary } from './pipeline.js';
import { readPaused, setPaused } from './paused.js';
import { reconcile, type ReconcileOptions, type ReconcileReport } from '../state/reconcile.js';
import { resend, type ResendResult, type ResendSelector } from './resend.js';
import { ProfileRunner, checkShape, shapeOf, type RunnerContext } from './runner.js';
import { HEALTHY_STATES, StatusBoard, emptyProfileStatus, type EngineState } from './status.js';

/** `run --once` gives up after this long without progress by default. */
export const DEFAULT_ONCE_GIVE_UP_MS = 120_000;

export interface OnceResult {
  profile: string;
  /** The pass ran to its end without errors (it may still have parked tickets: see `health`). */
  ok: boolean;
  summary?: PassSummary;
  error?: string;
  /** The profile's state after a pass that ran to its end: 'idle', 'mapping problem' or 'tickets rejected by the API', with the reason. */
  health?: { state: EngineState; reason: string | null };
  /** Rows parked in the ledger after the pass (all passes so far), per kind. */
  parked?: ParkedCounts;
}

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
  /** Run only these profiles of the config file (`outpost run --profile`), also after a reload. */
  onlyProfiles?: string[];
  /** Period of the deleted-row sweep of profiles with change.deletes "void", ms (default 1 h). */
  deleteSweepMs?: number;
  /** Poll interval of the config file watch, ms (default 2000; 0 = no watch, `outpost reload` only). */
  watchConfigMs?: number;
}

export interface ReloadResult {
  ok: boolean;
  message: string;
  /** Profiles started, replaced or stopped by this reload. */
  changed: string[];
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
  private runners: ProfileRunner[];
  private readonly ctx: Omit<RunnerContext, 'store' | 'board'>;
  private started = false;
  private reloading: Promise<ReloadResult> | null = null;
  private readonly stopper = new AbortController();
  /** Aborts requests in flight: fired by stop() only after its grace period. */
  private readonly requestStopper = new AbortController();
  private readonly stopGraceMs: number;
  private readonly release: () => void;
  private heartbeat: NodeJS.Timeout | null = null;
  private pruner: NodeJS.Timeout | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  readonly connectorId: string;
  private readonly log: Logger;

  constructor(private readonly opts: DaemonOptions) {
    const paths = homePaths(opts.home);
    this.release = acquireLock(paths.lock);
    try {
      const clock = opts.clock ?? systemClock;
      const env = opts.env ?? process.env;
      const log = (this.log = opts.log ?? silentLogger);
      this.stopGraceMs = stopGraceMs(env);
      // The home folder and everything in it private to this account (older releases left 0755/0644).
      securePermissions(opts.home);
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
      const ctx: Omit<RunnerContext, 'store' | 'board'> = (this.ctx = {
        connector: { id: this.connectorId, version: VERSION },
        stopSignal: this.stopper.signal,
        requestSignal: this.requestStopper.signal,
        log,
        env,
        clock,
        configFile: opts.configFile,
        httpTimeoutMs: timeout,
        maxBatchBytes: opts.maxBatchBytes,
        afterAck: opts.afterAck ?? afterAckHook,
      });
      this.board.setConfig({ file: opts.configFile ?? null, loadedAt: new Date(clock.now()).toISOString(), error: null });
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
      if (r.runsDeleted || r.recordsDeleted)
        this.log(
          'info',
          `pruned run history: ${r.runsDeleted} run(s), ${r.recordsDeleted} record(s); state file uses ${Math.round(r.usedBytes / 1048576)} MiB`,
        );
    } catch (e) {
      this.log('warn', `could not prune the run history: ${(e as Error).message}`);
    }
  }

  /** Runs every profile until stop(). */
  start(): void {
    this.started = true;
    const watchMs = this.opts.watchConfigMs ?? 2000;
    if (this.opts.configFile && watchMs > 0) {
      watchFile(this.opts.configFile, { interval: watchMs, persistent: false }, (cur, prev) => {
        if (cur.mtimeMs !== prev.mtimeMs || cur.size !== prev.size) void this.reload('the config file changed');
      });
    }
    this.pruneNow();
    this.pruner = setInterval(() => this.pruneNow(), 3_600_000);
    this.pruner.unref();
    for (const r of this.runners) r.done = r.loop();
    // change.deletes "void": a reconcile finds rows deleted at the source and queues their voids;
    // at start and then hourly (each is a full key scan of the table).
    const sweep = () => void this.sweepDeletes();
    setTimeout(sweep, 1000).unref();
    this.sweeper = setInterval(sweep, this.opts.deleteSweepMs ?? 3_600_000);
    this.sweeper.unref();
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

  /**
   * One full pass of every profile, then return (the daemon's `--once`). It gives up when a pass
   * makes no progress for `giveUpMs` (the API or the database away, a request that never answers):
   * the profile's result then says so with the last reason, and nothing unacknowledged is committed.
   */
  async runOnce(opts: { giveUpMs?: number } = {}): Promise<OnceResult[]> {
    const giveUpMs = opts.giveUpMs ?? DEFAULT_ONCE_GIVE_UP_MS;
    const out: OnceResult[] = [];
    let current = '';
    let gaveUp = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      if (giveUpMs > 0 && !gaveUp)
        timer = setTimeout(() => {
          gaveUp = true;
          this.stopper.abort();
          this.requestStopper.abort();
        }, giveUpMs);
    };
    // Progress = any update while the profile is in a healthy state (reading, delivering, idle).
    const unsubscribe = this.board.subscribe((s) => {
      const p = s.profiles.find((x) => x.name === current);
      if (p && HEALTHY_STATES.has(p.state)) arm();
    });
    try {
      for (const r of this.runners) {
        current = r.profile.name;
        arm();
        try {
          if (gaveUp) throw new Error('not started');
          const summary = await r.pass('manual');
          out.push({
            profile: r.profile.name,
            ok: summary.errors === 0,
            summary,
            health: r.healthAfterPass(summary),
            parked: this.store.parked(r.profile.name),
          });
        } catch (e) {
          if (gaveUp) {
            const p = this.board.snapshot().profiles.find((x) => x.name === r.profile.name);
            const why =
              p?.lastError ??
              p?.reason ??
              (p?.state === 'delivering' ? 'the API did not answer' : p?.state === 'reading' ? 'the database did not answer' : null);
            out.push({
              profile: r.profile.name,
              ok: false,
              error: `gave up after ${Math.round(giveUpMs / 1000)} s without progress${why ? `: ${why}` : ''}`,
            });
          } else out.push({ profile: r.profile.name, ok: false, error: (e as Error).message });
        }
      }
    } finally {
      clearTimeout(timer);
      unsubscribe();
    }
    return out;
  }

  /**
   * A runtime or log file could not be written (code), or works again (null): shown as `local disk
   * full` on every profile that is otherwise healthy; the next good pass clears it.
   */
  reportLocalWriteProblem(code: string | null, where: string): void {
    if (code === null) return;
    for (const p of this.board.snapshot().profiles) {
      if (HEALTHY_STATES.has(p.state) && p.state !== 'stopped') {
        const reason = diskProblemReason(code, where);
        this.board.update(p.name, { state: 'local disk full', reason, lastError: reason });
      }
    }
  }

  syncNow(name: string): void {
    this.runner(name).syncNow();
  }

  /** Profiles running now (a reload may change them). */
  get profiles(): Profile[] {
    return this.runners.map((r) => r.profile);
  }

  /**
   * Reads the config file again. An invalid file is refused (the message names the key path; it
   * goes to the log and to the status) and the running config stays. A valid one replaces the
   * profiles it changes, starts new ones and stops removed ones; a profile whose table, key or
   * change column changed is refused until `outpost profiles reset` (it keeps running as it was).
   */
  reload(why = 'outpost reload'): Promise<ReloadResult> {
    // One reload at a time; a second request while one runs waits for it and runs again.
    const prev = this.reloading ?? Promise.resolve(null);
    const next = prev.then(() => this.reloadNow(why));
    this.reloading = next.finally(() => {
      if (this.reloading === next) this.reloading = null;
    }) as Promise<ReloadResult>;
    return next;
  }

  private async reloadNow(why: string): Promise<ReloadResult> {
    const file = this.opts.configFile;
    const now = () => new Date((this.opts.clock ?? systemClock).now()).toISOString();
    if (!file) return { ok: false, message: 'This daemon was started without a config file; there is nothing to reload.', changed: [] };
    let profiles: Profile[];
    try {
      const only = this.opts.onlyProfiles;
      profiles = loadConfig(file).profiles.filter((p) => p.enabled && (!only || only.includes(p.name)));
    } catch (e) {
      const message = `The changed config file was refused, the previous config keeps running: ${(e as Error).message}`;
      this.log('warn', message);
      const cur = this.board.snapshot().config;
      this.board.setConfig({ file, loadedAt: cur?.loadedAt ?? now(), error: message });
      return { ok: false, message, changed: [] };
    }
    const changed: string[] = [];
    const refused: string[] = [];
    const byName = new Map(this.runners.map((r) => [r.profile.name, r]));
    const next: ProfileRunner[] = [];
    for (const p of profiles) {
      const old = byName.get(p.name);
      byName.delete(p.name);
      if (old && JSON.stringify(old.profile) === JSON.stringify(p)) {
        next.push(old);
        continue;
      }
      try {
        if (old) {
          // Shape first: a changed table/key/column is refused before the old runner is stopped.
          const was = this.store.shape(p.name);
          const s = shapeOf(p);
          if (
            was &&
            (was.table !== s.table || was.key.join('\u0000') !== s.key.join('\u0000') || was.mode !== s.mode || was.column !== s.column)
          )
            checkShape(this.store, p);
          await old.stop();
        } else checkShape(this.store, p);
        const runner = new ProfileRunner(
          p,
          { ...this.ctx, store: this.store, board: this.board },
          readPaused(this.opts.home)[p.name] ?? null,
        );
        if (this.started) runner.done = runner.loop();
        next.push(runner);
        changed.push(p.name);
      } catch (e) {
        refused.push((e as Error).message);
        if (old) next.push(old);
      }
    }
    for (const gone of byName.values()) {
      await gone.stop();
      this.board.remove(gone.profile.name);
      changed.push(gone.profile.name);
    }
    this.runners = next;
    const error = refused.length ? `Part of the changed config file was refused: ${refused.join(' ')}` : null;
    if (error) this.log('warn', error);
    if (changed.length) this.log('info', `config reloaded (${why}): ${changed.join(', ')} (re)started`);
    this.board.setConfig({ file, loadedAt: now(), error });
    return {
      ok: !error,
      message: error ?? (changed.length ? `Config reloaded: ${changed.join(', ')} (re)started.` : 'Config reloaded: nothing changed.'),
      changed,
    };
  }

  /** Queues parked tickets of one profile to be evaluated and sent again, and wakes its runner. */
  resend(name: string, sel: ResendSelector): ResendResult {
    const r = this.runner(name);
    const result = resend(this.store, r.profile, sel);
    r.syncNow();
    return result;
  }

  /**
   * Rewinds a profile (see StateStore.resetProfile): its runner is stopped, the watermark removed or
   * set to `from`, the shape recorded anew from the config file, and the profile started again.
   */
  async resetProfile(name: string, from?: string): Promise<{ message: string }> {
    const file = this.opts.configFile;
    const fresh = file
      ? loadConfig(file).profiles.find((p) => p.name === name)
      : this.runners.find((r) => r.profile.name === name)?.profile;
    if (!fresh) throw new Error(`There is no profile "${name}" in the config.`);
    const old = this.runners.find((r) => r.profile.name === name);
    if (old) await old.stop();
    this.store.resetProfile(name, { cursor: from, shape: shapeOf(fresh) });
    const runner = new ProfileRunner(
      fresh,
      { ...this.ctx, store: this.store, board: this.board },
      readPaused(this.opts.home)[name] ?? null,
    );
    if (this.started) runner.done = runner.loop();
    this.runners = [...this.runners.filter((r) => r !== old), runner];
    const message = `Profile ${name} rewound ${from ? `to ${from}` : 'to the beginning'}; it reads its table again (tickets already delivered at the same content are not sent twice).`;
    this.log('info', message);
    return { message };
  }

  private async sweepDeletes(): Promise<void> {
    for (const r of this.runners) {
      if (r.profile.change.deletes !== 'void' || r.stopped || this.stopper.signal.aborted) continue;
      try {
        const rep = await this.reconcile(r.profile.name);
        if (rep.voidsQueued) this.log('info', `[${r.profile.name}] ${rep.voidsQueued} row(s) deleted at the source are sent as voided`);
      } catch (e) {
        this.log('warn', `[${r.profile.name}] the deleted-row sweep failed: ${(e as Error).message}`);
      }
    }
  }

  /** Compares the source with the ledger for one profile (see core/state/reconcile.ts); wakes the runner when voids were queued. */
  async reconcile(name: string, opts: ReconcileOptions = {}): Promise<ReconcileReport> {
    const r = this.runner(name);
    const rep = await reconcile({ store: this.store, profile: r.profile, env: this.opts.env ?? process.env, ...opts });
    if (rep.voidsQueued) r.syncNow();
    return rep;
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
    if (this.opts.configFile) unwatchFile(this.opts.configFile);
    await this.reloading?.catch(() => {});
    this.stopper.abort();
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.pruner) clearInterval(this.pruner);
    if (this.sweeper) clearInterval(this.sweeper);
    // Waits end at once; a batch in flight may finish for up to the stop grace (OUTPOST_STOP_GRACE_MS,
    // default 15 s), then its request is aborted: it is sent again with the same Idempotency-Key at
    // the next start, and nothing unacknowledged is committed.
    const all = Promise.all(this.runners.map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      all.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), this.stopGraceMs))),
    ]);
    clearTimeout(timer);
    if (late) {
      this.log(
        'warn',
        `the batch in flight did not finish within ${Math.round(this.stopGraceMs / 1000)} s of the stop; it is abandoned and sent again (same Idempotency-Key) at the next start`,
      );
      this.requestStopper.abort();
      // A database query in flight is not interruptible from here: closing its connection ends it.
      await Promise.race([all, new Promise((r) => setTimeout(r, 5_000))]);
      await Promise.all(this.runners.map((r) => r.closeSource()));
    }
    await all;
    await Promise.all(this.runners.map((r) => r.closeSource()));
    this.store.close();
    this.release();
  }
}
