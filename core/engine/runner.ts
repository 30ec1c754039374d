// One profile's runner: loops read → map → deliver → commit on the profile's schedule, backing off
// with jitter when the database or the API is away and saying why on the status board. The daemon
// (daemon.ts) owns one runner per enabled profile and the process-wide parts (lock, state store,
// heartbeats, pruning).
import { loadConfig } from '../config/load.js';
import { parseDuration, type Profile } from '../config/schema.js';
import { resolveSecret } from '../config/secrets.js';
import { createChangeReader, type ChangeReader, type Clock } from '../change/index.js';
import { ApiClient, TokenRejectedError, fingerprint } from '../delivery/client.js';
import { createMapper, type Mapper } from '../mapping/index.js';
import { UnchangedRows } from './unchanged-rows.js';
import { createSource, type SourceAdapter } from '../sources/index.js';
import type { ParkedCounts, ProfileShape, StateStore } from '../state/store.js';
import { registerSecret, scrub, type Logger } from '../log.js';
import { localWriteFailure } from './disk.js';
import { USER_AGENT } from '../version.js';
import { backoffMs, sleep } from './backoff.js';
import { noteRowsRead, releaseIfWorthIt } from './memory.js';
import { StoppedError, mappingHash, runPass, type PassSummary } from './pipeline.js';
import { HEALTHY_STATES, type EngineState, type StatusBoard } from './status.js';
import { formatDateTime } from '../format/time.js';

export interface RunnerContext {
  store: StateStore;
  board: StatusBoard;
  connector: { id: string; version: string };
  stopSignal: AbortSignal;
  /**
   * Aborts requests in flight. It fires later than stopSignal: a stop first ends every wait at once
   * and lets the batch in flight finish, up to the daemon's stop bound (daemon.ts).
   */
  requestSignal?: AbortSignal;
  log: Logger;
  env: NodeJS.ProcessEnv;
  clock: Clock;
  configFile?: string;
  httpTimeoutMs: number;
  maxBatchBytes?: number;
  afterAck?: () => void;
}

/** ENOSPC from a file write, or SQLite's SQLITE_FULL from the state database. */
export function isDiskFull(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  // Also a read-only or failing volume (EROFS, EIO, SQLITE_IOERR…): core/engine/disk.ts.
  return localWriteFailure(e) !== null || /database or disk is full|no space left on device/i.test(err?.message ?? '');
}

/** What a profile reads, as recorded with its state (table, key, change mode and column). */
export function shapeOf(profile: Profile): ProfileShape {
  return { table: profile.table, key: [...profile.key], mode: profile.change.mode, column: profile.change.column ?? null };
}

function describeShape(s: ProfileShape): string {
  return `table ${s.table}, key ${s.key.join('+')}, change ${s.mode}${s.column ? ` on ${s.column}` : ''}`;
}

/** The profile reads something else than its state was built from: the watermark would be meaningless. */
export class ShapeChangedError extends Error {
  constructor(
    readonly profile: string,
    readonly was: ProfileShape,
    readonly now: ProfileShape,
  ) {
    super(
      `Profile "${profile}" now reads ${describeShape(now)} but its state was built from ${describeShape(was)}; run "outpost profiles reset ${profile}" to rewind it to the new settings, or put the old ones back.`,
    );
    this.name = 'ShapeChangedError';
  }
}

/** Refuses a profile whose table, key or change column differ from what its state was built from. */
export function checkShape(store: StateStore, profile: Profile): void {
  const was = store.shape(profile.name);
  const now = shapeOf(profile);
  if (!was) return void store.setShape(profile.name, now);
  if (was.table !== now.table || was.key.join('\u0000') !== now.key.join('\u0000') || was.mode !== now.mode || was.column !== now.column) {
    throw new ShapeChangedError(profile.name, was, now);
  }
}

/** How many of the last rows judged decide whether the mapping is the problem. */
const VERDICT_WINDOW = 50;

/** How often a progress report reads the delivered and parked counts from the store, at most (ms). */
export const PROGRESS_READ_MS = 250;

