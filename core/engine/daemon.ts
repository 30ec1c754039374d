// The daemon: one runner per enabled profile, each looping read → map → deliver → commit on its
// schedule, backing off with jitter when the database or the API is away and saying why in its
// state. UIs observe it through `board` and control it through syncNow / pause / resume.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDuration, type Profile } from '../config/schema.js';
import { resolveSecret } from '../config/secrets.js';
import { createChangeReader } from '../change/index.js';
import { ApiClient, TokenRejectedError } from '../delivery/client.js';
import { createMapper, type Mapper } from '../mapping/index.js';
import { createSource, type SourceAdapter } from '../sources/index.js';
import { StateStore } from '../state/store.js';
import { registerSecret, silentLogger, type Logger } from '../log.js';
import { homePaths } from '../paths.js';
import { USER_AGENT, VERSION } from '../version.js';
import { backoffMs, sleep } from './backoff.js';
import { acquireLock } from './lock.js';
import { StoppedError, runPass, type PassSummary } from './pipeline.js';
import { StatusBoard, emptyProfileStatus, type EngineState } from './status.js';

export interface DaemonOptions {
  profiles: Profile[];
  home: string;
  log?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Heartbeat period; 0 turns heartbeats off. */
  heartbeatMs?: number;
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

class ProfileRunner {
  private source: SourceAdapter | null = null;
  private readonly mapper: Mapper;
  private readonly api: ApiClient;
  private paused = false;
  private wake = new AbortController();
  private manualPending = false;
  private first = true;
  private readonly deliveredWindow: Array<{ at: number; n: number }> = [];
  done: Promise<void> = Promise.resolve();

  constructor(
    readonly profile: Profile,
    private readonly store: StateStore,
    private readonly board: StatusBoard,
    private readonly connector: { id: string; version: string },
    private readonly stopSignal: AbortSignal,
    private readonly log: Logger,
    env: NodeJS.ProcessEnv,
  ) {
    const token = resolveSecret(profile.api.token, env)!;
    registerSecret(token);
    registerSecret(resolveSecret(profile.source.password, env));
    this.api = new ApiClient({ url: profile.api.url, token, userAgent: USER_AGENT });
    this.mapper = createMapper({ template: profile.mapping.template, fields: profile.mapping.fields, timezone: profile.change.timezone ?? 'UTC', vendor: undefined });
    const s = store.stats(profile.name);
    board.update(profile.name, { delivered: s.delivered, filtered: s.filtered, lastSuccessAt: s.lastSuccessAt });
  }

  private setState(state: EngineState, reason: string | null, extra: Record<string, unknown> = {}): void {
    const cur = this.board.snapshot().profiles.find((p) => p.name === this.profile.name);
    if (cur?.state !== state || cur.reason !== reason) {
      this.log(state === 'offline' || state === 'waiting for database' || state === 'rejected token' ? 'warn' : 'debug', `[${this.profile.name}] ${state}${reason ? ': ' + reason : ''}`);
    }
    this.board.update(this.profile.name, { state, reason, ...extra });
  }

  private throughput(n: number): number {
    const now = Date.now();
    if (n) this.deliveredWindow.push({ at: now, n });
    while (this.deliveredWindow.length && this.deliveredWindow[0].at < now - 60_000) this.deliveredWindow.shift();
    const total = this.deliveredWindow.reduce((a, b) => a + b.n, 0);
    return Math.round((total / 60) * 10) / 10;
  }

  syncNow(): void {
    this.manualPending = true;
    this.paused = false;
    this.wake.abort();
  }
  pause(): void {
    this.paused = true;
    this.wake.abort();
  }
  resume(): void {
    this.paused = false;
    this.wake.abort();
  }

  private async ensureSource(): Promise<SourceAdapter> {
    if (this.source) return this.source;
    const s = await createSource(this.profile.source);
    await s.connect();
    this.source = s;
    return s;
  }

  private async dropSource(): Promise<void> {
    const s = this.source;
    this.source = null;
    await s?.close().catch(() => {});
  }

  /** One pass; throws what stopped it. */
  async pass(type: 'scheduled' | 'manual' | 'startup'): Promise<PassSummary> {
    let source: SourceAdapter;
    try {
      source = await this.ensureSource();
    } catch (e) {
      throw Object.assign(e as Error, { database: true });
    }
    const signal = AbortSignal.any([this.stopSignal, this.wake.signal]);
    try {
      const summary = await runPass(
        {
          profile: this.profile,
          store: this.store,
          source,
          reader: createChangeReader(this.profile),
          mapper: this.mapper,
          api: this.api,
          connector: { ...this.connector, profile: this.profile.name },
          onState: (state, reason) => this.setState(state, reason),
          onProgress: ({ delivered, backlog }) => {
            const s = this.store.stats(this.profile.name);
            const patch: Record<string, unknown> = { delivered: s.delivered, filtered: s.filtered, lastSuccessAt: s.lastSuccessAt, throughput: this.throughput(delivered) };
            if (backlog >= 0) patch.backlog = backlog;
            this.board.update(this.profile.name, patch);
          },
          signal: this.stopSignal,
        },
        type,
      );
      void signal;
      return summary;
    } catch (e) {
      if (e instanceof TokenRejectedError || e instanceof StoppedError) throw e;
      // Anything else thrown during a pass came from the database side (delivery retries its own errors).
      await this.dropSource();
      throw Object.assign(e as Error, { database: true });
    }
  }

