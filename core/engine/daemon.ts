// The daemon: one runner per enabled profile, each looping read → map → deliver → commit on its
// schedule, backing off with jitter when the database or the API is away and saying why in its
// state. UIs observe it through `board` and control it through syncNow / pause / resume.
//
// Environment knobs (read once, at construction):
// - OUTPOST_HTTP_TIMEOUT_MS: how long one API request may take before it counts as an unknown
//   outcome and is retried with the same key (default 30000).
// - OUTPOST_TEST_CRASH_AFTER_ACK: TEST ONLY. A probability 0..1: after the API acknowledged a batch
//   and before the local commit, the process kills itself with SIGKILL with this probability. The
//   chaos suite uses it to prove a crash there loses nothing. Never set it in production.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config/load.js';
import { parseDuration, type Profile } from '../config/schema.js';
import { resolveSecret } from '../config/secrets.js';
import { createChangeReader, systemClock, type ChangeReader, type Clock } from '../change/index.js';
import { ApiClient, TokenRejectedError, fingerprint } from '../delivery/client.js';
import { configureNetwork } from '../delivery/network.js';
import { createMapper, type Mapper } from '../mapping/index.js';
import { createSource, type SourceAdapter } from '../sources/index.js';
import { StateStore, type PruneOptions } from '../state/store.js';
import { registerSecret, silentLogger, type Logger } from '../log.js';
import { homePaths } from '../paths.js';
import { USER_AGENT, VERSION } from '../version.js';
import { backoffMs, sleep } from './backoff.js';
import { acquireLock } from './lock.js';
import { StoppedError, runPass, type PassSummary } from './pipeline.js';
import { HEALTHY_STATES, StatusBoard, emptyProfileStatus, type EngineState } from './status.js';

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
}

/** The connector id is stable per state folder, so the API can tell installs apart. */
function connectorId(home: string): string {
  const file = join(home, 'connector-id');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(home, { recursive: true });
  const id = `outpost-${randomUUID()}`;
  writeFileSync(file, id + '\n');
  return id;
}

/** The test-only crash point (see the header). Returns undefined unless the env asks for it. */
function crashPoint(env: NodeJS.ProcessEnv, log: Logger): (() => void) | undefined {
  const p = Number(env.OUTPOST_TEST_CRASH_AFTER_ACK ?? '');
  if (!(p > 0)) return undefined;
  log('warn', `OUTPOST_TEST_CRASH_AFTER_ACK=${p}: this process will kill itself between acknowledgements and commits (test only).`);
  // OUTPOST_TEST_CRASH_SEED makes the draws replayable (mulberry32); without it they are random.
  let a = Number(env.OUTPOST_TEST_CRASH_SEED ?? NaN) >>> 0;
  const rand = Number.isNaN(Number(env.OUTPOST_TEST_CRASH_SEED ?? NaN))
    ? Math.random
    : () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
  return () => {
    if (rand() < p) process.kill(process.pid, 'SIGKILL');
  };
}

interface RunnerContext {
  store: StateStore;
  board: StatusBoard;
  connector: { id: string; version: string };
  stopSignal: AbortSignal;
  log: Logger;
  env: NodeJS.ProcessEnv;
  clock: Clock;
  configFile?: string;
  httpTimeoutMs: number;
  maxBatchBytes?: number;
  afterAck?: () => void;
}

class ProfileRunner {
  private source: SourceAdapter | null = null;
  private readonly mapper: Mapper;
  private readonly api: ApiClient;
  private readonly reader: ChangeReader;
  private paused = false;
  private wake = new AbortController();
  private manualPending = false;
  private first = true;
  /** Fingerprint of a token the API refused: no request is made with it again. */
  private rejectedToken: string | null = null;
  private readonly deliveredWindow: Array<{ at: number; n: number }> = [];
  done: Promise<void> = Promise.resolve();