export class ProfileRunner {
  private source: SourceAdapter | null = null;
  private readonly mapper: Mapper;
  private readonly api: ApiClient;
  private readonly reader: ChangeReader;
  /** When the schedule was paused (kept in run/paused.json across restarts); null = running. */
  private pausedAt: string | null = null;
  private lastManualAt: string | null = null;
  private wake = new AbortController();
  /**
   * What ends a sleep (stop, halt or wake), and what aborts a request: made once (a wake makes the
   * first anew), not per poll. Each AbortSignal.any is tracked by its sources until a full GC, so
   * one per poll piled up in the old generation (README, Memory).
   */
  private asleep: AbortSignal;
  private readonly requestSignal: AbortSignal | undefined;
  private manualPending = false;
  private first = true;
  /** Fingerprint of a token the API refused: no request is made with it again. */
  private rejectedToken: string | null = null;
  private readonly deliveredWindow: Array<{ at: number; n: number }> = [];
  /** The counts last read for a progress report (progressCounts). */
  private progressRead: { at: number; delivered: number; lastSuccessAt: string | null; parked: ParkedCounts } | null = null;
  /** Stops this runner alone (a reload replaces it); the daemon's stop signal stops all. */
  private readonly halt = new AbortController();
  private readonly signal: AbortSignal;
  readonly mappingHash: string;
  /**
   * The verdicts of the last rows this mapping judged (true = filtered), newest last, across passes:
   * a pass that re-judges one bad row does not raise a mapping problem on its own, and quiet passes
   * keep what the last judging passes found.
   */
  private readonly verdicts: boolean[] = [];
  /** Rows last found unchanged, across passes: read again as they were, they are not mapped again. */
  private readonly unchanged = new UnchangedRows();
  /** The last unhealthy (or idle) state and reason logged, so a poll loop does not repeat it. */
  private lastSaid = '';
  /** How the last pass ended and since when: a pass ending the same way keeps that since-when. */
  private outcome: { state: EngineState; since: string } | null = null;
  done: Promise<void> = Promise.resolve();

  constructor(
    readonly profile: Profile,
    private readonly ctx: RunnerContext,
    pausedAt: string | null = null,
  ) {
    checkShape(ctx.store, profile);
    this.signal = AbortSignal.any([ctx.stopSignal, this.halt.signal]);
    this.asleep = AbortSignal.any([this.signal, this.wake.signal]);
    // A stop lets the request in flight finish (up to the daemon's bound); a halt (reload) does not.
    this.requestSignal = ctx.requestSignal ? AbortSignal.any([ctx.requestSignal, this.halt.signal]) : undefined;
    this.pausedAt = pausedAt;
    const token = resolveSecret(profile.api.token, ctx.env)!;
    registerSecret(token);
    registerSecret(resolveSecret(profile.source.password, ctx.env));
    this.api = new ApiClient({ url: profile.api.url, token, userAgent: USER_AGENT, timeoutMs: ctx.httpTimeoutMs });
    this.mapper = createMapper({
      template: profile.mapping.template,
      fields: profile.mapping.fields,
      skip: profile.mapping.skip,
      timezone: profile.change.timezone ?? 'UTC',
      vendor: undefined,
    });
    // One reader for the runner's life: it caches the cursor column's type and warns once.
    this.reader = createChangeReader(profile, { clock: ctx.clock, warn: (m) => ctx.log('warn', `[${profile.name}] ${m}`) });
    this.mappingHash = mappingHash(this.mapper, profile.change.timezone ?? 'UTC');
    const s = ctx.store.stats(profile.name);
    const parked = ctx.store.parked(profile.name);
    // Rows this mapping filtered before a restart still count: a daemon restarted with them parked
    // is in 'mapping problem' at its first pass, not 'idle' until new rows arrive.
    if (parked.filtered > 0) this.verdicts.push(...ctx.store.recentVerdicts(profile.name, this.mappingHash, VERDICT_WINDOW));
    ctx.board.update(profile.name, { delivered: s.delivered, lastSuccessAt: s.lastSuccessAt, ...parked });
  }

  /** Stops this runner (its in-flight request and sleeps are interrupted) and waits for it. */
  async stop(): Promise<void> {
    this.halt.abort();
    await this.done;
    await this.dropSource();
  }

  get stopped(): boolean {
    return this.signal.aborted;
  }

