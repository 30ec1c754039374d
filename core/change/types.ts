// A change mode decides which rows a pass reads and what watermark may be committed after a page.
// Every mode reads in pages, in a stable order, so memory stays flat whatever the backlog.
import type { Watermark } from '../state/store.js';
import type { Row, SourceAdapter } from '../sources/types.js';

export interface Page {
  rows: Row[];
  /** Commit this watermark once every row of the page is handled; null = keep the current one. */
  next: Watermark | null;
}

export interface ChangeReader {
  /** Pages of rows that may have changed since `wm`, oldest first. */
  pages(source: SourceAdapter, wm: Watermark | null, pageSize: number): AsyncGenerator<Page>;
  /**
   * Rows beyond the watermark and the age in seconds of the oldest one (for status); null where the
   * mode cannot know (snapshot: neither; rowversion, increasing, change tracking: no age).
   */
  backlog(source: SourceAdapter, wm: Watermark | null): Promise<{ count: number | null; oldestAgeSeconds: number | null }>;
  /** The steady-state poll statement (for EXPLAIN in the benchmark and `outpost doctor`). */
  pollSql?(source: SourceAdapter, wm: Watermark, pageSize: number): Promise<{ sql: string; params: unknown[] }>;
}

/** Host time, injectable so tests can skew it (the engine never trusts it for cursors). */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface ChangeOptions {
  table: string;
  key: string[];
  column?: string;
  lookbackSeconds: number;
  /** IANA zone of a local-time cursor column (widens the re-read across a DST fall-back). */
  timezone?: string;
  clock?: Clock;
  /** Loud, once-per-condition messages (full resync, invisible updates). */
  warn?: (message: string) => void;
}