  constructor(readonly profile: Profile, private readonly ctx: RunnerContext) {
    const token = resolveSecret(profile.api.token, ctx.env)!;
    registerSecret(token);
    registerSecret(resolveSecret(profile.source.password, ctx.env));
    this.api = new ApiClient({ url: profile.api.url, token, userAgent: USER_AGENT, timeoutMs: ctx.httpTimeoutMs });
    this.mapper = createMapper({ template: profile.mapping.template, fields: profile.mapping.fields, timezone: profile.change.timezone ?? 'UTC', vendor: undefined });
    // One reader for the runner's life: it caches the cursor column's type and warns once.
    this.reader = createChangeReader(profile, { clock: ctx.clock, warn: (m) => ctx.log('warn', `[${profile.name}] ${m}`) });
    const s = ctx.store.stats(profile.name);
    ctx.board.update(profile.name, { delivered: s.delivered, filtered: s.filtered, lastSuccessAt: s.lastSuccessAt });
  }

  private get board(): StatusBoard {
    return this.ctx.board;
  }

  private setState(state: EngineState, reason: string | null, extra: Record<string, unknown> = {}): void {
    const cur = this.board.snapshot().profiles.find((p) => p.name === this.profile.name);
    if (cur?.state !== state || cur.reason !== reason) {
      this.ctx.log(HEALTHY_STATES.has(state) || state === 'paused' ? 'debug' : 'warn', `[${this.profile.name}] ${state}${reason ? ': ' + reason : ''}`);
    }
    // lastError is set whenever the state is not a healthy one, and cleared when it is again.
    const lastError = HEALTHY_STATES.has(state) ? null : reason;
    this.board.update(this.profile.name, { state, reason, lastError, ...extra });
  }

  private nowIso(offsetMs = 0): string {
    return new Date(this.ctx.clock.now() + offsetMs).toISOString();
  }

  private throughput(n: number): number {
    const now = this.ctx.clock.now();
    if (n) this.deliveredWindow.push({ at: now, n });
    while (this.deliveredWindow.length && this.deliveredWindow[0].at < now - 60_000) this.deliveredWindow.shift();
    const total = this.deliveredWindow.reduce((a, b) => a + b.n, 0);
    return Math.round((total / 60) * 10) / 10;
  }

  syncNow(): void {
    this.manualPending = true;
    this.paused = false;
    this.rejectedToken = null; // the user asked to try again
    this.wake.abort();
  }
  pause(): void {
    this.paused = true;
    this.wake.abort();
  }
  resume(): void {
    this.paused = false;
    this.rejectedToken = null;
    this.wake.abort();
  }

  private async ensureSource(): Promise<SourceAdapter> {
    if (this.source) return this.source;
    const s = await createSource(this.profile.source, this.ctx.env);
    try {
      await s.connect();
    } catch (e) {
      await s.close().catch(() => {});
      throw e;
    }
    this.source = s;
    return s;
  }

  private async dropSource(): Promise<void> {
    const s = this.source;
    this.source = null;
    await s?.close().catch(() => {});
  }

  /** The token as configured now: the config file is read again (it may have been fixed). */
  private currentToken(): string | null {
    try {
      let ref = this.profile.api.token;
      if (this.ctx.configFile) {
        const p = loadConfig(this.ctx.configFile).profiles.find((x) => x.name === this.profile.name);
        if (p) ref = p.api.token;
      }
      const t = resolveSecret(ref, this.ctx.env) ?? null;
      registerSecret(t ?? undefined);
      return t;
    } catch {
      return null;
    }
  }

  /** One pass; throws what stopped it. */
  async pass(type: 'scheduled' | 'manual' | 'startup'): Promise<PassSummary> {
    let source: SourceAdapter;
    try {
      source = await this.ensureSource();
    } catch (e) {
      throw Object.assign(e as Error, { database: true });
    }
    try {
      return await runPass(
        {
          profile: this.profile,
          store: this.ctx.store,
          source,
          reader: this.reader,
          mapper: this.mapper,
          api: this.api,
          connector: { ...this.ctx.connector, profile: this.profile.name },
          onState: (state, reason) => this.setState(state, reason),
          onProgress: ({ delivered, backlog, oldestAgeSeconds }) => {
            const s = this.ctx.store.stats(this.profile.name);
            const patch: Record<string, unknown> = { delivered: s.delivered, filtered: s.filtered, lastSuccessAt: s.lastSuccessAt, throughput: this.throughput(delivered) };
            if (backlog !== undefined) patch.backlog = backlog;
            if (oldestAgeSeconds !== undefined) patch.lagSeconds = oldestAgeSeconds;
            this.board.update(this.profile.name, patch);
          },
          signal: this.ctx.stopSignal,
          afterAck: this.ctx.afterAck,
          maxBatchBytes: this.ctx.maxBatchBytes,
        },
        type,
      );
    } catch (e) {
      if (e instanceof TokenRejectedError || e instanceof StoppedError) throw e;
      if (this.ctx.stopSignal.aborted) throw new StoppedError();
      // Anything else thrown during a pass came from the database side (delivery retries its own errors).
      await this.dropSource();
      throw Object.assign(e as Error, { database: true });
    }
  }