  /**
   * The state after a pass that ended well: a mapping problem (the last pass that judged rows
   * filtered more than half of them), tickets parked as rejected by the API, or idle. Called once
   * per pass (it keeps the verdicts of the last passes): by the loop, and by `runOnce`.
   */
  healthAfterPass(s: PassSummary): { state: EngineState; reason: string | null } {
    // The pass's verdicts (the order within a pass is not kept). A pass that judged more rows than
    // the window fills it in proportion: a backfill of 1,600 rows with 79 incomplete ones is not a
    // mapping problem (taking up to VERDICT_WINDOW verdicts of each kind, filtered last, said so).
    const ok = s.created + s.updated + s.rejected;
    const judged = ok + s.filtered;
    const scale = judged > VERDICT_WINDOW ? VERDICT_WINDOW / judged : 1;
    const bad = Math.round(s.filtered * scale);
    const good = Math.min(VERDICT_WINDOW, judged) - bad;
    for (let i = 0; i < good; i++) this.verdicts.push(false);
    for (let i = 0; i < bad; i++) this.verdicts.push(true);
    this.verdicts.splice(0, Math.max(0, this.verdicts.length - VERDICT_WINDOW));
    const filtered = this.verdicts.filter(Boolean).length;
    const parked = this.ctx.store.parked(this.profile.name);
    const name = this.profile.name;
    if (filtered * 2 > this.verdicts.length && parked.filtered > 0) {
      const sample = this.ctx.store.lastParkedError(name, 'filtered');
      const n = this.verdicts.length;
      return {
        state: 'mapping problem',
        reason: `The mapping filtered ${filtered === n ? 'all' : filtered} of the last ${n} rows it mapped${sample ? ` (e.g. "${sample}")` : ''}; ${parked.filtered} row(s) are parked. Fix the mapping: parked rows are evaluated again when it changes (or run "outpost resend --profile ${name} --filtered").`,
      };
    }
    if (parked.rejected > 0) {
      const sample = this.ctx.store.lastParkedError(name, 'rejected');
      return {
        state: 'tickets rejected by the API',
        reason: `${parked.rejected} ticket(s) parked: the API rejected them${sample ? ` (latest: "${sample}")` : ''}. Fix the cause, then run "outpost resend --profile ${name} --rejected".`,
      };
    }
    return { state: 'idle', reason: null };
  }

  private get board(): StatusBoard {
    return this.ctx.board;
  }

  private setState(state: EngineState, reason: string | null, extra: Record<string, unknown> = {}): void {
    // Never a secret on the board (it goes to the dashboard, status.json and heartbeats).
    if (reason !== null) reason = scrub(reason);
    // Logged when it changes (not on every poll that passes through 'reading' and back).
    const said = `${state}\u0000${reason ?? ''}`;
    const transient = state === 'reading' || state === 'delivering' || state === 'starting';
    if (transient ? this.board.snapshot().profiles.find((p) => p.name === this.profile.name)?.state !== state : said !== this.lastSaid) {
      this.ctx.log(
        HEALTHY_STATES.has(state) || state === 'paused' ? 'debug' : 'warn',
        `[${this.profile.name}] ${state}${reason ? ': ' + reason : ''}`,
      );
    }
    if (!transient) this.lastSaid = said;
    // lastError is set whenever the state is not a healthy one and cleared when a pass ends well;
    // the reading/delivering steps of a pass keep the last one.
    const lastError = transient ? undefined : HEALTHY_STATES.has(state) ? null : reason;
    this.board.update(this.profile.name, { state, reason, ...(lastError === undefined ? {} : { lastError }), ...extra });
  }

  private nowIso(offsetMs = 0): string {
    return new Date(this.ctx.clock.now() + offsetMs).toISOString();
  }