  async loop(): Promise<void> {
    const every = parseDuration(this.profile.schedule.every);
    let failures = 0;
    while (!this.stopSignal.aborted) {
      if (this.wake.signal.aborted) this.wake = new AbortController();
      if (this.paused) {
        this.setState('paused', 'paused from the dashboard or CLI', { nextRunAt: null });
        await sleep(3_600_000, AbortSignal.any([this.stopSignal, this.wake.signal]));
        continue;
      }
      const type = this.first ? 'startup' : this.manualPending ? 'manual' : 'scheduled';
      this.first = false;
      this.manualPending = false;
      let wait = every;
      try {
        const s = await this.pass(type);
        failures = 0;
        const stats = this.store.stats(this.profile.name);
        const backlog = await this.refreshBacklog();
        this.setState('idle', null, { lastError: null, nextRunAt: new Date(Date.now() + every).toISOString(), lastSuccessAt: stats.lastSuccessAt ?? null, backlog: backlog.count, lagSeconds: backlog.oldestAgeSeconds, throughput: this.throughput(0) });
        if (s.created + s.updated + s.filtered + s.rejected > 0) {
          this.log('info', `[${this.profile.name}] run ${s.runId} (${type}): read ${s.read}, created ${s.created}, updated ${s.updated}, filtered ${s.filtered}, rejected ${s.rejected}`);
        }
      } catch (e) {
        if (e instanceof StoppedError || this.stopSignal.aborted) break;
        failures++;
        const msg = (e as Error).message;
        if (e instanceof TokenRejectedError) {
          wait = 60_000;
          this.setState('rejected token', msg, { lastError: msg });
        } else {
          wait = backoffMs(failures, 1000, 60_000);
          this.setState('waiting for database', `${msg} Next try in ${Math.ceil(wait / 1000)} s.`, { lastError: msg });
        }
        this.board.update(this.profile.name, { nextRunAt: new Date(Date.now() + wait).toISOString() });
      }
      await sleep(wait, AbortSignal.any([this.stopSignal, this.wake.signal]));
    }
    await this.dropSource();
    this.setState('stopped', null, { nextRunAt: null });
  }

  private async refreshBacklog(): Promise<{ count: number; oldestAgeSeconds: number }> {
    try {
      const source = await this.ensureSource();
      return await createChangeReader(this.profile).backlog(source, this.store.getWatermark(this.profile.name));
    } catch {
      return { count: 0, oldestAgeSeconds: 0 };
    }
  }

  heartbeatBody() {
    const p = this.board.snapshot().profiles.find((x) => x.name === this.profile.name);
    return { name: this.profile.name, state: p?.state ?? 'starting', lagSeconds: p?.lagSeconds ?? 0, backlog: p?.backlog ?? 0, lastSuccessAt: p?.lastSuccessAt ?? null };
  }

  get apiClient(): ApiClient {
    return this.api;
  }
}

export class Daemon {
  readonly board: StatusBoard;
  readonly store: StateStore;
  private readonly runners: ProfileRunner[];
  private readonly stopper = new AbortController();
  private readonly release: () => void;
  private heartbeat: NodeJS.Timeout | null = null;
  readonly connectorId: string;

  constructor(private readonly opts: DaemonOptions) {
    const paths = homePaths(opts.home);
    this.release = acquireLock(paths.lock);
    try {
      this.connectorId = connectorId(opts.home);
      this.store = new StateStore(paths.state);
      this.board = new StatusBoard(
        { id: this.connectorId, version: VERSION, startedAt: new Date().toISOString(), pid: process.pid },
        opts.profiles.map((p) => emptyProfileStatus(p.name)),
      );
      const log = opts.log ?? silentLogger;
      this.runners = opts.profiles.map((p) => {
        this.store.closeAbandonedRuns(p.name);
        return new ProfileRunner(p, this.store, this.board, { id: this.connectorId, version: VERSION }, this.stopper.signal, log, opts.env ?? process.env);
      });
    } catch (e) {
      this.release();
      throw e;
    }
  }

  private runner(name: string): ProfileRunner {
    const r = this.runners.find((x) => x.profile.name === name);
    if (!r) throw new Error(`There is no running profile "${name}".`);
    return r;
  }

  /** Runs every profile until stop(). */
  start(): void {
    for (const r of this.runners) r.done = r.loop();
    const every = this.opts.heartbeatMs ?? 30_000;
    if (every > 0) {
      const beat = () => {
        for (const r of this.runners) {
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
    await Promise.all(this.runners.map((r) => r.done));
    this.store.close();
    this.release();
  }
}