  async loop(): Promise<void> {
    const every = parseDuration(this.profile.schedule.every);
    let failures = 0;
    while (!this.ctx.stopSignal.aborted) {
      if (this.wake.signal.aborted) this.wake = new AbortController();
      const asleep = AbortSignal.any([this.ctx.stopSignal, this.wake.signal]);
      if (this.paused) {
        this.setState('paused', 'paused from the dashboard or CLI', { nextRunAt: null });
        await sleep(3_600_000, asleep);
        continue;
      }
      if (this.rejectedToken) {
        // No request with a refused token: wait until the configured token is a different one.
        const t = this.currentToken();
        if (!t || fingerprint(t) === this.rejectedToken) {
          await sleep(5_000, asleep);
          continue;
        }
        this.api.setToken(t);
        this.rejectedToken = null;
        this.ctx.log('info', `[${this.profile.name}] the token changed; trying again`);
      }
      const type = this.first ? 'startup' : this.manualPending ? 'manual' : 'scheduled';
      this.first = false;
      this.manualPending = false;
      let wait = every;
      try {
        const s = await this.pass(type);
        failures = 0;
        const stats = this.ctx.store.stats(this.profile.name);
        const backlog = await this.refreshBacklog();
        this.setState('idle', null, {
          lastError: null,
          nextRunAt: this.nowIso(every),
          lastSuccessAt: stats.lastSuccessAt ?? null,
          backlog: backlog.count,
          lagSeconds: backlog.oldestAgeSeconds,
          throughput: this.throughput(0),
        });
        if (s.created + s.updated + s.filtered + s.rejected > 0) {
          this.ctx.log('info', `[${this.profile.name}] run ${s.runId} (${type}): read ${s.read}, created ${s.created}, updated ${s.updated}, filtered ${s.filtered}, rejected ${s.rejected}`);
        }
      } catch (e) {
        if (e instanceof StoppedError || this.ctx.stopSignal.aborted) break;
        failures++;
        const msg = (e as Error).message;
        if (e instanceof TokenRejectedError) {
          this.rejectedToken = this.api.tokenFingerprint;
          this.setState('rejected token', `${msg} Outpost sends nothing until the token in the profile changes.`, { lastError: msg, nextRunAt: null });
          continue;
        }
        wait = backoffMs(failures, 1000, 60_000);
        this.setState('waiting for database', `${msg} Next try in ${Math.ceil(wait / 1000)} s.`, { lastError: msg });
        this.board.update(this.profile.name, { nextRunAt: this.nowIso(wait) });
      }
      await sleep(wait, asleep);
    }
    await this.dropSource();
    this.setState('stopped', null, { nextRunAt: null });
  }

  private async refreshBacklog(): Promise<{ count: number | null; oldestAgeSeconds: number | null }> {
    try {
      const source = await this.ensureSource();
      return await this.reader.backlog(source, this.ctx.store.getWatermark(this.profile.name));
    } catch {
      return { count: null, oldestAgeSeconds: null };
    }
  }

  heartbeatBody() {
    const p = this.board.snapshot().profiles.find((x) => x.name === this.profile.name);
    return { name: this.profile.name, state: p?.state ?? 'starting', lagSeconds: p?.lagSeconds ?? 0, backlog: p?.backlog ?? 0, lastSuccessAt: p?.lastSuccessAt ?? null };
  }

  get apiClient(): ApiClient {
    return this.api;
  }

  async closeSource(): Promise<void> {
    await this.dropSource();
  }

  get tokenRejected(): boolean {
    return this.rejectedToken !== null;
  }
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
        afterAck: crashPoint(env, log),
      };
      this.runners = opts.profiles.map((p) => {
        this.store.closeAbandonedRuns(p.name);
        return new ProfileRunner(p, { ...ctx, store: this.store, board: this.board });
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
  pause(name: string): void {
    this.runner(name).pause();
  }
  resume(name: string): void {
    this.runner(name).resume();
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
