// The live status of the daemon: what the dashboard shows and `outpost status --json` prints.
// A plain observable so the dashboard (or anything else) can subscribe without knowing the engine.

export type EngineState =
  | 'starting'
  | 'idle'
  | 'reading'
  | 'delivering'
  | 'waiting for database'
  | 'offline'
  | 'rejected token'
  | 'paused'
  | 'stopped';

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
  /** Rows recorded as filtered (invalid) and not sent. */
  filtered: number;
  /** Changed rows seen but not yet acknowledged. */
  backlog: number;
  /** Age in seconds of the oldest change not yet delivered (0 when caught up). */
  lagSeconds: number;
  lastError: string | null;
  nextRunAt: string | null;
  /** Tickets per second over the last minute. */
  throughput: number;
}

export interface StatusSnapshot {
  connector: { id: string; version: string; startedAt: string; pid: number };
  profiles: ProfileStatus[];
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

  constructor(connector: StatusSnapshot['connector'], profiles: ProfileStatus[] = [], clock: { now(): number } = { now: () => Date.now() }) {
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

  update(name: string, patch: Partial<ProfileStatus>): void {
    const profiles = this.current.profiles.map((p) => {
      if (p.name !== name) return p;
      const next = { ...p, ...patch };
      if (patch.state && patch.state !== p.state) next.since = this.now();
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
    backlog: 0,
    lagSeconds: 0,
    lastError: null,
    nextRunAt: null,
    throughput: 0,
    ...patch,
  };
}
