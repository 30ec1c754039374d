// The last hour per profile, for the overview's small chart: tickets delivered per minute (from the
// run reports, so it survives a restart) and the backlog at the end of each minute (sampled from the
// live status while this process runs; minutes before it started are null, not zero).
import type { StatusFeed } from '../core/engine/status.js';

export interface MinutePoint {
  /** Start of the minute, ISO. */
  at: string;
  tickets: number;
  backlog: number | null;
}

export interface HistoryReply {
  profile: string;
  minutes: MinutePoint[];
}

/** Tickets written (created + updated) per UTC minute "YYYY-MM-DDTHH:MM" since an instant. */
export type DeliveredPerMinute = (profile: string, sinceIso: string) => Map<string, number>;

const MINUTES = 60;

export class History {
  private readonly backlog = new Map<string, Map<string, number | null>>();
  private readonly unsubscribe: () => void;

  constructor(
    feed: StatusFeed,
    private readonly delivered: DeliveredPerMinute | undefined,
    private readonly now: () => number = () => Date.now(),
  ) {
    const sample = () => {
      const minute = minuteKey(this.now());
      for (const p of feed.snapshot().profiles) {
        let m = this.backlog.get(p.name);
        if (!m) this.backlog.set(p.name, (m = new Map()));
        const b = (p as { backlog: number | null }).backlog;
        m.set(minute, typeof b === 'number' ? b : null);
        if (m.size > MINUTES + 5) m.delete(m.keys().next().value!);
      }
    };
    sample();
    this.unsubscribe = feed.subscribe(sample);
  }

  lastHour(profile: string): HistoryReply {
    const end = Math.floor(this.now() / 60_000) * 60_000;
    const start = end - (MINUTES - 1) * 60_000;
    const perMinute = this.delivered?.(profile, new Date(start).toISOString()) ?? new Map<string, number>();
    const seen = this.backlog.get(profile) ?? new Map<string, number | null>();
    const minutes: MinutePoint[] = [];
    let last: number | null = null;
    for (let t = start; t <= end; t += 60_000) {
      const key = minuteKey(t);
      // A minute without a status change keeps the backlog it had (only while we were watching).
      if (seen.has(key)) last = seen.get(key) ?? null;
      minutes.push({
        at: new Date(t).toISOString(),
        tickets: perMinute.get(key) ?? 0,
        backlog: seen.size && t >= firstKey(seen) ? last : null,
      });
    }
    return { profile, minutes };
  }

  close(): void {
    this.unsubscribe();
  }
}

function minuteKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}

function firstKey(m: Map<string, unknown>): number {
  const k = m.keys().next().value;
  return k ? Date.parse(`${k}:00.000Z`) : Infinity;
}
