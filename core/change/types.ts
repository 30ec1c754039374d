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
  /** Rows beyond the watermark and the age in seconds of the oldest one (for status). */
  backlog(source: SourceAdapter, wm: Watermark | null): Promise<{ count: number; oldestAgeSeconds: number }>;
}

export interface ChangeOptions {
  table: string;
  key: string[];
  column?: string;
  lookbackSeconds: number;
}
