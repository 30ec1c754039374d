// After a large pass the daemon hands V8's pooled pages back to the OS (core/engine/memory.ts): once
// enough rows were read, and once when the process's first pass ends, never on a quiet poll, without
// exposing gc() on the daemon's global.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RELEASE_AFTER_ROWS, noteRowsRead, releaseIfWorthIt } from '../../core/engine/memory.js';

test('a memory-reducing GC runs after the first pass, then only after enough rows, once, and gives the freed pages back', () => {
  assert.equal(releaseIfWorthIt(), true, "the process's first pass, however small");
  assert.equal(releaseIfWorthIt(), false, 'nothing read since');
  noteRowsRead(RELEASE_AFTER_ROWS - 1);
  assert.equal(releaseIfWorthIt(), false, 'below the threshold');

  // ~150 MB of short-lived objects: a full GC frees them but V8 keeps the pages resident in its pool.
  let keep: Array<{ a: number; b: string }> = [];
  for (let i = 0; i < 2_000_000; i++) {
    keep.push({ a: i, b: `x${i}` });
    if (keep.length > 300_000) keep = [];
  }
  keep.length = 0;
  const before = process.memoryUsage().rss;
  noteRowsRead(1);
  assert.equal(releaseIfWorthIt(), true, 'at the threshold');
  const after = process.memoryUsage().rss;
  assert.ok(after < before - 20 * 2 ** 20, `RSS ${before >> 20} MB → ${after >> 20} MB`);

  assert.equal(releaseIfWorthIt(), false, 'the count starts again after a release');
  assert.equal((globalThis as { gc?: unknown }).gc, undefined, 'gc() is not put on the global');
});
