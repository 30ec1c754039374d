// Hands the memory of a large pass back to the operating system (docs/design.md §6: idle RSS after
// a backfill). A full GC frees V8 pages, but V8 keeps them in a pool for reuse, still resident:
// measured after a 200,000-ticket backfill, RSS stayed at ~210 MB with ~20 MB of live heap, and only
// a memory-reducing GC (the "last resort" flavour, which releases the pool) brought it to ~120 MB.
// That GC costs ~100–250 ms of one core, so it runs once when a pass that read many rows ends, never
// on a quiet poll (idle CPU stays where it was). It also runs once when the process's first pass
// ends, however small: loading the daemon's modules and compiling its first pass grow V8's young
// generation to its maximum and fill the pool, and on a small table no pass ever reads enough rows
// to release them (README, Memory: idle RSS on a 2,000-row table). Process-wide on purpose: the heap
// is the process's, shared by every profile.
import v8 from 'node:v8';
import vm from 'node:vm';

type GcFunction = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async'; flavor?: 'regular' | 'last-resort' }) => void;

/**
 * Rows read since the last release after which the end of a pass releases memory. A pass of a few
 * hundred rows leaves little behind; tens of thousands (a backfill, a lookback re-read after a
 * restart, a resend) leave the pool at its high-water mark.
 */
export const RELEASE_AFTER_ROWS = 20_000;

let rowsSinceRelease = 0;
/** Whether this process released once already (its first pass to end does). */
let releasedOnce = false;
let gcFn: GcFunction | null | undefined;

/**
 * V8's gc(), without `--expose-gc` on the command line: the flag set now installs gc() in contexts
 * created afterwards, so one new context hands it over and the daemon's own global stays as it was.
 */
function gc(): GcFunction | null {
  if (gcFn === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      gcFn = vm.runInNewContext('gc') as GcFunction;
    } catch {
      gcFn = null;
    }
  }
  return gcFn;
}

/** Counts the rows a pass read (called when a pass ends, before releaseIfWorthIt). */
export function noteRowsRead(n: number): void {
  rowsSinceRelease += n;
}

/**
 * After a pass: a memory-reducing GC if enough rows were read since the last one, or if this is the
 * first pass of the process to end. True if it ran.
 */
export function releaseIfWorthIt(threshold = RELEASE_AFTER_ROWS): boolean {
  if (releasedOnce && rowsSinceRelease < threshold) return false;
  releasedOnce = true;
  rowsSinceRelease = 0;
  const f = gc();
  if (!f) return false;
  f({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  return true;
}