  /**
   * The delivered and parked counts the status shows, read from the store at most every
   * PROGRESS_READ_MS: a backfill reports progress twice a page, and the two queries (one a GROUP BY
   * over the parked tickets) per report were ~1.6 % of its profile. A pass's end reads them again
   * (showCounts), so the status never stays behind.
   */
  private progressCounts(): { delivered: number; lastSuccessAt: string | null; parked: ParkedCounts } {
    const now = this.ctx.clock.now();
    if (!this.progressRead || now - this.progressRead.at >= PROGRESS_READ_MS || now < this.progressRead.at) {
      const s = this.ctx.store.stats(this.profile.name);
      this.progressRead = {
        at: now,
        delivered: s.delivered,
        lastSuccessAt: s.lastSuccessAt,
        parked: this.ctx.store.parked(this.profile.name),
      };
    }
    return this.progressRead;
  }

  private throughput(n: number): number {
    const now = this.ctx.clock.now();
    if (n) this.deliveredWindow.push({ at: now, n });
    while (this.deliveredWindow.length && this.deliveredWindow[0].at < now - 60_000) this.deliveredWindow.shift();
    const total = this.deliveredWindow.reduce((a, b) => a + b.n, 0);
    return Math.round((total / 60) * 10) / 10;
  }

  /** One manual pass now; a paused schedule stays paused (the pass runs, then it waits again). */
  syncNow(): void {
    this.manualPending = true;
    this.rejectedToken = null; // the user asked to try again
    this.wake.abort();
  }
  /** Returns when the schedule was paused (the first pause, if already paused). */
  pause(): string {
    this.pausedAt ??= this.nowIso();
    this.wake.abort();
    return this.pausedAt;
  }
  resume(): void {
    this.pausedAt = null;
    this.rejectedToken = null;
    this.wake.abort();
  }
  get paused(): boolean {
    return this.pausedAt !== null;
  }

