// The live status of the daemon: what the dashboard shows and `outpost status --json` prints.
// A plain observable so the dashboard (or anything else) can subscribe without knowing the engine.

// States, classified by where the fault is. Healthy: starting, idle, reading, delivering, stopped.
// Every other state carries a reason and sets lastError:
// - 'waiting for database': the source cannot be reached or a query failed;
// - 'offline': the API is unreachable, or answers 5xx / 408 / 429;
// - 'API protocol error': the API answered something that is not a valid answer to the batch sent
//   (404/405/other 4xx on the route, HTML, non-JSON, no results, results not matching the batch);
// - 'rejected token': 401/403, nothing is sent until the token changes;
// - 'mapping problem': the last pass that mapped rows filtered more than half of them, or all;
// - 'tickets rejected by the API': tickets parked with a per-ticket `rejected` verdict (N in reason);
// - 'local disk full': the state database (or a runtime file) could not be written (ENOSPC);
// - 'paused': paused from the dashboard or the CLI.
export type EngineState =
  | 'starting'
  | 'idle'
  | 'reading'
  | 'delivering'
  | 'waiting for database'
  | 'offline'
  | 'API protocol error'
  | 'rejected token'
  | 'mapping problem'
  | 'tickets rejected by the API'
  | 'local disk full'
  | 'paused'
  | 'stopped';

/** States that are not a fault (lastError is null in them). */
export const HEALTHY_STATES: ReadonlySet<EngineState> = new Set(['starting', 'idle', 'reading', 'delivering', 'stopped']);

export interface ProfileStatus {
  name: string;
  state: EngineState;
  /** Why it is in this state, one plain sentence (never a secret). */
  reason: string | null;
  /** ISO time the state was entered. */
  since: string;
  lastSuccessAt: string | null;
  /** Tickets acknowledged by the API since the state store was created. */
  delivered: number;
  /** Rows parked now as filtered (the mapping found them invalid), not sent. */
  filtered: number;
  /** Rows parked now as skipped (a skip rule of the mapping matched), never sent. */
  skipped: number;
  /** Tickets parked now with a per-ticket `rejected` verdict of the API. */
  rejected: number;
  /** Changed rows seen but not yet acknowledged; null = unknown (the change mode cannot tell). */
  backlog: number | null;
  /** Age in seconds of the oldest change not yet delivered (0 when caught up); null = unknown. */
  lagSeconds: number | null;
  /** Set whenever the state is not a healthy one (see HEALTHY_STATES); null otherwise. */
  lastError: string | null;
  nextRunAt: string | null;
  /** Tickets per second over the last minute. */
  throughput: number;
}

export interface ConfigStatus {
  /** The config file the daemon runs from (null when given profiles directly). */
  file: string | null;
  /** When the config now running was loaded. */
  loadedAt: string;
  /** Why the latest version of the file was refused (with the key path); null when it was taken. */
  error: string | null;
}

export interface StatusSnapshot {
  connector: { id: string; version: string; startedAt: string; pid: number };
  profiles: ProfileStatus[];
  /** The config file and the outcome of the last reload (absent before the daemon sets it). */
  config?: ConfigStatus;
  updatedAt: string;
}

export interface StatusFeed {
  snapshot(): StatusSnapshot;
  /** Called with every new snapshot; returns the unsubscribe function. */
  subscribe(fn: (s: StatusSnapshot) => void): () => void;
}

/** Holds the current snapshot and notifies subscribers; the engine writes, UIs read. */
export class StatusBoard implements StatusFeed {
  private current: StatusSnapshot;
  private readonly listeners = new Set<(s: StatusSnapshot) => void>();

  private readonly now: () => string;

  constructor(
    connector: StatusSnapshot['connector'],
    profiles: ProfileStatus[] = [],
    clock: { now(): number } = { now: () => Date.now() },
  ) {
    this.now = () => new Date(clock.now()).toISOString();
    this.current = { connector, profiles, updatedAt: this.now() };
  }

  snapshot(): StatusSnapshot {
    return this.current;
  }

  subscribe(fn: (s: StatusSnapshot) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  setConfig(config: ConfigStatus): void {
    this.current = { ...this.current, config, updatedAt: this.now() };
    for (const fn of this.listeners) fn(this.current);
  }

  /** Drops a profile that is no longer configured (after a reload). */
  remove(name: string): void {
    this.current = { ...this.current, profiles: this.current.profiles.filter((p) => p.name !== name), updatedAt: this.now() };
    for (const fn of this.listeners) fn(this.current);
  }

  update(name: string, patch: Partial<ProfileStatus>): void {
    const profiles = this.current.profiles.map((p) => {
      if (p.name !== name) return p;
      const next = { ...p, ...patch };
      if (patch.state && patch.state !== p.state) next.since = patch.since ?? this.now();
      return next;
    });
    if (!profiles.some((p) => p.name === name)) profiles.push(emptyProfileStatus(name, patch));
    this.current = { ...this.current, profiles, updatedAt: this.now() };
    for (const fn of this.listeners) fn(this.current);
  }
}

export function emptyProfileStatus(name: string, patch: Partial<ProfileStatus> = {}): ProfileStatus {
  return {
    name,
    state: 'starting',
    reason: null,
    since: new Date().toISOString(),
    lastSuccessAt: null,
    delivered: 0,
    filtered: 0,
    skipped: 0,
    rejected: 0,
    backlog: 0,
    lagSeconds: 0,
    lastError: null,
    nextRunAt: null,
    throughput: 0,
    ...patch,
  };
}