  private pausedReason(): string {
    const tz = { timeZone: this.profile.change.timezone };
    const last = this.lastManualAt ? `; a manual pass ran at ${formatDateTime(this.lastManualAt, tz)}` : '';
    return `Paused since ${formatDateTime(this.pausedAt, tz)} from the dashboard or CLI: no scheduled passes until it is resumed ("Sync now" runs one pass)${last}.`;
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
    const source = await this.ensureSource();
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
            const counts = this.progressCounts();
            const patch: Record<string, unknown> = {
              delivered: counts.delivered,
              lastSuccessAt: counts.lastSuccessAt,
              throughput: this.throughput(delivered),
              ...counts.parked,
            };
            if (backlog !== undefined) patch.backlog = backlog;
            if (oldestAgeSeconds !== undefined) patch.lagSeconds = oldestAgeSeconds;
            this.board.update(this.profile.name, patch);
          },
          signal: this.signal,
          requestSignal: this.requestSignal,
          afterAck: this.ctx.afterAck,
          maxBatchBytes: this.ctx.maxBatchBytes,
          mappingHash: this.mappingHash,
          unchanged: this.unchanged,
        },
        type,
      );
    } catch (e) {
      if (e instanceof TokenRejectedError || e instanceof StoppedError) throw e;
      if (this.signal.aborted) throw new StoppedError();
      // Anything else thrown during a pass came from the database side (delivery retries its own errors).
      await this.dropSource();
      throw e;
    } finally {
      this.showCounts();
    }
  }

  /** The delivered and parked counts as a pass left them (progress reports read them at most every PROGRESS_READ_MS). */
  private showCounts(): void {
    try {
      this.progressRead = null;
      const counts = this.progressCounts();
      this.board.update(this.profile.name, { delivered: counts.delivered, lastSuccessAt: counts.lastSuccessAt, ...counts.parked });
    } catch {
      // A state database that cannot be read now is reported by the pass or the next one.
    }
  }

  async loop(): Promise<void> {
    const every = parseDuration(this.profile.schedule.every);
    let failures = 0;
    while (!this.signal.aborted) {
      if (this.wake.signal.aborted) {
        this.wake = new AbortController();
        this.asleep = AbortSignal.any([this.signal, this.wake.signal]);
      }
      const asleep = this.asleep;
      if (this.paused && !this.manualPending) {
        // Waiting tickets still count while paused: the backlog is looked at now and then.
        const backlog = await this.refreshBacklog();
        // Paused since the pause itself (kept across restarts), not since this process started.
        this.setState('paused', this.pausedReason(), {
          nextRunAt: null,
          since: this.pausedAt!,
          backlog: backlog.count,
          lagSeconds: backlog.oldestAgeSeconds,
        });
        await sleep(Math.min(60_000, every * 6), asleep);
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
      const type = this.manualPending ? 'manual' : this.first ? 'startup' : 'scheduled';
      if (type === 'manual') this.lastManualAt = this.nowIso();
      this.first = false;
      this.manualPending = false;
      let wait = every;
      try {
        const s = await this.pass(type);
        failures = 0;
        const stats = this.ctx.store.stats(this.profile.name);
        const backlog = await this.refreshBacklog();
        const health = this.healthAfterPass(s);
        // Each pass passes through 'reading'; a state that holds across passes keeps its since-when.
        const since = this.outcome?.state === health.state ? this.outcome.since : this.nowIso();
        this.outcome = { state: health.state, since };
        this.setState(health.state, health.reason, {
          since,
          nextRunAt: this.nowIso(every),
          lastSuccessAt: stats.lastSuccessAt ?? null,
          backlog: backlog.count,
          lagSeconds: backlog.oldestAgeSeconds,
          throughput: this.throughput(0),
        });
        if (s.created + s.updated + s.filtered + s.skipped + s.rejected > 0) {
          this.ctx.log(
            'info',
            `[${this.profile.name}] run ${s.runId} (${type}): read ${s.read}, created ${s.created}, updated ${s.updated}, filtered ${s.filtered}, skipped ${s.skipped}, rejected ${s.rejected}`,
          );
        }
        // A large pass (a backfill) leaves V8's page pool at its high-water mark: hand it back once
        // (memory.ts; the process's first pass also does, quiet polls never do, see README, Memory).
        noteRowsRead(s.read);
        releaseIfWorthIt();
      } catch (e) {
        this.outcome = null;
        if (e instanceof StoppedError || this.signal.aborted) break;
        failures++;
        const msg = (e as Error).message;
        if (e instanceof TokenRejectedError) {
          this.rejectedToken = this.api.tokenFingerprint;
          this.setState('rejected token', `${msg} Outpost sends nothing until the token in the profile changes.`, {
            lastError: msg,
            nextRunAt: null,
          });
          continue;
        }
        wait = backoffMs(failures, 1000, 60_000);
        if (isDiskFull(e)) {
          // The local state database (or a runtime file) cannot be written: nothing is lost (the
          // batch is sent again with the same key once there is room), but nothing moves either.
          this.setState(
            'local disk full',
            `The local disk is full: Outpost cannot record what was delivered (${msg}). Free space on the disk of the state folder; next try in ${Math.ceil(wait / 1000)} s.`,
          );
          this.board.update(this.profile.name, { nextRunAt: this.nowIso(wait) });
          await sleep(wait, asleep);
          continue;
        }
        this.setState('waiting for database', `${msg} Next try in ${Math.ceil(wait / 1000)} s.`);
        this.board.update(this.profile.name, { nextRunAt: this.nowIso(wait), backlog: null, lagSeconds: null });
      }
      // A manual pass while paused: back to waiting at once, still paused.
      if (this.paused) continue;
      await sleep(wait, asleep);
    }
    await this.dropSource();
    if (!this.halt.signal.aborted || this.ctx.stopSignal.aborted) this.setState('stopped', null, { nextRunAt: null });
  }

  private async refreshBacklog(): Promise<{ count: number | null; oldestAgeSeconds: number | null }> {
    try {
      const source = await this.ensureSource();
      const b = await this.reader.backlog(source, this.ctx.store.getWatermark(this.profile.name));
      // Tickets queued to be evaluated again (resend, a changed mapping) wait too.
      const queued = this.ctx.store.queuedCount(this.profile.name);
      return { count: b.count === null ? null : b.count + queued, oldestAgeSeconds: b.oldestAgeSeconds };
    } catch {
      return { count: null, oldestAgeSeconds: null };
    }
  }

  heartbeatBody() {
    const p = this.board.snapshot().profiles.find((x) => x.name === this.profile.name);
    return {
      name: this.profile.name,
      state: p?.state ?? 'starting',
      lagSeconds: p?.lagSeconds ?? null,
      backlog: p?.backlog ?? null,
      lastSuccessAt: p?.lastSuccessAt ?? null,
    };
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
